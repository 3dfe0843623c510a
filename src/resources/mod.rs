//! Resources that carry their own access: a bucket, key, queue, topic, secret, repository or
//! function policy, or a share of an image or snapshot with other accounts. Domain data, shared by
//! intake (the calls that write them), the rules (who they admit), the guard (what it takes away)
//! and the adapters.
//!
//! Adding a resource-policy type: (1) a [`ResourceKind`] variant with its line in [`KINDS`];
//! (2) its CloudTrail calls in `intake/resource_events.rs`; (3) its fix calls in the adapter
//! (`aws/resources.rs`) and, when the policy is written whole, nothing more — the rules, the
//! decision, the alert, the ledger and undo are the same for every kind.

mod compute;
pub mod export;
mod fix;

pub use compute::{Compute, ComputeKind};
pub use fix::ResourceFix;

use serde::{Deserialize, Serialize};

/// The kinds of resources whose policies or shares the guard judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    /// An S3 bucket (bucket policy, ACL, Block Public Access).
    S3Bucket,
    /// An S3 access point (access point policy).
    S3AccessPoint,
    /// A Lambda function (function policy, function URL).
    LambdaFunction,
    /// A Lambda layer version (layer version policy).
    LambdaLayer,
    /// A KMS key (key policy, grants).
    KmsKey,
    /// An SQS queue (queue policy).
    SqsQueue,
    /// An SNS topic (topic policy).
    SnsTopic,
    /// A Secrets Manager secret (resource policy).
    Secret,
    /// An ECR repository (repository policy).
    EcrRepository,
    /// An EventBridge event bus (bus policy).
    EventBus,
    /// An EFS file system (file system policy).
    EfsFileSystem,
    /// A DynamoDB table or stream (resource policy).
    #[serde(rename = "dynamodb-table")]
    DynamoDbTable,
    /// An AMI (launch permission).
    Ec2Image,
    /// An EBS snapshot (create-volume permission).
    Ec2Snapshot,
    /// An RDS DB snapshot (restore attribute).
    RdsSnapshot,
    /// An RDS DB cluster snapshot (restore attribute).
    RdsClusterSnapshot,
}

/// What is known of each kind: its name for people, the IAM service prefix of its actions, and
/// whether a public read-only grant of it is usually deliberate (published layers, AMIs and
/// images: `high` rather than `critical`).
pub struct KindInfo {
    /// The kind.
    pub kind: ResourceKind,
    /// "S3 bucket".
    pub label: &'static str,
    /// "s3".
    pub service: &'static str,
    /// "bucket policy".
    pub policy: &'static str,
    /// Published on purpose, often: public reads judged `high`.
    pub published: bool,
}

/// Every kind, once.
pub static KINDS: &[KindInfo] = &[
    KindInfo {
        kind: ResourceKind::S3Bucket,
        label: "S3 bucket",
        service: "s3",
        policy: "bucket policy",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::S3AccessPoint,
        label: "S3 access point",
        service: "s3",
        policy: "access point policy",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::LambdaFunction,
        label: "Lambda function",
        service: "lambda",
        policy: "function policy",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::LambdaLayer,
        label: "Lambda layer version",
        service: "lambda",
        policy: "layer version policy",
        published: true,
    },
    KindInfo { kind: ResourceKind::KmsKey, label: "KMS key", service: "kms", policy: "key policy", published: false },
    KindInfo {
        kind: ResourceKind::SqsQueue,
        label: "SQS queue",
        service: "sqs",
        policy: "queue policy",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::SnsTopic,
        label: "SNS topic",
        service: "sns",
        policy: "topic policy",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::Secret,
        label: "secret",
        service: "secretsmanager",
        policy: "resource policy",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::EcrRepository,
        label: "ECR repository",
        service: "ecr",
        policy: "repository policy",
        published: true,
    },
    KindInfo {
        kind: ResourceKind::EventBus,
        label: "event bus",
        service: "events",
        policy: "event bus policy",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::EfsFileSystem,
        label: "EFS file system",
        service: "elasticfilesystem",
        policy: "file system policy",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::DynamoDbTable,
        label: "DynamoDB table",
        service: "dynamodb",
        policy: "resource policy",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::Ec2Image,
        label: "AMI",
        service: "ec2",
        policy: "launch permission",
        published: true,
    },
    KindInfo {
        kind: ResourceKind::Ec2Snapshot,
        label: "EBS snapshot",
        service: "ec2",
        policy: "create-volume permission",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::RdsSnapshot,
        label: "RDS snapshot",
        service: "rds",
        policy: "restore attribute",
        published: false,
    },
    KindInfo {
        kind: ResourceKind::RdsClusterSnapshot,
        label: "RDS cluster snapshot",
        service: "rds",
        policy: "restore attribute",
        published: false,
    },
];

