//! `iam-guard check PATH...`

use super::{collect, read, Color, FailOn, Format, EXIT_ERROR, EXIT_FINDINGS};
use crate::config::Config;
use crate::engine::Engine;
use crate::policy::source::documents_in;
use crate::report::{self, PolicyReport, Tally};
use crate::rules::PolicyContext;
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
                        limit: None,
                        kind: Some(kind),
                        managed: f.managed,
                        account_id: account_id.map(str::to_string),
                        also_known: Vec::new(),
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

/// Judges files on every core (files are independent). Each worker turns a chunk's reports into
/// `T` with `finish` (rendering them, so output work is parallel too and reports are freed where
/// they were allocated); `emit` receives the chunks in input order as soon as they are ready, so
/// output streams and memory stays flat.
fn check_files<T: Send>(
    engine: &Engine,
    files: &[PathBuf],
    account_id: Option<&str>,
    finish: &(dyn Fn(Vec<PolicyReport>) -> T + Sync),
    emit: &mut dyn FnMut(T),
) {
    let one = |f: &PathBuf| {
        let source = f.display().to_string();
        match read(f) {
            Ok(text) => check_text(engine, &source, &text, account_id),
            Err(e) => vec![error_report(&source, format_args!("cannot read: {e}"))],
        }
    };
    // Work goes out in chunks of files: one channel message (and thread wake-up) per chunk.
    // Guided sizes: large while much is left (few wake-ups of the emitting thread), shrinking
    // towards the end so that no worker is left alone with a long last chunk.
    const MIN_CHUNK: usize = 4;
    const MAX_CHUNK: usize = 32;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().div_ceil(MIN_CHUNK));
    if workers <= 1 {
        files.chunks(MAX_CHUNK).for_each(|c| emit(finish(c.iter().flat_map(one).collect())));
        return;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let claim = || {
        use std::sync::atomic::Ordering::Relaxed;
        let mut start = next.load(Relaxed);
        loop {
            let left = files.len().checked_sub(start).filter(|&l| l > 0)?;
            let n = (left / (4 * workers)).clamp(MIN_CHUNK, MAX_CHUNK).min(left);
            match next.compare_exchange_weak(start, start + n, Relaxed, Relaxed) {
                Ok(_) => return Some(start..start + n),
                Err(now) => start = now,
            }
        }
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<(std::ops::Range<usize>, T)>(4);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (claim, one) = (&claim, &one);
            scope.spawn(move || {
                while let Some(range) = claim() {
                    let done = finish(files[range.clone()].iter().flat_map(one).collect());
                    if tx.send((range, done)).is_err() {
                        break;
                    }
                }
            });
        }

        drop(tx);
        // Reorder: hold results that arrive early until their predecessors are out.
        let mut pending = std::collections::BTreeMap::new();
        let mut due = 0;
        for (range, done) in rx {
            pending.insert(range.start, (range.end, done));
            while let Some((end, done)) = pending.remove(&due) {
                emit(done);
                due = end;
            }
        }
    });
}

/// A chunk of reports rendered by a worker: output bytes, counts, error lines for stderr, and
/// for SARIF (one document, rendered at the end) the reports themselves.
struct Rendered {
    bytes: Vec<u8>,
    tally: Tally,
    errors: Vec<String>,
    kept: Vec<PolicyReport>,
}

/// Renders reports as text or as JSON array elements (`,\n`-separated, no brackets); keeps them
/// for SARIF.
fn render(reports: Vec<PolicyReport>, format: Format, color: bool, verbose: bool) -> Rendered {
    let mut out = Rendered { bytes: Vec::new(), tally: Tally::default(), errors: Vec::new(), kept: Vec::new() };
    for (i, r) in reports.iter().enumerate() {
        if let Some(e) = &r.error {
            out.errors.push(format!("iam-guard: {}: {}: {e}", r.source, r.policy));
        }
        out.tally.add(r);
        match format {
            Format::Text => out.bytes.extend_from_slice(report::text::render_report(r, color, verbose).as_bytes()),
            Format::Json => {
                if i > 0 {
                    out.bytes.extend_from_slice(b",\n");
                }
                // Serializing to a Vec cannot fail: reports hold only strings, numbers and enums.
                let _ = report::pretty::to_writer_pretty(&mut out.bytes, r);
            }
            Format::Sarif => {}
        }
    }
    if format == Format::Sarif {
        out.kept = reports;
    }
    out
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
    let (format, verbose) = (args.format, args.verbose);
    let mut emit = |chunk: Rendered| {
        for e in &chunk.errors {
            eprintln!("{e}");
        }
        if chunk.tally.policies == 0 {
            return;
        }
        let first = tally.policies == 0;
        tally.merge(&chunk.tally);
        sarif_reports.extend(chunk.kept);
        if io_error.is_some() {
            return;
        }
        let sep: &[u8] = match (format, first) {
            (Format::Json, true) => b"\n",
            (Format::Json, false) => b",\n",
            _ => b"",
        };
        io_error = out.write_all(sep).and_then(|_| out.write_all(&chunk.bytes)).err();
    };
    emit(render(unreadable, format, color, verbose));
    let finish = |r: Vec<PolicyReport>| render(r, format, color, verbose);
    check_files(&engine, &files, args.account_id.as_deref(), &finish, &mut emit);
    let written = io_error.map_or(Ok(()), Err).and_then(|_| match args.format {
        Format::Text => out.write_all(report::text::render_summary(&tally).as_bytes()),
        Format::Json => out.write_all(b"\n]\n"),
        Format::Sarif => {
            let sarif = report::sarif::render(&sarif_reports, &|src| std::fs::read_to_string(src).ok());
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
