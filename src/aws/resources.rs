//! Resource policies on the AWS SDK: taking access back (a [`ResourceFix`]), reading a
//! resource's tags, and listing a region's resource policies for the sweep, each call in the
//! resource's own region. Kinds without a client here (EC2
//! images and snapshots, RDS snapshots, event buses, file systems, access points) are refused as
//! `Denied`: the alert carries the exact command instead, nothing is retried.

use super::port_error;
use crate::guard::ports::PortError;
use crate::resources::{Resource, ResourceFix, ResourceKind, ResourcePolicy};

/// Clients for resource policies, built per region from one SDK configuration.
#[derive(Clone)]
pub struct SdkResources {
    config: aws_config::SdkConfig,
}

/// What a Lambda permission statement says, for AddPermission.
struct Permission {
    action: String,
    principal: String,
    source_arn: Option<String>,
    source_account: Option<String>,
    org: Option<String>,
}

impl Permission {
    fn of(statement: &str) -> Permission {
        let v: serde_json::Value = serde_json::from_str(statement).unwrap_or_default();
        let first = |v: &serde_json::Value| match v {
            serde_json::Value::Array(a) => a.first().and_then(|x| x.as_str()).map(str::to_string),
            other => other.as_str().map(str::to_string),
        };
        let principal = match &v["Principal"] {
            serde_json::Value::Object(m) => m.values().find_map(first),
            other => first(other),
        };
        let condition = |key: &str| {
            v["Condition"].as_object().into_iter().flat_map(|ops| ops.values()).find_map(|keys| {
                keys.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).and_then(|(_, v)| first(v))
            })
        };
        Permission {
            action: first(&v["Action"]).unwrap_or_else(|| "lambda:InvokeFunction".into()),
            principal: principal.unwrap_or_else(|| "*".into()),
            source_arn: condition("aws:SourceArn"),
            source_account: condition("aws:SourceAccount"),
            org: condition("aws:PrincipalOrgID"),
        }
    }
}

impl SdkResources {
    /// Over shared SDK configuration (credentials, `AWS_ENDPOINT_URL`); the region is each
    /// resource's.
    pub fn new(config: &aws_config::SdkConfig) -> SdkResources {
        SdkResources { config: config.clone() }
    }

    pub(super) fn in_region(&self, region: &str) -> aws_config::SdkConfig {
        self.config.to_builder().region(aws_config::Region::new(region.to_string())).build()
    }

    /// Carries a fix out.
    pub(crate) async fn fix(&self, fix: &ResourceFix) -> Result<(), PortError> {
        let r = fix.resource();
        let what = fix.describe();
        let c = self.in_region(&r.region);
        match (r.kind, fix) {
            (ResourceKind::S3Bucket, ResourceFix::SetPolicy { policy, .. }) => {
                s3_policy(&c, r, policy.as_deref(), &what).await
            }
            (ResourceKind::KmsKey, ResourceFix::SetPolicy { policy: Some(p), .. }) => {
                let kms = aws_sdk_kms::Client::new(&c);
                let call = kms.put_key_policy().key_id(&r.arn).policy_name("default").policy(p);
                call.send().await.map(drop).map_err(|e| port_error(&what, e))
            }
            (ResourceKind::KmsKey, ResourceFix::RevokeGrant { grant_id, .. }) => {
                let kms = aws_sdk_kms::Client::new(&c);
                kms.revoke_grant()
                    .key_id(&r.arn)
                    .grant_id(grant_id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| port_error(&what, e))
            }
            (ResourceKind::SqsQueue, _) => sqs(&c, r, fix, &what).await,
            (ResourceKind::SnsTopic, _) => sns(&c, r, fix, &what).await,
            (ResourceKind::Secret, ResourceFix::SetPolicy { policy, .. }) => {
                secret_policy(&c, r, policy.as_deref(), &what).await
            }
            (ResourceKind::EcrRepository, ResourceFix::SetPolicy { policy, .. }) => {
                ecr_policy(&c, r, policy.as_deref(), &what).await
            }
            (ResourceKind::DynamoDbTable, ResourceFix::SetPolicy { policy, .. }) => {
                table_policy(&c, r, policy.as_deref(), &what).await
            }
            (ResourceKind::LambdaFunction | ResourceKind::LambdaLayer, _) => lambda(&c, r, fix, &what).await,
            _ => Err(PortError::Denied(format!(
                "{what}: iam-guard does not change {}s itself; run the command in this alert",
                r.kind.info().label
            ))),
        }
    }

