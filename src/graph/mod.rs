//! Who can become admin: the escalation graph of an account.
//!
//! Nodes are the account's users, roles and groups, one `admin` node (effectively allowed every
//! action on every resource after denies and boundaries: [`crate::eval::Effective::combine`] and
//! the `admin` rule's threshold), and principals outside the account that a trust policy admits
//! (other accounts, the public, web identity providers). An edge `A → B` means "A can act with
//! B's permissions", with the reason:
//!
//! - `sts:AssumeRole`: B's trust names A (enough on its own within the account), or names the
//!   account (`…:root`) and A's identity policies allow `sts:AssumeRole` on B;
//! - IAM writes on B: `iam:UpdateAssumeRolePolicy` on role B (rewrite its trust to admit A),
//!   `iam:CreateAccessKey` / `CreateLoginProfile` / `UpdateLoginProfile` on user B,
//!   `iam:AddUserToGroup` on group B;
//! - `iam:PassRole` on role B + the other actions of a catalogued path whose service B trusts
//!   (`lambda:CreateFunction` + `lambda:InvokeFunction` with a role trusting Lambda, …);
//! - running code on existing compute: `ssm:SendCommand` / `ssm:StartSession` /
//!   `ec2-instance-connect:SendSSHPublicKey` on any EC2 instance → every role an instance profile
//!   carries (the inventory lists them; which instances run is not known, so any may);
//! - `A → admin` when A holds admin, can write its own policies (attach/put on itself, a new
//!   version of a customer managed policy it holds, a policy on one of its groups), can remove a
//!   boundary that is all that keeps it from admin, or can write the policies of a principal it
//!   can become.
//!
//! Every check on a resource asks the principal's own statements (with the evaluation core's
//! condition semantics: an Allow that can never apply grants nothing, only unconditional Denies
//! are subtracted), inside its permissions boundary. One breadth-first search from `admin` over
//! reversed edges gives every principal's shortest path: O(principals + edges).

mod scps;

use crate::catalog::{managed, Catalog};
use crate::eval::{action_id, Effective, StatementEval};
use crate::guard::ports::{Inventory, LocalPolicy, ScpLevel};
use crate::intake::{PrincipalKind, Target};
use crate::policy::{action_matches, wildcard_match, Effect, PolicyDocument, Principal, PrincipalType, ResourceSpec};
use crate::rules::escalation::PATHS;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

/// What a node stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// Effectively allowed everything.
    Admin,
    /// A user, role or group of the account.
    Principal(Target),
    /// A principal outside the account that a trust policy admits.
    Outside,
}

/// One node.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// `role/app`, `user/ci`, `group/ops`, `admin`, `account 999988887777`, `public`, …
    pub label: String,
    /// Its ARN (principals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// What it is.
    pub kind: NodeKind,
}

/// One edge: `from` can act with `to`'s permissions.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// Node index.
    pub from: usize,
    /// Node index.
    pub to: usize,
    /// How (`sts:AssumeRole`, `iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction`, …).
    pub reason: String,
}

/// A principal's way to admin.
#[derive(Debug, Clone, Serialize)]
pub struct PathToAdmin {
    /// The start node.
    pub start: usize,
    /// Edge indexes, in order; the last one ends at `admin`.
    pub edges: Vec<usize>,
    /// Can a principal outside the account reach the start?
    pub from_outside: bool,
}

/// The escalation graph.
#[derive(Debug, Clone, Serialize)]
pub struct Graph {
    /// Node 0 is `admin`.
    pub nodes: Vec<Node>,
    /// Every edge.
    pub edges: Vec<Edge>,
}

/// A policy document with its statements evaluated.
struct Evaluated {
    doc: PolicyDocument,
    evals: Vec<StatementEval>,
    effective: Effective,
    label: String,
}

/// What one principal holds.
struct Holder {
    docs: Vec<Rc<Evaluated>>,
    boundary: Option<Rc<Evaluated>>,
    /// The SCPs that limit it (member accounts of an organization, not service-linked roles).
    scps: Option<Rc<scps::ScpLevels>>,
    effective: Effective,
    /// Customer managed policies it holds (directly or through groups).
    managed: Vec<String>,
    groups: Vec<usize>,
}

