//! `iam-guard suggest --principal ARN PATH...`: the least-privilege policy from what a principal
//! really did. The document on stdout, the evidence on stderr.

use super::{collect, read, EXIT_ERROR, EXIT_INCOMPLETE};
use crate::suggest::{suggest, Principal};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(super) struct SuggestArgs {
    /// The role (every session of it) or user whose calls to learn from.
    #[arg(long)]
    principal: String,
    /// CloudTrail log files or directories (*.json, *.json.gz, the S3 layout of `aws s3 sync`,
    /// `aws cloudtrail lookup-events` output); - reads stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// IAM's action-level last-accessed report of the principal (the JSON of `aws iam
    /// get-service-last-accessed-details`, after `generate-service-last-accessed-details
    /// --granularity ACTION_LEVEL`): actions with no resource-level permission it shows are
    /// granted on `*`; what else it shows attempted that the records lack is named.
    #[arg(long, value_name = "FILE")]
    last_accessed: Option<PathBuf>,
    /// Print the evidence as JSON on stderr instead of text.
    #[arg(long)]
    evidence_json: bool,
}

/// Exit 0 with a policy; 3 when nothing of the principal's was found (no policy to print);
/// 2 on unreadable input.
pub(super) fn run(args: SuggestArgs) -> ExitCode {
    let principal = match Principal::parse(&args.principal) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("iam-guard: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let records = match read_records(&args.paths) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("iam-guard: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let mut s = suggest(&records, &principal);
    if let Some(path) = &args.last_accessed {
        match read_last_accessed(path) {
            Ok(report) => s.reconcile_over_records(&report),
            Err(e) => {
                eprintln!("iam-guard: {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        }
    }
    if args.evidence_json {
        eprintln!("{}", serde_json::to_string_pretty(&s.evidence.to_json()).unwrap_or_default());
    } else {
        eprint!("{}", s.evidence.render(&principal.arn));
    }
    if s.is_empty() {
        eprintln!(
            "iam-guard: no successful call of {} in {} records: nothing to suggest",
            principal.arn,
            records.len()
        );
        return ExitCode::from(EXIT_INCOMPLETE);
    }
    print!("{}", s.document_text());
    ExitCode::SUCCESS
}

/// Every record of every file, in path order. A file that is no CloudTrail input is an error
/// naming it.
pub(crate) fn read_records(paths: &[PathBuf]) -> Result<Vec<serde_json::Value>, String> {
    let mut files = Vec::new();
    for p in paths {
        collect(p, &mut files).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
    }
    let mut out = Vec::new();
    for f in &files {
        let text = read(f).map_err(|e| format!("{}: cannot read: {e}", f.display()))?;
        let value = serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", f.display()))?;
        out.extend(crate::intake::records_of(value).map_err(|e| format!("{}: {e}", f.display()))?);
    }
    Ok(out)
}

/// A last-accessed report from its file; errors name the file.
fn read_last_accessed(path: &std::path::Path) -> Result<crate::suggest::LastAccessed, String> {
    let text = read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let value = serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    crate::suggest::LastAccessed::from_json(&value).map_err(|e| format!("{}: {e}", path.display()))
}