    /// A resource's tags; empty for kinds without a client here.
    pub(crate) async fn tags(&self, r: &Resource) -> Result<Vec<(String, String)>, PortError> {
        let c = self.in_region(&r.region);
        let what = format!("tags of {r}");
        let pairs = |v: Vec<(Option<String>, Option<String>)>| {
            v.into_iter().filter_map(|(k, v)| Some((k?, v.unwrap_or_default()))).collect::<Vec<_>>()
        };
        match r.kind {
            ResourceKind::S3Bucket => {
                let out = aws_sdk_s3::Client::new(&c).get_bucket_tagging().bucket(r.name()).send().await;
                match out {
                    Ok(o) => Ok(o.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()),
                    Err(e) => match port_error(&what, e) {
                        PortError::NotFound(_) => Ok(Vec::new()),
                        other => Err(other),
                    },
                }
            }
            ResourceKind::LambdaFunction => {
                let out = aws_sdk_lambda::Client::new(&c).list_tags().resource(&r.arn).send().await;
                let tags = out.map_err(|e| port_error(&what, e))?.tags.unwrap_or_default();
                Ok(tags.into_iter().collect())
            }
            ResourceKind::KmsKey => {
                let out = aws_sdk_kms::Client::new(&c).list_resource_tags().key_id(&r.arn).send().await;
                let tags = out.map_err(|e| port_error(&what, e))?.tags.unwrap_or_default();
                Ok(pairs(tags.into_iter().map(|t| (Some(t.tag_key), Some(t.tag_value))).collect()))
            }
            ResourceKind::SqsQueue => {
                let out = aws_sdk_sqs::Client::new(&c).list_queue_tags().queue_url(r.queue_url()).send().await;
                Ok(out.map_err(|e| port_error(&what, e))?.tags.unwrap_or_default().into_iter().collect())
            }
            ResourceKind::SnsTopic => {
                let out = aws_sdk_sns::Client::new(&c).list_tags_for_resource().resource_arn(&r.arn).send().await;
                let tags = out.map_err(|e| port_error(&what, e))?.tags.unwrap_or_default();
                Ok(tags.into_iter().map(|t| (t.key, t.value)).collect())
            }
            ResourceKind::Secret => {
                let out = aws_sdk_secretsmanager::Client::new(&c).describe_secret().secret_id(&r.arn).send().await;
                let tags = out.map_err(|e| port_error(&what, e))?.tags.unwrap_or_default();
                Ok(pairs(tags.into_iter().map(|t| (t.key, t.value)).collect()))
            }
            ResourceKind::EcrRepository => {
                let out = aws_sdk_ecr::Client::new(&c).list_tags_for_resource().resource_arn(&r.arn).send().await;
                let tags = out.map_err(|e| port_error(&what, e))?.tags.unwrap_or_default();
                Ok(tags.into_iter().map(|t| (t.key, t.value)).collect())
            }
            _ => Ok(Vec::new()),
        }
    }
}

async fn s3_policy(c: &aws_config::SdkConfig, r: &Resource, policy: Option<&str>, what: &str) -> Result<(), PortError> {
    let s3 = aws_sdk_s3::Client::new(c);
    let out = match policy {
        Some(p) => {
            s3.put_bucket_policy().bucket(r.name()).policy(p).send().await.map(drop).map_err(|e| port_error(what, e))
        }
        None => s3.delete_bucket_policy().bucket(r.name()).send().await.map(drop).map_err(|e| port_error(what, e)),
    };
    out
}

