//! The trail's log files in S3, as CloudTrail delivers them
//! (`[PREFIX/]AWSLogs/[ORG-ID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz`): the records of
//! an account's days, for the `replace` rule action. Bounded: one listing per region and day, one
//! GetObject per log file, at most `max_files` files per call.

use super::port_error;
use crate::guard::ports::PortError;
use aws_sdk_s3::Client;
use chrono::NaiveDate;
use serde_json::Value;

/// Where the trail's files are, and how many may be read for one answer.
pub struct SdkTrail {
    client: Client,
    bucket: String,
    /// The key prefix before the account id: `AWSLogs`, `logs/AWSLogs/o-abc123` (an organization
    /// trail adds its organization id).
    base: String,
    max_files: usize,
}

impl SdkTrail {
    /// The trail bucket, and the key prefix before `AWSLogs/` (empty for none) with the
    /// organization id of an organization trail.
    pub fn new(config: &aws_config::SdkConfig, bucket: &str, prefix: Option<&str>, org_id: Option<&str>) -> SdkTrail {
        let mut base: Vec<&str> = prefix.iter().map(|p| p.trim_matches('/')).filter(|p| !p.is_empty()).collect();
        base.push("AWSLogs");
        base.extend(org_id);
        // S3 wants path-style requests on emulators without virtual-host DNS.
        let s3 = aws_sdk_s3::config::Builder::from(config).force_path_style(true).build();
        SdkTrail { client: Client::from_conf(s3), bucket: bucket.into(), base: base.join("/"), max_files: 2000 }
    }

    /// Every record of the account's days `from` to `to`, in every region the trail holds.
    pub async fn records(&self, account_id: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<Value>, PortError> {
        let root = format!("{}/{account_id}/CloudTrail/", self.base);
        let mut keys = Vec::new();
        // Newest days first: when the bound is reached, the freshest evidence is kept.
        let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
        'regions: for region in self.list(&root, true).await? {
            for day in days.iter().rev() {
                if keys.len() >= self.max_files {
                    tracing::warn!(max = self.max_files, "trail: stopped at the most log files one answer reads");
                    break 'regions;
                }
                keys.extend(self.list(&format!("{region}{}/", day.format("%Y/%m/%d")), false).await?);
            }
        }
        keys.truncate(self.max_files);
        let mut out = Vec::new();
        for key in keys.iter().filter(|k| k.ends_with(".json.gz") || k.ends_with(".json")) {
            out.extend(self.file(key).await?);
        }
        Ok(out)
    }

    /// The keys (or, with `folders`, the sub-folders) under a prefix, every page.
    async fn list(&self, prefix: &str, folders: bool) -> Result<Vec<String>, PortError> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let mut req = self.client.list_objects_v2().bucket(&self.bucket).prefix(prefix);
            if folders {
                req = req.delimiter("/");
            }
            let page = req
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| port_error(&format!("ListObjectsV2 s3://{}/{prefix}", self.bucket), e))?;
            if folders {
                out.extend(page.common_prefixes().iter().filter_map(|p| p.prefix().map(str::to_string)));
            } else {
                out.extend(page.contents().iter().filter_map(|o| o.key().map(str::to_string)));
            }
            token = page.next_continuation_token().map(str::to_string);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    /// One log file's records (gzip or plain); a file that is no log file holds none.
    async fn file(&self, key: &str) -> Result<Vec<Value>, PortError> {
        let what = format!("GetObject s3://{}/{key}", self.bucket);
        let obj =
            self.client.get_object().bucket(&self.bucket).key(key).send().await.map_err(|e| port_error(&what, e))?;
        let bytes = obj.body.collect().await.map_err(|e| PortError::Failed(format!("{what}: {e}")))?.into_bytes();
        let text = crate::intake::text_of(bytes.to_vec()).map_err(|e| PortError::Failed(format!("{what}: {e}")))?;
        let value = serde_json::from_str(&text).map_err(|e| PortError::Failed(format!("{what}: not JSON: {e}")))?;
        Ok(crate::intake::records_of(value).unwrap_or_default())
    }
}
