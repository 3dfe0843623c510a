//! `iam-guard check PATH...`

use super::{Color, FailOn, Format, EXIT_ERROR, EXIT_FINDINGS};
use crate::config::Config;
use crate::policy::source::documents_in;
use crate::report::{self, PolicyReport};
use crate::rules::{Engine, PolicyContext};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Policy files or directories (searched for *.json); - reads stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value = "never")]
    fail_on: FailOn,
    /// The account the policies live in (trust-cross-account treats it as known).
    #[arg(long)]
    account_id: Option<String>,
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// Also list policies with no findings.
    #[arg(long, short)]
    verbose: bool,
}

/// Expands directories into their *.json files (sorted, recursive).
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            if e.is_dir()
                || e.extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("json"))
            {
                collect(&e, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn read(path: &Path) -> std::io::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path)
    }
}

fn error_report(source: &str, e: impl std::fmt::Display) -> PolicyReport {
    PolicyReport {
        source: source.into(),
        policy: "-".into(),
        arn: None,
        kind: None,
        findings: vec![],
        error: Some(e.to_string()),
    }
}

/// Judges every document in one input's text.
pub fn check_text(
    engine: &Engine,
    source: &str,
    text: &str,
    account_id: Option<&str>,
) -> Vec<PolicyReport> {
    let value: serde_json::Value = match crate::policy::PolicyDocument::parse(text) {
        // Fast path and URL-encoded input: a bare document.
        Ok(doc) => {
            let ctx = PolicyContext {
                account_id: account_id.map(str::to_string),
                ..Default::default()
            };
            let kind = crate::policy::PolicyKind::infer(&doc);
            let findings = engine.judge(&ctx, &doc);
            return vec![PolicyReport {
                source: source.into(),
                policy: "policy".into(),
                arn: None,
                kind: Some(kind),
                findings,
                error: None,
            }];
        }
        Err(_) => match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return vec![error_report(source, format_args!("not valid JSON: {e}"))],
        },
    };
    let found = match documents_in(&value) {
        Ok(f) => f,
        Err(e) => {
            // A document with a Statement that failed to parse: report the parser's precise error.
            if value.get("Statement").is_some() {
                if let Err(pe) = crate::policy::PolicyDocument::from_value(&value) {
                    return vec![error_report(source, pe)];
                }
            }
            return vec![error_report(source, e)];
        }
    };
    found
        .into_iter()
        .map(|f| {
            let arn = f
                .managed
                .as_ref()
                .map(|(_, a)| a.clone())
                .filter(|a| !a.is_empty());
            match f.document {
                Ok(doc) => {
                    let kind = f
                        .kind
                        .unwrap_or_else(|| crate::policy::PolicyKind::infer(&doc));
                    let ctx = PolicyContext {
                        kind: Some(kind),
                        managed: f.managed,
                        account_id: account_id.map(str::to_string),
                    };
                    let findings = engine.judge(&ctx, &doc);
                    PolicyReport {
                        source: source.into(),
                        policy: f.label,
                        arn,
                        kind: Some(kind),
                        findings,
                        error: None,
                    }
                }
                Err(e) => PolicyReport {
                    source: source.into(),
                    policy: f.label,
                    arn,
                    kind: f.kind,
                    findings: vec![],
                    error: Some(e.to_string()),
                },
            }
        })
        .collect()
}

pub fn run(args: CheckArgs, mut config: Config) -> ExitCode {
    if let Some(a) = &args.account_id {
        config.account_id = Some(a.clone());
    }
    let engine = Engine::new(config);
    let mut files = Vec::new();
    let mut reports = Vec::new();
    for p in &args.paths {
        if let Err(e) = collect(p, &mut files) {
            reports.push(error_report(
                &p.display().to_string(),
                format_args!("cannot read: {e}"),
            ));
        }
    }
    for f in &files {
        let source = f.display().to_string();
        match read(f) {
            Ok(text) => reports.extend(check_text(
                &engine,
                &source,
                &text,
                args.account_id.as_deref(),
            )),
            Err(e) => reports.push(error_report(&source, format_args!("cannot read: {e}"))),
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.format {
        Format::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            out.write_all(report::text::render(&reports, color, args.verbose).as_bytes())
        }
        Format::Json => serde_json::to_writer_pretty(&mut out, &reports)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out)),
        Format::Sarif => {
            let sarif = report::sarif::render(&reports, engine.rules(), &|src| {
                std::fs::read_to_string(src).ok()
            });
            serde_json::to_writer_pretty(&mut out, &sarif)
                .map_err(std::io::Error::other)
                .and_then(|_| writeln!(out))
        }
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("iam-guard: cannot write output: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    }
    if reports.iter().any(|r| r.error.is_some()) {
        for r in reports.iter().filter(|r| r.error.is_some()) {
            eprintln!(
                "iam-guard: {}: {}: {}",
                r.source,
                r.policy,
                r.error.as_deref().unwrap_or("")
            );
        }
        return ExitCode::from(EXIT_ERROR);
    }
    let worst = reports.iter().filter_map(PolicyReport::max_severity).max();
    match (args.fail_on.threshold(), worst) {
        (Some(t), Some(w)) if w >= t => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    }
}
