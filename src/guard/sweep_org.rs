//! The organization sweep: every account of the organization, the guard's own with its own
//! adapter, the others through their member role, a few at a time, into one report.

use super::ports::{IamInventory, IamRead, IamWrite, MemberAccounts, OrgAccount, PortError};
use super::sweep::{AccountSummary, SweepReport};
use crate::severity::Severity;
use futures_util::stream::{self, StreamExt};

impl super::Guards {
    /// Sweeps every account of an organization: the guard's own (`home`) with its own adapter,
    /// the others through their member role, `concurrency` accounts at a time. An account that
    /// cannot be reached or read is reported and the others continue. One report for the
    /// organization: every finding and action carries its account id; `accounts` has the counts.
    /// Each account is swept by its own guard (`[[accounts]]` entries matching its id or its
    /// organizational units): enforce in production, alert elsewhere.
    pub async fn sweep_organization<I, M>(
        &self,
        organization: &str,
        home: (&str, &I),
        members: &M,
        accounts: Vec<OrgAccount>,
        concurrency: usize,
    ) -> SweepReport
    where
        I: IamInventory + IamRead + IamWrite,
        M: MemberAccounts<I>,
    {
        // A trust admitting another account of the organization is not a foreign trust.
        self.know_accounts(accounts.iter().map(|a| a.id.as_str()));
        let needs_ous = self.needs_ous();
        let results: Vec<(String, String, Result<SweepReport, PortError>)> = stream::iter(accounts)
            .map(|OrgAccount { id, name, mut ous }| async move {
                let result = async {
                    // Without its OUs the account's guard (mode!) is unknown: not swept.
                    if needs_ous && ous.is_empty() {
                        ous = members.ous(&id).await?;
                    }
                    let guard = self.for_account_in(&id, &ous);
                    let id = id.as_str();
                    // The SCPs that limit the account's principals (none for the management account).
                    let scps = members.scps(id).await?;
                    if id == home.0 {
                        return guard.sweep_with(home.1, Some(id), 2, (true, &scps)).await;
                    }
                    let iam = members.iam(id, &format!("sweep-{id}")).await?.ok_or_else(|| {
                        PortError::Failed("no member accounts configured (iam-guard-member role name)".into())
                    })?;
                    guard.sweep_with(&*iam, Some(id), 2, (false, &scps)).await
                }
                .await;
                (id, name, result)
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        let mut org = SweepReport {
            account_id: organization.to_string(),
            mode: self.default_guard().engine().config().mode,
            principals: 0,
            policies_judged: 0,
            resource_policies: 0,
            findings: Vec::new(),
            actions: Vec::new(),
            iam_calls: None,
            snapshots: Vec::new(),
            accounts: Vec::new(),
            suggestions: Vec::new(),
            controls: Vec::new(),
            holdings: Vec::new(),
            policy_views: Vec::new(),
        };
        for (account_id, name, result) in results {
            match result {
                Ok(r) => {
                    let counts = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info]
                        .into_iter()
                        .map(|s| (s, r.count(s)))
                        .filter(|(_, n)| *n > 0)
                        .collect();
                    org.accounts.push(AccountSummary {
                        account_id,
                        name,
                        principals: r.principals,
                        counts,
                        error: None,
                    });
                    org.principals += r.principals;
                    org.policies_judged += r.policies_judged;
                    org.resource_policies += r.resource_policies;
                    org.findings.extend(r.findings);
                    crate::posture::merge_controls(&mut org.controls, r.controls);
                    org.actions.extend(r.actions);
                    org.snapshots.extend(r.snapshots);
                    org.holdings.extend(r.holdings);
                    org.policy_views.extend(r.policy_views);
                }
                Err(e) => org.accounts.push(AccountSummary {
                    account_id,
                    name,
                    principals: 0,
                    counts: vec![],
                    error: Some(e.to_string()),
                }),
            }
        }
        org.accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        org.findings.sort_by(|a, b| {
            b.finding
                .severity
                .cmp(&a.finding.severity)
                .then_with(|| (&a.account_id, &a.principal).cmp(&(&b.account_id, &b.principal)))
        });
        org.actions.sort_by_key(|a| (a.account_id.clone(), a.remediation.describe()));
        org
    }
}
