//! The guard end to end against moto server: real IAM/SNS/SQS wire protocol on loopback.
//! Alerts are read back from an SQS queue subscribed to the SNS topic.

mod common;

use common::{event, upload_trail, Inbox, Moto, ACCOUNT};
use iam_guard::aws::{SdkIam, SnsPublisher};
use iam_guard::config::{Config, Mode};
use iam_guard::lambda::App;
use serde_json::json;

const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const ACTOR: &str = "arn:aws:iam::123456789012:user/ops-bob";
const GUARD_ROLE: &str = "iam-guard-GuardFunctionRole-1A2B3C";

struct Env {
    _moto: Moto,
    iam: aws_sdk_iam::Client,
    inbox: Inbox,
    app: App<SdkIam, SnsPublisher>,
}

async fn env(mode: Mode, config: Config) -> Env {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let config = Config { mode, ..config };
    let app = App::new(config, Some(GUARD_ROLE), SdkIam::new(&sdk), SnsPublisher::new(&sdk, &inbox.topic_arn));
    Env { iam: aws_sdk_iam::Client::new(&sdk), _moto: moto, inbox, app }
}

fn managed(name: &str) -> String {
    format!("arn:aws:iam::aws:policy/{name}")
}

async fn role_policies(iam: &aws_sdk_iam::Client, role: &str) -> Vec<String> {
    let mut v: Vec<String> = iam
        .list_attached_role_policies()
        .role_name(role)
        .send()
        .await
        .unwrap()
        .attached_policies
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.policy_name)
        .collect();
    v.sort();
    v
}

async fn create_role(iam: &aws_sdk_iam::Client, name: &str, path: &str) {
    iam.create_role().role_name(name).path(path).assume_role_policy_document(LAMBDA_TRUST).send().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn seed_scenario_detaches_exactly_the_four_full_access_policies() {
    let e = env(Mode::Enforce, Config::default()).await;
    create_role(&e.iam, "DynamoDBBackupRole", "/").await;
    let policies = [
        "AmazonDynamoDBFullAccess",
        "AmazonS3FullAccess",
        "AmazonSESFullAccess",
        "CloudFrontFullAccess",
        "service-role/AWSLambdaBasicExecutionRole",
    ];
    for p in policies {
        e.iam.attach_role_policy().role_name("DynamoDBBackupRole").policy_arn(managed(p)).send().await.unwrap();
    }
    let mut calls = Vec::new();
    for p in policies {
        let before = e.app.iam().calls();
        let ev = event(
            "AttachRolePolicy",
            json!({"roleName": "DynamoDBBackupRole", "policyArn": managed(p)}),
            json!(null),
            ACTOR,
        );
        e.app.handle(ev).await.unwrap();
        calls.push((p, e.app.iam().calls() - before));
    }
    eprintln!("IAM calls per attach (enforce): {calls:?}");
    assert_eq!(role_policies(&e.iam, "DynamoDBBackupRole").await, vec!["AWSLambdaBasicExecutionRole"]);
    // Judging an AWS managed policy reads its default version id (GetPolicy: the embedded
    // document is current); acting reads the role once (tags, path).
    for (p, n) in &calls {
        assert_eq!(*n, if p.contains("FullAccess") { 3 } else { 1 }, "{p}: GetPolicy, GetRole + DetachRolePolicy");
    }

    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 4, "{alerts:#?}");
    for (subject, attrs, doc) in &alerts {
        assert!(
            subject.starts_with("[HIGH] ") && subject.ends_with("attached to role DynamoDBBackupRole - detached"),
            "{subject}"
        );
        assert!(subject.len() <= 100 && subject.is_ascii());
        assert_eq!(attrs["severity"], "high");
        assert_eq!(attrs["rule"], "service-full-access");
        assert_eq!(attrs["action"], "remediated");
        assert_eq!(attrs["account"], ACCOUNT);
        assert_eq!(doc["schema"], "iam-guard.alert/1");
        assert_eq!(doc["executed"]["result"], "done");
        assert!(doc["restore_command"].as_str().unwrap().starts_with(
            "aws iam attach-role-policy --role-name DynamoDBBackupRole --policy-arn arn:aws:iam::aws:policy/"
        ));
    }
    let names: Vec<&str> = alerts.iter().map(|a| a.0.split(' ').nth(1).unwrap()).collect();
    assert_eq!(
        names,
        ["AmazonDynamoDBFullAccess", "AmazonS3FullAccess", "AmazonSESFullAccess", "CloudFrontFullAccess"]
    );
}

