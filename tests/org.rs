//! The organization sweep on in-memory adapters: every account swept through its own IAM, an
//! account that cannot be reached reported while the others continue, one report and digest.

use iam_guard::config::{Config, Mode};
use iam_guard::engine::Engine;
use iam_guard::guard::memory::MemoryIam;
use iam_guard::guard::ports::{MemberAccounts, PortError};
use iam_guard::guard::{alert, Guard};
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
    let accounts: Vec<(String, String)> = [
        ("111111111111", "management"),
        ("222222222222", "prod"),
        ("333333333333", "dev"),
        ("444444444444", "new-account"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let guard = Guard::new(Engine::new(Config { mode: Mode::Enforce, ..Config::default() }), None);
    let report =
        rt.block_on(guard.sweep_organization("o-exampleorgid", ("111111111111", &home), &members, &accounts, 2));

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
