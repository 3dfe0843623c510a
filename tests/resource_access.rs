//! Resource policies judged by meaning, checked against the request-level evaluator: for each
//! policy and each caller — a stranger (another account, another organization or none), a named
//! outside account, a member of the organization in another account, a principal of the same
//! account — the evaluation core's answer for AWS's resource-based policy logic
//! (`eval::request::authorize_with`, the caller's own account allowing everything) must agree with
//! what the rules say: `resource-public` exactly when a stranger gets in, `resource-cross-account`
//! exactly when the named outside account does.

use iam_guard::config::Config;
use iam_guard::engine::Engine;
use iam_guard::eval::request::{authorize_with, Context, Decision, Held, Request, ResourcePolicy};
use iam_guard::policy::{PolicyDocument, PolicyKind};
use iam_guard::rules::PolicyContext;
use serde_json::json;

const OWN: &str = "111122223333";
const OUTSIDE: &str = "444455556666";
const ORG: &str = "o-a1b2c3d4e5";
const BUCKET: &str = "arn:aws:s3:::photos";

struct Caller {
    name: &'static str,
    account: &'static str,
    arn: String,
    org: Option<&'static str>,
}

fn callers() -> Vec<Caller> {
    vec![
        Caller { name: "stranger", account: "999900001111", arn: "arn:aws:iam::999900001111:role/x".into(), org: None },
        Caller {
            name: "stranger in another org",
            account: "999900001111",
            arn: "arn:aws:iam::999900001111:role/x".into(),
            org: Some("o-zzzzzzzzzz"),
        },
        Caller {
            name: "outside account",
            account: OUTSIDE,
            arn: format!("arn:aws:iam::{OUTSIDE}:role/partner"),
            org: None,
        },
        Caller {
            name: "org member",
            account: "555566667777",
            arn: "arn:aws:iam::555566667777:role/m".into(),
            org: Some(ORG),
        },
        Caller { name: "same account", account: OWN, arn: format!("arn:aws:iam::{OWN}:role/app"), org: Some(ORG) },
    ]
}

