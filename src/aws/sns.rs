//! Publish on `aws-sdk-sns`: MessageStructure=json with a plain-text `default`/`email` and a JSON
//! document for `sqs`/`lambda`/`https`, plus message attributes for filter policies.

use crate::guard::alert::Alert;
use crate::guard::ports::{PortError, Publish};
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;

/// The publish port on `aws-sdk-sns`: one message per alert to one topic.
pub struct SnsPublisher {
    client: Client,
    topic_arn: String,
    /// A topic AWS Chatbot subscribes to (Slack, Teams): each alert again in its format.
    chat_topic_arn: Option<String>,
}

impl SnsPublisher {
    /// A publisher to `topic_arn`.
    pub fn new(config: &aws_config::SdkConfig, topic_arn: impl Into<String>) -> SnsPublisher {
        SnsPublisher { client: Client::new(config), topic_arn: topic_arn.into(), chat_topic_arn: None }
    }

    /// Also publishes each alert to `topic` in AWS Chatbot's custom notification format.
    pub fn with_chat_topic(mut self, topic: Option<String>) -> SnsPublisher {
        self.chat_topic_arn = topic;
        self
    }

    /// The chat copy: best effort — the alert itself went out (and the ledger says so), so a
    /// chat failure is logged, never a reason to answer the event again.
    async fn publish_chat(&self, alert: &Alert) {
        let Some(topic) = &self.chat_topic_arn else { return };
        let body = crate::guard::alert_chat::chatbot(alert).to_string();
        if let Err(e) = self.client.publish().topic_arn(topic).message(cut(&body, MAX_BODY)).send().await {
            tracing::warn!(topic = %topic, error = %super::port_error("publish to the chat topic", e), "chat alert not sent");
        }
    }
}

/// SNS accepts at most 256 KiB per message, all protocol variants together; stay under it.
pub const MAX_BODY: usize = 240 * 1024;

/// The SNS message body for MessageStructure=json. An alert too large for SNS (huge inline
/// documents, a megabyte user agent) keeps its subject and facts but loses the bulk, marked
/// `truncated`, rather than being refused on every try: every string of the event, plan and
/// outcome is capped, and if that is still too large only the facts stay. The full verdict is in
/// the ledger under the event id.
pub(crate) fn message_body(alert: &Alert) -> String {
    let body = structured(&alert.json.to_string(), &alert.text);
    if body.len() <= MAX_BODY {
        return body;
    }
    let text = format!(
        "{}\n[truncated: the full alert exceeded the SNS message size; `iam-guard history` shows the whole answer]",
        cut(&alert.text, 8_000)
    );
    let capped = |k: &str| alert.json.get(k).map(|v| cap_strings(v, 2_000));
    let mut machine = serde_json::json!({
        "schema": alert.json.get("schema"),
        "subject": alert.subject,
        "severity": alert.json.get("severity"),
        "rule": alert.json.get("rule"),
        "account": capped("account"),
        "event": capped("event"),
        "plan": capped("plan"),
        "executed": capped("executed"),
        "truncated": true,
        "text": text,
    });
    let body = structured(&machine.to_string(), &text);
    if body.len() <= MAX_BODY {
        return body;
    }
    for bulky in ["plan", "executed", "account"] {
        machine[bulky] = serde_json::Value::Null;
    }
    machine["event"] = serde_json::json!({"id": alert.json.pointer("/event/id")});
    structured(&machine.to_string(), &text)
}

fn cut(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// `v` with every string longer than `max` characters cut, marked with `…`.
fn cap_strings(v: &serde_json::Value, max: usize) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) if s.chars().count() > max => Value::String(cut(s, max) + "…"),
        Value::Array(items) => Value::Array(items.iter().map(|i| cap_strings(i, max)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), cap_strings(x, max))).collect()),
        other => other.clone(),
    }
}

/// SNS counts message attributes towards the message size: each value is capped.
const MAX_ATTRIBUTE: usize = 256;

fn structured(machine: &str, text: &str) -> String {
    serde_json::json!({
        "default": text,
        "email": text,
        "email-json": machine,
        "sqs": machine,
        "lambda": machine,
        "http": machine,
        "https": machine,
    })
    .to_string()
}

impl Publish for SnsPublisher {
    async fn publish(&self, alert: &Alert) -> Result<(), PortError> {
        let mut req = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(&alert.subject)
            .message_structure("json")
            .message(message_body(alert));
        for (k, v) in &alert.attributes {
            let attr = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(cut(v, MAX_ATTRIBUTE))
                .build()
                .map_err(|e| PortError::Failed(format!("message attribute {k}: {e}")))?;
            req = req.message_attributes(*k, attr);
        }
        req.send().await.map_err(|e| super::port_error(&format!("publish to {}", self.topic_arn), e))?;
        self.publish_chat(alert).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_alerts_are_cut_to_fit_sns() {
        let huge = "x".repeat(100_000);
        let alert = Alert {
            subject: "[HIGH] s".into(),
            text: huge.clone(),
            json: serde_json::json!({"schema": "iam-guard.alert/1", "severity": "high", "text": huge, "judged": [huge]}),
            attributes: vec![],
            dedup_id: "e".into(),
        };
        let body = message_body(&alert);
        assert!(body.len() <= MAX_BODY, "{}", body.len());
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let sqs: serde_json::Value = serde_json::from_str(v["sqs"].as_str().unwrap()).unwrap();
        assert_eq!(sqs["truncated"], true);
        assert_eq!(sqs["severity"], "high");
    }

    #[test]
    fn a_megabyte_field_in_the_event_still_fits() {
        // A user agent of 5 MB (the fault run's case): the event's strings are capped.
        let agent = "a".repeat(5 * 1024 * 1024);
        let alert = Alert {
            subject: "[HIGH] s".into(),
            text: format!("using {agent}"),
            json: serde_json::json!({"schema": "iam-guard.alert/1", "severity": "high",
                "event": {"id": "ev-1", "user_agent": agent, "document": "d".repeat(300_000)},
                "plan": {"document": "p".repeat(1_000_000)}}),
            attributes: vec![],
            dedup_id: "ev-1".into(),
        };
        let body = message_body(&alert);
        assert!(body.len() <= MAX_BODY, "{}", body.len());
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let sqs: serde_json::Value = serde_json::from_str(v["sqs"].as_str().unwrap()).unwrap();
        assert_eq!(sqs["event"]["id"], "ev-1", "the subscriber's dedup key stays");
        assert!(sqs["event"]["user_agent"].as_str().unwrap().len() < 3_000);
        // Many huge fields: only the facts stay, still with the event id.
        let many: Vec<String> = (0..200).map(|_| "z".repeat(5_000)).collect();
        let alert =
            Alert { json: serde_json::json!({"severity": "high", "event": {"id": "ev-2"}, "plan": many}), ..alert };
        let body = message_body(&alert);
        assert!(body.len() <= MAX_BODY, "{}", body.len());
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let sqs: serde_json::Value = serde_json::from_str(v["sqs"].as_str().unwrap()).unwrap();
        assert_eq!(sqs["event"]["id"], "ev-2");
    }
}
