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

mod build;
mod compute;
mod grant_back;
mod scps;

use crate::eval::{action_id, Effective, StatementEval};
use crate::intake::{PrincipalKind, Target};
use crate::policy::{wildcard_match, Effect, PolicyDocument, ResourceSpec};
use serde::Serialize;
use std::collections::VecDeque;
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
        "elasticmapreduce" => "elasticmapreduce.amazonaws.com",
        "emr-serverless" => "emr-serverless.amazonaws.com",
        "states" => "states.amazonaws.com",
        "scheduler" => "scheduler.amazonaws.com",
        "codestar" => "codestar.amazonaws.com",
        "amplify" => "amplify.amazonaws.com",
        "braket" => "braket.amazonaws.com",
        "gamelift" => "gamelift.amazonaws.com",
        "imagebuilder" => "ec2.amazonaws.com",
        "kinesisanalytics" => "kinesisanalytics.amazonaws.com",
        "omics" => "omics.amazonaws.com",
        "airflow" => "airflow-env.amazonaws.com",
        "ssm" => "ssm.amazonaws.com",
        _ => return None,
    })
}

impl Graph {
    /// Every principal (user or role) that is not admin itself but can become admin, with its
    /// shortest path; sorted by start label.
    pub fn paths_to_admin(&self) -> Vec<PathToAdmin> {
        let n = self.nodes.len();
        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (e, edge) in self.edges.iter().enumerate() {
            outgoing[edge.from].push(e);
        }
        let next = self.first_hops(&[0]);
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
            paths.push(PathToAdmin { start: v, edges: self.follow(&next, v), from_outside: outside[v] });
        }
        paths.sort_by(|a, b| self.nodes[a.start].label.cmp(&self.nodes[b.start].label));
        paths
    }

    /// For every node, the first edge of its shortest path to one of `targets` (none for the
    /// targets themselves and for nodes that reach none).
    fn first_hops(&self, targets: &[usize]) -> Vec<Option<usize>> {
        let n = self.nodes.len();
        let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (e, edge) in self.edges.iter().enumerate() {
            incoming[edge.to].push(e);
        }
        let mut next: Vec<Option<usize>> = vec![None; n];
        let mut seen = vec![false; n];
        for &t in targets {
            seen[t] = true;
        }
        let mut queue: VecDeque<usize> = targets.iter().copied().collect();
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
        next
    }

    /// The edges of `v`'s shortest path, following [`Graph::first_hops`].
    fn follow(&self, next: &[Option<usize>], v: usize) -> Vec<usize> {
        let mut edges = Vec::new();
        let mut at = v;
        while let Some(e) = next[at] {
            edges.push(e);
            at = self.edges[e].to;
        }
        edges
    }

    /// Every user or role outside `targets` that can become one of them (or admin), each with
    /// its shortest path: who can do what the targets can (`iam-guard who-can`).
    pub fn paths_to(&self, targets: &[usize]) -> Vec<(usize, Vec<usize>)> {
        let mut with_admin = targets.to_vec();
        with_admin.push(0);
        let next = self.first_hops(&with_admin);
        let mut out = Vec::new();
        for v in 1..self.nodes.len() {
            let acts = matches!(&self.nodes[v].kind, NodeKind::Principal(t) if t.kind != PrincipalKind::Group);
            if !acts || targets.contains(&v) || next[v].is_none() {
                continue;
            }
            out.push((v, self.follow(&next, v)));
        }
        out
    }

    /// The node of a principal ARN (with or without path).
    pub fn node_of(&self, arn: &str) -> Option<usize> {
        let name = |a: &str| a.rsplit('/').next().map(str::to_string);
        let kind = |a: &str| a.split(':').nth(5).and_then(|r| r.split('/').next()).map(str::to_string);
        self.nodes
            .iter()
            .position(|n| n.arn.as_deref().is_some_and(|a| a == arn || (name(a) == name(arn) && kind(a) == kind(arn))))
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