async fn secret_policy(
    c: &aws_config::SdkConfig,
    r: &Resource,
    policy: Option<&str>,
    what: &str,
) -> Result<(), PortError> {
    let sm = aws_sdk_secretsmanager::Client::new(c);
    let out = match policy {
        Some(p) => sm
            .put_resource_policy()
            .secret_id(&r.arn)
            .resource_policy(p)
            .send()
            .await
            .map(drop)
            .map_err(|e| port_error(what, e)),
        None => sm.delete_resource_policy().secret_id(&r.arn).send().await.map(drop).map_err(|e| port_error(what, e)),
    };
    out
}

async fn ecr_policy(
    c: &aws_config::SdkConfig,
    r: &Resource,
    policy: Option<&str>,
    what: &str,
) -> Result<(), PortError> {
    let ecr = aws_sdk_ecr::Client::new(c);
    let registry = r.account();
    let out = match policy {
        Some(p) => ecr
            .set_repository_policy()
            .registry_id(registry)
            .repository_name(r.name())
            .policy_text(p)
            .send()
            .await
            .map(drop)
            .map_err(|e| port_error(what, e)),
        None => ecr
            .delete_repository_policy()
            .registry_id(registry)
            .repository_name(r.name())
            .send()
            .await
            .map(drop)
            .map_err(|e| port_error(what, e)),
    };
    out
}

async fn table_policy(
    c: &aws_config::SdkConfig,
    r: &Resource,
    policy: Option<&str>,
    what: &str,
) -> Result<(), PortError> {
    let ddb = aws_sdk_dynamodb::Client::new(c);
    let out = match policy {
        Some(p) => ddb
            .put_resource_policy()
            .resource_arn(&r.arn)
            .policy(p)
            .send()
            .await
            .map(drop)
            .map_err(|e| port_error(what, e)),
        None => {
            ddb.delete_resource_policy().resource_arn(&r.arn).send().await.map(drop).map_err(|e| port_error(what, e))
        }
    };
    out
}

/// A queue's policy set whole, a permission removed by label, or a statement added back.
async fn sqs(c: &aws_config::SdkConfig, r: &Resource, fix: &ResourceFix, what: &str) -> Result<(), PortError> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let sqs = aws_sdk_sqs::Client::new(c);
    let url = r.queue_url();
    let set = |policy: String| {
        sqs.set_queue_attributes().queue_url(&url).attributes(QueueAttributeName::Policy, policy).send()
    };
    let out = match fix {
        ResourceFix::SetPolicy { policy, .. } => {
            set(policy.clone().unwrap_or_default()).await.map(drop).map_err(|e| port_error(what, e))
        }
        ResourceFix::RemoveStatement { id, .. } => {
            sqs.remove_permission().queue_url(&url).label(id).send().await.map(drop).map_err(|e| port_error(what, e))
        }
        ResourceFix::AddStatement { statement, .. } => {
            let got =
                sqs.get_queue_attributes().queue_url(&url).attribute_names(QueueAttributeName::Policy).send().await;
            let current = got
                .map_err(|e| port_error(what, e))?
                .attributes
                .and_then(|mut a| a.remove(&QueueAttributeName::Policy));
            set(with_statement(current.as_deref(), statement)).await.map(drop).map_err(|e| port_error(what, e))
        }
        _ => return Err(unsupported(r, what)),
    };
    out
}

/// A topic's policy set whole, a permission removed by label, or a statement added back.
async fn sns(c: &aws_config::SdkConfig, r: &Resource, fix: &ResourceFix, what: &str) -> Result<(), PortError> {
    let sns = aws_sdk_sns::Client::new(c);
    let set = |policy: String| {
        sns.set_topic_attributes().topic_arn(&r.arn).attribute_name("Policy").attribute_value(policy).send()
    };
    let out = match fix {
        ResourceFix::SetPolicy { policy: Some(p), .. } => {
            set(p.clone()).await.map(drop).map_err(|e| port_error(what, e))
        }
        ResourceFix::RemoveStatement { id, .. } => {
            sns.remove_permission().topic_arn(&r.arn).label(id).send().await.map(drop).map_err(|e| port_error(what, e))
        }
        ResourceFix::AddStatement { statement, .. } => {
            let got = sns.get_topic_attributes().topic_arn(&r.arn).send().await;
            let current = got.map_err(|e| port_error(what, e))?.attributes.and_then(|mut a| a.remove("Policy"));
            set(with_statement(current.as_deref(), statement)).await.map(drop).map_err(|e| port_error(what, e))
        }
        _ => return Err(unsupported(r, what)),
    };
    out
}

