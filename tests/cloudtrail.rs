//! CloudTrail as AWS writes it, beyond our own samples: the root user's credentials, the oldest
//! record versions (no eventID), gzip'd log files in the S3 layout, digests and Insights files,
//! documents the offline replay never saw, duplicate ids, cross-account trust, and the credential
//! and boundary calls. Records follow the CloudTrail record reference (field names, nulls, the
//! shapes of userIdentity for Root, IAMUser and AssumedRole), with anonymised values.

use iam_guard::config::Config;
use iam_guard::engine::Engine;
use iam_guard::guard::memory::{MemoryIam, RecordingPublisher};
use iam_guard::guard::{Guard, Plan, Verdict};
use iam_guard::intake::{Action, Outcome, RootCredential, Target};
use iam_guard::rules::Severity;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

mod support;

use support::{change, eventbridge, outcomes, record, user_identity, ACCOUNT};

fn root_identity() -> Value {
    json!({"type": "Root", "principalId": ACCOUNT, "arn": format!("arn:aws:iam::{ACCOUNT}:root"),
           "accountId": ACCOUNT, "accessKeyId": "ASIAQ3EGRZX2EXAMPLE8",
           "sessionContext": {"attributes": {"creationDate": "2026-11-20T13:00:00Z", "mfaAuthenticated": "true"}}})
}

fn assumed_identity() -> Value {
    json!({"type": "AssumedRole", "principalId": "AROAQ3EGRZX2EXAMPLE3:attacker",
           "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/Ops/attacker"), "accountId": ACCOUNT,
           "accessKeyId": "ASIAQ3EGRZX2EXAMPLE3",
           "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAQ3EGRZX2EXAMPLE3",
               "arn": format!("arn:aws:iam::{ACCOUNT}:role/Ops"), "accountId": ACCOUNT, "userName": "Ops"},
               "attributes": {"creationDate": "2026-11-20T10:01:44Z", "mfaAuthenticated": "false"}}})
}

/// Judges records in order (raw and EventBridge-wrapped must agree) with the default
/// configuration, against an in-memory IAM that `setup` prepares.
fn judge_with(config: Config, setup: impl Fn(&MemoryIam), records: &[Value]) -> Vec<(Verdict, bool)> {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut out: Vec<(Verdict, bool)> = Vec::new();
    for wrap in [false, true] {
        let guard = Guard::new(Engine::new(config.clone()), None);
        let iam = MemoryIam::new();
        setup(&iam);
        let publisher = RecordingPublisher::new();
        let mut these = Vec::new();
        for r in records {
            let v = if wrap { eventbridge(r.clone()) } else { r.clone() };
            for o in outcomes(v) {
                let Outcome::Change(c) = o else { continue };
                iam.apply(&c);
                let h = rt.block_on(guard.handle(&iam, &publisher, *c)).unwrap();
                these.push((h.verdict, h.alert.is_some()));
            }
        }
        if wrap {
            let plain: Vec<_> = out.iter().map(|(v, a)| (format!("{:?}", v.plan), v.severity(), *a)).collect();
            let wrapped: Vec<_> = these.iter().map(|(v, a)| (format!("{:?}", v.plan), v.severity(), *a)).collect();
            assert_eq!(plain, wrapped, "raw and EventBridge-wrapped records judged differently");
        } else {
            out = these;
        }
    }
    out
}

fn judge(records: &[Value]) -> Vec<(Verdict, bool)> {
    judge_with(Config::default(), |_| {}, records)
}

// ---- 1. the root user's credentials ----

#[test]
fn root_creating_its_own_access_key_is_critical_and_alerts() {
    // requestParameters null, and a response that says "Root": not an IAM user named Root.
    let with_root_name = record(
        "rk-1",
        "CreateAccessKey",
        root_identity(),
        Value::Null,
        json!({"accessKey": {"userName": "Root", "accessKeyId": "AKIAQ3EGRZX2EXAMPLEA", "status": "Active",
                             "createDate": "Nov 20, 2026 1:05:00 PM"}}),
    );
    // ... and one without any userName anywhere (the first failure the maintainers hit).
    let bare = record(
        "rk-2",
        "CreateAccessKey",
        root_identity(),
        Value::Null,
        json!({"accessKey": {"accessKeyId": "AKIAQ3EGRZX2EXAMPLEB", "status": "Active"}}),
    );
    for r in [with_root_name, bare] {
        let c = change(r.clone());
        assert!(matches!(c.action, Action::RootCredential { credential: RootCredential::AccessKey }), "{:?}", c.action);
        let judged = judge(&[r]);
        let (v, alerted) = &judged[0];
        assert_eq!(v.severity(), Some(Severity::Critical));
        assert!(alerted, "a root key always alerts");
        assert!(matches!(v.plan, Plan::Alert { .. }), "{:?}", v.plan);
        assert!(v.findings().any(|f| f.rule == "new-credential" && f.message.contains("root user")));
    }
}

