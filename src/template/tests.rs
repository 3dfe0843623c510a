//! The fixtures under tests/fixtures/templates read as a user's files would be.

use super::*;
use tree::Pos;

fn read(name: &str) -> Vec<Located> {
    let path = format!("{}/tests/fixtures/templates/{name}", env!("CARGO_MANIFEST_DIR"));
    policies_in(&std::fs::read_to_string(path).unwrap(), Some("111122223333")).unwrap()
}

fn resources(s: &crate::policy::Statement) -> String {
    match &s.resource {
        Some(crate::policy::ResourceSpec::Resource(r)) => r.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(","),
        _ => String::new(),
    }
}

fn labels(found: &[Located]) -> Vec<String> {
    found.iter().map(|l| format!("{} @{} [{}]", l.label, l.at, l.statements.len())).collect()
}

#[test]
fn sam_function_policies_and_resources() {
    let found = read("sam-app.yaml");
    assert_eq!(
        labels(&found),
        [
            "HelloWorldFunction AmazonDynamoDBFullAccess @23:11 [0]",
            "HelloWorldFunction DynamoDBReadPolicy @25:13 [1]",
            "HelloWorldFunction inline policy @26:11 [1]",
            "BackupBucketPolicy resource policy @46:9 [1]",
            "DeployRole trust policy @63:9 [1]",
            "DeployRole deploy @71:13 [2]",
            "DeployRole deploy @71:13 [2]",
        ]
    );
    // The other branch of the Fn::If is a document the stack may deploy too.
    assert_eq!(found[5].variant, None);
    assert_eq!(found[6].variant.as_deref(), Some("IsProd=false"));
    let other = found[6].document.as_ref().unwrap();
    assert_eq!(other.statements[1].effect, crate::policy::Effect::Deny);
    let inline = found[2].document.as_ref().unwrap();
    assert_eq!(found[2].statements[0], Pos { line: 27, column: 15 });
    assert_eq!(resources(&inline.statements[0]), "arn:aws:s3:::backupbucket/*");
    let read_policy = found[1].document.as_ref().unwrap();
    assert!(resources(&read_policy.statements[0]).contains(":table/studentData"), "{read_policy:?}");
    // The condition the default decides: Allow.
    let deploy = found[5].document.as_ref().unwrap();
    assert_eq!(deploy.statements[1].effect, crate::policy::Effect::Allow);
    assert!(found[5].ignore.0.iter().any(|i| i.rule == "wildcard-resource-write" && i.reason.len() > 10));
}

#[test]
fn cloudformation_json_and_terraform_plans() {
    let found = read("cfn-admin.json");
    assert_eq!(labels(&found), ["AdminUser AdministratorAccess @8:12 [0]", "ScopedPolicy @16:11 [2]"]);
    assert_eq!(found[1].statements[1].line, 24);
    let plan = read("plan.json");
    let l = labels(&plan);
    assert_eq!(l[0], "aws_iam_role.app assume_role_policy @14:35 [1]");
    assert!(l[1].starts_with("aws_iam_role_policy_attachment.s3 AmazonS3FullAccess"), "{l:?}");
    assert!(l[2].starts_with("module.data.aws_iam_policy.reader policy"), "{l:?}");
    assert_eq!(plan[0].kind, Some(PolicyKind::Trust));
}

#[test]
fn other_yaml_is_unrecognised() {
    assert!(matches!(policies_in("name: x\nversion: 1\n", None), Err(TemplateError::Unrecognised)));
    assert!(matches!(policies_in("a: [", None), Err(TemplateError::Syntax(_))));
    assert_eq!(read("policy.yaml").len(), 1);
}

#[test]
fn lambda_permission_keeps_every_condition() {
    let t = "Resources:\n  P:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n      FunctionName: f\n      Principal: s3.amazonaws.com\n      SourceAccount: '111122223333'\n      PrincipalOrgID: o-abc\n";
    let found = policies_in(t, None).unwrap();
    let doc = found[0].document.as_ref().unwrap();
    let keys: Vec<String> = doc.statements[0].conditions.iter().map(|c| c.key.to_string()).collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
}

#[test]
fn terraform_unknown_policies_changes_and_state() {
    // The policy unknown at plan time comes from the data source it references; a change the
    // planned values leave out is read from its `after`; a deletion is not judged.
    let found = read("plan-unknown.json");
    let got: Vec<&str> = found.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(got, ["aws_iam_policy.deploy policy", "aws_sqs_queue_policy.jobs policy"]);
    let deploy = found[0].document.as_ref().unwrap();
    assert_eq!(deploy.statements[0].action_patterns(), ["s3:*"]);
    // `terraform show -json` of a state: its values.
    let found = read("state.json");
    let got: Vec<&str> = found.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(got, ["aws_iam_role.ci assume_role_policy", "aws_iam_role.ci AdministratorAccess"]);
}

#[test]
fn cdk_synth_output() {
    // The layout `cdk synth` writes (cdk.out/*.template.json): hashed logical ids, Fn::Join ARNs,
    // AWS::NoValue in lists, the CDK's metadata resource, bootstrap parameter and rule.
    let found = read("cdk-synth.template.json");
    let got: Vec<&str> = found.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        got,
        [
            "HandlerServiceRoleFCDC14AE trust policy",
            "HandlerServiceRoleFCDC14AE AWSLambdaBasicExecutionRole",
            "HandlerServiceRoleDefaultPolicyCBD0CC91",
        ]
    );
    assert_eq!(
        found[1].managed.as_ref().map(|m| m.1.as_str()),
        Some("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    );
    let policy = found[2].document.as_ref().unwrap();
    assert_eq!(resources(&policy.statements[0]), "arn:aws:dynamodb:us-east-1:111122223333:table/TableCD117FA1");
    assert_eq!(found[2].resource, "HandlerServiceRoleDefaultPolicyCBD0CC91");
}
