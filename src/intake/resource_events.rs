//! The calls that write resource policies or share resources, per event source, each with its
//! extraction into [`Action::ResourceAccess`]: the resource, how access was written, and the
//! access given as a policy document (the whole policy; the statement added; or the statement a
//! share, grant, ACL or function URL amounts to). Field names follow each service's CloudTrail
//! records (`requestParameters` mirror the API's parameters, camelCase).

use super::change::{Action, PolicyText};
use super::cloudtrail::{Extract, Params, Request};
use super::IntakeError;
use crate::resources::{share_actions, share_document, Resource, ResourceKind, Written};
use serde_json::Value;

/// The judged calls of a resource service's event source.
pub(super) fn of_source(source: &str) -> Option<&'static [(&'static str, Extract)]> {
    SOURCES.iter().find(|(s, _)| *s == source).map(|(_, events)| *events)
}

/// Every (event source, call) the guard judges beyond IAM and Identity Center: the templates'
/// event patterns are tested against it.
pub fn judged_resource_events() -> impl Iterator<Item = (&'static str, &'static str)> {
    SOURCES.iter().flat_map(|(source, events)| events.iter().map(move |(name, _)| (*source, *name)))
}

const SOURCES: &[(&str, &[(&str, Extract)])] = &[
    ("s3.amazonaws.com", S3),
    ("lambda.amazonaws.com", LAMBDA),
    ("kms.amazonaws.com", KMS),
    ("sqs.amazonaws.com", SQS),
    ("sns.amazonaws.com", SNS),
    ("secretsmanager.amazonaws.com", &[("PutResourcePolicy", secret_policy)]),
    ("ecr.amazonaws.com", &[("SetRepositoryPolicy", repository_policy)]),
    ("events.amazonaws.com", &[("PutPermission", bus_permission)]),
    ("elasticfilesystem.amazonaws.com", &[("PutFileSystemPolicy", file_system_policy)]),
    ("dynamodb.amazonaws.com", &[("PutResourcePolicy", table_policy)]),
    ("ec2.amazonaws.com", EC2),
    ("rds.amazonaws.com", RDS),
];

const S3: &[(&str, Extract)] = &[
    ("PutBucketPolicy", |r| {
        let bucket = bucket(r)?;
        whole(bucket, r.req.policy_value("bucketPolicy")?)
    }),
    ("PutBucketAcl", bucket_acl),
    ("PutAccessPointPolicy", |r| {
        let name = r.req.opt_str("accessPointName").or_else(|| r.req.opt_str("name"));
        let name = name.ok_or_else(|| IntakeError::missing(format!("{}.name", r.req.at)))?;
        let arn = format!("arn:aws:s3:{}:{}:accesspoint/{name}", r.region, r.account);
        let policy = r.req.policy_value("policy").or_else(|_| r.req.policy_value("accessPointPolicy"))?;
        whole(resource(ResourceKind::S3AccessPoint, arn, r), policy)
    }),
    ("DeleteBucketPublicAccessBlock", |r| {
        setting(
            bucket(r)?,
            "S3 Block Public Access removed from the bucket: its policy and ACLs may now make it public",
            false,
            None,
        )
    }),
    ("PutBucketPublicAccessBlock", |r| {
        let config = r.req.nested("PublicAccessBlockConfiguration");
        let off: Vec<&str> = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]
            .into_iter()
            .filter(|k| {
                matches!(config.get(k), Some(Value::Bool(false))) || config.opt_str(k).as_deref() == Some("false")
            })
            .collect();
        if off.is_empty() {
            return Err(IntakeError::GrantsNothing("Block Public Access left fully on".into()));
        }
        let what = format!("S3 Block Public Access lowered on the bucket ({} off)", off.join(", "));
        setting(bucket(r)?, &what, false, None)
    }),
];

const LAMBDA: &[(&str, Extract)] = &[
    ("AddPermission20150331v2", function_permission),
    ("AddPermission20150331", function_permission),
    ("AddLayerVersionPermission20181031", layer_permission),
    ("CreateFunctionUrlConfig20211031", function_url),
    ("UpdateFunctionUrlConfig20211031", function_url),
];

