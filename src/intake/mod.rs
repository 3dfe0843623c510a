//! Intake: whatever AWS delivers → typed [`Change`]s. Pure code, no AWS calls.
//!
//! One entry point, [`parse`], detects the envelope:
//! - EventBridge "AWS API Call via CloudTrail" event (its `detail` is a CloudTrail record);
//! - EventBridge "Scheduled Event" → a sweep request;
//! - SQS batch whose bodies are such EventBridge events (or raw records), one delivery per
//!   message so the Lambda can report partial batch failures;
//! - CloudWatch Logs subscription payload (`awslogs.data`, base64 + gzip) of CloudTrail records;
//! - a CloudTrail log file `{"Records": [...]}` or a single raw record (CLI, backfill).

pub mod authdetails;
mod change;
mod cloudtrail;
mod posture_events;
mod records;
mod resource_events;

pub use change::*;
pub use cloudtrail::{denied_code, judged_events, judged_sso_events};
pub use posture_events::judged_posture_sources;
pub use records::records_of;
pub use resource_events::judged_resource_events;

use aws_lambda_events::event::cloudwatch_logs::LogsEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Why input could not be read; the message names the field at fault.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// Not JSON at all.
    #[error("input is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A field the call needs is absent (`missing field detail.requestParameters.userName`).
    #[error("missing field {0}")]
    Missing(String),
    /// A field holds something else than the call allows.
    #[error("{field}: {problem}")]
    Invalid {
        /// Where (`detail.requestParameters.policyArn`).
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A policy document in the record does not parse.
    #[error("{field}: {source}")]
    Policy {
        /// Where.
        field: String,
        /// The parser's error, naming statement and element.
        source: crate::policy::PolicyError,
    },
    /// The call gives no access the guard judges (a share that only removes accounts, a queue
    /// attribute other than its policy): the record is read and set aside, with this reason.
    #[error("{0}")]
    GrantsNothing(String),
    #[error(
        "unrecognised input: expected an EventBridge event (detail-type), an SQS batch or CloudTrail \
         log file (Records), a CloudWatch Logs payload (awslogs) or a CloudTrail record (eventName)"
    )]
    /// No known envelope.
    Unrecognised,
}

impl IntakeError {
    pub(crate) fn missing(field: impl Into<String>) -> Self {
        IntakeError::Missing(field.into())
    }
    pub(crate) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        IntakeError::Invalid { field: field.into(), problem: problem.into() }
    }
}

/// One unit of delivery: an SQS message, a log event, a record of a log file, or the event.
/// Its outcome is all-or-nothing so a failed one can be retried alone.
#[derive(Debug)]
pub struct Delivery {
    /// SQS messageId, log event id, CloudTrail eventID or `Records[i]`.
    pub id: String,
    /// What its records became, or why it failed as a whole.
    pub outcome: Result<Vec<Outcome>, IntakeError>,
}

/// A scheduled sweep ("Scheduled Event").
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SweepRequest {
    /// The EventBridge event id.
    pub id: Option<String>,
    /// When the schedule fired.
    pub time: DateTime<Utc>,
    /// The account the rule belongs to.
    pub account_id: Option<String>,
}

/// What an input asks of the guard.
#[derive(Debug)]
pub enum Intake {
    /// Sweep the account.
    Sweep(SweepRequest),
    /// `sqs` is true for an SQS batch (failures are reported per message).
    Deliveries {
        /// An SQS batch: failures are reported per message.
        sqs: bool,
        /// In delivery order.
        deliveries: Vec<Delivery>,
    },
}

impl Intake {
    fn single(id: String, outcome: Result<Vec<Outcome>, IntakeError>) -> Intake {
        Intake::Deliveries { sqs: false, deliveries: vec![Delivery { id, outcome }] }
    }
}

/// The text of input bytes as files and S3 hold them: plain UTF-8, or gzip (recognised by its
/// magic bytes 1f 8b, not by a name; every member is read, as `cat a.gz b.gz` makes), as
/// CloudTrail writes its log files.
pub fn text_of(bytes: Vec<u8>) -> std::io::Result<String> {
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut text)
            .map_err(|e| std::io::Error::new(e.kind(), format!("gzip data is corrupt: {e}")))?;
        text
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte {} is invalid); expected JSON or gzip'd JSON", e.utf8_error().valid_up_to()),
        )
    })
}

/// Parses raw input text (any supported envelope).
pub fn parse_str(text: &str) -> Result<Intake, IntakeError> {
    parse(serde_json::from_str(text)?)
}

