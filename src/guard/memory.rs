//! In-memory adapters for every port: an IAM built from the changes themselves (and from what
//! tests declare); the ledger and the publisher are in `memory_ledger.rs`, resources in
//! `memory_resources.rs`. Used by `iam-guard event` to
//! replay a sequence offline (an attach seen earlier is visible to a later CreateAccessKey), and
//! by tests of the guard, the sweep and the Lambda application without any server. AWS managed
//! policies come from the embedded data.

use super::ports::{
    IamInventory, IamRead, IamWrite, Inventory, LocalPolicy, PermissionSetInfo, PortError, PrincipalDetail,
    PrincipalInfo, SetChange, VersionInfo,
};
use crate::intake::{Action, Change, PermissionSet, PrincipalKind, Target};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub use super::memory_ledger::{MemoryLedger, RecordingPublisher};

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
    /// Roles' trust policies (document text).
    trust: BTreeMap<String, String>,
    /// Customer managed policies: versions and the default version id.
    policies: BTreeMap<String, (Vec<Version>, String)>,
    /// Access keys by (user, key id): active?
    keys: BTreeMap<(String, String), bool>,
    /// Users with a console password.
    login_profiles: std::collections::BTreeSet<String>,
    /// Permissions boundaries of roles and users.
    boundaries: BTreeMap<Target, String>,
    /// Identity Center permission sets by ARN, and how often each was provisioned.
    permission_sets: BTreeMap<String, (PermissionSetInfo, usize)>,
    /// The permission sets themselves (instance, region), as changes and tests named them.
    set_refs: BTreeMap<String, PermissionSet>,
    /// The account's CloudTrail records, when it has a trail (`replace` learns from them).
    trail: Option<Vec<serde_json::Value>>,
    /// IAM's action-level last-accessed reports, by principal ARN.
    last_accessed: BTreeMap<String, crate::suggest::LastAccessed>,
}

/// An IAM in memory: principals, attachments, inline and trust policies, groups, customer managed policy versions.
#[derive(Debug, Default)]
pub struct MemoryIam {
    state: Mutex<State>,
    /// Resources with their policies, shares and grants.
    pub resources: super::memory_resources::ResourceStore,
}

