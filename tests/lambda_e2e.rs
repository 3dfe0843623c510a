//! The demo's path as a test: the real Lambda binary under `cargo lambda watch` (the Lambda
//! runtime API emulator), events sent with `cargo lambda invoke`, moto server as IAM/SNS/SQS.

mod common;

use common::{Inbox, Moto};
use std::path::Path;

fn invoke(port: u16, file: &Path) -> serde_json::Value {
    common::lambda_watch::invoke(port, file).unwrap_or_else(|e| panic!("invoke {} failed: {e}", file.display()))
}

/// The seed tutorials' principals, as the tutorials create them: DynamoDBBackupRole with four
/// FullAccess policies and basic execution, console-carol with AdministratorAccess.
async fn seed_principals(iam: &aws_sdk_iam::Client) {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    iam.create_role().role_name("DynamoDBBackupRole").assume_role_policy_document(trust).send().await.unwrap();
    for p in [
        "AmazonDynamoDBFullAccess",
        "AmazonS3FullAccess",
        "AmazonSESFullAccess",
        "CloudFrontFullAccess",
        "service-role/AWSLambdaBasicExecutionRole",
    ] {
        iam.attach_role_policy()
            .role_name("DynamoDBBackupRole")
            .policy_arn(format!("arn:aws:iam::aws:policy/{p}"))
            .send()
            .await
            .unwrap();
    }
    iam.create_user().user_name("console-carol").send().await.unwrap();
    iam.attach_user_policy()
        .user_name("console-carol")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn lambda_under_the_runtime_emulator_replaces_detaches_and_alerts() {
    // The demo's path: the backup function's trail in an emulated bucket, `replace` for the
    // FullAccess rules, the seed scenarios' events through the runtime emulator.
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    common::upload_trail(&sdk, "demo-trail", "111122223333").await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    seed_principals(&iam).await;

    let dir = tempfile::tempdir().unwrap();
    let env_file = common::lambda_watch::env_file(
        dir.path(),
        &moto.endpoint,
        &inbox.topic_arn,
        &[
            "IAM_GUARD_MODE=enforce",
            "RUST_LOG=info",
            "IAM_GUARD_TRAIL_BUCKET=demo-trail",
            "IAM_GUARD_REPLACE_RULES=service-full-access,denylisted-policy",
        ],
    );
    let (watch, port) = common::lambda_watch::start(dir.path(), &env_file);

    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("events/scenarios");
    let mut files: Vec<_> = ["dynamodb-backup-role", "console-admin"]
        .iter()
        .flat_map(|d| std::fs::read_dir(scenarios.join(d)).unwrap().map(|e| e.unwrap().path()))
        .collect();
    files.sort();
    let mut decisions = Vec::new();
    for f in &files {
        let out = invoke(port, f);
        decisions.push(out["handled"][0]["decision"].as_str().unwrap_or("?").to_string());
    }
    drop(watch);
    // console-admin/01, 02, then dynamodb-backup-role/01..05 (sorted paths).
    assert_eq!(decisions, ["remediate", "alert", "remediate", "remediate", "remediate", "remediate", "quiet"]);

    let attached = iam.list_attached_role_policies().role_name("DynamoDBBackupRole").send().await.unwrap();
    let names: Vec<_> =
        attached.attached_policies.unwrap_or_default().into_iter().filter_map(|p| p.policy_name).collect();
    assert_eq!(names, ["AWSLambdaBasicExecutionRole"]);
    let inline = iam.list_role_policies().role_name("DynamoDBBackupRole").send().await.unwrap().policy_names;
    assert_eq!(
        inline,
        [
            "iam-guard-least-privilege-AmazonDynamoDBFullAccess",
            "iam-guard-least-privilege-AmazonS3FullAccess",
            "iam-guard-least-privilege-AmazonSESFullAccess"
        ]
    );
    let user = iam.list_attached_user_policies().user_name("console-carol").send().await.unwrap();
    assert!(user.attached_policies.unwrap_or_default().is_empty());

    let alerts = inbox.drain().await;
    let subjects: Vec<&str> = alerts.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "[CRITICAL] AdministratorAccess attached to user console-carol - detached",
            "[MEDIUM] access key created for user console-carol",
            "[HIGH] AmazonDynamoDBFullAccess attached to role DynamoDBBackupRole - replaced",
            "[HIGH] AmazonS3FullAccess attached to role DynamoDBBackupRole - replaced",
            "[HIGH] AmazonSESFullAccess attached to role DynamoDBBackupRole - replaced",
            "[HIGH] CloudFrontFullAccess attached to role DynamoDBBackupRole - detached",
        ]
    );
}
