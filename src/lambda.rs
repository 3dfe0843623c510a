//! The Lambda application: one invocation = one intake payload. `src/bin/iam-guard-lambda.rs`
//! only wires the runtime to [`App::handle`].
//!
//! Failure semantics (nothing is lost): a payload the guard could not finish — malformed, or an
//! IAM/SNS failure left after the SDK's retries — returns an error, so Lambda retries the async
//! invocation and then sends it to the on-failure destination (DLQ). For SQS batches each
//! message is reported on its own (`batchItemFailures`), so only the failed ones come back.
//! Re-delivery is safe: with a ledger (IAM_GUARD_TABLE) each event id is answered once (see
//! [`crate::guard::ledger`]); without one, a detach of an already-detached policy is success and
//! the alert carries the CloudTrail event id for subscribers to de-duplicate.

use crate::config::{Config, Mode};
use crate::guard::ledger::{Answer, NoLedger};
use crate::guard::ports::{IamInventory, IamRead, IamWrite, Ledger, MemberAccounts, NoMembers, PortError, Publish};
use crate::guard::{alert, Guards, Handled};
use crate::intake::{self, Delivery, Intake, Outcome};
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse};
use futures_util::stream::{self, StreamExt};
use serde_json::Value;

/// Why an invocation failed (Lambda retries it, then the DLQ keeps it).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The environment or the configuration file is wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// The payload is not a known envelope.
    #[error("intake: {0}")]
    Intake(#[from] intake::IntakeError),
    /// IAM or SNS failed after the SDK's retries.
    #[error("{0}")]
    Port(#[from] PortError),
    /// Some records of a non-SQS delivery failed.
    #[error("{failed} of {total} deliveries failed: {first}")]
    Deliveries {
        /// How many failed.
        failed: usize,
        /// Of how many.
        total: usize,
        /// The first failure's error.
        #[source]
        first: DeliveryError,
    },
}

/// Why one delivery failed: its envelope could not be read, or answering a change failed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The record is not a change the guard can read.
    #[error(transparent)]
    Intake(#[from] intake::IntakeError),
    /// IAM, SNS or the ledger failed after the SDK's retries.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Settings read from the environment at cold start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The SNS topic alerts go to.
    pub topic_arn: String,
    /// A topic AWS Chatbot subscribes to (IAM_GUARD_CHAT_TOPIC_ARN): each alert again in
    /// Chatbot's format, threaded by principal, for Slack or Microsoft Teams.
    pub chat_topic_arn: Option<String>,
    /// The configuration (file, then environment overrides).
    pub config: Config,
    /// The guard's own role.
    pub own_role: Option<String>,
    /// How long a ledger claim not given back holds, in seconds (IAM_GUARD_LEASE_SECS, 1–900;
    /// default 90: the template's 60 s timeout and a margin).
    pub lease_secs: Option<i64>,
    /// The ledger table (IAM_GUARD_TABLE): one answer per event, history, undo. Without it every
    /// delivery is answered (a re-delivery alerts again).
    pub table: Option<String>,
    /// The guard's own account (IAM_GUARD_ACCOUNT_ID, else the configuration's `account_id`).
    pub account_id: Option<String>,
    /// The member role in other accounts of the organization (IAM_GUARD_MEMBER_ROLE, the hub
    /// deployment): events from those accounts are acted on there, through it.
    pub member_role: Option<String>,
    /// The trail's log files (IAM_GUARD_TRAIL_BUCKET, IAM_GUARD_TRAIL_PREFIX before `AWSLogs/`,
    /// IAM_GUARD_TRAIL_ORG_ID for an organization trail): what `replace` learns from.
    pub trail: Option<TrailSettings>,
    /// CloudTrail's event history where no trail bucket is set (IAM_GUARD_TRAIL_LOOKUP_REGIONS,
    /// comma-separated; IAM_GUARD_TRAIL_LOOKUP_PAGES, 50 events each, per region, default 20).
    pub lookup: Option<LookupSettings>,
    /// The regions whose resource policies the scheduled sweep judges
    /// (IAM_GUARD_RESOURCE_REGIONS, comma-separated; none: identity only).
    pub resource_regions: Vec<String>,
}

/// Which regions' event history `replace` reads, and how much of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupSettings {
    /// The regions.
    pub regions: Vec<String>,
    /// Pages (50 events) per region and answer at the most.
    pub max_pages: usize,
}

