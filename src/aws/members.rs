//! [`MemberAccounts`] on STS: IAM in a member account through its `iam-guard-member` role
//! (`sts:AssumeRole`), one adapter per account, kept for the life of the Lambda container. The
//! credentials provider caches the session and refreshes it before it expires, so a warm
//! container makes one AssumeRole per account and hour, not one per event; the session is named
//! after the event that first needed the account (`iam-guard-EVENTID`), so CloudTrail in the
//! member account ties the guard's calls to the change it answered.

use super::SdkIam;
use crate::guard::ports::{MemberAccounts, OrgAccount, PortError};
use aws_config::sts::AssumeRoleProvider;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The organization's member accounts, reached through one role name.
pub struct SdkMembers {
    base: aws_config::SdkConfig,
    role_name: String,
    accounts: Mutex<HashMap<String, Arc<SdkIam>>>,
    /// Each account's organizational units, looked up once per warm container.
    ous: Mutex<HashMap<String, Vec<String>>>,
    /// Accounts asked about: the organization's or not.
    members: Mutex<HashMap<String, bool>>,
    /// Organizations, with the guard's own credentials.
    pub(super) org: aws_sdk_organizations::Client,
    /// The (organization) trail, read with the guard's own credentials for every account.
    trail: Option<Arc<super::SdkTrail>>,
    /// Without a trail: each member's own event history (regions, pages), with its credentials.
    lookup: Option<(Vec<String>, usize)>,
    /// The regions whose resource policies a sweep reads in each member account.
    resource_regions: Vec<String>,
    /// Each SCP's document by policy id, and the management account's id (`scps.rs`).
    pub(super) scp_documents: Mutex<HashMap<String, String>>,
    pub(super) management: Mutex<Option<String>>,
    /// Each account's SCP levels as last read, and when: reused for [`SCP_TTL`] (events of one
    /// account come in bursts; Organizations' API is rate-limited).
    scp_levels: Mutex<HashMap<String, (std::time::Instant, Vec<crate::inventory::ScpLevel>)>>,
}

/// How long an account's SCP levels are reused before they are read again.
const SCP_TTL: std::time::Duration = std::time::Duration::from_secs(300);

impl SdkMembers {
    /// Assumes `role_name` in each member account with the guard's own credentials (`base`).
    pub fn new(base: &aws_config::SdkConfig, role_name: &str) -> SdkMembers {
        SdkMembers {
            base: base.clone(),
            role_name: role_name.to_string(),
            accounts: Mutex::new(HashMap::new()),
            ous: Mutex::new(HashMap::new()),
            members: Mutex::new(HashMap::new()),
            org: aws_sdk_organizations::Client::new(base),
            trail: None,
            lookup: None,
            resource_regions: Vec::new(),
            scp_documents: Mutex::new(HashMap::new()),
            management: Mutex::new(None),
            scp_levels: Mutex::new(HashMap::new()),
        }
    }

    /// Member accounts learn least privilege from this trail too (an organization trail holds
    /// every account's records; the guard reads it with its own credentials).
    pub fn with_trail(self, trail: Option<Arc<super::SdkTrail>>) -> SdkMembers {
        SdkMembers { trail, ..self }
    }

    /// Without a trail, member accounts learn least privilege from their own event history
    /// (LookupEvents through the member role) in these regions, at most `max_pages` per region.
    pub fn with_lookup(self, regions: Vec<String>, max_pages: usize) -> SdkMembers {
        SdkMembers { lookup: Some((regions, max_pages)), ..self }
    }

    /// Sweeps read the resource policies of these regions in member accounts too.
    pub fn with_resource_regions(self, regions: Vec<String>) -> SdkMembers {
        SdkMembers { resource_regions: regions, ..self }
    }

    /// How many accounts have an adapter (tests: one per account, not per event).
    pub fn accounts(&self) -> usize {
        self.accounts.lock().map(|a| a.len()).unwrap_or_default()
    }
}

/// A session name IAM accepts: `[\w+=,.@-]`, at most 64 characters.
fn session_name(event_id: &str) -> String {
    let clean: String =
        event_id.chars().map(|c| if c.is_ascii_alphanumeric() || "+=,.@-_".contains(c) { c } else { '-' }).collect();
    format!("iam-guard-{clean}").chars().take(64).collect()
}

