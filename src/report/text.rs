//! Grouped, optionally coloured text for people.

use super::{counts, PolicyReport};
use crate::rules::Severity;
use std::fmt::Write;

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn sev_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;91",
        Severity::High => "91",
        Severity::Medium => "93",
        Severity::Low => "96",
        Severity::Info => "2",
    }
}

/// Renders reports grouped by source and policy, with a summary line. Clean policies are
/// listed only when `verbose`.
pub fn render(reports: &[PolicyReport], color: bool, verbose: bool) -> String {
    let mut out = String::new();
    for r in reports {
        if r.findings.is_empty() && r.error.is_none() && !verbose {
            continue;
        }
        let kind = r
            .kind
            .map(|k| {
                format!(
                    " ({})",
                    serde_json::to_value(k).unwrap().as_str().unwrap_or("")
                )
            })
            .unwrap_or_default();
        let _ = writeln!(out, "{} {}{}", paint(color, "1", &r.source), r.policy, kind);
        if let Some(e) = &r.error {
            let _ = writeln!(out, "  {} {e}", paint(color, "1;91", "ERROR"));
        }
        if r.findings.is_empty() && r.error.is_none() {
            let _ = writeln!(out, "  {}", paint(color, "92", "ok"));
        }
        for f in &r.findings {
            let sev = format!("{:<8}", f.severity.as_str().to_uppercase());
            let _ = writeln!(
                out,
                "  {} {:<24} {}",
                paint(color, sev_code(f.severity), &sev),
                f.rule,
                f.message
            );
            for e in &f.evidence {
                let mut at = format!("at {}", e.location());
                if !e.conditions.is_empty() {
                    let _ = write!(at, ", conditions {}", e.conditions.join(", "));
                }
                let _ = writeln!(out, "  {:<8} {:<24} {}", "", "", paint(color, "2", &at));
            }
            let _ = writeln!(
                out,
                "  {:<8} {:<24} {} {}",
                "",
                "",
                paint(color, "2", "fix:"),
                f.hint
            );
        }
    }
    let errors = reports.iter().filter(|r| r.error.is_some()).count();
    let flagged = reports.iter().filter(|r| !r.findings.is_empty()).count();
    let summary: Vec<String> = counts(reports)
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let _ = writeln!(
        out,
        "{} policies checked, {} with findings{}{}",
        reports.len(),
        flagged,
        if summary.is_empty() {
            String::new()
        } else {
            format!(" ({})", summary.join(", "))
        },
        if errors > 0 {
            format!(", {errors} could not be read")
        } else {
            String::new()
        }
    );
    out
}
