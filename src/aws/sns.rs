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
}

impl SnsPublisher {
    /// A publisher to `topic_arn`.
    pub fn new(config: &aws_config::SdkConfig, topic_arn: impl Into<String>) -> SnsPublisher {
        SnsPublisher { client: Client::new(config), topic_arn: topic_arn.into() }
    }
}

/// SNS accepts at most 256 KiB per message, all protocol variants together; stay under it.
pub const MAX_BODY: usize = 240 * 1024;

/// The SNS message body for MessageStructure=json. An alert too large for SNS (huge inline
/// documents) keeps its subject and facts but loses the bulk, marked `truncated`, rather than
/// failing into the DLQ forever.
pub(crate) fn message_body(alert: &Alert) -> String {
    let body = structured(&alert.json.to_string(), &alert.text);
    if body.len() <= MAX_BODY {
        return body;
    }
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let text = format!("{}\n[truncated: the full alert exceeded the SNS message size]", cut(&alert.text, 20_000));
    let machine = serde_json::json!({
        "schema": alert.json.get("schema"),
        "subject": alert.subject,
        "severity": alert.json.get("severity"),
        "rule": alert.json.get("rule"),
        "account": alert.json.get("account"),
        "event": alert.json.get("event"),
        "plan": alert.json.get("plan"),
        "executed": alert.json.get("executed"),
        "truncated": true,
        "text": text,
    })
    .to_string();
    structured(&machine, &text)
}

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
                .string_value(v)
                .build()
                .map_err(|e| PortError::Failed(format!("message attribute {k}: {e}")))?;
            req = req.message_attributes(*k, attr);
        }
        req.send().await.map(|_| ()).map_err(|e| super::port_error(&format!("publish to {}", self.topic_arn), e))
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
}
