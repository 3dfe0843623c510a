//! `check --baseline FILE` / `--write-baseline FILE`: the known findings of a repository, accepted
//! once so that CI fails only on new ones (as cfn-policy-validator's `--ignore-finding` and
//! checkov's baseline do). A finding is known by its file, policy, rule and statement (Sid, else
//! index) — not by its message, which names counts that move with the catalogue.

use crate::report::{PolicyReport, Suppressed};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(super) struct Known {
    pub file: String,
    pub policy: String,
    pub rule: String,
    /// `Sid "Name"`, `Statement[2]` or `policy`.
    pub statement: String,
}

/// The file's layout.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Baseline {
    /// Format version.
    pub version: u32,
    pub findings: BTreeSet<Known>,
}

/// Why a baseline file could not be used.
#[derive(Debug, thiserror::Error)]
pub(super) enum BaselineError {
    #[error("cannot read baseline {0}: {1}")]
    Read(String, std::io::Error),
    #[error("baseline {0} is not a baseline file (iam-guard check --write-baseline writes one): {1}")]
    Format(String, serde_json::Error),
}

impl Baseline {
    pub(super) fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| BaselineError::Read(name.clone(), e))?;
        serde_json::from_str(&text).map_err(|e| BaselineError::Format(name, e))
    }

    /// Moves the report's known findings to `suppressed`; returns the entries it used.
    pub(super) fn apply(&self, report: &mut PolicyReport) -> Vec<Known> {
        let mut used = Vec::new();
        let findings = std::mem::take(&mut report.findings);
        for f in findings {
            let key = known(report, &f);
            if self.findings.contains(&key) {
                report.suppressed.push(Suppressed { rule: f.rule, reason: "in the baseline".into() });
                used.push(key);
            } else {
                report.findings.push(f);
            }
        }
        used
    }

    /// The baseline of these reports' findings.
    pub(super) fn of<'a>(reports: impl Iterator<Item = &'a PolicyReport>) -> Baseline {
        let findings = reports.flat_map(|r| r.findings.iter().map(move |f| known(r, f))).collect();
        Baseline { version: 1, findings }
    }
}

/// The key of a finding in a report.
pub(super) fn known(r: &PolicyReport, f: &crate::rules::Finding) -> Known {
    let statement = f.evidence.first().map_or_else(
        || "policy".to_string(),
        |e| match (&e.sid, e.statement) {
            (Some(sid), _) => format!("Sid {sid:?}"),
            (None, Some(i)) => format!("Statement[{i}]"),
            (None, None) => "policy".to_string(),
        },
    );
    Known { file: r.source.clone(), policy: r.policy.clone(), rule: f.rule.to_string(), statement }
}
