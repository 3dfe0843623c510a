//! SARIF 2.1.0 (the format GitHub code scanning ingests).

use super::PolicyReport;
use crate::rules::{judges_documents, Severity, RULES};
use crate::template::tree::Pos;
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score bands (critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0).
fn score(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// Line (1-based) of the statement's Sid in the source text, else 1.
fn line_of(text: Option<&str>, sid: Option<&str>) -> usize {
    let (Some(text), Some(sid)) = (text, sid) else {
        return 1;
    };
    let needle = serde_json::to_string(sid).unwrap_or_default();
    text.lines().position(|l| l.contains("\"Sid\"") && l.contains(&needle)).map_or(1, |i| i + 1)
}

/// Where each statement of a report starts: known for templates; for a bare policy file, read
/// from its text here (only SARIF needs it, so `check` does not parse positions otherwise).
fn statement_positions(r: &PolicyReport, text: Option<&str>) -> Vec<Pos> {
    if !r.statement_locations.is_empty() || r.resource.is_some() {
        return r.statement_locations.clone();
    }
    let Some(root) = text.and_then(|t| crate::template::tree::parse(t).ok()) else { return vec![] };
    match root.get("Statement") {
        Some(s) => match s.as_seq() {
            Some(items) => items.iter().map(|i| i.pos).collect(),
            None => vec![s.pos],
        },
        None => vec![],
    }
}

/// Renders a SARIF log. `source_text` gives a report's file text for line numbers. The rule
/// metadata lists every registered rule that judges documents (the only ones with results here).
pub(crate) fn render(reports: &[PolicyReport], source_text: &dyn Fn(&str) -> Option<String>) -> Value {
    let rule_defs: Vec<Value> = RULES
        .iter()
        .filter(|r| judges_documents(**r))
        .map(|r| {
            json!({
                "id": r.id(),
                "name": r.id(),
                "shortDescription": {"text": r.summary()},
                "defaultConfiguration": {"level": level(r.severity())},
                "properties": {"security-severity": score(r.severity()), "tags": ["security", "iam"]},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        let text = source_text(&r.source);
        let uri = r.source.trim_start_matches("./");
        if let Some(e) = &r.error {
            results.push(json!({
                "ruleId": "parse-error",
                "level": "error",
                "message": {"text": format!("{}: {e}", r.policy)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            }));
        }
        let located = statement_positions(r, text.as_deref());
        for f in &r.findings {
            let first = f.evidence.first();
            let at = first.and_then(|e| e.statement).and_then(|i| located.get(i).copied()).or(r.location);
            let (line, column) = match at {
                Some(p) => (p.line, p.column),
                None => (line_of(text.as_deref(), first.and_then(|e| e.sid.as_deref())), 1),
            };
            let logical = first.map(|e| format!("{}/{}", r.policy, e.location())).unwrap_or_else(|| r.policy.clone());
            results.push(json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": {"text": format!("{} ({}). Fix: {}", f.message, r.policy, f.hint)},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line, "startColumn": column}},
                    "logicalLocations": [{"name": logical}],
                }],
                "properties": {"severity": f.severity.as_str(), "security-severity": score(f.severity)},
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iam-guard",
                "version": env!("CARGO_PKG_VERSION"),
                "properties": {"referenceData": crate::catalog::DATA_SOURCES.trim()},
                "rules": rule_defs,
            }},
            "results": results,
        }],
    })
}
