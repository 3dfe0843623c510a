//! One answer per event, undo and boundary restoration, on the in-memory adapters (the same
//! flows run against DynamoDB, IAM and SNS in moto in guard_moto.rs).

use iam_guard::config::{Config, Mode};
use iam_guard::engine::Engine;
use iam_guard::guard::ledger::{Answer, UndoError};
use iam_guard::guard::memory::{MemoryIam, MemoryLedger, RecordingPublisher};
use iam_guard::guard::ports::{Claim, Ledger, PortError, Snapshot};
use iam_guard::guard::{Executed, Guard, Plan, Remediation, DENY_ALL};
use iam_guard::intake::{self, Change, Intake, Outcome, Target};
use serde_json::Value;

const ACCOUNT: &str = "111122223333";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn sample(name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn change(v: Value) -> Change {
    let Intake::Deliveries { deliveries, .. } = intake::parse(v).unwrap() else { panic!("not a delivery") };
    match deliveries.into_iter().flat_map(|d| d.outcome.unwrap()).next() {
        Some(Outcome::Change(c)) => *c,
        other => panic!("{other:?}"),
    }
}

fn guard(mode: Mode) -> Guard {
    Guard::new(Engine::new(Config { mode, ..Config::default() }), None)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
}

fn handled(a: Answer) -> iam_guard::guard::Handled {
    match a {
        Answer::Handled(h) => *h,
        Answer::Duplicate(e) => panic!("duplicate: {e:?}"),
    }
}

#[test]
fn a_redelivered_event_is_answered_once() {
    let rt = rt();
    let (g, iam, ledger, publisher) =
        (guard(Mode::Enforce), MemoryIam::new(), MemoryLedger::new(), RecordingPublisher::new());
    let c = change(sample("AttachRolePolicy"));
    iam.apply(&c);
    let first = handled(rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap());
    assert!(matches!(first.verdict.plan, Plan::Remediate { .. }));
    // Someone attaches it again by hand; the old event is delivered again: nothing happens.
    iam.apply(&c);
    for _ in 0..3 {
        let Answer::Duplicate(e) = rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap() else {
            panic!("answered twice")
        };
        assert_eq!(e.event_id, c.event_id);
        assert_eq!(e.decision, "remediate");
    }
    assert_eq!(publisher.alerts().len(), 1);
    assert_eq!(iam.attached(&c.action.target().unwrap()).len(), 1, "no second detach");
}

#[test]
fn a_delivery_answered_elsewhere_right_now_is_retried_later() {
    let rt = rt();
    let (g, iam, ledger, publisher) =
        (guard(Mode::Alert), MemoryIam::new(), MemoryLedger::new(), RecordingPublisher::new());
    let c = change(sample("AttachRolePolicy"));
    assert_eq!(rt.block_on(ledger.claim(&c.event_id, chrono::Utc::now().timestamp())).unwrap(), Claim::New);
    let e = rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap_err();
    assert!(matches!(e, PortError::InProgress(ref id) if id == &c.event_id), "{e}");
    assert!(publisher.alerts().is_empty());
    // The other delivery's lease runs out (it crashed): this one takes over.
    let later = chrono::Utc::now().timestamp() + iam_guard::guard::ledger::LEASE_SECS + 1;
    assert_eq!(rt.block_on(ledger.claim(&c.event_id, later)).unwrap(), Claim::New);
}

#[test]
fn a_failure_between_action_and_alert_is_retried_to_one_alert() {
    let rt = rt();
    let (g, iam, ledger) = (guard(Mode::Enforce), MemoryIam::new(), MemoryLedger::new());
    let c = change(sample("AttachRolePolicy"));
    let role = c.action.target().unwrap();
    iam.apply(&c);
    let down = RecordingPublisher::failing("SNS: service unavailable");
    let e = rt.block_on(g.answer(&iam, &down, &ledger, c.clone())).unwrap_err();
    assert!(e.to_string().contains("service unavailable"));
    assert!(iam.attached(&role).is_empty(), "the detach happened before the publish failed");
    let up = RecordingPublisher::new();
    let h = handled(rt.block_on(g.answer(&iam, &up, &ledger, c.clone())).unwrap());
    assert_eq!(h.executed, Some(Executed::AlreadyDone));
    assert_eq!(up.alerts().len(), 1);
    assert!(up.alerts()[0].subject.ends_with("already detached"), "{}", up.alerts()[0].subject);
    assert!(matches!(rt.block_on(g.answer(&iam, &up, &ledger, c)).unwrap(), Answer::Duplicate(_)));
    assert_eq!(up.alerts().len(), 1);
}

/// Each kind of remediation, then `undo`: IAM is back where the change left it.
#[test]
fn undo_puts_back_exactly_what_was_changed() {
    let rt = rt();
    let g = guard(Mode::Enforce);
    for name in ["AttachRolePolicy", "PutRolePolicy", "UpdateAssumeRolePolicy", "CreateAccessKey"] {
        let (iam, ledger, publisher) = (MemoryIam::new(), MemoryLedger::new(), RecordingPublisher::new());
        let c = change(sample(name));
        let t = c.action.target().unwrap();
        if name == "CreateAccessKey" {
            iam.attach(&t, ADMIN); // the user is an administrator: the new key is deactivated
        }
        if name == "UpdateAssumeRolePolicy" {
            iam.set_trust(&t.name, r#"{"Version":"2012-10-17","Statement":[]}"#);
        }
        iam.apply(&c);
        let snapshot = |iam: &MemoryIam| {
            (
                iam.attached(&t),
                iam.inline_policy(&t, "do-everything"),
                iam.trust(&t.name),
                iam.key_active(&t.name, "AKIAQ3EGRZX2EXAMPLE6"),
            )
        };
        let before = snapshot(&iam);
        let h = handled(rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap());
        assert!(matches!(h.verdict.plan, Plan::Remediate { .. }), "{name}: {:?}", h.verdict.plan);
        assert_ne!(snapshot(&iam), before, "{name}: remediated");
        let undone = rt.block_on(g.undo(&iam, &ledger, &c.event_id)).unwrap();
        assert_eq!(undone.executed, Some(Executed::Done), "{name}");
        assert_eq!(snapshot(&iam), before, "{name}: restored");
        // A second undo answers from the ledger and changes nothing.
        assert_eq!(rt.block_on(g.undo(&iam, &ledger, &c.event_id)).unwrap(), undone);
        let history = rt.block_on(ledger.history(&t.arn(ACCOUNT))).unwrap();
        let kinds: Vec<&str> = history.iter().map(|e| e.decision.as_str()).collect();
        assert_eq!(kinds, ["remediate", "undo"], "{name}");
    }
}

#[test]
fn quarantine_is_lifted_by_undo_and_a_password_cannot_be_restored() {
    let rt = rt();
    let cfg =
        Config::from_toml("mode = \"enforce\"\n[rules.service-full-access]\naction = \"quarantine\"", "t").unwrap();
    let g = Guard::new(Engine::new(cfg), None);
    let (iam, ledger, publisher) = (MemoryIam::new(), MemoryLedger::new(), RecordingPublisher::new());
    let c = change(sample("AttachRolePolicy"));
    let t = c.action.target().unwrap();
    iam.apply(&c);
    rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap();
    assert!(iam.attached(&t).contains(&DENY_ALL.to_string()));
    rt.block_on(g.undo(&iam, &ledger, &c.event_id)).unwrap();
    assert_eq!(
        iam.attached(&t),
        ["arn:aws:iam::aws:policy/AmazonS3FullAccess"],
        "quarantine lifted, the grant itself left as the change made it"
    );

    let g = guard(Mode::Enforce);
    let c = change(sample("CreateLoginProfile"));
    let user = c.action.target().unwrap();
    iam.attach(&user, ADMIN);
    iam.apply(&c);
    let h = handled(rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap());
    assert!(matches!(h.verdict.plan, Plan::Remediate { remediation: Remediation::DeleteLoginProfile { .. } }));
    let e = rt.block_on(g.undo(&iam, &ledger, &c.event_id)).unwrap_err();
    assert!(matches!(e, UndoError::Irreversible(..)), "{e}");
    assert!(e.to_string().contains("create-login-profile"), "{e}");
    let e = rt.block_on(g.undo(&iam, &ledger, "no-such-event")).unwrap_err();
    assert!(e.to_string().contains("no record of event no-such-event"), "{e}");
}

#[test]
fn a_removed_boundary_is_put_back_when_the_guard_saw_it() {
    let rt = rt();
    let g = guard(Mode::Enforce);
    let (iam, ledger, publisher) = (MemoryIam::new(), MemoryLedger::new(), RecordingPublisher::new());
    let role = Target::role("app-worker");
    iam.attach(&role, ADMIN);
    const BOUNDARY: &str = "arn:aws:iam::111122223333:policy/app-boundary";
    let mut put = sample("PutRolePermissionsBoundary");
    put["detail"]["requestParameters"]["permissionsBoundary"] = BOUNDARY.into();
    let put = change(put);
    iam.apply(&put);
    // Without a snapshot: alert only.
    let (blank, other) = (MemoryLedger::new(), MemoryIam::new());
    other.attach(&role, ADMIN);
    let delete = change(sample("DeleteRolePermissionsBoundary"));
    let h = handled(rt.block_on(g.answer(&other, &publisher, &blank, delete.clone())).unwrap());
    assert!(matches!(h.verdict.plan, Plan::Alert { .. }), "{:?}", h.verdict.plan);
    assert!(h.verdict.notes.iter().any(|n| n.contains("previous boundary is unknown")));

    rt.block_on(g.answer(&iam, &publisher, &ledger, put)).unwrap();
    iam.apply(&delete);
    assert_eq!(iam.boundary(&role), None);
    let h = handled(rt.block_on(g.answer(&iam, &publisher, &ledger, delete.clone())).unwrap());
    assert_eq!(
        h.verdict.plan,
        Plan::Remediate {
            remediation: Remediation::PutBoundary { target: role.clone(), boundary_arn: BOUNDARY.into() }
        }
    );
    assert_eq!(iam.boundary(&role).as_deref(), Some(BOUNDARY));
    rt.block_on(g.undo(&iam, &ledger, &delete.event_id)).unwrap();
    assert_eq!(iam.boundary(&role), None, "undo removes it again");
}

#[test]
fn a_bad_trust_update_names_the_trust_it_replaced_and_the_ledger_keeps_what_stands() {
    let rt = rt();
    let (iam, ledger, publisher) = (MemoryIam::new(), MemoryLedger::new(), RecordingPublisher::new());
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/app-worker");
    // The role was created trusting Lambda (the guard answered that CreateRole).
    let mut create = sample("CreateRole");
    create["detail"]["requestParameters"]["roleName"] = "app-worker".into();
    let create = change(create);
    iam.apply(&create);
    rt.block_on(guard(Mode::Alert).answer(&iam, &publisher, &ledger, create)).unwrap();
    let lambda_trust = rt.block_on(ledger.recall(&role_arn, Snapshot::Trust)).unwrap().flatten().unwrap();
    assert!(lambda_trust.contains("lambda.amazonaws.com"), "{lambda_trust}");

    // Someone opens it to every AWS principal: the alert carries the old trust and its command.
    let update = change(sample("UpdateAssumeRolePolicy"));
    iam.apply(&update);
    let h = handled(rt.block_on(guard(Mode::Alert).answer(&iam, &publisher, &ledger, update.clone())).unwrap());
    let note = h.verdict.notes.iter().find(|n| n.starts_with("previous trust policy")).expect("no previous trust");
    assert!(note.contains("lambda.amazonaws.com"), "{note}");
    assert!(note.contains("aws iam update-assume-role-policy --role-name app-worker --policy-document '{"), "{note}");
    assert!(h.alert.as_ref().unwrap().text.contains("previous trust policy"), "the alert text says it");
    // In alert mode the open trust stands, so it is what the ledger now remembers.
    let now = rt.block_on(ledger.recall(&role_arn, Snapshot::Trust)).unwrap().flatten().unwrap();
    assert!(now.contains("\"*\""), "{now}");

    // In enforce mode the guard rewrites it and remembers the rewritten trust, not the open one.
    let ledger = MemoryLedger::new();
    rt.block_on(ledger.remember(&role_arn, Snapshot::Trust, Some(&lambda_trust))).unwrap();
    let h = handled(rt.block_on(guard(Mode::Enforce).answer(&iam, &publisher, &ledger, update)).unwrap());
    let Plan::Remediate { remediation: Remediation::RewriteTrust { rewritten, .. } } = &h.verdict.plan else {
        panic!("{:?}", h.verdict.plan)
    };
    assert_eq!(rt.block_on(ledger.recall(&role_arn, Snapshot::Trust)).unwrap().flatten().as_ref(), Some(rewritten));
    // A harmless trust update gets no such note.
    let mut fine = sample("UpdateAssumeRolePolicy");
    fine["detail"]["eventID"] = "fine-update".into();
    fine["detail"]["requestParameters"]["policyDocument"] = serde_json::json!({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    .to_string()
    .into();
    let h = handled(rt.block_on(guard(Mode::Alert).answer(&iam, &publisher, &ledger, change(fine))).unwrap());
    assert!(h.verdict.notes.iter().all(|n| !n.starts_with("previous trust")), "{:?}", h.verdict.notes);
}

#[test]
fn the_sweep_quarantines_when_a_rule_says_so_and_detaches_otherwise() {
    let rt = rt();
    let config = |toml: &str| Config::from_toml(&format!("mode = \"enforce\"\n{toml}"), "t").unwrap();
    let setup = || {
        let iam = MemoryIam::new();
        iam.add_principal(&Target::role("batch"), ACCOUNT, "/", &[]);
        iam.attach(&Target::role("batch"), ADMIN);
        iam.attach(&Target::role("batch"), "arn:aws:iam::aws:policy/AmazonS3FullAccess");
        iam.add_principal(&Target::role("quiet"), ACCOUNT, "/", &[]);
        iam.attach(&Target::role("quiet"), "arn:aws:iam::aws:policy/ReadOnlyAccess");
        iam
    };
    // Default: every remediating attachment detached.
    let iam = setup();
    let g = Guard::new(Engine::new(config("")), None);
    let report = rt.block_on(g.sweep(&iam, Some(ACCOUNT), 2)).unwrap();
    assert_eq!(report.actions.len(), 2, "{:?}", report.actions);
    assert!(iam.attached(&Target::role("batch")).is_empty());
    // `quarantine` for admin: one AWSDenyAll on the role, its policies left where they were.
    let iam = setup();
    let g = Guard::new(Engine::new(config("[rules.admin]\naction = \"quarantine\"")), None);
    let report = rt.block_on(g.sweep(&iam, Some(ACCOUNT), 2)).unwrap();
    assert_eq!(report.actions.len(), 1, "{:?}", report.actions);
    assert_eq!(report.actions[0].remediation, Remediation::Quarantine { target: Target::role("batch") });
    assert_eq!(report.actions[0].state(), "done");
    let held = iam.attached(&Target::role("batch"));
    assert!(held.iter().any(|a| a == DENY_ALL) && held.iter().any(|a| a == ADMIN), "{held:?}");
    assert_eq!(iam.attached(&Target::role("quiet")), ["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    // The next sweep sees it quarantined already: nothing more to do.
    let again = rt.block_on(g.sweep(&iam, Some(ACCOUNT), 2)).unwrap();
    assert!(again.actions.is_empty(), "{:?}", again.actions);
}

/// The sweep and the event path decide alike on the same holdings, the threshold included: in
/// enforce mode with `alert_min_severity = "critical"`, AmazonS3FullAccess (high) is quiet on the
/// event path and left attached by the sweep; AdministratorAccess (critical) is detached by both.
#[test]
fn the_sweep_and_the_event_path_decide_alike_under_the_threshold() {
    let rt = rt();
    let cfg = Config::from_toml("mode = \"enforce\"\nalert_min_severity = \"critical\"", "t").unwrap();
    let g = Guard::new(Engine::new(cfg), None);
    let s3 = "arn:aws:iam::aws:policy/AmazonS3FullAccess";
    // The sweep.
    let iam = MemoryIam::new();
    for (role, policy) in [("data", s3), ("admin", ADMIN)] {
        iam.add_principal(&Target::role(role), ACCOUNT, "/", &[]);
        iam.attach(&Target::role(role), policy);
    }
    let report = rt.block_on(g.sweep(&iam, Some(ACCOUNT), 2)).unwrap();
    assert_eq!(report.actions.len(), 1, "{:?}", report.actions);
    assert_eq!(iam.attached(&Target::role("data")), [s3], "below the threshold: left alone");
    assert!(iam.attached(&Target::role("admin")).is_empty());
    // The event path, on the same attaches.
    for (role, policy, quiet) in [("data", s3, true), ("admin", ADMIN, false)] {
        let mut v = sample("AttachRolePolicy");
        v["detail"]["requestParameters"] = serde_json::json!({"roleName": role, "policyArn": policy});
        v["detail"]["eventID"] = serde_json::json!(format!("ev-{role}"));
        let iam = MemoryIam::new();
        iam.add_principal(&Target::role(role), ACCOUNT, "/", &[]);
        let c = change(v);
        iam.apply(&c);
        let h = rt.block_on(g.handle(&iam, &RecordingPublisher::new(), c)).unwrap();
        assert_eq!(matches!(h.verdict.plan, Plan::Quiet { .. }), quiet, "{role}: {:?}", h.verdict.plan);
        assert_eq!(iam.attached(&Target::role(role)).is_empty(), !quiet, "{role}");
    }
}

/// One decision for both paths: with `admin` configured to quarantine, the sweep and the event
/// path both quarantine an unexempt role holding AdministratorAccess, and both leave alone a role
/// tagged `iam-guard:exempt`, saying why (the hands-off rule as a fact of the decision).
#[test]
fn the_sweep_and_the_event_path_decide_alike_on_quarantine_and_hands_off() {
    let rt = rt();
    let cfg = Config::from_toml("mode = \"enforce\"\n[rules.admin]\naction = \"quarantine\"", "t").unwrap();
    let g = Guard::new(Engine::new(cfg), None);
    let tags: [(&str, &[(&str, &str)]); 2] = [("ops", &[]), ("break-glass", &[("iam-guard:exempt", "reviewed")])];
    let setup = || {
        let iam = MemoryIam::new();
        for (role, t) in tags {
            iam.add_principal(&Target::role(role), ACCOUNT, "/", t);
            iam.attach(&Target::role(role), ADMIN);
        }
        iam
    };
    let report = rt.block_on(g.sweep(&setup(), Some(ACCOUNT), 2)).unwrap();
    let swept: Vec<(String, Option<String>)> =
        report.actions.iter().map(|a| (a.remediation.describe(), a.skipped.clone())).collect();
    for (role, exempt) in [("ops", false), ("break-glass", true)] {
        let action = swept.iter().find(|(d, _)| d.contains(role)).unwrap_or_else(|| panic!("{role}: {swept:?}"));
        assert!(action.0.contains("AWSDenyAll"), "{role}: the sweep quarantines: {action:?}");
        assert_eq!(action.1.as_ref().is_some_and(|s| s.contains("exempt by tag")), exempt, "{role}: {action:?}");
        let mut v = sample("AttachRolePolicy");
        v["detail"]["requestParameters"] = serde_json::json!({"roleName": role, "policyArn": ADMIN});
        v["detail"]["eventID"] = serde_json::json!(format!("ev-{role}"));
        let h = rt.block_on(g.handle(&setup(), &RecordingPublisher::new(), change(v))).unwrap();
        match (&h.verdict.plan, exempt) {
            (Plan::Remediate { remediation: Remediation::Quarantine { .. } }, false) => {}
            (Plan::Alert { why: iam_guard::guard::Reason::HandsOff(why), .. }, true) => {
                assert_eq!(Some(why.to_string()).as_ref(), action.1.as_ref(), "the same reason on both paths")
            }
            (other, _) => panic!("{role}: the event path decided {other:?}"),
        }
    }
}

/// A ledger whose completion writes fail `failures` times (u32::MAX: always), then succeed: the
/// table briefly unreachable right after the alert went out.
struct FlakyCompletion {
    inner: MemoryLedger,
    failures: std::sync::atomic::AtomicU32,
}

impl Ledger for FlakyCompletion {
    async fn claim(&self, id: &str, now: i64) -> Result<Claim, PortError> {
        self.inner.claim(id, now).await
    }
    async fn complete(&self, entry: &iam_guard::guard::ports::LedgerEntry, now: i64) -> Result<(), PortError> {
        use std::sync::atomic::Ordering::SeqCst;
        if self.failures.load(SeqCst) > 0 {
            self.failures.fetch_sub(1, SeqCst);
            return Err(PortError::Failed("DynamoDB: 503 Service Unavailable".into()));
        }
        self.inner.complete(entry, now).await
    }
    async fn release(&self, id: &str) -> Result<(), PortError> {
        self.inner.release(id).await
    }
    async fn entry(&self, id: &str) -> Result<Option<iam_guard::guard::ports::LedgerEntry>, PortError> {
        self.inner.entry(id).await
    }
    async fn history(&self, p: &str) -> Result<Vec<iam_guard::guard::ports::LedgerEntry>, PortError> {
        self.inner.history(p).await
    }
    async fn remember(&self, p: &str, what: Snapshot, value: Option<&str>) -> Result<(), PortError> {
        self.inner.remember(p, what, value).await
    }
    async fn recall(&self, p: &str, what: Snapshot) -> Result<Option<Option<String>>, PortError> {
        self.inner.recall(p, what).await
    }
}

#[test]
fn a_completion_write_failing_after_the_alert_never_alerts_twice() {
    let rt = rt();
    let g = guard(Mode::Alert);
    let c = change(sample("AttachRolePolicy"));
    // A short outage: the completion is retried and lands; a re-delivery is a duplicate.
    let (iam, publisher) = (MemoryIam::new(), RecordingPublisher::new());
    iam.apply(&c);
    let ledger = FlakyCompletion { inner: MemoryLedger::new(), failures: 2.into() };
    handled(rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap());
    assert!(matches!(rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap(), Answer::Duplicate(_)));
    assert_eq!(publisher.alerts().len(), 1);

    // A longer one: the delivery fails (Lambda retries it), but the claim is kept, so the retry
    // cannot publish a second alert while the claim's lease holds.
    let (iam, publisher) = (MemoryIam::new(), RecordingPublisher::new());
    iam.apply(&c);
    let ledger = FlakyCompletion { inner: MemoryLedger::new(), failures: u32::MAX.into() };
    let err = rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");
    let retry = rt.block_on(g.answer(&iam, &publisher, &ledger, c.clone())).unwrap_err();
    assert!(matches!(retry, PortError::InProgress(_)), "{retry:?}");
    assert_eq!(publisher.alerts().len(), 1, "one alert for the event");
}
