//! `AccountSetting`: see its `doc`. It judges the account (posture, [`crate::posture`]): its findings are built where
//! the controls are assessed, not from a document.

use super::*;

pub(crate) struct AccountSetting;

impl Rule for AccountSetting {
    fn id(&self) -> RuleId {
        RuleId::AccountSetting
    }
    fn severity(&self) -> Severity {
        Severity::Low
    }
    fn summary(&self) -> &'static str {
        "An account-wide IAM setting CIS asks for is missing: permissions through groups, a support role, expired certificates removed, Access Analyzer, CloudShell restricted."
    }
    fn doc(&self) -> &'static str {
        "CIS 1.15 (a user holding policies directly: low), 1.17 (nobody holds AWSSupportAccess: low), 1.19 (an expired IAM server certificate: medium), 1.20 (no active external-access analyzer: low), 1.22 (a principal holding AWSCloudShellFullAccess: medium), from the inventory and the account's reports. Alerts only."
    }
    fn judges(&self) -> Judges {
        Judges::Account
    }
}
