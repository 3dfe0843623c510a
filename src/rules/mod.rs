//! Least-privilege rules, one file each, with stable ids, all listed in [`RULES`]: the one
//! registry that configuration validation, `iam-guard rules`, SARIF rule metadata and the README
//! rules table are generated from (a test holds the README table equal to it).
//!
//! Adding a rule: (1) a file here implementing [`Rule`] (id, default severity and action, summary,
//! documentation, `check`); (2) its `mod` line and one line in [`RULES`]; (3) fixtures under
//! `tests/fixtures/rules/<id>/`, whose snapshots `cargo insta review` accepts.
//!
//! Rules ask the evaluation core ([`crate::eval`]) what a document effectively allows: denies are
//! subtracted, conditions are judged by meaning (an Allow that can never apply grants nothing; one
//! that applies only under a narrowing condition is judged one level lower, critical→high→medium→
//! low, and the evidence names the condition), and a resource pattern that reaches every resource
//! of an action's type counts as `*`. Trust-policy rules judge conditions by the keys that pin
//! identity (see `trust_public`).

mod account_setting;
mod admin;
mod allow_with_not;
mod data_exfiltration;
pub(crate) mod denied_after_guard;
mod denylisted_policy;
pub mod escalation;
pub(crate) mod escalation_path;
mod federation;
mod id;
mod mfa_missing;
pub(crate) mod new_credential;
mod password_policy;
mod policy_ineffective;
mod policy_invalid;
mod privilege_escalation;
mod resource_access;
mod resource_confused_deputy;
mod resource_cross_account;
mod resource_public;
mod root_user;
mod service_full_access;
mod stale_credential;
mod trust_cross_account;
mod trust_public;
mod unknown_action;
mod validity;
mod wildcard_resource_write;

use crate::catalog::{ActionId, Catalog};
use crate::eval::{ActionSet, Effective, StatementEval};
use crate::policy::{is_match_all_action, wildcard_match, ActionSpec, Effect, PolicyDocument, PolicyKind, Statement};
use serde::{Deserialize, Serialize};

pub use crate::severity::Severity;
pub use id::RuleId;

/// Every rule, in reporting order (most specific first: `admin` before `denylisted-policy`).
/// Ids are stable: configuration and SARIF refer to them.
pub static RULES: &[&dyn Rule] = &[
    &admin::Admin,
    &service_full_access::ServiceFullAccess,
    &denylisted_policy::DenylistedPolicy,
    &allow_with_not::AllowWithNot,
    &privilege_escalation::PrivilegeEscalation,
    &wildcard_resource_write::WildcardResourceWrite,
    &data_exfiltration::DataExfiltration,
    &trust_public::TrustPublic,
    &trust_cross_account::TrustCrossAccount,
    &resource_public::ResourcePublic,
    &resource_cross_account::ResourceCrossAccount,
    &resource_confused_deputy::ResourceConfusedDeputy,
    &unknown_action::UnknownAction,
    &new_credential::NewCredential,
    &denied_after_guard::DeniedAfterGuard,
    &escalation_path::EscalationPathRule,
    &policy_invalid::PolicyInvalid,
    &policy_ineffective::PolicyIneffective,
    &root_user::RootUser,
    &password_policy::PasswordPolicy,
    &mfa_missing::MfaMissing,
    &stale_credential::StaleCredential,
    &account_setting::AccountSetting,
    &federation::Federation,
];

/// The registered rule with this id.
pub fn rule(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.id() == id)
}

/// What the guard does with a rule's findings. A rule declares its default; configuration may
/// override it per rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleAction {
    /// Alert, never remediate.
    Alert,
    /// Remediate in enforce mode (alert mode says what it would do).
    Remediate,
    /// Drop the finding from alerts (it still shows in `check` and sweep reports).
    Ignore,
    /// In enforce mode, attach AWS's `AWSDenyAll` to the principal instead of removing what
    /// was granted (for when removing could break more than it protects); one command lifts it.
    Quarantine,
    /// In enforce mode, give least privilege back: put the policy learned from the principal's
    /// own CloudTrail records on it (only what the wide grant was used for), then detach the
    /// wide grant; without enough evidence, as `[least_privilege] without_evidence` says.
    Replace,
}

impl RuleAction {
    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleAction::Alert => "alert",
            RuleAction::Remediate => "remediate",
            RuleAction::Ignore => "ignore",
            RuleAction::Quarantine => "quarantine",
            RuleAction::Replace => "replace",
        }
    }
}

