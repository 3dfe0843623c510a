//! The sweep against moto with an account of 200+ principals built by the test.

mod common;

use common::{Inbox, Moto, ACCOUNT};
use iam_guard::aws::{SdkIam, SnsPublisher};
use iam_guard::config::{Config, Mode};
use iam_guard::lambda::App;
use std::process::Command;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const PUBLIC: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#;

fn aws(name: &str) -> String {
    format!("arn:aws:iam::aws:policy/{name}")
}

async fn role(iam: &aws_sdk_iam::Client, name: &str, path: &str, trust: &str, policies: &[String]) {
    iam.create_role().role_name(name).path(path).assume_role_policy_document(trust).send().await.unwrap();
    for p in policies {
        iam.attach_role_policy().role_name(name).policy_arn(p).send().await.unwrap();
    }
}

async fn attached_roles(iam: &aws_sdk_iam::Client, name: &str) -> usize {
    iam.list_attached_role_policies().role_name(name).send().await.unwrap().attached_policies.unwrap_or_default().len()
}

/// `iam-guard sweep --format FORMAT` against moto, as a user with an endpoint override runs it.
fn sweep_cli(moto: &Moto, format: &str) -> std::process::Output {
    moto.command(env!("CARGO_BIN_EXE_iam-guard")).args(["sweep", "--format", format]).output().unwrap()
}

const PLATFORM: &[&str] = &[
    "OrganizationAccountAccessRole",
    "AWSControlTowerExecution",
    "cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1",
    "stacksets-exec-4f5e0b1a2c3d4e5f60718293a4b5c6d7",
];

/// The account of the 209-principal sweep: clean roles, logging roles, S3 and admin roles,
/// platform, exempt, SSO and service-linked roles, customer managed DynamoDB access, a public
/// trust, users (some admin) and groups (some PowerUser, with members). Returns the count.
async fn populate(iam: &aws_sdk_iam::Client) -> usize {
    let dynamo = common::create_policy(
        iam,
        "app-dynamo",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#,
    )
    .await;
    let mut n = 0;
    for i in 0..60 {
        role(iam, &format!("clean-{i}"), "/", TRUST, &[]).await;
        n += 1;
    }
    for i in 0..40 {
        role(iam, &format!("logs-{i}"), "/", TRUST, &[aws("service-role/AWSLambdaBasicExecutionRole")]).await;
        n += 1;
    }
    for i in 0..30 {
        role(iam, &format!("s3full-{i}"), "/", TRUST, &[aws("AmazonS3FullAccess")]).await;
        n += 1;
    }
    for i in 0..6 {
        role(iam, &format!("admin-{i}"), "/", TRUST, &[aws("AdministratorAccess")]).await;
        n += 1;
    }
    // Landing-zone and deployment roles: AdministratorAccess by design, never detached.
    for name in PLATFORM {
        role(iam, name, "/", TRUST, &[aws("AdministratorAccess")]).await;
        n += 1;
    }
    for i in 0..5 {
        let name = format!("exempt-{i}");
        role(iam, &name, "/", TRUST, &[aws("AdministratorAccess")]).await;
        let tag = aws_sdk_iam::types::Tag::builder()
            .key("iam-guard:exempt")
            .value("break-glass, reviewed monthly")
            .build()
            .unwrap();
        iam.tag_role().role_name(&name).tags(tag).send().await.unwrap();
        role(
            iam,
            &format!("AWSReservedSSO_Admin_{i}"),
            "/aws-reserved/sso.amazonaws.com/",
            TRUST,
            &[aws("AdministratorAccess")],
        )
        .await;
        role(
            iam,
            &format!("svc-linked-{i}"),
            "/aws-service-role/ec2.amazonaws.com/",
            TRUST,
            &[aws("AmazonS3FullAccess")],
        )
        .await;
        n += 3;
    }
    for i in 0..3 {
        role(iam, &format!("dynamo-{i}"), "/", TRUST, std::slice::from_ref(&dynamo)).await;
        n += 1;
    }
    role(iam, "partner-access", "/", PUBLIC, &[]).await;
    n += 1;
    for i in 0..40 {
        let u = format!("user-{i}");
        iam.create_user().user_name(&u).send().await.unwrap();
        if i < 10 {
            iam.attach_user_policy().user_name(&u).policy_arn(aws("AdministratorAccess")).send().await.unwrap();
        }
        n += 1;
    }
    for i in 0..10 {
        let g = format!("group-{i}");
        iam.create_group().group_name(&g).send().await.unwrap();
        if i < 5 {
            iam.attach_group_policy().group_name(&g).policy_arn(aws("PowerUserAccess")).send().await.unwrap();
        }
        n += 1;
    }
    // Members: two users hold PowerUserAccess through group-0; group-9 grants nothing.
    for (u, g) in [("user-20", "group-0"), ("user-21", "group-0"), ("user-22", "group-9")] {
        iam.add_user_to_group().user_name(u).group_name(g).send().await.unwrap();
    }
    n
}

