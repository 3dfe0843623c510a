//! IAM Identity Center permission sets, against moto's SSO Admin API: the Lambda application
//! judges the permission-set events, detaches (or deletes the inline policy) and provisions in
//! enforce mode, leaves Control Tower's permission sets alone, and `undo` puts a detach back.

mod common;

use aws_sdk_ssoadmin::Client as SsoAdmin;
use common::{event, Inbox, Moto};
use iam_guard::aws::{SdkIam, SnsPublisher};
use iam_guard::config::{Config, Mode};
use iam_guard::engine::Engine;
use iam_guard::guard::ledger::Answer;
use iam_guard::guard::memory::MemoryLedger;
use iam_guard::guard::Guard;
use iam_guard::intake::{self, Intake, Outcome};
use iam_guard::lambda::App;
use serde_json::json;

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const ADMIN_INLINE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// An Identity Center call as EventBridge delivers it (source aws.sso).
fn sso_event(name: &str, request: serde_json::Value, id: &str) -> serde_json::Value {
    let mut e = event(name, request, json!(null), "arn:aws:iam::111122223333:user/ops-bob");
    e["source"] = json!("aws.sso");
    e["detail"]["eventSource"] = json!("sso.amazonaws.com");
    e["detail"]["eventID"] = json!(id);
    e
}

struct Sets {
    sso: SsoAdmin,
    instance: String,
}

impl Sets {
    async fn new(sdk: &aws_config::SdkConfig) -> Sets {
        let sso = SsoAdmin::new(sdk);
        let instances = sso.list_instances().send().await.unwrap().instances.unwrap_or_default();
        let instance = instances[0].instance_arn.clone().expect("moto's default Identity Center instance");
        Sets { sso, instance }
    }

    async fn create(&self, name: &str, managed: &[&str], inline: Option<&str>) -> String {
        let out = self
            .sso
            .create_permission_set()
            .instance_arn(&self.instance)
            .name(name)
            .session_duration("PT1H")
            .send()
            .await
            .unwrap();
        let arn = out.permission_set.unwrap().permission_set_arn.unwrap();
        for m in managed {
            self.sso
                .attach_managed_policy_to_permission_set()
                .instance_arn(&self.instance)
                .permission_set_arn(&arn)
                .managed_policy_arn(*m)
                .send()
                .await
                .unwrap();
        }
        if let Some(doc) = inline {
            self.sso
                .put_inline_policy_to_permission_set()
                .instance_arn(&self.instance)
                .permission_set_arn(&arn)
                .inline_policy(doc)
                .send()
                .await
                .unwrap();
        }
        arn
    }

    async fn managed(&self, arn: &str) -> Vec<String> {
        let out = self
            .sso
            .list_managed_policies_in_permission_set()
            .instance_arn(&self.instance)
            .permission_set_arn(arn)
            .send()
            .await
            .unwrap();
        let mut v: Vec<String> =
            out.attached_managed_policies.unwrap_or_default().into_iter().filter_map(|p| p.arn).collect();
        v.sort();
        v
    }

    async fn inline(&self, arn: &str) -> String {
        let out = self
            .sso
            .get_inline_policy_for_permission_set()
            .instance_arn(&self.instance)
            .permission_set_arn(arn)
            .send()
            .await
            .unwrap();
        out.inline_policy.unwrap_or_default()
    }

    async fn provisioned(&self) -> Vec<String> {
        let out = self
            .sso
            .list_permission_sets_provisioned_to_account()
            .instance_arn(&self.instance)
            .account_id(common::ACCOUNT)
            .send()
            .await
            .unwrap();
        out.permission_sets.unwrap_or_default()
    }

    fn request(&self, arn: &str, more: serde_json::Value) -> serde_json::Value {
        let mut r = json!({"instanceArn": self.instance, "permissionSetArn": arn});
        r.as_object_mut().unwrap().extend(more.as_object().unwrap().clone());
        r
    }
}

