//! The resources of the in-memory adapter: each resource's policy (a document whose statements
//! carry ids), the accounts it is shared with, its grants and tags — what `iam-guard event`'s
//! replay, the tests and the offline sweep change and read.

use crate::intake::Change;
use crate::resources::{Resource, ResourceFix, ResourcePolicy, Written};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// One resource's access, as the memory holds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceState {
    /// The resource.
    pub resource: Option<Resource>,
    /// Its policy's statements (JSON values), in order.
    pub statements: Vec<serde_json::Value>,
    /// Accounts (or `all`) it is shared with.
    pub shared: BTreeSet<String>,
    /// Grant ids.
    pub grants: BTreeSet<String>,
    /// Tags as (key, value).
    pub tags: Vec<(String, String)>,
}

impl ResourceState {
    /// The policy as a document, `None` without statements.
    pub fn policy(&self) -> Option<String> {
        (!self.statements.is_empty())
            .then(|| serde_json::json!({ "Version": "2012-10-17", "Statement": self.statements }).to_string())
    }
}

/// Resources by ARN.
#[derive(Debug, Default)]
pub struct ResourceStore {
    by_arn: Mutex<BTreeMap<String, ResourceState>>,
}

fn statements_of(doc: &str) -> Vec<serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(doc).unwrap_or_default()["Statement"].take() {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Null => vec![],
        one => vec![one],
    }
}

impl ResourceStore {
    fn with<T>(&self, arn: &str, f: impl FnOnce(&mut ResourceState) -> T) -> T {
        let mut all = self.by_arn.lock().unwrap_or_else(|p| p.into_inner());
        f(all.entry(arn.to_string()).or_default())
    }

    /// A resource as it stands (default when never seen).
    pub fn state(&self, arn: &str) -> ResourceState {
        self.by_arn.lock().unwrap_or_else(|p| p.into_inner()).get(arn).cloned().unwrap_or_default()
    }

    /// Declares a resource with a policy and tags.
    pub fn add(&self, resource: &Resource, policy: Option<&str>, tags: &[(&str, &str)]) {
        self.with(&resource.arn, |s| {
            s.resource = Some(resource.clone());
            s.statements = policy.map(statements_of).unwrap_or_default();
            s.tags = tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        });
    }

    /// Every resource with a policy or a share, as a sweep reads them.
    pub fn policies(&self) -> Vec<ResourcePolicy> {
        let all = self.by_arn.lock().unwrap_or_else(|p| p.into_inner());
        all.values()
            .filter_map(|s| {
                let resource = s.resource.clone()?;
                let policy = match s.policy() {
                    Some(p) => p,
                    None if !s.shared.is_empty() => {
                        let accounts: Vec<String> = s.shared.iter().cloned().collect();
                        crate::resources::share_document(
                            &resource,
                            &accounts,
                            crate::resources::share_actions(resource.kind),
                        )
                    }
                    None => return None,
                };
                Some(ResourcePolicy { resource, policy, tags: s.tags.clone() })
            })
            .collect()
    }

    /// Applies a change's effect on a resource.
    pub fn apply(&self, change: &Change) {
        let crate::intake::Action::ResourceAccess { resource, written, document } = &change.action else { return };
        self.with(&resource.arn, |s| {
            s.resource.get_or_insert_with(|| resource.clone());
            match (written, document) {
                (Written::Policy, Some(d)) => s.statements = statements_of(&d.text),
                (Written::Statement { id }, Some(d)) => {
                    let mut added = statements_of(&d.text);
                    for st in &mut added {
                        st["Sid"] = serde_json::Value::String(id.clone());
                    }
                    s.statements.retain(|st| st["Sid"].as_str() != Some(id));
                    s.statements.extend(added);
                }
                (Written::Shared { accounts }, _) => s.shared.extend(accounts.iter().cloned()),
                (Written::Grant { grant_id: Some(id), .. }, _) => {
                    s.grants.insert(id.clone());
                }
                _ => {}
            }
        });
    }

    /// Carries a fix out; `false` when there was nothing to change (already done).
    pub fn fix(&self, fix: &ResourceFix) -> bool {
        self.with(&fix.resource().arn, |s| match fix {
            ResourceFix::SetPolicy { policy, .. } => {
                let before = s.statements.clone();
                s.statements = policy.as_deref().map(statements_of).unwrap_or_default();
                before != s.statements
            }
            ResourceFix::RemoveStatement { id, .. } => {
                let n = s.statements.len();
                s.statements.retain(|st| st["Sid"].as_str() != Some(id));
                n != s.statements.len()
            }
            ResourceFix::AddStatement { id, statement, .. } => {
                let mut st: serde_json::Value = serde_json::from_str(statement).unwrap_or_default();
                st["Sid"] = serde_json::Value::String(id.clone());
                s.statements.push(st);
                true
            }
            ResourceFix::Unshare { accounts, .. } => {
                let before = s.shared.len();
                s.shared.retain(|a| !accounts.contains(a));
                before != s.shared.len()
            }
            ResourceFix::Share { accounts, .. } => {
                let before = s.shared.len();
                s.shared.extend(accounts.iter().cloned());
                before != s.shared.len()
            }
            ResourceFix::RevokeGrant { grant_id, .. } => s.grants.remove(grant_id),
        })
    }
}
