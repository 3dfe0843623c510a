//! One answer per event, undo and history against moto: DynamoDB (the ledger table as the template
//! defines it), IAM, SNS and SQS on loopback.

mod common;

use common::{event, Inbox, Moto, ACCOUNT};
use iam_guard::aws::{DynamoLedger, SdkIam, SnsPublisher};
use iam_guard::config::{Config, Mode};
use iam_guard::guard::ports::{Ledger, Snapshot};
use iam_guard::lambda::App;
use serde_json::json;

const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const ACTOR: &str = "arn:aws:iam::123456789012:user/ops-bob";
const TABLE: &str = "iam-guard-ledger";
const S3: &str = "arn:aws:iam::aws:policy/AmazonS3FullAccess";

async fn create_table(sdk: &aws_config::SdkConfig) {
    common::create_ledger_table(sdk, TABLE).await;
}

async fn attached(iam: &aws_sdk_iam::Client, role: &str) -> Vec<String> {
    let out = iam.list_attached_role_policies().role_name(role).send().await.unwrap();
    out.attached_policies.unwrap_or_default().into_iter().filter_map(|p| p.policy_arn).collect()
}

fn cli(moto: &Moto, args: &[&str]) -> std::process::Output {
    moto.command(env!("CARGO_BIN_EXE_iam-guard")).args(args).env("IAM_GUARD_TABLE", TABLE).output().unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn each_event_answered_once_then_undone() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    create_table(&sdk).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    iam.create_role().role_name("app").assume_role_policy_document(LAMBDA_TRUST).send().await.unwrap();
    let app = |topic: &str| {
        App::new(
            Config { mode: Mode::Enforce, ..Config::default() },
            None,
            SdkIam::new(&sdk),
            SnsPublisher::new(&sdk, topic),
        )
        .with_ledger(DynamoLedger::new(&sdk, TABLE))
    };
    let attach = |n: u32| {
        let mut e = event("AttachRolePolicy", json!({"roleName": "app", "policyArn": S3}), json!(null), ACTOR);
        e["detail"]["eventID"] = json!(format!("0b7c5c1e-1111-4a2b-9c3d-00000000000{n}"));
        e
    };

    // 1. Sequential re-delivery: one detach, one alert.
    let guard = app(&inbox.topic_arn);
    iam.attach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();
    let first = serde_json::to_value(guard.handle(attach(1)).await.unwrap()).unwrap();
    assert_eq!(first["handled"][0]["decision"], "remediate", "{first}");
    iam.attach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();
    let again = serde_json::to_value(guard.handle(attach(1)).await.unwrap()).unwrap();
    assert_eq!(again["handled"][0]["duplicate"], true, "{again}");
    assert_eq!(attached(&iam, "app").await, [S3], "no second detach");
    assert_eq!(inbox.drain().await.len(), 1);
    iam.detach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();

    // 2. Two deliveries of one event at the same time: one answer; the other fails (Lambda
    //    retries it) or finds it answered, and its retry is a duplicate.
    iam.attach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();
    let (a, b) = tokio::join!(guard.handle(attach(2)), guard.handle(attach(2)));
    let outcomes = [&a, &b].map(|r| match r {
        Ok(v) => serde_json::to_value(v).unwrap()["handled"][0].clone(),
        Err(e) => json!({"error": e.to_string()}),
    });
    let answered = outcomes.iter().filter(|o| o["decision"] == "remediate" && o["duplicate"].is_null()).count();
    eprintln!("concurrent deliveries: {outcomes:?}");
    assert_eq!(answered, 1, "{outcomes:?}");
    for o in &outcomes {
        if let Some(e) = o["error"].as_str() {
            assert!(e.contains("is being answered by another delivery"), "{e}");
        }
    }
    let retry = serde_json::to_value(guard.handle(attach(2)).await.unwrap()).unwrap();
    assert_eq!(retry["handled"][0]["duplicate"], true, "{retry}");
    assert_eq!(inbox.drain().await.len(), 1, "one alert for two concurrent deliveries");

    // 3. A failure between the detach and the alert: the retry completes with one alert.
    iam.attach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();
    let broken = app(&format!("arn:aws:sns:us-east-1:{ACCOUNT}:no-such-topic"));
    assert!(broken.handle(attach(3)).await.is_err(), "publish to a missing topic fails");
    assert!(attached(&iam, "app").await.is_empty(), "the detach happened");
    let retried = serde_json::to_value(guard.handle(attach(3)).await.unwrap()).unwrap();
    assert_eq!(retried["handled"][0]["executed"]["result"], "already_done", "{retried}");
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].0.ends_with("already detached"), "{}", alerts[0].0);

    // 4. Undo from the CLI puts the policy back, once; history lists both.
    let event_id = retried["handled"][0]["event_id"].as_str().unwrap().to_string();
    let out = cli(&moto, &["undo", &event_id]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("attach AmazonS3FullAccess to role app"));
    assert_eq!(attached(&iam, "app").await, [S3], "restored");
    iam.detach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();
    assert!(cli(&moto, &["undo", &event_id]).status.success(), "a second undo answers from the ledger");
    assert!(attached(&iam, "app").await.is_empty(), "and changes nothing");
    let out = cli(&moto, &["history", &format!("arn:aws:iam::{ACCOUNT}:role/app")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let decisions: Vec<&str> = lines.iter().map(|l| l["decision"].as_str().unwrap()).collect();
    assert_eq!(decisions.iter().filter(|d| **d == "remediate").count(), 3, "{decisions:?}");
    assert_eq!(decisions.iter().filter(|d| **d == "undo").count(), 1, "{decisions:?}");
    let out = cli(&moto, &["undo", "no-such-event"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no record of event no-such-event"));
}

#[tokio::test(flavor = "current_thread")]
async fn a_removed_boundary_is_put_back_from_what_the_sweep_saw() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    create_table(&sdk).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let boundary = common::create_policy(
        &iam,
        "app-boundary",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    )
    .await;
    iam.create_role()
        .role_name("bounded")
        .assume_role_policy_document(LAMBDA_TRUST)
        .permissions_boundary(&boundary)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy().role_name("bounded").policy_arn(S3).send().await.unwrap();
    let app = App::new(
        Config { mode: Mode::Alert, ..Config::default() },
        None,
        SdkIam::new(&sdk),
        SnsPublisher::new(&sdk, &inbox.topic_arn),
    )
    .with_ledger(DynamoLedger::new(&sdk, TABLE));
    let scheduled = common::scheduled_event();
    app.handle(scheduled).await.unwrap();
    // The sweep remembered the role's trust policy too (decoded from IAM's URL encoding).
    let ledger = DynamoLedger::new(&sdk, TABLE);
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/bounded");
    let trust = ledger.recall(&role_arn, Snapshot::Trust).await.unwrap().flatten().expect("trust not remembered");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&trust).unwrap()["Statement"][0]["Principal"]["Service"],
        "lambda.amazonaws.com"
    );
    assert_eq!(ledger.recall(&role_arn, Snapshot::Boundary).await.unwrap(), Some(Some(boundary.clone())));
    // Someone removes the boundary; enforce mode puts it back.
    iam.delete_role_permissions_boundary().role_name("bounded").send().await.unwrap();
    let enforce = App::new(
        Config { mode: Mode::Enforce, ..Config::default() },
        None,
        SdkIam::new(&sdk),
        SnsPublisher::new(&sdk, &inbox.topic_arn),
    )
    .with_ledger(DynamoLedger::new(&sdk, TABLE));
    let delete = event("DeleteRolePermissionsBoundary", json!({"roleName": "bounded"}), json!(null), ACTOR);
    let out = serde_json::to_value(enforce.handle(delete).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "remediate", "{out}");
    let role = iam.get_role().role_name("bounded").send().await.unwrap().role.unwrap();
    assert_eq!(role.permissions_boundary.and_then(|b| b.permissions_boundary_arn).as_deref(), Some(boundary.as_str()));
}

