//! The `replace` rule action, on the in-memory adapters: the seed's DynamoDBBackupRole keeps its
//! work (the policy learned from its own CloudTrail records) when enforce mode takes the
//! FullAccess grants away; without enough evidence the grant stays and the alert says what was
//! learned so far; undo restores both the grant and the absence of the learned policy.

use iam_guard::config::{Config, LeastPrivilege, Mode, RuleConfig, WithoutEvidence};
use iam_guard::engine::Engine;
use iam_guard::eval::request::{authorize, Context, Decision, Held, Request};
use iam_guard::guard::ledger::Answer;
use iam_guard::guard::memory::{MemoryIam, MemoryLedger, RecordingPublisher};
use iam_guard::guard::{Executed, Guard, Plan, Remediation};
use iam_guard::intake::{self, Change, Intake, Outcome, Target};
use iam_guard::policy::PolicyDocument;
use iam_guard::rules::RuleAction;
use serde_json::Value;
use std::path::{Path, PathBuf};

const SCENARIO: &str = "events/scenarios/dynamodb-backup-role";
const TRAIL: &str = "events/trails/dynamodb-backup-role";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn text(p: &Path) -> String {
    intake::text_of(std::fs::read(p).unwrap()).unwrap()
}

fn changes() -> Vec<Change> {
    files(&root().join(SCENARIO))
        .iter()
        .map(|f| {
            let Intake::Deliveries { deliveries, .. } = intake::parse_str(&text(f)).unwrap() else { panic!() };
            match deliveries.into_iter().flat_map(|d| d.outcome.unwrap()).next() {
                Some(Outcome::Change(c)) => *c,
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

fn trail() -> Vec<Value> {
    files(&root().join(TRAIL))
        .iter()
        .flat_map(|f| intake::records_of(serde_json::from_str(&text(f)).unwrap()).unwrap())
        .collect()
}

fn guard(mode: Mode, lp: LeastPrivilege) -> Guard {
    let mut config = Config { mode, least_privilege: lp, ..Config::default() };
    for rule in ["service-full-access", "denylisted-policy"] {
        config
            .rules
            .insert(rule.into(), RuleConfig { enabled: true, severity: None, action: Some(RuleAction::Replace) });
    }
    Guard::new(Engine::new(config), None)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
}

const ROLE: &str = "DynamoDBBackupRole";

/// Replays the scenario: each attach applied to IAM, then answered.
fn replay(g: &Guard, iam: &MemoryIam) -> Vec<iam_guard::guard::Handled> {
    replay_with(g, iam, &MemoryLedger::new())
}

fn replay_with(g: &Guard, iam: &MemoryIam, ledger: &MemoryLedger) -> Vec<iam_guard::guard::Handled> {
    let (rt, publisher) = (rt(), RecordingPublisher::new());
    iam.add_principal(&Target::role(ROLE), "111122223333", "/", &[]);
    changes()
        .into_iter()
        .map(|c| {
            iam.apply(&c);
            match rt.block_on(g.answer(iam, &publisher, ledger, c)).unwrap() {
                Answer::Handled(h) => *h,
                Answer::Duplicate(e) => panic!("duplicate {e:?}"),
            }
        })
        .collect()
}

fn allowed(iam: &MemoryIam, action: &str, resource: &str) -> bool {
    let rt = rt();
    let t = Target::role(ROLE);
    let attached = rt.block_on(iam_guard::guard::ports::IamRead::attached_policies(iam, &t)).unwrap();
    let inline = rt.block_on(iam_guard::guard::ports::IamRead::inline_policies(iam, &t)).unwrap();
    let mut docs: Vec<PolicyDocument> = attached
        .iter()
        .map(|a| iam_guard::catalog::managed::all().iter().find(|m| m.arn == *a).unwrap().document().unwrap())
        .collect();
    docs.extend(inline.iter().map(|(_, d)| PolicyDocument::parse(d).unwrap()));
    let held: Vec<Held> = docs.iter().map(|doc| Held { label: "p", doc }).collect();
    let ctx = Context::default();
    authorize(&Request { action, resource, context: &ctx }, &held, None, &[]).decision == Decision::Allowed
}

const TABLE: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/studentData";
const TOMORROW: &str = "arn:aws:s3:::student-backups-111122223333/backups/studentData-2026-11-20.json";
const SENDER: &str = "arn:aws:ses:us-east-1:111122223333:identity/example.com";

#[test]
fn enforce_mode_gives_the_backup_role_its_work_back() {
    let iam = MemoryIam::new();
    iam.add_trail_records(trail());
    let handled = replay(&guard(Mode::Enforce, LeastPrivilege::default()), &iam);
    let kinds: Vec<&str> = handled
        .iter()
        .map(|h| match h.verdict.plan.remediation() {
            Some(Remediation::Replace { .. }) => "replace",
            Some(Remediation::Detach { .. }) => "detach",
            _ => "none",
        })
        .collect();
    // DynamoDB, S3, SES replaced; CloudFront (never used) detached; basic execution kept.
    assert_eq!(kinds, ["replace", "replace", "replace", "detach", "none"]);
    assert!(handled.iter().take(4).all(|h| h.executed == Some(Executed::Done)));
    let rt = rt();
    let attached = rt.block_on(iam_guard::guard::ports::IamRead::attached_policies(&iam, &Target::role(ROLE))).unwrap();
    assert_eq!(attached, ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]);
    // The backup function still works, tomorrow too; nothing else does.
    assert!(allowed(&iam, "dynamodb:Scan", TABLE));
    assert!(allowed(&iam, "s3:PutObject", TOMORROW));
    assert!(allowed(&iam, "s3:GetObject", TOMORROW));
    assert!(allowed(&iam, "ses:SendEmail", SENDER));
    assert!(!allowed(&iam, "dynamodb:DeleteTable", TABLE));
    assert!(!allowed(&iam, "s3:DeleteObject", TOMORROW));
    assert!(!allowed(&iam, "cloudfront:CreateDistribution", "*"));
    assert!(!allowed(&iam, "s3:PutBucketPolicy", "arn:aws:s3:::student-backups-111122223333"));
    // The alert carries the learned policy and the command that restores both.
    let a = handled[0].alert.as_ref().unwrap();
    assert!(a.subject.ends_with("- replaced"), "{}", a.subject);
    assert!(a.text.contains("\"dynamodb:Scan\"") && a.text.contains("56 calls over 14 days"), "{}", a.text);
    assert!(a.text.contains("delete-role-policy --role-name DynamoDBBackupRole --policy-name iam-guard-least-privilege-AmazonDynamoDBFullAccess"));
    assert!(handled[3].verdict.notes.iter().any(|n| n.contains("nothing CloudFrontFullAccess grants was used")));
}

#[test]
fn undo_puts_the_grant_back_and_takes_the_learned_policy_away() {
    let (iam, ledger) = (MemoryIam::new(), MemoryLedger::new());
    iam.add_trail_records(trail());
    let g = guard(Mode::Enforce, LeastPrivilege::default());
    let handled = replay_with(&g, &iam, &ledger);
    let Plan::Remediate { remediation } = &handled[0].verdict.plan else { panic!() };
    assert_eq!(remediation.inverse().and_then(|u| u.inverse()).as_ref(), Some(remediation));
    assert!(!allowed(&iam, "dynamodb:DeleteTable", TABLE));
    let entry = rt().block_on(g.undo(&iam, &ledger, &handled[0].verdict.change.event_id)).unwrap();
    assert!(matches!(entry.remediation, Some(Remediation::Unreplace { .. })), "{entry:?}");
    let t = Target::role(ROLE);
    let inline = rt().block_on(iam_guard::guard::ports::IamRead::inline_policies(&iam, &t)).unwrap();
    assert!(!inline.iter().any(|(n, _)| n == "iam-guard-least-privilege-AmazonDynamoDBFullAccess"));
    assert!(allowed(&iam, "dynamodb:DeleteTable", TABLE), "AmazonDynamoDBFullAccess is back");
    let cmd = remediation.inverse().unwrap().restore_command();
    assert!(cmd.contains("put-role-policy") && cmd.contains("detach-role-policy"), "{cmd}");
}

#[test]
fn without_enough_evidence_the_grant_stays_and_the_alert_says_what_was_learned() {
    let iam = MemoryIam::new();
    // Only the first three days of the trail.
    iam.add_trail_records(trail().into_iter().filter(|r| r["eventTime"].as_str().unwrap() < "2026-11-09"));
    let handled = replay(&guard(Mode::Enforce, LeastPrivilege::default()), &iam);
    let Plan::Alert { why, .. } = &handled[0].verdict.plan else { panic!("{:?}", handled[0].verdict.plan) };
    assert!(why.to_string().contains("not enough CloudTrail evidence"));
    assert!(handled[0]
        .verdict
        .notes
        .iter()
        .any(|n| n.contains("learning until about 2026-11-13") && n.contains("dynamodb:Scan")));
    assert!(allowed(&iam, "dynamodb:DeleteTable", TABLE), "the grant stays");
    // Configured to remediate anyway: detached.
    let iam = MemoryIam::new();
    let lp = LeastPrivilege { without_evidence: WithoutEvidence::Remediate, ..LeastPrivilege::default() };
    let handled = replay(&guard(Mode::Enforce, lp), &iam);
    assert!(matches!(handled[0].verdict.plan, Plan::Remediate { remediation: Remediation::Detach { .. } }));
    assert!(handled[0].verdict.notes.iter().any(|n| n.contains("no CloudTrail trail")));
}

#[test]
fn alert_mode_shows_what_enforce_mode_would_put() {
    let iam = MemoryIam::new();
    iam.add_trail_records(trail());
    let handled = replay(&guard(Mode::Alert, LeastPrivilege::default()), &iam);
    let Plan::Alert { would: Some(Remediation::Replace { document, .. }), .. } = &handled[1].verdict.plan else {
        panic!("{:?}", handled[1].verdict.plan)
    };
    assert!(document.contains("s3:PutObject") && document.contains("backups/studentData-*.json"), "{document}");
    assert!(allowed(&iam, "s3:DeleteObject", TOMORROW), "alert mode changes nothing");
}

#[test]
fn a_rule_that_says_remediate_is_never_left_waiting_for_evidence() {
    // AdministratorAccess: `admin` says remediate, `denylisted-policy` replace; no evidence yet.
    let iam = MemoryIam::new();
    let g = guard(Mode::Enforce, LeastPrivilege::default());
    let rt = rt();
    let ev = serde_json::from_str::<Value>(&text(&root().join("events/AttachUserPolicy.json"))).unwrap();
    let Intake::Deliveries { deliveries, .. } = intake::parse(ev).unwrap() else { panic!() };
    let Some(Outcome::Change(c)) = deliveries.into_iter().flat_map(|d| d.outcome.unwrap()).next() else { panic!() };
    iam.apply(&c);
    let h = match rt.block_on(g.answer(&iam, &RecordingPublisher::new(), &MemoryLedger::new(), *c)).unwrap() {
        Answer::Handled(h) => *h,
        Answer::Duplicate(_) => panic!(),
    };
    assert!(
        matches!(h.verdict.plan, Plan::Remediate { remediation: Remediation::Detach { .. } }),
        "{:?}",
        h.verdict.plan
    );
}

/// A refused call of the backup function's session, as CloudTrail writes it.
fn denied(id: &str, time: &str, source: &str, name: &str, params: Value, resources: Value, code: &str) -> Change {
    let record = serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAQ3EGRZX2BACKUP01:studentBackup",
            "arn": "arn:aws:sts::111122223333:assumed-role/DynamoDBBackupRole/studentBackup", "accountId": "111122223333",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAQ3EGRZX2BACKUP01",
                "arn": "arn:aws:iam::111122223333:role/DynamoDBBackupRole", "accountId": "111122223333", "userName": ROLE}}},
        "eventTime": time, "eventSource": format!("{source}.amazonaws.com"), "eventName": name, "awsRegion": "us-east-1",
        "sourceIPAddress": "3.91.171.10", "userAgent": "Boto3/1.34.145", "errorCode": code, "errorMessage": "denied",
        "requestParameters": params, "responseElements": null, "eventID": id, "resources": resources,
        "eventType": "AwsApiCall", "recipientAccountId": "111122223333"
    });
    // Delivered by EventBridge from the service's own source (not aws.iam).
    let ev = serde_json::json!({"version": "0", "id": format!("eb-{id}"), "detail-type": "AWS API Call via CloudTrail",
        "source": format!("aws.{source}"), "account": "111122223333", "time": time, "region": "us-east-1",
        "resources": [], "detail": record});
    let Intake::Deliveries { deliveries, .. } = intake::parse(ev).unwrap() else { panic!() };
    match deliveries.into_iter().flat_map(|d| d.outcome.unwrap()).next() {
        Some(Outcome::Change(c)) => *c,
        other => panic!("{other:?}"),
    }
}

