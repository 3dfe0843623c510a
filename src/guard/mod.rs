//! The guard: Change → findings → decision (alert / remediate / skip), and carrying it out.
//!
//! One change goes through three steps, each in its own place:
//! 1. **judge** (`judge.rs`): one function per kind of change reads what the event does not carry
//!    and judges the policies involved, proposing at most one remediation;
//! 2. **decide** (`decide.rs`): a pure function from that judgement, the mode and the alert
//!    threshold to a [`Plan`], whose reasons are a [`Reason`], not text; then the hands-off rules
//!    may withdraw a proposed remediation;
//! 3. **carry out** ([`carry_out`], shared with the sweep) and alert.
//!
//! [`Guard::handle`] runs all three for the Lambda, `iam-guard event` and the tests alike.
//!
//! Enforce mode remediates only what can be undone cleanly and narrowly, each with the one command
//! that restores it:
//! - a managed policy whose findings carry a `remediate` action (by default `admin`,
//!   `service-full-access`, `denylisted-policy`) attached to a role, user or group is detached
//!   from that one principal;
//! - a CreatePolicyVersion / SetDefaultPolicyVersion that makes such a version the default is
//!   reverted to the newest earlier version that is clean;
//! - an inline policy with such a finding is deleted (the alert carries its document and the
//!   put-*-policy command that restores it);
//! - a new access key of a user whose holdings have such a finding is deactivated, never deleted;
//!   a new console password of such a user is deleted.
//!
//! - a finding whose rule action is `quarantine` attaches `AWSDenyAll` to the principal instead;
//! - a trust policy with a critical finding is rewritten without exactly those statements (the
//!   alert carries the original and the command that restores it).
//!
//! Never acted on (the alert says why): exempt principals (config globs, or the exempt tag),
//! service-linked roles (path `/aws-service-role/`), `AWSReservedSSO_*` roles (IAM refuses),
//! landing-zone and deployment roles ([`platform`]), and the guard's own role. Changes made by
//! CloudFormation or a deployment role are alerted, not undone (by default). Changes made by the
//! guard's own role are ignored entirely (no loops).

pub mod alert;
mod bounded;
mod decide;
mod denied;
mod judge;
mod judge_holdings;
mod judge_sets;
pub mod least;
pub mod ledger;
pub mod memory;
mod paths;
pub mod platform;
pub mod ports;
pub mod remediation;
pub mod sweep;

pub(crate) use remediation::carry_out;
pub use remediation::{Remediation, DENY_ALL};

use crate::arn;
use crate::config::{Config, Mode};
use crate::engine::Engine;
use crate::intake::{Change, PermissionSet, PrincipalKind, Target};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::rules::{Finding, PolicyContext, RuleAction, Severity};
use judge::Recall;
use ports::{Alert, IamRead, IamWrite, PortError, PrincipalInfo, Publish};
use serde::Serialize;

/// One policy the guard judged for a change.
#[derive(Debug, Clone, Serialize)]
pub struct JudgedPolicy {
    /// e.g. "AmazonS3FullAccess (AWS managed)", "inline policy app-access", "trust policy".
    pub label: String,
    /// The managed policy's ARN, for managed policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
    /// Identity or trust policy.
    pub kind: PolicyKind,
    /// What the rules found (findings whose rule action is `ignore` are dropped).
    pub findings: Vec<Finding>,
    /// The full document, for inline and trust policies (alerts carry it: nothing is changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The document could not be read (a customer managed policy the offline replay never saw,
    /// or one deleted since): judged by name only, so no finding does not mean clean.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

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
    HandsOff(String),
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
    /// The remediation the plan carries out or would carry out.
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

/// Every Deny statement of these documents, each once (in document order).
pub(crate) fn denies_of<'a>(docs: impl IntoIterator<Item = &'a PolicyDocument>) -> Vec<crate::policy::Statement> {
    let mut out = Vec::new();
    for d in docs {
        add_unique(&mut out, d.statements.iter().filter(|s| s.effect == crate::policy::Effect::Deny));
    }
    out
}

