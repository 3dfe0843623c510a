//! IAM's action-level last-accessed data (`GenerateServiceLastAccessedDetails` with
//! `ACTION_LEVEL`, then `GetServiceLastAccessedDetails`): which services and tracked actions a
//! principal attempted, and when — the evidence a trail without data events lacks.
//!
//! It records attempts, not successes, and no resources, so it is used the careful way round:
//! an action it shows that the records do not is a **gap** (the learned policy would break that
//! work), never a grant — except an action that takes no resource-level permission at all, which
//! is granted on `*` as the records would have granted it.

use super::Suggestion;
use crate::catalog::Catalog;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

/// The report for one principal: each service's last attempt and its tracked actions' last
/// attempts (None: not attempted in IAM's tracking period).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LastAccessed {
    /// Per service namespace (`s3`, `dynamodb`).
    pub services: BTreeMap<String, ServiceUse>,
}

/// One service of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceUse {
    /// The last attempt to use the service.
    pub last: Option<DateTime<Utc>>,
    /// Tracked actions (`GetObject`) with their last attempt; empty where IAM tracks no action
    /// of the service.
    pub actions: BTreeMap<String, Option<DateTime<Utc>>>,
}

/// Why a report could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LastAccessedError {
    /// The job is not done.
    #[error("the last-accessed report is {0}, not COMPLETED")]
    NotCompleted(String),
    /// No `ServicesLastAccessed` list.
    #[error("not a last-accessed report: no ServicesLastAccessed list (the output of `aws iam get-service-last-accessed-details`)")]
    NotAReport,
    /// A time that is not ISO 8601.
    #[error("last-accessed report: {field} {value:?} is not an ISO 8601 time")]
    BadTime {
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
    },
}

impl LastAccessed {
    /// From the JSON of `aws iam get-service-last-accessed-details --job-id …` (the API's own
    /// field names).
    pub fn from_json(v: &Value) -> Result<LastAccessed, LastAccessedError> {
        if let Some(status) = v["JobStatus"].as_str().filter(|s| *s != "COMPLETED") {
            return Err(LastAccessedError::NotCompleted(status.to_string()));
        }
        let list = v["ServicesLastAccessed"].as_array().ok_or(LastAccessedError::NotAReport)?;
        let mut out = LastAccessed::default();
        for s in list {
            let Some(ns) = s["ServiceNamespace"].as_str() else { continue };
            let mut service =
                ServiceUse { last: time(&s["LastAuthenticated"], "LastAuthenticated")?, ..Default::default() };
            for a in s["TrackedActionsLastAccessed"].as_array().into_iter().flatten() {
                let Some(name) = a["ActionName"].as_str() else { continue };
                service.actions.insert(name.to_string(), time(&a["LastAccessedTime"], "LastAccessedTime")?);
            }
            out.services.insert(ns.to_string(), service);
        }
        Ok(out)
    }
}

fn time(v: &Value, field: &'static str) -> Result<Option<DateTime<Utc>>, LastAccessedError> {
    let Some(s) = v.as_str() else { return Ok(None) };
    DateTime::parse_from_rfc3339(s)
        .map(|t| Some(t.to_utc()))
        .map_err(|_| LastAccessedError::BadTime { field, value: s.to_string() })
}

/// What the last-accessed data added to a suggestion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Actions attempted since the window's start that the records show too.
    pub confirmed: usize,
    /// Actions with no resource-level permission, attempted but not in the records: granted on `*`.
    pub added: BTreeMap<String, DateTime<Utc>>,
    /// Attempted but not in the records, not granted: `s3:GetObject`, or `dynamodb:*` for a
    /// service IAM tracks no action of — with the last attempt.
    pub unseen: BTreeMap<String, DateTime<Utc>>,
}

impl Suggestion {
    /// [`Suggestion::reconcile`] over the days the records cover (from the first call's day;
    /// every attempt counts when the records hold none).
    pub fn reconcile_over_records(&mut self, report: &LastAccessed) {
        let since = self
            .evidence
            .first
            .map_or(DateTime::<Utc>::MIN_UTC, |f| f.date_naive().and_time(chrono::NaiveTime::MIN).and_utc());
        self.reconcile(report, since);
    }

