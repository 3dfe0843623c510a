//! Publish on `aws-sdk-sns`: MessageStructure=json with a plain-text `default`/`email` and a JSON
//! document for `sqs`/`lambda`/`https`, plus message attributes for filter policies.

use crate::guard::alert::Alert;
use crate::guard::ports::{PortError, Publish};
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;

pub struct SnsPublisher {
    client: Client,
    topic_arn: String,
}

impl SnsPublisher {
    pub fn new(config: &aws_config::SdkConfig, topic_arn: impl Into<String>) -> SnsPublisher {
        SnsPublisher { client: Client::new(config), topic_arn: topic_arn.into() }
    }
}

/// The SNS message body for MessageStructure=json.
pub fn message_body(alert: &Alert) -> String {
    let machine = alert.json.to_string();
    serde_json::json!({
        "default": alert.text,
        "email": alert.text,
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
