//! What a principal's identity policies are judged within: its permissions boundary and the SCPs
//! of its account. IAM allows a request only when an identity policy allows it *and* the boundary
//! and every SCP level allow it too; so each Allow statement grants, in effect, only what falls
//! inside every limit. Cutting each statement's grant (instead of appending the limit's complement
//! as a Deny) keeps every residual judged: admin under a read-only boundary is read access to
//! everything, and the rules report that, pointing at the statement that grants it.

use super::{ActionSet, Effective, StatementEval};
use crate::catalog::AccessLevel;
use crate::policy::{Effect, PolicyDocument};

/// The limits a principal is judged within, evaluated once for all its policies.
#[derive(Debug, Clone)]
pub struct Limit {
    /// What they are, for messages: "permissions boundary ReadOnlyAccess", "SCP deny-s3".
    pub label: String,
    /// What they allow together (intersected), and what they deny.
    pub effective: Effective,
    /// The documents, for rules that read a limit's statements (a service pinned to a
    /// read-only mode by the boundary's condition).
    pub documents: Vec<PolicyDocument>,
}

impl Limit {
    /// The limit of these documents together (boundary first, then each SCP), labelled; `None`
    /// when there is none.
    pub fn of(limits: &[(String, &PolicyDocument)]) -> Option<Limit> {
        Limit::of_levels(limits.iter().map(|(l, d)| (l.clone(), vec![*d])).collect())
    }

    /// The limit of several levels, each of which must allow (a boundary; each SCP level from
    /// the root down). Within a level one document allowing suffices and any Deny wins, as IAM
    /// evaluates the SCPs attached to one target.
    pub fn of_levels(levels: Vec<(String, Vec<&PolicyDocument>)>) -> Option<Limit> {
        let mut effective: Option<Effective> = None;
        let mut labels = Vec::new();
        let mut documents = Vec::new();
        for (label, docs) in levels {
            let each: Vec<Effective> = docs.iter().map(|d| Effective::of(d).0).collect();
            let level = Effective::combine(&each.iter().collect::<Vec<_>>(), None, &[]);
            match &mut effective {
                None => effective = Some(level),
                Some(e) => {
                    e.limit_to(&level);
                    e.settle();
                }
            }
            if !labels.contains(&label) {
                labels.push(label);
            }
            documents.extend(docs.into_iter().cloned());
        }
        Some(Limit { label: labels.join(" and "), effective: effective?, documents })
    }
}

impl Effective {
    /// Keeps of what is allowed only what `limit` allows too (a boundary or an SCP): everywhere
    /// only where the limit reaches everywhere, narrowed where the limit is. The caller settles.
    pub(crate) fn limit_to(&mut self, limit: &Effective) {
        self.denied.union_with(&limit.denied);
        self.denied_everywhere.union_with(&limit.denied_everywhere);
        let reach = limit.reach_everywhere();
        let mut now_narrowed = self.everywhere.clone();
        now_narrowed.intersect(&limit.narrowed);
        self.everywhere.intersect(&limit.everywhere);
        self.narrowed.intersect(&reach);
        self.narrowed.union_with(&now_narrowed);
        self.anywhere.intersect(&limit.anywhere);
    }
}

impl StatementEval {
    /// An Allow statement's grant cut to what `limit` allows (Deny statements deny as written).
    pub(crate) fn limit_to(&mut self, limit: &Effective) {
        if self.effect != Effect::Allow {
            return;
        }
        let mut reach = limit.reach_everywhere();
        reach.subtract(&limit.denied_everywhere);
        self.applies.intersect(&limit.anywhere);
        self.free.intersect(&limit.anywhere);
        self.everywhere.intersect(&reach);
        self.unconditional.intersect(&limit.everywhere);
    }
}

/// What a set of granted actions amounts to, in a few words: the access levels per service for a
/// few services ("s3: read, list (38 actions)"), else the levels over how many services.
pub fn describe(set: &ActionSet) -> String {
    if set.is_empty() {
        return "nothing".into();
    }
    let mut per_service: Vec<(&str, Vec<AccessLevel>)> = Vec::new();
    // Ids follow catalogue order: a service's actions are consecutive.
    for id in set.iter() {
        let svc = id.service().prefix;
        let level = effective_level(id);
        match per_service.last_mut() {
            Some((s, levels)) if *s == svc => add_level(levels, level),
            _ => per_service.push((svc, vec![level])),
        }
    }
    let n = set.len();
    let actions = if n == 1 { "1 action".to_string() } else { format!("{n} actions") };
    if per_service.len() <= 3 {
        let parts: Vec<String> = per_service.iter().map(|(s, levels)| format!("{s} {}", level_words(levels))).collect();
        return format!("{} ({actions})", parts.join("; "));
    }
    let mut all = Vec::new();
    for (_, levels) in &per_service {
        for l in levels {
            add_level(&mut all, *l);
        }
    }
    format!("{} on {} services ({actions})", level_words(&all), per_service.len())
}

