//! A principal's policies judged together, as IAM evaluates a request: an explicit Deny in any
//! policy the principal holds (its groups' included) wins over the Allows of all the others.
//! Judged in the sweep (live and offline alike, from one inventory) and on the event path for
//! what a principal holds (credentials, group membership).

use iam_guard::config::{Config, Mode};
use iam_guard::engine::Engine;
use iam_guard::guard::memory::{MemoryIam, RecordingPublisher};
use iam_guard::guard::Guard;
use iam_guard::intake::{authdetails, Target};
use iam_guard::rules::Severity;
use serde_json::{json, Value};

mod support;

use support::{doc, managed, ADMIN};

const ACCT: &str = support::ACCOUNT;
const S3_FULL: &str = "arn:aws:iam::aws:policy/AmazonS3FullAccess";

fn role(name: &str, inline: Vec<(&str, Value)>, attached: &[&str]) -> Value {
    support::role_detail(name, support::trust(json!({"Service": "lambda.amazonaws.com"})), inline, attached)
}

fn deny_all() -> Value {
    doc(json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}]))
}

/// AmazonS3FullAccess grants s3:* and s3-object-lambda:*: a Deny of both takes all of it away
/// (a Deny of s3:* alone leaves S3 Object Lambda, still full access to a service).
fn deny_s3() -> Value {
    doc(json!([{"Effect": "Deny", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}]))
}

fn guard() -> Guard {
    Guard::new(Engine::new(Config { mode: Mode::Enforce, ..Config::default() }), None)
}

/// No denylist: only what the principal can do decides.
fn guard_without_denylist() -> Guard {
    Guard::new(Engine::new(Config { mode: Mode::Enforce, denylist: vec![], ..Config::default() }), None)
}

/// (principal, rule, severity) of every finding of the sweep.
fn findings(export: Value) -> Vec<(String, String, Severity, String)> {
    let inv = authdetails::parse(&export.to_string()).unwrap();
    let report = guard().audit(&inv, Some(ACCT));
    report
        .findings
        .iter()
        .map(|f| (f.principal.clone(), f.finding.rule.to_string(), f.finding.severity, f.policy.clone()))
        .collect()
}

/// The worst finding on a principal's permissions. `denylisted-policy` is a rule on names (a
/// denylisted policy must not be attached, whatever else the principal holds): left out here.
fn worst(f: &[(String, String, Severity, String)], principal: &str) -> Option<Severity> {
    f.iter().filter(|x| x.0 == principal && x.1 != "escalation-path" && x.1 != "denylisted-policy").map(|x| x.2).max()
}

