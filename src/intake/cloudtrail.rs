//! A CloudTrail record (as EventBridge's `detail`, a log-file entry, or a CloudWatch Logs
//! message) → [`Outcome`]. Fields not every record has are optional; the ones a judged event
//! needs are checked by name.

use super::change::*;
use super::IntakeError;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Was the call refused for want of permission (not failed otherwise)?
pub(super) fn is_denied(record: &Value) -> bool {
    record["errorCode"].as_str().is_some_and(denied_code)
}

/// Is this errorCode a refusal for want of permission (AccessDenied, AccessDeniedException,
/// Client.UnauthorizedOperation, …), not another failure?
pub fn denied_code(code: &str) -> bool {
    let e = code.to_ascii_lowercase();
    ["accessdenied", "unauthorizedoperation", "unauthorizedaccess", "forbidden"].iter().any(|d| e.contains(d))
}

/// A refused call of a role's session or a user; anyone else's (root, a service, a federated
/// session) is ignored: the guard narrows only roles and users.
fn denied_outcome(
    r: &Record,
    needs: crate::suggest::Needs,
    derived_id: Option<String>,
    at: &str,
) -> Result<Outcome, IntakeError> {
    let who = &r.user_identity;
    let target = match who["type"].as_str() {
        Some("AssumedRole") => {
            who["sessionContext"]["sessionIssuer"]["arn"].as_str().and_then(crate::arn::role_name).map(Target::role)
        }
        Some("IAMUser") => who["userName"]
            .as_str()
            .or_else(|| who["arn"].as_str().and_then(|a| a.rsplit('/').next()))
            .map(Target::user),
        _ => None,
    };
    let Some(target) = target else {
        return Ok(Outcome::Ignored(Ignored {
            event_id: r.event_id.clone(),
            event_name: r.event_name.clone(),
            reason: "a refused call of neither a role's session nor a user".into(),
        }));
    };
    let error = r.error_code.clone().unwrap_or_default();
    let mut change = change_of(r, derived_id, at)?;
    change.action = Action::Denied { target, call: needs.call, needs: needs.grants, error };
    Ok(Outcome::Change(Box::new(change)))
}

