//! The request-level decision: is this one request (action, resource, context) allowed by these
//! policies, and which statements decided it — AWS's evaluation logic for a principal in its own
//! account (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//! an explicit Deny in any policy wins; otherwise an identity policy must allow it, and so must the
//! permissions boundary (when there is one) and every level of SCPs (when known).
//!
//! Unlike the rest of the core, which judges what documents allow over every request, this answers
//! one request with concrete values: `iam-guard can`, and the tests that show a suggestion allows
//! what was observed.

use super::conditions_request::holds;
use crate::policy::{wildcard_match, Effect, PolicyDocument, ResourceSpec, Statement};
use std::collections::BTreeMap;

/// The request context: condition keys (any case) with their values.
#[derive(Debug, Clone, Default)]
pub struct Context {
    values: BTreeMap<String, Vec<String>>,
}

impl Context {
    /// Adds a value to a key (multi-valued keys take several).
    pub fn insert(&mut self, key: &str, value: &str) {
        self.values.entry(key.to_ascii_lowercase()).or_default().push(value.to_string());
    }

    /// The values of a key, when the request has it.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values.get(&key.to_ascii_lowercase()).map(Vec::as_slice)
    }
}

/// One request.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// `s3:GetObject`.
    pub action: &'a str,
    /// The resource ARN (`*` for actions without resource-level permissions).
    pub resource: &'a str,
    /// Condition keys and policy variables.
    pub context: &'a Context,
}

/// A policy taking part, with a label for the answer ("inline policy app", "AmazonS3FullAccess").
#[derive(Debug, Clone, Copy)]
pub struct Held<'a> {
    /// What to call it.
    pub label: &'a str,
    /// Its document.
    pub doc: &'a PolicyDocument,
}

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Allowed.
    Allowed,
    /// An explicit Deny applies.
    ExplicitDeny,
    /// Nothing allows it (or the boundary or an SCP does not).
    ImplicitDeny,
}

/// A statement that took part in the decision.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decider {
    /// The policy's label.
    pub policy: String,
    /// The statement's index.
    pub statement: usize,
    /// Its Sid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// The answer, with the statements behind it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Answer {
    /// Allowed or not, and how.
    pub decision: Decision,
    /// The Allow statements that apply (identity policies).
    pub allowed_by: Vec<Decider>,
    /// The Deny statements that apply.
    pub denied_by: Vec<Decider>,
    /// What is missing for an implicit deny ("no identity policy allows it", "the permissions
    /// boundary does not allow it").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

/// The resource's own policy (a bucket, key, queue or function policy) and the account the
/// resource is in (`None`: the principal's).
#[derive(Debug, Clone, Copy)]
pub struct ResourcePolicy<'a> {
    /// The policy.
    pub held: Held<'a>,
    /// The resource's account.
    pub account: Option<&'a str>,
}

