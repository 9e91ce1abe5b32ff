//! Task tokens: routable and unforgeable.
//!
//! A token names the shard, the execution and the task attempt, and carries an HMAC-SHA256
//! over them under the cluster secret. SendTask* on any node decodes it, checks the MAC and
//! routes to the shard; a forged or altered token is `InvalidToken`.
//!
//! Layout before base64url: `version (1) | shard (u32 BE) | task id (u64 BE) |
//! key length (u16 BE) | execution key | MAC (first 16 bytes)`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::ids::{ExecutionKey, ShardId, execution_shard};

const VERSION: u8 = 1;
const MAC_BYTES: usize = 16;

/// What a valid token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRef {
    pub shard: ShardId,
    pub execution: ExecutionKey,
    pub task: asl::interpreter::TaskId,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the task token is not valid: {0}")]
    Malformed(&'static str),
    #[error("the task token was not issued by this cluster (its signature does not match)")]
    BadSignature,
}

/// Signs and checks task tokens under the cluster secret.
#[derive(Clone)]
pub struct Tokens {
    secret: Vec<u8>,
    shard_count: u32,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("shard_count", &self.shard_count)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    pub fn new(secret: Vec<u8>, shard_count: u32) -> Self {
        Tokens {
            secret,
            shard_count,
        }
    }

    pub fn mint(&self, execution: &ExecutionKey, task: asl::interpreter::TaskId) -> String {
        let shard = execution_shard(execution, self.shard_count);
        let mut bytes = Vec::with_capacity(16 + execution.as_str().len() + MAC_BYTES);
        bytes.push(VERSION);
        bytes.extend_from_slice(&shard.0.to_be_bytes());
        bytes.extend_from_slice(&task.0.to_be_bytes());
        let key = execution.as_str().as_bytes();
        // Execution keys are two names of at most 80 characters each: far below u16::MAX.
        let length = u16::try_from(key.len()).unwrap_or(u16::MAX);
        bytes.extend_from_slice(&length.to_be_bytes());
        bytes.extend_from_slice(&key[..usize::from(length)]);
        let mac = self.mac(&bytes);
        bytes.extend_from_slice(&mac);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn verify(&self, token: &str) -> Result<TaskRef, Error> {
        if token.len() > 2048 {
            return Err(Error::Malformed("longer than 2048 characters"));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| Error::Malformed("not base64url"))?;
        if bytes.len() < 15 + MAC_BYTES {
            return Err(Error::Malformed("too short"));
        }
        let (body, mac) = bytes.split_at(bytes.len() - MAC_BYTES);
        // Constant-time comparison through the MAC type.
        let mut check = self.hmac();
        check.update(body);
        check
            .verify_truncated_left(mac)
            .map_err(|_| Error::BadSignature)?;
        if body[0] != VERSION {
            return Err(Error::Malformed("unknown token version"));
        }
        let shard = u32::from_be_bytes(
            body[1..5]
                .try_into()
                .map_err(|_| Error::Malformed("shard"))?,
        );
        let task = u64::from_be_bytes(
            body[5..13]
                .try_into()
                .map_err(|_| Error::Malformed("task"))?,
        );
        let length = u16::from_be_bytes(
            body[13..15]
                .try_into()
                .map_err(|_| Error::Malformed("length"))?,
        );
        let key = body
            .get(15..15 + usize::from(length))
            .ok_or(Error::Malformed("truncated"))?;
        let key = String::from_utf8(key.to_vec()).map_err(|_| Error::Malformed("execution key"))?;
        let execution = ExecutionKey::from_stored(key).ok_or(Error::Malformed("execution key"))?;
        Ok(TaskRef {
            shard: ShardId(shard),
            execution,
            task: asl::interpreter::TaskId(task),
        })
    }

    fn hmac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length.
        Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes keys of any length")
    }

    fn mac(&self, body: &[u8]) -> [u8; MAC_BYTES] {
        let mut mac = self.hmac();
        mac.update(body);
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; MAC_BYTES];
        out.copy_from_slice(&full[..MAC_BYTES]);
        out
    }
}

/// The interpreter's view: tokens for the execution named by its ARN.
pub struct Minter<'a> {
    pub tokens: &'a Tokens,
    pub execution: &'a ExecutionKey,
}

impl asl::interpreter::TaskTokens for Minter<'_> {
    fn mint(
        &self,
        _execution: &asl::interpreter::ExecutionInfo,
        task: asl::interpreter::TaskId,
    ) -> String {
        self.tokens.mint(self.execution, task)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use asl::interpreter::TaskId;

    fn tokens() -> Tokens {
        Tokens::new(b"a cluster secret of some length".to_vec(), 16)
    }

    #[test]
    fn tokens_round_trip_to_their_task() {
        let key = ExecutionKey::new("orders", "o-1");
        let token = tokens().mint(&key, TaskId(7));
        let parsed = tokens().verify(&token).unwrap();
        assert_eq!(parsed.execution, key);
        assert_eq!(parsed.task, TaskId(7));
        assert_eq!(parsed.shard, execution_shard(&key, 16));
    }

    #[test]
    fn altered_or_foreign_tokens_are_refused() {
        let key = ExecutionKey::new("orders", "o-1");
        let token = tokens().mint(&key, TaskId(7));
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[6] ^= 1;
        assert_eq!(
            tokens().verify(&URL_SAFE_NO_PAD.encode(&bytes)),
            Err(Error::BadSignature)
        );
        let other = Tokens::new(b"another secret entirely!!".to_vec(), 16);
        assert_eq!(other.verify(&token), Err(Error::BadSignature));
        assert!(matches!(
            tokens().verify("not a token"),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(tokens().verify(""), Err(Error::Malformed(_))));
    }
}