/// README's "calls per event" table, measured: each row is an event delivered to the Lambda's
/// App on moto (IAM and DynamoDB calls counted by the adapters); the table printed here must be
/// README's, verbatim.
#[tokio::test(flavor = "current_thread")]
async fn calls_per_event_are_the_readme_table() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    create_table(&sdk).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let app = |mode: Mode| {
        App::new(
            Config { mode, ..Config::default() },
            None,
            SdkIam::new(&sdk),
            SnsPublisher::new(&sdk, &inbox.topic_arn),
        )
        .with_ledger(DynamoLedger::new(&sdk, TABLE))
    };
    let (alert, enforce) = (app(Mode::Alert), app(Mode::Enforce));
    let boundary = common::create_policy(
        &iam,
        "app-boundary",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    )
    .await;
    let scoped = common::create_policy(
        &iam,
        "app-scoped",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    )
    .await;
    let open = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    let admin_inline = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let mut rows =
        vec!["| event (enforce unless said) | IAM calls | DynamoDB calls |".to_string(), "|---|---|---|".to_string()];
    macro_rules! measure {
        ($app:expr, $label:expr, $event:expr, $decision:expr) => {{
            let (i, d) = ($app.iam().calls(), $app.ledger().calls());
            let out = serde_json::to_value($app.handle($event).await.unwrap()).unwrap();
            let got = &out["handled"][0];
            let decision = if got["duplicate"] == true { "duplicate" } else { got["decision"].as_str().unwrap() };
            assert_eq!(decision, $decision, "{}: {out}", $label);
            rows.push(format!("| {} | {} | {} |", $label, $app.iam().calls() - i, $app.ledger().calls() - d));
        }};
    }
    // CreateRole: the trust is judged from the event and remembered.
    iam.create_role().role_name("app").assume_role_policy_document(LAMBDA_TRUST).send().await.unwrap();
    let create = event(
        "CreateRole",
        json!({"roleName": "app", "path": "/", "assumeRolePolicyDocument": LAMBDA_TRUST}),
        json!(null),
        ACTOR,
    );
    measure!(enforce, "CreateRole, a service trust", create, "clean");
    let attach =
        |arn: &str| event("AttachRolePolicy", json!({"roleName": "app", "policyArn": arn}), json!(null), ACTOR);
    iam.attach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();
    measure!(alert, "AttachRolePolicy AmazonS3FullAccess, alert mode", attach(S3), "alert");
    measure!(alert, "the same event delivered again", attach(S3), "duplicate");
    let mut again = attach(S3);
    again["detail"]["eventID"] = json!("second-attach");
    measure!(enforce, "AttachRolePolicy AmazonS3FullAccess (detached)", again, "remediate");
    iam.attach_role_policy().role_name("app").policy_arn(&scoped).send().await.unwrap();
    measure!(alert, "AttachRolePolicy, a customer managed policy, alert mode", attach(&scoped), "clean");
    let put_inline = json!({"roleName": "app", "policyName": "all", "policyDocument": admin_inline});
    iam.put_role_policy().role_name("app").policy_name("all").policy_document(admin_inline).send().await.unwrap();
    measure!(
        enforce,
        "PutRolePolicy `*` (deleted)",
        event("PutRolePolicy", put_inline, json!(null), ACTOR),
        "remediate"
    );
    iam.update_assume_role_policy().role_name("app").policy_document(open).send().await.unwrap();
    let update =
        event("UpdateAssumeRolePolicy", json!({"roleName": "app", "policyDocument": open}), json!(null), ACTOR);
    measure!(enforce, "UpdateAssumeRolePolicy `Principal *` (rewritten)", update, "remediate");
    iam.put_role_permissions_boundary().role_name("app").permissions_boundary(&boundary).send().await.unwrap();
    let put = event(
        "PutRolePermissionsBoundary",
        json!({"roleName": "app", "permissionsBoundary": boundary}),
        json!(null),
        ACTOR,
    );
    measure!(enforce, "PutRolePermissionsBoundary", put, "quiet");
    iam.attach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();
    // The ledger remembers the boundary: the attach is judged within it (its document read).
    let mut bounded = attach(S3);
    bounded["detail"]["eventID"] = json!("bounded-attach");
    measure!(
        alert,
        "AttachRolePolicy AmazonS3FullAccess, bounded by a customer managed policy, alert mode",
        bounded,
        "alert"
    );
    iam.delete_role_permissions_boundary().role_name("app").send().await.unwrap();
    let delete = event("DeleteRolePermissionsBoundary", json!({"roleName": "app"}), json!(null), ACTOR);
    measure!(enforce, "DeleteRolePermissionsBoundary, holding S3 full access (put back)", delete, "remediate");
    let table = rows.join("\n");
    eprintln!("{table}");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains(&table), "README's calls-per-event table differs from what was measured:\n{table}");
}

