//! The `replace` rule action: least privilege given back. A wide managed policy attached to a
//! role or user is answered by the policy learned from that principal's own CloudTrail records
//! (only what the wide grant was used for), put as an inline policy before the wide grant is
//! detached — when the records are evidence enough (`[least_privilege]`).

use super::judge::Proposal;
use super::ports::{IamRead, PortError};
use super::{Guard, Reason, Remediation};
use crate::arn;
use crate::config::WithoutEvidence;
use crate::eval::{ActionSet, Effective};
use crate::intake::{Change, PrincipalKind, Target};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::rules::{RuleAction, Severity};
use crate::suggest::{suggest, Principal, Suggestion};

/// The wide grant a replacement takes away: a managed policy (detached) or an inline one
/// (deleted; its document travels in the alert and the undo).
#[derive(Debug, Clone, Copy)]
pub(super) enum Wide<'a> {
    /// A managed policy, by ARN.
    Managed(&'a str),
    /// An inline policy: name and document text.
    Inline(&'a str, &'a str),
}

impl Wide<'_> {
    /// `AmazonS3FullAccess`, `inline policy app-all`.
    fn label(&self) -> String {
        match self {
            Wide::Managed(arn) => arn::resource_name(arn).to_string(),
            Wide::Inline(name, _) => format!("inline policy {name}"),
        }
    }

    /// What taking it away is called in notes.
    fn verb(&self) -> &'static str {
        match self {
            Wide::Managed(_) => "detached",
            Wide::Inline(..) => "deleted",
        }
    }

    /// Taking it away without giving anything back.
    fn removal(&self, target: &Target) -> Remediation {
        match *self {
            Wide::Managed(arn) => Remediation::Detach { target: target.clone(), policy_arn: arn.into() },
            Wide::Inline(name, text) => {
                Remediation::DeleteInline { target: target.clone(), policy_name: name.into(), document: text.into() }
            }
        }
    }

    /// Taking it away and putting the learned policy in its place.
    fn replaced(&self, target: &Target, document: String) -> Remediation {
        let target = target.clone();
        match *self {
            Wide::Managed(arn) => {
                Remediation::Replace { target, policy_arn: arn.into(), policy_name: policy_name(arn), document }
            }
            Wide::Inline(name, text) => Remediation::ReplaceInline {
                target,
                policy_name: name.into(),
                original: text.into(),
                learned_name: policy_name(&format!("inline-{name}")),
                document,
            },
        }
    }
}

/// The inline policy a replacement puts: named after the policy it replaces.
pub(crate) fn policy_name(policy_arn: &str) -> String {
    let name = format!("iam-guard-least-privilege-{}", arn::resource_name(policy_arn));
    name.chars().take(128).collect()
}

impl Guard {
    /// Do the findings on this judged policy call for `replace`?
    pub(super) fn wants_replace(&self, findings: &[crate::rules::Finding]) -> bool {
        findings.iter().any(|f| self.engine.action(f.rule) == RuleAction::Replace)
    }

    /// Does some finding call for a plain `remediate` (then a grant is never left in place for
    /// want of evidence: it is detached, as without `replace`)?
    fn must_remediate(&self, findings: &[crate::rules::Finding]) -> bool {
        findings.iter().any(|f| self.engine.action(f.rule) == RuleAction::Remediate)
    }

