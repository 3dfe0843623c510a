//! What the guard decided about a change and why ([`Verdict`], [`Plan`], [`Reason`]), and what
//! carrying it out did ([`Executed`], [`Handled`]).

use super::ports::Alert;
use super::{JudgedPolicy, Remediation};
use crate::intake::Change;
use crate::rules::{Finding, Severity};
use serde::Serialize;

/// Why a plan is what it is. Serialized (and shown) as its sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Every finding is below `alert_min_severity`.
    BelowThreshold(Severity),
    /// The change was made by the guard's own role.
    OwnChange,
    /// Trust policies (and documents of new policies) are alerted, not changed.
    InlineOrTrust,
    /// A new customer managed policy grants nothing until attached.
    NewPolicy,
    /// A policy version that is not the default grants nothing yet.
    NotDefaultVersion,
    /// No earlier version of the policy is clean.
    NoCleanVersion,
    /// The event does not name the version it created.
    NoVersionId,
    /// Group membership is alerted, not reverted.
    GroupMembership,
    /// New credentials are alerted, not revoked.
    Credentials,
    /// A removed permissions boundary is alerted.
    BoundaryRemoved,
    /// A set or replaced permissions boundary is alerted.
    BoundaryReplaced,
    /// A root credential is alerted: the guard cannot act on the root user.
    RootCredential,
    /// Alert mode: remediation is only described.
    AlertMode,
    /// No finding's rule action is `remediate`.
    NoRemediatingRule,
    /// The principal is exempt, AWS-owned, a platform role or the guard's own (the text says
    /// which).
    HandsOff(super::HandsOff),
    /// Made by CloudFormation or a deployment role: undone in IAM it would be drift (the text says
    /// who made it).
    InfrastructureAsCode(String),
    /// A policy document could not be read (its ARN or label).
    DocumentUnknown(String),
    /// Harmless alone, but it puts a principal on a path to admin (the escalation graph).
    OpensPathToAdmin,
    /// A permission set's customer managed policy reference is alerted: the policy it names
    /// lives in each account.
    CustomerPolicyReference,
    /// An account assignment is alerted, not removed: the guard judges the permission set.
    AccountAssignment,
    /// `replace`: the principal's CloudTrail records are not evidence enough yet.
    LearningLeastPrivilege,
    /// A denied call after the guard narrowed the principal: the guard widens nothing by itself
    /// unless its answer was `replace`.
    WorkloadDenied,
    /// A denied call of a principal the guard did not narrow: not the guard's doing.
    NotNarrowedByGuard,
    /// A resource setting (S3 Block Public Access, a bucket ACL, a function URL) is alerted, not
    /// changed back.
    ResourceSetting,
    /// A KMS grant whose id the record does not carry cannot be revoked by the guard.
    NoGrantId,
    /// A change of account posture (MFA, password policy, identity providers, sign-ins) is
    /// alerted: undoing it could lock people out.
    AccountPosture,
    /// An offline credential report names no key ids: the key cannot be deactivated from it.
    KeyIdUnknown,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::BelowThreshold(min) => write!(f, "findings are below alert_min_severity ({min})"),
            Reason::OwnChange => f.write_str("made by the guard's own role"),
            Reason::InlineOrTrust => f.write_str(
                "trust policies are rewritten only for critical findings (anyone may assume the role); this \
                 one is alerted with its full document",
            ),
            Reason::NewPolicy => {
                f.write_str("a new policy grants nothing until it is attached; attaching it is judged then")
            }
            Reason::NotDefaultVersion => f.write_str("the new version is not the default, so it grants nothing yet"),
            Reason::NoCleanVersion => f.write_str("no earlier clean version to revert to"),
            Reason::NoVersionId => f.write_str("the event does not name the new version id"),
            Reason::GroupMembership => f.write_str("group membership is alerted, not reverted"),
            Reason::Credentials => {
                f.write_str("credentials are alerted, not revoked: the guard judges the permissions they carry")
            }
            Reason::BoundaryRemoved => {
                f.write_str("the boundary's removal is alerted; the guard judges what the principal can now do")
            }
            Reason::BoundaryReplaced => f.write_str(
                "a new permissions boundary is alerted, not reverted; the guard judges what the principal holds \
                 under it (the boundary itself grants nothing)",
            ),
            Reason::RootCredential => f.write_str(
                "the root user's credentials cannot be changed by the guard (no IAM policy applies to root); act on \
                 this alert now",
            ),
            Reason::AlertMode => f.write_str("alert mode"),
            Reason::NoRemediatingRule => f.write_str("no finding calls for remediation (rule actions)"),
            Reason::HandsOff(why) => write!(f, "not remediated: {why}"),
            Reason::CustomerPolicyReference => f.write_str(
                "a customer managed policy reference is alerted, not detached: the policy it names is defined in \
                 each account and may differ from the one judged",
            ),
            Reason::AccountAssignment => f.write_str(
                "an account assignment is alerted, not removed: the people assigned get what the permission set \
                 holds in that account",
            ),
            Reason::LearningLeastPrivilege => f.write_str(
                "not enough CloudTrail evidence yet to give least privilege back (the notes say what was learned); \
                 the grant stays until then ([least_privilege] without_evidence = \"remediate\" detaches)",
            ),
            Reason::WorkloadDenied => f.write_str(
                "the guard adds a grant by itself only for a principal it gave least privilege back to \
                 (`replace`), only within what it took away, and only when the grant is no finding at high or \
                 above: grant it, or undo",
            ),
            Reason::NotNarrowedByGuard => f.write_str("a denied call of a principal the guard did not narrow recently"),
            Reason::ResourceSetting => f.write_str(
                "resource settings (S3 Block Public Access, bucket ACLs, function URLs) are alerted, not changed \
                 back: the guard takes back policies, permissions, shares and grants",
            ),
            Reason::NoGrantId => f.write_str("the record does not name the grant's id, so the guard cannot revoke it"),
            Reason::KeyIdUnknown => {
                f.write_str("the credential report names no key ids (the live sweep lists them with ListAccessKeys)")
            }
            Reason::AccountPosture => f.write_str(
                "account posture changes (MFA, password policy, identity providers, sign-ins) are alerted, not \
                 undone: undoing them could lock people out",
            ),
            Reason::OpensPathToAdmin => {
                f.write_str("the change alone grants little, but it opens a path to admin (escalation graph)")
            }
            Reason::InfrastructureAsCode(who) => write!(
                f,
                "not remediated: {who} — fix it in the stack (undone in IAM it is drift the next deploy puts \
                 back; [platform] iac_changes = \"remediate\" acts anyway)"
            ),
            Reason::DocumentUnknown(what) => write!(
                f,
                "document unknown: {what} could not be read (offline: the replay never saw it; live: it no longer \
                 exists), so it was judged by name only"
            ),
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What the guard decided.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Plan {
    /// No findings: nothing to say.
    Clean,
    /// Findings, all below `alert_min_severity`: no alert (check and sweep still report them).
    Quiet {
        /// Below the threshold.
        why: Reason,
    },
    /// Alert only; `why` says why nothing more, `would` what enforce mode would do.
    Alert {
        /// Why no more than an alert.
        why: Reason,
        /// What enforce mode would do.
        #[serde(skip_serializing_if = "Option::is_none")]
        would: Option<Remediation>,
    },
    /// Remediate (enforce mode), then alert.
    Remediate {
        /// What to change.
        remediation: Remediation,
    },
    /// Not judged: the guard's own change.
    Ignore {
        /// Why it is not judged.
        why: Reason,
    },
    /// Not judged: a document the change depends on could not be read. Not the same as clean.
    NotJudged {
        /// Which document.
        why: Reason,
    },
}

