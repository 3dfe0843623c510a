//! The policies of a CloudFormation (or SAM, or `cdk synth`) template, each named by its resource's
//! logical id and placed at its statements' lines.

use super::intrinsics::Scope;
use super::tree::{Node, Value};
use super::{Located, Suppression};
use crate::policy::PolicyKind;

/// Conditions of one resource's `Fn::If`s tried both ways, at most this many (2⁴ variants).
const MAX_BRANCHING: usize = 4;

/// Every policy document the template's resources hold. Where a policy holds an `Fn::If`, the
/// stack may deploy either branch: each distinct document is judged, the defaults' first and the
/// others labelled with the conditions that give them (`GuardRole GuardPolicy [IsHub=false]`).
pub(super) fn policies(root: &Node, account: Option<&str>) -> Vec<Located> {
    let scope = Scope::of(root, account);
    let mut out = Vec::new();
    for (id, resource) in root.get("Resources").and_then(Node::as_map).unwrap_or_default() {
        let Some(kind) = resource.get("Type").and_then(Node::as_str) else { continue };
        let Some(raw) = resource.get("Properties") else { continue };
        let ignore = Suppression::of(resource);
        let mut names = Vec::new();
        super::intrinsics::if_conditions(raw, &mut names);
        names.truncate(MAX_BRANCHING);
        let mut seen: Vec<(String, String)> = Vec::new();
        for forced in assignments(&scope, &names) {
            let scope = scope.forcing(forced.clone());
            let Some(props) = scope.resolve(raw) else { continue };
            let mut found = Vec::new();
            let mut cx = Cx { id, out: &mut found, ignore: &ignore };
            resource_policies(&mut cx, kind, &props, &scope);
            for mut l in found {
                // Documents compared as judged (positions aside).
                let key = (l.label.clone(), format!("{:?}", l.document));
                if seen.contains(&key) {
                    continue;
                }
                if seen.iter().any(|(label, _)| *label == l.label) {
                    let which: Vec<String> = forced.iter().map(|(n, v)| format!("{n}={v}")).collect();
                    l.variant = Some(which.join(", "));
                }
                seen.push(key);
                out.push(l);
            }
        }
    }
    out
}

/// Every assignment of the named conditions, the defaults' first.
fn assignments(scope: &Scope<'_>, names: &[String]) -> Vec<Vec<(String, bool)>> {
    let defaults: Vec<bool> = names.iter().map(|n| scope.default_truth(n)).collect();
    (0..1usize << names.len())
        .map(|flip| names.iter().enumerate().map(|(i, n)| (n.clone(), defaults[i] ^ (flip >> i & 1 == 1))).collect())
        .collect()
}

pub(super) struct Cx<'a> {
    pub(super) id: &'a str,
    out: &'a mut Vec<Located>,
    ignore: &'a Suppression,
}

impl Cx<'_> {
    pub(super) fn add(&mut self, label: String, kind: PolicyKind, doc: Option<&Node>) {
        let Some(doc) = doc else { return };
        self.out.push(Located::new(self.id, label, Some(kind), doc, self.ignore.clone()));
    }

    pub(super) fn managed(&mut self, arns: Option<&Node>) {
        for arn in arns.and_then(Node::as_seq).unwrap_or_default() {
            if let Some(a) = arn.as_str() {
                self.out.extend(Located::managed(self.id, a, arn.pos, self.ignore.clone()));
            }
        }
    }

    /// `Policies: [{PolicyName, PolicyDocument}]` of roles, users and groups.
    pub(super) fn inline(&mut self, list: Option<&Node>) {
        for p in list.and_then(Node::as_seq).unwrap_or_default() {
            let name = p.get("PolicyName").and_then(Node::as_str).unwrap_or("inline policy");
            self.add(format!("{} {name}", self.id), PolicyKind::Identity, p.get("PolicyDocument"));
        }
    }
}

