//! What the sweep's HTML report shows beside the findings: every principal with what it holds
//! (managed and inline policies, groups, trust), and every policy with its document and who
//! holds it — read off the inventory, each document once.

use super::judge::managed_label;
use crate::inventory::Inventory;
use std::collections::BTreeMap;

/// A policy as the report shows it.
#[derive(Debug, Clone)]
pub struct PolicyView {
    /// As findings name it: "AmazonS3FullAccess (AWS managed)", "inline policy x of role app".
    pub label: String,
    /// Its ARN (managed policies).
    pub arn: Option<String>,
    /// Its document, pretty JSON, when known.
    pub document: Option<String>,
    /// Who holds it directly ("role app", "group dev").
    pub holders: Vec<String>,
}

/// A principal as the report shows it.
#[derive(Debug, Clone)]
pub struct Holding {
    /// "role app".
    pub principal: String,
    /// Its ARN.
    pub arn: String,
    /// The labels of the policies it holds directly (see [`PolicyView::label`]).
    pub policies: Vec<String>,
    /// Its groups (users).
    pub groups: Vec<String>,
}

/// A document as pretty JSON (IAM's URL-encoded text decoded first), else as given.
pub fn pretty(text: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    [text, decoded.as_ref()]
        .iter()
        .find_map(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

/// The principals and policies of `inv`.
pub(super) fn views(inv: &Inventory) -> (Vec<Holding>, Vec<PolicyView>) {
    let mut policies: BTreeMap<String, PolicyView> = BTreeMap::new();
    let mut holdings = Vec::new();
    let local: BTreeMap<&str, Option<&str>> =
        inv.policies.iter().map(|p| (p.arn.as_str(), p.default_document.as_deref())).collect();
    for p in &inv.principals {
        let Some(target) = &p.target else { continue };
        let who = target.to_string();
        let mut held = Vec::new();
        for arn in &p.attached {
            let label = managed_label("", arn);
            let view = policies.entry(label.clone()).or_insert_with(|| PolicyView {
                label: label.clone(),
                arn: Some(arn.clone()),
                document: managed_document(arn, &local),
                holders: vec![],
            });
            view.holders.push(who.clone());
            held.push(label);
        }
        // Inline and trust policies belong to their one holder.
        let own = p.inline.iter().map(|(name, text)| (format!("inline policy {name} of {who}"), text));
        for (label, text) in own.chain(p.trust.iter().map(|t| (format!("trust policy of {who}"), t))) {
            let view = PolicyView {
                label: label.clone(),
                arn: None,
                document: Some(pretty(text)),
                holders: vec![who.clone()],
            };
            policies.insert(label.clone(), view);
            held.push(label);
        }
        holdings.push(Holding { principal: who, arn: p.arn.clone(), policies: held, groups: p.groups.clone() });
    }
    (holdings, policies.into_values().collect())
}

fn managed_document(arn: &str, local: &BTreeMap<&str, Option<&str>>) -> Option<String> {
    match crate::catalog::managed::by_arn(arn) {
        Some(p) => Some(pretty(&p.document_json())),
        None => local.get(arn).copied().flatten().map(pretty),
    }
}
