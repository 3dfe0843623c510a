//! Ports: what the guard needs from IAM and from the alert channel. Adapters live apart
//! (`crate::aws` on the AWS SDK, [`super::memory::MemoryIam`] for replay and tests); the domain
//! never imports an SDK.

use crate::intake::{PermissionSet, Target};

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
    /// An AWS call failed after the SDK's retries: `what` says which call and why, the SDK's
    /// error stays attached as the source (for logs and `Error::source` chains).
    #[error("{what}")]
    Sdk {
        /// The call and the reason, as alerts and logs show it.
        what: String,
        /// The SDK's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Another delivery of the same event is being answered right now: this one fails so that
    /// Lambda retries it later, when the ledger says the event was answered.
    #[error("event {0} is being answered by another delivery; retry later")]
    InProgress(String),
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
    /// Its permissions boundary's ARN (roles and users).
    pub boundary: Option<String>,
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

/// An IAM Identity Center permission set as its API describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PermissionSetInfo {
    /// Its name (`AWSAdministratorAccess`).
    pub name: String,
    /// Managed policy ARNs attached to it.
    pub managed: Vec<String>,
    /// Its inline policy, if it has one.
    pub inline: Option<String>,
    /// Customer managed policy references, as `path` + `name`.
    pub customer: Vec<String>,
    /// Its permissions boundary: an AWS managed policy ARN, or a customer managed policy
    /// reference as `path` + `name` (resolved in each account it is provisioned to).
    pub boundary: Option<String>,
}

/// Adapters that do not reach IAM Identity Center say so (the call fails, nothing is guessed).
fn no_identity_center() -> PortError {
    PortError::Failed("this adapter does not reach IAM Identity Center (sso-admin)".into())
}

