//! Least privilege, given back: from what a principal really did (its CloudTrail records), the
//! policy that allows exactly those calls on the resources they touched, and the evidence.
//!
//! 1. [`principal`]: whose calls (a role: every session of it; a user);
//! 2. [`call`]: a record as a call (dated names undated);
//! 3. [`actions`]: the IAM actions a call needs (event source → service prefix, exceptions);
//! 4. [`resources`]: the ARNs it touched, fitted to the action's resource types;
//! 5. [`generalise`]: object keys to the pattern their names share, never past the bucket;
//! 6. [`Suggestion::document`]: one statement per set of resources;
//! 7. [`last_accessed`]: IAM's action-level last-accessed data, for what the records lack.

pub mod actions;
pub mod call;
mod evidence;
pub mod generalise;
pub mod last_accessed;
pub mod principal;
pub mod resources;

pub use evidence::Evidence;
pub use last_accessed::{LastAccessed, Reconciled};
pub use principal::Principal;

use crate::catalog::{ActionId, Catalog};
use actions::Mapped;
use call::Call;
use resources::Found;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What a principal needs, learned from its calls.
#[derive(Debug, Clone)]
pub struct Suggestion {
    /// Whose.
    pub principal: Principal,
    /// Each action (catalogue spelling) with the resources it is granted on.
    pub grants: BTreeMap<String, BTreeSet<String>>,
    /// How it was learned.
    pub evidence: Evidence,
}

/// Learns the suggestion from records (any order, any principals: the principal's are kept).
pub fn suggest<'a>(records: impl IntoIterator<Item = &'a Value>, principal: &Principal) -> Suggestion {
    let mut ev = Evidence::default();
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in records {
        let Some(c) = Call::of(r) else { continue };
        if c.data {
            ev.data_events = true;
            ev.data_sources.insert(c.source.to_string());
        }
        if !principal.made(r) {
            continue;
        }
        learn(&c, principal, &mut ev, &mut seen);
    }
    let mut grants = BTreeMap::new();
    for (action, resources) in seen {
        let (resources, notes) = generalise::generalise(&resources);
        ev.generalised.extend(notes.into_iter().map(|g| (action.clone(), g)));
        grants.insert(action, resources);
    }
    Suggestion { principal: principal.clone(), grants, evidence: ev }
}

/// Records one call of the principal.
fn learn(c: &Call<'_>, p: &Principal, ev: &mut Evidence, seen: &mut BTreeMap<String, BTreeSet<String>>) {
    let mapped = actions::actions_for(c.source, c.name);
    // A call refused for want of permission is not granted; one that failed otherwise (not
    // found, throttled, invalid) was authorized, so the work needs it.
    if c.denied() {
        let what = match &mapped {
            Mapped::Actions(a) if !a.is_empty() => a.iter().map(|a| a.full_name()).collect::<Vec<_>>().join("+"),
            _ => format!("{}:{}", c.source, c.event_name),
        };
        *ev.refused.entry(format!("{what} ({})", c.error.unwrap_or_default())).or_default() += 1;
        return;
    }
    ev.note_time(c.time);
    let list = match mapped {
        Mapped::Actions(list) => list,
        Mapped::UnknownService | Mapped::UnknownOperation(_) => {
            *ev.unmapped.entry(format!("{}.amazonaws.com {}", c.source, c.event_name)).or_default() += 1;
            return;
        }
    };
    ev.calls += 1;
    let catalog = Catalog::global();
    let mut needed: Vec<(ActionId, Option<String>)> =
        list.iter().filter_map(|a| catalog.lookup_id(&a.full_name())).map(|id| (id, None)).collect();
    needed.extend(dependent(c, &list));
    for (id, fixed) in needed {
        let name = catalog.action(id).full_name();
        *ev.per_action.entry(name.clone()).or_default() += 1;
        let found = match fixed {
            Some(arn) => Found::Exact(vec![arn]),
            None => resources::resources(id, c, &p.partition),
        };
        let entry = seen.entry(name.clone()).or_default();
        match found {
            Found::Star => {
                entry.insert("*".into());
            }
            Found::Exact(arns) => entry.extend(arns),
            Found::Partial(arns) => {
                ev.partial.insert(format!("{name}: the record does not name every part of its resource"));
                entry.extend(arns);
            }
        }
    }
}

/// Actions a call needs that CloudTrail records under no call of the principal's own: passing
/// the role named in a create or update request (`iam:PassRole`), and the KMS key of an SSE-KMS
/// object (S3 asks KMS on the caller's behalf).
fn dependent(c: &Call<'_>, list: &[crate::catalog::ActionRef]) -> Vec<(ActionId, Option<String>)> {
    let catalog = Catalog::global();
    let mut out = Vec::new();
    let passes =
        ["Create", "Update", "Run", "Start", "Register", "Put", "Submit"].iter().any(|v| c.name.starts_with(v));
    if passes {
        if let (Some(pass), Some(obj)) = (catalog.lookup_id("iam:PassRole"), c.params.as_object()) {
            for (k, v) in obj {
                let k = k.to_ascii_lowercase();
                let Some(arn) = v.as_str().filter(|a| a.starts_with("arn:") && a.contains(":role/")) else { continue };
                if k.ends_with("role") || k.ends_with("rolearn") {
                    out.push((pass, Some(arn.to_string())));
                }
            }
        }
    }
    out.extend(s3_object_variants(c, list));
    let key = call::find_str(c.params, "x-amz-server-side-encryption-aws-kms-key-id", 1)
        .or_else(|| call::find_str(c.response, "x-amz-server-side-encryption-aws-kms-key-id", 1))
        .or_else(|| call::find_str(c.params, "SSEKMSKeyId", 1))
        .filter(|k| k.starts_with("arn:"));
    if let Some(key) = key {
        let kms = match list.first().map(|a| a.name) {
            Some("PutObject") => Some("kms:GenerateDataKey"),
            Some("GetObject") => Some("kms:Decrypt"),
            _ => None,
        };
        if let Some(id) = kms.and_then(|k| catalog.lookup_id(k)) {
            out.push((id, Some(key.to_string())));
        }
    }
    out
}

