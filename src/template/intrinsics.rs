//! CloudFormation's intrinsic functions, resolved where the template determines them: pseudo
//! parameters, parameter defaults, `Ref` and `Fn::GetAtt` of the template's own resources (a name or
//! ARN built from the logical id, specific as the deployed one will be), `Fn::Sub`, `Fn::Join`,
//! `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::If` on conditions the defaults decide.
//! What the template leaves open becomes a placeholder (`PARAMETER-Name`, `imported-Export`), never
//! `*`: a placeholder must not widen a policy. `${aws:username}`-style policy variables in a
//! `Fn::Sub` are kept.

use super::tree::{Node, Value};
use std::collections::HashMap;

/// Does a value stand for what the template leaves open (a parameter without default, an
/// import, a mapping it cannot look up)? Such a value is not judged as written.
pub(crate) fn is_placeholder(s: &str) -> bool {
    s.starts_with("PARAMETER-") || s.starts_with("imported-") || s.starts_with("MAPPING-VALUE")
}

/// The account a template's `AWS::AccountId` stands for when `check` is given none.
pub(crate) const DEFAULT_ACCOUNT: &str = "123456789012";

/// What a template determines: its parameters' values, its resources' types, mappings, conditions.
#[derive(Clone)]
pub(super) struct Scope<'a> {
    pub account: String,
    pub region: String,
    params: HashMap<String, Node>,
    resources: HashMap<String, String>,
    mappings: Option<&'a Node>,
    conditions: Option<&'a Node>,
    /// Conditions held to a value whatever the defaults say (each branch of an `Fn::If` is a
    /// policy the stack may deploy).
    forced: Vec<(String, bool)>,
}

impl<'a> Scope<'a> {
    /// The scope of a template (`root` is the whole template).
    pub(super) fn of(root: &'a Node, account: Option<&str>) -> Scope<'a> {
        let mut params = HashMap::new();
        for (name, p) in root.get("Parameters").and_then(Node::as_map).unwrap_or_default() {
            let value = p
                .get("Default")
                .cloned()
                .unwrap_or_else(|| Node::new(Value::String(format!("PARAMETER-{name}")), p.pos));
            params.insert(name.clone(), value);
        }
        let resources = root
            .get("Resources")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|(id, r)| (id.clone(), r.get("Type").and_then(Node::as_str).unwrap_or_default().to_string()))
            .collect();
        Scope {
            account: account.unwrap_or(DEFAULT_ACCOUNT).to_string(),
            region: "us-east-1".into(),
            params,
            resources,
            mappings: root.get("Mappings"),
            conditions: root.get("Conditions"),
            forced: Vec::new(),
        }
    }

