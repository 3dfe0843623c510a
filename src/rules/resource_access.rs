//! Who a resource policy admits, judged by meaning: for each Allow statement, the callers its
//! Principal names are asked for — anyone (a caller from an unknown account, in another
//! organization, from the internet), each named account outside the organization and
//! `known_accounts`, each named service on behalf of someone else's resource — and the evaluation
//! core answers, action by action, whether the statement's action, resource and conditions hold
//! for that caller and no Deny of the policy refuses it (AWS's evaluation of resource-based
//! policies, [`crate::eval::request`]). A condition that pins the caller (`aws:PrincipalOrgID`,
//! `aws:SourceArn`, `aws:SourceVpce`, `kms:CallerAccount`, …) refuses the stranger, so it is no
//! finding; `…IfExists`, a pattern matching any account, or `0.0.0.0/0` does not.

use super::*;
use crate::catalog::AccessLevel;
use crate::eval::request::{applies, Context, Request};
use crate::policy::{Principal, PrincipalSpec, PrincipalType};

/// The account a stranger calls from: in no organization the guard knows.
pub(crate) const STRANGER: &str = "000000000000";
const STRANGER_ORG: &str = "o-stranger000";
/// At most this many actions of one statement are asked about.
const MAX_ACTIONS: usize = 400;

/// Who a statement admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// Anyone (Principal `*`, `{"AWS": "*"}`, NotPrincipal).
    Anyone,
    /// A named principal of an account outside the organization and `known_accounts`.
    Account { principal: String, account: String },
    /// An AWS service acting for any account's resource.
    Service(String),
}

/// A statement that lets a caller in, with what it may do.
pub(crate) struct Admission {
    /// The statement's index.
    pub(crate) statement: usize,
    /// Who.
    pub(crate) caller: Caller,
    /// The actions the caller is allowed, catalogue spelling.
    pub(crate) actions: Vec<String>,
    /// The worst access level among them.
    pub(crate) level: Option<AccessLevel>,
}

/// Every caller each Allow statement of `doc` admits, with the actions allowed.
pub(crate) fn admissions(cx: &Ctx<'_>, doc: &PolicyDocument) -> Vec<Admission> {
    let mut out = Vec::new();
    for (i, s) in doc.statements.iter().enumerate().filter(|(_, s)| s.effect == Effect::Allow) {
        let Some(p) = &s.principal else { continue };
        let s = &*with_resource(s);
        for caller in callers(cx, p) {
            // A stranger in another organization, and one in none (no aws:PrincipalOrgID at all:
            // `…IfExists` lets it through).
            let contexts = [context(&caller, (cx, s), true), context(&caller, (cx, s), false)];
            let resource = request_resource(s, cx);
            let allowed: Vec<String> = statement_actions(cx.catalog, s)
                .into_iter()
                .filter(|a| {
                    contexts.iter().any(|ctx| {
                        let req = Request { action: a, resource: &resource, context: ctx };
                        applies(&req, s) && !denied(doc, &req, &caller)
                    })
                })
                .collect();
            if allowed.is_empty() {
                continue;
            }
            let level = allowed.iter().filter_map(|a| cx.catalog.level(a)).max();
            out.push(Admission { statement: i, caller, actions: allowed, level });
        }
    }
    out
}

/// The callers a Principal names that the guard asks about.
fn callers(cx: &Ctx<'_>, p: &PrincipalSpec) -> Vec<Caller> {
    if p.not {
        return vec![Caller::Anyone];
    }
    let m = match &p.principal {
        Principal::Any => return vec![Caller::Anyone],
        Principal::Map(m) => m,
    };
    let mut out = Vec::new();
    for v in m.get(&PrincipalType::Aws).into_iter().flatten() {
        if v == "*" {
            out.push(Caller::Anyone);
        } else if let Some(a) = crate::arn::account(v).filter(|a| !cx.known_account(a)) {
            out.push(Caller::Account { principal: v.clone(), account: a.to_string() });
        }
    }
    for v in m.get(&PrincipalType::Service).into_iter().flatten() {
        out.push(Caller::Service(v.to_ascii_lowercase()));
    }
    out.dedup();
    out
}