#[test]
fn root_reactivating_a_key_and_root_creating_a_key_for_a_user() {
    let reactivate = record(
        "rk-3",
        "UpdateAccessKey",
        root_identity(),
        json!({"accessKeyId": "AKIAQ3EGRZX2EXAMPLEA", "status": "Active"}),
        Value::Null,
    );
    let c = change(reactivate.clone());
    assert!(matches!(c.action, Action::RootCredential { credential: RootCredential::ReactivatedAccessKey }));
    assert_eq!(judge(&[reactivate])[0].0.severity(), Some(Severity::Critical));
    // Root naming a user creates that user's key: a user credential, judged as one.
    let for_bob = record(
        "rk-4",
        "CreateAccessKey",
        root_identity(),
        json!({"userName": "bob"}),
        json!({"accessKey": {"userName": "bob"}}),
    );
    assert!(matches!(&change(for_bob).action, Action::CreateAccessKey { user, .. } if user == "bob"));
}

#[test]
fn disabling_new_credential_silences_root_keys_too() {
    let cfg = Config::from_toml("[rules.new-credential]\nenabled = false\n", "t").unwrap();
    let r = record("rk-5", "CreateAccessKey", root_identity(), Value::Null, Value::Null);
    let judged = judge_with(cfg, |_| {}, &[r]);
    assert_eq!(judged[0].0.plan, Plan::Clean);
}

// ---- 2. old record versions ----

