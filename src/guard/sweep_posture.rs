//! The sweep's account posture: the CIS controls assessed ([`crate::posture`]), their findings
//! added to the report as the rules' configuration says (off, or another severity), and what
//! enforce mode may do about them (opt-in, `[posture]`) added to the report's actions, where the
//! sweep carries them out like any other.

use super::judge::Proposal;
use super::sweep::{SweepAction, SweepFinding, SweepReport};
use super::{Guard, JudgedPolicy, Reason, Remediation};
use crate::intake::Target;
use crate::inventory::Inventory;
use crate::posture::{Control, Facts, PostureFinding, PostureFix};
use crate::rules::{RuleAction, RuleId, Severity};

impl Guard {
    /// Adds the posture of the account (`facts`, and `inv` when the inventory was read) to
    /// `report`: one result per control, the findings, and the fixes enforce mode may make.
    pub(crate) fn audit_posture(&self, facts: &Facts, inv: Option<&Inventory>, report: &mut SweepReport) {
        let admin = |f: &SweepFinding| f.finding.rule == RuleId::Admin && f.finding.bounded_by.is_none();
        let admin_findings = inv.map(|_| report.findings.iter().filter(|f| admin(f)).count());
        for f in report.findings.iter_mut().filter(|f| admin(f)) {
            f.control = Some(Control::NoFullAdmin);
        }
        let assessment = crate::posture::assess(facts, inv, admin_findings);
        for p in assessment.findings {
            let Some(severity) = self.posture_severity(p.finding.rule, p.finding.severity) else { continue };
            if let Some(fix) = &p.fix {
                report.actions.push(self.posture_action(fix, &p, inv, &report.account_id));
            }
            let mut finding = p.finding;
            finding.severity = severity;
            report.findings.push(SweepFinding {
                control: Some(p.control),
                account_id: report.account_id.clone(),
                principal: p.subject,
                principal_arn: p.arn,
                policy: p.control.label(),
                policy_arn: None,
                finding,
            });
        }
        report.findings.sort_by_key(|f| std::cmp::Reverse(f.finding.severity));
        report.actions.sort_by_key(|a| a.remediation.describe());
        report.controls = assessment.controls;
    }

    /// The severity a posture finding is reported at: `None` when its rule is off or ignored;
    /// the configured severity when one is set; else the control's own.
    fn posture_severity(&self, rule: RuleId, own: Severity) -> Option<Severity> {
        let engine = self.engine();
        if engine.severity(rule).is_none() || engine.action(rule) == RuleAction::Ignore {
            return None;
        }
        Some(engine.config().rule(rule.as_str()).and_then(|c| c.severity).unwrap_or(own))
    }

    /// What enforce mode does about `fix`, or why not — decided like every other remediation
    /// ([`super::decide`]): the mode, and whether the user is hands-off.
    fn posture_action(
        &self,
        fix: &PostureFix,
        p: &PostureFinding,
        inv: Option<&Inventory>,
        account: &str,
    ) -> SweepAction {
        let (user, remediation, id_known) = match fix {
            PostureFix::DeactivateKey { user, id, slot } => (
                user,
                Remediation::DeactivateAccessKey {
                    target: Target::user(user),
                    access_key_id: id
                        .clone()
                        .unwrap_or_else(|| format!("<key {slot}: id not in the credential report>")),
                },
                id.is_some(),
            ),
            PostureFix::DeletePassword { user } => {
                (user, Remediation::DeleteLoginProfile { target: Target::user(user) }, true)
            }
        };
        let proposal =
            if id_known { Proposal::Remediate(remediation.clone()) } else { Proposal::AlertOnly(Reason::KeyIdUnknown) };
        let judged = [JudgedPolicy {
            label: p.control.label(),
            policy_arn: None,
            kind: crate::policy::PolicyKind::Identity,
            findings: vec![p.finding.clone()],
            document: None,
            unknown: false,
        }];
        let facts =
            super::decide::Facts { hands_off: self.user_hands_off(user, &p.arn, inv, account), ..Default::default() };
        let plan = super::decide::decide_on((&judged, &proposal, true), &facts, self.engine().config());
        let skipped = super::sweep::skipped_by(plan).flatten();
        SweepAction { account_id: account.to_string(), remediation, skipped, executed: None }
    }

    /// Is the user hands-off (exempt, by tag or configuration)? Its path and tags from the
    /// inventory when it was read.
    fn user_hands_off(&self, user: &str, arn: &str, inv: Option<&Inventory>, account: &str) -> Option<super::HandsOff> {
        let target = Target::user(user);
        let detail = inv.and_then(|i| i.principals.iter().find(|d| d.target.as_ref() == Some(&target)));
        let info = super::ports::PrincipalInfo {
            arn: detail.map_or_else(|| arn.to_string(), |d| d.arn.clone()),
            path: detail.map_or_else(|| "/".into(), |d| d.path.clone()),
            tags: detail.map(|d| d.tags.clone()).unwrap_or_default(),
            boundary: None,
        };
        self.hands_off_for(&target, &info, account)
    }
}
