//! The sweep's HTML report in a real browser (#29): Debian's Chromium, headless, driven by
//! playwright-core (tests/browser/report.mjs; scripts/tools installs both). At 1280 px nothing
//! overflows sideways; the severity, rule and text filters show exactly the matching rows; a
//! principal's name opens its page; with JavaScript off the whole table reads and the filters
//! stay hidden; the page asks the network for nothing. The screenshot is kept in
//! target/report-browser/.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_report_fits_filters_and_reads_without_javascript() {
    let dir = root().join("target/report-browser");
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("report.html");
    let fixtures = root().join("tests/fixtures/posture/bad");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iam-guard"));
    cmd.args(["sweep", "--format", "html", "-o"]).arg(&html).env("IAM_GUARD_NOW", "2026-12-01T00:00:00Z");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&fixtures).unwrap().map(|e| e.unwrap().path()).collect();
    inputs.sort();
    for f in &inputs {
        cmd.arg("--input").arg(f);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let script = root().join("tests/browser/report.mjs");
    assert!(
        root().join("tests/browser/node_modules/playwright-core").exists() && Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Debian's chromium and tests/browser's node modules: run scripts/tools"
    );
    let o = Command::new("node").arg(&script).arg(&html).arg(dir.join("report.png")).output().unwrap();
    assert!(
        o.status.success(),
        "node report.mjs: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let seen: Value = serde_json::from_slice(&o.stdout).unwrap();
    eprintln!("{seen}");

    assert_eq!(seen["requests"], serde_json::json!([]), "self-contained: no network");
    assert_eq!(seen["overflow"], 0, "no horizontal overflow at 1280 px");
    assert_eq!(seen["noJsOverflow"], 0);
    assert_eq!(seen["filtersVisible"], true);
    let rows = seen["rows"].as_u64().unwrap();
    assert!(rows >= 30, "{rows} rows");
    assert_eq!(seen["criticalShown"], seen["criticalCount"]);
    assert!(seen["criticalShown"].as_u64().unwrap() > 0 && seen["criticalOnly"] == true);
    let search = seen["searchShown"].as_u64().unwrap();
    assert!(search > 0 && search < rows && seen["searchAllMatch"] == true, "{seen}");
    assert_eq!(seen["shownText"], format!("{search} of {rows} shown"));
    assert_eq!(seen["ruleShown"], 8, "the eight stale-credential findings");
    assert_eq!(seen["pageOpened"], true);
    assert_eq!(seen["pageHolds"], true);
    assert_eq!(seen["rowsAfterSort"], rows);
    assert_eq!(seen["noJsFiltersVisible"], false, "filters need JavaScript: hidden without it");
    assert_eq!(seen["noJsRowsVisible"], rows, "the table reads without JavaScript");
    assert!(dir.join("report.png").metadata().unwrap().len() > 10_000, "a screenshot is kept");
}
