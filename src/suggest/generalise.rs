//! Generalising what was seen so that tomorrow's work still runs and nothing else does: S3 object
//! keys to the pattern their names share (a date or counter in a name becomes `*`; many names
//! under one prefix become `prefix/*`), never past the bucket.

use std::collections::{BTreeMap, BTreeSet};

/// At most this many distinct key patterns per bucket are listed; more become their common prefix.
const MAX_PATTERNS: usize = 5;

/// One generalisation, for the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generalised {
    /// What was seen (a few of them).
    pub seen: Vec<String>,
    /// The pattern granted.
    pub pattern: String,
}

/// The resources of one action with S3 object ARNs generalised; the rest pass through.
pub fn generalise(resources: &BTreeSet<String>) -> (BTreeSet<String>, Vec<Generalised>) {
    let mut out = BTreeSet::new();
    let mut by_bucket: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in resources {
        match r.strip_prefix("arn:aws:s3:::").and_then(|k| k.split_once('/')) {
            Some((bucket, key)) if !key.contains('*') => by_bucket.entry(bucket).or_default().push(key),
            _ => {
                out.insert(r.clone());
            }
        }
    }
    let mut notes = Vec::new();
    for (bucket, keys) in by_bucket {
        let patterns = key_patterns(&keys);
        let changed = patterns.len() != keys.len() || patterns.iter().any(|p| p.contains('*'));
        for p in &patterns {
            out.insert(format!("arn:aws:s3:::{bucket}/{p}"));
        }
        if changed {
            for p in patterns {
                let seen: Vec<String> = keys
                    .iter()
                    .filter(|k| crate::policy::wildcard_match(&p, k, false))
                    .take(3)
                    .map(|k| format!("{bucket}/{k}"))
                    .collect();
                notes.push(Generalised { seen, pattern: format!("{bucket}/{p}") });
            }
        }
    }
    (out, notes)
}

/// The patterns for a bucket's keys.
fn key_patterns(keys: &[&str]) -> Vec<String> {
    let set: BTreeSet<String> = keys.iter().map(|k| dated(k)).collect();
    if set.len() <= MAX_PATTERNS {
        return set.into_iter().collect();
    }
    vec![format!("{}*", common_dir(set.iter().map(String::as_str)))]
}

/// A key with each date, time or counter in it as `*`: a stretch of digits and the separators
/// dates use (`-_:./T`), from a digit to a digit, holding four digits or more —
/// `backups/studentData-2026-11-20.json` → `backups/studentData-*.json`, `logs/2026/11/20/a.gz` →
/// `logs/*/a.gz`. Shorter numbers stay (`v2/config.json`, `2026/q3.csv` → `*/q3.csv`).
fn dated(key: &str) -> String {
    let b = key.as_bytes();
    let sep = |c: u8| matches!(c, b'-' | b'_' | b':' | b'.' | b'/' | b'T');
    let mut out = String::with_capacity(key.len());
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            let ch = key[i..].chars().next().unwrap_or_default();
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        // The stretch from this digit: digits and separators, ending at its last digit.
        let mut end = i;
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_digit() || sep(b[j])) {
            if b[j].is_ascii_digit() {
                end = j + 1;
            }
            j += 1;
        }
        let digits = b[i..end].iter().filter(|c| c.is_ascii_digit()).count();
        if digits >= 4 {
            out.push('*');
        } else {
            out.push_str(&key[i..end]);
        }
        i = end;
    }
    out
}

/// The longest directory prefix (up to and with a `/`) all keys share; may be empty.
fn common_dir<'a>(mut keys: impl Iterator<Item = &'a str>) -> &'a str {
    let Some(first) = keys.next() else { return "" };
    let mut len = first.len();
    for k in keys {
        len = first.bytes().zip(k.bytes()).take(len).take_while(|(a, b)| a == b).count();
    }
    let prefix = &first[..len];
    // Never cut into a pattern: stop before any `*`.
    let prefix = &prefix[..prefix.find('*').unwrap_or(prefix.len())];
    &prefix[..prefix.rfind('/').map_or(0, |i| i + 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dated_names_become_one_pattern() {
        let r = set(&[
            "arn:aws:s3:::backups-bucket/backups/studentData-2026-11-01.json",
            "arn:aws:s3:::backups-bucket/backups/studentData-2026-11-02.json",
            "arn:aws:dynamodb:us-east-1:111122223333:table/studentData",
        ]);
        let (out, notes) = generalise(&r);
        assert_eq!(
            out,
            set(&[
                "arn:aws:dynamodb:us-east-1:111122223333:table/studentData",
                "arn:aws:s3:::backups-bucket/backups/studentData-*.json"
            ])
        );
        assert_eq!(notes[0].pattern, "backups-bucket/backups/studentData-*.json");
        assert_eq!(notes[0].seen.len(), 2);
    }

    #[test]
    fn dates_in_names_and_paths() {
        assert_eq!(dated("backups/studentData-2026-11-20.json"), "backups/studentData-*.json");
        assert_eq!(dated("logs/2026/11/20/a.gz"), "logs/*/a.gz");
        assert_eq!(dated("run-2026-11-06T03:00:02Z.json"), "run-*Z.json");
        assert_eq!(dated("backup-1700000000-abc.json"), "backup-*-abc.json");
        assert_eq!(dated("2026/q3.csv"), "*/q3.csv");
        assert_eq!(dated("v2/config.json"), "v2/config.json");
        assert_eq!(dated("v1.2.3/x"), "v1.2.3/x");
        assert_eq!(dated("naïve-2026.txt"), "naïve-*.txt");
    }

    #[test]
    fn plain_names_stay_and_many_names_share_their_prefix() {
        let (out, notes) = generalise(&set(&["arn:aws:s3:::b/config/v2.json"]));
        assert_eq!(out, set(&["arn:aws:s3:::b/config/v2.json"]));
        assert!(notes.is_empty());
        let many: Vec<String> =
            ["a", "b", "c", "d", "e", "f"].iter().map(|n| format!("arn:aws:s3:::b/in/{n}.csv")).collect();
        let (out, _) = generalise(&many.into_iter().collect());
        assert_eq!(out, set(&["arn:aws:s3:::b/in/*"]));
        // No common directory: the bucket's keys, never another bucket.
        let many: Vec<String> =
            ["a", "b", "c", "d", "e", "f"].iter().map(|n| format!("arn:aws:s3:::b/{n}.csv")).collect();
        assert_eq!(generalise(&many.into_iter().collect()).0, set(&["arn:aws:s3:::b/*"]));
    }
}