/// A least-privilege rule. Implementations are unit structs listed in [`RULES`].
pub trait Rule: Sync {
    /// Stable id (configuration keys, SARIF rule ids, alert attributes).
    fn id(&self) -> RuleId;
    /// Severity before configuration overrides and condition lowering.
    fn severity(&self) -> Severity;
    /// What the guard does with its findings unless configured otherwise.
    fn action(&self) -> RuleAction {
        RuleAction::Alert
    }
    /// One sentence for `iam-guard rules` and SARIF.
    fn summary(&self) -> &'static str;
    /// What the rule reports, in full (the README rules table; Markdown).
    fn doc(&self) -> &'static str;
    /// What it judges: documents (by default), changes or the account. Only document rules run
    /// in [`crate::engine::Engine::judge`]; the others' findings are built, from their own files,
    /// where the change or the account is judged.
    fn judges(&self) -> Judges {
        Judges::Document
    }
    /// Which policy kinds a document rule judges (identity policies by default).
    fn applies_to(&self, kind: PolicyKind) -> bool {
        self.judges() == Judges::Document && kind == PolicyKind::Identity
    }
    /// Judged only before deployment (`check`, [`PolicyContext::authoring`]): validity rules,
    /// whose documents IAM has already accepted on the event path and in sweeps.
    fn authoring_only(&self) -> bool {
        false
    }
    /// Appends its findings on `doc` (document rules).
    fn check(&self, _cx: &Ctx<'_>, _doc: &PolicyDocument, _out: &mut Vec<Finding>) {}
}

/// What a rule judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judges {
    /// A policy document (identity, trust or resource policy): `check` runs on it.
    Document,
    /// A change on the event path (a new credential, a refused call after the guard narrowed).
    Change,
    /// The account as a whole (the escalation graph, posture).
    Account,
}

/// Does this rule judge documents at all (of any kind)?
pub fn judges_documents(r: &dyn Rule) -> bool {
    r.judges() == Judges::Document
}

/// The README rules table (Markdown), generated from [`RULES`].
pub fn markdown_table() -> String {
    let mut t = String::from("| id | severity | default action | what |\n|---|---|---|---|\n");
    for r in RULES {
        t.push_str(&format!("| `{}` | {} | {} | {} |\n", r.id(), r.severity(), r.action().as_str(), r.doc()));
    }
    t
}

/// What rules know beyond the document: from the configuration, fixed for a run.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The guarded account (a policy's own account, when known, takes precedence).
    pub account_id: Option<String>,
    /// Accounts trusted in trust policies without a finding.
    pub known_accounts: Vec<String>,
    /// Managed policy names or ARNs (globs, any case) that must never be attached.
    pub denylist: Vec<String>,
}

impl Settings {
    /// The denylist pattern a managed policy (name or ARN) matches, if any.
    pub fn denylisted(&self, name: &str, arn: &str) -> Option<&str> {
        self.denylist.iter().find(|p| wildcard_match(p, name, true) || wildcard_match(p, arn, true)).map(String::as_str)
    }

    /// Is this the guarded account or one configured as known?
    pub(crate) fn known_account(&self, account: &str) -> bool {
        self.account_id.as_deref() == Some(account) || self.known_accounts.iter().any(|a| a == account)
    }
}

/// Where in the document a finding comes from.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// Statement index (0-based), absent for findings about the policy as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<usize>,
    /// The statement's Sid, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The actions (patterns or expanded catalogue actions) that triggered the rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The statement's resource patterns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// Principals involved (trust and resource policies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<String>,
    /// Condition keys present on the statement (why a severity may have been lowered).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// The conditions that lowered the severity, each with what it narrows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub narrowed_by: Vec<String>,
}

/// An escalation path a finding names: the catalogue entry and the actions that complete it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathRef {
    /// The catalogue id (`iam-001`, `lambda-001`).
    pub id: &'static str,
    /// What the path does.
    pub name: &'static str,
    /// The allowed actions that complete it.
    pub actions: Vec<String>,
    /// Where the path is documented.
    pub reference: &'static str,
}

