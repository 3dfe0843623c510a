//! The typed result of intake: what changed in IAM, on whom, by whom.

use crate::policy::{PolicyDocument, PolicyError};
use crate::resources::{Resource, Written};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One judged-relevant IAM change, from one CloudTrail record.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// CloudTrail eventID, or for records without one (CloudTrail's older record versions) an id
    /// derived from the record's content (`derived-…`, see `event_id_derived`).
    pub event_id: String,
    /// True when the record carried no eventID and `event_id` was derived from its content.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub event_id_derived: bool,
    /// The API call (`AttachRolePolicy`).
    pub event_name: String,
    /// When it was made.
    pub event_time: DateTime<Utc>,
    /// The account the change happened in (recipientAccountId).
    pub account_id: String,
    /// The region it was recorded in (IAM: us-east-1).
    pub region: String,
    /// The caller's address (or the AWS service that called).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// The caller's user agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Who made the call.
    pub actor: Actor,
    /// What the call did.
    #[serde(flatten)]
    pub action: Action,
}

/// Who made the call (CloudTrail `userIdentity`).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Actor {
    /// `IAMUser`, `AssumedRole`, `Root`, `AWSService`, …
    #[serde(rename = "type")]
    pub identity_type: String,
    /// The caller's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// For assumed roles: the role behind the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_issuer_arn: Option<String>,
    /// The IAM user name, for IAM users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Console sign-in rather than API keys.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub console: bool,
    /// The AWS service that made the call on the caller's behalf (`userIdentity.invokedBy`,
    /// e.g. `cloudformation.amazonaws.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
}

impl Actor {
    /// The most stable identity to show and to match "our own role" against: the role behind
    /// an assumed-role session, else the caller ARN.
    pub(crate) fn principal_arn(&self) -> Option<&str> {
        self.session_issuer_arn.as_deref().or(self.arn.as_deref())
    }
}

/// The kinds of IAM principals the guard acts on.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    /// An IAM role.
    Role,
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
}

impl PrincipalKind {
    /// `role`, `user` or `group` (as in ARNs and CLI commands).
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Role => "role",
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
        }
    }
}

/// A role, user or group by name.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// Role, user or group.
    pub kind: PrincipalKind,
    /// Its name (no path).
    pub name: String,
}

impl Target {
    /// The role with this name.
    pub fn role(name: &str) -> Target {
        Target { kind: PrincipalKind::Role, name: name.into() }
    }
    /// The user with this name.
    pub fn user(name: &str) -> Target {
        Target { kind: PrincipalKind::User, name: name.into() }
    }
    /// The group with this name.
    pub fn group(name: &str) -> Target {
        Target { kind: PrincipalKind::Group, name: name.into() }
    }

    /// The ARN without its path (events do not carry paths): `arn:aws:iam::ACCOUNT:role/NAME`.
    pub fn arn(&self, account_id: &str) -> String {
        format!("arn:aws:iam::{account_id}:{}/{}", self.kind.as_str(), self.name)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.name)
    }
}

/// Whom or what a change, a finding, a remediation or a ledger entry is about: an IAM principal,
/// an Identity Center permission set, or a resource with its own policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "subject", rename_all = "snake_case")]
pub enum Subject {
    /// A role, user or group.
    Principal(Target),
    /// A permission set.
    PermissionSet(PermissionSet),
    /// A resource (bucket, function, key, queue, …).
    Resource(Resource),
}

impl Subject {
    /// Its ARN (a principal's without path, in `account_id`).
    pub fn arn(&self, account_id: &str) -> String {
        match self {
            Subject::Principal(t) => t.arn(account_id),
            Subject::PermissionSet(s) => s.arn.clone(),
            Subject::Resource(r) => r.arn.clone(),
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Principal(t) => t.fmt(f),
            Subject::PermissionSet(s) => s.fmt(f),
            Subject::Resource(r) => r.fmt(f),
        }
    }
}

/// A policy document as delivered (decoded text, kept for alerts) and parsed.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyText {
    /// The document as delivered, URL-decoded.
    pub text: String,
    /// The document, parsed.
    #[serde(skip)]
    pub document: PolicyDocument,
}

