//! The sweep's read of resource policies, per region: every bucket (in its own region), function,
//! queue, topic, customer managed key, secret and repository with a policy, paginated. A
//! resource without a policy costs its one read and is not listed.

use super::port_error;
use super::resources::SdkResources;
use crate::guard::ports::PortError;
use crate::resources::{Resource, ResourceKind, ResourcePolicy};

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
