//! Findings in AWS Security Finding Format (ASFF), for AWS Security Hub's BatchImportFindings:
//! the sweep's (`sweep --format asff`, and imported live by the sweep and the Lambda when
//! `IAM_GUARD_SECURITY_HUB` is set) and the event path's. Ids are stable — the same finding
//! on the same principal and policy imports as an update, not a new finding.

use crate::guard::sweep::{SweepFinding, SweepReport};
use crate::guard::Verdict;
use crate::rules::{Finding, Severity};
use serde_json::{json, Value};

/// Security Hub caps: Title 256, Description 1024, Recommendation.Text 512 characters.
fn cap(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

/// The resource type Security Hub knows for an ARN.
fn resource_type(arn: &str) -> &'static str {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or("");
    match (arn.split(':').nth(2).unwrap_or(""), resource.split('/').next().unwrap_or("")) {
        ("iam", "role") => "AwsIamRole",
        ("iam", "user") => "AwsIamUser",
        ("iam", "group") => "AwsIamGroup",
        ("iam", "policy") => "AwsIamPolicy",
        ("iam", "root") | ("iam", "") => "AwsAccount",
        ("s3", _) => "AwsS3Bucket",
        ("lambda", _) => "AwsLambdaFunction",
        ("kms", _) => "AwsKmsKey",
        ("sqs", _) => "AwsSqsQueue",
        ("sns", _) => "AwsSnsTopic",
        ("secretsmanager", _) => "AwsSecretsManagerSecret",
        ("ecr", _) => "AwsEcrRepository",
        _ => "Other",
    }
}

/// FNV-1a, hex: stable ids from what makes a finding the same finding.
fn hash(parts: &[&str]) -> String {
    let h = parts
        .iter()
        .flat_map(|p| p.bytes().chain([0u8]))
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{h:016x}")
}

/// One ASFF finding.
struct Facts<'a> {
    id: String,
    account: &'a str,
    region: &'a str,
    resource_arn: &'a str,
    title: String,
    finding: &'a Finding,
    now: &'a str,
    compliance: Option<String>,
}

fn asff(f: Facts<'_>) -> Value {
    let mut v = json!({
        "SchemaVersion": "2018-10-08",
        "Id": f.id,
        "ProductArn": format!("arn:aws:securityhub:{}:{}:product/{}/default", f.region, f.account, f.account),
        "ProductName": "iam-guard",
        "CompanyName": "iam-guard",
        "GeneratorId": format!("iam-guard/{}", f.finding.rule),
        "AwsAccountId": f.account,
        "Types": [types(f.finding)],
        "CreatedAt": f.now,
        "UpdatedAt": f.now,
        "Severity": {"Label": label(f.finding.severity)},
        "Title": cap(&f.title, 256),
        "Description": cap(&f.finding.message, 1024),
        "Remediation": {"Recommendation": {"Text": cap(&f.finding.hint, 512)}},
        "Resources": [{"Type": resource_type(f.resource_arn), "Id": f.resource_arn, "Partition": "aws", "Region": f.region}],
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "NEW"},
        "ProductFields": {"iam-guard/rule": f.finding.rule.as_str()},
    });
    if let Some(c) = f.compliance {
        v["Compliance"] = json!({"Status": "FAILED", "RelatedRequirements": [c]});
    }
    v
}

/// The ASFF finding type of a rule.
fn types(f: &Finding) -> &'static str {
    use crate::rules::RuleId::*;
    match f.rule {
        EscalationPath | PrivilegeEscalation => "TTPs/Privilege Escalation",
        ResourcePublic | ResourceCrossAccount | TrustPublic | TrustCrossAccount => "Effects/Data Exposure",
        RootUser | PasswordPolicy | MfaMissing | StaleCredential | AccountSetting => {
            "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
        }
        _ => "Software and Configuration Checks/AWS Security Best Practices",
    }
}

/// The sweep's findings (`region`: where they are imported).
pub(crate) fn sweep(r: &SweepReport, region: &str, now: &str) -> Vec<Value> {
    r.findings.iter().map(|f| sweep_finding(f, region, now)).collect()
}

fn sweep_finding(f: &SweepFinding, region: &str, now: &str) -> Value {
    let id = format!(
        "iam-guard/{}/{}/{}",
        f.account_id,
        f.finding.rule,
        hash(&[&f.principal_arn, &f.policy, &f.finding.message])
    );
    asff(Facts {
        id,
        account: &f.account_id,
        region,
        resource_arn: &f.principal_arn,
        title: format!("{}: {} ({})", f.finding.rule, f.principal, f.policy),
        finding: &f.finding,
        now,
        compliance: f.control.map(|c| format!("CIS AWS Foundations Benchmark v3.0.0/{}", c.cis_v3())),
    })
}

/// An answered event's findings.
pub(crate) fn event(v: &Verdict) -> Vec<Value> {
    let c = &v.change;
    let now = c.event_time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let resource = match c.action.subject() {
        Some(s) => s.arn(&c.account_id),
        None => format!("arn:aws:iam::{}:root", c.account_id),
    };
    v.judged
        .iter()
        .flat_map(|j| j.findings.iter().map(move |f| (j, f)))
        .filter(|(_, f)| f.bounded_by.is_none())
        .enumerate()
        .map(|(i, (j, f))| {
            asff(Facts {
                id: format!("iam-guard/{}/event/{}/{i}", c.account_id, c.event_id),
                account: &c.account_id,
                region: &c.region,
                resource_arn: &resource,
                title: format!("{}: {} — {}", f.rule, c.event_name, j.label),
                finding: f,
                now: &now,
                compliance: None,
            })
        })
        .collect()
}
