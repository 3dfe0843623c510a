//! Templates as input (shift left): the policies in what people deploy — CloudFormation JSON and
//! YAML (SAM and `cdk synth` output included), Terraform plans (`terraform show -json`), YAML
//! policies — each named by its resource and placed at its statements' lines and columns.

mod cfn;
mod intrinsics;
pub(crate) use intrinsics::{is_placeholder, DEFAULT_ACCOUNT};
mod sam;
mod terraform;
pub(crate) mod tree;

use crate::policy::{PolicyDocument, PolicyError, PolicyKind};
use tree::{Node, Pos};

/// A policy document found in a template, with where it is.
#[derive(Debug)]
pub(crate) struct Located {
    /// The resource holding it: a logical id or a Terraform address.
    pub resource: String,
    /// Human label (`GuardRole GuardPolicy`, `Bucket resource policy`).
    pub label: String,
    pub kind: Option<PolicyKind>,
    /// Managed policy name and ARN, for an attached AWS managed policy.
    pub managed: Option<(String, String)>,
    pub document: Result<PolicyDocument, PolicyError>,
    /// Where the document starts.
    pub at: Pos,
    /// Where each statement starts (document order).
    pub statements: Vec<Pos>,
    /// What the resource's `Metadata` says to ignore.
    pub ignore: Suppression,
    /// The `Fn::If` conditions that give this document, when it is not the one the defaults give
    /// (`IsHub=false`).
    pub variant: Option<String>,
}

impl Located {
    fn new(resource: &str, label: String, kind: Option<PolicyKind>, doc: &Node, ignore: Suppression) -> Located {
        let statements = match doc.get("Statement").map(|s| (&s.value, s.pos)) {
            Some((tree::Value::Seq(items), _)) => items.iter().map(|s| s.pos).collect(),
            Some((_, at)) => vec![at],
            None => vec![],
        };
        Located {
            resource: resource.to_string(),
            label,
            kind,
            managed: None,
            document: PolicyDocument::from_value(&doc.to_json()),
            at: doc.pos,
            statements,
            ignore,
            variant: None,
        }
    }

    /// An attached managed policy: an AWS managed one is judged from the catalogue; one of the
    /// account's own is judged where the template (or another file) defines it.
    fn managed(resource: &str, arn: &str, at: Pos, ignore: Suppression) -> Option<Located> {
        let name = arn.rsplit('/').next().unwrap_or(arn).to_string();
        let document = match crate::catalog::managed::by_arn(arn) {
            Some(p) => p.document(),
            None if crate::catalog::managed::is_aws_managed(arn) => {
                Err(PolicyError::Field { path: arn.into(), problem: "no AWS managed policy of this name".into() })
            }
            None => return None,
        };
        Some(Located {
            resource: resource.to_string(),
            label: format!("{resource} {name}"),
            kind: Some(PolicyKind::Identity),
            managed: Some((name, arn.to_string())),
            document,
            at,
            statements: vec![],
            ignore,
            variant: None,
        })
    }
}

/// Rules a resource's `Metadata: {iam-guard: {ignore: [{rule, reason}]}}` suppresses.
#[derive(Debug, Clone, Default)]
pub(crate) struct Suppression(pub Vec<Ignored>);

/// One suppressed rule, with the reason the template gives (required: an ignore says why).
#[derive(Debug, Clone)]
pub(crate) struct Ignored {
    pub rule: String,
    /// Only this statement (by Sid), when given.
    pub sid: Option<String>,
    /// Only these escalation paths (`privilege-escalation`'s ids), when given: a finding is
    /// suppressed when the ignores of its rule name every path it lists, so a new path still shows.
    pub paths: Vec<String>,
    pub reason: String,
}