/// Appends the statements `out` does not hold yet.
pub(crate) fn add_unique<'a>(
    out: &mut Vec<crate::policy::Statement>,
    statements: impl IntoIterator<Item = &'a crate::policy::Statement>,
) {
    for s in statements {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
}

/// The engine plus what the guard knows of itself.
pub struct Guard {
    engine: Engine,
    /// The guard's own role name: its changes are ignored and it is never acted on.
    own_role: Option<String>,
    /// Accounts of the organization found so far (a hub asks about accounts its trust policies
    /// name): known in trust rules like `known_accounts`. Shared by the guards of one [`Guards`].
    org_known: std::sync::Arc<std::sync::RwLock<std::collections::BTreeSet<String>>>,
}

/// The guard for each account: the configuration's, and one per `[[accounts]]` entry with its
/// overrides (mode, denylist, exemptions), chosen by the event's account. The Lambda and
/// `iam-guard event` both answer through it.
pub struct Guards {
    default: Guard,
    by_account: Vec<Guard>,
}

impl Guards {
    /// The guards of a configuration; `own_role` as for [`Guard::new`].
    pub fn new(config: Config, own_role: Option<&str>) -> Guards {
        let default = Guard::new(Engine::new(config.clone()), own_role);
        let by_account = (0..config.accounts.len())
            .map(|i| Guard {
                org_known: default.org_known.clone(),
                ..Guard::new(Engine::new(config.for_account_entry(i)), own_role)
            })
            .collect();
        Guards { default, by_account }
    }

    /// Records accounts found to belong to the organization: known in trust rules from now on,
    /// for every account's guard.
    pub fn know_accounts<'a>(&self, accounts: impl IntoIterator<Item = &'a str>) {
        if let Ok(mut k) = self.default.org_known.write() {
            k.extend(accounts.into_iter().map(str::to_string));
        }
    }

    /// Is the account known to the trust rules (configured, the guard's own, or found in the
    /// organization)?
    pub fn knows_account(&self, account: &str) -> bool {
        let cfg = self.default.engine().config();
        cfg.account_id.as_deref() == Some(account)
            || cfg.known_accounts.iter().any(|a| a == account)
            || self.default.org_known.read().is_ok_and(|k| k.contains(account))
    }

    /// The guard for the configuration as written (the sweep, reports).
    pub fn default_guard(&self) -> &Guard {
        &self.default
    }

    /// The guard for an account: its first matching `[[accounts]]` entry's, else the default.
    pub fn for_account(&self, account_id: &str) -> &Guard {
        self.for_account_in(account_id, &[])
    }

    /// The guard for an account under these organizational units (ids, any depth, and the root).
    pub fn for_account_in(&self, account_id: &str, ous: &[String]) -> &Guard {
        match self.default.engine().config().account_entry(account_id, ous) {
            Some(i) => &self.by_account[i],
            None => &self.default,
        }
    }

    /// Must an account's organizational units be looked up to choose its guard?
    pub fn needs_ous(&self) -> bool {
        self.default.engine().config().uses_ous()
    }
}

impl Guard {
    /// `own_role`: the guard's role name or ARN.
    pub fn new(engine: Engine, own_role: Option<&str>) -> Guard {
        let own_role = own_role.map(|r| arn::role_name(r).unwrap_or(r).to_string());
        Guard { engine, own_role, org_known: Default::default() }
    }

    /// The engine (and through it the configuration).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Judges, decides, carries out and alerts: the whole answer to one change.
    pub async fn handle<I: IamRead + IamWrite + ports::IamInventory, P: Publish>(
        &self,
        iam: &I,
        publisher: &P,
        change: Change,
    ) -> Result<Handled, PortError> {
        self.handle_recalling(iam, publisher, change, &Recall::default()).await
    }

