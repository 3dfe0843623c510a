//! Ports: what the guard needs from IAM and from the alert channel. Adapters live apart
//! (`crate::aws` on the AWS SDK, [`super::memory::MemoryIam`] for replay and tests); the domain
//! never imports an SDK.

use crate::intake::Target;

/// Why a port call failed.
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    /// IAM refused (AccessDenied, UnmodifiableEntity): the guard says so in the alert.
    #[error("denied: {0}")]
    Denied(String),
    /// The entity is gone (already detached, deleted): success for an idempotent action.
    #[error("not found: {0}")]
    NotFound(String),
    /// Anything else after the SDK's retries (throttling, 5xx, timeouts): the invocation fails
    /// so Lambda retries it and the DLQ keeps it.
    #[error("{0}")]
    Failed(String),
}

/// A role, user or group as IAM describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrincipalInfo {
    /// Its ARN, with path.
    pub arn: String,
    /// Its path (`/`, `/aws-service-role/…`).
    pub path: String,
    /// Its tags as (key, value).
    pub tags: Vec<(String, String)>,
}

/// One version of a customer managed policy.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionInfo {
    /// `v1`, `v2`, …
    pub version_id: String,
    /// Is it the default version?
    pub is_default: bool,
    /// Creation time (RFC 3339), for ordering.
    pub created: String,
}

/// Reading IAM. `Ok(None)` means "does not exist".
#[allow(async_fn_in_trait)]
pub trait IamRead {
    /// A principal's ARN, path and tags; `None` when it does not exist.
    async fn principal(&self, target: &Target) -> Result<Option<PrincipalInfo>, PortError>;
    /// A managed policy's document (URL-encoded or plain text); `version` None = default.
    async fn policy_document(&self, policy_arn: &str, version: Option<&str>) -> Result<Option<String>, PortError>;
    /// Every version of a customer managed policy.
    async fn policy_versions(&self, policy_arn: &str) -> Result<Vec<VersionInfo>, PortError>;
    /// The managed policy ARNs attached to a principal.
    async fn attached_policies(&self, target: &Target) -> Result<Vec<String>, PortError>;
    /// Inline policies as (name, document text).
    async fn inline_policies(&self, target: &Target) -> Result<Vec<(String, String)>, PortError>;
    /// The groups a user belongs to.
    async fn groups_for_user(&self, user: &str) -> Result<Vec<String>, PortError>;
}

/// Changing IAM (enforce mode only).
#[allow(async_fn_in_trait)]
pub trait IamWrite {
    /// Detaches a managed policy from a principal (`NotFound` when it is not attached).
    async fn detach_policy(&self, target: &Target, policy_arn: &str) -> Result<(), PortError>;
    /// Makes a version the default.
    async fn set_default_version(&self, policy_arn: &str, version_id: &str) -> Result<(), PortError>;
    /// Deletes a principal's inline policy (NotFound when it is already gone).
    async fn delete_inline_policy(&self, target: &Target, policy_name: &str) -> Result<(), PortError>;
    /// Attaches a managed policy to a principal (quarantine: AWSDenyAll).
    async fn attach_policy(&self, target: &Target, policy_arn: &str) -> Result<(), PortError>;
    /// Deletes a user's console password (NotFound when it has none).
    async fn delete_login_profile(&self, user: &str) -> Result<(), PortError>;
    /// Replaces a role's trust policy (NotFound when the role is gone).
    async fn update_trust_policy(&self, role: &str, document: &str) -> Result<(), PortError>;
    /// Sets an access key Inactive (NotFound when the key is gone).
    async fn deactivate_access_key(&self, user: &str, access_key_id: &str) -> Result<(), PortError>;
}

/// The message the guard publishes: built by [`super::alert`], delivered by a [`Publish`]
/// adapter (SNS). The port owns it so that adapters need nothing else of the guard.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Subject line: severity first, outcome last, at most 99 ASCII characters.
    pub subject: String,
    /// For people (SNS `default` and `email`).
    pub text: String,
    /// For machines (SNS `sqs`, `lambda`, `https`).
    pub json: serde_json::Value,
    /// SNS message attributes: severity, rule, action, account.
    pub attributes: Vec<(&'static str, String)>,
    /// Stable id for de-duplication: the CloudTrail event id.
    pub dedup_id: String,
}

/// Telling people.
#[allow(async_fn_in_trait)]
pub trait Publish {
    /// Publishes one alert.
    async fn publish(&self, alert: &Alert) -> Result<(), PortError>;
}

/// A role, user or group with everything attached to it, as one account inventory reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrincipalDetail {
    /// The principal (`None` for an entity kind the guard does not judge).
    pub target: Option<Target>,
    /// Its ARN, with path.
    pub arn: String,
    /// Its path.
    pub path: String,
    /// Its tags as (key, value).
    pub tags: Vec<(String, String)>,
    /// Managed policy ARNs.
    pub attached: Vec<String>,
    /// Inline policies as (name, document text).
    pub inline: Vec<(String, String)>,
    /// Roles: the trust policy text.
    pub trust: Option<String>,
    /// Users: their groups.
    pub groups: Vec<String>,
}

/// A customer managed policy and its default version's document.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPolicy {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// The default version's document text (URL-encoded or plain).
    pub default_document: Option<String>,
}

/// Everything an account holds, as GetAccountAuthorizationDetails reports it.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Roles, users and groups.
    pub principals: Vec<PrincipalDetail>,
    /// Customer managed policies.
    pub policies: Vec<LocalPolicy>,
}

/// Enumerating the whole account (the sweep).
#[allow(async_fn_in_trait)]
pub trait IamInventory {
    /// Reads the whole account.
    async fn inventory(&self) -> Result<Inventory, PortError>;
}
