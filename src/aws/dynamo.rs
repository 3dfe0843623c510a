//! The [`Ledger`] on `aws-sdk-dynamodb`: one table (template.yaml `LedgerTable`), string keys
//! `pk`/`sk`, TTL attribute `expires`:
//! - `event#ID` / `answer`: the claim (`status` IN_PROGRESS with `lease_until`, or COMPLETED with
//!   the entry as JSON), claimed with a conditional put;
//! - `principal#ARN` / `event#TIME#ID`: the principal's history;
//! - `principal#ARN` / `boundary`, `trust`: the last permissions boundary or trust policy seen
//!   (attribute `value`; absent = none).
//!
//! Per event: one conditional put (claim) and one or two puts (completion, history).

use super::port_error;
use crate::guard::ledger::{HISTORY_SECS, IDEMPOTENCY_WINDOW_SECS, LEASE_SECS};
use crate::guard::ports::{Claim, Ledger, LedgerEntry, PortError, Snapshot};
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The ledger table; counts the calls it makes (README's per-event table is measured with it).
pub struct DynamoLedger {
    client: Client,
    table: String,
    calls: AtomicUsize,
    /// How long a claim not given back holds (crash, lost release).
    lease_secs: i64,
}

const IN_PROGRESS: &str = "IN_PROGRESS";
const COMPLETED: &str = "COMPLETED";

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn event_key(id: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([("pk".to_string(), s(&format!("event#{id}"))), ("sk".to_string(), s("answer"))])
}

fn snapshot_key(principal: &str, what: Snapshot) -> HashMap<String, AttributeValue> {
    HashMap::from([("pk".to_string(), s(&format!("principal#{principal}"))), ("sk".to_string(), s(what.key()))])
}

fn text<'a>(item: &'a HashMap<String, AttributeValue>, k: &str) -> Option<&'a str> {
    item.get(k).and_then(|v| v.as_s().ok()).map(String::as_str)
}

fn entry_of(item: &HashMap<String, AttributeValue>, table: &str) -> Result<LedgerEntry, PortError> {
    let json =
        text(item, "entry").ok_or_else(|| PortError::Failed(format!("ledger {table}: an entry without `entry`")))?;
    serde_json::from_str(json).map_err(|e| PortError::Failed(format!("ledger {table}: unreadable entry: {e}")))
}

impl DynamoLedger {
    /// The ledger in `table`.
    pub fn new(config: &aws_config::SdkConfig, table: &str) -> DynamoLedger {
        DynamoLedger {
            client: Client::new(config),
            table: table.to_string(),
            calls: AtomicUsize::new(0),
            lease_secs: LEASE_SECS,
        }
    }

    /// Claims hold `secs` instead of [`LEASE_SECS`] (IAM_GUARD_LEASE_SECS: a function timeout
    /// other than the template's, or a test that plays Lambda's retries seconds apart).
    pub fn with_lease(mut self, secs: Option<i64>) -> DynamoLedger {
        self.lease_secs = secs.unwrap_or(LEASE_SECS);
        self
    }

    /// DynamoDB calls made so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    /// The client, counting one call.
    fn call(&self) -> &Client {
        self.calls.fetch_add(1, Ordering::Relaxed);
        &self.client
    }

    async fn get(
        &self,
        key: HashMap<String, AttributeValue>,
    ) -> Result<Option<HashMap<String, AttributeValue>>, PortError> {
        self.call()
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map(|o| o.item)
            .map_err(|e| port_error(&format!("read ledger {}", self.table), e))
    }
}

impl DynamoLedger {
    async fn put(&self, item: HashMap<String, AttributeValue>, what: &str) -> Result<(), PortError> {
        self.call()
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| port_error(&format!("{what} in ledger {}", self.table), e))
    }
}

impl Ledger for DynamoLedger {
    async fn claim(&self, event_id: &str, now: i64) -> Result<Claim, PortError> {
        let mut item = event_key(event_id);
        item.insert("status".into(), s(IN_PROGRESS));
        item.insert("lease_until".into(), n(now + self.lease_secs));
        item.insert("expires".into(), n(now + self.lease_secs));
        let put = self
            .call()
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(pk) OR expires < :now OR (#status = :in_progress AND lease_until < :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .send()
            .await;
        match put {
            Ok(_) => Ok(Claim::New),
            Err(e) if e.code() == Some("ConditionalCheckFailedException") => {
                match self.get(event_key(event_id)).await? {
                    Some(item) if text(&item, "status") == Some(COMPLETED) => {
                        Ok(Claim::Completed(Box::new(entry_of(&item, &self.table)?)))
                    }
                    // Held by another delivery (or released between the two calls: retry then).
                    _ => Ok(Claim::InProgress),
                }
            }
            Err(e) => Err(port_error(&format!("claim event {event_id} in ledger {}", self.table), e)),
        }
    }

    async fn complete(&self, entry: &LedgerEntry, now: i64) -> Result<(), PortError> {
        let json = serde_json::to_string(entry).map_err(|e| PortError::Failed(e.to_string()))?;
        let mut item = event_key(&entry.event_id);
        item.insert("status".into(), s(COMPLETED));
        item.insert("entry".into(), s(&json));
        item.insert("expires".into(), n(now + IDEMPOTENCY_WINDOW_SECS));
        let what = format!("complete event {}", entry.event_id);
        self.put(item, &what).await?;
        if let Some(p) = &entry.principal_arn {
            let item = HashMap::from([
                ("pk".to_string(), s(&format!("principal#{p}"))),
                ("sk".to_string(), s(&format!("event#{}#{}", entry.answered_at, entry.event_id))),
                ("entry".to_string(), s(&json)),
                ("expires".to_string(), n(now + HISTORY_SECS)),
            ]);
            self.put(item, &what).await?;
        }
        Ok(())
    }

    async fn release(&self, event_id: &str) -> Result<(), PortError> {
        let r = self
            .call()
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(event_key(event_id)))
            .condition_expression("#status = :in_progress")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .send()
            .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(()),
            Err(e) => Err(port_error(&format!("release event {event_id} in ledger {}", self.table), e)),
        }
    }

    async fn entry(&self, event_id: &str) -> Result<Option<LedgerEntry>, PortError> {
        match self.get(event_key(event_id)).await? {
            Some(item) if text(&item, "status") == Some(COMPLETED) => Ok(Some(entry_of(&item, &self.table)?)),
            _ => Ok(None),
        }
    }

    async fn history(&self, principal_arn: &str) -> Result<Vec<LedgerEntry>, PortError> {
        let mut out = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = self
                .call()
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :event)")
                .expression_attribute_values(":pk", s(&format!("principal#{principal_arn}")))
                .expression_attribute_values(":event", s("event#"))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| port_error(&format!("history of {principal_arn} in ledger {}", self.table), e))?;
            for item in page.items.unwrap_or_default() {
                out.push(entry_of(&item, &self.table)?);
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    async fn remember(&self, principal_arn: &str, what: Snapshot, value: Option<&str>) -> Result<(), PortError> {
        let mut item = snapshot_key(principal_arn, what);
        if let Some(v) = value {
            item.insert("value".into(), s(v));
        }
        item.insert("expires".into(), n(chrono::Utc::now().timestamp() + HISTORY_SECS));
        self.put(item, &format!("remember the {} of {principal_arn}", what.key())).await
    }

    async fn recall(&self, principal_arn: &str, what: Snapshot) -> Result<Option<Option<String>>, PortError> {
        Ok(self.get(snapshot_key(principal_arn, what)).await?.map(|item| text(&item, "value").map(str::to_string)))
    }
}
