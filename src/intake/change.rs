//! The typed result of intake: what changed in IAM, on whom, by whom.

use crate::policy::{PolicyDocument, PolicyError};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One judged-relevant IAM change, from one CloudTrail record.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub event_id: String,
    pub event_name: String,
    pub event_time: DateTime<Utc>,
    /// The account the change happened in (recipientAccountId).
    pub account_id: String,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    pub actor: Actor,
    #[serde(flatten)]
    pub action: Action,
}

/// Who made the call (CloudTrail `userIdentity`).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Actor {
    /// `IAMUser`, `AssumedRole`, `Root`, `AWSService`, …
    #[serde(rename = "type")]
    pub identity_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// For assumed roles: the role behind the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_issuer_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Console sign-in rather than API keys.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub console: bool,
}

impl Actor {
    /// The most stable identity to show and to match "our own role" against: the role behind
    /// an assumed-role session, else the caller ARN.
    pub fn principal_arn(&self) -> Option<&str> {
        self.session_issuer_arn.as_deref().or(self.arn.as_deref())
    }
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    Role,
    User,
    Group,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Role => "role",
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
        }
    }
}

/// A role, user or group by name.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub kind: PrincipalKind,
    pub name: String,
}

impl Target {
    pub fn role(name: &str) -> Target {
        Target { kind: PrincipalKind::Role, name: name.into() }
    }
    pub fn user(name: &str) -> Target {
        Target { kind: PrincipalKind::User, name: name.into() }
    }
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

/// A policy document as delivered (decoded text, kept for alerts) and parsed.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyText {
    pub text: String,
    #[serde(skip)]
    pub document: PolicyDocument,
}

impl PolicyText {
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
        target: Target,
        policy_arn: String,
    },
    /// PutRolePolicy / PutUserPolicy / PutGroupPolicy.
    PutInlinePolicy {
        target: Target,
        policy_name: String,
        document: PolicyText,
    },
    CreateRole {
        role: String,
        path: String,
        trust_policy: PolicyText,
    },
    UpdateTrustPolicy {
        role: String,
        trust_policy: PolicyText,
    },
    CreatePolicy {
        policy_name: String,
        policy_arn: String,
        document: PolicyText,
    },
    CreatePolicyVersion {
        policy_arn: String,
        document: PolicyText,
        set_as_default: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        version_id: Option<String>,
    },
    SetDefaultPolicyVersion {
        policy_arn: String,
        version_id: String,
    },
    AddUserToGroup {
        user: String,
        group: String,
    },
    CreateAccessKey {
        user: String,
    },
    CreateLoginProfile {
        user: String,
    },
    /// DeleteRolePermissionsBoundary / DeleteUserPermissionsBoundary.
    DeletePermissionsBoundary {
        target: Target,
    },
}

impl Action {
    /// The principal the change lands on, when it lands on one.
    pub fn target(&self) -> Option<Target> {
        match self {
            Action::AttachPolicy { target, .. }
            | Action::PutInlinePolicy { target, .. }
            | Action::DeletePermissionsBoundary { target } => Some(target.clone()),
            Action::CreateRole { role, .. } | Action::UpdateTrustPolicy { role, .. } => Some(Target::role(role)),
            Action::AddUserToGroup { user, .. }
            | Action::CreateAccessKey { user }
            | Action::CreateLoginProfile { user } => Some(Target::user(user)),
            Action::CreatePolicy { .. }
            | Action::CreatePolicyVersion { .. }
            | Action::SetDefaultPolicyVersion { .. } => None,
        }
    }
}

/// A record we read but do not judge, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ignored {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    pub reason: String,
}

/// What one record became.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Change(Box<Change>),
    Ignored(Ignored),
}