/// Detects the envelope of a JSON value and extracts its changes.
pub fn parse(value: Value) -> Result<Intake, IntakeError> {
    let obj = value.as_object().ok_or(IntakeError::Unrecognised)?;
    if obj.contains_key("detail-type") {
        return eventbridge(value);
    }
    if obj.contains_key("awslogs") {
        // From `&Value`: LogsEvent's deserializer borrows its keys, which an owned Value cannot lend.
        let logs = <LogsEvent as serde::Deserialize>::deserialize(&value)
            .map_err(|e| IntakeError::invalid("awslogs.data", e.to_string()))?;

        let deliveries = logs
            .aws_logs
            .data
            .log_events
            .into_iter()
            .map(|e| Delivery {
                outcome: serde_json::from_str::<Value>(&e.message)
                    .map_err(|err| IntakeError::invalid(format!("logEvents[{}].message", e.id), err.to_string()))
                    .and_then(|v| cloudtrail::outcome(v, "message"))
                    .map(|o| vec![o]),
                id: e.id,
            })
            .collect();
        return Ok(Intake::Deliveries { sqs: false, deliveries });
    }
    if let Some(records) = obj.get("Records").and_then(Value::as_array) {
        let is_sqs = records.first().is_some_and(|r| {
            r.get("eventSource").and_then(Value::as_str) == Some("aws:sqs")
                || (r.get("messageId").is_some() && r.get("body").is_some())
        });
        if is_sqs {
            return sqs(value);
        }
        let Value::Object(mut obj) = value else { unreachable!("checked above") };
        let Some(Value::Array(records)) = obj.remove("Records") else { unreachable!("checked above") };
        let deliveries = records
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let at = format!("Records[{i}]");
                let id = r.get("eventID").and_then(Value::as_str).map_or_else(|| at.clone(), str::to_string);
                Delivery { id, outcome: cloudtrail::outcome(r, &at).map(|o| vec![o]) }
            })
            .collect();
        return Ok(Intake::Deliveries { sqs: false, deliveries });
    }
    if obj.contains_key("digestStartTime") && obj.contains_key("logFiles") {
        // CloudTrail's integrity digests sit beside the log files in S3 (CloudTrail-Digest/).
        let ignored = Ignored {
            event_id: None,
            event_name: None,
            reason: "a CloudTrail digest file (log file integrity), not records".into(),
        };
        return Ok(Intake::single("digest".into(), Ok(vec![Outcome::Ignored(ignored)])));
    }
    if obj.contains_key("eventName") {
        let id = obj.get("eventID").and_then(Value::as_str).unwrap_or("record").to_string();
        return Ok(Intake::single(id, cloudtrail::outcome(value, "record").map(|o| vec![o])));
    }
    Err(IntakeError::Unrecognised)
}

fn eventbridge(value: Value) -> Result<Intake, IntakeError> {
    let id = value.get("id").and_then(Value::as_str).unwrap_or("event").to_string();
    let outcome = eventbridge_outcome(value)?;
    Ok(match outcome {
        EventBridge::Sweep(s) => Intake::Sweep(s),
        EventBridge::Outcome(o) => Intake::single(id, o.map(|o| vec![o])),
    })
}

enum EventBridge {
    Sweep(SweepRequest),
    Outcome(Result<Outcome, IntakeError>),
}

fn eventbridge_outcome(mut value: Value) -> Result<EventBridge, IntakeError> {
    let detail_type = value.get("detail-type").and_then(Value::as_str).unwrap_or_default().to_string();
    let source = value.get("source").and_then(Value::as_str).unwrap_or_default().to_string();
    let id = value.get("id").and_then(Value::as_str).map(str::to_string);
    match detail_type.as_str() {
        "Scheduled Event" => {
            let time = value
                .get("time")
                .and_then(Value::as_str)
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
            let account_id = value.get("account").and_then(Value::as_str).map(str::to_string);
            Ok(EventBridge::Sweep(SweepRequest { id, time, account_id }))
        }
        // Console sign-ins are CloudTrail records too, under their own detail-type.
        "AWS API Call via CloudTrail" | "AWS Console Sign In via CloudTrail" => {
            // Refused calls of every service are read too: the guard notices what it broke.
            let denied = value.get("detail").is_some_and(cloudtrail::is_denied);
            let judged =
                source.strip_prefix("aws.").and_then(|s| cloudtrail::judged_source(&format!("{s}.amazonaws.com")));
            if judged.is_none() && !denied {
                return Ok(EventBridge::Outcome(Ok(Outcome::Ignored(Ignored {
                    event_id: id,
                    event_name: None,
                    reason: format!("event source {source} is not one whose calls the guard judges"),
                }))));
            }
            let detail = value.get_mut("detail").map(Value::take).ok_or_else(|| IntakeError::missing("detail"))?;
            Ok(EventBridge::Outcome(cloudtrail::outcome(detail, "detail")))
        }
        other => Ok(EventBridge::Outcome(Ok(Outcome::Ignored(Ignored {
            event_id: id,
            event_name: None,
            reason: format!("EventBridge detail-type {other:?} is not one the guard handles"),
        })))),
    }
}

fn sqs(value: Value) -> Result<Intake, IntakeError> {
    let batch: SqsEvent = serde_json::from_value(value).map_err(|e| IntakeError::invalid("Records", e.to_string()))?;
    let deliveries = batch
        .records
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let id = m.message_id.clone().unwrap_or_else(|| format!("Records[{i}]"));
            let outcome = (|| {
                let body = m.body.as_deref().ok_or_else(|| IntakeError::missing(format!("Records[{i}].body")))?;
                let v: Value = serde_json::from_str(body)
                    .map_err(|e| IntakeError::invalid(format!("Records[{i}].body"), format!("not JSON: {e}")))?;
                if v.get("detail-type").is_some() {
                    match eventbridge_outcome(v)? {
                        EventBridge::Outcome(o) => o.map(|o| vec![o]),
                        EventBridge::Sweep(_) => Err(IntakeError::invalid(
                            format!("Records[{i}].body"),
                            "a scheduled event cannot arrive through SQS",
                        )),
                    }
                } else {
                    cloudtrail::outcome(v, &format!("Records[{i}].body")).map(|o| vec![o])
                }
            })();
            Delivery { id, outcome }
        })
        .collect();
    Ok(Intake::Deliveries { sqs: true, deliveries })
}
