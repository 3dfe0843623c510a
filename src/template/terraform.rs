//! The policies of a Terraform plan (`terraform show -json plan.out`) or state (`terraform show
//! -json`): the planned values (or the state's values) of the root module and its child modules,
//! then any resource change the planned values leave out. Policies there are JSON strings (as
//! `jsonencode` and `aws_iam_policy_document` render them); one still unknown at plan time is
//! taken from the `aws_iam_policy_document` data source the configuration says it comes from.
//! Each is placed at its resource in the plan file.

use super::tree::{Node, Value};
use super::{Located, Suppression};
use crate::policy::PolicyKind;

/// What the plan holds beyond the resources: rendered policy documents and the configuration's
/// references, to fill in policies unknown at plan time.
struct Plan<'a> {
    /// `data.aws_iam_policy_document.NAME` → its rendered `json`.
    documents: Vec<(String, &'a Node)>,
    /// The configuration's resources: address → their expressions.
    configuration: Vec<(String, &'a Node)>,
}

/// Every policy the planned (or stored) resources hold.
pub(super) fn policies(root: &Node) -> Vec<Located> {
    let mut plan = Plan { documents: Vec::new(), configuration: Vec::new() };
    let modules: Vec<&Node> =
        [root.get("planned_values"), root.get("values"), root.get("prior_state").and_then(|p| p.get("values"))]
            .into_iter()
            .flatten()
            .filter_map(|v| v.get("root_module"))
            .collect();
    for m in &modules {
        data_sources(m, &mut plan.documents);
    }
    if let Some(c) = root.get("configuration").and_then(|c| c.get("root_module")) {
        for r in c.get("resources").and_then(Node::as_seq).unwrap_or_default() {
            if let (Some(a), Some(e)) = (r.get("address").and_then(Node::as_str), r.get("expressions")) {
                plan.configuration.push((a.to_string(), e));
            }
        }
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    // The state's values only where there is no plan.
    let planned = root.get("planned_values").or_else(|| root.get("values")).and_then(|p| p.get("root_module"));
    if let Some(m) = planned {
        module(m, &plan, &mut seen, &mut out);
    }
    for rc in root.get("resource_changes").and_then(Node::as_seq).unwrap_or_default() {
        changed(rc, &plan, &mut seen, &mut out);
    }
    out
}

fn module(m: &Node, plan: &Plan<'_>, seen: &mut Vec<String>, out: &mut Vec<Located>) {
    for r in m.get("resources").and_then(Node::as_seq).unwrap_or_default() {
        if r.get("mode").and_then(Node::as_str) == Some("data") {
            continue;
        }
        if let Some(a) = r.get("address").and_then(Node::as_str) {
            seen.push(a.to_string());
        }
        resource(r, r.get("values"), plan, out);
    }
    for child in m.get("child_modules").and_then(Node::as_seq).unwrap_or_default() {
        module(child, plan, seen, out);
    }
}

/// A resource change the planned values do not hold (deletions aside): its `after` values.
fn changed(rc: &Node, plan: &Plan<'_>, seen: &mut Vec<String>, out: &mut Vec<Located>) {
    let Some(address) = rc.get("address").and_then(Node::as_str) else { return };
    if seen.iter().any(|s| s == address) || rc.get("mode").and_then(Node::as_str) == Some("data") {
        return;
    }
    let after = rc.get("change").and_then(|c| c.get("after")).filter(|a| a.as_map().is_some());
    if after.is_some() {
        seen.push(address.to_string());
        resource(rc, after, plan, out);
    }
}

/// The rendered documents of `aws_iam_policy_document` data sources, by address.
fn data_sources<'a>(m: &'a Node, out: &mut Vec<(String, &'a Node)>) {
    for r in m.get("resources").and_then(Node::as_seq).unwrap_or_default() {
        let is_document = r.get("mode").and_then(Node::as_str) == Some("data")
            && r.get("type").and_then(Node::as_str) == Some("aws_iam_policy_document");
        let json = r.get("values").and_then(|v| v.get("json"));
        if let (true, Some(a), Some(j)) = (is_document, r.get("address").and_then(Node::as_str), json) {
            out.push((a.to_string(), j));
        }
    }
    for child in m.get("child_modules").and_then(Node::as_seq).unwrap_or_default() {
        data_sources(child, out);
    }
}

impl Plan<'_> {
    /// A policy attribute unknown at plan time: the document of the data source the
    /// configuration's expression for it refers to (`data.aws_iam_policy_document.x.json`).
    fn referenced(&self, address: &str, attr: &str) -> Option<&Node> {
        let (_, expressions) = self.configuration.iter().find(|(a, _)| a == address)?;
        let refs = expressions.get(attr)?.get("references")?.as_seq()?;
        refs.iter().filter_map(Node::as_str).find_map(|r| {
            let target = r.strip_suffix(".json")?;
            self.documents.iter().find(|(a, _)| a == target).map(|(_, j)| *j)
        })
    }
}

/// The attributes of a resource type that hold policies, with their kind.
fn policy_attributes(kind: &str) -> &'static [(&'static str, PolicyKind)] {
    use PolicyKind::*;
    match kind {
        "aws_iam_role" => &[("assume_role_policy", Trust)],
        "aws_iam_policy" | "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
            &[("policy", Identity)]
        }
        "aws_ssoadmin_permission_set_inline_policy" => &[("inline_policy", Identity)],
        "aws_s3_bucket_policy"
        | "aws_sqs_queue_policy"
        | "aws_sns_topic_policy"
        | "aws_ecr_repository_policy"
        | "aws_secretsmanager_secret_policy"
        | "aws_kms_key"
        | "aws_lambda_layer_version_permission"
        | "aws_cloudwatch_log_resource_policy"
        | "aws_glacier_vault"
        | "aws_elasticsearch_domain_policy"
        | "aws_opensearch_domain_policy" => &[("policy", Resource), ("policy_document", Resource)],
        "aws_sqs_queue" | "aws_sns_topic" | "aws_ecr_repository" | "aws_s3_bucket" => &[("policy", Resource)],
        _ => &[],
    }
}

