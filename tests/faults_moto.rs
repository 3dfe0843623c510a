//! One alert per event under faults: the Lambda's App against moto through a loopback fault
//! proxy (tests/common/fault_proxy.rs) that answers 5xx, resets connections or loses answers.
//! Each scenario ends with exactly one alert per event and nothing a retry could have answered
//! left failing; the documented exception (SNS accepted, its answer lost) is measured too.
//! Lambda's retries of a failed delivery are played by the test (the same event handed again).

mod common;

use common::fault_proxy::{Fault, FaultProxy, Span};
use common::{event, Inbox, Moto};
use iam_guard::aws::{DynamoLedger, SdkIam, SnsPublisher};
use iam_guard::config::{Config, Mode};
use iam_guard::lambda::App;
use serde_json::json;
use std::time::Duration;

const TABLE: &str = "iam-guard-ledger";
const ACTOR: &str = "arn:aws:iam::123456789012:user/ops-bob";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const S3_FULL: &str = "arn:aws:iam::aws:policy/AmazonS3FullAccess";

type Guard = App<SdkIam, SnsPublisher, DynamoLedger>;

struct Rig {
    _moto: Moto,
    proxy: FaultProxy,
    inbox: Inbox,
    app: Guard,
}

/// moto with the ledger table, an alert inbox and role `app`; the guard talks through the proxy.
async fn rig() -> Rig {
    let moto = Moto::start();
    let direct = moto.sdk().await;
    common::create_ledger_table(&direct, TABLE).await;
    let inbox = Inbox::create(&direct, "iam-guard-alerts").await;
    let iam = aws_sdk_iam::Client::new(&direct);
    iam.create_role().role_name("app").assume_role_policy_document(TRUST).send().await.unwrap();
    iam.attach_role_policy().role_name("app").policy_arn(S3_FULL).send().await.unwrap();
    let proxy = FaultProxy::start(&format!("127.0.0.1:{}", moto.port));
    let sdk = common::sdk_at(&proxy.endpoint).await;
    let app = App::new(
        Config { mode: Mode::Alert, ..Config::default() },
        None,
        SdkIam::new(&sdk),
        SnsPublisher::new(&sdk, &inbox.topic_arn),
    )
    .with_ledger(DynamoLedger::new(&sdk, TABLE));
    Rig { _moto: moto, proxy, inbox, app }
}

fn attach(id: &str) -> serde_json::Value {
    let mut e = event("AttachRolePolicy", json!({"roleName": "app", "policyArn": S3_FULL}), json!(null), ACTOR);
    e["detail"]["eventID"] = json!(id);
    e
}

/// Delivers an event as Lambda would: again after a failure, up to `tries` times, `gap` apart.
/// How many deliveries it took (`None`: still failing, it would reach the DLQ).
async fn deliver(app: &Guard, ev: &serde_json::Value, tries: u32, gap: Duration) -> Option<u32> {
    for n in 1..=tries {
        match app.handle(ev.clone()).await {
            Ok(_) => return Some(n),
            Err(e) => eprintln!("delivery {n} of {}: {e}", ev["detail"]["eventID"]),
        }
        tokio::time::sleep(gap).await;
    }
    None
}

fn is_dynamo_completion(head: &str, body: &[u8]) -> bool {
    head.contains("DynamoDB_20120810.PutItem") && String::from_utf8_lossy(body).contains("\"COMPLETED\"")
}

async fn alerts_for(inbox: &Inbox) -> std::collections::BTreeMap<String, usize> {
    let mut n = std::collections::BTreeMap::new();
    for (_, attrs, _) in inbox.drain().await {
        *n.entry(attrs.get("event_id").cloned().unwrap_or_default()).or_insert(0) += 1;
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_completion_write_failing_after_the_alert_alerts_once() {
    let r = rig().await;
    // 3 s of 503 on the completion write, from its first try: the SDK's retries and the
    // guard's own (about 8 s) ride it out; the event is answered once, in one delivery.
    r.proxy.add(is_dynamo_completion, Fault::Status(503), Span::For(Duration::from_secs(3)));
    assert_eq!(deliver(&r.app, &attach("ev-completion"), 1, Duration::ZERO).await, Some(1));
    assert!(r.proxy.count(Fault::Status(503)) >= 2, "the fault was hit: {:?}", r.proxy.applied.lock().unwrap());
    // Redelivered (EventBridge at least once): the ledger answers, no second alert.
    assert_eq!(deliver(&r.app, &attach("ev-completion"), 1, Duration::ZERO).await, Some(1));
    assert_eq!(alerts_for(&r.inbox).await.get("ev-completion"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_outage_is_answered_by_a_retry_not_left_to_the_dlq() {
    let r = rig().await;
    // Every endpoint unreachable for 5 s from the first request: the first deliveries fail
    // before anything is claimed or published; a retry after the outage answers the event.
    r.proxy.add(|_, _| true, Fault::Reset, Span::For(Duration::from_secs(5)));
    let tries = deliver(&r.app, &attach("ev-outage"), 10, Duration::from_secs(1)).await;
    assert!(matches!(tries, Some(n) if n > 1), "answered by a retry: {tries:?}");
    assert_eq!(alerts_for(&r.inbox).await.get("ev-outage"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_deliveries_at_the_same_time_alert_once_each() {
    let r = rig().await;
    // 20 % of DynamoDB calls fail once (retried by the SDK), and every event is delivered twice
    // at the same time: one delivery answers, the other fails (in progress) and its retry finds
    // the answer.
    let nth = std::sync::atomic::AtomicU32::new(0);
    r.proxy.add(
        move |head, _| {
            head.contains("DynamoDB_20120810") && nth.fetch_add(1, std::sync::atomic::Ordering::SeqCst) % 5 == 4
        },
        Fault::Status(500),
        Span::Times(u32::MAX),
    );
    // (Lambda retries a minute apart; two seconds apart here is ample: an answer slowed by the
    // SDK's backoff takes a few seconds.)
    let events: Vec<serde_json::Value> = (0..4).map(|i| attach(&format!("ev-dup-{i}"))).collect();
    for ev in &events {
        let (a, b) = tokio::join!(
            deliver(&r.app, ev, 8, Duration::from_secs(2)),
            deliver(&r.app, ev, 8, Duration::from_secs(2))
        );
        assert!(a.is_some() && b.is_some(), "both deliveries end answered: {a:?} {b:?}");
    }
    let alerts = alerts_for(&r.inbox).await;
    for i in 0..4 {
        assert_eq!(alerts.get(&format!("ev-dup-{i}")), Some(&1), "{alerts:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_exception_sns_accepted_but_its_answer_lost() {
    let r = rig().await;
    // SNS publishes, the answer never arrives: the SDK retries the publish (it cannot know),
    // so a subscriber may see the alert twice — with the same event_id, its dedup key.
    r.proxy.add(
        |_, body| String::from_utf8_lossy(body).contains("Action=Publish"),
        Fault::LoseResponse,
        Span::Times(1),
    );
    assert!(deliver(&r.app, &attach("ev-lost"), 3, Duration::from_secs(1)).await.is_some());
    let n = alerts_for(&r.inbox).await.get("ev-lost").copied().unwrap_or(0);
    assert!((1..=2).contains(&n), "{n} alerts");
    // Once answered, redelivery does not add a third.
    deliver(&r.app, &attach("ev-lost"), 1, Duration::ZERO).await;
    assert_eq!(alerts_for(&r.inbox).await.get("ev-lost"), None, "no further alert");
}
