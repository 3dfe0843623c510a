//! A CloudTrail record (as EventBridge's `detail`, a log-file entry, or a CloudWatch Logs
//! message) → [`Outcome`]. Fields not every record has are optional; the ones a judged event
//! needs are checked by name.

use super::change::*;
use super::IntakeError;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The IAM calls the guard judges.
pub const JUDGED_EVENTS: &[&str] = &[
    "AttachRolePolicy",
    "AttachUserPolicy",
    "AttachGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "PutGroupPolicy",
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "CreatePolicy",
    "CreatePolicyVersion",
    "SetDefaultPolicyVersion",
    "AddUserToGroup",
    "CreateAccessKey",
    "CreateLoginProfile",
    "DeleteRolePermissionsBoundary",
    "DeleteUserPermissionsBoundary",
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    event_source: Option<String>,
    event_name: Option<String>,
    event_time: Option<String>,
    #[serde(rename = "eventID")]
    event_id: Option<String>,
    aws_region: Option<String>,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: Option<String>,
    user_agent: Option<String>,
    recipient_account_id: Option<String>,
    #[serde(default)]
    user_identity: Value,
    #[serde(default)]
    request_parameters: Value,
    #[serde(default)]
    response_elements: Value,
    error_code: Option<String>,
    error_message: Option<String>,
    session_credential_from_console: Option<Value>,
}

/// Parses one CloudTrail record. `at` names where it sits (`detail`, `Records[3]`) in errors.
pub fn outcome(value: Value, at: &str) -> Result<Outcome, IntakeError> {
    let r: Record = serde_json::from_value(value).map_err(|e| IntakeError::invalid(at, e.to_string()))?;
    let ignored = |reason: String| {
        Ok(Outcome::Ignored(Ignored { event_id: r.event_id.clone(), event_name: r.event_name.clone(), reason }))
    };
    let name = r.event_name.as_deref().ok_or_else(|| IntakeError::missing(format!("{at}.eventName")))?;
    match r.event_source.as_deref() {
        Some("iam.amazonaws.com") => {}
        Some(other) => return ignored(format!("event source {other} is not IAM")),
        None => return Err(IntakeError::missing(format!("{at}.eventSource"))),
    }
    if let Some(code) = &r.error_code {
        let msg = r.error_message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
        return ignored(format!("the call failed ({code}{msg}), nothing changed"));
    }
    if !JUDGED_EVENTS.contains(&name) {
        return ignored(format!("{name} is not an event the guard judges"));
    }
    let field = |f: &str| format!("{at}.{f}");
    let event_id = r.event_id.clone().ok_or_else(|| IntakeError::missing(field("eventID")))?;
    let time_text = r.event_time.as_deref().ok_or_else(|| IntakeError::missing(field("eventTime")))?;
    let event_time: DateTime<Utc> = DateTime::parse_from_rfc3339(time_text)
        .map_err(|e| IntakeError::invalid(field("eventTime"), format!("{time_text:?} is not an RFC 3339 time: {e}")))?
        .with_timezone(&Utc);
    let identity = r.user_identity.as_object();
    let id_str = |k: &str| identity.and_then(|o| o.get(k)).and_then(Value::as_str).map(str::to_string);
    let actor = Actor {
        identity_type: id_str("type").unwrap_or_else(|| "Unknown".into()),
        arn: id_str("arn"),
        session_issuer_arn: identity
            .and_then(|o| o.get("sessionContext"))
            .and_then(|s| s.get("sessionIssuer"))
            .and_then(|s| s.get("arn"))
            .and_then(Value::as_str)
            .map(str::to_string),
        user_name: id_str("userName"),
        console: matches!(&r.session_credential_from_console, Some(Value::String(s)) if s == "true")
            || matches!(r.session_credential_from_console, Some(Value::Bool(true))),
    };
    let account_id = r
        .recipient_account_id
        .clone()
        .or_else(|| id_str("accountId"))
        .ok_or_else(|| IntakeError::missing(field("recipientAccountId")))?;
    let req = Params { map: r.request_parameters.as_object(), at: field("requestParameters") };
    let resp = Params { map: r.response_elements.as_object(), at: field("responseElements") };
    let action = action(name, &req, &resp, &actor)?;
    Ok(Outcome::Change(Box::new(Change {
        event_id,
        event_name: name.to_string(),
        event_time,
        account_id,
        region: r.aws_region.clone().unwrap_or_else(|| "us-east-1".into()),
        source_ip: r.source_ip_address.clone(),
        user_agent: r.user_agent.clone(),
        actor,
        action,
    })))
}

/// requestParameters / responseElements with errors that name the field.
struct Params<'a> {
    map: Option<&'a Map<String, Value>>,
    at: String,
}