/// Where the trail's log files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailSettings {
    /// The bucket.
    pub bucket: String,
    /// The key prefix before `AWSLogs/`.
    pub prefix: Option<String>,
    /// An organization trail's organization id (its keys hold it after `AWSLogs/`).
    pub org_id: Option<String>,
}

impl Settings {
    /// IAM_GUARD_TOPIC_ARN (required), IAM_GUARD_MODE (alert|enforce, overrides the file),
    /// IAM_GUARD_CONFIG (TOML file path), IAM_GUARD_ROLE (the guard's own role name or ARN),
    /// IAM_GUARD_TABLE (the ledger table), IAM_GUARD_IDENTITY_CENTER_REGION (sweep permission
    /// sets there).
    pub fn from_env() -> Result<Settings, AppError> {
        Settings::from_vars(|k| std::env::var(k).ok())
    }

    /// [`Settings::from_env`] over any source of variables (blank values count as unset).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Settings, AppError> {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let topic_arn =
            var("IAM_GUARD_TOPIC_ARN").ok_or_else(|| AppError::Config("IAM_GUARD_TOPIC_ARN is not set".into()))?;
        let mut config = match var("IAM_GUARD_CONFIG") {
            Some(p) => Config::load(std::path::Path::new(&p)).map_err(|e| AppError::Config(e.to_string()))?,
            None => Config::default(),
        };
        if let Some(m) = var("IAM_GUARD_MODE") {
            config.mode = match m.to_ascii_lowercase().as_str() {
                "alert" => Mode::Alert,
                "enforce" => Mode::Enforce,
                other => return Err(AppError::Config(format!("IAM_GUARD_MODE {other:?} is not alert or enforce"))),
            };
        }
        if let Some(extra) = var("IAM_GUARD_EXEMPT_PRINCIPALS") {
            // Comma-separated ARN globs from the template parameter; the reason is the parameter's.
            for p in extra.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                config.exemptions.push(crate::config::Exemption {
                    principal: p.to_string(),
                    reason: "ExemptPrincipals template parameter".into(),
                    expires: None,
                });
            }
        }
        if let Some(rules) = var("IAM_GUARD_REPLACE_RULES") {
            for id in rules.split(',').map(str::trim).filter(|r| !r.is_empty()) {
                if crate::rules::rule(id).is_none() {
                    return Err(AppError::Config(format!("IAM_GUARD_REPLACE_RULES: {id:?} is no rule id")));
                }
                let c = config.rules.entry(id.to_string()).or_insert(crate::config::RuleConfig {
                    enabled: true,
                    severity: None,
                    action: None,
                });
                c.action = Some(crate::rules::RuleAction::Replace);
            }
        }
        if let Some(region) = var("IAM_GUARD_IDENTITY_CENTER_REGION") {
            config.identity_center_region = Some(region);
        }
        let account_id = var("IAM_GUARD_ACCOUNT_ID").or_else(|| config.account_id.clone());
        if var("IAM_GUARD_MEMBER_ROLE").is_some() && account_id.is_none() {
            return Err(AppError::Config(
                "IAM_GUARD_MEMBER_ROLE is set but the guard's own account is not (IAM_GUARD_ACCOUNT_ID)".into(),
            ));
        }
        let lookup = match var("IAM_GUARD_TRAIL_LOOKUP_REGIONS") {
            Some(regions) => Some(LookupSettings {
                regions: regions.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect(),
                max_pages: match var("IAM_GUARD_TRAIL_LOOKUP_PAGES") {
                    Some(n) => n.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        AppError::Config(format!("IAM_GUARD_TRAIL_LOOKUP_PAGES {n:?} is not a whole number above 0"))
                    })?,
                    None => 20,
                },
            }),
            None => None,
        };
        Ok(Settings {
            topic_arn,
            chat_topic_arn: var("IAM_GUARD_CHAT_TOPIC_ARN"),
            lease_secs: match var("IAM_GUARD_LEASE_SECS") {
                Some(v) => Some(v.parse::<i64>().ok().filter(|n| (1..=900).contains(n)).ok_or_else(|| {
                    AppError::Config(format!("IAM_GUARD_LEASE_SECS {v:?} is not a number of seconds from 1 to 900"))
                })?),
                None => None,
            },
            config,
            own_role: var("IAM_GUARD_ROLE"),
            table: var("IAM_GUARD_TABLE"),
            account_id,
            member_role: var("IAM_GUARD_MEMBER_ROLE"),
            trail: var("IAM_GUARD_TRAIL_BUCKET").map(|bucket| TrailSettings {
                bucket,
                prefix: var("IAM_GUARD_TRAIL_PREFIX"),
                org_id: var("IAM_GUARD_TRAIL_ORG_ID"),
            }),
            lookup,
            resource_regions: var("IAM_GUARD_RESOURCE_REGIONS")
                .map(|r| r.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect())
                .unwrap_or_default(),
        })
    }
}

