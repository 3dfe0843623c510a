//! What the guard changes on a resource to take outside access back, each with its inverse and
//! the AWS CLI commands that carry it out and restore it. The adapter makes the calls.

use super::{Resource, ResourceKind};
use serde::{Deserialize, Serialize};

/// A change to a resource's access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fix", rename_all = "snake_case")]
pub enum ResourceFix {
    /// Put the policy without the offending statements; with nothing left, delete the policy (a
    /// KMS key's policy is never deleted: the guard keeps its statements for the account).
    SetPolicy {
        /// The resource.
        resource: Resource,
        /// The policy put (`None`: the policy is deleted).
        #[serde(skip_serializing_if = "Option::is_none")]
        policy: Option<String>,
        /// The policy before (`None`: it had none), restored verbatim by the inverse.
        #[serde(skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
        /// The statements removed (0-based, as in the findings).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        removed: Vec<usize>,
    },
    /// Remove one statement by its id (a Lambda permission, an EventBridge permission, an SQS or
    /// SNS permission label).
    RemoveStatement {
        /// The resource.
        resource: Resource,
        /// The statement id or label.
        id: String,
        /// The statement (JSON), for the inverse.
        statement: String,
    },
    /// Add a statement back under its id (undo of a removal).
    AddStatement {
        /// The resource.
        resource: Resource,
        /// The statement id or label.
        id: String,
        /// The statement (JSON).
        statement: String,
    },
    /// Remove accounts (or `all`) from an image's or snapshot's permission.
    Unshare {
        /// The resource.
        resource: Resource,
        /// The account ids, or `all`.
        accounts: Vec<String>,
    },
    /// Add accounts (or `all`) to an image's or snapshot's permission (undo of an unshare).
    Share {
        /// The resource.
        resource: Resource,
        /// The account ids, or `all`.
        accounts: Vec<String>,
    },
    /// Revoke a KMS grant (a grant cannot be recreated as it was: the restore command makes an
    /// equivalent one).
    RevokeGrant {
        /// The key.
        resource: Resource,
        /// The grant id.
        grant_id: String,
        /// Who it was for.
        grantee: String,
        /// What it allowed (`Decrypt`, …).
        operations: Vec<String>,
    },
}

impl ResourceFix {
    /// The resource it changes.
    pub fn resource(&self) -> &Resource {
        match self {
            ResourceFix::SetPolicy { resource, .. }
            | ResourceFix::RemoveStatement { resource, .. }
            | ResourceFix::AddStatement { resource, .. }
            | ResourceFix::Unshare { resource, .. }
            | ResourceFix::Share { resource, .. }
            | ResourceFix::RevokeGrant { resource, .. } => resource,
        }
    }

    /// What the guard does, for people.
    pub fn describe(&self) -> String {
        let r = self.resource();
        let policy = r.kind.info().policy;
        match self {
            ResourceFix::SetPolicy { policy: None, previous: None, .. } => format!("leave the {policy} of {r} unset"),
            ResourceFix::SetPolicy { policy: None, .. } => format!("delete the {policy} of {r}"),
            ResourceFix::SetPolicy { removed, previous: Some(_), .. } if !removed.is_empty() => {
                let list: Vec<String> = removed.iter().map(|i| format!("Statement[{i}]")).collect();
                format!("remove {} from the {policy} of {r}", list.join(", "))
            }
            ResourceFix::SetPolicy { .. } => format!("put the {policy} of {r} back as it was"),
            ResourceFix::RemoveStatement { id, .. } => format!("remove permission {id} from the {policy} of {r}"),
            ResourceFix::AddStatement { id, .. } => format!("add permission {id} back to the {policy} of {r}"),
            ResourceFix::Unshare { accounts, .. } => format!("stop sharing {r} with {}", accounts.join(", ")),
            ResourceFix::Share { accounts, .. } => format!("share {r} with {} again", accounts.join(", ")),
            ResourceFix::RevokeGrant { grant_id, grantee, .. } => {
                format!("revoke grant {grant_id} of {r} (to {grantee})")
            }
        }
    }