#[tokio::test(flavor = "current_thread")]
async fn sweep_of_a_209_principal_account() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    assert_eq!(populate(&iam).await, 209);

    // 1. The CLI in alert mode: a report, nothing changed.
    let out = sweep_cli(&moto, "json");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["principals"], 209);
    assert_eq!(report["account_id"], ACCOUNT);
    let findings = report["findings"].as_array().unwrap();
    let count = |rule: &str| findings.iter().filter(|f| f["rule"] == rule).count();
    // admin: 6 admin roles + 4 platform roles + 5 exempt + 5 SSO + 10 users (AdministratorAccess), 5 groups
    // (PowerUserAccess), and the 2 users who hold PowerUserAccess through group-0.
    assert_eq!(count("admin"), 37);
    let via_group: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["policy"].as_str().unwrap().contains(" via group ")).collect();
    assert!(
        via_group.iter().all(|f| f["policy"] == "PowerUserAccess (AWS managed) via group group-0"),
        "{via_group:#?}"
    );
    let members: std::collections::BTreeSet<&str> =
        via_group.iter().map(|f| f["principal"].as_str().unwrap()).collect();
    assert_eq!(members.into_iter().collect::<Vec<_>>(), ["user user-20", "user user-21"]);
    assert!(!findings.iter().any(|f| f["principal"] == "user user-22"));
    assert_eq!(count("trust-public"), 1);
    assert!(findings.iter().any(|f| f["rule"] == "service-full-access" && f["principal"] == "role dynamo-0"));
    assert!(!findings.iter().any(|f| f["principal"].as_str().unwrap().starts_with("role clean-")));
    let actions = report["actions"].as_array().unwrap();
    assert!(actions.iter().all(|a| a["executed"].is_null()), "alert mode acts on nothing");
    assert_eq!(attached_roles(&iam, "admin-0").await, 1);
    let calls = report["iam_calls"].as_u64().unwrap();
    eprintln!("alert-mode sweep: {calls} IAM calls for 209 principals ({:.3} per principal)", calls as f64 / 209.0);
    // GetAccountAuthorizationDetails pages, and the posture's 7 reads (credential report twice,
    // password policy, summary, MFA devices, server certificates): none per principal.
    assert!(calls <= 10, "inventory pages and the posture reads only, got {calls}");

    let html = sweep_cli(&moto, "html");
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(
        html.starts_with("<!doctype html>") && html.contains("<th>Principal</th>") && html.contains("role admin-0")
    );
    // One findings row per finding (the CIS controls' table has rows of its own).
    assert_eq!(html.matches("\" data-account=").count(), findings.len());
    assert_eq!(report["controls"].as_array().unwrap().len(), 17, "the posture is assessed live too");

    // 2. The Lambda's scheduled sweep in enforce mode: detaches, hands off, one digest alert.
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let app = App::new(
        Config { mode: Mode::Enforce, ..Config::default() },
        None,
        SdkIam::new(&sdk),
        SnsPublisher::new(&sdk, &inbox.topic_arn),
    );
    let scheduled = common::scheduled_event();
    let out = serde_json::to_value(app.handle(scheduled).await.unwrap()).unwrap();
    let acted: Vec<&serde_json::Value> = out["sweep"]["actions"].as_array().unwrap().iter().collect();
    let done = acted.iter().filter(|a| a["executed"]["result"] == "done").count();
    let skipped = acted.iter().filter(|a| a["skipped"].is_string()).count();
    // 30 S3 + 6 admin roles + 3 dynamo roles + 10 users + 5 groups; 5 exempt + 5 SSO + 5
    // service-linked + 4 platform roles kept.
    assert_eq!((done, skipped), (54, 19), "{acted:#?}");
    for r in ["s3full-0", "admin-5", "dynamo-2"] {
        assert_eq!(attached_roles(&iam, r).await, 0, "{r}");
    }
    for r in ["exempt-0", "AWSReservedSSO_Admin_1", "svc-linked-2", "logs-0"].iter().chain(PLATFORM) {
        assert_eq!(attached_roles(&iam, r).await, 1, "{r} untouched");
    }
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 1, "one digest");
    assert!(alerts[0].0.starts_with(&format!("[CRITICAL] IAM sweep of {ACCOUNT}: ")), "{}", alerts[0].0);
    assert!(alerts[0].0.ends_with("- 54 remediated"), "{}", alerts[0].0);
    assert_eq!(alerts[0].1["rule"], "sweep");
    assert!(alerts[0].2["text"]
        .as_str()
        .unwrap()
        .contains("not done (exempt by tag iam-guard:exempt: break-glass, reviewed monthly)"));
    eprintln!("enforce sweep IAM calls: {}", app.iam().calls());
}