/// eventVersion 1.0 as in AWS's documentation examples: no eventID, requestID or recipientAccountId.
fn old_record(user: &str) -> Value {
    json!({"eventVersion": "1.0", "userIdentity": user_identity("ops-bob"), "eventTime": "2014-03-24T21:11:59Z",
           "eventSource": "iam.amazonaws.com", "eventName": "AttachUserPolicy", "awsRegion": "us-east-1",
           "sourceIPAddress": "127.0.0.1", "userAgent": "aws-cli/1.3.2 Python/2.7.5 Windows/7",
           "requestParameters": {"userName": user, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
           "responseElements": null})
}

#[test]
fn records_without_event_id_get_a_stable_derived_one() {
    let a = change(old_record("dev-alice"));
    assert!(a.event_id_derived);
    assert!(a.event_id.starts_with("derived-") && a.event_id.len() == "derived-".len() + 16, "{}", a.event_id);
    assert_eq!(a.account_id, ACCOUNT, "from userIdentity.accountId when recipientAccountId is absent");
    // Same record, same id (a retry or replay is recognised); another record, another id.
    assert_eq!(change(old_record("dev-alice")).event_id, a.event_id);
    assert_ne!(change(old_record("dev-carol")).event_id, a.event_id);
    // In a log file and wrapped by EventBridge alike.
    assert_eq!(change(json!({"Records": [old_record("dev-alice")]})).event_id, a.event_id);
    // Judged like any other record, and the alert says the id was derived.
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let guard = Guard::new(Engine::new(Config::default()), None);
    let h = rt.block_on(guard.handle(&MemoryIam::new(), &RecordingPublisher::new(), *a)).unwrap();
    assert_eq!(h.verdict.severity(), Some(Severity::Critical));
    let alert = h.alert.expect("alert");
    assert!(alert.text.contains("derived: the record has no eventID"), "{}", alert.text);
    assert_eq!(alert.json["event"]["id_derived"], json!(true));
    // A record that has one keeps it.
    assert!(
        !change(record(
            "e-1",
            "AttachUserPolicy",
            user_identity("x"),
            json!({"userName": "u", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
            Value::Null
        ))
        .event_id_derived
    );
}

// ---- 3. gzip log files, the S3 layout, digests ----

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-guard"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).stdin(Stdio::null()).output().unwrap();
    (o.status.code().unwrap(), String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

fn log_file(records: &[Value]) -> String {
    json!({"Records": records}).to_string()
}

fn admin_attach(id: &str) -> Value {
    record(
        id,
        "AttachUserPolicy",
        user_identity("ops-bob"),
        json!({"userName": "dev-alice", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
        Value::Null,
    )
}

fn listing(id: &str) -> Value {
    let mut r = record(id, "ListRoles", user_identity("ops-bob"), json!({"maxItems": 100}), Value::Null);
    r["readOnly"] = json!(true);
    r
}

#[test]
fn gzip_log_files_are_read_by_their_magic_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let text = log_file(&[listing("l-1"), admin_attach("a-1"), old_record("dev-carol")]);
    // CloudTrail's own name, and a misleading one: the bytes decide.
    for name in [format!("{ACCOUNT}_CloudTrail_us-east-1_20261120T1305Z_x1.json.gz"), "plain-name.json".to_string()] {
        let p = dir.path().join(&name);
        std::fs::write(&p, gzip(&text)).unwrap();
        let (code, out, err) = run(&["event", p.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("2 changes judged"), "{out}");
        assert!(out.contains("#1:a-1 AttachUserPolicy"), "labelled by position and id: {out}");
    }
    // Concatenated gzip members (as `cat a.gz b.gz` makes) are one text.
    let p = dir.path().join("two-members.json.gz");
    let (half1, half2) = text.split_at(text.len() / 2);
    std::fs::write(&p, [gzip(half1), gzip(half2)].concat()).unwrap();
    let (code, out, _) = run(&["event", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    // Corrupt gzip: an error that says so, exit 2.
    let p = dir.path().join("broken.json.gz");
    let mut bytes = gzip(&text);
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&p, bytes).unwrap();
    let (code, _, err) = run(&["event", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("gzip"), "{err}");
    // Binary that is not gzip: named as not UTF-8, not a panic.
    let p = dir.path().join("binary.json");
    std::fs::write(&p, [0xffu8, 0xfe, 0x00, 0x41]).unwrap();
    let (code, _, err) = run(&["event", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not UTF-8"), "{err}");
}

/// `aws s3 sync s3://BUCKET/AWSLogs/ .` then `iam-guard event .`: nested folders, gzip'd log
/// files, digest files beside them.
#[test]
fn an_s3_sync_of_a_cloudtrail_bucket_just_works() {
    let dir = tempfile::tempdir().unwrap();
    let day = |d: u32| dir.path().join(format!("AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/{d:02}"));
    std::fs::create_dir_all(day(20)).unwrap();
    std::fs::create_dir_all(day(21)).unwrap();
    std::fs::write(
        day(20).join(format!("{ACCOUNT}_CloudTrail_us-east-1_20261120T1305Z_a.json.gz")),
        gzip(&log_file(&[admin_attach("s-1"), listing("s-2")])),
    )
    .unwrap();
    std::fs::write(
        day(21).join(format!("{ACCOUNT}_CloudTrail_us-east-1_20261121T0900Z_b.json.gz")),
        gzip(&log_file(&[record(
            "s-3",
            "CreateAccessKey",
            root_identity(),
            Value::Null,
            json!({"accessKey": {"userName": "Root"}}),
        )])),
    )
    .unwrap();
    let digest_dir = dir.path().join(format!("AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/20"));
    std::fs::create_dir_all(&digest_dir).unwrap();
    let digest = json!({"awsAccountId": ACCOUNT, "digestStartTime": "2026-11-20T12:00:00Z",
        "digestEndTime": "2026-11-20T13:00:00Z", "digestS3Bucket": "trail-bucket", "digestS3Object": "x",
        "newestEventTime": "2026-11-20T12:59:00Z", "oldestEventTime": "2026-11-20T12:00:00Z",
        "previousDigestS3Bucket": null, "previousDigestSignature": null, "logFiles": []});
    std::fs::write(
        digest_dir.join(format!("{ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T130000Z.json.gz")),
        gzip(&digest.to_string()),
    )
    .unwrap();
    // Unrelated files the sync may bring are not read.
    std::fs::write(dir.path().join("README.txt"), "not a log").unwrap();
    let (code, out, err) = run(&["event", dir.path().to_str().unwrap(), "--fail-on", "critical"]);
    assert_eq!(code, 1, "critical findings with --fail-on critical: {out}{err}");
    assert!(out.contains("2 changes judged, 2 alerts"), "{out}");
    assert!(out.contains("ROOT access key created"), "{out}");
    assert!(out.contains("a CloudTrail digest file"), "{out}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn nothing_judgeable_says_so_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["event", dir.path().to_str().unwrap()]);
    assert_eq!(code, 3, "an empty directory");
    assert!(err.contains("nothing judgeable"), "{err}");
    std::fs::write(dir.path().join("only-reads.json.gz"), gzip(&log_file(&[listing("n-1"), listing("n-2")]))).unwrap();
    let (code, out, err) = run(&["event", dir.path().to_str().unwrap()]);
    assert_eq!(code, 3, "{out}");
    assert!(err.contains("nothing judgeable in 1 file(s): 2 record(s) read"), "{err}");
    // CloudTrail Insights files are records, but not API calls.
    let insight = json!({"eventVersion": "1.08", "eventTime": "2026-11-20T13:00:00Z", "awsRegion": "us-east-1",
        "eventID": "i-1", "eventType": "AwsCloudTrailInsight", "recipientAccountId": ACCOUNT,
        "sharedEventID": "s-1", "insightDetails": {"state": "Start", "eventSource": "iam.amazonaws.com",
        "eventName": "AttachRolePolicy", "insightType": "ApiCallRateInsight"}, "eventCategory": "Insight"});
    let p = dir.path().join("insight.json");
    std::fs::write(&p, log_file(&[insight])).unwrap();
    let (code, out, _) = run(&["event", p.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(out.contains("CloudTrail Insights event"), "{out}");
}

// ---- 4. unknown is not clean ----

#[test]
fn a_document_never_seen_offline_is_not_judged_not_clean() {
    let r = record(
        "u-1",
        "AttachRolePolicy",
        assumed_identity(),
        json!({"roleName": "app", "policyArn": format!("arn:aws:iam::{ACCOUNT}:policy/never-seen")}),
        Value::Null,
    );
    let judged = judge(std::slice::from_ref(&r));
    assert!(matches!(&judged[0].0.plan, Plan::NotJudged { .. }), "{:?}", judged[0].0.plan);
    assert!(!judged[0].1, "no alert");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("attach.json");
    std::fs::write(&p, eventbridge(r).to_string()).unwrap();
    let (code, out, _) = run(&["event", p.to_str().unwrap()]);
    assert_eq!(code, 3, "a script can tell not-judged from clean: {out}");
    assert!(out.contains("not judged: document unknown") && !out.contains("clean"), "{out}");
    assert!(out.contains("0 changes judged, 1 not judged"), "{out}");
    let (_, out, _) = run(&["event", p.to_str().unwrap(), "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["verdict"]["plan"]["decision"], "not_judged");
    // Once the replay has seen the policy created, the same attach is judged.
    let create = record(
        "u-0",
        "CreatePolicy",
        assumed_identity(),
        json!({"policyName": "never-seen", "policyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#}),
        json!({"policy": {"policyName": "never-seen", "arn": format!("arn:aws:iam::{ACCOUNT}:policy/never-seen")}}),
    );
    let p2 = dir.path().join("0-create.json");
    std::fs::write(&p2, log_file(&[create])).unwrap();
    let (code, out, _) = run(&["event", p2.to_str().unwrap(), p.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("clean: no alert") && !out.contains("not judged"), "{out}");
}

// ---- 5. duplicate ids ----

#[test]
fn duplicate_event_ids_are_labelled_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("dupes.json");
    std::fs::write(&p, log_file(&[admin_attach("same"), listing("same"), admin_attach("same")])).unwrap();
    let (_, out, _) = run(&["event", p.to_str().unwrap()]);
    for i in 0..3 {
        assert_eq!(out.matches(&format!("dupes.json#{i}:same ")).count(), 1, "{out}");
    }
}

// ---- 6. cross-account backdoor trust ----

fn create_role(id: &str, trust: Value) -> Value {
    record(
        id,
        "CreateRole",
        assumed_identity(),
        json!({"roleName": "backdoor", "path": "/", "assumeRolePolicyDocument": trust.to_string()}),
        Value::Null,
    )
}

#[test]
fn trusting_a_foreign_account_alerts_by_default() {
    let foreign = |cond: Value| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole", "Condition": cond}]})
    };
    let plain = create_role("t-1", foreign(json!({})));
    let judged = judge(std::slice::from_ref(&plain));
    assert_eq!(judged[0].0.severity(), Some(Severity::High));
    assert!(judged[0].1, "alerts at the default threshold");
    // UpdateAssumeRolePolicy the same.
    let update = record(
        "t-2",
        "UpdateAssumeRolePolicy",
        assumed_identity(),
        json!({"roleName": "app", "policyDocument": foreign(json!({})).to_string()}),
        Value::Null,
    );
    assert!(judge(&[update])[0].1);
    // With an external id: low, no alert.
    let vendor = create_role("t-3", foreign(json!({"StringEquals": {"sts:ExternalId": "k3y"}})));
    let judged = judge(&[vendor]);
    assert_eq!(judged[0].0.severity(), Some(Severity::Low));
    assert!(!judged[0].1);
    // known_accounts is the override; the policy's own account is always known.
    let cfg = Config::from_toml("known_accounts = [\"999988887777\"]", "t").unwrap();
    assert_eq!(judge_with(cfg, |_| {}, &[plain])[0].0.plan, Plan::Clean);
    let own = create_role(
        "t-4",
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:role/Ops")}, "Action": "sts:AssumeRole"}]}),
    );
    assert_eq!(judge(&[own])[0].0.plan, Plan::Clean);
}

// ---- 7. more calls that change who can do what ----

#[test]
fn password_resets_and_key_reactivations_are_credentials() {
    let reset = record(
        "c-1",
        "UpdateLoginProfile",
        assumed_identity(),
        json!({"userName": "carol", "passwordResetRequired": false}),
        Value::Null,
    );
    let c = change(reset.clone());
    assert!(matches!(&c.action, Action::UpdateLoginProfile { user } if user == "carol"));
    let judged = judge_with(
        Config::default(),
        |iam| iam.attach(&Target::user("carol"), "arn:aws:iam::aws:policy/AdministratorAccess"),
        &[reset],
    );
    assert_eq!(judged[0].0.severity(), Some(Severity::Critical), "a reset password on an admin");
    assert!(judged[0].1);

    let on = record(
        "c-2",
        "UpdateAccessKey",
        user_identity("ops-bob"),
        json!({"userName": "carol", "accessKeyId": "AKIAQ3EGRZX2EXAMPLEC", "status": "Active"}),
        Value::Null,
    );
    assert!(matches!(&change(on.clone()).action, Action::ReactivateAccessKey { user, access_key_id }
        if user == "carol" && access_key_id == "AKIAQ3EGRZX2EXAMPLEC"));
    let judged = judge(&[on]);
    assert_eq!(judged[0].0.severity(), Some(Severity::Medium));
    assert!(judged[0].1, "credentials always alert");
    // Deactivating grants nothing: read, not judged.
    let off = record(
        "c-3",
        "UpdateAccessKey",
        user_identity("ops-bob"),
        json!({"userName": "carol", "accessKeyId": "AKIAQ3EGRZX2EXAMPLEC", "status": "Inactive"}),
        Value::Null,
    );
    let Outcome::Ignored(i) = outcomes(off).remove(0) else { panic!("judged a deactivation") };
    assert!(i.reason.contains("Inactive"), "{}", i.reason);
}

#[test]
fn a_replaced_boundary_is_judged_by_what_the_principal_holds() {
    let put = |id: &str, boundary: &str| {
        record(
            id,
            "PutRolePermissionsBoundary",
            assumed_identity(),
            json!({"roleName": "app", "permissionsBoundary": format!("arn:aws:iam::aws:policy/{boundary}")}),
            Value::Null,
        )
    };
    let c = change(put("b-1", "AdministratorAccess"));
    assert!(matches!(&c.action, Action::PutPermissionsBoundary { target, boundary_arn }
        if *target == Target::role("app") && boundary_arn.ends_with("/AdministratorAccess")));
    // A role holding admin, its boundary widened to AdministratorAccess: the holdings alert.
    let holds_admin = |iam: &MemoryIam| iam.attach(&Target::role("app"), "arn:aws:iam::aws:policy/AdministratorAccess");
    let judged = judge_with(Config::default(), holds_admin, &[put("b-2", "AdministratorAccess")]);
    assert_eq!(judged[0].0.severity(), Some(Severity::Critical));
    assert!(judged[0].1);
    assert!(judged[0].0.judged.iter().any(|j| j.label.starts_with("permissions boundary AdministratorAccess")));
    // A role holding only read access: the wide boundary alone is at most medium, no alert.
    let holds_read = |iam: &MemoryIam| iam.attach(&Target::role("app"), "arn:aws:iam::aws:policy/ReadOnlyAccess");
    let judged = judge_with(Config::default(), holds_read, &[put("b-3", "AdministratorAccess")]);
    assert!(judged[0].0.severity() <= Some(Severity::Medium), "{:?}", judged[0].0.severity());
    assert!(!judged[0].1);
    // The user variant.
    let user = record(
        "b-4",
        "PutUserPermissionsBoundary",
        assumed_identity(),
        json!({"userName": "carol", "permissionsBoundary": "arn:aws:iam::aws:policy/PowerUserAccess"}),
        Value::Null,
    );
    assert!(
        matches!(&change(user).action, Action::PutPermissionsBoundary { target, .. } if *target == Target::user("carol"))
    );
}

#[test]
fn every_new_sample_replays_through_the_cli() {
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
    for f in [
        "UpdateLoginProfile.json",
        "UpdateAccessKey.json",
        "PutRolePermissionsBoundary.json",
        "PutUserPermissionsBoundary.json",
        "scenarios/root-access-key.json",
        "envelopes/cloudtrail-v1.0-log-file.json",
        "envelopes/111122223333_CloudTrail_us-east-1_20261120T1015Z_EXAMPLE.json.gz",
    ] {
        let (code, out, err) = run(&["event", events.join(f).to_str().unwrap(), "--mode", "alert"]);
        assert_eq!(code, 0, "{f}: {out}{err}");
        assert!(!out.contains("ERROR"), "{f}: {out}");
    }
}

// ---- the offline replay answers each event once, and remembers ----

#[test]
fn the_replay_answers_a_repeated_record_once_and_puts_a_removed_boundary_back() {
    let dir = tempfile::tempdir().unwrap();
    // CloudTrail may deliver a record twice: one alert, the second "answered before".
    let p = dir.path().join("twice.json");
    std::fs::write(&p, log_file(&[admin_attach("e-1"), admin_attach("e-1")])).unwrap();
    let (_, out, _) = run(&["event", p.to_str().unwrap(), "--format", "json"]);
    let items: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(items[0]["outcome"], "change", "{out}");
    assert!(items[0]["alert"].is_object(), "{out}");
    assert_eq!(items[1]["outcome"], "duplicate", "{out}");
    assert_eq!(items[1]["answered"]["event_id"], "e-1", "{out}");
    let (_, text, _) = run(&["event", p.to_str().unwrap()]);
    assert!(text.contains("answered before (event e-1, alert): no second alert"), "{text}");
    assert!(text.contains("1 changes judged, 1 alerts"), "{text}");

    // A boundary put, IAMFullAccess attached by a stack (left alone: "fix it in the stack"), the
    // boundary removed by a person: in enforce mode the replay puts the boundary back, as the
    // Lambda does with its table.
    let boundary = "arn:aws:iam::111122223333:policy/app-boundary";
    let who = user_identity("ops-bob");
    let put = record(
        "b-put",
        "PutUserPermissionsBoundary",
        who.clone(),
        json!({"userName": "dev-alice", "permissionsBoundary": boundary}),
        Value::Null,
    );
    let mut attach = admin_attach("b-attach");
    attach["requestParameters"]["policyArn"] = "arn:aws:iam::aws:policy/IAMFullAccess".into();
    attach["userIdentity"]["invokedBy"] = "cloudformation.amazonaws.com".into();
    let delete = record("b-del", "DeleteUserPermissionsBoundary", who, json!({"userName": "dev-alice"}), Value::Null);
    let p = dir.path().join("boundary.json");
    std::fs::write(&p, log_file(&[put, attach, delete])).unwrap();
    let (_, out, err) = run(&["event", p.to_str().unwrap(), "--format", "json", "--mode", "enforce"]);
    let items: Vec<Value> = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    assert_eq!(items[1]["verdict"]["plan"]["decision"], "alert", "{out}");
    let last = &items[2]["verdict"];
    assert_eq!(last["plan"]["decision"], "remediate", "{out}");
    assert_eq!(last["plan"]["remediation"]["boundary_arn"], boundary, "{out}");
}
