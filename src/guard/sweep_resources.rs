//! The sweep over resource policies: each policy the inventory holds (read live per region, or
//! from a saved file) judged as the event path judges a change to it, and the same decision —
//! hands-off (the exempt tag, exemptions, the guard's own), the mode, the threshold — on taking
//! back its offending statements (by id for function, layer and bus permissions), its share, or
//! nothing.

use super::decide;
use super::judge::Proposal;
use super::sweep::{skipped_by, SweepAction, SweepFinding};
use super::{Guard, JudgedPolicy, Remediation};
use crate::inventory::Inventory;
use crate::policy::PolicyDocument;
use crate::resources::{ResourceFix, ResourceKind, ResourcePolicy};

impl Guard {
    /// Every resource policy of the inventory judged: its findings, and what enforce mode does.
    pub(super) fn audit_resources(&self, inv: &Inventory, account_id: &str) -> (Vec<SweepFinding>, Vec<SweepAction>) {
        let mut findings = Vec::new();
        let mut actions = Vec::new();
        for rp in &inv.resources {
            let Ok(doc) = PolicyDocument::parse(&rp.policy) else { continue };
            let r = &rp.resource;
            let label = format!("{} of {r}", r.kind.info().policy);
            let judged = self.judge_resource_policy(account_id, label, r, &doc);
            findings.extend(judged.findings.iter().map(|f| SweepFinding {
                control: None,
                account_id: account_id.to_string(),
                principal: r.to_string(),
                principal_arn: r.arn.clone(),
                policy: judged.label.clone(),
                policy_arn: None,
                finding: f.clone(),
            }));
            for fix in self.sweep_fixes(&judged, rp) {
                let facts = decide::Facts { hands_off: self.resource_hands_off_for(r, &rp.tags), ..Default::default() };
                let proposal = Proposal::Remediate(Remediation::Resource(fix));
                let plan = decide::decide_on(
                    (std::slice::from_ref(&judged), &proposal, false),
                    &facts,
                    self.engine().config(),
                );
                let Some(skipped) = skipped_by(plan) else { continue };
                let Proposal::Remediate(remediation) = proposal else { continue };
                actions.push(SweepAction { account_id: account_id.to_string(), remediation, skipped, executed: None });
            }
        }
        (findings, actions)
    }

    /// What takes the offending statements of a swept policy back: the rest of the policy put
    /// (or it deleted), each permission removed by its id, or the share withdrawn.
    fn sweep_fixes(&self, judged: &JudgedPolicy, rp: &ResourcePolicy) -> Vec<ResourceFix> {
        if !self.remediable(judged) {
            return Vec::new();
        }
        let offending = self.offending_statements(judged);
        let resource = rp.resource.clone();
        match resource.kind {
            ResourceKind::LambdaFunction | ResourceKind::LambdaLayer | ResourceKind::EventBus => {
                let v: serde_json::Value = serde_json::from_str(&rp.policy).unwrap_or_default();
                let statements = v["Statement"].as_array().cloned().unwrap_or_default();
                let mut ids: Vec<(String, String)> = offending
                    .iter()
                    .filter_map(|&i| statements.get(i))
                    .filter_map(|s| Some((s["Sid"].as_str()?.to_string(), s.to_string())))
                    .collect();
                ids.dedup();
                ids.into_iter()
                    .map(|(id, statement)| ResourceFix::RemoveStatement { resource: resource.clone(), id, statement })
                    .collect()
            }
            ResourceKind::Ec2Image
            | ResourceKind::Ec2Snapshot
            | ResourceKind::RdsSnapshot
            | ResourceKind::RdsClusterSnapshot => {
                let accounts = super::judge_resources::flagged_accounts(judged);
                vec![ResourceFix::Unshare { resource, accounts }]
            }
            _ => vec![super::judge_resources::narrowed(&resource, &rp.policy, &offending)],
        }
    }
}