const KMS: &[(&str, Extract)] = &[
    ("PutKeyPolicy", |r| whole(key(r)?, r.req.policy_value("policy")?)),
    ("CreateGrant", |r| {
        let key = key(r)?;
        let grantee = r.req.str("granteePrincipal")?;
        let ops = strings(r.req.get("operations"));
        let actions: Vec<String> = ops.iter().map(|o| format!("kms:{o}")).collect();
        let doc = statement_document(&key, serde_json::json!({ "AWS": grantee }), &actions, None);
        let written = Written::Grant { grant_id: r.resp.opt_str("grantId"), grantee };
        Ok(Action::ResourceAccess { resource: key, written, document: Some(doc) })
    }),
];

const SQS: &[(&str, Extract)] = &[
    ("SetQueueAttributes", |r| {
        let attributes = r.req.nested("attributes");
        if attributes.get("Policy").is_none() {
            return Err(IntakeError::GrantsNothing("SetQueueAttributes without a Policy attribute".into()));
        }
        whole(queue(r)?, attributes.policy_value("Policy")?)
    }),
    ("AddPermission", |r| {
        let accounts = strings(r.req.get("aWSAccountIds"));
        let actions: Vec<String> = strings(r.req.get("actions")).iter().map(|a| format!("sqs:{a}")).collect();
        labelled(queue(r)?, r.req.str("label")?, &accounts, &actions)
    }),
];

const SNS: &[(&str, Extract)] = &[
    ("SetTopicAttributes", |r| {
        if !r.req.opt_str("attributeName").is_some_and(|n| n.eq_ignore_ascii_case("Policy")) {
            return Err(IntakeError::GrantsNothing("SetTopicAttributes of an attribute other than Policy".into()));
        }
        whole(topic(r)?, r.req.policy_value("attributeValue")?)
    }),
    ("AddPermission", |r| {
        let accounts = strings(r.req.get("aWSAccountId"));
        let actions: Vec<String> = strings(r.req.get("actionName")).iter().map(|a| format!("sns:{a}")).collect();
        labelled(topic(r)?, r.req.str("label")?, &accounts, &actions)
    }),
];

const EC2: &[(&str, Extract)] = &[
    ("ModifyImageAttribute", |r| {
        let id = r.req.str("imageId")?;
        let arn = format!("arn:aws:ec2:{}::image/{id}", r.region);
        shared(resource(ResourceKind::Ec2Image, arn, r), share_items(&r.req.nested("launchPermission")))
    }),
    ("ModifySnapshotAttribute", |r| {
        let id = r.req.str("snapshotId")?;
        let arn = format!("arn:aws:ec2:{}::snapshot/{id}", r.region);
        shared(resource(ResourceKind::Ec2Snapshot, arn, r), share_items(&r.req.nested("createVolumePermission")))
    }),
];

const RDS: &[(&str, Extract)] = &[
    ("ModifyDBSnapshotAttribute", |r| {
        let id = r.req.str("dBSnapshotIdentifier")?;
        let arn = format!("arn:aws:rds:{}:{}:snapshot:{id}", r.region, r.account);
        restore_share(resource(ResourceKind::RdsSnapshot, arn, r), r)
    }),
    ("ModifyDBClusterSnapshotAttribute", |r| {
        let id = r.req.str("dBClusterSnapshotIdentifier")?;
        let arn = format!("arn:aws:rds:{}:{}:cluster-snapshot:{id}", r.region, r.account);
        restore_share(resource(ResourceKind::RdsClusterSnapshot, arn, r), r)
    }),
];

impl Params<'_> {
    /// A policy the record carries as an object (S3) or as JSON text (everyone else).
    pub(super) fn policy_value(&self, key: &str) -> Result<PolicyText, IntakeError> {
        match self.get(key) {
            Some(v @ Value::Object(_)) => PolicyText::parse(&v.to_string())
                .map_err(|e| IntakeError::Policy { field: format!("{}.{key}", self.at), source: e }),
            _ => self.policy(key),
        }
    }
}

fn resource(kind: ResourceKind, arn: String, r: &Request<'_>) -> Resource {
    Resource { kind, arn, region: r.region.to_string() }
}

/// A name or an ARN of this kind: the ARN as given, else built by `arn`.
fn named(kind: ResourceKind, given: String, r: &Request<'_>, arn: impl FnOnce(&str) -> String) -> Resource {
    let arn = if given.starts_with("arn:") { given } else { arn(&given) };
    resource(kind, arn, r)
}

fn bucket(r: &Request<'_>) -> Result<Resource, IntakeError> {
    let name = r.req.str("bucketName")?;
    Ok(resource(ResourceKind::S3Bucket, format!("arn:aws:s3:::{name}"), r))
}

