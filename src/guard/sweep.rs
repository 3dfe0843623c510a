//! The sweep: a whole-account audit, because event delivery is best effort and a guard
//! deployed today must also see what was granted yesterday.
//!
//! One inventory (GetAccountAuthorizationDetails) gives every role, user and group with its
//! attached, inline and trust policies; each distinct managed policy is judged once for the whole
//! account (AWS managed from the embedded data), so the cost is linear in principals. The same
//! engine, rule actions and hands-off rules as the event path apply; in enforce mode the same
//! remediations run, a bounded number at a time: detach what remediates, or quarantine the
//! principal (attach AWSDenyAll) when a finding's rule action is `quarantine`.

use super::bounded::Limits;
use super::decide;
use super::judge::{empty_document, managed_label, Proposal};
use super::ports::{
    IamInventory, IamRead, IamWrite, Inventory, LocalPolicy, PortError, PrincipalInfo, ScpLevel, Snapshot,
};
use super::{carry_out, Executed, Guard, JudgedPolicy, Plan, Reason, Remediation, DENY_ALL};
use crate::catalog::managed;
use crate::config::Mode;
use crate::intake::{PolicyText, PrincipalKind, Target};
use crate::policy::{PolicyDocument, PolicyKind, Statement};
use crate::rules::{Finding, RuleAction, Severity};
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use std::collections::HashMap;

/// One finding on one principal.
#[derive(Debug, Clone, Serialize)]
pub struct SweepFinding {
    /// The account the principal is in.
    pub account_id: String,
    /// "role app", "user bob".
    pub principal: String,
    /// The principal's ARN.
    pub principal_arn: String,
    /// "AmazonS3FullAccess (AWS managed)", "inline policy x", "trust policy".
    pub policy: String,
    /// The managed policy's ARN, when the finding is on one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
    /// The CIS AWS Foundations control the finding fails (`CIS 1.12 (v7 2.11)`), for posture
    /// findings and `admin` findings on attached policies.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "control_label")]
    pub control: Option<crate::posture::Control>,
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
}

fn control_label<S: serde::Serializer>(c: &Option<crate::posture::Control>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(c) => s.serialize_str(&c.label()),
        None => s.serialize_none(),
    }
}

/// What the sweep did (or would do) about one attachment.
#[derive(Debug, Clone, Serialize)]
pub struct SweepAction {
    /// The account it is (or would be) carried out in.
    pub account_id: String,
    /// The detach or quarantine.
    pub remediation: Remediation,
    /// Why not, when the guard kept its hands off or the mode is alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// What carrying it out did (enforce mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executed: Option<Executed>,
}

impl SweepAction {
    /// "done", "already done", "denied: …", "not done: …", "pending".
    pub fn state(&self) -> String {
        match (&self.executed, &self.skipped) {
            (Some(Executed::Done), _) => "done".into(),
            (Some(Executed::AlreadyDone), _) => "already done".into(),
            (Some(Executed::Denied { reason }), _) => format!("denied: {reason}"),
            (None, Some(why)) => format!("not done: {why}"),
            (None, None) => "pending".into(),
        }
    }
}

/// What a sweep found and did.
#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    /// The account swept.
    pub account_id: String,
    /// The mode it ran in.
    pub mode: Mode,
    /// Roles, users and groups judged.
    pub principals: usize,
    /// Distinct managed policies judged.
    pub policies_judged: usize,
    /// Resource policies (and shares) judged.
    #[serde(skip_serializing_if = "is_zero")]
    pub resource_policies: usize,
    /// Every finding, most severe first; members repeat their groups' findings.
    pub findings: Vec<SweepFinding>,
    /// What was done or would be done, sorted.
    pub actions: Vec<SweepAction>,
    /// IAM API calls the sweep made (inventory pages + remediations), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iam_calls: Option<usize>,
    /// Permissions boundaries and trust policies seen, as (principal ARN without path, what,
    /// value): the ledger remembers them so that a later removal or bad update can be put back.
    #[serde(skip)]
    pub snapshots: Vec<(String, Snapshot, String)>,
    /// An organization sweep: each account swept, or why it could not be.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountSummary>,
    /// Least privilege learned from CloudTrail for the grants the sweep detaches (or would),
    /// when records were given (`--trail`, `--trail-bucket`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<super::least::SweepSuggestion>,
    /// The CIS AWS Foundations IAM controls, pass / fail / not assessed, when account reports
    /// were read (credential report, password policy, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<crate::posture::ControlResult>,
    /// Every principal with what it holds (the HTML report's pages).
    #[serde(skip)]
    pub holdings: Vec<super::sweep_views::Holding>,
    /// Every policy held, with its document and holders (the HTML report's pages).
    #[serde(skip)]
    pub policy_views: Vec<super::sweep_views::PolicyView>,
}