#[tokio::test(flavor = "current_thread")]
async fn permission_set_grants_are_judged_and_contained_in_enforce_mode() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let sets = Sets::new(&sdk).await;
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let devs = sets.create("Developers", &[ADMIN, READ_ONLY], Some(ADMIN_INLINE)).await;
    let ct_admin = sets.create("AWSAdministratorAccess", &[ADMIN], None).await;
    let app = App::new(
        Config { mode: Mode::Enforce, ..Config::default() },
        None,
        SdkIam::new(&sdk),
        SnsPublisher::new(&sdk, &inbox.topic_arn),
    );

    // AdministratorAccess attached to a permission set for developers: detached, provisioned.
    let attach = sso_event(
        "AttachManagedPolicyToPermissionSet",
        sets.request(&devs, json!({"managedPolicyArn": ADMIN})),
        "ps-1",
    );
    let out = serde_json::to_value(app.handle(attach).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "remediate", "{out}");
    assert_eq!(sets.managed(&devs).await, [READ_ONLY], "only the disallowed policy is detached");
    assert!(sets.provisioned().await.contains(&devs), "provisioned after the change");

    // Its inline policy allowing everything: deleted.
    let inline =
        sso_event("PutInlinePolicyToPermissionSet", sets.request(&devs, json!({"inlinePolicy": ADMIN_INLINE})), "ps-2");
    let out = serde_json::to_value(app.handle(inline).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "remediate", "{out}");
    assert_eq!(sets.inline(&devs).await, "", "inline policy deleted");

    // Control Tower's administrator permission set: alerted, never changed.
    let ct = sso_event(
        "AttachManagedPolicyToPermissionSet",
        sets.request(&ct_admin, json!({"managedPolicyArn": ADMIN})),
        "ps-3",
    );
    let out = serde_json::to_value(app.handle(ct).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "alert", "{out}");
    assert_eq!(sets.managed(&ct_admin).await, [ADMIN], "a platform permission set is left alone");

    // Assigning the admin set to a group in an account: alerted with what the set holds.
    let assign = sso_event(
        "CreateAccountAssignment",
        sets.request(
            &ct_admin,
            json!({"targetId": "444455556666", "targetType": "AWS_ACCOUNT", "principalType": "GROUP", "principalId": "g-123"}),
        ),
        "ps-4",
    );
    let out = serde_json::to_value(app.handle(assign).await.unwrap()).unwrap();
    assert_eq!(out["handled"][0]["decision"], "alert", "{out}");

    let alerts = inbox.drain().await;
    assert_eq!(alerts.len(), 4, "one alert per event");
    let (subject, attrs, body) = &alerts[0];
    assert!(
        subject.contains("AdministratorAccess attached to permission set") && subject.ends_with("detached"),
        "{subject}"
    );
    assert_eq!(attrs["severity"], "critical");
    assert!(body.to_string().contains("is named Developers"), "the alert names the permission set: {body}");
    let restore = body["restore_command"].as_str().unwrap_or_default();
    assert!(
        restore.contains("aws sso-admin attach-managed-policy-to-permission-set") && restore.contains(&devs),
        "{body}"
    );
    assert!(alerts[2].0.ends_with("not remediated"), "{}", alerts[2].0);
    let text = alerts[2].2.to_string();
    assert!(text.contains("platform permission set"), "the alert says why: {text}");
    assert!(alerts[3].0.contains("assigned to a group in account 444455556666"), "{}", alerts[3].0);
    assert!(alerts[3].0.starts_with("[CRITICAL]"), "the set holds AdministratorAccess: {}", alerts[3].0);
}

