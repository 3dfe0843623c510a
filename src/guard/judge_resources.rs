//! Judging a change to a resource's access: its policy (or the statement, share, grant or
//! setting written, as a policy) is judged as a resource policy, and the remediation takes back
//! exactly what the offending statements gave — the rest of the policy stays.

use super::judge::{Judgement, Proposal};
use super::ports::{IamRead, PortError};
use super::{Guard, JudgedPolicy, Reason, Remediation};
use crate::intake::{Change, PolicyText};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::resources::{Resource, ResourceFix, ResourceKind, Written};
use crate::rules::{Finding, PolicyContext, RuleAction, RuleId, Severity};

impl Guard {
    /// Judges a ResourceAccess change.
    pub(super) fn judge_resource(
        &self,
        change: &Change,
        (resource, written, document): (&Resource, &Written, Option<&PolicyText>),
    ) -> Judgement {
        let label = format!("{} of {resource}", resource.kind.info().policy);
        let mut judged = match document {
            Some(doc) => self.judge_resource_policy(&change.account_id, label, resource, &doc.document),
            None => JudgedPolicy {
                label,
                policy_arn: None,
                kind: PolicyKind::Resource,
                findings: vec![],
                document: None,
                unknown: false,
            },
        };
        if let (Written::Setting { what, opens: false }, None) = (written, document) {
            judged.findings.extend(self.lowered_guardrail(what));
        }
        judged.document = document.map(|d| d.text.clone());
        let proposal = match document {
            Some(doc) => self.propose_resource_fix(&judged, resource, written, doc),
            None => Proposal::Nothing,
        };
        Judgement::new(vec![judged], vec![], proposal)
    }

    /// Why the guard must not change a resource, if it must not: the guard's own (named
    /// `iam-guard…`), an exemption glob matching its ARN, or the exempt tag (read from the
    /// resource when `read`: enforce mode).
    pub(super) async fn resource_hands_off<R: IamRead>(
        &self,
        iam: &R,
        resource: &Resource,
        read: bool,
    ) -> Result<Option<super::HandsOff>, PortError> {
        if let Some(why) = self.resource_hands_off_for(resource, &[]) {
            return Ok(Some(why));
        }
        if !read {
            return Ok(None);
        }
        let tags = iam.resource_tags(resource).await?;
        Ok(self.resource_hands_off_for(resource, &tags))
    }

    /// One resource policy judged for the account it lives in (the organization's accounts known).
    pub(crate) fn judge_resource_policy(
        &self,
        account_id: &str,
        label: String,
        resource: &Resource,
        doc: &PolicyDocument,
    ) -> JudgedPolicy {
        let ctx = PolicyContext {
            kind: Some(PolicyKind::Resource),
            account_id: Some(account_id.to_string()),
            also_known: self.org_known.read().map(|k| k.iter().cloned().collect()).unwrap_or_default(),
            resource: Some(resource.clone()),
            ..Default::default()
        };
        self.judge_in(&ctx, label, doc)
    }

    /// S3 Block Public Access lowered: a `resource-public` finding at medium (nothing is public by
    /// this alone, but what the bucket's policy and ACLs say now takes effect).
    fn lowered_guardrail(&self, what: &str) -> Option<Finding> {
        let base = self.engine.severity(RuleId::ResourcePublic)?;
        (self.engine.action(RuleId::ResourcePublic) != RuleAction::Ignore).then(|| Finding {
            bounded_by: None,
            rule: RuleId::ResourcePublic,
            paths: vec![],
            severity: base.min(Severity::Medium),
            message: what.to_string(),
            evidence: vec![],
            hint: "Keep Block Public Access on (account-wide: s3control put-public-access-block); share through \
                   named principals or access points instead."
                .into(),
        })
    }

    /// What takes the offending access back, when a finding calls for it.
    fn propose_resource_fix(
        &self,
        j: &JudgedPolicy,
        resource: &Resource,
        written: &Written,
        doc: &PolicyText,
    ) -> Proposal {
        if !self.remediable(j) {
            return Proposal::Nothing;
        }
        let offending = self.offending_statements(j);
        let fix = match written {
            Written::Policy => narrowed(resource, &doc.text, &offending),
            Written::Statement { id } => {
                let statement = statement_text(&doc.text, 0);
                ResourceFix::RemoveStatement { resource: resource.clone(), id: id.clone(), statement }
            }
            Written::Shared { accounts } => {
                let flagged = flagged_accounts(j);
                let accounts: Vec<String> = accounts
                    .iter()
                    .filter(|a| flagged.iter().any(|f| f == *a || a.eq_ignore_ascii_case("all")))
                    .cloned()
                    .collect();
                ResourceFix::Unshare { resource: resource.clone(), accounts }
            }
            Written::Grant { grant_id: Some(id), grantee } => ResourceFix::RevokeGrant {
                resource: resource.clone(),
                grant_id: id.clone(),
                grantee: grantee.clone(),
                operations: doc
                    .document
                    .statements
                    .iter()
                    .flat_map(|s| s.action_patterns())
                    .map(|a| a.trim_start_matches("kms:").to_string())
                    .collect(),
            },
            Written::Grant { grant_id: None, .. } => return Proposal::AlertOnly(Reason::NoGrantId),
            Written::Setting { .. } => return Proposal::AlertOnly(Reason::ResourceSetting),
        };
        Proposal::Remediate(Remediation::Resource(fix))
    }

