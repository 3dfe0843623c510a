//! Sweep reports: text, JSON, SARIF (via the shared renderer) and a self-contained HTML page.

use crate::guard::sweep::{SweepFinding, SweepReport};
use std::fmt::Write;

/// The sweep report formats.
#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub(crate) enum SweepFormat {
    /// For people.
    Text,
    /// The report as JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// A self-contained page.
    Html,
    /// AWS Security Finding Format: a JSON array for `aws securityhub batch-import-findings`.
    Asff,
}

/// The report in a format.
pub(crate) fn render(r: &SweepReport, format: SweepFormat, color: bool) -> String {
    match format {
        SweepFormat::Text => text(r, color),
        SweepFormat::Html => super::html::render(r),
        SweepFormat::Asff => {
            let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into());
            let now = crate::posture::now().unwrap_or_else(|_| chrono::Utc::now());
            let now = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            serde_json::to_string_pretty(&super::asff::sweep(r, &region, &now)).unwrap_or_default() + "\n"
        }
        SweepFormat::Json => serde_json::to_string_pretty(r).unwrap_or_default() + "\n",
        SweepFormat::Sarif => {
            let reports = as_policy_reports(r);
            let mut sarif = super::sarif::render(&reports, &|_| None);
            if !r.controls.is_empty() {
                if let Some(run) = sarif["runs"].get_mut(0) {
                    run["properties"]["cisControls"] = serde_json::to_value(&r.controls).unwrap_or_default();
                }
            }
            serde_json::to_string_pretty(&sarif).unwrap_or_default() + "\n"
        }
    }
}

/// "CIS AWS Foundations, IAM controls: 9 pass, 5 fail, 3 not assessed".
fn controls_summary(r: &SweepReport) -> String {
    use crate::posture::Status;
    let count = |f: fn(&Status) -> bool| r.controls.iter().filter(|c| f(&c.status)).count();
    format!(
        "CIS AWS Foundations, IAM controls: {} pass, {} fail, {} not assessed",
        count(|s| matches!(s, Status::Pass)),
        count(|s| matches!(s, Status::Fail { .. })),
        count(|s| matches!(s, Status::NotAssessed { .. })),
    )
}

/// The controls, one line each, for the text report.
fn controls_text(r: &SweepReport, t: &mut String) {
    if r.controls.is_empty() {
        return;
    }
    let _ = writeln!(t, "{}:", controls_summary(r));
    for c in &r.controls {
        let v7 = c.cis_v7.map(|v| format!("v7 {v}")).unwrap_or_else(|| "not in v7".into());
        let _ = writeln!(t, "  {:<5} ({:<9}) {:<30} {}", c.cis, v7, c.status.line(), c.title);
    }
}

/// The controls as an HTML table (pass / fail / not assessed per control).
pub(super) fn controls_html(r: &SweepReport) -> String {
    if r.controls.is_empty() {
        return String::new();
    }
    let mut h = format!("<h2>{}</h2><table id=\"cis\"><thead><tr><th>CIS v3</th><th>v7</th><th>Control</th><th>Status</th></tr></thead><tbody>", esc(&controls_summary(r)));
    for c in &r.controls {
        let class = match c.status {
            crate::posture::Status::Pass => "pass",
            crate::posture::Status::Fail { .. } => "high",
            crate::posture::Status::NotAssessed { .. } => "na",
        };
        let _ = write!(
            h,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.cis,
            c.cis_v7.unwrap_or("—"),
            esc(c.title),
            esc(&c.status.line())
        );
    }
    h.push_str("</tbody></table>");
    h
}

/// The escalation graph's findings: who can become admin, and how.
fn can_become_admin(r: &SweepReport) -> Vec<&SweepFinding> {
    r.findings.iter().filter(|f| f.finding.rule == crate::rules::RuleId::EscalationPath).collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub(crate) fn text(r: &SweepReport, color: bool) -> String {
    let mut t = String::new();
    let resources = match r.resource_policies {
        0 => String::new(),
        n => format!(", {n} resource policies"),
    };
    let _ = writeln!(
        t,
        "IAM sweep of account {} ({:?} mode): {} principals, {} managed policies judged{resources}",
        r.account_id, r.mode, r.principals, r.policies_judged
    );
    let org = !r.accounts.is_empty();
    for f in &r.findings {
        let principal = if org { format!("{} {}", f.account_id, f.principal) } else { f.principal.clone() };
        let sev = format!("{:<8}", f.finding.severity.as_str().to_uppercase());
        let _ = writeln!(
            t,
            "  {} {:<24} {:<40} {} [{}]",
            super::text::paint(color, super::text::sev_code(f.finding.severity), &sev),
            f.finding.rule,
            principal,
            f.finding.message,
            f.policy
        );
    }
    for a in &r.actions {
        let restore = match a.executed {
            Some(crate::guard::Executed::Done) => format!(" (restore: {})", a.remediation.restore_command()),
            _ => String::new(),
        };
        let _ = writeln!(t, "  remediation: {} — {}{restore}", a.remediation.describe(), a.state());
    }
    if !r.suggestions.is_empty() {
        let _ = writeln!(t, "least privilege learned from CloudTrail ({}):", r.suggestions.len());
        for s in &r.suggestions {
            let _ = writeln!(t, "  {}", s.line());
        }
    }
    if !r.accounts.is_empty() {
        let _ = writeln!(t, "accounts ({}):", r.accounts.len());
        for a in &r.accounts {
            let _ = writeln!(t, "  {} {:<24} {}", a.account_id, a.name, a.line());
        }
    }
    let paths = can_become_admin(r);
    if !paths.is_empty() {
        let _ = writeln!(t, "can become admin ({} principals):", paths.len());
        for f in paths {
            let _ = writeln!(t, "  {:<8} {}", f.finding.severity.as_str().to_uppercase(), f.finding.message);
        }
    }
    controls_text(r, &mut t);
    let counts: Vec<String> = ["critical", "high", "medium", "low", "info"]
        .iter()
        .filter_map(|s| {
            let n = r.findings.iter().filter(|f| f.finding.severity.as_str() == *s).count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let _ = writeln!(
        t,
        "{} findings{}{}",
        r.findings.len(),
        if counts.is_empty() { String::new() } else { format!(" ({})", counts.join(", ")) },
        r.iam_calls.map(|c| format!("; {c} IAM calls")).unwrap_or_default()
    );
    t
}

/// Sweep findings as check-style reports (one per principal and policy), for the SARIF renderer.
pub(crate) fn as_policy_reports(r: &SweepReport) -> Vec<super::PolicyReport> {
    let mut out: Vec<super::PolicyReport> = Vec::new();
    for f in &r.findings {
        let source = f.principal_arn.clone();
        match out.iter_mut().find(|p| p.source == source && p.policy == f.policy) {
            Some(p) => p.findings.push(f.finding.clone()),
            None => out.push(super::PolicyReport {
                source,
                policy: f.policy.clone(),
                arn: f.policy_arn.clone(),
                kind: None,
                findings: vec![f.finding.clone()],
                ..Default::default()
            }),
        }
    }
    out
}