/// One account of an organization sweep.
#[derive(Debug, Clone, Serialize)]
pub struct AccountSummary {
    /// Its id.
    pub account_id: String,
    /// Its name in the organization.
    pub name: String,
    /// Principals judged.
    pub principals: usize,
    /// Findings by severity, most severe first (`critical`, `high`, …), only those present.
    pub counts: Vec<(Severity, usize)>,
    /// Why it was not swept (no member role, access denied, …); the others were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AccountSummary {
    /// "12 principals: 1 critical, 3 high" or "not swept: …".
    pub fn line(&self) -> String {
        if let Some(e) = &self.error {
            return format!("not swept: {e}");
        }
        let counts: Vec<String> = self.counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let counts = if counts.is_empty() { "no findings".into() } else { counts.join(", ") };
        format!("{} principals: {counts}", self.principals)
    }
}

impl SweepReport {
    /// How many findings have this severity.
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.finding.severity == s).count()
    }

    /// The worst severity found.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.finding.severity).max()
    }
}

/// What judging the inventory found: findings, remediation candidates (with why not, when the
/// guard must keep its hands off), and how many managed policies were judged.
struct Judged {
    findings: Vec<SweepFinding>,
    candidates: Vec<(Remediation, Plan)>,
    policies_judged: usize,
    /// Users judged within a boundary, their groups' policies included.
    bounded_users: Vec<String>,
}

impl Guard {
    /// Audits the whole account. `concurrency` bounds remediation calls in flight.
    /// `account_id`: from the scheduled event or the caller; otherwise read off the inventory's ARNs.
    pub async fn sweep<I: IamInventory + IamRead + IamWrite>(
        &self,
        iam: &I,
        account_id: Option<&str>,
        concurrency: usize,
    ) -> Result<SweepReport, PortError> {
        self.sweep_with(iam, account_id, concurrency, (true, &[])).await
    }

    /// [`Guard::sweep`]; `permission_sets`: also judge Identity Center's permission sets when
    /// `identity_center_region` is configured (an organization sweep does so in its home account
    /// only: Identity Center is administered from one account). `scps`: the SCPs that limit
    /// the account's principals (an organization sweep knows them).
    pub(crate) async fn sweep_with<I: IamInventory + IamRead + IamWrite>(
        &self,
        iam: &I,
        account_id: Option<&str>,
        concurrency: usize,
        (permission_sets, scps): (bool, &[ScpLevel]),
    ) -> Result<SweepReport, PortError> {
        let mut inv = iam.inventory().await?;
        inv.resources = iam.resource_policies().await?;
        inv.compute = iam.compute().await?;
        let mut report = self.audit_within(&inv, account_id, scps);
        let now = crate::posture::now().map_err(PortError::Failed)?;
        let mut facts = crate::posture::Facts::new(&report.account_id, now, self.engine().config().posture.clone());
        // Reports the guard may not read (a role deployed before posture existed) leave the
        // controls "not assessed" and say why; the sweep goes on.
        match iam.account_facts(&mut facts).await {
            Ok(()) => {}
            Err(PortError::Denied(why)) => facts.unreadable = Some(format!("access denied: {why}")),
            Err(e) => return Err(e),
        }
        if facts.any() {
            self.audit_posture(&facts, Some(&inv), &mut report);
        }
        if let (true, Some(region)) = (permission_sets, &self.engine().config().identity_center_region) {
            self.audit_permission_sets(iam, region, &mut report).await?;
        }
        if report.mode == Mode::Enforce {
            let pending: Vec<SweepAction> = std::mem::take(&mut report.actions);
            let mut actions: Vec<SweepAction> = stream::iter(pending)
                .map(|action| async move {
                    if action.skipped.is_some() {
                        return Ok(action);
                    }
                    // A resource's tags are read only where an action is pending (the exempt tag).
                    if let Some(fix) = action.remediation.resource_fix() {
                        if let Some(why) = self.resource_hands_off(iam, fix.resource(), true).await? {
                            return Ok(SweepAction { skipped: Some(why.to_string()), ..action });
                        }
                    }
                    let executed = carry_out(iam, &action.remediation).await?;
                    Ok(SweepAction { executed: Some(executed), ..action })
                })
                .buffer_unordered(concurrency.max(1))
                .collect::<Vec<Result<SweepAction, PortError>>>()
                .await
                .into_iter()
                .collect::<Result<_, _>>()?;
            actions.sort_by_key(|a| a.remediation.describe());
            report.actions = actions;
        }
        Ok(report)
    }

