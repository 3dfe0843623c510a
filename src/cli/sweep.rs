//! `iam-guard sweep` (the `iam-guard-sweep` program): audit the whole account with normal AWS
//! credentials (or AWS_ENDPOINT_URL).

use super::{FailOn, EXIT_ERROR};
use crate::aws::{load_config, SdkIam};
use crate::config::Config;
use crate::engine::Engine;
use crate::guard::Guard;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::report::sweep::SweepFormat;

/// `iam-guard-sweep`, run by `iam-guard sweep`.
#[derive(clap::Parser)]
#[command(
    name = "iam-guard sweep",
    bin_name = "iam-guard sweep",
    version,
    about = "Audit the whole account (AWS credentials or AWS_ENDPOINT_URL): text, JSON, SARIF or HTML"
)]
pub(super) struct SweepArgs {
    /// Configuration file (TOML); also IAM_GUARD_CONFIG.
    #[arg(long, env = "IAM_GUARD_CONFIG")]
    config: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: SweepFormat,
    /// Write the report here instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Override the configured mode; enforce detaches like the event path.
    #[arg(long, value_enum)]
    mode: Option<super::event::ModeArg>,
    /// Remediation calls in flight at once.
    #[arg(long, default_value_t = crate::lambda::SWEEP_CONCURRENCY)]
    concurrency: usize,
    #[arg(long, value_enum, default_value = "never")]
    fail_on: FailOn,
    /// Colour the text report: auto (a terminal, NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value = "auto")]
    color: super::Color,
    /// The guard's own role (never acted on); also IAM_GUARD_ROLE.
    #[arg(long, env = "IAM_GUARD_ROLE")]
    guard_role: Option<String>,
    /// Sweep every active account of the organization (run in the management account or a
    /// delegated administrator): the own account directly, the others through their
    /// iam-guard-member role (template-spoke.yaml), --concurrency accounts at a time.
    #[arg(long)]
    organization: bool,
    /// With --organization: the account this runs in (default: the configured account_id, else
    /// the organization's management account).
    #[arg(long, requires = "organization")]
    home_account: Option<String>,
    /// With --organization: the role to assume in member accounts.
    #[arg(long, default_value = crate::guard::ports::MEMBER_ROLE, requires = "organization")]
    member_role: String,
    /// A CloudTrail trail's S3 bucket: for each grant the sweep detaches (or would), the
    /// least-privilege policy its principal's records of the last --trail-days call for.
    #[arg(long)]
    trail_bucket: Option<String>,
    /// The trail's key prefix before AWSLogs/.
    #[arg(long, requires = "trail_bucket")]
    trail_prefix: Option<String>,
    /// An organization trail's organization id (its keys hold it after AWSLogs/).
    #[arg(long, requires = "trail_bucket")]
    trail_org_id: Option<String>,
    /// Without a trail bucket: learn from CloudTrail's event history (LookupEvents, management
    /// events of the last 90 days) in these regions (comma-separated).
    #[arg(long, value_delimiter = ',', conflicts_with = "trail_bucket")]
    lookup_regions: Vec<String>,
    /// With --lookup-regions: pages of 50 events read per region at the most (LookupEvents
    /// answers two requests a second).
    #[arg(long, default_value_t = 20)]
    lookup_pages: usize,
    /// Days of records read.
    #[arg(long, default_value_t = 30)]
    trail_days: u32,
    /// Also judge the resource policies (buckets, functions, keys, queues, topics, secrets,
    /// repositories) of these regions (comma-separated); in enforce mode take back what lets
    /// outsiders in.
    #[arg(long, value_delimiter = ',')]
    resource_regions: Vec<String>,
    /// With --resource-regions: write the resource policies read to this file (the layout
    /// `sweep --input` reads, next to an authorization-details export).
    #[arg(long, requires = "resource_regions")]
    save_resources: Option<PathBuf>,
    /// No progress lines on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// The `iam-guard-sweep` program (src/bin/iam-guard-sweep.rs only calls this).
pub fn main() -> ExitCode {
    // `iam-guard undo` and `iam-guard history` run this program too (it carries the SDK).
    let mut argv = std::env::args_os();
    let program = argv.next().unwrap_or_default();
    let rest: Vec<std::ffi::OsString> = argv.collect();
    match rest.first().and_then(|a| a.to_str()) {
        Some("undo") => return super::ledger::undo(rest),
        Some("history") => return super::ledger::history(rest),
        Some("can") => return super::can::live(rest),
        _ => {}
    }
    let args = <SweepArgs as clap::Parser>::parse_from(std::iter::once(program).chain(rest));
    let Some(config) = super::load_config(args.config.as_deref()) else { return ExitCode::from(EXIT_ERROR) };
    run(args, config)
}

fn run(args: SweepArgs, mut config: Config) -> ExitCode {
    if let Some(m) = args.mode {
        config.mode = m.into();
    }
    let account = config.account_id.clone();
    let guard_role = args.guard_role.clone();
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("iam-guard: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let result = rt.block_on(async {
        let sdk = load_config().await;
        let iam = SdkIam::new(&sdk).with_resource_regions(args.resource_regions.clone());
        if let Some(path) = &args.save_resources {
            save_resources(&iam, path).await?;
        }
        if args.organization {
            use crate::guard::ports::MemberAccounts;
            let members = crate::aws::SdkMembers::new(&sdk, &args.member_role)
                .with_resource_regions(args.resource_regions.clone());
            let (org, accounts) = MemberAccounts::<SdkIam>::organization(&members)
                .await?
                .ok_or_else(|| crate::guard::ports::PortError::Failed("no organization".into()))?;
            // The account this runs in: as given, else configured, else the management account.
            let home = match args.home_account.or(account) {
                Some(h) => h,
                None => management_account(&sdk).await?,
            };
            if !args.quiet {
                eprintln!("iam-guard: sweeping {} accounts of {org}, {} at a time …", accounts.len(), args.concurrency);
            }
            let guards = crate::guard::Guards::new(config, guard_role.as_deref());
            return Ok(guards
                .sweep_organization(&org, (home.as_str(), &iam), &members, accounts, args.concurrency)
                .await);
        }
        let guard = Guard::new(Engine::new(config), guard_role.as_deref());
        if !args.quiet {
            eprintln!("iam-guard: reading the account (authorization details, account reports) …");
        }
        let mut report = guard.sweep(&iam, account.as_deref(), args.concurrency).await?;
        report.iam_calls = Some(iam.calls());
        let to = chrono::Utc::now().date_naive();
        let from = to - chrono::Duration::days(i64::from(args.trail_days));
        let records = if let Some(bucket) = &args.trail_bucket {
            let trail =
                crate::aws::SdkTrail::new(&sdk, bucket, args.trail_prefix.as_deref(), args.trail_org_id.as_deref());
            Some(trail.records(&report.account_id, from, to).await?)
        } else if !args.lookup_regions.is_empty() {
            let lookup = crate::aws::SdkLookup::new(&sdk, &args.lookup_regions, args.lookup_pages.max(1));
            Some(lookup.records(None, from, to).await?)
        } else {
            None
        };
        if let Some(records) = records {
            let la = last_accessed(&iam, &report).await;
            report.suggestions = crate::guard::least::sweep_suggestions(&report, &records, &la);
        }
        Ok::<_, crate::guard::ports::PortError>(report)
    });
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("iam-guard: sweep failed: {e}");
            return ExitCode::from(super::EXIT_AWS);
        }
    };
    if !args.quiet {
        eprintln!(
            "iam-guard: swept account {}: {} principals, {} findings{}",
            report.account_id,
            report.principals,
            report.findings.len(),
            report.iam_calls.map(|c| format!(", {c} IAM calls")).unwrap_or_default()
        );
    }
    super::offline::write_report(&report, args.format, (args.output.as_deref(), args.color), args.fail_on)
}

