//! `iam-guard check PATH...`

use super::{collect, read, Color, FailOn, Format, EXIT_ERROR, EXIT_FINDINGS};
use crate::config::Config;
use crate::policy::source::documents_in;
use crate::report::{self, PolicyReport, Tally};
use crate::rules::{Engine, PolicyContext};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
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
pub fn check_text(engine: &Engine, source: &str, text: &str, account_id: Option<&str>) -> Vec<PolicyReport> {
    let value: serde_json::Value = match crate::policy::PolicyDocument::parse(text) {
        // Fast path and URL-encoded input: a bare document.
        Ok(doc) => {
            let ctx = PolicyContext { account_id: account_id.map(str::to_string), ..Default::default() };
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
            let arn = f.managed.as_ref().map(|(_, a)| a.clone()).filter(|a| !a.is_empty());
            match f.document {
                Ok(doc) => {
                    let kind = f.kind.unwrap_or_else(|| crate::policy::PolicyKind::infer(&doc));
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

/// Judges files on every core (files are independent) and hands each file's reports to `emit`
/// in input order as soon as they are ready, so output streams and memory stays flat.
fn check_files(engine: &Engine, files: &[PathBuf], account_id: Option<&str>, emit: &mut dyn FnMut(PolicyReport)) {
    let one = |f: &PathBuf| {
        let source = f.display().to_string();
        match read(f) {
            Ok(text) => check_text(engine, &source, &text, account_id),
            Err(e) => vec![error_report(&source, format_args!("cannot read: {e}"))],
        }
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len());
    if workers <= 1 {
        files.iter().flat_map(one).for_each(emit);
        return;
    }
    // Work goes out in chunks of files: one channel message (and thread wake-up) per chunk.
    const CHUNK: usize = 16;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<PolicyReport>)>(4);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, one) = (&next, &one);
            scope.spawn(move || loop {
                let c = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(chunk) = files.chunks(CHUNK).nth(c) else { break };
                if tx.send((c, chunk.iter().flat_map(one).collect())).is_err() {
                    break;
                }
            });
        }

        drop(tx);
        // Reorder: hold results that arrive early until their predecessors are out.
        let mut pending = std::collections::BTreeMap::new();
        let mut due = 0;
        for (i, reports) in rx {
            pending.insert(i, reports);
            while let Some(reports) = pending.remove(&due) {
                reports.into_iter().for_each(&mut *emit);
                due += 1;
            }
        }
    });
}

pub fn run(args: CheckArgs, mut config: Config) -> ExitCode {
    if let Some(a) = &args.account_id {
        config.account_id = Some(a.clone());
    }
    let engine = Engine::new(config);
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for p in &args.paths {
        if let Err(e) = collect(p, &mut files) {
            unreadable.push(error_report(&p.display().to_string(), format_args!("cannot read: {e}")));
        }
    }
    let stdout = std::io::stdout();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    // Stdout is line-buffered: pretty JSON would cost a write(2) per line.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut tally = Tally::default();
    let mut sarif_reports = Vec::new();
    let mut io_error: Option<std::io::Error> = None;
    if args.format == Format::Json {
        io_error = out.write_all(b"[").err();
    }
    let mut emit = |r: PolicyReport| {
        if let Some(e) = &r.error {
            eprintln!("iam-guard: {}: {}: {e}", r.source, r.policy);
        }
        let first = tally.policies == 0;
        tally.add(&r);
        if io_error.is_some() {
            return;
        }
        let written = match args.format {
            Format::Text => out.write_all(report::text::render_report(&r, color, args.verbose).as_bytes()),
            Format::Json => out
                .write_all(if first { b"\n" } else { b",\n" })
                .and_then(|_| serde_json::to_writer_pretty(&mut out, &r).map_err(std::io::Error::other)),
            Format::Sarif => {
                sarif_reports.push(r);
                Ok(())
            }
        };
        io_error = written.err();
    };
    unreadable.into_iter().for_each(&mut emit);
    check_files(&engine, &files, args.account_id.as_deref(), &mut emit);
    let written = io_error.map_or(Ok(()), Err).and_then(|_| match args.format {
        Format::Text => out.write_all(report::text::render_summary(&tally).as_bytes()),
        Format::Json => out.write_all(b"\n]\n"),
        Format::Sarif => {
            let sarif = report::sarif::render(&sarif_reports, engine.rules(), &|src| std::fs::read_to_string(src).ok());
            serde_json::to_writer_pretty(&mut out, &sarif).map_err(std::io::Error::other).and_then(|_| writeln!(out))
        }
    });
    if let Err(e) = written.and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("iam-guard: cannot write output: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    }
    if tally.errors > 0 {
        return ExitCode::from(EXIT_ERROR);
    }
    match (args.fail_on.threshold(), tally.worst) {
        (Some(t), Some(w)) if w >= t => ExitCode::from(EXIT_FINDINGS),
        _ => ExitCode::SUCCESS,
    }
}
