//! Building the escalation graph: the account's principals and what each holds, then one
//! function per edge family, in this order (the order of the edges, and so of equal-length
//! paths, is part of the output): who holds admin; trust policies; roles that admit the account;
//! code on existing EC2 instances and other compute (compute.rs); IAM writes and PassRole on others; writing one's own policies;
//! last, becoming someone who may write one's policies (grant_back.rs).

use super::scps::ScpLevels;
use super::{evaluate, Edge, Evaluated, Graph, Holder, Node, NodeKind};
use crate::catalog::{managed, Catalog};
use crate::eval::Effective;
use crate::intake::{PrincipalKind, Target};
use crate::inventory::{Inventory, LocalPolicy, PrincipalDetail, ScpLevel};
use crate::policy::{action_matches, Effect, PolicyDocument, Principal, PrincipalType};
use crate::rules::escalation::{EscalationPath, PATHS};
use std::collections::HashMap;
use std::rc::Rc;

/// Grants on other principals (edges to them).
const ON_OTHERS: [&str; 6] = [
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
];

/// Grants on itself or its policies (edges to admin); the first six write a principal's policies.
pub(super) const ON_SELF: [&str; 10] = [
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

/// New credentials for a user.
const CREDENTIALS: [&str; 3] = ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"];

/// Running code on existing EC2 instances.
const RUN_ON_INSTANCES: [&str; 3] = ["ssm:SendCommand", "ssm:StartSession", "ec2-instance-connect:SendSSHPublicKey"];

impl Graph {
    /// Builds the graph of an account's inventory.
    pub fn build(inv: &Inventory, account_id: &str) -> Graph {
        Graph::build_within(inv, account_id, &[])
    }

    /// [`Graph::build`] for an account whose principals the SCPs `scps` limit.
    pub fn build_within(inv: &Inventory, account_id: &str, scps: &[ScpLevel]) -> Graph {
        let cache = evaluate_managed(inv);
        let mut b = Builder { account: account_id, nodes: vec![], edges: vec![], outside: HashMap::new() };
        b.nodes.push(Node { label: "admin".into(), arn: None, kind: NodeKind::Admin });
        let acct = Account::of(&mut b, inv, &cache, ScpLevels::of(scps));
        b.admin_edges(&acct);
        let trusts = b.trust_edges(&acct);
        b.account_assume_edges(&acct, &trusts.admits_account);
        b.instance_edges(&acct);
        b.compute_edges(&acct, &inv.compute);
        b.iam_edges(&acct, &trusts.services);
        b.grant_back_edges(&acct);
        Graph { nodes: b.nodes, edges: b.edges }
    }
}

/// Each managed policy (and boundary) the principals hold, evaluated once for the account; a
/// policy whose document is not in the export grants nothing the graph can see.
fn evaluate_managed(inv: &Inventory) -> HashMap<&str, Rc<Evaluated>> {
    let local: HashMap<&str, &LocalPolicy> = inv.policies.iter().map(|p| (p.arn.as_str(), p)).collect();
    let mut cache: HashMap<&str, Rc<Evaluated>> = HashMap::new();
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
            if let Some(doc) = doc {
                cache.insert(arn, evaluate(doc, crate::arn::resource_name(arn).to_string()));
            }
        }
    }
    cache
}