    /// The statements whose findings call for remediation.
    pub(super) fn offending_statements(&self, j: &JudgedPolicy) -> Vec<usize> {
        let mut out: Vec<usize> = j
            .findings
            .iter()
            .filter(|f| matches!(self.engine.action(f.rule), RuleAction::Remediate | RuleAction::Replace))
            .flat_map(|f| f.evidence.iter().filter_map(|e| e.statement))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The policy put again without the `offending` statements (or deleted), the text as it was kept
/// for the inverse.
pub(super) fn narrowed(resource: &Resource, text: &str, offending: &[usize]) -> ResourceFix {
    let (policy, removed) = without_statements(text, offending, resource);
    ResourceFix::SetPolicy { resource: resource.clone(), policy, previous: Some(text.to_string()), removed }
}

/// The accounts findings name (`444455556666`, `arn:aws:iam::444455556666:root`), and `*` as
/// `all`.
pub(super) fn flagged_accounts(j: &JudgedPolicy) -> Vec<String> {
    j.findings
        .iter()
        .flat_map(|f| f.evidence.iter().flat_map(|e| e.principals.iter()))
        .map(|p| match crate::arn::account(p) {
            Some(a) => a.to_string(),
            None => "all".to_string(),
        })
        .collect()
}

/// Statement `i` of a document, as JSON text.
fn statement_text(doc: &str, i: usize) -> String {
    let v: serde_json::Value = serde_json::from_str(doc).unwrap_or_default();
    let statements = match &v["Statement"] {
        serde_json::Value::Array(a) => a.get(i).cloned(),
        other => Some(other.clone()),
    };
    statements.map(|s| s.to_string()).unwrap_or_default()
}

/// The document without statements `drop`: `None` when nothing is left (a KMS key keeps a policy:
/// its account's root, so the key is never locked out).
fn without_statements(doc: &str, drop: &[usize], resource: &Resource) -> (Option<String>, Vec<usize>) {
    let mut v: serde_json::Value = serde_json::from_str(doc).unwrap_or_default();
    let statements = match v["Statement"].take() {
        serde_json::Value::Array(a) => a,
        single => vec![single],
    };
    let kept: Vec<serde_json::Value> =
        statements.into_iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, s)| s).collect();
    let mut kept = kept;
    if kept.is_empty() {
        match owner_only(resource) {
            Some(statement) => kept.push(statement),
            None => return (None, drop.to_vec()),
        }
    }
    v["Statement"] = serde_json::Value::Array(kept);
    (Some(v.to_string()), drop.to_vec())
}

/// The statement a policy that must exist falls back to: a KMS key's for its account (never
/// locked out), an SNS topic's default (its owner only). `None`: the policy may be deleted.
fn owner_only(resource: &Resource) -> Option<serde_json::Value> {
    let account = resource.account();
    match resource.kind {
        ResourceKind::KmsKey => Some(serde_json::json!({
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
            "Action": "kms:*",
            "Resource": "*"
        })),
        ResourceKind::SnsTopic => Some(serde_json::json!({
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": { "AWS": "*" },
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                       "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": resource.arn,
            "Condition": { "StringEquals": { "AWS:SourceOwner": account } }
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Resource {
        Resource {
            kind: ResourceKind::KmsKey,
            arn: "arn:aws:kms:us-east-1:111122223333:key/k1".into(),
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn the_rest_of_a_policy_stays_and_a_key_keeps_its_account() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},{"Sid":"b","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;
        let (rest, removed) = without_statements(doc, &[0], &key());
        assert_eq!(removed, vec![0]);
        let rest = rest.unwrap();
        assert!(!rest.contains(r#""Sid":"a""#) && rest.contains(r#""Sid":"b""#), "{rest}");
        let (rest, _) = without_statements(doc, &[0, 1], &key());
        assert!(rest.unwrap().contains("arn:aws:iam::111122223333:root"), "a key policy is never emptied");
        let bucket =
            Resource { kind: ResourceKind::S3Bucket, arn: "arn:aws:s3:::b".into(), region: "us-east-1".into() };
        assert_eq!(without_statements(doc, &[0, 1], &bucket).0, None, "a bucket with nothing left has no policy");
    }
}