/// A function's or layer version's permission removed by id, or added back from its statement.
async fn lambda(c: &aws_config::SdkConfig, r: &Resource, fix: &ResourceFix, what: &str) -> Result<(), PortError> {
    let lambda = aws_sdk_lambda::Client::new(c);
    let layer = || {
        let (arn, version) = r.arn.rsplit_once(':').unwrap_or((&r.arn, "1"));
        (arn.to_string(), version.parse::<i64>().unwrap_or(1))
    };
    let out = match (r.kind, fix) {
        (ResourceKind::LambdaFunction, ResourceFix::RemoveStatement { id, .. }) => lambda
            .remove_permission()
            .function_name(&r.arn)
            .statement_id(id)
            .send()
            .await
            .map(drop)
            .map_err(|e| port_error(what, e)),
        (ResourceKind::LambdaFunction, ResourceFix::AddStatement { id, statement, .. }) => {
            let p = Permission::of(statement);
            let call =
                lambda.add_permission().function_name(&r.arn).statement_id(id).action(p.action).principal(p.principal);
            let call =
                call.set_source_arn(p.source_arn).set_source_account(p.source_account).set_principal_org_id(p.org);
            call.send().await.map(drop).map_err(|e| port_error(what, e))
        }
        (ResourceKind::LambdaLayer, ResourceFix::RemoveStatement { id, .. }) => {
            let (name, version) = layer();
            let call =
                lambda.remove_layer_version_permission().layer_name(name).version_number(version).statement_id(id);
            call.send().await.map(drop).map_err(|e| port_error(what, e))
        }
        (ResourceKind::LambdaLayer, ResourceFix::AddStatement { id, statement, .. }) => {
            let (name, version) = layer();
            let p = Permission::of(statement);
            let call = lambda.add_layer_version_permission().layer_name(name).version_number(version).statement_id(id);
            call.action(p.action)
                .principal(p.principal)
                .set_organization_id(p.org)
                .send()
                .await
                .map(drop)
                .map_err(|e| port_error(what, e))
        }
        _ => return Err(unsupported(r, what)),
    };
    out
}

fn unsupported(r: &Resource, what: &str) -> PortError {
    PortError::Denied(format!(
        "{what}: not a change iam-guard makes to {}s; run the command in this alert",
        r.kind.info().label
    ))
}

/// A policy with one statement added (replacing one with the same Sid).
fn with_statement(policy: Option<&str>, statement: &str) -> String {
    let mut doc: serde_json::Value = policy
        .filter(|p| !p.is_empty())
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_else(|| serde_json::json!({ "Version": "2012-10-17", "Statement": [] }));
    let added: serde_json::Value = serde_json::from_str(statement).unwrap_or_default();
    let mut statements = match doc["Statement"].take() {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Null => vec![],
        one => vec![one],
    };
    statements.retain(|s| added["Sid"].is_null() || s["Sid"] != added["Sid"]);
    statements.push(added);
    doc["Statement"] = serde_json::Value::Array(statements);
    doc.to_string()
}

// ---- The sweep's read of resource policies, per region: every bucket (in its own region),
// function, queue, topic, customer managed key, secret and repository with a policy,
// paginated. A resource without a policy costs its one read and is not listed.

impl SdkResources {
    /// The resource policies of these regions (buckets: those whose region is one of them).
    pub(crate) async fn policies(&self, regions: &[String]) -> Result<Vec<ResourcePolicy>, PortError> {
        let mut out = self.bucket_policies(regions).await?;
        for region in regions {
            let c = self.in_region(region);
            out.extend(functions(&c, region).await?);
            out.extend(queues(&c, region).await?);
            out.extend(topics(&c, region).await?);
            out.extend(keys(&c, region).await?);
            out.extend(secrets(&c, region).await?);
            out.extend(repositories(&c, region).await?);
        }
        Ok(out)
    }

