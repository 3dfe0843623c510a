//! `resource-confused-deputy`: a resource policy that lets an AWS service in on behalf of any
//! account — no `aws:SourceArn` / `aws:SourceAccount` (or `AWS:SourceOwner`, `aws:SourceOrgID`)
//! that a stranger's request fails ([`super::resource_access`]). Someone else's API, topic or
//! bucket can then make the service act on this resource (the confused-deputy problem).
//!
//! AWS's documented service grants stay quiet: reading bucket metadata (CloudTrail's
//! `s3:GetBucketAcl`), and log delivery into a prefix of a known account (`AWSLogs/<account>/`).

use super::resource_access::{action_list, admissions, evidence, this, Caller};
use super::*;

pub(super) struct ResourceConfusedDeputy;

/// Service reads of bucket metadata that log-delivery policies grant without conditions.
const METADATA: &[&str] = &["s3:GetBucketAcl", "s3:GetBucketLocation", "s3:ListBucket", "s3:GetBucketPolicy"];

impl Rule for ResourceConfusedDeputy {
    fn id(&self) -> RuleId {
        RuleId::ResourceConfusedDeputy
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn summary(&self) -> &'static str {
        "Resource policy that lets an AWS service in for any account (no aws:SourceArn / aws:SourceAccount)."
    }
    fn doc(&self) -> &'static str {
        "A statement granting a service principal (`apigateway.amazonaws.com`, `sns.amazonaws.com` …) with no `aws:SourceArn`, `aws:SourceAccount`, `AWS:SourceOwner` or `aws:SourceOrgID` condition that a stranger's resource fails: any account's API, topic or bucket can make the service act here (the confused deputy). Medium. Quiet for bucket-metadata reads and log delivery into `AWSLogs/<known account>/`."
    }
    fn applies_to(&self, kind: PolicyKind) -> bool {
        kind == PolicyKind::Resource
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for a in admissions(cx, doc) {
            let Caller::Service(service) = &a.caller else { continue };
            let s = &doc.statements[a.statement];
            let acting: Vec<String> = a.actions.iter().filter(|x| !METADATA.contains(&x.as_str())).cloned().collect();
            if acting.is_empty() || delivers_logs_to_known_accounts(cx, s) {
                continue;
            }
            out.push(Finding {
                bounded_by: None,
                rule: self.id(),
                paths: Vec::new(),
                severity: cx.severity,
                message: format!(
                    "{service} can {} on {} on behalf of any account's resource: no aws:SourceArn or \
                     aws:SourceAccount condition pins whose",
                    action_list(&acting),
                    this(cx)
                ),
                evidence: vec![evidence(doc, &a, format!("Service: {service}"))],
                hint: "Add aws:SourceArn (the exact API, topic, bucket or rule that calls) or aws:SourceAccount (your \
                       account) to the statement, as `lambda add-permission --source-arn` does."
                    .into(),
            });
        }
    }
}

/// Log delivery into `…/AWSLogs/<account>/…` of known accounts only.
fn delivers_logs_to_known_accounts(cx: &Ctx<'_>, s: &Statement) -> bool {
    let resources = s.resource_patterns();
    !resources.is_empty()
        && resources.iter().all(|r| {
            r.split("/AWSLogs/").nth(1).and_then(|rest| rest.split('/').next()).is_some_and(|a| cx.known_account(a))
        })
}