    async fn handle_recalling<I: IamRead + IamWrite + ports::IamInventory, P: Publish>(
        &self,
        iam: &I,
        publisher: &P,
        change: Change,
        recall: &Recall,
    ) -> Result<Handled, PortError> {
        let mut verdict = self.evaluate(iam, change, recall).await?;
        let executed = match &verdict.plan {
            Plan::Remediate { remediation } => Some(carry_out(iam, remediation).await?),
            _ => None,
        };
        // What IAM holds now (after the change and the guard's answer): paths to admin it opened.
        self.add_paths(iam, &mut verdict).await?;
        let alert = alert::build(&verdict, executed.as_ref());
        if let Some(a) = &alert {
            publisher.publish(a).await?;
        }
        Ok(Handled { verdict, executed, alert })
    }

    /// Judges a change and decides, without acting. Reads IAM only for what the event does not
    /// carry.
    pub(crate) async fn evaluate<R: IamRead>(
        &self,
        iam: &R,
        change: Change,
        recall: &Recall,
    ) -> Result<Verdict, PortError> {
        if self.is_own_change(&change) {
            return Ok(Verdict {
                change,
                judged: vec![],
                plan: Plan::Ignore { why: Reason::OwnChange },
                notes: vec![],
            });
        }
        if matches!(change.action, crate::intake::Action::Denied { .. }) && recall.narrowed.is_none() {
            return Ok(Verdict {
                change,
                judged: vec![],
                plan: Plan::Ignore { why: Reason::NotNarrowedByGuard },
                notes: vec![],
            });
        }
        let judgement = self.judge_change(iam, &change, recall).await?;
        let config = self.engine.config();
        let mut plan = decide::decide(&judgement, config.mode, config.alert_min_severity);
        let platform = &config.platform;
        if plan.remediation().is_some() && platform.iac_changes == platform::IacChanges::Alert {
            if let Some(who) = platform.made_by_iac(&change.actor, change.source_ip.as_deref()) {
                plan = Plan::Alert { why: Reason::InfrastructureAsCode(who), would: None };
            }
        }
        if let Some(target) = plan.remediation().and_then(Remediation::target) {
            // Enforce mode reads the principal's path and tags before acting; alert mode decides
            // from names and configured globs alone, so an AWS-managed attach costs no IAM call.
            let read = config.mode == Mode::Enforce;
            if let Some(why) = self.hands_off(iam, &change, target, (read, judgement.principal.clone())).await? {
                plan = Plan::Alert { why: Reason::HandsOff(why), would: None };
            }
        }
        let mut notes = judgement.notes;
        if let Some(set) = plan.remediation().and_then(Remediation::permission_set).cloned() {
            // The event names a permission set by ARN only: its name (for the platform list and
            // the alert) costs one Identity Center read, made only when a remediation is proposed.
            let (name, why) = self.permission_set_hands_off(iam, &set).await?;
            if let Some(name) = name {
                notes.insert(0, format!("{set} is named {name}"));
            }
            if let Some(why) = why {
                plan = Plan::Alert { why: Reason::HandsOff(why), would: None };
            }
        }
        Ok(Verdict { change, judged: judgement.judged, plan, notes })
    }

    fn is_own_change(&self, change: &Change) -> bool {
        // In a hub deployment the guard acts in member accounts as their member role.
        let actor = change.actor.principal_arn().and_then(arn::role_name);
        actor == Some(ports::MEMBER_ROLE) || matches!((&self.own_role, actor), (Some(own), Some(actor)) if own == actor)
    }

    /// Judges one document for the account it lives in, dropping findings whose rule action is
    /// `ignore`.
    pub(crate) fn judge_policy(
        &self,
        account_id: &str,
        label: String,
        policy_arn: Option<&str>,
        kind: PolicyKind,
        doc: &PolicyDocument,
    ) -> JudgedPolicy {
        self.judge_policy_in(account_id, label, policy_arn, kind, doc, None)
    }