#[tokio::test(flavor = "current_thread")]
async fn console_admin_is_detached_and_the_access_key_alerts() {
    let e = env(Mode::Enforce, Config::default()).await;
    e.iam.create_user().user_name("console-carol").send().await.unwrap();
    e.iam.create_login_profile().user_name("console-carol").password("Tutorial-Passw0rd!").send().await.unwrap();
    e.iam
        .attach_user_policy()
        .user_name("console-carol")
        .policy_arn(managed("AdministratorAccess"))
        .send()
        .await
        .unwrap();
    let ev = event(
        "AttachUserPolicy",
        json!({"userName": "console-carol", "policyArn": managed("AdministratorAccess")}),
        json!(null),
        ACTOR,
    );
    e.app.handle(ev).await.unwrap();
    let attached = e.iam.list_attached_user_policies().user_name("console-carol").send().await.unwrap();
    assert!(attached.attached_policies.unwrap_or_default().is_empty(), "AdministratorAccess detached");

    e.iam.create_access_key().user_name("console-carol").send().await.unwrap();
    let ev = event(
        "CreateAccessKey",
        json!({"userName": "console-carol"}),
        json!({"accessKey": {"userName": "console-carol", "status": "Active"}}),
        ACTOR,
    );
    e.app.handle(ev).await.unwrap();

    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    assert_eq!(alerts[0].0, "[CRITICAL] AdministratorAccess attached to user console-carol - detached");
    assert_eq!(alerts[0].1["rule"], "admin");
    assert_eq!(alerts[0].1["severity"], "critical");
    assert_eq!(alerts[1].0, "[MEDIUM] access key created for user console-carol");
    assert_eq!(alerts[1].1["rule"], "new-credential");
    assert_eq!(alerts[1].1["action"], "alerted");
}