fn allowed(doc: &PolicyDocument, c: &Caller, action: &str, resource: &str) -> bool {
    let everything =
        PolicyDocument::parse(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#).unwrap();
    let mut ctx = Context::default();
    ctx.insert("aws:PrincipalArn", &c.arn);
    ctx.insert("aws:PrincipalAccount", c.account);
    if let Some(org) = c.org {
        ctx.insert("aws:PrincipalOrgID", org);
    }
    ctx.insert("aws:SecureTransport", "true");
    ctx.insert("aws:SourceIp", "203.0.113.7");
    let req = Request { action, resource, context: &ctx };
    let identity = [Held { label: "identity", doc: &everything }];
    let resource = ResourcePolicy { held: Held { label: "bucket policy", doc }, account: Some(OWN) };
    authorize_with(&req, &identity, None, &[], Some(resource)).decision == Decision::Allowed
}

fn rules_say(doc: &PolicyDocument) -> (bool, bool) {
    let engine = Engine::new(Config::default());
    let ctx = PolicyContext {
        kind: Some(PolicyKind::Resource),
        account_id: Some(OWN.into()),
        also_known: vec!["555566667777".into()],
        ..Default::default()
    };
    let findings = engine.judge(&ctx, doc);
    let public = findings.iter().any(|f| f.rule == "resource-public");
    let cross = findings.iter().any(|f| f.rule == "resource-cross-account");
    (public, cross)
}

#[test]
fn the_rules_agree_with_the_evaluator_for_every_caller() {
    let object = format!("{BUCKET}/report.csv");
    let cases: &[(&str, String, [bool; 5])] = &[
        // [stranger, stranger in another org, outside account, org member, same account]
        (
            "public read",
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"{BUCKET}/*"}}]}}"#
            ),
            [true, true, true, true, true],
        ),
        (
            "organization only",
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"{BUCKET}/*","Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"{ORG}"}}}}}}]}}"#
            ),
            [false, false, false, true, true],
        ),
        (
            "organization only, IfExists",
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"{BUCKET}/*","Condition":{{"StringEqualsIfExists":{{"aws:PrincipalOrgID":"{ORG}"}}}}}}]}}"#
            ),
            [true, false, true, true, true],
        ),
        (
            "one outside account",
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{OUTSIDE}:root"}},"Action":"s3:GetObject","Resource":"{BUCKET}/*"}}]}}"#
            ),
            [false, false, true, false, true],
        ),
        (
            "public, but a Deny keeps everyone outside the organization out",
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"{BUCKET}/*"}},{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"{BUCKET}/*","Condition":{{"StringNotEquals":{{"aws:PrincipalOrgID":"{ORG}"}}}}}}]}}"#
            ),
            [false, false, false, true, true],
        ),
        (
            "public from one network only",
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"s3:GetObject","Resource":"{BUCKET}/*","Condition":{{"IpAddress":{{"aws:SourceIp":"198.51.100.0/24"}}}}}}]}}"#
            ),
            [false, false, false, false, true],
        ),
    ];
    for (name, text, want) in cases {
        let doc = PolicyDocument::parse(text).unwrap();
        let answers: Vec<bool> = callers().iter().map(|c| allowed(&doc, c, "s3:GetObject", &object)).collect();
        // The same account's principals are allowed by their identity policy whatever the bucket says.
        let names: Vec<&str> = callers().iter().map(|c| c.name).collect();
        assert_eq!(&answers[..], &want[..], "{name}: the evaluator, per caller ({names:?})");
        let (public, cross) = rules_say(&doc);
        assert_eq!(public, answers[0] || answers[1], "{name}: resource-public iff a stranger gets in");
        assert_eq!(
            cross,
            answers[2] && !(answers[0] || answers[1]),
            "{name}: resource-cross-account iff only the outside account does"
        );
    }
}

/// A saved file of resource policies, swept offline: each policy judged, the exempt-tagged bucket
/// left alone with its reason, the function's backdoor removed by its id, the rest of a bucket
/// policy kept, the public snapshot unshared.
#[test]
fn a_saved_file_of_resource_policies_is_swept() {
    use iam_guard::guard::{Guard, Remediation};
    use iam_guard::resources::ResourceFix;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweep/resource-policies.json");
    let inv = iam_guard::intake::authdetails::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(inv.resources.len(), 6);
    let guard = Guard::new(Engine::new(Config::default()), None);
    let report = guard.audit(&inv, Some(OWN));
    assert_eq!(report.resource_policies, 6);
    let found: Vec<(&str, &str)> =
        report.findings.iter().map(|f| (f.finding.rule.as_str(), f.principal.as_str())).collect();
    assert!(found.contains(&("resource-cross-account", "SQS queue orders")), "{found:?}");
    assert!(!found.iter().any(|(_, p)| p.starts_with("KMS key")), "the key's own-account policy is clean: {found:?}");
    let action = |what: &str| {
        report.actions.iter().find(|a| a.remediation.describe().contains(what)).unwrap_or_else(|| panic!("{what}"))
    };
    let exempt = action("public-website");
    assert_eq!(
        exempt.skipped.as_deref(),
        Some("exempt by tag iam-guard:exempt: the company website, public on purpose")
    );
    let Remediation::Resource(ResourceFix::RemoveStatement { id, .. }) =
        &action("Lambda function travel-guide").remediation
    else {
        panic!()
    };
    assert_eq!(id, "backdoor");
    let Remediation::Resource(ResourceFix::SetPolicy { policy: Some(rest), removed, .. }) =
        &action("travel-guide-photos").remediation
    else {
        panic!()
    };
    assert_eq!(removed, &[0]);
    assert!(rest.contains("AppWrites") && !rest.contains("PublicRead"), "{rest}");
    let Remediation::Resource(ResourceFix::Unshare { accounts, .. }) = &action("snap-0a1b2c3d4e5f67890").remediation
    else {
        panic!()
    };
    assert_eq!(accounts, &["all"]);
}

/// `iam-guard can` on an export that holds resource policies: a bucket policy naming a role lets
/// it read objects its identity policies do not grant; what the bucket policy does not grant stays
/// denied.
#[test]
fn can_answers_with_the_resource_policy_an_export_holds() {
    let export = json!({
        "RoleDetailList": [{"RoleName": "reader", "Path": "/", "Arn": format!("arn:aws:iam::{OWN}:role/reader"),
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}, "RolePolicyList": [],
            "AttachedManagedPolicies": [], "Tags": []}],
        "ResourcePolicies": [{"Arn": BUCKET, "Policy": {"Version": "2012-10-17", "Statement": [{"Sid": "ReaderReads",
            "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{OWN}:role/reader")},
            "Action": "s3:GetObject", "Resource": format!("{BUCKET}/*")}]}}]
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.json");
    std::fs::write(&path, export.to_string()).unwrap();
    let can = |action: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_iam-guard"))
            .args(["can", &format!("arn:aws:iam::{OWN}:role/reader"), action, &format!("{BUCKET}/a.jpg"), "--input"])
            .arg(&path)
            .output()
            .unwrap()
    };
    let read = can("s3:GetObject");
    let text = String::from_utf8_lossy(&read.stdout);
    assert_eq!(read.status.code(), Some(0), "{text}");
    assert!(text.contains("by bucket policy of S3 bucket photos Statement[0] (ReaderReads)"), "{text}");
    assert_eq!(can("s3:PutObject").status.code(), Some(1), "the bucket policy grants no writes");
}
