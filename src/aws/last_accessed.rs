//! IAM's action-level last-accessed report of one principal: `GenerateServiceLastAccessedDetails`
//! (`ACTION_LEVEL`), then `GetServiceLastAccessedDetails` until the job completes (bounded: at
//! most `polls` reads, `wait` apart) and every page of it.

use super::port_error;
use crate::guard::ports::PortError;
use crate::suggest::last_accessed::{LastAccessed, ServiceUse};
use aws_sdk_iam::types::{AccessAdvisorUsageGranularityType, JobStatusType, ServiceLastAccessed};
use aws_sdk_iam::Client;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// How long a report may take: `polls` reads of the job, `wait` apart.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    /// Reads of the job's status at the most.
    pub polls: u32,
    /// Between two reads.
    pub wait: Duration,
}

impl Default for Polling {
    /// Ten reads a second apart: IAM usually completes a principal's job within seconds.
    fn default() -> Self {
        Polling { polls: 10, wait: Duration::from_secs(1) }
    }
}

/// The report of `arn`, and how many IAM calls it took.
pub(super) async fn report(client: &Client, arn: &str, polling: Polling) -> (Result<LastAccessed, PortError>, usize) {
    let mut calls = 1;
    let what = format!("GenerateServiceLastAccessedDetails {arn}");
    let job = client
        .generate_service_last_accessed_details()
        .arn(arn)
        .granularity(AccessAdvisorUsageGranularityType::ActionLevel)
        .send()
        .await
        .map_err(|e| port_error(&what, e))
        .and_then(|o| o.job_id.ok_or_else(|| PortError::Failed(format!("{what}: no JobId in the answer"))));
    let job = match job {
        Ok(j) => j,
        Err(e) => return (Err(e), calls),
    };
    let mut out = LastAccessed::default();
    let mut marker = None;
    let mut polls = 0;
    loop {
        calls += 1;
        let what = format!("GetServiceLastAccessedDetails {job} ({arn})");
        let page = match client.get_service_last_accessed_details().job_id(&job).set_marker(marker.clone()).send().await
        {
            Ok(p) => p,
            Err(e) => return (Err(port_error(&what, e)), calls),
        };
        match page.job_status {
            JobStatusType::Completed => {}
            JobStatusType::InProgress if polls + 1 < polling.polls => {
                polls += 1;
                tokio::time::sleep(polling.wait).await;
                continue;
            }
            JobStatusType::InProgress => {
                let e = PortError::Failed(format!("{what}: still IN_PROGRESS after {} reads", polling.polls));
                return (Err(e), calls);
            }
            other => {
                let why = page.error.map(|e| e.message).unwrap_or_default();
                return (Err(PortError::Failed(format!("{what}: job {}: {why}", other.as_str()))), calls);
            }
        }
        for s in page.services_last_accessed {
            out.services.insert(s.service_namespace.clone(), service(s));
        }
        marker = page.marker.filter(|_| page.is_truncated);
        if marker.is_none() {
            return (Ok(out), calls);
        }
    }
}

fn service(s: ServiceLastAccessed) -> ServiceUse {
    let actions = s
        .tracked_actions_last_accessed
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| Some((a.action_name?, a.last_accessed_time.as_ref().and_then(utc))))
        .collect();
    ServiceUse { last: s.last_authenticated.as_ref().and_then(utc), actions }
}

fn utc(t: &aws_sdk_iam::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}