/// Decides one request for a principal holding `identity`, under `boundary` and `scps` (each
/// level of the organization a list of its policies; each level must allow).
pub fn authorize(
    req: &Request<'_>,
    identity: &[Held<'_>],
    boundary: Option<Held<'_>>,
    scps: &[Vec<Held<'_>>],
) -> Answer {
    authorize_with(req, identity, boundary, scps, None)
}

/// [`authorize`] with the resource's own policy: in the principal's account, an identity policy
/// or a resource policy naming the principal itself allows it (one naming the account delegates
/// to identity policies); from another account, both must allow. The permissions boundary limits
/// identity grants and resource grants to a role, not those naming a user (AWS's evaluation logic
/// for resource-based policies). The principal is the context's `aws:PrincipalArn` and
/// `aws:PrincipalAccount`.
pub fn authorize_with(
    req: &Request<'_>,
    identity: &[Held<'_>],
    boundary: Option<Held<'_>>,
    scps: &[Vec<Held<'_>>],
    resource: Option<ResourcePolicy<'_>>,
) -> Answer {
    let principal = first(req.context, "aws:PrincipalArn");
    let own = first(req.context, "aws:PrincipalAccount");
    let every = identity.iter().chain(boundary.iter()).chain(scps.iter().flatten());
    let mut denied_by: Vec<Decider> = every.flat_map(|h| matching(req, h, Effect::Deny)).collect();
    if let Some(r) = &resource {
        denied_by.extend(resource_denies(req, &r.held, principal, own));
    }
    let mut allowed_by: Vec<Decider> = identity.iter().flat_map(|h| matching(req, h, Effect::Allow)).collect();
    let cross = resource.and_then(|r| r.account).is_some_and(|a| a != own);
    let (direct, delegated) = match resource {
        Some(r) => resource_grants(req, &r.held, principal, own),
        None => (vec![], vec![]),
    };
    let bounded = boundary.is_some_and(|b| matching(req, &b, Effect::Allow).is_empty());
    let user = principal.contains(":user/");
    let missing = if !denied_by.is_empty() {
        None
    } else if cross && direct.is_empty() && delegated.is_empty() {
        Some("the resource's policy (another account's) does not allow it".to_string())
    } else if allowed_by.is_empty() && (cross || direct.is_empty()) {
        Some("no identity policy allows it".to_string())
    } else if bounded && !(user && !cross && !direct.is_empty()) {
        Some(format!("the permissions boundary {} does not allow it", boundary.map_or("", |b| b.label)))
    } else {
        let refusing = |l: &Vec<Held<'_>>| l.iter().all(|h| matching(req, h, Effect::Allow).is_empty());
        scps.iter().position(refusing).map(|level| format!("no SCP of level {} allows it", level + 1))
    };
    allowed_by.extend(direct.into_iter().chain(if cross { delegated } else { vec![] }));
    let decision = match (&denied_by[..], &missing) {
        ([_, ..], _) => Decision::ExplicitDeny,
        (_, Some(_)) => Decision::ImplicitDeny,
        _ => Decision::Allowed,
    };
    Answer { decision, allowed_by, denied_by, missing }
}

/// A resource policy's Deny statements that apply: to the principals they name (or to all).
fn resource_denies(req: &Request<'_>, h: &Held<'_>, principal: &str, own: &str) -> Vec<Decider> {
    h.doc
        .statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.effect == Effect::Deny && applies(req, s))
        .filter(|(_, s)| s.principal.as_ref().is_none_or(|p| names(p, principal, own) != Named::No))
        .map(|(i, s)| Decider { policy: h.label.to_string(), statement: i, sid: s.sid.clone() })
        .collect()
}

/// A context key's first value, or empty.
fn first<'a>(ctx: &'a Context, key: &str) -> &'a str {
    ctx.get(key).and_then(|v| v.first()).map_or("", String::as_str)
}

/// How a resource policy's Principal names the caller.
#[derive(Debug, PartialEq, Eq)]
enum Named {
    /// Not at all.
    No,
    /// Its account (`111122223333`, `arn:aws:iam::111122223333:root`): a delegation to IAM.
    Account,
    /// The caller itself, or everyone (`*`).
    Itself,
}

fn names(p: &crate::policy::PrincipalSpec, principal: &str, account: &str) -> Named {
    use crate::policy::{Principal, PrincipalType};
    let named = match &p.principal {
        Principal::Any => Named::Itself,
        Principal::Map(m) => {
            let values = m.get(&PrincipalType::Aws).map(Vec::as_slice).unwrap_or_default();
            if values.iter().any(|v| v == "*" || v == principal) {
                Named::Itself
            } else if values.iter().any(|v| v == account || *v == format!("arn:aws:iam::{account}:root")) {
                Named::Account
            } else {
                Named::No
            }
        }
    };
    match (p.not, named) {
        (false, n) => n,
        (true, Named::No) => Named::Itself,
        (true, _) => Named::No,
    }
}

/// A resource policy's Allow statements that apply: naming the caller itself, and naming its
/// account.
fn resource_grants(req: &Request<'_>, h: &Held<'_>, principal: &str, account: &str) -> (Vec<Decider>, Vec<Decider>) {
    let mut direct = Vec::new();
    let mut delegated = Vec::new();
    for (i, s) in h.doc.statements.iter().enumerate().filter(|(_, s)| s.effect == Effect::Allow && applies(req, s)) {
        let d = Decider { policy: h.label.to_string(), statement: i, sid: s.sid.clone() };
        match s.principal.as_ref().map(|p| names(p, principal, account)) {
            Some(Named::Itself) => direct.push(d),
            Some(Named::Account) => delegated.push(d),
            _ => {}
        }
    }
    (direct, delegated)
}

/// The statements of one policy with this effect that apply to the request.
fn matching(req: &Request<'_>, h: &Held<'_>, effect: Effect) -> Vec<Decider> {
    h.doc
        .statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.effect == effect && applies(req, s))
        .map(|(i, s)| Decider { policy: h.label.to_string(), statement: i, sid: s.sid.clone() })
        .collect()
}

