//! Every sample in events/: the exact change extracted and the guard's verdict, replayed offline
//! with the in-memory IAM (alert mode unless stated). Plus every envelope shape.

use iam_guard::config::{Config, Mode};
use iam_guard::engine::Engine;
use iam_guard::guard::memory::{MemoryIam, RecordingPublisher};
use iam_guard::guard::{Guard, Plan, Reason, Remediation, Verdict};
use iam_guard::intake::{self, Action, Intake, Outcome};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("events")
}

/// A one-line description of a change: "attach_policy role app-worker AmazonS3FullAccess".
fn summary(a: &Action) -> String {
    let short = |arn: &str| arn.rsplit('/').next().unwrap_or(arn).to_string();
    match a {
        Action::AttachPolicy { target, policy_arn } => format!("attach {target} {}", short(policy_arn)),
        Action::PutInlinePolicy { target, policy_name, .. } => format!("inline {target} {policy_name}"),
        Action::CreateRole { role, path, .. } => format!("create-role {role} {path}"),
        Action::UpdateTrustPolicy { role, .. } => format!("trust {role}"),
        Action::CreatePolicy { policy_name, policy_arn, .. } => format!("create-policy {policy_name} {policy_arn}"),
        Action::CreatePolicyVersion { policy_arn, set_as_default, version_id, .. } => {
            format!("version {} {} default={set_as_default}", short(policy_arn), version_id.as_deref().unwrap_or("?"))
        }
        Action::SetDefaultPolicyVersion { policy_arn, version_id } => {
            format!("set-default {} {version_id}", short(policy_arn))
        }
        Action::AddUserToGroup { user, group } => format!("add {user} to {group}"),
        Action::CreateAccessKey { user } => format!("access-key {user}"),
        Action::CreateLoginProfile { user } => format!("login-profile {user}"),
        Action::DeletePermissionsBoundary { target } => format!("drop-boundary {target}"),
    }
}

fn decision(v: &Verdict) -> String {
    let rem = |r: &Remediation| match r {
        Remediation::Detach { .. } => "detach".to_string(),
        Remediation::RevertDefaultVersion { to_version, .. } => format!("revert-to-{to_version}"),
    };
    match &v.plan {
        Plan::Clean => "clean".into(),
        Plan::Quiet { .. } => "quiet".into(),
        Plan::Ignore { .. } => "ignore".into(),
        Plan::Alert { would: Some(r), .. } => format!("alert, would {}", rem(r)),
        Plan::Alert { why: Reason::HandsOff(_), .. } => "alert, hands off".into(),
        Plan::Alert { .. } => "alert".into(),
        Plan::Remediate { remediation } => rem(remediation),
    }
}