/// Reading IAM. `Ok(None)` means "does not exist".
#[allow(async_fn_in_trait)]
pub trait IamRead {
    /// A principal's ARN, path and tags; `None` when it does not exist.
    async fn principal(&self, target: &Target) -> Result<Option<PrincipalInfo>, PortError>;
    /// A managed policy's document (URL-encoded or plain text); `version` None = default.
    async fn policy_document(&self, policy_arn: &str, version: Option<&str>) -> Result<Option<String>, PortError>;
    /// A managed policy's default version id (GetPolicy); `None` when it does not exist.
    async fn default_version(&self, policy_arn: &str) -> Result<Option<String>, PortError>;
    /// Every version of a customer managed policy.
    async fn policy_versions(&self, policy_arn: &str) -> Result<Vec<VersionInfo>, PortError>;
    /// The managed policy ARNs attached to a principal.
    async fn attached_policies(&self, target: &Target) -> Result<Vec<String>, PortError>;
    /// Inline policies as (name, document text).
    async fn inline_policies(&self, target: &Target) -> Result<Vec<(String, String)>, PortError>;
    /// The groups a user belongs to.
    async fn groups_for_user(&self, user: &str) -> Result<Vec<String>, PortError>;
    /// The account's CloudTrail records of the days `from` to `to` (UTC, both included) that
    /// may be `principal`'s (others may come along: the caller keeps the principal's own), from
    /// the trail's log files or the event history; `None` when this adapter has neither (least
    /// privilege cannot be learned). Bounded by the adapter (README's calls table).
    async fn trail_records(
        &self,
        account_id: &str,
        principal: &crate::suggest::Principal,
        (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    ) -> Result<Option<Vec<serde_json::Value>>, PortError> {
        let _ = (account_id, principal, from, to);
        Ok(None)
    }
    /// IAM's action-level last-accessed report of a role or user (what `replace` checks the
    /// records against); `None` when this adapter cannot ask.
    async fn last_accessed(&self, principal_arn: &str) -> Result<Option<crate::suggest::LastAccessed>, PortError> {
        let _ = principal_arn;
        Ok(None)
    }
    /// A resource's tags (the exempt tag keeps the guard's hands off it); empty when this
    /// adapter cannot ask.
    async fn resource_tags(&self, resource: &crate::resources::Resource) -> Result<Vec<(String, String)>, PortError> {
        let _ = resource;
        Ok(Vec::new())
    }
    /// An Identity Center permission set's name and policies; `None` when it does not exist.
    async fn permission_set(&self, set: &PermissionSet) -> Result<Option<PermissionSetInfo>, PortError> {
        let _ = set;
        Err(no_identity_center())
    }
    /// A permission set's permissions boundary (as [`PermissionSetInfo::boundary`]); `None`
    /// when it has none.
    async fn permission_set_boundary(&self, set: &PermissionSet) -> Result<Option<String>, PortError> {
        Ok(self.permission_set(set).await?.and_then(|i| i.boundary))
    }
    /// Every permission set of the Identity Center instances in `region`.
    async fn permission_sets(&self, region: &str) -> Result<Vec<PermissionSet>, PortError> {
        let _ = region;
        Err(no_identity_center())
    }
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
    /// Sets an access key Active again (undo).
    async fn activate_access_key(&self, user: &str, access_key_id: &str) -> Result<(), PortError>;
    /// Puts an inline policy (undo of a deletion).
    async fn put_inline_policy(&self, target: &Target, policy_name: &str, document: &str) -> Result<(), PortError>;
    /// Sets a role's or user's permissions boundary.
    async fn put_boundary(&self, target: &Target, policy_arn: &str) -> Result<(), PortError>;
    /// Removes a role's or user's permissions boundary (NotFound when it has none).
    async fn delete_boundary(&self, target: &Target) -> Result<(), PortError>;
    /// Changes a permission set's policies (NotFound when what is removed is not there). The
    /// caller provisions the permission set afterwards.
    async fn change_permission_set(&self, set: &PermissionSet, change: &SetChange<'_>) -> Result<(), PortError> {
        let _ = (set, change);
        Err(no_identity_center())
    }
    /// Provisions a permission set to every account it is provisioned to, so that the
    /// `AWSReservedSSO_*` roles there follow the change.
    async fn provision_permission_set(&self, set: &PermissionSet) -> Result<(), PortError> {
        let _ = set;
        Err(no_identity_center())
    }
    /// Changes a resource's policy, permissions, shares or grants. Adapters that do not reach
    /// resources refuse (the alert says so; nothing is retried).
    async fn fix_resource(&self, fix: &crate::resources::ResourceFix) -> Result<(), PortError> {
        Err(PortError::Denied(format!("this adapter does not change {}s", fix.resource().kind.info().label)))
    }
}

/// One change to a permission set's policies.
#[derive(Debug, Clone, PartialEq)]
pub enum SetChange<'a> {
    /// Detach a managed policy.
    DetachManaged(&'a str),
    /// Attach a managed policy (undo).
    AttachManaged(&'a str),
    /// Delete the inline policy.
    DeleteInline,
    /// Put the inline policy (undo).
    PutInline(&'a str),
}

/// Where the ledger stands on one event.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// First delivery (or an earlier one that failed and released it): answer it.
    New,
    /// Another delivery holds it and its lease has not run out.
    InProgress,
    /// Answered already: what was done.
    Completed(Box<LedgerEntry>),
}

/// What the guard did about one event (or one `iam-guard undo`): kept for the idempotency
/// window, and in each principal's history for undo.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LedgerEntry {
    /// CloudTrail event id (`undo-…` for an undo).
    pub event_id: String,
    /// The account the event happened in.
    pub account_id: String,
    /// The API call.
    pub event_name: String,
    /// When the guard answered it (RFC 3339).
    pub answered_at: String,
    /// When the event happened (RFC 3339; entries written before this field have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// The principal acted on or judged, as an ARN without path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_arn: Option<String>,
    /// `clean`, `quiet`, `alert`, `remediate`, `ignore`, `not_judged`.
    pub decision: String,
    /// What the guard changed in IAM (restorable by `iam-guard undo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<super::Remediation>,
    /// How carrying it out went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executed: Option<super::Executed>,
    /// The alert's subject, when one was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert_subject: Option<String>,
}

/// The guard's memory (a DynamoDB table in AWS): one answer per event, what it did to whom, and
/// what it saw of principals before they changed (permissions boundaries, trust policies).
#[allow(async_fn_in_trait)]
pub trait Ledger {
    /// Claims an event with a conditional write: `New` when nobody answered it (or an earlier
    /// delivery failed and released it, or its lease ran out); `now` in seconds since the epoch.
    async fn claim(&self, event_id: &str, now: i64) -> Result<Claim, PortError>;
    /// Marks the event answered; history entries go under the principal as well.
    async fn complete(&self, entry: &LedgerEntry, now: i64) -> Result<(), PortError>;
    /// Gives a claimed event back after a failure, so that the retry answers it.
    async fn release(&self, event_id: &str) -> Result<(), PortError>;
    /// The entry for an answered event.
    async fn entry(&self, event_id: &str) -> Result<Option<LedgerEntry>, PortError>;
    /// What the guard did to a principal (ARN without path), oldest first.
    async fn history(&self, principal_arn: &str) -> Result<Vec<LedgerEntry>, PortError>;
    /// Remembers what a principal had (`None`: it had none): its permissions boundary's ARN, a
    /// role's trust policy (plain JSON).
    async fn remember(&self, principal_arn: &str, what: Snapshot, value: Option<&str>) -> Result<(), PortError>;
    /// The last value remembered for a principal: `None` = never seen, `Some(None)` = it had none.
    async fn recall(&self, principal_arn: &str, what: Snapshot) -> Result<Option<Option<String>>, PortError>;
}

/// What the ledger remembers of a principal, so that a later change can be put back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Snapshot {
    /// The permissions boundary (a policy ARN).
    Boundary,
    /// A role's trust policy (the document).
    Trust,
}

