//! `MfaMissing`: see its `doc`. It judges the account (posture, [`crate::posture`]): its findings are built where
//! the controls are assessed, not from a document.

use super::*;

pub(crate) struct MfaMissing;

impl Rule for MfaMissing {
    fn id(&self) -> RuleId {
        RuleId::MfaMissing
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "A user who can sign in to the console has no MFA, or an MFA device was taken away."
    }
    fn doc(&self) -> &'static str {
        "CIS 1.10 in the sweep (a console password without MFA: high); on the event path DeactivateMFADevice / DeleteVirtualMFADevice (high; the root user's: critical) and a console sign-in without MFA (high). Alerts only."
    }
    fn judges(&self) -> Judges {
        Judges::Account
    }
}