/// The last-accessed report of every principal whose grant the sweep detaches (or would); one
/// that cannot be read is left out with a note on stderr (the records alone decide for it).
async fn last_accessed(
    iam: &SdkIam,
    report: &crate::guard::sweep::SweepReport,
) -> std::collections::BTreeMap<String, crate::suggest::LastAccessed> {
    use crate::guard::ports::IamRead;
    let mut out = std::collections::BTreeMap::new();
    for arn in crate::guard::least::sweep_principals(report) {
        match iam.last_accessed(&arn).await {
            Ok(Some(r)) => {
                out.insert(arn, r);
            }
            Ok(None) => {}
            Err(e) => eprintln!("iam-guard: {arn}: IAM last-accessed data not read ({e}): the records alone decide"),
        }
    }
    out
}

/// Writes the account's resource policies to `path` (`--save-resources`).
async fn save_resources(iam: &SdkIam, path: &std::path::Path) -> Result<(), crate::guard::ports::PortError> {
    use crate::guard::ports::IamInventory;
    let policies = iam.resource_policies().await?;
    let compute = iam.compute().await?;
    std::fs::write(path, crate::resources::export::write(&policies, &compute)).map_err(|e| {
        crate::guard::ports::PortError::Failed(format!("--save-resources {}: cannot write: {e}", path.display()))
    })
}

/// The organization's management account (the default home of `sweep --organization`).
async fn management_account(sdk: &aws_config::SdkConfig) -> Result<String, crate::guard::ports::PortError> {
    let client = aws_sdk_organizations::Client::new(sdk);
    let out = client.describe_organization().send().await.map_err(|e| {
        use aws_sdk_organizations::error::ProvideErrorMetadata;
        crate::guard::ports::PortError::Failed(format!(
            "describe the organization: {}",
            e.message().or(e.code()).unwrap_or("failed")
        ))
    })?;
    Ok(out.organization.and_then(|o| o.master_account_id).unwrap_or_default())
}