fn statement_reaches(e: &Evaluated, effect: Effect, id: crate::catalog::ActionId, resource: &str) -> bool {
    e.doc.statements.iter().zip(&e.evals).any(|(s, ev)| {
        // An Allow counts unless its conditions can never hold; a Deny only when it has no
        // condition (one that may not apply is not subtracted).
        ev.effect == effect
            && ev.applies.contains(id)
            && (effect == Effect::Allow || s.conditions.is_empty())
            && match &s.resource {
                None => true,
                Some(ResourceSpec::Resource(r)) => r.iter().any(|p| wildcard_match(p, resource, false)),
                Some(ResourceSpec::NotResource(r)) => !r.iter().any(|p| wildcard_match(p, resource, false)),
            }
    })
}

impl Holder {
    /// Do its policies allow `action` on `resource` (within its boundary, not denied)?
    fn allows(&self, action: &str, resource: &str) -> bool {
        let Some(id) = action_id(action) else { return false };
        if !self.effective.anywhere.contains(id) {
            return false;
        }
        self.docs.iter().any(|d| statement_reaches(d, Effect::Allow, id, resource))
            && self.boundary.as_ref().is_none_or(|b| statement_reaches(b, Effect::Allow, id, resource))
            && !self.docs.iter().chain(self.boundary.as_ref()).any(|d| statement_reaches(d, Effect::Deny, id, resource))
            && self.scps.as_ref().is_none_or(|s| s.allows(id, resource))
    }

    fn has(&self, action: &str) -> bool {
        action_id(action).is_some_and(|id| self.effective.anywhere.contains(id))
    }
}

impl Holder {
    /// The resources its Allow statements name for these actions, when every one is an exact
    /// ARN (`None`: some statement has a wildcard, NotResource or no Resource, so any principal
    /// may be one). Lets the graph look targets up instead of trying every principal.
    fn named_targets(&self, actions: &[&str]) -> Option<Vec<&str>> {
        let ids: Vec<_> = actions.iter().filter_map(|a| action_id(a)).collect();
        let mut out = Vec::new();
        for d in &self.docs {
            for (s, ev) in d.doc.statements.iter().zip(&d.evals) {
                if ev.effect != Effect::Allow || !ids.iter().any(|&id| ev.applies.contains(id)) {
                    continue;
                }
                match &s.resource {
                    Some(ResourceSpec::Resource(r)) if r.iter().all(|p| !p.contains(['*', '?'])) => {
                        out.extend(r.iter().map(|p| p.as_str()))
                    }
                    _ => return None,
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}

fn evaluate(doc: PolicyDocument, label: String) -> Rc<Evaluated> {
    let (effective, evals) = Effective::of(&doc);
    Rc::new(Evaluated { doc, evals, effective, label })
}

/// The service principal a catalogued PassRole path hands the role to.
fn service_of(key_action: &str) -> Option<&'static str> {
    let prefix = key_action.split(':').next()?;
    Some(match prefix {
        "lambda" => "lambda.amazonaws.com",
        "ec2" | "autoscaling" => "ec2.amazonaws.com",
        "ecs" => "ecs-tasks.amazonaws.com",
        "glue" => "glue.amazonaws.com",
        "cloudformation" => "cloudformation.amazonaws.com",
        "codebuild" => "codebuild.amazonaws.com",
        "sagemaker" => "sagemaker.amazonaws.com",
        "datapipeline" => "datapipeline.amazonaws.com",
        "apprunner" => "tasks.apprunner.amazonaws.com",
        "bedrock-agentcore" => "bedrock-agentcore.amazonaws.com",
        "batch" => "ecs-tasks.amazonaws.com",
        _ => return None,
    })
}

struct Builder<'a> {
    account: &'a str,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    outside: HashMap<String, usize>,
}

impl Builder<'_> {
    fn edge(&mut self, from: usize, to: usize, reason: String) {
        if from != to {
            self.edges.push(Edge { from, to, reason });
        }
    }

    fn outside(&mut self, label: String) -> usize {
        if let Some(&i) = self.outside.get(&label) {
            return i;
        }
        self.nodes.push(Node { label: label.clone(), arn: None, kind: NodeKind::Outside });
        self.outside.insert(label, self.nodes.len() - 1);
        self.nodes.len() - 1
    }
}

impl Graph {
    /// Builds the graph of an account's inventory.
    pub fn build(inv: &Inventory, account_id: &str) -> Graph {
        Graph::build_within(inv, account_id, &[])
    }