impl ResourceKind {
    /// What is known of the kind.
    pub fn info(self) -> &'static KindInfo {
        KINDS.iter().find(|k| k.kind == self).expect("every kind has its line in KINDS")
    }

    /// The kind a resource ARN names, when it is one the guard judges.
    pub fn of_arn(arn: &str) -> Option<ResourceKind> {
        let mut parts = arn.splitn(6, ':');
        let (_, _, service, _, _, rest) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let head = rest.split(['/', ':']).next().unwrap_or(rest);
        Some(match (service, head) {
            ("s3", "accesspoint") => ResourceKind::S3AccessPoint,
            ("s3", _) => ResourceKind::S3Bucket,
            ("lambda", "function") => ResourceKind::LambdaFunction,
            ("lambda", "layer") => ResourceKind::LambdaLayer,
            ("kms", "key") => ResourceKind::KmsKey,
            ("sqs", _) => ResourceKind::SqsQueue,
            ("sns", _) => ResourceKind::SnsTopic,
            ("secretsmanager", "secret") => ResourceKind::Secret,
            ("ecr", "repository") => ResourceKind::EcrRepository,
            ("events", "event-bus") => ResourceKind::EventBus,
            ("elasticfilesystem", "file-system") => ResourceKind::EfsFileSystem,
            ("dynamodb", "table") => ResourceKind::DynamoDbTable,
            ("ec2", "image") => ResourceKind::Ec2Image,
            ("ec2", "snapshot") => ResourceKind::Ec2Snapshot,
            ("rds", "snapshot") => ResourceKind::RdsSnapshot,
            ("rds", "cluster-snapshot") => ResourceKind::RdsClusterSnapshot,
            _ => return None,
        })
    }
}

/// One resource: its kind, ARN and region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Resource {
    /// What it is.
    pub kind: ResourceKind,
    /// Its ARN.
    pub arn: String,
    /// Where it lives (its API answers there).
    pub region: String,
}

impl Resource {
    /// Its name or id: the ARN's last part (`photos`, `my-function`, `snap-0123`); an SQS queue's
    /// name, a layer version's `name:version`.
    pub fn name(&self) -> &str {
        let rest = self.arn.splitn(6, ':').nth(5).unwrap_or(&self.arn);
        match self.kind {
            ResourceKind::LambdaLayer => rest.strip_prefix("layer:").unwrap_or(rest),
            ResourceKind::LambdaFunction => rest.strip_prefix("function:").unwrap_or(rest),
            ResourceKind::RdsSnapshot => rest.strip_prefix("snapshot:").unwrap_or(rest),
            ResourceKind::RdsClusterSnapshot => rest.strip_prefix("cluster-snapshot:").unwrap_or(rest),
            _ => rest.rsplit(['/']).next().unwrap_or(rest),
        }
    }

    /// The account the resource lives in (empty for S3, whose ARNs carry none).
    pub fn account(&self) -> &str {
        self.arn.split(':').nth(4).unwrap_or_default()
    }

    /// The SQS queue URL (its API names queues by URL).
    pub fn queue_url(&self) -> String {
        format!("https://sqs.{}.amazonaws.com/{}/{}", self.region, self.account(), self.name())
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.info().label, self.name())
    }
}