#[tokio::test(flavor = "current_thread")]
async fn inline_admin_is_deleted_in_enforce_mode_and_kept_in_alert_mode() {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*:*","Resource":"*"}]}"#;
    for mode in [Mode::Alert, Mode::Enforce] {
        let e = env(mode, Config::default()).await;
        create_role(&e.iam, "app-worker", "/").await;
        e.iam
            .put_role_policy()
            .role_name("app-worker")
            .policy_name("do-everything")
            .policy_document(doc)
            .send()
            .await
            .unwrap();
        let ev = event(
            "PutRolePolicy",
            json!({"roleName": "app-worker", "policyName": "do-everything", "policyDocument": doc}),
            json!(null),
            ACTOR,
        );
        e.app.handle(ev).await.unwrap();
        let names = e.iam.list_role_policies().role_name("app-worker").send().await.unwrap().policy_names;
        let alerts = e.inbox.drain().await;
        assert_eq!(alerts.len(), 1);
        let (subject, attrs, d) = &alerts[0];
        assert!(d["judged"][0]["document"].as_str().unwrap().contains("*:*"), "the alert carries the document");
        if mode == Mode::Alert {
            assert_eq!(names, vec!["do-everything"], "alert mode keeps it");
            assert_eq!(
                subject,
                "[CRITICAL] inline policy do-everything put on role app-worker - would delete in enforce mode"
            );
            assert_eq!(attrs["action"], "alerted");
            continue;
        }
        assert!(names.is_empty(), "enforce mode deleted it: {names:?}");
        assert_eq!(subject, "[CRITICAL] inline policy do-everything put on role app-worker - deleted");
        assert_eq!(attrs["action"], "remediated");
        let restore = d["restore_command"].as_str().unwrap();
        assert!(
            restore.starts_with("aws iam put-role-policy --role-name app-worker --policy-name do-everything"),
            "{restore}"
        );
        // The restore puts back exactly what was there.
        e.iam
            .put_role_policy()
            .role_name("app-worker")
            .policy_name("do-everything")
            .policy_document(d["plan"]["remediation"]["document"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        let back = e.iam.get_role_policy().role_name("app-worker").policy_name("do-everything").send().await.unwrap();
        let back = percent_encoding::percent_decode_str(back.policy_document()).decode_utf8().unwrap().to_string();
        let as_json = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
        assert_eq!(as_json(&back), as_json(doc));
        // Re-delivered: the policy is gone already, no error.
        let ev = event(
            "PutRolePolicy",
            json!({"roleName": "app-worker", "policyName": "other", "policyDocument": doc}),
            json!(null),
            ACTOR,
        );
        e.app.handle(ev).await.unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_new_key_on_an_administrator_is_deactivated_not_deleted() {
    let e = env(Mode::Enforce, Config::default()).await;
    e.iam.create_user().user_name("dev-dan").send().await.unwrap();
    e.iam.attach_user_policy().user_name("dev-dan").policy_arn(managed("AdministratorAccess")).send().await.unwrap();
    let key = e.iam.create_access_key().user_name("dev-dan").send().await.unwrap().access_key.unwrap();
    let id = key.access_key_id().to_string();
    let ev = event(
        "CreateAccessKey",
        json!({"userName": "dev-dan"}),
        json!({"accessKey": {"userName": "dev-dan", "accessKeyId": id, "status": "Active"}}),
        ACTOR,
    );
    e.app.handle(ev).await.unwrap();
    let keys = e.iam.list_access_keys().user_name("dev-dan").send().await.unwrap().access_key_metadata;
    assert_eq!(keys.len(), 1, "kept, not deleted");
    assert_eq!(keys[0].status().map(|s| s.as_str()), Some("Inactive"));
    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].0, "[CRITICAL] access key created for user dev-dan - deactivated");
    assert_eq!(
        alerts[0].2["restore_command"],
        format!("aws iam update-access-key --user-name dev-dan --access-key-id {id} --status Active")
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_console_password_for_an_administrator_is_deleted() {
    let e = env(Mode::Enforce, Config::default()).await;
    e.iam.create_user().user_name("dev-erin").send().await.unwrap();
    e.iam.attach_user_policy().user_name("dev-erin").policy_arn(managed("AdministratorAccess")).send().await.unwrap();
    e.iam.create_login_profile().user_name("dev-erin").password("Tutorial-Passw0rd!").send().await.unwrap();
    let ev = event(
        "CreateLoginProfile",
        json!({"userName": "dev-erin", "passwordResetRequired": false}),
        json!(null),
        ACTOR,
    );
    e.app.handle(ev).await.unwrap();
    let gone = e.iam.get_login_profile().user_name("dev-erin").send().await;
    assert!(gone.is_err(), "login profile deleted: {gone:?}");
    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].0, "[CRITICAL] console password created for user dev-erin - deleted");
    assert!(alerts[0].2["restore_command"]
        .as_str()
        .unwrap()
        .starts_with("aws iam create-login-profile --user-name dev-erin"));
}

#[tokio::test(flavor = "current_thread")]
async fn quarantine_attaches_deny_all_and_keeps_what_was_granted() {
    let cfg = Config::from_toml("[rules.admin]\naction = \"quarantine\"\n", "t").unwrap();
    let e = env(Mode::Enforce, cfg).await;
    create_role(&e.iam, "legacy-batch", "/").await;
    e.iam
        .attach_role_policy()
        .role_name("legacy-batch")
        .policy_arn(managed("AdministratorAccess"))
        .send()
        .await
        .unwrap();
    let ev = event(
        "AttachRolePolicy",
        json!({"roleName": "legacy-batch", "policyArn": managed("AdministratorAccess")}),
        json!(null),
        ACTOR,
    );
    e.app.handle(ev).await.unwrap();
    assert_eq!(role_policies(&e.iam, "legacy-batch").await, vec!["AWSDenyAll", "AdministratorAccess"]);
    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].0, "[CRITICAL] AdministratorAccess attached to role legacy-batch - quarantined");
    let restore = alerts[0].2["restore_command"].as_str().unwrap();
    assert_eq!(
        restore,
        "aws iam detach-role-policy --role-name legacy-batch --policy-arn arn:aws:iam::aws:policy/AWSDenyAll"
    );
    // Lifting it is the one command.
    e.iam.detach_role_policy().role_name("legacy-batch").policy_arn(managed("AWSDenyAll")).send().await.unwrap();
    assert_eq!(role_policies(&e.iam, "legacy-batch").await, vec!["AdministratorAccess"]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_public_trust_statement_is_removed_and_the_rest_kept() {
    let e = env(Mode::Enforce, Config::default()).await;
    create_role(&e.iam, "app-worker", "/").await;
    let open = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},{"Sid":"Anyone","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    e.iam.update_assume_role_policy().role_name("app-worker").policy_document(open).send().await.unwrap();
    let ev =
        event("UpdateAssumeRolePolicy", json!({"roleName": "app-worker", "policyDocument": open}), json!(null), ACTOR);
    e.app.handle(ev).await.unwrap();
    let trust = |e: &Env| {
        let iam = e.iam.clone();
        async move {
            let role = iam.get_role().role_name("app-worker").send().await.unwrap().role.unwrap();
            let text = role.assume_role_policy_document.unwrap();
            let text = percent_encoding::percent_decode_str(&text).decode_utf8().unwrap().to_string();
            serde_json::from_str::<serde_json::Value>(&text).unwrap()
        }
    };
    let now = trust(&e).await;
    let statements = now["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1, "{now}");
    assert_eq!(statements[0]["Principal"]["Service"], "lambda.amazonaws.com");
    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    let (subject, attrs, d) = &alerts[0];
    assert_eq!(subject, "[CRITICAL] trust policy of role app-worker changed - rewritten");
    assert_eq!(attrs["action"], "remediated");
    assert_eq!(d["plan"]["remediation"]["removed"], json!([1]));
    assert!(d["restore_command"]
        .as_str()
        .unwrap()
        .starts_with("aws iam update-assume-role-policy --role-name app-worker"));
    // Restoring puts back exactly the original.
    let original = d["plan"]["remediation"]["original"].as_str().unwrap();
    e.iam.update_assume_role_policy().role_name("app-worker").policy_document(original).send().await.unwrap();
    assert_eq!(trust(&e).await, serde_json::from_str::<serde_json::Value>(open).unwrap());
}

#[tokio::test(flavor = "current_thread")]
async fn a_bad_default_version_is_reverted() {
    let e = env(Mode::Enforce, Config::default()).await;
    let v1 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#;
    let v2 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let arn = common::create_policy(&e.iam, "reports-read", v1).await;
    e.iam.create_policy_version().policy_arn(&arn).policy_document(v2).set_as_default(true).send().await.unwrap();
    let ev = event(
        "CreatePolicyVersion",
        json!({"policyArn": arn, "policyDocument": v2, "setAsDefault": true}),
        json!({"policyVersion": {"versionId": "v2", "isDefaultVersion": true}}),
        ACTOR,
    );
    e.app.handle(ev).await.unwrap();
    let p = e.iam.get_policy().policy_arn(&arn).send().await.unwrap().policy.unwrap();
    assert_eq!(p.default_version_id.as_deref(), Some("v1"));
    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].0, "[HIGH] new default version of reports-read - reverted");
    assert_eq!(
        alerts[0].2["restore_command"],
        format!("aws iam set-default-policy-version --policy-arn {arn} --version-id v2")
    );
}

#[tokio::test(flavor = "current_thread")]
async fn hands_off_exempt_sso_service_linked_and_own_role() {
    let cfg = Config::from_toml(
        "[[exemptions]]\nprincipal = \"arn:aws:iam::*:role/break-glass\"\nreason = \"INC-42 emergency access\"\n",
        "test",
    )
    .unwrap();
    let e = env(Mode::Enforce, cfg).await;
    create_role(&e.iam, "tagged-exempt", "/").await;
    e.iam
        .tag_role()
        .role_name("tagged-exempt")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("iam-guard:exempt")
                .value("data migration until Friday")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    create_role(&e.iam, "break-glass", "/").await;
    create_role(&e.iam, "AWSReservedSSO_AdministratorAccess_0123abcd", "/aws-reserved/sso.amazonaws.com/").await;
    create_role(&e.iam, "ec2-helper", "/aws-service-role/ec2.amazonaws.com/").await;
    create_role(&e.iam, "app-worker", "/").await;
    let roles = ["tagged-exempt", "break-glass", "AWSReservedSSO_AdministratorAccess_0123abcd", "ec2-helper"];
    for r in roles.iter().chain(["app-worker"].iter()) {
        e.iam.attach_role_policy().role_name(*r).policy_arn(managed("AdministratorAccess")).send().await.unwrap();
    }
    for r in roles {
        let ev = event(
            "AttachRolePolicy",
            json!({"roleName": r, "policyArn": managed("AdministratorAccess")}),
            json!(null),
            ACTOR,
        );
        e.app.handle(ev).await.unwrap();
    }
    // The guard's own change (e.g. replayed by CloudTrail) is ignored entirely.
    let own = event(
        "AttachRolePolicy",
        json!({"roleName": "app-worker", "policyArn": managed("AdministratorAccess")}),
        json!(null),
        &format!("arn:aws:sts::{ACCOUNT}:assumed-role/{GUARD_ROLE}/session"),
    );
    let mut own = own;
    own["detail"]["userIdentity"] = json!({"type": "AssumedRole", "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{GUARD_ROLE}/s"),
        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{ACCOUNT}:role/{GUARD_ROLE}")}}});
    e.app.handle(own).await.unwrap();

    for r in roles.iter().chain(["app-worker"].iter()) {
        assert_eq!(role_policies(&e.iam, r).await, vec!["AdministratorAccess"], "{r} untouched");
    }
    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 4, "one per hands-off role, none for the guard's own change: {alerts:#?}");
    let texts: Vec<String> = alerts.iter().map(|a| a.2["plan"]["why"].as_str().unwrap().to_string()).collect();
    assert!(texts[0].contains("exempt by tag iam-guard:exempt: data migration until Friday"), "{}", texts[0]);
    assert!(texts[1].contains("INC-42 emergency access"), "{}", texts[1]);
    assert!(texts[2].contains("AWSReservedSSO_"), "{}", texts[2]);
    assert!(texts[3].contains("/aws-service-role/"), "{}", texts[3]);
    for (subject, attrs, _) in &alerts {
        assert_eq!(attrs["action"], "skipped");
        assert!(subject.ends_with("- not remediated"), "{subject}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn alert_mode_changes_nothing_and_reads_nothing() {
    let e = env(Mode::Alert, Config::default()).await;
    create_role(&e.iam, "app-worker", "/").await;
    e.iam.attach_role_policy().role_name("app-worker").policy_arn(managed("AmazonS3FullAccess")).send().await.unwrap();
    let ev = event(
        "AttachRolePolicy",
        json!({"roleName": "app-worker", "policyArn": managed("AmazonS3FullAccess")}),
        json!(null),
        ACTOR,
    );
    e.app.handle(ev).await.unwrap();
    assert_eq!(role_policies(&e.iam, "app-worker").await, vec!["AmazonS3FullAccess"]);
    assert_eq!(e.app.iam().calls(), 1, "an AWS managed attach: one GetPolicy, the document embedded");
    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].0, "[HIGH] AmazonS3FullAccess attached to role app-worker - would detach in enforce mode");
    assert_eq!(alerts[0].1["action"], "alerted");
}

#[tokio::test(flavor = "current_thread")]
async fn duplicate_delivery_detaches_once_without_error() {
    let e = env(Mode::Enforce, Config::default()).await;
    create_role(&e.iam, "app-worker", "/").await;
    e.iam.attach_role_policy().role_name("app-worker").policy_arn(managed("AmazonS3FullAccess")).send().await.unwrap();
    let ev = event(
        "AttachRolePolicy",
        json!({"roleName": "app-worker", "policyArn": managed("AmazonS3FullAccess")}),
        json!(null),
        ACTOR,
    );
    let first = serde_json::to_value(e.app.handle(ev.clone()).await.unwrap()).unwrap();
    let second = serde_json::to_value(e.app.handle(ev).await.unwrap()).unwrap();
    assert_eq!(first["handled"][0]["executed"]["result"], "done");
    assert_eq!(second["handled"][0]["executed"]["result"], "already_done");
    assert!(role_policies(&e.iam, "app-worker").await.is_empty());
    let alerts = e.inbox.drain().await;
    assert_eq!(alerts.len(), 2, "each delivery alerts; subscribers de-duplicate on event.id");
    assert_eq!(alerts[0].2["event"]["id"], alerts[1].2["event"]["id"]);
    assert!(alerts[1].0.ends_with("- already detached"), "{}", alerts[1].0);
}

#[tokio::test(flavor = "current_thread")]
async fn customer_managed_policy_is_read_from_iam() {
    let e = env(Mode::Enforce, Config::default()).await;
    create_role(&e.iam, "app-worker", "/").await;
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#;
    let arn = common::create_policy(&e.iam, "app-dynamo", doc).await;
    e.iam.attach_role_policy().role_name("app-worker").policy_arn(&arn).send().await.unwrap();
    let ev = event("AttachRolePolicy", json!({"roleName": "app-worker", "policyArn": arn}), json!(null), ACTOR);
    e.app.handle(ev).await.unwrap();
    assert!(role_policies(&e.iam, "app-worker").await.is_empty(), "dynamodb:* on * detached");
    // GetPolicy + GetPolicyVersion to judge, GetRole + DetachRolePolicy to act, then one
    // GetAccountAuthorizationDetails page for the escalation graph.
    assert_eq!(e.app.iam().calls(), 5);
    let alerts = e.inbox.drain().await;
    assert_eq!(alerts[0].0, "[HIGH] app-dynamo attached to role app-worker - detached");
}

#[tokio::test(flavor = "current_thread")]
async fn replace_learns_from_the_trail_bucket_and_leaves_the_backup_role_working() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    upload_trail(&sdk, "org-trail-logs", ACCOUNT).await;
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let mut config = Config { mode: Mode::Enforce, ..Config::default() };
    for rule in ["service-full-access", "denylisted-policy"] {
        config.rules.insert(
            rule.into(),
            iam_guard::config::RuleConfig {
                enabled: true,
                severity: None,
                action: Some(iam_guard::rules::RuleAction::Replace),
            },
        );
    }
    let trail = iam_guard::aws::SdkTrail::new(&sdk, "org-trail-logs", None, None);
    let iam = SdkIam::new(&sdk).with_trail(std::sync::Arc::new(trail));
    let app = App::new(config, Some(GUARD_ROLE), iam, SnsPublisher::new(&sdk, &inbox.topic_arn));
    let client = aws_sdk_iam::Client::new(&sdk);
    create_role(&client, "DynamoDBBackupRole", "/").await;
    let policies = ["AmazonDynamoDBFullAccess", "AmazonS3FullAccess", "CloudFrontFullAccess"];
    for p in policies {
        client.attach_role_policy().role_name("DynamoDBBackupRole").policy_arn(managed(p)).send().await.unwrap();
        let ev = event(
            "AttachRolePolicy",
            json!({"roleName": "DynamoDBBackupRole", "policyArn": managed(p)}),
            json!(null),
            ACTOR,
        );
        app.handle(ev).await.unwrap();
    }
    assert!(role_policies(&client, "DynamoDBBackupRole").await.is_empty());
    let inline = client.list_role_policies().role_name("DynamoDBBackupRole").send().await.unwrap().policy_names;
    assert_eq!(
        inline,
        ["iam-guard-least-privilege-AmazonDynamoDBFullAccess", "iam-guard-least-privilege-AmazonS3FullAccess"]
    );
    let s3 = client
        .get_role_policy()
        .role_name("DynamoDBBackupRole")
        .policy_name("iam-guard-least-privilege-AmazonS3FullAccess")
        .send()
        .await
        .unwrap()
        .policy_document;
    let s3 = iam_guard::policy::PolicyDocument::parse(&s3).unwrap();
    let ctx = iam_guard::eval::request::Context::default();
    let tomorrow = format!("arn:aws:s3:::student-backups-{ACCOUNT}/backups/studentData-2026-11-21.json");
    let ask = |action| {
        let held = [iam_guard::eval::request::Held { label: "learned", doc: &s3 }];
        let req = iam_guard::eval::request::Request { action, resource: &tomorrow, context: &ctx };
        iam_guard::eval::request::authorize(&req, &held, None, &[]).decision
    };
    assert_eq!(ask("s3:PutObject"), iam_guard::eval::request::Decision::Allowed);
    assert_eq!(ask("s3:DeleteObject"), iam_guard::eval::request::Decision::ImplicitDeny);
    let subjects: Vec<String> = inbox.drain().await.into_iter().map(|(s, _, _)| s).collect();
    assert_eq!(subjects.iter().filter(|s| s.ends_with("- replaced")).count(), 2, "{subjects:?}");
    assert_eq!(subjects.iter().filter(|s| s.ends_with("- detached")).count(), 1, "{subjects:?}");
}