/// The request context of a caller: a stranger's values for every key that pins callers; in an
/// organization (not the guarded one) or in none.
fn context(caller: &Caller, (cx, s): (&Ctx<'_>, &Statement), in_org: bool) -> Context {
    let mut c = Context::default();
    let (account, arn) = match caller {
        Caller::Account { principal, account } => {
            let arn = if principal.contains(":root") || !principal.starts_with("arn:") {
                format!("arn:aws:iam::{account}:role/caller")
            } else {
                principal.clone()
            };
            (account.clone(), arn)
        }
        _ => (STRANGER.to_string(), format!("arn:aws:iam::{STRANGER}:role/stranger")),
    };
    if let Caller::Service(service) = caller {
        let prefix = service.split('.').next().unwrap_or(service);
        let region = cx.policy.resource.as_ref().map_or("us-east-1", |r| r.region.as_str());
        c.insert("aws:PrincipalServiceName", service);
        c.insert("aws:PrincipalIsAWSService", "true");
        c.insert("aws:SourceAccount", STRANGER);
        c.insert("aws:SourceOwner", STRANGER);
        if in_org {
            c.insert("aws:SourceOrgID", STRANGER_ORG);
        }
        for arn in stranger_source_arns(s) {
            c.insert("aws:SourceArn", &arn);
        }
        if c.get("aws:SourceArn").is_none() {
            c.insert("aws:SourceArn", &format!("arn:aws:{prefix}:{region}:{STRANGER}:stranger"));
        }
        return c;
    }
    c.insert("aws:PrincipalArn", &arn);
    c.insert("aws:PrincipalAccount", &account);
    if in_org {
        c.insert("aws:PrincipalOrgID", STRANGER_ORG);
    }
    c.insert("aws:PrincipalType", "AssumedRole");
    c.insert("aws:userid", "AROASTRANGER:caller");
    c.insert("aws:PrincipalIsAWSService", "false");
    c.insert("aws:SourceIp", "203.0.113.7");
    c.insert("aws:SecureTransport", "true");
    c.insert("kms:CallerAccount", &account);
    // A function URL without authentication is called so.
    c.insert("lambda:FunctionUrlAuthType", "NONE");
    c
}

/// A stranger's resource of the kinds a statement's `aws:SourceArn` conditions name: each
/// pattern with its account replaced by the stranger's (a pattern naming an account then fails;
/// one whose account is `*` or empty still matches).
fn stranger_source_arns(s: &Statement) -> Vec<String> {
    s.conditions
        .iter()
        .filter(|c| c.key.eq_ignore_ascii_case("aws:SourceArn"))
        .flat_map(|c| c.values.iter())
        .filter_map(|v| {
            let mut parts: Vec<&str> = v.splitn(6, ':').collect();
            (parts.len() == 6).then(|| {
                parts[4] = STRANGER;
                parts.join(":").replace(['*', '?'], "x")
            })
        })
        .collect()
}

/// The statement as evaluated: some services' policies (ECR's) leave Resource out, meaning the
/// resource itself.
fn with_resource(s: &Statement) -> std::borrow::Cow<'_, Statement> {
    match s.resource {
        Some(_) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(Statement {
            resource: Some(crate::policy::ResourceSpec::Resource(vec!["*".into()])),
            ..s.clone()
        }),
    }
}

/// Does a Deny of the policy refuse the request for this caller?
fn denied(doc: &PolicyDocument, req: &Request<'_>, caller: &Caller) -> bool {
    doc.statements
        .iter()
        .filter(|s| s.effect == Effect::Deny)
        .any(|s| s.principal.as_ref().is_none_or(|p| names(p, caller)) && applies(req, &with_resource(s)))
}

/// Does a Principal (of a Deny) name the caller?
fn names(p: &PrincipalSpec, caller: &Caller) -> bool {
    let named = match &p.principal {
        Principal::Any => true,
        Principal::Map(m) => {
            let aws = m.get(&PrincipalType::Aws).map(Vec::as_slice).unwrap_or_default();
            let services = m.get(&PrincipalType::Service).map(Vec::as_slice).unwrap_or_default();
            match caller {
                Caller::Anyone => aws.iter().any(|v| v == "*" || crate::arn::account(v) == Some(STRANGER)),
                Caller::Account { principal, account } => {
                    aws.iter().any(|v| v == "*" || v == principal || crate::arn::account(v) == Some(account.as_str()))
                }
                Caller::Service(s) => {
                    services.iter().any(|v| v.eq_ignore_ascii_case(s)) || aws.iter().any(|v| v == "*")
                }
            }
        }
    };
    named != p.not
}

/// The resource a request names: the statement's first resource pattern made concrete, else
/// the judged resource's ARN.
fn request_resource(s: &Statement, cx: &Ctx<'_>) -> String {
    let own = cx.policy.resource.as_ref().map(|r| r.arn.clone());
    match &s.resource {
        Some(crate::policy::ResourceSpec::Resource(values)) if !values.is_empty() => values[0].replace(['*', '?'], "x"),
        _ => own.unwrap_or_else(|| "*".into()),
    }
}

/// The concrete actions a statement names (NotAction: every other action of the services its
/// resources belong to), at most [`MAX_ACTIONS`], the most powerful first.
fn statement_actions(catalog: &Catalog, s: &Statement) -> Vec<String> {
    let patterns = s.action_patterns();
    let not = matches!(s.action, ActionSpec::NotAction(_));
    let mut refs: Vec<crate::catalog::ActionRef> = if not {
        let mut services: Vec<String> =
            s.resource_patterns().iter().filter_map(|r| r.split(':').nth(2)).map(|p| format!("{p}:*")).collect();
        services.dedup();
        services
            .iter()
            .flat_map(|all| catalog.expand(all))
            .filter(|a| !patterns.iter().any(|p| wildcard_match(p, &a.full_name(), true)))
            .collect()
    } else {
        patterns.iter().flat_map(|p| catalog.expand(p)).collect()
    };
    refs.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| (a.prefix, a.name).cmp(&(b.prefix, b.name))));
    refs.dedup();
    let mut names: Vec<String> = refs.iter().take(MAX_ACTIONS).map(|a| a.full_name()).collect();
    if names.is_empty() {
        // Actions the catalogue does not know are asked about as written.
        names = patterns.iter().filter(|p| !p.contains(['*', '?'])).map(|p| p.to_string()).collect();
    }
    names
}

/// `s3:GetObject, s3:ListBucket … and 12 more`.
pub(crate) fn action_list(actions: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = actions.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if actions.len() > SHOWN {
        s.push_str(&format!(" … and {} more", actions.len() - SHOWN));
    }
    s
}

/// The evidence for an admission.
pub(crate) fn evidence(doc: &PolicyDocument, a: &Admission, who: String) -> Evidence {
    let mut ev = Evidence::statement(a.statement, &doc.statements[a.statement]).with_actions(a.actions.clone());
    ev.principals = vec![who];
    ev
}

/// What the resource is called in messages: "this S3 bucket", or "this resource".
pub(crate) fn this(cx: &Ctx<'_>) -> String {
    match &cx.policy.resource {
        Some(r) => format!("this {}", r.kind.info().label),
        None => "this resource".into(),
    }
}