/// Does a statement apply to the request: action, resource and every condition?
pub fn applies(req: &Request<'_>, s: &Statement) -> bool {
    s.covers_action(req.action) && resource_matches(req, s) && s.conditions.iter().all(|c| holds(c, req.context))
}

fn resource_matches(req: &Request<'_>, s: &Statement) -> bool {
    let hit = |patterns: &[crate::policy::Str]| {
        patterns.iter().any(|p| substitute(p, req.context).is_some_and(|p| wildcard_match(&p, req.resource, false)))
    };
    match &s.resource {
        Some(ResourceSpec::Resource(p)) => hit(p),
        Some(ResourceSpec::NotResource(p)) => !hit(p),
        // A statement without Resource is invalid; IAM refuses it, so it grants nothing.
        None => false,
    }
}

/// A pattern with its policy variables (`${aws:username}`, `${*}`) replaced from the context; a
/// variable the request lacks makes the pattern match nothing (`None`). A substituted value's own
/// `*` and `?` stay literal in AWS; here they are rare enough to be taken as written.
pub(crate) fn substitute(pattern: &str, ctx: &Context) -> Option<String> {
    if !pattern.contains("${") {
        return Some(pattern.to_string());
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}')? + i;
        let var = &rest[i + 2..end];
        match var {
            "*" | "?" | "$" => out.push_str(var),
            _ => {
                let (key, default) = match var.split_once(',') {
                    Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\''))),
                    None => (var, None),
                };
                match (ctx.get(key).and_then(|v| v.first()), default) {
                    (Some(v), _) => out.push_str(v),
                    (None, Some(d)) => out.push_str(d),
                    (None, None) => return None,
                }
            }
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> PolicyDocument {
        PolicyDocument::parse(text).unwrap()
    }

    fn ask(action: &str, resource: &str, identity: &[&PolicyDocument], boundary: Option<&PolicyDocument>) -> Decision {
        let ctx = Context::default();
        let held: Vec<Held> = identity.iter().map(|d| Held { label: "p", doc: d }).collect();
        let b = boundary.map(|d| Held { label: "b", doc: d });
        authorize(&Request { action, resource, context: &ctx }, &held, b, &[]).decision
    }

    #[test]
    fn allow_deny_and_nothing() {
        let p = doc(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/backups/*"},
            {"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/backups/secret*"}]}"#);
        assert_eq!(ask("s3:GetObject", "arn:aws:s3:::b/backups/x.json", &[&p], None), Decision::Allowed);
        assert_eq!(ask("S3:getobject", "arn:aws:s3:::b/backups/x.json", &[&p], None), Decision::Allowed);
        assert_eq!(ask("s3:GetObject", "arn:aws:s3:::b/backups/secret.json", &[&p], None), Decision::ExplicitDeny);
        assert_eq!(ask("s3:GetObject", "arn:aws:s3:::b/other.json", &[&p], None), Decision::ImplicitDeny);
        assert_eq!(ask("s3:PutObject", "arn:aws:s3:::b/backups/x.json", &[&p], None), Decision::ImplicitDeny);
        // Resource ARNs are case-sensitive.
        assert_eq!(ask("s3:GetObject", "arn:aws:s3:::B/backups/x.json", &[&p], None), Decision::ImplicitDeny);
    }

    #[test]
    fn the_boundary_must_allow_too() {
        let admin = doc(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        let read = doc(r#"{"Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#);
        assert_eq!(ask("iam:CreateUser", "*", &[&admin], Some(&read)), Decision::ImplicitDeny);
        assert_eq!(ask("s3:GetObject", "arn:aws:s3:::b/k", &[&admin], Some(&read)), Decision::Allowed);
        // The boundary alone grants nothing.
        assert_eq!(ask("s3:GetObject", "arn:aws:s3:::b/k", &[], Some(&read)), Decision::ImplicitDeny);
    }

    #[test]
    fn not_action_not_resource_and_variables() {
        let p = doc(r#"{"Statement":[
            {"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::private/*"},
            {"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]}"#);
        assert_eq!(ask("s3:GetObject", "arn:aws:s3:::public/k", &[&p], None), Decision::Allowed);
        assert_eq!(ask("s3:GetObject", "arn:aws:s3:::private/k", &[&p], None), Decision::ImplicitDeny);
        let mut ctx = Context::default();
        ctx.insert("aws:username", "alice");
        let held = [Held { label: "p", doc: &p }];
        let r = |res| authorize(&Request { action: "iam:GetUser", resource: res, context: &ctx }, &held, None, &[]);
        assert_eq!(r("arn:aws:iam::111122223333:user/alice").decision, Decision::Allowed);
        assert_eq!(r("arn:aws:iam::111122223333:user/bob").decision, Decision::ImplicitDeny);
        // Without the variable in the request, the statement matches nothing.
        assert_eq!(ask("iam:GetUser", "arn:aws:iam::111122223333:user/alice", &[&p], None), Decision::ImplicitDeny);
    }

    fn with_resource(
        identity: &[&PolicyDocument],
        resource: &PolicyDocument,
        account: Option<&str>,
        who: &str,
    ) -> Decision {
        let mut ctx = Context::default();
        ctx.insert("aws:PrincipalArn", who);
        ctx.insert("aws:PrincipalAccount", crate::arn::account(who).unwrap_or_default());
        let held: Vec<Held> = identity.iter().map(|d| Held { label: "p", doc: d }).collect();
        let r = ResourcePolicy { held: Held { label: "bucket policy", doc: resource }, account };
        let req = Request { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: &ctx };
        authorize_with(&req, &held, None, &[], Some(r)).decision
    }

    #[test]
    fn resource_policies_in_the_same_account_and_across() {
        let role = "arn:aws:iam::111122223333:role/app";
        let names_role =
            doc(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#);
        let names_account = doc(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#);
        let denies =
            doc(r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#);
        let reads = doc(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#);
        // Same account: naming the role is enough; naming the account delegates to IAM.
        assert_eq!(with_resource(&[], &names_role, None, role), Decision::Allowed);
        assert_eq!(with_resource(&[], &names_account, None, role), Decision::ImplicitDeny);
        assert_eq!(with_resource(&[&reads], &names_account, None, role), Decision::Allowed);
        // Another account's bucket: both sides must allow.
        assert_eq!(with_resource(&[], &names_role, Some("444455556666"), role), Decision::ImplicitDeny);
        assert_eq!(with_resource(&[&reads], &names_role, Some("444455556666"), role), Decision::Allowed);
        assert_eq!(with_resource(&[&reads], &names_account, Some("444455556666"), role), Decision::Allowed);
        let other = "arn:aws:iam::999988887777:role/x";
        assert_eq!(with_resource(&[&reads], &names_account, Some("444455556666"), other), Decision::ImplicitDeny);
        // A resource policy's Deny wins.
        assert_eq!(with_resource(&[&reads], &denies, None, role), Decision::ExplicitDeny);
    }

    #[test]
    fn the_answer_names_the_statements() {
        let p = doc(r#"{"Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#);
        let ctx = Context::default();
        let a = authorize(
            &Request { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: &ctx },
            &[Held { label: "inline policy app", doc: &p }],
            None,
            &[],
        );
        assert_eq!(
            a.allowed_by,
            vec![Decider { policy: "inline policy app".into(), statement: 0, sid: Some("Read".into()) }]
        );
    }
}