/// Replays files in order against one in-memory IAM; returns one line per record.
fn replay(files: &[PathBuf], mode: Mode) -> Vec<String> {
    let cfg = Config { mode, ..Config::default() };

    let guard = Guard::new(Engine::new(cfg), Some("iam-guard-GuardFunctionRole-1A2B3C"));
    let iam = MemoryIam::new();
    let publisher = RecordingPublisher::new();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        match intake::parse_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display())) {
            Intake::Sweep(s) => out.push(format!("sweep {}", s.time.to_rfc3339())),
            Intake::Deliveries { deliveries, .. } => {
                for d in deliveries {
                    match d.outcome {
                        Err(e) => out.push(format!("error {e}")),
                        Ok(outcomes) => {
                            for o in outcomes {
                                match o {
                                    Outcome::Ignored(i) => out.push(format!("ignored {}", i.reason)),
                                    Outcome::Change(c) => {
                                        iam.apply(&c);
                                        let v = rt.block_on(guard.handle(&iam, &publisher, *c)).unwrap().verdict;
                                        let sev = v.severity().map_or("-".to_string(), |s| s.to_string());
                                        out.push(format!(
                                            "{} | {} | {} | {sev}",
                                            v.change.event_name,
                                            summary(&v.change.action),
                                            decision(&v)
                                        ));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Each single-event sample, replayed alone (fresh IAM), in alert mode.
const SINGLE: &[(&str, &str)] = &[
    ("AddUserToGroup.json", "AddUserToGroup | add dev-alice to developers | clean | -"),
    ("AttachGroupPolicy.json", "AttachGroupPolicy | attach group developers PowerUserAccess | alert, would detach | critical"),
    ("AttachRolePolicy.json", "AttachRolePolicy | attach role app-worker AmazonS3FullAccess | alert, would detach | high"),
    ("AttachUserPolicy.json", "AttachUserPolicy | attach user dev-alice AdministratorAccess | alert, would detach | critical"),
    ("CreateAccessKey.json", "CreateAccessKey | access-key dev-alice | alert | medium"),
    ("CreateLoginProfile.json", "CreateLoginProfile | login-profile dev-alice | alert | medium"),
    ("CreatePolicy.json", "CreatePolicy | create-policy app-s3 arn:aws:iam::111122223333:policy/app-s3 | alert | high"),
    ("CreatePolicyVersion.json", "CreatePolicyVersion | version reports-read v2 default=true | alert | high"),
    ("CreateRole.json", "CreateRole | create-role orders-fn / | clean | -"),
    ("DeleteRolePermissionsBoundary.json", "DeleteRolePermissionsBoundary | drop-boundary role app-worker | clean | -"),
    ("DeleteUserPermissionsBoundary.json", "DeleteUserPermissionsBoundary | drop-boundary user ops-bob | clean | -"),
    ("PutGroupPolicy.json", "PutGroupPolicy | inline group developers s3-everything | alert | high"),
    ("PutRolePolicy.json", "PutRolePolicy | inline role app-worker do-everything | alert | critical"),
    ("PutUserPolicy.json", "PutUserPolicy | inline user ops-bob reports-bucket | clean | -"),
    ("SetDefaultPolicyVersion.json", "SetDefaultPolicyVersion | set-default reports-read v2 | clean | -"),
    ("UpdateAssumeRolePolicy.json", "UpdateAssumeRolePolicy | trust app-worker | alert | critical"),
    ("envelopes/failed-call.json", "ignored the call failed (AccessDenied: User: arn:aws:iam::111122223333:user/dev-alice is not authorized to perform: iam:AttachUserPolicy), nothing changed"),
    ("envelopes/guard-own-change.json", "AttachRolePolicy | attach role app-worker AmazonS3FullAccess | ignore | -"),
    ("envelopes/raw-record.json", "AttachRolePolicy | attach role app-worker AmazonDynamoDBFullAccess | alert, would detach | high"),
    ("envelopes/scheduled-sweep.json", "sweep 2026-11-21T03:00:00+00:00"),
    ("scenarios/lambda-scoped-inline.json", "PutRolePolicy | inline role orders-fn orders-access | clean | -"),
    ("scenarios/trust-lambda-service.json", "CreateRole | create-role orders-fn / | clean | -"),
    ("scenarios/trust-principal-star.json", "CreateRole | create-role partner-access / | alert | critical"),
];

/// Multi-record samples and scenarios (replayed in order within the entry).
fn multi() -> Vec<(&'static str, Mode, Vec<&'static str>)> {
    vec![
        ("envelopes/cloudtrail-log-file.json", Mode::Alert, vec![
            "AttachRolePolicy | attach role app-worker AmazonDynamoDBFullAccess | alert, would detach | high",
            "ignored ListRoles is not an event the guard judges",
            "ignored the call failed (AccessDenied: User: arn:aws:iam::111122223333:user/dev-alice is not authorized to perform: iam:AttachUserPolicy), nothing changed",
            "PutUserPolicy | inline user ops-bob reports-bucket | clean | -",
        ]),
        ("envelopes/cloudwatch-logs.json", Mode::Alert, vec![
            "AttachRolePolicy | attach role app-worker AmazonDynamoDBFullAccess | alert, would detach | high",
            "ignored the call failed (AccessDenied: User: arn:aws:iam::111122223333:user/dev-alice is not authorized to perform: iam:AttachUserPolicy), nothing changed",
            "PutUserPolicy | inline user ops-bob reports-bucket | clean | -",
        ]),
        ("envelopes/sqs-batch-mixed.json", Mode::Alert, vec![
            "AttachRolePolicy | attach role app-worker AmazonDynamoDBFullAccess | alert, would detach | high",
            "error Records[1].body: not JSON: EOF while parsing a value at line 1 column 94",
            "PutUserPolicy | inline user ops-bob reports-bucket | clean | -",
        ]),
        ("scenarios/dynamodb-backup-role", Mode::Enforce, vec![
            "AttachRolePolicy | attach role DynamoDBBackupRole AmazonDynamoDBFullAccess | detach | high",
            "AttachRolePolicy | attach role DynamoDBBackupRole AmazonS3FullAccess | detach | high",
            "AttachRolePolicy | attach role DynamoDBBackupRole AmazonSESFullAccess | detach | high",
            "AttachRolePolicy | attach role DynamoDBBackupRole CloudFrontFullAccess | detach | high",
            "AttachRolePolicy | attach role DynamoDBBackupRole AWSLambdaBasicExecutionRole | quiet | medium",
        ]),
        // Alert mode: the admin policy stays, so the access key that follows carries it.
        ("scenarios/console-admin", Mode::Alert, vec![
            "AttachUserPolicy | attach user console-carol AdministratorAccess | alert, would detach | critical",
            "CreateAccessKey | access-key console-carol | alert | critical",
        ]),
    ]
}

fn files_under(p: &Path) -> Vec<PathBuf> {
    if p.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).collect();
        v.sort();
        v.into_iter().flat_map(|e| files_under(&e)).collect()
    } else {
        vec![p.to_path_buf()]
    }
}

#[test]
fn every_sample_has_an_expectation_and_meets_it() {
    let mut covered = std::collections::BTreeSet::new();
    for (file, want) in SINGLE {
        let path = root().join(file);
        let got = replay(std::slice::from_ref(&path), Mode::Alert);
        assert_eq!(got, vec![want.to_string()], "{file}");
        covered.insert(path);
    }
    for (entry, mode, want) in multi() {
        let files = files_under(&root().join(entry));
        let got = replay(&files, mode);
        assert_eq!(got, want, "{entry}");
        covered.extend(files);
    }
    let all = files_under(&root());
    let missing: Vec<_> = all.iter().filter(|f| !covered.contains(*f)).collect();
    assert!(missing.is_empty(), "samples without an expectation: {missing:?}");
    // One sample per judged event name.
    for name in intake::judged_events() {
        assert!(root().join(format!("{name}.json")).exists(), "no sample for {name}");
    }
}

#[test]
fn console_admin_in_enforce_mode_detaches_then_still_alerts_on_the_key() {
    let files = files_under(&root().join("scenarios/console-admin"));
    assert_eq!(
        replay(&files, Mode::Enforce),
        vec![
            "AttachUserPolicy | attach user console-carol AdministratorAccess | detach | critical",
            "CreateAccessKey | access-key console-carol | alert | medium",
        ]
    );
}

#[test]
fn extracted_fields() {
    let text = std::fs::read_to_string(root().join("CreateRole.json")).unwrap();
    let Intake::Deliveries { sqs: false, deliveries } = intake::parse_str(&text).unwrap() else { panic!() };
    let Ok(outcomes) = &deliveries[0].outcome else { panic!() };
    let Outcome::Change(c) = &outcomes[0] else { panic!() };
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(c.event_id, raw["detail"]["eventID"].as_str().unwrap());
    assert_eq!(deliveries[0].id, raw["id"].as_str().unwrap(), "an EventBridge delivery is named by its event id");

    assert_eq!(c.account_id, "111122223333");
    assert_eq!(c.region, "us-east-1");
    assert_eq!(c.source_ip.as_deref(), Some("198.51.100.24"));
    assert!(c.user_agent.as_deref().unwrap().starts_with("aws-cli/2"));
    assert_eq!(c.actor.identity_type, "AssumedRole");
    assert_eq!(c.actor.session_issuer_arn.as_deref(), Some("arn:aws:iam::111122223333:role/TerraformDeploy"));
    assert_eq!(c.event_time.to_rfc3339(), "2026-11-20T10:15:30+00:00");
    let Action::CreateRole { trust_policy, .. } = &c.action else { panic!() };
    assert!(trust_policy.text.contains("lambda.amazonaws.com"));

    let text = std::fs::read_to_string(root().join("CreateAccessKey.json")).unwrap();
    let Intake::Deliveries { deliveries, .. } = intake::parse_str(&text).unwrap() else { panic!() };
    let Ok(o) = &deliveries[0].outcome else { panic!() };
    let Outcome::Change(c) = &o[0] else { panic!() };
    assert!(c.actor.console, "sessionCredentialFromConsole");
}