    /// Judges an inventory without touching IAM: the findings, and what enforce mode would do
    /// (each action pending, or not done with the reason). The live sweep carries the actions
    /// out; `iam-guard sweep --input FILE` reports them.
    pub fn audit(&self, inv: &Inventory, account_id: Option<&str>) -> SweepReport {
        self.audit_within(inv, account_id, &[])
    }

    /// [`Guard::audit`] of an account whose principals the SCPs `scps` limit (except its
    /// service-linked roles, which SCPs do not limit).
    pub fn audit_within(&self, inv: &Inventory, account_id: Option<&str>, scps: &[ScpLevel]) -> SweepReport {
        let from_arns = inv.principals.iter().find_map(|p| crate::arn::account(&p.arn).map(str::to_string));
        let account_id = account_id.map(str::to_string).or(from_arns).unwrap_or_else(|| "unknown".into());
        let Judged { mut findings, candidates, policies_judged, bounded_users } =
            self.judge_inventory(inv, &account_id, Limits::new(scps));
        findings.extend(inherited_findings(inv, &findings, &bounded_users));
        findings.extend(self.escalation_findings(inv, &account_id, scps));
        let (resource_findings, resource_actions) = self.audit_resources(inv, &account_id);
        findings.extend(resource_findings);
        findings
            .sort_by(|a, b| b.finding.severity.cmp(&a.finding.severity).then_with(|| a.principal.cmp(&b.principal)));
        let mode = self.engine().config().mode;
        let mut actions: Vec<SweepAction> = candidates
            .into_iter()
            .filter_map(|(remediation, plan)| {
                let skipped = skipped_by(plan)?;
                Some(SweepAction { account_id: account_id.clone(), remediation, skipped, executed: None })
            })
            .collect();
        actions.extend(resource_actions);
        actions.sort_by_key(|a| a.remediation.describe());
        let (holdings, policy_views) = super::sweep_views::views(inv);
        SweepReport {
            principals: inv.principals.iter().filter(|p| p.target.is_some()).count(),
            snapshots: snapshots(inv, &account_id),
            account_id,
            mode,
            policies_judged,
            resource_policies: inv.resources.len(),
            findings,
            actions,
            iam_calls: None,
            accounts: Vec::new(),
            suggestions: Vec::new(),
            controls: Vec::new(),
            holdings,
            policy_views,
        }
    }

    /// Every permission set of Identity Center in `region`, judged as the event path judges one
    /// (its policies together); in enforce mode a remediating managed policy is detached from it
    /// and a remediating inline policy deleted (then provisioned), Control Tower's sets left alone.
    async fn audit_permission_sets<R: IamRead>(
        &self,
        iam: &R,
        region: &str,
        report: &mut SweepReport,
    ) -> Result<(), PortError> {
        let account_id = report.account_id.clone();
        let config = self.engine().config();
        for set in iam.permission_sets(region).await? {
            let Some(info) = iam.permission_set(&set).await? else { continue };
            let mut notes = Vec::new();
            let judged = self.judge_permission_set_info(iam, &account_id, &info, &mut notes).await?;
            let skipped = self.permission_set_hands_off_for(&set, Some(&info.name));
            for j in &judged {
                report.findings.extend(j.findings.iter().map(|f| SweepFinding {
                    control: None,
                    account_id: account_id.clone(),
                    principal: format!("permission set {}", info.name),
                    principal_arn: set.arn.clone(),
                    policy: j.label.clone(),
                    policy_arn: j.policy_arn.clone(),
                    finding: f.clone(),
                }));
                if !self.remediable(j) {
                    continue;
                }
                let remediation = match (&j.policy_arn, &j.document) {
                    (Some(arn), _) => {
                        Remediation::DetachFromPermissionSet { set: set.clone(), policy_arn: arn.clone() }
                    }
                    (None, Some(doc)) => {
                        Remediation::DeletePermissionSetInline { set: set.clone(), document: doc.clone() }
                    }
                    (None, None) => continue,
                };
                let facts = decide::Facts { hands_off: skipped.clone(), ..Default::default() };
                let proposal = Proposal::Remediate(remediation.clone());
                let plan = decide::decide_on((std::slice::from_ref(j), &proposal, false), &facts, config);
                let Some(skipped) = skipped_by(plan) else { continue };
                report.actions.push(SweepAction {
                    account_id: account_id.clone(),
                    remediation,
                    skipped,
                    executed: None,
                });
            }
        }
        report
            .findings
            .sort_by(|a, b| b.finding.severity.cmp(&a.finding.severity).then_with(|| a.principal.cmp(&b.principal)));
        report.actions.sort_by_key(|a| a.remediation.describe());
        Ok(())
    }