impl Params<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.map.and_then(|m| m.get(key))
    }

    fn str(&self, key: &str) -> Result<String, IntakeError> {
        match self.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(IntakeError::invalid(format!("{}.{key}", self.at), "empty")),
            Some(other) => {
                Err(IntakeError::invalid(format!("{}.{key}", self.at), format!("expected a string, got {other}")))
            }
            None => Err(IntakeError::missing(format!("{}.{key}", self.at))),
        }
    }

    fn opt_str(&self, key: &str) -> Option<String> {
        self.get(key).and_then(Value::as_str).map(str::to_string)
    }

    fn policy(&self, key: &str) -> Result<PolicyText, IntakeError> {
        let text = self.str(key)?;
        PolicyText::parse(&text).map_err(|e| IntakeError::Policy { field: format!("{}.{key}", self.at), source: e })
    }

    /// A nested object (`responseElements.policy`).
    fn nested(&self, key: &str) -> Params<'_> {
        Params { map: self.get(key).and_then(Value::as_object), at: format!("{}.{key}", self.at) }
    }
}

fn action(name: &str, req: &Params<'_>, resp: &Params<'_>, actor: &Actor) -> Result<Action, IntakeError> {
    let target = |kind: PrincipalKind| -> Result<Target, IntakeError> {
        let key = match kind {
            PrincipalKind::Role => "roleName",
            PrincipalKind::User => "userName",
            PrincipalKind::Group => "groupName",
        };
        Ok(Target { kind, name: req.str(key)? })
    };
    Ok(match name {
        "AttachRolePolicy" | "AttachUserPolicy" | "AttachGroupPolicy" => {
            let kind = kind_in(name);
            Action::AttachPolicy { target: target(kind)?, policy_arn: req.str("policyArn")? }
        }
        "PutRolePolicy" | "PutUserPolicy" | "PutGroupPolicy" => Action::PutInlinePolicy {
            target: target(kind_in(name))?,
            policy_name: req.str("policyName")?,
            document: req.policy("policyDocument")?,
        },
        "CreateRole" => Action::CreateRole {
            role: req.str("roleName")?,
            path: req.opt_str("path").unwrap_or_else(|| "/".into()),
            // requestParameters carries the document as sent; fall back to the (URL-encoded)
            // copy in responseElements.role when CloudTrail omitted it.
            trust_policy: req
                .policy("assumeRolePolicyDocument")
                .or_else(|e| resp.nested("role").policy("assumeRolePolicyDocument").map_err(|_| e))?,
        },
        "UpdateAssumeRolePolicy" => {
            Action::UpdateTrustPolicy { role: req.str("roleName")?, trust_policy: req.policy("policyDocument")? }
        }
        "CreatePolicy" => {
            let policy_name = req.str("policyName")?;
            Action::CreatePolicy {
                policy_arn: resp.nested("policy").str("arn")?,
                document: req.policy("policyDocument")?,
                policy_name,
            }
        }
        "CreatePolicyVersion" => Action::CreatePolicyVersion {
            policy_arn: req.str("policyArn")?,
            document: req.policy("policyDocument")?,
            set_as_default: match req.get("setAsDefault") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
                _ => false,
            },
            version_id: resp.nested("policyVersion").opt_str("versionId"),
        },
        "SetDefaultPolicyVersion" => {
            Action::SetDefaultPolicyVersion { policy_arn: req.str("policyArn")?, version_id: req.str("versionId")? }
        }
        "AddUserToGroup" => Action::AddUserToGroup { user: req.str("userName")?, group: req.str("groupName")? },
        // Without userName the key is for the caller itself.
        "CreateAccessKey" => Action::CreateAccessKey {
            user: req
                .opt_str("userName")
                .or_else(|| resp.nested("accessKey").opt_str("userName"))
                .or_else(|| actor.user_name.clone())
                .ok_or_else(|| IntakeError::missing(format!("{}.userName", req.at)))?,
        },
        "CreateLoginProfile" => Action::CreateLoginProfile {
            user: req
                .opt_str("userName")
                .or_else(|| actor.user_name.clone())
                .ok_or_else(|| IntakeError::missing(format!("{}.userName", req.at)))?,
        },
        "DeleteRolePermissionsBoundary" | "DeleteUserPermissionsBoundary" => {
            Action::DeletePermissionsBoundary { target: target(kind_in(name))? }
        }
        other => return Err(IntakeError::invalid(req.at.clone(), format!("no extraction for {other}"))),
    })
}

fn kind_in(event_name: &str) -> PrincipalKind {
    if event_name.contains("Role") {
        PrincipalKind::Role
    } else if event_name.contains("Group") {
        PrincipalKind::Group
    } else {
        PrincipalKind::User
    }
}
