//! JSON → [`PolicyDocument`], by hand over `serde_json::Value` so that every error can name the
//! statement index and field (`Statement[2].Effect: ...`), which serde's derive cannot do through
//! IAM's string-or-array and object-or-array forms.

use super::*;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

/// Why a policy could not be parsed; messages name the statement and element.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Not JSON.
    #[error("policy is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// URL-encoded, but not to UTF-8.
    #[error("policy is URL-encoded but does not decode to UTF-8 text")]
    Encoding,
    /// Nothing but white space.
    #[error("policy is empty")]
    Empty,
    /// A statement or element is malformed.
    #[error("{path}: {problem}")]
    Field {
        /// Where (`Statement[1].Effect`).
        path: String,
        /// What is wrong.
        problem: String,
    },
}

fn field_err(path: impl std::fmt::Display, problem: impl Into<String>) -> PolicyError {
    PolicyError::Field { path: path.to_string(), problem: problem.into() }
}

/// Where a value sits in the document (`Statement[2].Action[1]`), built for free and formatted
/// only when an error names it: eager path strings cost a third of parse time.
#[derive(Clone, Copy)]
enum Loc<'a> {
    Root(&'a str),
    Field(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, usize),
}

impl std::fmt::Display for Loc<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Loc::Root(s) => f.write_str(s),
            Loc::Field(parent, name) => write!(f, "{parent}.{name}"),
            Loc::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Decodes URL-encoded text when it looks encoded; returns plain JSON text unchanged.
pub(crate) fn decode_document_text(text: &str) -> Result<std::borrow::Cow<'_, str>, PolicyError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(PolicyError::Empty);
    }
    if t.starts_with('{') {
        return Ok(std::borrow::Cow::Borrowed(t));
    }
    if t.contains('%') {
        let decoded = percent_decode_str(t).decode_utf8().map_err(|_| PolicyError::Encoding)?;
        return Ok(std::borrow::Cow::Owned(decoded.trim().to_string()));
    }
    Ok(std::borrow::Cow::Borrowed(t))
}

pub(crate) fn parse_text(text: &str) -> Result<PolicyDocument, PolicyError> {
    let decoded = decode_document_text(text)?;
    // The typed fast path takes ordinary documents; anything it declines gets the Value parser's
    // verdict, with an error that names the place.
    match fast::parse(&decoded) {
        Ok(doc) => Ok(doc),
        Err(fast::GaveUp) => parse_value_text(&decoded),
    }
}

/// The `Value`-based parser alone (the fast path's reference in tests).
pub(crate) fn parse_value_text(decoded: &str) -> Result<PolicyDocument, PolicyError> {
    let value: Value = serde_json::from_str(decoded)?;
    from_owned(value)
}

pub(crate) fn from_value(value: &Value) -> Result<PolicyDocument, PolicyError> {
    from_owned(value.clone())
}

/// Converts by value so strings move out of the tree instead of being copied.
fn from_owned(value: Value) -> Result<PolicyDocument, PolicyError> {
    // A document nested as a JSON string (CloudTrail requestParameters, IAM API output).
    let obj = match value {
        Value::String(s) => return parse_text(&s),
        Value::Object(obj) => obj,
        other => return Err(field_err("(document)", format!("expected an object, got {}", describe(&other)))),
    };
    let mut version = None;
    let mut id = None;
    let mut statements = None;
    for (k, v) in obj {
        match k.as_str() {
            "Version" => version = Some(string(v, &Loc::Root("Version"))?),
            "Id" => id = Some(string(v, &Loc::Root("Id"))?),
            "Statement" => {
                statements = Some(match v {
                    Value::Array(items) => items
                        .into_iter()
                        .enumerate()
                        .map(|(i, s)| statement(s, &Loc::Index(&Loc::Root("Statement"), i)))
                        .collect::<Result<Vec<_>, _>>()?,
                    v @ Value::Object(_) => vec![statement(v, &Loc::Root("Statement"))?],
                    other => {
                        return Err(field_err(
                            "Statement",
                            format!("expected an object or an array, got {}", describe(&other)),
                        ))
                    }
                })
            }
            other => {
                let near = spelling::nearest(other, ["Version", "Id", "Statement"].into_iter());
                return Err(field_err(other, format!("unknown top-level element{}", spelling::did_you_mean(near))));
            }
        }
    }
    if let Some(v) = &version {
        if !VERSIONS.contains(&v.as_str()) {
            return Err(field_err("Version", format!("unknown policy language version {v:?}")));
        }
    }
    let statements = statements.ok_or_else(|| field_err("Statement", "missing"))?;
    Ok(PolicyDocument { version, id, statements })
}