    /// What undoes it exactly, when something can.
    pub fn inverse(&self) -> Option<ResourceFix> {
        Some(match self.clone() {
            ResourceFix::SetPolicy { resource, policy, previous, removed } => {
                ResourceFix::SetPolicy { resource, policy: previous, previous: policy, removed }
            }
            ResourceFix::RemoveStatement { resource, id, statement } => {
                ResourceFix::AddStatement { resource, id, statement }
            }
            ResourceFix::AddStatement { resource, id, statement } => {
                ResourceFix::RemoveStatement { resource, id, statement }
            }
            ResourceFix::Unshare { resource, accounts } => ResourceFix::Share { resource, accounts },
            ResourceFix::Share { resource, accounts } => ResourceFix::Unshare { resource, accounts },
            ResourceFix::RevokeGrant { .. } => return None,
        })
    }

    /// The AWS CLI command that undoes it.
    pub fn restore_command(&self) -> String {
        match (self.inverse(), self) {
            (Some(inverse), _) => inverse.command(),
            (None, ResourceFix::RevokeGrant { resource, grantee, operations, .. }) => format!(
                "aws kms create-grant --key-id {} --grantee-principal {grantee} --operations {} --region {}",
                resource.arn,
                operations.join(" "),
                resource.region
            ),
            (None, other) => other.command(),
        }
    }

    /// The AWS CLI command that carries it out.
    pub fn command(&self) -> String {
        let r = self.resource();
        let region = format!(" --region {}", r.region);
        let cmd = match self {
            ResourceFix::SetPolicy { policy: Some(_), .. } => put_policy(r),
            ResourceFix::SetPolicy { policy: None, .. } => delete_policy(r),
            ResourceFix::RemoveStatement { id, .. } => remove_statement(r, id),
            ResourceFix::AddStatement { id, statement, .. } => add_statement(r, id, statement),
            ResourceFix::Unshare { accounts, .. } => share(r, accounts, "remove"),
            ResourceFix::Share { accounts, .. } => share(r, accounts, "add"),
            ResourceFix::RevokeGrant { grant_id, .. } => {
                format!("aws kms revoke-grant --key-id {} --grant-id {grant_id}", r.arn)
            }
        };
        match cmd.split_once("  (") {
            Some((cmd, note)) => format!("{cmd}{region}  ({note}"),
            None => format!("{cmd}{region}"),
        }
    }
}

/// `aws s3api put-bucket-policy --bucket photos --policy file://policy.json`, and the like.
fn put_policy(r: &Resource) -> String {
    let n = r.name();
    let file = "file://policy.json  (the document is in this alert)";
    match r.kind {
        ResourceKind::S3Bucket => format!("aws s3api put-bucket-policy --bucket {n} --policy {file}"),
        ResourceKind::S3AccessPoint => {
            format!("aws s3control put-access-point-policy --account-id {} --name {n} --policy {file}", r.account())
        }
        ResourceKind::KmsKey => format!("aws kms put-key-policy --key-id {n} --policy-name default --policy {file}"),
        ResourceKind::SqsQueue => {
            format!("aws sqs set-queue-attributes --queue-url {} --attributes Policy={file}", r.queue_url())
        }
        ResourceKind::SnsTopic => format!(
            "aws sns set-topic-attributes --topic-arn {} --attribute-name Policy --attribute-value {file}",
            r.arn
        ),
        ResourceKind::Secret => {
            format!("aws secretsmanager put-resource-policy --secret-id {} --resource-policy {file}", r.arn)
        }
        ResourceKind::EcrRepository => {
            format!("aws ecr set-repository-policy --repository-name {n} --policy-text {file}")
        }
        ResourceKind::EventBus => format!("aws events put-permission --event-bus-name {n} --policy {file}"),
        ResourceKind::EfsFileSystem => format!("aws efs put-file-system-policy --file-system-id {n} --policy {file}"),
        ResourceKind::DynamoDbTable => {
            format!("aws dynamodb put-resource-policy --resource-arn {} --policy {file}", r.arn)
        }
        ResourceKind::LambdaFunction
        | ResourceKind::LambdaLayer
        | ResourceKind::Ec2Image
        | ResourceKind::Ec2Snapshot
        | ResourceKind::RdsSnapshot
        | ResourceKind::RdsClusterSnapshot => {
            format!("# the {} of {r} is changed by statement or share", r.kind.info().policy)
        }
    }
}