/// How one judged call's parameters become an [`Action`].
pub(super) type Extract = fn(&Request<'_>) -> Result<Action, IntakeError>;

/// The IAM calls the guard judges, each with its extraction: the one list (the SAM template's
/// event pattern is tested against it).
const EVENTS: &[(&str, Extract)] = &[
    ("AttachRolePolicy", |r| attach(r, PrincipalKind::Role)),
    ("AttachUserPolicy", |r| attach(r, PrincipalKind::User)),
    ("AttachGroupPolicy", |r| attach(r, PrincipalKind::Group)),
    ("PutRolePolicy", |r| put_inline(r, PrincipalKind::Role)),
    ("PutUserPolicy", |r| put_inline(r, PrincipalKind::User)),
    ("PutGroupPolicy", |r| put_inline(r, PrincipalKind::Group)),
    ("CreateRole", create_role),
    ("UpdateAssumeRolePolicy", |r| {
        Ok(Action::UpdateTrustPolicy { role: r.req.str("roleName")?, trust_policy: r.req.policy("policyDocument")? })
    }),
    ("CreatePolicy", |r| {
        let policy_name = r.req.str("policyName")?;
        Ok(Action::CreatePolicy {
            policy_arn: r.resp.nested("policy").str("arn")?,
            document: r.req.policy("policyDocument")?,
            policy_name,
        })
    }),
    ("CreatePolicyVersion", create_policy_version),
    ("SetDefaultPolicyVersion", |r| {
        Ok(Action::SetDefaultPolicyVersion { policy_arn: r.req.str("policyArn")?, version_id: r.req.str("versionId")? })
    }),
    ("AddUserToGroup", |r| Ok(Action::AddUserToGroup { user: r.req.str("userName")?, group: r.req.str("groupName")? })),
    // Without userName the key is for the caller itself: the root user's own key when root calls.
    ("CreateAccessKey", |r| {
        if r.root_self() {
            return Ok(Action::RootCredential { credential: RootCredential::AccessKey });
        }
        let key = r.resp.nested("accessKey");
        let user = r.req.opt_str("userName").or_else(|| key.opt_str("userName"));
        Ok(Action::CreateAccessKey { user: r.user_or_caller(user)?, access_key_id: key.opt_str("accessKeyId") })
    }),
    ("CreateLoginProfile", |r| {
        if r.root_self() {
            return Ok(Action::RootCredential { credential: RootCredential::LoginProfile });
        }
        Ok(Action::CreateLoginProfile { user: r.user_or_caller(r.req.opt_str("userName"))? })
    }),
    ("UpdateLoginProfile", |r| {
        if r.root_self() {
            return Ok(Action::RootCredential { credential: RootCredential::LoginProfile });
        }
        Ok(Action::UpdateLoginProfile { user: r.user_or_caller(r.req.opt_str("userName"))? })
    }),
    // Only activations reach here (deactivations are set aside in `outcome`).
    ("UpdateAccessKey", |r| {
        if r.root_self() {
            return Ok(Action::RootCredential { credential: RootCredential::ReactivatedAccessKey });
        }
        Ok(Action::ReactivateAccessKey {
            user: r.user_or_caller(r.req.opt_str("userName"))?,
            access_key_id: r.req.str("accessKeyId")?,
        })
    }),
    ("PutRolePermissionsBoundary", |r| {
        Ok(Action::PutPermissionsBoundary {
            target: r.target(PrincipalKind::Role)?,
            boundary_arn: r.req.str("permissionsBoundary")?,
        })
    }),
    ("PutUserPermissionsBoundary", |r| {
        Ok(Action::PutPermissionsBoundary {
            target: r.target(PrincipalKind::User)?,
            boundary_arn: r.req.str("permissionsBoundary")?,
        })
    }),
    ("DeleteRolePermissionsBoundary", |r| {
        Ok(Action::DeletePermissionsBoundary { target: r.target(PrincipalKind::Role)? })
    }),
    ("DeleteUserPermissionsBoundary", |r| {
        Ok(Action::DeletePermissionsBoundary { target: r.target(PrincipalKind::User)? })
    }),
    // How people and programs get in (account posture, src/intake/posture_events.rs).
    ("DeactivateMFADevice", super::posture_events::deactivate_mfa),
    ("DeleteVirtualMFADevice", super::posture_events::delete_virtual_mfa),
    ("UpdateAccountPasswordPolicy", super::posture_events::password_policy),
    ("DeleteAccountPasswordPolicy", |_| {
        Ok(Action::Posture { posture: PostureChange::PasswordPolicy { policy: None } })
    }),
    ("CreateSAMLProvider", super::posture_events::saml_created),
    ("UpdateSAMLProvider", |r| super::posture_events::provider(r, "SAML", "sAMLProviderArn")),
    ("CreateOpenIDConnectProvider", super::posture_events::oidc_created),
    ("AddClientIDToOpenIDConnectProvider", |r| super::posture_events::provider(r, "OIDC", "openIDConnectProviderArn")),
    ("UpdateOpenIDConnectProviderThumbprint", |r| {
        super::posture_events::provider(r, "OIDC", "openIDConnectProviderArn")
    }),
];

/// The IAM Identity Center calls the guard judges (event source `sso.amazonaws.com`, recorded
/// in the instance's home region), each with its extraction.
const SSO_EVENTS: &[(&str, Extract)] = &[
    ("CreatePermissionSet", |r| {
        let ps = r.resp.nested("permissionSet");
        let arn = ps.str("permissionSetArn")?;
        Ok(Action::CreatePermissionSet {
            name: r.req.opt_str("name").or_else(|| ps.opt_str("name")).unwrap_or_else(|| arn.clone()),
            set: r.permission_set_arn(arn)?,
        })
    }),
    ("AttachManagedPolicyToPermissionSet", |r| {
        Ok(Action::PermissionSetManagedPolicy { set: r.permission_set()?, policy_arn: r.req.str("managedPolicyArn")? })
    }),
    ("PutInlinePolicyToPermissionSet", |r| {
        Ok(Action::PermissionSetInlinePolicy { set: r.permission_set()?, document: r.req.policy("inlinePolicy")? })
    }),
    ("AttachCustomerManagedPolicyReferenceToPermissionSet", |r| {
        let reference = r.req.nested("customerManagedPolicyReference");
        Ok(Action::PermissionSetCustomerPolicy {
            set: r.permission_set()?,
            name: reference.str("name")?,
            path: reference.opt_str("path").unwrap_or_else(|| "/".into()),
        })
    }),
    ("PutPermissionsBoundaryToPermissionSet", |r| {
        let boundary = r.req.nested("permissionsBoundary");
        let boundary = match boundary.opt_str("managedPolicyArn") {
            Some(arn) => arn,
            None => {
                let reference = boundary.nested("customerManagedPolicyReference");
                format!("{}{}", reference.opt_str("path").unwrap_or_else(|| "/".into()), reference.str("name")?)
            }
        };
        Ok(Action::PermissionSetBoundary { set: r.permission_set()?, boundary })
    }),
    ("CreateAccountAssignment", |r| {
        Ok(Action::AccountAssignment {
            set: r.permission_set()?,
            target_account: r.req.str("targetId")?,
            principal_type: r.req.opt_str("principalType").unwrap_or_else(|| "USER".into()),
            principal_id: r.req.str("principalId")?,
        })
    }),
];

/// The judged calls of an event source (`iam.amazonaws.com`), if the guard judges any of its calls.
pub(super) fn judged_source(source: &str) -> Option<&'static [(&'static str, Extract)]> {
    match source {
        "iam.amazonaws.com" => Some(EVENTS),
        "sso.amazonaws.com" => Some(SSO_EVENTS),
        other => super::resource_events::of_source(other).or_else(|| super::posture_events::of_source(other)),
    }
}

