//! Resource policies in a file: the layout `iam-guard sweep --input` reads next to (or inside)
//! an authorization-details export, and the live sweep writes with `--save-resources FILE`:
//!
//! ```json
//! {"ResourcePolicies": [
//!   {"Type": "s3-bucket", "Arn": "arn:aws:s3:::photos", "Region": "us-east-1",
//!    "Policy": {"Version": "2012-10-17", "Statement": [...]},
//!    "Tags": [{"Key": "iam-guard:exempt", "Value": "public website"}]}
//! ],
//!  "Compute": [
//!   {"Type": "lambda-function", "Arn": "arn:aws:lambda:us-east-1:111122223333:function:guide",
//!    "Role": "arn:aws:iam::111122223333:role/guide-fn"}
//! ]}
//! ```
//!
//! `Compute` lists what runs as which role (`lambda-function`, `cloudformation-stack`,
//! `codebuild-project`, `glue-dev-endpoint`, `sagemaker-notebook`, `apprunner-service`): the
//! escalation graph follows whoever may change what it runs to that role.
//!
//! `Type` (a kind as `iam-guard rules` lists them: `s3-bucket`, `lambda-function`, `kms-key`,
//! `sqs-queue`, `sns-topic`, `secret`, `ecr-repository`, …) may be left out when the ARN says it;
//! `Region` when the ARN carries one; `Policy` is a JSON object or its text; `Tags` may be absent.

use super::{Resource, ResourceKind, ResourcePolicy};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The key of the list in the file.
pub const KEY: &str = "ResourcePolicies";
/// The key of the compute list (what runs as which role).
pub const COMPUTE_KEY: &str = "Compute";

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ComputeEntry {
    r#type: super::ComputeKind,
    arn: String,
    role: String,
}

/// The compute of one page's `Compute` list; an error names the entry.
pub fn read_compute(list: &Value) -> Result<Vec<super::Compute>, String> {
    let Value::Array(items) = list else { return Err(format!("{COMPUTE_KEY} is not a list")) };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let e: ComputeEntry = serde_json::from_value(v.clone()).map_err(|e| format!("{COMPUTE_KEY}[{i}]: {e}"))?;
            Ok(super::Compute { kind: e.r#type, arn: e.arn, role: e.role })
        })
        .collect()
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    r#type: Option<ResourceKind>,
    arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    policy: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Tag>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: String,
    #[serde(default)]
    value: String,
}

/// The resource policies of one page's `ResourcePolicies` list; an error names the entry.
pub fn read(list: &Value) -> Result<Vec<ResourcePolicy>, String> {
    let Value::Array(items) = list else { return Err(format!("{KEY} is not a list")) };
    items.iter().enumerate().map(|(i, v)| entry(v).map_err(|e| format!("{KEY}[{i}]: {e}"))).collect()
}

fn entry(v: &Value) -> Result<ResourcePolicy, String> {
    let e: Entry = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
    let kind = e
        .r#type
        .or_else(|| ResourceKind::of_arn(&e.arn))
        .ok_or_else(|| format!("{}: no Type, and the ARN names no resource kind the guard judges", e.arn))?;
    let region = e
        .region
        .or_else(|| e.arn.split(':').nth(3).filter(|r| !r.is_empty()).map(str::to_string))
        .unwrap_or_else(|| "us-east-1".into());
    let policy = match e.policy {
        Value::String(s) => s,
        other @ Value::Object(_) => other.to_string(),
        other => return Err(format!("{}: Policy is {other}, not a document", e.arn)),
    };
    crate::policy::PolicyDocument::parse(&policy).map_err(|err| format!("{}: Policy: {err}", e.arn))?;
    Ok(ResourcePolicy {
        resource: Resource { kind, arn: e.arn, region },
        policy,
        tags: e.tags.into_iter().map(|t| (t.key, t.value)).collect(),
    })
}

/// The file the live sweep writes: `{"ResourcePolicies": [...], "Compute": [...]}`.
pub fn write(policies: &[ResourcePolicy], compute: &[super::Compute]) -> String {
    let entries: Vec<Entry> = policies
        .iter()
        .map(|p| Entry {
            r#type: Some(p.resource.kind),
            arn: p.resource.arn.clone(),
            region: Some(p.resource.region.clone()),
            policy: serde_json::from_str(&p.policy).unwrap_or(Value::String(p.policy.clone())),
            tags: p.tags.iter().map(|(k, v)| Tag { key: k.clone(), value: v.clone() }).collect(),
        })
        .collect();
    let compute: Vec<ComputeEntry> =
        compute.iter().map(|c| ComputeEntry { r#type: c.kind, arn: c.arn.clone(), role: c.role.clone() }).collect();
    serde_json::to_string_pretty(&serde_json::json!({ KEY: entries, COMPUTE_KEY: compute })).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_reads_back_and_bad_entries_are_named() {
        let list = serde_json::json!([
            {"Arn": "arn:aws:s3:::photos", "Policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]},
             "Tags": [{"Key": "team", "Value": "web"}]},
            {"Type": "sqs-queue", "Arn": "arn:aws:sqs:eu-west-1:111122223333:orders", "Policy": "{\"Statement\":[]}"}
        ]);
        let read_back = read(&list).unwrap();
        assert_eq!(read_back[0].resource.kind, ResourceKind::S3Bucket);
        assert_eq!(read_back[0].resource.region, "us-east-1");
        assert_eq!(read_back[1].resource.region, "eu-west-1");
        assert_eq!(read_back[0].tags, vec![("team".to_string(), "web".to_string())]);
        let again: Value = serde_json::from_str(&write(&read_back, &[])).unwrap();
        assert_eq!(read(&again[KEY]).unwrap(), read_back);
        let bad = serde_json::json!([{"Arn": "arn:aws:iam::1:role/x", "Policy": {}}]);
        assert!(read(&bad).unwrap_err().starts_with("ResourcePolicies[0]: arn:aws:iam::1:role/x: no Type"));
        let bad = serde_json::json!([{"Arn": "arn:aws:s3:::b", "Policy": 3}]);
        assert!(read(&bad).unwrap_err().contains("not a document"));
    }
}
