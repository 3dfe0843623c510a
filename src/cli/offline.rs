//! The account, offline: `iam-guard sweep --input FILE` and `iam-guard graph --input FILE` judge a
//! saved `aws iam get-account-authorization-details` output in this program (no AWS SDK, no
//! credentials): the same reports as the live sweep, and the escalation graph for Graphviz.

use super::{FailOn, EXIT_ERROR, EXIT_FINDINGS};
use crate::config::{Config, Mode};
use crate::engine::Engine;
use crate::graph::Graph;
use crate::guard::sweep::SweepReport;
use crate::guard::Guard;
use crate::report::sweep::SweepFormat;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `iam-guard sweep --input FILE`.
#[derive(clap::Parser)]
#[command(name = "iam-guard sweep", bin_name = "iam-guard sweep")]
pub(super) struct OfflineSweepArgs {
    /// A saved `aws iam get-account-authorization-details` output (pages concatenated, or a
    /// JSON array of pages, also work); - reads stdin. Repeatable: each file is recognised by
    /// its content — exports, saved resource policies, and the account reports the CIS controls
    /// read (credential report CSV or JSON, password policy, account summary, virtual MFA
    /// devices, server certificates, Access Analyzer analyzers).
    #[arg(long, required = true)]
    input: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: SweepFormat,
    /// Write the report here instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The account id (else read off the export's ARNs).
    #[arg(long)]
    account: Option<String>,
    #[arg(long, value_enum, default_value = "never")]
    fail_on: FailOn,
    /// Colour the text report: auto (a terminal, NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value = "auto")]
    color: super::Color,
    /// The guard's own role (never acted on); also IAM_GUARD_ROLE.
    #[arg(long, env = "IAM_GUARD_ROLE")]
    guard_role: Option<String>,
    /// CloudTrail log files or directories (repeatable): for each grant the sweep would detach,
    /// the least-privilege policy its principal's records call for.
    #[arg(long)]
    trail: Vec<PathBuf>,
}

