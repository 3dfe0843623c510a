//! Alerts for chat (#29): with a chat topic (IAM_GUARD_CHAT_TOPIC_ARN), each alert also goes
//! there in AWS Chatbot's custom notification format — threaded by principal, the fix and the
//! console links as next steps — while the alert topic gets the usual e-mail text and JSON.

mod common;

use common::{event, Inbox, Moto};
use iam_guard::aws::{SdkIam, SnsPublisher};
use iam_guard::config::{Config, Mode};
use iam_guard::lambda::App;
use serde_json::json;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

#[tokio::test(flavor = "current_thread")]
async fn each_alert_also_reaches_chat_threaded_by_principal() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    iam.create_role().role_name("app").assume_role_policy_document(TRUST).send().await.unwrap();
    let alerts = Inbox::create(&sdk, "iam-guard-alerts").await;
    let chat = Inbox::create(&sdk, "iam-guard-chat").await;
    let publisher = SnsPublisher::new(&sdk, &alerts.topic_arn).with_chat_topic(Some(chat.topic_arn.clone()));
    let app = App::new(Config { mode: Mode::Alert, ..Config::default() }, None, SdkIam::new(&sdk), publisher);
    for policy in ["AmazonS3FullAccess", "AmazonDynamoDBFullAccess"] {
        let arn = format!("arn:aws:iam::aws:policy/{policy}");
        iam.attach_role_policy().role_name("app").policy_arn(&arn).send().await.unwrap();
        let ev = event(
            "AttachRolePolicy",
            json!({"roleName": "app", "policyArn": arn}),
            json!(null),
            "arn:aws:iam::123456789012:user/ops",
        );
        app.handle(ev).await.unwrap();
    }
    assert_eq!(alerts.drain().await.len(), 2, "the alert topic as before");
    let messages = chat.drain().await;
    assert_eq!(messages.len(), 2);
    for (_, _, m) in &messages {
        assert_eq!(m["version"], "1.0");
        assert_eq!(m["source"], "custom");
        assert_eq!(m["content"]["textType"], "client-markdown");
        assert_eq!(m["metadata"]["threadId"], "iam-guard/123456789012/role app", "one thread per principal");
        let steps: Vec<&str> =
            m["content"]["nextSteps"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert!(steps[0].starts_with("Fix it yourself: `aws iam detach-role-policy --role-name app"), "{steps:?}");
        assert!(steps.iter().any(|s| s.contains("Open role app in the console")), "{steps:?}");
    }
    assert!(messages[1].2["content"]["title"].as_str().unwrap().contains("AmazonDynamoDBFullAccess"));
}