impl MemoryIam {
    /// An empty IAM (AWS managed policies are always there).
    pub fn new() -> MemoryIam {
        MemoryIam::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Gives the account a trail holding these CloudTrail records (added to any it holds).
    pub fn add_trail_records(&self, records: impl IntoIterator<Item = serde_json::Value>) {
        self.with(|s| s.trail.get_or_insert_with(Vec::new).extend(records));
    }

    /// Gives a principal (by ARN) IAM's action-level last-accessed report.
    pub fn set_last_accessed(&self, principal_arn: &str, report: crate::suggest::LastAccessed) {
        self.with(|s| s.last_accessed.insert(principal_arn.to_string(), report));
    }

    /// Declares a principal (path and tags matter for exemptions).
    pub fn add_principal(&self, target: &Target, account_id: &str, path: &str, tags: &[(&str, &str)]) {
        let arn = format!("arn:aws:iam::{account_id}:{}{}{}", target.kind.as_str(), path, target.name);
        let info = PrincipalInfo {
            arn,
            path: path.into(),
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            boundary: None,
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

    /// Attaches a managed policy (what AttachRolePolicy & co. do).
    pub fn attach(&self, target: &Target, policy_arn: &str) {
        self.with(|s| {
            let list = s.attached.entry(target.clone()).or_default();
            if !list.iter().any(|a| a == policy_arn) {
                list.push(policy_arn.to_string());
            }
        });
    }

    /// Puts an inline policy (document text).
    pub(crate) fn put_inline(&self, target: &Target, name: &str, document: &str) {
        self.with(|s| s.inline.entry(target.clone()).or_default().insert(name.to_string(), document.to_string()));
    }

    /// Adds a user to a group.
    pub fn add_to_group(&self, user: &str, group: &str) {
        self.with(|s| {
            let g = s.groups.entry(user.to_string()).or_default();
            if !g.iter().any(|x| x == group) {
                g.push(group.to_string());
            }
        });
    }

    /// Sets a role's trust policy (document text).
    pub fn set_trust(&self, role: &str, document: &str) {
        self.with(|s| s.trust.insert(role.to_string(), document.to_string()));
    }

    /// The managed policies attached to a principal.
    pub fn attached(&self, target: &Target) -> Vec<String> {
        self.with(|s| s.attached.get(target).cloned().unwrap_or_default())
    }

    /// A principal's inline policy document, if it has one by that name.
    pub fn inline_policy(&self, target: &Target, name: &str) -> Option<String> {
        self.with(|s| s.inline.get(target).and_then(|m| m.get(name)).cloned())
    }

    /// An access key's status: Some(true) active, Some(false) inactive, None unknown.
    pub fn key_active(&self, user: &str, access_key_id: &str) -> Option<bool> {
        self.with(|s| s.keys.get(&(user.to_string(), access_key_id.to_string())).copied())
    }

    /// Does the user have a console password?
    pub fn has_login_profile(&self, user: &str) -> bool {
        self.with(|s| s.login_profiles.contains(user))
    }

    /// A role's trust policy (document text), if known.
    pub fn trust(&self, role: &str) -> Option<String> {
        self.with(|s| s.trust.get(role).cloned())
    }

    /// A customer managed policy's default version id.
    pub fn default_version(&self, arn: &str) -> Option<String> {
        self.with(|s| s.policies.get(arn).map(|p| p.1.clone()))
    }

    /// A role's or user's permissions boundary.
    pub fn boundary(&self, target: &Target) -> Option<String> {
        self.with(|s| s.boundaries.get(target).cloned())
    }

    /// Declares an Identity Center permission set by name (empty).
    pub fn add_permission_set(&self, set: &PermissionSet, name: &str) {
        self.with(|s| {
            s.permission_sets.entry(set.arn.clone()).or_default().0.name = name.to_string();
            s.set_refs.insert(set.arn.clone(), set.clone());
        });
    }

    /// A permission set's name and policies, and how often it was provisioned.
    pub fn permission_set_state(&self, set: &PermissionSet) -> Option<(PermissionSetInfo, usize)> {
        self.with(|s| s.permission_sets.get(&set.arn).cloned())
    }

    fn change_set(s: &mut State, set: &PermissionSet, change: &SetChange<'_>) -> Result<(), PortError> {
        let Some((info, _)) = s.permission_sets.get_mut(&set.arn) else {
            return Err(PortError::NotFound(format!("{set} does not exist")));
        };
        match change {
            SetChange::DetachManaged(arn) => {
                let before = info.managed.len();
                info.managed.retain(|a| a != arn);
                if info.managed.len() == before {
                    return Err(PortError::NotFound(format!("{arn} is not attached to {set}")));
                }
            }
            SetChange::AttachManaged(arn) => {
                if !info.managed.iter().any(|a| a == arn) {
                    info.managed.push(arn.to_string());
                }
            }
            SetChange::DeleteInline => {
                if info.inline.take().is_none() {
                    return Err(PortError::NotFound(format!("{set} has no inline policy")));
                }
            }
            SetChange::PutInline(doc) => info.inline = Some(doc.to_string()),
        }
        Ok(())
    }

    /// Applies what a change did, so later changes see it: the state real IAM is in by the time
    /// its event arrives.
    pub fn apply(&self, change: &Change) {
        match &change.action {
            Action::AttachPolicy { target, policy_arn } => return self.attach(target, policy_arn),
            Action::PutInlinePolicy { target, policy_name, document } => {
                return self.put_inline(target, policy_name, &document.text)
            }
            Action::AddUserToGroup { user, group } => return self.add_to_group(user, group),
            Action::UpdateTrustPolicy { role, trust_policy } => return self.set_trust(role, &trust_policy.text),
            Action::ResourceAccess { .. } => return self.resources.apply(change),
            _ => {}
        }
        if let Some(set) = change.action.permission_set() {
            self.with(|s| s.set_refs.entry(set.arn.clone()).or_insert_with(|| set.clone()).clone());
        }
        self.with(|s| match &change.action {
            Action::CreateAccessKey { user, access_key_id } => {
                if let Some(k) = access_key_id {
                    s.keys.insert((user.clone(), k.clone()), true);
                }
            }
            Action::ReactivateAccessKey { user, access_key_id } => {
                s.keys.insert((user.clone(), access_key_id.clone()), true);
            }
            Action::CreateLoginProfile { user } => {
                s.login_profiles.insert(user.clone());
            }
            Action::CreateRole { role, path, trust_policy, boundary } => {
                let t = Target::role(role);
                if let Some(b) = boundary {
                    s.boundaries.insert(t.clone(), b.clone());
                }
                let arn = format!("arn:aws:iam::{}:role{}{}", change.account_id, path, role);
                s.principals.entry(t).or_insert(PrincipalInfo {
                    arn,
                    path: path.clone(),
                    tags: vec![],
                    boundary: None,
                });
                s.trust.insert(role.clone(), trust_policy.text.clone());
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
            Action::AttachPolicy { .. }
            | Action::PutInlinePolicy { .. }
            | Action::AddUserToGroup { .. }
            | Action::UpdateTrustPolicy { .. }
            | Action::UpdateLoginProfile { .. }
            | Action::RootCredential { .. }
            | Action::Posture { .. }
            | Action::Denied { .. } => {}
            Action::PutPermissionsBoundary { target, boundary_arn } => {
                s.boundaries.insert(target.clone(), boundary_arn.clone());
            }
            Action::DeletePermissionsBoundary { target } => {
                s.boundaries.remove(target);
            }
            Action::CreatePermissionSet { .. }
            | Action::PermissionSetManagedPolicy { .. }
            | Action::PermissionSetInlinePolicy { .. }
            | Action::PermissionSetCustomerPolicy { .. }
            | Action::PermissionSetBoundary { .. }
            | Action::AccountAssignment { .. }
            | Action::ResourceAccess { .. } => MemoryIam::apply_to_set(s, &change.action),
        });
    }

    /// A change's effect on a permission set.
    fn apply_to_set(s: &mut State, action: &Action) {
        match action {
            Action::CreatePermissionSet { set, name } => {
                s.permission_sets.entry(set.arn.clone()).or_default().0.name = name.clone();
                s.set_refs.insert(set.arn.clone(), set.clone());
            }
            Action::PermissionSetManagedPolicy { set, policy_arn } => {
                let info = &mut s.permission_sets.entry(set.arn.clone()).or_default().0;
                if !info.managed.contains(policy_arn) {
                    info.managed.push(policy_arn.clone());
                }
            }
            Action::PermissionSetInlinePolicy { set, document } => {
                s.permission_sets.entry(set.arn.clone()).or_default().0.inline = Some(document.text.clone());
            }
            Action::PermissionSetCustomerPolicy { set, name, path } => {
                s.permission_sets.entry(set.arn.clone()).or_default().0.customer.push(format!("{path}{name}"));
            }
            Action::PermissionSetBoundary { set, boundary } => {
                s.permission_sets.entry(set.arn.clone()).or_default().0.boundary = Some(boundary.clone());
            }
            _ => {}
        }
    }
}

impl IamRead for MemoryIam {
    async fn resource_tags(&self, resource: &crate::resources::Resource) -> Result<Vec<(String, String)>, PortError> {
        Ok(self.resources.state(&resource.arn).tags)
    }

    async fn last_accessed(&self, principal_arn: &str) -> Result<Option<crate::suggest::LastAccessed>, PortError> {
        Ok(self.with(|s| s.last_accessed.get(principal_arn).cloned()))
    }

    async fn trail_records(
        &self,
        _account_id: &str,
        _principal: &crate::suggest::Principal,
        (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    ) -> Result<Option<Vec<serde_json::Value>>, PortError> {
        let day = |r: &serde_json::Value| {
            r["eventTime"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).map(|t| t.date_naive())
        };
        Ok(self.with(|s| {
            s.trail
                .as_ref()
                .map(|t| t.iter().filter(|r| day(r).is_some_and(|d| d >= from && d <= to)).cloned().collect())
        }))
    }

    async fn permission_set(&self, set: &PermissionSet) -> Result<Option<PermissionSetInfo>, PortError> {
        Ok(self.with(|s| s.permission_sets.get(&set.arn).map(|(info, _)| info.clone())))
    }

    async fn permission_sets(&self, region: &str) -> Result<Vec<PermissionSet>, PortError> {
        Ok(self.with(|s| s.set_refs.values().filter(|p| p.region == region).cloned().collect()))
    }

    async fn principal(&self, target: &Target) -> Result<Option<PrincipalInfo>, PortError> {
        Ok(self.with(|s| {
            let mut info = s.principals.get(target).cloned()?;
            info.boundary = s.boundaries.get(target).cloned();
            Some(info)
        }))
    }

    async fn policy_document(&self, policy_arn: &str, version: Option<&str>) -> Result<Option<String>, PortError> {
        // A policy the account holds (an AWS managed one seeded newer than the embedded data, too).
        let held = self.with(|s| {
            let (versions, default) = s.policies.get(policy_arn)?;
            let want = version.unwrap_or(default);
            Some(versions.iter().find(|v| v.id == want).map(|v| v.document.clone()))
        });
        if let Some(found) = held {
            return Ok(found);
        }
        Ok(crate::catalog::managed::by_arn(policy_arn)
            .and_then(|p| version.is_none_or(|v| v == p.version).then(|| p.document_json())))
    }

    async fn default_version(&self, policy_arn: &str) -> Result<Option<String>, PortError> {
        let held = self.with(|s| s.policies.get(policy_arn).map(|(_, d)| d.clone()));
        Ok(held.or_else(|| crate::catalog::managed::by_arn(policy_arn).map(|p| p.version.to_string())))
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
    async fn fix_resource(&self, fix: &crate::resources::ResourceFix) -> Result<(), PortError> {
        match self.resources.fix(fix) {
            true => Ok(()),
            false => Err(PortError::NotFound(fix.describe())),
        }
    }

    async fn change_permission_set(&self, set: &PermissionSet, change: &SetChange<'_>) -> Result<(), PortError> {
        self.with(|s| MemoryIam::change_set(s, set, change))
    }

    async fn provision_permission_set(&self, set: &PermissionSet) -> Result<(), PortError> {
        self.with(|s| match s.permission_sets.get_mut(&set.arn) {
            Some((_, provisioned)) => {
                *provisioned += 1;
                Ok(())
            }
            None => Err(PortError::NotFound(format!("{set} does not exist"))),
        })
    }

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

    async fn delete_inline_policy(&self, target: &Target, policy_name: &str) -> Result<(), PortError> {
        self.with(|s| match s.inline.get_mut(target).and_then(|m| m.remove(policy_name)) {
            Some(_) => Ok(()),
            None => Err(PortError::NotFound(format!("{target} has no inline policy {policy_name}"))),
        })
    }

    async fn attach_policy(&self, target: &Target, policy_arn: &str) -> Result<(), PortError> {
        self.attach(target, policy_arn);
        Ok(())
    }

    async fn delete_login_profile(&self, user: &str) -> Result<(), PortError> {
        self.with(|s| match s.login_profiles.remove(user) {
            true => Ok(()),
            false => Err(PortError::NotFound(format!("user {user} has no console password"))),
        })
    }

    async fn update_trust_policy(&self, role: &str, document: &str) -> Result<(), PortError> {
        self.with(|s| match s.trust.get_mut(role) {
            Some(t) => {
                *t = document.to_string();
                Ok(())
            }
            None => Err(PortError::NotFound(format!("role {role} has no trust policy here"))),
        })
    }

    async fn deactivate_access_key(&self, user: &str, access_key_id: &str) -> Result<(), PortError> {
        self.with(|s| match s.keys.get_mut(&(user.to_string(), access_key_id.to_string())) {
            Some(active) if *active => {
                *active = false;
                Ok(())
            }
            Some(_) => Err(PortError::NotFound(format!("access key {access_key_id} is already inactive"))),
            // Keys the replay never saw created: IAM would know them; say it was done.
            None => {
                s.keys.insert((user.to_string(), access_key_id.to_string()), false);
                Ok(())
            }
        })
    }

    async fn activate_access_key(&self, user: &str, access_key_id: &str) -> Result<(), PortError> {
        self.with(|s| match s.keys.get_mut(&(user.to_string(), access_key_id.to_string())) {
            Some(active) => {
                *active = true;
                Ok(())
            }
            None => Err(PortError::NotFound(format!("user {user} has no access key {access_key_id}"))),
        })
    }

    async fn put_inline_policy(&self, target: &Target, policy_name: &str, document: &str) -> Result<(), PortError> {
        self.put_inline(target, policy_name, document);
        Ok(())
    }

    async fn put_boundary(&self, target: &Target, policy_arn: &str) -> Result<(), PortError> {
        self.with(|s| s.boundaries.insert(target.clone(), policy_arn.to_string()));
        Ok(())
    }

    async fn delete_boundary(&self, target: &Target) -> Result<(), PortError> {
        self.with(|s| match s.boundaries.remove(target) {
            Some(_) => Ok(()),
            None => Err(PortError::NotFound(format!("{target} has no permissions boundary"))),
        })
    }
}

impl IamInventory for MemoryIam {
    async fn resource_policies(&self) -> Result<Vec<crate::resources::ResourcePolicy>, PortError> {
        Ok(self.resources.policies())
    }

    /// Every principal declared, created or holding something, as GetAccountAuthorizationDetails
    /// would list it, and the customer managed policies with their default documents.
    async fn inventory(&self) -> Result<Inventory, PortError> {
        Ok(self.with(|s| {
            let mut targets: std::collections::BTreeSet<Target> = s.principals.keys().cloned().collect();
            targets.extend(s.attached.keys().cloned());
            targets.extend(s.inline.keys().cloned());
            targets.extend(s.trust.keys().map(|r| Target::role(r)));
            for (user, groups) in &s.groups {
                targets.insert(Target::user(user));
                targets.extend(groups.iter().map(|g| Target::group(g)));
            }
            let account = s.principals.values().find_map(|p| crate::arn::account(&p.arn).map(str::to_string));
            let account = account.unwrap_or_else(|| "123456789012".into());
            let principals = targets
                .into_iter()
                .map(|t| {
                    let info = s.principals.get(&t).cloned().unwrap_or_else(|| PrincipalInfo {
                        arn: t.arn(&account),
                        path: "/".into(),
                        tags: vec![],
                        boundary: None,
                    });
                    PrincipalDetail {
                        arn: info.arn,
                        path: info.path,
                        tags: info.tags,
                        attached: s.attached.get(&t).cloned().unwrap_or_default(),
                        inline: s.inline.get(&t).map(|m| m.clone().into_iter().collect()).unwrap_or_default(),
                        trust: (t.kind == PrincipalKind::Role).then(|| s.trust.get(&t.name).cloned()).flatten(),
                        boundary: s.boundaries.get(&t).cloned(),
                        instance_profiles: vec![],
                        groups: if t.kind == PrincipalKind::User {
                            s.groups.get(&t.name).cloned().unwrap_or_default()
                        } else {
                            vec![]
                        },
                        target: Some(t),
                    }
                })
                .collect();
            let policies = s
                .policies
                .iter()
                .map(|(arn, (versions, default))| LocalPolicy {
                    arn: arn.clone(),
                    name: crate::arn::resource_name(arn).to_string(),
                    default_document: versions.iter().find(|v| &v.id == default).map(|v| v.document.clone()),
                })
                .collect();
            Inventory { principals, policies, resources: Vec::new(), compute: Vec::new() }
        }))
    }
}
