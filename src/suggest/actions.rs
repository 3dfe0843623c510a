//! Which IAM actions a recorded call needs. Most calls are `prefix:Operation` once the
//! service's IAM prefix is known (`data/event-sources.tsv`, generated from botocore's service
//! models by `scripts/gen-suggest-data`); [`EXCEPTIONS`] lists the operations authorized by an
//! action of another name, from each service's "actions, resources and condition keys" page and
//! its API permissions reference (S3: "Required permissions for Amazon S3 API operations").

use crate::catalog::{ActionRef, Catalog};
use std::sync::OnceLock;

/// (IAM prefix, operation) → the actions it needs, where they are not `prefix:Operation`.
pub const EXCEPTIONS: &[(&str, &str, &[&str])] = &[
    // Amazon S3 (docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html)
    ("s3", "ListObjects", &["s3:ListBucket"]),
    ("s3", "ListObjectsV2", &["s3:ListBucket"]),
    ("s3", "HeadBucket", &["s3:ListBucket"]),
    ("s3", "HeadObject", &["s3:GetObject"]),
    ("s3", "GetObjectAttributes", &["s3:GetObject", "s3:GetObjectAttributes"]),
    ("s3", "ListObjectVersions", &["s3:ListBucketVersions"]),
    ("s3", "ListBuckets", &["s3:ListAllMyBuckets"]),
    ("s3", "ListMultipartUploads", &["s3:ListBucketMultipartUploads"]),
    ("s3", "ListParts", &["s3:ListMultipartUploadParts"]),
    ("s3", "CreateMultipartUpload", &["s3:PutObject"]),
    ("s3", "UploadPart", &["s3:PutObject"]),
    ("s3", "CompleteMultipartUpload", &["s3:PutObject"]),
    ("s3", "UploadPartCopy", &["s3:PutObject"]),
    ("s3", "CopyObject", &["s3:PutObject"]),
    ("s3", "DeleteObjects", &["s3:DeleteObject"]),
    ("s3", "GetBucketCors", &["s3:GetBucketCORS"]),
    ("s3", "PutBucketCors", &["s3:PutBucketCORS"]),
    ("s3", "DeleteBucketCors", &["s3:PutBucketCORS"]),
    ("s3", "GetBucketEncryption", &["s3:GetEncryptionConfiguration"]),
    ("s3", "PutBucketEncryption", &["s3:PutEncryptionConfiguration"]),
    ("s3", "DeleteBucketEncryption", &["s3:PutEncryptionConfiguration"]),
    ("s3", "GetBucketLifecycleConfiguration", &["s3:GetLifecycleConfiguration"]),
    ("s3", "GetBucketLifecycle", &["s3:GetLifecycleConfiguration"]),
    ("s3", "PutBucketLifecycleConfiguration", &["s3:PutLifecycleConfiguration"]),
    ("s3", "PutBucketLifecycle", &["s3:PutLifecycleConfiguration"]),
    ("s3", "DeleteBucketLifecycle", &["s3:PutLifecycleConfiguration"]),
    ("s3", "GetBucketNotificationConfiguration", &["s3:GetBucketNotification"]),
    ("s3", "PutBucketNotificationConfiguration", &["s3:PutBucketNotification"]),
    ("s3", "GetBucketReplication", &["s3:GetReplicationConfiguration"]),
    ("s3", "PutBucketReplication", &["s3:PutReplicationConfiguration"]),
    ("s3", "DeleteBucketReplication", &["s3:PutReplicationConfiguration"]),
    ("s3", "DeleteBucketPolicy", &["s3:DeleteBucketPolicy"]),
    ("s3", "GetBucketAnalyticsConfiguration", &["s3:GetAnalyticsConfiguration"]),
    ("s3", "GetBucketInventoryConfiguration", &["s3:GetInventoryConfiguration"]),
    ("s3", "GetBucketMetricsConfiguration", &["s3:GetMetricsConfiguration"]),
    ("s3", "GetObjectLockConfiguration", &["s3:GetBucketObjectLockConfiguration"]),
    ("s3", "PutObjectLockConfiguration", &["s3:PutBucketObjectLockConfiguration"]),
    ("s3", "GetPublicAccessBlock", &["s3:GetBucketPublicAccessBlock"]),
    ("s3", "PutPublicAccessBlock", &["s3:PutBucketPublicAccessBlock"]),
    ("s3", "DeletePublicAccessBlock", &["s3:PutBucketPublicAccessBlock"]),
    ("s3", "DeleteBucketTagging", &["s3:PutBucketTagging"]),
    ("s3", "DeleteBucketWebsite", &["s3:DeleteBucketWebsite"]),
    ("s3", "GetBucketIntelligentTieringConfiguration", &["s3:GetIntelligentTieringConfiguration"]),
    ("s3", "GetBucketOwnershipControls", &["s3:GetBucketOwnershipControls"]),
    ("s3", "SelectObjectContent", &["s3:GetObject"]),
    ("s3", "RestoreObject", &["s3:RestoreObject"]),
    // AWS Lambda (docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html)
    ("lambda", "Invoke", &["lambda:InvokeFunction"]),
    ("lambda", "InvokeWithResponseStream", &["lambda:InvokeFunction"]),
    ("lambda", "GetFunctionConfiguration", &["lambda:GetFunctionConfiguration"]),
    ("lambda", "ListFunctions", &["lambda:ListFunctions"]),
    // Amazon SQS: batch calls are authorized by their single-message actions.
    ("sqs", "SendMessageBatch", &["sqs:SendMessage"]),
    ("sqs", "DeleteMessageBatch", &["sqs:DeleteMessage"]),
    ("sqs", "ChangeMessageVisibilityBatch", &["sqs:ChangeMessageVisibility"]),
    // Amazon SNS
    ("sns", "PublishBatch", &["sns:Publish"]),
    // Amazon SES API v2's sending call (SendEmail covers raw and templated mail).
    ("ses", "SendBulkEmail", &["ses:SendBulkEmail"]),
    // Amazon DynamoDB: PartiQL statements run as the item actions they read or write.
    ("dynamodb", "ExecuteStatement", &["dynamodb:PartiQLSelect"]),
    // AWS STS
    ("sts", "GetCallerIdentity", &[]),
    // Amazon EC2 Instance Connect, Systems Manager sessions: named as IAM names them.
    ("ssm", "ResumeSession", &["ssm:ResumeSession"]),
    // Amazon CloudWatch Logs: the console's and SDK's filter call.
    ("logs", "FilterLogEvents", &["logs:FilterLogEvents"]),
];

