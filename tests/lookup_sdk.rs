//! CloudTrail's event history (LookupEvents) as the evidence `replace` and the sweep learn from
//! where no trail bucket is configured, against aws-smithy-mocks (moto has no LookupEvents): the
//! window asked for, every page up to the bound, a user asked for by name, a role's sessions
//! kept by the caller, the records the same as in log files.

use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;
use aws_sdk_cloudtrail::types::{Event, LookupAttributeKey};
use aws_sdk_cloudtrail::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use chrono::NaiveDate;
use iam_guard::aws::{SdkIam, SdkLookup};
use iam_guard::guard::ports::IamRead;
use iam_guard::suggest::{suggest, Principal};
use serde_json::json;
use std::sync::Arc;

const ROLE: &str = "arn:aws:iam::111122223333:role/DynamoDBBackupRole";

/// An event as LookupEvents returns it: the record itself as a JSON string in CloudTrailEvent
/// (the layout of `aws cloudtrail lookup-events`); for a role's session the user name is the
/// session name.
fn event(n: u32, who: &str, session: &str) -> Event {
    let identity = if who.contains(":role/") {
        json!({"type": "AssumedRole", "arn": format!("arn:aws:sts::111122223333:assumed-role/DynamoDBBackupRole/{session}"),
               "accountId": "111122223333",
               "sessionContext": {"sessionIssuer": {"type": "Role", "arn": who, "userName": "DynamoDBBackupRole"}}})
    } else {
        json!({"type": "IAMUser", "arn": who, "accountId": "111122223333", "userName": session})
    };
    let record = json!({
        "eventVersion": "1.09", "userIdentity": identity,
        "eventTime": format!("2026-11-{:02}T03:00:04Z", 6 + n), "eventSource": "ses.amazonaws.com",
        "eventName": "SendEmail", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7",
        "requestParameters": {"source": "backups@example.com"}, "responseElements": {"messageId": format!("m-{n}")},
        "eventID": format!("e-{n}"), "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true,
        "recipientAccountId": "111122223333", "eventCategory": "Management"
    });
    Event::builder().event_id(format!("e-{n}")).username(session).cloud_trail_event(record.to_string()).build()
}

fn page(events: Vec<Event>, next: Option<&str>) -> LookupEventsOutput {
    LookupEventsOutput::builder().set_events(Some(events)).set_next_token(next.map(str::to_string)).build()
}

fn lookup(rules: &[&Rule], pages: usize) -> SdkLookup {
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, rules);
    SdkLookup::from_clients(vec![("us-east-1".into(), client)], pages)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[tokio::test]
async fn a_roles_sessions_are_learned_from_every_page_of_the_window() {
    let window = mock!(Client::lookup_events)
        .match_requests(|r| {
            // The whole days asked for, no attribute (a role's sessions have their own names).
            r.start_time().map(|t| t.secs()) == Some(1_793_923_200) // 2026-11-06T00:00:00Z
                && r.end_time().map(|t| t.secs()) == Some(1_795_132_800) // 2026-11-20T00:00:00Z
                && r.lookup_attributes().is_empty()
                && r.max_results() == Some(50)
        })
        .sequence()
        .output(|| page((0..7).map(|n| event(n, ROLE, "studentBackup")).collect(), Some("t-2")))
        .output(|| page(vec![event(7, "arn:aws:iam::111122223333:user/ops-bob", "ops-bob")], Some("t-3")))
        .output(|| page((8..14).map(|n| event(n, ROLE, "studentBackup")).collect(), None))
        .build();
    let iam = SdkIam::from_client(aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::Config::builder().behavior_version(aws_sdk_iam::config::BehaviorVersion::latest()).build(),
    ))
    .with_lookup(Arc::new(lookup(&[&window], 20)));
    let role = Principal::parse(ROLE).unwrap();
    let records = iam.trail_records("111122223333", &role, (day(6), day(19))).await.unwrap().unwrap();
    assert_eq!(records.len(), 14);
    assert_eq!(window.num_calls(), 3);
    let s = suggest(&records, &role);
    assert_eq!(s.evidence.calls, 13, "ops-bob's call is not the role's");
    assert_eq!(s.evidence.days_covered(), 14);
    assert!(s.grants["ses:SendEmail"].iter().all(|r| r.contains(":identity/")), "{:?}", s.grants);
}

#[tokio::test]
async fn a_user_is_asked_for_by_name_and_the_pages_are_bounded() {
    let by_name = mock!(Client::lookup_events)
        .match_requests(|r| {
            r.lookup_attributes().len() == 1
                && r.lookup_attributes()[0].attribute_key() == &LookupAttributeKey::Username
                && r.lookup_attributes()[0].attribute_value() == "ops-bob"
        })
        .sequence()
        .output(|| page(vec![event(1, "arn:aws:iam::111122223333:user/ops-bob", "ops-bob")], Some("more")))
        .repeatedly()
        .build();
    let records = lookup(&[&by_name], 3).records(Some("ops-bob"), day(6), day(19)).await.unwrap();
    assert_eq!((records.len(), by_name.num_calls()), (3, 3), "stopped at three pages");
}

#[tokio::test]
async fn a_refused_lookup_is_an_error_naming_the_region() {
    let denied = mock!(Client::lookup_events).then_error(|| {
        aws_sdk_cloudtrail::operation::lookup_events::LookupEventsError::generic(
            aws_sdk_cloudtrail::error::ErrorMetadata::builder().code("AccessDeniedException").message("no").build(),
        )
    });
    let e = lookup(&[&denied], 3).records(None, day(6), day(19)).await.unwrap_err();
    assert!(e.to_string().contains("CloudTrail LookupEvents in us-east-1"), "{e}");
}