/// The account's principals as nodes, with what each holds.
pub(super) struct Account<'i> {
    /// Node index and detail of each principal, in inventory order (node `i` is `details[i - 1]`).
    pub(super) details: Vec<(usize, &'i PrincipalDetail)>,
    pub(super) holders: HashMap<usize, Holder>,
    index: HashMap<(PrincipalKind, &'i str), usize>,
    by_arn: HashMap<&'i str, usize>,
}

impl<'i> Account<'i> {
    /// Adds a node per principal and evaluates what each holds: its own policies and its
    /// groups', within its boundary and the SCPs (not for service-linked roles).
    fn of(
        b: &mut Builder<'_>,
        inv: &'i Inventory,
        cache: &HashMap<&str, Rc<Evaluated>>,
        scp_levels: Option<Rc<ScpLevels>>,
    ) -> Account<'i> {
        let mut acct =
            Account { details: vec![], holders: HashMap::new(), index: HashMap::new(), by_arn: HashMap::new() };
        for p in &inv.principals {
            let Some(t) = &p.target else { continue };
            b.nodes.push(Node {
                label: format!("{}/{}", t.kind.as_str(), t.name),
                arn: Some(p.arn.clone()),
                kind: NodeKind::Principal(t.clone()),
            });
            let i = b.nodes.len() - 1;
            acct.index.insert((t.kind, t.name.as_str()), i);
            debug_assert_eq!(i, acct.details.len() + 1, "node i is details[i - 1]");
            acct.by_arn.insert(p.arn.as_str(), i);
            acct.details.push((i, p));
        }
        let own_docs = |p: &PrincipalDetail| -> Vec<Rc<Evaluated>> {
            let mut docs: Vec<Rc<Evaluated>> =
                p.attached.iter().filter_map(|a| cache.get(a.as_str()).cloned()).collect();
            docs.extend(p.inline.iter().filter_map(|(name, text)| {
                Some(evaluate(PolicyDocument::parse(text).ok()?, format!("inline policy {name}")))
            }));
            docs
        };
        let mut group_docs: HashMap<&str, (Vec<Rc<Evaluated>>, Vec<String>)> = HashMap::new();
        for (_, p) in acct.details.iter().filter(|(_, p)| kind_of(p) == Some(PrincipalKind::Group)) {
            let name = p.target.as_ref().map(|t| t.name.as_str()).unwrap_or_default();
            group_docs.insert(name, (own_docs(p), p.attached.clone()));
        }
        for (i, p) in &acct.details {
            let mut docs = own_docs(p);
            let mut managed: Vec<String> = p.attached.clone();
            let mut groups = Vec::new();
            for g in &p.groups {
                if let Some((d, m)) = group_docs.get(g.as_str()) {
                    docs.extend(d.iter().cloned());
                    managed.extend(m.iter().cloned());
                }
                if let Some(&gi) = acct.index.get(&(PrincipalKind::Group, g.as_str())) {
                    groups.push(gi);
                }
            }
            managed.retain(|a| !managed::is_aws_managed(a));
            let boundary = p.boundary.as_deref().and_then(|a| cache.get(a).cloned());
            let ids: Vec<&Effective> = docs.iter().map(|d| &d.effective).collect();
            let scps = scp_levels.clone().filter(|_| !p.path.starts_with("/aws-service-role/"));
            let limits = scps.as_ref().map(|s| s.effectives()).unwrap_or_default();
            let effective = Effective::combine(&ids, boundary.as_ref().map(|b| &b.effective), &limits);
            acct.holders.insert(*i, Holder { docs, boundary, scps, effective, managed, groups });
        }
        acct
    }

    /// Does node `i` hold admin?
    pub(super) fn is_admin(&self, i: usize) -> bool {
        crate::rules::is_admin_set(Catalog::global(), &self.holders[&i].effective.everywhere)
    }

    /// The principal an ARN in a trust policy names in this account (a user, role or
    /// assumed-role session).
    pub(super) fn named(&self, arn: &str) -> Option<usize> {
        self.by_arn.get(arn).copied().or_else(|| {
            let (kind, name) = match arn.split(':').nth(5)? {
                r if r.starts_with("user/") => (PrincipalKind::User, r.rsplit('/').next()?),
                r if r.starts_with("role/") => (PrincipalKind::Role, r.rsplit('/').next()?),
                r if r.starts_with("assumed-role/") => (PrincipalKind::Role, r.split('/').nth(1)?),
                _ => return None,
            };
            self.index.get(&(kind, name)).copied()
        })
    }
}

/// Users and roles act; groups do not.
pub(super) fn acts(p: &PrincipalDetail) -> bool {
    kind_of(p).is_some_and(|k| k != PrincipalKind::Group)
}

fn kind_of(p: &PrincipalDetail) -> Option<PrincipalKind> {
    p.target.as_ref().map(|t| t.kind)
}

/// What the trust policies say besides their edges.
#[derive(Default)]
struct Trusts {
    /// The services each role trusts.
    services: HashMap<usize, Vec<String>>,
    /// Roles whose trust admits the account (identity policies decide), with the condition note.
    admits_account: HashMap<usize, &'static str>,
}

pub(super) struct Builder<'a> {
    account: &'a str,
    pub(super) nodes: Vec<Node>,
    pub(super) edges: Vec<Edge>,
    outside: HashMap<String, usize>,
}

