//! Account posture live (#27): the sweep reads the credential report (GenerateCredentialReport
//! until complete, GetCredentialReport), the password policy, the account summary and the MFA
//! devices from moto, assesses the CIS controls, and in enforce mode — only when
//! `[posture] deactivate_unused_keys` opts in — deactivates the keys unused past the threshold.

mod common;
mod support;

use common::Moto;
use serde_json::Value;
use support::{cis_named as named, cis_status};

/// `iam-guard [--config FILE] sweep --format json [extra]` against moto, "now" `days` ahead.
fn sweep(moto: &Moto, config: Option<&std::path::Path>, days: i64, extra: &[&str]) -> Value {
    let now = (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339();
    let mut cmd = moto.command(env!("CARGO_BIN_EXE_iam-guard"));
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let out = cmd.args(["sweep", "--format", "json"]).args(extra).env("IAM_GUARD_NOW", now).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn key_states(iam: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    let out = iam.list_access_keys().user_name(user).send().await.unwrap();
    out.access_key_metadata.iter().map(|k| k.status.as_ref().unwrap().as_str().to_string()).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn the_live_sweep_assesses_the_controls_and_deactivates_unused_keys_only_when_asked() {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    let iam = aws_sdk_iam::Client::new(&sdk);
    for user in ["console-nomfa", "keyed", "tidy", "break-glass"] {
        iam.create_user().user_name(user).send().await.unwrap();
    }
    iam.create_login_profile().user_name("console-nomfa").password("An-initial-passw0rd!").send().await.unwrap();
    iam.create_access_key().user_name("keyed").send().await.unwrap();
    iam.create_access_key().user_name("keyed").send().await.unwrap();
    iam.create_access_key().user_name("break-glass").send().await.unwrap();
    iam.update_account_password_policy().minimum_password_length(8).send().await.unwrap();

    // Today: a console user without MFA, two active keys, a short password policy.
    let r = sweep(&moto, None, 0, &[]);
    assert_eq!(named(&r, "1.10"), ["user console-nomfa"], "{r:#}");
    assert_eq!(named(&r, "1.13"), ["user keyed"]);
    assert_eq!(cis_status(&r, "1.8"), "fail");
    assert_eq!(cis_status(&r, "1.12"), "pass", "keys created today are not unused yet");
    assert_eq!(cis_status(&r, "1.15"), "pass");
    // Read live: the MFA devices (1.6), the certificates (1.19); Access Analyzer has no client
    // here (1.20 is offline only) and says so.
    for cis in ["1.4", "1.5", "1.6", "1.7", "1.19"] {
        assert_ne!(cis_status(&r, cis), "not_assessed", "{cis}: {r:#}");
    }
    assert_eq!(cis_status(&r, "1.20"), "not_assessed");
    assert!(r["findings"].as_array().unwrap().iter().all(|f| f["principal"] != "user tidy"));
    assert!(r["findings"].as_array().unwrap().iter().all(|f| f["principal"] != "user break-glass"));

    // Sixty days on, never used: unused (1.12). Alert mode (the default): nothing changes.
    let r = sweep(&moto, None, 60, &[]);
    assert_eq!(named(&r, "1.12"), ["user break-glass", "user console-nomfa", "user keyed", "user keyed"], "{r:#}");
    assert_eq!(key_states(&iam, "keyed").await, ["Active", "Active"]);

    // Enforce mode without the opt-in: still nothing.
    let r = sweep(&moto, None, 60, &["--mode", "enforce"]);
    assert!(
        r["actions"].as_array().unwrap().iter().all(|a| a["remediation"]["kind"] != "deactivate_access_key"),
        "{r:#}"
    );
    assert_eq!(key_states(&iam, "keyed").await, ["Active", "Active"]);

    // Opted in: the two unused keys are deactivated by id; the console password is kept (not
    // opted in); undo is one command per key.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guard.toml");
    std::fs::write(
        &config,
        "[posture]\ndeactivate_unused_keys = true\n\n[[exemptions]]\nprincipal = \"arn:aws:iam::*:user/break-glass\"\nreason = \"sealed envelope\"\n",
    )
    .unwrap();
    let r = sweep(&moto, Some(&config), 60, &["--mode", "enforce"]);
    let done: Vec<&Value> =
        r["actions"].as_array().unwrap().iter().filter(|a| a["executed"]["result"] == "done").collect();
    assert_eq!(done.len(), 2, "{:#}", r["actions"]);
    assert_eq!(key_states(&iam, "keyed").await, ["Inactive", "Inactive"]);
    // The exempt user's key stays, and the report says why.
    assert_eq!(key_states(&iam, "break-glass").await, ["Active"]);
    let kept =
        r["actions"].as_array().unwrap().iter().find(|a| a["remediation"]["target"]["name"] == "break-glass").unwrap();
    assert!(kept["skipped"].as_str().unwrap().contains("sealed envelope"), "{kept:#}");
    let profile = iam.get_login_profile().user_name("console-nomfa").send().await;
    assert!(profile.is_ok(), "the password stays without delete_unused_passwords");
}