fn answer(g: &Guard, iam: &MemoryIam, ledger: &MemoryLedger, c: Change) -> iam_guard::guard::Handled {
    match rt().block_on(g.answer(iam, &RecordingPublisher::new(), ledger, c)).unwrap() {
        Answer::Handled(h) => *h,
        Answer::Duplicate(e) => panic!("duplicate {e:?}"),
    }
}

const OLD_BACKUP: &str = "arn:aws:s3:::student-backups-111122223333/backups/studentData-2026-11-06.json";

fn delete_old_backup(id: &str, time: &str) -> Change {
    denied(
        id,
        time,
        "s3",
        "DeleteObject",
        serde_json::json!({"bucketName": "student-backups-111122223333", "key": "backups/studentData-2026-11-06.json"}),
        serde_json::json!([{"type": "AWS::S3::Object", "ARN": OLD_BACKUP},
                           {"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::student-backups-111122223333"}]),
        "AccessDenied",
    )
}

#[test]
fn the_guard_notices_what_it_broke_and_gives_back_exactly_that() {
    let (iam, ledger) = (MemoryIam::new(), MemoryLedger::new());
    iam.add_trail_records(trail());
    let g = guard(Mode::Enforce, LeastPrivilege::default());
    let handled = replay_with(&g, &iam, &ledger);
    let s3_event = handled[1].verdict.change.event_id.clone();
    assert!(!allowed(&iam, "s3:DeleteObject", OLD_BACKUP));
    // The next night the function cleans up an old backup: refused, since AmazonS3FullAccess went.
    let h = answer(&g, &iam, &ledger, delete_old_backup("deny-1", "2026-11-21T03:00:05Z"));
    let f = h.verdict.findings().next().unwrap();
    assert_eq!(f.rule, "denied-after-guard");
    assert!(f.message.contains(&s3_event), "matched to the S3 replacement: {}", f.message);
    assert!(f.hint.contains(&format!("iam-guard undo {s3_event}")));
    let Plan::Remediate { remediation: Remediation::Grant { document, .. } } = &h.verdict.plan else {
        panic!("{:?}", h.verdict.plan)
    };
    assert!(document.contains("s3:DeleteObject") && document.contains(OLD_BACKUP), "{document}");
    assert!(allowed(&iam, "s3:DeleteObject", OLD_BACKUP), "exactly that grant is added");
    assert!(!allowed(&iam, "s3:DeleteObject", TOMORROW), "and nothing more");
    assert!(h.alert.unwrap().subject.ends_with("- granted"));
    // A refused call the removed grant never allowed: an alert, never a grant.
    let h = answer(
        &g,
        &iam,
        &ledger,
        denied(
            "deny-2",
            "2026-11-21T03:00:06Z",
            "iam",
            "CreateUser",
            serde_json::json!({"userName": "x"}),
            Value::Null,
            "AccessDenied",
        ),
    );
    assert!(matches!(h.verdict.plan, Plan::Alert { .. }), "{:?}", h.verdict.plan);
    assert!(!allowed(&iam, "iam:CreateUser", "arn:aws:iam::111122223333:user/x"));
    // Long after the window: not the guard's doing.
    let h = answer(&g, &iam, &ledger, delete_old_backup("deny-3", "2026-12-30T03:00:05Z"));
    assert!(matches!(h.verdict.plan, Plan::Ignore { .. }), "{:?}", h.verdict.plan);
}

