//! `iam-guard suggest` and `iam-guard can`: a least-privilege policy learned from CloudTrail
//! records in AWS's layouts (the record reference, the S3 and DynamoDB data-event pages, Lambda's
//! dated event names), and for every suggestion the request-level decision: each observed call
//! allowed, the same work the next day allowed, calls never made or refused denied.

use iam_guard::eval::request::{authorize, Context, Decision, Held, Request};
use iam_guard::policy::PolicyDocument;
use iam_guard::suggest::{suggest, Principal, Suggestion};
use serde_json::{json, Value};
use std::process::Command;

const ACCOUNT: &str = "111122223333";
const ROLE: &str = "arn:aws:iam::111122223333:role/DynamoDBBackupRole";
const TRAIL: &str = "events/trails/dynamodb-backup-role";

fn iam_guard() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_iam-guard"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// The document of a suggestion, parsed as the guard parses any policy.
fn document(s: &Suggestion) -> PolicyDocument {
    PolicyDocument::parse(&s.document_text()).expect("a suggestion is a valid policy")
}

fn decide(doc: &PolicyDocument, action: &str, resource: &str) -> Decision {
    let ctx = Context::default();
    authorize(&Request { action, resource, context: &ctx }, &[Held { label: "suggestion", doc }], None, &[]).decision
}

fn trail_records() -> Vec<Value> {
    let out = iam_guard().args(["suggest", "--principal", ROLE, TRAIL]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut files = Vec::new();
    collect(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TRAIL).as_path(), &mut files);
    files
        .iter()
        .flat_map(|f| {
            let mut text = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(std::fs::File::open(f).unwrap()),
                &mut text,
            )
            .unwrap();
            iam_guard::intake::records_of(serde_json::from_str(&text).unwrap()).unwrap()
        })
        .collect()
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out)
        } else {
            out.push(p)
        }
    }
}

#[test]
fn the_backup_role_gets_exactly_its_work_back() {
    let records = trail_records();
    let s = suggest(&records, &Principal::parse(ROLE).unwrap());
    let doc = document(&s);
    let bucket = "arn:aws:s3:::student-backups-111122223333";
    let table = "arn:aws:dynamodb:us-east-1:111122223333:table/studentData";
    // Every call it made, on what it touched.
    for r in records.iter().filter(|r| Principal::parse(ROLE).unwrap().made(r) && r.get("errorCode").is_none()) {
        let action = match r["eventName"].as_str().unwrap() {
            "Scan" => "dynamodb:Scan",
            "PutObject" => "s3:PutObject",
            "GetObject" => "s3:GetObject",
            "SendEmail" => "ses:SendEmail",
            other => panic!("unexpected call {other}"),
        };
        let resource = r["resources"][0]["ARN"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("arn:aws:ses:us-east-1:{ACCOUNT}:identity/example.com"));
        assert_eq!(decide(&doc, action, &resource), Decision::Allowed, "{action} on {resource}");
    }
    // Tomorrow's backup.
    let tomorrow = format!("{bucket}/backups/studentData-2026-11-20.json");
    assert_eq!(decide(&doc, "s3:PutObject", &tomorrow), Decision::Allowed);
    assert_eq!(decide(&doc, "s3:GetObject", &tomorrow), Decision::Allowed);
    // What it never did, or tried and was refused.
    for (action, resource) in [
        ("dynamodb:DeleteTable", table),
        ("dynamodb:PutItem", table),
        ("dynamodb:Scan", "arn:aws:dynamodb:us-east-1:111122223333:table/teacherData"),
        ("s3:DeleteObject", tomorrow.as_str()),
        ("s3:GetObject", "arn:aws:s3:::student-backups-111122223333/other/secret.json"),
        ("s3:GetObject", "arn:aws:s3:::another-bucket/backups/studentData-2026-11-20.json"),
        ("s3:ListAllMyBuckets", "*"),
        ("s3:PutBucketPolicy", bucket),
        ("ses:SendEmail", "arn:aws:ses:us-east-1:111122223333:identity/attacker.example"),
        ("kms:Decrypt", "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ("cloudfront:CreateDistribution", "*"),
        ("iam:PassRole", "*"),
    ] {
        assert_eq!(decide(&doc, action, resource), Decision::ImplicitDeny, "{action} on {resource}");
    }
    assert_eq!(s.evidence.calls, 56);
    assert_eq!(s.evidence.days_covered(), 14);
    assert_eq!(s.evidence.refused.values().sum::<usize>(), 1);
    assert!(s.evidence.data_events);
}

#[test]
fn the_suggestion_passes_check_with_nothing_at_medium_or_above() {
    let out = iam_guard().args(["suggest", "--principal", ROLE, TRAIL]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("suggested.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let check = iam_guard().args(["check", "--fail-on", "medium", "--format", "json"]).arg(&file).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    // The evidence went to stderr, the document alone to stdout.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("56 calls of") && stderr.contains("14 days covered"), "{stderr}");
    assert!(stderr.contains("backups/studentData-*.json"), "{stderr}");
    assert!(stderr.contains("kms:Decrypt (AccessDenied)"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["Version"], "2012-10-17");
}

/// A record as CloudTrail writes it for a role session (the record reference's layout).
fn by_role(source: &str, name: &str, params: Value, extra: Value) -> Value {
    let mut r = json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:app",
            "arn": "arn:aws:sts::111122223333:assumed-role/app-role/app", "accountId": ACCOUNT,
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                "arn": "arn:aws:iam::111122223333:role/service-role/app-role", "accountId": ACCOUNT, "userName": "app-role"}}},
        "eventTime": "2026-11-02T10:00:00Z", "eventSource": format!("{source}.amazonaws.com"), "eventName": name,
        "awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.10", "userAgent": "aws-sdk-go-v2/1.30",
        "requestParameters": params, "responseElements": null, "eventType": "AwsApiCall",
        "managementEvent": true, "recipientAccountId": ACCOUNT, "eventCategory": "Management"
    });
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