/// Each kind of remediation in enforce mode, then `iam-guard undo` from the CLI: IAM as it was
/// before the guard acted (inline policy, trust policy, access key; the detach is covered above).
#[tokio::test(flavor = "current_thread")]
async fn each_kind_is_undone_by_the_cli_to_the_state_before_the_guard_acted() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    create_table(&sdk).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let app = App::new(
        Config { mode: Mode::Enforce, ..Config::default() },
        None,
        SdkIam::new(&sdk),
        SnsPublisher::new(&sdk, &inbox.topic_arn),
    )
    .with_ledger(DynamoLedger::new(&sdk, TABLE));
    let json_of = |text: &str| -> serde_json::Value {
        let plain = percent_encoding::percent_decode_str(text).decode_utf8().unwrap().to_string();
        serde_json::from_str(&plain).unwrap()
    };
    let undo = |id: &str| {
        let out = cli(&moto, &["undo", id]);
        assert!(out.status.success(), "undo {id}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let handled = |out: iam_guard::lambda::Reply| serde_json::to_value(out).unwrap()["handled"][0].clone();
    iam.create_role().role_name("app").assume_role_policy_document(LAMBDA_TRUST).send().await.unwrap();
    iam.create_user().user_name("dev").send().await.unwrap();

    // Inline `*` on a role: deleted, then put back verbatim.
    let admin = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    iam.put_role_policy().role_name("app").policy_name("all").policy_document(admin).send().await.unwrap();
    let ev = event(
        "PutRolePolicy",
        json!({"roleName": "app", "policyName": "all", "policyDocument": admin}),
        json!(null),
        ACTOR,
    );
    let h = handled(app.handle(ev).await.unwrap());
    assert_eq!(h["decision"], "remediate", "{h}");
    assert!(iam.get_role_policy().role_name("app").policy_name("all").send().await.is_err(), "deleted");
    undo(h["event_id"].as_str().unwrap());
    let back = iam.get_role_policy().role_name("app").policy_name("all").send().await.unwrap();
    assert_eq!(json_of(back.policy_document()), json_of(admin));
    iam.delete_role_policy().role_name("app").policy_name("all").send().await.unwrap();

    // A trust opened to everyone: rewritten, then the opened one put back (the state the change left).
    let open = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    iam.update_assume_role_policy().role_name("app").policy_document(open).send().await.unwrap();
    let ev = event("UpdateAssumeRolePolicy", json!({"roleName": "app", "policyDocument": open}), json!(null), ACTOR);
    let h = handled(app.handle(ev).await.unwrap());
    assert_eq!(h["decision"], "remediate", "{h}");
    let trust = || async {
        let role = iam.get_role().role_name("app").send().await.unwrap().role.unwrap();
        json_of(&role.assume_role_policy_document.unwrap())
    };
    assert_eq!(trust().await["Statement"].as_array().unwrap().len(), 1);
    undo(h["event_id"].as_str().unwrap());
    assert_eq!(trust().await, json_of(open));

    // A new access key for a user holding admin: deactivated, then active again.
    iam.attach_user_policy()
        .user_name("dev")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    let key = iam.create_access_key().user_name("dev").send().await.unwrap().access_key.unwrap();
    let ev = event(
        "CreateAccessKey",
        json!({"userName": "dev"}),
        json!({"accessKey": {"accessKeyId": key.access_key_id(), "status": "Active", "userName": "dev"}}),
        ACTOR,
    );
    let h = handled(app.handle(ev).await.unwrap());
    assert_eq!(h["decision"], "remediate", "{h}");
    let status = || async {
        let keys = iam.list_access_keys().user_name("dev").send().await.unwrap();
        keys.access_key_metadata()[0].status().unwrap().as_str().to_string()
    };
    assert_eq!(status().await, "Inactive");
    undo(h["event_id"].as_str().unwrap());
    assert_eq!(status().await, "Active");
}
