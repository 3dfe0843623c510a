//! The account's reports for the CIS controls, read with IAM: GenerateCredentialReport (until
//! COMPLETE) and GetCredentialReport, GetAccountPasswordPolicy (NoSuchEntity: none),
//! GetAccountSummary, ListVirtualMFADevices, ListServerCertificates — and ListAccessKeys for
//! users with an active key, so that enforce mode can name the key it deactivates.

use super::port_error;
use crate::guard::ports::PortError;
use crate::posture::{Facts, ServerCertificate};
use aws_sdk_iam::Client;

/// How often, and how long apart, GenerateCredentialReport is asked before giving up.
const REPORT_POLLS: u32 = 10;
const REPORT_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// Reads everything into `facts`; returns the IAM calls made.
pub(super) async fn read(client: &Client, facts: &mut Facts) -> Result<usize, PortError> {
    let mut calls = 0;
    let csv = credential_report(client, &mut calls).await?;
    let mut rows = crate::posture::credential_report::parse(&csv)
        .map_err(|e| PortError::Failed(format!("the credential report IAM returned: {e}")))?;
    for row in rows.iter_mut().filter(|r| !r.is_root() && r.active_keys().next().is_some()) {
        calls += 1;
        key_ids(client, row).await?;
    }
    facts.credential_report = Some(rows);
    calls += 1;
    facts.password_policy = Some(match client.get_account_password_policy().send().await {
        Ok(out) => out.password_policy.map(|p| crate::posture::PasswordPolicy {
            minimum_password_length: p.minimum_password_length.map(|n| n as u32),
            password_reuse_prevention: p.password_reuse_prevention.map(|n| n as u32),
            require_symbols: p.require_symbols,
            require_numbers: p.require_numbers,
            require_uppercase_characters: p.require_uppercase_characters,
            require_lowercase_characters: p.require_lowercase_characters,
            max_password_age: p.max_password_age.map(|n| n as u32),
        }),
        Err(e) => match port_error("get the account password policy", e) {
            PortError::NotFound(_) => None,
            other => return Err(other),
        },
    });
    calls += 1;
    let summary = client.get_account_summary().send().await.map_err(|e| port_error("get the account summary", e))?;
    facts.summary = Some(
        summary
            .summary_map
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.as_str().to_string(), i64::from(v)))
            .collect(),
    );
    facts.virtual_mfa = Some(virtual_mfa(client, &mut calls).await?);
    facts.server_certificates = Some(server_certificates(client, &mut calls).await?);
    Ok(calls)
}

/// GenerateCredentialReport until it is complete, then its CSV.
async fn credential_report(client: &Client, calls: &mut usize) -> Result<String, PortError> {
    use aws_sdk_iam::types::ReportStateType;
    for _ in 0..REPORT_POLLS {
        *calls += 1;
        let state = client
            .generate_credential_report()
            .send()
            .await
            .map_err(|e| port_error("generate the credential report", e))?
            .state;
        if state == Some(ReportStateType::Complete) {
            *calls += 1;
            let out =
                client.get_credential_report().send().await.map_err(|e| port_error("get the credential report", e))?;
            let bytes = out.content.map(|b| b.into_inner()).unwrap_or_default();
            return String::from_utf8(bytes)
                .map_err(|e| PortError::Failed(format!("the credential report is not UTF-8 text: {e}")));
        }
        tokio::time::sleep(REPORT_WAIT).await;
    }
    Err(PortError::Failed(format!(
        "the credential report was not ready after {REPORT_POLLS} GenerateCredentialReport calls"
    )))
}

/// The ids of the row's keys (the report has none): matched by creation time, else in order.
async fn key_ids(client: &Client, row: &mut crate::posture::CredentialRow) -> Result<(), PortError> {
    let out = client
        .list_access_keys()
        .user_name(&row.user)
        .send()
        .await
        .map_err(|e| port_error(&format!("list the access keys of user {}", row.user), e))?;
    let mut keys: Vec<(i64, String)> = out
        .access_key_metadata
        .into_iter()
        .filter_map(|k| Some((k.create_date.map(|d| d.secs()).unwrap_or(0), k.access_key_id?)))
        .collect();
    keys.sort();
    // Each id once: by creation time (two keys made in one second go in order), else in order.
    for slot in row.keys.iter_mut() {
        // A slot without a creation time holds no key.
        let Some(at) = slot.last_rotated.map(|t| t.timestamp()) else { continue };
        let pick = keys.iter().position(|(c, _)| (*c - at).abs() <= 1).unwrap_or(0);
        slot.id = (pick < keys.len()).then(|| keys.remove(pick).1);
    }
    Ok(())
}

async fn virtual_mfa(client: &Client, calls: &mut usize) -> Result<Vec<(String, Option<String>)>, PortError> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        *calls += 1;
        let page = client
            .list_virtual_mfa_devices()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| port_error("list the virtual MFA devices", e))?;
        out.extend(page.virtual_mfa_devices.into_iter().map(|d| (d.serial_number, d.user.map(|u| u.arn))));
        match (page.is_truncated, page.marker) {
            (true, Some(m)) => marker = Some(m),
            _ => return Ok(out),
        }
    }
}

async fn server_certificates(client: &Client, calls: &mut usize) -> Result<Vec<ServerCertificate>, PortError> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        *calls += 1;
        let page = client
            .list_server_certificates()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| port_error("list the server certificates", e))?;
        out.extend(page.server_certificate_metadata_list.into_iter().map(|c| ServerCertificate {
            server_certificate_name: c.server_certificate_name,
            arn: c.arn,
            expiration: c.expiration.and_then(|t| chrono::DateTime::from_timestamp(t.secs(), 0)),
        }));
        match (page.is_truncated, page.marker) {
            (true, Some(m)) => marker = Some(m),
            _ => return Ok(out),
        }
    }
}
