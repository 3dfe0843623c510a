//! The in-memory ledger and publisher: the same claim semantics as the DynamoDB ledger (tests,
//! and the offline replay of `iam-guard event`, where a record repeated in the input is answered
//! once), and a publisher that records what it is given.

use super::ports::{Alert, Claim, Ledger, LedgerEntry, PortError, Publish, Snapshot};
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug)]
enum Status {
    InProgress { lease_until: i64 },
    Completed { until: i64, entry: Box<LedgerEntry> },
}

#[derive(Debug, Default)]
struct LedgerState {
    events: BTreeMap<String, Status>,
    history: BTreeMap<String, Vec<LedgerEntry>>,
    snapshots: BTreeMap<(String, Snapshot), Option<String>>,
}

/// A ledger in memory, with the same claim semantics as the DynamoDB one (tests, and the offline
/// replay of `iam-guard event`, where a record repeated in the input is answered once).
#[derive(Debug, Default)]
pub struct MemoryLedger {
    state: Mutex<LedgerState>,
}

impl MemoryLedger {
    /// An empty ledger.
    pub fn new() -> MemoryLedger {
        MemoryLedger::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut LedgerState) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Ledger for MemoryLedger {
    async fn claim(&self, event_id: &str, now: i64) -> Result<Claim, PortError> {
        use super::ledger::LEASE_SECS;
        Ok(self.with(|s| match s.events.get(event_id) {
            Some(Status::Completed { until, entry }) if *until > now => Claim::Completed(entry.clone()),
            Some(Status::InProgress { lease_until }) if *lease_until > now => Claim::InProgress,
            _ => {
                s.events.insert(event_id.to_string(), Status::InProgress { lease_until: now + LEASE_SECS });
                Claim::New
            }
        }))
    }

    async fn complete(&self, entry: &LedgerEntry, now: i64) -> Result<(), PortError> {
        let until = now + super::ledger::IDEMPOTENCY_WINDOW_SECS;
        self.with(|s| {
            if let Some(p) = &entry.principal_arn {
                s.history.entry(p.clone()).or_default().push(entry.clone());
            }
            s.events.insert(entry.event_id.clone(), Status::Completed { until, entry: Box::new(entry.clone()) });
        });
        Ok(())
    }

    async fn release(&self, event_id: &str) -> Result<(), PortError> {
        self.with(|s| {
            if matches!(s.events.get(event_id), Some(Status::InProgress { .. })) {
                s.events.remove(event_id);
            }
        });
        Ok(())
    }

    async fn entry(&self, event_id: &str) -> Result<Option<LedgerEntry>, PortError> {
        Ok(self.with(|s| match s.events.get(event_id) {
            Some(Status::Completed { entry, .. }) => Some((**entry).clone()),
            _ => None,
        }))
    }

    async fn history(&self, principal_arn: &str) -> Result<Vec<LedgerEntry>, PortError> {
        Ok(self.with(|s| s.history.get(principal_arn).cloned().unwrap_or_default()))
    }

    async fn remember(&self, principal_arn: &str, what: Snapshot, value: Option<&str>) -> Result<(), PortError> {
        self.with(|s| s.snapshots.insert((principal_arn.to_string(), what), value.map(str::to_string)));
        Ok(())
    }

    async fn recall(&self, principal_arn: &str, what: Snapshot) -> Result<Option<Option<String>>, PortError> {
        Ok(self.with(|s| s.snapshots.get(&(principal_arn.to_string(), what)).cloned()))
    }
}

/// A publisher that keeps what it is given (tests, and `iam-guard event`, which prints instead
/// of sending). `fail` makes every publish fail, to test what the guard does then.
#[derive(Debug, Default)]
pub struct RecordingPublisher {
    alerts: Mutex<Vec<Alert>>,
    fail: Option<String>,
}

impl RecordingPublisher {
    /// A publisher that records.
    pub fn new() -> RecordingPublisher {
        RecordingPublisher::default()
    }

    /// A publisher whose every publish fails with this message (after recording nothing).
    pub fn failing(message: &str) -> RecordingPublisher {
        RecordingPublisher { alerts: Mutex::default(), fail: Some(message.to_string()) }
    }

    /// What was published, in order.
    pub fn alerts(&self) -> Vec<Alert> {
        self.alerts.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Publish for RecordingPublisher {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        if let Some(m) = &self.fail {
            return Err(PortError::Failed(m.clone()));
        }
        self.alerts.lock().unwrap_or_else(|p| p.into_inner()).push(alert.clone());
        Ok(())
    }
}
