//! The Lambda application in process, on the in-memory adapters (no server): the SQS
//! partial-batch path, failures surfacing as errors, and the scheduled sweep. The same paths
//! against moto are in guard_moto.rs and sweep_moto.rs.

use iam_guard::config::{Config, Mode};
use iam_guard::guard::memory::{MemoryIam, RecordingPublisher};
use iam_guard::intake::Target;
use iam_guard::lambda::{App, AppError};
use serde_json::{json, Value};
use std::path::Path;

const ACCOUNT: &str = "111122223333";

fn sample(rel: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("events").join(rel);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn app(mode: Mode, iam: MemoryIam, publisher: RecordingPublisher) -> App<MemoryIam, RecordingPublisher> {
    App::new(Config { mode, ..Config::default() }, Some("iam-guard-GuardFunctionRole-1A2B3C"), iam, publisher)
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
}

/// An SQS message whose body is the EventBridge event in `body`.
fn message(id: &str, body: &Value) -> Value {
    json!({"messageId": id, "receiptHandle": "h", "body": body.to_string(), "attributes": {},
           "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
           "eventSourceARN": "arn:aws:sqs:us-east-1:111122223333:iam-guard-buffer", "awsRegion": "us-east-1"})
}

#[test]
fn sqs_batch_reports_only_the_malformed_message() {
    let app = app(Mode::Alert, MemoryIam::new(), RecordingPublisher::new());
    let out = serde_json::to_value(run(app.handle(sample("envelopes/sqs-batch-mixed.json"))).unwrap()).unwrap();
    assert_eq!(out, json!({"batchItemFailures": [{"itemIdentifier": "25ae45eb-0bf9-effb-4b4d-0bfb406e74c0"}]}));
    let subjects: Vec<String> = app.publisher().alerts().into_iter().map(|a| a.subject).collect();
    assert_eq!(
        subjects,
        ["[HIGH] AmazonDynamoDBFullAccess attached to role app-worker - would detach in enforce mode"],
        "the good messages were answered, the clean one without an alert"
    );
}

#[test]
fn sqs_batch_retries_messages_whose_alert_could_not_be_published() {
    let app = app(Mode::Alert, MemoryIam::new(), RecordingPublisher::failing("SNS: throttled"));
    let admin = sample("AttachUserPolicy.json");
    let clean = sample("PutUserPolicy.json");
    let batch = json!({"Records": [message("m-admin", &admin), message("m-clean", &clean)]});
    let out = serde_json::to_value(run(app.handle(batch)).unwrap()).unwrap();
    assert_eq!(out, json!({"batchItemFailures": [{"itemIdentifier": "m-admin"}]}), "nothing to publish, nothing lost");
}

#[test]
fn a_failed_single_delivery_is_an_error_lambda_retries() {
    let app = app(Mode::Alert, MemoryIam::new(), RecordingPublisher::failing("SNS: 500"));
    let err = run(app.handle(sample("AttachUserPolicy.json"))).unwrap_err();
    assert!(matches!(err, AppError::Deliveries { failed: 1, total: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("SNS: 500"), "{err}");
    // The failure keeps its cause as a typed source, not a flattened string.
    let cause = std::error::Error::source(&err).expect("the delivery's error is the source");
    assert!(cause.downcast_ref::<iam_guard::lambda::DeliveryError>().is_some(), "{cause:?}");
    let d = lambda_runtime::Diagnostic::from(err);
    assert_eq!(d.error_type, "iam-guard.Deliveries");

    let err = run(app.handle(json!({"hello": "world"}))).unwrap_err();
    assert!(matches!(err, AppError::Intake(_)), "{err:?}");
    assert_eq!(lambda_runtime::Diagnostic::from(err).error_type, "iam-guard.Intake");
}

#[test]
fn enforce_detaches_and_the_alert_says_so() {
    let iam = MemoryIam::new();
    let role = Target::role("app-worker");
    iam.add_principal(&role, ACCOUNT, "/", &[]);
    iam.attach(&role, "arn:aws:iam::aws:policy/AmazonS3FullAccess");
    let app = app(Mode::Enforce, iam, RecordingPublisher::new());
    let out = serde_json::to_value(run(app.handle(sample("AttachRolePolicy.json"))).unwrap()).unwrap();
    assert_eq!(out["handled"][0]["executed"]["result"], "done");
    assert!(app.iam().attached(&role).is_empty());
    let alerts = app.publisher().alerts();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.ends_with("- detached"), "{}", alerts[0].subject);
    assert_eq!(alerts[0].attributes.iter().find(|(k, _)| *k == "action").map(|(_, v)| v.as_str()), Some("remediated"));
}

#[test]
fn an_aws_managed_policy_is_judged_by_its_current_default_version() {
    // AWS widened ReadOnlyAccess after this build: IAM's default version (v999) is not the
    // embedded one, so the guard judges the document IAM holds, not the one it was built with.
    let arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    let attach = || {
        let mut ev = sample("AttachRolePolicy.json");
        ev["detail"]["requestParameters"]["policyArn"] = json!(arn);
        ev
    };
    let role = Target::role(attach()["detail"]["requestParameters"]["roleName"].as_str().unwrap());
    let iam = MemoryIam::new();
    iam.add_principal(&role, ACCOUNT, "/", &[]);
    let widened = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    iam.add_policy_version(arn, "v999", widened, true);
    let guard = app(Mode::Alert, iam, RecordingPublisher::new());
    run(guard.handle(attach())).unwrap();
    let alerts = guard.publisher().alerts();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains("CRITICAL"), "{}", alerts[0].subject);
    assert!(alerts[0].text.contains("Administrator access"), "{}", alerts[0].text);

    // The embedded version still current: judged from the embedded document (no admin).
    let iam = MemoryIam::new();
    iam.add_principal(&role, ACCOUNT, "/", &[]);
    let guard = app(Mode::Alert, iam, RecordingPublisher::new());
    run(guard.handle(attach())).unwrap();
    assert!(guard.publisher().alerts().iter().all(|a| !a.subject.contains("CRITICAL")));
}

#[test]
fn enforce_reverts_a_new_default_version_to_the_last_clean_one() {
    let arn = "arn:aws:iam::111122223333:policy/reports-read";
    let iam = MemoryIam::new();
    let clean = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#;
    let wide = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    iam.add_policy_version(arn, "v1", clean, true);
    iam.add_policy_version(arn, "v2", wide, true); // what IAM holds when the event arrives
    let app = app(Mode::Enforce, iam, RecordingPublisher::new());
    let out = serde_json::to_value(run(app.handle(sample("CreatePolicyVersion.json"))).unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "remediate");
    assert_eq!(app.iam().default_version(arn).as_deref(), Some("v1"));
    let alert = &app.publisher().alerts()[0];
    assert!(alert.subject.ends_with("- reverted"), "{}", alert.subject);
    assert!(
        alert.text.contains("aws iam set-default-policy-version --policy-arn arn:aws:iam::111122223333:policy/reports-read --version-id v2"),
        "the restore command puts v2 back:\n{}",
        alert.text
    );
}

#[test]
fn scheduled_sweep_in_memory() {
    let iam = MemoryIam::new();
    let admin_role = Target::role("legacy-admin");
    let exempt = Target::role("break-glass");
    let sso = Target::role("AWSReservedSSO_Admin_0123456789abcdef");
    for (t, tags) in [(&admin_role, vec![]), (&exempt, vec![("iam-guard:exempt", "INC-42")]), (&sso, vec![])] {
        iam.add_principal(t, ACCOUNT, "/", &tags);
        iam.attach(t, "arn:aws:iam::aws:policy/AdministratorAccess");
    }
    let group = Target::group("developers");
    iam.add_principal(&group, ACCOUNT, "/", &[]);
    iam.attach(&group, "arn:aws:iam::aws:policy/PowerUserAccess");
    iam.add_principal(&Target::user("dev-alice"), ACCOUNT, "/", &[]);
    iam.add_to_group("dev-alice", "developers");
    iam.set_trust(
        "legacy-admin",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#,
    );

    let app = app(Mode::Enforce, iam, RecordingPublisher::new());
    let out = serde_json::to_value(run(app.handle(sample("envelopes/scheduled-sweep.json"))).unwrap()).unwrap();
    assert_eq!(out["sweep"]["principals"], 5);
    let states: Vec<(String, String)> = out["sweep"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let what = format!(
                "{} {}",
                a["remediation"]["target"]["kind"].as_str().unwrap(),
                a["remediation"]["target"]["name"].as_str().unwrap()
            );
            let state = a["executed"]["result"].as_str().or(a["skipped"].as_str()).unwrap().to_string();
            (what, state)
        })
        .collect();
    assert!(states.contains(&("role legacy-admin".into(), "done".into())), "{states:?}");
    assert!(states.contains(&("group developers".into(), "done".into())), "{states:?}");
    assert!(states.iter().any(|(w, s)| w == "role break-glass" && s.starts_with("exempt by tag")), "{states:?}");
    assert!(
        states.iter().any(|(w, s)| w.starts_with("role AWSReservedSSO_") && s.contains("Identity Center")),
        "{states:?}"
    );
    assert!(app.iam().attached(&admin_role).is_empty() && app.iam().attached(&group).is_empty());
    assert_eq!(app.iam().attached(&exempt).len(), 1, "hands off the exempt role");

    let digest = app.publisher().alerts();
    assert_eq!(digest.len(), 1);
    assert!(digest[0].subject.starts_with("[CRITICAL] IAM sweep of 111122223333:"), "{}", digest[0].subject);
    assert!(digest[0].subject.ends_with("- 2 remediated"), "{}", digest[0].subject);
    // The user inherits the group's findings; the open trust is reported.
    let text = &digest[0].text;
    assert!(text.contains("user dev-alice"), "{text}");
    assert!(text.contains("trust-public"), "{text}");
}
