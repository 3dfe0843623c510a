//! Every envelope shape, errors that name the field, and no panics on arbitrary JSON.

use base64::Engine as _;
use iam_guard::intake::{self, Action, Intake, IntakeError, Outcome};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::io::Write;

mod support;

use support::eventbridge;

fn record(name: &str, req: Value) -> Value {
    let who = json!({"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/bob", "accountId": "111122223333", "userName": "bob"});
    support::record(&format!("id-{name}"), name, who, req, Value::Null)
}

fn attach() -> Value {
    record("AttachRolePolicy", json!({"roleName": "r", "policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}))
}

fn changes(i: Intake) -> Vec<Result<Vec<Outcome>, IntakeError>> {
    match i {
        Intake::Deliveries { deliveries, .. } => deliveries.into_iter().map(|d| d.outcome).collect(),
        Intake::Sweep(_) => panic!("sweep"),
    }
}

fn one_change(v: Value) -> Box<intake::Change> {
    let mut d = changes(intake::parse(v).unwrap());
    let Ok(mut o) = d.remove(0) else { panic!("error") };
    match o.remove(0) {
        Outcome::Change(c) => c,
        Outcome::Ignored(i) => panic!("ignored: {}", i.reason),
    }
}

#[test]
fn eventbridge_raw_record_and_log_file_give_the_same_change() {
    let a = one_change(eventbridge(attach()));
    let b = one_change(attach());
    let c = one_change(json!({"Records": [attach()]}));
    for x in [&a, &b, &c] {
        assert!(matches!(&x.action, Action::AttachPolicy { target, policy_arn }
            if target.name == "r" && policy_arn.ends_with("AmazonS3FullAccess")));
        assert_eq!(x.event_id, "id-AttachRolePolicy");
    }
}

#[test]
fn cloudwatch_logs_gzip_payload() {
    let data = json!({"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "g", "logStream": "s",
    "subscriptionFilters": ["f"], "logEvents": [
        {"id": "1", "timestamp": 1, "message": attach().to_string()},
        {"id": "2", "timestamp": 2, "message": "not json"},
    ]});
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data.to_string().as_bytes()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
    let Intake::Deliveries { sqs: false, deliveries } = intake::parse(json!({"awslogs": {"data": b64}})).unwrap()
    else {
        panic!()
    };
    assert_eq!(deliveries.len(), 2);
    assert_eq!(deliveries[0].id, "1");
    assert!(matches!(&deliveries[0].outcome, Ok(o) if matches!(o[0], Outcome::Change(_))));
    let err = deliveries[1].outcome.as_ref().unwrap_err().to_string();
    assert!(err.starts_with("logEvents[2].message"), "{err}");
    // Not base64/gzip: an error naming awslogs.data.
    let e = intake::parse(json!({"awslogs": {"data": "!!!"}})).unwrap_err().to_string();
    assert!(e.starts_with("awslogs.data"), "{e}");
}

#[test]
fn sqs_batch_reports_each_message() {
    let body = |v: Value| v.to_string();
    let batch = json!({"Records": [
        {"messageId": "m1", "body": body(eventbridge(attach())), "eventSource": "aws:sqs"},
        {"messageId": "m2", "body": "{\"detail-type\": ", "eventSource": "aws:sqs"},
        {"messageId": "m3", "body": body(eventbridge(record("ListRoles", json!({})))), "eventSource": "aws:sqs"},
        {"messageId": "m4", "body": body(eventbridge(record("PutRolePolicy", json!({"roleName": "r", "policyName": "p"})))), "eventSource": "aws:sqs"},
    ]});
    let Intake::Deliveries { sqs: true, deliveries } = intake::parse(batch).unwrap() else { panic!() };
    let ids: Vec<&str> = deliveries.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["m1", "m2", "m3", "m4"]);
    assert!(deliveries[0].outcome.is_ok());
    assert!(deliveries[1].outcome.as_ref().unwrap_err().to_string().starts_with("Records[1].body: not JSON"));
    assert!(
        matches!(&deliveries[2].outcome, Ok(o) if matches!(&o[0], Outcome::Ignored(i) if i.reason.contains("ListRoles")))
    );
    assert_eq!(
        deliveries[3].outcome.as_ref().unwrap_err().to_string(),
        "missing field detail.requestParameters.policyDocument"
    );
}

#[test]
fn scheduled_event_is_a_sweep() {
    let v = json!({"version": "0", "id": "s1", "detail-type": "Scheduled Event", "source": "aws.events",
                   "account": "111122223333", "time": "2026-11-21T03:00:00Z", "region": "us-east-1", "resources": [], "detail": {}});
    let Intake::Sweep(s) = intake::parse(v).unwrap() else { panic!() };
    assert_eq!(s.account_id.as_deref(), Some("111122223333"));
    assert_eq!(s.time.to_rfc3339(), "2026-11-21T03:00:00+00:00");
}

#[test]
fn ignored_with_reasons() {
    let mut failed = attach();
    failed["errorCode"] = json!("NoSuchEntity");
    failed["errorMessage"] = json!("no");
    // A refusal for want of permission is a denied call, not ignored (the guard notices what it broke).
    let mut refused = attach();
    refused["errorCode"] = json!("AccessDenied");
    let mut d = changes(intake::parse(refused).unwrap());
    let Ok(mut o) = d.remove(0) else { panic!() };
    let Outcome::Change(c) = o.remove(0) else { panic!("not a change") };
    assert!(
        matches!(&c.action, Action::Denied { needs, .. } if needs[0].0 == "iam:AttachRolePolicy"),
        "{:?}",
        c.action
    );
    let mut other_source = attach();
    other_source["eventSource"] = json!("cloudformation.amazonaws.com");
    let mut not_iam_eb = eventbridge(attach());
    not_iam_eb["source"] = json!("aws.cloudformation");
    for (v, want) in [
        (failed, "the call failed (NoSuchEntity: no)"),
        (other_source, "event source cloudformation.amazonaws.com is not IAM, IAM Identity Center or a service"),
        (not_iam_eb, "event source aws.cloudformation is not one whose calls the guard judges"),
        (record("DeleteRole", json!({"roleName": "r"})), "DeleteRole is not an event the guard judges"),
    ] {
        let mut d = changes(intake::parse(v).unwrap());
        let Ok(mut o) = d.remove(0) else { panic!() };
        let Outcome::Ignored(i) = o.remove(0) else { panic!("not ignored") };
        assert!(i.reason.starts_with(want), "{} vs {want}", i.reason);
    }
}

#[test]
fn malformed_envelopes_name_the_field() {
    let err = |v: Value| -> String {
        match intake::parse(v) {
            Err(e) => e.to_string(),
            Ok(i) => changes(i).remove(0).unwrap_err().to_string(),
        }
    };
    assert!(err(json!([1, 2])).starts_with("unrecognised input"));
    assert!(err(json!({"hello": 1})).starts_with("unrecognised input"));
    let mut no_time = attach();
    no_time.as_object_mut().unwrap().remove("eventTime");
    assert_eq!(err(eventbridge(no_time)), "missing field detail.eventTime");
    let mut bad_time = attach();
    bad_time["eventTime"] = json!("yesterday");
    assert!(err(bad_time).starts_with("record.eventTime: \"yesterday\" is not an RFC 3339 time"));
    let mut no_arn = attach();
    no_arn["requestParameters"] = json!({"roleName": "r"});
    assert_eq!(err(no_arn), "missing field record.requestParameters.policyArn");
    let bad_doc = record(
        "PutUserPolicy",
        json!({"userName": "u", "policyName": "p", "policyDocument": "{\"Statement\": [{\"Effect\": \"Maybe\", \"Action\": \"*\"}]}"}),
    );
    assert_eq!(
        err(bad_doc),
        "record.requestParameters.policyDocument: Statement[0].Effect: expected \"Allow\" or \"Deny\", got \"Maybe\""
    );
    assert_eq!(
        err(eventbridge(json!(null)).as_object().unwrap().clone().into_iter().filter(|(k, _)| k != "detail").collect()),
        "missing field detail"
    );
    assert!(intake::parse_str("{not json").unwrap_err().to_string().starts_with("input is not JSON"));
}

#[test]
fn url_encoded_documents_from_response_elements() {
    // CreateRole whose requestParameters lack the document: the URL-encoded copy in
    // responseElements.role is used.
    let mut r = record("CreateRole", json!({"roleName": "x"}));
    r["responseElements"] = json!({"role": {"roleName": "x", "assumeRolePolicyDocument":
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%22%2A%22%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"}});
    let c = one_change(r);
    let Action::CreateRole { trust_policy, .. } = &c.action else { panic!() };
    assert!(trust_policy.text.starts_with("{\"Version\""), "decoded for the alert: {}", trust_policy.text);
    assert_eq!(trust_policy.document.statements.len(), 1);
}

#[test]
fn access_key_for_self_uses_the_caller() {
    let c = one_change(record("CreateAccessKey", json!({})));
    assert!(matches!(&c.action, Action::CreateAccessKey { user, .. } if user == "bob"));
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-zA-Z:*%{}\"]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "iam.amazonaws.com",
            "AttachRolePolicy",
            "aws.iam",
            "AWS API Call via CloudTrail",
            "Scheduled Event",
            "aws:sqs",
            "2026-11-20T10:15:30Z",
            "{\"Statement\":[]}",
            "Root",
            "CreateAccessKey",
            "UpdateAccessKey",
            "UpdateLoginProfile",
            "PutRolePermissionsBoundary",
            "Active",
            "AwsCloudTrailInsight"
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop::sample::select(vec![
            "detail-type",
            "source",
            "detail",
            "Records",
            "eventName",
            "eventSource",
            "eventTime",
            "eventID",
            "requestParameters",
            "responseElements",
            "roleName",
            "policyArn",
            "policyDocument",
            "userIdentity",
            "body",
            "messageId",
            "awslogs",
            "data",
            "errorCode",
            "recipientAccountId",
            "Statement",
            "Effect",
            "Action",
            "type",
            "userName",
            "status",
            "accessKeyId",
            "permissionsBoundary",
            "eventType",
            "digestStartTime",
            "logFiles",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.prop_map(String::from), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    /// Arbitrary JSON never panics the intake: it parses, is ignored, or is an error.
    #[test]
    fn intake_never_panics(v in arb_json()) {
        let _ = intake::parse(v.clone());
        let _ = intake::parse_str(&v.to_string());
    }

    /// Arbitrary JSON never panics the policy parser.
    #[test]
    fn policy_parser_never_panics(v in arb_json()) {
        let _ = iam_guard::policy::PolicyDocument::from_value(&v);
    }

    /// Arbitrary bytes, gzip'd or not, never panic the reader: text or an error.
    #[test]
    fn bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64), gz in any::<bool>()) {
        let input = if gz { [vec![0x1f, 0x8b], bytes].concat() } else { bytes };
        if let Ok(text) = intake::text_of(input) {
            let _ = intake::parse_str(&text);
        }
    }

    /// Arbitrary text never panics either (URL-decoding path included).
    #[test]
    fn text_never_panics(s in "(%[0-9A-Fa-f]{2}|[{}\\[\\]\":,a-z*%])*") {
        let _ = iam_guard::policy::PolicyDocument::parse(&s);
        let _ = intake::parse_str(&s);
    }
}

/// Identity Center records: event source sso.amazonaws.com, recorded in the instance's region
/// (not us-east-1 necessarily), request parameters as the SSO Admin API names them.
#[test]
fn identity_center_records_become_permission_set_changes() {
    let sso = |name: &str, req: Value| {
        let mut r = record(name, req);
        r["eventSource"] = json!("sso.amazonaws.com");
        r["awsRegion"] = json!("eu-west-1");
        r
    };
    let ps = "arn:aws:sso:::permissionSet/ssoins-7223a2f3e1b4c5d6/ps-4d5e6f7a8b9c0d1e";
    let inst = "arn:aws:sso:::instance/ssoins-7223a2f3e1b4c5d6";
    let c = one_change(sso(
        "AttachManagedPolicyToPermissionSet",
        json!({"instanceArn": inst, "permissionSetArn": ps, "managedPolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    ));
    let Action::PermissionSetManagedPolicy { set, policy_arn } = &c.action else { panic!("{:?}", c.action) };
    assert_eq!((set.arn.as_str(), set.instance_arn.as_str(), set.region.as_str()), (ps, inst, "eu-west-1"));
    assert!(policy_arn.ends_with("/AdministratorAccess"));
    assert_eq!(c.region, "eu-west-1");

    let c = one_change(sso(
        "PutPermissionsBoundaryToPermissionSet",
        json!({"instanceArn": inst, "permissionSetArn": ps,
               "permissionsBoundary": {"customerManagedPolicyReference": {"name": "limit", "path": "/b/"}}}),
    ));
    assert!(matches!(&c.action, Action::PermissionSetBoundary { boundary, .. } if boundary == "/b/limit"));

    let c = one_change(sso(
        "CreateAccountAssignment",
        json!({"instanceArn": inst, "permissionSetArn": ps, "targetId": "444455556666", "targetType": "AWS_ACCOUNT",
               "principalType": "USER", "principalId": "u-1"}),
    ));
    assert!(matches!(&c.action, Action::AccountAssignment { target_account, principal_id, .. }
        if target_account == "444455556666" && principal_id == "u-1"));

    // Through EventBridge the source is aws.sso.
    let mut eb = eventbridge(sso(
        "PutInlinePolicyToPermissionSet",
        json!({"instanceArn": inst, "permissionSetArn": ps, "inlinePolicy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}),
    ));
    eb["source"] = json!("aws.sso");
    assert!(matches!(one_change(eb).action, Action::PermissionSetInlinePolicy { .. }));

    // Errors name the field.
    let err = |v: Value| changes(intake::parse(v).unwrap()).remove(0).unwrap_err().to_string();
    let bad_arn = sso(
        "AttachManagedPolicyToPermissionSet",
        json!({"instanceArn": inst, "permissionSetArn": "ps-1", "managedPolicyArn": "arn:aws:iam::aws:policy/X"}),
    );
    assert_eq!(err(bad_arn), "record.requestParameters.permissionSetArn: \"ps-1\" is not a permission set ARN");
    let no_instance =
        sso("AttachManagedPolicyToPermissionSet", json!({"permissionSetArn": ps, "managedPolicyArn": "x"}));
    assert_eq!(err(no_instance), "missing field record.requestParameters.instanceArn");
    // An IAM event name under the SSO source is not judged (and the reverse).
    let wrong = sso("AttachRolePolicy", json!({"roleName": "r", "policyArn": "x"}));
    let Ok(mut o) = changes(intake::parse(wrong).unwrap()).remove(0) else { panic!() };
    assert!(matches!(o.remove(0), Outcome::Ignored(_)));
}
