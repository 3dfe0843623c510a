//! The decision: one pure function of what was judged and the facts gathered about the change —
//! whether it is to be answered at all, who made it (infrastructure as code), whether its target
//! is hands-off, whether a finding asks for quarantine — with the mode and the alert threshold.
//! The event path, the offline replay and the sweep all decide here; gathering the facts (which
//! may read IAM) is theirs, deciding is not.

use super::judge::{Judgement, Proposal};
use super::{JudgedPolicy, Plan, Reason, Remediation};
use crate::config::{Config, Mode};
use crate::intake::Target;
use crate::severity::Severity;

/// What is known about a change besides its judgement.
#[derive(Debug, Clone, Default)]
pub(super) struct Facts {
    /// Not answered at all, and why (the guard's own change, a refused call it did not cause).
    pub(super) ignore: Option<Reason>,
    /// Made by infrastructure as code, while such changes are alert-only: who.
    pub(super) iac: Option<String>,
    /// Why the guard must not change the principal or permission set it would act on.
    pub(super) hands_off: Option<super::HandsOff>,
    /// A finding whose rule action is `quarantine`: quarantine this principal instead.
    pub(super) quarantine: Option<Target>,
}

/// The plan for a judged change, given the facts.
pub(super) fn decide(j: &Judgement, facts: &Facts, config: &Config) -> Plan {
    decide_on((&j.judged, &j.proposal, j.always_alert), facts, config)
}

/// [`decide`] on judged policies and a proposal held elsewhere (the sweep's, per principal).
pub(super) fn decide_on(
    (judged, proposal, always_alert): (&[JudgedPolicy], &Proposal, bool),
    facts: &Facts,
    config: &Config,
) -> Plan {
    if let Some(why) = &facts.ignore {
        return Plan::Ignore { why: why.clone() };
    }
    let quarantine = facts.quarantine.clone().map(|target| Proposal::Remediate(Remediation::Quarantine { target }));
    let proposal = quarantine.as_ref().unwrap_or(proposal);
    let plan = judged_plan((judged, always_alert), proposal, config.mode, config.alert_min_severity);
    if plan.remediation().is_none() {
        return plan;
    }
    if let Some(who) = &facts.iac {
        return Plan::Alert { why: Reason::InfrastructureAsCode(who.clone()), would: None };
    }
    if let Some(why) = &facts.hands_off {
        return Plan::Alert { why: Reason::HandsOff(why.clone()), would: None };
    }
    plan
}

/// The plan once what IAM holds after the change (and the guard's answer) is known to put
/// principals on paths to admin, the worst at `severity`: a change clean or quiet alone now
/// alerts; any other plan stands.
pub(super) fn with_paths_to_admin(plan: Plan, severity: Severity, config: &Config) -> Plan {
    if severity >= config.alert_min_severity && matches!(plan, Plan::Clean | Plan::Quiet { .. }) {
        return Plan::Alert { why: Reason::OpensPathToAdmin, would: None };
    }
    plan
}

