//! Conditions judged against one request's concrete values (the request-level decision), as
//! AWS's condition operators define them
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>):
//! a key the request lacks makes a condition false, except with `…IfExists`, `Null`, the negated
//! operators (`StringNotEquals`, `ArnNotLike`, …, true) and `ForAllValues` (true).

use super::request::{substitute, Context};
use crate::policy::{wildcard_match, Condition};
use chrono::{DateTime, Utc};
use std::net::IpAddr;

/// Does one condition (operator, key, values) hold for the request?
pub(crate) fn holds(c: &Condition, ctx: &Context) -> bool {
    let (set, op) = match c.operator.split_once(':') {
        Some((set, op)) => (Some(set), op),
        None => (None, c.operator.as_str()),
    };
    let (op, if_exists) = match op.strip_suffix("IfExists") {
        Some(op) => (op, true),
        None => (op, false),
    };
    let present = ctx.get(&c.key);
    if op == "Null" {
        let want_missing = c.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
        return present.is_none() == want_missing;
    }
    let negated = op.contains("Not");
    let Some(values) = present.filter(|v| !v.is_empty()) else {
        return if_exists || negated || set == Some("ForAllValues");
    };
    let policy: Vec<String> = c.values.iter().filter_map(|v| substitute(v, ctx)).collect();
    let positive = positive_of(op);
    let one = |v: &String| matches_any(positive, v, &policy);
    match set {
        Some("ForAllValues") => values.iter().all(|v| one(v) != negated),
        Some("ForAnyValue") => values.iter().any(|v| one(v) != negated),
        _ => values.iter().any(one) != negated,
    }
}

/// The operator a negated one negates (`StringNotLike` → `StringLike`, `NotIpAddress` → `IpAddress`).
fn positive_of(op: &str) -> &str {
    match op {
        "NotIpAddress" => "IpAddress",
        "StringNotEquals" => "StringEquals",
        "StringNotEqualsIgnoreCase" => "StringEqualsIgnoreCase",
        "StringNotLike" => "StringLike",
        "NumericNotEquals" => "NumericEquals",
        "DateNotEquals" => "DateEquals",
        "ArnNotEquals" => "ArnEquals",
        "ArnNotLike" => "ArnLike",
        other => other,
    }
}

/// Does a request value match some policy value under a positive operator? An operator this
/// does not know matches nothing (its Allow grants nothing, its Deny denies nothing).
fn matches_any(op: &str, v: &str, policy: &[String]) -> bool {
    policy.iter().any(|p| match op {
        "StringEquals" | "BinaryEquals" => v == p,
        "StringEqualsIgnoreCase" => v.eq_ignore_ascii_case(p),
        "StringLike" => wildcard_match(p, v, false),
        "ArnEquals" | "ArnLike" => arn_like(p, v),
        "Bool" => v.eq_ignore_ascii_case(p),
        "NumericEquals"
        | "NumericLessThan"
        | "NumericLessThanEquals"
        | "NumericGreaterThan"
        | "NumericGreaterThanEquals" => compare(op.trim_start_matches("Numeric"), number(v), number(p)),
        "DateEquals" | "DateLessThan" | "DateLessThanEquals" | "DateGreaterThan" | "DateGreaterThanEquals" => {
            compare(op.trim_start_matches("Date"), date(v), date(p))
        }
        "IpAddress" => in_cidr(v, p),
        _ => false,
    })
}

fn compare(how: &str, a: Option<f64>, b: Option<f64>) -> bool {
    let (Some(a), Some(b)) = (a, b) else { return false };
    match how {
        "Equals" => a == b,
        "LessThan" => a < b,
        "LessThanEquals" => a <= b,
        "GreaterThan" => a > b,
        "GreaterThanEquals" => a >= b,
        _ => false,
    }
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

/// A date as epoch seconds: ISO 8601 / RFC 3339, a date alone, or epoch seconds.
fn date(s: &str) -> Option<f64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp() as f64);
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp() as f64);
    }
    number(s).or_else(|| s.parse::<DateTime<Utc>>().ok().map(|t| t.timestamp() as f64))
}

/// ArnLike / ArnEquals: the six colon-separated parts, each matched with wildcards.
fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == a.len() && p.iter().zip(&a).all(|(p, a)| wildcard_match(p, a, false))
}

