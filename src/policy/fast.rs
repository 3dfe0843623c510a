//! The fast path of policy parsing: serde deserializes the JSON text straight into the policy
//! types, with no `serde_json::Value` tree in between (the tree cost about a third of the CPU of
//! linting a corpus, and most of its allocations).
//!
//! It is deliberately stricter than the IAM grammar the `Value` parser accepts: anything unusual
//! (duplicate keys, floats in conditions, an unknown element, a nested string document) makes it
//! give up, and the caller re-parses with the `Value` parser, which either accepts the document or
//! names the statement and field at fault. So a document parses the same either way; the tests
//! hold the two to that on the whole corpus and on generated documents.

use super::*;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Gave up: the caller falls back to the `Value` parser for the verdict.
pub(super) struct GaveUp;

pub(super) fn parse(json: &str) -> Result<PolicyDocument, GaveUp> {
    let MapOnly(raw): MapOnly<RawDoc> = serde_json::from_str(json).map_err(|_| GaveUp)?;
    let statements = raw.statement.0.into_iter().map(RawStatement::finish).collect::<Result<_, _>>()?;
    if let Some(v) = &raw.version {
        if !VERSIONS.contains(&v.as_str()) {
            return Err(GaveUp);
        }
    }
    Ok(PolicyDocument { version: raw.version, id: raw.id, statements })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDoc {
    #[serde(rename = "Version", default, deserialize_with = "some")]
    version: Option<String>,
    #[serde(rename = "Id", default, deserialize_with = "some")]
    id: Option<String>,
    #[serde(rename = "Statement")]
    statement: Statements,
}

/// A present field must hold a value: `Option<T>` alone would take `null` as absent, where the
/// `Value` parser rejects it.
fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A derived struct, from a JSON object only (derive would also take an array, by position).
struct MapOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for MapOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = MapOnly<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MapOnly<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(MapOnly)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// `Statement`: one object or an array of them (a visitor, not `#[serde(untagged)]`, which
/// would buffer the whole statement list before trying each form).
struct Statements(Vec<RawStatement>);

impl<'de> Deserialize<'de> for Statements {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Statements;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object or an array of objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Statements, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(4));
                while let Some(MapOnly(s)) = seq.next_element()? {
                    v.push(s);
                }
                Ok(Statements(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Statements, A::Error> {
                Ok(Statements(vec![RawStatement::deserialize(de::value::MapAccessDeserializer::new(map))?]))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement {
    #[serde(rename = "Sid", default, deserialize_with = "some")]
    sid: Option<String>,
    #[serde(rename = "Effect", default, deserialize_with = "some")]
    effect: Option<EffectField>,
    #[serde(rename = "Action", default, deserialize_with = "some")]
    action: Option<StrList<Str>>,
    #[serde(rename = "NotAction", default, deserialize_with = "some")]
    not_action: Option<StrList<Str>>,
    #[serde(rename = "Resource", default, deserialize_with = "some")]
    resource: Option<StrList<Str>>,
    #[serde(rename = "NotResource", default, deserialize_with = "some")]
    not_resource: Option<StrList<Str>>,
    #[serde(rename = "Principal", default, deserialize_with = "some")]
    principal: Option<RawPrincipal>,
    #[serde(rename = "NotPrincipal", default, deserialize_with = "some")]
    not_principal: Option<RawPrincipal>,
    #[serde(rename = "Condition", default, deserialize_with = "some")]
    condition: Option<Conditions>,
}

impl RawStatement {
    fn finish(self) -> Result<Statement, GaveUp> {
        let action = match (self.action, self.not_action) {
            (Some(a), None) => ActionSpec::Action(a.0),
            (None, Some(n)) => ActionSpec::NotAction(n.0),
            _ => return Err(GaveUp),
        };
        let resource = match (self.resource, self.not_resource) {
            (Some(r), None) => Some(ResourceSpec::Resource(r.0)),
            (None, Some(n)) => Some(ResourceSpec::NotResource(n.0)),
            (None, None) => None,
            _ => return Err(GaveUp),
        };
        let principal = match (self.principal, self.not_principal) {
            (Some(p), None) => Some(PrincipalSpec { not: false, principal: p.0 }),
            (None, Some(p)) => Some(PrincipalSpec { not: true, principal: p.0 }),
            (None, None) => None,
            _ => return Err(GaveUp),
        };
        Ok(Statement {
            sid: self.sid,
            effect: self.effect.ok_or(GaveUp)?.0,
            action,
            resource,
            principal,
            conditions: self.condition.map_or_else(Vec::new, |c| c.0),
        })
    }
}

struct EffectField(Effect);

impl<'de> Deserialize<'de> for EffectField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EffectField;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"Allow\" or \"Deny\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<EffectField, E> {
                Effect::from_name(s).map(EffectField).ok_or_else(|| E::custom("bad effect"))
            }
        }
        d.deserialize_str(V)
    }
}