/// What one recorded call needs, refused or not: each action with the resources it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// `s3.amazonaws.com GetObject`.
    pub call: String,
    /// Each action (catalogue spelling) with its resources (`*` for none).
    pub grants: Vec<(String, Vec<String>)>,
}

/// The actions and resources a recorded call needs (a denied call: what granting it takes);
/// `None` for a record that is no API call.
pub fn needs(record: &Value) -> Option<Needs> {
    let c = Call::of(record)?;
    let partition = record["userIdentity"]["arn"].as_str().and_then(|a| a.split(':').nth(1)).unwrap_or("aws");
    let call = format!("{}.amazonaws.com {}", c.source, c.event_name);
    let Mapped::Actions(list) = actions::actions_for(c.source, c.name) else {
        return Some(Needs { call, grants: vec![] });
    };
    let catalog = Catalog::global();
    let grants = list
        .iter()
        .filter_map(|a| catalog.lookup_id(&a.full_name()))
        .map(|id| {
            let resources = match resources::resources(id, &c, partition) {
                Found::Star => vec!["*".to_string()],
                Found::Exact(r) | Found::Partial(r) => r,
            };
            (catalog.action(id).full_name(), resources)
        })
        .collect();
    Some(Needs { call, grants })
}

/// S3 object calls that name a version need the action's `…Version` form too; a copy reads its
/// source object (S3's "required permissions for API operations").
fn s3_object_variants(c: &Call<'_>, list: &[crate::catalog::ActionRef]) -> Vec<(ActionId, Option<String>)> {
    let catalog = Catalog::global();
    let mut out = Vec::new();
    if c.source != "s3" {
        return out;
    }
    if c.param("versionId").is_some() {
        for a in list {
            let versioned = match a.name {
                "GetObject" => "s3:GetObjectVersion",
                "DeleteObject" => "s3:DeleteObjectVersion",
                "GetObjectAcl" => "s3:GetObjectVersionAcl",
                "PutObjectAcl" => "s3:PutObjectVersionAcl",
                "GetObjectTagging" => "s3:GetObjectVersionTagging",
                "PutObjectTagging" => "s3:PutObjectVersionTagging",
                "DeleteObjectTagging" => "s3:DeleteObjectVersionTagging",
                _ => continue,
            };
            out.extend(catalog.lookup_id(versioned).map(|id| (id, None)));
        }
    }
    if let Some(source) = c.param("x-amz-copy-source") {
        let source = percent_encoding::percent_decode_str(source.trim_start_matches('/')).decode_utf8_lossy();
        let (object, version) = source.split_once("?versionId=").map_or((&*source, None), |(o, v)| (o, Some(v)));
        if object.contains('/') {
            let arn = format!("arn:aws:s3:::{object}");
            out.extend(catalog.lookup_id("s3:GetObject").map(|id| (id, Some(arn.clone()))));
            if version.is_some() {
                out.extend(catalog.lookup_id("s3:GetObjectVersion").map(|id| (id, Some(arn))));
            }
        }
    }
    out
}

impl Suggestion {
    /// The policy document: one statement per set of resources, actions sorted.
    pub fn document(&self) -> Value {
        let mut by_resources: BTreeMap<Vec<&str>, Vec<&str>> = BTreeMap::new();
        for (action, resources) in &self.grants {
            by_resources.entry(resources.iter().map(String::as_str).collect()).or_default().push(action);
        }
        let mut groups: Vec<(Vec<&str>, Vec<&str>)> = by_resources.into_iter().map(|(r, a)| (a, r)).collect();
        groups.sort();
        let mut sids: BTreeMap<String, usize> = BTreeMap::new();
        let statements: Vec<Value> = groups
            .into_iter()
            .map(|(actions, resources)| {
                let sid = sid_for(actions[0], &mut sids);
                json!({"Sid": sid, "Effect": "Allow", "Action": one_or_many(&actions), "Resource": one_or_many(&resources)})
            })
            .collect();
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    /// The document as pretty JSON, ready for `aws iam put-role-policy --policy-document`.
    pub fn document_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.document()).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Only the grants of actions `keep` accepts (what one wide policy was used for).
    pub fn restricted(&self, keep: impl Fn(ActionId) -> bool) -> Suggestion {
        let catalog = Catalog::global();
        let grants = self
            .grants
            .iter()
            .filter(|(a, _)| catalog.lookup_id(a).is_some_and(&keep))
            .map(|(a, r)| (a.clone(), r.clone()))
            .collect();
        Suggestion { grants, ..self.clone() }
    }

    /// Nothing was learned to grant.
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }
}

/// `DynamodbObserved`, `S3Observed2`: the statement's first service, numbered past the first.
fn sid_for(action: &str, used: &mut BTreeMap<String, usize>) -> String {
    let prefix = action.split(':').next().unwrap_or("All");
    let mut base: String = prefix.split('-').map(capitalised).collect();
    base.push_str("Observed");
    let n = used.entry(base.clone()).or_default();
    *n += 1;
    if *n > 1 {
        base.push_str(&n.to_string());
    }
    base
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

fn one_or_many(v: &[&str]) -> Value {
    match v {
        [one] => json!(one),
        many => json!(many),
    }
}
