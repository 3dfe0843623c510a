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
    assert_eq!(all.len(), 1582);

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
fn embedded_data_matches_the_shared_snapshot_when_present() {
    // In a developer checkout ../shared/data exists; a user's clone has only the embedded copy.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/aws-managed-policies.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(obj.len(), managed::all().len());
    for p in managed::all() {
        let want = &obj[p.name]["Document"];
        let got: serde_json::Value = serde_json::from_str(&p.document_json()).unwrap();
        assert_eq!(&got, want, "{} differs: run scripts/gen-data", p.name);
    }
}
