//! CloudTrail's event history (`LookupEvents`): the management events of the last 90 days, per
//! region, without a trail bucket — what `replace` and the sweep learn from where no bucket is
//! configured. Bounded: LookupEvents answers 50 events a page at 2 requests a second per region,
//! so at most `max_pages` pages per region are read, newest first (the freshest evidence is kept).
//! A user's events are asked for by user name; a role's sessions have their session names as
//! user names, so for a role the window's events are read and the caller keeps the role's own.

use super::port_error;
use crate::guard::ports::PortError;
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_sdk_cloudtrail::Client;
use chrono::NaiveDate;
use serde_json::Value;

/// The event history of some regions of the account the credentials are in.
pub struct SdkLookup {
    /// One client per region (LookupEvents is regional).
    regions: Vec<(String, Client)>,
    max_pages: usize,
}

impl SdkLookup {
    /// Reads these regions (none: the configuration's own region), at most `max_pages` pages
    /// (50 events each) per region and answer.
    pub fn new(config: &aws_config::SdkConfig, regions: &[String], max_pages: usize) -> SdkLookup {
        let own = config.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into());
        let names = if regions.is_empty() { vec![own] } else { regions.to_vec() };
        let regions = names
            .into_iter()
            .map(|r| {
                let conf = aws_sdk_cloudtrail::config::Builder::from(config)
                    .region(aws_sdk_cloudtrail::config::Region::new(r.clone()))
                    .build();
                (r, Client::from_conf(conf))
            })
            .collect();
        SdkLookup { regions, max_pages }
    }

    /// Over existing clients, one per region (tests inject mocked ones).
    pub fn from_clients(regions: Vec<(String, Client)>, max_pages: usize) -> SdkLookup {
        SdkLookup { regions, max_pages }
    }

    /// The records of the days `from` to `to` (UTC, both included) in every region: a user's
    /// own (`user` is its name), else every caller's. Each is the record CloudTrail keeps
    /// (`CloudTrailEvent`), as in the trail's log files.
    pub async fn records(&self, user: Option<&str>, from: NaiveDate, to: NaiveDate) -> Result<Vec<Value>, PortError> {
        let start = DateTime::from_secs(from.and_time(chrono::NaiveTime::MIN).and_utc().timestamp());
        let end = DateTime::from_secs(
            (to + chrono::Duration::days(1)).and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
        );
        let mut out = Vec::new();
        for (region, client) in &self.regions {
            out.extend(self.region(region, client, user, (start, end)).await?);
        }
        Ok(out)
    }

    async fn region(
        &self,
        region: &str,
        client: &Client,
        user: Option<&str>,
        (start, end): (DateTime, DateTime),
    ) -> Result<Vec<Value>, PortError> {
        let attribute = match user {
            Some(u) => Some(
                LookupAttribute::builder()
                    .attribute_key(LookupAttributeKey::Username)
                    .attribute_value(u)
                    .build()
                    .map_err(|e| PortError::Failed(format!("LookupEvents: {e}")))?,
            ),
            None => None,
        };
        let mut out = Vec::new();
        let mut token = None;
        for _ in 0..self.max_pages {
            let page = client
                .lookup_events()
                .start_time(start)
                .end_time(end)
                .set_lookup_attributes(attribute.clone().map(|a| vec![a]))
                .max_results(50)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| port_error(&format!("CloudTrail LookupEvents in {region}"), e))?;
            for e in page.events.unwrap_or_default() {
                // A record CloudTrail could not give back whole is no evidence: skipped.
                if let Some(v) = e.cloud_trail_event.and_then(|t| serde_json::from_str(&t).ok()) {
                    out.push(v);
                }
            }
            token = page.next_token;
            if token.is_none() {
                return Ok(out);
            }
        }
        tracing::warn!(region, pages = self.max_pages, "lookup: stopped at the most pages one answer reads");
        Ok(out)
    }
}