impl Evidence {
    /// Evidence pointing at statement `i`, with its resources and condition keys filled in.
    pub fn statement(i: usize, s: &Statement) -> Evidence {
        Evidence {
            statement: Some(i),
            sid: s.sid.clone(),
            actions: Vec::new(),
            resources: crate::policy::strings(s.resource_patterns()),
            principals: Vec::new(),
            conditions: s.conditions.iter().map(|c| format!("{}:{}", c.operator, c.key)).collect(),
            narrowed_by: Vec::new(),
        }
    }

    /// The same evidence, naming these actions.
    pub(crate) fn with_actions(mut self, actions: Vec<String>) -> Evidence {
        self.actions = actions;
        self
    }

    /// A label such as `Statement[2] (Sid "AllowAll")`.
    pub(crate) fn location(&self) -> String {
        match (self.statement, &self.sid) {
            (Some(i), Some(sid)) => format!("Statement[{i}] (Sid {sid:?})"),
            (Some(i), None) => format!("Statement[{i}]"),
            (None, _) => "policy".to_string(),
        }
    }
}

/// One thing a rule found wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id.
    pub rule: RuleId,
    /// The escalation paths the finding is about (`privilege-escalation`), each with the actions
    /// that complete it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PathRef>,
    /// How bad, after configuration and conditions.
    pub severity: Severity,
    /// One line: what is wrong.
    pub message: String,
    /// Where in the document.
    pub evidence: Vec<Evidence>,
    /// What to do instead, in least-privilege terms.
    pub hint: String,
    /// Set when this is the document's own finding that does not hold for the principal: its
    /// limits (named here: permissions boundary, SCPs) cut the grant away. Shown at `info`, never
    /// acted on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounded_by: Option<String>,
}

/// What the judged policy is and where it sits.
#[derive(Debug, Clone, Default)]
pub struct PolicyContext {
    /// Identity, trust or resource policy (inferred from the document when absent).
    pub kind: Option<PolicyKind>,
    /// Managed policy name and ARN, when the document belongs to one.
    pub managed: Option<(String, String)>,
    /// The account the policy lives in (overrides the configured `account_id`).
    pub account_id: Option<String>,
    /// Accounts known for this judgement beyond the configuration's `known_accounts` (the
    /// organization's accounts, as the hub found them).
    pub also_known: Vec<String>,
    /// The resource whose policy it is (resource policies on the event path and in sweeps).
    pub resource: Option<crate::resources::Resource>,
    /// What the principal holding it is judged within (its permissions boundary, the SCPs of
    /// its account): each Allow grants only what falls inside.
    pub limit: Option<std::sync::Arc<crate::eval::Limit>>,
    /// Judged before deployment (`check`): the validity rules run too.
    pub authoring: bool,
}

/// What a rule sees.
pub struct Ctx<'a> {
    /// The action catalogue.
    pub catalog: &'a Catalog,
    /// What the configuration tells rules.
    pub settings: &'a Settings,
    /// The judged policy and where it sits.
    pub policy: &'a PolicyContext,
    /// The kind it is judged as.
    pub kind: PolicyKind,
    /// The rule's base severity after configuration overrides.
    pub severity: Severity,
    /// Facts about the document derived once for all rules.
    pub facts: &'a Facts,
}

/// What several rules need to know about a document, derived once per judgement.
pub struct Facts {
    /// Per statement: an Allow of (almost) every action on every resource.
    pub admin: Vec<bool>,
    /// Every expanded action, pattern after pattern, in one buffer (one allocation per
    /// document instead of one per pattern), as two-byte ids: `*`-heavy documents expand to
    /// tens of thousands of actions.
    actions: Vec<ActionId>,
    /// Per statement: the range of `spans` holding its patterns' spans (empty when not derived).
    statements: Vec<std::ops::Range<u32>>,
    /// Per pattern: its range in `actions`.
    spans: Vec<std::ops::Range<u32>>,
    /// What the document effectively allows (denies subtracted, conditions and resources judged).
    pub effective: Effective,
    /// Each statement, evaluated.
    pub evals: Vec<StatementEval>,
    /// Per statement: what it grants on every resource once the document's denies are
    /// subtracted, and the part granted without a narrowing condition (see [`Facts::reach`]).
    reach: Vec<(ActionSet, ActionSet)>,
}

/// Fraction of the catalogue a statement (or document) must reach on every resource to be admin:
/// a NotAction that excludes less than a tenth of all actions still grants administrator access.
const ADMIN_MIN_FRACTION: f64 = 0.90;

