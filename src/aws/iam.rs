//! IamRead / IamWrite on `aws-sdk-iam`.

use super::port_error;
use crate::guard::ports::{IamRead, IamWrite, PermissionSetInfo, PortError, PrincipalInfo, SetChange, VersionInfo};
use crate::intake::{PermissionSet, PrincipalKind, Target};
use aws_sdk_iam::Client;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One IAM call made on a role, user or group: the SDK has an operation per principal kind, each
/// with its own name setter (`role_name`, `user_name`, `group_name`); the rest is the same.
macro_rules! per_principal {
    ($client:expr, $t:expr, $what:expr, $role_op:ident, $user_op:ident, $group_op:ident, $($setter:ident($arg:expr)),+) => {
        match $t.kind {
            PrincipalKind::Role => $client
                .$role_op()
                .role_name(&$t.name)
                $(.$setter($arg))+
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_error(&$what, e)),
            PrincipalKind::User => $client
                .$user_op()
                .user_name(&$t.name)
                $(.$setter($arg))+
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_error(&$what, e)),
            PrincipalKind::Group => $client
                .$group_op()
                .group_name(&$t.name)
                $(.$setter($arg))+
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_error(&$what, e)),
        }
    };
}

/// The IAM ports on `aws-sdk-iam`; counts the calls it makes (the sweep reports them).
pub struct SdkIam {
    client: Client,
    /// Identity Center (permission sets), when the adapter was built from SDK configuration.
    sso: Option<super::SdkSso>,
    /// The trail's log files, when configured (the `replace` rule action learns from them).
    trail: Option<std::sync::Arc<super::SdkTrail>>,
    /// CloudTrail's event history, where no trail bucket is configured.
    lookup: Option<std::sync::Arc<super::SdkLookup>>,
    /// How long a last-accessed report may take.
    polling: super::last_accessed::Polling,
    /// Resource policies (bucket, function, key, queue, topic, secret, repository, table).
    resources: Option<super::SdkResources>,
    /// The regions whose resource policies the sweep reads (none: it reads none).
    resource_regions: Vec<String>,
    calls: AtomicUsize,
}

/// Documents from IAM come URL-encoded (real IAM) or plain (emulators): return plain text.
pub(super) fn plain(doc: &str) -> String {
    crate::policy::decode_document_text(doc).map(|c| c.into_owned()).unwrap_or_else(|_| doc.to_string())
}

impl SdkIam {
    /// A client from shared SDK configuration (region, credentials, `AWS_ENDPOINT_URL`).
    pub fn new(config: &aws_config::SdkConfig) -> SdkIam {
        SdkIam {
            sso: Some(super::SdkSso::new(config)),
            resources: Some(super::SdkResources::new(config)),
            ..SdkIam::from_client(Client::new(config))
        }
    }

    /// Over an existing client (tests inject mocked ones); no Identity Center.
    pub fn from_client(client: Client) -> SdkIam {
        SdkIam {
            client,
            sso: None,
            trail: None,
            lookup: None,
            polling: Default::default(),
            resources: None,
            resource_regions: Vec::new(),
            calls: AtomicUsize::new(0),
        }
    }

    /// Reads the account's trail from these log files (the `replace` rule action).
    pub fn with_trail(self, trail: std::sync::Arc<super::SdkTrail>) -> SdkIam {
        SdkIam { trail: Some(trail), ..self }
    }

    /// Learns from CloudTrail's event history (LookupEvents) where no trail bucket is set.
    pub fn with_lookup(self, lookup: std::sync::Arc<super::SdkLookup>) -> SdkIam {
        SdkIam { lookup: Some(lookup), ..self }
    }

    /// The sweep reads the resource policies of these regions.
    pub fn with_resource_regions(self, regions: Vec<String>) -> SdkIam {
        SdkIam { resource_regions: regions, ..self }
    }

    /// Waits for last-accessed reports this way (tests shorten the wait).
    pub fn with_polling(self, polling: super::last_accessed::Polling) -> SdkIam {
        SdkIam { polling, ..self }
    }