/// How a call gave access to a resource: what the guard takes back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "written", rename_all = "snake_case")]
pub enum Written {
    /// The whole policy was put (PutBucketPolicy, SetQueueAttributes, PutKeyPolicy, …).
    Policy,
    /// One statement was added under an id (Lambda AddPermission, EventBridge PutPermission, SQS
    /// and SNS AddPermission's label).
    Statement {
        /// The statement id or label.
        id: String,
    },
    /// Accounts (or `all`: everyone) were added to an image's or snapshot's permission.
    Shared {
        /// The account ids, or `all`.
        accounts: Vec<String>,
    },
    /// A KMS grant was created for a principal.
    Grant {
        /// The grant's id (from the response).
        #[serde(skip_serializing_if = "Option::is_none")]
        grant_id: Option<String>,
        /// Who it was granted to.
        grantee: String,
    },
    /// A setting that opens the resource changed (S3 Block Public Access lowered or removed, a
    /// bucket ACL granting everyone, a function URL without authentication).
    Setting {
        /// What changed, for people.
        what: String,
        /// Whether the setting lets anyone in by itself (an ACL to everyone, a URL without
        /// authentication), not only allows others to.
        opens: bool,
    },
}

/// A resource's policy as a sweep (live, or a saved file: [`export`]) reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePolicy {
    /// The resource.
    pub resource: Resource,
    /// Its policy document (JSON text), as the service returns it; for a share, the statement
    /// the guard writes for it.
    pub policy: String,
    /// Its tags as (key, value), when read.
    pub tags: Vec<(String, String)>,
}

/// The policy statement a share amounts to: these accounts (or everyone, for `all`) may use the
/// resource as the share allows (launch an AMI, create a volume from a snapshot, restore an RDS
/// snapshot, use a KMS key through a grant).
pub fn share_document(resource: &Resource, accounts: &[String], actions: &[&str]) -> String {
    let principal = if accounts.iter().any(|a| a.eq_ignore_ascii_case("all")) {
        serde_json::json!("*")
    } else {
        serde_json::json!({ "AWS": accounts })
    };
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Principal": principal, "Action": actions, "Resource": resource.arn }]
    })
    .to_string()
}

/// What a share of this kind lets the other account do.
pub fn share_actions(kind: ResourceKind) -> &'static [&'static str] {
    match kind {
        ResourceKind::Ec2Image => &["ec2:RunInstances", "ec2:CopyImage", "ec2:DescribeImages"],
        ResourceKind::Ec2Snapshot => &["ec2:CreateVolume", "ec2:CopySnapshot", "ec2:DescribeSnapshots"],
        ResourceKind::RdsSnapshot => &["rds:RestoreDBInstanceFromDBSnapshot", "rds:CopyDBSnapshot"],
        ResourceKind::RdsClusterSnapshot => &["rds:RestoreDBClusterFromSnapshot", "rds:CopyDBClusterSnapshot"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_off_arns_and_named() {
        let cases = [
            ("arn:aws:s3:::photos", ResourceKind::S3Bucket, "photos"),
            ("arn:aws:lambda:us-east-1:111122223333:function:guide", ResourceKind::LambdaFunction, "guide"),
            ("arn:aws:lambda:us-east-1:111122223333:layer:deps:3", ResourceKind::LambdaLayer, "deps:3"),
            ("arn:aws:kms:eu-west-1:111122223333:key/1234abcd", ResourceKind::KmsKey, "1234abcd"),
            ("arn:aws:sqs:us-east-1:111122223333:orders", ResourceKind::SqsQueue, "orders"),
            ("arn:aws:ec2:us-east-1::snapshot/snap-0123", ResourceKind::Ec2Snapshot, "snap-0123"),
            (
                "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:nightly",
                ResourceKind::RdsClusterSnapshot,
                "nightly",
            ),
        ];
        for (arn, kind, name) in cases {
            assert_eq!(ResourceKind::of_arn(arn), Some(kind), "{arn}");
            let r = Resource { kind, arn: arn.into(), region: "us-east-1".into() };
            assert_eq!(r.name(), name, "{arn}");
        }
        assert_eq!(ResourceKind::of_arn("arn:aws:iam::111122223333:role/x"), None);
        assert!(KINDS.iter().all(|k| k.kind.info().kind == k.kind));
    }

    #[test]
    fn a_share_with_all_is_a_public_statement() {
        let r = Resource {
            kind: ResourceKind::Ec2Snapshot,
            arn: "arn:aws:ec2:us-east-1::snapshot/snap-1".into(),
            region: "us-east-1".into(),
        };
        let doc = share_document(&r, &["all".into()], share_actions(r.kind));
        assert!(doc.contains(r#""Principal":"*""#), "{doc}");
        let doc = share_document(&r, &["444455556666".into()], share_actions(r.kind));
        assert!(doc.contains(r#""AWS":["444455556666"]"#), "{doc}");
    }
}
