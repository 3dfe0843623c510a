//! `iam-guard event FILE...`: replay IAM events offline. Each change is judged by the same guard
//! the Lambda runs, against an in-memory IAM built from the events replayed so far (plus the
//! embedded AWS managed policies), so no AWS access is needed. Each event is answered once, as
//! in the Lambda: an in-memory ledger collapses a record repeated in the input (CloudTrail may
//! deliver one twice) and remembers boundaries and trust policies, so a replayed
//! Delete*PermissionsBoundary after its Put* is put back in enforce mode, as in AWS.

use super::{collect, read, FailOn, Format, EXIT_ERROR, EXIT_FINDINGS, EXIT_INCOMPLETE};
use crate::config::{Config, Mode};
use crate::guard::ledger::Answer;
use crate::guard::memory::{MemoryIam, MemoryLedger, RecordingPublisher};
use crate::guard::ports::LedgerEntry;
use crate::guard::{alert, Guards, Handled, Plan, Verdict};
use crate::intake::{self, Intake, Outcome};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(super) struct EventArgs {
    /// Event files or directories (*.json and *.json.gz, sorted, recursive: an `aws s3 sync` of
    /// a CloudTrail bucket works as is); - reads stdin; gzip is read by its magic bytes. Any
    /// envelope: EventBridge, SQS batch, CloudWatch Logs payload, CloudTrail record or log file,
    /// scheduled event. Exit code: 0 judged, 1 a finding at or above --fail-on, 2 an input could
    /// not be read, 3 nothing judgeable was found or a change could not be judged (a document
    /// unknown offline).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// text or json (sarif is for `check`).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Override the configured mode. In enforce mode remediation is simulated in memory.
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Print the full alert (email text) for each change that raises one.
    #[arg(long)]
    alerts: bool,
    /// Exit 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value = "never")]
    fail_on: FailOn,
    /// The guard's own role (its changes are ignored); also IAM_GUARD_ROLE.
    #[arg(long, env = "IAM_GUARD_ROLE")]
    guard_role: Option<String>,
    /// CloudTrail log files or directories of the account's activity (repeatable): the trail the
    /// `replace` rule action learns least privilege from.
    #[arg(long)]
    trail: Vec<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum ModeArg {
    Alert,
    Enforce,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Alert => Mode::Alert,
            ModeArg::Enforce => Mode::Enforce,
        }
    }
}

/// One replayed item, for output.
enum Item {
    Verdict {
        source: String,
        verdict: Box<Verdict>,
        executed: Option<crate::guard::Executed>,
        alert: Option<alert::Alert>,
    },
    Ignored {
        source: String,
        ignored: intake::Ignored,
    },
    /// An event answered earlier in the replay (same event id).
    Duplicate {
        source: String,
        entry: Box<LedgerEntry>,
    },
    Sweep {
        source: String,
        request: intake::SweepRequest,
    },
    Error {
        source: String,
        error: String,
    },
}

