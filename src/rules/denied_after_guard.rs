//! `denied-after-guard`: a principal the guard narrowed (detached a grant, replaced it with least
//! privilege, deleted an inline policy, quarantined it) was then refused a call. It judges a
//! change, not a document: the guard raises it for a denied call (CloudTrail `errorCode`
//! AccessDenied, `Client.UnauthorizedOperation`, …) of a principal its ledger shows it narrowed
//! within the window, and says exactly what to grant, or how to undo.

use super::*;

pub(crate) struct DeniedAfterGuard;

impl Rule for DeniedAfterGuard {
    fn id(&self) -> RuleId {
        RuleId::DeniedAfterGuard
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "A principal the guard narrowed was then refused a call: the guard may have broken a workload."
    }
    fn doc(&self) -> &'static str {
        "A denied call (AccessDenied, UnauthorizedOperation) by a role or user within 14 days after the guard detached, replaced or deleted one of its grants (the ledger's history; the answer whose removed grant allowed the call first): the alert names the guard's event, the exact action and resource to grant, and the undo command. When the guard's answer was `replace`, enforce mode adds that exact grant (an inline policy) unless the grant is itself a finding at high or above."
    }
    fn judges(&self) -> Judges {
        Judges::Change
    }
}

/// The finding: `principal` was refused `call` (each needed action with its resources) after the
/// guard's answer `what` to event `event_id`.
pub(crate) fn finding(
    base: Severity,
    principal: &str,
    call: &str,
    needs: &[(String, Vec<String>)],
    what: &str,
    event_id: &str,
) -> Finding {
    let grant: Vec<String> = needs.iter().map(|(a, r)| format!("{a} on {}", r.join(", "))).collect();
    Finding {
        bounded_by: None,
        rule: DeniedAfterGuard.id(),
        paths: Vec::new(),
        severity: base,
        message: format!("{principal} was denied {call} after iam-guard's answer to event {event_id}: {what}"),
        evidence: vec![],
        hint: format!(
            "If the workload needs it, grant exactly {}; or put back what the guard changed: iam-guard undo {event_id}",
            if grant.is_empty() { call.to_string() } else { grant.join("; ") }
        ),
    }
}
