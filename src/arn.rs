//! The few facts iam-guard reads out of ARNs, in one place.

/// The last path segment of an ARN: the name of a policy, role, user or group
/// (`arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole` → `AWSLambdaBasicExecutionRole`).
/// Text without `/` is returned whole.
pub(crate) fn resource_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The 12-digit account id of an ARN (`arn:aws:iam::123456789012:role/x`) or of a bare account
/// id; `None` for anything else (`*`, a service, an AWS-owned `arn:aws:iam::aws:…`).
pub(crate) fn account(principal: &str) -> Option<&str> {
    let id = if principal.starts_with("arn:") { principal.split(':').nth(4)? } else { principal };
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

/// The role name of a role ARN (`arn:aws:iam::A:role/path/NAME`) or of an assumed-role session
/// (`arn:aws:sts::A:assumed-role/NAME/SESSION`).
pub(crate) fn role_name(arn: &str) -> Option<&str> {
    let res = arn.splitn(6, ':').nth(5)?;
    if let Some(r) = res.strip_prefix("role/") {
        return r.rsplit('/').next();
    }
    res.strip_prefix("assumed-role/").and_then(|r| r.split('/').next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accounts_roles() {
        assert_eq!(
            resource_name("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
            "AWSLambdaBasicExecutionRole"
        );
        assert_eq!(resource_name("plain"), "plain");
        assert_eq!(account("arn:aws:iam::123456789012:role/x"), Some("123456789012"));
        assert_eq!(account("123456789012"), Some("123456789012"));
        assert_eq!(account("arn:aws:iam::aws:policy/AdministratorAccess"), None);
        assert_eq!(account("AIDAEXAMPLE"), None);
        assert_eq!(role_name("arn:aws:iam::1:role/path/to/app"), Some("app"));
        assert_eq!(role_name("arn:aws:sts::1:assumed-role/app/session-1"), Some("app"));
        assert_eq!(role_name("arn:aws:iam::1:user/bob"), None);
    }
}
