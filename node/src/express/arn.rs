//! Express execution ARNs: `arn:<partition>:states:<region>:<account>:express:<machine>:<name>:<uuid>`.
//! The UUID makes each start unique, since Express names may repeat.

use crate::ids::{Arns, ExecutionKey};

/// The ARN of one Express execution.
pub fn execution_arn(arns: &Arns, machine: &str, name: &str, uuid: &str) -> String {
    format!(
        "arn:{}:states:{}:{}:express:{machine}:{name}:{uuid}",
        arns.partition, arns.region, arns.account
    )
}

/// Whether `arn` has the Express execution shape (of any region or account: AWS refuses
/// such an ARN by its resource type before it looks further).
pub fn is_execution_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let head: Vec<&str> = parts.by_ref().take(5).collect();
    head.len() == 5
        && head[0] == "arn"
        && head[2] == "states"
        && parts
            .next()
            .is_some_and(|rest| rest.starts_with("express:"))
}

/// The key an Express execution goes by inside the node: unique per start, so children it
/// starts get names of their own (and the same names when it runs again after a restart).
pub fn execution_key(machine: &str, name: &str, uuid: &str) -> ExecutionKey {
    ExecutionKey::new(machine, &format!("{name}:{uuid}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn express_arns_have_the_aws_shape_and_are_recognised() {
        let arns = Arns {
            partition: "aws".into(),
            region: "eu-west-1".into(),
            account: "123456789012".into(),
        };
        let arn = execution_arn(&arns, "orders", "o-1", "6b1f");
        assert_eq!(
            arn,
            "arn:aws:states:eu-west-1:123456789012:express:orders:o-1:6b1f"
        );
        assert!(is_execution_arn(&arn));
        assert!(!is_execution_arn(
            "arn:aws:states:eu-west-1:123456789012:execution:orders:o-1"
        ));
        assert!(!is_execution_arn("express:orders"));
    }
}