    /// The same scope with these conditions held to these values.
    pub(super) fn forcing(&self, forced: Vec<(String, bool)>) -> Scope<'a> {
        Scope { forced, ..self.clone() }
    }

    /// The value a named condition takes by the defaults (true where they do not decide it).
    pub(super) fn default_truth(&self, name: &str) -> bool {
        self.condition(name, 0).unwrap_or(true)
    }

    /// `node` with every intrinsic it holds resolved; `None` for `AWS::NoValue`.
    pub(super) fn resolve(&self, node: &Node) -> Option<Node> {
        self.resolve_depth(node, 0)
    }

    fn resolve_depth(&self, node: &Node, depth: usize) -> Option<Node> {
        if depth > 64 {
            return Some(node.clone());
        }
        let at = node.pos;
        match &node.value {
            Value::Seq(items) => {
                let items = items.iter().filter_map(|i| self.resolve_depth(i, depth + 1)).collect();
                Some(Node::new(Value::Seq(items), at))
            }
            Value::Map(entries) if entries.len() == 1 && is_intrinsic(&entries[0].0) => {
                self.function(&entries[0].0, &entries[0].1, node, depth)
            }
            Value::Map(entries) => {
                let entries = entries
                    .iter()
                    .filter_map(|(k, v)| self.resolve_depth(v, depth + 1).map(|v| (k.clone(), v)))
                    .collect();
                Some(Node::new(Value::Map(entries), at))
            }
            _ => Some(node.clone()),
        }
    }

    fn function(&self, name: &str, arg: &Node, whole: &Node, depth: usize) -> Option<Node> {
        let text = |s: String| Some(Node::new(Value::String(s), whole.pos));
        let arg = if name == "Fn::If" { arg.clone() } else { self.resolve_depth(arg, depth + 1)? };
        match name {
            "Ref" => match arg.as_str()? {
                "AWS::NoValue" => None,
                r => self.reference(r, whole),
            },
            "Fn::GetAtt" => {
                let (id, attr) = match &arg.value {
                    Value::String(s) => s.split_once('.').map(|(a, b)| (a.to_string(), b.to_string()))?,
                    Value::Seq(s) if s.len() == 2 => (s[0].as_str()?.to_string(), s[1].as_str()?.to_string()),
                    _ => return Some(whole.clone()),
                };
                text(self.attribute(&id, &attr))
            }
            "Fn::Sub" => text(self.sub(&arg)),
            "Fn::Join" => {
                let [d, list] = arg.as_seq()? else { return Some(whole.clone()) };
                let parts: Option<Vec<String>> = list.as_seq()?.iter().map(scalar_text).collect();
                text(parts?.join(d.as_str().unwrap_or_default()))
            }
            "Fn::Select" => {
                let [i, list] = arg.as_seq()? else { return Some(whole.clone()) };
                let i: usize = scalar_text(i)?.parse().ok()?;
                list.as_seq()?.get(i).cloned()
            }
            "Fn::Split" => {
                let [d, s] = arg.as_seq()? else { return Some(whole.clone()) };
                let parts = s.as_str()?.split(d.as_str()?).map(|p| Node::new(Value::String(p.into()), whole.pos));
                Some(Node::new(Value::Seq(parts.collect()), whole.pos))
            }
            "Fn::FindInMap" => self.find_in_map(&arg).or_else(|| text("MAPPING-VALUE".into())),
            "Fn::ImportValue" => text(format!("imported-{}", scalar_text(&arg).unwrap_or_default())),
            "Fn::If" => {
                let [cond, yes, no] = arg.as_seq()? else { return Some(whole.clone()) };
                let name = cond.as_str()?;
                let forced = self.forced.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
                let truth = forced.or_else(|| self.condition(name, depth)).unwrap_or(true);
                let branch = if truth { yes } else { no };
                self.resolve_depth(branch, depth + 1)
            }
            "Fn::Base64" | "Fn::ToJsonString" => Some(arg),
            _ => Some(Node::new(Value::Map(vec![(name.to_string(), arg)]), whole.pos)),
        }
    }

    /// `Ref`: a pseudo parameter, a parameter, or a resource (its name or ARN).
    fn reference(&self, name: &str, whole: &Node) -> Option<Node> {
        let pseudo = match name {
            "AWS::AccountId" => Some(self.account.clone()),
            "AWS::Region" => Some(self.region.clone()),
            "AWS::Partition" => Some("aws".into()),
            "AWS::URLSuffix" => Some("amazonaws.com".into()),
            "AWS::StackName" => Some("stack".into()),
            "AWS::StackId" => Some(format!("arn:aws:cloudformation:{}:{}:stack/stack/id", self.region, self.account)),
            _ => None,
        };
        if let Some(p) = pseudo {
            return Some(Node::new(Value::String(p), whole.pos));
        }
        if let Some(p) = self.params.get(name) {
            return self.resolve(p);
        }
        let value = match self.resources.get(name).map(String::as_str) {
            Some(t) if ref_is_arn(t) => self.arn_of(name, t),
            // Bucket names are lower case; the ARN built from the logical id says the same.
            Some("AWS::S3::Bucket") => name.to_lowercase(),
            Some(_) => name.to_string(),
            None => format!("PARAMETER-{name}"),
        };
        Some(Node::new(Value::String(value), whole.pos))
    }

    fn attribute(&self, id: &str, attr: &str) -> String {
        let t = self.resources.get(id).map(String::as_str).unwrap_or_default();
        match attr {
            "Arn" => self.arn_of(id, t),
            "RoleId" | "UserId" | "GroupId" => format!("AROA{}", id.to_uppercase()),
            _ => format!("{id}-{attr}"),
        }
    }

    /// An ARN for a resource of the template, named after its logical id.
    fn arn_of(&self, id: &str, cfn_type: &str) -> String {
        let (a, r) = (&self.account, &self.region);
        let name = id.to_string();
        match cfn_type {
            "AWS::S3::Bucket" => format!("arn:aws:s3:::{}", id.to_lowercase()),
            "AWS::IAM::Role" => format!("arn:aws:iam::{a}:role/{name}"),
            "AWS::IAM::User" => format!("arn:aws:iam::{a}:user/{name}"),
            "AWS::IAM::Group" => format!("arn:aws:iam::{a}:group/{name}"),
            "AWS::IAM::ManagedPolicy" => format!("arn:aws:iam::{a}:policy/{name}"),
            "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => format!("arn:aws:dynamodb:{r}:{a}:table/{name}"),
            "AWS::SQS::Queue" | "AWS::SNS::Topic" => {
                format!("arn:aws:{}:{r}:{a}:{name}", if cfn_type.contains("SQS") { "sqs" } else { "sns" })
            }
            "AWS::Lambda::Function" | "AWS::Serverless::Function" => format!("arn:aws:lambda:{r}:{a}:function:{name}"),
            "AWS::KMS::Key" => format!("arn:aws:kms:{r}:{a}:key/{name}"),
            "AWS::SecretsManager::Secret" => format!("arn:aws:secretsmanager:{r}:{a}:secret:{name}"),
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
                format!("arn:aws:states:{r}:{a}:stateMachine:{name}")
            }
            // A log group's Arn attribute ends in `:*` (its streams).
            "AWS::Logs::LogGroup" => format!("arn:aws:logs:{r}:{a}:log-group:{name}:*"),
            "AWS::ECR::Repository" => format!("arn:aws:ecr:{r}:{a}:repository/{}", id.to_lowercase()),
            "AWS::Kinesis::Stream" => format!("arn:aws:kinesis:{r}:{a}:stream/{name}"),
            t => {
                let service = t.split("::").nth(1).unwrap_or("resource").to_lowercase();
                format!("arn:aws:{service}:{r}:{a}:{name}")
            }
        }
    }

    /// `Fn::Sub` with a string or `[string, {vars}]`.
    fn sub(&self, arg: &Node) -> String {
        let (template, vars) = match &arg.value {
            Value::Seq(s) if s.len() == 2 => (s[0].as_str().unwrap_or_default(), s[1].as_map().unwrap_or_default()),
            _ => (arg.as_str().unwrap_or_default(), &[][..]),
        };
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(end) = rest[start..].find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let var = &rest[start + 2..start + end];
            out.push_str(&self.sub_var(var, vars));
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn sub_var(&self, var: &str, vars: &[(String, Node)]) -> String {
        if let Some(literal) = var.strip_prefix('!') {
            return format!("${{{literal}}}");
        }
        if let Some((_, v)) = vars.iter().find(|(k, _)| k == var) {
            return scalar_text(v).unwrap_or_default();
        }
        if let Some((id, attr)) = var.split_once('.') {
            if self.resources.contains_key(id) {
                return self.attribute(id, attr);
            }
        }
        let known = var.starts_with("AWS::") || self.params.contains_key(var) || self.resources.contains_key(var);
        if known {
            let r = Node::new(Value::String(var.into()), Default::default());
            if let Some(n) = self.reference(var, &r) {
                return scalar_text(&n).unwrap_or_default();
            }
        }
        // An IAM policy variable (`${aws:username}`) or something the template does not define.
        format!("${{{var}}}")
    }

    fn find_in_map(&self, arg: &Node) -> Option<Node> {
        let [m, k1, k2] = arg.as_seq()? else { return None };
        let (m, k1, k2) = (scalar_text(m)?, scalar_text(k1)?, scalar_text(k2)?);
        self.mappings?.get(&m)?.get(&k1)?.get(&k2).cloned()
    }

    /// A named condition's value where the parameters' defaults decide it.
    fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        let c = self.conditions?.get(name)?;
        self.truth(c, depth + 1)
    }

    fn truth(&self, c: &Node, depth: usize) -> Option<bool> {
        if depth > 32 {
            return None;
        }
        let (f, arg) = c.as_map().filter(|m| m.len() == 1).map(|m| (m[0].0.as_str(), &m[0].1))?;
        let args = arg.as_seq().unwrap_or_default();
        match f {
            "Fn::Equals" => {
                let [a, b] = args else { return None };
                let (a, b) = (self.resolve(a)?, self.resolve(b)?);
                let determined = |n: &Node| scalar_text(n).filter(|s| !s.starts_with("PARAMETER-"));
                Some(determined(&a)? == determined(&b)?)
            }
            "Fn::Not" => Some(!self.truth(args.first()?, depth + 1)?),
            "Fn::And" => args.iter().map(|a| self.truth(a, depth + 1)).try_fold(true, |acc, t| Some(acc && t?)),
            "Fn::Or" => args.iter().map(|a| self.truth(a, depth + 1)).try_fold(false, |acc, t| Some(acc || t?)),
            "Condition" => self.condition(arg.as_str()?, depth),
            _ => None,
        }
    }
}

