//! Account posture (#27): the CIS AWS Foundations IAM controls from saved account reports, each
//! file recognised by its content — known answers per control on two hand-built accounts (one
//! failing every control, one passing every control, compliant users in both), thresholds from
//! the configuration, "now" from IAM_GUARD_NOW, bad input named.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::cis_named as named;

const NOW: &str = "2026-12-01T00:00:00Z";

fn fixtures(account: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/posture").join(account);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

fn sweep(files: &[PathBuf], extra: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iam-guard"));
    // `--config FILE` is the program's option, before the command.
    let (config, extra): (Vec<&str>, Vec<&str>) = match extra {
        ["--config", file, rest @ ..] => (vec!["--config", file], rest.to_vec()),
        _ => (vec![], extra.to_vec()),
    };
    cmd.args(config).arg("sweep").env("IAM_GUARD_NOW", NOW).env_remove("IAM_GUARD_CONFIG");
    for f in files {
        cmd.arg("--input").arg(f);
    }
    let o = cmd.args(&extra).output().unwrap();
    (o.status.code().unwrap(), String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

fn json(files: &[PathBuf], extra: &[&str]) -> Value {
    let mut args = extra.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    let (code, out, err) = sweep(files, &args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// CIS v3 number → status line ("pass", "fail", "not_assessed").
fn statuses(report: &Value) -> BTreeMap<String, String> {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["cis"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn the_failing_account_fails_every_control_and_names_who() {
    let r = json(&fixtures("bad"), &[]);
    let s = statuses(&r);
    assert_eq!(s.len(), 17);
    assert!(s.values().all(|v| v == "fail"), "{s:?}");
    assert_eq!(named(&r, "1.4"), ["the root user"]);
    assert_eq!(named(&r, "1.5"), ["the root user"]);
    assert_eq!(named(&r, "1.7"), ["the root user"]);
    assert_eq!(named(&r, "1.8"), ["account 111122223333"]);
    assert_eq!(named(&r, "1.10"), ["user bob"]);
    assert_eq!(named(&r, "1.11"), ["user bob"]);
    // bob's password (333 days) and key (never used, 547 days); old-deploy's key (365 days).
    assert_eq!(named(&r, "1.12"), ["user bob", "user bob", "user old-deploy"]);
    assert_eq!(named(&r, "1.13"), ["user ci-bot"]);
    assert_eq!(named(&r, "1.14"), ["the root user", "user bob", "user old-deploy"]);
    assert_eq!(named(&r, "1.15"), ["user bob", "user old-deploy"]);
    assert_eq!(named(&r, "1.16"), ["user old-deploy"]);
    assert_eq!(named(&r, "1.19"), ["server certificate legacy-elb-2024"]);
    assert_eq!(named(&r, "1.22"), ["user bob"]);
    // Compliant users: alice (MFA, used, rotated), carol (password set 6 days ago, never used
    // yet: not unused), ci-bot's second key (62 days: rotated in time).
    let posture: Vec<&Value> = r["findings"].as_array().unwrap().iter().filter(|f| f["control"].is_string()).collect();
    assert!(posture.iter().all(|f| !["user alice", "user carol"].contains(&f["principal"].as_str().unwrap())));
    let sev = |cis: &str| {
        posture.iter().find(|f| f["control"].as_str().unwrap().starts_with(&format!("CIS {cis} "))).unwrap()["severity"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(sev("1.4"), "critical");
    assert_eq!(sev("1.10"), "high");
    assert_eq!(sev("1.12"), "medium");
    assert_eq!(sev("1.9"), "low");
    // The v7 numbering travels with each finding.
    assert!(posture.iter().any(|f| f["control"] == "CIS 1.12 (v7 2.11)"));
}

#[test]
fn the_compliant_account_passes_every_control() {
    let r = json(&fixtures("good"), &[]);
    let s = statuses(&r);
    assert!(s.values().all(|v| v == "pass"), "{s:?}");
    assert!(r["findings"].as_array().unwrap().iter().all(|f| f["control"].is_null()));
    // The support role CIS 1.17 asks for is no service-full-access finding either.
    assert!(r["findings"].as_array().unwrap().iter().all(|f| f["principal"] != "role incident-support"), "{r:#}");
}

#[test]
fn controls_without_their_data_are_not_assessed() {
    let report = fixtures("bad").into_iter().filter(|f| f.ends_with("credential-report.csv")).collect::<Vec<_>>();
    let r = json(&report, &[]);
    let s = statuses(&r);
    for cis in ["1.4", "1.5", "1.7", "1.10", "1.12", "1.13", "1.14"] {
        assert_eq!(s[cis], "fail", "{cis}");
    }
    for cis in ["1.6", "1.8", "1.9", "1.15", "1.16", "1.17", "1.19", "1.20", "1.22"] {
        assert_eq!(s[cis], "not_assessed", "{cis}");
    }
    let missing = r["controls"].as_array().unwrap().iter().find(|c| c["cis"] == "1.8").unwrap()["missing"].clone();
    assert_eq!(missing, "no password policy read");
    // The account is read off the report's ARNs.
    assert_eq!(r["account_id"], "111122223333");
}

#[test]
fn the_cli_json_of_the_credential_report_reads_like_the_csv() {
    use base64::Engine as _;
    let csv_path = fixtures("bad").into_iter().find(|f| f.ends_with("credential-report.csv")).unwrap();
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cli = dir.path().join("report.json");
    let content = base64::engine::general_purpose::STANDARD.encode(csv.as_bytes());
    std::fs::write(
        &cli,
        serde_json::json!({"Content": content, "ReportFormat": "text/csv", "GeneratedTime": NOW}).to_string(),
    )
    .unwrap();
    assert_eq!(statuses(&json(&[cli], &[])), statuses(&json(&[csv_path], &[])));
}

#[test]
fn thresholds_come_from_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guard.toml");
    std::fs::write(&config, "[posture]\nunused_days = 400\nrotation_days = 600\npassword_min_length = 8\n").unwrap();
    let r = json(&fixtures("bad"), &["--config", config.to_str().unwrap()]);
    // bob's key (547 days idle) stays; bob's password (333) and old-deploy's key (365) do not.
    assert_eq!(named(&r, "1.12"), ["user bob"]);
    assert_eq!(named(&r, "1.14"), ["the root user", "user old-deploy"]);
    assert_eq!(statuses(&r)["1.8"], "pass");
    // A rule switched off drops its findings; the control still shows what it found.
    std::fs::write(&config, "[rules.stale-credential]\nenabled = false\n").unwrap();
    let r = json(&fixtures("bad"), &["--config", config.to_str().unwrap()]);
    assert!(named(&r, "1.12").is_empty());
}

#[test]
fn text_html_and_sarif_group_by_control() {
    let (code, text, _) = sweep(&fixtures("bad"), &["--fail-on", "critical"]);
    assert_eq!(code, 1, "a critical root finding fails --fail-on critical");
    assert!(text.contains("CIS AWS Foundations, IAM controls: 0 pass, 17 fail, 0 not assessed"), "{text}");
    assert!(text.contains("1.12  (v7 2.11  ) FAIL (3)"), "{text}");
    let (_, html, _) = sweep(&fixtures("good"), &["--format", "html"]);
    assert!(html.contains("<table id=\"cis\">") && html.contains("17 pass, 0 fail"), "{html}");
    let (_, sarif, _) = sweep(&fixtures("bad"), &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["properties"]["cisControls"].as_array().unwrap().len(), 17);
    let rules: Vec<&str> =
        sarif["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    for id in ["root-user", "password-policy", "mfa-missing", "stale-credential", "account-setting"] {
        assert!(rules.contains(&id), "{id}: {rules:?}");
    }
}

#[test]
fn bad_input_is_named_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("report.csv");
    let csv =
        std::fs::read_to_string(fixtures("bad").into_iter().find(|f| f.ends_with("credential-report.csv")).unwrap())
            .unwrap();
    std::fs::write(&bad, csv.replace("2026-01-01T12:00:00+00:00", "last tuesday")).unwrap();
    let (code, _, err) = sweep(std::slice::from_ref(&bad), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("report.csv") && err.contains("line 4") && err.contains("last tuesday"), "{err}");
    std::fs::write(&bad, r#"{"PasswordPolicy": {"MinimumPasswordLength": "fourteen"}}"#).unwrap();
    let (code, _, err) = sweep(&[bad], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("PasswordPolicy"), "{err}");
    let (code, _, err) = Command::new(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["sweep", "--input", "-"])
        .env("IAM_GUARD_NOW", "yesterday")
        .output()
        .map(|o| (o.status.code().unwrap(), (), String::from_utf8(o.stderr).unwrap()))
        .unwrap();
    assert_eq!(code, 2);
    assert!(err.contains("IAM_GUARD_NOW"), "{err}");
}

/// `iam-guard event --format json PATHS…` (a sequence replayed in memory).
fn event_json(paths: &[&Path]) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_iam-guard"))
        .arg("event")
        .args(["--format", "json"])
        .args(paths)
        .output()
        .unwrap();
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

#[test]
fn a_provider_change_names_the_roles_that_trust_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/posture/oidc-admin");
    let out = event_json(&[&dir]);
    let last = &out.as_array().unwrap()[2]["verdict"];
    assert_eq!(last["change"]["event_name"], "UpdateOpenIDConnectProviderThumbprint");
    let finding = &last["judged"][0]["findings"][0];
    assert_eq!(finding["rule"], "federation");
    assert_eq!(finding["severity"], "critical", "an admin role trusts the provider: {finding:#}");
    assert!(
        last["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "roles that trust this provider: github-deploy (critical)"),
        "{last:#}"
    );
    // The same change with no role trusting the provider: high, and says so.
    let alone = event_json(&[&dir.join("3-UpdateOpenIDConnectProviderThumbprint.json")]);
    let v = &alone.as_array().unwrap()[0]["verdict"];
    assert_eq!(v["judged"][0]["findings"][0]["severity"], "high");
    assert!(v["notes"].as_array().unwrap().iter().any(|n| n == "no role trusts this provider yet"), "{v:#}");
}

#[test]
fn the_sweep_text_is_coloured_only_when_asked_or_on_a_terminal() {
    let report: Vec<PathBuf> = fixtures("bad").into_iter().filter(|f| f.ends_with("credential-report.csv")).collect();
    let (_, always, _) = sweep(&report, &["--color", "always"]);
    assert!(always.contains("\x1b[1;91mCRITICAL"), "{always}");
    let (_, auto, _) = sweep(&report, &[]);
    assert!(!auto.contains('\x1b'), "not a terminal: no colour");
    let (code, _, err) = sweep(&report, &["--color", "purple"]);
    assert_eq!(code, 2, "{err}");
}