impl Suppression {
    /// From a CloudFormation resource (`Metadata`) or a Terraform resource (tags do not carry
    /// lists: none).
    fn of(resource: &Node) -> Suppression {
        let list = resource.get("Metadata").and_then(|m| m.get("iam-guard")).and_then(|g| g.get("ignore"));
        let entries = list.and_then(Node::as_seq).unwrap_or_default();
        Suppression(
            entries
                .iter()
                .filter_map(|e| {
                    Some(Ignored {
                        rule: e.get("rule")?.as_str()?.to_string(),
                        sid: e.get("sid").and_then(Node::as_str).map(str::to_string),
                        paths: e
                            .get("paths")
                            .and_then(Node::as_seq)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|p| p.as_str().map(str::to_string))
                            .collect(),
                        reason: e.get("reason").and_then(Node::as_str).unwrap_or_default().to_string(),
                    })
                })
                .collect(),
        )
    }

    /// Why a finding is suppressed, if it is, and which ignores did it (their indexes).
    pub(crate) fn reason(&self, f: &crate::rules::Finding) -> Option<(String, Vec<usize>)> {
        let sid = f.evidence.first().and_then(|e| e.sid.as_deref());
        let rule = f.rule.as_str();
        let of_rule = |i: &Ignored| i.rule == rule && (i.sid.is_none() || i.sid.as_deref() == sid);
        if let Some(k) = self.0.iter().position(|i| of_rule(i) && i.paths.is_empty()) {
            return Some((self.0[k].reason.clone(), vec![k]));
        }
        if f.paths.is_empty() {
            return None;
        }
        // Every path the finding lists must be named by some ignore of its rule.
        let mut used = Vec::new();
        for p in &f.paths {
            let k = self.0.iter().position(|i| of_rule(i) && i.paths.iter().any(|x| x == p.id))?;
            if !used.contains(&k) {
                used.push(k);
            }
        }
        let reasons: Vec<&str> = used.iter().map(|&k| self.0[k].reason.as_str()).collect();
        Some((reasons.join(" / "), used))
    }

    /// A line naming an ignore that suppressed nothing (stale: remove it).
    pub(crate) fn describe(&self, k: usize) -> String {
        let i = &self.0[k];
        let mut s = format!("ignore of {}", i.rule);
        if let Some(sid) = &i.sid {
            s += &format!(" at Sid {sid:?}");
        }
        if !i.paths.is_empty() {
            s += &format!(" (paths {})", i.paths.join(", "));
        }
        s
    }
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    CloudFormation,
    TerraformPlan,
    /// A bare policy document (or an export `check` already reads).
    Policy,
}

/// Why a file holds nothing `check` reads.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TemplateError {
    #[error(transparent)]
    Syntax(#[from] tree::SyntaxError),
    #[error("not a policy, CloudFormation template or Terraform plan")]
    Unrecognised,
}

/// Recognises the format of a parsed file.
pub(crate) fn format_of(root: &Node) -> Option<Format> {
    if root.get("Resources").is_some_and(|r| r.as_map().is_some()) || root.get("AWSTemplateFormatVersion").is_some() {
        return Some(Format::CloudFormation);
    }
    if root.get("planned_values").is_some()
        || root.get("resource_changes").is_some()
        || root.get("terraform_version").is_some()
    {
        return Some(Format::TerraformPlan);
    }
    root.get("Statement").map(|_| Format::Policy)
}

/// Does this JSON value look like a template or plan (cheap: top-level keys only)?
pub(crate) fn format_of_json(v: &serde_json::Value) -> Option<Format> {
    let has = |k: &str| v.get(k).is_some();
    if v.get("Resources").is_some_and(serde_json::Value::is_object) || has("AWSTemplateFormatVersion") {
        Some(Format::CloudFormation)
    } else if has("planned_values") || has("resource_changes") || has("terraform_version") {
        Some(Format::TerraformPlan)
    } else {
        None
    }
}

/// The policies in a template's text. `Ok(None)`: the text is a YAML or JSON file of another kind.
pub(crate) fn policies_in(text: &str, account: Option<&str>) -> Result<Vec<Located>, TemplateError> {
    let root = tree::parse(text)?;
    match format_of(&root).ok_or(TemplateError::Unrecognised)? {
        Format::CloudFormation => Ok(cfn::policies(&root, account)),
        Format::TerraformPlan => Ok(terraform::policies(&root)),
        Format::Policy => Ok(vec![Located::new("policy", "policy".into(), None, &root, Suppression::default())]),
    }
}

#[cfg(test)]
mod tests;