impl PolicyText {
    /// Parses a document as CloudTrail or IAM delivers it (plain or URL-encoded JSON).
    pub fn parse(text: &str) -> Result<PolicyText, PolicyError> {
        let document = PolicyDocument::parse(text)?;
        let text = crate::policy::decode_document_text(text)?.into_owned();
        Ok(PolicyText { text, document })
    }
}

/// What the call did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Action {
    /// AttachRolePolicy / AttachUserPolicy / AttachGroupPolicy.
    AttachPolicy {
        /// Who it was attached to.
        target: Target,
        /// The managed policy.
        policy_arn: String,
    },
    /// PutRolePolicy / PutUserPolicy / PutGroupPolicy.
    PutInlinePolicy {
        /// Who holds it.
        target: Target,
        /// The inline policy's name.
        policy_name: String,
        /// Its document.
        document: PolicyText,
    },
    /// CreateRole.
    CreateRole {
        /// The new role.
        role: String,
        /// Its path.
        path: String,
        /// Who may assume it.
        trust_policy: PolicyText,
        /// The permissions boundary it was created with.
        #[serde(skip_serializing_if = "Option::is_none")]
        boundary: Option<String>,
    },
    /// UpdateAssumeRolePolicy.
    UpdateTrustPolicy {
        /// The role.
        role: String,
        /// The new trust policy.
        trust_policy: PolicyText,
    },
    /// CreatePolicy: a new customer managed policy.
    CreatePolicy {
        /// Its name.
        policy_name: String,
        /// Its ARN (from the response).
        policy_arn: String,
        /// Its document (version v1).
        document: PolicyText,
    },
    /// CreatePolicyVersion.
    CreatePolicyVersion {
        /// The customer managed policy.
        policy_arn: String,
        /// The new version's document.
        document: PolicyText,
        /// Did the call make it the default?
        set_as_default: bool,
        /// The new version id (from the response, when recorded).
        #[serde(skip_serializing_if = "Option::is_none")]
        version_id: Option<String>,
    },
    /// SetDefaultPolicyVersion.
    SetDefaultPolicyVersion {
        /// The customer managed policy.
        policy_arn: String,
        /// The version made the default.
        version_id: String,
    },
    /// AddUserToGroup.
    AddUserToGroup {
        /// The user.
        user: String,
        /// The group it joined.
        group: String,
    },
    /// CreateAccessKey.
    CreateAccessKey {
        /// The user the key is for.
        user: String,
        /// The new key's id (from the response, when recorded).
        #[serde(skip_serializing_if = "Option::is_none")]
        access_key_id: Option<String>,
    },
    /// CreateLoginProfile: a console password.
    CreateLoginProfile {
        /// The user.
        user: String,
    },
    /// UpdateLoginProfile: a user's console password was reset (by someone else, often).
    UpdateLoginProfile {
        /// The user.
        user: String,
    },
    /// UpdateAccessKey to `Active`: a (possibly deactivated) key works again. Deactivations are
    /// not changes the guard judges.
    ReactivateAccessKey {
        /// The user the key belongs to.
        user: String,
        /// The key id.
        access_key_id: String,
    },
    /// A call of any service refused for want of permission (CloudTrail `errorCode` AccessDenied,
    /// UnauthorizedOperation, …) by a role's session or a user: judged when the guard had
    /// narrowed that principal.
    Denied {
        /// The role or user refused.
        target: Target,
        /// `s3.amazonaws.com GetObject`.
        call: String,
        /// What granting it takes: each action with its resources.
        needs: Vec<(String, Vec<String>)>,
        /// The errorCode.
        error: String,
    },
    /// A credential of the account's root user: CreateAccessKey (or a reactivated key, a login
    /// profile) called by root without naming a user.
    RootCredential {
        /// What was created.
        credential: RootCredential,
    },
    /// PutRolePermissionsBoundary / PutUserPermissionsBoundary: a boundary set or replaced.
    PutPermissionsBoundary {
        /// Whose boundary.
        target: Target,
        /// The managed policy now used as the boundary.
        boundary_arn: String,
    },
    /// DeleteRolePermissionsBoundary / DeleteUserPermissionsBoundary.
    DeletePermissionsBoundary {
        /// Whose boundary was removed.
        target: Target,
    },
    /// A resource's policy written, or a resource shared: who outside may now reach it.
    ResourceAccess {
        /// The resource.
        resource: Resource,
        /// How access was given (what the guard takes back).
        #[serde(flatten)]
        written: Written,
        /// The access given, as a policy: the whole policy put, the statement added, or the
        /// statement a share, grant or setting amounts to. `None` for a lowered guardrail alone
        /// (S3 Block Public Access removed).
        #[serde(skip_serializing_if = "Option::is_none")]
        document: Option<PolicyText>,
    },
    /// IAM Identity Center CreatePermissionSet: a new, empty permission set.
    CreatePermissionSet {
        /// The permission set (from the response).
        set: PermissionSet,
        /// Its name.
        name: String,
    },
    /// AttachManagedPolicyToPermissionSet: an AWS managed policy (or a managed policy ARN) in a
    /// permission set, granted to everyone assigned it in every account it is provisioned to.
    PermissionSetManagedPolicy {
        /// The permission set.
        set: PermissionSet,
        /// The managed policy.
        policy_arn: String,
    },
    /// PutInlinePolicyToPermissionSet (a permission set has one inline policy).
    PermissionSetInlinePolicy {
        /// The permission set.
        set: PermissionSet,
        /// The inline policy.
        document: PolicyText,
    },
    /// AttachCustomerManagedPolicyReferenceToPermissionSet: a policy by name and path, resolved in
    /// each account the permission set is provisioned to.
    PermissionSetCustomerPolicy {
        /// The permission set.
        set: PermissionSet,
        /// The policy's name.
        name: String,
        /// Its path (`/` by default).
        path: String,
    },
    /// PutPermissionsBoundaryToPermissionSet.
    PermissionSetBoundary {
        /// The permission set.
        set: PermissionSet,
        /// The boundary: a managed policy ARN, or `path+name` of a customer managed policy.
        boundary: String,
    },
    /// A change to how people and programs get into the account: MFA taken away, the password
    /// policy weakened, an identity provider or Roles Anywhere anchor added, a console sign-in by
    /// root or without MFA, a federation token of a long-lived user.
    Posture {
        /// What changed.
        posture: PostureChange,
    },
    /// CreateAccountAssignment: people (a user or group of Identity Center) get a permission set
    /// in an account.
    AccountAssignment {
        /// The permission set.
        set: PermissionSet,
        /// The account they get it in.
        target_account: String,
        /// `USER` or `GROUP`.
        principal_type: String,
        /// The Identity Center user or group id.
        principal_id: String,
    },
}

