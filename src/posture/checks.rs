//! One check per control: the findings it raises from the facts, or what it misses.

use super::{Control, CredentialRow, Facts, KeySlot, PostureFinding, PostureFix};
use crate::inventory::Inventory;
use crate::rules::{Finding, Severity};

/// What a check found.
pub enum Outcome {
    /// Its findings (none: pass).
    Findings(Vec<PostureFinding>),
    /// Decided by findings counted elsewhere (CIS 1.16: the `admin` rule's).
    Counted,
    /// Not assessed: this is missing.
    Missing(&'static str),
}

const NO_REPORT: &str = "no credential report";
const NO_INVENTORY: &str = "no authorization-details inventory";

/// Runs the check of `control`.
pub fn check(control: Control, f: &Facts, inv: Option<&Inventory>) -> Outcome {
    use Control::*;
    let rows = f.credential_report.as_deref();
    match control {
        RootAccessKey => root_keys(f),
        RootMfa => root_mfa(f),
        RootHardwareMfa => root_hardware_mfa(f),
        RootUse => with_rows(rows, |_| root_use(f)),
        PasswordLength | PasswordReuse => password_policy(control, f),
        ConsoleMfa => with_rows(rows, |rows| users(rows).filter_map(console_mfa).collect()),
        KeysAtSetup => with_rows(rows, |rows| users(rows).flat_map(|r| keys_at_setup(f, r)).collect()),
        UnusedCredentials => with_rows(rows, |rows| users(rows).flat_map(|r| unused(f, r)).collect()),
        OneActiveKey => with_rows(rows, |rows| rows.iter().filter_map(two_keys).collect()),
        KeyRotation => with_rows(rows, |rows| rows.iter().flat_map(|r| rotation(f, r)).collect()),
        NoFullAdmin => Outcome::Counted,
        PermissionsThroughGroups => inv.map_or(Outcome::Missing(NO_INVENTORY), direct_policies),
        SupportRole => support_role(f, inv),
        ExpiredCertificates => expired_certificates(f),
        AccessAnalyzer => access_analyzer(f),
        CloudShellFullAccess => inv.map_or(Outcome::Missing(NO_INVENTORY), cloudshell),
    }
}

fn with_rows(rows: Option<&[CredentialRow]>, run: impl FnOnce(&[CredentialRow]) -> Vec<PostureFinding>) -> Outcome {
    rows.map_or(Outcome::Missing(NO_REPORT), |r| Outcome::Findings(run(r)))
}

fn users(rows: &[CredentialRow]) -> impl Iterator<Item = &CredentialRow> {
    rows.iter().filter(|r| !r.is_root())
}

/// A finding of `control` at `severity`.
fn finding(
    control: Control,
    severity: Severity,
    (subject, arn): (String, String),
    message: String,
    hint: &str,
) -> PostureFinding {
    PostureFinding {
        control,
        subject,
        arn,
        finding: Finding {
            rule: control.rule(),
            paths: vec![],
            severity,
            message,
            evidence: vec![],
            hint: hint.into(),
            bounded_by: None,
        },
        fix: None,
    }
}

fn row_subject(r: &CredentialRow) -> (String, String) {
    (r.who(), r.arn.clone())
}

fn account_subject(f: &Facts) -> (String, String) {
    (format!("account {}", f.account_id), f.root_arn())
}

fn root_keys(f: &Facts) -> Outcome {
    if let Some(root) = f.root() {
        let found =
            root.active_keys().next().map(|k| {
                finding(Control::RootAccessKey, Severity::Critical, row_subject(root),
                format!("The root user has an active access key (key {})", k.slot),
                "Delete the root user's access keys (sign in as root: Security credentials); use roles for automation.")
            });
        return Outcome::Findings(found.into_iter().collect());
    }
    match f.summary.as_ref().and_then(|s| s.get("AccountAccessKeysPresent")) {
        Some(&n) => Outcome::Findings(
            (n > 0)
                .then(|| finding(Control::RootAccessKey, Severity::Critical, account_subject(f),
                    "The root user has an access key (account summary)".into(),
                    "Delete the root user's access keys (sign in as root: Security credentials); use roles for automation."))
                .into_iter()
                .collect(),
        ),
        None => Outcome::Missing("no credential report or account summary"),
    }
}

fn root_mfa(f: &Facts) -> Outcome {
    let enabled = match (f.root(), f.summary.as_ref().and_then(|s| s.get("AccountMFAEnabled"))) {
        (Some(root), _) => root.mfa_active,
        (None, Some(&n)) => n > 0,
        (None, None) => return Outcome::Missing("no credential report or account summary"),
    };
    let subject = f.root().map(row_subject).unwrap_or_else(|| ("the root user".into(), f.root_arn()));
    Outcome::Findings(
        (!enabled)
            .then(|| finding(Control::RootMfa, Severity::Critical, subject, "The root user has no MFA device".into(),
                "Sign in as root and assign an MFA device (a hardware key or passkey), or centralise root access in AWS Organizations."))
            .into_iter()
            .collect(),
    )
}

fn root_hardware_mfa(f: &Facts) -> Outcome {
    let Some(devices) = &f.virtual_mfa else { return Outcome::Missing("no list of virtual MFA devices") };
    let root_arn = f.root_arn();
    let virtual_on_root = devices.iter().find(|(serial, user)| {
        user.as_deref().is_some_and(|u| u.ends_with(":root")) || serial.ends_with("/root-account-mfa-device")
    });
    let mfa = f.root().map(|r| r.mfa_active).or_else(|| f.summary.as_ref()?.get("AccountMFAEnabled").map(|n| *n > 0));
    let message = match (virtual_on_root, mfa) {
        (Some((serial, _)), _) => format!("The root user's MFA is a virtual device ({serial})"),
        (None, Some(false)) => "The root user has no MFA device at all".into(),
        (None, Some(true)) => return Outcome::Findings(vec![]),
        (None, None) => return Outcome::Missing("no credential report or account summary"),
    };
    Outcome::Findings(vec![finding(
        Control::RootHardwareMfa,
        Severity::Medium,
        ("the root user".into(), root_arn),
        message,
        "Give the root user a hardware MFA device (FIDO security key or hardware TOTP token).",
    )])
}

fn root_use(f: &Facts) -> Vec<PostureFinding> {
    let Some(root) = f.root() else { return vec![] };
    let used = [root.password_last_used, root.keys[0].last_used, root.keys[1].last_used].into_iter().flatten().max();
    match used {
        Some(t) if f.days_since(t) < f.thresholds.root_use_days => vec![finding(
            Control::RootUse,
            Severity::High,
            row_subject(root),
            format!("The root user was used {} day(s) ago ({})", f.days_since(t), t.format("%Y-%m-%d")),
            "Use IAM Identity Center or roles for daily work; keep root for the few tasks only it can do.",
        )],
        _ => vec![],
    }
}

fn password_policy(control: Control, f: &Facts) -> Outcome {
    let Some(policy) = &f.password_policy else { return Outcome::Missing("no password policy read") };
    let t = &f.thresholds;
    let (severity, have, want, what) = match control {
        Control::PasswordLength => (
            Severity::Medium,
            policy.as_ref().and_then(|p| p.minimum_password_length).unwrap_or(8),
            t.password_min_length,
            "minimum password length",
        ),
        _ => (
            Severity::Low,
            policy.as_ref().and_then(|p| p.password_reuse_prevention).unwrap_or(0),
            t.password_reuse_prevention,
            "password reuse prevention",
        ),
    };
    if have >= want {
        return Outcome::Findings(vec![]);
    }
    let none = if policy.is_none() { " (the account has no password policy)" } else { "" };
    let flag =
        if control == Control::PasswordLength { "--minimum-password-length" } else { "--password-reuse-prevention" };
    Outcome::Findings(vec![finding(control, severity, account_subject(f),
        format!("The {what} is {have}, below {want}{none}"),
        &format!("aws iam update-account-password-policy {flag} {want} (keep the other settings: the call replaces the whole policy)"))])
}

fn console_mfa(r: &CredentialRow) -> Option<PostureFinding> {
    (r.password_enabled == Some(true) && !r.mfa_active).then(|| {
        finding(
            Control::ConsoleMfa,
            Severity::High,
            row_subject(r),
            format!("{} has a console password and no MFA", r.who()),
            "Assign an MFA device to the user, or move the person to IAM Identity Center and delete the password.",
        )
    })
}

fn keys_at_setup(f: &Facts, r: &CredentialRow) -> Vec<PostureFinding> {
    if r.password_enabled != Some(true) {
        return vec![];
    }
    r.active_keys()
        .filter(|k| k.last_used.is_none())
        .map(|k| {
            let mut x = finding(
                Control::KeysAtSetup,
                Severity::Low,
                row_subject(r),
                format!("{} has a console password and an active access key (key {}) never used", r.who(), k.slot),
                "Delete access keys nobody uses; create one only when a program needs it.",
            );
            x.fix = f.thresholds.deactivate_unused_keys.then(|| key_fix(r, k));
            x
        })
        .collect()
}

fn key_fix(r: &CredentialRow, k: &KeySlot) -> PostureFix {
    PostureFix::DeactivateKey { user: r.user.clone(), id: k.id.clone(), slot: k.slot }
}

/// CIS 1.12: a password or active key not used (or, never used, not set) for `unused_days`.
fn unused(f: &Facts, r: &CredentialRow) -> Vec<PostureFinding> {
    let limit = f.thresholds.unused_days;
    let idle = |used: Option<chrono::DateTime<chrono::Utc>>, since: Option<chrono::DateTime<chrono::Utc>>| {
        used.or(since).map(|t| f.days_since(t)).filter(|d| *d >= limit)
    };
    let mut out = Vec::new();
    if r.password_enabled == Some(true) {
        if let Some(days) = idle(r.password_last_used, r.password_last_changed.or(r.created)) {
            let never = if r.password_last_used.is_none() { " (never used)" } else { "" };
            let mut x = finding(
                Control::UnusedCredentials,
                Severity::Medium,
                row_subject(r),
                format!("{}'s console password has not been used for {days} days{never}", r.who()),
                &format!("aws iam delete-login-profile --user-name {}", r.user),
            );
            x.fix = f.thresholds.delete_unused_passwords.then(|| PostureFix::DeletePassword { user: r.user.clone() });
            out.push(x);
        }
    }
    for k in r.active_keys() {
        if let Some(days) = idle(k.last_used, k.last_rotated) {
            let never = if k.last_used.is_none() { " (never used)" } else { "" };
            let mut x = finding(
                Control::UnusedCredentials,
                Severity::Medium,
                row_subject(r),
                format!("{}'s access key {} has not been used for {days} days{never}", r.who(), k.slot),
                &format!(
                    "aws iam update-access-key --user-name {} --access-key-id {} --status Inactive",
                    r.user,
                    k.id.as_deref().unwrap_or("<id from aws iam list-access-keys>")
                ),
            );
            x.fix = f.thresholds.deactivate_unused_keys.then(|| key_fix(r, k));
            out.push(x);
        }
    }
    out
}

fn two_keys(r: &CredentialRow) -> Option<PostureFinding> {
    (r.active_keys().count() > 1).then(|| {
        finding(
            Control::OneActiveKey,
            Severity::Medium,
            row_subject(r),
            format!("{} has two active access keys", r.who()),
            "Keep one active key: deactivate the one the program no longer uses (rotation done), then delete it.",
        )
    })
}

fn rotation(f: &Facts, r: &CredentialRow) -> Vec<PostureFinding> {
    r.active_keys()
        .filter_map(|k| {
            let days = f.days_since(k.last_rotated?);
            (days > f.thresholds.rotation_days).then(|| {
                finding(Control::KeyRotation, Severity::Medium, row_subject(r),
                    format!("{}'s access key {} is {days} days old", r.who(), k.slot),
                    "Rotate it: create a second key, move the program to it, deactivate and delete the old one — or replace the key with a role.")
            })
        })
        .collect()
}

fn direct_policies(inv: &Inventory) -> Outcome {
    let found = inv
        .principals
        .iter()
        .filter(|p| p.target.as_ref().is_some_and(|t| t.kind == crate::intake::PrincipalKind::User))
        .filter(|p| !p.attached.is_empty() || !p.inline.is_empty())
        .map(|p| {
            let name = p.target.as_ref().map(|t| t.name.clone()).unwrap_or_default();
            let n = p.attached.len() + p.inline.len();
            finding(
                Control::PermissionsThroughGroups,
                Severity::Low,
                (format!("user {name}"), p.arn.clone()),
                format!(
                    "user {name} holds {n} polic{} directly, not through a group",
                    if n == 1 { "y" } else { "ies" }
                ),
                "Put the user in a group that holds the policies, then detach them from the user.",
            )
        })
        .collect();
    Outcome::Findings(found)
}

/// Holders of an AWS managed policy, by name.
fn holders<'a>(inv: &'a Inventory, name: &'a str) -> impl Iterator<Item = &'a crate::inventory::PrincipalDetail> {
    let arn = format!("arn:aws:iam::aws:policy/{name}");
    inv.principals.iter().filter(move |p| p.target.is_some() && p.attached.iter().any(|a| a == &arn))
}

fn support_role(f: &Facts, inv: Option<&Inventory>) -> Outcome {
    let any = match (&f.support_holders, inv) {
        (Some(names), _) => !names.is_empty(),
        (None, Some(inv)) => holders(inv, "AWSSupportAccess").next().is_some(),
        (None, None) => return Outcome::Missing("no inventory or list of AWSSupportAccess's entities"),
    };
    Outcome::Findings(if any {
        vec![]
    } else {
        vec![finding(
            Control::SupportRole,
            Severity::Low,
            account_subject(f),
            "No role, user or group holds AWSSupportAccess".into(),
            "Create a role for the incident team and attach arn:aws:iam::aws:policy/AWSSupportAccess to it.",
        )]
    })
}

fn cloudshell(inv: &Inventory) -> Outcome {
    Outcome::Findings(
        holders(inv, "AWSCloudShellFullAccess")
            .map(|p| {
                let who = p.target.as_ref().map(|t| t.to_string()).unwrap_or_default();
                finding(Control::CloudShellFullAccess, Severity::Medium, (who.clone(), p.arn.clone()),
                    format!("{who} holds AWSCloudShellFullAccess (file upload and download, sudo)"),
                    "Detach it; give those who need CloudShell a policy that denies cloudshell:GetFileUploadUrls and GetFileDownloadUrls.")
            })
            .collect(),
    )
}

fn expired_certificates(f: &Facts) -> Outcome {
    let Some(certs) = &f.server_certificates else { return Outcome::Missing("no list of server certificates") };
    Outcome::Findings(
        certs
            .iter()
            .filter(|c| c.expiration.is_some_and(|e| e < f.now))
            .map(|c| {
                let when = c.expiration.map(|e| e.format("%Y-%m-%d").to_string()).unwrap_or_default();
                finding(
                    Control::ExpiredCertificates,
                    Severity::Medium,
                    (format!("server certificate {}", c.server_certificate_name), c.arn.clone()),
                    format!("Server certificate {} expired on {when}", c.server_certificate_name),
                    &format!(
                        "aws iam delete-server-certificate --server-certificate-name {}",
                        c.server_certificate_name
                    ),
                )
            })
            .collect(),
    )
}

fn access_analyzer(f: &Facts) -> Outcome {
    let Some(analyzers) = &f.analyzers else { return Outcome::Missing("no list of Access Analyzer analyzers") };
    let active = |a: &&super::Analyzer| {
        a.status.eq_ignore_ascii_case("ACTIVE") && matches!(a.kind.as_str(), "ACCOUNT" | "ORGANIZATION")
    };
    Outcome::Findings(if analyzers.iter().any(|a| active(&a)) {
        vec![]
    } else {
        vec![finding(
            Control::AccessAnalyzer,
            Severity::Low,
            account_subject(f),
            "No active external-access analyzer of IAM Access Analyzer".into(),
            "aws accessanalyzer create-analyzer --analyzer-name account --type ACCOUNT (in every region in use)",
        )]
    })
}
