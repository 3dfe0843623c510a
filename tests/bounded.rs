//! Per-principal verdicts within the principal's permissions boundary: the sweep (live and
//! offline alike, from one inventory) and the event path judge what a principal effectively holds
//! — identity policies, minus Denies, within the boundary — and say what the boundary cuts away.
//! The escalation graph and the sweep agree on who is admin.

use iam_guard::config::{Config, Mode};
use iam_guard::engine::Engine;
use iam_guard::guard::memory::{MemoryIam, MemoryLedger, RecordingPublisher};
use iam_guard::guard::ports::{Ledger, Snapshot};
use iam_guard::guard::sweep::SweepReport;
use iam_guard::guard::{Guard, Plan};
use iam_guard::intake::{authdetails, Target};
use iam_guard::rules::Severity;
use serde_json::{json, Value};

const ACCT: &str = "111122223333";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const S3_FULL: &str = "arn:aws:iam::aws:policy/AmazonS3FullAccess";
const NO_S3: &str = "arn:aws:iam::111122223333:policy/no-s3";

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A boundary that allows everything but S3.
fn no_s3() -> Value {
    doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"},
               {"Effect": "Deny", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}]))
}

fn managed(arns: &[&str]) -> Value {
    Value::Array(arns.iter().map(|a| json!({"PolicyName": a.rsplit('/').next(), "PolicyArn": a})).collect())
}