#[test]
fn dated_lambda_names_pass_role_queues_and_list_calls() {
    let records = vec![
        by_role(
            "lambda",
            "CreateFunction20150331",
            json!({"functionName": "orders", "runtime": "python3.12",
                   "role": "arn:aws:iam::111122223333:role/orders-fn", "handler": "app.handler"}),
            json!({}),
        ),
        by_role(
            "lambda",
            "AddPermission20150331v2",
            json!({"functionName": "arn:aws:lambda:eu-west-1:111122223333:function:orders", "statementId": "api",
                   "action": "lambda:InvokeFunction", "principal": "apigateway.amazonaws.com"}),
            json!({}),
        ),
        by_role(
            "sqs",
            "SendMessage",
            json!({"queueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/orders", "messageBody": "HIDDEN"}),
            json!({"eventCategory": "Data", "managementEvent": false}),
        ),
        by_role(
            "s3",
            "ListObjects",
            json!({"bucketName": "orders-archive", "prefix": "2026/", "Host": "orders-archive.s3.eu-west-1.amazonaws.com"}),
            json!({"eventCategory": "Data", "resources": [
                {"type": "AWS::S3::Object", "ARNPrefix": "arn:aws:s3:::orders-archive/2026/"},
                {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::orders-archive"}]}),
        ),
        by_role("monitoring", "PutMetricData", json!({"namespace": "Orders"}), json!({})),
        by_role(
            "lambda",
            "UpdateFunctionCode20150331v2",
            json!({"functionName": "billing"}),
            json!({"errorCode": "AccessDeniedException", "errorMessage": "not authorized"}),
        ),
        by_role("sts", "GetCallerIdentity", json!(null), json!({})),
        by_role("nosuchservice", "DoThing", json!({}), json!({})),
    ];
    let s = suggest(&records, &Principal::parse("arn:aws:iam::111122223333:role/app-role").unwrap());
    let doc = document(&s);
    let function = "arn:aws:lambda:eu-west-1:111122223333:function:orders";
    for (action, resource) in [
        ("lambda:CreateFunction", function),
        ("lambda:AddPermission", function),
        ("iam:PassRole", "arn:aws:iam::111122223333:role/orders-fn"),
        ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:orders"),
        ("s3:ListBucket", "arn:aws:s3:::orders-archive"),
        ("cloudwatch:PutMetricData", "*"),
    ] {
        assert_eq!(decide(&doc, action, resource), Decision::Allowed, "{action} on {resource}");
    }
    for (action, resource) in [
        ("lambda:UpdateFunctionCode", "arn:aws:lambda:eu-west-1:111122223333:function:billing"),
        ("lambda:CreateFunction", "arn:aws:lambda:eu-west-1:111122223333:function:other"),
        ("iam:PassRole", "arn:aws:iam::111122223333:role/admin"),
        ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:payments"),
        ("s3:GetObject", "arn:aws:s3:::orders-archive/2026/x"),
    ] {
        assert_eq!(decide(&doc, action, resource), Decision::ImplicitDeny, "{action} on {resource}");
    }
    assert_eq!(s.evidence.unmapped.keys().collect::<Vec<_>>(), ["nosuchservice.amazonaws.com DoThing"]);
    assert_eq!(s.evidence.refused.len(), 1);
    // Another role's records, a user of the same name: none of its calls.
    let other = suggest(&records, &Principal::parse("arn:aws:iam::111122223333:user/app-role").unwrap());
    assert!(other.is_empty());
}

#[test]
fn a_management_only_trail_says_what_it_cannot_see() {
    let records = vec![by_role("dynamodb", "DescribeTable", json!({"tableName": "t"}), json!({}))];
    let s = suggest(&records, &Principal::parse("arn:aws:iam::111122223333:role/app-role").unwrap());
    assert!(!s.evidence.data_events);
    assert!(s.evidence.render("app-role").contains("no data events"), "{}", s.evidence.render("app-role"));
    assert_eq!(
        decide(&document(&s), "dynamodb:DescribeTable", "arn:aws:dynamodb:eu-west-1:111122223333:table/t"),
        Decision::Allowed
    );
}

#[test]
fn suggest_reports_bad_input_and_no_calls() {
    let out = iam_guard().args(["suggest", "--principal", "not-an-arn", TRAIL]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--principal \"not-an-arn\""));
    let out =
        iam_guard().args(["suggest", "--principal", "arn:aws:iam::111122223333:role/nobody", TRAIL]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.json"), "{\"foo\": 1}").unwrap();
    let out = iam_guard().args(["suggest", "--principal", ROLE]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("x.json"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn can_answers_with_the_deciding_statement() {
    let out = iam_guard().args(["suggest", "--principal", ROLE, TRAIL]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let can = |action: &str, resource: &str| {
        iam_guard().args(["can", ROLE, action, resource, "--policy"]).arg(&file).output().unwrap()
    };
    let yes = can("dynamodb:Scan", "arn:aws:dynamodb:us-east-1:111122223333:table/studentData");
    assert_eq!(yes.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&yes.stdout).contains("Statement[0] (DynamodbObserved)"));
    let no = can("dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:111122223333:table/studentData");
    assert_eq!(no.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no.stdout).contains("no identity policy allows it"));
    let bad = iam_guard().args(["can", ROLE, "s3:GetObject", "*", "--context", "novalue"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn can_reads_the_principal_from_an_export_with_its_boundary() {
    let export = json!({
        "UserDetailList": [{"UserName": "bounded", "UserId": "AIDA1", "Path": "/",
            "Arn": "arn:aws:iam::111122223333:user/bounded",
            "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
            "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            "GroupList": [], "UserPolicyList": [], "Tags": []}],
        "GroupDetailList": [], "RoleDetailList": [], "Policies": []
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    std::fs::write(&file, export.to_string()).unwrap();
    let can = |action: &str| {
        iam_guard()
            .args(["can", "arn:aws:iam::111122223333:user/bounded", action, "*", "--input"])
            .arg(&file)
            .output()
            .unwrap()
    };
    let read = can("s3:ListAllMyBuckets");
    assert_eq!(read.status.code(), Some(0), "{}", String::from_utf8_lossy(&read.stdout));
    let write = can("iam:CreateUser");
    assert_eq!(write.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&write.stdout).contains("permissions boundary ReadOnlyAccess"));
}

#[test]
fn several_resources_versions_copies_secrets_and_indexes() {
    let records = vec![
        // EC2: both instances of one request; RunInstances names a new instance no record can.
        by_role(
            "ec2",
            "StartInstances",
            json!({"instancesSet": {"items": [{"instanceId": "i-0abc"}, {"instanceId": "i-0def"}]}}),
            json!({}),
        ),
        by_role(
            "ec2",
            "RunInstances",
            json!({"instancesSet": {"items": [{"imageId": "ami-0123", "minCount": 1, "maxCount": 1}]}, "instanceType": "t3.micro"}),
            json!({}),
        ),
        // S3 (data events): a versioned read, and a copy that reads its source.
        by_role(
            "s3",
            "GetObject",
            json!({"bucketName": "reports", "key": "2026/q3.csv", "versionId": "3HL4kqtJlcpXroDTDmJ"}),
            json!({"eventCategory": "Data", "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::reports/2026/q3.csv"}]}),
        ),
        by_role(
            "s3",
            "CopyObject",
            json!({"bucketName": "archive", "key": "q3.csv", "x-amz-copy-source": "reports/2026/q3.csv"}),
            json!({"eventCategory": "Data", "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::archive/q3.csv"}]}),
        ),
        // Secrets Manager by name: the ARN ends in six random characters.
        by_role("secretsmanager", "GetSecretValue", json!({"secretId": "prod/db"}), json!({})),
        // DynamoDB query on an index.
        by_role(
            "dynamodb",
            "Query",
            json!({"tableName": "orders", "indexName": "by-customer"}),
            json!({"eventCategory": "Data", "resources": [{"type": "AWS::DynamoDB::Table",
                   "ARN": "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"}]}),
        ),
    ];
    let s = suggest(&records, &Principal::parse("arn:aws:iam::111122223333:role/app-role").unwrap());
    let doc = document(&s);
    let ec2 = |r: &str| format!("arn:aws:ec2:eu-west-1:111122223333:{r}");
    for (action, resource) in [
        ("ec2:StartInstances", ec2("instance/i-0abc")),
        ("ec2:StartInstances", ec2("instance/i-0def")),
        ("ec2:RunInstances", ec2("instance/i-0new")),
        ("ec2:RunInstances", ec2("subnet/subnet-1")),
        ("s3:GetObjectVersion", "arn:aws:s3:::reports/2026/q3.csv".into()),
        ("s3:GetObject", "arn:aws:s3:::reports/2026/q3.csv".into()),
        ("s3:PutObject", "arn:aws:s3:::archive/q3.csv".into()),
        ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf".into()),
        ("dynamodb:Query", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders".into()),
        ("dynamodb:Query", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/index/by-customer".into()),
    ] {
        assert_eq!(decide(&doc, action, &resource), Decision::Allowed, "{action} on {resource}");
    }
    for (action, resource) in [
        ("ec2:StartInstances", ec2("instance/i-0zzz")),
        ("ec2:RunInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-0new".to_string()),
        ("s3:GetObject", "arn:aws:s3:::reports/2026/q4.csv".into()),
        ("s3:GetObject", "arn:aws:s3:::reports/q3.csv".into()),
        (
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db2-AbCdEf".into(),
        ),
        ("dynamodb:Query", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/index/other".into()),
    ] {
        assert_eq!(decide(&doc, action, &resource), Decision::ImplicitDeny, "{action} on {resource}");
    }
    assert!(s.evidence.partial.iter().any(|p| p.starts_with("ec2:RunInstances")));
}

#[test]
fn the_sweep_says_what_each_detached_grant_should_have_been() {
    let attached: Vec<Value> = ["AmazonDynamoDBFullAccess", "AmazonS3FullAccess", "CloudFrontFullAccess"]
        .iter()
        .map(|p| json!({"PolicyName": p, "PolicyArn": format!("arn:aws:iam::aws:policy/{p}")}))
        .collect();
    let export = json!({
        "RoleDetailList": [{"RoleName": "DynamoDBBackupRole", "RoleId": "AROA1", "Path": "/",
            "Arn": ROLE, "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "AttachedManagedPolicies": attached, "RolePolicyList": [], "InstanceProfileList": [], "Tags": []}],
        "UserDetailList": [], "GroupDetailList": [], "Policies": []
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    std::fs::write(&file, export.to_string()).unwrap();
    let out = iam_guard()
        .args(["sweep", "--input"])
        .arg(&file)
        .args(["--trail", TRAIL, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_policy = |p: &str| {
        report["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["policy_arn"].as_str().unwrap().ends_with(p))
            .cloned()
            .unwrap_or_else(|| panic!("no suggestion for {p}: {report}"))
    };
    let s3 = PolicyDocument::from_value(&by_policy("/AmazonS3FullAccess")["document"]).unwrap();
    assert_eq!(
        decide(&s3, "s3:PutObject", "arn:aws:s3:::student-backups-111122223333/backups/studentData-2026-11-20.json"),
        Decision::Allowed
    );
    assert_eq!(
        decide(&s3, "dynamodb:Scan", "arn:aws:dynamodb:us-east-1:111122223333:table/studentData"),
        Decision::ImplicitDeny
    );
    let cf = by_policy("/CloudFrontFullAccess");
    assert_eq!(cf["document"]["Statement"], json!([]), "never used: nothing to give back");
    assert_eq!(by_policy("/AmazonDynamoDBFullAccess")["calls"], 56);
    let text = iam_guard().args(["sweep", "--input"]).arg(&file).args(["--trail", TRAIL]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("role DynamoDBBackupRole: instead of AmazonDynamoDBFullAccess, grant dynamodb:Scan on"),
        "{text}"
    );
}

#[test]
fn the_evidence_names_the_services_whose_data_events_are_missing() {
    let records = trail_records();
    let s = suggest(&records, &Principal::parse(ROLE).unwrap());
    let text = s.evidence.render(ROLE);
    assert!(text.contains("no lambda data events"), "{text}");
    assert!(!text.contains("no s3 data events") && !text.contains("no dynamodb data events"), "{text}");
    assert_eq!(s.evidence.data_sources.iter().map(String::as_str).collect::<Vec<_>>(), ["dynamodb", "s3"]);
}

#[test]
fn can_takes_the_resources_own_policy() {
    let dir = tempfile::tempdir().unwrap();
    let bucket = dir.path().join("bucket.json");
    std::fs::write(
        &bucket,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"BackupRole","Effect":"Allow",
            "Principal":{"AWS":"arn:aws:iam::111122223333:role/DynamoDBBackupRole"},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}"#,
    )
    .unwrap();
    let can = |extra: &[&str]| {
        iam_guard()
            .args(["can", ROLE, "s3:GetObject", "arn:aws:s3:::shared/report.csv", "--resource-policy"])
            .arg(&bucket)
            .args(extra)
            .output()
            .unwrap()
    };
    // Same account: the bucket policy naming the role is enough.
    let same = can(&[]);
    assert_eq!(same.status.code(), Some(0), "{}", String::from_utf8_lossy(&same.stdout));
    assert!(String::from_utf8_lossy(&same.stdout).contains("(BackupRole)"));
    // Another account's bucket: the role's own policies must allow it too.
    let cross = can(&["--resource-account", "444455556666"]);
    assert_eq!(cross.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&cross.stdout).contains("no identity policy allows it"));
}

#[test]
fn suggest_reads_iam_last_accessed_data_and_names_what_the_records_lack() {
    const REPORT: &str = "events/trails/last-accessed/dynamodb-backup-role.json";
    let out = iam_guard()
        .args(["suggest", "--principal", ROLE, TRAIL, "--last-accessed", REPORT, "--evidence-json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ev: Value = serde_json::from_slice(&out.stderr).unwrap();
    let la = &ev["last_accessed"];
    // GetObject and PutObject are in the records; Logs is attempted (the function's own log
    // writes, which CloudTrail does not record) and named; CloudFront was never used.
    assert_eq!(la["confirmed"], 2, "{la}");
    assert_eq!(la["unseen"].as_object().unwrap().keys().collect::<Vec<_>>(), ["logs:*"], "{la}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!doc.to_string().contains("logs:"), "an unseen service is named, not granted: {doc}");
    // Without the flag the evidence has no such part.
    let plain = iam_guard().args(["suggest", "--principal", ROLE, TRAIL, "--evidence-json"]).output().unwrap();
    let ev: Value = serde_json::from_slice(&plain.stderr).unwrap();
    assert!(ev.get("last_accessed").is_none());
    // A file that is no report, or a job not done, is an error naming the file.
    for (body, why) in
        [(r#"{"Events": []}"#, "no ServicesLastAccessed"), (r#"{"JobStatus": "IN_PROGRESS"}"#, "IN_PROGRESS")]
    {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), body).unwrap();
        let out = iam_guard()
            .args(["suggest", "--principal", ROLE, TRAIL, "--last-accessed", f.path().to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(why) && err.contains(f.path().to_str().unwrap()), "{err}");
    }
}
