//! Raw CloudTrail records out of any envelope the guard reads (a log file's `Records`, an
//! EventBridge event's `detail`, SQS bodies, a CloudWatch Logs payload, a single record), for
//! the readers that want every call, not only the IAM changes the guard judges (`suggest`); also
//! the output of `aws cloudtrail lookup-events` (`Events[].CloudTrailEvent`, the record as a
//! JSON string), for accounts whose trail is only the 90-day event history.

use super::IntakeError;
use aws_lambda_events::event::cloudwatch_logs::LogsEvent;
use serde_json::Value;

/// Every CloudTrail record the input holds, in order. A digest file holds none.
pub fn records_of(value: Value) -> Result<Vec<Value>, IntakeError> {
    let mut out = Vec::new();
    push_records(value, &mut out)?;
    Ok(out)
}

fn push_records(value: Value, out: &mut Vec<Value>) -> Result<(), IntakeError> {
    let Value::Object(mut obj) = value else { return Err(IntakeError::Unrecognised) };
    if obj.contains_key("detail-type") {
        if let Some(detail) = obj.remove("detail").filter(|d| d.get("eventName").is_some()) {
            out.push(detail);
        }
        return Ok(());
    }
    if obj.contains_key("awslogs") {
        let logs = <LogsEvent as serde::Deserialize>::deserialize(&Value::Object(obj))
            .map_err(|e| IntakeError::invalid("awslogs.data", e.to_string()))?;
        for e in logs.aws_logs.data.log_events {
            let v = serde_json::from_str(&e.message)
                .map_err(|err| IntakeError::invalid(format!("logEvents[{}].message", e.id), err.to_string()))?;
            out.push(v);
        }
        return Ok(());
    }
    if let Some(Value::Array(records)) = obj.remove("Records") {
        for (i, r) in records.into_iter().enumerate() {
            match r.get("body").and_then(Value::as_str) {
                // An SQS message: its body is an EventBridge event or a record.
                Some(body) if r.get("messageId").is_some() => {
                    let v = serde_json::from_str(body)
                        .map_err(|e| IntakeError::invalid(format!("Records[{i}].body"), format!("not JSON: {e}")))?;
                    push_records(v, out)?;
                }
                _ => out.push(r),
            }
        }
        return Ok(());
    }
    if let Some(Value::Array(events)) = obj.get("Events") {
        for (i, e) in events.iter().enumerate() {
            let text = e["CloudTrailEvent"]
                .as_str()
                .ok_or_else(|| IntakeError::missing(format!("Events[{i}].CloudTrailEvent")))?;
            let v = serde_json::from_str(text)
                .map_err(|err| IntakeError::invalid(format!("Events[{i}].CloudTrailEvent"), err.to_string()))?;
            out.push(v);
        }
        return Ok(());
    }
    if obj.contains_key("digestStartTime") && obj.contains_key("logFiles") {
        return Ok(());
    }
    if obj.contains_key("eventName") {
        out.push(Value::Object(obj));
        return Ok(());
    }
    Err(IntakeError::Unrecognised)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_envelope_gives_its_records() {
        let rec = json!({"eventName": "Scan", "eventSource": "dynamodb.amazonaws.com"});
        assert_eq!(records_of(json!({"Records": [rec, rec]})).unwrap().len(), 2);
        assert_eq!(records_of(json!({"detail-type": "AWS API Call via CloudTrail", "detail": rec})).unwrap().len(), 1);
        assert_eq!(records_of(rec.clone()).unwrap().len(), 1);
        let sqs = json!({"Records": [{"messageId": "m1", "body": rec.to_string()}]});
        assert_eq!(records_of(sqs).unwrap()[0]["eventName"], "Scan");
        assert!(records_of(json!({"digestStartTime": "x", "logFiles": []})).unwrap().is_empty());
        assert!(matches!(records_of(json!({"foo": 1})), Err(IntakeError::Unrecognised)));
        assert!(records_of(json!({"Records": [{"messageId": "m", "body": "{"}]})).is_err());
        // `aws cloudtrail lookup-events`: each record as a JSON string.
        let lookup = json!({"Events": [{"EventId": "e1", "EventName": "Scan", "CloudTrailEvent": rec.to_string()}],
                            "NextToken": "x"});
        assert_eq!(records_of(lookup).unwrap()[0]["eventSource"], "dynamodb.amazonaws.com");
        assert!(records_of(json!({"Events": [{"EventId": "e1"}]})).is_err());
    }
}