/// The Lambda application: the guard over an IAM adapter, a publisher and a ledger; in a hub
/// deployment, the member accounts' IAM as well.
pub struct App<I, P, L = NoLedger, M = NoMembers> {
    guard: Guards,
    iam: I,
    publisher: P,
    ledger: L,
    members: M,
    /// The guard's own account: events from any other go through `members`.
    home: Option<String>,
}

/// Accounts swept at once by a hub's scheduled organization sweep.
const ORG_SWEEP_ACCOUNTS: usize = 4;

/// Remediation calls in flight at once during a sweep (IAM's mutating APIs throttle early).
pub const SWEEP_CONCURRENCY: usize = 4;

/// What an invocation returns: for an SQS batch, the partial-batch response Lambda reads
/// (`batchItemFailures`); otherwise a summary for the logs.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum Reply {
    /// An SQS batch: the messages to retry.
    Sqs(SqsBatchResponse),
    /// Any other delivery: one summary line per record.
    Handled {
        /// One line per record.
        handled: Vec<Line>,
    },
    /// A scheduled sweep.
    Sweep {
        /// Principals, finding count, actions, digest subject.
        sweep: SweepSummary,
    },
}

/// What became of one record of a delivery.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum Line {
    /// Judged and answered now.
    Judged {
        /// The event.
        event_id: String,
        /// The call.
        event_name: String,
        /// `clean`, `quiet`, `alert`, `remediate`, `ignore`, `not_judged`.
        decision: &'static str,
        /// The worst finding's severity.
        severity: Option<crate::severity::Severity>,
        /// How carrying the remediation out went.
        executed: Option<crate::guard::Executed>,
        /// The alert's subject, when one was published.
        alert: Option<String>,
    },
    /// Answered before (the ledger's entry).
    Duplicate {
        /// The event.
        event_id: String,
        /// The call.
        event_name: String,
        /// Always true.
        duplicate: bool,
        /// The decision then.
        decision: String,
        /// When.
        answered_at: String,
    },
    /// Read but not judged.
    Ignored {
        /// Why.
        ignored: String,
        /// The record's id, when it has one.
        event_id: Option<String>,
    },
}

/// A scheduled sweep's summary.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SweepSummary {
    /// Principals judged.
    pub principals: usize,
    /// Findings.
    pub findings: usize,
    /// What was (or would be) done.
    pub actions: Vec<crate::guard::sweep::SweepAction>,
    /// The digest alert's subject, when one was published.
    pub digest: Option<String>,
    /// Each account of an organization sweep.
    pub accounts: Vec<AccountLine>,
}

/// One account of an organization sweep.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountLine {
    /// The account.
    pub account_id: String,
    /// Its name.
    pub name: String,
    /// Its counts, or why it was not swept.
    pub result: String,
}

impl<I: IamRead + IamWrite + IamInventory, P: Publish> App<I, P> {
    /// The application over these adapters, with this configuration, without a ledger.
    pub fn new(config: Config, own_role: Option<&str>, iam: I, publisher: P) -> Self {
        App { guard: Guards::new(config, own_role), iam, publisher, ledger: NoLedger, members: NoMembers, home: None }
    }
}

