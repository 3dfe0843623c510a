//! Adapters of the guard's ports on the AWS SDK. Clients are built once per process from
//! `aws-config` (which honours `AWS_ENDPOINT_URL`, so the same code talks to moto in tests).

mod authdetails;
pub mod dynamo;
pub mod iam;
pub mod last_accessed;
pub mod lookup;
pub mod members;
mod posture;
pub mod resources;
mod scps;
pub mod sns;
pub mod sso;
pub mod trail;

use crate::guard::ports::PortError;
use aws_sdk_iam::error::ProvideErrorMetadata;

pub use dynamo::DynamoLedger;
pub use iam::SdkIam;
pub use lookup::SdkLookup;
pub use members::SdkMembers;
pub use resources::SdkResources;
pub use sns::SnsPublisher;
pub use sso::SdkSso;
pub use trail::SdkTrail;

/// Loads the shared SDK configuration from the environment (region, credentials, endpoint).
pub async fn load_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await
}

/// Maps an SDK error to the port's: NoSuchEntity → NotFound (idempotent actions succeed),
/// AccessDenied / UnmodifiableEntity → Denied (reported in the alert), anything else after the
/// SDK's own retries → Failed (the invocation fails and Lambda retries).
pub(crate) fn port_error<E, R>(what: &str, e: aws_sdk_iam::error::SdkError<E, R>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = e.code().unwrap_or_default().to_string();
    let msg = e.message().map(str::to_string).unwrap_or_else(|| format!("{e:?}"));
    match code.as_str() {
        "NoSuchEntity"
        | "NoSuchEntityException"
        | "NotFound"
        | "ResourceNotFoundException"
        | "NotFoundException"
        | "NoSuchBucketPolicy"
        | "NoSuchTagSet"
        | "RepositoryPolicyNotFoundException"
        | "PolicyNotFoundException"
        | "AWS.SimpleQueueService.NonExistentQueue"
        | "QueueDoesNotExist" => PortError::NotFound(format!("{what}: {msg}")),
        "AccessDenied" | "AccessDeniedException" | "UnmodifiableEntity" | "AuthorizationError" => {
            PortError::Denied(format!("{what}: {code}: {msg}"))
        }
        _ if code.is_empty() => {
            PortError::Sdk { what: format!("{what}: {}", aws_smithy_error_text(&e)), source: Box::new(e) }
        }
        _ => PortError::Sdk { what: format!("{what}: {code}: {msg}"), source: Box::new(e) },
    }
}

/// A readable text for errors without a service code (timeouts, dispatch failures).
fn aws_smithy_error_text<E: std::fmt::Debug, R: std::fmt::Debug>(e: &aws_sdk_iam::error::SdkError<E, R>) -> String {
    use aws_sdk_iam::error::SdkError;
    match e {
        SdkError::TimeoutError(_) => "timed out".into(),
        SdkError::DispatchFailure(d) => {
            let why = if d.is_timeout() {
                "timed out"
            } else if d.is_io() {
                "could not connect"
            } else if d.is_user() {
                "the request could not be sent"
            } else {
                "failed"
            };
            // The innermost cause reads best ("Connection refused (os error 111)").
            let mut cause: Option<&(dyn std::error::Error + 'static)> = d.as_connector_error().map(|c| c as _);
            let mut last = None;
            while let Some(c) = cause {
                last = Some(c.to_string());
                cause = c.source();
            }
            let endpoint = std::env::var("AWS_ENDPOINT_URL").map(|u| format!(" at {u}")).unwrap_or_default();
            format!("cannot reach AWS{endpoint} ({why}{})", last.map(|l| format!(": {l}")).unwrap_or_default())
        }
        SdkError::ResponseError(r) => format!("unreadable response: {r:?}"),
        other => format!("{other:?}"),
    }
}