    /// [`Graph::build`] for an account whose principals the SCPs `scps` limit.
    pub fn build_within(inv: &Inventory, account_id: &str, scps: &[ScpLevel]) -> Graph {
        let scp_levels = scps::ScpLevels::of(scps);
        let catalog = Catalog::global();
        let local: HashMap<&str, &LocalPolicy> = inv.policies.iter().map(|p| (p.arn.as_str(), p)).collect();
        let mut cache: HashMap<&str, Rc<Evaluated>> = HashMap::new();
        // Each managed policy evaluated once for the account.
        for p in &inv.principals {
            for arn in p.attached.iter().chain(p.boundary.iter()) {
                if cache.contains_key(arn.as_str()) {
                    continue;
                }
                let doc = match managed::by_arn(arn) {
                    Some(m) => m.document().ok(),
                    None => local
                        .get(arn.as_str())
                        .and_then(|l| l.default_document.as_deref())
                        .and_then(|d| PolicyDocument::parse(d).ok()),
                };
                // A policy whose document is not in the export grants nothing the graph can see.
                if let Some(doc) = doc {
                    cache.insert(arn, evaluate(doc, crate::arn::resource_name(arn).to_string()));
                }
            }
        }
        let mut b = Builder { account: account_id, nodes: vec![], edges: vec![], outside: HashMap::new() };
        b.nodes.push(Node { label: "admin".into(), arn: None, kind: NodeKind::Admin });
        // Principals, groups first so that users can refer to them.
        let mut index: HashMap<(PrincipalKind, &str), usize> = HashMap::new();
        let mut by_arn: HashMap<&str, usize> = HashMap::new();
        let mut details = Vec::new();
        for p in &inv.principals {
            let Some(t) = &p.target else { continue };
            b.nodes.push(Node {
                label: format!("{}/{}", t.kind.as_str(), t.name),
                arn: Some(p.arn.clone()),
                kind: NodeKind::Principal(t.clone()),
            });
            let i = b.nodes.len() - 1;
            index.insert((t.kind, t.name.as_str()), i);
            debug_assert_eq!(i, details.len() + 1, "node i is details[i - 1]");
            by_arn.insert(p.arn.as_str(), i);
            details.push((i, p));
        }
        let own_docs = |p: &crate::guard::ports::PrincipalDetail| -> Vec<Rc<Evaluated>> {
            let mut docs: Vec<Rc<Evaluated>> =
                p.attached.iter().filter_map(|a| cache.get(a.as_str()).cloned()).collect();
            docs.extend(p.inline.iter().filter_map(|(name, text)| {
                Some(evaluate(PolicyDocument::parse(text).ok()?, format!("inline policy {name}")))
            }));
            docs
        };
        let mut holders: HashMap<usize, Holder> = HashMap::new();
        let mut group_docs: HashMap<&str, (Vec<Rc<Evaluated>>, Vec<String>)> = HashMap::new();
        for (_, p) in details.iter().filter(|(_, p)| p.target.as_ref().is_some_and(|t| t.kind == PrincipalKind::Group))
        {
            let name = p.target.as_ref().map(|t| t.name.as_str()).unwrap_or_default();
            group_docs.insert(name, (own_docs(p), p.attached.clone()));
        }
        for (i, p) in &details {
            let mut docs = own_docs(p);
            let mut managed: Vec<String> = p.attached.clone();
            let mut groups = Vec::new();
            for g in &p.groups {
                if let Some((d, m)) = group_docs.get(g.as_str()) {
                    docs.extend(d.iter().cloned());
                    managed.extend(m.iter().cloned());
                }
                if let Some(&gi) = index.get(&(PrincipalKind::Group, g.as_str())) {
                    groups.push(gi);
                }
            }
            managed.retain(|a| !managed::is_aws_managed(a));
            let boundary = p.boundary.as_deref().and_then(|a| cache.get(a).cloned());
            let ids: Vec<&Effective> = docs.iter().map(|d| &d.effective).collect();
            let scps = scp_levels.clone().filter(|_| !p.path.starts_with("/aws-service-role/"));
            let limits = scps.as_ref().map(|s| s.effectives()).unwrap_or_default();
            let effective = Effective::combine(&ids, boundary.as_ref().map(|b| &b.effective), &limits);
            holders.insert(*i, Holder { docs, boundary, scps, effective, managed, groups });
        }
        let is_admin = |h: &Holder| crate::rules::is_admin_set(catalog, &h.effective.everywhere);
        // 1. Who holds admin.
        for (i, _) in &details {
            let h = &holders[i];
            if is_admin(h) {
                let names: Vec<&str> = h
                    .docs
                    .iter()
                    .filter(|d| crate::rules::is_admin_set(catalog, &d.effective.everywhere))
                    .map(|d| d.label.as_str())
                    .collect();
                let why = if names.is_empty() { "its policies together".to_string() } else { names.join(", ") };
                b.edge(*i, 0, format!("holds admin ({why})"));
            }
        }
        // 2. Trust policies: who can assume each role; which services it trusts.
        // Admins already have everything: their outgoing edges would add nothing but noise (and
        // make everything they can touch look reachable from wherever they are). Groups do not act.
        let acts = |p: &crate::guard::ports::PrincipalDetail| {
            p.target.as_ref().is_some_and(|t| t.kind != PrincipalKind::Group)
        };
        let assumers: Vec<usize> = details
            .iter()
            .filter(|(i, p)| acts(p) && !is_admin(&holders[i]) && holders[i].has("sts:AssumeRole"))
            .map(|(i, _)| *i)
            .collect();
        let mut services: HashMap<usize, Vec<String>> = HashMap::new();
        // Roles whose trust admits the account (identity policies decide), with the condition note.
        let mut admits_account: HashMap<usize, &str> = HashMap::new();
        for (r, p) in &details {
            let Some(trust) = p.trust.as_deref().and_then(|t| PolicyDocument::parse(t).ok()) else { continue };
            for s in &trust.statements {
                if s.effect != Effect::Allow || !s.action_patterns().iter().any(|a| action_matches(a, "sts:AssumeRole"))
                {
                    // Web identity and SAML federation use their own actions.
                    if s.effect == Effect::Allow {
                        if let Some(Principal::Map(m)) = s.principal.as_ref().filter(|p| !p.not).map(|p| &p.principal) {
                            for f in m.get(&PrincipalType::Federated).into_iter().flatten() {
                                let o = b.outside(format!("web identity {f}"));
                                b.edge(o, *r, "federated sts:AssumeRoleWith… admitted by the trust".into());
                            }
                        }
                    }
                    continue;
                }
                let Some(spec) = s.principal.as_ref().filter(|p| !p.not) else { continue };
                let cond = if s.conditions.is_empty() { "" } else { " (under conditions)" };
                let aws: Vec<String> = match &spec.principal {
                    Principal::Any => vec!["*".into()],
                    Principal::Map(m) => {
                        for svc in m.get(&PrincipalType::Service).into_iter().flatten() {
                            services.entry(*r).or_default().push(svc.to_ascii_lowercase());
                        }
                        for f in m.get(&PrincipalType::Federated).into_iter().flatten() {
                            let o = b.outside(format!("web identity {f}"));
                            b.edge(o, *r, format!("federated sts:AssumeRole admitted by the trust{cond}"));
                        }
                        m.get(&PrincipalType::Aws).cloned().unwrap_or_default()
                    }
                };
                for a in aws {
                    let acct = crate::arn::account(&a).map(str::to_string).unwrap_or_else(|| a.clone());
                    if a == "*" {
                        let o = b.outside("public (any AWS principal)".into());
                        b.edge(o, *r, format!("sts:AssumeRole: the trust admits \"*\"{cond}"));
                    } else if a == b.account || a == format!("arn:aws:iam::{}:root", b.account) {
                        admits_account.insert(*r, cond);
                    } else if acct == b.account {
                        let named = by_arn.get(a.as_str()).copied().or_else(|| {
                            let (kind, name) = match a.split(':').nth(5)? {
                                r if r.starts_with("user/") => (PrincipalKind::User, r.rsplit('/').next()?),
                                r if r.starts_with("role/") => (PrincipalKind::Role, r.rsplit('/').next()?),
                                r if r.starts_with("assumed-role/") => (PrincipalKind::Role, r.split('/').nth(1)?),
                                _ => return None,
                            };
                            index.get(&(kind, name)).copied()
                        });
                        if let Some(x) = named {
                            b.edge(x, *r, format!("sts:AssumeRole (named in the trust){cond}"));
                        }
                    } else {
                        let o = b.outside(format!("account {acct}"));
                        b.edge(o, *r, format!("sts:AssumeRole from another account{cond}"));
                    }
                }
            }
        }
        // Who may assume the roles that admit the account: each assumer's named roles looked up,
        // or every such role when it names them with a wildcard.
        let mut account_roles: Vec<usize> = admits_account.keys().copied().collect();
        account_roles.sort_unstable();
        for &x in &assumers {
            let h = &holders[&x];
            let candidates: Vec<usize> = match h.named_targets(&["sts:AssumeRole"]) {
                Some(arns) => arns
                    .iter()
                    .filter_map(|a| by_arn.get(a).copied())
                    .filter(|r| admits_account.contains_key(r))
                    .collect(),
                None => account_roles.clone(),
            };
            for r in candidates {
                let role_arn = b.nodes[r].arn.clone().unwrap_or_default();
                if h.allows("sts:AssumeRole", &role_arn) {
                    b.edge(x, r, format!("sts:AssumeRole (the trust admits the account){}", admits_account[&r]));
                }
            }
        }
        // Code on existing compute: EC2 instances run with the roles their instance profiles
        // carry, so whoever may run commands on any instance acts with those roles.
        const RUN_ON_INSTANCES: [&str; 3] =
            ["ssm:SendCommand", "ssm:StartSession", "ec2-instance-connect:SendSSHPublicKey"];
        let profiled: Vec<(usize, &str)> =
            details.iter().filter_map(|(i, p)| p.instance_profiles.first().map(|n| (*i, n.as_str()))).collect();
        if !profiled.is_empty() {
            let instance = format!("arn:aws:ec2:us-east-1:{account_id}:instance/i-0123456789abcdef0");
            for (x, p) in &details {
                let h = &holders[x];
                if !acts(p) || is_admin(h) || !RUN_ON_INSTANCES.iter().any(|a| h.has(a)) {
                    continue;
                }
                if let Some(act) = RUN_ON_INSTANCES.iter().find(|a| h.allows(a, &instance)) {
                    for (r, profile) in &profiled {
                        b.edge(*x, *r, format!("{act} on EC2 instances (instance profile {profile})"));
                    }
                }
            }
        }
        // 3. IAM writes and PassRole, by principals that hold any IAM write at all.
        let pass_paths: Vec<_> = PATHS
            .iter()
            .filter(|p| p.needs_pass_role())
            .filter_map(|p| Some((p, service_of(p.key_action())?)))
            .collect();
        // Grants on other principals (edges to them), and on itself or its policies (to admin).
        const ON_OTHERS: [&str; 6] = [
            "iam:UpdateAssumeRolePolicy",
            "iam:PassRole",
            "iam:CreateAccessKey",
            "iam:CreateLoginProfile",
            "iam:UpdateLoginProfile",
            "iam:AddUserToGroup",
        ];
        const ON_SELF: [&str; 10] = [
            "iam:AttachUserPolicy",
            "iam:PutUserPolicy",
            "iam:AttachRolePolicy",
            "iam:PutRolePolicy",
            "iam:AttachGroupPolicy",
            "iam:PutGroupPolicy",
            "iam:CreatePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:DeleteUserPermissionsBoundary",
            "iam:DeleteRolePermissionsBoundary",
        ];
        for (a, p) in &details {
            let Some(t) = &p.target else { continue };
            if t.kind == PrincipalKind::Group {
                continue;
            }
            let h = &holders[a];
            if is_admin(h) {
                continue;
            }
            let writes_iam = ON_OTHERS.iter().chain(&ON_SELF).any(|act| h.has(act));
            if !writes_iam {
                continue;
            }
            let (trust_rewrite, pass, creds, join) = (
                h.has("iam:UpdateAssumeRolePolicy"),
                h.has("iam:PassRole"),
                ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"].iter().any(|a| h.has(a)),
                t.kind == PrincipalKind::User && h.has("iam:AddUserToGroup"),
            );
            let mut can_become = Vec::new();
            // The principals its grants can name: looked up when every grant names exact ARNs.
            let named: Vec<&(usize, &crate::guard::ports::PrincipalDetail)>;
            let targets: &mut dyn Iterator<Item = &(usize, &crate::guard::ports::PrincipalDetail)> =
                match h.named_targets(&ON_OTHERS) {
                    Some(arns) => {
                        named = arns.iter().filter_map(|a| by_arn.get(a)).map(|&i| &details[i - 1]).collect();
                        &mut named.iter().copied()
                    }
                    None => &mut details.iter(),
                };
            for (x, q) in targets {
                if x == a {
                    continue;
                }
                let Some(kind) = q.target.as_ref().map(|t| t.kind) else { continue };
                let reason = match kind {
                    PrincipalKind::Role if !(trust_rewrite || pass) => None,
                    PrincipalKind::User if !creds => None,
                    PrincipalKind::Group if !join => None,
                    PrincipalKind::Role => {
                        let mut r = None;
                        if trust_rewrite && h.allows("iam:UpdateAssumeRolePolicy", &q.arn) {
                            r = Some("iam:UpdateAssumeRolePolicy (rewrite its trust to admit itself)".to_string());
                        } else if pass && h.allows("iam:PassRole", &q.arn) {
                            let trusted = services.get(x).map(Vec::as_slice).unwrap_or_default();
                            r = pass_paths
                                .iter()
                                .filter(|(_, svc)| trusted.iter().any(|t| t == svc))
                                .find(|(path, _)| {
                                    path.requires
                                        .iter()
                                        .filter(|g| !g.contains(&"iam:PassRole"))
                                        .all(|g| g.iter().any(|act| h.has(act)))
                                })
                                .map(|(path, _)| {
                                    let acts: Vec<&str> = path
                                        .requires
                                        .iter()
                                        .map(|g| g.iter().copied().find(|act| h.has(act)).unwrap_or(g[0]))
                                        .collect();
                                    format!("{} ({})", acts.join(" + "), path.id)
                                });
                        }
                        r
                    }
                    PrincipalKind::User => ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"]
                        .into_iter()
                        .find(|act| h.allows(act, &q.arn))
                        .map(|act| format!("{act} (its credentials)")),
                    PrincipalKind::Group => {
                        h.allows("iam:AddUserToGroup", &q.arn).then(|| "iam:AddUserToGroup (join it)".to_string())
                    }
                };
                if let Some(reason) = reason {
                    b.edge(*a, *x, reason);
                    can_become.push(*x);
                }
            }
            // 4. Rewriting its own policies (or those of a principal it can become).
            let write_own = |target: &Target, arn: &str| -> Option<String> {
                let (attach, put) = match target.kind {
                    PrincipalKind::User => ("iam:AttachUserPolicy", "iam:PutUserPolicy"),
                    PrincipalKind::Role => ("iam:AttachRolePolicy", "iam:PutRolePolicy"),
                    PrincipalKind::Group => ("iam:AttachGroupPolicy", "iam:PutGroupPolicy"),
                };
                [attach, put].into_iter().find(|act| h.allows(act, arn)).map(str::to_string)
            };
            let mut own = write_own(t, &p.arn).map(|act| format!("{act} on itself"));
            if own.is_none() {
                own = h.managed.iter().find_map(|m| {
                    ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]
                        .into_iter()
                        .find(|act| h.allows(act, m))
                        .map(|act| format!("{act} on {} (a policy it holds)", crate::arn::resource_name(m)))
                });
            }
            if own.is_none() {
                own = h.groups.iter().find_map(|&g| {
                    let (ga, gt) = (b.nodes[g].arn.clone()?, target_of(&b.nodes[g])?);
                    write_own(&gt, &ga).map(|act| format!("{act} on its group {}", gt.name))
                });
            }
            if own.is_none() && h.boundary.is_some() {
                // Without its boundary, but still within the account's SCPs.
                let unbounded: Vec<&Effective> = h.docs.iter().map(|d| &d.effective).collect();
                let scps = h.scps.as_ref().map(|s| s.effectives()).unwrap_or_default();
                let unbounded = Effective::combine(&unbounded, None, &scps);
                let delete = match t.kind {
                    PrincipalKind::User => "iam:DeleteUserPermissionsBoundary",
                    _ => "iam:DeleteRolePermissionsBoundary",
                };
                if crate::rules::is_admin_set(catalog, &unbounded.everywhere) && h.allows(delete, &p.arn) {
                    own = Some(format!("{delete} on itself (its policies are admin without it)"));
                }
            }
            if own.is_none() {
                own = can_become.iter().find_map(|&x| {
                    let (xa, xt) = (b.nodes[x].arn.clone()?, target_of(&b.nodes[x])?);
                    write_own(&xt, &xa).map(|act| format!("{act} on {}, which it can become", b.nodes[x].label))
                });
            }
            if let Some(reason) = own {
                b.edge(*a, 0, reason);
            }
        }
        Graph { nodes: b.nodes, edges: b.edges }
    }

