//! Resources by meaning, from the ARN formats of the Service Authorization Reference: a pattern
//! that reaches every resource of an action's resource type (`arn:aws:iam::*:role/*`,
//! `arn:aws:s3:::*`, or `arn:aws:iam::111122223333:role/*` for one account) counts as `*`.

use crate::catalog::ActionId;
use crate::policy::{is_match_all_resource, wildcard_match};

/// A value no real name has, standing for "any name" when a format is instantiated.
const ANY: &str = "zq9any";

/// Does `pattern` reach every resource of the ARN `format` (`arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}`)?
/// Partition, region and account may be concrete (one account's roles are all of them for the
/// guarded account); the resource part must match a name the pattern cannot anticipate.
pub(crate) fn covers_format(pattern: &str, format: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let f: Vec<&str> = format.splitn(6, ':').collect();
    if p.len() != 6 || f.len() != 6 {
        return false;
    }
    for i in 1..5 {
        let literal = !f[i].contains("${");
        if literal && !wildcard_match(p[i], f[i], false) {
            return false;
        }
    }
    wildcard_match(p[5], &instantiate(f[5]), false)
}

/// The format with every `${Variable}` replaced by [`ANY`].
fn instantiate(format: &str) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        out.push_str(ANY);
        rest = match rest[start..].find('}') {
            Some(end) => &rest[start + end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Does `pattern` reach every resource `action` can act on?
pub(crate) fn covers_all(pattern: &str, action: ActionId) -> bool {
    is_match_all_resource(pattern) || action.resource_types().any(|rt| covers_format(pattern, rt.arn))
}

/// Could `pattern` name resources of this action's types at all (its service part matches)?
/// A cheap filter before [`covers_all`].
pub(crate) fn same_service(pattern: &str, action: ActionId) -> bool {
    match pattern.split(':').nth(2) {
        Some(svc) => {
            action.resource_types().any(|rt| rt.arn.split(':').nth(2).is_some_and(|f| wildcard_match(svc, f, false)))
        }
        None => is_match_all_resource(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn id(a: &str) -> ActionId {
        Catalog::global().lookup_id(a).unwrap()
    }

    #[test]
    fn every_resource_of_the_type() {
        let pass = id("iam:PassRole");
        for p in ["*", "arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/*", "arn:*:iam::*:role/*"] {
            assert!(covers_all(p, pass), "{p}");
        }
        for p in ["arn:aws:iam::*:role/app-*", "arn:aws:iam::111122223333:role/deployer", "arn:aws:iam::*:user/*"] {
            assert!(!covers_all(p, pass), "{p}");
        }
        let get = id("s3:GetObject");
        assert!(covers_all("arn:aws:s3:::*", get));
        assert!(covers_all("arn:aws:s3:::*/*", get));
        assert!(!covers_all("arn:aws:s3:::reports/*", get));
        let list = id("s3:ListAllMyBuckets");
        assert!(covers_all("*", list) && !covers_all("arn:aws:s3:::*", list), "no resource type: only * reaches it");
        assert!(covers_all("arn:aws:lambda:us-east-1:*:function:*", id("lambda:UpdateFunctionCode")), "one region");
    }

    #[test]
    fn service_filter() {
        assert!(same_service("arn:aws:iam::*:role/x", id("iam:PassRole")));
        assert!(!same_service("arn:aws:s3:::b/*", id("iam:PassRole")));
        assert!(same_service("*", id("iam:PassRole")));
    }
}