impl<I: IamRead + IamWrite + IamInventory, P: Publish, M> App<I, P, NoLedger, M> {
    /// The same application answering each event once through `ledger`.
    pub fn with_ledger<L: Ledger>(self, ledger: L) -> App<I, P, L, M> {
        let App { guard, iam, publisher, members, home, .. } = self;
        App { guard, iam, publisher, ledger, members, home }
    }
}

impl<I: IamRead + IamWrite + IamInventory, P: Publish, L> App<I, P, L, NoMembers> {
    /// A hub: events from accounts other than `home` are judged and acted on in their account,
    /// through `members`.
    pub fn with_members<M: MemberAccounts<I>>(self, home: &str, members: M) -> App<I, P, L, M> {
        let App { guard, iam, publisher, ledger, .. } = self;
        App { guard, iam, publisher, ledger, members, home: Some(home.to_string()) }
    }
}

impl<I: IamRead + IamWrite + IamInventory, P: Publish, L: Ledger, M: MemberAccounts<I>> App<I, P, L, M> {
    /// The ledger (tests read it).
    pub fn ledger(&self) -> &L {
        &self.ledger
    }

    /// The IAM adapter (tests read its call counts).
    pub fn iam(&self) -> &I {
        &self.iam
    }

    /// The member accounts (tests read how many were reached).
    pub fn members(&self) -> &M {
        &self.members
    }

    /// The publisher (tests read what it recorded).
    pub fn publisher(&self) -> &P {
        &self.publisher
    }

