//! Conditions by meaning: what a statement's Condition block does to it, decided statically
//! where IAM's semantics allow it, from the condition keys of the Service Authorization Reference.
//!
//! - A service-specific key (`iam:ResourceTag/x`, `s3:prefix`) is *absent* from requests to
//!   actions of other services (unless those services define it too). For an absent key a plain
//!   operator never matches, a negated one (`StringNotEquals`, `NotIpAddress`, …) and
//!   `ForAllValues:` always do, `Null: true` does, `…IfExists` does.
//! - `…IfExists` never restricts an Allow (the caller can make the key absent); `Null` tests and
//!   `aws:SecureTransport` say nothing about who or from where.
//! - `aws:CurrentTime`, `aws:EpochTime` and `aws:TokenIssueTime` against a constant are decided
//!   against today (undecided within two days of it).
//! - Anything else that is present narrows who, from where, when or on which resources: the
//!   statement still grants, one severity level lower, and the finding says which condition.
//!
//! For a Deny the question is the opposite one: it is subtracted only when it applies to every
//! request; a Deny that may not apply (a condition that depends on the request) subtracts nothing.

use crate::catalog::{Catalog, Service};
use crate::policy::Condition;
use chrono::{DateTime, NaiveDate, Utc};

/// What a statement's conditions do to an Allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// It grants whatever the request (no condition, or none that restricts).
    Unrestricted,
    /// It grants only when the caller meets these (`IpAddress aws:SourceIp: from where …`).
    Narrowed(Vec<String>),
    /// It never grants (a condition that never holds).
    Never,
}

/// Where a condition key comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeyScope {
    /// Global (`aws:…`, and the few service keys every service sees): present wherever it can be.
    Global,
    /// Defined by a service: present only for actions of services that define it.
    Service(&'static Service),
    /// Not a service's (federation keys such as `token.actions.githubusercontent.com:sub`).
    Other,
}

/// Service keys that requests to any service carry (credentials issued to compute).
const CROSS_SERVICE_KEYS: &[&str] = &[
    "ec2:sourceinstancearn",
    "ec2:sourceinstanceprivateipv4",
    "ec2:roledelivery",
    "lambda:sourcefunctionarn",
    "glue:roleassumedby",
    "glue:credentialissuingservice",
    "ssm:sourceinstancearn",
];

/// The scope of a condition key.
pub(crate) fn key_scope(key: &str) -> KeyScope {
    let Some((prefix, _)) = key.split_once(':') else { return KeyScope::Other };
    if prefix.eq_ignore_ascii_case("aws") || CROSS_SERVICE_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k)) {
        return KeyScope::Global;
    }
    match Catalog::global().service(prefix) {
        Some(s) => KeyScope::Service(s),
        None => KeyScope::Other,
    }
}

/// The operator's parts: `ForAnyValue:` / `ForAllValues:` qualifier, the base operator, and
/// whether it ends in `IfExists`.
pub(crate) struct Operator<'a> {
    pub(crate) for_all: bool,
    pub(crate) for_any: bool,
    pub(crate) base: &'a str,
    pub(crate) if_exists: bool,
}

pub(crate) fn operator(op: &str) -> Operator<'_> {
    let (for_all, for_any, rest) = if let Some(r) = strip_prefix_ci(op, "ForAllValues:") {
        (true, false, r)
    } else if let Some(r) = strip_prefix_ci(op, "ForAnyValue:") {
        (false, true, r)
    } else {
        (false, false, op)
    };
    let (base, if_exists) = match rest.len().checked_sub(8) {
        Some(i) if rest.is_char_boundary(i) && rest[i..].eq_ignore_ascii_case("IfExists") => (&rest[..i], true),
        _ => (rest, false),
    };
    Operator { for_all, for_any, base, if_exists }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes()))
        .then(|| &s[prefix.len()..])
}

/// Negated operators: true when the key is absent.
fn negated(base: &str) -> bool {
    strip_prefix_ci(base, "StringNot").is_some()
        || strip_prefix_ci(base, "ArnNot").is_some()
        || ["NumericNotEquals", "DateNotEquals", "NotIpAddress"].iter().any(|n| base.eq_ignore_ascii_case(n))
}

/// The truth of one condition for a request, as far as it is known statically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Truth {
    /// Holds for every request.
    Always,
    /// Holds for no request.
    Never,
    /// Holds for some: the caller can make it hold without meeting any requirement (IfExists on
    /// a key it can leave out, Null tests, SecureTransport).
    Easily,
    /// Holds only when the request meets this (a description).
    Requires(String),
}

/// How close to today a time constant may be and still be undecided: tokens live up to 36 hours.
const TIME_MARGIN_DAYS: i64 = 2;