/// Is an address inside a CIDR block (or equal to an address)?
fn in_cidr(addr: &str, cidr: &str) -> bool {
    let (net, bits) = cidr.split_once('/').map_or((cidr, None), |(n, b)| (n, b.parse::<u32>().ok()));
    let (Ok(a), Ok(n)) = (addr.parse::<IpAddr>(), net.parse::<IpAddr>()) else { return false };
    match (a, n) {
        (IpAddr::V4(a), IpAddr::V4(n)) => masked(u32::from(a).into(), u32::from(n).into(), bits.unwrap_or(32), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => masked(u128::from(a), u128::from(n), bits.unwrap_or(128), 128),
        _ => false,
    }
}

fn masked(a: u128, n: u128, bits: u32, width: u32) -> bool {
    if bits > width {
        return false;
    }
    let shift = width - bits;
    shift >= 128 || (a >> shift) == (n >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition { operator: op.into(), key: key.into(), values: values.iter().map(|v| v.to_string()).collect() }
    }

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::default();
        for (k, v) in pairs {
            c.insert(k, v);
        }
        c
    }

    #[test]
    fn strings_arns_and_missing_keys() {
        let org = ctx(&[("aws:PrincipalOrgID", "o-abc"), ("aws:SourceArn", "arn:aws:execute-api:us-east-1:1:api/*")]);
        assert!(holds(&c("StringEquals", "aws:principalorgid", &["o-abc"]), &org));
        assert!(!holds(&c("StringEquals", "aws:PrincipalOrgID", &["o-x"]), &org));
        assert!(holds(&c("StringNotEquals", "aws:PrincipalOrgID", &["o-x"]), &org));
        assert!(holds(&c("ArnLike", "aws:SourceArn", &["arn:aws:execute-api:*:1:*"]), &org));
        assert!(!holds(&c("ArnLike", "aws:SourceArn", &["arn:aws:execute-api:*:2:*"]), &org));
        let none = Context::default();
        assert!(!holds(&c("StringEquals", "aws:PrincipalOrgID", &["o-abc"]), &none));
        assert!(holds(&c("StringEqualsIfExists", "aws:PrincipalOrgID", &["o-abc"]), &none));
        assert!(holds(&c("StringNotEquals", "aws:PrincipalOrgID", &["o-abc"]), &none));
        assert!(holds(&c("Null", "aws:PrincipalOrgID", &["true"]), &none));
        assert!(!holds(&c("Null", "aws:PrincipalOrgID", &["false"]), &none));
        assert!(holds(&c("ForAllValues:StringEquals", "aws:TagKeys", &["a"]), &none));
        assert!(!holds(&c("ForAnyValue:StringEquals", "aws:TagKeys", &["a"]), &none));
    }

    #[test]
    fn sets_numbers_dates_bools_and_addresses() {
        let tags = ctx(&[("aws:TagKeys", "a"), ("aws:TagKeys", "b")]);
        assert!(!holds(&c("ForAllValues:StringEquals", "aws:TagKeys", &["a"]), &tags));
        assert!(holds(&c("ForAllValues:StringEquals", "aws:TagKeys", &["a", "b"]), &tags));
        assert!(holds(&c("ForAnyValue:StringLike", "aws:TagKeys", &["b*"]), &tags));
        let r = ctx(&[
            ("s3:max-keys", "10"),
            ("aws:CurrentTime", "2026-11-20T10:00:00Z"),
            ("aws:SecureTransport", "true"),
            ("aws:SourceIp", "203.0.113.7"),
        ]);
        assert!(holds(&c("NumericLessThanEquals", "s3:max-keys", &["10"]), &r));
        assert!(!holds(&c("NumericLessThan", "s3:max-keys", &["10"]), &r));
        assert!(holds(&c("DateLessThan", "aws:CurrentTime", &["2027-01-01T00:00:00Z"]), &r));
        assert!(!holds(&c("DateGreaterThan", "aws:CurrentTime", &["2027-01-01"]), &r));
        assert!(holds(&c("Bool", "aws:SecureTransport", &["true"]), &r));
        assert!(holds(&c("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]), &r));
        assert!(!holds(&c("IpAddress", "aws:SourceIp", &["198.51.100.0/24"]), &r));
        assert!(holds(&c("NotIpAddress", "aws:SourceIp", &["198.51.100.0/24"]), &r));
        assert!(holds(&c("IpAddress", "aws:SourceIp", &["0.0.0.0/0"]), &r));
        assert!(!holds(&c("SomeFutureOperator", "aws:SourceIp", &["x"]), &r));
    }
}
