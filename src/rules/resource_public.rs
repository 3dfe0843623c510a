//! `resource-public`: a resource policy (or share, ACL, function URL) that lets anyone in — a
//! caller from any account or none — once its conditions are applied ([`super::resource_access`]).
//! Critical; high when what anyone may do is only reading or listing a kind that is often
//! published on purpose (Lambda layers, AMIs, ECR images).

use super::resource_access::{action_list, admissions, evidence, this, Caller};
use super::*;
use crate::catalog::AccessLevel;

pub(super) struct ResourcePublic;

impl Rule for ResourcePublic {
    fn id(&self) -> RuleId {
        RuleId::ResourcePublic
    }
    fn severity(&self) -> Severity {
        Severity::Critical
    }
    fn action(&self) -> RuleAction {
        RuleAction::Remediate
    }
    fn summary(&self) -> &'static str {
        "Resource policy, share, ACL or function URL that lets anyone in, once its conditions are applied."
    }
    fn doc(&self) -> &'static str {
        "A bucket, function, key, queue, topic, secret, repository, bus, file system or table policy (or an AMI / snapshot shared with `all`, a public bucket ACL, a function URL without authentication) whose Allow admits a caller from any account — Principal `*`, `{\"AWS\":\"*\"}` or NotPrincipal with no condition that refuses a stranger (`aws:PrincipalOrgID`, `aws:SourceVpce`, `aws:SourceArn`, `kms:CallerAccount` …; `…IfExists` and `0.0.0.0/0` do not). Critical; high when anyone may only read or list a Lambda layer, AMI or ECR repository. Remediated in enforce mode: exactly those statements are removed (or the share withdrawn)."
    }
    fn applies_to(&self, kind: PolicyKind) -> bool {
        kind == PolicyKind::Resource
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        let kind = cx.policy.resource.as_ref().map(|r| r.kind);
        let published = kind.is_some_and(|k| k.info().published);
        for a in admissions(cx, doc).into_iter().filter(|a| a.caller == Caller::Anyone) {
            // Launching an instance from a public AMI reads the image; it changes nothing of it.
            let reads_only = a.level.is_some_and(|l| l <= AccessLevel::Read)
                || kind == Some(crate::resources::ResourceKind::Ec2Image);
            let severity = if published && reads_only { Severity::High } else { cx.severity };
            let level = a.level.map_or("unknown".into(), |l| l.as_str().to_lowercase());
            out.push(Finding {
                bounded_by: None,
                rule: self.id(),
                paths: Vec::new(),
                severity,
                message: format!(
                    "Anyone, from any AWS account or none, can {} on {} (up to {level} access): no condition refuses a stranger",
                    action_list(&a.actions),
                    this(cx)
                ),
                evidence: vec![evidence(doc, &a, "* (anyone)".into())],
                hint: hint(kind),
            });
        }
    }
}

/// What to do instead, for this kind.
fn hint(kind: Option<crate::resources::ResourceKind>) -> String {
    use crate::resources::ResourceKind as K;
    let base = "Name the accounts or roles that need access, or pin the statement with aws:PrincipalOrgID (your \
                organization), aws:SourceVpce or aws:SourceArn";
    match kind {
        Some(K::S3Bucket | K::S3AccessPoint) => format!("{base}; keep S3 Block Public Access on."),
        Some(K::Ec2Image | K::Ec2Snapshot | K::RdsSnapshot | K::RdsClusterSnapshot) => {
            "Share with the account ids that need it (or through AWS RAM within the organization), never with `all`."
                .into()
        }
        Some(K::LambdaFunction) => format!("{base}; a function URL should use AuthType AWS_IAM."),
        _ => format!("{base}."),
    }
}