/// `aws s3api delete-bucket-policy --bucket photos`, and the like.
fn delete_policy(r: &Resource) -> String {
    let n = r.name();
    match r.kind {
        ResourceKind::S3Bucket => format!("aws s3api delete-bucket-policy --bucket {n}"),
        ResourceKind::S3AccessPoint => {
            format!("aws s3control delete-access-point-policy --account-id {} --name {n}", r.account())
        }
        ResourceKind::SqsQueue => {
            format!("aws sqs set-queue-attributes --queue-url {} --attributes Policy=''", r.queue_url())
        }
        ResourceKind::SnsTopic => {
            format!("aws sns set-topic-attributes --topic-arn {} --attribute-name Policy --attribute-value ''", r.arn)
        }
        ResourceKind::Secret => format!("aws secretsmanager delete-resource-policy --secret-id {}", r.arn),
        ResourceKind::EcrRepository => format!("aws ecr delete-repository-policy --repository-name {n}"),
        ResourceKind::EfsFileSystem => format!("aws efs delete-file-system-policy --file-system-id {n}"),
        ResourceKind::DynamoDbTable => format!("aws dynamodb delete-resource-policy --resource-arn {}", r.arn),
        _ => put_policy(r),
    }
}

/// `aws lambda remove-permission --function-name guide --statement-id ID`, and the like.
fn remove_statement(r: &Resource, id: &str) -> String {
    let n = r.name();
    match r.kind {
        ResourceKind::LambdaFunction => format!("aws lambda remove-permission --function-name {n} --statement-id {id}"),
        ResourceKind::LambdaLayer => {
            let (layer, version) = n.rsplit_once(':').unwrap_or((n, "1"));
            format!(
                "aws lambda remove-layer-version-permission --layer-name {layer} --version-number {version} \
                 --statement-id {id}"
            )
        }
        ResourceKind::EventBus => format!("aws events remove-permission --event-bus-name {n} --statement-id {id}"),
        ResourceKind::SqsQueue => format!("aws sqs remove-permission --queue-url {} --label {id}", r.queue_url()),
        ResourceKind::SnsTopic => format!("aws sns remove-permission --topic-arn {} --label {id}", r.arn),
        _ => format!("# remove statement {id} from the {} of {r}", r.kind.info().policy),
    }
}

/// The command that adds a statement back: Lambda's add-permission from the statement's parts;
/// elsewhere the policy with the statement (the document is in the alert).
fn add_statement(r: &Resource, id: &str, statement: &str) -> String {
    let parts = StatementParts::of(statement);
    let n = r.name();
    match r.kind {
        ResourceKind::LambdaFunction => {
            let principal = if parts.principal == "*" { "'*'".to_string() } else { parts.principal.clone() };
            let mut cmd = format!(
                "aws lambda add-permission --function-name {n} --statement-id {id} --action {} --principal {principal}",
                parts.action
            );
            for (flag, value) in &parts.conditions {
                let value = if value.contains('*') { format!("'{value}'") } else { value.clone() };
                cmd.push_str(&format!(" --{flag} {value}"));
            }
            cmd
        }
        ResourceKind::LambdaLayer => {
            let (layer, version) = n.rsplit_once(':').unwrap_or((n, "1"));
            format!(
                "aws lambda add-layer-version-permission --layer-name {layer} --version-number {version} \
                 --statement-id {id} --action {} --principal {}",
                parts.action, parts.principal
            )
        }
        _ => put_policy(r),
    }
}

/// `aws ec2 modify-snapshot-attribute … --operation-type remove --user-ids 444455556666`, and the
/// like.
fn share(r: &Resource, accounts: &[String], op: &str) -> String {
    let n = r.name();
    let all = accounts.iter().any(|a| a.eq_ignore_ascii_case("all"));
    let ids: Vec<&str> = accounts.iter().map(String::as_str).filter(|a| !a.eq_ignore_ascii_case("all")).collect();
    let ids = ids.join(" ");
    match r.kind {
        ResourceKind::Ec2Image | ResourceKind::Ec2Snapshot => {
            let (cmd, id_flag, attr) = match r.kind {
                ResourceKind::Ec2Image => ("modify-image-attribute", "--image-id", "launchPermission"),
                _ => ("modify-snapshot-attribute", "--snapshot-id", "createVolumePermission"),
            };
            let who = if all { "--group-names all".to_string() } else { format!("--user-ids {ids}") };
            format!("aws ec2 {cmd} {id_flag} {n} --attribute {attr} --operation-type {op} {who}")
        }
        ResourceKind::RdsSnapshot | ResourceKind::RdsClusterSnapshot => {
            let (cmd, id_flag) = match r.kind {
                ResourceKind::RdsSnapshot => ("modify-db-snapshot-attribute", "--db-snapshot-identifier"),
                _ => ("modify-db-cluster-snapshot-attribute", "--db-cluster-snapshot-identifier"),
            };
            let values = if all { "all".to_string() } else { ids };
            format!("aws rds {cmd} {id_flag} {n} --attribute-name restore --values-to-{op} {values}")
        }
        _ => format!("# {op} {} on {r}", accounts.join(", ")),
    }
}