/// What a call maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// These actions (an empty list: the call needs no permission, e.g. GetCallerIdentity).
    Actions(Vec<ActionRef>),
    /// The service host is not known.
    UnknownService,
    /// The service is known, the operation is no action of it.
    UnknownOperation(String),
}

/// The IAM prefix of a CloudTrail event source host (`monitoring` → `cloudwatch`).
pub fn prefix_of(source: &str) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        include_str!("data/event-sources.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .collect()
    });
    table.binary_search_by(|(h, _)| (*h).cmp(source)).ok().map(|i| table[i].1)
}

/// The actions a call of `operation` (undated) on `source` needs.
pub fn actions_for(source: &str, operation: &str) -> Mapped {
    let Some(prefix) = prefix_of(source) else { return Mapped::UnknownService };
    let catalog = Catalog::global();
    if let Some((_, _, names)) = EXCEPTIONS.iter().find(|(p, op, _)| *p == prefix && op.eq_ignore_ascii_case(operation))
    {
        return Mapped::Actions(names.iter().filter_map(|n| catalog.lookup(n)).collect());
    }
    match catalog.lookup(&format!("{prefix}:{operation}")) {
        Some(a) => Mapped::Actions(vec![a]),
        None => Mapped::UnknownOperation(format!("{prefix}:{operation}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(m: Mapped) -> Vec<String> {
        match m {
            Mapped::Actions(a) => a.iter().map(|a| a.full_name()).collect(),
            other => panic!("not mapped: {other:?}"),
        }
    }

    #[test]
    fn most_calls_are_prefix_and_operation() {
        assert_eq!(names(actions_for("dynamodb", "Scan")), ["dynamodb:Scan"]);
        assert_eq!(names(actions_for("monitoring", "PutMetricData")), ["cloudwatch:PutMetricData"]);
        assert_eq!(names(actions_for("ses", "SendEmail")), ["ses:SendEmail"]);
        assert_eq!(names(actions_for("lambda", "AddPermission")), ["lambda:AddPermission"]);
        assert_eq!(names(actions_for("kms", "GenerateDataKey")), ["kms:GenerateDataKey"]);
        assert_eq!(names(actions_for("logs", "CreateLogStream")), ["logs:CreateLogStream"]);
        assert_eq!(names(actions_for("ecr", "GetAuthorizationToken")), ["ecr:GetAuthorizationToken"]);
        assert_eq!(names(actions_for("states", "StartExecution")), ["states:StartExecution"]);
    }

    #[test]
    fn exceptions_name_the_action_that_authorizes_the_call() {
        assert_eq!(names(actions_for("s3", "ListObjectsV2")), ["s3:ListBucket"]);
        assert_eq!(names(actions_for("s3", "HeadObject")), ["s3:GetObject"]);
        assert_eq!(names(actions_for("s3", "ListBuckets")), ["s3:ListAllMyBuckets"]);
        assert_eq!(names(actions_for("lambda", "Invoke")), ["lambda:InvokeFunction"]);
        assert_eq!(names(actions_for("sqs", "SendMessageBatch")), ["sqs:SendMessage"]);
        assert!(names(actions_for("sts", "GetCallerIdentity")).is_empty());
    }

    #[test]
    fn every_exception_names_catalogue_actions() {
        let c = Catalog::global();
        for (p, op, names) in EXCEPTIONS {
            assert!(prefix_of(p).is_some(), "{p}");
            for n in *names {
                assert!(c.lookup(n).is_some(), "{p}:{op} → {n} is no catalogue action");
            }
        }
    }

    #[test]
    fn unknown_hosts_and_operations_are_said() {
        assert_eq!(actions_for("nosuch", "X"), Mapped::UnknownService);
        assert_eq!(actions_for("s3", "FlyToTheMoon"), Mapped::UnknownOperation("s3:FlyToTheMoon".into()));
    }
}