    fn sso(&self) -> Result<&super::SdkSso, PortError> {
        self.sso.as_ref().ok_or_else(|| PortError::Failed("no IAM Identity Center client configured".into()))
    }

    /// IAM API calls made so far (reported per invocation and in tests).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    fn count(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// The underlying SDK client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl IamRead for SdkIam {
    async fn resource_tags(&self, resource: &crate::resources::Resource) -> Result<Vec<(String, String)>, PortError> {
        match &self.resources {
            Some(r) => {
                self.count();
                r.tags(resource).await
            }
            None => Ok(Vec::new()),
        }
    }

    async fn trail_records(
        &self,
        account_id: &str,
        principal: &crate::suggest::Principal,
        (from, to): (chrono::NaiveDate, chrono::NaiveDate),
    ) -> Result<Option<Vec<serde_json::Value>>, PortError> {
        if let Some(t) = &self.trail {
            return t.records(account_id, from, to).await.map(Some);
        }
        let Some(l) = &self.lookup else { return Ok(None) };
        let user = (principal.kind == crate::suggest::principal::Kind::User).then_some(principal.name.as_str());
        l.records(user, from, to).await.map(Some)
    }

    async fn last_accessed(&self, principal_arn: &str) -> Result<Option<crate::suggest::LastAccessed>, PortError> {
        let (report, calls) = super::last_accessed::report(&self.client, principal_arn, self.polling).await;
        self.calls.fetch_add(calls, Ordering::Relaxed);
        report.map(Some)
    }

    async fn permission_set(&self, set: &PermissionSet) -> Result<Option<PermissionSetInfo>, PortError> {
        self.count();
        self.sso()?.describe(set).await
    }

    async fn permission_set_boundary(&self, set: &PermissionSet) -> Result<Option<String>, PortError> {
        self.count();
        self.sso()?.boundary(set).await
    }

    async fn permission_sets(&self, region: &str) -> Result<Vec<PermissionSet>, PortError> {
        self.count();
        self.sso()?.list(region).await
    }