/// IAM's "string or non-empty array of strings", as policy strings ([`Str`]: short ones need no
/// allocation) or as `String`s.
struct StrList<T>(Vec<T>);

impl<'de, T: Deserialize<'de> + for<'a> From<&'a str>> Deserialize<'de> for StrList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + for<'a> From<&'a str>> Visitor<'de> for V<T> {
            type Value = StrList<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<StrList<T>, E> {
                Ok(StrList(vec![T::from(s)]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrList<T>, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(4));
                while let Some(s) = seq.next_element::<T>()? {
                    v.push(s);
                }
                if v.is_empty() {
                    return Err(de::Error::custom("empty array"));
                }
                Ok(StrList(v))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The policy's `Principal` type, kept private to the fast path.
struct RawPrincipal(Principal);

impl<'de> Deserialize<'de> for RawPrincipal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawPrincipal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"*\" or a map of principal types")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawPrincipal, E> {
                match s {
                    "*" => Ok(RawPrincipal(Principal::Any)),
                    _ => Err(E::custom("bad principal")),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPrincipal, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(k) = map.next_key::<PrincipalKey>()? {
                    let values = map.next_value::<StrList<String>>()?.0;
                    if out.insert(k.0, values).is_some() {
                        return Err(de::Error::custom("duplicate principal type"));
                    }
                }
                if out.is_empty() {
                    return Err(de::Error::custom("empty principal"));
                }
                Ok(RawPrincipal(Principal::Map(out)))
            }
        }
        d.deserialize_any(V)
    }
}

struct PrincipalKey(PrincipalType);

impl<'de> Deserialize<'de> for PrincipalKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PrincipalKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("AWS, Service, Federated or CanonicalUser")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<PrincipalKey, E> {
                PrincipalType::from_name(s).map(PrincipalKey).ok_or_else(|| E::custom("unknown principal type"))
            }
        }
        d.deserialize_str(V)
    }
}

/// A Condition block, flattened to `operator → key → values` in document order.
struct Conditions(Vec<Condition>);

impl<'de> Deserialize<'de> for Conditions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Ops;
        impl<'de> Visitor<'de> for Ops {
            type Value = Conditions;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a condition block")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Conditions, A::Error> {
                let mut out: Vec<Condition> = Vec::new();
                while let Some(operator) = map.next_key::<String>()? {
                    // A repeated operator: the Value parser keeps the last one; let it decide.
                    if out.iter().any(|c| c.operator == operator) {
                        return Err(de::Error::custom("duplicate operator"));
                    }
                    let keys = map.next_value::<Keys>()?.0;
                    out.extend(keys.into_iter().map(|(key, values)| Condition {
                        operator: operator.clone(),
                        key,
                        values,
                    }));
                }
                Ok(Conditions(out))
            }
        }
        d.deserialize_map(Ops)
    }
}

