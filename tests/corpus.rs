//! The engine over all 1,582 AWS managed policies embedded in the binary.

use iam_guard::catalog::managed;
use iam_guard::config::Config;
use iam_guard::engine::Engine;
use iam_guard::policy::{is_match_all_action, ActionSpec, Effect, PolicyDocument, PolicyKind};
use iam_guard::rules::{Finding, PolicyContext, Severity};

fn judge_all() -> Vec<(&'static managed::ManagedPolicy, PolicyDocument, Vec<Finding>)> {
    let engine = Engine::new(Config::default());
    managed::all()
        .iter()
        .map(|p| {
            let doc = p.document().unwrap_or_else(|e| panic!("{} does not parse: {e}", p.name));
            let ctx = PolicyContext {
                kind: Some(PolicyKind::Identity),
                managed: Some((p.name.to_string(), p.arn.to_string())),
                account_id: None,
                also_known: Vec::new(),
                ..Default::default()
            };
            let f = engine.judge(&ctx, &doc);
            (p, doc, f)
        })
        .collect()
}

fn has_service_wildcard_allow(doc: &PolicyDocument) -> bool {
    doc.statements.iter().any(|s| {
        s.effect == Effect::Allow
            && matches!(&s.action, ActionSpec::Action(p) if p.iter().any(|p| {
                p.split_once(':').is_some_and(|(svc, act)| act == "*" && !svc.contains('*'))
            }))
    })
}

#[test]
fn every_managed_policy_parses_and_the_verdicts_hold() {
    let all = judge_all();
    assert_eq!(all.len(), 1595);

    let by = |n: &str| all.iter().find(|(p, _, _)| p.name == n).unwrap_or_else(|| panic!("{n} missing"));

    // AdministratorAccess: admin, critical.
    let (_, _, f) = by("AdministratorAccess");
    let admin = f.iter().find(|f| f.rule == "admin").expect("AdministratorAccess is admin");
    assert_eq!(admin.severity, Severity::Critical);

    // Every *FullAccess whose document allows svc:* is flagged by service-full-access or admin.
    let mut checked = 0;
    let mut lowered = 0;
    for (p, doc, f) in &all {
        if p.name.ends_with("FullAccess") && has_service_wildcard_allow(doc) {
            checked += 1;
            let sfa = f.iter().find(|f| f.rule == "service-full-access" || f.rule == "admin");
            let sfa = sfa.unwrap_or_else(|| panic!("{} allows svc:* but was not flagged: {f:?}", p.name));
            // High, unless a condition narrows it (two Partner Central policies pin their catalog).
            let narrowed = sfa.evidence.iter().any(|e| !e.narrowed_by.is_empty());
            assert!(
                sfa.severity >= Severity::High || narrowed,
                "{} allows svc:* but is {}: {f:?}",
                p.name,
                sfa.severity
            );
            lowered += usize::from(narrowed);
            assert!(f.iter().any(|f| f.rule == "denylisted-policy"), "{} not denylisted", p.name);
        }
    }
    assert!(checked > 100, "only {checked} FullAccess policies with svc:* — data changed?");
    assert!(lowered <= 2, "{lowered} FullAccess policies judged below high for their conditions");

    // The seed scenario's FullAccess policies are high or above; the basic execution role is clean
    // of high findings.
    for n in ["AmazonS3FullAccess", "AmazonDynamoDBFullAccess", "AmazonSESFullAccess", "CloudFrontFullAccess"] {
        let (_, _, f) = by(n);
        assert!(f.iter().any(|f| f.severity >= Severity::High), "{n}: {f:?}");
    }
    let (_, _, f) = by("AWSLambdaBasicExecutionRole");
    assert!(f.iter().all(|f| f.severity < Severity::High), "{f:?}");

    // ReadOnlyAccess is not admin and nothing about it is high.
    let (_, _, f) = by("ReadOnlyAccess");
    assert!(f.iter().all(|f| f.rule != "admin" && f.severity < Severity::High), "{f:?}");
    // Yet its s3:Get* on * is a data-exfiltration read.
    assert!(f.iter().any(|f| f.rule == "data-exfiltration"));
    // The read-only audit policies change nothing: no write finding, no escalation, nothing high.
    for n in ["ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess"] {
        let (_, _, f) = by(n);
        assert!(
            f.iter().all(|f| !matches!(
                f.rule.as_str(),
                "wildcard-resource-write" | "privilege-escalation" | "service-full-access"
            )),
            "{n}: {f:?}"
        );
        assert!(f.iter().all(|f| f.severity < Severity::High), "{n}: {f:?}");
    }

    // PowerUserAccess (NotAction iam/organizations/account) counts as admin.
    let (_, _, f) = by("PowerUserAccess");
    assert!(f.iter().any(|f| f.rule == "admin"));

    // Admin is rare: only documents with a match-all action or a NotAction.
    for (p, doc, f) in &all {
        if f.iter().any(|f| f.rule == "admin") {
            assert!(
                doc.statements.iter().any(|s| matches!(&s.action, ActionSpec::NotAction(_))
                    || s.action_patterns().iter().any(|a| is_match_all_action(a))),
                "{} flagged admin without * or NotAction",
                p.name
            );
        }
    }
}

#[test]
fn embedded_data_matches_the_pinned_source_when_present() {
    // After scripts/gen-data the pinned moto wheel is unpacked under target/gen-data; a clone
    // that never regenerated has only the embedded copy.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/gen-data");
    let Some(module) = std::fs::read_dir(&root).ok().and_then(|d| {
        d.flatten()
            .map(|e| e.path().join("moto/iam/aws_managed_policies.py"))
            .find(|p| p.exists() && p.to_string_lossy().contains(&pinned_moto()))
    }) else {
        return;
    };
    let text = std::fs::read_to_string(module).unwrap();
    let json = text.split("\"\"\"").nth(1).expect("the module's JSON string");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(obj.len(), managed::all().len());
    for p in managed::all() {
        let want = &obj[p.name]["Document"];
        let got: serde_json::Value = serde_json::from_str(&p.document_json()).unwrap();
        assert_eq!(&got, want, "{} differs: run scripts/gen-data", p.name);
    }
}

/// The moto version scripts/gen-data pins (`MOTO = "5.2.6"`).
fn pinned_moto() -> String {
    let script = include_str!("../scripts/gen-data");
    let line = script.lines().find(|l| l.starts_with("MOTO = ")).expect("MOTO pinned in scripts/gen-data");
    format!("moto-{}", line.trim_start_matches("MOTO = ").trim_matches('"'))
}
