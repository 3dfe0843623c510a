//! Resources by meaning, from the ARN formats of the Service Authorization Reference: a pattern
//! that reaches every resource of an action's resource type (`arn:aws:iam::*:role/*`,
//! `arn:aws:s3:::*`, or `arn:aws:iam::111122223333:role/*` for one account) counts as `*`.

use crate::policy::{is_match_all_resource, wildcard_match};

/// A value no real name has, standing for "any name" when a format is instantiated.
const ANY: &str = "zq9any";

/// A resource type's ARN format split into its six parts, the resource part instantiated with
/// [`ANY`]: prepared once per type for the process.
struct Prepared {
    /// partition, service, region, account as in the format; `None` where it is a `${…}`
    /// variable (any value matches).
    parts: [Option<&'static str>; 4],
    resource: String,
}

fn prepared(rt: u16) -> &'static Prepared {
    static ALL: std::sync::OnceLock<Vec<std::sync::OnceLock<Prepared>>> = std::sync::OnceLock::new();
    let all =
        ALL.get_or_init(|| (0..crate::catalog::resource_type_count()).map(|_| std::sync::OnceLock::new()).collect());
    all[usize::from(rt)].get_or_init(|| {
        let arn = crate::catalog::resource_type(usize::from(rt)).arn;
        let f: Vec<&'static str> = arn.splitn(6, ':').collect();
        let part = |i: usize| f.get(i).copied().unwrap_or("");
        let fixed = |i: usize| Some(part(i)).filter(|p| !p.contains("${"));
        Prepared { parts: [fixed(1), fixed(2), fixed(3), fixed(4)], resource: instantiate(part(5)) }
    })
}

/// A policy's resource pattern split into its six parts (None when it is not an ARN pattern).
fn pattern_parts(pattern: &str) -> Option<[&str; 6]> {
    let mut it = pattern.splitn(6, ':');
    let mut out = [""; 6];
    for slot in &mut out {
        *slot = it.next()?;
    }
    Some(out)
}

/// Does a pattern (split) reach every resource of a resource type (prepared)? Partition, region
/// and account may be concrete (one account's roles are all of them for the guarded account); the
/// resource part must match a name the pattern cannot anticipate.
fn covers_prepared(p: &[&str; 6], f: &Prepared) -> bool {
    for (i, fp) in f.parts.iter().enumerate() {
        if fp.is_some_and(|fp| !wildcard_match(p[i + 1], fp, false)) {
            return false;
        }
    }
    wildcard_match(p[5], &f.resource, false)
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

/// The actions of `actions` whose every resource the `patterns` reach: every resource type a
/// request always names (required) must be covered by some pattern — `ssm:SendCommand` on every
/// instance but one document runs that document only; with no required type, any of its types
/// will do; with no type at all, only `*`. Each resource type is decided once (a statement's
/// actions share a few).
pub(crate) fn reaching(patterns: &[crate::policy::Str], actions: &super::ActionSet) -> super::ActionSet {
    if patterns.iter().any(|p| is_match_all_resource(p)) {
        return actions.clone();
    }
    let parts: smallvec::SmallVec<[[&str; 6]; 8]> = patterns.iter().filter_map(|p| pattern_parts(p)).collect();
    // Each resource type is decided once per call, in a per-thread table indexed by type (value 0:
    // undecided, 1: not covered, 2: covered), cleared afterwards through the list of types touched.
    thread_local! {
        static TABLE: std::cell::RefCell<(Vec<u8>, Vec<u16>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    TABLE.with_borrow_mut(|(table, touched)| {
        if table.is_empty() {
            table.resize(crate::catalog::resource_type_count(), 0);
        }
        let out = reaching_with(&parts, actions, table, touched);
        for rt in touched.drain(..) {
            table[usize::from(rt)] = 0;
        }
        out
    })
}

fn reaching_with(
    parts: &[[&str; 6]],
    actions: &super::ActionSet,
    table: &mut [u8],
    touched: &mut Vec<u16>,
) -> super::ActionSet {
    let mut covered = |rt: u16| match table[usize::from(rt)] {
        0 => {
            let f = prepared(rt);
            let c = parts.iter().any(|p| covers_prepared(p, f));
            table[usize::from(rt)] = 1 + u8::from(c);
            touched.push(rt);
            c
        }
        v => v == 2,
    };
    let mut out = actions.clone();
    out.retain(|a| {
        let mut any = false;
        let mut all_required = true;
        let mut has_required = false;
        for (rt, req) in a.resource_type_refs() {
            let c = covered(rt);
            any |= c;
            if req {
                has_required = true;
                all_required &= c;
            }
        }
        if has_required {
            all_required
        } else {
            any
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    use crate::catalog::ActionId;

    fn id(a: &str) -> ActionId {
        Catalog::global().lookup_id(a).unwrap()
    }

    fn covers_all(patterns: &[crate::policy::Str], a: ActionId) -> bool {
        let set: super::super::ActionSet = [a].into_iter().collect();
        reaching(patterns, &set).contains(a)
    }

    #[test]
    fn every_resource_of_the_type() {
        let one = |p: &str, a: ActionId| covers_all(&[p.into()], a);
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
        let pats = |v: &[&str]| v.iter().map(|&s| crate::policy::Str::from(s)).collect::<Vec<_>>();
        let one_document = pats(&["arn:aws:ec2:*:*:instance/*", "arn:aws:ssm:*::document/AWSEC2-CreateVssSnapshot"]);
        assert!(!covers_all(&one_document, send), "one document on every instance");
        assert!(covers_all(&pats(&["arn:aws:ec2:*:*:instance/*", "arn:aws:ssm:*:*:document/*"]), send));
    }
}
