//! Landing-zone and deployment roles in enforce mode, and changes made by CloudFormation. The
//! roles are named as AWS Organizations, Control Tower, StackSets, CDK bootstrap, AFT and Landing
//! Zone Accelerator create them; the records follow CloudTrail's layout for a call CloudFormation
//! makes on a stack's behalf (`invokedBy`, `sourceIPAddress` and `userAgent`
//! cloudformation.amazonaws.com).

use iam_guard::config::{Config, Mode};
use iam_guard::engine::Engine;
use iam_guard::guard::memory::{MemoryIam, RecordingPublisher};
use iam_guard::guard::HandsOff;
use iam_guard::guard::{Guard, Handled, Plan, Reason};
use iam_guard::intake::{self, Intake, Outcome, Target};
use serde_json::{json, Value};

const ACCOUNT: &str = "111122223333";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Roles that cut off access or break deploys in every account if the guard detached their
/// policies.
const PLATFORM: &[&str] = &[
    "OrganizationAccountAccessRole",
    "AWSControlTowerExecution",
    "cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1",
    "stacksets-exec-4f5e0b1a2c3d4e5f60718293a4b5c6d7",
    "AWSCloudFormationStackSetExecutionRole",
    "aws-controltower-AdministratorExecutionRole",
    "AWSAFTExecution",
    "AWSAccelerator-CDKDeploy-Role",
];

fn person() -> Value {
    json!({"type": "AssumedRole", "principalId": "AROAQ3EGRZX2EXAMPLE3:alice",
           "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/Admins/alice"), "accountId": ACCOUNT,
           "accessKeyId": "ASIAQ3EGRZX2EXAMPLE3",
           "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAQ3EGRZX2EXAMPLE3",
               "arn": format!("arn:aws:iam::{ACCOUNT}:role/Admins"), "accountId": ACCOUNT, "userName": "Admins"},
               "attributes": {"creationDate": "2026-11-20T10:01:44Z", "mfaAuthenticated": "true"}}})
}

/// The stack's execution role as CloudFormation uses it (forward access session).
fn cloudformation(role: &str, invoked_by: bool) -> Value {
    let mut id = json!({"type": "AssumedRole", "principalId": "AROAQ3EGRZX2EXAMPLE9:AWSCloudFormation",
           "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/AWSCloudFormation"), "accountId": ACCOUNT,
           "accessKeyId": "ASIAQ3EGRZX2EXAMPLE9",
           "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAQ3EGRZX2EXAMPLE9",
               "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"), "accountId": ACCOUNT, "userName": role},
               "attributes": {"creationDate": "2026-11-20T10:01:44Z", "mfaAuthenticated": "false"}}});
    if invoked_by {
        id["invokedBy"] = json!("cloudformation.amazonaws.com");
    }
    id
}

fn attach(role: &str, who: Value, source: &str) -> Value {
    json!({"version": "0", "id": "eb-1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
        "account": ACCOUNT, "time": "2026-11-20T13:05:00Z", "region": "us-east-1", "resources": [],
        "detail": {
            "eventVersion": "1.10", "userIdentity": who, "eventTime": "2026-11-20T13:05:00Z",
            "eventSource": "iam.amazonaws.com", "eventName": "AttachRolePolicy", "awsRegion": "us-east-1",
            "sourceIPAddress": source, "userAgent": source,
            "requestParameters": {"roleName": role, "policyArn": ADMIN}, "responseElements": null,
            "requestID": "0b7c5c1e-1111-4a2b-9c3d-000000000001", "eventID": format!("evt-{role}"),
            "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true,
            "recipientAccountId": ACCOUNT, "eventCategory": "Management"}})
}

/// Replays one record in enforce mode against an IAM where the role exists and holds what the
/// record attached; returns what the guard did and whether AdministratorAccess is still attached.
fn enforce(cfg: Config, event: Value) -> (Handled, bool) {
    let cfg = Config { mode: Mode::Enforce, ..cfg };
    let guard = Guard::new(Engine::new(cfg), Some("iam-guard-GuardFunctionRole-1A2B3C"));
    let iam = MemoryIam::new();
    let publisher = RecordingPublisher::new();
    let Intake::Deliveries { deliveries, .. } = intake::parse(event).unwrap() else { panic!("not a delivery") };
    let mut outcomes = deliveries.into_iter().flat_map(|d| d.outcome.unwrap());
    let Some(Outcome::Change(change)) = outcomes.next() else { panic!("not a change") };
    let role = Target::role(&change.action.target().unwrap().name);
    iam.add_principal(&role, ACCOUNT, "/", &[]);
    iam.apply(&change);
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let handled = rt.block_on(guard.handle(&iam, &publisher, *change)).unwrap();
    assert_eq!(publisher.alerts().len(), 1, "an alert goes out either way");
    let still = iam.attached(&role).iter().any(|a| a == ADMIN);
    (handled, still)
}

