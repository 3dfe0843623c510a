//! Whose calls a suggestion is for: a role (every session of it) or a user.

use serde_json::Value;

/// Why a principal could not be named.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("--principal {0:?}: expected a role or user ARN (arn:aws:iam::111122223333:role/NAME or user/NAME)")]
pub struct BadPrincipal(pub String);

/// Role or user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Calls made with any session of the role.
    Role,
    /// Calls made with the user's own credentials.
    User,
}

/// The principal whose calls are kept: account, kind and name (the path does not matter:
/// CloudTrail names a role's sessions with the path, a user's calls sometimes without).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The partition (`aws`).
    pub partition: String,
    /// The account.
    pub account: String,
    /// Role or user.
    pub kind: Kind,
    /// The name, without path.
    pub name: String,
    /// The ARN as given.
    pub arn: String,
}

impl Principal {
    /// `arn:aws:iam::111122223333:role/path/NAME` or `…:user/NAME`.
    pub fn parse(arn: &str) -> Result<Principal, BadPrincipal> {
        let bad = || BadPrincipal(arn.to_string());
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [pre, partition, "iam", "", account, resource] = parts[..] else { return Err(bad()) };
        if pre != "arn" || account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let (kind, rest) = match resource.split_once('/') {
            Some(("role", rest)) => (Kind::Role, rest),
            Some(("user", rest)) => (Kind::User, rest),
            _ => return Err(bad()),
        };
        let name = rest.rsplit('/').next().filter(|n| !n.is_empty()).ok_or_else(bad)?;
        Ok(Principal {
            partition: partition.to_string(),
            account: account.to_string(),
            kind,
            name: name.to_string(),
            arn: arn.to_string(),
        })
    }

    /// Did this principal make the call the record describes? A role: the session issuer of an
    /// assumed-role session; a user: the caller.
    pub fn made(&self, record: &Value) -> bool {
        let who = &record["userIdentity"];
        let arn = match (self.kind, who["type"].as_str()) {
            (Kind::Role, Some("AssumedRole")) => who["sessionContext"]["sessionIssuer"]["arn"].as_str(),
            (Kind::User, Some("IAMUser")) => who["arn"].as_str(),
            _ => None,
        };
        arn.and_then(|a| Principal::parse(a).ok())
            .is_some_and(|p| p.kind == self.kind && p.account == self.account && p.name == self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_roles_and_users_with_paths() {
        let p = Principal::parse("arn:aws:iam::111122223333:role/service-role/DynamoDBBackupRole").unwrap();
        assert_eq!((p.kind, p.name.as_str(), p.account.as_str()), (Kind::Role, "DynamoDBBackupRole", "111122223333"));
        assert_eq!(Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap().kind, Kind::User);
        for bad in ["role/x", "arn:aws:iam::1111:role/x", "arn:aws:s3:::bucket", "arn:aws:iam::111122223333:group/g"] {
            assert!(Principal::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_role_made_every_session_of_it_and_nothing_else() {
        let p = Principal::parse("arn:aws:iam::111122223333:role/app").unwrap();
        let session = |issuer: &str| {
            json!({"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/app/s1",
                   "sessionContext": {"sessionIssuer": {"type": "Role", "arn": issuer}}}})
        };
        assert!(p.made(&session("arn:aws:iam::111122223333:role/app")));
        assert!(p.made(&session("arn:aws:iam::111122223333:role/path/app")));
        assert!(!p.made(&session("arn:aws:iam::111122223333:role/app2")));
        assert!(!p.made(&session("arn:aws:iam::444455556666:role/app")));
        let user = json!({"userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/app"}});
        assert!(!p.made(&user));
        assert!(Principal::parse("arn:aws:iam::111122223333:user/app").unwrap().made(&user));
    }
}
