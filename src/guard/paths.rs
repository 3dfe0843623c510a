//! The escalation graph on the event path: when a change touches a principal (its trust, its
//! policies, its groups, its boundary, or a customer managed policy it holds), the guard reads the
//! account's inventory after the change (and after its own remediation), builds the graph
//! ([`crate::graph`]) and tells, in the alert, every path to admin the principal is now on.
//!
//! Cost: one inventory read (GetAccountAuthorizationDetails: one call per page, ~1,000 entities a
//! page) per such event. Attaching an AWS managed policy is judged from the embedded data alone
//! and reads nothing (0 IAM calls in alert mode), so it gets no graph; the policy's own findings
//! already say what it grants.

use super::ports::{IamInventory, PortError};
use super::{Guard, JudgedPolicy, Plan, Verdict};
use crate::catalog::managed;
use crate::graph::{Graph, NodeKind};
use crate::intake::{Action, Target};
use crate::policy::PolicyKind;

/// At most this many paths are told per alert.
const MAX_PATHS: usize = 5;

/// Whom a change touches, for the graph.
enum Touch {
    Principals(Vec<Target>),
    Holders(String),
}

fn touched(action: &Action) -> Option<Touch> {
    Some(match action {
        Action::CreateRole { role, .. } | Action::UpdateTrustPolicy { role, .. } => {
            Touch::Principals(vec![Target::role(role)])
        }
        Action::PutInlinePolicy { target, .. } | Action::DeletePermissionsBoundary { target } => {
            Touch::Principals(vec![target.clone()])
        }
        Action::AttachPolicy { target, policy_arn } if !managed::is_aws_managed(policy_arn) => {
            Touch::Principals(vec![target.clone()])
        }
        Action::AddUserToGroup { user, group } => Touch::Principals(vec![Target::user(user), Target::group(group)]),
        Action::CreatePolicyVersion { policy_arn, set_as_default: true, .. }
        | Action::SetDefaultPolicyVersion { policy_arn, .. } => Touch::Holders(policy_arn.clone()),
        _ => return None,
    })
}

impl Guard {
    /// Adds the paths to admin a change put a principal on to its verdict: an `escalation-path`
    /// finding (critical when reachable from outside the account) and one note per path; a change
    /// that was clean or quiet alone now alerts, saying why.
    pub(super) async fn add_paths<I: IamInventory>(&self, iam: &I, verdict: &mut Verdict) -> Result<(), PortError> {
        let Some(base) = self.engine.severity(crate::rules::RuleId::EscalationPath) else { return Ok(()) };
        if matches!(verdict.plan, Plan::Ignore { .. } | Plan::NotJudged { .. }) {
            return Ok(());
        }
        let Some(touch) = touched(&verdict.change.action) else { return Ok(()) };
        let inv = iam.inventory().await?;
        let targets: Vec<Target> = match touch {
            Touch::Principals(t) => t,
            Touch::Holders(policy) => inv
                .principals
                .iter()
                .filter(|p| p.attached.contains(&policy))
                .filter_map(|p| p.target.clone())
                .collect(),
        };
        if targets.is_empty() {
            return Ok(());
        }
        let graph = Graph::build(&inv, &verdict.change.account_id);
        let on_path = |i: usize| matches!(&graph.nodes[i].kind, NodeKind::Principal(t) if targets.contains(t));
        let paths: Vec<_> = graph
            .paths_to_admin()
            .into_iter()
            .filter(|p| on_path(p.start) || p.edges.iter().any(|&e| on_path(graph.edges[e].to)))
            .collect();
        if paths.is_empty() {
            return Ok(());
        }
        let described: Vec<String> = paths.iter().map(|p| graph.describe(p)).collect();
        let from_outside = paths.iter().any(|p| p.from_outside);
        let finding = crate::rules::escalation_path::change_finding(base, &described, MAX_PATHS, from_outside);
        let severity = finding.severity;
        verdict.judged.push(JudgedPolicy {
            label: "escalation graph".into(),
            policy_arn: None,
            kind: PolicyKind::Identity,
            findings: vec![finding],
            document: None,
            unknown: false,
        });
        verdict.notes.extend(described.iter().take(MAX_PATHS).map(|d| format!("path to admin: {d}")));
        let plan = std::mem::replace(&mut verdict.plan, Plan::Clean);
        verdict.plan = super::decide::with_paths_to_admin(plan, severity, self.engine.config());
        Ok(())
    }
}