    /// The answer to a remediable wide grant (`grant`, document `wide`) on `target` whose
    /// findings call for `replace`: the learned policy in its place, a plain removal when nothing
    /// was used, or (without enough evidence) what `without_evidence` says — a removal when some
    /// finding says plain `remediate`. Reads the trail once.
    pub(super) async fn replacement<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        target: &Target,
        (grant, wide): (Wide<'_>, &PolicyDocument),
        findings: &[crate::rules::Finding],
        notes: &mut Vec<String>,
    ) -> Result<Proposal, PortError> {
        let detach = grant.removal(target);
        let lp = &self.engine.config().least_privilege;
        let keep = lp.without_evidence == WithoutEvidence::Alert && !self.must_remediate(findings);
        let short = |why: String, notes: &mut Vec<String>| {
            notes.push(why);
            if keep {
                Proposal::AlertOnly(Reason::LearningLeastPrivilege)
            } else {
                Proposal::Remediate(detach.clone())
            }
        };
        let Some(principal) = principal_of(target, &change.account_id) else {
            return Ok(Proposal::Remediate(detach));
        };
        let to = change.event_time.date_naive();
        let from = to - chrono::Duration::days(i64::from(lp.lookback_days));
        let Some(records) = iam.trail_records(&change.account_id, &principal, (from, to)).await? else {
            let why = "least privilege: the guard has no CloudTrail trail to learn from (IAM_GUARD_TRAIL_BUCKET)";
            return Ok(short(why.into(), notes));
        };
        let before = records.iter().filter(|r| recorded_before(r, change));
        let all = suggest(before, &principal);
        let (reach, _) = Effective::of(wide);
        let used = all.restricted(|id| reach.anywhere.contains(id));
        let ev = &all.evidence;
        if ev.days_covered() < i64::from(lp.min_days) || ev.calls < lp.min_calls {
            let until = ev.first.map_or(to, |f| f.date_naive()) + chrono::Duration::days(i64::from(lp.min_days));
            let mut why = format!(
                "least privilege: learning until about {until} — {} calls of {} over {} days so far (needs {} calls \
                 over {} days)",
                ev.calls,
                principal.name,
                ev.days_covered(),
                lp.min_calls,
                lp.min_days
            );
            if !used.is_empty() {
                why.push_str(&format!("; what it used {} for so far: {}", grant.label(), minified(&used)));
            }
            return Ok(short(why, notes));
        }
        let checked = self.check_last_accessed(iam, (target, &principal, grant), all, (from, &reach), notes).await?;
        let (all, used) = match checked {
            Ok(both) => both,
            Err(gap) => return Ok(short(format!("least privilege: {gap}"), notes)),
        };
        if used.is_empty() {
            notes.push(format!(
                "least privilege: in {} calls over {} days nothing {} grants was used: {}, nothing to give back",
                all.evidence.calls,
                all.evidence.days_covered(),
                grant.label(),
                grant.verb()
            ));
            return Ok(Proposal::Remediate(detach));
        }
        let document = minified(&used);
        if let Some(worse) = self.learned_finding(&change.account_id, &document) {
            notes.push(format!(
                "least privilege: the learned policy is itself a finding ({worse}): {} only",
                grant.verb()
            ));
            return Ok(Proposal::Remediate(detach));
        }
        notes.push(evidence_note(&used, &all, &grant.label()));
        Ok(Proposal::Remediate(grant.replaced(target, document)))
    }

