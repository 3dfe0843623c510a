//! The decision: a pure function of what was judged, the mode and the alert threshold. The
//! hands-off rules, which may need an IAM read, are applied after it by [`super::Guard::evaluate`].

use super::judge::{Judgement, Proposal};
use super::{Plan, Reason};
use crate::config::Mode;
use crate::severity::Severity;

/// The plan for a judged change.
pub(super) fn decide(j: &Judgement, mode: Mode, min: Severity) -> Plan {
    let Some(worst) = j.judged.iter().flat_map(|p| &p.findings).map(|f| f.severity).max() else {
        // No finding is not clean when a document could not be read.
        if let Some(p) = j.judged.iter().find(|p| p.unknown) {
            return Plan::NotJudged { why: Reason::DocumentUnknown(p.policy_arn.clone().unwrap_or(p.label.clone())) };
        }
        return Plan::Clean;
    };
    if !j.always_alert && worst < min {
        return Plan::Quiet { why: Reason::BelowThreshold(min) };
    }
    match &j.proposal {
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
