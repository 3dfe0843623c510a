//! Account posture: the CIS AWS Foundations IAM controls, assessed from the account's own
//! reports (credential report, password policy, MFA devices, server certificates, Access
//! Analyzer analyzers) and the authorization-details inventory, the same way whether they were
//! read live or from saved files ([`input`]). Each control passes, fails (with a finding per
//! user or setting at fault) or is not assessed (the data it needs was not given).

pub mod checks;
pub mod controls;
pub mod credential_report;
pub mod facts;
pub mod input;

pub use controls::Control;
pub use credential_report::{CredentialRow, KeySlot};
pub use facts::{Analyzer, Facts, PasswordPolicy, ServerCertificate};

use crate::rules::Finding;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The thresholds the controls use (`[posture]` in the configuration).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// CIS 1.12: a password or key unused this many days or more should be disabled.
    pub unused_days: i64,
    /// CIS 1.14: an active key older than this many days should be rotated.
    pub rotation_days: i64,
    /// CIS 1.7: root used within this many days is a finding.
    pub root_use_days: i64,
    /// CIS 1.8: the least password length.
    pub password_min_length: u32,
    /// CIS 1.9: the least number of earlier passwords that cannot be reused.
    pub password_reuse_prevention: u32,
    /// Enforce mode, CIS 1.12: deactivate access keys unused beyond `unused_days` (opt-in).
    pub deactivate_unused_keys: bool,
    /// Enforce mode, CIS 1.12: delete console passwords unused beyond `unused_days` (opt-in).
    pub delete_unused_passwords: bool,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            unused_days: 45,
            rotation_days: 90,
            root_use_days: 30,
            password_min_length: 14,
            password_reuse_prevention: 24,
            deactivate_unused_keys: false,
            delete_unused_passwords: false,
        }
    }
}

/// "Now": `IAM_GUARD_NOW` (RFC 3339, for tests and replays) or the clock.
pub fn now() -> Result<DateTime<Utc>, String> {
    match std::env::var("IAM_GUARD_NOW") {
        Ok(v) if !v.is_empty() => DateTime::parse_from_rfc3339(&v)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("IAM_GUARD_NOW={v:?} is not an RFC 3339 time ({e})")),
        _ => Ok(Utc::now()),
    }
}

/// A control's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Nothing at fault.
    Pass,
    /// This many findings.
    Fail {
        /// How many.
        findings: usize,
    },
    /// The data it needs was not given (the text says which).
    NotAssessed {
        /// What is missing.
        missing: String,
    },
}

impl Status {
    /// "pass", "FAIL (3)", "not assessed (no credential report)".
    pub fn line(&self) -> String {
        match self {
            Status::Pass => "pass".into(),
            Status::Fail { findings } => format!("FAIL ({findings})"),
            Status::NotAssessed { missing } => format!("not assessed ({missing})"),
        }
    }
}

/// One control's result.
#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    /// The control.
    pub control: Control,
    /// CIS v3.0.0 number.
    pub cis: &'static str,
    /// CIS v7.0.0 number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cis_v7: Option<&'static str>,
    /// Its title.
    pub title: &'static str,
    /// Pass, fail or not assessed.
    #[serde(flatten)]
    pub status: Status,
}

/// What the guard can do about a failed control (enforce mode, opt-in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostureFix {
    /// Deactivate a user's access key (its id, when the live sweep listed it).
    DeactivateKey {
        /// The user.
        user: String,
        /// The key id.
        id: Option<String>,
        /// Its slot in the credential report (1 or 2).
        slot: u8,
    },
    /// Delete a user's unused console password.
    DeletePassword {
        /// The user.
        user: String,
    },
}

/// One finding of a control: on a user, the root user, or the account.
#[derive(Debug, Clone)]
pub struct PostureFinding {
    /// The control that fails.
    pub control: Control,
    /// "user bob", "the root user", "account 111122223333".
    pub subject: String,
    /// Its ARN (the account's root ARN for account-wide settings).
    pub arn: String,
    /// The finding (rule, severity, message, hint).
    pub finding: Finding,
    /// What enforce mode may do about it.
    pub fix: Option<PostureFix>,
}

/// The controls' results and their findings.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    /// One per control, in benchmark order.
    pub controls: Vec<ControlResult>,
    /// Every finding, in control order.
    pub findings: Vec<PostureFinding>,
}

/// Assesses every control from `facts` (and the inventory, for the controls about who holds
/// what). `admin_findings`: how many `admin` findings the sweep raised on attached policies
/// (CIS 1.16 is theirs).
pub fn assess(facts: &Facts, inv: Option<&crate::inventory::Inventory>, admin_findings: Option<usize>) -> Assessment {
    let mut out = Assessment::default();
    for control in Control::ALL {
        let status = match checks::check(control, facts, inv) {
            checks::Outcome::Findings(found) => {
                let status = if found.is_empty() { Status::Pass } else { Status::Fail { findings: found.len() } };
                out.findings.extend(found);
                status
            }
            checks::Outcome::Counted => match admin_findings {
                Some(0) => Status::Pass,
                Some(n) => Status::Fail { findings: n },
                None => Status::NotAssessed { missing: "no authorization-details inventory".into() },
            },
            checks::Outcome::Missing(missing) => Status::NotAssessed {
                missing: match &facts.unreadable {
                    Some(why) => format!("{missing}: {why}"),
                    None => missing.into(),
                },
            },
        };
        out.controls.push(ControlResult {
            control,
            cis: control.cis_v3(),
            cis_v7: control.cis_v7(),
            title: control.title(),
            status,
        });
    }
    out
}

/// Folds one account's control results into an organization's: a control fails when it fails
/// anywhere (findings summed), passes when every account that assessed it passed, and is not
/// assessed when no account could assess it.
pub fn merge_controls(into: &mut Vec<ControlResult>, more: Vec<ControlResult>) {
    for c in more {
        match into.iter_mut().find(|x| x.control == c.control) {
            None => into.push(c),
            Some(x) => {
                x.status = match (&x.status, c.status) {
                    (Status::Fail { findings: a }, Status::Fail { findings: b }) => Status::Fail { findings: a + b },
                    (Status::Fail { findings }, _) => Status::Fail { findings: *findings },
                    (_, fail @ Status::Fail { .. }) => fail,
                    (Status::Pass, _) | (_, Status::Pass) => Status::Pass,
                    (na @ Status::NotAssessed { .. }, _) => na.clone(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(control: Control, status: Status) -> ControlResult {
        ControlResult { control, cis: control.cis_v3(), cis_v7: control.cis_v7(), title: control.title(), status }
    }

    #[test]
    fn an_organization_fails_a_control_any_account_fails() {
        let mut org = Vec::new();
        merge_controls(
            &mut org,
            vec![result(Control::RootMfa, Status::Pass), result(Control::ConsoleMfa, Status::Fail { findings: 2 })],
        );
        merge_controls(
            &mut org,
            vec![
                result(Control::RootMfa, Status::Fail { findings: 1 }),
                result(Control::ConsoleMfa, Status::Fail { findings: 3 }),
                result(Control::AccessAnalyzer, Status::NotAssessed { missing: "x".into() }),
            ],
        );
        merge_controls(&mut org, vec![result(Control::AccessAnalyzer, Status::Pass)]);
        let status = |c: Control| org.iter().find(|r| r.control == c).unwrap().status.clone();
        assert_eq!(status(Control::RootMfa), Status::Fail { findings: 1 });
        assert_eq!(status(Control::ConsoleMfa), Status::Fail { findings: 5 });
        assert_eq!(status(Control::AccessAnalyzer), Status::Pass);
    }
}