/// The conditions the `Fn::If`s under `node` name, in document order, each once.
pub(super) fn if_conditions(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|i| if_conditions(i, out)),
        Value::Map(entries) => {
            for (k, v) in entries {
                if k == "Fn::If" {
                    if let Some(name) = v.as_seq().and_then(|a| a.first()).and_then(Node::as_str) {
                        if !out.iter().any(|n| n == name) {
                            out.push(name.to_string());
                        }
                    }
                }
                if_conditions(v, out);
            }
        }
        _ => {}
    }
}

fn is_intrinsic(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// Does `Ref` of this type return an ARN (rather than a name or id)?
fn ref_is_arn(cfn_type: &str) -> bool {
    matches!(
        cfn_type,
        "AWS::IAM::ManagedPolicy"
            | "AWS::SNS::Topic"
            | "AWS::StepFunctions::StateMachine"
            | "AWS::Serverless::StateMachine"
    )
}

/// A scalar as text (numbers and booleans as written).
fn scalar_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(x) => Some(x.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    fn resolved(template: &str, path: &[&str]) -> serde_json::Value {
        let root = parse(template).unwrap();
        let scope = Scope::of(&root, Some("111122223333"));
        let mut n = &root;
        for p in path {
            n = n.get(p).unwrap();
        }
        scope.resolve(n).map(|n| n.to_json()).unwrap_or(serde_json::Value::Null)
    }

    #[test]
    fn resolves_what_the_template_determines() {
        let t = r#"
Parameters:
  Env: {Type: String, Default: prod}
  Bucket: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Topic: {Type: AWS::SNS::Topic}
  P:
    Type: AWS::IAM::Policy
    Properties:
      A: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}-${Env}/${!aws:username}/${aws:userid}'
      B: !GetAtt Table.Arn
      C: !Ref Topic
      D: !Join ['', ['arn:aws:s3:::', !Ref Env, '/*']]
      E: !If [IsProd, yes, no]
      F: [!Ref 'AWS::NoValue', !Select [1, !Split [',', 'a,b']]]
"#;
        let v = resolved(t, &["Resources", "P", "Properties"]);
        assert_eq!(v["A"], "arn:aws:s3:::PARAMETER-Bucket-prod/${aws:username}/${aws:userid}");
        assert_eq!(v["B"], "arn:aws:dynamodb:us-east-1:111122223333:table/Table");
        assert_eq!(v["C"], "arn:aws:sns:us-east-1:111122223333:Topic");
        assert_eq!(v["D"], "arn:aws:s3:::prod/*");
        assert_eq!(v["E"], "yes");
        assert_eq!(v["F"], serde_json::json!(["b"]));
    }
}