#[test]
fn a_deny_in_another_policy_is_subtracted_from_managed_and_inline_allows() {
    let export = json!({
        "RoleDetailList": [
            // AdministratorAccess, and an inline Deny of everything: nothing is allowed.
            role("denied-admin", vec![("lockdown", deny_all())], &[ADMIN]),
            // AmazonS3FullAccess minus a Deny s3:* in another inline policy.
            role("denied-s3", vec![("no-s3", deny_s3())], &[S3_FULL]),
            // AmazonS3FullAccess minus a Deny of s3:* only: S3 Object Lambda is still granted in full.
            role("half-denied-s3", vec![("no-s3", doc(json!([{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}])))], &[S3_FULL]),
            // An inline Allow s3:* minus AWSDenyAll (an AWS managed Deny).
            role("quarantined", vec![("s3", doc(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])))],
                 &["arn:aws:iam::aws:policy/AWSDenyAll"]),
            // Controls: the same grants with no Deny, and a Deny of something else.
            role("admin", vec![], &[ADMIN]),
            role("s3-and-unrelated-deny", vec![("no-ec2", doc(json!([{"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}])))], &[S3_FULL]),
        ],
        "UserDetailList": [], "GroupDetailList": [], "Policies": []
    });
    let f = findings(export);
    assert_eq!(worst(&f, "role admin"), Some(Severity::Critical), "{f:#?}");
    assert_eq!(worst(&f, "role denied-admin"), None, "Deny * in another policy: {f:#?}");
    assert_eq!(worst(&f, "role denied-s3"), None, "{f:#?}");
    assert_eq!(worst(&f, "role quarantined"), None, "{f:#?}");
    let half = f.iter().find(|x| x.0 == "role half-denied-s3" && x.1 == "service-full-access");
    assert!(half.is_some(), "s3-object-lambda:* is not denied: {f:#?}");
    assert_eq!(worst(&f, "role s3-and-unrelated-deny"), Some(Severity::High), "only s3 Denies cut s3: {f:#?}");
}

#[test]
fn a_groups_deny_is_subtracted_from_its_members_policies() {
    let user = |name: &str, groups: &[&str]| {
        json!({"UserName": name, "Path": "/", "Arn": format!("arn:aws:iam::{ACCT}:user/{name}"),
               "UserPolicyList": [], "AttachedManagedPolicies": managed(&[S3_FULL]), "GroupList": groups, "Tags": []})
    };
    let export = json!({
        "UserDetailList": [user("contractor", &["no-data"]), user("employee", &[])],
        "GroupDetailList": [{"GroupName": "no-data", "Path": "/", "Arn": format!("arn:aws:iam::{ACCT}:group/no-data"),
                             "GroupPolicyList": [{"PolicyName": "deny-s3", "PolicyDocument": deny_s3()}],
                             "AttachedManagedPolicies": []}],
        "RoleDetailList": [], "Policies": []
    });
    let f = findings(export);
    assert_eq!(worst(&f, "user employee"), Some(Severity::High), "{f:#?}");
    assert_eq!(worst(&f, "user contractor"), None, "the group's Deny: {f:#?}");
}

#[test]
fn the_sweep_does_not_detach_what_a_deny_already_neutralises() {
    let export = json!({
        "RoleDetailList": [role("denied-s3", vec![("no-s3", deny_s3())], &[S3_FULL]), role("s3", vec![], &[S3_FULL])],
        "UserDetailList": [], "GroupDetailList": [], "Policies": []
    });
    let inv = authdetails::parse(&export.to_string()).unwrap();
    let report = guard_without_denylist().audit(&inv, Some(ACCT));
    let detaches: Vec<String> = report.actions.iter().map(|a| a.remediation.describe()).collect();
    assert_eq!(detaches, ["detach AmazonS3FullAccess from role s3"], "{detaches:?}");
}

/// The event path: a new access key for a user whose S3 full access is denied elsewhere is not
/// a high finding; without the Deny it is.
#[test]
fn credentials_are_judged_on_what_the_user_effectively_holds() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let judge = |with_deny: bool| {
        let iam = MemoryIam::new();
        let user = Target::user("bob");
        iam.add_principal(&user, ACCT, "/", &[]);
        iam.attach(&user, S3_FULL);
        if with_deny {
            iam.add_to_group("bob", "no-data");
            iam.apply(&change_put_group_policy());
        }
        let rec = json!({"eventVersion": "1.10", "eventID": "k", "eventTime": "2026-11-20T10:15:30Z",
            "eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey", "awsRegion": "us-east-1",
            "recipientAccountId": ACCT, "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCT}:user/ops"), "userName": "ops"},
            "requestParameters": {"userName": "bob"}, "responseElements": {"accessKey": {"accessKeyId": "AKIAEXAMPLE", "userName": "bob"}}});
        let change = one_change(rec);
        let h = rt.block_on(guard().handle(&iam, &RecordingPublisher::new(), change)).unwrap();
        let findings =
            h.verdict.judged.iter().filter(|j| j.label.contains("AmazonS3FullAccess")).flat_map(|j| &j.findings);
        findings.filter(|f| f.rule != "denylisted-policy").map(|f| f.severity).max()
    };
    assert_eq!(judge(false), Some(Severity::High));
    assert_eq!(judge(true), None, "the group's Deny s3:* is subtracted");
}

fn one_change(v: Value) -> iam_guard::intake::Change {
    let iam_guard::intake::Intake::Deliveries { deliveries, .. } = iam_guard::intake::parse(v).unwrap() else {
        panic!()
    };
    let Ok(mut o) = deliveries.into_iter().next().unwrap().outcome else { panic!() };
    let iam_guard::intake::Outcome::Change(c) = o.remove(0) else { panic!() };
    *c
}

fn change_put_group_policy() -> iam_guard::intake::Change {
    one_change(json!({"eventVersion": "1.10", "eventID": "g", "eventTime": "2026-11-20T10:15:30Z",
        "eventSource": "iam.amazonaws.com", "eventName": "PutGroupPolicy", "awsRegion": "us-east-1",
        "recipientAccountId": ACCT, "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCT}:user/ops"), "userName": "ops"},
        "requestParameters": {"groupName": "no-data", "policyName": "deny-s3", "policyDocument": deny_s3().to_string()}}))
}