fn key(r: &Request<'_>) -> Result<Resource, IntakeError> {
    let id = r.req.str("keyId")?;
    Ok(named(ResourceKind::KmsKey, id, r, |id| format!("arn:aws:kms:{}:{}:key/{id}", r.region, r.account)))
}

/// An SQS queue from its URL (`https://sqs.us-east-1.amazonaws.com/111122223333/orders`).
fn queue(r: &Request<'_>) -> Result<Resource, IntakeError> {
    let url = r.req.str("queueUrl")?;
    let mut parts = url.trim_end_matches('/').rsplit('/');
    let (name, account) = match (parts.next(), parts.next()) {
        (Some(n), Some(a)) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => (n, a),
        _ => return Err(IntakeError::invalid(format!("{}.queueUrl", r.req.at), format!("{url:?} is not a queue URL"))),
    };
    Ok(resource(ResourceKind::SqsQueue, format!("arn:aws:sqs:{}:{account}:{name}", r.region), r))
}

fn topic(r: &Request<'_>) -> Result<Resource, IntakeError> {
    Ok(resource(ResourceKind::SnsTopic, r.req.str("topicArn")?, r))
}

fn whole(resource: Resource, policy: PolicyText) -> Result<Action, IntakeError> {
    Ok(Action::ResourceAccess { resource, written: Written::Policy, document: Some(policy) })
}

fn setting(resource: Resource, what: &str, opens: bool, document: Option<PolicyText>) -> Result<Action, IntakeError> {
    Ok(Action::ResourceAccess { resource, written: Written::Setting { what: what.into(), opens }, document })
}

/// A one-statement policy: `principal` may do `actions` on the resource (under `condition`).
fn statement_document(r: &Resource, principal: Value, actions: &[String], condition: Option<Value>) -> PolicyText {
    let mut statement =
        serde_json::json!({ "Effect": "Allow", "Principal": principal, "Action": actions, "Resource": r.arn });
    if let Some(c) = condition {
        statement["Condition"] = c;
    }
    let doc = serde_json::json!({ "Version": "2012-10-17", "Statement": [statement] }).to_string();
    PolicyText::parse(&doc).expect("a statement built from strings parses")
}

/// SQS / SNS AddPermission: accounts may call actions, under a label.
fn labelled(resource: Resource, label: String, accounts: &[String], actions: &[String]) -> Result<Action, IntakeError> {
    let principals: Vec<String> = accounts.iter().map(|a| format!("arn:aws:iam::{a}:root")).collect();
    let document = statement_document(&resource, serde_json::json!({ "AWS": principals }), actions, None);
    Ok(Action::ResourceAccess { resource, written: Written::Statement { id: label }, document: Some(document) })
}

/// The values of a string or list field.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The accounts (or `all`) an EC2 permission's `add.items` names: `{"userId": …}`,
/// `{"group": "all"}` (CloudTrail also writes `groups`).
fn share_items(permission: &Params<'_>) -> Vec<String> {
    let add = permission.nested("add");
    let Some(Value::Array(items)) = add.get("items") else { return Vec::new() };
    items
        .iter()
        .filter_map(|i| {
            ["userId", "group", "groups"].iter().find_map(|k| i.get(*k).and_then(Value::as_str)).map(str::to_string)
        })
        .collect()
}

fn shared(resource: Resource, accounts: Vec<String>) -> Result<Action, IntakeError> {
    if accounts.is_empty() {
        return Err(IntakeError::GrantsNothing("the call adds no account to the permission".into()));
    }
    let doc = share_document(&resource, &accounts, share_actions(resource.kind));
    let document = PolicyText::parse(&doc).expect("a share statement parses");
    Ok(Action::ResourceAccess { resource, written: Written::Shared { accounts }, document: Some(document) })
}

fn restore_share(resource: Resource, r: &Request<'_>) -> Result<Action, IntakeError> {
    if !r.req.opt_str("attributeName").is_some_and(|n| n.eq_ignore_ascii_case("restore")) {
        return Err(IntakeError::GrantsNothing("a snapshot attribute other than restore".into()));
    }
    shared(resource, strings(r.req.get("valuesToAdd")))
}

