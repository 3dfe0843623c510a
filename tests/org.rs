//! The organization sweep on in-memory adapters: every account swept through its own IAM, an
//! account that cannot be reached reported while the others continue, one report and digest.

use iam_guard::config::{Config, Mode};
use iam_guard::guard::memory::MemoryIam;
use iam_guard::guard::ports::{MemberAccounts, PortError};
use iam_guard::guard::sweep::OrgAccount;
use iam_guard::guard::{alert, Guards};
use iam_guard::intake::Target;
use iam_guard::rules::Severity;
use std::collections::HashMap;
use std::sync::Arc;

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Member accounts in memory; an account missing here has no member role.
struct Members(HashMap<&'static str, Arc<MemoryIam>>);

impl MemberAccounts<MemoryIam> for Members {
    async fn iam(&self, account_id: &str, _: &str) -> Result<Option<Arc<MemoryIam>>, PortError> {
        match self.0.get(account_id) {
            Some(iam) => Ok(Some(iam.clone())),
            None => Err(PortError::Failed(format!("cannot assume arn:aws:iam::{account_id}:role/iam-guard-member"))),
        }
    }
}

fn account(id: &str, admin_role: &str) -> MemoryIam {
    let iam = MemoryIam::new();
    iam.add_principal(&Target::role(admin_role), id, "/", &[]);
    iam.attach(&Target::role(admin_role), ADMIN);
    iam.add_principal(&Target::role("reader"), id, "/", &[]);
    iam.attach(&Target::role("reader"), "arn:aws:iam::aws:policy/ReadOnlyAccess");
    iam
}

#[test]
fn every_account_is_swept_and_one_without_the_role_is_reported() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let home = account("111111111111", "hub-admin");
    let members = Members(HashMap::from([
        ("222222222222", Arc::new(account("222222222222", "app"))),
        ("333333333333", Arc::new(account("333333333333", "batch"))),
    ]));
    let accounts: Vec<OrgAccount> = [
        ("111111111111", "management"),
        ("222222222222", "prod"),
        ("333333333333", "dev"),
        ("444444444444", "new-account"),
    ]
    .iter()
    .map(|(a, b)| OrgAccount { id: a.to_string(), name: b.to_string(), ous: vec![] })
    .collect();
    let guards = Guards::new(Config { mode: Mode::Enforce, ..Config::default() }, None);
    let report =
        rt.block_on(guards.sweep_organization("o-exampleorgid", ("111111111111", &home), &members, accounts, 2));

    assert_eq!(report.accounts.len(), 4);
    let missing = report.accounts.iter().find(|a| a.account_id == "444444444444").unwrap();
    assert!(missing.line().starts_with("not swept: cannot assume"), "{}", missing.line());
    for (id, role) in [("111111111111", "hub-admin"), ("222222222222", "app"), ("333333333333", "batch")] {
        let a = report.accounts.iter().find(|a| a.account_id == id).unwrap();
        assert!(a.error.is_none() && a.principals == 2, "{a:?}");
        assert!(a.counts.iter().any(|(s, n)| *s == Severity::Critical && *n == 1), "{a:?}");
        let f = report.findings.iter().find(|f| f.account_id == id && f.finding.rule == "admin").unwrap();
        assert_eq!(f.principal, format!("role {role}"));
        assert!(report.actions.iter().any(|x| x.account_id == id && x.state() == "done"), "{:?}", report.actions);
    }
    // Each detach happened in its own account only.
    assert!(home.attached(&Target::role("hub-admin")).is_empty());
    assert!(members.0["222222222222"].attached(&Target::role("app")).is_empty());
    assert_eq!(members.0["222222222222"].attached(&Target::role("reader")).len(), 1);
    // One digest for the organization, per-account lines.
    let digest = alert::digest(&report, Severity::High, 15).unwrap();
    assert!(digest.subject.contains("IAM sweep of o-exampleorgid"), "{}", digest.subject);
    assert!(digest.text.contains("444444444444 new-account: not swept"), "{}", digest.text);
    assert!(digest.text.contains("222222222222 prod: 2 principals: 1 critical"), "{}", digest.text);
}