    /// [`Guard::judge_policy`] for a document a principal holds within `limit` (its boundary,
    /// its account's SCPs): the findings of what it effectively grants.
    pub(crate) fn judge_policy_in(
        &self,
        account_id: &str,
        label: String,
        policy_arn: Option<&str>,
        kind: PolicyKind,
        doc: &PolicyDocument,
        limit: Option<std::sync::Arc<crate::eval::Limit>>,
    ) -> JudgedPolicy {
        let also_known = match kind {
            PolicyKind::Trust => self.org_known.read().map(|k| k.iter().cloned().collect()).unwrap_or_default(),
            _ => Vec::new(),
        };
        let ctx = PolicyContext {
            kind: Some(kind),
            managed: policy_arn.map(|a| (arn::resource_name(a).to_string(), a.to_string())),
            account_id: Some(account_id.to_string()),
            also_known,
            limit,
        };
        let findings: Vec<Finding> = self
            .engine
            .judge(&ctx, doc)
            .into_iter()
            .filter(|f| self.engine.action(f.rule) != RuleAction::Ignore)
            .collect();
        JudgedPolicy {
            label,
            policy_arn: policy_arn.map(str::to_string),
            kind,
            findings,
            document: None,
            unknown: false,
        }
    }

    /// Judges one of a principal's identity policies as IAM evaluates it for that principal: an
    /// explicit Deny in any of its other policies (its groups' included) wins over this one's
    /// Allows, so they are judged with those Deny statements appended (`denies`, from every
    /// policy the principal holds). Findings are kept only on this document's own statements.
    /// Within `limit` (the principal's boundary and SCPs) when it has one.
    pub(crate) fn judge_held_policy(
        &self,
        account_id: &str,
        label: String,
        policy_arn: Option<&str>,
        doc: &PolicyDocument,
        (denies, limit): (&[crate::policy::Statement], Option<&std::sync::Arc<crate::eval::Limit>>),
    ) -> JudgedPolicy {
        let own: Vec<&crate::policy::Statement> =
            doc.statements.iter().filter(|s| s.effect == crate::policy::Effect::Deny).collect();
        // Only what this document does not already say changes anything.
        let foreign: Vec<&crate::policy::Statement> = denies.iter().filter(|d| !own.contains(d)).collect();
        let n = doc.statements.len();
        let with = if foreign.is_empty() {
            std::borrow::Cow::Borrowed(doc)
        } else {
            let mut with = doc.clone();
            with.statements.extend(foreign.into_iter().cloned());
            std::borrow::Cow::Owned(with)
        };
        let mut j = match limit {
            Some(limit) => self.judge_bounded(account_id, label, policy_arn, &with, limit),
            None => self.judge_policy(account_id, label, policy_arn, PolicyKind::Identity, &with),
        };
        j.findings.retain(|f| f.evidence.iter().all(|e| e.statement.is_none_or(|i| i < n)));
        j
    }

    /// Does some finding call for remediation?
    pub(crate) fn remediable(&self, j: &JudgedPolicy) -> bool {
        j.findings.iter().any(|f| {
            f.bounded_by.is_none() && matches!(self.engine.action(f.rule), RuleAction::Remediate | RuleAction::Replace)
        })
    }

    /// Is a finding of this severity one the guard answers (`alert_min_severity`)? Below it the
    /// event path stays quiet, and so does the sweep: it neither detaches nor quarantines.
    pub(crate) fn answers(&self, severity: Severity) -> bool {
        severity >= self.engine.config().alert_min_severity
    }

    /// Would the event path act on this judged policy: a remediating finding, and the policy's
    /// worst finding at or above the threshold (the sweep decides alike)?
    pub(crate) fn acts_on(&self, j: &JudgedPolicy) -> bool {
        self.remediable(j) && j.findings.iter().map(|f| f.severity).max().is_some_and(|w| self.answers(w))
    }