/// What `lambda add-permission` needs from a function policy statement.
struct StatementParts {
    action: String,
    principal: String,
    /// (flag, value): source-arn, source-account, principal-org-id, function-url-auth-type.
    conditions: Vec<(&'static str, String)>,
}

impl StatementParts {
    fn of(statement: &str) -> StatementParts {
        let v: serde_json::Value = serde_json::from_str(statement).unwrap_or_default();
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) => a.first().and_then(|x| x.as_str()).unwrap_or_default().to_string(),
            _ => String::new(),
        };
        let principal = match &v["Principal"] {
            serde_json::Value::Object(m) => m.values().next().map(text).unwrap_or_default(),
            other => text(other),
        };
        let mut conditions = Vec::new();
        if let Some(ops) = v["Condition"].as_object() {
            for (_, keys) in ops {
                for (key, value) in keys.as_object().into_iter().flatten() {
                    let flag = match key.to_ascii_lowercase().as_str() {
                        "aws:sourcearn" => "source-arn",
                        "aws:sourceaccount" => "source-account",
                        "aws:principalorgid" => "principal-org-id",
                        "lambda:functionurlauthtype" => "function-url-auth-type",
                        _ => continue,
                    };
                    conditions.push((flag, text(value)));
                }
            }
        }
        StatementParts { action: text(&v["Action"]), principal, conditions }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function() -> Resource {
        Resource {
            kind: ResourceKind::LambdaFunction,
            arn: "arn:aws:lambda:us-east-1:111122223333:function:guide".into(),
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn a_removed_lambda_permission_is_restored_by_add_permission_with_its_conditions() {
        let statement = r#"{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:guide","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:111122223333:abc/*"}}}"#;
        let fix =
            ResourceFix::RemoveStatement { resource: function(), id: "apigw".into(), statement: statement.into() };
        assert_eq!(
            fix.command(),
            "aws lambda remove-permission --function-name guide --statement-id apigw --region us-east-1"
        );
        assert_eq!(
            fix.restore_command(),
            "aws lambda add-permission --function-name guide --statement-id apigw --action lambda:InvokeFunction \
             --principal apigateway.amazonaws.com --source-arn 'arn:aws:execute-api:us-east-1:111122223333:abc/*' \
             --region us-east-1"
        );
        assert_eq!(fix.inverse().unwrap().inverse().unwrap(), fix);
    }

    #[test]
    fn a_policy_fix_restores_the_previous_policy_and_a_share_its_accounts() {
        let bucket =
            Resource { kind: ResourceKind::S3Bucket, arn: "arn:aws:s3:::photos".into(), region: "eu-west-1".into() };
        let fix =
            ResourceFix::SetPolicy { resource: bucket, policy: None, previous: Some("{}".into()), removed: vec![0] };
        assert_eq!(fix.command(), "aws s3api delete-bucket-policy --bucket photos --region eu-west-1");
        assert!(fix.restore_command().starts_with("aws s3api put-bucket-policy --bucket photos --policy file://policy.json --region eu-west-1  (the document"), "{}", fix.restore_command());
        let snap = Resource {
            kind: ResourceKind::Ec2Snapshot,
            arn: "arn:aws:ec2:us-east-1::snapshot/snap-1".into(),
            region: "us-east-1".into(),
        };
        let fix = ResourceFix::Unshare { resource: snap, accounts: vec!["all".into()] };
        assert_eq!(
            fix.command(),
            "aws ec2 modify-snapshot-attribute --snapshot-id snap-1 --attribute createVolumePermission --operation-type remove --group-names all --region us-east-1"
        );
        assert!(fix.restore_command().contains("--operation-type add --group-names all"));
    }
}
