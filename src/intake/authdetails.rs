//! A saved `aws iam get-account-authorization-details` output, read into the same [`Inventory`]
//! the live sweep gets from IAM: the file cloudsplaining and PMapper users already have.
//!
//! Accepted: one page (`UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies`), several
//! pages concatenated (`aws … --no-paginate` runs appended to one file) or a JSON array of pages.
//! Documents come as the CLI prints them (JSON objects) or as IAM returns them (URL-encoded text).
//! A page may also be (or hold) the resource policies the live sweep saves
//! ([`crate::resources::export`]).

use crate::intake::Target;
use crate::inventory::{Inventory, LocalPolicy, PrincipalDetail};
use serde::Deserialize;
use serde_json::Value;

/// Why a file is not an authorization-details export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Not JSON.
    #[error("not JSON (at line {line}, column {column}): {message}")]
    Json {
        /// Where.
        line: usize,
        /// Where.
        column: usize,
        /// What.
        message: String,
    },
    /// JSON, but no page has any of the four lists.
    #[error(
        "not a get-account-authorization-details output: no UserDetailList, GroupDetailList, RoleDetailList, \
         Policies or ResourcePolicies in {0}"
    )]
    NotAnExport(String),
    /// A page's lists have the wrong shape.
    #[error("page {page}: {message}")]
    Shape {
        /// Which page (1-based).
        page: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Page {
    user_detail_list: Vec<User>,
    group_detail_list: Vec<Group>,
    role_detail_list: Vec<Role>,
    policies: Vec<Policy>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Attached {
    policy_arn: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Inline {
    policy_name: String,
    policy_document: Value,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Tag {
    key: String,
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Boundary {
    permissions_boundary_arn: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct User {
    user_name: String,
    arn: String,
    path: Option<String>,
    tags: Vec<Tag>,
    attached_managed_policies: Vec<Attached>,
    user_policy_list: Vec<Inline>,
    group_list: Vec<String>,
    permissions_boundary: Option<Boundary>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Group {
    group_name: String,
    arn: String,
    path: Option<String>,
    attached_managed_policies: Vec<Attached>,
    group_policy_list: Vec<Inline>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Role {
    role_name: String,
    arn: String,
    path: Option<String>,
    tags: Vec<Tag>,
    attached_managed_policies: Vec<Attached>,
    role_policy_list: Vec<Inline>,
    assume_role_policy_document: Value,
    permissions_boundary: Option<Boundary>,
    instance_profile_list: Vec<InstanceProfile>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct InstanceProfile {
    instance_profile_name: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Version {
    document: Value,
    version_id: String,
    is_default_version: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Policy {
    policy_name: String,
    arn: String,
    default_version_id: Option<String>,
    policy_version_list: Vec<Version>,
}

/// A document as the export holds it: an object (the CLI's), or text, URL-encoded or not.
fn document(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => {
            Some(crate::policy::decode_document_text(s).map(|c| c.into_owned()).unwrap_or_else(|_| s.to_string()))
        }
        other => Some(other.to_string()),
    }
}

fn inline(list: Vec<Inline>) -> Vec<(String, String)> {
    list.into_iter().filter_map(|p| Some((p.policy_name, document(&p.policy_document)?))).collect()
}

fn attached(list: Vec<Attached>) -> Vec<String> {
    list.into_iter().map(|a| a.policy_arn).filter(|a| !a.is_empty()).collect()
}

fn tags(list: Vec<Tag>) -> Vec<(String, String)> {
    list.into_iter().map(|t| (t.key, t.value)).collect()
}

const LISTS: [&str; 4] = ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"];

/// Reads an export (see the module documentation).
pub fn parse(text: &str) -> Result<Inventory, ExportError> {
    let mut pages = Vec::new();
    for v in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        let v = v.map_err(|e| ExportError::Json { line: e.line(), column: e.column(), message: e.to_string() })?;
        match v {
            Value::Array(items) => pages.extend(items),
            other => pages.push(other),
        }
    }
    let extra = [crate::resources::export::KEY, crate::resources::export::COMPUTE_KEY];
    let is_page = |p: &Value| LISTS.iter().chain(&extra).any(|k| p.get(k).is_some());
    if !pages.iter().any(is_page) {
        let what = match pages.first() {
            None => "an empty file".to_string(),
            Some(Value::Object(m)) => {
                format!("an object with keys {}", m.keys().take(5).cloned().collect::<Vec<_>>().join(", "))
            }
            Some(_) => "a JSON value that is not an object".to_string(),
        };
        return Err(ExportError::NotAnExport(what));
    }
    let mut inv = Inventory::default();
    for (i, mut p) in pages.into_iter().enumerate().filter(|(_, p)| is_page(p)) {
        // A list given as null is an empty list.
        if let Value::Object(m) = &mut p {
            m.retain(|_, v| !v.is_null());
            if let Some(list) = m.remove(crate::resources::export::KEY) {
                let found = crate::resources::export::read(&list)
                    .map_err(|message| ExportError::Shape { page: i + 1, message })?;
                inv.resources.extend(found);
            }
            if let Some(list) = m.remove(crate::resources::export::COMPUTE_KEY) {
                let found = crate::resources::export::read_compute(&list)
                    .map_err(|message| ExportError::Shape { page: i + 1, message })?;
                inv.compute.extend(found);
            }
        }
        let page: Page =
            serde_json::from_value(p).map_err(|e| ExportError::Shape { page: i + 1, message: e.to_string() })?;
        for r in page.role_detail_list {
            inv.principals.push(PrincipalDetail {
                target: Some(Target::role(&r.role_name)),
                arn: r.arn,
                path: r.path.unwrap_or_else(|| "/".into()),
                tags: tags(r.tags),
                attached: attached(r.attached_managed_policies),
                inline: inline(r.role_policy_list),
                trust: document(&r.assume_role_policy_document),
                groups: vec![],
                boundary: r.permissions_boundary.and_then(|b| b.permissions_boundary_arn),
                instance_profiles: r.instance_profile_list.into_iter().map(|p| p.instance_profile_name).collect(),
            });
        }
        for u in page.user_detail_list {
            inv.principals.push(PrincipalDetail {
                target: Some(Target::user(&u.user_name)),
                arn: u.arn,
                path: u.path.unwrap_or_else(|| "/".into()),
                tags: tags(u.tags),
                attached: attached(u.attached_managed_policies),
                inline: inline(u.user_policy_list),
                trust: None,
                groups: u.group_list,
                boundary: u.permissions_boundary.and_then(|b| b.permissions_boundary_arn),
                instance_profiles: vec![],
            });
        }
        for g in page.group_detail_list {
            inv.principals.push(PrincipalDetail {
                target: Some(Target::group(&g.group_name)),
                arn: g.arn,
                path: g.path.unwrap_or_else(|| "/".into()),
                tags: vec![],
                attached: attached(g.attached_managed_policies),
                inline: inline(g.group_policy_list),
                trust: None,
                groups: vec![],
                boundary: None,
                instance_profiles: vec![],
            });
        }
        for p in page.policies {
            let default = p.default_version_id;
            let doc = p
                .policy_version_list
                .iter()
                .find(|v| v.is_default_version || Some(&v.version_id) == default.as_ref())
                .and_then(|v| document(&v.document));
            inv.policies.push(LocalPolicy { arn: p.arn, name: p.policy_name, default_document: doc });
        }
    }
    Ok(inv)
}