    /// Why the guard must not act on `target`, if it must not. `read`: also ask IAM for the
    /// principal's path and tags, unless judging read the principal already (`known`).
    async fn hands_off<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        target: &Target,
        (read, known): (bool, Option<PrincipalInfo>),
    ) -> Result<Option<String>, PortError> {
        let kind = format!(":{}/", target.kind.as_str());
        let known = known.filter(|k| arn::resource_name(&k.arn) == target.name && k.arn.contains(&kind));
        let fetched = match known {
            Some(k) => Some(k),
            None if read => iam.principal(target).await?,
            None => None,
        };
        let info: PrincipalInfo = fetched.unwrap_or_else(|| PrincipalInfo {
            arn: target.arn(&change.account_id),
            path: "/".into(),
            tags: vec![],
            boundary: None,
        });
        Ok(self.hands_off_for(target, &info, &change.account_id))
    }

    /// A permission set's name (when it exists), and why the guard must not change it, if it must
    /// not: a landing-zone permission set, or an exemption glob matching its ARN.
    async fn permission_set_hands_off<R: IamRead>(
        &self,
        iam: &R,
        set: &PermissionSet,
    ) -> Result<(Option<String>, Option<String>), PortError> {
        let name = iam.permission_set(set).await?.map(|info| info.name);
        let why = self.permission_set_hands_off_for(set, name.as_deref());
        Ok((name, why))
    }

    /// The hands-off decision for a permission set from what is known of it (shared with the
    /// sweep).
    pub(crate) fn permission_set_hands_off_for(&self, set: &PermissionSet, name: Option<&str>) -> Option<String> {
        let cfg = self.engine.config();
        if let Some(e) = cfg.exemption_for(&set.arn, chrono::Utc::now().date_naive()) {
            let until = e.expires.map(|d| format!(" until {d}")).unwrap_or_default();
            return Some(format!("exempt ({}){until}: {}", e.principal, e.reason));
        }
        let n = name?;
        cfg.platform.permission_set(n).map(|p| {
            format!(
                "{n} is a platform permission set ({}, {}): {}; [platform] act_on overrides",
                set.id(),
                p.owner,
                p.reason
            )
        })
    }

    /// The hands-off decision from what is known of the principal (shared with the sweep).
    pub(crate) fn hands_off_for(&self, target: &Target, info: &PrincipalInfo, account_id: &str) -> Option<String> {
        if target.kind == PrincipalKind::Role {
            if Some(&target.name) == self.own_role.as_ref() {
                return Some("it is the guard's own role".into());
            }
            if target.name.starts_with("AWSReservedSSO_") {
                return Some(
                    "AWSReservedSSO_* roles belong to IAM Identity Center (IAM refuses: UnmodifiableEntity)".into(),
                );
            }
            if target.name.starts_with("AWSServiceRoleFor") {
                return Some("service-linked roles belong to the AWS service".into());
            }
        }
        let cfg = self.engine.config();
        if let Some(p) = cfg.platform.covers(target) {
            return Some(format!(
                "{} is a platform role ({}, pattern {}): {}; [platform] act_on overrides",
                target.name, p.owner, p.pattern, p.reason
            ));
        }
        if info.path.starts_with("/aws-service-role/") || info.path.starts_with("/aws-reserved/") {
            return Some(format!("path {} is owned by AWS", info.path));
        }
        if let Some((_, reason)) = info.tags.iter().find(|(k, _)| k == &cfg.exempt_tag) {
            return Some(format!("exempt by tag {}: {reason}", cfg.exempt_tag));
        }
        let today = chrono::Utc::now().date_naive();
        // Match the ARN with its path (from IAM) and without (as events name it).
        for arn in [info.arn.as_str(), &target.arn(account_id)] {
            if let Some(e) = cfg.exemption_for(arn, today) {
                let until = e.expires.map(|d| format!(" until {d}")).unwrap_or_default();
                return Some(format!("exempt ({}){until}: {}", e.principal, e.reason));
            }
        }
        None
    }
}
