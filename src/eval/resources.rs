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

/// Do the `patterns` reach every resource `action` can act on? Every resource type a request
/// always names (required) must be covered by some pattern — `ssm:SendCommand` on every instance
/// but one document runs that document only; with no required type, any of its types will do.
pub(crate) fn covers_all(patterns: &[String], action: ActionId) -> bool {
    if patterns.iter().any(|p| is_match_all_resource(p)) {
        return true;
    }
    let covered = |arn: &str| patterns.iter().any(|p| covers_format(p, arn));
    let mut required = action.resource_types().filter(|(_, req)| *req).peekable();
    if required.peek().is_some() {
        required.all(|(rt, _)| covered(rt.arn))
    } else {
        action.resource_types().any(|(rt, _)| covered(rt.arn))
    }
}

/// Could one of `patterns` name resources of this action's types at all (its service part
/// matches)? A cheap filter before [`covers_all`].
pub(crate) fn same_service(patterns: &[String], action: ActionId) -> bool {
    patterns.iter().any(|pattern| match pattern.split(':').nth(2) {
        Some(svc) => action
            .resource_types()
            .any(|(rt, _)| rt.arn.split(':').nth(2).is_some_and(|f| wildcard_match(svc, f, false))),
        None => is_match_all_resource(pattern),
    })
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
        let one = |p: &str, a: ActionId| covers_all(&[p.to_string()], a);
        let pass = id("iam:PassRole");
        for p in ["*", "arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/*", "arn:*:iam::*:role/*"] {
            assert!(one(p, pass), "{p}");
        }
        for p in ["arn:aws:iam::*:role/app-*", "arn:aws:iam::111122223333:role/deployer", "arn:aws:iam::*:user/*"] {
            assert!(!one(p, pass), "{p}");
        }
        let get = id("s3:GetObject");
        assert!(one("arn:aws:s3:::*", get));
        assert!(one("arn:aws:s3:::*/*", get));
        assert!(!one("arn:aws:s3:::reports/*", get));
        let list = id("s3:ListAllMyBuckets");
        assert!(one("*", list) && !one("arn:aws:s3:::*", list), "no resource type: only * reaches it");
        assert!(one("arn:aws:lambda:us-east-1:*:function:*", id("lambda:UpdateFunctionCode")), "one region");
    }

    #[test]
    fn every_required_type_must_be_covered() {
        let send = id("ssm:SendCommand");
        let pats = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let one_document = pats(&["arn:aws:ec2:*:*:instance/*", "arn:aws:ssm:*::document/AWSEC2-CreateVssSnapshot"]);
        assert!(!covers_all(&one_document, send), "one document on every instance");
        assert!(covers_all(&pats(&["arn:aws:ec2:*:*:instance/*", "arn:aws:ssm:*:*:document/*"]), send));
    }

    #[test]
    fn service_filter() {
        let one = |p: &str| vec![p.to_string()];
        assert!(same_service(&one("arn:aws:iam::*:role/x"), id("iam:PassRole")));
        assert!(!same_service(&one("arn:aws:s3:::b/*"), id("iam:PassRole")));
        assert!(same_service(&one("*"), id("iam:PassRole")));
    }
}
