//! `iam-guard check PATH...`

use super::baseline::{self, Baseline};
use super::{collect_named, is_template_name, read, Color, FailOn, Format, EXIT_ERROR, EXIT_FINDINGS};
use crate::config::Config;
use crate::engine::Engine;
use crate::policy::source::documents_in;
use crate::report::{self, PolicyReport, Tally};
use crate::rules::PolicyContext;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(super) struct CheckArgs {
    /// Policy files, CloudFormation / SAM templates (JSON or YAML), Terraform plans
    /// (`terraform show -json`), or directories of them; - reads stdin.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit 1 when a finding is at least this severe (`never`: report only).
    #[arg(long, value_enum, default_value = "high")]
    fail_on: FailOn,
    /// The account the policies live in (trust-cross-account treats it as known).
    #[arg(long)]
    account_id: Option<String>,
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// Also list policies with no findings.
    #[arg(long, short)]
    verbose: bool,
    /// Accept the findings a baseline file lists (`--write-baseline` writes one): they are
    /// reported as suppressed, and only new findings count for `--fail-on`.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write this run's findings to FILE as a baseline (the run's output and exit code as usual).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

fn error_report(source: &str, e: impl std::fmt::Display) -> PolicyReport {
    PolicyReport { source: source.into(), policy: "-".into(), error: Some(e.to_string()), ..Default::default() }
}

/// Judges the policies of a CloudFormation or SAM template, a Terraform plan or a YAML policy;
/// findings the template's annotations suppress move to `suppressed`.
fn check_template(engine: &Engine, source: &str, text: &str, account_id: Option<&str>) -> Vec<PolicyReport> {
    match crate::template::policies_in(text, account_id) {
        // The template's own account (its AWS::AccountId) is the guarded one.
        Ok(found) => {
            let account = account_id.or(Some(crate::template::DEFAULT_ACCOUNT));
            let mut reports = Vec::new();
            // Per resource: which of its ignores suppressed something in any of its policies.
            let mut used: Vec<(String, crate::template::Suppression, Vec<bool>)> = Vec::new();
            for l in found {
                let (resource, ignore) = (l.resource.clone(), l.ignore.clone());
                let (report, by) = judge_located(engine, source, l, account);
                match used.iter_mut().find(|(r, _, _)| *r == resource) {
                    Some((_, _, u)) => u.iter_mut().zip(by).for_each(|(a, b)| *a |= b),
                    None => used.push((resource, ignore, by)),
                }
                reports.push(report);
            }
            merge_variants(&mut reports);
            for (resource, ignore, u) in used {
                if let Some(r) = reports.iter_mut().find(|r| r.resource.as_deref() == Some(resource.as_str())) {
                    r.unused_ignores = (0..u.len()).filter(|&k| !u[k]).map(|k| ignore.describe(k)).collect();
                }
            }
            reports
        }
        Err(e) => vec![error_report(source, e)],
    }
}

/// A policy that another branch of an `Fn::If` gives keeps only the findings the defaults'
/// document does not already have; with none left it is not listed.
fn merge_variants(reports: &mut Vec<PolicyReport>) {
    type Key = (crate::rules::RuleId, Option<usize>, String);
    let key = |f: &crate::rules::Finding| -> Key {
        (f.rule, f.evidence.first().and_then(|e| e.statement), f.message.clone())
    };
    let mut defaults: Vec<(Option<String>, String, Vec<Key>)> = Vec::new();
    for r in reports.iter().filter(|r| r.variant.is_none()) {
        defaults.push((r.resource.clone(), r.policy.clone(), r.findings.iter().map(key).collect()));
    }
    reports.retain_mut(|r| {
        let Some(variant) = &r.variant else { return true };
        let base = defaults.iter().find(|(res, p, _)| *res == r.resource && *p == r.policy);
        if let Some((_, _, known)) = base {
            r.findings.retain(|f| !known.contains(&key(f)));
            r.suppressed.clear();
        }
        r.policy = format!("{} [{variant}]", r.policy);
        !r.findings.is_empty() || r.error.is_some()
    });
}

/// Judges one located policy; also says which of its resource's ignores suppressed something.
fn judge_located(
    engine: &Engine,
    source: &str,
    l: crate::template::Located,
    account_id: Option<&str>,
) -> (PolicyReport, Vec<bool>) {
    let mut report = PolicyReport {
        source: source.into(),
        policy: l.label,
        variant: l.variant,
        arn: l.managed.as_ref().map(|(_, a)| a.clone()),
        kind: l.kind,
        resource: (l.resource != "policy").then_some(l.resource),
        location: Some(l.at),
        statement_locations: l.statements,
        ..Default::default()
    };
    let mut used = vec![false; l.ignore.0.len()];
    let doc = match l.document {
        Ok(doc) => doc,
        Err(e) => {
            match engine.unparsable(&e) {
                Some(f) => report.findings.push(f),
                None => report.error = Some(e.to_string()),
            }
            return (report, used);
        }
    };
    let kind = l.kind.unwrap_or_else(|| crate::policy::PolicyKind::infer(&doc));
    report.kind = Some(kind);
    // An AWS managed policy the template attaches is AWS's to keep valid.
    let authoring = l.managed.is_none();
    let ctx = PolicyContext {
        kind: Some(kind),
        managed: l.managed,
        account_id: account_id.map(str::to_string),
        authoring,
        ..Default::default()
    };
    for f in engine.judge(&ctx, &doc) {
        match l.ignore.reason(&f) {
            Some((reason, by)) => {
                by.into_iter().for_each(|k| used[k] = true);
                report.suppressed.push(report::Suppressed { rule: f.rule, reason });
            }
            None => report.findings.push(f),
        }
    }
    (report, used)
}

/// Judges every document in one input's text.
pub(super) fn check_text(engine: &Engine, source: &str, text: &str, account_id: Option<&str>) -> Vec<PolicyReport> {
    let value: serde_json::Value = match crate::policy::PolicyDocument::parse(text) {
        // Fast path and URL-encoded input: a bare document.
        Ok(doc) => {
            let ctx =
                PolicyContext { account_id: account_id.map(str::to_string), authoring: true, ..Default::default() };
            let kind = crate::policy::PolicyKind::infer(&doc);
            let findings = engine.judge(&ctx, &doc);
            return vec![PolicyReport {
                source: source.into(),
                policy: "policy".into(),
                kind: Some(kind),
                findings,
                ..Default::default()
            }];
        }
        Err(_) => match serde_json::from_str(text) {
            Ok(v) => v,
            // YAML: a template or a policy.
            Err(_) => return check_template(engine, source, text, account_id),
        },
    };
    let found = match documents_in(&value) {
        Ok(f) => f,
        Err(_) if value.get("Statement").is_none() && crate::template::format_of_json(&value).is_some() => {
            return check_template(engine, source, text, account_id);
        }
        Err(e) => {
            // A document with a Statement that failed to parse: report the parser's precise error.
            if value.get("Statement").is_some() {
                if let Err(pe) = crate::policy::PolicyDocument::from_value(&value) {
                    return vec![match engine.unparsable(&pe) {
                        Some(f) => PolicyReport {
                            source: source.into(),
                            policy: "policy".into(),
                            findings: vec![f],
                            ..Default::default()
                        },
                        None => error_report(source, pe),
                    }];
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
                    let authoring = !arn.as_deref().is_some_and(crate::catalog::managed::is_aws_managed);
                    let ctx = PolicyContext {
                        limit: None,
                        kind: Some(kind),
                        managed: f.managed,
                        account_id: account_id.map(str::to_string),
                        also_known: Vec::new(),
                        resource: None,
                        authoring,
                    };
                    let findings = engine.judge(&ctx, &doc);
                    PolicyReport {
                        source: source.into(),
                        policy: f.label,
                        arn,
                        kind: Some(kind),
                        findings,
                        ..Default::default()
                    }
                }
                Err(e) => {
                    let invalid = engine.unparsable(&e);
                    PolicyReport {
                        source: source.into(),
                        policy: f.label,
                        arn,
                        kind: f.kind,
                        error: invalid.is_none().then(|| e.to_string()),
                        findings: invalid.into_iter().collect(),
                        ..Default::default()
                    }
                }
            }
        })
        .collect()
}

/// A file of another kind found in a directory (a `package.json`, a workflow file): the one report
/// says its shape is not one `check` reads.
fn is_other_file(reports: &[PolicyReport]) -> bool {
    matches!(reports, [r] if r.policy == "-" && r.error.as_deref().is_some_and(|e| e.starts_with("not a policy")))
}

/// Judges files on every core (files are independent). Each worker turns a chunk's reports into
/// `T` with `finish` (rendering them, so output work is parallel too and reports are freed where
/// they were allocated); `emit` receives the chunks in input order as soon as they are ready, so
/// output streams and memory stays flat.
/// What judges a file: the engine, the account, the baseline (and the entries it used).
struct Judging<'a> {
    engine: &'a Engine,
    account_id: Option<&'a str>,
    baseline: Option<&'a Baseline>,
    used: std::sync::Mutex<std::collections::BTreeSet<baseline::Known>>,
}

