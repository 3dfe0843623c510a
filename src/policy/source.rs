//! Finding policy documents inside the JSON people have on disk: a bare policy, or the output of
//! `aws iam get-policy-version`, `get-role-policy`, `get-role`, or a managed-policy export
//! (`{"Name": {"Arn": ..., "Document": ...}}`, the form of the AWS managed policy snapshot).

use super::{PolicyDocument, PolicyError, PolicyKind};
use serde_json::Value;

/// A document found in an input, with what is known about where it came from.
#[derive(Debug)]
pub struct FoundPolicy {
    /// Human label: the policy or role name, or "policy" for a bare document.
    pub label: String,
    /// Managed policy name and ARN when the export names them.
    pub managed: Option<(String, String)>,
    /// Identity or trust, when the export says.
    pub kind: Option<PolicyKind>,
    /// The parsed document, or why it does not parse.
    pub document: Result<PolicyDocument, PolicyError>,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "not a policy document or a recognised export: expected Statement, PolicyVersion.Document, \
PolicyDocument, Role.AssumeRolePolicyDocument, or {{\"Name\": {{\"Arn\", \"Document\"}}}}"
)]
/// The input holds no document iam-guard recognises.
pub struct UnrecognisedInput;

/// Lists every policy document in `value`.
pub fn documents_in(value: &Value) -> Result<Vec<FoundPolicy>, UnrecognisedInput> {
    let obj = value.as_object().ok_or(UnrecognisedInput)?;
    let one = |label: &str, managed: Option<(String, String)>, kind: Option<PolicyKind>, doc: &Value| FoundPolicy {
        label: label.to_string(),
        managed,
        kind,
        document: PolicyDocument::from_value(doc),
    };
    if obj.contains_key("Statement") {
        return Ok(vec![one("policy", None, None, value)]);
    }
    if let Some(doc) = obj.get("PolicyVersion").and_then(|p| p.get("Document")) {
        return Ok(vec![one("policy version", None, Some(PolicyKind::Identity), doc)]);
    }
    if let Some(doc) = obj.get("Role").and_then(|r| r.get("AssumeRolePolicyDocument")) {
        let name = obj["Role"].get("RoleName").and_then(Value::as_str).unwrap_or("role");
        return Ok(vec![one(&format!("{name} trust policy"), None, Some(PolicyKind::Trust), doc)]);
    }
    if let Some(doc) = obj.get("PolicyDocument") {
        let name = obj.get("PolicyName").and_then(Value::as_str).unwrap_or("inline policy");
        return Ok(vec![one(name, None, Some(PolicyKind::Identity), doc)]);
    }
    if let Some(found) = managed_export(None, value) {
        return Ok(vec![found]);
    }
    let mut out = Vec::new();
    for (name, entry) in obj {
        match managed_export(Some(name), entry) {
            Some(found) => out.push(found),
            None => return Err(UnrecognisedInput),
        }
    }
    if out.is_empty() {
        return Err(UnrecognisedInput);
    }
    Ok(out)
}

/// `{"Arn": "...", "Document": {...}}` with the name from the key or a `PolicyName` field.
fn managed_export(key: Option<&str>, entry: &Value) -> Option<FoundPolicy> {
    let doc = entry.get("Document")?;
    let arn = entry.get("Arn").and_then(Value::as_str).unwrap_or_default().to_string();
    let name = key
        .map(str::to_string)
        .or_else(|| entry.get("PolicyName").and_then(Value::as_str).map(str::to_string))
        .or_else(|| arn.rsplit('/').next().map(str::to_string))
        .unwrap_or_else(|| "policy".to_string());
    Some(FoundPolicy {
        label: name.clone(),
        managed: Some((name, arn)),
        kind: Some(PolicyKind::Identity),
        document: PolicyDocument::from_value(doc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_shapes() {
        let bare = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        assert_eq!(documents_in(&bare).unwrap()[0].label, "policy");
        let pv = json!({"PolicyVersion": {"Document": "%7B%22Statement%22%3A%5B%5D%7D", "VersionId": "v1"}});
        assert!(documents_in(&pv).unwrap()[0].document.is_ok());
        let role = json!({"Role": {"RoleName": "r", "AssumeRolePolicyDocument": {"Statement": []}}});
        let r = documents_in(&role).unwrap();
        assert_eq!(r[0].kind, Some(PolicyKind::Trust));
        let export = json!({"AdministratorAccess": {"Arn": "arn:aws:iam::aws:policy/AdministratorAccess", "Document": {"Statement": []}},
                            "B": {"Arn": "arn:aws:iam::aws:policy/B", "Document": {"Statement": 3}}});
        let e = documents_in(&export).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].managed.as_ref().unwrap().0, "AdministratorAccess");
        assert!(e[1].document.is_err());
        assert!(documents_in(&json!({"foo": 1})).is_err());
        assert!(documents_in(&json!([1])).is_err());
    }
}