impl MemberAccounts<SdkIam> for SdkMembers {
    /// DescribeOrganization and ListAccounts (paginated, ACTIVE accounts only), with the guard's
    /// own credentials (the management account or a delegated administrator).
    async fn organization(&self) -> Result<Option<(String, Vec<OrgAccount>)>, PortError> {
        use aws_sdk_organizations::error::ProvideErrorMetadata;
        let client = &self.org;
        let fail = |what: &str, e: &dyn ProvideErrorMetadata| {
            PortError::Failed(format!(
                "{what}: {} (run it in the management account or a delegated administrator)",
                e.message().or(e.code()).unwrap_or("failed")
            ))
        };
        let org = client.describe_organization().send().await.map_err(|e| fail("describe the organization", &e))?;
        let org = org.organization.ok_or_else(|| PortError::Failed("no organization in the answer".into()))?;
        let mut accounts = Vec::new();
        let mut pages = client.list_accounts().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| fail("list the organization's accounts", &e))?;
            for a in page.accounts.unwrap_or_default() {
                let active = a.status.as_ref().is_none_or(|s| s.as_str() == "ACTIVE");
                if let (true, Some(id)) = (active, a.id) {
                    accounts.push(OrgAccount { id, name: a.name.unwrap_or_default(), ous: Vec::new() });
                }
            }
        }
        Ok(Some((org.id.unwrap_or_default(), accounts)))
    }

    /// Organizations DescribeAccount (AccountNotFoundException: not the organization's).
    async fn in_organization(&self, account_id: &str) -> Result<bool, PortError> {
        if let Some(known) = self.members.lock().ok().and_then(|m| m.get(account_id).copied()) {
            return Ok(known);
        }
        let client = &self.org;
        let member = match client.describe_account().account_id(account_id).send().await {
            Ok(out) => out.account.is_some(),
            Err(e) => {
                use aws_sdk_organizations::error::ProvideErrorMetadata;
                if e.code() != Some("AccountNotFoundException") {
                    return Err(PortError::Failed(format!(
                        "is {account_id} the organization's: {} (the hub needs organizations:DescribeAccount)",
                        e.message().or(e.code()).unwrap_or("DescribeAccount failed")
                    )));
                }
                false
            }
        };
        if let Ok(mut m) = self.members.lock() {
            m.insert(account_id.to_string(), member);
        }
        Ok(member)
    }

    /// Organizations ListParents from the account up to the root, with the guard's own
    /// credentials (the hub runs in the management account or a delegated administrator).
    async fn ous(&self, account_id: &str) -> Result<Vec<String>, PortError> {
        if let Some(ous) = self.ous.lock().ok().and_then(|o| o.get(account_id).cloned()) {
            return Ok(ous);
        }
        use aws_sdk_organizations::types::ParentType;
        let client = &self.org;
        let mut ous = Vec::new();
        let mut child = account_id.to_string();
        // An organization nests OUs at most five deep under its root.
        for _ in 0..8 {
            let out = client.list_parents().child_id(&child).send().await.map_err(|e| {
                use aws_sdk_organizations::error::ProvideErrorMetadata;
                PortError::Failed(format!(
                    "organizational units of account {account_id}: {} (the hub needs organizations:ListParents)",
                    e.message().or(e.code()).unwrap_or("ListParents failed")
                ))
            })?;
            let Some(parent) = out.parents.unwrap_or_default().into_iter().next() else { break };
            let Some(id) = parent.id else { break };
            ous.push(id.clone());
            if parent.r#type != Some(ParentType::OrganizationalUnit) {
                break;
            }
            child = id;
        }
        if let Ok(mut o) = self.ous.lock() {
            o.insert(account_id.to_string(), ous.clone());
        }
        Ok(ous)
    }

    async fn scps(&self, account_id: &str) -> Result<Vec<crate::inventory::ScpLevel>, PortError> {
        let cached = self.scp_levels.lock().ok().and_then(|m| m.get(account_id).cloned());
        if let Some((_, levels)) = cached.filter(|(at, _)| at.elapsed() < SCP_TTL) {
            return Ok(levels);
        }
        let levels = self.read_scps(account_id).await?;
        if let Ok(mut m) = self.scp_levels.lock() {
            m.insert(account_id.to_string(), (std::time::Instant::now(), levels.clone()));
        }
        Ok(levels)
    }

    async fn iam(&self, account_id: &str, event_id: &str) -> Result<Option<Arc<SdkIam>>, PortError> {
        if !(account_id.len() == 12 && account_id.bytes().all(|b| b.is_ascii_digit())) {
            return Err(PortError::Failed(format!("event names account {account_id:?}, which is not an account id")));
        }
        if let Some(iam) = self.accounts.lock().ok().and_then(|a| a.get(account_id).cloned()) {
            return Ok(Some(iam));
        }
        let partition = "aws";
        let role_arn = format!("arn:{partition}:iam::{account_id}:role/{}", self.role_name);
        let provider = AssumeRoleProvider::builder(&role_arn)
            .session_name(session_name(event_id))
            .configure(&self.base)
            .build()
            .await;
        // Fail here, naming the role, rather than on the first IAM call with a vaguer error.
        use aws_credential_types::provider::ProvideCredentials;
        provider.provide_credentials().await.map_err(|e| {
            PortError::Failed(format!(
                "cannot assume {role_arn} (is the spoke stack deployed in account {account_id}?): {e}"
            ))
        })?;
        let config = self
            .base
            .to_builder()
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(provider))
            .build();
        let mut iam = SdkIam::new(&config).with_resource_regions(self.resource_regions.clone());
        if let Some(t) = &self.trail {
            iam = iam.with_trail(t.clone());
        }
        if let Some((regions, pages)) = &self.lookup {
            iam = iam.with_lookup(Arc::new(super::SdkLookup::new(&config, regions, *pages)));
        }
        let iam = Arc::new(iam);
        if let Ok(mut a) = self.accounts.lock() {
            a.insert(account_id.to_string(), iam.clone());
        }
        Ok(Some(iam))
    }
}
