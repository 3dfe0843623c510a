//! The permission-set half of the IAM ports on `aws-sdk-ssoadmin` (IAM Identity Center).
//!
//! Identity Center answers in its instance's home region, which is where its events are recorded:
//! each call is sent to the region the change names (`PermissionSet::region`), whatever region
//! the function runs in.

use super::port_error;
use crate::guard::ports::{PermissionSetInfo, PortError, SetChange};
use crate::intake::PermissionSet;
use aws_sdk_ssoadmin::config::Region;
use aws_sdk_ssoadmin::types::ProvisionTargetType;
use aws_sdk_ssoadmin::Client;

/// IAM Identity Center's admin API.
#[derive(Clone, Debug)]
pub struct SdkSso {
    client: Client,
}

/// Sends one operation to the permission set's region.
macro_rules! in_region {
    ($builder:expr, $set:expr) => {
        $builder
            .instance_arn(&$set.instance_arn)
            .permission_set_arn(&$set.arn)
            .customize()
            .config_override(aws_sdk_ssoadmin::config::Builder::default().region(Region::new($set.region.clone())))
    };
}

impl SdkSso {
    /// A client from shared SDK configuration.
    pub fn new(config: &aws_config::SdkConfig) -> SdkSso {
        SdkSso { client: Client::new(config) }
    }

    /// The permission set's name and policies; `None` when it does not exist.
    pub(crate) async fn describe(&self, set: &PermissionSet) -> Result<Option<PermissionSetInfo>, PortError> {
        let what = format!("describe {set}");
        let name = match in_region!(self.client.describe_permission_set(), set).send().await {
            Ok(o) => o.permission_set.and_then(|p| p.name).unwrap_or_default(),
            Err(e) => {
                return match port_error(&what, e) {
                    PortError::NotFound(_) => Ok(None),
                    other => Err(other),
                }
            }
        };
        let mut info = PermissionSetInfo { name, ..Default::default() };
        let mut next = None;
        loop {
            let o = in_region!(self.client.list_managed_policies_in_permission_set().set_next_token(next.take()), set)
                .send()
                .await
                .map_err(|e| port_error(&format!("list managed policies of {set}"), e))?;
            info.managed.extend(o.attached_managed_policies.unwrap_or_default().into_iter().filter_map(|p| p.arn));
            match o.next_token {
                Some(t) if !t.is_empty() => next = Some(t),
                _ => break,
            }
        }
        let inline = in_region!(self.client.get_inline_policy_for_permission_set(), set)
            .send()
            .await
            .map_err(|e| port_error(&format!("get the inline policy of {set}"), e))?;
        info.inline = inline.inline_policy.filter(|p| !p.trim().is_empty());
        loop {
            let o = in_region!(
                self.client.list_customer_managed_policy_references_in_permission_set().set_next_token(next.take()),
                set
            )
            .send()
            .await
            .map_err(|e| port_error(&format!("list customer managed policy references of {set}"), e))?;
            info.customer.extend(
                o.customer_managed_policy_references
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| format!("{}{}", r.path.unwrap_or_else(|| "/".into()), r.name)),
            );
            match o.next_token {
                Some(t) if !t.is_empty() => next = Some(t),
                _ => break,
            }
        }
        // Unreadable (an emulator without the call, a missing permission): judged unbounded,
        // so nothing is missed.
        info.boundary = self.boundary(set).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "permission set boundary unreadable: judged unbounded");
            None
        });
        Ok(Some(info))
    }

    /// The permission set's permissions boundary: an AWS managed policy ARN, or `path` + `name`
    /// of a customer managed policy reference; `None` without one.
    pub(crate) async fn boundary(&self, set: &PermissionSet) -> Result<Option<String>, PortError> {
        let out = match in_region!(self.client.get_permissions_boundary_for_permission_set(), set).send().await {
            Ok(o) => o,
            Err(e) => {
                return match port_error(&format!("get the permissions boundary of {set}"), e) {
                    PortError::NotFound(_) => Ok(None),
                    other => Err(other),
                }
            }
        };
        let Some(b) = out.permissions_boundary else { return Ok(None) };
        Ok(b.managed_policy_arn.or_else(|| {
            b.customer_managed_policy_reference.map(|r| format!("{}{}", r.path.unwrap_or_else(|| "/".into()), r.name))
        }))
    }

    /// Every permission set of the instances in `region` (ListInstances, ListPermissionSets).
    pub(crate) async fn list(&self, region: &str) -> Result<Vec<PermissionSet>, PortError> {
        let over = || aws_sdk_ssoadmin::config::Builder::default().region(Region::new(region.to_string()));
        let instances = self
            .client
            .list_instances()
            .customize()
            .config_override(over())
            .send()
            .await
            .map_err(|e| port_error(&format!("list Identity Center instances in {region}"), e))?;
        let mut out = Vec::new();
        for instance_arn in instances.instances.unwrap_or_default().into_iter().filter_map(|i| i.instance_arn) {
            let mut next = None;
            loop {
                let page = self
                    .client
                    .list_permission_sets()
                    .instance_arn(&instance_arn)
                    .set_next_token(next.take())
                    .customize()
                    .config_override(over())
                    .send()
                    .await
                    .map_err(|e| port_error(&format!("list the permission sets of {instance_arn}"), e))?;
                out.extend(page.permission_sets.unwrap_or_default().into_iter().map(|arn| PermissionSet {
                    instance_arn: instance_arn.clone(),
                    arn,
                    region: region.to_string(),
                }));
                match page.next_token {
                    Some(t) if !t.is_empty() => next = Some(t),
                    _ => break,
                }
            }
        }
        Ok(out)
    }

    /// Changes the permission set's policies.
    pub(crate) async fn change(&self, set: &PermissionSet, change: &SetChange<'_>) -> Result<(), PortError> {
        let what = format!("{change:?} on {set}");
        let r = match change {
            SetChange::DetachManaged(arn) => {
                in_region!(self.client.detach_managed_policy_from_permission_set().managed_policy_arn(*arn), set)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| port_error(&what, e))
            }
            SetChange::AttachManaged(arn) => {
                in_region!(self.client.attach_managed_policy_to_permission_set().managed_policy_arn(*arn), set)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| port_error(&what, e))
            }
            SetChange::DeleteInline => in_region!(self.client.delete_inline_policy_from_permission_set(), set)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| port_error(&what, e)),
            SetChange::PutInline(doc) => {
                in_region!(self.client.put_inline_policy_to_permission_set().inline_policy(*doc), set)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| port_error(&what, e))
            }
        };
        r
    }

    /// Provisions the permission set to every account it is provisioned to.
    pub(crate) async fn provision(&self, set: &PermissionSet) -> Result<(), PortError> {
        in_region!(self.client.provision_permission_set().target_type(ProvisionTargetType::AllProvisionedAccounts), set)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| port_error(&format!("provision {set}"), e))
    }
}
