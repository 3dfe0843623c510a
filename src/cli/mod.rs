//! The `iam-guard` command line: the engine offline. `src/bin/iam-guard.rs` only calls [`main`].

mod check;
mod event;
mod sweep;

use crate::config::Config;
use crate::rules::Severity;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "iam-guard",
    version,
    about = "Least-privilege guard for AWS IAM: lint policies, replay IAM events, sweep an account"
)]
pub struct Cli {
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
    Sweep(sweep::SweepArgs),
    /// List the rules with their ids and default severities.
    Rules,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Sarif,
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

/// Exit codes: 0 clean (below --fail-on), 1 findings at or above --fail-on, 2 bad input or usage.
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Expands directories into their *.json files (sorted, recursive); files pass through.
pub(crate) fn collect(path: &std::path::Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(path)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")) {
                collect(&e, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Reads a file, or stdin for `-`.
pub(crate) fn read(path: &std::path::Path) -> std::io::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path)
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match &cli.config {
        Some(p) => match Config::load(p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("iam-guard: {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        },
        None => Config::default(),
    };
    match cli.command {
        Command::Check(args) => check::run(args, config),
        Command::Event(args) => event::run(args, config),
        Command::Sweep(args) => sweep::run(args, config),

        Command::Rules => {
            for r in crate::rules::all_rules() {
                println!("{:<24} {:<9} {}", r.id(), r.default_severity().as_str(), r.description());
            }
            ExitCode::SUCCESS
        }
    }
}
