//! `policy-invalid`: what IAM (or IAM Access Analyzer's policy validation, as an error) rejects
//! in a policy that still parses — a statement without Resource, a Principal in an identity
//! policy or none in a resource policy, a malformed ARN, a duplicate or ill-formed Sid, an
//! unknown condition operator, a misspelt global condition key or a key the service does not
//! define, `Null` with `IfExists`. Judged before deployment (`check`): on the event path IAM has
//! already accepted the document.

use super::validity::{self, arn_problem};
use super::*;
use crate::eval::conditions::{key_scope, KeyScope};
use crate::policy::spelling::did_you_mean;

pub(super) struct PolicyInvalid;

impl Rule for PolicyInvalid {
    fn id(&self) -> RuleId {
        RuleId::PolicyInvalid
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "A policy IAM would reject: missing or misplaced elements, malformed ARNs, duplicate Sids, unknown operators or keys."
    }
    fn doc(&self) -> &'static str {
        "A policy IAM would reject as written (`check` only): a statement without Resource, a Principal in an identity policy or none in a resource policy, a malformed ARN, a duplicate or ill-formed Sid, an unknown condition operator, a misspelt global condition key or a key its service does not define, `Null…IfExists` — with \"did you mean\"."
    }
    fn applies_to(&self, _kind: PolicyKind) -> bool {
        true
    }
    fn authoring_only(&self) -> bool {
        true
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        let mut seen_sids: Vec<&str> = Vec::new();
        for (i, s) in doc.statements.iter().enumerate() {
            let mut problems = structure(cx.kind, doc, s);
            problems.extend(sid(cx.kind, s, &mut seen_sids));
            problems.extend(resources(s));
            problems.extend(conditions(s));
            if problems.is_empty() {
                continue;
            }
            out.push(Finding {
                bounded_by: None,
                rule: self.id(),
                paths: Vec::new(),
                severity: cx.severity,
                message: format!("Invalid policy: {}", problems.join("; ")),
                evidence: vec![Evidence::statement(i, s)],
                hint: "Fix the statement as the message says; IAM refuses the policy (or Access Analyzer's \
                       validate-policy reports an error) until then."
                    .into(),
            });
        }
    }
}

/// Missing and misplaced elements for the kind of policy.
fn structure(kind: PolicyKind, doc: &PolicyDocument, s: &Statement) -> Vec<String> {
    let mut out = Vec::new();
    match kind {
        PolicyKind::Identity if s.principal.is_some() => {
            out.push("an identity policy takes no Principal (it applies to whoever holds it)".to_string());
        }
        PolicyKind::Identity if doc.has_principals() => {
            out.push("no Principal, where other statements name one".to_string());
        }
        PolicyKind::Trust | PolicyKind::Resource if s.principal.is_none() => {
            out.push(format!("a {} policy's statement needs a Principal", kind_word(kind)));
        }
        _ => {}
    }
    match (kind, &s.resource) {
        (PolicyKind::Identity, None) => out.push("no Resource (or NotResource)".to_string()),
        (PolicyKind::Trust, Some(_)) => out.push("a trust policy takes no Resource (the role is the resource)".into()),
        _ => {}
    }
    out
}

fn kind_word(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "identity",
        PolicyKind::Trust => "trust",
        PolicyKind::Resource => "resource",
    }
}

/// Duplicate Sids; in identity policies only letters and digits.
fn sid<'a>(kind: PolicyKind, s: &'a Statement, seen: &mut Vec<&'a str>) -> Vec<String> {
    let Some(sid) = s.sid.as_deref() else { return Vec::new() };
    let mut out = Vec::new();
    if seen.contains(&sid) {
        out.push(format!("Sid {sid:?} is used twice (Sids must be unique)"));
    }
    seen.push(sid);
    if kind == PolicyKind::Identity && !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        out.push(format!("Sid {sid:?}: identity policies take only letters and digits"));
    }
    out
}

/// Malformed ARNs in Resource / NotResource.
fn resources(s: &Statement) -> Vec<String> {
    s.resource_patterns().iter().filter_map(|p| arn_problem(p)).collect()
}

/// Unknown operators, misspelt global keys, keys the service does not define, `Null…IfExists`.
fn conditions(s: &Statement) -> Vec<String> {
    let mut out = Vec::new();
    for c in &s.conditions {
        match validity::operator(&c.operator) {
            Err(near) => out.push(format!("unknown condition operator {:?}{}", c.operator, did_you_mean(near))),
            Ok(op) if op.if_exists && op.operand == validity::Operand::Null => {
                out.push(format!("{:?}: Null cannot be combined with IfExists", c.operator));
            }
            Ok(_) => {}
        }
        out.extend(key_problem(&c.key));
    }
    out
}

fn key_problem(key: &str) -> Option<String> {
    let (prefix, _) = key.split_once(':')?;
    if prefix.eq_ignore_ascii_case("aws") {
        if validity::global_key(key).is_some() {
            return None;
        }
        // An `aws:` key close to a known one is a misspelling; one unlike any may be newer than
        // this build (policy-ineffective says so, at low).
        let near = validity::nearest_global_key(key)?;
        return Some(format!("unknown global condition key {key:?}{}", did_you_mean(Some(near))));
    }
    match key_scope(key) {
        KeyScope::Service(svc) if svc.condition_key(key).is_none() => {
            // Close to a key of the service: a misspelling. Unlike any: maybe newer than the data
            // (policy-ineffective notes it, at low).
            let near = validity::nearest(key, svc.condition_keys().map(|k| k.name))?;
            Some(format!("{} defines no condition key {key:?}{}", svc.prefix, did_you_mean(Some(near))))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;

    fn invalid(doc: &str) -> Option<String> {
        let f = check_authoring(doc);
        find(&f, "policy-invalid").map(|x| x.message.clone())
    }

    #[test]
    fn what_iam_rejects() {
        let m = invalid(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#);
        assert!(m.unwrap().contains("no Resource"));
        let m = invalid(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3::b/*"}]}"#,
        );
        assert!(m.unwrap().contains("has 5 of an ARN's six parts"));
        let m = invalid(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Sid":"A","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#,
        );
        assert!(m.unwrap().contains("Sid \"A\" is used twice"));
        let m = invalid(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"StringNotEqual":{"aws:SorceVpce":"vpce-1"}}}]}"#,
        )
        .unwrap();
        assert!(m.contains(r#"unknown condition operator "StringNotEqual" (did you mean "StringNotEquals"?)"#), "{m}");
        assert!(m.contains(r#"(did you mean "aws:SourceVpce"?)"#), "{m}");
        let m = invalid(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*",
            "Condition":{"StringLike":{"s3:prefixx":"home/"}}}]}"#,
        )
        .unwrap();
        assert!(m.contains(r#"s3 defines no condition key "s3:prefixx" (did you mean "s3:prefix"?)"#), "{m}");
    }

    #[test]
    fn valid_documents_pass() {
        assert!(invalid(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject",
            "Resource":"arn:aws:s3:::b/*","Condition":{"StringEqualsIfExists":{"aws:PrincipalTag/team":"x"},
            "ForAnyValue:StringLike":{"aws:TagKeys":"a*"},"Bool":{"aws:SecureTransport":"true"}}}]}"#
        )
        .is_none());
        // Not judged outside authoring: IAM accepted what the event path sees.
        let f = judge(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#);
        assert!(find(&f, "policy-invalid").is_none());
    }
}