fn resource_policies(cx: &mut Cx<'_>, kind: &str, props: &Node, scope: &Scope<'_>) {
    let id = cx.id.to_string();
    let doc = |k: &str| props.get(k);
    match kind {
        "AWS::IAM::Role" => {
            cx.add(format!("{id} trust policy"), PolicyKind::Trust, doc("AssumeRolePolicyDocument"));
            cx.inline(doc("Policies"));
            cx.managed(doc("ManagedPolicyArns"));
        }
        "AWS::IAM::User" | "AWS::IAM::Group" => {
            cx.inline(doc("Policies"));
            cx.managed(doc("ManagedPolicyArns"));
        }
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::IAM::RolePolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::GroupPolicy" => {
            let name = doc("PolicyName").or(doc("ManagedPolicyName")).and_then(Node::as_str).unwrap_or(&id);
            cx.add(name.to_string(), PolicyKind::Identity, doc("PolicyDocument"));
        }
        "AWS::SSO::PermissionSet" => {
            cx.add(format!("{id} inline policy"), PolicyKind::Identity, doc("InlinePolicy"));
            cx.managed(doc("ManagedPolicies"));
        }
        "AWS::S3::BucketPolicy" | "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" | "AWS::ECR::RepositoryPolicy" => {
            cx.add(format!("{id} resource policy"), PolicyKind::Resource, doc("PolicyDocument").or(doc("PolicyText")));
        }
        "AWS::ECR::Repository" => {
            cx.add(format!("{id} repository policy"), PolicyKind::Resource, doc("RepositoryPolicyText"))
        }
        "AWS::KMS::Key" => cx.add(format!("{id} key policy"), PolicyKind::Resource, doc("KeyPolicy")),
        "AWS::SecretsManager::ResourcePolicy" => {
            cx.add(format!("{id} resource policy"), PolicyKind::Resource, doc("ResourcePolicy"))
        }
        "AWS::Lambda::Permission" => {
            let statement = lambda_permission(props, scope);
            cx.add(format!("{id} permission"), PolicyKind::Resource, Some(&statement));
        }
        "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => super::sam::policies(cx, props, scope),
        _ => {}
    }
}

/// The statement a Lambda permission adds to the function's resource policy.
fn lambda_permission(props: &Node, scope: &Scope<'_>) -> Node {
    let at = props.pos;
    let text = |s: &str| Node::new(Value::String(s.into()), at);
    let get = |k: &str| props.get(k).cloned().unwrap_or(text(""));
    // FunctionName takes a name, a partial or a full ARN; the policy names the function's ARN.
    let function = match props.get("FunctionName").and_then(Node::as_str) {
        Some(n) if !n.starts_with("arn:") && !super::is_placeholder(n) && !n.contains(':') => {
            text(&format!("arn:aws:lambda:{}:{}:function:{n}", scope.region, scope.account))
        }
        _ => get("FunctionName"),
    };
    let principal = get("Principal");
    let principal_key =
        if principal.as_str().is_some_and(|p| p.ends_with(".amazonaws.com")) { "Service" } else { "AWS" };
    let mut statement = vec![
        ("Effect".to_string(), text("Allow")),
        ("Principal".to_string(), Node::new(Value::Map(vec![(principal_key.into(), principal)]), at)),
        ("Action".to_string(), get("Action")),
        ("Resource".to_string(), function),
    ];
    let mut conditions = Vec::new();
    if let Some(arn) = props.get("SourceArn") {
        conditions.push(("ArnLike", "AWS:SourceArn", arn.clone()));
    }
    if let Some(acct) = props.get("SourceAccount") {
        conditions.push(("StringEquals", "AWS:SourceAccount", acct.clone()));
    }
    if let Some(org) = props.get("PrincipalOrgID") {
        conditions.push(("StringEquals", "aws:PrincipalOrgID", org.clone()));
    }
    if !conditions.is_empty() {
        // One entry per operator: SourceAccount and PrincipalOrgID both use StringEquals.
        let mut ops: Vec<(String, Vec<(String, Node)>)> = Vec::new();
        for (op, key, v) in conditions {
            match ops.iter_mut().find(|(o, _)| o == op) {
                Some((_, keys)) => keys.push((key.to_string(), v)),
                None => ops.push((op.to_string(), vec![(key.to_string(), v)])),
            }
        }
        let ops = ops.into_iter().map(|(op, keys)| (op, Node::new(Value::Map(keys), at))).collect();
        statement.push(("Condition".to_string(), Node::new(Value::Map(ops), at)));
    }
    let statement = Node::new(Value::Map(statement), at);
    Node::new(
        Value::Map(vec![
            ("Version".into(), text("2012-10-17")),
            ("Statement".into(), Node::new(Value::Seq(vec![statement]), at)),
        ]),
        at,
    )
}
