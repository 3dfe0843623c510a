//! `iam-guard undo EVENT_ID` and `iam-guard history PRINCIPAL` (run by the `iam-guard-sweep`
//! program, which carries the AWS SDK): read the guard's ledger table and, for undo, put back
//! what the guard changed, with normal AWS credentials (or AWS_ENDPOINT_URL).

use super::EXIT_ERROR;
use crate::aws::{load_config, DynamoLedger, SdkIam};
use crate::config::Config;
use crate::engine::Engine;
use crate::guard::ports::Ledger;
use crate::guard::Guard;
use std::process::ExitCode;

/// `iam-guard undo`.
#[derive(clap::Parser)]
#[command(name = "iam-guard undo", bin_name = "iam-guard undo", version)]
#[command(about = "Put back exactly what the guard changed for one event (recorded as undo-EVENT_ID)")]
pub(super) struct UndoArgs {
    /// The CloudTrail event id, as in the alert (`event.id`).
    event_id: String,
    /// The ledger table (the stack's LedgerTableName output); also IAM_GUARD_TABLE.
    #[arg(long, env = "IAM_GUARD_TABLE")]
    table: String,
}

/// `iam-guard history`.
#[derive(clap::Parser)]
#[command(name = "iam-guard history", bin_name = "iam-guard history", version)]
#[command(about = "What the guard did to a principal, oldest first (JSON lines)")]
pub(super) struct HistoryArgs {
    /// The principal's ARN (without path): arn:aws:iam::ACCOUNT:role/NAME.
    principal_arn: String,
    /// The ledger table (the stack's LedgerTableName output); also IAM_GUARD_TABLE.
    #[arg(long, env = "IAM_GUARD_TABLE")]
    table: String,
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| eprintln!("iam-guard: cannot start the async runtime: {e}"))
        .ok()
}

/// `undo` with its arguments (after the word `undo`).
pub(super) fn undo(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let args = <UndoArgs as clap::Parser>::parse_from(args);
    let Some(rt) = runtime() else { return ExitCode::from(EXIT_ERROR) };
    let guard = Guard::new(Engine::new(Config::default()), None);
    let result = rt.block_on(async {
        let sdk = load_config().await;
        guard.undo(&SdkIam::new(&sdk), &DynamoLedger::new(&sdk, &args.table), &args.event_id).await
    });
    match result {
        Ok(entry) => {
            let what = entry.remediation.as_ref().map(|r| r.describe()).unwrap_or_default();
            println!("{}: {what}", entry.event_id);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("iam-guard: undo {}: {e}", args.event_id);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// `history` with its arguments (after the word `history`).
pub(super) fn history(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let args = <HistoryArgs as clap::Parser>::parse_from(args);
    let Some(rt) = runtime() else { return ExitCode::from(EXIT_ERROR) };
    let result = rt.block_on(async {
        let sdk = load_config().await;
        DynamoLedger::new(&sdk, &args.table).history(&args.principal_arn).await
    });
    match result {
        Ok(entries) => {
            for e in entries {
                println!("{}", serde_json::to_string(&e).unwrap_or_default());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("iam-guard: history of {}: {e}", args.principal_arn);
            ExitCode::from(EXIT_ERROR)
        }
    }
}
