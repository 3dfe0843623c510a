//! The guard notices what it broke: a call refused to a principal the guard narrowed shortly
//! before (the ledger's history) is matched to the guard's own answer. The alert names that
//! answer, the exact grant and the undo; when the answer was `replace` (the principal is given
//! least privilege back), enforce mode adds the exact grant — only when the grant the guard took
//! away allowed that call, and never one that is itself a finding at high or above.

use super::judge::{Judgement, Proposal};
use super::ports::LedgerEntry;
use super::{Guard, JudgedPolicy, Reason, Remediation};
use crate::intake::{Change, Target};
use crate::policy::PolicyKind;
use crate::rules::{denied_after_guard, Rule, RuleAction};
use serde_json::json;

/// How long after the guard's answer a denied call is taken as its consequence.
pub(crate) const WINDOW_DAYS: i64 = 14;

/// The guard's answer that narrowed the principal before `change`, within the window and not
/// undone since: the most recent one whose removed grant allowed the refused call, else the most
/// recent one.
pub(crate) fn narrowing(
    history: &[LedgerEntry],
    change: &Change,
    needs: &[(String, Vec<String>)],
) -> Option<LedgerEntry> {
    let undone = |id: &str| history.iter().any(|e| e.event_id == format!("undo-{id}"));
    let candidates: Vec<&LedgerEntry> = history
        .iter()
        .rev()
        .filter(|e| {
            matches!(e.executed, Some(super::Executed::Done | super::Executed::AlreadyDone))
                && e.remediation.as_ref().is_some_and(narrows)
        })
        .filter(|e| !undone(&e.event_id) && in_window(e, change))
        .collect();
    let allowed_it = |e: &&&LedgerEntry| e.remediation.as_ref().and_then(removed).is_some_and(|d| allows(&d, needs));
    candidates.iter().find(allowed_it).or(candidates.first()).map(|e| (*e).clone())
}

/// Was the entry's event at most the window before the change?
fn in_window(e: &LedgerEntry, change: &Change) -> bool {
    // The narrowing event's own time (a replay answers long after), else when it was answered.
    let when = e.event_time.as_deref().unwrap_or(&e.answered_at);
    chrono::DateTime::parse_from_rfc3339(when).is_ok_and(|t| {
        let t = t.to_utc();
        t <= change.event_time && change.event_time - t <= chrono::Duration::days(WINDOW_DAYS)
    })
}

/// Does a remediation take permissions away from a principal? (Quarantine is meant to refuse
/// everything: its denials are no surprise.)
fn narrows(r: &Remediation) -> bool {
    matches!(
        r,
        Remediation::Detach { .. }
            | Remediation::Replace { .. }
            | Remediation::DeleteInline { .. }
            | Remediation::ReplaceInline { .. }
    )
}

/// The document a remediation took away, when the guard knows it (AWS managed: embedded).
fn removed(r: &Remediation) -> Option<crate::policy::PolicyDocument> {
    match r {
        Remediation::Detach { policy_arn, .. } | Remediation::Replace { policy_arn, .. } => {
            crate::catalog::managed::by_arn(policy_arn).and_then(|m| m.document().ok())
        }
        Remediation::DeleteInline { document, .. } | Remediation::ReplaceInline { original: document, .. } => {
            crate::policy::PolicyDocument::parse(document).ok()
        }
        _ => None,
    }
}

/// Did the document allow one of the needed actions on its resources?
fn allows(doc: &crate::policy::PolicyDocument, needs: &[(String, Vec<String>)]) -> bool {
    use crate::eval::request::{authorize, Context, Decision, Held, Request};
    let ctx = Context::default();
    let held = [Held { label: "removed", doc }];
    needs.iter().any(|(action, resources)| {
        resources.iter().any(|resource| {
            authorize(&Request { action, resource, context: &ctx }, &held, None, &[]).decision == Decision::Allowed
        })
    })
}

/// The inline policy that grants exactly what was denied (named after the call and its grant).
fn grant_name(change: &Change, needs: &[(String, Vec<String>)]) -> String {
    let h = format!("{needs:?}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let name = format!("iam-guard-granted-{}-{:08x}", change.event_name, h as u32);
    name.chars().filter(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c)).take(128).collect()
}

impl Guard {
    /// Judges a denied call against the guard's own narrowing answer `by`.
    pub(super) fn judge_denied(
        &self,
        change: &Change,
        target: &Target,
        (call, needs): (&str, &[(String, Vec<String>)]),
        by: &LedgerEntry,
    ) -> Judgement {
        let rule = denied_after_guard::DeniedAfterGuard.id();
        let Some(base) = self.engine.severity(rule).filter(|_| self.engine.action(rule) != RuleAction::Ignore) else {
            return Judgement {
                judged: vec![],
                notes: vec![],
                proposal: Proposal::Nothing,
                always_alert: false,
                principal: None,
            };
        };
        let what = by.remediation.as_ref().map_or_else(|| by.decision.clone(), |r| r.describe());
        let principal = target.to_string();
        let finding = denied_after_guard::finding(base, &principal, call, needs, &what, &by.event_id);
        let judged = vec![JudgedPolicy {
            label: format!("denied call of {principal}"),
            policy_arn: None,
            kind: PolicyKind::Identity,
            findings: vec![finding],
            document: None,
            unknown: false,
        }];
        let notes = vec![format!("undo what the guard did: iam-guard undo {}", by.event_id)];
        // Only what the guard's own change took away is given back: a refused call the wide grant
        // never allowed (someone probing with the role's credentials) gets an alert, not a grant.
        let broke = by.remediation.as_ref().and_then(removed).is_some_and(|d| allows(&d, needs));
        let proposal = match &by.remediation {
            Some(Remediation::Replace { .. } | Remediation::ReplaceInline { .. }) if broke && !needs.is_empty() => {
                self.exact_grant(change, target, needs)
            }
            _ => Proposal::AlertOnly(Reason::WorkloadDenied),
        };
        Judgement { judged, notes, proposal, always_alert: true, principal: None }
    }

    /// The exact grant of a denied call, when it is no finding at high or above.
    fn exact_grant(&self, change: &Change, target: &Target, needs: &[(String, Vec<String>)]) -> Proposal {
        let statements: Vec<serde_json::Value> = needs
            .iter()
            .map(|(a, r)| json!({"Effect": "Allow", "Action": a, "Resource": if r.len() == 1 { json!(r[0]) } else { json!(r) }}))
            .collect();
        let document = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
        let judged = crate::policy::PolicyDocument::parse(&document)
            .map(|d| self.judge_policy(&change.account_id, "grant".into(), None, PolicyKind::Identity, &d));
        match judged {
            Ok(j) if j.findings.iter().all(|f| f.severity < crate::rules::Severity::High) => {
                Proposal::Remediate(Remediation::Grant {
                    target: target.clone(),
                    policy_name: grant_name(change, needs),
                    document,
                })
            }
            _ => Proposal::AlertOnly(Reason::WorkloadDenied),
        }
    }
}
