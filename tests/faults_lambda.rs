//! One alert per event under faults, with the real Lambda binary under `cargo lambda watch` (the
//! runtime API emulator) talking to moto through the loopback fault proxy: a load of distinct
//! events, a fifth of them delivered twice at the same time, while DynamoDB fails every fifth
//! call, the completion writes fail for a while, and every endpoint is gone for a few seconds.
//! A failed invocation is delivered again, as Lambda's retries would — seconds apart here, not
//! minutes, so the claim's lease is 15 s (IAM_GUARD_LEASE_SECS: longer than an answer takes,
//! shorter than the retries) instead of 90, and a claim the outage kept from being given back
//! is taken over by a later retry. The end: exactly one alert per event, none left failing
//! (nothing a retry could have answered would reach the DLQ). IAM_GUARD_FAULT_EVENTS sets the
//! load (default 60; the README's figure is a 600-event run).

mod common;

use common::fault_proxy::{Fault, FaultProxy, Span};
use common::{event, Inbox, Moto};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const TABLE: &str = "iam-guard-ledger";
const ACTOR: &str = "arn:aws:iam::123456789012:user/ops-bob";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const S3_FULL: &str = "arn:aws:iam::aws:policy/AmazonS3FullAccess";
/// Deliveries of one event before it would be left to the DLQ, and the gap between them.
const TRIES: u32 = 14;
const GAP: Duration = Duration::from_secs(2);

/// Writes event `i` (an AmazonS3FullAccess attach to role `app`, its own event id) to `dir`.
fn event_file(dir: &Path, i: usize) -> PathBuf {
    let mut e = event("AttachRolePolicy", json!({"roleName": "app", "policyArn": S3_FULL}), json!(null), ACTOR);
    e["detail"]["eventID"] = json!(format!("ev-load-{i:04}"));
    e["id"] = json!(format!("eb-load-{i:04}"));
    let path = dir.join(format!("ev-{i:04}.json"));
    std::fs::write(&path, e.to_string()).unwrap();
    path
}

/// Delivers `file` until an invocation succeeds: how many it took (`None`: DLQ).
fn deliver(port: u16, file: &Path) -> Option<u32> {
    for n in 1..=TRIES {
        match common::lambda_watch::invoke(port, file) {
            Ok(_) => return Some(n),
            Err(e) => eprintln!("{} delivery {n}: {}", file.display(), e.lines().next().unwrap_or("")),
        }
        std::thread::sleep(GAP);
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_under_faults_alerts_once_per_event_through_the_runtime_emulator() {
    let n: usize = std::env::var("IAM_GUARD_FAULT_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let moto = Moto::start();
    let direct = moto.sdk().await;
    common::create_ledger_table(&direct, TABLE).await;
    let inbox = Inbox::create(&direct, "iam-guard-alerts").await;
    let iam = aws_sdk_iam::Client::new(&direct);
    iam.create_role().role_name("app").assume_role_policy_document(TRUST).send().await.unwrap();
    let proxy = FaultProxy::start(&format!("127.0.0.1:{}", moto.port));

    // Faults: every fifth DynamoDB call answers 500 (the SDK retries it); the first completion
    // writes fail for 4 s (the guard's own retries ride it out); later, 3 s with every
    // connection reset (deliveries fail and are delivered again).
    let nth = AtomicU32::new(0);
    proxy.add(
        move |head, _| head.contains("DynamoDB_20120810") && nth.fetch_add(1, Ordering::SeqCst) % 5 == 4,
        Fault::Status(500),
        Span::Times(u32::MAX),
    );
    proxy.add(
        |head, body| {
            head.contains("DynamoDB_20120810.PutItem") && String::from_utf8_lossy(body).contains("\"COMPLETED\"")
        },
        Fault::Status(503),
        Span::For(Duration::from_secs(4)),
    );

    let dir = tempfile::tempdir().unwrap();
    let table = format!("IAM_GUARD_TABLE={TABLE}");
    let env_file = common::lambda_watch::env_file(
        dir.path(),
        &proxy.endpoint,
        &inbox.topic_arn,
        &["IAM_GUARD_MODE=alert", &table, "RUST_LOG=warn", "IAM_GUARD_LEASE_SECS=15"],
    );
    let (watch, port) = common::lambda_watch::start(dir.path(), &env_file);
    let files: Vec<PathBuf> = (0..n).map(|i| event_file(dir.path(), i)).collect();

    // Deliveries: four workers; every fifth event is handed to two workers at once.
    let started = Instant::now();
    let mut queue: Vec<PathBuf> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        queue.push(f.clone());
        if i % 5 == 0 {
            queue.push(f.clone());
        }
    }
    let outage_at = queue.len() / 2;
    let queue = std::sync::Arc::new(std::sync::Mutex::new(queue.into_iter().enumerate().collect::<Vec<_>>()));
    let results = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let proxy = std::sync::Arc::new(proxy);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (queue, results, proxy) = (queue.clone(), results.clone(), proxy.clone());
            std::thread::spawn(move || loop {
                let Some((k, file)) = queue.lock().unwrap().pop() else { break };
                if k == outage_at {
                    proxy.add(|_, _| true, Fault::Reset, Span::For(Duration::from_secs(3)));
                }
                let tries = deliver(port, &file);
                results.lock().unwrap().push((file, tries));
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    drop(watch);
    let elapsed = started.elapsed();

    let results = std::mem::take(&mut *results.lock().unwrap());
    let dlq: Vec<&PathBuf> = results.iter().filter(|(_, t)| t.is_none()).map(|(f, _)| f).collect();
    assert!(dlq.is_empty(), "left failing (a retry could have answered them): {dlq:?}");
    let retried = results.iter().filter(|(_, t)| t.is_some_and(|t| t > 1)).count();
    let mut alerts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, attrs, _) in inbox.drain().await {
        *alerts.entry(attrs.get("event_id").cloned().unwrap_or_default()).or_insert(0) += 1;
    }
    let twice: Vec<(&String, &usize)> = alerts.iter().filter(|(_, c)| **c != 1).collect();
    assert!(twice.is_empty(), "one alert per event: {twice:?}");
    assert_eq!(alerts.len(), n, "every event alerted");
    eprintln!(
        "{n} events, {} deliveries, {retried} delivered again, faults applied: {} 500, {} 503, {} resets; {:.1} s",
        results.len(),
        proxy.count(Fault::Status(500)),
        proxy.count(Fault::Status(503)),
        proxy.count(Fault::Reset),
        elapsed.as_secs_f64()
    );
    assert!(proxy.count(Fault::Reset) > 0 && proxy.count(Fault::Status(500)) > 0, "the faults were hit");
}