fn check_files<T: Send>(
    judging: &Judging<'_>,
    files: &[PathBuf],
    explicit: &std::collections::HashSet<&PathBuf>,
    finish: &(dyn Fn(Vec<PolicyReport>) -> T + Sync),
    emit: &mut dyn FnMut(T),
) {
    let one = |f: &PathBuf| {
        let source = f.display().to_string();
        let mut reports = match read(f) {
            Ok(text) => check_text(judging.engine, &source, &text, judging.account_id),
            Err(e) => vec![error_report(&source, format_args!("cannot read: {e}"))],
        };
        if !explicit.contains(f) && is_other_file(&reports) {
            return vec![PolicyReport { source, skipped: true, ..Default::default() }];
        }
        if let Some(b) = judging.baseline {
            let used: Vec<_> = reports.iter_mut().flat_map(|r| b.apply(r)).collect();
            if let Ok(mut u) = judging.used.lock() {
                u.extend(used);
            }
        }
        reports
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
    /// The findings as baseline entries, when a baseline is being written.
    known: Vec<baseline::Known>,
}

/// Renders reports as text or as JSON array elements (`,\n`-separated, no brackets); keeps them
/// for SARIF.
fn render(reports: Vec<PolicyReport>, format: Format, color: bool, verbose: bool, known: bool) -> Rendered {
    let mut out = Rendered {
        bytes: Vec::new(),
        tally: Tally::default(),
        errors: Vec::new(),
        kept: Vec::new(),
        known: Vec::new(),
    };
    if known {
        out.known = Baseline::of(reports.iter()).findings.into_iter().collect();
    }
    let mut first = true;
    for r in &reports {
        if r.skipped {
            let note = "skipped: not a policy, CloudFormation or SAM template, or Terraform plan";
            out.errors.push(format!("iam-guard: {}: {note}", r.source));
            continue;
        }
        if let Some(e) = &r.error {
            out.errors.push(format!("iam-guard: {}: {}: {e}", r.source, r.policy));
        }
        for u in &r.unused_ignores {
            out.errors.push(format!("iam-guard: {}: {}: note: {u} matches no finding (remove it)", r.source, r.policy));
        }
        out.tally.add(r);
        match format {
            Format::Text => out.bytes.extend_from_slice(report::text::render_report(r, color, verbose).as_bytes()),
            Format::Json => {
                if !first {
                    out.bytes.extend_from_slice(b",\n");
                }
                // Serializing to a Vec cannot fail: reports hold only strings, numbers and enums.
                let _ = report::pretty::to_writer_pretty(&mut out.bytes, r);
            }
            Format::Sarif | Format::Asff => {}
        }
        first = false;
    }
    if format == Format::Sarif {
        out.kept = reports.into_iter().filter(|r| !r.skipped).collect();
    }
    out
}

/// `iam-guard check`, its format checked first (ASFF is for findings in an account).
pub(super) fn start(args: CheckArgs, config: Config) -> ExitCode {
    if args.format == Format::Asff {
        eprintln!("iam-guard: check writes text, json or sarif (asff is for event and sweep)");
        return ExitCode::from(EXIT_ERROR);
    }
    run(args, config)
}

fn run(args: CheckArgs, mut config: Config) -> ExitCode {
    if let Some(a) = &args.account_id {
        config.account_id = Some(a.clone());
    }
    let baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("iam-guard: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let engine = Engine::new(config);
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for p in &args.paths {
        if let Err(e) = collect_named(p, &mut files, is_template_name) {
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
    let (format, verbose, writing) = (args.format, args.verbose, args.write_baseline.is_some());
    let mut written_baseline = Baseline { version: 1, ..Default::default() };
    let mut emit = |chunk: Rendered| {
        for e in &chunk.errors {
            eprintln!("{e}");
        }
        written_baseline.findings.extend(chunk.known);
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
    emit(render(unreadable, format, color, verbose, false));
    let finish = |r: Vec<PolicyReport>| render(r, format, color, verbose, writing);
    let explicit = args.paths.iter().collect();
    let judging = Judging {
        engine: &engine,
        account_id: args.account_id.as_deref(),
        baseline: baseline.as_ref(),
        used: Default::default(),
    };
    check_files(&judging, &files, &explicit, &finish, &mut emit);
    if let Some(b) = &baseline {
        let used = judging.used.into_inner().unwrap_or_default();
        let stale = b.findings.iter().filter(|k| !used.contains(k)).count();
        if stale > 0 {
            eprintln!("iam-guard: {stale} baseline entries match no finding any more (fixed?): --write-baseline refreshes the file");
        }
    }
    if let Some(path) = &args.write_baseline {
        let text = serde_json::to_string_pretty(&written_baseline).unwrap_or_default() + "\n";
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("iam-guard: cannot write baseline {}: {e}", path.display());
            return ExitCode::from(EXIT_ERROR);
        }
        eprintln!("iam-guard: wrote {} findings to baseline {}", written_baseline.findings.len(), path.display());
    }
    let written = io_error.map_or(Ok(()), Err).and_then(|_| match args.format {
        Format::Text => out.write_all(report::text::render_summary(&tally).as_bytes()),
        Format::Json => out.write_all(b"\n]\n"),
        // (ASFF is refused in `start`.)
        Format::Sarif | Format::Asff => {
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
