//! The hub acting in the organization's member accounts, against moto (which keeps IAM per
//! account: an AssumeRole into `arn:aws:iam::ACCOUNT:role/…` acts in that account).

mod common;

use common::{event, Inbox, Moto, ACCOUNT};
use iam_guard::aws::{SdkIam, SdkMembers, SnsPublisher};
use iam_guard::config::{Config, Mode};
use iam_guard::lambda::App;
use serde_json::json;

const MEMBER: &str = "222233334444";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const ACTOR: &str = "arn:aws:iam::222233334444:user/ops-bob";

/// IAM in `account`, as its iam-guard-member role (what the spoke stack creates there).
async fn iam_in(sdk: &aws_config::SdkConfig, account: &str) -> aws_sdk_iam::Client {
    let provider =
        aws_config::sts::AssumeRoleProvider::builder(format!("arn:aws:iam::{account}:role/iam-guard-member"))
            .session_name("test-setup")
            .configure(sdk)
            .build()
            .await;
    let shared = aws_credential_types::provider::SharedCredentialsProvider::new(provider);
    aws_sdk_iam::Client::new(&sdk.to_builder().credentials_provider(shared).build())
}

async fn attached(iam: &aws_sdk_iam::Client, role: &str) -> Vec<String> {
    let out = iam.list_attached_role_policies().role_name(role).send().await.unwrap();
    out.attached_policies.unwrap_or_default().into_iter().filter_map(|p| p.policy_arn).collect()
}

/// The Lambda application of a hub in moto's default account, alerts to `inbox`.
fn hub(
    sdk: &aws_config::SdkConfig,
    inbox: &Inbox,
    config: Config,
) -> App<SdkIam, SnsPublisher, iam_guard::guard::ledger::NoLedger, SdkMembers> {
    App::new(config, None, SdkIam::new(sdk), SnsPublisher::new(sdk, &inbox.topic_arn))
        .with_members(ACCOUNT, SdkMembers::new(sdk, "iam-guard-member"))
}

/// A new account in moto's organization (created by the caller); its id.
async fn new_account(orgs: &aws_sdk_organizations::Client, name: &str) -> String {
    let out = orgs.create_account().account_name(name).email(format!("{name}@example.com")).send().await.unwrap();
    out.create_account_status.unwrap().account_id.unwrap()
}

/// moto's organization with SCPs enabled and one member account, "prod", under an SCP denying S3
/// (`deny-s3`); the member's id.
async fn organization_with_deny_s3(sdk: &aws_config::SdkConfig) -> String {
    let orgs = aws_sdk_organizations::Client::new(sdk);
    orgs.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let root = orgs.list_roots().send().await.unwrap().roots.unwrap().remove(0).id.unwrap();
    let _ = orgs
        .enable_policy_type()
        .root_id(&root)
        .policy_type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await;
    let member = new_account(&orgs, "prod").await;
    let deny_s3 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"#;
    let scp = orgs
        .create_policy()
        .name("deny-s3")
        .description("no S3 in prod")
        .content(deny_s3)
        .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let scp_id = scp.policy.unwrap().policy_summary.unwrap().id.unwrap();
    orgs.attach_policy().policy_id(&scp_id).target_id(&member).send().await.unwrap();
    member
}

/// An event recorded in the member account, as the spoke forwards it to the hub bus.
fn member_event(name: &str, request: serde_json::Value, id: &str) -> serde_json::Value {
    let mut e = event(name, request, json!(null), ACTOR);
    e["account"] = json!(MEMBER);
    e["detail"]["recipientAccountId"] = json!(MEMBER);
    e["detail"]["userIdentity"]["accountId"] = json!(MEMBER);
    e["detail"]["eventID"] = json!(id);
    e
}

