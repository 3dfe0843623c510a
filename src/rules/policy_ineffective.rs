//! `policy-ineffective`: parts of a policy IAM accepts that do not do what they say (IAM Access
//! Analyzer's warnings, parliament's RESOURCE_MISMATCH and UNKNOWN_CONDITION_FOR_ACTION): an
//! action named with resources of a type it does not take (it grants or denies nothing there), a
//! condition key no action of the statement carries (an Allow that never applies, a Deny that
//! never denies), values of the wrong type for the operator, a missing or old Version (policy
//! variables read literally), an `aws:` key this build does not know. Low; medium in a Deny,
//! whose failure to apply is a hole. Judged before deployment (`check`).

use super::validity::{self, can_name, Operand};
use super::*;
use crate::catalog::{ActionId, KeyType};
use crate::eval::conditions::{key_scope, KeyScope};
use crate::policy::ResourceSpec;

pub(super) struct PolicyIneffective;

impl Rule for PolicyIneffective {
    fn id(&self) -> RuleId {
        RuleId::PolicyIneffective
    }
    fn severity(&self) -> Severity {
        Severity::Low
    }
    fn summary(&self) -> &'static str {
        "Part of a policy that does nothing as written: actions on resources of the wrong type, keys the actions never carry, mistyped values, no Version."
    }
    fn doc(&self) -> &'static str {
        "Parts of a policy that do nothing as written (`check` only): an action on resources of a type it does not take, a condition key none of the statement's actions carries, values of the wrong type for the operator, a missing or 2008 Version (policy variables read literally); medium when it is a Deny that cannot apply."
    }
    fn applies_to(&self, _kind: PolicyKind) -> bool {
        true
    }
    fn authoring_only(&self) -> bool {
        true
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        if let Some(problem) = version(doc) {
            out.push(self.finding(cx, Evidence::default(), problem));
        }
        for (i, s) in doc.statements.iter().enumerate() {
            let actions = statement_actions(cx, s);
            let mut problems = mismatched_resources(s, &actions);
            problems.extend(absent_keys(s, &actions));
            problems.extend(s.conditions.iter().filter_map(value_problem));
            problems.extend(s.conditions.iter().filter_map(|c| unknown_key(&c.key)));
            if problems.is_empty() {
                continue;
            }
            let mut f = self.finding(cx, Evidence::statement(i, s), problems.join("; "));
            if s.effect == Effect::Deny {
                f.severity = f.severity.max(Severity::Medium);
            }
            out.push(f);
        }
    }
}

impl PolicyIneffective {
    fn finding(&self, cx: &Ctx<'_>, evidence: Evidence, problem: String) -> Finding {
        Finding {
            bounded_by: None,
            rule: self.id(),
            paths: Vec::new(),
            severity: cx.severity,
            message: format!("Does nothing as written: {problem}"),
            evidence: vec![evidence],
            hint: "Match each action with resources of the types it takes and conditions its requests carry \
                   (Service Authorization Reference); start documents with \"Version\": \"2012-10-17\"."
                .into(),
        }
    }
}

/// A missing or 2008 Version: `${aws:username}` and other variables are then plain text.
fn version(doc: &PolicyDocument) -> Option<String> {
    match doc.version.as_deref() {
        Some("2012-10-17") => None,
        Some(v) => Some(format!("Version {v:?} reads policy variables as plain text; use \"2012-10-17\"")),
        None => Some("no Version: IAM reads it as 2008-10-17, where policy variables are plain text".into()),
    }
}

/// The catalogue actions a statement's `Action` names, pattern by pattern (empty for NotAction).
fn statement_actions(cx: &Ctx<'_>, s: &Statement) -> Vec<(String, Vec<ActionId>)> {
    let ActionSpec::Action(patterns) = &s.action else { return Vec::new() };
    patterns
        .iter()
        .filter(|p| !is_match_all_action(p))
        .map(|p| (p.to_string(), cx.catalog.expand_ids(p).collect()))
        .filter(|(_, a): &(String, Vec<ActionId>)| !a.is_empty())
        .collect()
}