    /// The functions of these regions and the roles they run as (the escalation graph).
    pub(crate) async fn compute(&self, regions: &[String]) -> Result<Vec<crate::resources::Compute>, PortError> {
        let mut out = Vec::new();
        for region in regions {
            let lambda = aws_sdk_lambda::Client::new(&self.in_region(region));
            let mut marker = None;
            loop {
                let page = lambda.list_functions().set_marker(marker.take()).send().await;
                let page = page.map_err(|e| port_error(&format!("list functions in {region}"), e))?;
                out.extend(page.functions().iter().filter_map(|f| {
                    Some(crate::resources::Compute {
                        kind: crate::resources::ComputeKind::LambdaFunction,
                        arn: f.function_arn()?.to_string(),
                        role: f.role()?.to_string(),
                    })
                }));
                match page.next_marker {
                    Some(m) => marker = Some(m),
                    None => break,
                }
            }
        }
        Ok(out)
    }

    async fn bucket_policies(&self, regions: &[String]) -> Result<Vec<ResourcePolicy>, PortError> {
        let s3 = aws_sdk_s3::Client::new(&self.in_region("us-east-1"));
        let listed = s3.list_buckets().send().await.map_err(|e| port_error("list buckets", e))?;
        let mut out = Vec::new();
        for name in listed.buckets().iter().filter_map(|b| b.name()) {
            let location = s3.get_bucket_location().bucket(name).send().await;
            let location = location.map_err(|e| port_error(&format!("location of bucket {name}"), e))?;
            let region = location.location_constraint().map(|l| l.as_str().to_string()).filter(|l| !l.is_empty());
            let region = region.unwrap_or_else(|| "us-east-1".into());
            if !regions.contains(&region) {
                continue;
            }
            let got = aws_sdk_s3::Client::new(&self.in_region(&region)).get_bucket_policy().bucket(name).send().await;
            let resource = Resource { kind: ResourceKind::S3Bucket, arn: format!("arn:aws:s3:::{name}"), region };
            out.extend(found(
                resource,
                got.map(|o| o.policy).map_err(|e| port_error(&format!("policy of bucket {name}"), e)),
            )?);
        }
        Ok(out)
    }
}