#[tokio::test(flavor = "current_thread")]
async fn an_event_from_a_member_account_is_remediated_there_only() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let home = aws_sdk_iam::Client::new(&sdk);
    let member = iam_in(&sdk, MEMBER).await;
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    // The same role name, holding AdministratorAccess, in both accounts.
    for iam in [&home, &member] {
        iam.create_role().role_name("app").assume_role_policy_document(TRUST).send().await.unwrap();
        iam.attach_role_policy().role_name("app").policy_arn(ADMIN).send().await.unwrap();
        iam.create_role()
            .role_name("OrganizationAccountAccessRole")
            .assume_role_policy_document(TRUST)
            .send()
            .await
            .unwrap();
        iam.attach_role_policy().role_name("OrganizationAccountAccessRole").policy_arn(ADMIN).send().await.unwrap();
    }
    let app = hub(&sdk, &inbox, Config { mode: Mode::Enforce, ..Config::default() });

    let attach = member_event("AttachRolePolicy", json!({"roleName": "app", "policyArn": ADMIN}), "m-1");
    let out = serde_json::to_value(app.handle(attach).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "remediate", "{out}");
    assert!(attached(&member, "app").await.is_empty(), "detached in the member account");
    assert_eq!(attached(&home, "app").await, [ADMIN], "the hub's own account untouched");
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].1["account"], MEMBER, "{:?}", alerts[0].1);

    // A landing-zone role in the member account: alerted, never touched, even in enforce mode.
    let platform = member_event(
        "AttachRolePolicy",
        json!({"roleName": "OrganizationAccountAccessRole", "policyArn": ADMIN}),
        "m-2",
    );
    let out = serde_json::to_value(app.handle(platform).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "alert", "{out}");
    assert_eq!(attached(&member, "OrganizationAccountAccessRole").await, [ADMIN]);
    assert_eq!(app.members().accounts(), 1, "one session per account, not per event");

    // An event of the hub's own account goes to its own IAM, not through a member role.
    let own = event(
        "AttachRolePolicy",
        json!({"roleName": "app", "policyArn": ADMIN}),
        json!(null),
        "arn:aws:iam::123456789012:user/ops-bob",
    );
    let out = serde_json::to_value(app.handle(own).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "remediate", "{out}");
    assert!(attached(&home, "app").await.is_empty());
    assert_eq!(app.members().accounts(), 1);

    // A malformed account id is an error naming it (Lambda retries, then the DLQ keeps it).
    let mut bad = member_event("AttachRolePolicy", json!({"roleName": "app", "policyArn": ADMIN}), "m-3");
    bad["account"] = json!("not-an-account");
    bad["detail"]["recipientAccountId"] = json!("not-an-account");
    let e = app.handle(bad).await.unwrap_err().to_string();
    assert!(e.contains("not an account id"), "{e}");
}

/// `iam-guard sweep --organization` against moto's Organizations: every account listed, each
/// swept through its member role, one report with account ids, HTML with an account filter.
#[tokio::test(flavor = "current_thread")]
async fn the_organization_sweep_covers_every_account() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let orgs = aws_sdk_organizations::Client::new(&sdk);
    orgs.create_organization().send().await.unwrap();
    let mut members = Vec::new();
    for name in ["prod", "dev"] {
        members.push(new_account(&orgs, name).await);
    }
    for (i, id) in members.iter().enumerate() {
        let iam = iam_in(&sdk, id).await;
        let role = format!("app-{i}");
        iam.create_role().role_name(&role).assume_role_policy_document(TRUST).send().await.unwrap();
        iam.attach_role_policy().role_name(&role).policy_arn(ADMIN).send().await.unwrap();
    }
    // Cross-account trusts from member 0: one to a sister account, one outside the organization.
    let iam0 = iam_in(&sdk, &members[0]).await;
    for (name, account) in [("from-sister", members[1].as_str()), ("from-stranger", "999988887777")] {
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        iam0.create_role().role_name(name).assume_role_policy_document(trust).send().await.unwrap();
    }
    let home = aws_sdk_iam::Client::new(&sdk);
    home.create_role().role_name("hub-app").assume_role_policy_document(TRUST).send().await.unwrap();
    home.attach_role_policy().role_name("hub-app").policy_arn(ADMIN).send().await.unwrap();

    let run = |format: &str| {
        moto.command(env!("CARGO_BIN_EXE_iam-guard"))
            .args(["sweep", "--organization", "--format", format])
            .output()
            .unwrap()
    };
    let out = run("json");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["account_id"].as_str().unwrap().starts_with("o-"), "{}", report["account_id"]);
    let accounts = report["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3, "{accounts:#?}");
    assert!(accounts.iter().all(|a| a["error"].is_null()), "{accounts:#?}");
    let admin_in = |id: &str, principal: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "admin" && f["account_id"] == id && f["principal"] == principal)
    };
    assert!(admin_in(ACCOUNT, "role hub-app"));
    assert!(admin_in(&members[0], "role app-0") && admin_in(&members[1], "role app-1"));
    assert!(!admin_in(&members[0], "role app-1"), "each account's own principals only");
    let cross = |principal: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "trust-cross-account" && f["principal"] == principal)
    };
    assert!(cross("role from-stranger"), "a trust outside the organization is flagged");
    assert!(!cross("role from-sister"), "accounts of the organization count as known");
    let html = String::from_utf8(run("html").stdout).unwrap();
    assert!(
        html.contains("<select id=\"f-account\" aria-label=\"Account\">")
            && html.contains(&format!("data-account=\"{}\"", members[1]))
    );
}