fn string(v: Value, path: &Loc<'_>) -> Result<String, PolicyError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(field_err(path, format!("expected a string, got {}", describe(&other)))),
    }
}

/// IAM's "string or array of strings".
fn string_list(v: Value, path: &Loc<'_>) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s]),
        Value::Array(items) => {
            if items.is_empty() {
                return Err(field_err(path, "empty array"));
            }
            items.into_iter().enumerate().map(|(i, x)| string(x, &Loc::Index(path, i))).collect()
        }
        other => Err(field_err(path, format!("expected a string or an array of strings, got {}", describe(&other)))),
    }
}

/// The elements a statement may hold.
const STATEMENT_ELEMENTS: &[&str] =
    &["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"];

fn statement(v: Value, path: &Loc<'_>) -> Result<Statement, PolicyError> {
    let obj: Map<String, Value> = match v {
        Value::Object(o) => o,
        other => return Err(field_err(path, format!("expected an object, got {}", describe(&other)))),
    };

    let mut sid = None;
    let mut effect = None;
    let mut action = None;
    let mut resource = None;
    let mut principal = None;
    let mut conditions = Vec::new();
    for (k, val) in obj {
        let here = Loc::Field(path, &k);
        match k.as_str() {
            "Sid" => sid = Some(string(val, &here)?),
            "Effect" => {
                let s = string(val, &here)?;
                effect = Some(
                    Effect::from_name(&s)
                        .ok_or_else(|| field_err(here, format!("expected \"Allow\" or \"Deny\", got {s:?}")))?,
                );
            }
            "Action" | "NotAction" => {
                if action.is_some() {
                    return Err(field_err(path, "has both Action and NotAction"));
                }
                let list = string_list(val, &here)?.into_iter().map(Str::from).collect();
                action = Some(if k == "Action" { ActionSpec::Action(list) } else { ActionSpec::NotAction(list) });
            }
            "Resource" | "NotResource" => {
                if resource.is_some() {
                    return Err(field_err(path, "has both Resource and NotResource"));
                }
                let list = string_list(val, &here)?.into_iter().map(Str::from).collect();
                resource =
                    Some(if k == "Resource" { ResourceSpec::Resource(list) } else { ResourceSpec::NotResource(list) });
            }
            "Principal" | "NotPrincipal" => {
                if principal.is_some() {
                    return Err(field_err(path, "has both Principal and NotPrincipal"));
                }
                principal = Some(PrincipalSpec { not: k == "NotPrincipal", principal: principal_value(&val, &here)? });
            }
            "Condition" => conditions = condition_block(&val, &here)?,
            _ => {
                let near = spelling::nearest(&k, STATEMENT_ELEMENTS.iter().copied());
                return Err(field_err(here, format!("unknown statement element{}", spelling::did_you_mean(near))));
            }
        }
    }
    Ok(Statement {
        sid,
        effect: effect.ok_or_else(|| field_err(Loc::Field(path, "Effect"), "missing"))?,
        action: action.ok_or_else(|| field_err(path, "missing Action or NotAction"))?,
        resource,
        principal,
        conditions,
    })
}

fn principal_value(v: &Value, path: &Loc<'_>) -> Result<Principal, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(Principal::Any),
        Value::String(s) => Err(field_err(path, format!("a bare string principal must be \"*\", got {s:?}"))),
        Value::Object(map) => {
            let mut out = BTreeMap::new();
            for (k, val) in map {
                let kind = PrincipalType::from_name(k).ok_or_else(|| {
                    field_err(
                        Loc::Field(path, k),
                        "unknown principal type (expected AWS, Service, Federated or CanonicalUser)",
                    )
                })?;
                out.insert(kind, string_list(val.clone(), &Loc::Field(path, k))?);
            }
            if out.is_empty() {
                return Err(field_err(path, "empty principal"));
            }
            Ok(Principal::Map(out))
        }
        other => Err(field_err(path, format!("expected \"*\" or an object, got {}", describe(other)))),
    }
}

