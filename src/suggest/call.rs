//! One recorded call, as the suggestion reads it from a CloudTrail record
//! (<https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html>).

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A call of the principal, successful or refused.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// The service host before `.amazonaws.com` (`dynamodb`, `monitoring`).
    pub source: &'a str,
    /// The operation, dated names undated (`AddPermission20150331v2` → `AddPermission`).
    pub name: &'a str,
    /// As recorded.
    pub event_name: &'a str,
    /// When.
    pub time: Option<DateTime<Utc>>,
    /// Its region.
    pub region: &'a str,
    /// The account the call was made in (the resource owner's, for cross-account calls).
    pub account: &'a str,
    /// `requestParameters` (null when the record has none).
    pub params: &'a Value,
    /// `responseElements`.
    pub response: &'a Value,
    /// The ARNs of `resources[]` (data events and some management events list them).
    pub resources: Vec<&'a str>,
    /// A data event (eventCategory "Data").
    pub data: bool,
    /// The errorCode, for a refused or failed call.
    pub error: Option<&'a str>,
}

impl<'a> Call<'a> {
    /// The call a record describes; `None` for a record that is no API call (no eventSource or
    /// eventName, or an AWS service event).
    pub fn of(record: &'a Value) -> Option<Call<'a>> {
        let source = record["eventSource"].as_str()?;
        let event_name = record["eventName"].as_str()?;
        if record["eventType"].as_str() == Some("AwsServiceEvent") {
            return None;
        }
        let source = source.strip_suffix(".amazonaws.com").unwrap_or(source);
        let account = record["recipientAccountId"]
            .as_str()
            .or_else(|| record["userIdentity"]["accountId"].as_str())
            .unwrap_or_default();
        Some(Call {
            source,
            name: undated(event_name),
            event_name,
            time: record["eventTime"].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.to_utc()),
            region: record["awsRegion"].as_str().unwrap_or_default(),
            account,
            params: &record["requestParameters"],
            response: &record["responseElements"],
            resources: record["resources"]
                .as_array()
                .map(|r| r.iter().filter_map(|x| x["ARN"].as_str().or_else(|| x["arn"].as_str())).collect())
                .unwrap_or_default(),
            data: record["eventCategory"].as_str() == Some("Data"),
            error: record["errorCode"].as_str().filter(|e| !e.is_empty()),
        })
    }

    /// The call was refused for want of permission (not another failure).
    pub fn denied(&self) -> bool {
        self.error.is_some_and(crate::intake::denied_code)
    }

    /// A request parameter's text, at the top level or one level down, by name (any case).
    pub fn param(&self, name: &str) -> Option<&'a str> {
        find_str(self.params, name, 2)
    }
}

/// The first string value under a key of this name (ASCII case-insensitive), searched `depth`
/// levels of objects deep.
pub(crate) fn find_str<'a>(v: &'a Value, name: &str, depth: usize) -> Option<&'a str> {
    let obj = v.as_object()?;
    if let Some(s) = obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str()) {
        return Some(s);
    }
    if depth <= 1 {
        return None;
    }
    obj.values().filter(|v| v.is_object()).find_map(|v| find_str(v, name, depth - 1))
}

/// The operation behind a dated CloudTrail name: Lambda's `CreateFunction20150331`,
/// `UpdateFunctionCode20150331v2`, `AddLayerVersionPermission20181031`; CloudFront's
/// `CreateDistribution2020_05_31`.
pub fn undated(name: &str) -> &str {
    let b = name.as_bytes();
    let mut end = b.len();
    // `v2`, `v3` after the date.
    if end >= 2 && b[end - 1].is_ascii_digit() && b[end - 2] == b'v' {
        end -= 2;
    }
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if end > 8 && digits(&b[end - 8..end]) {
        return &name[..end - 8];
    }
    // 2020_05_31
    if end > 10
        && digits(&b[end - 10..end - 6])
        && b[end - 6] == b'_'
        && digits(&b[end - 5..end - 3])
        && b[end - 3] == b'_'
        && digits(&b[end - 2..end])
    {
        return &name[..end - 10];
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dated_names_lose_their_date() {
        assert_eq!(undated("AddPermission20150331v2"), "AddPermission");
        assert_eq!(undated("CreateFunction20150331"), "CreateFunction");
        assert_eq!(undated("AddLayerVersionPermission20181031"), "AddLayerVersionPermission");
        assert_eq!(undated("UpdateDistribution2020_05_31"), "UpdateDistribution");
        assert_eq!(undated("GetObject"), "GetObject");
        assert_eq!(undated("ListObjectsV2"), "ListObjectsV2");
        assert_eq!(undated("Ec2v2"), "Ec2v2");
    }

    #[test]
    fn a_record_as_a_call() {
        let r = json!({"eventSource": "s3.amazonaws.com", "eventName": "PutObject", "awsRegion": "us-east-1",
            "eventTime": "2026-11-02T03:04:05Z", "recipientAccountId": "111122223333", "eventCategory": "Data",
            "requestParameters": {"bucketName": "b", "key": "k", "x": {"Nested": "n"}},
            "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"}], "errorCode": "AccessDenied"});
        let c = Call::of(&r).unwrap();
        assert_eq!((c.source, c.name, c.account), ("s3", "PutObject", "111122223333"));
        assert!(c.data && c.denied());
        assert_eq!(c.resources, ["arn:aws:s3:::b/k"]);
        assert_eq!((c.param("BUCKETNAME"), c.param("nested"), c.param("none")), (Some("b"), Some("n"), None));
        assert!(Call::of(&json!({"eventName": "x"})).is_none());
    }
}