fn boundary(arn: Option<&str>) -> Value {
    arn.map_or(Value::Null, |a| json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": a}))
}

fn role(name: &str, attached: &[&str], bounded_by: Option<&str>) -> Value {
    let mut r = json!({"RoleName": name, "Path": "/", "Arn": format!("arn:aws:iam::{ACCT}:role/{name}"),
           "AssumeRolePolicyDocument": doc(json!([{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}])),
           "RolePolicyList": [], "AttachedManagedPolicies": managed(attached), "Tags": []});
    if bounded_by.is_some() {
        r["PermissionsBoundary"] = boundary(bounded_by);
    }
    r
}

fn user(name: &str, attached: &[&str], groups: &[&str], bounded_by: Option<&str>) -> Value {
    let mut u = json!({"UserName": name, "Path": "/", "Arn": format!("arn:aws:iam::{ACCT}:user/{name}"),
           "GroupList": groups, "UserPolicyList": [], "AttachedManagedPolicies": managed(attached), "Tags": []});
    if bounded_by.is_some() {
        u["PermissionsBoundary"] = boundary(bounded_by);
    }
    u
}

fn export(roles: Vec<Value>, users: Vec<Value>, groups: Vec<Value>) -> Value {
    json!({"RoleDetailList": roles, "UserDetailList": users, "GroupDetailList": groups,
           "Policies": [{"PolicyName": "no-s3", "Arn": NO_S3, "Path": "/", "DefaultVersionId": "v1",
                         "AttachmentCount": 1, "IsAttachable": true,
                         "PolicyVersionList": [{"Document": no_s3(), "VersionId": "v1", "IsDefaultVersion": true}]}]})
}

fn guard(mode: Mode) -> Guard {
    Guard::new(Engine::new(Config { mode, denylist: vec![], ..Config::default() }), None)
}

fn audit(export: &Value) -> SweepReport {
    let inv = authdetails::parse(&export.to_string()).unwrap();
    guard(Mode::Enforce).audit(&inv, Some(ACCT))
}

/// The worst finding the guard acts on for a principal (cut findings and the graph's left out).
fn worst(r: &SweepReport, principal: &str) -> Option<Severity> {
    r.findings
        .iter()
        .filter(|f| f.principal == principal && f.finding.rule != "escalation-path" && f.finding.bounded_by.is_none())
        .map(|f| f.finding.severity)
        .max()
}

fn rules_of(r: &SweepReport, principal: &str) -> Vec<String> {
    let mut v: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.principal == principal && f.finding.bounded_by.is_none() && f.finding.rule != "escalation-path")
        .map(|f| f.finding.rule.to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn actions(r: &SweepReport) -> Vec<String> {
    r.actions.iter().map(|a| a.remediation.describe()).collect()
}

#[test]
fn admin_under_a_read_only_boundary_is_what_read_only_access_is() {
    let r = audit(&export(
        vec![
            role("bounded-admin", &[ADMIN], Some(READ_ONLY)),
            role("read-only", &[READ_ONLY], None),
            role("admin", &[ADMIN], None),
        ],
        vec![],
        vec![],
    ));
    // The boundary keeps it from admin: judged as what it effectively holds, which is exactly
    // what a principal holding ReadOnlyAccess holds.
    assert_eq!(worst(&r, "role admin"), Some(Severity::Critical));
    assert!(worst(&r, "role bounded-admin") < Some(Severity::Critical), "{:#?}", r.findings);
    assert_eq!(worst(&r, "role bounded-admin"), worst(&r, "role read-only"), "{:#?}", r.findings);
    // (`unknown-action` is about ReadOnlyAccess's names, newer than the catalogue: a rule on the
    // document, not on what it grants.)
    let mut read_only = rules_of(&r, "role read-only");
    read_only.retain(|r| r != "unknown-action");
    assert_eq!(rules_of(&r, "role bounded-admin"), read_only);
    // What the boundary cuts away is said, never dropped.
    let cut = r
        .findings
        .iter()
        .find(|f| f.principal == "role bounded-admin" && f.finding.rule == "admin")
        .expect("the document's admin finding stays visible");
    assert_eq!(cut.finding.severity, Severity::Info);
    assert_eq!(cut.finding.bounded_by.as_deref(), Some("permissions boundary ReadOnlyAccess"));
    assert!(
        cut.finding.message.starts_with("bounded by permissions boundary ReadOnlyAccess: admin → ")
            && cut.finding.message.contains("read, list only on")
            && cut.finding.message.contains("Administrator access"),
        "{}",
        cut.finding.message
    );
    // Enforce mode acts on the effective verdict: AdministratorAccess is detached only where it
    // is admin.
    let acts = actions(&r);
    assert!(acts.contains(&"detach AdministratorAccess from role admin".to_string()), "{acts:?}");
    assert!(!acts.iter().any(|a| a.contains("bounded-admin")), "{acts:?}");
}

#[test]
fn a_wide_boundary_bounds_little_and_the_verdict_shows_it() {
    let r = audit(&export(vec![role("admin-bounded-by-admin", &[ADMIN], Some(ADMIN))], vec![], vec![]));
    assert_eq!(worst(&r, "role admin-bounded-by-admin"), Some(Severity::Critical), "{:#?}", r.findings);
    assert!(r.findings.iter().all(|f| f.finding.bounded_by.is_none()), "nothing cut: {:#?}", r.findings);
    assert_eq!(actions(&r), ["detach AdministratorAccess from role admin-bounded-by-admin"]);
}

#[test]
fn full_access_under_a_boundary_that_denies_the_service_grants_nothing() {
    let r =
        audit(&export(vec![role("s3-bounded", &[S3_FULL], Some(NO_S3)), role("s3", &[S3_FULL], None)], vec![], vec![]));
    assert_eq!(worst(&r, "role s3"), Some(Severity::High));
    assert_eq!(worst(&r, "role s3-bounded"), None, "{:#?}", r.findings);
    let cut: Vec<_> = r.findings.iter().filter(|f| f.principal == "role s3-bounded").collect();
    assert!(!cut.is_empty() && cut.iter().all(|f| f.finding.severity == Severity::Info));
    assert!(cut.iter().any(|f| f.finding.message.contains("service-full-access → nothing")), "{cut:#?}");
    assert_eq!(actions(&r), ["detach AmazonS3FullAccess from role s3"]);
}

#[test]
fn a_bounded_users_groups_count_within_its_boundary() {
    let group = json!({"GroupName": "admins", "Path": "/", "Arn": format!("arn:aws:iam::{ACCT}:group/admins"),
        "GroupPolicyList": [], "AttachedManagedPolicies": managed(&[ADMIN])});
    let r = audit(&export(
        vec![],
        vec![user("bounded", &[], &["admins"], Some(READ_ONLY)), user("free", &[], &["admins"], None)],
        vec![group],
    ));
    assert_eq!(worst(&r, "group admins"), Some(Severity::Critical));
    assert_eq!(worst(&r, "user free"), Some(Severity::Critical), "inherits the group's admin");
    assert!(worst(&r, "user bounded") < Some(Severity::Critical), "{:#?}", r.findings);
    let cut = r.findings.iter().find(|f| f.principal == "user bounded" && f.finding.rule == "admin").unwrap();
    assert!(cut.policy.contains("via group admins") && cut.finding.bounded_by.is_some(), "{cut:#?}");
}

/// The graph and the sweep agree on every principal: held admin (the graph's "holds admin"
/// edge) is the sweep's acted-on `admin` finding.
#[test]
fn the_graph_and_the_sweep_agree_on_who_holds_admin() {
    let group = json!({"GroupName": "admins", "Path": "/", "Arn": format!("arn:aws:iam::{ACCT}:group/admins"),
        "GroupPolicyList": [], "AttachedManagedPolicies": managed(&[ADMIN])});
    let e = export(
        vec![
            role("bounded-admin", &[ADMIN], Some(READ_ONLY)),
            role("admin", &[ADMIN], None),
            role("admin-by-admin", &[ADMIN], Some(ADMIN)),
            role("admin-no-s3", &[ADMIN], Some(NO_S3)),
            role("read-only", &[READ_ONLY], None),
        ],
        vec![user("bounded", &[], &["admins"], Some(READ_ONLY)), user("free", &[], &["admins"], None)],
        vec![group],
    );
    let r = audit(&e);
    let inv = authdetails::parse(&e.to_string()).unwrap();
    let graph = iam_guard::graph::Graph::build(&inv, ACCT);
    let mut checked = 0;
    for (i, node) in graph.nodes.iter().enumerate() {
        let iam_guard::graph::NodeKind::Principal(t) = &node.kind else { continue };
        if t.kind == iam_guard::intake::PrincipalKind::Group {
            continue;
        }
        let holds = graph.edges.iter().any(|e| e.from == i && e.to == 0 && e.reason.starts_with("holds admin"));
        let principal = t.to_string();
        let swept = r.findings.iter().any(|f| {
            f.principal == principal
                && f.finding.rule == "admin"
                && f.finding.bounded_by.is_none()
                && f.finding.severity == Severity::Critical
        });
        assert_eq!(holds, swept, "{principal}: graph {holds}, sweep {swept}");
        checked += 1;
    }
    assert_eq!(checked, 7);
}

fn one_change(v: Value) -> iam_guard::intake::Change {
    let iam_guard::intake::Intake::Deliveries { deliveries, .. } = iam_guard::intake::parse(v).unwrap() else {
        panic!()
    };
    let Ok(mut o) = deliveries.into_iter().next().unwrap().outcome else { panic!() };
    let iam_guard::intake::Outcome::Change(c) = o.remove(0) else { panic!() };
    *c
}

fn record(id: &str, name: &str, params: Value) -> Value {
    json!({"eventVersion": "1.10", "eventID": id, "eventTime": "2026-11-20T10:15:30Z",
        "eventSource": "iam.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
        "recipientAccountId": ACCT, "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCT}:user/ops"), "userName": "ops"},
        "requestParameters": params, "responseElements": null})
}

