//! Presenting findings: text for people, JSON for machines, SARIF 2.1.0 for code scanning.

pub mod sarif;
pub mod text;

use crate::policy::PolicyKind;
use crate::rules::{Finding, Severity};
use serde::Serialize;

/// The verdict on one policy document from one input.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyReport {
    /// Where it came from: a file path, `-` for stdin.
    pub source: String,
    /// Policy or role name, or "policy" for a bare document.
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<PolicyKind>,
    pub findings: Vec<Finding>,
    /// Why the document could not be judged, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl PolicyReport {
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Counts by severity, most severe first, for summaries.
pub fn counts(reports: &[PolicyReport]) -> Vec<(Severity, usize)> {
    let mut out = Vec::new();
    for sev in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        let n = reports
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.severity == sev)
            .count();
        if n > 0 {
            out.push((sev, n));
        }
    }
    out
}