/// Does a set of actions amount to (almost) everything?
pub(crate) fn is_admin_set(catalog: &Catalog, set: &ActionSet) -> bool {
    set.len() as f64 >= ADMIN_MIN_FRACTION * catalog.len() as f64
}

impl Facts {
    /// Expands every statement's patterns (except a match-all `*`) and evaluates the document.
    pub fn derive(catalog: &Catalog, doc: &PolicyDocument) -> Facts {
        Facts::derive_within(catalog, doc, None)
    }

    /// [`Facts::derive`] for a document a principal holds within `limit`.
    pub fn derive_within(catalog: &Catalog, doc: &PolicyDocument, limit: Option<&crate::eval::Limit>) -> Facts {
        // Each pattern expanded once, into one buffer; a statement naming `*` is every action.
        let mut actions = Vec::new();
        let mut spans = Vec::new();
        let mut statements = Vec::with_capacity(doc.statements.len());
        let mut named = Vec::with_capacity(doc.statements.len());
        for s in &doc.statements {
            let first = spans.len() as u32;
            let patterns = s.action_patterns();
            let star = patterns.iter().any(|p| is_match_all_action(p));
            let mut set = if star { ActionSet::full() } else { ActionSet::empty() };
            if !star {
                let from = actions.len();
                for p in patterns {
                    let start = actions.len() as u32;
                    actions.extend(catalog.expand_ids(p));
                    spans.push(start..actions.len() as u32);
                }
                set = ActionSet::from_ids(&actions[from..]);
            }
            if matches!(s.action, ActionSpec::NotAction(_)) {
                let mut all = ActionSet::full();
                all.subtract(&set);
                set = all;
            }
            named.push(set);
            statements.push(first..spans.len() as u32);
        }
        let (effective, evals) = Effective::of_named_within(doc, named, limit.map(|l| &l.effective));
        let admin: Vec<bool> =
            evals.iter().map(|e| e.effect == Effect::Allow && is_admin_set(catalog, &e.everywhere)).collect();
        let reach = evals
            .iter()
            .map(|e| {
                if e.effect != Effect::Allow || e.everywhere.is_empty() {
                    return (ActionSet::empty(), ActionSet::empty());
                }
                let mut all = e.everywhere.clone();
                all.subtract(&effective.denied);
                all.subtract(&effective.denied_everywhere);
                let mut unrestricted = e.unconditional.clone();
                unrestricted.intersect(&all);
                (all, unrestricted)
            })
            .collect();
        Facts { admin, actions, statements, spans, effective, evals, reach }
    }

    /// The expansion of pattern `j` of statement `i` (none for a statement naming `*`).
    pub(crate) fn expansion(&self, i: usize, j: usize) -> Option<&[ActionId]> {
        let st = self.statements.get(i)?;
        let span = self.spans[st.start as usize..st.end as usize].get(j)?;
        Some(&self.actions[span.start as usize..span.end as usize])
    }

    /// What statement `i` grants on every resource once the document's denies are subtracted,
    /// and the part of it granted without a narrowing condition.
    pub(crate) fn reach(&self, i: usize) -> (&ActionSet, &ActionSet) {
        let (all, unrestricted) = &self.reach[i];
        (all, unrestricted)
    }

    /// What statement `i` grants on some resource once the document's denies are subtracted.
    pub(crate) fn granted(&self, i: usize) -> ActionSet {
        let mut s = self.evals[i].applies.clone();
        s.subtract(&self.effective.denied);
        s
    }
}

impl Ctx<'_> {
    /// The rule's severity for statement `i`, lowered once when it grants only under narrowing
    /// conditions.
    pub(crate) fn severity_for(&self, i: usize) -> Severity {
        let e = &self.facts.evals[i];
        if e.unconditional.is_empty() && !e.narrowed_by.is_empty() {
            self.severity.lower()
        } else {
            self.severity
        }
    }

    /// Is `account` the policy's own, the guarded one, or configured as known?
    pub(crate) fn known_account(&self, account: &str) -> bool {
        self.policy.account_id.as_deref() == Some(account)
            || self.settings.known_account(account)
            || self.policy.also_known.iter().any(|a| a == account)
    }
}

// ---- shared statement predicates ----

