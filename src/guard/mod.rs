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
mod alert_act;
pub mod alert_chat;
mod bounded;
mod decide;
mod denied;
mod hands_off;
mod judge;
mod judge_holdings;
mod judge_posture;
mod judge_resources;
mod judge_sets;
pub mod least;
pub mod ledger;
pub mod memory;
mod memory_ledger;
pub mod memory_resources;
mod paths;
pub use crate::platform;
pub mod ports;
pub mod remediation;
pub mod sweep;
mod sweep_org;
mod sweep_posture;
mod sweep_resources;
pub mod sweep_views;
mod verdict;

pub use hands_off::HandsOff;
pub(crate) use remediation::carry_out;
pub use remediation::{Remediation, DENY_ALL};
pub use verdict::{Executed, Handled, Plan, Reason, Verdict};

use crate::arn;
use crate::config::{Config, Mode};
use crate::engine::Engine;
use crate::intake::{Change, PermissionSet, Target};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::rules::{Finding, PolicyContext, RuleAction};
use judge::Recall;
use ports::{IamRead, IamWrite, PortError, PrincipalInfo, Publish};
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
        self.add_provider_roles(iam, &mut verdict).await?;
        let alert = alert::build(&verdict, executed.as_ref(), &self.engine.config().exempt_tag);
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
        let config = self.engine.config();
        if let Some(why) = self.not_answered(&change, recall) {
            let facts = decide::Facts { ignore: Some(why), ..Default::default() };
            let plan = decide::decide(&judge::Judgement::empty(), &facts, config);
            return Ok(Verdict { change, judged: vec![], plan, notes: vec![] });
        }
        let mut judgement = self.judge_change(iam, &change, recall).await?;
        let mut facts = decide::Facts {
            iac: self.iac_actor(&change),
            quarantine: self.quarantines(&judgement).then(|| change.action.target()).flatten(),
            ..Default::default()
        };
        // The hands-off facts cost reads: gathered only when the decision would act on someone.
        let would = decide::decide(&judgement, &facts, config);
        if let Some(target) = would.remediation().and_then(Remediation::target) {
            // Enforce mode reads the principal's path and tags before acting; alert mode decides
            // from names and configured globs alone, so an AWS-managed attach costs no IAM call.
            let read = config.mode == Mode::Enforce;
            facts.hands_off = self.hands_off(iam, &change, target, (read, judgement.principal.clone())).await?;
        }
        if let Some(fix) = would.remediation().and_then(Remediation::resource_fix) {
            let read = config.mode == Mode::Enforce;
            facts.hands_off = self.resource_hands_off(iam, fix.resource(), read).await?;
        }
        let mut notes = std::mem::take(&mut judgement.notes);
        if let Some(set) = would.remediation().and_then(Remediation::permission_set).cloned() {
            // The event names a permission set by ARN only: its name (for the platform list and
            // the alert) costs one Identity Center read, made only when a remediation is proposed.
            let (name, why) = self.permission_set_hands_off(iam, &set).await?;
            if let Some(name) = name {
                notes.insert(0, format!("{set} is named {name}"));
            }
            facts.hands_off = why;
        }
        let plan = decide::decide(&judgement, &facts, config);
        Ok(Verdict { change, judged: judgement.judged, plan, notes })
    }

    /// Why a change is not answered at all: the guard's own, or a refused call the guard did
    /// not cause.
    fn not_answered(&self, change: &Change, recall: &Recall) -> Option<Reason> {
        if self.is_own_change(change) {
            return Some(Reason::OwnChange);
        }
        let denied = matches!(change.action, crate::intake::Action::Denied { .. });
        (denied && recall.narrowed.is_none()).then_some(Reason::NotNarrowedByGuard)
    }

    /// The infrastructure-as-code actor that made the change, when such changes are alert-only.
    fn iac_actor(&self, change: &Change) -> Option<String> {
        let platform = &self.engine.config().platform;
        if platform.iac_changes != platform::IacChanges::Alert {
            return None;
        }
        platform.made_by_iac(&change.actor, change.source_ip.as_deref(), change.user_agent.as_deref())
    }

    /// Does a finding (not cut away by a limit) ask for quarantine?
    fn quarantines(&self, j: &judge::Judgement) -> bool {
        j.judged
            .iter()
            .flat_map(|p| &p.findings)
            .any(|f| f.bounded_by.is_none() && self.engine.action(f.rule) == RuleAction::Quarantine)
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
            resource: None,
            authoring: false,
        };
        let mut j = self.judge_in(&ctx, label, doc);
        j.policy_arn = policy_arn.map(str::to_string);
        j
    }

    /// Judges a document in a context, dropping findings whose rule action is `ignore` (every
    /// policy the guard judges goes through here: identity, trust and resource policies).
    pub(crate) fn judge_in(&self, ctx: &PolicyContext, label: String, doc: &PolicyDocument) -> JudgedPolicy {
        let findings: Vec<Finding> = self
            .engine
            .judge(ctx, doc)
            .into_iter()
            .filter(|f| self.engine.action(f.rule) != RuleAction::Ignore)
            .collect();
        let kind = ctx.kind.unwrap_or(PolicyKind::Identity);
        JudgedPolicy { label, policy_arn: None, kind, findings, document: None, unknown: false }
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

    /// Why the guard must not act on `target`, if it must not. `read`: also ask IAM for the
    /// principal's path and tags, unless judging read the principal already (`known`).
    async fn hands_off<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        target: &Target,
        (read, known): (bool, Option<PrincipalInfo>),
    ) -> Result<Option<HandsOff>, PortError> {
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
    ) -> Result<(Option<String>, Option<HandsOff>), PortError> {
        let name = iam.permission_set(set).await?.map(|info| info.name);
        let why = self.permission_set_hands_off_for(set, name.as_deref());
        Ok((name, why))
    }
}