pub(super) fn run(args: EventArgs, mut config: Config) -> ExitCode {
    if let Some(m) = args.mode {
        // --mode wins over every `[[accounts]]` mode too.
        config.mode = m.into();
        for a in &mut config.accounts {
            a.mode = None;
        }
    }
    let enforce = config.mode == Mode::Enforce;
    let rt = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("iam-guard: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let replay = Replay {
        guards: Guards::new(config, args.guard_role.as_deref()),
        iam: MemoryIam::new(),
        publisher: RecordingPublisher::new(),
        ledger: MemoryLedger::new(),
    };
    if !args.trail.is_empty() {
        match super::suggest::read_records(&args.trail) {
            Ok(records) => replay.iam.add_trail_records(records),
            Err(e) => {
                eprintln!("iam-guard: --trail {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        }
    }
    let mut files = Vec::new();
    let mut items = Vec::new();
    for p in &args.paths {
        if let Err(e) = collect(p, &mut files) {
            items.push(Item::Error { source: p.display().to_string(), error: format!("cannot read: {e}") });
        }
    }
    for f in &files {
        rt.block_on(replay.file(f, &mut items));
    }
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Json => {
            let arr: Vec<serde_json::Value> = items.iter().map(item_json).collect();
            serde_json::to_writer_pretty(&mut out, &arr).map_err(std::io::Error::other).and_then(|_| writeln!(out))
        }
        Format::Asff => {
            // The findings of every change that raised an alert, as Security Hub imports them.
            let arr: Vec<serde_json::Value> = items
                .iter()
                .filter_map(|i| match i {
                    Item::Verdict { verdict, alert: Some(_), .. } => Some(crate::report::asff::event(verdict)),
                    _ => None,
                })
                .flatten()
                .collect();
            serde_json::to_writer_pretty(&mut out, &arr).map_err(std::io::Error::other).and_then(|_| writeln!(out))
        }
        _ => out.write_all(render_text(&items, args.alerts, color, enforce).as_bytes()),
    };
    if let Err(e) = written.and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("iam-guard: cannot write output: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    }
    let mut errors = false;
    for i in &items {
        if let Item::Error { source, error } = i {
            eprintln!("iam-guard: {source}: {error}");
            errors = true;
        }
    }
    if errors {
        return ExitCode::from(EXIT_ERROR);
    }
    let judged = items.iter().filter(|i| matches!(i, Item::Verdict { .. } | Item::Sweep { .. })).count();
    if judged == 0 {
        let ignored = items.len();
        eprintln!(
            "iam-guard: nothing judgeable in {} file(s): {ignored} record(s) read, none an IAM change the guard judges",
            files.len()
        );
        return ExitCode::from(EXIT_INCOMPLETE);
    }
    let worst = items
        .iter()
        .filter_map(|i| match i {
            Item::Verdict { verdict, .. } => verdict.severity(),
            _ => None,
        })
        .max();
    let not_judged = items
        .iter()
        .any(|i| matches!(i, Item::Verdict { verdict, .. } if matches!(verdict.plan, Plan::NotJudged { .. })));
    match (args.fail_on.threshold(), worst) {
        (Some(t), Some(w)) if w >= t => ExitCode::from(EXIT_FINDINGS),
        _ if not_judged => ExitCode::from(EXIT_INCOMPLETE),
        _ => ExitCode::SUCCESS,
    }
}

/// The guard over an in-memory IAM that follows the replayed changes (enforce mode acts on it).
struct Replay {
    /// Chosen per record's account, as in the Lambda.
    guards: Guards,
    iam: MemoryIam,
    publisher: RecordingPublisher,
    ledger: MemoryLedger,
}

impl Replay {
    /// Replays one file's records in order, appending what became of each.
    async fn file(&self, f: &std::path::Path, items: &mut Vec<Item>) {
        let source = f.display().to_string();
        let text = match read(f) {
            Ok(t) => t,
            Err(e) => return items.push(Item::Error { source, error: format!("cannot read: {e}") }),
        };
        let deliveries = match intake::parse_str(&text) {
            Ok(Intake::Sweep(request)) => return items.push(Item::Sweep { source, request }),
            Ok(Intake::Deliveries { deliveries, .. }) => deliveries,
            Err(e) => return items.push(Item::Error { source, error: e.to_string() }),
        };
        // Several deliveries: each labelled by position (ids repeat in test data) and by its id.
        let many = deliveries.len() > 1;
        for (i, d) in deliveries.into_iter().enumerate() {
            let source = match (many, d.id.starts_with("Records[")) {
                (false, _) => source.clone(),
                (true, true) => format!("{source}#{i}"),
                (true, false) => format!("{source}#{i}:{}", d.id),
            };
            match d.outcome {
                Err(e) => items.push(Item::Error { source, error: e.to_string() }),
                Ok(outcomes) => {
                    for o in outcomes {
                        items.push(self.outcome(source.clone(), o).await);
                    }
                }
            }
        }
    }

    async fn outcome(&self, source: String, o: Outcome) -> Item {
        let change = match o {
            Outcome::Ignored(ignored) => return Item::Ignored { source, ignored },
            Outcome::Change(change) => *change,
        };
        // By the time its event arrives, IAM already holds the change (a repeated record
        // changes nothing: IAM calls are idempotent in the model too).
        self.iam.apply(&change);
        match self.guards.for_account(&change.account_id).answer(&self.iam, &self.publisher, &self.ledger, change).await
        {
            Ok(Answer::Handled(h)) => {
                let Handled { verdict, executed, alert } = *h;
                Item::Verdict { source, verdict: Box::new(verdict), executed, alert }
            }
            Ok(Answer::Duplicate(entry)) => Item::Duplicate { source, entry },
            Err(e) => Item::Error { source, error: e.to_string() },
        }
    }
}

fn item_json(i: &Item) -> serde_json::Value {
    match i {
        Item::Verdict { source, verdict, executed, alert } => json!({
            "source": source,
            "outcome": "change",
            "verdict": verdict,
            "executed": executed,
            "alert": alert.as_ref().map(|a| json!({
                "subject": a.subject,
                "attributes": a.attributes.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            })),
        }),
        Item::Ignored { source, ignored } => json!({"source": source, "outcome": "ignored", "ignored": ignored}),
        Item::Duplicate { source, entry } => json!({"source": source, "outcome": "duplicate", "answered": entry}),
        Item::Sweep { source, request } => json!({"source": source, "outcome": "sweep", "sweep": request}),
        Item::Error { source, error } => json!({"source": source, "outcome": "error", "error": error}),
    }
}

fn render_text(items: &[Item], full_alerts: bool, color: bool, enforce: bool) -> String {
    let paint = |code: &str, s: &str| if color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() };
    let mut t = String::new();
    use std::fmt::Write as _;
    for i in items {
        match i {
            Item::Verdict { source, verdict, executed, alert } => {
                let c = &verdict.change;
                let _ = writeln!(
                    t,
                    "{} {} by {}",
                    paint("1", source),
                    c.event_name,
                    c.actor.principal_arn().unwrap_or("?")
                );
                for j in &verdict.judged {
                    for f in &j.findings {
                        let _ = writeln!(
                            t,
                            "  {:<8} {:<24} {} [{}]",
                            f.severity.as_str().to_uppercase(),
                            f.rule,
                            f.message,
                            j.label
                        );
                    }
                }
                let decision = match (&verdict.plan, executed) {
                    (Plan::Clean, _) => paint("92", "clean: no alert"),
                    (Plan::Quiet { why }, _) => format!("no alert: {why}"),

                    (Plan::Ignore { why }, _) => format!("ignored: {why}"),
                    (Plan::NotJudged { why }, _) => paint("93", &format!("not judged: {why}")),
                    (Plan::Alert { why, would: Some(r) }, _) => {
                        format!("alert ({why}); enforce mode would {}", r.describe())
                    }
                    (Plan::Alert { why, .. }, _) => format!("alert: {why}"),
                    (Plan::Remediate { remediation }, Some(e)) => {
                        format!("{} — {e} (simulated in memory)", remediation.describe())
                    }
                    (Plan::Remediate { remediation }, None) => format!("would {}", remediation.describe()),
                };
                let _ = writeln!(t, "  → {decision}");
                if let Some(a) = alert {
                    let _ = writeln!(t, "  alert: {}", a.subject);
                    if full_alerts {
                        for line in a.text.lines() {
                            let _ = writeln!(t, "  | {line}");
                        }
                    }
                }
            }
            Item::Ignored { source, ignored } => {
                let _ = writeln!(t, "{} {}", paint("1", source), paint("2", &format!("ignored: {}", ignored.reason)));
            }
            Item::Duplicate { source, entry } => {
                let _ = writeln!(
                    t,
                    "{} {} {}",
                    paint("1", source),
                    entry.event_name,
                    paint(
                        "2",
                        &format!("answered before (event {}, {}): no second alert", entry.event_id, entry.decision)
                    )
                );
            }
            Item::Sweep { source, request } => {
                let _ = writeln!(
                    t,
                    "{} scheduled event {}: starts a sweep (iam-guard sweep)",
                    paint("1", source),
                    request.time
                );
            }
            Item::Error { source, error } => {
                let _ = writeln!(t, "{} {} {error}", paint("1", source), paint("1;91", "ERROR"));
            }
        }
    }
    let changes = items.iter().filter(|i| matches!(i, Item::Verdict { .. })).count();
    let alerts = items.iter().filter(|i| matches!(i, Item::Verdict { alert: Some(_), .. })).count();
    let unknown = items
        .iter()
        .filter(|i| matches!(i, Item::Verdict { verdict, .. } if matches!(verdict.plan, Plan::NotJudged { .. })))
        .count();
    let changes = changes - unknown;
    let unknown = if unknown > 0 { format!(", {unknown} not judged (document unknown)") } else { String::new() };
    let _ = writeln!(
        t,
        "{changes} changes judged{unknown}, {alerts} alerts ({} mode)",
        if enforce { "enforce" } else { "alert" }
    );
    t
}
