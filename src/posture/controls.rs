//! The CIS AWS Foundations Benchmark's IAM controls the guard assesses, as data: each with its
//! v3.0.0 number (§1), the v7.0.0 number (§2; v5 dropped 1.11, so 1.12–1.22 became 2.11–2.21),
//! the rule whose findings it gives, and its title.

use crate::rules::RuleId;
use serde::Serialize;

/// One CIS control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Control {
    /// 1.4 No root access key.
    RootAccessKey,
    /// 1.5 MFA on root.
    RootMfa,
    /// 1.6 Hardware MFA on root.
    RootHardwareMfa,
    /// 1.7 No daily use of root.
    RootUse,
    /// 1.8 Password length ≥ 14.
    PasswordLength,
    /// 1.9 Password reuse prevented.
    PasswordReuse,
    /// 1.10 MFA for every console user.
    ConsoleMfa,
    /// 1.11 No access keys at initial setup (unused keys of console users).
    KeysAtSetup,
    /// 1.12 Credentials unused for 45 days disabled.
    UnusedCredentials,
    /// 1.13 One active key per user.
    OneActiveKey,
    /// 1.14 Keys rotated every 90 days.
    KeyRotation,
    /// 1.15 Users get permissions only through groups.
    PermissionsThroughGroups,
    /// 1.16 No full `*:*` admin policies attached.
    NoFullAdmin,
    /// 1.17 A support role exists.
    SupportRole,
    /// 1.19 No expired server certificates.
    ExpiredCertificates,
    /// 1.20 IAM Access Analyzer enabled.
    AccessAnalyzer,
    /// 1.22 AWSCloudShellFullAccess restricted.
    CloudShellFullAccess,
}

impl Control {
    /// Every control, in benchmark order.
    pub const ALL: [Control; 17] = [
        Control::RootAccessKey,
        Control::RootMfa,
        Control::RootHardwareMfa,
        Control::RootUse,
        Control::PasswordLength,
        Control::PasswordReuse,
        Control::ConsoleMfa,
        Control::KeysAtSetup,
        Control::UnusedCredentials,
        Control::OneActiveKey,
        Control::KeyRotation,
        Control::PermissionsThroughGroups,
        Control::NoFullAdmin,
        Control::SupportRole,
        Control::ExpiredCertificates,
        Control::AccessAnalyzer,
        Control::CloudShellFullAccess,
    ];

    /// The v3.0.0 number (`1.10`).
    pub fn cis_v3(self) -> &'static str {
        match self {
            Control::RootAccessKey => "1.4",
            Control::RootMfa => "1.5",
            Control::RootHardwareMfa => "1.6",
            Control::RootUse => "1.7",
            Control::PasswordLength => "1.8",
            Control::PasswordReuse => "1.9",
            Control::ConsoleMfa => "1.10",
            Control::KeysAtSetup => "1.11",
            Control::UnusedCredentials => "1.12",
            Control::OneActiveKey => "1.13",
            Control::KeyRotation => "1.14",
            Control::PermissionsThroughGroups => "1.15",
            Control::NoFullAdmin => "1.16",
            Control::SupportRole => "1.17",
            Control::ExpiredCertificates => "1.19",
            Control::AccessAnalyzer => "1.20",
            Control::CloudShellFullAccess => "1.22",
        }
    }

    /// The v7.0.0 number (`2.10`), `None` where v5 dropped the control.
    pub fn cis_v7(self) -> Option<&'static str> {
        Some(match self {
            Control::RootAccessKey => "2.4",
            Control::RootMfa => "2.5",
            Control::RootHardwareMfa => "2.6",
            Control::RootUse => "2.7",
            Control::PasswordLength => "2.8",
            Control::PasswordReuse => "2.9",
            Control::ConsoleMfa => "2.10",
            Control::KeysAtSetup => return None,
            Control::UnusedCredentials => "2.11",
            Control::OneActiveKey => "2.12",
            Control::KeyRotation => "2.13",
            Control::PermissionsThroughGroups => "2.14",
            Control::NoFullAdmin => "2.15",
            Control::SupportRole => "2.16",
            Control::ExpiredCertificates => "2.18",
            Control::AccessAnalyzer => "2.19",
            Control::CloudShellFullAccess => "2.21",
        })
    }

    /// "CIS 1.10 (v7 2.10)".
    pub fn label(self) -> String {
        match self.cis_v7() {
            Some(v7) => format!("CIS {} (v7 {v7})", self.cis_v3()),
            None => format!("CIS {} (not in v7)", self.cis_v3()),
        }
    }

    /// The benchmark's title, shortened.
    pub fn title(self) -> &'static str {
        match self {
            Control::RootAccessKey => "No access key for the root user",
            Control::RootMfa => "MFA enabled for the root user",
            Control::RootHardwareMfa => "Hardware MFA for the root user",
            Control::RootUse => "The root user is not used for daily tasks",
            Control::PasswordLength => "Password policy requires 14 characters or more",
            Control::PasswordReuse => "Password policy prevents password reuse",
            Control::ConsoleMfa => "MFA for every user with a console password",
            Control::KeysAtSetup => "No unused access keys created with a console user",
            Control::UnusedCredentials => "Credentials unused for 45 days or more are disabled",
            Control::OneActiveKey => "Only one active access key per user",
            Control::KeyRotation => "Access keys rotated every 90 days or less",
            Control::PermissionsThroughGroups => "Users receive permissions only through groups",
            Control::NoFullAdmin => "No policy allowing full \"*:*\" administrative privileges attached",
            Control::SupportRole => "A support role manages incidents with AWS Support",
            Control::ExpiredCertificates => "Expired SSL/TLS certificates in IAM are removed",
            Control::AccessAnalyzer => "IAM Access Analyzer is enabled",
            Control::CloudShellFullAccess => "Access to AWSCloudShellFullAccess is restricted",
        }
    }

    /// The rule whose findings the control's failures are.
    pub fn rule(self) -> RuleId {
        match self {
            Control::RootAccessKey | Control::RootMfa | Control::RootHardwareMfa | Control::RootUse => RuleId::RootUser,
            Control::PasswordLength | Control::PasswordReuse => RuleId::PasswordPolicy,
            Control::ConsoleMfa => RuleId::MfaMissing,
            Control::KeysAtSetup | Control::UnusedCredentials | Control::OneActiveKey | Control::KeyRotation => {
                RuleId::StaleCredential
            }
            Control::NoFullAdmin => RuleId::Admin,
            Control::PermissionsThroughGroups
            | Control::SupportRole
            | Control::ExpiredCertificates
            | Control::AccessAnalyzer
            | Control::CloudShellFullAccess => RuleId::AccountSetting,
        }
    }
}

impl std::fmt::Display for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}
