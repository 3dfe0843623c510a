//! Builders shared by the tests (no AWS SDK, no server): CloudTrail records and envelopes as
//! AWS writes them, and authorization-details exports. One place, so a layout fix is made once.
#![allow(dead_code)]

use iam_guard::intake::{self, Change, Intake, Outcome};
use serde_json::{json, Value};

/// The account of records and exports built here.
pub(crate) const ACCOUNT: &str = "111122223333";
/// AWS's AdministratorAccess.
pub(crate) const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

// ---- CloudTrail ----

/// `userIdentity` of an IAM user of [`ACCOUNT`].
pub(crate) fn user_identity(name: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAQ3EGRZX2EXAMPLE2", "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
           "accountId": ACCOUNT, "accessKeyId": "AKIAQ3EGRZX2EXAMPLE2", "userName": name})
}

/// A record in the current layout (eventVersion 1.10) of an IAM call.
pub(crate) fn record(id: &str, name: &str, who: Value, req: Value, resp: Value) -> Value {
    json!({
        "eventVersion": "1.10", "userIdentity": who, "eventTime": "2026-11-20T13:05:00Z",
        "eventSource": "iam.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10", "userAgent": "aws-cli/2.17.20",
        "requestParameters": req, "responseElements": resp, "requestID": format!("req-{id}"), "eventID": id,
        "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": ACCOUNT,
        "eventCategory": "Management"
    })
}

/// A record as EventBridge delivers it (`source` from the record's event source).
pub(crate) fn eventbridge(detail: Value) -> Value {
    let source = detail["eventSource"].as_str().unwrap_or("iam.amazonaws.com");
    let source = format!("aws.{}", source.split('.').next().unwrap_or("iam"));
    json!({"version": "0", "id": "eb-1", "detail-type": "AWS API Call via CloudTrail", "source": source,
           "account": ACCOUNT, "time": "2026-11-20T13:05:00Z", "region": "us-east-1", "resources": [], "detail": detail})
}

/// What each record of an input became.
pub(crate) fn outcomes(v: Value) -> Vec<Outcome> {
    match intake::parse(v).unwrap() {
        Intake::Deliveries { deliveries, .. } => deliveries.into_iter().flat_map(|d| d.outcome.unwrap()).collect(),
        Intake::Sweep(_) => panic!("sweep"),
    }
}

/// The one change an input holds.
pub(crate) fn change(v: Value) -> Box<Change> {
    match outcomes(v).remove(0) {
        Outcome::Change(c) => c,
        Outcome::Ignored(i) => panic!("ignored: {}", i.reason),
    }
}

// ---- Authorization-details exports ----

/// `arn:aws:iam::ACCOUNT:KIND/NAME`.
pub(crate) fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

/// A policy document of these statements.
pub(crate) fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// One Allow statement.
pub(crate) fn allow(actions: &[&str], resource: &str) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resource})
}

/// `AttachedManagedPolicies` of these ARNs.
pub(crate) fn managed(arns: &[&str]) -> Value {
    Value::Array(arns.iter().map(|a| json!({"PolicyName": a.rsplit('/').next(), "PolicyArn": a})).collect())
}

/// An inline policy list of (name, document).
pub(crate) fn inline_list(inline: Vec<(&str, Value)>) -> Value {
    Value::Array(inline.into_iter().map(|(n, d)| json!({"PolicyName": n, "PolicyDocument": d})).collect())
}

/// A trust policy admitting `principal`.
pub(crate) fn trust(principal: Value) -> Value {
    doc(json!([{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]))
}

/// A `RoleDetailList` entry.
pub(crate) fn role_detail(name: &str, trust: Value, inline: Vec<(&str, Value)>, attached: &[&str]) -> Value {
    json!({"RoleName": name, "Path": "/", "Arn": arn("role", name), "AssumeRolePolicyDocument": trust,
           "RolePolicyList": inline_list(inline), "AttachedManagedPolicies": managed(attached), "Tags": []})
}

/// A `UserDetailList` entry.
pub(crate) fn user_detail(name: &str, inline: Vec<(&str, Value)>, attached: &[&str], groups: &[&str]) -> Value {
    json!({"UserName": name, "Path": "/", "Arn": arn("user", name), "UserPolicyList": inline_list(inline),
           "AttachedManagedPolicies": managed(attached), "GroupList": groups, "Tags": []})
}

// ---- Sweep reports (JSON) ----

/// The status of CIS control `cis` (v3 number) in a sweep report: pass, fail or not_assessed.
pub(crate) fn cis_status(report: &Value, cis: &str) -> String {
    let c = report["controls"].as_array().unwrap().iter().find(|c| c["cis"] == cis).unwrap();
    c["status"].as_str().unwrap().to_string()
}

/// The principals the findings of CIS control `cis` name, sorted.
pub(crate) fn cis_named(report: &Value, cis: &str) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["control"].as_str().is_some_and(|c| c.starts_with(&format!("CIS {cis} "))))
        .map(|f| f["principal"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}