/// The names of the IAM calls the guard judges.
pub fn judged_events() -> impl ExactSizeIterator<Item = &'static str> {
    EVENTS.iter().map(|(name, _)| *name)
}

/// The names of the IAM Identity Center calls the guard judges.
pub fn judged_sso_events() -> impl ExactSizeIterator<Item = &'static str> {
    SSO_EVENTS.iter().map(|(name, _)| *name)
}

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
    #[serde(default)]
    additional_event_data: Value,
    error_code: Option<String>,
    error_message: Option<String>,
    event_type: Option<String>,
    session_credential_from_console: Option<Value>,
}

/// The id of a record without an eventID (CloudTrail's record versions before 1.01 wrote none):
/// `derived-` and a 64-bit FNV-1a hash of the record's JSON, so the same record always gets the
/// same id (retries and replays recognise it) and different records practically never share one.
pub(super) fn derived_event_id(value: &Value) -> String {
    let text = value.to_string();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("derived-{h:016x}")
}

/// Parses one CloudTrail record. `at` names where it sits (`detail`, `Records[3]`) in errors.
pub(super) fn outcome(value: Value, at: &str) -> Result<Outcome, IntakeError> {
    let derived_id = match value.get("eventID") {
        Some(Value::String(_)) => None,
        _ => Some(derived_event_id(&value)),
    };
    // A refused call of any service: what granting it takes, read off the raw record.
    let denied = is_denied(&value).then(|| crate::suggest::needs(&value)).flatten();
    let r: Record = serde_json::from_value(value).map_err(|e| IntakeError::invalid(at, e.to_string()))?;
    let ignored = |reason: String| {
        Ok(Outcome::Ignored(Ignored { event_id: r.event_id.clone(), event_name: r.event_name.clone(), reason }))
    };
    if r.event_type.as_deref() == Some("AwsCloudTrailInsight") {
        return ignored("a CloudTrail Insights event (unusual API volume), not an API call".into());
    }
    let name = r.event_name.as_deref().ok_or_else(|| IntakeError::missing(format!("{at}.eventName")))?;
    if let Some(denied) = denied {
        return denied_outcome(&r, denied, derived_id, at);
    }
    let events = match r.event_source.as_deref() {
        Some(source) => match judged_source(source) {
            Some(events) => events,
            None => {
                return ignored(format!(
                    "event source {source} is not IAM, IAM Identity Center or a service whose resource policies \
                     the guard judges"
                ))
            }
        },
        None => return Err(IntakeError::missing(format!("{at}.eventSource"))),
    };
    if let Some(code) = &r.error_code {
        let msg = r.error_message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
        return ignored(format!("the call failed ({code}{msg}), nothing changed"));
    }
    let Some((_, extract)) = events.iter().find(|(n, _)| *n == name) else {
        return ignored(format!("{name} is not an event the guard judges"));
    };
    if name == "UpdateAccessKey" {
        let status = r.request_parameters.get("status").and_then(Value::as_str).unwrap_or_default();
        if !status.eq_ignore_ascii_case("Active") {
            let status = if status.is_empty() { "(none)" } else { status };
            return ignored(format!(
                "UpdateAccessKey to status {status} grants nothing (only reactivations are judged)"
            ));
        }
    }
    let mut change = change_of(&r, derived_id, at)?;
    let request = Request {
        req: Params { map: r.request_parameters.as_object(), at: format!("{at}.requestParameters") },
        resp: Params { map: r.response_elements.as_object(), at: format!("{at}.responseElements") },
        extra: Params { map: r.additional_event_data.as_object(), at: format!("{at}.additionalEventData") },
        actor: &change.actor,
        region: &change.region,
        account: &change.account_id,
    };
    change.action = match extract(&request) {
        Err(IntakeError::GrantsNothing(reason)) => return ignored(reason),
        other => other?,
    };
    Ok(Outcome::Change(Box::new(change)))
}