/// `[[accounts]] ous = [...]`: enforce under the production OU (at any depth), alert elsewhere;
/// the OUs come from moto's Organizations (ListParents), in the org sweep (CLI) and on the
/// Lambda's event path alike.
#[tokio::test(flavor = "current_thread")]
async fn per_ou_configuration_enforces_under_the_production_ou_only() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let orgs = aws_sdk_organizations::Client::new(&sdk);
    orgs.create_organization().send().await.unwrap();
    let root = orgs.list_roots().send().await.unwrap().roots.unwrap()[0].id.clone().unwrap();
    let ou = |name: &'static str, parent: String| {
        let orgs = orgs.clone();
        async move {
            let out = orgs.create_organizational_unit().parent_id(parent).name(name).send().await.unwrap();
            out.organizational_unit.unwrap().id.unwrap()
        }
    };
    let prod = ou("Prod", root.clone()).await;
    let prod_eu = ou("Prod-EU", prod.clone()).await;
    let mut members = Vec::new();
    for name in ["prod-eu-app", "sandbox"] {
        members.push(new_account(&orgs, name).await);
    }
    // The production account sits two levels down; the sandbox stays under the root.
    orgs.move_account()
        .account_id(&members[0])
        .source_parent_id(&root)
        .destination_parent_id(&prod_eu)
        .send()
        .await
        .unwrap();
    for id in &members {
        let iam = iam_in(&sdk, id).await;
        for role in ["swept", "evented"] {
            iam.create_role().role_name(role).assume_role_policy_document(TRUST).send().await.unwrap();
            iam.attach_role_policy().role_name(role).policy_arn(ADMIN).send().await.unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("iam-guard.toml");
    let toml = format!("mode = \"alert\"\n[[accounts]]\nous = [\"{prod}\"]\nmode = \"enforce\"\n");
    std::fs::write(&config_path, &toml).unwrap();

    // The org sweep: detached in the production account only.
    let out = moto
        .command(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["--config", config_path.to_str().unwrap(), "sweep", "--organization", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let prod_iam = iam_in(&sdk, &members[0]).await;
    let sandbox_iam = iam_in(&sdk, &members[1]).await;
    assert!(attached(&prod_iam, "swept").await.is_empty(), "enforced under Prod/Prod-EU");
    assert_eq!(attached(&sandbox_iam, "swept").await, [ADMIN], "alert mode outside the OU");

    // The event path: the same choice, from the OUs of the event's account.
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let config = Config::from_toml(&toml, "test").unwrap();
    let app = hub(&sdk, &inbox, config);
    for (i, id) in members.iter().enumerate() {
        let mut e =
            member_event("AttachRolePolicy", json!({"roleName": "evented", "policyArn": ADMIN}), &format!("ou-{i}"));
        e["account"] = json!(id);
        e["detail"]["recipientAccountId"] = json!(id);
        e["detail"]["userIdentity"]["accountId"] = json!(id);
        let out = serde_json::to_value(app.handle(e).await.unwrap()).unwrap();
        let want = if i == 0 { "remediate" } else { "alert" };
        assert_eq!(out["handled"][0]["decision"], want, "account {id}: {out}");
    }
    assert!(attached(&prod_iam, "evented").await.is_empty());
    assert_eq!(attached(&sandbox_iam, "evented").await, [ADMIN]);
}

/// A hub: a trust policy naming another account of the organization is not a foreign trust on
/// the event path either (Organizations DescribeAccount, once per account); one naming an
/// account outside the organization still is.
#[tokio::test(flavor = "current_thread")]
async fn the_hub_counts_the_organizations_accounts_as_known_in_trust_events() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let orgs = aws_sdk_organizations::Client::new(&sdk);
    orgs.create_organization().send().await.unwrap();
    let sister = new_account(&orgs, "sister").await;
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let app = hub(&sdk, &inbox, Config::default());
    let trust = |account: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        )
    };
    let mut decisions = Vec::new();
    for (i, account) in [sister.as_str(), "999988887777", sister.as_str()].iter().enumerate() {
        let mut e = event(
            "CreateRole",
            json!({"roleName": format!("cross-{i}"), "assumeRolePolicyDocument": trust(account)}),
            json!(null),
            "arn:aws:iam::123456789012:user/ops-bob",
        );
        e["detail"]["eventID"] = json!(format!("trust-{i}"));
        let out = serde_json::to_value(app.handle(e).await.unwrap()).unwrap();
        decisions.push(out["handled"][0]["decision"].as_str().unwrap().to_string());
    }
    assert_eq!(decisions, ["clean", "alert", "clean"], "sister account known, stranger foreign");
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].2.to_string().contains("999988887777"), "{}", alerts[0].2);
}

