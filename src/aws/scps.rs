//! The service control policies that limit a member account's principals, read with the guard's
//! own credentials (the hub runs in the management account or a delegated administrator):
//! ListParents up to the root, ListPoliciesForTarget per level, DescribePolicy once per SCP for
//! the life of the container. The management account gets none: SCPs do not limit it.

use super::SdkMembers;
use crate::guard::ports::{MemberAccounts, PortError, ScpLevel};
use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::types::PolicyType;

fn failed(what: &str, action: &str, e: &dyn ProvideErrorMetadata) -> PortError {
    PortError::Failed(format!(
        "{what}: {} (the hub needs organizations:{action})",
        e.message().or(e.code()).unwrap_or("failed")
    ))
}

impl SdkMembers {
    /// [`MemberAccounts::scps`]: root first, the account last.
    pub(super) async fn read_scps(&self, account_id: &str) -> Result<Vec<ScpLevel>, PortError> {
        if self.management_account().await?.as_deref() == Some(account_id) {
            return Ok(Vec::new());
        }
        let mut targets = self.ous(account_id).await?;
        targets.reverse();
        targets.push(account_id.to_string());
        let mut levels = Vec::with_capacity(targets.len());
        for target in targets {
            let policies = self.scps_of(&target).await?;
            levels.push(ScpLevel { target, policies });
        }
        Ok(levels)
    }

    /// The management account's id (DescribeOrganization, once).
    async fn management_account(&self) -> Result<Option<String>, PortError> {
        if let Some(id) = self.management.lock().ok().and_then(|m| m.clone()) {
            return Ok(Some(id));
        }
        let org = self
            .org
            .describe_organization()
            .send()
            .await
            .map_err(|e| failed("describe the organization", "DescribeOrganization", &e))?;
        let id = org.organization.and_then(|o| o.master_account_id);
        if let (Some(id), Ok(mut m)) = (&id, self.management.lock()) {
            *m = Some(id.clone());
        }
        Ok(id)
    }

    /// The SCPs attached to one target, as (name, document).
    async fn scps_of(&self, target: &str) -> Result<Vec<(String, String)>, PortError> {
        let what = format!("the SCPs of {target}");
        let mut out = Vec::new();
        let mut pages = self
            .org
            .list_policies_for_target()
            .target_id(target)
            .filter(PolicyType::ServiceControlPolicy)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| failed(&what, "ListPoliciesForTarget", &e))?;
            for p in page.policies.unwrap_or_default() {
                let (Some(id), name) = (p.id, p.name.unwrap_or_default()) else { continue };
                out.push((name, self.scp_document(&id).await?));
            }
        }
        Ok(out)
    }

    /// One SCP's document (DescribePolicy, once per container).
    async fn scp_document(&self, id: &str) -> Result<String, PortError> {
        if let Some(d) = self.scp_documents.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(d);
        }
        let out = self
            .org
            .describe_policy()
            .policy_id(id)
            .send()
            .await
            .map_err(|e| failed(&format!("the SCP {id}"), "DescribePolicy", &e))?;
        let content = out.policy.and_then(|p| p.content).unwrap_or_default();
        if let Ok(mut m) = self.scp_documents.lock() {
            m.insert(id.to_string(), content.clone());
        }
        Ok(content)
    }
}
