//! An in-memory IAM: the read/write ports over state built from the changes themselves. Used by
//! `iam-guard event` to replay a sequence offline (an attach seen earlier is visible to a later
//! CreateAccessKey), and by unit tests. AWS managed policies come from the embedded data.

use super::ports::{IamRead, IamWrite, PortError, PrincipalInfo, VersionInfo};
use crate::intake::{Action, Change, PrincipalKind, Target};
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Default)]
struct Version {
    id: String,
    document: String,
    created: String,
}

#[derive(Debug, Default)]
struct State {
    principals: BTreeMap<Target, PrincipalInfo>,
    attached: BTreeMap<Target, Vec<String>>,
    inline: BTreeMap<Target, BTreeMap<String, String>>,
    groups: BTreeMap<String, Vec<String>>,
    /// Customer managed policies: versions and the default version id.
    policies: BTreeMap<String, (Vec<Version>, String)>,
}

#[derive(Debug, Default)]
pub struct MemoryIam {
    state: Mutex<State>,
}

impl MemoryIam {
    pub fn new() -> MemoryIam {
        MemoryIam::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Declares a principal (path and tags matter for exemptions).
    pub fn add_principal(&self, target: &Target, account_id: &str, path: &str, tags: &[(&str, &str)]) {
        let arn = format!("arn:aws:iam::{account_id}:{}{}{}", target.kind.as_str(), path, target.name);
        let info = PrincipalInfo {
            arn,
            path: path.into(),
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        self.with(|s| s.principals.insert(target.clone(), info));
    }

    /// Declares a customer managed policy version (`default` makes it the default).
    pub fn add_policy_version(&self, arn: &str, version_id: &str, document: &str, default: bool) {
        self.with(|s| {
            let entry = s.policies.entry(arn.to_string()).or_default();
            let created = format!("2026-01-01T00:00:{:02}Z", entry.0.len());
            entry.0.push(Version { id: version_id.into(), document: document.into(), created });
            if default || entry.1.is_empty() {
                entry.1 = version_id.into();
            }
        });
    }

    pub fn attached(&self, target: &Target) -> Vec<String> {
        self.with(|s| s.attached.get(target).cloned().unwrap_or_default())
    }

    pub fn default_version(&self, arn: &str) -> Option<String> {
        self.with(|s| s.policies.get(arn).map(|p| p.1.clone()))
    }

    /// Applies what a change did, so later changes see it.
    pub fn apply(&self, change: &Change) {
        self.with(|s| match &change.action {
            Action::AttachPolicy { target, policy_arn } => {
                let list = s.attached.entry(target.clone()).or_default();
                if !list.contains(policy_arn) {
                    list.push(policy_arn.clone());
                }
            }
            Action::PutInlinePolicy { target, policy_name, document } => {
                s.inline.entry(target.clone()).or_default().insert(policy_name.clone(), document.text.clone());
            }
            Action::CreateRole { role, path, .. } => {
                let t = Target::role(role);
                let arn = format!("arn:aws:iam::{}:role{}{}", change.account_id, path, role);
                s.principals.entry(t).or_insert(PrincipalInfo { arn, path: path.clone(), tags: vec![] });
            }
            Action::CreatePolicy { policy_arn, document, .. } => {
                let v = Version {
                    id: "v1".into(),
                    document: document.text.clone(),
                    created: change.event_time.to_rfc3339(),
                };
                s.policies.insert(policy_arn.clone(), (vec![v], "v1".into()));
            }
            Action::CreatePolicyVersion { policy_arn, document, set_as_default, version_id } => {
                let entry = s.policies.entry(policy_arn.clone()).or_default();
                let id = version_id.clone().unwrap_or_else(|| format!("v{}", entry.0.len() + 1));
                if !entry.0.iter().any(|v| v.id == id) {
                    entry.0.push(Version {
                        id: id.clone(),
                        document: document.text.clone(),
                        created: change.event_time.to_rfc3339(),
                    });
                }
                if *set_as_default || entry.1.is_empty() {
                    entry.1 = id;
                }
            }
            Action::SetDefaultPolicyVersion { policy_arn, version_id } => {
                if let Some(p) = s.policies.get_mut(policy_arn) {
                    p.1 = version_id.clone();
                }
            }
            Action::AddUserToGroup { user, group } => {
                let g = s.groups.entry(user.clone()).or_default();
                if !g.contains(group) {
                    g.push(group.clone());
                }
            }
            Action::UpdateTrustPolicy { .. }
            | Action::CreateAccessKey { .. }
            | Action::CreateLoginProfile { .. }
            | Action::DeletePermissionsBoundary { .. } => {}
        });
    }
}

impl IamRead for MemoryIam {
    async fn principal(&self, target: &Target) -> Result<Option<PrincipalInfo>, PortError> {
        Ok(self.with(|s| s.principals.get(target).cloned()))
    }

    async fn policy_document(&self, policy_arn: &str, version: Option<&str>) -> Result<Option<String>, PortError> {
        if let Some(p) = crate::catalog::managed::by_arn(policy_arn) {
            return Ok(version.is_none_or(|v| v == p.version).then(|| p.document_json()));
        }
        Ok(self.with(|s| {
            let (versions, default) = s.policies.get(policy_arn)?;
            let want = version.unwrap_or(default);
            versions.iter().find(|v| v.id == want).map(|v| v.document.clone())
        }))
    }

    async fn policy_versions(&self, policy_arn: &str) -> Result<Vec<VersionInfo>, PortError> {
        Ok(self.with(|s| {
            s.policies
                .get(policy_arn)
                .map(|(vs, d)| {
                    vs.iter()
                        .map(|v| VersionInfo {
                            version_id: v.id.clone(),
                            is_default: &v.id == d,
                            created: v.created.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        }))
    }

    async fn attached_policies(&self, target: &Target) -> Result<Vec<String>, PortError> {
        Ok(self.attached(target))
    }

    async fn inline_policies(&self, target: &Target) -> Result<Vec<(String, String)>, PortError> {
        Ok(self.with(|s| s.inline.get(target).map(|m| m.clone().into_iter().collect()).unwrap_or_default()))
    }

    async fn groups_for_user(&self, user: &str) -> Result<Vec<String>, PortError> {
        Ok(self.with(|s| s.groups.get(user).cloned().unwrap_or_default()))
    }
}

impl IamWrite for MemoryIam {
    async fn detach_policy(&self, target: &Target, policy_arn: &str) -> Result<(), PortError> {
        if target.kind == PrincipalKind::Role && target.name.starts_with("AWSReservedSSO_") {
            return Err(PortError::Denied(
                "UnmodifiableEntity: cannot perform the operation on the protected role".into(),
            ));
        }
        self.with(|s| {
            let list = s.attached.entry(target.clone()).or_default();
            let before = list.len();
            list.retain(|a| a != policy_arn);
            if list.len() == before {
                Err(PortError::NotFound(format!("{policy_arn} is not attached to {target}")))
            } else {
                Ok(())
            }
        })
    }

    async fn set_default_version(&self, policy_arn: &str, version_id: &str) -> Result<(), PortError> {
        self.with(|s| match s.policies.get_mut(policy_arn) {
            Some(p) if p.0.iter().any(|v| v.id == version_id) => {
                p.1 = version_id.into();
                Ok(())
            }
            _ => Err(PortError::NotFound(format!("{policy_arn} version {version_id}"))),
        })
    }
}
