//! What a suggestion was learned from, and what it could not learn: for people (stderr, alerts)
//! and for the guard's "enough evidence" test.

use super::generalise::Generalised;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The evidence behind a suggestion.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Successful calls of the principal that mapped to actions.
    pub calls: usize,
    /// The calls per action (dependent actions counted with the call that needs them).
    pub per_action: BTreeMap<String, usize>,
    /// The first and last successful call.
    pub first: Option<DateTime<Utc>>,
    /// The last.
    pub last: Option<DateTime<Utc>>,
    /// The days on which it made calls.
    pub dates: BTreeSet<NaiveDate>,
    /// Refused or failed calls, per action and error code: not granted.
    pub refused: BTreeMap<String, usize>,
    /// Calls no action is known for (`host eventName`): not granted.
    pub unmapped: BTreeMap<String, usize>,
    /// Generalisations made, per action.
    pub generalised: Vec<(String, Generalised)>,
    /// Actions whose resource the records did not name in full (the unknown parts are `*`).
    pub partial: BTreeSet<String>,
    /// Did the records hold any data event (S3 objects, DynamoDB items, Lambda invokes)?
    pub data_events: bool,
    /// The services whose data events the records hold (`s3`, `dynamodb`).
    pub data_sources: BTreeSet<String>,
    /// What IAM's last-accessed data confirmed, added and showed missing (when it was read).
    pub last_accessed: Option<super::Reconciled>,
}

/// The services whose data calls a trail records only with data events enabled, and what they are.
const DATA_EVENT_SERVICES: &[(&str, &str)] = &[
    ("s3", "S3 object (GetObject, PutObject, …)"),
    ("dynamodb", "DynamoDB item (GetItem, PutItem, Query, Scan, …)"),
    ("lambda", "Lambda invoke"),
];

impl Evidence {
    pub(super) fn note_time(&mut self, t: Option<DateTime<Utc>>) {
        let Some(t) = t else { return };
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
        self.dates.insert(t.date_naive());
    }

    /// Days from the first call to the last, both counted (0 without calls).
    pub fn days_covered(&self) -> i64 {
        match (self.first, self.last) {
            (Some(f), Some(l)) => (l.date_naive() - f.date_naive()).num_days() + 1,
            _ => 0,
        }
    }

    /// The evidence as lines for people, under a heading naming the principal.
    pub fn render(&self, principal: &str) -> String {
        let mut t = String::new();
        let span = match (self.first, self.last) {
            (Some(f), Some(l)) => format!(
                " from {} to {} ({} days covered, calls on {})",
                f.format("%Y-%m-%d"),
                l.format("%Y-%m-%d"),
                self.days_covered(),
                self.dates.len()
            ),
            _ => String::new(),
        };
        let _ = writeln!(t, "suggest: {} calls of {principal}{span}", self.calls);
        for (action, n) in &self.per_action {
            let _ = writeln!(t, "  {action:<40} {n:>6} calls");
        }
        self.render_notes(&mut t);
        t
    }

    fn render_notes(&self, t: &mut String) {
        if !self.generalised.is_empty() {
            t.push_str("generalised (so the same work runs tomorrow):\n");
            for (action, g) in &self.generalised {
                let _ = writeln!(t, "  {action}: {} … → {}", g.seen.join(", "), g.pattern);
            }
        }
        if !self.partial.is_empty() {
            t.push_str("could not learn (the unknown part is *):\n");
            for p in &self.partial {
                let _ = writeln!(t, "  {p}");
            }
        }
        if !self.unmapped.is_empty() {
            t.push_str("calls with no known IAM action (not granted):\n");
            for (c, n) in &self.unmapped {
                let _ = writeln!(t, "  {c} ×{n}");
            }
        }
        if !self.refused.is_empty() {
            t.push_str("refused calls (denied for want of permission: not granted):\n");
            for (c, n) in &self.refused {
                let _ = writeln!(t, "  {c} ×{n}");
            }
        }
        self.render_last_accessed(t);
        if !self.data_events {
            t.push_str(
                "not seen: these records hold no data events, so S3 object, DynamoDB item and Lambda invoke \
                 calls cannot be seen and none is granted; enable data events on the trail and suggest again\n",
            );
        } else {
            for (svc, what) in DATA_EVENT_SERVICES.iter().filter(|(s, _)| !self.data_sources.contains(*s)) {
                let _ = writeln!(
                    t,
                    "not seen: no {svc} data events in these records: {what} calls, if any, are not granted"
                );
            }
        }
    }
}

impl Evidence {
    /// The actions IAM's last-accessed data shows attempted that the records lack (`s3:*` for a
    /// service it tracks no action of).
    pub fn unseen(&self) -> impl Iterator<Item = (&String, &DateTime<Utc>)> {
        self.last_accessed.iter().flat_map(|r| r.unseen.iter())
    }

    fn render_last_accessed(&self, t: &mut String) {
        let Some(r) = &self.last_accessed else { return };
        let _ = writeln!(t, "IAM last-accessed data: {} recent actions confirmed by the records", r.confirmed);
        for (a, at) in &r.added {
            let _ =
                writeln!(t, "  granted from it (no resource-level permission): {a}, last {}", at.format("%Y-%m-%d"));
        }
        if !r.unseen.is_empty() {
            t.push_str("attempted per IAM last-accessed, not in the records (not granted; the work may need it):\n");
            for (a, at) in &r.unseen {
                let _ = writeln!(t, "  {a}, last {}", at.format("%Y-%m-%d"));
            }
        }
    }

    /// The evidence as JSON (alerts, `suggest --evidence-json`); `last_accessed` only when read.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "calls": self.calls,
            "first": self.first.map(|t| t.to_rfc3339()),
            "last": self.last.map(|t| t.to_rfc3339()),
            "days_covered": self.days_covered(),
            "days_with_calls": self.dates.len(),
            "per_action": self.per_action,
            "generalised": self.generalised.iter()
                .map(|(a, g)| serde_json::json!({"action": a, "seen": g.seen, "pattern": g.pattern}))
                .collect::<Vec<_>>(),
            "partial": self.partial,
            "unmapped": self.unmapped,
            "refused": self.refused,
            "data_events": self.data_events,
            "data_sources": self.data_sources,
        });
        if let Some(r) = &self.last_accessed {
            let times = |m: &BTreeMap<String, DateTime<Utc>>| -> BTreeMap<String, String> {
                m.iter().map(|(a, t)| (a.clone(), t.to_rfc3339())).collect()
            };
            v["last_accessed"] =
                serde_json::json!({"confirmed": r.confirmed, "added": times(&r.added), "unseen": times(&r.unseen)});
        }
        v
    }
}
