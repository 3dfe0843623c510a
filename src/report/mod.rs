//! Presenting findings: text for people, JSON for machines, SARIF 2.1.0 for code scanning.

pub(crate) mod asff;
pub(crate) mod html;
pub(crate) mod pretty;
pub(crate) mod sarif;
pub(crate) mod sweep;
pub(crate) mod text;

use crate::policy::PolicyKind;
use crate::rules::{Finding, Severity};
use crate::template::tree::Pos;
use serde::Serialize;

/// The verdict on one policy document from one input.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct PolicyReport {
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
    /// The template resource holding the policy (logical id, Terraform address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Where the document starts in its file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Pos>,
    /// Where each statement starts, in document order (findings' `statement` indexes it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statement_locations: Vec<Pos>,
    /// A file of another kind found in a directory: not judged, noted on stderr in input order.
    #[serde(skip)]
    pub skipped: bool,
    /// Findings the template's annotations suppress, each with its reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Suppressed>,
    /// The `Fn::If` conditions that give this document, when not the defaults' (merged away
    /// when it adds no finding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The template's ignores that suppressed nothing here (noted on stderr).
    #[serde(skip)]
    pub unused_ignores: Vec<String>,
}

/// A finding left out by a template annotation or the baseline, and why.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Suppressed {
    pub rule: crate::rules::RuleId,
    pub reason: String,
}

impl PolicyReport {
    pub(crate) fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Running totals over reports, so output can stream without keeping them.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    pub policies: usize,
    pub flagged: usize,
    pub errors: usize,
    /// Findings per severity, indexed by `Severity as usize`.
    pub findings: [usize; 5],
    pub worst: Option<Severity>,
}

impl Tally {
    pub(crate) fn add(&mut self, r: &PolicyReport) {
        self.policies += 1;
        self.errors += usize::from(r.error.is_some());
        self.flagged += usize::from(!r.findings.is_empty());
        for f in &r.findings {
            self.findings[f.severity as usize] += 1;
        }
        self.worst = self.worst.max(r.max_severity());
    }

    /// Adds another tally's counts (a worker's share of a run).
    pub(crate) fn merge(&mut self, other: &Tally) {
        self.policies += other.policies;
        self.flagged += other.flagged;
        self.errors += other.errors;
        for (a, b) in self.findings.iter_mut().zip(other.findings) {
            *a += b;
        }
        self.worst = self.worst.max(other.worst);
    }

    /// Non-zero counts, most severe first.
    pub(crate) fn by_severity(&self) -> Vec<(Severity, usize)> {
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info]
            .into_iter()
            .map(|s| (s, self.findings[s as usize]))
            .filter(|&(_, n)| n > 0)
            .collect()
    }
}
