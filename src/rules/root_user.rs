//! `RootUser`: see its `doc`. It judges the account (posture, [`crate::posture`]): its findings are built where
//! the controls are assessed, not from a document.

use super::*;

pub(crate) struct RootUser;

impl Rule for RootUser {
    fn id(&self) -> RuleId {
        RuleId::RootUser
    }
    fn severity(&self) -> Severity {
        Severity::Critical
    }
    fn summary(&self) -> &'static str {
        "The root user holds an access key, has no MFA (or only a virtual one), or was used recently."
    }
    fn doc(&self) -> &'static str {
        "CIS 1.4–1.7 from the credential report, the account summary and the virtual MFA devices (sweep): an active root access key or no root MFA is critical, a virtual MFA device on root medium, root used within `[posture] root_use_days` (30) high. On the event path: a console sign-in by root (high). Alerts only: the guard cannot act on root."
    }
    fn judges(&self) -> Judges {
        Judges::Account
    }
}