/// A service-wide wildcard such as `s3:*` or `s3*:*` (not `*`): reported by service-full-access.
pub(crate) fn is_service_wildcard(pattern: &str) -> bool {
    // Most patterns are exact names: one byte test settles them.
    if !pattern.ends_with('*') {
        return false;
    }
    match crate::policy::split_service(pattern) {
        Some((svc, act)) => !act.is_empty() && act.bytes().all(|b| b == b'*') && !svc.bytes().all(|b| b == b'*'),
        None => false,
    }
}

/// Allow statements reaching every resource for some action, whose actions the narrower rules
/// should examine: not admin (reported by `admin`), with an explicit Action list (NotAction goes to
/// allow-with-not).
pub(crate) fn narrow_allow_statements<'d>(
    cx: &'d Ctx<'_>,
    doc: &'d PolicyDocument,
) -> impl Iterator<Item = (usize, &'d Statement, &'d [crate::policy::Str])> + 'd {
    doc.statements.iter().enumerate().filter_map(move |(i, s)| match &s.action {
        ActionSpec::Action(p)
            if s.effect == Effect::Allow && !cx.facts.admin[i] && !cx.facts.evals[i].everywhere.is_empty() =>
        {
            Some((i, s, p.as_slice()))
        }
        _ => None,
    })
}

/// What statement `i` grants on every resource (its reach), less what its service wildcards
/// (`s3:*`) alone name: those are service-full-access's to report.
pub(crate) fn reach_without_service_wildcards(cx: &Ctx<'_>, i: usize, patterns: &[crate::policy::Str]) -> ActionSet {
    let mut found = cx.facts.reach(i).0.clone();
    if patterns.iter().any(|p| is_service_wildcard(p)) {
        // The reach is within the statement's named actions: keep those the other patterns name.
        let named: Vec<ActionId> = (0..patterns.len())
            .filter(|&j| !is_service_wildcard(&patterns[j]))
            .flat_map(|j| cx.facts.expansion(i, j).unwrap_or_default())
            .copied()
            .collect();
        found.intersect(&ActionSet::from_ids(&named));
    }
    found
}

/// The severity of a finding on `found` actions of statement `i`: the rule's, one level lower
/// when none of them is granted without a narrowing condition; with the narrowing conditions to
/// name in the evidence.
pub(crate) fn severity_of(
    cx: &Ctx<'_>,
    i: usize,
    found: &ActionSet,
    unrestricted: &ActionSet,
) -> (Severity, Vec<String>) {
    if found.intersects(unrestricted) {
        (cx.severity, Vec::new())
    } else {
        (cx.severity.lower(), cx.facts.evals[i].narrowed_by.clone())
    }
}

/// Could one of these action patterns name one of `services` (any case, or a wildcard service
/// part)? A cheap prefilter before matching specific actions.
pub(crate) fn mentions_service(patterns: &[crate::policy::Str], services: &[&str]) -> bool {
    patterns.iter().any(|p| match crate::policy::split_service(p) {
        Some((svc, _)) => {
            svc.bytes().any(|b| b == b'*' || b == b'?') || services.iter().any(|s| s.eq_ignore_ascii_case(svc))
        }
        None => p.bytes().all(|b| b == b'*'),
    })
}

/// Shortens a long list for messages: the first `n` items and "and K more".
pub(crate) fn summarize(items: &[String], n: usize) -> String {
    if items.len() <= n {
        items.join(", ")
    } else {
        format!("{}, and {} more", items[..n].join(", "), items.len() - n)
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::*;
    use crate::config::Config;
    use crate::engine::Engine;

    pub(crate) fn judge_with(config: Config, kind: Option<PolicyKind>, json: &str) -> Vec<Finding> {
        let doc = PolicyDocument::parse(json).expect("test policy parses");
        Engine::new(config).judge(&PolicyContext { kind, ..Default::default() }, &doc)
    }

    pub(crate) fn judge(json: &str) -> Vec<Finding> {
        judge_with(Config::default(), None, json)
    }

    /// As `check` judges a bare document: validity rules included.
    pub(crate) fn check_authoring(json: &str) -> Vec<Finding> {
        let doc = PolicyDocument::parse(json).expect("test policy parses");
        Engine::new(Config::default()).judge(&PolicyContext { authoring: true, ..Default::default() }, &doc)
    }

    pub(crate) fn find<'a>(f: &'a [Finding], rule: &str) -> Option<&'a Finding> {
        f.iter().find(|x| x.rule == rule)
    }

    pub(crate) fn allow(action: &str, resource: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{action},"Resource":{resource}}}]}}"#
        )
    }
}
