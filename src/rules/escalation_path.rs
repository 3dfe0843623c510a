//! `escalation-path`: a principal that is not admin can become admin through other principals
//! of the account (the escalation graph, [`crate::graph`]). It judges the account, not a
//! document: the sweep (live or `--input FILE`) raises it, one finding per principal with its
//! shortest path.

use super::*;

pub(super) struct EscalationPathRule;

impl Rule for EscalationPathRule {
    fn id(&self) -> RuleId {
        RuleId::EscalationPath
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "A principal that is not admin can become admin through other principals (assume, pass, or rewrite its way there)."
    }
    fn doc(&self) -> &'static str {
        "The sweep's escalation graph: a user or role that does not hold admin but can reach it — assuming a role, passing one to a service that runs code, creating another user's credentials, joining a group, rewriting a trust or its own policies — with the shortest path, each hop with its reason. Critical when a principal outside the account can reach the start."
    }
    fn applies_to(&self, _kind: PolicyKind) -> bool {
        false
    }
    fn check(&self, _cx: &Ctx<'_>, _doc: &PolicyDocument, _out: &mut Vec<Finding>) {}
}