#[test]
fn platform_roles_keep_administrator_access_in_enforce_mode() {
    for role in PLATFORM {
        let (h, still) = enforce(Config::default(), attach(role, person(), "203.0.113.10"));
        assert!(still, "{role}: detached");
        let Plan::Alert { why: Reason::HandsOff(why), would: None } = &h.verdict.plan else {
            panic!("{role}: {:?}", h.verdict.plan)
        };
        assert!(matches!(why, HandsOff::PlatformRole { .. }), "{role}: {why}");
        assert!(why.to_string().contains("platform role"), "{role}: {why}");
        let alert = h.alert.unwrap();
        assert!(alert.subject.contains("not remediated"), "{}", alert.subject);
        assert!(alert.text.contains("platform role"), "{}", alert.text);
    }
    // The same change on an ordinary role is remediated (the test can fail).
    let (h, still) = enforce(Config::default(), attach("app", person(), "203.0.113.10"));
    assert!(!still && matches!(h.verdict.plan, Plan::Remediate { .. }), "{:?}", h.verdict.plan);
}

#[test]
fn config_hands_a_platform_pattern_back_to_enforcement() {
    let cfg = Config::from_toml("[platform]\nact_on = [\"cdk-*-cfn-exec-role-*\"]", "t.toml").unwrap();
    let (h, still) = enforce(cfg.clone(), attach(PLATFORM[2], person(), "203.0.113.10"));
    assert!(!still, "{:?}", h.verdict.plan);
    let (_, still) = enforce(cfg, attach("OrganizationAccountAccessRole", person(), "203.0.113.10"));
    assert!(still, "the rest of the list stays");
    let off = Config::from_toml("[platform]\nbuiltin_roles = false", "t.toml").unwrap();
    let (_, still) = enforce(off, attach("OrganizationAccountAccessRole", person(), "203.0.113.10"));
    assert!(!still, "builtin_roles = false");
    let e = Config::from_toml("[platform]\nact_on = [\"cdk-*\"]", "t.toml").unwrap_err().to_string();
    assert!(e.contains("\"cdk-*\" is not a built-in platform role pattern"), "{e}");
}

#[test]
fn changes_made_by_cloudformation_are_fixed_in_the_stack() {
    // A stack attaches AdministratorAccess to its own ordinary role, through a custom execution role.
    let by_stack = attach("app", cloudformation("deploy-stack-role", true), "cloudformation.amazonaws.com");
    let (h, still) = enforce(Config::default(), by_stack.clone());
    assert!(still, "{:?}", h.verdict.plan);
    let Plan::Alert { why: why @ Reason::InfrastructureAsCode(_), .. } = &h.verdict.plan else {
        panic!("{:?}", h.verdict.plan)
    };
    assert!(why.to_string().contains("fix it in the stack"), "{why}");
    assert!(h.alert.unwrap().subject.ends_with("fix it in the stack"));
    // A CDK deploy: the caller is the bootstrap's execution role.
    let (_, still) = enforce(Config::default(), attach("app", cloudformation(PLATFORM[2], false), "203.0.113.10"));
    assert!(still, "made by the CDK execution role");
    // Configurable: remediate anyway.
    let cfg = Config::from_toml("[platform]\niac_changes = \"remediate\"", "t.toml").unwrap();
    let (h, still) = enforce(cfg, by_stack);
    assert!(!still && matches!(h.verdict.plan, Plan::Remediate { .. }), "{:?}", h.verdict.plan);
    // A person's change is not infrastructure as code.
    let (_, still) = enforce(Config::default(), attach("app", person(), "203.0.113.10"));
    assert!(!still);
}

#[test]
fn alert_mode_says_the_same_without_reading_iam() {
    let cfg = Config { mode: Mode::Alert, ..Config::default() };
    let guard = Guard::new(Engine::new(cfg), None);
    let Intake::Deliveries { deliveries, .. } =
        intake::parse(attach("OrganizationAccountAccessRole", person(), "203.0.113.10")).unwrap()
    else {
        panic!()
    };
    let Some(Outcome::Change(change)) = deliveries.into_iter().flat_map(|d| d.outcome.unwrap()).next() else {
        panic!()
    };
    // An empty IAM: alert mode decides from the name alone.
    let iam = MemoryIam::new();
    let publisher = RecordingPublisher::new();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let h = rt.block_on(guard.handle(&iam, &publisher, *change)).unwrap();
    assert!(
        matches!(&h.verdict.plan, Plan::Alert { why: Reason::HandsOff(w), .. } if w.to_string().contains("AWS Organizations"))
    );
}