    /// The escalation graph's paths to admin, one finding per principal (rule `escalation-path`).
    /// Within the account's SCPs when known.
    pub fn escalation_findings(&self, inv: &Inventory, account_id: &str, scps: &[ScpLevel]) -> Vec<SweepFinding> {
        let Some(base) = self.engine().severity(crate::rules::RuleId::EscalationPath) else { return Vec::new() };
        let graph = crate::graph::Graph::build_within(inv, account_id, scps);
        graph
            .paths_to_admin()
            .into_iter()
            .filter_map(|p| {
                let node = &graph.nodes[p.start];
                let crate::graph::NodeKind::Principal(target) = &node.kind else { return None };
                let path = crate::rules::escalation_path::PrincipalPath {
                    label: &node.label,
                    hops: p.edges.len(),
                    described: graph.describe(&p),
                    first: &graph.edges[p.edges[0]].reason,
                    from_outside: p.from_outside,
                };
                Some(SweepFinding {
                    control: None,
                    account_id: account_id.to_string(),
                    principal: target.to_string(),
                    principal_arn: node.arn.clone().unwrap_or_default(),
                    policy: "escalation graph".into(),
                    policy_arn: None,
                    finding: crate::rules::escalation_path::principal_finding(base, &path),
                })
            })
            .collect()
    }

    /// Judges every principal's policies; each managed policy once for the whole account.
    fn judge_inventory(&self, inv: &Inventory, account_id: &str, mut limits: Limits) -> Judged {
        let local: HashMap<&str, &LocalPolicy> = inv.policies.iter().map(|p| (p.arn.as_str(), p)).collect();
        let mut judged_managed: HashMap<&str, JudgedPolicy> = HashMap::new();
        let mut findings = Vec::new();
        let mut candidates = Vec::new();
        // Each distinct managed policy's document, parsed once (AWS managed from the embedded
        // data): read for the Denies principals hold and for judging.
        let mut managed_docs: HashMap<&str, Option<PolicyDocument>> = HashMap::new();
        for arn in inv.principals.iter().flat_map(|p| p.attached.iter().chain(&p.boundary)) {
            managed_docs.entry(arn).or_insert_with(|| match managed::by_arn(arn) {
                Some(m) => m.document().ok(),
                None => local
                    .get(arn.as_str())
                    .and_then(|l| l.default_document.as_deref())
                    .and_then(|d| PolicyDocument::parse(d).ok()),
            });
        }
        let unknown = empty_document();
        let managed_doc = |arn: &str| managed_docs.get(arn).and_then(Option::as_ref).unwrap_or(&unknown);
        let all_denies = Denies::of(inv, &managed_docs);
        let mut bounded_users = Vec::new();
        let groups: HashMap<&str, &super::ports::PrincipalDetail> = inv
            .principals
            .iter()
            .filter_map(|g| g.target.as_ref().filter(|t| t.kind == PrincipalKind::Group).map(|t| (t.name.as_str(), g)))
            .collect();
        for p in &inv.principals {
            let Some(target) = &p.target else { continue };
            // Within its permissions boundary, when it has one (judged unbounded when the
            // boundary's document is unknown: nothing is missed).
            let limit = limits.of(p, &managed_docs);
            // Every policy judged for the principal, in order, and the detaches they call for.
            let mut policies: Vec<JudgedPolicy> = Vec::new();
            let mut detaches: Vec<(Remediation, usize)> = Vec::new();
            let inline: Vec<(String, Option<PolicyDocument>)> = p
                .inline
                .iter()
                .map(|(name, text)| (format!("inline policy {name}"), PolicyDocument::parse(text).ok()))
                .collect();
            // Every Deny the principal holds (its groups' too): IAM subtracts them from every
            // Allow it holds. Most principals hold none, and their managed policies are judged
            // once for the whole account.
            let denies = all_denies.held(p, &inline);
            for policy_arn in &p.attached {
                let label = managed_label("", policy_arn);
                let held;
                let j = if denies.is_empty() && limit.is_none() {
                    judged_managed.entry(policy_arn).or_insert_with(|| {
                        let doc = managed_doc(policy_arn);
                        self.judge_policy(account_id, label, Some(policy_arn), PolicyKind::Identity, doc)
                    })
                } else {
                    let doc = managed_doc(policy_arn);
                    held = self.judge_held_policy(account_id, label, Some(policy_arn), doc, (&denies, limit.as_ref()));
                    &held
                };
                if self.remediable(j) {
                    let detach = Remediation::Detach { target: target.clone(), policy_arn: policy_arn.clone() };
                    detaches.push((detach, policies.len()));
                }
                policies.push(j.clone());
            }
            for (label, doc) in inline {
                if let Some(doc) = doc {
                    policies.push(self.judge_held_policy(account_id, label, None, &doc, (&denies, limit.as_ref())));
                }
            }
            // A bounded user's groups' policies count within its boundary too (an unbounded
            // user inherits the group's own findings: `inherited_findings`).
            if let (Some(limit), PrincipalKind::User) = (&limit, target.kind) {
                bounded_users.push(p.arn.clone());
                for g in p.groups.iter().filter_map(|g| groups.get(g.as_str())) {
                    for j in self.judge_group_within(account_id, g, (&denies, limit), &managed_doc) {
                        policies.push(j);
                    }
                }
            }
            if let Some(doc) = p.trust.as_deref().and_then(|t| PolicyDocument::parse(t).ok()) {
                policies.push(self.judge_policy(account_id, "trust policy".into(), None, PolicyKind::Trust, &doc));
            }
            findings.extend(policies.iter().flat_map(|j| {
                j.findings.iter().map(|f| SweepFinding {
                    control: None,
                    account_id: account_id.to_string(),
                    principal: target.to_string(),
                    principal_arn: p.arn.clone(),
                    policy: j.label.clone(),
                    policy_arn: j.policy_arn.clone(),
                    finding: f.clone(),
                })
            }));
            candidates.extend(self.sweep_plans((target, p), account_id, &policies, detaches));
        }
        Judged { findings, candidates, policies_judged: judged_managed.len(), bounded_users }
    }
}

