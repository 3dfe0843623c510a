//! Findings in AWS Security Finding Format (#29): `sweep --format asff` imported into Security
//! Hub — moto's, through boto3, whose client checks every field against Security Hub's own
//! service model (botocore) before sending — stable ids (a second import updates, not adds),
//! the CIS control as a compliance requirement, severities as Security Hub labels.

mod common;

use common::{tool, Moto};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const IMPORT: &str = r#"
import boto3, json, sys
hub = boto3.client('securityhub', endpoint_url=sys.argv[1], region_name='us-east-1',
                   aws_access_key_id='testing', aws_secret_access_key='testing')
hub.enable_security_hub()
findings = json.load(open(sys.argv[2]))
failed = 0
for i in range(0, len(findings), 100):  # BatchImportFindings takes 100 at a time
    failed += hub.batch_import_findings(Findings=findings[i:i + 100])['FailedCount']
got = hub.get_findings(MaxResults=100)['Findings']
print(json.dumps({'failed': failed, 'stored': len(got), 'ids': sorted(f['Id'] for f in got)}))
"#;

fn sweep_asff(out: &Path) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/posture/bad");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    inputs.sort();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iam-guard"));
    cmd.args(["sweep", "--format", "asff", "-o"]).arg(out).env("IAM_GUARD_NOW", "2026-12-01T00:00:00Z");
    for f in inputs {
        cmd.arg("--input").arg(f);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn import(moto: &Moto, file: &Path) -> Value {
    let o = Command::new(tool("python")).arg("-c").arg(IMPORT).arg(&moto.endpoint).arg(file).output().unwrap();
    assert!(o.status.success(), "boto3 refused the findings: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn the_sweep_in_asff_imports_into_security_hub() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("findings.json");
    sweep_asff(&file);
    let findings: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(findings.len(), 33);
    let cis = findings.iter().find(|f| f["GeneratorId"] == "iam-guard/mfa-missing").unwrap();
    assert_eq!(cis["Compliance"]["RelatedRequirements"][0], "CIS AWS Foundations Benchmark v3.0.0/1.10");
    assert_eq!(cis["Severity"]["Label"], "HIGH");
    assert_eq!(cis["Resources"][0]["Type"], "AwsIamUser");
    let root = findings.iter().find(|f| f["Resources"][0]["Type"] == "AwsAccount").unwrap();
    assert_eq!(root["Severity"]["Label"], "CRITICAL");

    let moto = Moto::start();
    let first = import(&moto, &file);
    assert_eq!(first["failed"], 0, "{first}");
    assert_eq!(first["stored"], 33);
    // The same sweep again: the same ids, so Security Hub updates rather than adds.
    let again = dir.path().join("again.json");
    sweep_asff(&again);
    let second = import(&moto, &again);
    assert_eq!(second["failed"], 0);
    assert_eq!(second["stored"], 33, "stable ids: {second}");
    assert_eq!(first["ids"], second["ids"]);
}

#[test]
fn answered_events_in_asff_import_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.json");
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
    let o = Command::new(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["event", "--format", "asff"])
        .arg(events.join("AttachRolePolicy.json"))
        .arg(events.join("posture/signin-ConsoleLogin-root.json"))
        .arg(events.join("resources"))
        .output()
        .unwrap();
    std::fs::write(&file, &o.stdout).unwrap();
    let findings: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(findings.len() > 10, "{}", findings.len());
    assert!(
        findings.iter().any(|f| f["Resources"][0]["Type"] == "AwsS3Bucket"),
        "resource policies' findings name the resource"
    );
    let moto = Moto::start();
    let got = import(&moto, &file);
    assert_eq!(got["failed"], 0, "{got}");
    // `check` has no ASFF: refused with a reason, exit 2.
    let o = Command::new(env!("CARGO_BIN_EXE_iam-guard")).args(["check", "--format", "asff", "-"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}