/// A hub's scheduled sweep (the Lambda application, EventBridge "Scheduled Event") covers the
/// organization: every account through its member role, one digest with a line per account.
#[tokio::test(flavor = "current_thread")]
async fn the_hubs_scheduled_sweep_covers_the_organization() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let orgs = aws_sdk_organizations::Client::new(&sdk);
    orgs.create_organization().send().await.unwrap();
    let member = new_account(&orgs, "workload").await;
    let member_iam = iam_in(&sdk, &member).await;
    let home = aws_sdk_iam::Client::new(&sdk);
    for iam in [&home, &member_iam] {
        iam.create_role().role_name("app").assume_role_policy_document(TRUST).send().await.unwrap();
        iam.attach_role_policy().role_name("app").policy_arn(ADMIN).send().await.unwrap();
    }
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let app = hub(&sdk, &inbox, Config { mode: Mode::Enforce, ..Config::default() });
    let scheduled = common::scheduled_event();
    let out = serde_json::to_value(app.handle(scheduled).await.unwrap()).unwrap();
    let accounts = out["sweep"]["accounts"].as_array().unwrap_or_else(|| panic!("{out}"));
    assert_eq!(accounts.len(), 2, "{out}");
    assert!(accounts.iter().all(|a| a["result"].as_str().unwrap().contains("critical")), "{out}");
    assert!(attached(&member_iam, "app").await.is_empty(), "detached in the member account");
    assert!(attached(&home, "app").await.is_empty(), "and in the hub's own");
    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 1, "one digest");
    assert!(alerts[0].0.contains("IAM sweep of o-"), "{}", alerts[0].0);
}

/// An organization trail read with the hub's own credentials: a member account's role is given
/// back what it used (the learned policy is put in the member account), not only stripped.
#[tokio::test(flavor = "current_thread")]
async fn the_hub_gives_least_privilege_back_in_a_member_account_from_the_organization_trail() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    common::upload_trail(&sdk, "org-trail", MEMBER).await;
    let member = iam_in(&sdk, MEMBER).await;
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    member.create_role().role_name("DynamoDBBackupRole").assume_role_policy_document(TRUST).send().await.unwrap();
    let s3 = "arn:aws:iam::aws:policy/AmazonS3FullAccess";
    member.attach_role_policy().role_name("DynamoDBBackupRole").policy_arn(s3).send().await.unwrap();
    let mut config = Config { mode: Mode::Enforce, ..Config::default() };
    for rule in ["service-full-access", "denylisted-policy"] {
        let action = Some(iam_guard::rules::RuleAction::Replace);
        config.rules.insert(rule.into(), iam_guard::config::RuleConfig { enabled: true, severity: None, action });
    }
    let trail = std::sync::Arc::new(iam_guard::aws::SdkTrail::new(&sdk, "org-trail", None, None));
    let app = App::new(config, None, SdkIam::new(&sdk), SnsPublisher::new(&sdk, &inbox.topic_arn))
        .with_members(ACCOUNT, SdkMembers::new(&sdk, "iam-guard-member").with_trail(Some(trail)));
    let attach = member_event("AttachRolePolicy", json!({"roleName": "DynamoDBBackupRole", "policyArn": s3}), "m-lp");
    let out = serde_json::to_value(app.handle(attach).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "remediate", "{out}");
    assert!(attached(&member, "DynamoDBBackupRole").await.is_empty());
    let inline = member.list_role_policies().role_name("DynamoDBBackupRole").send().await.unwrap().policy_names;
    assert_eq!(inline, ["iam-guard-least-privilege-AmazonS3FullAccess"]);
    let subjects: Vec<String> = inbox.drain().await.into_iter().map(|a| a.0).collect();
    assert_eq!(subjects, ["[HIGH] AmazonS3FullAccess attached to role DynamoDBBackupRole - replaced"]);
}

