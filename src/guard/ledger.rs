//! Exactly one answer per event, what the guard did to whom, and undo.
//!
//! EventBridge and Lambda deliver at least once, so the same CloudTrail event can arrive twice,
//! even at the same time. [`Guard::answer`] claims the event id in the [`Ledger`] with a
//! conditional write before judging (in the manner of Powertools' idempotency utility):
//! - first delivery: judged, acted on, alerted, then marked completed with what was done;
//! - a later delivery within [`IDEMPOTENCY_WINDOW_SECS`]: answered from the ledger, no second
//!   alert, no second action;
//! - a concurrent delivery while the first holds the claim: fails with
//!   [`PortError::InProgress`], so Lambda retries it and then finds it completed;
//! - a delivery that fails mid-way gives the claim back, so the retry answers it in full (IAM
//!   actions are idempotent: what is already done counts as done); one that dies without giving
//!   it back (a crash) holds it for [`LEASE_SECS`], then the retry takes over;
//! - once the alert is published the claim is never given back: the ledger writes after it are
//!   retried ([`WRITE_ATTEMPTS`], backing off over about eight seconds, which rides out a short
//!   outage of the table), and if they still fail the claim holds for its lease, so a retry of
//!   the delivery does not publish a second alert before the lease runs out.

use super::judge::Recall;
use super::ports::{
    Claim, IamInventory, IamRead, IamWrite, Ledger, LedgerEntry, PortError, Publish, ScpLevel, Snapshot,
};
use super::{carry_out, Executed, Guard, Handled, Plan, Remediation};
use crate::intake::{Action, Change, PrincipalKind, Target};

/// How long an answered event id is remembered (a re-delivery later than this is answered again).
pub const IDEMPOTENCY_WINDOW_SECS: i64 = 24 * 3600;
/// How long a claim holds without being completed or given back: the Lambda timeout (60 s) and
/// a margin, and shorter than the interval before Lambda's second retry of an asynchronous
/// invocation (about three minutes), so that a delivery that died holding it is answered by a
/// retry rather than left to the dead-letter queue.
pub const LEASE_SECS: i64 = 90;
/// Tries of each ledger write after the alert went out (backing off 0.25, 0.5, 1, 2, 4 s).
pub const WRITE_ATTEMPTS: u32 = 6;
/// How long a principal's history and remembered boundary are kept.
pub const HISTORY_SECS: i64 = 400 * 24 * 3600;

/// Where a delivery failed: before its alert went out (the claim is given back, a retry answers
/// in full) or after (the claim is kept, so a retry cannot publish again).
enum Failed {
    Unpublished(PortError),
    Published(PortError),
}

impl From<PortError> for Failed {
    /// Ledger reads before the answer: nothing published yet.
    fn from(e: PortError) -> Failed {
        Failed::Unpublished(e)
    }
}