/// PutBucketAcl: grants to everyone (`AllUsers`) or to any AWS account (`AuthenticatedUsers`),
/// in the ACL body or as a canned ACL (`x-amz-acl: public-read`).
fn bucket_acl(r: &Request<'_>) -> Result<Action, IntakeError> {
    let bucket = bucket(r)?;
    let text = Value::Object(r.req.map.cloned().unwrap_or_default()).to_string();
    let canned = strings(r.req.get("x-amz-acl")).join(" ");
    let public_uri = text.contains("acs.amazonaws.com/groups/global/AllUsers")
        || text.contains("acs.amazonaws.com/groups/global/AuthenticatedUsers");
    let public_canned = canned.contains("public-read") || canned.contains("authenticated-read");
    if !public_uri && !public_canned {
        return Err(IntakeError::GrantsNothing("the ACL grants nothing to everyone".into()));
    }
    let write = canned.contains("public-read-write") || (public_uri && text.contains("\"WRITE"));
    let mut actions = vec!["s3:ListBucket".to_string(), "s3:GetObject".to_string()];
    if write {
        actions.push("s3:PutObject".into());
    }
    let doc = statement_document(&bucket, Value::String("*".into()), &actions, None);
    let what = "a bucket ACL that grants everyone access";
    Ok(Action::ResourceAccess {
        resource: bucket,
        written: Written::Setting { what: what.into(), opens: true },
        document: Some(doc),
    })
}

/// Lambda AddPermission: the statement Lambda answered with, else the one the request builds.
fn function_permission(r: &Request<'_>) -> Result<Action, IntakeError> {
    let name = r.req.str("functionName")?;
    let function = named(ResourceKind::LambdaFunction, name, r, |n| {
        format!("arn:aws:lambda:{}:{}:function:{n}", r.region, r.account)
    });
    let id = r.req.str("statementId")?;
    let document = match r.resp.opt_str("statement") {
        Some(statement) => wrap_statement(&statement, &format!("{}.statement", r.resp.at))?,
        None => requested_statement(&function, r),
    };
    Ok(Action::ResourceAccess { resource: function, written: Written::Statement { id }, document: Some(document) })
}

/// The statement an AddPermission request describes (older records carry no response).
fn requested_statement(resource: &Resource, r: &Request<'_>) -> PolicyText {
    let principal = r.req.opt_str("principal").unwrap_or_else(|| "*".into());
    let principal = if principal == "*" {
        Value::String(principal)
    } else if principal.ends_with(".amazonaws.com") {
        serde_json::json!({ "Service": principal })
    } else {
        serde_json::json!({ "AWS": principal })
    };
    let mut conditions = serde_json::Map::new();
    let mut add = |op: &str, key: &str, field: &str| {
        if let Some(v) = r.req.opt_str(field) {
            let entry = conditions.entry(op.to_string()).or_insert_with(|| serde_json::json!({}));
            entry[key] = Value::String(v);
        }
    };
    add("ArnLike", "AWS:SourceArn", "sourceArn");
    add("StringEquals", "AWS:SourceAccount", "sourceAccount");
    add("StringEquals", "aws:PrincipalOrgID", "principalOrgID");
    add("StringEquals", "lambda:FunctionUrlAuthType", "functionUrlAuthType");
    let action = r.req.opt_str("action").unwrap_or_else(|| "lambda:InvokeFunction".into());
    let condition = (!conditions.is_empty()).then_some(Value::Object(conditions));
    statement_document(resource, principal, &[action], condition)
}

/// A single statement (JSON text) as a policy document.
fn wrap_statement(statement: &str, at: &str) -> Result<PolicyText, IntakeError> {
    let v: Value = serde_json::from_str(statement).map_err(|e| IntakeError::invalid(at, format!("not JSON: {e}")))?;
    let doc = serde_json::json!({ "Version": "2012-10-17", "Statement": [v] }).to_string();
    PolicyText::parse(&doc).map_err(|e| IntakeError::Policy { field: at.to_string(), source: e })
}

fn layer_permission(r: &Request<'_>) -> Result<Action, IntakeError> {
    let layer = r.req.str("layerName")?;
    let version = match r.req.get("versionNumber") {
        Some(Value::Number(n)) => n.to_string(),
        _ => r.req.str("versionNumber")?,
    };
    let base = if layer.starts_with("arn:") {
        layer
    } else {
        format!("arn:aws:lambda:{}:{}:layer:{layer}", r.region, r.account)
    };
    let resource = resource(ResourceKind::LambdaLayer, format!("{base}:{version}"), r);
    let id = r.req.str("statementId")?;
    let document = match r.resp.opt_str("statement") {
        Some(statement) => wrap_statement(&statement, &format!("{}.statement", r.resp.at))?,
        None => {
            let principal = r.req.str("principal")?;
            let principal =
                if principal == "*" { Value::String(principal) } else { serde_json::json!({ "AWS": principal }) };
            let org = r
                .req
                .opt_str("organizationId")
                .map(|o| serde_json::json!({ "StringEquals": { "aws:PrincipalOrgID": o } }));
            statement_document(&resource, principal, &["lambda:GetLayerVersion".into()], org)
        }
    };
    Ok(Action::ResourceAccess { resource, written: Written::Statement { id }, document: Some(document) })
}

