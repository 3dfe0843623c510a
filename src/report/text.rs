//! Grouped, optionally coloured text for people.

use super::{PolicyReport, Tally};
use crate::rules::Severity;
use std::fmt::Write;

pub(crate) fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

pub(crate) fn sev_code(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;91",
        Severity::High => "91",
        Severity::Medium => "93",
        Severity::Low => "96",
        Severity::Info => "2",
    }
}

/// One policy's block: its findings with location and fix. Clean policies print only when
/// `verbose`.
pub(crate) fn render_report(r: &PolicyReport, color: bool, verbose: bool) -> String {
    let mut out = String::new();
    if r.findings.is_empty() && r.error.is_none() && r.suppressed.is_empty() && !verbose {
        return out;
    }
    let kind = match r.kind {
        Some(crate::policy::PolicyKind::Identity) => " (identity)",
        Some(crate::policy::PolicyKind::Trust) => " (trust)",
        Some(crate::policy::PolicyKind::Resource) => " (resource)",
        None => "",
    };
    let resource = r.resource.as_ref().filter(|x| !r.policy.starts_with(x.as_str())).map(|x| format!(" in {x}"));
    let resource = resource.unwrap_or_default();
    let _ = writeln!(out, "{} {}{}{}", paint(color, "1", &r.source), r.policy, kind, resource);
    if let Some(e) = &r.error {
        let _ = writeln!(out, "  {} {e}", paint(color, "1;91", "ERROR"));
    }
    if r.findings.is_empty() && r.error.is_none() {
        let _ = writeln!(out, "  {}", paint(color, "92", "ok"));
    }
    for f in &r.findings {
        let sev = format!("{:<8}", f.severity.as_str().to_uppercase());
        let _ = writeln!(out, "  {} {:<24} {}", paint(color, sev_code(f.severity), &sev), f.rule, f.message);
        for e in &f.evidence {
            let mut at = format!("at {}", e.location());
            let pos = e.statement.and_then(|i| r.statement_locations.get(i)).or(r.location.as_ref());
            if let Some(pos) = pos {
                let _ = write!(at, ", {}:{pos}", r.source);
            }
            if !e.conditions.is_empty() {
                let _ = write!(at, ", conditions {}", e.conditions.join(", "));
            }
            let _ = writeln!(out, "  {:<8} {:<24} {}", "", "", paint(color, "2", &at));
        }
        let _ = writeln!(out, "  {:<8} {:<24} {} {}", "", "", paint(color, "2", "fix:"), f.hint);
    }
    for s in &r.suppressed {
        let _ = writeln!(out, "  {:<8} {:<24} {}", paint(color, "2", "IGNORED"), s.rule, paint(color, "2", &s.reason));
    }
    out
}

/// The closing line: how many policies, how many flagged, counts by severity.
pub(crate) fn render_summary(t: &Tally) -> String {
    let summary: Vec<String> = t.by_severity().iter().map(|(s, n)| format!("{n} {s}")).collect();
    format!(
        "{} policies checked, {} with findings{}{}\n",
        t.policies,
        t.flagged,
        if summary.is_empty() { String::new() } else { format!(" ({})", summary.join(", ")) },
        if t.errors > 0 { format!(", {} could not be read", t.errors) } else { String::new() }
    )
}