impl Builder<'_> {
    pub(super) fn edge(&mut self, from: usize, to: usize, reason: String) {
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

    /// Edges to admin from who holds it, naming the policies that are admin on their own.
    fn admin_edges(&mut self, acct: &Account<'_>) {
        let catalog = Catalog::global();
        for (i, _) in &acct.details {
            if !acct.is_admin(*i) {
                continue;
            }
            let names: Vec<&str> = acct.holders[i]
                .docs
                .iter()
                .filter(|d| crate::rules::is_admin_set(catalog, &d.effective.everywhere))
                .map(|d| d.label.as_str())
                .collect();
            let why = if names.is_empty() { "its policies together".to_string() } else { names.join(", ") };
            self.edge(*i, 0, format!("holds admin ({why})"));
        }
    }

    /// Trust policies: who outside or inside can assume each role, which services it trusts,
    /// and which roles admit the whole account.
    fn trust_edges(&mut self, acct: &Account<'_>) -> Trusts {
        let mut trusts = Trusts::default();
        for (r, p) in &acct.details {
            let Some(trust) = p.trust.as_deref().and_then(|t| PolicyDocument::parse(t).ok()) else { continue };
            for s in &trust.statements {
                if s.effect != Effect::Allow || !s.action_patterns().iter().any(|a| action_matches(a, "sts:AssumeRole"))
                {
                    if s.effect == Effect::Allow {
                        self.federated_edges(*r, s);
                    }
                    continue;
                }
                let Some(spec) = s.principal.as_ref().filter(|p| !p.not) else { continue };
                let cond = if s.conditions.is_empty() { "" } else { " (under conditions)" };
                let aws: Vec<String> = match &spec.principal {
                    Principal::Any => vec!["*".into()],
                    Principal::Map(m) => {
                        for svc in m.get(&PrincipalType::Service).into_iter().flatten() {
                            trusts.services.entry(*r).or_default().push(svc.to_ascii_lowercase());
                        }
                        for f in m.get(&PrincipalType::Federated).into_iter().flatten() {
                            let o = self.outside(format!("web identity {f}"));
                            self.edge(o, *r, format!("federated sts:AssumeRole admitted by the trust{cond}"));
                        }
                        m.get(&PrincipalType::Aws).cloned().unwrap_or_default()
                    }
                };
                for a in aws {
                    self.aws_principal_edge(acct, (*r, &a, cond), &mut trusts);
                }
            }
        }
        trusts
    }

    /// Web identity and SAML federation, which use their own actions.
    fn federated_edges(&mut self, r: usize, s: &crate::policy::Statement) {
        if let Some(Principal::Map(m)) = s.principal.as_ref().filter(|p| !p.not).map(|p| &p.principal) {
            for f in m.get(&PrincipalType::Federated).into_iter().flatten() {
                let o = self.outside(format!("web identity {f}"));
                self.edge(o, r, "federated sts:AssumeRoleWith… admitted by the trust".into());
            }
        }
    }

    /// One AWS principal a trust admits: the public, the account (decided later), a principal
    /// of the account, or another account.
    fn aws_principal_edge(
        &mut self,
        acct: &Account<'_>,
        (r, a, cond): (usize, &str, &'static str),
        trusts: &mut Trusts,
    ) {
        let other = crate::arn::account(a).map(str::to_string).unwrap_or_else(|| a.to_string());
        if a == "*" {
            let o = self.outside("public (any AWS principal)".into());
            self.edge(o, r, format!("sts:AssumeRole: the trust admits \"*\"{cond}"));
        } else if a == self.account || a == format!("arn:aws:iam::{}:root", self.account) {
            trusts.admits_account.insert(r, cond);
        } else if other == self.account {
            if let Some(x) = acct.named(a) {
                self.edge(x, r, format!("sts:AssumeRole (named in the trust){cond}"));
            }
        } else {
            let o = self.outside(format!("account {other}"));
            self.edge(o, r, format!("sts:AssumeRole from another account{cond}"));
        }
    }

    /// Who may assume the roles that admit the account: each assumer's named roles looked up,
    /// or every such role when it names them with a wildcard. Admins already have everything:
    /// their outgoing edges would add nothing but noise.
    fn account_assume_edges(&mut self, acct: &Account<'_>, admits_account: &HashMap<usize, &'static str>) {
        let mut account_roles: Vec<usize> = admits_account.keys().copied().collect();
        account_roles.sort_unstable();
        let assumers =
            acct.details.iter().filter(|(i, p)| acts(p) && !acct.is_admin(*i) && acct.holders[i].has("sts:AssumeRole"));
        for (x, _) in assumers {
            let h = &acct.holders[x];
            let candidates: Vec<usize> = match h.named_targets(&["sts:AssumeRole"]) {
                Some(arns) => arns
                    .iter()
                    .filter_map(|a| acct.by_arn.get(a).copied())
                    .filter(|r| admits_account.contains_key(r))
                    .collect(),
                None => account_roles.clone(),
            };
            for r in candidates {
                let role_arn = self.nodes[r].arn.clone().unwrap_or_default();
                if h.allows("sts:AssumeRole", &role_arn) {
                    self.edge(*x, r, format!("sts:AssumeRole (the trust admits the account){}", admits_account[&r]));
                }
            }
        }
    }

    /// Code on existing compute: EC2 instances run with the roles their instance profiles
    /// carry, so whoever may run commands on any instance acts with those roles.
    fn instance_edges(&mut self, acct: &Account<'_>) {
        let profiled: Vec<(usize, &str)> =
            acct.details.iter().filter_map(|(i, p)| p.instance_profiles.first().map(|n| (*i, n.as_str()))).collect();
        if profiled.is_empty() {
            return;
        }
        let instance = format!("arn:aws:ec2:us-east-1:{}:instance/i-0123456789abcdef0", self.account);
        for (x, p) in &acct.details {
            let h = &acct.holders[x];
            if !acts(p) || acct.is_admin(*x) || !RUN_ON_INSTANCES.iter().any(|a| h.has(a)) {
                continue;
            }
            if let Some(act) = RUN_ON_INSTANCES.iter().find(|a| h.allows(a, &instance)) {
                for (r, profile) in &profiled {
                    self.edge(*x, *r, format!("{act} on EC2 instances (instance profile {profile})"));
                }
            }
        }
    }

    /// IAM writes and PassRole on others, then writing its own policies, by every
    /// principal that acts, is not admin and holds any IAM write at all.
    fn iam_edges(&mut self, acct: &Account<'_>, services: &HashMap<usize, Vec<String>>) {
        let pass_paths: Vec<_> = PATHS
            .iter()
            .filter(|p| p.needs_pass_role())
            .filter_map(|p| Some((p, super::service_of(p.key_action())?)))
            .collect();
        for (a, p) in &acct.details {
            let h = &acct.holders[a];
            if !acts(p) || acct.is_admin(*a) || !ON_OTHERS.iter().chain(&ON_SELF).any(|act| h.has(act)) {
                continue;
            }
            let can_become = self.grant_edges(acct, (*a, p), services, &pass_paths);
            if let Some(reason) = self.own_reason(acct, (*a, p), &can_become) {
                self.edge(*a, 0, reason);
            }
        }
    }

    /// Grants on other principals: an edge to each one `a` can become; those, returned.
    fn grant_edges(
        &mut self,
        acct: &Account<'_>,
        (a, p): (usize, &PrincipalDetail),
        services: &HashMap<usize, Vec<String>>,
        pass_paths: &[(&EscalationPath, &str)],
    ) -> Vec<usize> {
        let h = &acct.holders[&a];
        let grants = Grants {
            trust_rewrite: h.has("iam:UpdateAssumeRolePolicy"),
            pass: h.has("iam:PassRole"),
            creds: CREDENTIALS.iter().any(|act| h.has(act)),
            join: kind_of(p) == Some(PrincipalKind::User) && h.has("iam:AddUserToGroup"),
        };
        // The principals its grants can name: looked up when every grant names exact ARNs.
        let targets: Vec<&(usize, &PrincipalDetail)> = match h.named_targets(&ON_OTHERS) {
            Some(arns) => arns.iter().filter_map(|arn| acct.by_arn.get(arn)).map(|&i| &acct.details[i - 1]).collect(),
            None => acct.details.iter().collect(),
        };
        let mut can_become = Vec::new();
        for (x, q) in targets {
            if *x == a {
                continue;
            }
            let Some(kind) = kind_of(q) else { continue };
            let trusted = services.get(x).map(Vec::as_slice).unwrap_or_default();
            let reason = match kind {
                PrincipalKind::Role => grants.on_role(h, &q.arn, trusted, pass_paths),
                PrincipalKind::User if grants.creds => CREDENTIALS
                    .into_iter()
                    .find(|act| h.allows(act, &q.arn))
                    .map(|act| format!("{act} (its credentials)")),
                PrincipalKind::Group if grants.join => {
                    h.allows("iam:AddUserToGroup", &q.arn).then(|| "iam:AddUserToGroup (join it)".to_string())
                }
                PrincipalKind::User | PrincipalKind::Group => None,
            };
            if let Some(reason) = reason {
                self.edge(a, *x, reason);
                can_become.push(*x);
            }
        }
        can_become
    }

    /// Rewriting its own policies (on itself, a customer managed policy it holds, one of its
    /// groups), deleting the boundary that is all that keeps it from admin, or rewriting those of
    /// a principal it can become.
    fn own_reason(
        &self,
        acct: &Account<'_>,
        (a, p): (usize, &PrincipalDetail),
        can_become: &[usize],
    ) -> Option<String> {
        let h = &acct.holders[&a];
        let t = p.target.as_ref()?;
        let write_own = |target: &Target, arn: &str| -> Option<String> {
            let (attach, put) = match target.kind {
                PrincipalKind::User => ("iam:AttachUserPolicy", "iam:PutUserPolicy"),
                PrincipalKind::Role => ("iam:AttachRolePolicy", "iam:PutRolePolicy"),
                PrincipalKind::Group => ("iam:AttachGroupPolicy", "iam:PutGroupPolicy"),
            };
            [attach, put].into_iter().find(|act| h.allows(act, arn)).map(str::to_string)
        };
        let node = |i: usize| Some((self.nodes[i].arn.clone()?, super::target_of(&self.nodes[i])?));
        write_own(t, &p.arn)
            .map(|act| format!("{act} on itself"))
            .or_else(|| {
                h.managed.iter().find_map(|m| {
                    ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]
                        .into_iter()
                        .find(|act| h.allows(act, m))
                        .map(|act| format!("{act} on {} (a policy it holds)", crate::arn::resource_name(m)))
                })
            })
            .or_else(|| {
                h.groups.iter().find_map(|&g| {
                    let (ga, gt) = node(g)?;
                    write_own(&gt, &ga).map(|act| format!("{act} on its group {}", gt.name))
                })
            })
            .or_else(|| delete_boundary_reason(h, t, &p.arn))
            .or_else(|| {
                can_become.iter().find_map(|&x| {
                    let (xa, xt) = node(x)?;
                    write_own(&xt, &xa).map(|act| format!("{act} on {}, which it can become", self.nodes[x].label))
                })
            })
    }
}

