//! Every sample in events/: the exact change extracted and the guard's verdict, replayed offline
//! with the in-memory IAM in both modes and snapshotted (`tests/snapshots/events__replay_*.snap`;
//! review changes with `cargo insta review`). Plus every envelope shape.

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
        Action::CreateAccessKey { user, .. } => format!("access-key {user}"),
        Action::CreateLoginProfile { user } => format!("login-profile {user}"),
        Action::DeletePermissionsBoundary { target } => format!("drop-boundary {target}"),
        Action::UpdateLoginProfile { user } => format!("password-reset {user}"),
        Action::ReactivateAccessKey { user, access_key_id } => format!("key-active {user} {access_key_id}"),
        Action::RootCredential { credential } => format!("root {credential:?}"),
        Action::Denied { target, call, error, .. } => format!("denied {target} {call} {error}"),
        Action::PutPermissionsBoundary { target, boundary_arn } => format!("boundary {target} {}", short(boundary_arn)),
        Action::CreatePermissionSet { set, name } => {
            format!("create-permission-set {name} {} {}", set.id(), set.region)
        }
        Action::PermissionSetManagedPolicy { set, policy_arn } => {
            format!("ps-attach {} {}", set.id(), short(policy_arn))
        }
        Action::PermissionSetInlinePolicy { set, .. } => format!("ps-inline {}", set.id()),
        Action::PermissionSetCustomerPolicy { set, name, path } => format!("ps-customer {} {path}{name}", set.id()),
        Action::PermissionSetBoundary { set, boundary } => format!("ps-boundary {} {}", set.id(), short(boundary)),
        Action::AccountAssignment { set, target_account, principal_type, principal_id } => {
            format!("assign {} to {principal_type} {principal_id} in {target_account}", set.id())
        }
        Action::ResourceAccess { resource, written, .. } => format!("resource {} {written:?}", resource.arn),
        Action::Posture { posture } => format!("posture {}", serde_json::to_string(posture).unwrap()),
    }
}

fn decision(v: &Verdict) -> String {
    let rem = |r: &Remediation| match r {
        Remediation::Detach { .. } => "detach".to_string(),
        Remediation::RevertDefaultVersion { to_version, .. } => format!("revert-to-{to_version}"),
        Remediation::DeleteInline { .. } => "delete-inline".to_string(),
        Remediation::DeactivateAccessKey { .. } => "deactivate-key".to_string(),
        Remediation::RewriteTrust { removed, .. } => format!("rewrite-trust-without-{removed:?}"),
        Remediation::DeleteLoginProfile { .. } => "delete-login-profile".to_string(),
        Remediation::Quarantine { .. } => "quarantine".to_string(),
        Remediation::PutBoundary { boundary_arn, .. } => format!("put-boundary-{boundary_arn}"),
        Remediation::DetachFromPermissionSet { .. } => "detach-from-permission-set".to_string(),
        Remediation::DeletePermissionSetInline { .. } => "delete-permission-set-inline".to_string(),
        Remediation::Replace { policy_name, .. } => format!("replace-with-{policy_name}"),
        Remediation::Grant { policy_name, .. } => format!("grant-{policy_name}"),
        Remediation::Resource(fix) => fix.describe(),
        other => format!("undo-only {other:?}"),
    };
    match &v.plan {
        Plan::Clean => "clean".into(),
        Plan::Quiet { .. } => "quiet".into(),
        Plan::Ignore { .. } => "ignore".into(),
        Plan::NotJudged { .. } => "not judged".into(),
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
        let text = intake::text_of(std::fs::read(f).unwrap()).unwrap();
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
                                        let handled = rt.block_on(guard.handle(&iam, &publisher, *c)).unwrap();
                                        let v = handled.verdict;
                                        let subject = handled.alert.map_or("-".to_string(), |a| a.subject);
                                        let sev = v.severity().map_or("-".to_string(), |s| s.to_string());
                                        out.push(format!(
                                            "{} | {} | {} | {sev} | {subject}",
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

fn files_under(p: &Path) -> Vec<PathBuf> {
    if p.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()).collect();
        v.sort();
        v.into_iter().flat_map(|e| files_under(&e)).collect()
    } else {
        vec![p.to_path_buf()]
    }
}

/// What to replay: every file on its own, except that each scenario directory is one sequence.
fn units() -> Vec<PathBuf> {
    let mut units = Vec::new();
    for f in files_under(&root()) {
        let rel = f.strip_prefix(root()).unwrap();
        // trails/ holds workloads' activity (what `suggest` and `replace` learn from), not changes.
        if rel.starts_with("trails") {
            continue;
        }
        let unit = match (rel.starts_with("scenarios"), rel.components().count()) {
            (true, n) if n > 2 => root().join(rel.iter().take(2).collect::<PathBuf>()),
            _ => f,
        };
        if !units.contains(&unit) {
            units.push(unit);
        }
    }
    units
}

/// Every sample (and every scenario as a sequence), replayed in alert mode and in enforce mode,
/// snapshotted as one line per record: the change, the decision, the worst severity, the alert.
#[test]
fn every_sample_replayed_in_both_modes() {
    let units = units();
    assert!(units.len() >= 20, "found only {} samples", units.len());
    for unit in units {
        let files = files_under(&unit);
        let mut text = String::new();
        for mode in [Mode::Alert, Mode::Enforce] {
            text.push_str(&format!("{mode:?} mode:\n"));
            for line in replay(&files, mode) {
                text.push_str(&format!("  {line}\n"));
            }
        }
        let name = unit.strip_prefix(root()).unwrap().display().to_string().replace(['/', '.'], "_");
        insta::assert_snapshot!(format!("replay_{name}"), text);
    }
}

#[test]
fn every_judged_event_has_a_sample() {
    for name in intake::judged_events().chain(intake::judged_sso_events()) {
        assert!(root().join(format!("{name}.json")).exists(), "no sample for {name}");
    }
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