fn condition_block(v: &Value, path: &Loc<'_>) -> Result<Vec<Condition>, PolicyError> {
    let ops = v.as_object().ok_or_else(|| field_err(path, format!("expected an object, got {}", describe(v))))?;
    let mut out = Vec::new();
    for (op, keys) in ops {
        let op_path = Loc::Field(path, op);
        let keys = keys.as_object().ok_or_else(|| {
            field_err(op_path, format!("expected an object of condition keys, got {}", describe(keys)))
        })?;
        for (key, vals) in keys {
            let key_path = Loc::Field(&op_path, key);
            let scalar = |x: &Value, p: &Loc<'_>| -> Result<String, PolicyError> {
                match x {
                    Value::String(s) => Ok(s.clone()),
                    Value::Bool(b) => Ok(b.to_string()),
                    Value::Number(n) => Ok(n.to_string()),
                    other => {
                        Err(field_err(p, format!("expected a string, boolean or number, got {}", describe(other))))
                    }
                }
            };
            let values = match vals {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| scalar(x, &Loc::Index(&key_path, i)))
                    .collect::<Result<Vec<_>, _>>()?,
                x => vec![scalar(x, &key_path)?],
            };
            out.push(Condition { operator: op.clone(), key: key.clone(), values });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        PolicyDocument::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn statement_object_or_array_and_string_or_array() {
        let a = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
        )
        .unwrap();
        let b = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}]}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.statements[0].action, ActionSpec::Action(vec!["s3:GetObject".into()]));
    }

    #[test]
    fn url_encoded_input() {
        let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let doc = PolicyDocument::parse(enc).unwrap();
        assert_eq!(doc.statements[0].action_patterns(), ["*"]);
    }

    #[test]
    fn principals_and_conditions() {
        let doc = PolicyDocument::parse(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"],"Service":"lambda.amazonaws.com"},
               "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"},"Bool":{"aws:MultiFactorAuthPresent":true},
               "NumericLessThan":{"aws:MultiFactorAuthAge":[3600]}}},
               {"Effect":"Deny","NotPrincipal":"*","NotAction":"s3:*","NotResource":"arn:aws:s3:::b"}]}"#,
        )
        .unwrap();
        let s = &doc.statements[0];
        let Some(PrincipalSpec { not: false, principal: Principal::Map(m) }) = &s.principal else { panic!() };
        assert_eq!(m[&PrincipalType::Service], vec!["lambda.amazonaws.com"]);
        assert_eq!(s.conditions.len(), 3);
        assert!(s.conditions.iter().any(|c| c.key == "aws:MultiFactorAuthPresent" && c.values == ["true"]));
        assert!(s.conditions.iter().any(|c| c.values == ["3600"]));
        let d = &doc.statements[1];
        assert_eq!(d.effect, Effect::Deny);
        assert!(matches!(d.principal, Some(PrincipalSpec { not: true, principal: Principal::Any })));
        assert!(matches!(d.resource, Some(ResourceSpec::NotResource(_))));
    }

    #[test]
    fn errors_name_the_place() {
        assert_eq!(
            err(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Permit","Action":"*"}]}"#),
            "Statement[1].Effect: expected \"Allow\" or \"Deny\", got \"Permit\""
        );
        assert_eq!(
            err(r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#),
            "Statement[0]: missing Action or NotAction"
        );
        assert_eq!(
            err(r#"{"Statement":{"Effect":"Allow","Action":5}}"#),
            "Statement.Action: expected a string or an array of strings, got a number"
        );
        assert_eq!(
            err(r#"{"Statement":[{"Effect":"Allow","Action":["s3:*",1]}]}"#),
            "Statement[0].Action[1]: expected a string, got a number"
        );
        assert_eq!(err(r#"{"Version":"2012-10-17"}"#), "Statement: missing");
        assert_eq!(
            err(r#"{"Statement":[{"Effect":"Allow","Action":"*","Principal":{"Users":"x"}}]}"#)
                .split(':')
                .next()
                .unwrap(),
            "Statement[0].Principal.Users"
        );
        assert!(err("{\"Statement\": [").starts_with("policy is not valid JSON"));
        assert_eq!(err("   "), "policy is empty");
        assert_eq!(err(r#"[1,2]"#), "(document): expected an object, got an array");
        assert_eq!(err(r#"{"Statement":[],"Foo":1}"#), "Foo: unknown top-level element");
        assert_eq!(
            err(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resources":"*"}]}"#),
            "Statement[0].Resources: unknown statement element (did you mean \"Resource\"?)"
        );
    }

    #[test]
    fn effect_case_is_tolerated() {
        let d = PolicyDocument::parse(r#"{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}"#).unwrap();
        assert_eq!(d.statements[0].effect, Effect::Allow);
    }
}