/// Deleting its own boundary leads to admin when its policies, without the boundary but still
/// within the account's SCPs, are admin.
fn delete_boundary_reason(h: &Holder, t: &Target, arn: &str) -> Option<String> {
    h.boundary.as_ref()?;
    let unbounded: Vec<&Effective> = h.docs.iter().map(|d| &d.effective).collect();
    let scps = h.scps.as_ref().map(|s| s.effectives()).unwrap_or_default();
    let unbounded = Effective::combine(&unbounded, None, &scps);
    let delete = match t.kind {
        PrincipalKind::User => "iam:DeleteUserPermissionsBoundary",
        _ => "iam:DeleteRolePermissionsBoundary",
    };
    (crate::rules::is_admin_set(Catalog::global(), &unbounded.everywhere) && h.allows(delete, arn))
        .then(|| format!("{delete} on itself (its policies are admin without it)"))
}

/// Which kinds of grant on others a principal holds anywhere.
struct Grants {
    trust_rewrite: bool,
    pass: bool,
    creds: bool,
    join: bool,
}

impl Grants {
    /// How `h` becomes role `arn`: rewriting its trust, or passing it to a service it trusts
    /// with the other actions of a catalogued path.
    fn on_role(
        &self,
        h: &Holder,
        arn: &str,
        trusted: &[String],
        pass_paths: &[(&EscalationPath, &str)],
    ) -> Option<String> {
        if !(self.trust_rewrite || self.pass) {
            return None;
        }
        if self.trust_rewrite && h.allows("iam:UpdateAssumeRolePolicy", arn) {
            return Some("iam:UpdateAssumeRolePolicy (rewrite its trust to admit itself)".to_string());
        }
        if !(self.pass && h.allows("iam:PassRole", arn)) {
            return None;
        }
        pass_paths
            .iter()
            .filter(|(_, svc)| trusted.iter().any(|t| t == svc))
            .find(|(path, _)| {
                path.requires.iter().filter(|g| !g.contains(&"iam:PassRole")).all(|g| g.iter().any(|act| h.has(act)))
            })
            .map(|(path, _)| {
                let acts: Vec<&str> =
                    path.requires.iter().map(|g| g.iter().copied().find(|act| h.has(act)).unwrap_or(g[0])).collect();
                format!("{} ({})", acts.join(" + "), path.id)
            })
    }
}