    async fn principal(&self, t: &Target) -> Result<Option<PrincipalInfo>, PortError> {
        self.count();
        let what = format!("get {t}");
        let r = match t.kind {
            PrincipalKind::Role => self
                .client
                .get_role()
                .role_name(&t.name)
                .send()
                .await
                .map(|o| {
                    o.role.map(|r| PrincipalInfo {
                        arn: r.arn,
                        path: r.path,
                        tags: r.tags.unwrap_or_default().into_iter().map(|t| (t.key, t.value)).collect(),
                        boundary: r.permissions_boundary.and_then(|b| b.permissions_boundary_arn),
                    })
                })
                .map_err(|e| port_error(&what, e)),
            PrincipalKind::User => self
                .client
                .get_user()
                .user_name(&t.name)
                .send()
                .await
                .map(|o| {
                    o.user.map(|u| PrincipalInfo {
                        arn: u.arn,
                        path: u.path,
                        tags: u.tags.unwrap_or_default().into_iter().map(|t| (t.key, t.value)).collect(),
                        boundary: u.permissions_boundary.and_then(|b| b.permissions_boundary_arn),
                    })
                })
                .map_err(|e| port_error(&what, e)),
            PrincipalKind::Group => self
                .client
                .get_group()
                .group_name(&t.name)
                .send()
                .await
                .map(|o| o.group.map(|g| PrincipalInfo { arn: g.arn, path: g.path, tags: vec![], boundary: None }))
                .map_err(|e| port_error(&what, e)),
        };
        match r {
            Ok(info) => Ok(info),
            Err(PortError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    async fn default_version(&self, arn: &str) -> Result<Option<String>, PortError> {
        self.count();
        match self.client.get_policy().policy_arn(arn).send().await {
            Ok(o) => Ok(o.policy.and_then(|p| p.default_version_id)),
            Err(e) => match port_error(&format!("get policy {arn}"), e) {
                PortError::NotFound(_) => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn policy_document(&self, arn: &str, version: Option<&str>) -> Result<Option<String>, PortError> {
        let version = match version {
            Some(v) => v.to_string(),
            None => {
                self.count();
                match self.client.get_policy().policy_arn(arn).send().await {
                    Ok(o) => match o.policy.and_then(|p| p.default_version_id) {
                        Some(v) => v,
                        None => return Ok(None),
                    },
                    Err(e) => {
                        return match port_error(&format!("get policy {arn}"), e) {
                            PortError::NotFound(_) => Ok(None),
                            other => Err(other),
                        }
                    }
                }
            }
        };
        self.count();
        match self.client.get_policy_version().policy_arn(arn).version_id(&version).send().await {
            Ok(o) => Ok(o.policy_version.and_then(|v| v.document).map(|d| plain(&d))),
            Err(e) => match port_error(&format!("get policy version {arn} {version}"), e) {
                PortError::NotFound(_) => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn policy_versions(&self, arn: &str) -> Result<Vec<VersionInfo>, PortError> {
        self.count();
        let o = self
            .client
            .list_policy_versions()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| port_error(&format!("list policy versions {arn}"), e))?;
        Ok(o.versions
            .unwrap_or_default()
            .into_iter()
            .map(|v| VersionInfo {
                version_id: v.version_id.unwrap_or_default(),
                is_default: v.is_default_version,
                created: v
                    .create_date
                    .and_then(|d| d.fmt(aws_sdk_iam::primitives::DateTimeFormat::DateTime).ok())
                    .unwrap_or_default(),
            })
            .collect())
    }

    async fn attached_policies(&self, t: &Target) -> Result<Vec<String>, PortError> {
        let what = format!("list attached policies of {t}");
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            self.count();
            let (page, next) = match t.kind {
                PrincipalKind::Role => {
                    let o =
                        self.client.list_attached_role_policies().role_name(&t.name).set_marker(marker).send().await;
                    let o = o.map_err(|e| port_error(&what, e))?;
                    (o.attached_policies.unwrap_or_default(), o.is_truncated.then_some(o.marker).flatten())
                }
                PrincipalKind::User => {
                    let o =
                        self.client.list_attached_user_policies().user_name(&t.name).set_marker(marker).send().await;
                    let o = o.map_err(|e| port_error(&what, e))?;
                    (o.attached_policies.unwrap_or_default(), o.is_truncated.then_some(o.marker).flatten())
                }
                PrincipalKind::Group => {
                    let o =
                        self.client.list_attached_group_policies().group_name(&t.name).set_marker(marker).send().await;
                    let o = o.map_err(|e| port_error(&what, e))?;
                    (o.attached_policies.unwrap_or_default(), o.is_truncated.then_some(o.marker).flatten())
                }
            };
            out.extend(page.into_iter().filter_map(|p| p.policy_arn));
            match next {
                Some(m) => marker = Some(m),
                None => return Ok(out),
            }
        }
    }

    async fn inline_policies(&self, t: &Target) -> Result<Vec<(String, String)>, PortError> {
        let what = format!("list inline policies of {t}");
        self.count();
        let names = match t.kind {
            PrincipalKind::Role => self
                .client
                .list_role_policies()
                .role_name(&t.name)
                .send()
                .await
                .map(|o| o.policy_names)
                .map_err(|e| port_error(&what, e)),
            PrincipalKind::User => self
                .client
                .list_user_policies()
                .user_name(&t.name)
                .send()
                .await
                .map(|o| o.policy_names)
                .map_err(|e| port_error(&what, e)),
            PrincipalKind::Group => self
                .client
                .list_group_policies()
                .group_name(&t.name)
                .send()
                .await
                .map(|o| o.policy_names)
                .map_err(|e| port_error(&what, e)),
        }?;
        let mut out = Vec::new();
        for name in names {
            self.count();
            let what = format!("get inline policy {name} of {t}");
            let doc = match t.kind {
                PrincipalKind::Role => self
                    .client
                    .get_role_policy()
                    .role_name(&t.name)
                    .policy_name(&name)
                    .send()
                    .await
                    .map(|o| o.policy_document)
                    .map_err(|e| port_error(&what, e)),
                PrincipalKind::User => self
                    .client
                    .get_user_policy()
                    .user_name(&t.name)
                    .policy_name(&name)
                    .send()
                    .await
                    .map(|o| o.policy_document)
                    .map_err(|e| port_error(&what, e)),
                PrincipalKind::Group => self
                    .client
                    .get_group_policy()
                    .group_name(&t.name)
                    .policy_name(&name)
                    .send()
                    .await
                    .map(|o| o.policy_document)
                    .map_err(|e| port_error(&what, e)),
            }?;
            out.push((name, plain(&doc)));
        }
        Ok(out)
    }

    async fn groups_for_user(&self, user: &str) -> Result<Vec<String>, PortError> {
        self.count();
        match self.client.list_groups_for_user().user_name(user).send().await {
            Ok(o) => Ok(o.groups.into_iter().map(|g| g.group_name).collect()),
            Err(e) => match port_error(&format!("list groups of user {user}"), e) {
                PortError::NotFound(_) => Ok(vec![]),
                other => Err(other),
            },
        }
    }
}

impl IamWrite for SdkIam {
    async fn fix_resource(&self, fix: &crate::resources::ResourceFix) -> Result<(), PortError> {
        let Some(r) = &self.resources else {
            return Err(PortError::Denied("no resource clients configured".into()));
        };
        self.count();
        r.fix(fix).await
    }

    async fn change_permission_set(&self, set: &PermissionSet, change: &SetChange<'_>) -> Result<(), PortError> {
        self.count();
        self.sso()?.change(set, change).await
    }

    async fn provision_permission_set(&self, set: &PermissionSet) -> Result<(), PortError> {
        self.count();
        self.sso()?.provision(set).await
    }

    async fn detach_policy(&self, t: &Target, arn: &str) -> Result<(), PortError> {
        self.count();
        let what = format!("detach {arn} from {t}");
        per_principal!(
            self.client,
            t,
            what,
            detach_role_policy,
            detach_user_policy,
            detach_group_policy,
            policy_arn(arn)
        )
    }

    async fn delete_inline_policy(&self, t: &Target, name: &str) -> Result<(), PortError> {
        self.count();
        let what = format!("delete inline policy {name} of {t}");
        per_principal!(
            self.client,
            t,
            what,
            delete_role_policy,
            delete_user_policy,
            delete_group_policy,
            policy_name(name)
        )
    }

    async fn attach_policy(&self, t: &Target, arn: &str) -> Result<(), PortError> {
        self.count();
        let what = format!("attach {arn} to {t}");
        per_principal!(
            self.client,
            t,
            what,
            attach_role_policy,
            attach_user_policy,
            attach_group_policy,
            policy_arn(arn)
        )
    }

    async fn delete_login_profile(&self, user: &str) -> Result<(), PortError> {
        self.count();
        self.client
            .delete_login_profile()
            .user_name(user)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| port_error(&format!("delete the console password of user {user}"), e))
    }

    async fn update_trust_policy(&self, role: &str, document: &str) -> Result<(), PortError> {
        self.count();
        self.client
            .update_assume_role_policy()
            .role_name(role)
            .policy_document(document)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| port_error(&format!("update the trust policy of role {role}"), e))
    }

    async fn deactivate_access_key(&self, user: &str, key: &str) -> Result<(), PortError> {
        self.count();
        self.client
            .update_access_key()
            .user_name(user)
            .access_key_id(key)
            .status(aws_sdk_iam::types::StatusType::Inactive)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| port_error(&format!("deactivate access key {key} of user {user}"), e))
    }

    async fn activate_access_key(&self, user: &str, key: &str) -> Result<(), PortError> {
        self.count();
        self.client
            .update_access_key()
            .user_name(user)
            .access_key_id(key)
            .status(aws_sdk_iam::types::StatusType::Active)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| port_error(&format!("activate access key {key} of user {user}"), e))
    }

    async fn put_inline_policy(&self, t: &Target, name: &str, document: &str) -> Result<(), PortError> {
        self.count();
        let what = format!("put inline policy {name} on {t}");
        per_principal!(
            self.client,
            t,
            what,
            put_role_policy,
            put_user_policy,
            put_group_policy,
            policy_name(name),
            policy_document(document)
        )
    }

    async fn put_boundary(&self, t: &Target, arn: &str) -> Result<(), PortError> {
        self.count();
        let what = format!("put permissions boundary {arn} on {t}");
        let c = &self.client;
        match t.kind {
            PrincipalKind::Role => c
                .put_role_permissions_boundary()
                .role_name(&t.name)
                .permissions_boundary(arn)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_error(&what, e)),
            PrincipalKind::User => c
                .put_user_permissions_boundary()
                .user_name(&t.name)
                .permissions_boundary(arn)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_error(&what, e)),
            PrincipalKind::Group => Err(PortError::Denied(format!("{what}: groups have no permissions boundary"))),
        }
    }

    async fn delete_boundary(&self, t: &Target) -> Result<(), PortError> {
        self.count();
        let what = format!("remove the permissions boundary of {t}");
        let c = &self.client;
        match t.kind {
            PrincipalKind::Role => c
                .delete_role_permissions_boundary()
                .role_name(&t.name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_error(&what, e)),
            PrincipalKind::User => c
                .delete_user_permissions_boundary()
                .user_name(&t.name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_error(&what, e)),
            PrincipalKind::Group => Err(PortError::NotFound(format!("{what}: groups have no permissions boundary"))),
        }
    }

    async fn set_default_version(&self, arn: &str, version: &str) -> Result<(), PortError> {
        self.count();
        self.client
            .set_default_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| port_error(&format!("set default version of {arn} to {version}"), e))
    }
}