    /// A hub: the accounts a new trust policy names that are the organization's count as known
    /// (one Organizations DescribeAccount per account not known yet, remembered). A failed
    /// lookup leaves the account foreign: the alert errs on the side of telling.
    async fn learn_organization_accounts(&self, change: &intake::Change) {
        let trust = match &change.action {
            intake::Action::CreateRole { trust_policy, .. }
            | intake::Action::UpdateTrustPolicy { trust_policy, .. } => trust_policy,
            _ => return,
        };
        for account in trust.document.principal_accounts() {
            if account == change.account_id || self.guard.knows_account(&account) {
                continue;
            }
            match self.members.in_organization(&account).await {
                Ok(true) => self.guard.know_accounts([account.as_str()]),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(account = %account, error = %e, "could not ask whether the account is the organization's")
                }
            }
        }
    }

    /// The SCPs that limit a member account's principals. Unreadable ones (the hub lacks the
    /// Organizations reads): none, with a warning — judged without them, so nothing is missed.
    async fn member_scps(&self, account_id: &str) -> Vec<crate::inventory::ScpLevel> {
        match self.members.scps(account_id).await {
            Ok(levels) => levels,
            Err(e) => {
                tracing::warn!(account = %account_id, error = %e, "the account's SCPs could not be read: judged without them");
                Vec::new()
            }
        }
    }

    /// Handles one change: judge, act, alert. Returns a log/summary line.
    async fn change(&self, change: intake::Change) -> Result<Line, PortError> {
        // In a hub, an event from a member account is judged and acted on in that account.
        let member = match &self.home {
            Some(home) if *home != change.account_id => self.members.iam(&change.account_id, &change.event_id).await?,
            _ => None,
        };
        let iam: &I = member.as_deref().unwrap_or(&self.iam);
        // `[[accounts]]` overrides (mode, denylist, exemptions) for the event's account (or its
        // organizational units: looked up only when some entry matches on them).
        let ous = if self.guard.needs_ous() { self.members.ous(&change.account_id).await? } else { Vec::new() };
        if self.home.is_some() {
            self.learn_organization_accounts(&change).await;
        }
        let guard = self.guard.for_account_in(&change.account_id, &ous);
        let scps = match &member {
            Some(_) => self.member_scps(&change.account_id).await,
            None => Vec::new(),
        };
        let Handled { verdict, executed, alert } =
            match guard.answer_within(iam, &self.publisher, &self.ledger, change, scps).await? {
                Answer::Handled(h) => *h,
                Answer::Duplicate(e) => {
                    tracing::info!(event_id = %e.event_id, decision = %e.decision, "answered before");
                    return Ok(Line::Duplicate {
                        event_id: e.event_id,
                        event_name: e.event_name,
                        duplicate: true,
                        decision: e.decision,
                        answered_at: e.answered_at,
                    });
                }
            };
        let decision = verdict.plan.decision();
        tracing::info!(event_id = %verdict.change.event_id, event_name = %verdict.change.event_name, decision, alert = alert.is_some(), "judged");
        let severity = verdict.severity();
        Ok(Line::Judged {
            event_id: verdict.change.event_id,
            event_name: verdict.change.event_name,
            decision,
            severity,
            executed,
            alert: alert.map(|a| a.subject),
        })
    }

    /// One delivery, all or nothing: its summary lines, or why it failed.
    async fn delivery(&self, d: Delivery) -> Result<Vec<Line>, DeliveryError> {
        let mut lines = Vec::new();
        for o in d.outcome? {
            match o {
                Outcome::Ignored(i) => {
                    tracing::debug!(reason = %i.reason, "ignored");
                    lines.push(Line::Ignored { ignored: i.reason, event_id: i.event_id });
                }
                Outcome::Change(c) => lines.push(self.change(*c).await?),
            }
        }
        Ok(lines)
    }

    async fn sweep(&self, req: intake::SweepRequest) -> Result<Reply, AppError> {
        // A hub sweeps the organization: every active account through its member role, each with
        // its own `[[accounts]]` guard; one digest for all.
        let organization = match &self.home {
            Some(_) => self.members.organization().await?,
            None => None,
        };
        let report = match (organization, &self.home) {
            (Some((org, accounts)), Some(home)) => {
                self.guard
                    .sweep_organization(&org, (home.as_str(), &self.iam), &self.members, accounts, ORG_SWEEP_ACCOUNTS)
                    .await
            }
            _ => self.guard.default_guard().sweep(&self.iam, req.account_id.as_deref(), SWEEP_CONCURRENCY).await?,
        };
        // What a later Delete*PermissionsBoundary or bad UpdateAssumeRolePolicy needs to put back.
        let ledger = &self.ledger;
        stream::iter(&report.snapshots)
            .map(|(principal, what, value)| ledger.remember(principal, *what, Some(value)))
            .buffer_unordered(SWEEP_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<(), _>>()?;
        let digest = alert::digest(&report, self.guard.default_guard().engine().config().alert_min_severity, 15);
        if let Some(a) = &digest {
            self.publisher.publish(a).await?;
        }
        tracing::info!(
            principals = report.principals,
            findings = report.findings.len(),
            actions = report.actions.len(),
            accounts = report.accounts.len(),
            "sweep"
        );
        let accounts = report
            .accounts
            .iter()
            .map(|a| AccountLine { account_id: a.account_id.clone(), name: a.name.clone(), result: a.line() })
            .collect();
        Ok(Reply::Sweep {
            sweep: SweepSummary {
                principals: report.principals,
                findings: report.findings.len(),
                actions: report.actions,
                digest: digest.map(|a| a.subject),
                accounts,
            },
        })
    }

    /// Handles one invocation payload (any intake envelope).
    pub async fn handle(&self, payload: Value) -> Result<Reply, AppError> {
        let (sqs, deliveries) = match intake::parse(payload)? {
            Intake::Sweep(req) => return self.sweep(req).await,
            Intake::Deliveries { sqs, deliveries } => (sqs, deliveries),
        };
        let total = deliveries.len();
        let mut failures: Vec<(String, DeliveryError)> = Vec::new();
        let mut handled = Vec::new();
        for d in deliveries {
            let id = d.id.clone();
            match self.delivery(d).await {
                Ok(lines) => handled.extend(lines),
                Err(e) => {
                    tracing::error!(delivery = %id, error = %e, "delivery failed");
                    failures.push((id, e));
                }
            }
        }
        if sqs {
            let batch_item_failures =
                failures.into_iter().map(|(item_identifier, _)| BatchItemFailure { item_identifier }).collect();
            return Ok(Reply::Sqs(SqsBatchResponse { batch_item_failures }));
        }
        let failed = failures.len();
        if let Some((_, first)) = failures.into_iter().next() {
            return Err(AppError::Deliveries { failed, total, first });
        }
        Ok(Reply::Handled { handled })
    }
}

