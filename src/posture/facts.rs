//! What the posture controls are assessed from. Each part is `None` when it was not read (the
//! controls that need it are "not assessed"), so a sweep given only some files still answers
//! the controls those files decide.

use super::{CredentialRow, Thresholds};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The account password policy (GetAccountPasswordPolicy's `PasswordPolicy`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PasswordPolicy {
    /// The least length (IAM's default without a policy: 8).
    pub minimum_password_length: Option<u32>,
    /// How many earlier passwords cannot be reused (absent: reuse allowed).
    pub password_reuse_prevention: Option<u32>,
    /// Symbols required.
    pub require_symbols: bool,
    /// Numbers required.
    pub require_numbers: bool,
    /// Upper-case letters required.
    pub require_uppercase_characters: bool,
    /// Lower-case letters required.
    pub require_lowercase_characters: bool,
    /// Days a password lives.
    pub max_password_age: Option<u32>,
}

/// An IAM server certificate (ListServerCertificates' metadata).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServerCertificate {
    /// Its name.
    pub server_certificate_name: String,
    /// Its ARN.
    #[serde(default)]
    pub arn: String,
    /// When it expires.
    pub expiration: Option<DateTime<Utc>>,
}

/// An IAM Access Analyzer analyzer (ListAnalyzers).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Analyzer {
    /// Its ARN (the region is in it).
    pub arn: String,
    /// ACCOUNT, ORGANIZATION, or an unused-access type.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// ACTIVE, CREATING, DISABLED, FAILED.
    #[serde(default)]
    pub status: String,
}

impl Analyzer {
    /// Its region, from the ARN.
    pub fn region(&self) -> &str {
        self.arn.split(':').nth(3).unwrap_or("")
    }
}

/// Everything the controls read.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The account.
    pub account_id: String,
    /// When "now" is.
    pub now: DateTime<Utc>,
    /// The thresholds.
    pub thresholds: Thresholds,
    /// The credential report's rows.
    pub credential_report: Option<Vec<CredentialRow>>,
    /// The password policy: `Some(None)` when the account has none.
    pub password_policy: Option<Option<PasswordPolicy>>,
    /// GetAccountSummary's map (AccountMFAEnabled, AccountAccessKeysPresent, …).
    pub summary: Option<std::collections::BTreeMap<String, i64>>,
    /// The serial numbers of virtual MFA devices with the ARN of the user each is assigned to.
    pub virtual_mfa: Option<Vec<(String, Option<String>)>>,
    /// IAM server certificates.
    pub server_certificates: Option<Vec<ServerCertificate>>,
    /// Access Analyzer analyzers (of every region read).
    pub analyzers: Option<Vec<Analyzer>>,
    /// Who holds AWSSupportAccess (a saved `list-entities-for-policy` of it), as ARNs or names;
    /// without it the inventory says.
    pub support_holders: Option<Vec<String>>,
    /// Why the live reports could not be read (access denied): the controls say so.
    pub unreadable: Option<String>,
}

impl Facts {
    /// Facts for `account_id` at `now`, nothing read yet.
    pub fn new(account_id: &str, now: DateTime<Utc>, thresholds: Thresholds) -> Facts {
        Facts { account_id: account_id.into(), now, thresholds, ..Facts::default() }
    }

    /// Was anything read at all? (Without it the sweep reports no posture section.)
    pub fn any(&self) -> bool {
        self.credential_report.is_some()
            || self.password_policy.is_some()
            || self.summary.is_some()
            || self.virtual_mfa.is_some()
            || self.server_certificates.is_some()
            || self.analyzers.is_some()
            || self.support_holders.is_some()
            || self.unreadable.is_some()
    }

    /// The root user's row.
    pub fn root(&self) -> Option<&CredentialRow> {
        self.credential_report.as_ref()?.iter().find(|r| r.is_root())
    }

    /// Whole days from `t` to now.
    pub fn days_since(&self, t: DateTime<Utc>) -> i64 {
        (self.now - t).num_days()
    }

    /// The account's root ARN.
    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account_id)
    }
}
