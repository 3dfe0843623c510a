//! Every rule judged alone on its fixtures (`tests/fixtures/rules/<rule-id>/*.json`), snapshotted
//! as JSON findings (`tests/snapshots/`): a change in what a rule says — severity, message,
//! evidence, hint — shows up as a snapshot diff to review like code (`cargo insta review`).
//! A fixture is a bare policy document or a managed-policy export (`{"Name": {"Arn", "Document"}}`).

use iam_guard::config::Config;
use iam_guard::engine::Engine;
use iam_guard::policy::source::documents_in;
use iam_guard::rules::{rule, PolicyContext};

#[test]
fn fixtures() {
    insta::glob!("fixtures/rules/*/*.json", |path| {
        let id = path.parent().and_then(|d| d.file_name()).and_then(|n| n.to_str()).unwrap();
        let rule = rule(id).unwrap_or_else(|| panic!("{}: no rule {id}", path.display()));
        let engine = Engine::with_rules(Config::default(), &[rule]);
        let text = std::fs::read_to_string(path).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let judged: Vec<serde_json::Value> = documents_in(&value)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .into_iter()
            .map(|found| {
                let doc = found.document.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let ctx = PolicyContext {
                    kind: found.kind,
                    managed: found.managed,
                    account_id: Some("111122223333".into()),
                    also_known: Vec::new(),
                    // As `check` judges files: the validity rules run too.
                    authoring: true,
                    ..Default::default()
                };
                let findings = engine.judge(&ctx, &doc);
                assert!(findings.iter().all(|f| f.rule == id), "only {id} ran");
                serde_json::json!({"policy": found.label, "findings": findings})
            })
            .collect();
        insta::assert_json_snapshot!(judged);
    });
}
