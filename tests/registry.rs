//! The places that must agree with the code's single lists: the README rules table with the rule
//! registry, the SAM template's event pattern with the judged events, and every rule with its
//! fixtures.

use iam_guard::intake::{judged_events, judged_posture_sources, judged_resource_events, judged_sso_events};
use iam_guard::rules::{judges_documents, markdown_table, RULES};
use std::path::Path;

fn repo(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn readme_rules_table_is_the_registry() {
    let table = markdown_table();
    assert!(
        repo("README.md").contains(&table),
        "README.md's rules table differs from the registry (src/rules/mod.rs RULES); replace it with the output of `iam-guard rules --markdown`:\n{table}"
    );
}

#[test]
fn readme_platform_roles_are_the_built_in_list() {
    let table = iam_guard::guard::platform::markdown_table();
    assert!(
        repo("README.md").contains(&table),
        "README.md's platform roles table differs from src/platform.rs; replace it with the output of `iam-guard rules --platform`:\n{table}"
    );
}

/// Every `eventName:` list in a template's EventBridge patterns, each sorted.
fn pattern_event_names(template: &str) -> Vec<Vec<String>> {
    let mut lists = Vec::new();
    let mut lines = template.lines();
    while lines.by_ref().any(|l| l.trim() == "eventName:") {
        let mut names = Vec::new();
        for l in lines.by_ref() {
            match l.trim().strip_prefix("- ") {
                Some(name) => names.push(name.trim().to_string()),
                None => break,
            }
        }
        names.sort();
        lists.push(names);
    }
    lists
}

#[test]
fn template_event_patterns_are_the_judged_event_lists() {
    let sorted = |names: &mut dyn Iterator<Item = &str>| {
        let mut v: Vec<String> = names.map(str::to_string).collect();
        v.sort();
        v
    };
    let iam = sorted(&mut judged_events());
    let sso = sorted(&mut judged_sso_events());
    let mut resources = sorted(&mut judged_resource_events().map(|(_, name)| name));
    resources.dedup();
    let mut posture: Vec<String> =
        judged_posture_sources().into_iter().flat_map(|(_, names)| names).map(str::to_string).collect();
    posture.sort();
    // template.yaml: the function's own rules and the hub bus rules (IAM, Identity Center,
    // resource policies); the spoke's forwarding rules.
    for (file, expected) in [("template.yaml", 2), ("template-spoke.yaml", 1)] {
        let lists = pattern_event_names(&repo(file));
        let count = |want: &Vec<String>| lists.iter().filter(|l| *l == want).count();
        assert_eq!(count(&iam), expected, "{file}: IAM patterns equal to the intake's judged events");
        assert_eq!(count(&sso), expected, "{file}: Identity Center patterns equal to the intake's judged events");
        assert_eq!(count(&resources), expected, "{file}: resource-policy patterns equal to the intake's judged events");
        assert_eq!(count(&posture), expected, "{file}: account-posture patterns equal to the intake's judged events");
        assert_eq!(lists.len(), 4 * expected, "{file}: an eventName list matches no judged list: {lists:?}");
        let text = repo(file);
        for (source, _) in judged_posture_sources() {
            let service = source.trim_end_matches(".amazonaws.com");
            assert!(text.contains(&format!("aws.{service}")), "{file}: source aws.{service}");
        }
        assert!(text.contains("AWS Console Sign In via CloudTrail"), "{file}: sign-in events' detail-type");
        for (source, _) in judged_resource_events() {
            let service = source.trim_end_matches(".amazonaws.com");
            assert!(
                text.contains(&format!("aws.{service},")) || text.contains(&format!("aws.{service}]")),
                "{file}: source aws.{service}"
            );
        }
    }
}

#[test]
fn every_document_rule_has_fixtures() {
    for r in RULES.iter().filter(|r| judges_documents(**r)) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules").join(r.id().as_str());
        let n = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        assert!(n > 0, "rule {} has no fixtures in {}", r.id(), dir.display());
    }
    let ids: std::collections::HashSet<&str> = RULES.iter().map(|r| r.id().as_str()).collect();
    assert_eq!(ids.len(), RULES.len(), "rule ids are unique");
}

#[test]
fn readme_configuration_example_is_a_valid_configuration() {
    let readme = repo("README.md");
    let start = readme
        .find("mode = \"alert\"                         # alert (default)")
        .expect("README's configuration example");
    let end = start + readme[start..].find("```").unwrap();
    let cfg = iam_guard::config::Config::from_toml(&readme[start..end], "README.md")
        .unwrap_or_else(|e| panic!("README's configuration example: {e}"));
    assert_eq!(cfg.identity_center_region.as_deref(), Some("eu-west-1"));
    assert!(cfg.accounts.iter().any(|a| !a.ous.is_empty()), "the per-OU entry is in the example");
}

/// Every Rust file under `dir` (generated data folders aside).
fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && p.file_name().is_some_and(|n| n != "data") {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// A file holds one idea: none in src/ grows past 700 lines (split it by idea when one does).
#[test]
fn no_source_file_over_700_lines() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    assert!(files.len() > 50, "{} files found", files.len());
    let long: Vec<String> = files
        .iter()
        .map(|f| (f, std::fs::read_to_string(f).unwrap().lines().count()))
        .filter(|(_, n)| *n > 700)
        .map(|(f, n)| format!("{}: {n} lines", f.display()))
        .collect();
    assert!(long.is_empty(), "{long:#?}");
}

/// Every rule id names exactly one registered rule, in the registry's order.
#[test]
fn rule_ids_are_the_registry() {
    let registered: Vec<iam_guard::rules::RuleId> = RULES.iter().map(|r| r.id()).collect();
    assert_eq!(registered, iam_guard::rules::RuleId::ALL);
}
