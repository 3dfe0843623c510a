//! IAM's credential report (GetCredentialReport's CSV, or `aws iam get-credential-report`'s JSON
//! with the CSV base64-encoded in `Content`), read into typed rows.
//!
//! AWS's layout: one header line, one row per user plus the root user's (`<root_account>`);
//! `true`/`false`, `N/A` (never, or not applicable), `no_information` (a password used before
//! IAM recorded last use), `not_supported` (the root user's password fields), and ISO 8601 times
//! with an offset (`2024-03-05T12:34:56+00:00`).

use chrono::{DateTime, Utc};

/// The user name IAM gives the root user's row.
pub const ROOT: &str = "<root_account>";

/// One access key slot (IAM allows two per user).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySlot {
    /// 1 or 2.
    pub slot: u8,
    /// Is it active?
    pub active: bool,
    /// When it was created or last rotated.
    pub last_rotated: Option<DateTime<Utc>>,
    /// When it was last used (`None`: never, as far as IAM knows).
    pub last_used: Option<DateTime<Utc>>,
    /// Its id, when the live sweep listed the user's keys (the report does not carry ids).
    pub id: Option<String>,
}

/// One row: a user or the root user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRow {
    /// The user name (`<root_account>` for root).
    pub user: String,
    /// Its ARN.
    pub arn: String,
    /// When the user was created.
    pub created: Option<DateTime<Utc>>,
    /// Has it a console password? (`None` for root: `not_supported`.)
    pub password_enabled: Option<bool>,
    /// When the password was last used.
    pub password_last_used: Option<DateTime<Utc>>,
    /// When the password was last set.
    pub password_last_changed: Option<DateTime<Utc>>,
    /// Is an MFA device active?
    pub mfa_active: bool,
    /// The two access key slots.
    pub keys: [KeySlot; 2],
}

impl CredentialRow {
    /// Is this the root user's row?
    pub fn is_root(&self) -> bool {
        self.user == ROOT
    }

    /// The active access keys.
    pub fn active_keys(&self) -> impl Iterator<Item = &KeySlot> {
        self.keys.iter().filter(|k| k.active)
    }

    /// "user bob" or "the root user".
    pub fn who(&self) -> String {
        if self.is_root() {
            "the root user".into()
        } else {
            format!("user {}", self.user)
        }
    }
}

/// Why a credential report could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    /// Not CSV with the credential report's header.
    #[error("not a credential report: {0}")]
    NotAReport(String),
    /// A row or field is off.
    #[error("credential report line {line}: {message}")]
    Row {
        /// The line (1-based, the header is line 1).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The columns read (others, present or future, are ignored).
const COLUMNS: [&str; 14] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "cert_1_active",
];

/// Does this text start like a credential report?
pub fn looks_like(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').starts_with("user,arn,")
}

/// Reads the CSV text.
pub fn parse(text: &str) -> Result<Vec<CredentialRow>, ReportError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| ReportError::NotAReport(e.to_string()))?.clone();
    let index = |name: &str| headers.iter().position(|h| h == name);
    let mut at = [0usize; 14];
    for (i, c) in COLUMNS.iter().enumerate() {
        // cert_1_active is not needed; the others are.
        at[i] = match index(c) {
            Some(p) => p,
            None if *c == "cert_1_active" => usize::MAX,
            None => return Err(ReportError::NotAReport(format!("no column {c} in the header"))),
        };
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| ReportError::Row { line, message: e.to_string() })?;
        let field = |i: usize| record.get(at[i]).unwrap_or("");
        let row_err = |message: String| ReportError::Row { line, message };
        let key = |slot: u8, active: usize| -> Result<KeySlot, ReportError> {
            Ok(KeySlot {
                slot,
                active: flag(field(active)).map_err(row_err)?.unwrap_or(false),
                last_rotated: time(field(active + 1)).map_err(row_err)?,
                last_used: time(field(active + 2)).map_err(row_err)?,
                id: None,
            })
        };
        rows.push(CredentialRow {
            user: field(0).to_string(),
            arn: field(1).to_string(),
            created: time(field(2)).map_err(row_err)?,
            password_enabled: flag(field(3)).map_err(row_err)?,
            password_last_used: time(field(4)).map_err(row_err)?,
            password_last_changed: time(field(5)).map_err(row_err)?,
            mfa_active: flag(field(6)).map_err(row_err)?.unwrap_or(false),
            keys: [key(1, 7)?, key(2, 10)?],
        });
    }
    Ok(rows)
}

/// `true` / `false`; `None` for `not_supported`, `N/A` and empty.
fn flag(v: &str) -> Result<Option<bool>, String> {
    match v {
        "true" | "TRUE" | "True" => Ok(Some(true)),
        "false" | "FALSE" | "False" => Ok(Some(false)),
        "not_supported" | "N/A" | "" => Ok(None),
        other => Err(format!("expected true or false, found {other:?}")),
    }
}

/// An ISO 8601 time; `None` for `N/A`, `no_information`, `not_supported` and empty.
fn time(v: &str) -> Result<Option<DateTime<Utc>>, String> {
    match v {
        "N/A" | "no_information" | "not_supported" | "" => Ok(None),
        other => DateTime::parse_from_rfc3339(other)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| format!("{other:?} is not an ISO 8601 time ({e})")),
    }
}

/// The CSV inside `aws iam get-credential-report`'s JSON (`Content`, base64).
pub fn from_cli_json(v: &serde_json::Value) -> Option<Result<String, String>> {
    let content = v.get("Content")?.as_str()?;
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .map_err(|e| format!("Content is not base64: {e}"));
    Some(bytes.and_then(|b| String::from_utf8(b).map_err(|e| format!("Content is not UTF-8 text: {e}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    #[test]
    fn reads_the_root_row_and_a_user() {
        let text = format!(
            "{HEADER}\n<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-30T10:00:00+00:00,not_supported,not_supported,false,true,2021-05-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             bob,arn:aws:iam::111122223333:user/bob,2024-01-01T08:00:00+02:00,true,no_information,2024-01-01T06:00:00+00:00,N/A,false,true,2024-01-01T06:00:00+00:00,2026-10-01T12:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let rows = parse(&text).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].is_root());
        assert_eq!(rows[0].password_enabled, None);
        assert!(rows[0].keys[0].active);
        assert_eq!(rows[0].keys[0].last_used, None);
        assert_eq!(rows[1].who(), "user bob");
        assert_eq!(rows[1].password_enabled, Some(true));
        assert_eq!(rows[1].password_last_used, None);
        assert_eq!(rows[1].created.unwrap().to_rfc3339(), "2024-01-01T06:00:00+00:00");
        assert_eq!(rows[1].active_keys().count(), 1);
    }

    #[test]
    fn names_what_is_wrong() {
        assert!(matches!(parse("a,b\n1,2\n"), Err(ReportError::NotAReport(m)) if m.contains("user")));
        let text = format!("{HEADER}\nbob,arn,yesterday,true,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("yesterday"), "{err}");
    }

    #[test]
    fn reads_the_cli_json() {
        use base64::Engine as _;
        let csv = format!("{HEADER}\n");
        let v = serde_json::json!({"Content": base64::engine::general_purpose::STANDARD.encode(&csv), "ReportFormat": "text/csv"});
        assert_eq!(from_cli_json(&v).unwrap().unwrap(), csv);
        assert!(from_cli_json(&serde_json::json!({"Content": "***"})).unwrap().is_err());
        assert!(from_cli_json(&serde_json::json!({"Other": 1})).is_none());
    }
}
