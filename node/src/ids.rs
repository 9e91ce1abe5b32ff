//! Identifiers, ARNs and placement.
//!
//! An execution is identified by its state machine's name and its own name; its
//! [`ExecutionKey`] is both joined by a NUL (which names cannot contain). Its shard is a
//! stable hash of that key (FNV-1a, 64-bit) modulo the shard count, written down here so
//! clients can compute it too. `DefaultHasher` is never used: its output may change between
//! Rust versions.

use std::fmt;

/// A Raft group: one shard of the cluster's executions and state machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShardId(pub u32);

impl fmt::Display for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A cluster member.
pub type NodeId = u64;

/// `state machine name` NUL `execution name`: the key of an execution in every table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExecutionKey(String);

impl ExecutionKey {
    pub fn new(state_machine: &str, execution: &str) -> Self {
        ExecutionKey(format!("{state_machine}\u{0}{execution}"))
    }

    /// Rebuilds a key read back from storage.
    pub fn from_stored(text: String) -> Option<Self> {
        text.contains('\u{0}').then_some(ExecutionKey(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn state_machine(&self) -> &str {
        self.0.split('\u{0}').next().unwrap_or_default()
    }

    pub fn execution(&self) -> &str {
        self.0.split('\u{0}').nth(1).unwrap_or_default()
    }
}

impl fmt::Display for ExecutionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.state_machine(), self.execution())
    }
}

/// FNV-1a, 64-bit: small, stable across platforms and versions, and good enough to spread
/// names over shards.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The shard of an execution.
pub fn execution_shard(key: &ExecutionKey, shard_count: u32) -> ShardId {
    ShardId((fnv1a(key.as_str().as_bytes()) % u64::from(shard_count.max(1))) as u32)
}

/// The shard that holds a state machine's or an activity's record: the hash of its name.
pub fn name_shard(name: &str, shard_count: u32) -> ShardId {
    ShardId((fnv1a(name.as_bytes()) % u64::from(shard_count.max(1))) as u32)
}

/// Builds and reads ARNs in the AWS shapes, for one region and account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arns {
    pub partition: String,
    pub region: String,
    pub account: String,
}

/// What an ARN names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    StateMachine { name: String },
    Execution { state_machine: String, name: String },
    Activity { name: String },
}

impl Arns {
    fn prefix(&self) -> String {
        format!(
            "arn:{}:states:{}:{}",
            self.partition, self.region, self.account
        )
    }

    pub fn state_machine(&self, name: &str) -> String {
        format!("{}:stateMachine:{name}", self.prefix())
    }

    pub fn execution(&self, state_machine: &str, name: &str) -> String {
        format!("{}:execution:{state_machine}:{name}", self.prefix())
    }

    pub fn activity(&self, name: &str) -> String {
        format!("{}:activity:{name}", self.prefix())
    }

    /// Reads an ARN of this cluster's region and account.
    pub fn parse(&self, arn: &str) -> Option<Resource> {
        let rest = arn.strip_prefix(&self.prefix())?.strip_prefix(':')?;
        let (kind, rest) = rest.split_once(':')?;
        match kind {
            "stateMachine" if is_name(rest) => Some(Resource::StateMachine {
                name: rest.to_owned(),
            }),
            "execution" => {
                let (machine, name) = rest.split_once(':')?;
                (is_name(machine) && is_name(name)).then(|| Resource::Execution {
                    state_machine: machine.to_owned(),
                    name: name.to_owned(),
                })
            }
            "activity" if is_name(rest) => Some(Resource::Activity {
                name: rest.to_owned(),
            }),
            _ => None,
        }
    }
}

/// Names of state machines, executions and activities: 1–80 characters, none of whitespace,
/// `< > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /` or control characters (reference §8.2).
pub fn is_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=80).contains(&count)
        && !name.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_is_stable_and_spread() {
        // Fixed values: changing the hash would move every execution to another shard.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let key = ExecutionKey::new("orders", "order-1");
        assert_eq!(execution_shard(&key, 16), execution_shard(&key, 16));
        let mut used = std::collections::HashSet::new();
        for i in 0..200 {
            used.insert(execution_shard(
                &ExecutionKey::new("m", &format!("e{i}")),
                16,
            ));
        }
        assert_eq!(used.len(), 16);
    }

    #[test]
    fn arns_round_trip() {
        let arns = Arns {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
        };
        let arn = arns.execution("orders", "o-1");
        assert_eq!(
            arn,
            "arn:aws:states:us-east-1:123456789012:execution:orders:o-1"
        );
        assert_eq!(
            arns.parse(&arn),
            Some(Resource::Execution {
                state_machine: "orders".into(),
                name: "o-1".into()
            })
        );
        assert_eq!(
            arns.parse(&arns.activity("w")),
            Some(Resource::Activity { name: "w".into() })
        );
        assert_eq!(
            arns.parse("arn:aws:states:eu-west-1:123456789012:stateMachine:x"),
            None
        );
        assert_eq!(
            arns.parse(&format!("{}:x/y", arns.state_machine("a"))),
            None
        );
    }

    #[test]
    fn names_follow_the_aws_rules() {
        assert!(is_name("order-42_A.b"));
        assert!(is_name("naïve"));
        for bad in ["", "a b", "a:b", "a/b", "a*", "x\u{1}", &"n".repeat(81)] {
            assert!(!is_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn execution_keys_split_back() {
        let key = ExecutionKey::new("m", "e");
        assert_eq!((key.state_machine(), key.execution()), ("m", "e"));
        assert_eq!(
            ExecutionKey::from_stored(key.as_str().to_owned()),
            Some(key)
        );
    }
}