impl Snapshot {
    /// Its name in storage keys: `boundary`, `trust`.
    pub fn key(self) -> &'static str {
        match self {
            Snapshot::Boundary => "boundary",
            Snapshot::Trust => "trust",
        }
    }
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

pub use crate::inventory::{Inventory, LocalPolicy, PrincipalDetail, ScpLevel};

/// Enumerating the whole account (the sweep).
#[allow(async_fn_in_trait)]
pub trait IamInventory {
    /// Reads the whole account.
    async fn inventory(&self) -> Result<Inventory, PortError>;
    /// The account's resource policies (the sweep; the event path reads none); empty when this
    /// adapter reads none.
    async fn resource_policies(&self) -> Result<Vec<crate::resources::ResourcePolicy>, PortError> {
        Ok(Vec::new())
    }
    /// The account's compute that runs as a role (the sweep's escalation graph); empty when
    /// this adapter reads none.
    async fn compute(&self) -> Result<Vec<crate::resources::Compute>, PortError> {
        Ok(Vec::new())
    }
    /// The account's reports the CIS controls read (credential report, password policy,
    /// summary, virtual MFA devices, server certificates) into `facts`; nothing when this
    /// adapter reads none (the controls then say "not assessed").
    async fn account_facts(&self, facts: &mut crate::posture::Facts) -> Result<(), PortError> {
        let _ = facts;
        Ok(())
    }
}

/// The organization's other accounts (hub deployment): IAM in an account through the role the
/// spoke stack creates there ([`MEMBER_ROLE`]). The guard's own account uses its own adapter.
#[allow(async_fn_in_trait)]
pub trait MemberAccounts<I> {
    /// IAM of `account_id`, acting as its member role (`event_id` names the session); `None`
    /// when there are no member accounts (a single-account deployment).
    async fn iam(&self, account_id: &str, event_id: &str) -> Result<Option<std::sync::Arc<I>>, PortError>;
    /// The organizational units an account sits under, innermost first, and the root's id (for
    /// per-OU configuration); none when the organization is not known.
    async fn ous(&self, account_id: &str) -> Result<Vec<String>, PortError> {
        let _ = account_id;
        Ok(Vec::new())
    }
    /// The organization's id and its active accounts (OUs not looked up), when the adapter
    /// knows an organization.
    async fn organization(&self) -> Result<Option<(String, Vec<OrgAccount>)>, PortError> {
        Ok(None)
    }
    /// Is the account one of the organization's (so that trusting it is not a foreign trust)?
    async fn in_organization(&self, account_id: &str) -> Result<bool, PortError> {
        let _ = account_id;
        Ok(false)
    }
    /// The service control policies that limit the account's principals, one level per target
    /// from the root down to the account (each level must allow); none when unknown or when
    /// the account is the management account (SCPs do not limit it).
    async fn scps(&self, account_id: &str) -> Result<Vec<ScpLevel>, PortError> {
        let _ = account_id;
        Ok(Vec::new())
    }
}

/// One account of an organization (the organization sweep).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The organizational units it sits under (innermost first) and the root's id; empty when not
    /// looked up (no `[[accounts]]` entry matches on OUs).
    pub ous: Vec<String>,
}

/// The role the spoke stack creates in each member account for the hub's guard to act through.
pub const MEMBER_ROLE: &str = "iam-guard-member";

/// A single-account deployment: no member accounts.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMembers;

impl<I> MemberAccounts<I> for NoMembers {
    async fn iam(&self, _: &str, _: &str) -> Result<Option<std::sync::Arc<I>>, PortError> {
        Ok(None)
    }
}

/// Optional member accounts: `None` behaves as [`NoMembers`].
impl<I, M: MemberAccounts<I>> MemberAccounts<I> for Option<M> {
    async fn iam(&self, account_id: &str, event_id: &str) -> Result<Option<std::sync::Arc<I>>, PortError> {
        match self {
            Some(m) => m.iam(account_id, event_id).await,
            None => Ok(None),
        }
    }

    async fn ous(&self, account_id: &str) -> Result<Vec<String>, PortError> {
        match self {
            Some(m) => m.ous(account_id).await,
            None => Ok(Vec::new()),
        }
    }

    async fn in_organization(&self, account_id: &str) -> Result<bool, PortError> {
        match self {
            Some(m) => m.in_organization(account_id).await,
            None => Ok(false),
        }
    }

    async fn organization(&self) -> Result<Option<(String, Vec<OrgAccount>)>, PortError> {
        match self {
            Some(m) => m.organization().await,
            None => Ok(None),
        }
    }
}