/// A ledger write after the alert went out: tried [`WRITE_ATTEMPTS`] times, backing off.
async fn persist<F, Fut>(write: F) -> Result<(), Failed>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), PortError>>,
{
    let mut wait = std::time::Duration::from_millis(250);
    let mut attempt = 1;
    loop {
        match write().await {
            Ok(()) => return Ok(()),
            Err(e) if attempt == WRITE_ATTEMPTS => return Err(Failed::Published(e)),
            Err(e) => tracing::warn!(attempt, error = %e, "ledger write after the alert failed; retrying"),
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
        attempt += 1;
    }
}

/// What one delivery came to.
#[derive(Debug)]
pub enum Answer {
    /// Answered now.
    Handled(Box<Handled>),
    /// Answered before: nothing was done or published this time.
    Duplicate(Box<LedgerEntry>),
}

/// Why an undo could not be done.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    /// The ledger has no such event.
    #[error("the guard has no record of event {0} (answered more than the history window ago, or never)")]
    Unknown(String),
    /// The guard changed nothing for it.
    #[error("the guard changed nothing for event {0} (decision: {1})")]
    NothingDone(String, String),
    /// What was done cannot be put back exactly.
    #[error("{0} cannot be undone: {1}")]
    Irreversible(String, String),
    /// IAM refused the undo.
    #[error("IAM refused the undo: {0}")]
    Denied(String),
    /// The ledger or IAM failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// No ledger: every delivery is claimed anew, nothing is remembered (the CLI's replay, and a
/// deployment without the table).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLedger;

impl Ledger for NoLedger {
    async fn claim(&self, _: &str, _: i64) -> Result<Claim, PortError> {
        Ok(Claim::New)
    }
    async fn complete(&self, _: &LedgerEntry, _: i64) -> Result<(), PortError> {
        Ok(())
    }
    async fn release(&self, _: &str) -> Result<(), PortError> {
        Ok(())
    }
    async fn entry(&self, _: &str) -> Result<Option<LedgerEntry>, PortError> {
        Ok(None)
    }
    async fn history(&self, _: &str) -> Result<Vec<LedgerEntry>, PortError> {
        Ok(Vec::new())
    }
    async fn remember(&self, _: &str, _: Snapshot, _: Option<&str>) -> Result<(), PortError> {
        Ok(())
    }
    async fn recall(&self, _: &str, _: Snapshot) -> Result<Option<Option<String>>, PortError> {
        Ok(None)
    }
}

/// An optional ledger: `None` behaves as [`NoLedger`].
impl<L: Ledger> Ledger for Option<L> {
    async fn claim(&self, id: &str, now: i64) -> Result<Claim, PortError> {
        match self {
            Some(l) => l.claim(id, now).await,
            None => NoLedger.claim(id, now).await,
        }
    }
    async fn complete(&self, entry: &LedgerEntry, now: i64) -> Result<(), PortError> {
        match self {
            Some(l) => l.complete(entry, now).await,
            None => Ok(()),
        }
    }
    async fn release(&self, id: &str) -> Result<(), PortError> {
        match self {
            Some(l) => l.release(id).await,
            None => Ok(()),
        }
    }
    async fn entry(&self, id: &str) -> Result<Option<LedgerEntry>, PortError> {
        match self {
            Some(l) => l.entry(id).await,
            None => Ok(None),
        }
    }
    async fn history(&self, principal: &str) -> Result<Vec<LedgerEntry>, PortError> {
        match self {
            Some(l) => l.history(principal).await,
            None => Ok(Vec::new()),
        }
    }
    async fn remember(&self, principal: &str, what: Snapshot, value: Option<&str>) -> Result<(), PortError> {
        match self {
            Some(l) => l.remember(principal, what, value).await,
            None => Ok(()),
        }
    }
    async fn recall(&self, principal: &str, what: Snapshot) -> Result<Option<Option<String>>, PortError> {
        match self {
            Some(l) => l.recall(principal, what).await,
            None => Ok(None),
        }
    }
}

/// The ledger entry for a handled change.
pub(crate) fn entry_of(h: &Handled, answered_at: &str) -> LedgerEntry {
    let c = &h.verdict.change;
    let done = matches!(h.executed, Some(Executed::Done | Executed::AlreadyDone));
    let remediation = match &h.verdict.plan {
        Plan::Remediate { remediation } if done => Some(remediation.clone()),
        _ => None,
    };
    // Whom or what it is about: the principal acted on, else the change's subject (a principal,
    // a permission set, a resource), whose history the entry joins.
    let subject = remediation
        .as_ref()
        .and_then(Remediation::target)
        .cloned()
        .map(crate::intake::Subject::Principal)
        .or_else(|| c.action.subject());
    let decision = h.verdict.plan.decision().to_string();
    LedgerEntry {
        event_id: c.event_id.clone(),
        account_id: c.account_id.clone(),
        event_name: c.event_name.clone(),
        answered_at: answered_at.to_string(),
        event_time: Some(c.event_time.to_rfc3339()),
        // A permission set's or a resource's history is kept under its ARN.
        principal_arn: subject.map(|s| s.arn(&c.account_id)),
        decision,
        remediation,
        executed: h.executed.clone(),
        alert_subject: h.alert.as_ref().map(|a| a.subject.clone()),
    }
}

/// A role's trust policy as it stands after the guard answered a CreateRole or
/// UpdateAssumeRolePolicy: the rewritten one when the guard rewrote it, else the event's. This is
/// what a later bad update is compared with and what its alert offers to put back.
fn trust_in_effect(h: &Handled) -> Option<(String, String)> {
    let c = &h.verdict.change;
    let (role, trust_policy) = match &c.action {
        Action::CreateRole { role, trust_policy, .. } | Action::UpdateTrustPolicy { role, trust_policy } => {
            (role, trust_policy)
        }
        _ => return None,
    };
    let text = match (&h.verdict.plan, &h.executed) {
        (Plan::Remediate { remediation: Remediation::RewriteTrust { rewritten, .. } }, Some(Executed::Done)) => {
            rewritten.clone()
        }
        _ => trust_policy.text.clone(),
    };
    Some((Target::role(role).arn(&c.account_id), text))
}

impl Guard {
    /// [`Guard::handle`] at most once per event id: see the module documentation.
    pub async fn answer<I: IamRead + IamWrite + IamInventory, P: Publish, L: Ledger>(
        &self,
        iam: &I,
        publisher: &P,
        ledger: &L,
        change: Change,
    ) -> Result<Answer, PortError> {
        self.answer_within(iam, publisher, ledger, change, Vec::new()).await
    }

    /// [`Guard::answer`] for an account whose principals the SCP levels `scps` limit (a hub's
    /// member account): every per-principal verdict within them.
    pub async fn answer_within<I: IamRead + IamWrite + IamInventory, P: Publish, L: Ledger>(
        &self,
        iam: &I,
        publisher: &P,
        ledger: &L,
        change: Change,
        scps: Vec<ScpLevel>,
    ) -> Result<Answer, PortError> {
        let now = chrono::Utc::now();
        let mut narrowed = None;
        if let Action::Denied { target, needs, .. } = &change.action {
            let history = ledger.history(&target.arn(&change.account_id)).await?;
            narrowed = super::denied::narrowing(&history, &change, needs);
            if narrowed.is_none() {
                // Not the guard's doing: answered without a ledger write (every refused call of
                // the account reaches the guard; one history read each).
                let verdict = self.evaluate(iam, change, &Recall { scps, ..Recall::default() }).await?;
                return Ok(Answer::Handled(Box::new(Handled { verdict, executed: None, alert: None })));
            }
        }
        match ledger.claim(&change.event_id, now.timestamp()).await? {
            Claim::Completed(entry) => return Ok(Answer::Duplicate(entry)),
            Claim::InProgress => return Err(PortError::InProgress(change.event_id.clone())),
            Claim::New => {}
        }
        let id = change.event_id.clone();
        let result = async {
            let mut recall = Recall { narrowed, scps, ..Recall::default() };
            match &change.action {
                Action::PutPermissionsBoundary { target, boundary_arn } => {
                    let arn = target.arn(&change.account_id);
                    ledger.remember(&arn, Snapshot::Boundary, Some(boundary_arn)).await?
                }
                // A role created with a boundary: later attaches are judged within it.
                Action::CreateRole { role, boundary: Some(b), .. } => {
                    let arn = Target::role(role).arn(&change.account_id);
                    ledger.remember(&arn, Snapshot::Boundary, Some(b)).await?
                }
                Action::DeletePermissionsBoundary { target } => {
                    let arn = target.arn(&change.account_id);
                    recall.boundary = ledger.recall(&arn, Snapshot::Boundary).await?.flatten()
                }
                Action::UpdateTrustPolicy { role, .. } => {
                    let arn = Target::role(role).arn(&change.account_id);
                    recall.trust = ledger.recall(&arn, Snapshot::Trust).await?.flatten()
                }
                // The boundary the attach is judged within, as the guard last saw it.
                Action::AttachPolicy { target, .. } if target.kind != PrincipalKind::Group => {
                    let arn = target.arn(&change.account_id);
                    recall.boundary = ledger.recall(&arn, Snapshot::Boundary).await?.flatten()
                }
                _ => {}
            }
            let removed = match &change.action {
                Action::DeletePermissionsBoundary { target } => Some(target.arn(&change.account_id)),
                _ => None,
            };
            let handled = self.handle_recalling(iam, publisher, change, &recall).await.map_err(Failed::Unpublished)?;
            // From here on the alert is out: write what was done, retrying, never giving back.
            let put_back = matches!(handled.executed, Some(Executed::Done | Executed::AlreadyDone));
            if let (Some(arn), false) = (removed, put_back) {
                // No boundary any more (unless the guard put it back): later attaches are
                // judged unbounded.
                persist(|| ledger.remember(&arn, Snapshot::Boundary, None)).await?;
            }
            if let Some((arn, trust)) = trust_in_effect(&handled) {
                persist(|| ledger.remember(&arn, Snapshot::Trust, Some(&trust))).await?;
            }
            let entry = entry_of(&handled, &now.to_rfc3339());
            persist(|| ledger.complete(&entry, now.timestamp())).await?;
            Ok(handled)
        }
        .await;
        match result {
            Ok(h) => Ok(Answer::Handled(Box::new(h))),
            Err(Failed::Unpublished(e)) => {
                if let Err(r) = ledger.release(&id).await {
                    tracing::warn!(event_id = %id, error = %r, "could not release the claim; the retry waits for its lease");
                }
                Err(e)
            }
            Err(Failed::Published(e)) => {
                tracing::error!(event_id = %id, error = %e,
                    "the alert went out but the ledger could not record it; the claim holds for its lease");
                Err(e)
            }
        }
    }

    /// Puts back exactly what the guard changed for an event, once (a second undo answers from
    /// the ledger). The undo is recorded in the principal's history as event `undo-ID`.
    pub async fn undo<W: IamWrite, L: Ledger>(
        &self,
        iam: &W,
        ledger: &L,
        event_id: &str,
    ) -> Result<LedgerEntry, UndoError> {
        let entry = ledger.entry(event_id).await?.ok_or_else(|| UndoError::Unknown(event_id.to_string()))?;
        let Some(done) = &entry.remediation else {
            return Err(UndoError::NothingDone(event_id.to_string(), entry.decision.clone()));
        };
        let inverse = done.inverse().ok_or_else(|| {
            UndoError::Irreversible(done.describe(), format!("set it anew if it is wanted: {}", done.restore_command()))
        })?;
        let undo_id = format!("undo-{event_id}");
        let now = chrono::Utc::now();
        match ledger.claim(&undo_id, now.timestamp()).await? {
            Claim::Completed(e) => return Ok(*e),
            Claim::InProgress => return Err(PortError::InProgress(undo_id).into()),
            Claim::New => {}
        }
        let executed = match carry_out(iam, &inverse).await {
            Ok(Executed::Denied { reason }) => {
                let _ = ledger.release(&undo_id).await;
                return Err(UndoError::Denied(reason));
            }
            Ok(x) => x,
            Err(e) => {
                let _ = ledger.release(&undo_id).await;
                return Err(e.into());
            }
        };
        let undone = LedgerEntry {
            event_id: undo_id,
            account_id: entry.account_id.clone(),
            event_name: format!("Undo {}", entry.event_name),
            answered_at: now.to_rfc3339(),
            event_time: None,
            principal_arn: entry.principal_arn.clone(),
            decision: "undo".into(),
            remediation: Some(inverse),
            executed: Some(executed),
            alert_subject: None,
        };
        ledger.complete(&undone, now.timestamp()).await?;
        Ok(undone)
    }
}
