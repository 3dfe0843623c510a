//! Saved account reports, recognised by their content (`sweep --input` may be given several
//! times): the credential report (its CSV, or `aws iam get-credential-report`'s JSON), and the
//! JSON the AWS CLI prints for `get-account-password-policy` (`PasswordPolicy`; `{"PasswordPolicy":
//! null}` for an account without one), `get-account-summary` (`SummaryMap`),
//! `list-virtual-mfa-devices` (`VirtualMFADevices`), `list-server-certificates`
//! (`ServerCertificateMetadataList`), `accessanalyzer list-analyzers` (`analyzers`) and
//! `list-entities-for-policy` of AWSSupportAccess (`PolicyRoles`, `PolicyUsers`, `PolicyGroups`).

use super::{credential_report, Facts};
use serde_json::Value;

/// What a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A credential report.
    CredentialReport,
    /// Another account report (password policy, summary, MFA devices, certificates, analyzers).
    AccountReport,
    /// None of these: an authorization-details export (or resource file) perhaps.
    Other,
}

/// Reads `text` into `facts` when it is one of the account reports; `Other` leaves `facts` alone.
pub fn read_into(text: &str, facts: &mut Facts) -> Result<Kind, String> {
    if credential_report::looks_like(text) {
        facts.credential_report = Some(credential_report::parse(text).map_err(|e| e.to_string())?);
        return Ok(Kind::CredentialReport);
    }
    let Ok(v) = serde_json::from_str::<Value>(text) else { return Ok(Kind::Other) };
    if let Some(csv) = credential_report::from_cli_json(&v) {
        let csv = csv?;
        facts.credential_report = Some(credential_report::parse(&csv).map_err(|e| e.to_string())?);
        return Ok(Kind::CredentialReport);
    }
    let shape = |what: &str, e: serde_json::Error| format!("{what}: {e}");
    if let Some(p) = v.get("PasswordPolicy") {
        let policy = if p.is_null() {
            None
        } else {
            Some(serde_json::from_value(p.clone()).map_err(|e| shape("PasswordPolicy", e))?)
        };
        facts.password_policy = Some(policy);
    } else if let Some(m) = v.get("SummaryMap") {
        facts.summary = Some(serde_json::from_value(m.clone()).map_err(|e| shape("SummaryMap", e))?);
    } else if let Some(list) = v.get("VirtualMFADevices") {
        facts.virtual_mfa = Some(virtual_mfa(list)?);
    } else if let Some(list) = v.get("ServerCertificateMetadataList") {
        let certs = serde_json::from_value(list.clone()).map_err(|e| shape("ServerCertificateMetadataList", e))?;
        facts.server_certificates = Some(certs);
    } else if v.get("PolicyRoles").is_some() || v.get("PolicyUsers").is_some() || v.get("PolicyGroups").is_some() {
        // `aws iam list-entities-for-policy --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess`.
        let names = ["PolicyRoles", "PolicyUsers", "PolicyGroups"].into_iter().flat_map(|k| {
            let key = k.trim_start_matches("Policy").trim_end_matches('s').to_string() + "Name";
            v[k].as_array().into_iter().flatten().filter_map(move |e| e[key.as_str()].as_str().map(str::to_string))
        });
        facts.support_holders = Some(names.collect());
    } else if let Some(list) = v.get("analyzers") {
        let found: Vec<super::Analyzer> = serde_json::from_value(list.clone()).map_err(|e| shape("analyzers", e))?;
        facts.analyzers.get_or_insert_with(Vec::new).extend(found);
    } else {
        return Ok(Kind::Other);
    }
    Ok(Kind::AccountReport)
}

/// `(serial number, assigned user's ARN)` of each device.
fn virtual_mfa(list: &Value) -> Result<Vec<(String, Option<String>)>, String> {
    let items = list.as_array().ok_or("VirtualMFADevices: expected a list")?;
    items
        .iter()
        .map(|d| {
            let serial = d["SerialNumber"].as_str().ok_or("VirtualMFADevices: a device without SerialNumber")?;
            Ok((serial.to_string(), d["User"]["Arn"].as_str().map(str::to_string)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_report() {
        let mut f = Facts::default();
        assert_eq!(read_into(r#"{"PasswordPolicy": {"MinimumPasswordLength": 8}}"#, &mut f), Ok(Kind::AccountReport));
        assert_eq!(f.password_policy.clone().unwrap().unwrap().minimum_password_length, Some(8));
        assert_eq!(read_into(r#"{"PasswordPolicy": null}"#, &mut f), Ok(Kind::AccountReport));
        assert_eq!(f.password_policy, Some(None));
        read_into(r#"{"SummaryMap": {"AccountMFAEnabled": 0}}"#, &mut f).unwrap();
        assert_eq!(f.summary.as_ref().unwrap()["AccountMFAEnabled"], 0);
        read_into(r#"{"VirtualMFADevices": [{"SerialNumber": "arn:aws:iam::1:mfa/root-account-mfa-device", "User": {"Arn": "arn:aws:iam::1:root"}}]}"#, &mut f).unwrap();
        assert_eq!(f.virtual_mfa.as_ref().unwrap()[0].1.as_deref(), Some("arn:aws:iam::1:root"));
        read_into(r#"{"analyzers": [{"arn": "arn:aws:access-analyzer:eu-west-1:1:analyzer/a", "type": "ACCOUNT", "status": "ACTIVE"}]}"#, &mut f).unwrap();
        assert_eq!(f.analyzers.as_ref().unwrap()[0].region(), "eu-west-1");
        read_into(
            r#"{"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [{"RoleName": "support", "RoleId": "AROA1"}]}"#,
            &mut f,
        )
        .unwrap();
        assert_eq!(f.support_holders, Some(vec!["support".to_string()]));
        assert_eq!(read_into(r#"{"UserDetailList": []}"#, &mut f), Ok(Kind::Other));
        assert_eq!(read_into("not json", &mut f), Ok(Kind::Other));
    }

    #[test]
    fn names_a_bad_shape() {
        let mut f = Facts::default();
        let e = read_into(r#"{"PasswordPolicy": {"MinimumPasswordLength": "long"}}"#, &mut f).unwrap_err();
        assert!(e.starts_with("PasswordPolicy:"), "{e}");
        let e = read_into(r#"{"ServerCertificateMetadataList": [{"Arn": "x"}]}"#, &mut f).unwrap_err();
        assert!(e.contains("ServerCertificateName"), "{e}");
    }
}