#[tokio::test(flavor = "current_thread")]
async fn a_permission_set_detach_is_undone_exactly_once() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let sets = Sets::new(&sdk).await;
    let devs = sets.create("Developers", &[ADMIN], None).await;
    let iam = SdkIam::new(&sdk);
    let ledger = MemoryLedger::new();
    let guard = Guard::new(Engine::new(Config { mode: Mode::Enforce, ..Config::default() }), None);
    let attach = sso_event(
        "AttachManagedPolicyToPermissionSet",
        sets.request(&devs, json!({"managedPolicyArn": ADMIN})),
        "ps-undo",
    );
    let Intake::Deliveries { deliveries, .. } = intake::parse(attach).unwrap() else { panic!() };
    let Ok(outcomes) = deliveries.into_iter().next().unwrap().outcome else { panic!() };
    let Some(Outcome::Change(change)) = outcomes.into_iter().next() else { panic!() };
    let publisher = iam_guard::guard::memory::RecordingPublisher::new();
    let Answer::Handled(_) = guard.answer(&iam, &publisher, &ledger, *change).await.unwrap() else { panic!() };
    assert!(sets.managed(&devs).await.is_empty());

    let undone = guard.undo(&iam, &ledger, "ps-undo").await.unwrap();
    assert_eq!(sets.managed(&devs).await, [ADMIN], "put back");
    assert_eq!(undone.principal_arn.as_deref(), Some(devs.as_str()), "history under the permission set");
    guard.undo(&iam, &ledger, "ps-undo").await.unwrap();
    assert_eq!(sets.managed(&devs).await, [ADMIN], "a second undo changes nothing");
    let history = iam_guard::guard::ports::Ledger::history(&ledger, &devs).await.unwrap();
    assert_eq!(history.len(), 2, "the detach and its undo: {history:?}");
}

/// The sweep, with `identity_center_region` set, judges every permission set as the event path
/// judges one: in enforce mode the remediating managed policy is detached and the admin inline
/// policy deleted (then provisioned), a read-only set and Control Tower's admin set left as they
/// are; in alert mode only reported.
#[tokio::test(flavor = "current_thread")]
async fn the_sweep_judges_every_permission_set() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let sets = Sets::new(&sdk).await;
    let devs = sets.create("Developers", &[ADMIN, READ_ONLY], Some(ADMIN_INLINE)).await;
    let readers = sets.create("Readers", &[READ_ONLY], None).await;
    let ct_admin = sets.create("AWSAdministratorAccess", &[ADMIN], None).await;
    let iam = SdkIam::new(&sdk);
    let config = |mode| Config { mode, identity_center_region: Some("us-east-1".into()), ..Config::default() };

    let alert = Guard::new(Engine::new(config(Mode::Alert)), None);
    let report = alert.sweep(&iam, Some(common::ACCOUNT), 2).await.unwrap();
    let high_on = |name: &str| {
        let on = |f: &&iam_guard::guard::sweep::SweepFinding| f.principal == format!("permission set {name}");
        report.findings.iter().filter(on).filter(|f| f.finding.severity >= iam_guard::rules::Severity::High).count()
    };
    assert!(high_on("Developers") >= 2 && high_on("AWSAdministratorAccess") >= 1, "{:#?}", report.findings);
    assert_eq!(high_on("Readers"), 0, "ReadOnlyAccess: nothing high");
    assert!(report.actions.iter().all(|a| a.executed.is_none()), "alert mode changes nothing");
    assert_eq!(sets.managed(&devs).await, [ADMIN, READ_ONLY]);

    let enforce = Guard::new(Engine::new(config(Mode::Enforce)), None);
    let report = enforce.sweep(&iam, Some(common::ACCOUNT), 2).await.unwrap();
    let states: Vec<(String, String)> = report.actions.iter().map(|a| (a.remediation.describe(), a.state())).collect();
    assert!(states.iter().any(|(d, s)| d.starts_with("detach AdministratorAccess from permission set") && s == "done"));
    assert_eq!(sets.managed(&devs).await, [READ_ONLY], "only the admin policy detached");
    assert_eq!(sets.inline(&devs).await, "", "the admin inline policy deleted");
    assert_eq!(sets.managed(&readers).await, [READ_ONLY]);
    assert_eq!(sets.managed(&ct_admin).await, [ADMIN], "Control Tower's set left alone");
    let ct = states.iter().find(|(d, _)| d.contains(ct_admin.rsplit('/').next().unwrap())).unwrap();
    assert!(ct.1.contains("platform permission set"), "{ct:?}");
    assert!(sets.provisioned().await.contains(&devs), "provisioned after the change");
}