/// A function URL: `AuthType NONE` lets anyone on the internet invoke the function (as far as
/// its function policy allows `lambda:InvokeFunctionUrl`).
fn function_url(r: &Request<'_>) -> Result<Action, IntakeError> {
    let name = r.req.str("functionName")?;
    let function = named(ResourceKind::LambdaFunction, name, r, |n| {
        format!("arn:aws:lambda:{}:{}:function:{n}", r.region, r.account)
    });
    let auth = r.req.opt_str("authType").unwrap_or_default();
    if !auth.eq_ignore_ascii_case("NONE") {
        return Err(IntakeError::GrantsNothing(format!(
            "a function URL with AuthType {auth} (IAM authenticates its callers)"
        )));
    }
    let condition = serde_json::json!({ "StringEquals": { "lambda:FunctionUrlAuthType": "NONE" } });
    let doc =
        statement_document(&function, Value::String("*".into()), &["lambda:InvokeFunctionUrl".into()], Some(condition));
    setting(function, "a function URL without authentication (AuthType NONE)", true, Some(doc))
}

fn secret_policy(r: &Request<'_>) -> Result<Action, IntakeError> {
    let id = r.req.str("secretId")?;
    let secret =
        named(ResourceKind::Secret, id, r, |n| format!("arn:aws:secretsmanager:{}:{}:secret:{n}", r.region, r.account));
    whole(secret, r.req.policy_value("resourcePolicy")?)
}

fn repository_policy(r: &Request<'_>) -> Result<Action, IntakeError> {
    let name = r.req.str("repositoryName")?;
    let account = r.req.opt_str("registryId").unwrap_or_else(|| r.account.to_string());
    let arn = format!("arn:aws:ecr:{}:{account}:repository/{name}", r.region);
    whole(resource(ResourceKind::EcrRepository, arn, r), r.req.policy_value("policyText")?)
}

fn file_system_policy(r: &Request<'_>) -> Result<Action, IntakeError> {
    let id = r.req.str("fileSystemId")?;
    let fs = named(ResourceKind::EfsFileSystem, id, r, |n| {
        format!("arn:aws:elasticfilesystem:{}:{}:file-system/{n}", r.region, r.account)
    });
    whole(fs, r.req.policy_value("policy")?)
}

fn table_policy(r: &Request<'_>) -> Result<Action, IntakeError> {
    let arn = r.req.str("resourceArn")?;
    whole(resource(ResourceKind::DynamoDbTable, arn, r), r.req.policy_value("policy")?)
}

/// EventBridge PutPermission: a whole bus policy (`policy`), or one statement for an account,
/// everyone (`*`) or an organization (`condition`).
fn bus_permission(r: &Request<'_>) -> Result<Action, IntakeError> {
    let name = r.req.opt_str("eventBusName").unwrap_or_else(|| "default".into());
    let bus =
        named(ResourceKind::EventBus, name, r, |n| format!("arn:aws:events:{}:{}:event-bus/{n}", r.region, r.account));
    if r.req.get("policy").is_some() {
        return whole(bus, r.req.policy_value("policy")?);
    }
    let principal = r.req.str("principal")?;
    let principal = if principal == "*" { Value::String(principal) } else { serde_json::json!({ "AWS": principal }) };
    let condition = r.req.nested("condition");
    let condition = condition.opt_str("value").map(|v| {
        let key = condition.opt_str("key").unwrap_or_else(|| "aws:PrincipalOrgID".into());
        serde_json::json!({ "StringEquals": { key: v } })
    });
    let action = r.req.opt_str("action").unwrap_or_else(|| "events:PutEvents".into());
    let document = statement_document(&bus, principal, &[action], condition);
    let id = r.req.str("statementId")?;
    Ok(Action::ResourceAccess { resource: bus, written: Written::Statement { id }, document: Some(document) })
}