/// The change a record describes, but for what it did (set by the caller): id, time, caller,
/// account, region.
fn change_of(r: &Record, derived_id: Option<String>, at: &str) -> Result<Change, IntakeError> {
    let field = |f: &str| format!("{at}.{f}");
    let (event_id, event_id_derived) = match (r.event_id.clone(), derived_id) {
        (Some(id), _) if !id.is_empty() => (id, false),
        (_, Some(id)) => (id, true),
        (_, None) => return Err(IntakeError::invalid(field("eventID"), "empty")),
    };
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
        invoked_by: id_str("invokedBy"),
        console: matches!(&r.session_credential_from_console, Some(Value::String(s)) if s == "true")
            || matches!(r.session_credential_from_console, Some(Value::Bool(true))),
    };
    let account_id = r
        .recipient_account_id
        .clone()
        .or_else(|| id_str("accountId"))
        .ok_or_else(|| IntakeError::missing(field("recipientAccountId")))?;
    Ok(Change {
        event_id,
        event_id_derived,
        event_name: r.event_name.clone().unwrap_or_default(),
        event_time,
        account_id,
        region: r.aws_region.clone().unwrap_or_else(|| "us-east-1".into()),
        source_ip: r.source_ip_address.clone(),
        user_agent: r.user_agent.clone(),
        actor,
        action: Action::RootCredential { credential: RootCredential::AccessKey },
    })
}

/// requestParameters / responseElements with errors that name the field.
pub(super) struct Params<'a> {
    pub(super) map: Option<&'a Map<String, Value>>,
    pub(super) at: String,
}

impl Params<'_> {
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.map.and_then(|m| m.get(key))
    }

    pub(super) fn str(&self, key: &str) -> Result<String, IntakeError> {
        match self.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(IntakeError::invalid(format!("{}.{key}", self.at), "empty")),
            Some(other) => {
                Err(IntakeError::invalid(format!("{}.{key}", self.at), format!("expected a string, got {other}")))
            }
            None => Err(IntakeError::missing(format!("{}.{key}", self.at))),
        }
    }

    pub(super) fn opt_str(&self, key: &str) -> Option<String> {
        self.get(key).and_then(Value::as_str).map(str::to_string)
    }

    pub(super) fn policy(&self, key: &str) -> Result<PolicyText, IntakeError> {
        let text = self.str(key)?;
        PolicyText::parse(&text).map_err(|e| IntakeError::Policy { field: format!("{}.{key}", self.at), source: e })
    }

    /// A nested object (`responseElements.policy`).
    pub(super) fn nested(&self, key: &str) -> Params<'_> {
        Params { map: self.get(key).and_then(Value::as_object), at: format!("{}.{key}", self.at) }
    }
}

