//! Resource policies in enforce mode against moto: the offending statements taken back on the
//! real wire protocol of S3, Lambda, SQS, SNS, KMS, Secrets Manager and ECR, the rest of each
//! policy kept, `iam-guard undo` putting back what the change did, and the exempt tag honoured.

mod common;

use common::{create_ledger_table, service_event, Inbox, Moto, ACCOUNT};
use iam_guard::aws::{DynamoLedger, SdkIam, SnsPublisher};
use iam_guard::config::{Config, Mode};
use iam_guard::lambda::App;
use serde_json::{json, Value};

const ACTOR: &str = "arn:aws:iam::123456789012:user/ops-bob";
const TABLE: &str = "iam-guard-ledger";

struct Env {
    moto: Moto,
    sdk: aws_config::SdkConfig,
    app: App<SdkIam, SnsPublisher, DynamoLedger>,
    inbox: Inbox,
}

async fn env() -> Env {
    let moto = Moto::start();
    let sdk = moto.sdk().await;
    create_ledger_table(&sdk, TABLE).await;
    let inbox = Inbox::create(&sdk, "iam-guard-alerts").await;
    let app = App::new(
        Config { mode: Mode::Enforce, ..Config::default() },
        None,
        SdkIam::new(&sdk),
        SnsPublisher::new(&sdk, &inbox.topic_arn),
    )
    .with_ledger(DynamoLedger::new(&sdk, TABLE));
    Env { moto, sdk, app, inbox }
}

impl Env {
    /// Answers one call's record; the handled change as JSON.
    async fn handle(&self, source: &str, name: &str, request: Value, response: Value) -> Value {
        let ev = service_event(source, name, (request, response), ACTOR);
        let reply = self.app.handle(ev).await.unwrap();
        serde_json::to_value(reply).unwrap()["handled"][0].clone()
    }