impl Guard {
    /// What the sweep does about one principal, decided as the event path decides
    /// ([`decide::decide_on`]): a quarantine when a finding asks for one (nothing more for a
    /// principal holding AWSDenyAll already), else each remediating detach — with the hands-off
    /// rules, the mode and the threshold as facts.
    fn sweep_plans(
        &self,
        (target, p): (&Target, &super::ports::PrincipalDetail),
        account_id: &str,
        held: &[JudgedPolicy],
        detaches: Vec<(Remediation, usize)>,
    ) -> Vec<(Remediation, Plan)> {
        if p.attached.iter().any(|a| a == DENY_ALL) {
            return vec![];
        }
        let info = PrincipalInfo {
            arn: p.arn.clone(),
            path: p.path.clone(),
            tags: p.tags.clone(),
            boundary: p.boundary.clone(),
        };
        let quarantine = held
            .iter()
            .flat_map(|j| &j.findings)
            .any(|f| f.bounded_by.is_none() && self.engine().action(f.rule) == RuleAction::Quarantine);
        let facts = decide::Facts {
            hands_off: self.hands_off_for(target, &info, account_id),
            quarantine: quarantine.then(|| target.clone()),
            ..Default::default()
        };
        let config = self.engine().config();
        if quarantine {
            let plan = decide::decide_on((held, &Proposal::Nothing, false), &facts, config);
            return vec![(Remediation::Quarantine { target: target.clone() }, plan)];
        }
        detaches
            .into_iter()
            .map(|(r, i)| {
                let plan = decide::decide_on((&held[i..=i], &Proposal::Remediate(r.clone()), false), &facts, config);
                (r, plan)
            })
            .collect()
    }
}

/// What a decided plan makes of a sweep's candidate: `None` when it is not an action at all
/// (quiet below the threshold), else pending (`Some(None)`) or not done and why.
pub(super) fn skipped_by(plan: Plan) -> Option<Option<String>> {
    match plan {
        Plan::Remediate { .. } => Some(None),
        Plan::Alert { why: Reason::HandsOff(why), .. } => Some(Some(why.to_string())),
        Plan::Alert { why, .. } => Some(Some(why.to_string())),
        Plan::Clean | Plan::Quiet { .. } | Plan::Ignore { .. } | Plan::NotJudged { .. } => None,
    }
}