/// `iam-guard graph`.
#[derive(clap::Args)]
pub(super) struct GraphArgs {
    /// A saved `aws iam get-account-authorization-details` output; - reads stdin.
    #[arg(long)]
    input: PathBuf,
    /// dot (Graphviz: `| dot -Tsvg > graph.svg`), text (one path per line) or json (nodes,
    /// edges, paths).
    #[arg(long, value_enum, default_value = "text")]
    format: GraphFormat,
    /// The account id (else read off the export's ARNs).
    #[arg(long)]
    account: Option<String>,
    /// dot: draw every principal and edge, not only the paths to admin.
    #[arg(long)]
    all: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(super) enum GraphFormat {
    Dot,
    Text,
    Json,
}

/// The export's inventory and account id, or a message naming what is wrong.
pub(crate) fn load(input: &Path, account: Option<&str>) -> Result<(crate::inventory::Inventory, String), String> {
    let text = super::read(input).map_err(|e| format!("{}: cannot read: {e}", input.display()))?;
    let inv = crate::intake::authdetails::parse(&text).map_err(|e| format!("{}: {e}", input.display()))?;
    let account = account
        .map(str::to_string)
        .or_else(|| inv.principals.iter().find_map(|p| crate::arn::account(&p.arn).map(str::to_string)))
        .unwrap_or_else(|| "unknown".into());
    Ok((inv, account))
}

/// Every `--input` file, each recognised by its content: the exports and resource files merged
/// into one inventory (`None` when there was none), the account reports into the posture facts.
fn load_all(
    inputs: &[PathBuf],
    account: Option<&str>,
    config: &Config,
) -> Result<(Option<crate::inventory::Inventory>, crate::posture::Facts), String> {
    let now = crate::posture::now()?;
    let mut facts = crate::posture::Facts::new("", now, config.posture.clone());
    let mut inv: Option<crate::inventory::Inventory> = None;
    for input in inputs {
        let text = super::read(input).map_err(|e| format!("{}: cannot read: {e}", input.display()))?;
        let kind =
            crate::posture::input::read_into(&text, &mut facts).map_err(|e| format!("{}: {e}", input.display()))?;
        if kind != crate::posture::input::Kind::Other {
            continue;
        }
        let more = crate::intake::authdetails::parse(&text).map_err(|e| format!("{}: {e}", input.display()))?;
        let all = inv.get_or_insert_with(Default::default);
        all.principals.extend(more.principals);
        all.policies.extend(more.policies);
        all.resources.extend(more.resources);
        all.compute.extend(more.compute);
    }
    let from_rows =
        facts.credential_report.iter().flatten().find_map(|r| crate::arn::account(&r.arn).map(str::to_string));
    let from_inv = inv.iter().flat_map(|i| &i.principals).find_map(|p| crate::arn::account(&p.arn).map(str::to_string));
    facts.account_id = account.map(str::to_string).or(from_inv).or(from_rows).unwrap_or_else(|| "unknown".into());
    Ok((inv, facts))
}

/// `iam-guard sweep --input FILE …` (the arguments after `sweep`).
pub(super) fn sweep(args: &[std::ffi::OsString], mut config: Config) -> ExitCode {
    let argv = std::iter::once(std::ffi::OsString::from("iam-guard sweep")).chain(args.iter().cloned());
    let args = match <OfflineSweepArgs as clap::Parser>::try_parse_from(argv) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    let (inv, facts) = match load_all(&args.input, args.account.as_deref(), &config) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("iam-guard: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let account = facts.account_id.clone();
    // A file cannot be remediated: the report says what enforce mode would do.
    let enforce = config.mode == Mode::Enforce;
    config.mode = Mode::Alert;
    if enforce {
        eprintln!("iam-guard: --input is offline: nothing is changed; the report lists what enforce mode would do");
    }
    let guard = Guard::new(Engine::new(config), args.guard_role.as_deref());
    let mut report = match &inv {
        Some(inv) => guard.audit(inv, Some(&account)),
        None => guard.audit(&Default::default(), Some(&account)),
    };
    if facts.any() {
        guard.audit_posture(&facts, inv.as_ref(), &mut report);
    }
    if !args.trail.is_empty() {
        match super::suggest::read_records(&args.trail) {
            Ok(records) => {
                report.suggestions = crate::guard::least::sweep_suggestions(&report, &records, &Default::default())
            }
            Err(e) => {
                eprintln!("iam-guard: --trail {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        }
    }
    write_report(&report, args.format, (args.output.as_deref(), args.color), args.fail_on)
}

/// Writes a sweep report; the exit code follows `--fail-on`.
pub(crate) fn write_report(
    r: &SweepReport,
    format: SweepFormat,
    (output, color): (Option<&Path>, super::Color),
    fail_on: FailOn,
) -> ExitCode {
    use std::io::IsTerminal;
    let color = match color {
        super::Color::Always => true,
        super::Color::Never => false,
        super::Color::Auto => {
            output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let body = crate::report::sweep::render(r, format, color);
    let written = match output {
        Some(p) => std::fs::write(p, body.as_bytes()),
        None => std::io::stdout().lock().write_all(body.as_bytes()),
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("iam-guard: cannot write the report: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    }
    match (fail_on.threshold(), r.worst()) {
        (Some(t), Some(w)) if w >= t => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    }
}

/// `iam-guard graph --input FILE`.
pub(super) fn graph(args: GraphArgs) -> ExitCode {
    let (inv, account) = match load(&args.input, args.account.as_deref()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("iam-guard: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let g = Graph::build(&inv, &account);
    let body = match args.format {
        GraphFormat::Dot => g.dot(args.all),
        GraphFormat::Json => {
            let paths = g.paths_to_admin();
            let described: Vec<String> = paths.iter().map(|p| g.describe(p)).collect();
            let v = serde_json::json!({"account_id": account, "nodes": g.nodes, "edges": g.edges,
                                       "paths": paths, "described": described});
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        GraphFormat::Text => {
            let paths = g.paths_to_admin();
            let mut t = String::new();
            for p in &paths {
                let outside = if p.from_outside { " [reachable from outside the account]" } else { "" };
                t.push_str(&format!("{}{outside}\n", g.describe(p)));
            }
            t.push_str(&format!(
                "{} principals can become admin; graph of {} nodes, {} edges (account {account})\n",
                paths.len(),
                g.nodes.len(),
                g.edges.len()
            ));
            t
        }
    };
    match std::io::stdout().lock().write_all(body.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("iam-guard: cannot write: {e}");
            ExitCode::from(EXIT_ERROR)
        }
        _ => ExitCode::SUCCESS,
    }
}
