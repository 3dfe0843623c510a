//! Rule ids as a type: the registry, configuration, reports and alerts refer to rules by
//! [`RuleId`]; its string spelling (`service-full-access`) appears only at the edges —
//! configuration keys, JSON and SARIF output, alert attributes, inline suppressions.

use serde::{Serialize, Serializer};

/// A rule's stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleId {
    /// `admin`.
    Admin,
    /// `service-full-access`.
    ServiceFullAccess,
    /// `denylisted-policy`.
    DenylistedPolicy,
    /// `allow-with-not`.
    AllowWithNot,
    /// `privilege-escalation`.
    PrivilegeEscalation,
    /// `wildcard-resource-write`.
    WildcardResourceWrite,
    /// `data-exfiltration`.
    DataExfiltration,
    /// `trust-public`.
    TrustPublic,
    /// `trust-cross-account`.
    TrustCrossAccount,
    /// `resource-public`.
    ResourcePublic,
    /// `resource-cross-account`.
    ResourceCrossAccount,
    /// `resource-confused-deputy`.
    ResourceConfusedDeputy,
    /// `unknown-action`.
    UnknownAction,
    /// `new-credential`.
    NewCredential,
    /// `denied-after-guard`.
    DeniedAfterGuard,
    /// `escalation-path`.
    EscalationPath,
    /// `policy-invalid`.
    PolicyInvalid,
    /// `policy-ineffective`.
    PolicyIneffective,
    /// `root-user`.
    RootUser,
    /// `password-policy`.
    PasswordPolicy,
    /// `mfa-missing`.
    MfaMissing,
    /// `stale-credential`.
    StaleCredential,
    /// `account-setting`.
    AccountSetting,
    /// `federation`.
    Federation,
}

impl RuleId {
    /// Every id, in the registry's reporting order.
    pub const ALL: [RuleId; 24] = [
        RuleId::Admin,
        RuleId::ServiceFullAccess,
        RuleId::DenylistedPolicy,
        RuleId::AllowWithNot,
        RuleId::PrivilegeEscalation,
        RuleId::WildcardResourceWrite,
        RuleId::DataExfiltration,
        RuleId::TrustPublic,
        RuleId::TrustCrossAccount,
        RuleId::ResourcePublic,
        RuleId::ResourceCrossAccount,
        RuleId::ResourceConfusedDeputy,
        RuleId::UnknownAction,
        RuleId::NewCredential,
        RuleId::DeniedAfterGuard,
        RuleId::EscalationPath,
        RuleId::PolicyInvalid,
        RuleId::PolicyIneffective,
        RuleId::RootUser,
        RuleId::PasswordPolicy,
        RuleId::MfaMissing,
        RuleId::StaleCredential,
        RuleId::AccountSetting,
        RuleId::Federation,
    ];

    /// The id as configuration and reports spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::Admin => "admin",
            RuleId::ServiceFullAccess => "service-full-access",
            RuleId::DenylistedPolicy => "denylisted-policy",
            RuleId::AllowWithNot => "allow-with-not",
            RuleId::PrivilegeEscalation => "privilege-escalation",
            RuleId::WildcardResourceWrite => "wildcard-resource-write",
            RuleId::DataExfiltration => "data-exfiltration",
            RuleId::TrustPublic => "trust-public",
            RuleId::TrustCrossAccount => "trust-cross-account",
            RuleId::ResourcePublic => "resource-public",
            RuleId::ResourceCrossAccount => "resource-cross-account",
            RuleId::ResourceConfusedDeputy => "resource-confused-deputy",
            RuleId::UnknownAction => "unknown-action",
            RuleId::NewCredential => "new-credential",
            RuleId::DeniedAfterGuard => "denied-after-guard",
            RuleId::EscalationPath => "escalation-path",
            RuleId::PolicyInvalid => "policy-invalid",
            RuleId::PolicyIneffective => "policy-ineffective",
            RuleId::RootUser => "root-user",
            RuleId::PasswordPolicy => "password-policy",
            RuleId::MfaMissing => "mfa-missing",
            RuleId::StaleCredential => "stale-credential",
            RuleId::AccountSetting => "account-setting",
            RuleId::Federation => "federation",
        }
    }

    /// The id a configuration key or suppression spells; `None` for no rule.
    pub fn parse(s: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|id| id.as_str() == s)
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_parses_back_and_pads_like_a_string() {
        for id in RuleId::ALL {
            assert_eq!(RuleId::parse(id.as_str()), Some(id));
        }
        assert_eq!(RuleId::parse("no-such-rule"), None);
        assert_eq!(format!("[{:<8}]", RuleId::Admin), "[admin   ]");
        assert_eq!(serde_json::to_string(&RuleId::TrustPublic).unwrap(), "\"trust-public\"");
    }
}
