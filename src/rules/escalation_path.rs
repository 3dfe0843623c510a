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
    fn judges(&self) -> Judges {
        Judges::Account
    }
}

/// The finding on a change that put principals on paths to admin: `described` are the paths
/// (each as the graph describes it), at most `shown` told; critical when one starts outside.
pub(crate) fn change_finding(base: Severity, described: &[String], shown: usize, from_outside: bool) -> Finding {
    let severity = if from_outside { Severity::Critical } else { base };
    let mut message = format!("{} principal(s) can now become admin through this change: ", described.len());
    message.push_str(&described.iter().take(shown).cloned().collect::<Vec<_>>().join("; "));
    if described.len() > shown {
        message.push_str(&format!("; … and {} more (iam-guard sweep lists them all)", described.len() - shown));
    }
    Finding {
        bounded_by: None,
        rule: RuleId::EscalationPath,
        paths: vec![],
        severity,
        message,
        evidence: vec![],
        hint: "Cut the first hop of each path: scope the grant to what the principal needs, or bound it \
               with a permissions boundary."
            .into(),
    }
}

/// One path to admin as the sweep finds it: the principal (`label`) can become admin in `hops`
/// hops along `described`, whose first hop is `first`.
pub(crate) struct PrincipalPath<'a> {
    pub(crate) label: &'a str,
    pub(crate) hops: usize,
    pub(crate) described: String,
    pub(crate) first: &'a str,
    pub(crate) from_outside: bool,
}

/// The sweep's finding for one principal on a path to admin.
pub(crate) fn principal_finding(base: Severity, p: &PrincipalPath<'_>) -> Finding {
    let severity = if p.from_outside { Severity::Critical } else { base };
    let outside = if p.from_outside { " (and a principal outside the account can reach it)" } else { "" };
    Finding {
        bounded_by: None,
        rule: RuleId::EscalationPath,
        paths: vec![],
        severity,
        message: format!("can become admin in {} hop(s){outside}: {}", p.hops, p.described),
        evidence: vec![],
        hint: format!(
            "Cut the first hop ({}): scope it to the resources {} needs, or bound the principal \
             with a permissions boundary.",
            p.first, p.label
        ),
    }
}