/// The plan from the findings alone: clean, quiet below the threshold, or what the proposal
/// calls for in this mode.
fn judged_plan(
    (judged, always_alert): (&[JudgedPolicy], bool),
    proposal: &Proposal,
    mode: Mode,
    min: Severity,
) -> Plan {
    let Some(worst) = judged.iter().flat_map(|p| &p.findings).map(|f| f.severity).max() else {
        // No finding is not clean when a document could not be read.
        if let Some(p) = judged.iter().find(|p| p.unknown) {
            return Plan::NotJudged { why: Reason::DocumentUnknown(p.policy_arn.clone().unwrap_or(p.label.clone())) };
        }
        return Plan::Clean;
    };
    if !always_alert && worst < min {
        return Plan::Quiet { why: Reason::BelowThreshold(min) };
    }
    match proposal {
        Proposal::AlertOnly(why) => Plan::Alert { why: why.clone(), would: None },
        Proposal::Remediate(r) => match mode {
            Mode::Alert => Plan::Alert { why: Reason::AlertMode, would: Some(r.clone()) },
            Mode::Enforce => Plan::Remediate { remediation: r.clone() },
        },
        Proposal::Nothing => Plan::Alert { why: Reason::NoRemediatingRule, would: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(j: &Judgement, mode: Mode, min: Severity) -> Plan {
        let config = Config { mode, alert_min_severity: min, ..Config::default() };
        super::decide(j, &Facts::default(), &config)
    }
    use crate::guard::{JudgedPolicy, Remediation};
    use crate::intake::Target;
    use crate::policy::PolicyKind;
    use crate::rules::Finding;

    fn judged(severities: &[Severity]) -> Vec<JudgedPolicy> {
        let findings = severities
            .iter()
            .map(|&severity| Finding {
                bounded_by: None,
                rule: crate::rules::RuleId::Admin,
                paths: Vec::new(),
                severity,
                message: String::new(),
                evidence: vec![],
                hint: String::new(),
            })
            .collect();
        vec![JudgedPolicy {
            label: "p".into(),
            policy_arn: None,
            kind: PolicyKind::Identity,
            findings,
            document: None,
            unknown: false,
        }]
    }

    fn detach() -> Remediation {
        Remediation::Detach {
            target: Target::role("app"),
            policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
        }
    }

    fn j(severities: &[Severity], proposal: Proposal, always_alert: bool) -> Judgement {
        Judgement { judged: judged(severities), notes: vec![], proposal, always_alert, principal: None }
    }

    #[test]
    fn clean_quiet_and_always_alert() {
        assert_eq!(decide(&j(&[], Proposal::Nothing, true), Mode::Enforce, Severity::High), Plan::Clean);
        assert_eq!(
            decide(&j(&[Severity::Medium], Proposal::Remediate(detach()), false), Mode::Enforce, Severity::High),
            Plan::Quiet { why: Reason::BelowThreshold(Severity::High) }
        );
        assert_eq!(
            decide(
                &j(&[Severity::Medium], Proposal::AlertOnly(Reason::Credentials), true),
                Mode::Alert,
                Severity::High
            ),
            Plan::Alert { why: Reason::Credentials, would: None }
        );
    }

    #[test]
    fn an_unread_document_is_not_clean() {
        let mut jd = j(&[], Proposal::Nothing, false);
        jd.judged[0].unknown = true;
        jd.judged[0].policy_arn = Some("arn:aws:iam::111122223333:policy/app".into());
        assert_eq!(
            decide(&jd, Mode::Enforce, Severity::High),
            Plan::NotJudged { why: Reason::DocumentUnknown("arn:aws:iam::111122223333:policy/app".into()) }
        );
        // A finding on another policy of the change still decides.
        let mut jd = j(&[Severity::Critical], Proposal::Nothing, false);
        jd.judged.push(JudgedPolicy { unknown: true, findings: vec![], ..jd.judged[0].clone() });
        assert_eq!(
            decide(&jd, Mode::Alert, Severity::High),
            Plan::Alert { why: Reason::NoRemediatingRule, would: None }
        );
    }

    #[test]
    fn mode_decides_between_alert_and_remediate() {
        let jd = j(&[Severity::Critical, Severity::Low], Proposal::Remediate(detach()), false);
        assert_eq!(
            decide(&jd, Mode::Alert, Severity::High),
            Plan::Alert { why: Reason::AlertMode, would: Some(detach()) }
        );
        assert_eq!(decide(&jd, Mode::Enforce, Severity::High), Plan::Remediate { remediation: detach() });
        assert_eq!(
            decide(&j(&[Severity::High], Proposal::Nothing, false), Mode::Enforce, Severity::High),
            Plan::Alert { why: Reason::NoRemediatingRule, would: None }
        );
        assert_eq!(
            decide(
                &j(&[Severity::High], Proposal::AlertOnly(Reason::InlineOrTrust), false),
                Mode::Enforce,
                Severity::High
            ),
            Plan::Alert { why: Reason::InlineOrTrust, would: None }
        );
    }
}