/// Whose MFA device a change removed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MfaOwner {
    /// The account root user.
    Root,
    /// An IAM user.
    User(String),
    /// Not named by the record (a virtual device deleted by serial number).
    Unknown,
}

/// A change of account posture (see [`Action::Posture`]).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum PostureChange {
    /// DeactivateMFADevice / DeleteVirtualMFADevice.
    MfaRemoved {
        /// Whose.
        owner: MfaOwner,
        /// The device's serial number (an ARN for virtual devices).
        serial: String,
        /// The call.
        call: String,
    },
    /// UpdateAccountPasswordPolicy (the policy set) or DeleteAccountPasswordPolicy (`None`).
    PasswordPolicy {
        /// The least length and reuse prevention set (absent: IAM's defaults, 8 and none).
        policy: Option<(Option<u32>, Option<u32>)>,
    },
    /// A SAML or OIDC identity provider created or changed.
    IdentityProvider {
        /// `SAML` or `OIDC`.
        kind: String,
        /// The provider's ARN (or URL / name when the record has no ARN).
        provider: String,
        /// The call.
        call: String,
    },
    /// IAM Roles Anywhere CreateTrustAnchor / CreateProfile.
    RolesAnywhere {
        /// The anchor's or profile's name.
        name: String,
        /// The roles a profile vends (none for an anchor).
        roles: Vec<String>,
        /// The call.
        call: String,
    },
    /// A console sign-in by root, or by a user without MFA.
    ConsoleLogin {
        /// The user (`None`: root).
        user: Option<String>,
        /// Was MFA used?
        mfa: bool,
    },
    /// GetFederationToken by an IAM user (or root).
    FederationToken {
        /// The calling user (`None`: root).
        user: Option<String>,
        /// The federated session's name.
        name: Option<String>,
    },
}

