//! The `iam-guard` command line: the engine offline. `src/bin/iam-guard.rs` only calls [`main`].

mod baseline;
pub(crate) mod can;
mod check;
mod event;
#[cfg(feature = "aws")]
mod ledger;
mod offline;
mod suggest;
#[cfg(feature = "aws")]
mod sweep;
mod who_can;
#[cfg(feature = "aws")]
pub use sweep::main as sweep_main;

use crate::config::Config;
use crate::rules::Severity;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "iam-guard",
    version,
    long_version = crate::catalog::LONG_VERSION,
    about = "Least-privilege guard for AWS IAM: lint policies, replay IAM events, sweep an account"
)]
pub(crate) struct Cli {
    /// Configuration file (TOML); also IAM_GUARD_CONFIG. Defaults catch admin, *FullAccess and public trust.
    #[arg(long, global = true, env = "IAM_GUARD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Judge policy files: bare documents or IAM exports (files, directories, - for stdin).
    Check(check::CheckArgs),
    /// Replay IAM events offline: the change, the findings, and what the guard would do.
    Event(event::EventArgs),
    /// Audit the whole account (AWS credentials or AWS_ENDPOINT_URL): text, JSON, SARIF or HTML.
    ///
    /// Runs the `iam-guard-sweep` program installed beside this one; `iam-guard sweep --help`
    /// shows its options. With `--input FILE` (a saved `aws iam get-account-authorization-details`
    /// output) it runs here, offline: no AWS access, the same reports.
    #[command(disable_help_flag = true)]
    Sweep {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Put back exactly what the guard changed for one event (the ledger table, AWS credentials).
    ///
    /// Runs `iam-guard-sweep undo`; `iam-guard undo --help` shows its options.
    #[command(disable_help_flag = true)]
    Undo {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// What the guard did to a principal (the ledger table, AWS credentials).
    ///
    /// Runs `iam-guard-sweep history`; `iam-guard history --help` shows its options.
    #[command(disable_help_flag = true)]
    History {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// The least-privilege policy from what a principal really did (CloudTrail files): the
    /// document on stdout, the evidence on stderr.
    Suggest(suggest::SuggestArgs),
    /// Is one request allowed? The evaluation core's decision with the statements behind it
    /// (exit 0 allowed, 1 denied).
    Can(can::CanArgs),
    /// Who can do ACTION on RESOURCE, directly or through the escalation graph, in a saved
    /// export (PMapper's `query "who can do …"`).
    WhoCan(who_can::WhoCanArgs),
    /// Who can become admin: the escalation graph of a saved `aws iam
    /// get-account-authorization-details` output (text, json, or dot for Graphviz).
    Graph(offline::GraphArgs),
    /// List the rules: id, default severity, default action, what each reports.
    Rules {
        /// List the privilege-escalation catalogue instead: path id, actions, PassRole, the key
        /// action's resource types, reference.
        #[arg(long)]
        paths: bool,
        /// Print the rule table as Markdown (the README's).
        #[arg(long, conflicts_with = "paths")]
        markdown: bool,
        /// List the built-in platform roles instead: landing-zone and deployment roles the guard
        /// never acts on (alerts still go out), with who creates them and why.
        #[arg(long, conflicts_with_all = ["paths", "markdown"])]
        platform: bool,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Sarif,
    /// AWS Security Finding Format (`event`): for Security Hub's batch-import-findings.
    Asff,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

/// `--fail-on`: the least severity that makes the exit code 1.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FailOn {
    Never,
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    pub(crate) fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Never => None,
            FailOn::Info => Some(Severity::Info),
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
        }
    }
}

/// Exit codes: 0 clean (below --fail-on), 1 findings at or above --fail-on, 2 bad input, bad
/// configuration or usage, 3 (`event`) incomplete: nothing judgeable was found, or a change
/// could not be judged, 4 (live `sweep`) AWS could not be reached or refused.
pub(crate) const EXIT_FINDINGS: u8 = 1;
pub(crate) const EXIT_ERROR: u8 = 2;
pub(crate) const EXIT_INCOMPLETE: u8 = 3;
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
pub(crate) const EXIT_AWS: u8 = 4;

/// Expands directories into their *.json and *.json.gz files (sorted, recursive); files pass through.
pub(crate) fn collect(path: &std::path::Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    collect_named(path, out, is_json_name)
}

/// As [`collect`], keeping the files under directories whose names `keep` accepts.
pub(crate) fn collect_named(
    path: &std::path::Path,
    out: &mut Vec<PathBuf>,
    keep: fn(&std::path::Path) -> bool,
) -> std::io::Result<()> {
    if path.is_dir() {
        collect_dir(path, out, keep)
    } else {
        out.push(path.to_path_buf());
        Ok(())
    }
}

/// The `*.json` and `*.json.gz` files under a directory, sorted, recursively. Entry types come from the directory
/// listing itself: no stat per file (symbolic links are followed, as `is_dir` does).
fn collect_dir(
    dir: &std::path::Path,
    out: &mut Vec<PathBuf>,
    keep: fn(&std::path::Path) -> bool,
) -> std::io::Result<()> {
    let mut entries: Vec<(std::ffi::OsString, PathBuf, bool)> = std::fs::read_dir(dir)?
        .map(|e| {
            let e = e?;
            let t = e.file_type()?;
            let path = e.path();
            let is_dir = t.is_dir() || (t.is_symlink() && path.is_dir());
            Ok((e.file_name(), path, is_dir))
        })
        .collect::<std::io::Result<_>>()?;
    // Siblings: comparing names orders them as comparing whole paths would, without parsing
    // every path into components.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (_, path, is_dir) in entries {
        if is_dir {
            collect_dir(&path, out, keep)?;
        } else if keep(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// `*.json`, or `*.json.gz` as CloudTrail delivers log files to S3 (any case).
fn is_json_name(path: &std::path::Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    let name = name.to_ascii_lowercase();
    name.ends_with(".json") || name.ends_with(".json.gz")
}

/// What `check` reads in a directory: JSON (policies, exports, CloudFormation, Terraform plans)
/// and YAML (CloudFormation, SAM, policies).
pub(crate) fn is_template_name(path: &std::path::Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    let name = name.to_ascii_lowercase();
    is_json_name(path) || [".yaml", ".yml", ".template"].iter().any(|e| name.ends_with(e))
}

/// Reads a file, or stdin for `-`, as text. Gzip is recognised by its magic bytes (1f 8b), not
/// by the name, and decompressed (every member, as `cat a.gz b.gz` makes).
pub(crate) fn read(path: &std::path::Path) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    crate::intake::text_of(bytes)
}

/// The live sweep is its own program, `iam-guard-sweep` (the AWS SDK lives there): this binary
/// stays the offline engine, small and quick to start for linting (the SDK would cost ~4 MiB of
/// resident pages on every `check`). Like `git foo` → `git-foo`: the program beside this one, or
/// on PATH; exit code, stdin and stdout pass through.
fn prefixed(word: &str, args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    std::iter::once(word.into()).chain(args).collect()
}

fn sweep_helper(config: Option<&std::path::Path>, args: &[std::ffi::OsString]) -> ExitCode {
    let name = format!("iam-guard-sweep{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe().ok().and_then(|e| e.parent().map(|d| d.join(&name))).filter(|p| p.is_file());
    let mut cmd = std::process::Command::new(beside.as_deref().unwrap_or(std::path::Path::new(&name)));
    cmd.args(args);
    if let Some(c) = config {
        cmd.env("IAM_GUARD_CONFIG", c);
    }
    match cmd.status() {
        Ok(st) => st.code().map_or(ExitCode::from(EXIT_ERROR), |c| ExitCode::from(c.clamp(0, 255) as u8)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "iam-guard: `sweep` runs {name}, which is neither beside this program nor on PATH; it is built \
                 with the default features (a build without the `aws` feature leaves it and the AWS SDK out)"
            );
            ExitCode::from(EXIT_ERROR)
        }
        Err(e) => {
            eprintln!("iam-guard: cannot run {name}: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The escalation catalogue as a table, one path a line.
fn paths_table() -> String {
    use std::fmt::Write as _;
    let c = crate::catalog::Catalog::global();
    let mut t = String::new();
    for p in crate::rules::escalation::PATHS {
        let actions: Vec<String> = p.requires.iter().map(|g| g.join(" | ")).collect();
        let key = p.key_action();
        let types: Vec<&str> =
            c.lookup_id(key).map(|id| id.resource_types().map(|(r, _)| r.name).collect()).unwrap_or_default();
        let types = if types.is_empty() { "*".to_string() } else { types.join(",") };
        let pass = if p.needs_pass_role() { "PassRole" } else { "-" };
        let _ = writeln!(
            t,
            "{:<24} {:<8} {key} on {types}\n    {}\n    {}\n    {}",
            p.id,
            pass,
            p.name,
            actions.join(" + "),
            p.reference
        );
    }
    let _ = writeln!(t, "{} paths", crate::rules::escalation::PATHS.len());
    t
}

/// The configuration file if one is given, else the defaults; `None` after reporting a bad file.
pub(crate) fn load_config(path: Option<&std::path::Path>) -> Option<Config> {
    match path.map(Config::load) {
        None => Some(Config::default()),
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            eprintln!("iam-guard: {e}");
            None
        }
    }
}

/// The `iam-guard` program: parses arguments, loads the configuration, runs a command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(config) = load_config(cli.config.as_deref()) else { return ExitCode::from(EXIT_ERROR) };
    match cli.command {
        Command::Check(args) => check::start(args, config),
        Command::Event(args) => event::run(args, config),
        Command::Sweep { args }
            if args.iter().any(|a| a == "--input" || a.to_string_lossy().starts_with("--input=")) =>
        {
            offline::sweep(&args, config)
        }
        Command::Sweep { args } => sweep_helper(cli.config.as_deref(), &args),
        Command::Graph(args) => offline::graph(args),
        Command::Suggest(args) => suggest::run(args),
        Command::Can(args) if args.live => sweep_helper(cli.config.as_deref(), &args.argv()),
        Command::Can(args) => can::run(args),
        Command::WhoCan(args) => who_can::run(args),
        Command::Undo { args } => sweep_helper(cli.config.as_deref(), &prefixed("undo", args)),
        Command::History { args } => sweep_helper(cli.config.as_deref(), &prefixed("history", args)),

        Command::Rules { paths: true, .. } => {
            print!("{}", paths_table());
            ExitCode::SUCCESS
        }
        Command::Rules { platform: true, .. } => {
            print!("{}", crate::guard::platform::markdown_table());
            ExitCode::SUCCESS
        }
        Command::Rules { markdown: true, .. } => {
            print!("{}", crate::rules::markdown_table());
            ExitCode::SUCCESS
        }
        Command::Rules { .. } => {
            for r in crate::rules::RULES {
                println!("{:<24} {:<9} {:<10} {}", r.id(), r.severity().as_str(), r.action().as_str(), r.summary());
            }
            ExitCode::SUCCESS
        }
    }
}
