//! The escalation graph on generated `get-account-authorization-details` exports with known
//! chains: 1–3 hops, a group, a cycle, a boundary that cuts a path, a Deny that cuts one, a trust
//! that does not admit the hop, a path reachable from another account; and the offline CLI.

use iam_guard::graph::Graph;
use iam_guard::intake::authdetails;
use serde_json::{json, Value};
use std::process::Command;

mod support;

use support::{allow, arn, managed, trust, ADMIN};

const ACCT: &str = support::ACCOUNT;

fn doc(statements: Vec<Value>) -> Value {
    support::doc(Value::Array(statements))
}

fn user(name: &str, statements: Vec<Value>, attached: &[&str], groups: &[&str]) -> Value {
    let inline = if statements.is_empty() { vec![] } else { vec![("p", doc(statements))] };
    support::user_detail(name, inline, attached, groups)
}

fn role(name: &str, trust: Value, statements: Vec<Value>, attached: &[&str]) -> Value {
    let inline = if statements.is_empty() { vec![] } else { vec![("p", doc(statements))] };
    support::role_detail(name, trust, inline, attached)
}

/// The account every test starts from.
fn account() -> Value {
    let deployer = arn("role", "deployer");
    let bounded_policy = format!("arn:aws:iam::{ACCT}:policy/s3-only");
    let mut bounded = user("bounded", vec![allow(&["sts:AssumeRole"], &deployer)], &[], &[]);
    bounded["PermissionsBoundary"] =
        json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": bounded_policy});
    json!({
        "UserDetailList": [
            user("breakglass", vec![], &[ADMIN], &[]),
            user("ci", vec![allow(&["iam:PassRole"], &arn("role", "ops-admin")),
                            allow(&["lambda:CreateFunction", "lambda:InvokeFunction"], "*")], &[], &[]),
            user("dev", vec![allow(&["sts:AssumeRole"], &deployer)], &[], &[]),
            user("intern", vec![allow(&["iam:AddUserToGroup"], &arn("group", "ops"))], &[], &[]),
            user("self", vec![allow(&["iam:PutUserPolicy"], &arn("user", "self"))], &[], &[]),
            user("stranger", vec![allow(&["sts:AssumeRole"], &arn("role", "locked"))], &[], &[]),
            user("denied", vec![allow(&["sts:AssumeRole"], "*"),
                                json!({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": deployer})], &[], &[]),
            bounded,
            user("cyc", vec![allow(&["sts:AssumeRole"], &arn("role", "a"))], &[], &[]),
            user("member", vec![], &[], &["ops"]),
        ],
        "GroupDetailList": [
            {"GroupName": "ops", "Path": "/", "Arn": arn("group", "ops"), "GroupPolicyList": [],
             "AttachedManagedPolicies": managed(&[ADMIN])}
        ],
        "RoleDetailList": [
            role("ops-admin", trust(json!({"Service": "lambda.amazonaws.com"})), vec![], &[ADMIN]),
            role("deployer", trust(json!({"AWS": format!("arn:aws:iam::{ACCT}:root")})),
                 vec![allow(&["iam:CreateAccessKey"], &arn("user", "breakglass"))], &[]),
            role("locked", trust(json!({"AWS": arn("user", "breakglass")})), vec![], &[ADMIN]),
            role("a", trust(json!({"AWS": arn("role", "b")})), vec![allow(&["sts:AssumeRole"], &arn("role", "b"))], &[]),
            role("b", trust(json!({"AWS": arn("role", "a")})), vec![allow(&["sts:AssumeRole"], &arn("role", "a"))], &[]),
            role("partner", trust(json!({"AWS": "arn:aws:iam::999988887777:root"})),
                 vec![allow(&["sts:AssumeRole"], &deployer)], &[]),
        ],
        "Policies": [
            {"PolicyName": "s3-only", "Arn": bounded_policy, "DefaultVersionId": "v1", "AttachmentCount": 1,
             "PolicyVersionList": [{"Document": doc(vec![allow(&["s3:GetObject"], "*")]), "VersionId": "v1", "IsDefaultVersion": true}]}
        ]
    })
}

/// start label → (hops, from outside, description).
fn paths(export: &Value) -> std::collections::BTreeMap<String, (usize, bool, String)> {
    let inv = authdetails::parse(&export.to_string()).unwrap();
    let g = Graph::build(&inv, ACCT);
    g.paths_to_admin()
        .iter()
        .map(|p| (g.nodes[p.start].label.clone(), (p.edges.len(), p.from_outside, g.describe(p))))
        .collect()
}

#[test]
fn known_chains_are_found_with_their_shortest_paths_and_nothing_else() {
    let found = paths(&account());
    let summary: Vec<(&str, usize, bool)> = found.iter().map(|(k, v)| (k.as_str(), v.0, v.1)).collect();
    assert_eq!(
        summary,
        [
            ("role/deployer", 2, true),
            ("role/partner", 3, true),
            ("user/ci", 2, false),
            ("user/dev", 3, false),
            ("user/intern", 2, false),
            ("user/self", 1, false),
        ],
        "{found:#?}"
    );
    assert_eq!(
        found["user/ci"].2,
        "user/ci → iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction (lambda-001) → role/ops-admin \
         → admin: holds admin (AdministratorAccess)"
    );
    assert_eq!(
        found["user/dev"].2,
        "user/dev → sts:AssumeRole (the trust admits the account) → role/deployer → iam:CreateAccessKey (its \
         credentials) → user/breakglass → admin: holds admin (AdministratorAccess)"
    );
    assert!(found["user/intern"].2.contains("iam:AddUserToGroup (join it) → group/ops"), "{}", found["user/intern"].2);
    assert_eq!(found["user/self"].2, "user/self → admin: iam:PutUserPolicy on itself");
    assert!(found["role/partner"].2.starts_with("role/partner → sts:AssumeRole"), "{}", found["role/partner"].2);
}

#[test]
fn one_action_short_the_path_is_gone() {
    let mut export = account();
    // ci without lambda:InvokeFunction: it can create the function but never run it.
    export["UserDetailList"][1]["UserPolicyList"][0]["PolicyDocument"]["Statement"][1]["Action"] =
        json!(["lambda:CreateFunction"]);
    assert!(!paths(&export).contains_key("user/ci"));
    // ops-admin trusting EC2 instead of Lambda: passing it to Lambda fails.
    export = account();
    export["RoleDetailList"][0]["AssumeRolePolicyDocument"] = trust(json!({"Service": "ec2.amazonaws.com"}));
    assert!(!paths(&export).contains_key("user/ci"));
    // deployer's trust no longer admits the account: dev, deployer's callers and partner lose it.
    export = account();
    export["RoleDetailList"][1]["AssumeRolePolicyDocument"] = trust(json!({"Service": "lambda.amazonaws.com"}));
    let found = paths(&export);
    assert!(!found.contains_key("user/dev") && !found.contains_key("role/partner"), "{found:#?}");
    assert!(found.contains_key("role/deployer"), "deployer itself still can");
}

#[test]
fn the_boundary_and_the_deny_cut_paths_that_would_exist_without_them() {
    let found = paths(&account());
    assert!(!found.contains_key("user/bounded") && !found.contains_key("user/denied"), "{found:#?}");
    // Remove the boundary and the Deny: both escalate through deployer.
    let mut export = account();
    export["UserDetailList"][7].as_object_mut().unwrap().remove("PermissionsBoundary");
    export["UserDetailList"][6]["UserPolicyList"][0]["PolicyDocument"]["Statement"].as_array_mut().unwrap().pop();
    let found = paths(&export);
    assert_eq!(found.get("user/bounded").map(|p| p.0), Some(3), "{found:#?}");
    assert_eq!(found.get("user/denied").map(|p| p.0), Some(3), "{found:#?}");
}

#[test]
fn cycles_end_and_the_graph_is_drawn_for_graphviz() {
    let inv = authdetails::parse(&account().to_string()).unwrap();
    let g = Graph::build(&inv, ACCT);
    let a = g.nodes.iter().position(|n| n.label == "role/a").unwrap();
    let b = g.nodes.iter().position(|n| n.label == "role/b").unwrap();
    assert!(g.edges.iter().any(|e| e.from == a && e.to == b) && g.edges.iter().any(|e| e.from == b && e.to == a));
    let dot = g.dot(false);
    assert!(dot.starts_with("digraph escalation {"), "{dot}");
    assert!(dot.contains("label=\"user/ci\"") && dot.contains("label=\"account 999988887777\", style=dashed"), "{dot}");
    assert!(!dot.contains("label=\"role/a\""), "only the paths to admin unless --all");
    assert!(g.dot(true).contains("label=\"role/a\""));
}

#[test]
fn exports_as_the_cli_writes_them_pages_and_url_encoded_documents() {
    // Two pages concatenated, one document URL-encoded as IAM's API returns it.
    let mut first = account();
    let second = json!({"RoleDetailList": first["RoleDetailList"].take(), "IsTruncated": false});
    first["IsTruncated"] = json!(true);
    let encoded: String = first["UserDetailList"][4]["UserPolicyList"][0]["PolicyDocument"]
        .to_string()
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    first["UserDetailList"][4]["UserPolicyList"][0]["PolicyDocument"] = json!(encoded);
    let text = format!("{first}\n{second}\n");
    let inv = authdetails::parse(&text).unwrap();
    let g = Graph::build(&inv, ACCT);
    assert_eq!(g.paths_to_admin().len(), 6);
    // A JSON array of pages reads the same.
    let inv = authdetails::parse(&json!([first, second]).to_string()).unwrap();
    assert_eq!(Graph::build(&inv, ACCT).paths_to_admin().len(), 6);
    // Not an export: a clear error naming what it is.
    let e = authdetails::parse(r#"{"Version": "2012-10-17", "Statement": []}"#).unwrap_err().to_string();
    assert!(e.contains("not a get-account-authorization-details output") && e.contains("Statement"), "{e}");
    let e = authdetails::parse("{\"UserDetailList\": [").unwrap_err().to_string();
    assert!(e.starts_with("not JSON"), "{e}");
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_iam-guard")).args(args).output().unwrap();
    (o.status.code().unwrap(), String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

#[test]
fn sweep_and_graph_read_a_saved_export_offline() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("auth.json");
    std::fs::write(&file, serde_json::to_string_pretty(&account()).unwrap()).unwrap();
    let f = file.to_str().unwrap();
    // The sweep: same reports as the live one, with the escalation findings.
    let (code, out, err) = cli(&["sweep", "--input", f, "--format", "json", "--fail-on", "high"]);
    assert_eq!(code, 1, "findings at high: {err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["account_id"], ACCT);
    let esc: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "escalation-path").collect();
    assert_eq!(esc.len(), 6, "{esc:#?}");
    let partner = esc.iter().find(|f| f["principal"] == "role partner").unwrap();
    assert_eq!(partner["severity"], "critical");
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "admin" && f["principal"] == "user breakglass"));
    let (_, html, _) = cli(&["sweep", "--input", f, "--format", "html"]);
    assert!(html.contains("<h2>Can become admin (6)</h2>"), "{html}");
    let (_, text, _) = cli(&["sweep", "--input", f]);
    assert!(text.contains("can become admin (6 principals):"), "{text}");
    let (_, sarif, _) = cli(&["sweep", "--input", f, "--format", "sarif"]);
    assert!(sarif.contains("\"ruleId\": \"escalation-path\""), "{sarif}");
    // The graph.
    let (code, dot, _) = cli(&["graph", "--input", f, "--format", "dot"]);
    assert_eq!(code, 0);
    assert!(dot.contains("-> n0 [label=\"holds admin (AdministratorAccess)\"]"), "{dot}");
    let (_, text, _) = cli(&["graph", "--input", f]);
    assert!(text.contains("6 principals can become admin"), "{text}");
    assert!(
        text.contains("role/partner → sts:AssumeRole") && text.contains("[reachable from outside the account]"),
        "{text}"
    );
    // Bad input: exit 2 naming it.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[1, 2]").unwrap();
    let (code, _, err) = cli(&["graph", "--input", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json: not a get-account-authorization-details output"), "{err}");
}

#[test]
fn the_sweep_digest_counts_who_can_become_admin() {
    use iam_guard::config::Config;
    use iam_guard::engine::Engine;
    use iam_guard::guard::{alert, Guard};
    let inv = authdetails::parse(&account().to_string()).unwrap();
    let report = Guard::new(Engine::new(Config::default()), None).audit(&inv, Some(ACCT));
    let digest = alert::digest(&report, iam_guard::rules::Severity::High, 15).unwrap();
    assert!(digest.text.contains("Can become admin: 6 principals"), "{}", digest.text);
    // Turned off in configuration: no graph findings at all.
    let off = Config::from_toml("[rules.escalation-path]\nenabled = false\n", "t").unwrap();
    let report = Guard::new(Engine::new(off), None).audit(&inv, Some(ACCT));
    assert!(report.findings.iter().all(|f| f.finding.rule != "escalation-path"));
}

#[test]
fn running_commands_on_instances_reaches_the_roles_of_their_instance_profiles() {
    let mut export = account();
    // An EC2 role holding admin, carried by an instance profile; an operator who may send SSM
    // commands to any instance.
    let mut ec2 = role("ec2-admin", trust(json!({"Service": "ec2.amazonaws.com"})), vec![], &[ADMIN]);
    ec2["InstanceProfileList"] = json!([{"InstanceProfileName": "ec2-admin-profile", "Path": "/",
        "Arn": format!("arn:aws:iam::{ACCT}:instance-profile/ec2-admin-profile"), "Roles": []}]);
    export["RoleDetailList"].as_array_mut().unwrap().push(ec2);
    let operator = |resource: &str| user("operator", vec![allow(&["ssm:SendCommand"], resource)], &[], &[]);
    export["UserDetailList"].as_array_mut().unwrap().push(operator("*"));
    let found = paths(&export);
    assert_eq!(
        found["user/operator"].2,
        "user/operator → ssm:SendCommand on EC2 instances (instance profile ec2-admin-profile) → role/ec2-admin \
         → admin: holds admin (AdministratorAccess)"
    );
    // Only SSM documents, no instance: no path. And no instance profile: no path.
    let n = export["UserDetailList"].as_array().unwrap().len();
    export["UserDetailList"][n - 1] = operator(&format!("arn:aws:ssm:us-east-1:{ACCT}:document/*"));
    assert!(!paths(&export).contains_key("user/operator"));
    export["UserDetailList"][n - 1] = operator("*");
    let r = export["RoleDetailList"].as_array().unwrap().len();
    export["RoleDetailList"][r - 1].as_object_mut().unwrap().remove("InstanceProfileList");
    assert!(!paths(&export).contains_key("user/operator"));
}

/// The event path: a grant that is least privilege on its own (PassRole on one named role) but,
/// with what the account holds, a path to admin: the alert says so with the path.
#[test]
fn a_change_that_opens_a_path_to_admin_alerts_with_the_path() {
    use iam_guard::config::Config;
    use iam_guard::engine::Engine;
    use iam_guard::guard::memory::{MemoryIam, RecordingPublisher};
    use iam_guard::guard::{Guard, Plan};
    use iam_guard::intake::{self, Intake, Outcome, Target};
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let pass_role = |id: &str| {
        let policy = doc(vec![allow(&["iam:PassRole"], &arn("role", "ops-admin"))]).to_string();
        json!({"version": "0", "id": "eb", "detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
            "account": ACCT, "time": "2026-11-20T10:15:30Z", "region": "us-east-1", "resources": [],
            "detail": {"eventVersion": "1.10", "eventID": id, "eventTime": "2026-11-20T10:15:30Z",
                "eventSource": "iam.amazonaws.com", "eventName": "PutUserPolicy", "awsRegion": "us-east-1",
                "sourceIPAddress": "203.0.113.10", "userAgent": "aws-cli/2", "eventType": "AwsApiCall",
                "recipientAccountId": ACCT,
                "userIdentity": {"type": "IAMUser", "arn": arn("user", "ops"), "accountId": ACCT, "userName": "ops"},
                "requestParameters": {"userName": "ci", "policyName": "pass", "policyDocument": policy},
                "responseElements": null}})
    };
    let change = |v: Value| {
        let Intake::Deliveries { deliveries, .. } = intake::parse(v).unwrap() else { panic!() };
        match deliveries.into_iter().flat_map(|d| d.outcome.unwrap()).next() {
            Some(Outcome::Change(c)) => *c,
            other => panic!("{other:?}"),
        }
    };
    let account = |service: &str| {
        let iam = MemoryIam::new();
        iam.add_principal(&Target::role("ops-admin"), ACCT, "/", &[]);
        iam.set_trust("ops-admin", &trust(json!({"Service": service})).to_string());
        iam.attach(&Target::role("ops-admin"), ADMIN);
        iam.add_principal(&Target::user("ci"), ACCT, "/", &[]);
        iam.attach(&Target::user("ci"), "arn:aws:iam::aws:policy/AWSLambda_FullAccess");
        iam
    };
    let guard = Guard::new(Engine::new(Config::default()), None);
    let publisher = RecordingPublisher::new();

    // ops-admin trusts Lambda and ci can create and invoke functions: a path.
    let iam = account("lambda.amazonaws.com");
    let c = change(pass_role("e-1"));
    iam.apply(&c);
    let h = rt.block_on(guard.handle(&iam, &publisher, c)).unwrap();
    assert!(matches!(h.verdict.plan, Plan::Alert { .. }), "{:?}", h.verdict.plan);
    let f = h.verdict.findings().find(|f| f.rule == "escalation-path").expect("no escalation-path finding");
    assert!(f.message.contains("user/ci → iam:PassRole + lambda:CreateFunction"), "{}", f.message);
    let alert = h.alert.expect("no alert");
    assert!(alert.text.contains("path to admin: user/ci → iam:PassRole"), "{}", alert.text);
    assert!(alert.text.contains("opens a path to admin"), "{}", alert.text);

    // The same grant when ops-admin trusts only EC2: no path, no alert.
    let iam = account("ec2.amazonaws.com");
    let c = change(pass_role("e-2"));
    iam.apply(&c);
    let h = rt.block_on(guard.handle(&iam, &publisher, c)).unwrap();
    assert!(h.verdict.findings().all(|f| f.rule != "escalation-path"));
    assert!(h.alert.is_none(), "{:?}", h.verdict.plan);
}

/// The "make me admin" loop: a user that can become a role allowed to write its policies can
/// have admin attached to itself; a role allowed to write only other users' policies (or a user
/// that cannot become it) gives no path. Through a group the user belongs to as well.
#[test]
fn becoming_someone_who_may_write_ones_policies_leads_to_admin() {
    // The trust naming dev lets dev in by itself (a same-account principal named in a trust);
    // trusting someone else leaves dev out, its own AssumeRole grant notwithstanding.
    let export = |ops_writes: &str, dev_can_assume: bool| {
        let assume = vec![allow(&["sts:AssumeRole"], &arn("role", "ops"))];
        let trusted = if dev_can_assume { arn("user", "dev") } else { arn("user", "other") };
        json!({
            "UserDetailList": [user("dev", assume, &[], &["devs"])],
            "GroupDetailList": [{"GroupName": "devs", "Path": "/", "Arn": arn("group", "devs"), "GroupPolicyList": [],
                                 "AttachedManagedPolicies": []}],
            "RoleDetailList": [role("ops", trust(json!({"AWS": trusted})),
                                    vec![allow(&["iam:AttachUserPolicy", "iam:AttachGroupPolicy"], ops_writes)], &[])],
            "Policies": []
        })
    };
    let found = paths(&export(&arn("user", "*"), true));
    assert_eq!(
        found["user/dev"].2, "user/dev → admin: becomes role/ops and iam:AttachUserPolicy on itself from there",
        "{found:#?}"
    );
    let found = paths(&export(&arn("group", "devs"), true));
    assert_eq!(
        found["user/dev"].2,
        "user/dev → admin: becomes role/ops and iam:AttachGroupPolicy on itself from there"
    );
    assert!(
        !paths(&export(&arn("user", "other"), true)).contains_key("user/dev"),
        "ops writes another user's policies"
    );
    assert!(!paths(&export(&arn("user", "*"), false)).contains_key("user/dev"), "dev cannot become ops");
    assert!(!paths(&export(&arn("user", "*"), true)).contains_key("role/ops"), "ops itself writes no role's policies");
}

/// Code on existing compute: a user allowed to update ONE named function's code acts with the
/// role the function runs as (admin: a path; a scoped role: none); a stack's service role
/// likewise through UpdateStack, and the change-set pair needs both of its actions.
#[test]
fn changing_what_existing_compute_runs_acts_with_its_role() {
    let function = format!("arn:aws:lambda:us-east-1:{ACCT}:function:nightly");
    let stack = format!("arn:aws:cloudformation:us-east-1:{ACCT}:stack/platform/0a1b");
    let export = |fn_role: &str, stack_actions: &[&str]| {
        json!({
            "UserDetailList": [
                user("dev", vec![allow(&["lambda:UpdateFunctionCode"], &function)], &[], &[]),
                user("ops", vec![allow(stack_actions, &stack)], &[], &[]),
            ],
            "RoleDetailList": [
                role("nightly-admin", trust(json!({"Service": "lambda.amazonaws.com"})), vec![], &[ADMIN]),
                role("nightly-scoped", trust(json!({"Service": "lambda.amazonaws.com"})),
                     vec![allow(&["s3:GetObject"], "arn:aws:s3:::reports/*")], &[]),
                role("cfn-deployer", trust(json!({"Service": "cloudformation.amazonaws.com"})), vec![], &[ADMIN]),
            ],
            "Compute": [
                {"Type": "lambda-function", "Arn": function, "Role": arn("role", fn_role)},
                {"Type": "cloudformation-stack", "Arn": stack, "Role": arn("role", "cfn-deployer")}
            ]
        })
    };
    let found = paths(&export("nightly-admin", &["cloudformation:UpdateStack"]));
    assert_eq!(
        found["user/dev"].2,
        "user/dev → lambda:UpdateFunctionCode on Lambda function nightly (lambda-003: it runs as role/nightly-admin) \
         → role/nightly-admin → admin: holds admin (AdministratorAccess)"
    );
    assert!(
        found["user/ops"].2.contains("cloudformation:UpdateStack on CloudFormation stack platform (cloudformation-002"),
        "{found:#?}"
    );
    let found = paths(&export("nightly-scoped", &["cloudformation:CreateChangeSet"]));
    assert!(!found.contains_key("user/dev"), "the function's role is scoped: {found:#?}");
    assert!(!found.contains_key("user/ops"), "a change set it cannot execute: {found:#?}");
    let found =
        paths(&export("nightly-scoped", &["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"]));
    assert!(found["user/ops"].2.contains("(cloudformation-005"), "{found:#?}");
}

/// `iam-guard who-can`: the principals that can do an action directly (admin holders, a role
/// granted it) and those that can through the graph (becoming one that can), each with how; a
/// principal with no way to it is not listed.
#[test]
fn who_can_lists_direct_holders_and_paths_to_them() {
    let mut export = account();
    export["RoleDetailList"].as_array_mut().unwrap().push(role(
        "reports",
        trust(json!({"AWS": arn("user", "analyst")})),
        vec![allow(&["s3:GetObject"], "arn:aws:s3:::reports/*")],
        &[],
    ));
    export["UserDetailList"].as_array_mut().unwrap().push(user("analyst", vec![], &[], &[]));
    export["UserDetailList"].as_array_mut().unwrap().push(user("nobody", vec![], &[], &[]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.json");
    std::fs::write(&path, export.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["who-can", "s3:GetObject", "arn:aws:s3:::reports/q3.csv", "--json", "--input"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let how = |who: &str| {
        lines
            .iter()
            .find(|l| l["principal"] == arn(who.split('/').next().unwrap(), who.split('/').nth(1).unwrap()))
            .map(|l| l["how"].as_str().unwrap().to_string())
    };
    assert!(how("role/reports").unwrap().starts_with("directly (inline policy p Statement[0])"), "{lines:#?}");
    assert_eq!(
        how("user/analyst").unwrap(),
        "through user/analyst → sts:AssumeRole (named in the trust) → role/reports"
    );
    assert!(how("user/breakglass").unwrap().starts_with("directly (AdministratorAccess"), "{lines:#?}");
    assert!(how("user/dev").unwrap().starts_with("through user/dev → "), "{lines:#?}");
    assert_eq!(how("user/nobody"), None, "no policy, trusted by no role: {lines:#?}");
}
