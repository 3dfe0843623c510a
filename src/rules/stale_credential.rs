//! `StaleCredential`: see its `doc`. It judges the account (posture, [`crate::posture`]): its findings are built where
//! the controls are assessed, not from a document.

use super::*;

pub(crate) struct StaleCredential;

impl Rule for StaleCredential {
    fn id(&self) -> RuleId {
        RuleId::StaleCredential
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn summary(&self) -> &'static str {
        "An access key or password unused for too long, too old, doubled, or created with a console user and never used."
    }
    fn doc(&self) -> &'static str {
        "CIS 1.11 (a console user's active key never used: low), 1.12 (a password or active key unused for `[posture] unused_days`, 45: medium), 1.13 (two active keys: medium), 1.14 (an active key older than `rotation_days`, 90: medium), from the credential report. Enforce mode, opt-in: `deactivate_unused_keys` deactivates unused keys (undo: make it active), `delete_unused_passwords` deletes unused console passwords — never root's, never the guard's own."
    }
    fn judges(&self) -> Judges {
        Judges::Account
    }
}
