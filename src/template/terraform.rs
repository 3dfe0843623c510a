//! The policies of a Terraform plan (`terraform show -json plan.out`): the planned values of the
//! root module and its child modules. Policies there are JSON strings (as `jsonencode` and
//! `aws_iam_policy_document` render them); each is placed at its resource in the plan file.

use super::tree::{Node, Value};
use super::{Located, Suppression};
use crate::policy::PolicyKind;

/// Every policy the planned resources hold.
pub(super) fn policies(root: &Node) -> Vec<Located> {
    let mut out = Vec::new();
    if let Some(m) = root.get("planned_values").and_then(|p| p.get("root_module")) {
        module(m, &mut out);
    }
    out
}

fn module(m: &Node, out: &mut Vec<Located>) {
    for r in m.get("resources").and_then(Node::as_seq).unwrap_or_default() {
        resource(r, out);
    }
    for child in m.get("child_modules").and_then(Node::as_seq).unwrap_or_default() {
        module(child, out);
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

fn resource(r: &Node, out: &mut Vec<Located>) {
    let (Some(address), Some(kind)) = (r.get("address").and_then(Node::as_str), r.get("type").and_then(Node::as_str))
    else {
        return;
    };
    let Some(values) = r.get("values") else { return };
    for (attr, policy_kind) in policy_attributes(kind) {
        if let Some(doc) = values.get(attr).and_then(embedded) {
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
