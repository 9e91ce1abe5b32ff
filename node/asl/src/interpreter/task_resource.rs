//! What a Task state's `Resource` names, and which history events it produces.

use super::history::TaskEventFamily;

/// How the runtime waits for an integration's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationPattern {
    /// Call and continue with the response.
    RequestResponse,
    /// `.sync`: wait for the job to finish.
    Sync,
    /// `.sync:2`: as `.sync`, with the output parsed as JSON.
    Sync2,
    /// `.waitForTaskToken`: wait for `SendTaskSuccess`/`SendTaskFailure`.
    WaitForTaskToken,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceKind {
    /// `arn:aws:states:<region>:<account>:activity:<name>`
    Activity { arn: String },
    /// `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`
    LambdaFunction { arn: String },
    /// `arn:aws:states:::<service>:<api>[.pattern]`, including `aws-sdk:<service>:<action>`
    /// and `http:invoke`.
    Integration {
        service: String,
        api: String,
        pattern: IntegrationPattern,
    },
    /// Anything else; the runtime decides whether it can serve it.
    Other { arn: String },
}

impl ResourceKind {
    pub fn pattern(&self) -> IntegrationPattern {
        match self {
            ResourceKind::Integration { pattern, .. } => *pattern,
            // An activity worker answers with the token, like a callback.
            ResourceKind::Activity { .. } => IntegrationPattern::WaitForTaskToken,
            _ => IntegrationPattern::RequestResponse,
        }
    }

    /// Whether the task needs a token (`$$.Task.Token`).
    pub fn needs_token(&self) -> bool {
        matches!(self.pattern(), IntegrationPattern::WaitForTaskToken)
    }

    pub fn event_family(&self) -> TaskEventFamily {
        match self {
            ResourceKind::Activity { .. } => TaskEventFamily::Activity,
            ResourceKind::LambdaFunction { .. } => TaskEventFamily::Lambda,
            ResourceKind::Integration {
                service,
                api,
                pattern,
            } => {
                let suffix = match pattern {
                    IntegrationPattern::RequestResponse => "",
                    IntegrationPattern::Sync => ".sync",
                    IntegrationPattern::Sync2 => ".sync:2",
                    IntegrationPattern::WaitForTaskToken => ".waitForTaskToken",
                };
                TaskEventFamily::Service {
                    resource_type: service.clone(),
                    resource: format!("{api}{suffix}"),
                }
            }
            ResourceKind::Other { arn } => TaskEventFamily::Service {
                resource_type: "other".into(),
                resource: arn.clone(),
            },
        }
    }
}

/// Classifies a Task `Resource` ARN.
pub fn classify_resource(resource: &str) -> ResourceKind {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "states", _, _, rest] if rest.starts_with("activity:") => {
            ResourceKind::Activity {
                arn: resource.to_owned(),
            }
        }
        ["arn", _, "lambda", _, _, rest] if rest.starts_with("function:") => {
            ResourceKind::LambdaFunction {
                arn: resource.to_owned(),
            }
        }
        ["arn", _, "states", "", "", rest] => {
            // `lambda:invoke.waitForTaskToken`, `aws-sdk:s3:getObject`, `states:startExecution.sync:2`
            let (service, api) = match rest.strip_prefix("aws-sdk:") {
                Some(sdk) => match sdk.split_once(':') {
                    Some((svc, action)) => (format!("aws-sdk:{svc}"), action.to_owned()),
                    None => {
                        return ResourceKind::Other {
                            arn: resource.to_owned(),
                        };
                    }
                },
                None => match rest.split_once(':') {
                    Some((svc, api)) => (svc.to_owned(), api.to_owned()),
                    None => {
                        return ResourceKind::Other {
                            arn: resource.to_owned(),
                        };
                    }
                },
            };
            let (api, pattern) = if let Some(api) = api.strip_suffix(".sync:2") {
                (api, IntegrationPattern::Sync2)
            } else if let Some(api) = api.strip_suffix(".sync") {
                (api, IntegrationPattern::Sync)
            } else if let Some(api) = api.strip_suffix(".waitForTaskToken") {
                (api, IntegrationPattern::WaitForTaskToken)
            } else {
                (api.as_str(), IntegrationPattern::RequestResponse)
            };
            ResourceKind::Integration {
                service,
                api: api.to_owned(),
                pattern,
            }
        }
        _ => ResourceKind::Other {
            arn: resource.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_resource_form() {
        assert_eq!(
            classify_resource("arn:aws:states:us-east-1:123456789012:activity:work"),
            ResourceKind::Activity {
                arn: "arn:aws:states:us-east-1:123456789012:activity:work".into()
            }
        );
        assert!(matches!(
            classify_resource("arn:aws:lambda:us-east-1:123456789012:function:f:1"),
            ResourceKind::LambdaFunction { .. }
        ));
        assert_eq!(
            classify_resource("arn:aws:states:::states:startExecution.sync:2"),
            ResourceKind::Integration {
                service: "states".into(),
                api: "startExecution".into(),
                pattern: IntegrationPattern::Sync2
            }
        );
        assert_eq!(
            classify_resource("arn:aws:states:::aws-sdk:s3:getObject").event_family(),
            TaskEventFamily::Service {
                resource_type: "aws-sdk:s3".into(),
                resource: "getObject".into()
            }
        );
        assert_eq!(
            classify_resource("arn:aws:states:::lambda:invoke.waitForTaskToken").event_family(),
            TaskEventFamily::Service {
                resource_type: "lambda".into(),
                resource: "invoke.waitForTaskToken".into()
            }
        );
    }
}
