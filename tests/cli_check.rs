//! `iam-guard check` as a user runs it: exit codes, formats, inputs.

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-guard"))
}

fn run(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut c = bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    if let Some(s) = stdin {
        // The process may exit before reading stdin (bad config): a broken pipe is fine here.
        let _ = c.stdin.take().unwrap().write_all(s.as_bytes());
    } else {
        drop(c.stdin.take());
    }
    let o = c.wait_with_output().unwrap();
    (o.status.code().unwrap(), String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Sid":"Everything","Effect":"Allow","Action":"*:*","Resource":"*"}]}"#;
const SCOPED: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/orders"}]}"#;

#[test]
fn stdin_text_and_fail_on() {
    let (code, out, _) = run(&["check", "-", "--fail-on", "critical"], Some(ADMIN));
    assert_eq!(code, 1);
    assert!(
        out.contains("CRITICAL") && out.contains("admin") && out.contains("Statement[0] (Sid \"Everything\")"),
        "{out}"
    );
    assert!(!out.contains("\x1b["), "no colour when not a tty");
    let (code, _, _) = run(&["check", "-"], Some(ADMIN));
    assert_eq!(code, 1, "default --fail-on high: a first CI hookup fails on admin");
    let (code, _, _) = run(&["check", "-", "--fail-on", "never"], Some(ADMIN));
    assert_eq!(code, 0);
    let (code, out, _) = run(&["check", "-", "--fail-on", "low"], Some(SCOPED));
    assert_eq!(code, 0, "{out}");
}

#[test]
fn directories_json_and_sarif() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("admin.json"), ADMIN).unwrap();
    std::fs::write(dir.path().join("scoped.json"), SCOPED).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, _) = run(&["check", d, "--format", "json"], None);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[0]["findings"][0]["rule"], "admin");
    assert_eq!(arr[0]["findings"][0]["severity"], "critical");
    assert_eq!(arr[0]["findings"][0]["evidence"][0]["statement"], 0);
    assert_eq!(arr[1]["findings"].as_array().unwrap().len(), 0);

    let (_, out, _) = run(&["check", d, "--format", "sarif"], None);
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let run0 = &s["runs"][0];
    assert!(run0["tool"]["driver"]["rules"].as_array().unwrap().iter().any(|r| r["id"] == "admin"));
    let r = &run0["results"][0];
    assert_eq!(r["ruleId"], "admin");
    assert_eq!(r["level"], "error");
    assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().ends_with("admin.json"));
}