    /// Checks the learned suggestion against IAM's last-accessed data (when configured and
    /// readable): resource-less actions it shows are added; an action (or service) it shows
    /// attempted that the records lack, that the wide grant allowed and that nothing else the
    /// principal holds allows, is a gap — `Err` saying which.
    async fn check_last_accessed<R: IamRead>(
        &self,
        iam: &R,
        (target, principal, grant): (&Target, &Principal, Wide<'_>),
        mut all: Suggestion,
        (from, reach): (chrono::NaiveDate, &Effective),
        notes: &mut Vec<String>,
    ) -> Result<Result<(Suggestion, Suggestion), String>, PortError> {
        if self.engine.config().least_privilege.last_accessed {
            match iam.last_accessed(&principal.arn).await {
                Ok(Some(report)) => all.reconcile(&report, from.and_time(chrono::NaiveTime::MIN).and_utc()),
                Ok(None) => {}
                Err(e) => notes
                    .push(format!("least privilege: IAM last-accessed data not read ({e}): the records alone decide")),
            }
        }
        let mut gaps: Vec<(&String, &chrono::DateTime<chrono::Utc>)> =
            all.evidence.unseen().filter(|(a, _)| reaches(&reach.anywhere, a)).collect();
        if !gaps.is_empty() {
            let kept = self.kept_reach(iam, target, grant, notes).await?;
            gaps.retain(|(a, _)| !reaches(&kept, a));
        }
        if !gaps.is_empty() {
            let named: Vec<String> =
                gaps.iter().map(|(a, at)| format!("{a} (last {})", at.format("%Y-%m-%d"))).collect();
            return Ok(Err(format!(
                "IAM last-accessed data shows {} attempted, which the records ({} calls) do not show (no data \
                 events?) and nothing else the principal holds allows: the learned policy would break that work",
                named.join(", "),
                all.evidence.calls
            )));
        }
        let used = all.restricted(|id| reach.anywhere.contains(id));
        Ok(Ok((all, used)))
    }

    /// What the principal's other policies (all but the wide grant; a user's groups' too) allow
    /// somewhere.
    async fn kept_reach<R: IamRead>(
        &self,
        iam: &R,
        target: &Target,
        grant: Wide<'_>,
        notes: &mut Vec<String>,
    ) -> Result<ActionSet, PortError> {
        let mut holders = vec![target.clone()];
        if target.kind == PrincipalKind::User {
            holders.extend(iam.groups_for_user(&target.name).await?.iter().map(|g| Target::group(g)));
        }
        let mut docs = Vec::new();
        for h in &holders {
            for arn in iam.attached_policies(h).await? {
                if !(h == target && matches!(grant, Wide::Managed(w) if w == arn)) {
                    docs.push(self.read_managed(iam, &arn, notes).await?.0);
                }
            }
            for (name, text) in iam.inline_policies(h).await? {
                let wide = h == target && matches!(grant, Wide::Inline(w, _) if w == name);
                docs.extend(PolicyDocument::parse(&text).ok().filter(|_| !wide));
            }
        }
        let mut kept = ActionSet::empty();
        for d in &docs {
            kept.union_with(&Effective::of(d).0.anywhere);
        }
        Ok(kept)
    }

    /// A finding at high or above on the learned document (never admin, never an escalation).
    fn learned_finding(&self, account_id: &str, document: &str) -> Option<String> {
        let doc = PolicyDocument::parse(document).ok()?;
        let j = self.judge_policy(account_id, "learned policy".into(), None, PolicyKind::Identity, &doc);
        j.findings.iter().find(|f| f.severity >= Severity::High).map(|f| format!("{}: {}", f.rule, f.message))
    }
}

/// Does `set` hold `action` (`s3:GetObject`), or any action of `svc:*`?
fn reaches(set: &ActionSet, action: &str) -> bool {
    let catalog = crate::catalog::Catalog::global();
    match action.strip_suffix(":*") {
        Some(ns) => {
            catalog.service(ns).is_some_and(|s| s.ids().any(|i| set.contains(crate::catalog::ActionId::from_index(i))))
        }
        None => catalog.lookup_id(action).is_some_and(|id| set.contains(id)),
    }
}

/// The role or user a target names (groups have no calls of their own).
fn principal_of(target: &Target, account_id: &str) -> Option<Principal> {
    match target.kind {
        PrincipalKind::Role | PrincipalKind::User => Principal::parse(&target.arn(account_id)).ok(),
        PrincipalKind::Group => None,
    }
}

/// Was the record made before the change (what the principal did while it held what it had)?
fn recorded_before(r: &serde_json::Value, change: &Change) -> bool {
    r["eventTime"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| t.to_utc() < change.event_time)
}

fn minified(s: &Suggestion) -> String {
    s.document().to_string()
}

/// "least privilege learned from 56 calls over 14 days (…): dynamodb:Scan ×14 on …".
fn evidence_note(used: &Suggestion, all: &Suggestion, label: &str) -> String {
    let ev = &all.evidence;
    let actions: Vec<String> = used
        .grants
        .iter()
        .map(|(a, r)| {
            let n = ev.per_action.get(a).copied().unwrap_or(0);
            format!("{a} ×{n} on {}", r.iter().cloned().collect::<Vec<_>>().join(", "))
        })
        .collect();
    let span = match (ev.first, ev.last) {
        (Some(f), Some(l)) => format!(" ({} to {})", f.format("%Y-%m-%d"), l.format("%Y-%m-%d")),
        _ => String::new(),
    };
    format!(
        "least privilege learned from {} calls over {} days{span}: of {}, the principal used {}",
        ev.calls,
        ev.days_covered(),
        label,
        actions.join("; ")
    )
}

/// What a sweep's principal needs of one wide grant, learned from CloudTrail.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SweepSuggestion {
    /// The account.
    pub account_id: String,
    /// "role app".
    pub principal: String,
    /// The wide managed policy the sweep detaches (or would).
    pub policy_arn: String,
    /// Successful calls of the principal in the records.
    pub calls: usize,
    /// Days the records cover.
    pub days: i64,
    /// The policy that allows what the principal used the grant for (empty Statement: nothing).
    pub document: serde_json::Value,
    /// What IAM's last-accessed data shows the principal attempted under this grant that the
    /// records lack (`s3:GetObject`, `dynamodb:*`): the document alone would break that work.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unseen: Vec<String>,
}