fn resource(r: &Node, values: Option<&Node>, plan: &Plan<'_>, out: &mut Vec<Located>) {
    let (Some(address), Some(kind)) = (r.get("address").and_then(Node::as_str), r.get("type").and_then(Node::as_str))
    else {
        return;
    };
    let Some(values) = values else { return };
    for (attr, policy_kind) in policy_attributes(kind) {
        let value = values.get(attr).filter(|v| !matches!(v.value, Value::Null));
        if let Some(doc) = value.or_else(|| plan.referenced(address, attr)).and_then(embedded) {
            out.push(Located::new(
                address,
                format!("{address} {attr}"),
                Some(*policy_kind),
                &doc,
                Suppression::default(),
            ));
        }
    }
    // aws_iam_role's inline_policy blocks.
    for p in values.get("inline_policy").and_then(Node::as_seq).unwrap_or_default() {
        let name = p.get("name").and_then(Node::as_str).unwrap_or("inline policy");
        if let Some(doc) = p.get("policy").and_then(embedded) {
            out.push(Located::new(
                address,
                format!("{address} {name}"),
                Some(PolicyKind::Identity),
                &doc,
                Suppression::default(),
            ));
        }
    }
    let arns = match kind {
        "aws_iam_role_policy_attachment"
        | "aws_iam_user_policy_attachment"
        | "aws_iam_group_policy_attachment"
        | "aws_iam_policy_attachment" => values.get("policy_arn").into_iter().cloned().collect(),
        "aws_iam_role" => {
            values.get("managed_policy_arns").and_then(Node::as_seq).map(<[Node]>::to_vec).unwrap_or_default()
        }
        _ => vec![],
    };
    for arn in arns.iter().filter_map(Node::as_str) {
        out.extend(Located::managed(address, arn, r.pos, Suppression::default()));
    }
}

/// A policy held as a JSON string (or, in hand-written plans, as an object), placed at `v`.
fn embedded(v: &Node) -> Option<Node> {
    match &v.value {
        Value::String(s) if !s.trim().is_empty() => {
            let json: serde_json::Value = serde_json::from_str(s).ok()?;
            Some(Node::from_json(&json, v.pos))
        }
        Value::Map(_) => Some(v.clone()),
        _ => None,
    }
}