#[test]
fn malformed_input_names_the_problem_and_exits_2() {
    // A policy IAM would reject is a finding at its statement (exit 1); unreadable input is 2.
    let (code, out, _) = run(&["check", "-"], Some(r#"{"Statement":[{"Effect":"Permit","Action":"*"}]}"#));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("HIGH     policy-invalid") && out.contains("Statement[0].Effect"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typo.json");
    std::fs::write(
        &file,
        "{\n\"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resources\": \"*\"}\n]}",
    )
    .unwrap();
    let (code, out, _) = run(&["check", file.to_str().unwrap(), "--format", "sarif"], None);
    assert_eq!(code, 1, "{out}");
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "policy-invalid");
    assert!(result["message"]["text"].as_str().unwrap().contains("did you mean \"Resource\"?"), "{result}");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 3, "{result}");
    let (code, _, err) = run(&["check", "-"], Some("{not json"));
    assert_eq!(code, 2);
    assert!(err.contains("not valid JSON"), "{err}");
    let (code, _, err) = run(&["check", "/no/such/file.json"], None);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn managed_policy_export_and_url_encoded() {
    let export = r#"{"AmazonS3FullAccess":{"Arn":"arn:aws:iam::aws:policy/AmazonS3FullAccess","Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}}}"#;
    let (_, out, _) = run(&["check", "-", "--format", "json"], Some(export));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = v[0]["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"service-full-access") && rules.contains(&"denylisted-policy"), "{rules:?}");
    let encoded = percent_encode(ADMIN);
    let (code, out, _) = run(&["check", "-", "--fail-on", "high"], Some(&encoded));
    assert_eq!(code, 1, "{out}");
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn config_file_changes_verdicts_and_bad_config_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("guard.toml");
    std::fs::write(&cfg, "[rules.admin]\nenabled = false\n").unwrap();
    let (_, out, _) = run(&["--config", cfg.to_str().unwrap(), "check", "-", "--format", "json"], Some(ADMIN));
    assert!(!out.contains("\"admin\""), "{out}");
    std::fs::write(&cfg, "[rules.admn]\nenabled = false\n").unwrap();
    let (code, _, err) = run(&["--config", cfg.to_str().unwrap(), "check", "-"], Some(ADMIN));
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule id [rules.admn]"), "{err}");
}

/// `iam-guard sweep` runs the `iam-guard-sweep` program beside it (which carries the AWS SDK, so
/// `iam-guard` need not); without it, the command says what is missing instead of failing oddly.
#[test]
fn sweep_runs_its_own_program_and_says_when_it_is_missing() {
    let help = bin().args(["sweep", "--help"]).output().unwrap();
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("Usage: iam-guard sweep") && help.contains("--format"), "{help}");

    let lone = tempfile::tempdir().unwrap();
    let copy = lone.path().join("iam-guard");
    std::fs::copy(env!("CARGO_BIN_EXE_iam-guard"), &copy).unwrap();
    let out = Command::new(&copy).args(["sweep", "--format", "json"]).env("PATH", lone.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("iam-guard-sweep, which is neither beside this program nor on PATH"), "{err}");
}

#[test]
fn many_files_come_out_in_path_order_whatever_the_workers_finish_first() {
    // Enough files for many chunks of different sizes on every worker; a few are unreadable as
    // policies and one big file sits early, so later chunks finish first. Reports must still come
    // in path order, one per file, with the errors where their files are.
    let dir = tempfile::tempdir().unwrap();
    let n = 700;
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        (0..400)
            .map(|i| format!(r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b{i}/*"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let mut want = Vec::new();
    for i in 0..n {
        let name = format!("p{i:04}.json");
        let text = match i {
            3 => big.clone(),
            _ if i % 97 == 5 => "{not json".to_string(),
            _ if i % 2 == 0 => ADMIN.to_string(),
            _ => SCOPED.to_string(),
        };
        std::fs::write(dir.path().join(&name), text).unwrap();
        want.push((name, i));
    }
    std::fs::write(dir.path().join("sub/z.json"), ADMIN).unwrap();
    let (code, out, err) = run(&["check", dir.path().to_str().unwrap(), "--format", "json"], None);
    assert_eq!(code, 2, "unreadable files make the run an error: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), n + 1);
    for ((name, i), r) in want.iter().zip(arr) {
        let source = r["source"].as_str().unwrap();
        assert!(source.ends_with(name.as_str()), "{source} where {name} belongs");
        let is_error = !r["error"].is_null();
        assert_eq!(is_error, i % 97 == 5 && *i != 3, "{name}: {r}");
        if !is_error && i % 2 == 0 && *i != 3 {
            assert_eq!(r["findings"][0]["rule"], "admin", "{name}");
        }
    }
    assert!(arr[n]["source"].as_str().unwrap().ends_with("sub/z.json"));
    assert_eq!(err.lines().count(), (0..n).filter(|i| i % 97 == 5).count(), "{err}");
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/templates/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn templates_name_the_resource_and_the_statement_line() {
    let (code, out, err) = run(&["check", &fixture("sam-app.yaml")], None);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("HelloWorldFunction AmazonDynamoDBFullAccess"), "{out}");
    assert!(out.contains("sam-app.yaml:48:13"), "the public bucket statement's line: {out}");
    assert!(out.contains("DeployRole deploy") && out.contains("sam-app.yaml:76:17"), "{out}");
    assert!(out.contains("IGNORED") && out.contains("cannot name in advance"), "the annotation's reason: {out}");
    let (_, out, _) = run(&["check", &fixture("plan.json"), "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["resource"], "aws_iam_role.app");
    assert_eq!(v[0]["findings"][0]["rule"], "trust-public");
    assert_eq!(v[1]["arn"], "arn:aws:iam::aws:policy/AmazonS3FullAccess");
    let (_, out, _) = run(&["check", &fixture("cfn-admin.json"), "--format", "sarif"], None);
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    let wild = results.iter().find(|r| r["ruleId"] == "wildcard-resource-write").unwrap();
    assert_eq!(wild["locations"][0]["physicalLocation"]["region"]["startLine"], 24, "{wild}");
}

#[test]
fn sarif_places_a_statement_without_sid_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"},\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n  ]\n}\n";
    let f = dir.path().join("p.json");
    std::fs::write(&f, text).unwrap();
    let (_, out, _) = run(&["check", f.to_str().unwrap(), "--format", "sarif"], None);
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    let admin = s["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "admin").cloned().unwrap();
    assert_eq!(admin["locations"][0]["physicalLocation"]["region"]["startLine"], 5, "{admin}");
}

#[test]
fn directories_read_yaml_and_skip_other_files_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("policy.yaml"), dir.path().join("policy.yaml")).unwrap();
    std::fs::write(dir.path().join("package.json"), r#"{"name": "app", "version": "1.0.0"}"#).unwrap();
    std::fs::write(dir.path().join("ci.yml"), "on: push\njobs: {}\n").unwrap();
    let (code, out, err) = run(&["check", dir.path().to_str().unwrap()], None);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 policies checked"), "{out}");
    assert!(err.contains("package.json: skipped") && err.contains("ci.yml: skipped"), "{err}");
    // Named explicitly, a file check cannot read is an error.
    let (code, _, err) = run(&["check", dir.path().join("ci.yml").to_str().unwrap()], None);
    assert_eq!(code, 2);
    assert!(err.contains("not a policy, CloudFormation template or Terraform plan"), "{err}");
    let (code, _, err) = run(&["check", "-"], Some("a: [1, 2"));
    assert_eq!(code, 2);
    assert!(err.contains("not valid JSON or YAML"), "{err}");
}

#[test]
fn validity_and_did_you_mean() {
    let doc = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"A","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b/*"},
        {"Sid":"A","Effect":"Allow","Action":"s3:GetObjekt","Resource":"arn:aws:s3::b/*"}]}"#;
    let (code, out, _) = run(&["check", "-", "--color", "never"], Some(doc));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Sid \"A\" is used twice"), "{out}");
    assert!(out.contains("has 5 of an ARN's six parts"), "{out}");
    assert!(out.contains("s3:ListBucket takes accesspoint or bucket ARNs, not these"), "{out}");
    assert!(out.contains("did you mean \"s3:GetObject\"?"), "{out}");
}

#[test]
fn a_baseline_accepts_known_findings_and_fails_on_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("admin.json");
    std::fs::write(&policy, ADMIN).unwrap();
    let baseline = dir.path().join("baseline.json");
    let (p, b) = (policy.to_str().unwrap(), baseline.to_str().unwrap());
    let (code, _, err) = run(&["check", p, "--write-baseline", b], None);
    assert_eq!(code, 1, "the run that writes a baseline still reports: {err}");
    assert!(err.contains("wrote 1 findings to baseline"), "{err}");
    let (code, out, _) = run(&["check", p, "--baseline", b, "--color", "never"], None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("IGNORED  admin                    in the baseline"), "{out}");
    // A new finding in the same file fails; the baseline entry for the old one still holds.
    let two = ADMIN.replace(r#"}]}"#, r#"},{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#);
    std::fs::write(&policy, two).unwrap();
    let (code, out, _) = run(&["check", p, "--baseline", b, "--fail-on", "medium", "--color", "never"], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("MEDIUM   data-exfiltration"), "{out}");
    // Fixed: the baseline says an entry matches nothing any more.
    std::fs::write(&policy, SCOPED).unwrap();
    let (code, _, err) = run(&["check", p, "--baseline", b], None);
    assert_eq!(code, 0);
    assert!(err.contains("1 baseline entries match no finding"), "{err}");
    let (code, _, err) = run(&["check", p, "--baseline", p], None);
    assert_eq!(code, 2);
    assert!(err.contains("is not a baseline file"), "{err}");
}