#[test]
fn denied_calls_of_principals_the_guard_left_alone_are_ignored_without_a_ledger_write() {
    let (iam, ledger) = (MemoryIam::new(), MemoryLedger::new());
    let g = guard(Mode::Enforce, LeastPrivilege::default());
    let c = delete_old_backup("deny-9", "2026-11-21T03:00:05Z");
    let h = answer(&g, &iam, &ledger, c.clone());
    assert!(matches!(h.verdict.plan, Plan::Ignore { .. }) && h.alert.is_none());
    assert!(rt().block_on(iam_guard::guard::ports::Ledger::entry(&ledger, "deny-9")).unwrap().is_none());
    // After an undo, the same refusal is no longer the guard's doing either.
    iam.add_trail_records(trail());
    let handled = replay_with(&g, &iam, &ledger);
    rt().block_on(g.undo(&iam, &ledger, &handled[1].verdict.change.event_id)).unwrap();
    let h = answer(&g, &iam, &ledger, c);
    assert!(
        !matches!(h.verdict.plan, Plan::Remediate { remediation: Remediation::Grant { .. } }),
        "{:?}",
        h.verdict.plan
    );
}

#[test]
fn ec2_unauthorized_operation_and_other_callers() {
    let c = denied(
        "deny-ec2",
        "2026-11-21T03:00:05Z",
        "ec2",
        "DescribeInstances",
        serde_json::json!({"instancesSet": {}, "filterSet": {}}),
        Value::Null,
        "Client.UnauthorizedOperation",
    );
    let intake::Action::Denied { target, needs, call, .. } = &c.action else { panic!("{:?}", c.action) };
    assert_eq!(target, &Target::role(ROLE));
    assert_eq!(call, "ec2.amazonaws.com DescribeInstances");
    assert_eq!(needs, &[("ec2:DescribeInstances".to_string(), vec!["*".to_string()])]);
    // A refusal of the root user, or a failure that is no refusal, is no denied call.
    let root = serde_json::json!({"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "eventTime": "2026-11-21T03:00:05Z",
        "eventID": "r1", "recipientAccountId": "111122223333", "errorCode": "AccessDenied",
        "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root"}});
    let Intake::Deliveries { deliveries, .. } = intake::parse(root).unwrap() else { panic!() };
    assert!(matches!(deliveries[0].outcome.as_ref().unwrap()[0], Outcome::Ignored(_)));
    let missing = serde_json::json!({"version": "0", "id": "x", "detail-type": "AWS API Call via CloudTrail", "source": "aws.s3",
        "detail": {"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "errorCode": "NoSuchKey"}});
    let Intake::Deliveries { deliveries, .. } = intake::parse(missing).unwrap() else { panic!() };
    assert!(matches!(deliveries[0].outcome.as_ref().unwrap()[0], Outcome::Ignored(_)));
}

#[test]
fn a_wide_inline_policy_is_replaced_by_what_was_used_and_undo_puts_it_back() {
    let (iam, ledger) = (MemoryIam::new(), MemoryLedger::new());
    iam.add_trail_records(trail());
    iam.add_principal(&Target::role(ROLE), "111122223333", "/", &[]);
    let g = guard(Mode::Enforce, LeastPrivilege::default());
    let wide =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","dynamodb:*"],"Resource":"*"}]}"#;
    let record = serde_json::json!({
        "eventVersion": "1.10",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/ops-bob", "accountId": "111122223333", "userName": "ops-bob"},
        "eventTime": "2026-11-20T10:05:00Z", "eventSource": "iam.amazonaws.com", "eventName": "PutRolePolicy",
        "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.24", "userAgent": "aws-cli/2.17.20",
        "requestParameters": {"roleName": ROLE, "policyName": "app-all", "policyDocument": wide},
        "responseElements": null, "eventID": "put-inline-1", "eventType": "AwsApiCall", "recipientAccountId": "111122223333"
    });
    let Intake::Deliveries { deliveries, .. } = intake::parse(record).unwrap() else { panic!() };
    let Some(Outcome::Change(c)) = deliveries.into_iter().flat_map(|d| d.outcome.unwrap()).next() else { panic!() };
    iam.apply(&c);
    assert!(allowed(&iam, "dynamodb:DeleteTable", TABLE));
    let h = answer(&g, &iam, &ledger, *c);
    let Plan::Remediate { remediation: Remediation::ReplaceInline { learned_name, document, .. } } = &h.verdict.plan
    else {
        panic!("{:?}", h.verdict.plan)
    };
    assert_eq!(learned_name, "iam-guard-least-privilege-inline-app-all");
    assert!(
        document.contains("dynamodb:Scan") && document.contains("s3:PutObject") && !document.contains("ses:"),
        "{document}"
    );
    assert!(allowed(&iam, "dynamodb:Scan", TABLE) && allowed(&iam, "s3:PutObject", TOMORROW));
    assert!(!allowed(&iam, "dynamodb:DeleteTable", TABLE) && !allowed(&iam, "s3:DeleteObject", TOMORROW));
    let undone = rt().block_on(g.undo(&iam, &ledger, "put-inline-1")).unwrap();
    assert!(matches!(undone.remediation, Some(Remediation::UnreplaceInline { .. })));
    let inline = rt().block_on(iam_guard::guard::ports::IamRead::inline_policies(&iam, &Target::role(ROLE))).unwrap();
    assert_eq!(inline.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["app-all"]);
    assert!(allowed(&iam, "dynamodb:DeleteTable", TABLE), "the wide policy is back");
}

/// IAM's action-level last-accessed report of the backup role (the layout of `aws iam
/// get-service-last-accessed-details`): S3 GetObject/PutObject, DynamoDB, SES and Logs used.
fn last_accessed() -> iam_guard::suggest::LastAccessed {
    let p = root().join("events/trails/last-accessed/dynamodb-backup-role.json");
    iam_guard::suggest::LastAccessed::from_json(&serde_json::from_str(&text(&p)).unwrap()).unwrap()
}

const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/DynamoDBBackupRole";

/// The trail without S3 data events: what a trail with management events (and DynamoDB data
/// events) only shows of the backup function.
fn trail_without_s3_objects() -> Vec<Value> {
    trail().into_iter().filter(|r| !(r["eventSource"] == "s3.amazonaws.com" && r["eventCategory"] == "Data")).collect()
}

#[test]
fn last_accessed_data_keeps_a_grant_the_trail_cannot_see_being_used() {
    // Without the last-accessed report, a trail blind to S3 objects says S3 was never used and
    // AmazonS3FullAccess is detached: the backup function breaks. This is the mistake it catches.
    let iam = MemoryIam::new();
    iam.add_trail_records(trail_without_s3_objects());
    let handled = replay(&guard(Mode::Enforce, LeastPrivilege::default()), &iam);
    assert!(matches!(handled[1].verdict.plan, Plan::Remediate { remediation: Remediation::Detach { .. } }));
    assert!(!allowed(&iam, "s3:PutObject", TOMORROW), "broken without last-accessed data");

    let iam = MemoryIam::new();
    iam.add_trail_records(trail_without_s3_objects());
    iam.set_last_accessed(ROLE_ARN, last_accessed());
    let handled = replay(&guard(Mode::Enforce, LeastPrivilege::default()), &iam);
    let s3 = &handled[1].verdict;
    let Plan::Alert { why, .. } = &s3.plan else { panic!("{:?}", s3.plan) };
    assert!(why.to_string().contains("not enough CloudTrail evidence"), "{why}");
    let note = s3.notes.iter().find(|n| n.contains("last-accessed")).expect("a note naming the gap");
    assert!(note.contains("s3:GetObject (last 2026-11-19)") && note.contains("s3:PutObject"), "{note}");
    assert!(allowed(&iam, "s3:PutObject", TOMORROW), "the grant stays: the function keeps working");
    // DynamoDB and SES are in the records; Logs is attempted but AWSLambdaBasicExecutionRole,
    // which stays, allows it: no gap there, those grants are replaced as before.
    let kinds: Vec<bool> =
        handled.iter().map(|h| matches!(h.verdict.plan.remediation(), Some(Remediation::Replace { .. }))).collect();
    assert_eq!(kinds, [true, false, true, false, false]);
    assert!(allowed(&iam, "dynamodb:Scan", TABLE) && !allowed(&iam, "dynamodb:DeleteTable", TABLE));
}

#[test]
fn last_accessed_data_can_be_switched_off_and_agrees_with_a_full_trail() {
    // The full trail (S3 data events included) shows all the report shows: replaced as before.
    let iam = MemoryIam::new();
    iam.add_trail_records(trail());
    iam.set_last_accessed(ROLE_ARN, last_accessed());
    let handled = replay(&guard(Mode::Enforce, LeastPrivilege::default()), &iam);
    assert!(matches!(handled[1].verdict.plan.remediation(), Some(Remediation::Replace { .. })));
    assert!(allowed(&iam, "s3:GetObject", TOMORROW) && !allowed(&iam, "s3:DeleteObject", TOMORROW));
    // Switched off: the blind trail alone decides (detached).
    let iam = MemoryIam::new();
    iam.add_trail_records(trail_without_s3_objects());
    iam.set_last_accessed(ROLE_ARN, last_accessed());
    let lp = LeastPrivilege { last_accessed: false, ..LeastPrivilege::default() };
    let handled = replay(&guard(Mode::Enforce, lp), &iam);
    assert!(matches!(handled[1].verdict.plan, Plan::Remediate { remediation: Remediation::Detach { .. } }));
}