/// An action's access level as what it does: a "Write" or "Permissions management" action whose
/// verb only reads ([`crate::catalog::ActionId::modifies`]) counts as a read.
fn effective_level(id: crate::catalog::ActionId) -> AccessLevel {
    match id.level() {
        AccessLevel::List => AccessLevel::List,
        l if id.modifies() => l,
        _ => AccessLevel::Read,
    }
}

fn add_level(levels: &mut Vec<AccessLevel>, l: AccessLevel) {
    if !levels.contains(&l) {
        levels.push(l);
    }
}

/// "read, list only", "write, read": levels in the catalogue's order of weight.
fn level_words(levels: &[AccessLevel]) -> String {
    let order = [
        AccessLevel::PermissionsManagement,
        AccessLevel::Tagging,
        AccessLevel::Write,
        AccessLevel::Read,
        AccessLevel::List,
    ];
    let words: Vec<&str> = order.iter().filter(|l| levels.contains(l)).map(|l| level_word(*l)).collect();
    let only = levels.iter().all(|l| matches!(l, AccessLevel::Read | AccessLevel::List));
    if only {
        format!("{} only", words.join(", "))
    } else {
        words.join(", ")
    }
}

fn level_word(l: AccessLevel) -> &'static str {
    match l {
        AccessLevel::List => "list",
        AccessLevel::Read => "read",
        AccessLevel::Tagging => "tagging",
        AccessLevel::Write => "write",
        AccessLevel::PermissionsManagement => "permissions management",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::action_id;

    fn parse(json: &str) -> PolicyDocument {
        PolicyDocument::parse(json).unwrap()
    }

    fn within(identity: &str, limits: &[&str]) -> (Effective, Vec<StatementEval>) {
        let docs: Vec<PolicyDocument> = limits.iter().map(|l| parse(l)).collect();
        let labelled: Vec<(String, &PolicyDocument)> = docs.iter().map(|d| ("b".to_string(), d)).collect();
        let limit = Limit::of(&labelled).unwrap();
        let doc = parse(identity);
        let named = doc.statements.iter().map(super::super::named_actions).collect();
        Effective::of_named_within(&doc, named, Some(&limit.effective))
    }

    const ADMIN: &str = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

    #[test]
    fn each_allow_grants_only_what_every_limit_allows() {
        let id = |a| action_id(a).unwrap();
        let s3_read = r#"{"Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#;
        let (e, evals) = within(ADMIN, &[s3_read]);
        assert!(e.everywhere.contains(id("s3:GetObject")) && !e.anywhere.contains(id("s3:PutObject")));
        assert!(!evals[0].applies.contains(id("iam:CreateUser")), "the statement's own grant is cut");
        // Two limits (a boundary and an SCP): both must allow; the SCP's Deny wins.
        let scp = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#;
        let (e, _) = within(ADMIN, &[s3_read, scp]);
        assert!(!e.anywhere.contains(id("s3:GetObject")) && e.everywhere.contains(id("s3:ListBucket")));
        // A limit under a condition narrows: everywhere only under it.
        let ip = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
        let (e, evals) = within(ADMIN, &[ip]);
        assert!(e.everywhere.is_empty() && e.narrowed.contains(id("iam:CreateUser")));
        assert!(evals[0].unconditional.is_empty() && evals[0].everywhere.contains(id("iam:CreateUser")));
        // A limit on named resources only: granted somewhere, not everywhere.
        let one_bucket = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#;
        let (e, _) = within(ADMIN, &[one_bucket]);
        assert!(e.anywhere.contains(id("s3:GetObject")) && !e.everywhere.contains(id("s3:GetObject")));
        // Deny statements of the identity document deny as written.
        let (e, evals) = within(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:List*","Resource":"*"}]}"#,
            &[s3_read],
        );
        assert!(!e.anywhere.contains(id("s3:ListBucket")) && evals[1].unconditional.contains(id("s3:ListBucket")));
    }

    #[test]
    fn a_grant_in_a_few_words() {
        let set = |actions: &[&str]| actions.iter().map(|a| action_id(a).unwrap()).collect::<ActionSet>();
        assert_eq!(describe(&ActionSet::empty()), "nothing");
        assert_eq!(describe(&set(&["s3:GetObject", "s3:ListBucket"])), "s3 read, list only (2 actions)");
        assert_eq!(describe(&set(&["s3:PutObject"])), "s3 write (1 action)");
        // A "Permissions management" action that only reads counts as a read.
        assert_eq!(describe(&set(&["billing:GetResourcePolicy"])), "billing read only (1 action)");
        let many = set(&["s3:GetObject", "ec2:DescribeInstances", "iam:GetRole", "sqs:SendMessage"]);
        assert_eq!(describe(&many), "write, read, list on 4 services (4 actions)");
    }
}