/// A resource with the policy a read returned; none when it has none.
fn found(resource: Resource, policy: Result<Option<String>, PortError>) -> Result<Option<ResourcePolicy>, PortError> {
    match policy {
        Ok(Some(p)) if !p.is_empty() => Ok(Some(ResourcePolicy { resource, policy: p, tags: Vec::new() })),
        Ok(_) | Err(PortError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn resource(kind: ResourceKind, arn: String, region: &str) -> Resource {
    Resource { kind, arn, region: region.to_string() }
}

async fn functions(c: &aws_config::SdkConfig, region: &str) -> Result<Vec<ResourcePolicy>, PortError> {
    let lambda = aws_sdk_lambda::Client::new(c);
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = lambda.list_functions().set_marker(marker.take()).send().await;
        let page = page.map_err(|e| port_error(&format!("list functions in {region}"), e))?;
        for arn in page.functions().iter().filter_map(|f| f.function_arn()) {
            let got = lambda.get_policy().function_name(arn).send().await.map(|p| p.policy);
            let r = resource(ResourceKind::LambdaFunction, arn.to_string(), region);
            out.extend(found(r, got.map_err(|e| port_error(&format!("policy of {arn}"), e)))?);
        }
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => return Ok(out),
        }
    }
}

async fn queues(c: &aws_config::SdkConfig, region: &str) -> Result<Vec<ResourcePolicy>, PortError> {
    use aws_sdk_sqs::types::QueueAttributeName as Q;
    let sqs = aws_sdk_sqs::Client::new(c);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = sqs.list_queues().set_next_token(token.take()).send().await;
        let page = page.map_err(|e| port_error(&format!("list queues in {region}"), e))?;
        for url in page.queue_urls() {
            let got = sqs
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(Q::Policy)
                .attribute_names(Q::QueueArn)
                .send()
                .await;
            let mut attrs =
                got.map_err(|e| port_error(&format!("policy of queue {url}"), e))?.attributes.unwrap_or_default();
            let Some(arn) = attrs.remove(&Q::QueueArn) else { continue };
            out.extend(found(resource(ResourceKind::SqsQueue, arn, region), Ok(attrs.remove(&Q::Policy)))?);
        }
        match page.next_token {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

async fn topics(c: &aws_config::SdkConfig, region: &str) -> Result<Vec<ResourcePolicy>, PortError> {
    let sns = aws_sdk_sns::Client::new(c);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = sns.list_topics().set_next_token(token.take()).send().await;
        let page = page.map_err(|e| port_error(&format!("list topics in {region}"), e))?;
        for arn in page.topics().iter().filter_map(|t| t.topic_arn()) {
            let got = sns.get_topic_attributes().topic_arn(arn).send().await;
            let policy = got.map(|a| a.attributes.and_then(|mut m| m.remove("Policy")));
            let r = resource(ResourceKind::SnsTopic, arn.to_string(), region);
            out.extend(found(r, policy.map_err(|e| port_error(&format!("policy of {arn}"), e)))?);
        }
        match page.next_token {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

/// Customer managed keys only: AWS managed keys' policies are AWS's.
async fn keys(c: &aws_config::SdkConfig, region: &str) -> Result<Vec<ResourcePolicy>, PortError> {
    let kms = aws_sdk_kms::Client::new(c);
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = kms.list_keys().set_marker(marker.take()).send().await;
        let page = page.map_err(|e| port_error(&format!("list keys in {region}"), e))?;
        for arn in page.keys().iter().filter_map(|k| k.key_arn()) {
            let described =
                kms.describe_key().key_id(arn).send().await.map_err(|e| port_error(&format!("describe {arn}"), e))?;
            let manager = described.key_metadata().and_then(|m| m.key_manager()).map(|m| m.as_str().to_string());
            if manager.as_deref() == Some("AWS") {
                continue;
            }
            let got = kms.get_key_policy().key_id(arn).policy_name("default").send().await.map(|p| p.policy);
            let r = resource(ResourceKind::KmsKey, arn.to_string(), region);
            out.extend(found(r, got.map_err(|e| port_error(&format!("policy of {arn}"), e)))?);
        }
        match (page.truncated, page.next_marker) {
            (true, Some(m)) => marker = Some(m),
            _ => return Ok(out),
        }
    }
}

async fn secrets(c: &aws_config::SdkConfig, region: &str) -> Result<Vec<ResourcePolicy>, PortError> {
    let sm = aws_sdk_secretsmanager::Client::new(c);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = sm.list_secrets().set_next_token(token.take()).send().await;
        let page = page.map_err(|e| port_error(&format!("list secrets in {region}"), e))?;
        for arn in page.secret_list().iter().filter_map(|s| s.arn()) {
            let got = sm.get_resource_policy().secret_id(arn).send().await.map(|p| p.resource_policy);
            let r = resource(ResourceKind::Secret, arn.to_string(), region);
            out.extend(found(r, got.map_err(|e| port_error(&format!("policy of {arn}"), e)))?);
        }
        match page.next_token {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

async fn repositories(c: &aws_config::SdkConfig, region: &str) -> Result<Vec<ResourcePolicy>, PortError> {
    let ecr = aws_sdk_ecr::Client::new(c);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = ecr.describe_repositories().set_next_token(token.take()).send().await;
        let page = page.map_err(|e| port_error(&format!("list repositories in {region}"), e))?;
        for repo in page.repositories() {
            let (Some(name), Some(arn)) = (repo.repository_name(), repo.repository_arn()) else { continue };
            let got = ecr.get_repository_policy().repository_name(name).send().await.map(|p| p.policy_text);
            let r = resource(ResourceKind::EcrRepository, arn.to_string(), region);
            out.extend(found(r, got.map_err(|e| port_error(&format!("policy of {arn}"), e)))?);
        }
        match page.next_token {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}