    fn undo(&self, h: &Value) {
        let id = h["event_id"].as_str().unwrap();
        let out = self
            .moto
            .command(env!("CARGO_BIN_EXE_iam-guard"))
            .args(["undo", id])
            .env("IAM_GUARD_TABLE", TABLE)
            .output()
            .unwrap();
        assert!(out.status.success(), "undo {id}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

fn sids(policy: Option<&str>) -> Vec<String> {
    let v: Value = policy.and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
    v["Statement"].as_array().into_iter().flatten().filter_map(|s| s["Sid"].as_str().map(str::to_string)).collect()
}

fn doc(statements: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn public(sid: &str, action: &str, resource: &str) -> Value {
    json!({"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource})
}

#[tokio::test(flavor = "current_thread")]
async fn a_public_bucket_statement_is_removed_the_rest_kept_and_undo_puts_it_back() {
    let e = env().await;
    let s3 = aws_sdk_s3::Client::new(&e.sdk);
    s3.create_bucket().bucket("travel-guide-photos").send().await.unwrap();
    let own = json!({"Sid": "AppWrites", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:role/app")},
                     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::travel-guide-photos/*"});
    let policy = doc(json!([public("PublicRead", "s3:GetObject", "arn:aws:s3:::travel-guide-photos/*"), own]));
    s3.put_bucket_policy().bucket("travel-guide-photos").policy(&policy).send().await.unwrap();
    let request =
        json!({"bucketName": "travel-guide-photos", "bucketPolicy": serde_json::from_str::<Value>(&policy).unwrap()});
    let h = e.handle("s3.amazonaws.com", "PutBucketPolicy", request, Value::Null).await;
    assert_eq!(h["decision"], "remediate", "{h}");
    let now = || async { s3.get_bucket_policy().bucket("travel-guide-photos").send().await.unwrap().policy };
    assert_eq!(sids(now().await.as_deref()), ["AppWrites"], "only the public statement is gone");
    let alerts = e.inbox.drain().await;
    assert!(alerts[0].0.contains("bucket policy of S3 bucket travel-guide-photos set - narrowed"), "{:?}", alerts[0].0);
    e.undo(&h);
    assert_eq!(sids(now().await.as_deref()), ["PublicRead", "AppWrites"], "undo puts the change back");
    // The bucket's history: the answer and its undo, under the bucket's ARN.
    let out = e
        .moto
        .command(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["history", "arn:aws:s3:::travel-guide-photos"])
        .env("IAM_GUARD_TABLE", TABLE)
        .output()
        .unwrap();
    let history = String::from_utf8_lossy(&out.stdout);
    assert!(history.contains("PutBucketPolicy") && history.contains("undo"), "{history}");
}

#[tokio::test(flavor = "current_thread")]
async fn an_exempt_bucket_is_alerted_not_changed() {
    let e = env().await;
    let s3 = aws_sdk_s3::Client::new(&e.sdk);
    s3.create_bucket().bucket("public-site").send().await.unwrap();
    let tag = aws_sdk_s3::types::Tag::builder().key("iam-guard:exempt").value("static website").build().unwrap();
    let tagging = aws_sdk_s3::types::Tagging::builder().tag_set(tag).build().unwrap();
    s3.put_bucket_tagging().bucket("public-site").tagging(tagging).send().await.unwrap();
    let policy = doc(json!([public("Site", "s3:GetObject", "arn:aws:s3:::public-site/*")]));
    s3.put_bucket_policy().bucket("public-site").policy(&policy).send().await.unwrap();
    let request = json!({"bucketName": "public-site", "bucketPolicy": serde_json::from_str::<Value>(&policy).unwrap()});
    let h = e.handle("s3.amazonaws.com", "PutBucketPolicy", request, Value::Null).await;
    assert_eq!(h["decision"], "alert", "{h}");
    let kept = s3.get_bucket_policy().bucket("public-site").send().await.unwrap().policy;
    assert_eq!(sids(kept.as_deref()), ["Site"]);
    let (subject, _, body) = &e.inbox.drain().await[0];
    assert!(
        subject.contains("not remediated") || body.to_string().contains("exempt by tag iam-guard:exempt"),
        "{subject} {body}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn queue_topic_key_secret_and_repository_policies_are_taken_back_and_restored() {
    let e = env().await;
    let region = "us-east-1";
    // SQS: the whole policy was public: it is removed.
    let sqs = aws_sdk_sqs::Client::new(&e.sdk);
    let url = sqs.create_queue().queue_name("orders").send().await.unwrap().queue_url.unwrap();
    let queue_arn = format!("arn:aws:sqs:{region}:{ACCOUNT}:orders");
    let qp = doc(json!([public("AnyoneSends", "sqs:SendMessage", &queue_arn)]));
    use aws_sdk_sqs::types::QueueAttributeName as Q;
    sqs.set_queue_attributes().queue_url(&url).attributes(Q::Policy, &qp).send().await.unwrap();
    let h = e
        .handle(
            "sqs.amazonaws.com",
            "SetQueueAttributes",
            json!({"queueUrl": url, "attributes": {"Policy": qp}}),
            Value::Null,
        )
        .await;
    assert_eq!(h["decision"], "remediate", "{h}");
    let queue_policy = || async {
        let a = sqs.get_queue_attributes().queue_url(&url).attribute_names(Q::Policy).send().await.unwrap();
        a.attributes.and_then(|mut m| m.remove(&Q::Policy)).filter(|p| !p.is_empty())
    };
    assert_eq!(queue_policy().await, None, "the queue has no policy left");
    e.undo(&h);
    assert_eq!(sids(queue_policy().await.as_deref()), ["AnyoneSends"]);

    // SNS: nothing left of a public topic policy: its owner-only default is put.
    let sns = aws_sdk_sns::Client::new(&e.sdk);
    let topic = sns.create_topic().name("order-events").send().await.unwrap().topic_arn.unwrap();
    let tp = doc(json!([public("AnyonePublishes", "sns:Publish", &topic)]));
    sns.set_topic_attributes().topic_arn(&topic).attribute_name("Policy").attribute_value(&tp).send().await.unwrap();
    let request = json!({"topicArn": topic, "attributeName": "Policy", "attributeValue": tp});
    let h = e.handle("sns.amazonaws.com", "SetTopicAttributes", request, Value::Null).await;
    assert_eq!(h["decision"], "remediate", "{h}");
    let topic_policy = || async {
        sns.get_topic_attributes()
            .topic_arn(&topic)
            .send()
            .await
            .unwrap()
            .attributes
            .and_then(|mut a| a.remove("Policy"))
    };
    assert_eq!(sids(topic_policy().await.as_deref()), ["__default_statement_ID"]);
    e.undo(&h);
    assert_eq!(sids(topic_policy().await.as_deref()), ["AnyonePublishes"]);

    // KMS: the public statement goes, the account's root statement stays.
    let kms = aws_sdk_kms::Client::new(&e.sdk);
    let key = kms.create_key().send().await.unwrap().key_metadata.unwrap().arn.unwrap();
    let root = json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
                      "Action": "kms:*", "Resource": "*"});
    let kp = doc(
        json!([root, {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]),
    );
    kms.put_key_policy().key_id(&key).policy_name("default").policy(&kp).send().await.unwrap();
    let h = e
        .handle(
            "kms.amazonaws.com",
            "PutKeyPolicy",
            json!({"keyId": key, "policyName": "default", "policy": kp}),
            Value::Null,
        )
        .await;
    assert_eq!(h["decision"], "remediate", "{h}");
    let key_policy = || async { kms.get_key_policy().key_id(&key).policy_name("default").send().await.unwrap().policy };
    assert_eq!(sids(key_policy().await.as_deref()), ["Enable IAM User Permissions"]);

    // Secrets Manager: a public policy is deleted.
    let sm = aws_sdk_secretsmanager::Client::new(&e.sdk);
    let secret = sm.create_secret().name("prod/db").secret_string("s3cr3t").send().await.unwrap().arn.unwrap();
    let sp = doc(
        json!([{"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]),
    );
    sm.put_resource_policy().secret_id(&secret).resource_policy(&sp).send().await.unwrap();
    let h = e
        .handle(
            "secretsmanager.amazonaws.com",
            "PutResourcePolicy",
            json!({"secretId": secret, "resourcePolicy": sp}),
            Value::Null,
        )
        .await;
    assert_eq!(h["decision"], "remediate", "{h}");
    let secret_policy = || async { sm.get_resource_policy().secret_id(&secret).send().await.unwrap().resource_policy };
    assert_eq!(sids(secret_policy().await.as_deref()), Vec::<String>::new());
    e.undo(&h);
    assert_eq!(sids(secret_policy().await.as_deref()), ["Anyone"]);

    // ECR: public push is critical; the repository policy is deleted.
    let ecr = aws_sdk_ecr::Client::new(&e.sdk);
    ecr.create_repository().repository_name("travel-guide-web").send().await.unwrap();
    let rp = doc(
        json!([{"Sid": "AnyonePushes", "Effect": "Allow", "Principal": "*", "Action": ["ecr:PutImage", "ecr:BatchGetImage"]}]),
    );
    ecr.set_repository_policy().repository_name("travel-guide-web").policy_text(&rp).send().await.unwrap();
    let h = e
        .handle(
            "ecr.amazonaws.com",
            "SetRepositoryPolicy",
            json!({"repositoryName": "travel-guide-web", "policyText": rp}),
            Value::Null,
        )
        .await;
    assert_eq!(h["decision"], "remediate", "{h}");
    assert!(ecr.get_repository_policy().repository_name("travel-guide-web").send().await.is_err(), "no policy left");
}

#[tokio::test(flavor = "current_thread")]
async fn a_public_lambda_permission_is_removed_by_its_id_and_added_back_by_undo() {
    let e = env().await;
    let f = create_function(&e.sdk, "travel-guide", "guide-fn").await;
    let lambda = aws_sdk_lambda::Client::new(&e.sdk);
    let arn = f.function_arn.unwrap();
    let added = lambda
        .add_permission()
        .function_name("travel-guide")
        .statement_id("backdoor")
        .action("lambda:InvokeFunction")
        .principal("*")
        .send()
        .await
        .unwrap();
    let statement = added.statement.unwrap();
    let request = json!({"functionName": "travel-guide", "statementId": "backdoor", "action": "lambda:InvokeFunction", "principal": "*"});
    let h = e.handle("lambda.amazonaws.com", "AddPermission20150331v2", request, json!({"statement": statement})).await;
    assert_eq!(h["decision"], "remediate", "{h}");
    let policy = || async { lambda.get_policy().function_name(&arn).send().await.ok().and_then(|p| p.policy) };
    assert_eq!(sids(policy().await.as_deref()), Vec::<String>::new(), "the backdoor is gone");
    e.undo(&h);
    assert_eq!(sids(policy().await.as_deref()), ["backdoor"], "undo adds it back");
}

/// A function `name` running as a new role `role` (moto stores an empty zip; nothing runs it).
async fn create_function(
    sdk: &aws_config::SdkConfig,
    name: &str,
    role: &str,
) -> aws_sdk_lambda::operation::create_function::CreateFunctionOutput {
    let iam = aws_sdk_iam::Client::new(sdk);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let role = iam.create_role().role_name(role).assume_role_policy_document(trust).send().await.unwrap();
    // An empty zip archive (its end-of-central-directory record alone).
    let zip = [&b"PK\x05\x06"[..], &[0u8; 18]].concat();
    let code =
        aws_sdk_lambda::types::FunctionCode::builder().zip_file(aws_sdk_lambda::primitives::Blob::new(zip)).build();
    aws_sdk_lambda::Client::new(sdk)
        .create_function()
        .function_name(name)
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role(role.role.unwrap().arn)
        .handler("index.handler")
        .code(code)
        .send()
        .await
        .unwrap()
}

/// The sweep reads every bucket, queue, topic, key, secret and repository policy of the region
/// (`--resource-regions`), saves them (`--save-resources`), judges them the same offline, and in
/// enforce mode takes back what lets outsiders in.
#[tokio::test(flavor = "current_thread")]
async fn the_sweep_reads_saves_and_narrows_resource_policies() {
    let e = env().await;
    let s3 = aws_sdk_s3::Client::new(&e.sdk);
    s3.create_bucket().bucket("open-photos").send().await.unwrap();
    let public_read = doc(json!([public("PublicRead", "s3:GetObject", "arn:aws:s3:::open-photos/*")]));
    s3.put_bucket_policy().bucket("open-photos").policy(&public_read).send().await.unwrap();
    s3.create_bucket().bucket("no-policy").send().await.unwrap();
    let sqs = aws_sdk_sqs::Client::new(&e.sdk);
    let url = sqs.create_queue().queue_name("orders").send().await.unwrap().queue_url.unwrap();
    let partner = doc(
        json!([{"Sid": "partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                             "Action": "sqs:SendMessage", "Resource": format!("arn:aws:sqs:us-east-1:{ACCOUNT}:orders")}]),
    );
    use aws_sdk_sqs::types::QueueAttributeName as Q;
    sqs.set_queue_attributes().queue_url(&url).attributes(Q::Policy, &partner).send().await.unwrap();
    let sns = aws_sdk_sns::Client::new(&e.sdk);
    sns.create_topic().name("clean-topic").send().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("resources.json");
    let sweep = |args: &[&str]| {
        let out = e.moto.command(env!("CARGO_BIN_EXE_iam-guard")).arg("sweep").args(args).output().unwrap();
        assert!(out.status.success() || out.status.code() == Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let live =
        sweep(&["--resource-regions", "us-east-1", "--save-resources", saved.to_str().unwrap(), "--format", "json"]);
    let rules = |r: &Value| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with("resource-"))
            .map(|f| (f["rule"].as_str().unwrap().to_string(), f["principal_arn"].as_str().unwrap().to_string()))
            .collect();
        v.sort();
        v
    };
    let want = vec![
        ("resource-cross-account".to_string(), format!("arn:aws:sqs:us-east-1:{ACCOUNT}:orders")),
        ("resource-public".to_string(), "arn:aws:s3:::open-photos".to_string()),
    ];
    assert_eq!(rules(&live), want, "{live}");
    // The saved file, judged offline, says the same.
    let offline = sweep(&["--input", saved.to_str().unwrap(), "--account", ACCOUNT, "--format", "json"]);
    assert_eq!(rules(&offline), want);

    // Enforce mode: both taken back on the wire.
    let out = e
        .moto
        .command(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["sweep", "--mode", "enforce", "--resource-regions", "us-east-1", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let done = report["actions"].as_array().unwrap().iter().filter(|a| a["executed"]["result"] == "done").count();
    assert_eq!(done, 2, "{report}");
    assert!(s3.get_bucket_policy().bucket("open-photos").send().await.is_err(), "the public bucket policy is gone");
    let left = sqs.get_queue_attributes().queue_url(&url).attribute_names(Q::Policy).send().await.unwrap();
    assert!(left.attributes.and_then(|mut a| a.remove(&Q::Policy)).filter(|p| !p.is_empty()).is_none());
}

/// Code on an existing function, live: a user allowed only `lambda:UpdateFunctionCode` on one
/// function that runs as an admin role can become admin; the sweep lists the function's role
/// (`--resource-regions`) and the graph follows it. The same user on a function with a scoped role
/// is no path.
#[tokio::test(flavor = "current_thread")]
async fn the_sweep_follows_a_function_to_the_role_it_runs_as() {
    let e = env().await;
    let iam = aws_sdk_iam::Client::new(&e.sdk);
    let admin = create_function(&e.sdk, "nightly", "nightly-admin").await.function_arn.unwrap();
    iam.attach_role_policy()
        .role_name("nightly-admin")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    let scoped = create_function(&e.sdk, "reports", "reports-fn").await.function_arn.unwrap();
    for (user, function) in [("dev", &admin), ("analyst", &scoped)] {
        iam.create_user().user_name(user).send().await.unwrap();
        let policy = doc(json!([{"Effect": "Allow", "Action": "lambda:UpdateFunctionCode", "Resource": function}]));
        iam.put_user_policy().user_name(user).policy_name("deploy").policy_document(policy).send().await.unwrap();
    }
    let out = e
        .moto
        .command(env!("CARGO_BIN_EXE_iam-guard"))
        .args(["sweep", "--resource-regions", "us-east-1", "--format", "json"])
        .output()
        .unwrap();
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let paths: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "escalation-path")
        .map(|f| (f["principal"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    let dev = paths.iter().find(|(p, _)| *p == "user dev").unwrap_or_else(|| panic!("{paths:#?}"));
    assert!(
        dev.1.contains(
            "lambda:UpdateFunctionCode on Lambda function nightly (lambda-003: it runs as role/nightly-admin)"
        ),
        "{}",
        dev.1
    );
    assert!(!paths.iter().any(|(p, _)| *p == "user analyst"), "{paths:#?}");
}