fn attach_admin(id: &str, role: &str) -> iam_guard::intake::Change {
    one_change(record(id, "AttachRolePolicy", json!({"roleName": role, "policyArn": ADMIN})))
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().build().unwrap()
}

/// Enforce mode reads the principal before acting (hands-off) and so knows its boundary: an
/// attach of AdministratorAccess to a role bounded by ReadOnlyAccess is alerted at what the role
/// effectively gains, not detached; the same attach to an unbounded role is.
#[test]
fn enforce_mode_acts_on_the_effective_verdict_of_an_attach() {
    let rt = rt();
    let answer = |bounded: bool| {
        let iam = MemoryIam::new();
        let t = Target::role("app");
        iam.add_principal(&t, ACCT, "/", &[]);
        if bounded {
            iam.apply(&one_change(record(
                "b",
                "PutRolePermissionsBoundary",
                json!({"roleName": "app", "permissionsBoundary": READ_ONLY}),
            )));
        }
        iam.apply(&attach_admin("a", "app"));
        let h = rt.block_on(guard(Mode::Enforce).handle(&iam, &RecordingPublisher::new(), attach_admin("a", "app")));
        (h.unwrap(), iam.attached(&t))
    };
    let (h, attached) = answer(false);
    assert!(matches!(h.verdict.plan, Plan::Remediate { .. }), "{:?}", h.verdict.plan);
    assert!(attached.is_empty());
    let (h, attached) = answer(true);
    assert!(!matches!(h.verdict.plan, Plan::Remediate { .. }), "{:?}", h.verdict.plan);
    assert_eq!(attached, [ADMIN]);
    let findings: Vec<_> = h.verdict.judged.iter().flat_map(|j| &j.findings).collect();
    let cut = findings.iter().find(|f| f.rule == "admin").expect("the admin finding is said");
    assert!(cut.bounded_by.is_some() && cut.severity == Severity::Info, "{cut:#?}");
    assert!(h.verdict.notes.iter().any(|n| n == "judged within its permissions boundary ReadOnlyAccess"));
}

