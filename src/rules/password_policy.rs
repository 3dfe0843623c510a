//! `PasswordPolicy`: see its `doc`. It judges the account (posture, [`crate::posture`]): its findings are built where
//! the controls are assessed, not from a document.

use super::*;

pub(crate) struct PasswordPolicy;

impl Rule for PasswordPolicy {
    fn id(&self) -> RuleId {
        RuleId::PasswordPolicy
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn summary(&self) -> &'static str {
        "The account password policy is missing or weaker than configured (length, reuse prevention)."
    }
    fn doc(&self) -> &'static str {
        "CIS 1.8 (minimum length below `[posture] password_min_length`, 14: medium) and 1.9 (reuse prevention below `password_reuse_prevention`, 24: low) in the sweep; on the event path UpdateAccountPasswordPolicy that leaves the policy below either, and DeleteAccountPasswordPolicy (medium). Alerts only."
    }
    fn judges(&self) -> Judges {
        Judges::Account
    }
}