/// `[[accounts]]`: enforce in production accounts, alert elsewhere; replayed with the CLI, which
/// chooses the guard per account as the Lambda does.
#[test]
fn per_account_configuration_enforces_in_prod_and_alerts_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("iam-guard.toml");
    std::fs::write(
        &config,
        r#"
mode = "alert"
[[accounts]]
match = ["2222*"]
mode = "enforce"
[[accounts]]
match = ["333333333333"]
exemptions = [{ principal = "arn:aws:iam::333333333333:role/app", reason = "sandbox" }]
mode = "enforce"
"#,
    )
    .unwrap();
    let record = |id: &str, account: &str| {
        serde_json::json!({"eventVersion": "1.10", "eventID": id, "eventTime": "2026-11-20T10:15:30Z",
            "eventSource": "iam.amazonaws.com", "eventName": "AttachRolePolicy", "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.10", "userAgent": "aws-cli/2", "eventType": "AwsApiCall",
            "recipientAccountId": account,
            "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::{account}:user/ops"), "accountId": account, "userName": "ops"},
            "requestParameters": {"roleName": "app", "policyArn": ADMIN}, "responseElements": null})
    };
    let file = dir.path().join("trail.json");
    let records = [record("p", "222200001111"), record("d", "444444444444"), record("s", "333333333333")];
    std::fs::write(&file, serde_json::json!({"Records": records}).to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["--config", config.to_str().unwrap(), "event", file.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    let decision = |i: usize| items[i]["verdict"]["plan"]["decision"].as_str().unwrap().to_string();
    assert_eq!(decision(0), "remediate", "prod account: enforce");
    assert_eq!(decision(1), "alert", "other accounts: the file's alert mode");
    assert_eq!(decision(2), "alert", "an exemption of that account only");
    assert!(items[2]["verdict"]["plan"]["why"].to_string().contains("sandbox"), "{}", items[2]);

    // Bad entries are errors naming them.
    for (bad, says) in [
        ("[[accounts]]\nmatch = []\n", "accounts[0] needs match"),
        ("[[accounts]]\nous = [\"Prod\"]\n", "\"Prod\" is not an organizational unit id glob"),
        ("[[accounts]]\nmatch = [\"prod\"]\n", "\"prod\" is not an account id glob"),
    ] {
        let e = Config::from_toml(bad, "t").unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
    }
}

/// `[[accounts]] ous`: an account matches when one of its organizational units (any depth) or
/// its root matches; the first matching entry wins; account globs and OU globs combine.
#[test]
fn per_ou_entries_match_the_units_an_account_sits_under() {
    let cfg = Config::from_toml(
        r#"
mode = "alert"
[[accounts]]
match = ["999999999999"]
mode = "alert"
[[accounts]]
ous = ["ou-ab12-prod*"]
mode = "enforce"
[[accounts]]
ous = ["r-ab12"]
denylist = ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]
"#,
        "t",
    )
    .unwrap();
    assert!(cfg.uses_ous());
    let ous = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Two levels under the production OU.
    let nested = ous(&["ou-ab12-eu000001", "ou-ab12-prod0001", "r-ab12"]);
    assert_eq!(cfg.account_entry("222233334444", &nested), Some(1));
    // Under the root only: the third entry.
    assert_eq!(cfg.account_entry("222233334444", &ous(&["r-ab12"])), Some(2));
    // The account glob comes first, whatever its OUs.
    assert_eq!(cfg.account_entry("999999999999", &nested), Some(0));
    // OUs unknown: only account globs can match.
    assert_eq!(cfg.account_entry("222233334444", &[]), None);
    let guards = Guards::new(cfg, None);
    assert!(guards.needs_ous());
    assert_eq!(guards.for_account_in("222233334444", &nested).engine().config().mode, Mode::Enforce);
    assert_eq!(guards.for_account("222233334444").engine().config().mode, Mode::Alert);
    assert!(!Guards::new(Config::default(), None).needs_ous(), "no OU entries: no lookup");
}