/// Alert mode costs no IAM read for an AWS managed attach: the boundary comes from the ledger
/// (remembered from the boundary event), and the alert is at the effective severity.
#[test]
fn alert_mode_judges_an_attach_within_the_boundary_the_ledger_remembers() {
    let rt = rt();
    let iam = MemoryIam::new();
    let ledger = MemoryLedger::new();
    let g = guard(Mode::Alert);
    let publisher = RecordingPublisher::new();
    let t = Target::role("app");
    iam.add_principal(&t, ACCT, "/", &[]);
    let put = one_change(record(
        "b",
        "PutRolePermissionsBoundary",
        json!({"roleName": "app", "permissionsBoundary": READ_ONLY}),
    ));
    iam.apply(&put);
    rt.block_on(g.answer(&iam, &publisher, &ledger, put)).unwrap();
    let arn = t.arn(ACCT);
    assert_eq!(rt.block_on(ledger.recall(&arn, Snapshot::Boundary)).unwrap(), Some(Some(READ_ONLY.to_string())));
    let severity = |id: &str| {
        let a = rt.block_on(g.answer(&iam, &publisher, &ledger, attach_admin(id, "app"))).unwrap();
        let iam_guard::guard::ledger::Answer::Handled(h) = a else { panic!("new event") };
        h.verdict.judged.iter().flat_map(|j| &j.findings).filter(|f| f.bounded_by.is_none()).map(|f| f.severity).max()
    };
    assert!(severity("a1") < Some(Severity::Critical));
    // The boundary removed: the ledger forgets it, and the next attach is admin again.
    let delete = one_change(record("d", "DeleteRolePermissionsBoundary", json!({"roleName": "app"})));
    iam.apply(&delete);
    rt.block_on(g.answer(&iam, &publisher, &ledger, delete)).unwrap();
    assert_eq!(rt.block_on(ledger.recall(&arn, Snapshot::Boundary)).unwrap(), Some(None));
    assert_eq!(severity("a2"), Some(Severity::Critical));
}