    /// Compares the suggestion with what IAM saw the principal attempt since `since`: confirms,
    /// grants resource-less actions on `*`, and notes the rest as unseen (in the evidence).
    pub fn reconcile(&mut self, report: &LastAccessed, since: DateTime<Utc>) {
        let catalog = Catalog::global();
        let mut r = Reconciled::default();
        for (ns, service) in &report.services {
            let recent: Vec<(&String, DateTime<Utc>)> =
                service.actions.iter().filter_map(|(a, t)| t.filter(|t| *t >= since).map(|t| (a, t))).collect();
            for (name, at) in &recent {
                let Some(id) = catalog.lookup_id(&format!("{ns}:{name}")) else { continue };
                let full = catalog.action(id).full_name();
                if self.grants.contains_key(&full) {
                    r.confirmed += 1;
                } else if id.resource_types().next().is_none() {
                    self.grants.entry(full.clone()).or_default().insert("*".into());
                    r.added.insert(full, *at);
                } else {
                    r.unseen.insert(full, *at);
                }
            }
            let used_service = service.last.filter(|t| *t >= since);
            let shown = self.grants.keys().any(|a| a.split(':').next() == Some(ns.as_str()));
            if let (Some(at), true, false) = (used_service, recent.is_empty(), shown) {
                r.unseen.insert(format!("{ns}:*"), at);
            }
        }
        self.evidence.last_accessed = Some(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::{Evidence, Principal};
    use serde_json::json;

    fn report() -> Value {
        // The layout of `aws iam get-service-last-accessed-details` (API reference field names).
        json!({
            "JobStatus": "COMPLETED",
            "JobType": "ACTION_LEVEL",
            "JobCreationDate": "2026-12-01T10:00:00+00:00",
            "ServicesLastAccessed": [
                {"ServiceName": "Amazon S3", "ServiceNamespace": "s3",
                 "LastAuthenticated": "2026-11-30T09:00:00+00:00", "TotalAuthenticatedEntities": 1,
                 "TrackedActionsLastAccessed": [
                    {"ActionName": "GetObject", "LastAccessedTime": "2026-11-30T09:00:00+00:00",
                     "LastAccessedRegion": "us-east-1"},
                    {"ActionName": "ListAllMyBuckets", "LastAccessedTime": "2026-11-29T09:00:00Z"},
                    {"ActionName": "PutObject", "LastAccessedTime": "2026-11-28T09:00:00Z"},
                    {"ActionName": "DeleteObject"}
                 ]},
                {"ServiceName": "Amazon DynamoDB", "ServiceNamespace": "dynamodb",
                 "LastAuthenticated": "2026-11-30T08:00:00Z", "TotalAuthenticatedEntities": 1},
                {"ServiceName": "AWS Lambda", "ServiceNamespace": "lambda", "TotalAuthenticatedEntities": 0},
                {"ServiceName": "Amazon SES", "ServiceNamespace": "ses",
                 "LastAuthenticated": "2025-01-01T00:00:00Z", "TotalAuthenticatedEntities": 1}
            ],
            "IsTruncated": false
        })
    }

    fn suggestion(grants: &[(&str, &str)]) -> Suggestion {
        Suggestion {
            principal: Principal::parse("arn:aws:iam::111122223333:role/app").unwrap(),
            grants: grants.iter().map(|(a, r)| (a.to_string(), [r.to_string()].into())).collect(),
            evidence: Evidence::default(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn reads_the_cli_output() {
        let r = LastAccessed::from_json(&report()).unwrap();
        assert_eq!(r.services.len(), 4);
        assert_eq!(r.services["s3"].actions["GetObject"], Some(at("2026-11-30T09:00:00Z")));
        assert_eq!(r.services["s3"].actions["DeleteObject"], None);
        assert!(r.services["dynamodb"].actions.is_empty());
        assert_eq!(r.services["lambda"].last, None);
    }

    #[test]
    fn bad_reports_are_named() {
        let mut v = report();
        v["JobStatus"] = json!("IN_PROGRESS");
        assert_eq!(LastAccessed::from_json(&v), Err(LastAccessedError::NotCompleted("IN_PROGRESS".into())));
        assert_eq!(LastAccessed::from_json(&json!({"Events": []})), Err(LastAccessedError::NotAReport));
        let mut v = report();
        v["ServicesLastAccessed"][0]["LastAuthenticated"] = json!("yesterday");
        let e = LastAccessed::from_json(&v).unwrap_err();
        assert!(e.to_string().contains("\"yesterday\""), "{e}");
    }

    #[test]
    fn what_the_records_lack_is_a_gap_and_resourceless_actions_are_granted() {
        let mut s = suggestion(&[("s3:PutObject", "arn:aws:s3:::b/backups/*")]);
        s.reconcile(&LastAccessed::from_json(&report()).unwrap(), at("2026-11-01T00:00:00Z"));
        let r = s.evidence.last_accessed.clone().unwrap();
        assert_eq!(r.confirmed, 1, "PutObject is in the records");
        // ListAllMyBuckets takes no resource: granted on `*`, as the records would.
        assert_eq!(r.added.keys().collect::<Vec<_>>(), ["s3:ListAllMyBuckets"]);
        assert!(s.grants["s3:ListAllMyBuckets"].contains("*"));
        // GetObject needs an object ARN nobody recorded; DynamoDB tracks no action: gaps.
        assert_eq!(r.unseen.keys().collect::<Vec<_>>(), ["dynamodb:*", "s3:GetObject"]);
        assert!(!s.grants.contains_key("s3:GetObject"));
        // SES's last use is older than the window, Lambda was never used: nothing.
        assert!(!r.unseen.keys().any(|k| k.starts_with("ses") || k.starts_with("lambda")));
    }

    #[test]
    fn a_service_the_records_show_is_no_gap() {
        let mut s = suggestion(&[("dynamodb:Scan", "arn:aws:dynamodb:us-east-1:111122223333:table/t")]);
        s.reconcile(&LastAccessed::from_json(&report()).unwrap(), at("2026-11-29T12:00:00Z"));
        let r = s.evidence.last_accessed.unwrap();
        // Only GetObject (11-30) is recent enough of S3's actions; DynamoDB is shown by Scan.
        assert_eq!(r.unseen.keys().collect::<Vec<_>>(), ["s3:GetObject"]);
        assert!(r.added.is_empty());
    }
}