/// The organization sweep judges each member account's principals within the SCPs that limit
/// them (root, OUs, the account: moto's Organizations): S3 full access under an SCP that denies
/// S3 grants nothing there, and says so; the management account, which SCPs do not limit, is
/// judged without them.
#[tokio::test(flavor = "current_thread")]
async fn the_organization_sweep_judges_member_principals_within_their_scps() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let member = organization_with_deny_s3(&sdk).await;
    const S3: &str = "arn:aws:iam::aws:policy/AmazonS3FullAccess";
    for iam in [iam_in(&sdk, &member).await, aws_sdk_iam::Client::new(&sdk)] {
        iam.create_role().role_name("app").assume_role_policy_document(TRUST).send().await.unwrap();
        iam.attach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();
    }
    let out = moto
        .command(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["sweep", "--organization", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let full_access = |account: &str| {
        findings
            .iter()
            .filter(|f| {
                f["account_id"] == account && f["principal"] == "role app" && f["rule"] == "service-full-access"
            })
            .collect::<Vec<_>>()
    };
    let in_member = full_access(&member);
    assert_eq!(in_member.len(), 1, "{findings:#?}");
    assert_eq!(in_member[0]["severity"], "info", "{:#?}", in_member[0]);
    assert_eq!(in_member[0]["bounded_by"], "SCP deny-s3", "{:#?}", in_member[0]);
    let at_home = full_access(ACCOUNT);
    assert!(at_home.len() == 1 && at_home[0]["severity"] == "high", "{at_home:#?}");
}

/// A hub's event from a member account is judged within that account's SCPs (root, OUs, the
/// account: moto's Organizations): S3 full access attached under an SCP that denies S3 grants
/// nothing there — not detached, its finding at `info` naming the SCP — while the same attach
/// in the hub's own (management) account, which SCPs do not limit, is detached.
#[tokio::test(flavor = "current_thread")]
async fn the_hub_judges_a_member_accounts_event_within_its_scps() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let member = organization_with_deny_s3(&sdk).await;
    const S3: &str = "arn:aws:iam::aws:policy/AmazonS3FullAccess";
    let (in_member, at_home) = (iam_in(&sdk, &member).await, aws_sdk_iam::Client::new(&sdk));
    for iam in [&in_member, &at_home] {
        iam.create_role().role_name("app").assume_role_policy_document(TRUST).send().await.unwrap();
        iam.attach_role_policy().role_name("app").policy_arn(S3).send().await.unwrap();
    }
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    // No denylist: the verdict is what the grant effectively holds (a denylisted name is
    // detached whatever it holds, by configuration).
    let app = hub(&sdk, &inbox, Config { mode: Mode::Enforce, denylist: vec![], ..Config::default() });

    let mut attach = member_event("AttachRolePolicy", json!({"roleName": "app", "policyArn": S3}), "scp-1");
    attach["account"] = json!(member);
    attach["detail"]["recipientAccountId"] = json!(member);
    attach["detail"]["userIdentity"]["accountId"] = json!(member);
    let out = serde_json::to_value(app.handle(attach).await.unwrap()).unwrap();
    assert_ne!(out["handled"][0]["decision"], "remediate", "{out}");
    assert_eq!(attached(&in_member, "app").await, [S3], "the SCP leaves the grant nothing: kept");

    let own = event(
        "AttachRolePolicy",
        json!({"roleName": "app", "policyArn": S3}),
        json!(null),
        "arn:aws:iam::123456789012:user/ops-bob",
    );
    let out = serde_json::to_value(app.handle(own).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "remediate", "{out}");
    assert!(attached(&at_home, "app").await.is_empty());
}