/// Holdings on the event path (a new access key here) are judged within the user's boundary.
#[test]
fn a_new_key_is_judged_on_what_the_bounded_user_holds() {
    let rt = rt();
    let judge = |bounded: bool| {
        let iam = MemoryIam::new();
        let t = Target::user("bob");
        iam.add_principal(&t, ACCT, "/", &[]);
        iam.attach(&t, S3_FULL);
        if bounded {
            iam.add_policy_version(NO_S3, "v1", &no_s3().to_string(), true);
            iam.apply(&one_change(record(
                "b",
                "PutUserPermissionsBoundary",
                json!({"userName": "bob", "permissionsBoundary": NO_S3}),
            )));
        }
        let mut rec = record("k", "CreateAccessKey", json!({"userName": "bob"}));
        rec["responseElements"] = json!({"accessKey": {"accessKeyId": "AKIAEXAMPLE", "userName": "bob"}});
        let h = rt.block_on(guard(Mode::Enforce).handle(&iam, &RecordingPublisher::new(), one_change(rec))).unwrap();
        let held = h.verdict.judged.iter().filter(|j| j.label.contains("AmazonS3FullAccess")).flat_map(|j| &j.findings);
        (held.filter(|f| f.bounded_by.is_none()).map(|f| f.severity).max(), iam.key_active("bob", "AKIAEXAMPLE"))
    };
    assert_eq!(judge(false).0, Some(Severity::High));
    assert_eq!(judge(true).0, None, "the boundary denies S3");
}