/// Patterns whose every action takes none of the statement's resources.
fn mismatched_resources(s: &Statement, actions: &[(String, Vec<ActionId>)]) -> Vec<String> {
    let Some(ResourceSpec::Resource(resources)) = &s.resource else { return Vec::new() };
    if resources.iter().any(|r| r.as_str() == "*" || crate::template::is_placeholder(r)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut star_only = Vec::new();
    for (pattern, acts) in actions {
        if acts.iter().any(|&a| takes_any(a, resources)) {
            continue;
        }
        let takes: Vec<&str> = acts[0].resource_types().map(|(t, _)| t.name).collect();
        match (takes.is_empty(), acts.len()) {
            (true, 1) => star_only.push(pattern.as_str()),
            (false, 1) => out.push(format!("{pattern} takes {} ARNs, not these", takes.join(" or "))),
            _ => out.push(format!("{pattern} takes none of these resources")),
        }
    }
    match star_only[..] {
        [] => {}
        [one] => out.push(format!("{one} takes only Resource \"*\"")),
        [first, ref rest @ ..] => out.push(format!(
            "{first} and {} more ({}) take only Resource \"*\"",
            rest.len(),
            rest.iter().take(3).copied().collect::<Vec<_>>().join(", ") + if rest.len() > 3 { ", …" } else { "" }
        )),
    }
    out
}

/// Can the action be granted on any of these resource patterns?
fn takes_any(a: ActionId, resources: &[crate::policy::Str]) -> bool {
    let mut types = a.resource_types().peekable();
    if types.peek().is_none() {
        return false;
    }
    types.any(|(t, _)| resources.iter().any(|r| can_name(r, t.arn)))
}

/// Service condition keys that no action of the statement carries.
fn absent_keys(s: &Statement, actions: &[(String, Vec<ActionId>)]) -> Vec<String> {
    if actions.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in &s.conditions {
        // Tag keys (`…/tag`) are spelled differently by services and their actions: not judged.
        let KeyScope::Service(svc) = key_scope(&c.key) else { continue };
        if c.key.contains('/') || svc.condition_key(&c.key).is_none() {
            continue;
        }
        let carried = actions.iter().flat_map(|(_, a)| a).any(|a| a.condition_keys().any(|k| key_is(k.name, &c.key)));
        let Ok(op) = validity::operator(&c.operator) else { continue };
        if carried || op.if_exists || op.operand == Operand::Null {
            continue;
        }
        let effect = if s.effect == Effect::Deny { "the Deny never applies" } else { "the Allow never applies" };
        out.push(format!("none of the statement's actions carries {}, so {effect}", c.key));
    }
    out
}

/// A key unlike any the reference data knows (a close one is policy-invalid's misspelling).
fn unknown_key(key: &str) -> Option<String> {
    let (prefix, _) = key.split_once(':')?;
    let unknown = if prefix.eq_ignore_ascii_case("aws") {
        validity::global_key(key).is_none() && validity::nearest_global_key(key).is_none()
    } else {
        match key_scope(key) {
            KeyScope::Service(svc) => {
                svc.condition_key(key).is_none()
                    && validity::nearest(key, svc.condition_keys().map(|k| k.name)).is_none()
            }
            _ => false,
        }
    };
    unknown.then(|| {
        format!("{key} is not a condition key in the reference data: it is never present, unless newer than the data")
    })
}

fn key_is(template: &str, key: &str) -> bool {
    match template.find(['$', '<']) {
        Some(v) => key.len() > v && key.as_bytes()[..v].eq_ignore_ascii_case(&template.as_bytes()[..v]),
        None => template.eq_ignore_ascii_case(key),
    }
}

/// A value of the wrong type for its operator, or an operator of the wrong type for its key.
fn value_problem(c: &crate::policy::Condition) -> Option<String> {
    let op = validity::operator(&c.operator).ok()?;
    if let Some(bad) = c.values.iter().find(|v| !fits(op.operand, v)) {
        return Some(format!("{} {}: {bad:?} is not {}", c.operator, c.key, operand_word(op.operand)));
    }
    if op.set && service_key(&c.key).is_some_and(|k| !k.multi) {
        return Some(format!(
            "{} on {}, which holds one value: use the operator without the set qualifier",
            c.operator, c.key
        ));
    }
    let key_type = key_type(&c.key)?;
    let matches = matches!(
        (op.operand, key_type),
        (Operand::String | Operand::Null | Operand::Binary, _)
            | (Operand::Numeric, KeyType::Numeric)
            | (Operand::Date, KeyType::Date)
            | (Operand::Bool, KeyType::Bool)
            | (Operand::Ip, KeyType::Ip)
            | (Operand::Arn, KeyType::Arn | KeyType::String)
    );
    (!matches).then(|| format!("{} compares {}, but {} is not one", c.operator, operand_word(op.operand), c.key))
}

fn key_type(key: &str) -> Option<KeyType> {
    validity::global_key(key).or_else(|| service_key(key).map(|k| k.kind))
}

fn service_key(key: &str) -> Option<crate::catalog::ConditionKey> {
    match key_scope(key) {
        KeyScope::Service(svc) => svc.condition_key(key),
        _ => None,
    }
}

/// Does a value fit the operand's type? Policy variables fit anything.
fn fits(operand: Operand, v: &str) -> bool {
    if v.contains("${") {
        return true;
    }
    match operand {
        Operand::Bool | Operand::Null => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        Operand::Numeric => v.parse::<f64>().is_ok(),
        Operand::Date => v.parse::<i64>().is_ok() || chrono::DateTime::parse_from_rfc3339(v).is_ok() || is_date(v),
        Operand::Ip => v.parse::<std::net::IpAddr>().is_ok() || is_cidr(v),
        Operand::Arn => v == "*" || v.starts_with("arn:"),
        Operand::String | Operand::Binary => true,
    }
}

fn is_date(v: &str) -> bool {
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok()
        || chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%SZ").is_ok()
        || chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.fZ").is_ok()
}

fn is_cidr(v: &str) -> bool {
    let Some((ip, bits)) = v.split_once('/') else { return false };
    let Ok(bits) = bits.parse::<u8>() else { return false };
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => bits <= 32,
        Ok(std::net::IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

fn operand_word(o: Operand) -> &'static str {
    match o {
        Operand::String => "a string",
        Operand::Numeric => "a number",
        Operand::Date => "a date",
        Operand::Bool | Operand::Null => "true or false",
        Operand::Binary => "base64",
        Operand::Ip => "an IP address or CIDR range",
        Operand::Arn => "an ARN",
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;

    fn ineffective(doc: &str) -> Option<(String, crate::rules::Severity)> {
        let f = check_authoring(doc);
        find(&f, "policy-ineffective").map(|x| (x.message.clone(), x.severity))
    }

    const V: &str = r#""Version":"2012-10-17""#;

    #[test]
    fn actions_on_resources_they_do_not_take() {
        let (m, _) = ineffective(&format!(
            r#"{{{V},"Statement":[{{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}}]}}"#
        ))
        .unwrap();
        assert!(m.contains("s3:ListBucket takes"), "{m}");
        assert!(!m.contains("s3:GetObject"), "{m}");
        let (m, _) = ineffective(&format!(
            r#"{{{V},"Statement":[{{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::b"}}]}}"#
        ))
        .unwrap();
        assert!(m.contains("takes only Resource \"*\""), "{m}");
        assert!(ineffective(&format!(
            r#"{{{V},"Statement":[{{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}}]}}"#
        ))
        .is_none());
    }

    #[test]
    fn keys_the_actions_never_carry_and_mistyped_values() {
        let (m, sev) = ineffective(&format!(
            r#"{{{V},"Statement":[{{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{{"StringNotEquals":{{"s3:prefix":"home/"}}}}}}]}}"#
        ))
        .unwrap();
        assert!(m.contains("carries s3:prefix, so the Deny never applies"), "{m}");
        assert_eq!(sev, crate::rules::Severity::Medium);
        let (m, _) = ineffective(&format!(
            r#"{{{V},"Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{{"Bool":{{"aws:SecureTransport":"yes"}},"NumericLessThan":{{"aws:SourceIp":"10"}}}}}}]}}"#
        ))
        .unwrap();
        assert!(m.contains(r#""yes" is not true or false"#), "{m}");
        assert!(m.contains("NumericLessThan compares a number, but aws:SourceIp is not one"), "{m}");
    }

    #[test]
    fn version() {
        let (m, _) =
            ineffective(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#).unwrap();
        assert!(m.contains("no Version"), "{m}");
    }
}