    /// Every principal (user or role) that is not admin itself but can become admin, with its
    /// shortest path; sorted by start label.
    pub fn paths_to_admin(&self) -> Vec<PathToAdmin> {
        let n = self.nodes.len();
        let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (e, edge) in self.edges.iter().enumerate() {
            incoming[edge.to].push(e);
            outgoing[edge.from].push(e);
        }
        // next[v]: the first edge of v's shortest path to admin.
        let mut next: Vec<Option<usize>> = vec![None; n];
        let mut seen = vec![false; n];
        seen[0] = true;
        let mut queue = VecDeque::from([0usize]);
        while let Some(v) = queue.pop_front() {
            for &e in &incoming[v] {
                let u = self.edges[e].from;
                if !seen[u] {
                    seen[u] = true;
                    next[u] = Some(e);
                    queue.push_back(u);
                }
            }
        }
        // Reached from outside the account?
        let mut outside = vec![false; n];
        let mut queue: VecDeque<usize> = (0..n).filter(|&i| self.nodes[i].kind == NodeKind::Outside).collect();
        for &i in &queue {
            outside[i] = true;
        }
        while let Some(v) = queue.pop_front() {
            for &e in &outgoing[v] {
                let u = self.edges[e].to;
                if !outside[u] {
                    outside[u] = true;
                    queue.push_back(u);
                }
            }
        }
        let holds_admin = |v: usize| {
            outgoing[v].iter().any(|&e| self.edges[e].to == 0 && self.edges[e].reason.starts_with("holds admin"))
        };
        let mut paths = Vec::new();
        for v in 1..n {
            let acts = matches!(&self.nodes[v].kind, NodeKind::Principal(t) if t.kind != PrincipalKind::Group);
            if !acts || next[v].is_none() || holds_admin(v) {
                continue;
            }
            let mut edges = Vec::new();
            let mut at = v;
            while let Some(e) = next[at] {
                edges.push(e);
                at = self.edges[e].to;
            }
            paths.push(PathToAdmin { start: v, edges, from_outside: outside[v] });
        }
        paths.sort_by(|a, b| self.nodes[a.start].label.cmp(&self.nodes[b.start].label));
        paths
    }