/// The runtime reports a failed invocation with the error's variant as its type, so CloudWatch
/// and the DLQ's records tell a bad configuration from a malformed event from an AWS failure.
#[cfg(feature = "aws")]
impl From<AppError> for lambda_runtime::Diagnostic {
    fn from(e: AppError) -> Self {
        let error_type = match &e {
            AppError::Config(_) => "iam-guard.Config",
            AppError::Intake(_) => "iam-guard.Intake",
            AppError::Port(_) => "iam-guard.Port",
            AppError::Deliveries { .. } => "iam-guard.Deliveries",
        };
        lambda_runtime::Diagnostic { error_type: error_type.into(), error_message: e.to_string() }
    }
}

#[cfg(test)]
mod settings_tests {
    use super::*;
    use crate::rules::RuleAction;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, AppError> {
        Settings::from_vars(|k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn replace_rules_and_the_trail_come_from_the_template() {
        let s = settings(&[
            ("IAM_GUARD_TOPIC_ARN", "arn:aws:sns:us-east-1:111122223333:t"),
            ("IAM_GUARD_REPLACE_RULES", "service-full-access, denylisted-policy"),
            ("IAM_GUARD_TRAIL_BUCKET", "org-trail"),
            ("IAM_GUARD_TRAIL_ORG_ID", "o-abc123defg"),
            ("IAM_GUARD_TRAIL_PREFIX", ""),
        ])
        .unwrap();
        let engine = crate::engine::Engine::new(s.config);
        assert_eq!(engine.action(crate::rules::RuleId::ServiceFullAccess), RuleAction::Replace);
        assert_eq!(engine.action(crate::rules::RuleId::DenylistedPolicy), RuleAction::Replace);
        assert_eq!(engine.action(crate::rules::RuleId::Admin), RuleAction::Remediate);
        assert!(engine.config().rule("service-full-access").is_some_and(|r| r.enabled));
        let t = s.trail.unwrap();
        assert_eq!((t.bucket.as_str(), t.prefix, t.org_id.as_deref()), ("org-trail", None, Some("o-abc123defg")));
        let bad = settings(&[("IAM_GUARD_TOPIC_ARN", "t"), ("IAM_GUARD_REPLACE_RULES", "no-such-rule")]);
        assert!(matches!(bad, Err(AppError::Config(m)) if m.contains("no-such-rule")));
        assert_eq!(s.lookup, None);
    }

    #[test]
    fn the_event_history_is_read_in_the_regions_the_template_names() {
        let s = settings(&[
            ("IAM_GUARD_TOPIC_ARN", "t"),
            ("IAM_GUARD_TRAIL_LOOKUP_REGIONS", "us-east-1, eu-west-1,"),
            ("IAM_GUARD_TRAIL_LOOKUP_PAGES", "5"),
        ])
        .unwrap();
        let l = s.lookup.unwrap();
        assert_eq!((l.regions.as_slice(), l.max_pages), (["us-east-1".to_string(), "eu-west-1".into()].as_slice(), 5));
        let d = settings(&[("IAM_GUARD_TOPIC_ARN", "t"), ("IAM_GUARD_TRAIL_LOOKUP_REGIONS", "us-east-1")]).unwrap();
        assert_eq!(d.lookup.unwrap().max_pages, 20);
        let bad = settings(&[
            ("IAM_GUARD_TOPIC_ARN", "t"),
            ("IAM_GUARD_TRAIL_LOOKUP_REGIONS", "us-east-1"),
            ("IAM_GUARD_TRAIL_LOOKUP_PAGES", "lots"),
        ]);
        assert!(matches!(bad, Err(AppError::Config(m)) if m.contains("IAM_GUARD_TRAIL_LOOKUP_PAGES \"lots\"")));
    }
}