impl crate::guard::ports::IamInventory for SdkIam {
    async fn compute(&self) -> Result<Vec<crate::resources::Compute>, PortError> {
        match &self.resources {
            Some(r) if !self.resource_regions.is_empty() => r.compute(&self.resource_regions).await,
            _ => Ok(Vec::new()),
        }
    }

    async fn resource_policies(&self) -> Result<Vec<crate::resources::ResourcePolicy>, PortError> {
        match &self.resources {
            Some(r) if !self.resource_regions.is_empty() => r.policies(&self.resource_regions).await,
            _ => Ok(Vec::new()),
        }
    }

    async fn account_facts(&self, facts: &mut crate::posture::Facts) -> Result<(), PortError> {
        let calls = super::posture::read(&self.client, facts).await?;
        self.calls.fetch_add(calls, Ordering::Relaxed);
        Ok(())
    }

    /// GetAccountAuthorizationDetails, paginated: roles, users, groups with their attached and
    /// inline policies, trust policies and tags, and customer managed policies' default
    /// versions — the whole account in a few calls (AWS managed policies come from the embedded
    /// data, so they are not requested).
    async fn inventory(&self) -> Result<crate::inventory::Inventory, PortError> {
        use aws_sdk_iam::types::EntityType;
        let mut inv = crate::inventory::Inventory::default();
        let mut marker: Option<String> = None;
        loop {
            self.count();
            let page = self
                .client
                .get_account_authorization_details()
                .filter(EntityType::Role)
                .filter(EntityType::User)
                .filter(EntityType::Group)
                .filter(EntityType::LocalManagedPolicy)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| port_error("get account authorization details", e))?;
            inv.principals.extend(page.role_detail_list.unwrap_or_default().into_iter().map(super::authdetails::role));
            inv.principals.extend(page.user_detail_list.unwrap_or_default().into_iter().map(super::authdetails::user));
            inv.principals
                .extend(page.group_detail_list.unwrap_or_default().into_iter().map(super::authdetails::group));
            inv.policies.extend(page.policies.unwrap_or_default().into_iter().map(super::authdetails::local_policy));
            match (page.is_truncated, page.marker) {
                (true, Some(m)) => marker = Some(m),
                _ => return Ok(inv),
            }
        }
    }
}
