//! Faults the emulator cannot produce (5xx, throttling), with aws-smithy-mocks: the SDK retries
//! transient ones; what still fails makes the invocation fail, so Lambda retries / the DLQ keeps it.

use aws_sdk_iam::operation::detach_role_policy::DetachRolePolicyOutput;
use aws_sdk_iam::operation::get_role::GetRoleOutput;
use aws_sdk_iam::types::Role;
use aws_sdk_iam::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use iam_guard::aws::SdkIam;
use iam_guard::config::{Config, Mode};
use iam_guard::guard::alert::Alert;
use iam_guard::guard::ports::{PortError, Publish};
use iam_guard::lambda::App;
use std::sync::Mutex;

#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl Publish for &Recorder {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        self.0.lock().unwrap().push(alert.subject.clone());
        Ok(())
    }
}

fn attach_event() -> serde_json::Value {
    serde_json::json!({
        "detail-type": "AWS API Call via CloudTrail", "source": "aws.iam", "id": "eb-1",
        "detail": {"eventSource": "iam.amazonaws.com", "eventName": "AttachRolePolicy", "eventID": "e-1",
                   "eventTime": "2026-11-20T10:15:30Z", "recipientAccountId": "111122223333",
                   "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/bob"},
                   "requestParameters": {"roleName": "app", "policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}}
    })
}

fn get_role_rule() -> aws_smithy_mocks::Rule {
    mock!(Client::get_role).then_output(|| {
        let role = Role::builder()
            .path("/")
            .role_name("app")
            .role_id("AROAEXAMPLE")
            .arn("arn:aws:iam::111122223333:role/app")
            .create_date(aws_sdk_iam::primitives::DateTime::from_secs(0))
            .build()
            .unwrap();
        GetRoleOutput::builder().role(role).build()
    })
}

/// GetPolicy of the AWS managed policy: IAM names no newer default version (the embedded one is
/// judged).
fn get_policy_rule() -> aws_smithy_mocks::Rule {
    mock!(Client::get_policy).then_output(|| aws_sdk_iam::operation::get_policy::GetPolicyOutput::builder().build())
}

fn client(rules: &[&aws_smithy_mocks::Rule]) -> Client {
    mock_client!(aws_sdk_iam, RuleMode::MatchAny, rules, |c| c
        .retry_config(aws_sdk_iam::config::retry::RetryConfig::standard().with_max_attempts(3)))
}

#[tokio::test]
async fn transient_5xx_is_retried_by_the_sdk_and_the_detach_succeeds() {
    let get_role = get_role_rule();
    let detach = mock!(Client::detach_role_policy)
        .sequence()
        .http_status(503, None)
        .http_status(503, None)
        .output(|| DetachRolePolicyOutput::builder().build())
        .build();
    let rec = Recorder::default();
    let app = App::new(
        Config { mode: Mode::Enforce, ..Config::default() },
        None,
        SdkIam::from_client(client(&[&get_policy_rule(), &get_role, &detach])),
        &rec,
    );
    let out = serde_json::to_value(app.handle(attach_event()).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["executed"]["result"], "done");
    assert_eq!(detach.num_calls(), 3, "two 503s retried, then success");
    assert_eq!(rec.0.lock().unwrap().as_slice(), ["[HIGH] AmazonS3FullAccess attached to role app - detached"]);
}

#[tokio::test]
async fn persistent_failure_fails_the_invocation_and_sends_no_false_alert() {
    let get_role = get_role_rule();
    let detach = mock!(Client::detach_role_policy).sequence().http_status(503, None).times(10).build();
    let rec = Recorder::default();
    let app = App::new(
        Config { mode: Mode::Enforce, ..Config::default() },
        None,
        SdkIam::from_client(client(&[&get_policy_rule(), &get_role, &detach])),
        &rec,
    );
    let error = app.handle(attach_event()).await.unwrap_err();
    let err = error.to_string();
    assert!(
        err.starts_with("1 of 1 deliveries failed: detach arn:aws:iam::aws:policy/AmazonS3FullAccess from role app"),
        "{err}"
    );
    // The SDK's own error is kept under the guard's, not flattened into text.
    let mut chain = Vec::new();
    let mut at: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(e) = at {
        chain.push(format!("{e:?}"));
        at = e.source();
    }
    assert!(chain.iter().any(|e| e.starts_with("Port(Sdk {")), "the port error: {chain:#?}");
    assert!(chain.iter().any(|e| e.starts_with("ServiceError")), "the SDK's error as a source: {chain:#?}");
    assert_eq!(detach.num_calls(), 3, "the SDK's attempts, then give up");
    assert!(rec.0.lock().unwrap().is_empty(), "no alert claims a detach that did not happen");
}

#[tokio::test]
async fn throttling_is_retried() {
    let get_role = get_role_rule();
    let throttled = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>"#;
    let detach = mock!(Client::detach_role_policy)
        .sequence()
        .http_status(400, Some(throttled.to_string()))
        .output(|| DetachRolePolicyOutput::builder().build())
        .build();
    let rec = Recorder::default();
    let app = App::new(
        Config { mode: Mode::Enforce, ..Config::default() },
        None,
        SdkIam::from_client(client(&[&get_policy_rule(), &get_role, &detach])),
        &rec,
    );
    let out = serde_json::to_value(app.handle(attach_event()).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["executed"]["result"], "done");
    assert_eq!(detach.num_calls(), 2);
}