    /// `user/ci → iam:PassRole + lambda:CreateFunction … → role/ops (holds admin (AdministratorAccess))`.
    pub fn describe(&self, p: &PathToAdmin) -> String {
        let mut s = self.nodes[p.start].label.clone();
        for &e in &p.edges {
            let edge = &self.edges[e];
            if edge.to == 0 {
                s.push_str(&format!(" → admin: {}", edge.reason));
            } else {
                s.push_str(&format!(" → {} → {}", edge.reason, self.nodes[edge.to].label));
            }
        }
        s
    }

    /// Graphviz: principals on a path to admin, admin in red, outside principals dashed; the
    /// rest of the account is left out unless `all`.
    pub fn dot(&self, all: bool) -> String {
        let paths = self.paths_to_admin();
        let mut keep = vec![all; self.nodes.len()];
        keep[0] = true;
        let mut keep_edge = vec![all; self.edges.len()];
        for p in &paths {
            keep[p.start] = true;
            for &e in &p.edges {
                keep_edge[e] = true;
                keep[self.edges[e].to] = true;
            }
        }
        // Outside principals that lead into what is kept.
        for (e, edge) in self.edges.iter().enumerate() {
            if self.nodes[edge.from].kind == NodeKind::Outside && keep[edge.to] {
                keep[edge.from] = true;
                keep_edge[e] = true;
            }
        }
        let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let mut out =
            String::from("digraph escalation {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
        for (i, n) in self.nodes.iter().enumerate().filter(|(i, _)| keep[*i]) {
            let style = match n.kind {
                NodeKind::Admin => ", style=filled, fillcolor=\"#e74c3c\", fontcolor=white",
                NodeKind::Outside => ", style=dashed",
                NodeKind::Principal(_) => "",
            };
            out.push_str(&format!("  n{i} [label={}{style}];\n", q(&n.label)));
        }
        for edge in self.edges.iter().zip(&keep_edge).filter(|(_, k)| **k).map(|(e, _)| e) {
            out.push_str(&format!("  n{} -> n{} [label={}];\n", edge.from, edge.to, q(&edge.reason)));
        }
        out.push_str("}\n");
        out
    }
}

fn target_of(n: &Node) -> Option<Target> {
    match &n.kind {
        NodeKind::Principal(t) => Some(t.clone()),
        _ => None,
    }
}