/// The escalation graph end to end: a chain built in moto, found by the live sweep, and found
/// the same by `sweep --input` on the account's get-account-authorization-details output (dumped
/// with boto3, as `aws iam get-account-authorization-details` prints it).
#[tokio::test(flavor = "current_thread")]
async fn the_live_sweep_and_a_saved_export_find_the_same_paths_to_admin() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let root_trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    role(&iam, "deployer", "/", &root_trust, &[]).await;
    let keys = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::{ACCOUNT}:user/breakglass"}}]}}"#
    );
    iam.put_role_policy().role_name("deployer").policy_name("keys").policy_document(keys).send().await.unwrap();
    iam.create_user().user_name("breakglass").send().await.unwrap();
    iam.attach_user_policy().user_name("breakglass").policy_arn(aws("AdministratorAccess")).send().await.unwrap();
    iam.create_user().user_name("dev").send().await.unwrap();
    let assume = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{ACCOUNT}:role/deployer"}}]}}"#
    );
    iam.put_user_policy().user_name("dev").policy_name("assume").policy_document(assume).send().await.unwrap();
    // An instance profile carrying an admin role, and an operator who may run SSM commands.
    role(&iam, "ec2-admin", "/", TRUST, &[aws("AdministratorAccess")]).await;
    iam.create_instance_profile().instance_profile_name("ec2-admin").send().await.unwrap();
    iam.add_role_to_instance_profile().instance_profile_name("ec2-admin").role_name("ec2-admin").send().await.unwrap();
    iam.create_user().user_name("operator").send().await.unwrap();
    let ssm = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:SendCommand","Resource":"*"}]}"#;
    iam.put_user_policy().user_name("operator").policy_name("ssm").policy_document(ssm).send().await.unwrap();
    iam.create_user().user_name("reader").send().await.unwrap();
    iam.attach_user_policy().user_name("reader").policy_arn(aws("ReadOnlyAccess")).send().await.unwrap();

    let paths = |report: &serde_json::Value| -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "escalation-path")
            .map(|f| (f["principal"].as_str().unwrap().to_string(), f["message"].as_str().unwrap().to_string()))
            .collect();
        p.sort();
        p
    };
    let live = sweep_cli(&moto, "json");
    assert!(live.status.success(), "{}", String::from_utf8_lossy(&live.stderr));
    let live = paths(&serde_json::from_slice(&live.stdout).unwrap());
    let starts: Vec<&str> = live.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(starts, ["role deployer", "user dev", "user operator"], "{live:#?}");
    assert!(
        live[2].1.contains("ssm:SendCommand on EC2 instances (instance profile ec2-admin) → role/ec2-admin"),
        "{}",
        live[2].1
    );
    assert!(
        live[1]
            .1
            .contains("user/dev → sts:AssumeRole (the trust admits the account) → role/deployer → iam:CreateAccessKey"),
        "{}",
        live[1].1
    );

    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("auth.json");
    let dump = moto
        .command(common::tool("python"))
        .args(["-c", "import boto3, json, sys; json.dump(boto3.client('iam').get_account_authorization_details(), open(sys.argv[1], 'w'), default=str)"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let offline = Command::new(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["sweep", "--input", export.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(offline.status.success(), "{}", String::from_utf8_lossy(&offline.stderr));
    assert_eq!(paths(&serde_json::from_slice(&offline.stdout).unwrap()), live);
}

#[tokio::test(flavor = "current_thread")]
async fn the_live_sweep_learns_least_privilege_from_the_trail_bucket() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    common::upload_trail(&sdk, "trail-logs", ACCOUNT).await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    role(&iam, "DynamoDBBackupRole", "/", trust, &[aws("AmazonS3FullAccess"), aws("AmazonDynamoDBFullAccess")]).await;
    let out = moto
        .command(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["sweep", "--format", "json", "--trail-bucket", "trail-logs", "--trail-days", "3650"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let suggestions = report["suggestions"].as_array().unwrap_or_else(|| panic!("{report}"));
    assert_eq!(suggestions.len(), 2, "{suggestions:?}");
    let s3 = suggestions.iter().find(|s| s["policy_arn"] == aws("AmazonS3FullAccess")).unwrap();
    assert_eq!(s3["calls"], 56);
    let text = s3["document"].to_string();
    assert!(
        text.contains("s3:PutObject") && text.contains("backups/studentData-*.json") && !text.contains("dynamodb"),
        "{text}"
    );
    // The live sweep asks IAM for each detached principal's last-accessed report; moto has no
    // such call, so the sweep says so and the records alone decide.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("DynamoDBBackupRole: IAM last-accessed data not read"), "{err}");
    // The event history instead of a bucket: moto has no LookupEvents either, and the failure
    // names the call and the region; asking for both sources is a usage error.
    let lookup = |extra: &[&str]| {
        let mut args = vec!["sweep", "--format", "json", "--lookup-regions", "us-east-1"];
        args.extend_from_slice(extra);
        moto.command(env!("CARGO_BIN_EXE_iam-guard")).args(&args).output().unwrap()
    };
    let out = lookup(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("CloudTrail LookupEvents in us-east-1"), "{err}");
    let out = lookup(&["--trail-bucket", "trail-logs"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "current_thread")]
async fn can_answers_from_the_live_account() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    role(&iam, "reader", "/", trust, &[aws("AmazonS3ReadOnlyAccess")]).await;
    let can = |action: &str| {
        moto.command(env!("CARGO_BIN_EXE_iam-guard"))
            .args(["can", &format!("arn:aws:iam::{ACCOUNT}:role/reader"), action, "arn:aws:s3:::data/k", "--live"])
            .output()
            .unwrap()
    };
    let read = can("s3:GetObject");
    assert_eq!(
        read.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&read.stdout),
        String::from_utf8_lossy(&read.stderr)
    );
    assert!(String::from_utf8_lossy(&read.stdout).contains("by AmazonS3ReadOnlyAccess Statement[0]"));
    let write = can("s3:PutObject");
    assert_eq!(write.status.code(), Some(1), "{}", String::from_utf8_lossy(&write.stdout));
}

/// A live enforce-mode sweep on moto acts on what each principal effectively holds: the role
/// whose ReadOnlyAccess boundary keeps it from admin keeps its AdministratorAccess (the report
/// says what the boundary cuts away); the unbounded one loses it.
#[tokio::test(flavor = "current_thread")]
async fn the_live_sweep_judges_each_role_within_its_boundary() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    role(&iam, "bounded-admin", "/", TRUST, &[aws("AdministratorAccess")]).await;
    iam.put_role_permissions_boundary()
        .role_name("bounded-admin")
        .permissions_boundary(aws("ReadOnlyAccess"))
        .send()
        .await
        .unwrap();
    role(&iam, "admin", "/", TRUST, &[aws("AdministratorAccess")]).await;
    let guard = iam_guard::guard::Guard::new(
        // No denylist: `denylisted-policy` is a rule on names, detaching whatever the boundary.
        iam_guard::engine::Engine::new(Config { mode: Mode::Enforce, denylist: vec![], ..Config::default() }),
        None,
    );
    let report = guard.sweep(&SdkIam::new(&sdk), Some(ACCOUNT), 2).await.unwrap();
    assert_eq!(attached_roles(&iam, "admin").await, 0, "{:#?}", report.actions);
    assert_eq!(attached_roles(&iam, "bounded-admin").await, 1, "{:#?}", report.actions);
    let cut = report
        .findings
        .iter()
        .find(|f| f.principal == "role bounded-admin" && f.finding.rule == "admin")
        .unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(cut.finding.bounded_by.as_deref(), Some("permissions boundary ReadOnlyAccess"));
    assert!(report
        .findings
        .iter()
        .filter(|f| f.principal == "role bounded-admin" && f.finding.bounded_by.is_none())
        .all(|f| f.finding.severity < iam_guard::rules::Severity::Critical));
}

#[test]
fn an_unreachable_endpoint_is_named_and_exits_4_a_bad_config_2() {
    let port = common::free_port();
    let out = Command::new(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["sweep", "--format", "json"])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("IAM_GUARD_CONFIG")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains(&format!("cannot reach AWS at http://127.0.0.1:{port} (could not connect")), "{err}");
    assert!(!err.contains("DispatchFailure"), "no debug dump: {err}");
    assert!(out.stdout.is_empty(), "no report on failure");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("guard.toml");
    std::fs::write(&bad, "mode = \"sometimes\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_iam-guard")).arg("--config").arg(&bad).arg("sweep").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("guard.toml"));
}