/// An IAM Identity Center permission set: the right place to catch an admin grant to people (the
/// `AWSReservedSSO_*` roles it provisions cannot be changed in IAM).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermissionSet {
    /// The Identity Center instance (`arn:aws:sso:::instance/ssoins-…`).
    pub instance_arn: String,
    /// The permission set (`arn:aws:sso:::permissionSet/ssoins-…/ps-…`).
    pub arn: String,
    /// The region of the Identity Center instance (where its events are recorded and its API
    /// answers).
    pub region: String,
}

impl PermissionSet {
    /// Its id (`ps-…`), for people.
    pub fn id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }

    /// The `--instance-arn … --permission-set-arn … --region …` of `aws sso-admin` commands.
    pub fn cli_args(&self) -> String {
        format!("--instance-arn {} --permission-set-arn {} --region {}", self.instance_arn, self.arn, self.region)
    }
}

impl std::fmt::Display for PermissionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "permission set {}", self.id())
    }
}

impl Action {
    /// The principal the change lands on, when it lands on one.
    pub fn target(&self) -> Option<Target> {
        match self {
            Action::AttachPolicy { target, .. }
            | Action::PutInlinePolicy { target, .. }
            | Action::DeletePermissionsBoundary { target } => Some(target.clone()),
            Action::CreateRole { role, .. } | Action::UpdateTrustPolicy { role, .. } => Some(Target::role(role)),
            Action::PutPermissionsBoundary { target, .. } => Some(target.clone()),
            Action::AddUserToGroup { user, .. }
            | Action::CreateAccessKey { user, .. }
            | Action::CreateLoginProfile { user }
            | Action::UpdateLoginProfile { user }
            | Action::ReactivateAccessKey { user, .. } => Some(Target::user(user)),
            Action::Denied { target, .. } => Some(target.clone()),
            Action::CreatePolicy { .. }
            | Action::CreatePolicyVersion { .. }
            | Action::SetDefaultPolicyVersion { .. }
            | Action::RootCredential { .. }
            | Action::ResourceAccess { .. }
            | Action::Posture { .. } => None,
            Action::CreatePermissionSet { .. }
            | Action::PermissionSetManagedPolicy { .. }
            | Action::PermissionSetInlinePolicy { .. }
            | Action::PermissionSetCustomerPolicy { .. }
            | Action::PermissionSetBoundary { .. }
            | Action::AccountAssignment { .. } => None,
        }
    }

    /// Whom or what the change lands on.
    pub fn subject(&self) -> Option<Subject> {
        if let Action::ResourceAccess { resource, .. } = self {
            return Some(Subject::Resource(resource.clone()));
        }
        self.target().map(Subject::Principal).or_else(|| self.permission_set().cloned().map(Subject::PermissionSet))
    }

    /// The Identity Center permission set the change lands on, when it lands on one.
    pub fn permission_set(&self) -> Option<&PermissionSet> {
        match self {
            Action::CreatePermissionSet { set, .. }
            | Action::PermissionSetManagedPolicy { set, .. }
            | Action::PermissionSetInlinePolicy { set, .. }
            | Action::PermissionSetCustomerPolicy { set, .. }
            | Action::PermissionSetBoundary { set, .. }
            | Action::AccountAssignment { set, .. } => Some(set),
            _ => None,
        }
    }
}

/// A credential of the account root user.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RootCredential {
    /// A root access key was created.
    AccessKey,
    /// A root access key was made active again.
    ReactivatedAccessKey,
    /// A root console password was created or reset through IAM.
    LoginProfile,
}

/// A record we read but do not judge, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ignored {
    /// Its eventID, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Its eventName, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    /// Why it is not judged.
    pub reason: String,
}

/// What one record became.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// An IAM change to judge.
    Change(Box<Change>),
    /// A record read but not judged.
    Ignored(Ignored),
}