impl SweepSuggestion {
    /// "role app: instead of AmazonS3FullAccess, grant s3:GetObject on …; … (56 calls, 14 days)".
    pub fn line(&self) -> String {
        let grants: Vec<String> = self.document["Statement"]
            .as_array()
            .map(|st| st.iter().map(|s| format!("{} on {}", compact(&s["Action"]), compact(&s["Resource"]))).collect())
            .unwrap_or_default();
        let grants = if grants.is_empty() { "nothing (unused: detach)".to_string() } else { grants.join("; ") };
        let unseen = if self.unseen.is_empty() {
            String::new()
        } else {
            format!("; IAM last-accessed shows {} used too, which the records lack", self.unseen.join(", "))
        };
        format!(
            "{}: instead of {}, grant {grants} ({} calls over {} days{unseen})",
            self.principal,
            arn::resource_name(&self.policy_arn),
            self.calls,
            self.days
        )
    }
}

fn compact(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(", "),
        other => other.as_str().unwrap_or_default().to_string(),
    }
}

/// Least privilege for every managed grant the sweep detaches (or would) from a role or user:
/// what the principal used it for in the records (AWS managed documents from the embedded data;
/// a customer managed one the sweep cannot read is skipped), checked against the principal's
/// last-accessed report where one was read (by principal ARN).
pub fn sweep_suggestions(
    report: &super::sweep::SweepReport,
    records: &[serde_json::Value],
    last_accessed: &std::collections::BTreeMap<String, crate::suggest::LastAccessed>,
) -> Vec<SweepSuggestion> {
    let mut out = Vec::new();
    for a in &report.actions {
        let Remediation::Detach { target, policy_arn } = &a.remediation else { continue };
        let Some(principal) = principal_of(target, &a.account_id) else { continue };
        let Some(wide) = crate::catalog::managed::by_arn(policy_arn).and_then(|m| m.document().ok()) else { continue };
        let mut all = suggest(records, &principal);
        if let Some(la) = last_accessed.get(&principal.arn) {
            all.reconcile_over_records(la);
        }
        let (reach, _) = Effective::of(&wide);
        let used = all.restricted(|id| reach.anywhere.contains(id));
        out.push(SweepSuggestion {
            account_id: a.account_id.clone(),
            principal: target.to_string(),
            policy_arn: policy_arn.clone(),
            calls: all.evidence.calls,
            days: all.evidence.days_covered(),
            document: used.document(),
            unseen: all
                .evidence
                .unseen()
                .filter(|(u, _)| reaches(&reach.anywhere, u))
                .map(|(u, _)| u.clone())
                .collect(),
        });
    }
    out
}

/// The roles and users (ARNs) whose grants the sweep detaches (or would): whose last-accessed
/// reports a live sweep reads.
pub fn sweep_principals(report: &super::sweep::SweepReport) -> std::collections::BTreeSet<String> {
    report
        .actions
        .iter()
        .filter_map(|a| match &a.remediation {
            Remediation::Detach { target, .. } => principal_of(target, &a.account_id).map(|p| p.arn),
            _ => None,
        })
        .collect()
}
