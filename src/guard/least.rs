//! The `replace` rule action: least privilege given back. A wide managed policy attached to a
//! role or user is answered by the policy learned from that principal's own CloudTrail records
//! (only what the wide grant was used for), put as an inline policy before the wide grant is
//! detached — when the records are evidence enough (`[least_privilege]`).

use super::judge::Proposal;
use super::ports::{IamRead, PortError};
use super::{Guard, Reason, Remediation};
use crate::arn;
use crate::config::WithoutEvidence;
use crate::eval::Effective;
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
        let Some(records) = iam.trail_records(&change.account_id, from, to).await? else {
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
        if used.is_empty() {
            notes.push(format!(
                "least privilege: in {} calls over {} days nothing {} grants was used: {}, nothing to give back",
                ev.calls,
                ev.days_covered(),
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

    /// A finding at high or above on the learned document (never admin, never an escalation).
    fn learned_finding(&self, account_id: &str, document: &str) -> Option<String> {
        let doc = PolicyDocument::parse(document).ok()?;
        let j = self.judge_policy(account_id, "learned policy".into(), None, PolicyKind::Identity, &doc);
        j.findings.iter().find(|f| f.severity >= Severity::High).map(|f| format!("{}: {}", f.rule, f.message))
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
}

impl SweepSuggestion {
    /// "role app: instead of AmazonS3FullAccess, grant s3:GetObject on …; … (56 calls, 14 days)".
    pub fn line(&self) -> String {
        let grants: Vec<String> = self.document["Statement"]
            .as_array()
            .map(|st| st.iter().map(|s| format!("{} on {}", compact(&s["Action"]), compact(&s["Resource"]))).collect())
            .unwrap_or_default();
        let grants = if grants.is_empty() { "nothing (unused: detach)".to_string() } else { grants.join("; ") };
        format!(
            "{}: instead of {}, grant {grants} ({} calls over {} days)",
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
/// a customer managed one the sweep cannot read is skipped).
pub fn sweep_suggestions(report: &super::sweep::SweepReport, records: &[serde_json::Value]) -> Vec<SweepSuggestion> {
    let mut out = Vec::new();
    for a in &report.actions {
        let Remediation::Detach { target, policy_arn } = &a.remediation else { continue };
        let Some(principal) = principal_of(target, &a.account_id) else { continue };
        let Some(wide) = crate::catalog::managed::by_arn(policy_arn).and_then(|m| m.document().ok()) else { continue };
        let all = suggest(records, &principal);
        let (reach, _) = Effective::of(&wide);
        let used = all.restricted(|id| reach.anywhere.contains(id));
        out.push(SweepSuggestion {
            account_id: a.account_id.clone(),
            principal: target.to_string(),
            policy_arn: policy_arn.clone(),
            calls: all.evidence.calls,
            days: all.evidence.days_covered(),
            document: used.document(),
        });
    }
    out
}
