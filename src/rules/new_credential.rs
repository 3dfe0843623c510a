//! `new-credential`: a long-lived credential created for a user (an access key, a console
//! password). It judges the change, not a document: the guard raises it for CreateAccessKey and
//! CreateLoginProfile, at this rule's severity or the user's worst finding when that is worse, so
//! an access key on an administrator reads as critical.

use super::*;

pub(crate) struct NewCredential;

impl Rule for NewCredential {
    fn id(&self) -> RuleId {
        RuleId::NewCredential
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn summary(&self) -> &'static str {
        "A long-lived credential (access key, console password) was created, reset or reactivated for a user or the root user."
    }
    fn doc(&self) -> &'static str {
        "CreateAccessKey / CreateLoginProfile / UpdateLoginProfile (a password reset) / UpdateAccessKey to Active on the event path: medium, or the user's worst finding when worse (an access key on an administrator is critical). A credential of the account root user is always critical. Always alerts."
    }
    fn judges(&self) -> Judges {
        Judges::Change
    }
}

/// The kind of credential created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credential {
    AccessKey,
    LoginProfile,
    /// UpdateLoginProfile: the password was reset.
    PasswordReset,
    /// UpdateAccessKey to Active.
    ReactivatedKey,
}

/// The finding for a new credential of `user`: `base` severity (the rule's, as configured), or
/// the user's `worst` finding's when that is more severe.
pub(crate) fn finding(base: Severity, credential: Credential, user: &str, worst: Option<&Finding>) -> Finding {
    let severity = worst.map_or(base, |f| f.severity.max(base));
    let (what, hint) = match credential {
        Credential::LoginProfile | Credential::PasswordReset => (
            "console password",
            "Prefer IAM Identity Center (SSO) for people; if the user must sign in, require MFA and give it only the \
             permissions it needs.",
        ),
        Credential::AccessKey | Credential::ReactivatedKey => (
            "long-lived access key",
            "Prefer roles with short-lived credentials (IAM Identity Center, OIDC federation for CI); if a key is \
             needed, scope the user's policies to what it calls and rotate the key.",
        ),
    };
    let carries = match worst {
        Some(f) => format!(", and the user holds {} permissions ({})", f.severity, f.rule),
        None => String::new(),
    };
    let done = match credential {
        Credential::AccessKey | Credential::LoginProfile => "was created for",
        Credential::PasswordReset => "was reset for",
        Credential::ReactivatedKey => "was made active again for",
    };
    Finding {
        bounded_by: None,
        rule: NewCredential.id(),
        paths: Vec::new(),
        severity,
        message: format!("A {what} {done} user {user}{carries}"),
        evidence: vec![],
        hint: hint.into(),
    }
}

/// The finding for a credential of the account root user: always critical. The root user cannot
/// be restricted by any IAM policy, so a long-lived root key is the worst credential an account can
/// hold; AWS's own guidance is to have none.
pub(crate) fn root_finding(credential: crate::intake::RootCredential) -> Finding {
    use crate::intake::RootCredential;
    let (message, hint) = match credential {
        RootCredential::AccessKey => (
            "An access key was created for the account root user",
            "Delete the root access key (aws iam delete-access-key as root, or the console's Security credentials \
             page) and use roles or IAM Identity Center instead; check the root user has MFA and that nobody else \
             holds its password.",
        ),
        RootCredential::ReactivatedAccessKey => (
            "An access key of the account root user was made active again",
            "Deactivate and delete the root access key; find out who reactivated it (the caller is the root user \
             itself, so its password or another root key is in use).",
        ),
        RootCredential::LoginProfile => (
            "A console password was set for the account root user",
            "Reset the root password from the account's email, enable MFA on root, and review who holds root \
             access.",
        ),
    };
    Finding {
        bounded_by: None,
        rule: NewCredential.id(),
        paths: Vec::new(),
        severity: Severity::Critical,
        message: message.into(),
        evidence: vec![],
        hint: hint.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_worse_of_its_own_and_the_users_severity() {
        let f = finding(Severity::Medium, Credential::AccessKey, "bob", None);
        assert_eq!(
            (f.severity, f.message.as_str()),
            (Severity::Medium, "A long-lived access key was created for user bob")
        );
        let admin = Finding {
            bounded_by: None,
            rule: RuleId::Admin,
            paths: Vec::new(),
            severity: Severity::Critical,
            message: String::new(),
            evidence: vec![],
            hint: String::new(),
        };
        let f = finding(Severity::Medium, Credential::LoginProfile, "carol", Some(&admin));
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(
            f.message,
            "A console password was created for user carol, and the user holds critical permissions (admin)"
        );
        let low = Finding { severity: Severity::Low, ..admin };
        assert_eq!(finding(Severity::High, Credential::AccessKey, "x", Some(&low)).severity, Severity::High);
    }
}