/// `key → scalar or array of scalars` under one condition operator.
struct Keys(Vec<(String, Vec<String>)>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of condition keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut out: Vec<(String, Vec<String>)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom("duplicate condition key"));
                    }
                    out.push((key, map.next_value::<Scalars>()?.0));
                }
                Ok(Keys(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Condition values: strings, booleans and integers keep their JSON text; floats (whose text
/// the `Value` parser formats its own way) make the fast path give up.
struct Scalars(Vec<String>);

struct Scalar(String);

macro_rules! scalar_visits {
    ($out:expr) => {
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok($out(s.to_owned()))
        }
        fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
            Ok($out(s))
        }
        fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
            Ok($out(b.to_string()))
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok($out(n.to_string()))
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok($out(n.to_string()))
        }
    };
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, boolean or integer")
            }
            scalar_visits!(Scalar);
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Scalars {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalars;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar or an array of scalars")
            }
            scalar_visits!(|s| Scalars(vec![s]));
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalars, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(2));
                while let Some(Scalar(s)) = seq.next_element()? {
                    v.push(s);
                }
                Ok(Scalars(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse_value_text;
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// The fast path may decline, but what it accepts must equal the `Value` parser's document.
    fn agrees(text: &str) -> bool {
        let slow = parse_value_text(text);
        match parse(text) {
            Ok(doc) => {
                assert_eq!(slow.as_ref().ok(), Some(&doc), "fast path accepted what the Value parser did not: {text}");
                true
            }
            Err(GaveUp) => false,
        }
    }

    #[test]
    fn takes_every_managed_policy_and_agrees() {
        for p in crate::catalog::managed::all() {
            assert!(agrees(&p.document_json()), "fast path declined {}", p.name);
        }
    }

    #[test]
    fn declines_what_it_cannot_vouch_for() {
        let base =
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
        assert!(agrees(&base.to_string()));
        let declined = [
            r#"{"Statement":[{"Effect":"Allow","Action":null,"NotAction":"s3:*","Resource":"*"}]}"#,
            r#"{"Version":null,"Statement":[]}"#,
            r#"{"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}"#,
            r#"{"Statement":[],"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"NumericLessThan":{"k":1.5}}}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"k":"a"},"StringEquals":{"k":"b"}}}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Principal":{"AWS":"a","AWS":"b"}}]}"#,
            r#"{"Statement":[{"Effect":"Permit","Action":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Principal":"arn:aws:iam::1:root"}]}"#,
            r#""{\"Statement\":[]}""#,
            r#"{"Version":"2020-01-01","Statement":[]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}]}"#,
        ];
        for text in declined {
            assert!(!agrees(text), "fast path took {text}");
        }
        let taken = [
            r#"{"Statement":{"Effect":"allow","Action":["s3:GetObject"],"NotResource":"arn:aws:s3:::b/*"}}"#,
            r#"{"Id":"x","Statement":[{"Sid":"","Effect":"Deny","NotAction":"*","Principal":"*","Condition":
                {"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"aws:MultiFactorAuthAge":[3600,-1]},"StringEquals":{"k":[]}}}]}"#,
            r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"Service":["a","b"],"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Statement":[]}"#,
        ];
        for text in taken {
            assert!(agrees(text), "fast path declined {text}");
        }
    }

    fn piece() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            prop::sample::select(vec!["*", "Allow", "deny", "s3:Get*", "arn:aws:s3:::b", "2012-10-17", "", "AWS"])
                .prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            let keys = prop::sample::select(vec![
                "Effect",
                "Action",
                "NotAction",
                "Resource",
                "NotResource",
                "Principal",
                "NotPrincipal",
                "Condition",
                "Sid",
                "AWS",
                "Service",
                "StringEquals",
                "aws:SourceIp",
                "Other",
            ]);
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((keys, inner), 0..5)
                    .prop_map(|kv| { Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()) }),
            ]
        })
    }

    /// Statement-shaped objects, mostly valid, with random damage.
    fn statement() -> impl Strategy<Value = Value> {
        (
            prop::sample::select(vec!["Allow", "Deny", "ALLOW"]),
            prop::sample::select(vec!["Action", "NotAction"]),
            prop::option::of(prop::sample::select(vec!["Resource", "NotResource"])),
            prop::option::of(prop::sample::select(vec!["Principal", "NotPrincipal", "Condition", "Sid"])),
            piece(),
            prop::option::of(piece()),
        )
            .prop_map(|(effect, a, r, extra, v, v2)| {
                let mut s = serde_json::Map::new();
                s.insert("Effect".into(), effect.into());
                s.insert(a.into(), json!(["s3:GetObject", "iam:*"]));
                if let Some(r) = r {
                    s.insert(r.into(), json!("*"));
                }
                if let Some(k) = extra {
                    s.insert(k.into(), v);
                }
                if let Some(v2) = v2 {
                    s.insert("Action".into(), v2);
                }
                Value::Object(s)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, .. ProptestConfig::default() })]
        #[test]
        fn fast_path_never_disagrees(stmts in prop::collection::vec(statement(), 0..3), one in any::<bool>(), top in piece()) {
            let statement = if one && !stmts.is_empty() { stmts[0].clone() } else { Value::Array(stmts) };
            let doc = json!({"Version": "2012-10-17", "Statement": statement});
            agrees(&doc.to_string());
            agrees(&top.to_string());
            // And the public entry point gives the Value parser's verdict whichever path ran.
            let text = doc.to_string();
            prop_assert_eq!(PolicyDocument::parse(&text).ok(), parse_value_text(&text).ok());
        }
    }
}
