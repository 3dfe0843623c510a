//! `new-credential`: a long-lived credential created for a user (an access key, a console
//! password). It judges the change, not a document: the guard raises it for CreateAccessKey and
//! CreateLoginProfile, at this rule's severity or the user's worst finding when that is worse, so
//! an access key on an administrator reads as critical.

use super::*;

pub struct NewCredential;

impl Rule for NewCredential {
    fn id(&self) -> &'static str {
        "new-credential"
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn summary(&self) -> &'static str {
        "A long-lived credential (access key, console password) was created for a user."
    }
    fn doc(&self) -> &'static str {
        "CreateAccessKey / CreateLoginProfile on the event path: medium, or the user's worst finding when worse (an access key on an administrator is critical). Always alerts."
    }
    fn applies_to(&self, _kind: PolicyKind) -> bool {
        false
    }
    fn check(&self, _cx: &Ctx<'_>, _doc: &PolicyDocument, _out: &mut Vec<Finding>) {}
}

/// The kind of credential created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    AccessKey,
    LoginProfile,
}

/// The finding for a new credential of `user`: `base` severity (the rule's, as configured), or
/// the user's `worst` finding's when that is more severe.
pub(crate) fn finding(base: Severity, credential: Credential, user: &str, worst: Option<&Finding>) -> Finding {
    let severity = worst.map_or(base, |f| f.severity.max(base));
    let (what, hint) = match credential {
        Credential::LoginProfile => (
            "console password",
            "Prefer IAM Identity Center (SSO) for people; if the user must sign in, require MFA and give it only the \
             permissions it needs.",
        ),
        Credential::AccessKey => (
            "long-lived access key",
            "Prefer roles with short-lived credentials (IAM Identity Center, OIDC federation for CI); if a key is \
             needed, scope the user's policies to what it calls and rotate the key.",
        ),
    };
    let carries = match worst {
        Some(f) => format!(", and the user holds {} permissions ({})", f.severity, f.rule),
        None => String::new(),
    };
    Finding {
        rule: NewCredential.id(),
        paths: Vec::new(),
        severity,
        message: format!("A {what} was created for user {user}{carries}"),
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
            rule: "admin",
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