/// What is left of a statement within the boundary is what the rules judge: a NotAction Allow
/// that the boundary empties is not "allow with not"; a service wildcard of which the boundary
/// keeps some actions says so.
#[test]
fn the_rules_judge_what_is_left_of_each_statement() {
    let iam_only = "arn:aws:iam::111122223333:policy/iam-only";
    let s3_read = "arn:aws:iam::111122223333:policy/s3-read";
    let policy = |name: &str, arn: &str, d: Value| {
        json!({"PolicyName": name, "Arn": arn, "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1,
               "IsAttachable": true, "PolicyVersionList": [{"Document": d, "VersionId": "v1", "IsDefaultVersion": true}]})
    };
    let mut r = role("not-iam", &[], Some(iam_only));
    r["RolePolicyList"] = json!([{"PolicyName": "all-but-iam",
        "PolicyDocument": doc(json!([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]))}]);
    let mut e = export(vec![r, role("s3", &[S3_FULL], Some(s3_read))], vec![], vec![]);
    e["Policies"] = json!([
        policy("iam-only", iam_only, doc(json!([{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]))),
        policy(
            "s3-read",
            s3_read,
            doc(json!([{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]))
        ),
    ]);
    let report = audit(&e);
    assert_eq!(worst(&report, "role not-iam"), None, "{:#?}", report.findings);
    let full = report
        .findings
        .iter()
        .find(|f| f.principal == "role s3" && f.finding.rule == "service-full-access" && f.finding.bounded_by.is_none())
        .unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert!(full.finding.message.contains("actions after Deny and boundary"), "{}", full.finding.message);
    // Only part of S3 is left: not full access any more, one level lower, and it says so.
    assert_eq!(full.finding.severity, Severity::Medium);
    assert!(full.finding.message.starts_with("bounded by permissions boundary s3-read: high → medium; "));
    assert!(!actions(&report).iter().any(|a| a.contains("role s3")), "{:?}", actions(&report));
}

/// A role created with a boundary (CreateRole's `permissionsBoundary`): the ledger remembers it,
/// and a later attach in alert mode is judged within it — with no IAM read.
#[test]
fn a_role_created_with_a_boundary_is_judged_within_it() {
    let rt = rt();
    let iam = MemoryIam::new();
    let ledger = MemoryLedger::new();
    let g = guard(Mode::Alert);
    let publisher = RecordingPublisher::new();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let create = one_change(record(
        "c",
        "CreateRole",
        json!({"roleName": "app", "path": "/", "assumeRolePolicyDocument": trust, "permissionsBoundary": READ_ONLY}),
    ));
    let iam_guard::intake::Action::CreateRole { boundary, .. } = &create.action else { panic!() };
    assert_eq!(boundary.as_deref(), Some(READ_ONLY));
    iam.apply(&create);
    rt.block_on(g.answer(&iam, &publisher, &ledger, create)).unwrap();
    assert_eq!(iam.boundary(&Target::role("app")).as_deref(), Some(READ_ONLY));
    let a = rt.block_on(g.answer(&iam, &publisher, &ledger, attach_admin("a", "app"))).unwrap();
    let iam_guard::guard::ledger::Answer::Handled(h) = a else { panic!("new event") };
    let worst =
        h.verdict.judged.iter().flat_map(|j| &j.findings).filter(|f| f.bounded_by.is_none()).map(|f| f.severity).max();
    assert!(worst < Some(Severity::Critical), "{:#?}", h.verdict.judged);
    assert!(h.verdict.judged.iter().flat_map(|j| &j.findings).any(|f| f.rule == "admin" && f.bounded_by.is_some()));
}

/// Under the SCPs of its account (an allow-list SCP at the account level here) a role holding
/// AdministratorAccess is not admin — in the sweep and in the graph alike; a service-linked role,
/// which SCPs do not limit, still is.
#[test]
fn the_graph_and_the_sweep_agree_within_the_scps() {
    use iam_guard::guard::ports::ScpLevel;
    let full = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let s3_only =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","cloudwatch:*"],"Resource":"*"}]}"#;
    let scps = vec![
        ScpLevel { target: "r-root".into(), policies: vec![("FullAWSAccess".into(), full.into())] },
        ScpLevel { target: ACCT.into(), policies: vec![("s3-and-metrics-only".into(), s3_only.into())] },
    ];
    let mut linked = role("AWSServiceRoleForSupport", &[ADMIN], None);
    linked["Path"] = json!("/aws-service-role/support.amazonaws.com/");
    linked["Arn"] =
        json!(format!("arn:aws:iam::{ACCT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"));
    let e = export(vec![role("admin", &[ADMIN], None), linked], vec![], vec![]);
    let inv = authdetails::parse(&e.to_string()).unwrap();
    let r = guard(Mode::Enforce).audit_within(&inv, Some(ACCT), &scps);
    let graph = iam_guard::graph::Graph::build_within(&inv, ACCT, &scps);
    let holds = |label: &str| {
        let i = graph.nodes.iter().position(|n| n.label == label).unwrap();
        graph.edges.iter().any(|e| e.from == i && e.to == 0 && e.reason.starts_with("holds admin"))
    };
    let admin = |principal: &str| {
        r.findings
            .iter()
            .any(|f| f.principal == principal && f.finding.rule == "admin" && f.finding.bounded_by.is_none())
    };
    assert!(!holds("role/admin") && !admin("role admin"), "{:#?}", r.findings);
    assert!(holds("role/AWSServiceRoleForSupport") && admin("role AWSServiceRoleForSupport"));
    let cut = r.findings.iter().find(|f| f.principal == "role admin" && f.finding.rule == "admin").unwrap();
    assert_eq!(cut.finding.bounded_by.as_deref(), Some("SCP s3-and-metrics-only"));
    // What is left is full access to S3 and CloudWatch: judged as such.
    assert!(r.findings.iter().any(|f| f.principal == "role admin"
        && f.finding.rule == "service-full-access"
        && f.finding.bounded_by.is_none()));
}

/// An Identity Center event from `events/`, its request parameters changed by `edit`.
fn sso_event(file: &str, edit: impl FnOnce(&mut Value)) -> iam_guard::intake::Change {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events").join(file);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut v["detail"]["requestParameters"]);
    one_change(v)
}

/// A permission set's own permissions boundary bounds what its policies grant, as a role's does:
/// AdministratorAccess attached to a set bounded by ReadOnlyAccess is kept (its admin finding at
/// `info`, said), the same attach to an unbounded set is detached, and a boundary that is a
/// customer managed reference (resolved per account) is said and judged unbounded. The sweep's
/// judgement of the set (and of the boundary event itself) applies the boundary too.
#[test]
fn a_permission_sets_boundary_bounds_what_its_policies_grant() {
    let rt = rt();
    let attach = || sso_event("AttachManagedPolicyToPermissionSet.json", |_| {});
    let answer = |boundary: Option<Value>| {
        let iam = MemoryIam::new();
        iam.apply(&sso_event("CreatePermissionSet.json", |_| {}));
        let bounded =
            boundary.map(|b| sso_event("PutPermissionsBoundaryToPermissionSet.json", |p| p["permissionsBoundary"] = b));
        if let Some(b) = &bounded {
            iam.apply(b);
        }
        iam.apply(&attach());
        let g = guard(Mode::Enforce);
        let h = rt.block_on(g.handle(&iam, &RecordingPublisher::new(), attach())).unwrap();
        let on_boundary = bounded.map(|b| rt.block_on(g.handle(&iam, &RecordingPublisher::new(), b)).unwrap());
        (h, on_boundary)
    };
    let (h, _) = answer(None);
    assert!(matches!(h.verdict.plan, Plan::Remediate { .. }), "{:?}", h.verdict.plan);

    let (h, on_boundary) = answer(Some(json!({"managedPolicyArn": READ_ONLY})));
    assert!(!matches!(h.verdict.plan, Plan::Remediate { .. }), "{:?}", h.verdict.plan);
    let admin = h.verdict.judged.iter().flat_map(|j| &j.findings).find(|f| f.rule == "admin").expect("said");
    assert_eq!(
        (admin.severity, admin.bounded_by.as_deref()),
        (Severity::Info, Some("permissions boundary ReadOnlyAccess"))
    );
    // The boundary event judges what the set holds within the new boundary: no admin left.
    let held: Vec<_> = on_boundary.unwrap().verdict.judged.into_iter().skip(1).flat_map(|j| j.findings).collect();
    assert!(held.iter().all(|f| f.rule != "admin" || f.bounded_by.is_some()), "{held:#?}");

    let reference = json!({"customerManagedPolicyReference": {"name": "team-boundary", "path": "/"}});
    let (h, _) = answer(Some(reference));
    assert!(matches!(h.verdict.plan, Plan::Remediate { .. }), "unbounded: {:?}", h.verdict.plan);
    assert!(
        h.verdict.notes.iter().any(|n| n.contains("reference /team-boundary (resolved per account)")),
        "{:?}",
        h.verdict.notes
    );
}

/// "Delete the boundary that keeps it from admin" leads to admin only when the account's SCPs
/// would let the unbounded policies be admin: a role holding AdministratorAccess under a boundary
/// that allows it to delete that boundary becomes admin — but not in an account whose SCPs allow
/// IAM, S3 and CloudWatch only, where AdministratorAccess unbounded is still not admin.
#[test]
fn deleting_a_boundary_leads_to_admin_only_where_the_scps_allow_admin() {
    use iam_guard::guard::ports::ScpLevel;
    const MAY_DROP: &str = "arn:aws:iam::111122223333:policy/may-drop-boundary";
    let mut e = export(vec![role("bounded", &[ADMIN], Some(MAY_DROP))], vec![], vec![]);
    let may_drop = doc(
        json!([{"Effect": "Allow", "Action": ["iam:DeleteRolePermissionsBoundary", "iam:GetRole"], "Resource": "*"}]),
    );
    e["Policies"].as_array_mut().unwrap().push(json!({"PolicyName": "may-drop-boundary", "Arn": MAY_DROP, "Path": "/",
        "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": true,
        "PolicyVersionList": [{"Document": may_drop, "VersionId": "v1", "IsDefaultVersion": true}]}));
    let inv = authdetails::parse(&e.to_string()).unwrap();
    let drops_to_admin = |scps: &[ScpLevel]| {
        let graph = iam_guard::graph::Graph::build_within(&inv, ACCT, scps);
        let i = graph.nodes.iter().position(|n| n.label == "role/bounded").unwrap();
        graph.edges.iter().any(|e| e.from == i && e.to == 0 && e.reason.contains("iam:DeleteRolePermissionsBoundary"))
    };
    assert!(drops_to_admin(&[]), "no SCPs: deleting the boundary makes it admin");
    let full = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let few = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","s3:*","cloudwatch:*"],"Resource":"*"}]}"#;
    let scps = vec![
        ScpLevel { target: "r-root".into(), policies: vec![("FullAWSAccess".into(), full.into())] },
        ScpLevel { target: ACCT.into(), policies: vec![("iam-s3-metrics".into(), few.into())] },
    ];
    assert!(!drops_to_admin(&scps), "within the SCPs the unbounded policies are not admin either");
}
