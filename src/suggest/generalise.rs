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

/// A key whose name holds a date, time or counter (four digits or more from its first digit to
/// its last) with that stretch as `*`: `backups/studentData-2026-11-20.json` →
/// `backups/studentData-*.json`. A key with fewer digits is kept as it is (`v2/config.json`).
fn dated(key: &str) -> String {
    let digits = key.bytes().filter(u8::is_ascii_digit).count();
    let (Some(first), Some(last)) =
        (key.bytes().position(|b| b.is_ascii_digit()), key.bytes().rposition(|b| b.is_ascii_digit()))
    else {
        return key.to_string();
    };
    if digits < 4 {
        return key.to_string();
    }
    format!("{}*{}", &key[..first], &key[last + 1..])
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