impl Plan {
    /// The decision's name, as the plan serializes its `decision` tag and the ledger keeps it.
    pub fn decision(&self) -> &'static str {
        match self {
            Plan::Clean => "clean",
            Plan::Quiet { .. } => "quiet",
            Plan::Alert { .. } => "alert",
            Plan::Remediate { .. } => "remediate",
            Plan::Ignore { .. } => "ignore",
            Plan::NotJudged { .. } => "not_judged",
        }
    }

    /// The remediation the plan carries out, or would in enforce mode.
    pub fn remediation(&self) -> Option<&Remediation> {
        match self {
            Plan::Remediate { remediation } | Plan::Alert { would: Some(remediation), .. } => Some(remediation),
            _ => None,
        }
    }
}

/// A change with its judgement and plan.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The change judged.
    pub change: Change,
    /// Every policy judged for it.
    pub judged: Vec<JudgedPolicy>,
    /// The decision.
    pub plan: Plan,
    /// Context worth telling (policy not found, principal facts, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Verdict {
    /// Every finding on every judged policy.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.judged.iter().flat_map(|j| &j.findings)
    }

    /// The worst finding's severity.
    pub fn severity(&self) -> Option<Severity> {
        self.findings().map(|f| f.severity).max()
    }
}

/// What happened when a remediation was carried out.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Executed {
    /// IAM was changed.
    Done,
    /// Already the case (duplicate delivery, someone was faster): success.
    AlreadyDone,
    /// IAM refused; the alert says the guard could not act and why.
    Denied {
        /// IAM's message.
        reason: String,
    },
}

impl std::fmt::Display for Executed {
    /// `done`, `already done`, `refused by IAM: …`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Executed::Done => f.write_str("done"),
            Executed::AlreadyDone => f.write_str("already done"),
            Executed::Denied { reason } => write!(f, "refused by IAM: {reason}"),
        }
    }
}

/// A change handled end to end: the verdict, what was carried out, and the alert published.
#[derive(Debug, Clone)]
pub struct Handled {
    /// The judgement and decision.
    pub verdict: Verdict,
    /// What carrying out the plan did (enforce mode).
    pub executed: Option<Executed>,
    /// The alert published, if any.
    pub alert: Option<Alert>,
}
