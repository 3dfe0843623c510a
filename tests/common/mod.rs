//! Real protocol peers on loopback for tests: moto server (IAM, SNS, SQS, STS), started and
//! stopped by the test itself. Tools come from IAM_GUARD_TOOLS or the repo's .venv (scripts/tools).
#![allow(dead_code)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) mod fault_proxy;
pub(crate) mod lambda_watch;

pub(crate) const ACCOUNT: &str = "123456789012"; // moto's default account

/// A tool installed by scripts/tools; a clear failure (not a skip) when it is missing.
pub(crate) fn tool(name: &str) -> PathBuf {
    let dir = std::env::var_os("IAM_GUARD_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin"));
    let p = dir.join(name);
    assert!(p.exists(), "{} not found: run scripts/tools (or scripts/test) first", p.display());
    p
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A plain HTTP GET on loopback; the status code.
pub(crate) fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) struct Moto {
    child: Child,
    pub port: u16,
    pub endpoint: String,
}

impl Moto {
    pub(crate) fn start() -> Moto {
        let port = free_port();
        let log = std::fs::File::create(std::env::temp_dir().join(format!("moto-{port}.log"))).unwrap();
        let child = Command::new(tool("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("moto_server starts");
        let mut m = Moto { child, port, endpoint: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(60);
        while http_status(port, "/moto-api/") != Some(200) {
            if let Ok(Some(status)) = m.child.try_wait() {
                panic!(
                    "moto_server exited early ({status}); see {}",
                    std::env::temp_dir().join(format!("moto-{port}.log")).display()
                );
            }
            assert!(Instant::now() < deadline, "moto_server did not answer on port {port} within 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        m
    }

    /// A command that talks to this moto as a user with an endpoint override would (dummy
    /// credentials, us-east-1): the `iam-guard` binary, or any other program.
    pub(crate) fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1");
        c
    }

    /// SDK configuration pointing at this moto (dummy credentials, us-east-1).
    pub(crate) async fn sdk(&self) -> SdkConfig {
        sdk_at(&self.endpoint).await
    }
}

/// SDK configuration pointing at an endpoint (moto, or a fault proxy in front of it).
pub(crate) async fn sdk_at(endpoint: &str) -> SdkConfig {
    {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_sdk_iam::config::Credentials::new("testing", "testing", None, None, "test"))
            .load()
            .await
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// EventBridge's "Scheduled Event" for moto's account: the Lambda's sweep.
pub(crate) fn scheduled_event() -> serde_json::Value {
    serde_json::json!({"version": "0", "id": "s1", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": ACCOUNT, "time": "2026-11-21T03:00:00Z", "region": "us-east-1", "resources": [], "detail": {}})
}

/// A CloudTrail record of IAM as EventBridge delivers it.
pub(crate) fn event(
    name: &str,
    request: serde_json::Value,
    response: serde_json::Value,
    actor_arn: &str,
) -> serde_json::Value {
    service_event("iam.amazonaws.com", name, (request, response), actor_arn)
}

/// A CloudTrail record of any service (`s3.amazonaws.com`) as EventBridge delivers it.
pub(crate) fn service_event(
    source: &str,
    name: &str,
    (request, response): (serde_json::Value, serde_json::Value),
    actor_arn: &str,
) -> serde_json::Value {
    // Distinct calls get distinct ids (FNV-1a over what makes them distinct); the same call twice
    // is the same event, as a re-delivery would be.
    let fnv = format!("{name}{request}{response}{actor_arn}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let id = format!("{name}-{fnv:016x}");
    let service = source.split('.').next().unwrap_or(source);
    serde_json::json!({
        "version": "0", "id": format!("eb-{id}"), "detail-type": "AWS API Call via CloudTrail", "source": format!("aws.{service}"),
        "account": ACCOUNT, "time": "2026-11-20T10:15:30Z", "region": "us-east-1", "resources": [],
        "detail": {
            "eventVersion": "1.10",
            "userIdentity": {"type": "IAMUser", "arn": actor_arn, "accountId": ACCOUNT, "userName": actor_arn.rsplit('/').next()},
            "eventTime": "2026-11-20T10:15:30Z", "eventSource": source, "eventName": name,
            "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.10", "userAgent": "aws-cli/2.17.20",
            "requestParameters": request, "responseElements": response,
            "requestID": format!("req-{id}"), "eventID": format!("evt-{id}-{}", name.len()),
            "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT
        }
    })
}

/// The ledger table as template.yaml's LedgerTable defines it.
pub(crate) async fn create_ledger_table(sdk: &SdkConfig, table: &str) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TimeToLiveSpecification,
    };
    let ddb = aws_sdk_dynamodb::Client::new(sdk);
    let attr = |n: &str| {
        AttributeDefinition::builder().attribute_name(n).attribute_type(ScalarAttributeType::S).build().unwrap()
    };
    let key = |n: &str, t: KeyType| KeySchemaElement::builder().attribute_name(n).key_type(t).build().unwrap();
    ddb.create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("pk"))
        .attribute_definitions(attr("sk"))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .send()
        .await
        .unwrap();
    ddb.update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder().attribute_name("expires").enabled(true).build().unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// An SNS topic with an SQS queue subscribed to it, to read alerts back.
pub(crate) struct Inbox {
    pub topic_arn: String,
    pub queue_url: String,
    sqs: aws_sdk_sqs::Client,
}

impl Inbox {
    pub(crate) async fn create(sdk: &SdkConfig, name: &str) -> Inbox {
        let sns = aws_sdk_sns::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let topic_arn = sns.create_topic().name(name).send().await.unwrap().topic_arn.unwrap();
        let queue_url = sqs.create_queue().queue_name(format!("{name}-inbox")).send().await.unwrap().queue_url.unwrap();
        let queue_arn = format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{name}-inbox");
        sns.subscribe().topic_arn(&topic_arn).protocol("sqs").endpoint(queue_arn).send().await.unwrap();
        Inbox { topic_arn, queue_url, sqs }
    }

    /// Every alert delivered so far: (subject, attributes, the `sqs` JSON document).
    pub(crate) async fn drain(&self) -> Vec<(String, std::collections::BTreeMap<String, String>, serde_json::Value)> {
        let mut out = Vec::new();
        loop {
            let r =
                self.sqs.receive_message().queue_url(&self.queue_url).max_number_of_messages(10).send().await.unwrap();
            let msgs = r.messages.unwrap_or_default();
            if msgs.is_empty() {
                return out;
            }
            for m in msgs {
                let note: serde_json::Value = serde_json::from_str(m.body.as_deref().unwrap()).unwrap();
                let attrs = note["MessageAttributes"]
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .map(|(k, v)| (k.clone(), v["Value"].as_str().unwrap_or_default().to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                let doc: serde_json::Value = serde_json::from_str(note["Message"].as_str().unwrap()).unwrap();
                out.push((note["Subject"].as_str().unwrap_or_default().to_string(), attrs, doc));
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(m.receipt_handle.unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
}

/// Creates a customer managed policy; its ARN.
pub(crate) async fn create_policy(iam: &aws_sdk_iam::Client, name: &str, document: &str) -> String {
    iam.create_policy().policy_name(name).policy_document(document).send().await.unwrap().policy.unwrap().arn.unwrap()
}

/// The seed tutorial's activity trail (events/trails/dynamodb-backup-role), moved to `account`,
/// uploaded to a bucket in CloudTrail's S3 layout.
pub(crate) async fn upload_trail(sdk: &SdkConfig, bucket: &str, account: &str) {
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).force_path_style(true).build());
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events/trails/dynamodb-backup-role");
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = iam_guard::intake::text_of(std::fs::read(&p).unwrap()).unwrap().replace("111122223333", account);
            let key = p.strip_prefix(&root).unwrap().to_str().unwrap().replace("111122223333", account);
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(text.as_bytes()).unwrap();
            let body = aws_sdk_s3::primitives::ByteStream::from(gz.finish().unwrap());
            s3.put_object().bucket(bucket).key(key).body(body).send().await.unwrap();
        }
    }
}
