//! The guard passes its own rules: `iam-guard check` over this repository's templates fails on
//! nothing at medium or above, and every finding it accepts is accepted in the template itself
//! (`Metadata: iam-guard: ignore`, each with its reason). An accepted finding that no longer
//! appears is noted, so the list stays true; an escalation path not listed is not hidden.

use std::process::Command;

fn check(paths: &[&std::path::Path]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["check", "--fail-on", "medium", "--color", "never"])
        .args(paths)
        .output()
        .expect("run iam-guard");
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

fn root(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

#[test]
fn the_templates_pass_their_own_guard() {
    let (code, out, err) = check(&[&root("template.yaml"), &root("template-spoke.yaml")]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!err.contains("matches no finding"), "stale ignores:\n{err}");
    // The accepted findings are reported as such, with their reasons.
    assert!(out.contains("IGNORED  privilege-escalation     enforce mode reverts a bad default version"), "{out}");
    assert!(out.contains("template-spoke.yaml MemberPolicy"), "{out}");
}

#[test]
fn an_escalation_path_not_accepted_still_fails() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root("template.yaml")).unwrap();
    assert!(text.contains("paths: [iam-002]"));
    let changed = dir.path().join("template.yaml");
    std::fs::write(&changed, text.replace("paths: [iam-002]", "paths: [iam-999]")).unwrap();
    let (code, out, err) = check(&[&changed]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("HIGH     privilege-escalation"), "{out}");
    assert!(out.contains("iam-002"), "{out}");
    assert!(err.contains("ignore of privilege-escalation (paths iam-999) matches no finding"), "{err}");
}

#[test]
fn the_action_and_the_hook_run_scripts_that_exist() {
    use yaml_rust2::YamlLoader;
    let action = YamlLoader::load_from_str(&std::fs::read_to_string(root("action.yml")).unwrap()).unwrap();
    let steps = action[0]["runs"]["steps"].as_vec().expect("composite steps");
    let build = steps[0]["run"].as_str().unwrap();
    assert!(build.contains("scripts/build-cli"), "{build}");
    assert!(steps[1]["run"].as_str().unwrap().contains("check --format sarif"));
    for input in ["paths", "fail-on", "baseline", "sarif", "config"] {
        assert!(!action[0]["inputs"][input].is_badvalue(), "input {input}");
    }
    let hooks = YamlLoader::load_from_str(&std::fs::read_to_string(root(".pre-commit-hooks.yaml")).unwrap()).unwrap();
    let hook = &hooks[0][0];
    assert_eq!(hook["id"].as_str(), Some("iam-guard-check"));
    for script in [hook["entry"].as_str().unwrap(), "scripts/build-cli"] {
        let meta = std::fs::metadata(root(script)).unwrap_or_else(|e| panic!("{script}: {e}"));
        use std::os::unix::fs::PermissionsExt;
        assert!(meta.permissions().mode() & 0o111 != 0, "{script} is executable");
    }
}