/// One condition's truth when its key is `present` (for the actions in question).
pub(crate) fn truth(c: &Condition, present: bool, now: DateTime<Utc>) -> Truth {
    // Compared without lower-casing copies: this runs for every conditioned statement.
    let op = operator(&c.operator);
    let base = op.base;
    if base.eq_ignore_ascii_case("Null") {
        // Null: true tests absence, false presence.
        let wants_absent = c.values.iter().all(|v| v.eq_ignore_ascii_case("true"));
        return match (present, wants_absent) {
            (false, true) => Truth::Always,
            (false, false) => Truth::Never,
            _ => Truth::Easily,
        };
    }
    if !present {
        return if op.if_exists || op.for_all || (negated(base) && !op.for_any) { Truth::Always } else { Truth::Never };
    }
    if op.if_exists {
        return Truth::Easily;
    }
    if c.key.eq_ignore_ascii_case("aws:SecureTransport") {
        return Truth::Easily;
    }
    if ["aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime"].iter().any(|k| c.key.eq_ignore_ascii_case(k)) {
        if let Some(t) = time_truth(&base.to_ascii_lowercase(), &c.values, now) {
            return t;
        }
    }
    Truth::Requires(requirement(c))
}

/// `IpAddress aws:SourceIp: narrows from where: source IP addresses (203.0.113.0/24)`, built in
/// one buffer.
fn requirement(c: &Condition) -> String {
    let key = c.key.to_ascii_lowercase();
    let what = narrows(&key);
    let mut out = String::with_capacity(c.operator.len() + c.key.len() + what.len() + 40);
    out.push_str(&c.operator);
    out.push(' ');
    out.push_str(&c.key);
    out.push_str(": narrows ");
    if what.is_empty() {
        out.push_str("the request to ");
    } else {
        out.push_str(what);
        out.push_str(" (");
    }
    for (i, v) in c.values.iter().take(3).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(v);
    }
    if c.values.len() > 3 {
        out.push_str(", …");
    }
    if !what.is_empty() {
        out.push(')');
    }
    out
}

/// Decides a time comparison against `now`, when the constant is far enough from it.
fn time_truth(base: &str, values: &[String], now: DateTime<Utc>) -> Option<Truth> {
    let margin = chrono::Duration::days(TIME_MARGIN_DAYS);
    // Several values: the condition holds if any does (OR); decide only when all agree.
    let mut verdicts = values.iter().map(|v| {
        let t = parse_time(v)?;
        let (far_past, far_future) = (t < now - margin, t > now + margin);
        let holds = match base.trim_start_matches("date").trim_start_matches("numeric") {
            "greaterthan" | "greaterthanequals" => {
                if far_past {
                    true
                } else if far_future {
                    false
                } else {
                    return None;
                }
            }
            "lessthan" | "lessthanequals" => {
                if far_future {
                    true
                } else if far_past {
                    false
                } else {
                    return None;
                }
            }
            "equals" if far_past || far_future => false,
            "notequals" if far_past || far_future => true,
            _ => return None,
        };
        Some(holds)
    });
    let first = verdicts.next()??;
    for v in verdicts {
        if v? != first {
            return None;
        }
    }
    Some(if first { Truth::Always } else { Truth::Never })
}

fn parse_time(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc());
    }
    v.parse::<i64>().ok().and_then(|s| DateTime::from_timestamp(s, 0))
}

/// What a present key (lower-cased) narrows, in a few words ("" when there is nothing to say).
fn narrows(key: &str) -> &'static str {
    match key {
        "aws:sourceip" | "aws:vpcsourceip" => "from where: source IP addresses",
        "aws:sourcevpc" | "aws:sourcevpce" | "aws:sourcevpcarn" => "from where: a VPC or VPC endpoint",
        "aws:requestedregion" => "where: regions",
        "aws:principalorgid"
        | "aws:principalorgpaths"
        | "aws:principalaccount"
        | "aws:principalarn"
        | "aws:userid"
        | "aws:username"
        | "aws:principaltype" => "who: the calling principal",
        "aws:multifactorauthpresent" | "aws:multifactorauthage" => "who: sessions signed in with MFA",
        "aws:resourceaccount" | "aws:resourceorgid" | "aws:resourceorgpaths" => "which resources: their owner",
        "aws:calledvia" | "aws:calledviafirst" | "aws:calledvialast" | "aws:viaawsservice" => {
            "how: only through an AWS service"
        }
        "aws:sourcearn" | "aws:sourceaccount" | "aws:sourceorgid" | "aws:sourceorgpaths" => {
            "who: the calling service's source"
        }
        "aws:currenttime" | "aws:epochtime" | "aws:tokenissuetime" => "when: a time window",
        "aws:tagkeys" => "what: the tags on the request",
        k if k.starts_with("aws:principaltag/") => "who: principals with this tag",
        k if k.starts_with("aws:resourcetag/") || k.contains(":resourcetag/") => "which resources: tagged ones",
        k if k.starts_with("aws:requesttag/") => "what: the tags on the request",
        "iam:passedtoservice" => "which service the role is passed to",
        "iam:policyarn" => "which policies",
        "iam:permissionsboundary" => "principals under a permissions boundary",
        _ => "",
    }
}