/// The Deny statements of the account's identity policies, each policy and group read once.
struct Denies {
    /// Per managed policy ARN (only those with a Deny).
    managed: HashMap<String, Vec<Statement>>,
    /// Per group name: its attached and inline policies' Denies (only groups with one).
    groups: HashMap<String, Vec<Statement>>,
}

impl Denies {
    fn of(inv: &Inventory, managed_docs: &HashMap<&str, Option<PolicyDocument>>) -> Denies {
        let mut managed: HashMap<String, Vec<Statement>> =
            managed_docs.iter().map(|(arn, d)| (arn.to_string(), super::denies_of(d.iter()))).collect();
        managed.retain(|_, d: &mut Vec<Statement>| !d.is_empty());
        let mut groups = HashMap::new();
        for g in &inv.principals {
            let Some(t) = g.target.as_ref().filter(|t| t.kind == PrincipalKind::Group) else { continue };
            let inline: Vec<PolicyDocument> =
                g.inline.iter().filter_map(|(_, t)| PolicyDocument::parse(t).ok()).collect();
            let mut d = super::denies_of(inline.iter());
            for a in &g.attached {
                super::add_unique(&mut d, managed.get(a).into_iter().flatten());
            }
            if !d.is_empty() {
                groups.insert(t.name.clone(), d);
            }
        }
        Denies { managed, groups }
    }

    /// Every Deny a principal holds: attached, inline (parsed by the caller), and for a user its
    /// groups'.
    fn held(&self, p: &super::ports::PrincipalDetail, inline: &[(String, Option<PolicyDocument>)]) -> Vec<Statement> {
        let mut out = super::denies_of(inline.iter().filter_map(|(_, d)| d.as_ref()));
        for a in &p.attached {
            super::add_unique(&mut out, self.managed.get(a).into_iter().flatten());
        }
        for g in &p.groups {
            super::add_unique(&mut out, self.groups.get(g).into_iter().flatten());
        }
        out
    }
}

/// Every boundary and trust policy in the inventory (trust policies URL-decoded).
fn snapshots(inv: &Inventory, account_id: &str) -> Vec<(String, Snapshot, String)> {
    let mut out = Vec::new();
    for p in &inv.principals {
        let Some(target) = &p.target else { continue };
        let arn = target.arn(account_id);
        if let Some(b) = &p.boundary {
            out.push((arn.clone(), Snapshot::Boundary, b.clone()));
        }
        if let Some(t) = p.trust.as_deref().and_then(|t| PolicyText::parse(t).ok()) {
            out.push((arn, Snapshot::Trust, t.text));
        }
    }
    out
}

/// A user holds what its groups hold: each group's findings repeated on its members, labelled with
/// the group, so the report answers "who is effectively admin" per user. Remediation stays on the
/// group (one detach fixes every member).
fn inherited_findings(inv: &Inventory, findings: &[SweepFinding], bounded_users: &[String]) -> Vec<SweepFinding> {
    let groups: HashMap<&str, &str> = inv
        .principals
        .iter()
        .filter_map(|p| {
            p.target.as_ref().filter(|t| t.kind == PrincipalKind::Group).map(|t| (p.arn.as_str(), t.name.as_str()))
        })
        .collect();
    let mut by_group: HashMap<&str, Vec<&SweepFinding>> = HashMap::new();
    for f in findings {
        if let Some(name) = groups.get(f.principal_arn.as_str()) {
            by_group.entry(name).or_default().push(f);
        }
    }
    let mut inherited = Vec::new();
    for p in &inv.principals {
        let Some(target) = p.target.as_ref().filter(|t| t.kind == PrincipalKind::User) else { continue };
        if bounded_users.contains(&p.arn) {
            continue; // judged within its boundary (`judge_group_within`)
        }
        for g in &p.groups {
            inherited.extend(by_group.get(g.as_str()).into_iter().flatten().map(|f| SweepFinding {
                control: None,
                account_id: f.account_id.clone(),
                principal: target.to_string(),
                principal_arn: p.arn.clone(),
                policy: format!("{} via group {g}", f.policy),
                policy_arn: f.policy_arn.clone(),
                finding: f.finding.clone(),
            }));
        }
    }
    inherited
}

pub use super::ports::OrgAccount;

fn is_zero(n: &usize) -> bool {
    *n == 0
}