/// What an extraction reads: the call's parameters, its response, and the caller.
pub(super) struct Request<'a> {
    pub(super) req: Params<'a>,
    pub(super) resp: Params<'a>,
    /// `additionalEventData` (ConsoleLogin's `MFAUsed`).
    pub(super) extra: Params<'a>,
    pub(super) actor: &'a Actor,
    /// Where the call was recorded (an Identity Center instance's home region).
    pub(super) region: &'a str,
    /// The account it was made in.
    pub(super) account: &'a str,
}

impl Request<'_> {
    /// The principal named by `roleName`, `userName` or `groupName`.
    fn target(&self, kind: PrincipalKind) -> Result<Target, IntakeError> {
        let key = match kind {
            PrincipalKind::Role => "roleName",
            PrincipalKind::User => "userName",
            PrincipalKind::Group => "groupName",
        };
        Ok(Target { kind, name: self.req.str(key)? })
    }

    /// The root user acting on its own credentials: root called and named no user (CloudTrail
    /// writes `requestParameters` as null; `responseElements.accessKey.userName` may say "Root" or
    /// the account's name, never an IAM user).
    pub(super) fn root_self(&self) -> bool {
        self.actor.identity_type == "Root" && self.req.opt_str("userName").is_none()
    }

    /// The permission set an Identity Center call names (`instanceArn`, `permissionSetArn`).
    fn permission_set(&self) -> Result<PermissionSet, IntakeError> {
        self.permission_set_arn(self.req.str("permissionSetArn")?)
    }

    fn permission_set_arn(&self, arn: String) -> Result<PermissionSet, IntakeError> {
        // arn:aws:sso:::permissionSet/ssoins-…/ps-… (emulators write instance/ssoins-…/ps-…).
        if !arn.starts_with("arn:") || !arn.contains("/ps-") {
            let at = format!("{}.permissionSetArn", self.req.at);
            return Err(IntakeError::invalid(at, format!("{arn:?} is not a permission set ARN")));
        }
        Ok(PermissionSet { instance_arn: self.req.str("instanceArn")?, arn, region: self.region.to_string() })
    }

    /// The user a credential call names, else the calling user.
    fn user_or_caller(&self, named: Option<String>) -> Result<String, IntakeError> {
        named
            .or_else(|| self.actor.user_name.clone())
            .ok_or_else(|| IntakeError::missing(format!("{}.userName", self.req.at)))
    }
}

fn attach(r: &Request<'_>, kind: PrincipalKind) -> Result<Action, IntakeError> {
    Ok(Action::AttachPolicy { target: r.target(kind)?, policy_arn: r.req.str("policyArn")? })
}

fn put_inline(r: &Request<'_>, kind: PrincipalKind) -> Result<Action, IntakeError> {
    Ok(Action::PutInlinePolicy {
        target: r.target(kind)?,
        policy_name: r.req.str("policyName")?,
        document: r.req.policy("policyDocument")?,
    })
}

fn create_role(r: &Request<'_>) -> Result<Action, IntakeError> {
    Ok(Action::CreateRole {
        role: r.req.str("roleName")?,
        path: r.req.opt_str("path").unwrap_or_else(|| "/".into()),
        // requestParameters carries the document as sent; fall back to the (URL-encoded) copy in
        // responseElements.role when CloudTrail omitted it.
        trust_policy: r
            .req
            .policy("assumeRolePolicyDocument")
            .or_else(|e| r.resp.nested("role").policy("assumeRolePolicyDocument").map_err(|_| e))?,
        boundary: r.req.opt_str("permissionsBoundary"),
    })
}

fn create_policy_version(r: &Request<'_>) -> Result<Action, IntakeError> {
    Ok(Action::CreatePolicyVersion {
        policy_arn: r.req.str("policyArn")?,
        document: r.req.policy("policyDocument")?,
        set_as_default: match r.req.get("setAsDefault") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        },
        version_id: r.resp.nested("policyVersion").opt_str("versionId"),
    })
}