/// The combined truth of a statement's conditions (all must hold) for actions for which the
/// keys in `present` are present (one flag per condition).
pub(crate) fn combine(conditions: &[Condition], present: &[bool], now: DateTime<Utc>) -> (Grant, bool) {
    let mut reasons = Vec::new();
    let mut always = true;
    for (c, &p) in conditions.iter().zip(present) {
        match truth(c, p, now) {
            Truth::Never => return (Grant::Never, false),
            Truth::Always => {}
            Truth::Easily => always = false,
            Truth::Requires(r) => {
                always = false;
                reasons.push(r);
            }
        }
    }
    let grant = if reasons.is_empty() { Grant::Unrestricted } else { Grant::Narrowed(reasons) };
    // The second value: does a Deny with these conditions apply to every request?
    (grant, always)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, v: &str) -> Condition {
        Condition { operator: op.into(), key: key.into(), values: vec![v.into()] }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn absent_keys() {
        for (op, want) in [
            ("StringEquals", Truth::Never),
            ("StringLike", Truth::Never),
            ("ForAnyValue:StringEquals", Truth::Never),
            ("StringNotEquals", Truth::Always),
            ("ArnNotLike", Truth::Always),
            ("StringEqualsIfExists", Truth::Always),
            ("ForAllValues:StringEquals", Truth::Always),
        ] {
            assert_eq!(truth(&cond(op, "iam:ResourceTag/team", "x"), false, now()), want, "{op}");
        }
        assert_eq!(truth(&cond("Null", "s3:x-amz-acl", "true"), false, now()), Truth::Always);
        assert_eq!(truth(&cond("Null", "s3:x-amz-acl", "false"), false, now()), Truth::Never);
    }

    #[test]
    fn present_keys() {
        assert_eq!(truth(&cond("Bool", "aws:SecureTransport", "true"), true, now()), Truth::Easily);
        assert_eq!(truth(&cond("BoolIfExists", "aws:MultiFactorAuthPresent", "true"), true, now()), Truth::Easily);
        let Truth::Requires(why) = truth(&cond("IpAddress", "aws:SourceIp", "203.0.113.0/24"), true, now()) else {
            panic!()
        };
        assert_eq!(why, "IpAddress aws:SourceIp: narrows from where: source IP addresses (203.0.113.0/24)");
    }

    #[test]
    fn time_against_today() {
        let t = |op: &str, v: &str| truth(&cond(op, "aws:TokenIssueTime", v), true, now());
        assert_eq!(t("DateGreaterThan", "2020-01-01T00:00:00Z"), Truth::Always);
        assert_eq!(t("DateLessThan", "2020-01-01T00:00:00Z"), Truth::Never);
        assert_eq!(t("DateLessThan", "2099-01-01"), Truth::Always);
        assert_eq!(t("DateGreaterThan", "2099-01-01"), Truth::Never);
        assert!(matches!(t("DateGreaterThan", "2026-11-23T00:00:00Z"), Truth::Requires(_)), "too close to decide");
        let e = truth(&cond("NumericLessThan", "aws:EpochTime", "1577836800"), true, now());
        assert_eq!(e, Truth::Never, "2020 in epoch seconds is past");
    }

    #[test]
    fn scopes() {
        assert!(matches!(key_scope("aws:SourceIp"), KeyScope::Global));
        assert!(matches!(key_scope("ec2:SourceInstanceARN"), KeyScope::Global));
        assert!(matches!(key_scope("iam:ResourceTag/x"), KeyScope::Service(s) if s.prefix == "iam"));
        assert!(matches!(key_scope("token.actions.githubusercontent.com:sub"), KeyScope::Other));
    }

    #[test]
    fn combined() {
        let cs = [cond("Bool", "aws:SecureTransport", "true"), cond("IpAddress", "aws:SourceIp", "10.0.0.0/8")];
        let (g, always) = combine(&cs, &[true, true], now());
        assert!(matches!(g, Grant::Narrowed(ref r) if r.len() == 1) && !always);
        let (g, always) = combine(&cs[..1], &[true], now());
        assert_eq!((g, always), (Grant::Unrestricted, false));
        let (g, _) = combine(&[cond("StringEquals", "iam:ResourceTag/x", "y")], &[false], now());
        assert_eq!(g, Grant::Never);
        assert_eq!(combine(&[], &[], now()), (Grant::Unrestricted, true));
    }
}
