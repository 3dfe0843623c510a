//! The calls that change how people and programs get into the account (account posture, #27):
//! MFA devices taken away, the password policy, SAML / OIDC identity providers (IAM, in the
//! table of `cloudtrail.rs` with their extractions here), and the other services' calls — STS
//! GetFederationToken, the console sign-in, IAM Roles Anywhere — in their own tables. Field
//! names as the services' CloudTrail documentation records them.

use super::change::*;
use super::cloudtrail::{Extract, Request};
use super::IntakeError;
use serde_json::Value;

/// STS (`sts.amazonaws.com`).
const STS_EVENTS: &[(&str, Extract)] = &[("GetFederationToken", federation_token)];
/// The console sign-in (`signin.amazonaws.com`).
const SIGNIN_EVENTS: &[(&str, Extract)] = &[("ConsoleLogin", console_login)];
/// IAM Roles Anywhere (`rolesanywhere.amazonaws.com`).
const ROLES_ANYWHERE_EVENTS: &[(&str, Extract)] = &[
    ("CreateTrustAnchor", |r| roles_anywhere(r, "CreateTrustAnchor")),
    ("CreateProfile", |r| roles_anywhere(r, "CreateProfile")),
];

/// The posture calls of a non-IAM event source.
pub(super) fn of_source(source: &str) -> Option<&'static [(&'static str, Extract)]> {
    match source {
        "sts.amazonaws.com" => Some(STS_EVENTS),
        "signin.amazonaws.com" => Some(SIGNIN_EVENTS),
        "rolesanywhere.amazonaws.com" => Some(ROLES_ANYWHERE_EVENTS),
        _ => None,
    }
}

/// Every (event source, names) pair judged here beyond IAM's: the templates' event patterns
/// are tested against it.
pub fn judged_posture_sources() -> [(&'static str, Vec<&'static str>); 3] {
    let names = |t: &[(&'static str, Extract)]| t.iter().map(|(n, _)| *n).collect();
    [
        ("sts.amazonaws.com", names(STS_EVENTS)),
        ("signin.amazonaws.com", names(SIGNIN_EVENTS)),
        ("rolesanywhere.amazonaws.com", names(ROLES_ANYWHERE_EVENTS)),
    ]
}

fn posture(change: PostureChange) -> Result<Action, IntakeError> {
    Ok(Action::Posture { posture: change })
}

/// DeactivateMFADevice: a user's (or, naming nobody, root's own) device.
pub(super) fn deactivate_mfa(r: &Request<'_>) -> Result<Action, IntakeError> {
    let serial = r.req.str("serialNumber")?;
    let owner = match r.req.opt_str("userName") {
        Some(u) => MfaOwner::User(u),
        None if r.root_self() || serial.ends_with("/root-account-mfa-device") => MfaOwner::Root,
        None => r.actor.user_name.clone().map_or(MfaOwner::Unknown, MfaOwner::User),
    };
    posture(PostureChange::MfaRemoved { owner, serial, call: "DeactivateMFADevice".into() })
}

/// DeleteVirtualMFADevice: by serial number (root's device is `…:mfa/root-account-mfa-device`).
pub(super) fn delete_virtual_mfa(r: &Request<'_>) -> Result<Action, IntakeError> {
    let serial = r.req.str("serialNumber")?;
    let owner = if serial.ends_with(":mfa/root-account-mfa-device") { MfaOwner::Root } else { MfaOwner::Unknown };
    posture(PostureChange::MfaRemoved { owner, serial, call: "DeleteVirtualMFADevice".into() })
}

/// UpdateAccountPasswordPolicy: the length and reuse prevention set (the call replaces the whole
/// policy: what it leaves out falls back to IAM's defaults).
pub(super) fn password_policy(r: &Request<'_>) -> Result<Action, IntakeError> {
    let num = |k: &str| r.req.get(k).and_then(Value::as_u64).map(|n| n as u32);
    posture(PostureChange::PasswordPolicy {
        policy: Some((num("minimumPasswordLength"), num("passwordReusePrevention"))),
    })
}

/// CreateSAMLProvider: the ARN from the response, else the name asked for.
pub(super) fn saml_created(r: &Request<'_>) -> Result<Action, IntakeError> {
    let provider = match r.resp.opt_str("sAMLProviderArn") {
        Some(arn) => arn,
        None => r.req.str("name")?,
    };
    posture(PostureChange::IdentityProvider { kind: "SAML".into(), provider, call: "CreateSAMLProvider".into() })
}

/// CreateOpenIDConnectProvider: the ARN from the response, else the issuer URL.
pub(super) fn oidc_created(r: &Request<'_>) -> Result<Action, IntakeError> {
    let provider = match r.resp.opt_str("openIDConnectProviderArn") {
        Some(arn) => arn,
        None => r.req.str("url")?,
    };
    posture(PostureChange::IdentityProvider {
        kind: "OIDC".into(),
        provider,
        call: "CreateOpenIDConnectProvider".into(),
    })
}

/// A call on an existing provider named by `key`.
pub(super) fn provider(r: &Request<'_>, kind: &str, key: &str) -> Result<Action, IntakeError> {
    let call = match (kind, key) {
        ("SAML", _) => "UpdateSAMLProvider",
        _ if r.req.get("clientID").is_some() => "AddClientIDToOpenIDConnectProvider",
        _ => "UpdateOpenIDConnectProviderThumbprint",
    };
    posture(PostureChange::IdentityProvider { kind: kind.into(), provider: r.req.str(key)?, call: call.into() })
}

/// CreateTrustAnchor / CreateProfile: the name, and the roles a profile vends.
fn roles_anywhere(r: &Request<'_>, call: &str) -> Result<Action, IntakeError> {
    let roles = match r.req.get("roleArns") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => vec![],
    };
    posture(PostureChange::RolesAnywhere { name: r.req.str("name")?, roles, call: call.into() })
}

/// ConsoleLogin: judged when root signed in, or a user without MFA; a failed sign-in, a federated
/// or Identity Center one, and a user with MFA grant nothing new.
fn console_login(r: &Request<'_>) -> Result<Action, IntakeError> {
    if r.resp.opt_str("ConsoleLogin").as_deref() != Some("Success") {
        return Err(IntakeError::GrantsNothing("a console sign-in that did not succeed".into()));
    }
    let mfa = r.extra.opt_str("MFAUsed").as_deref() == Some("Yes");
    match r.actor.identity_type.as_str() {
        "Root" => posture(PostureChange::ConsoleLogin { user: None, mfa }),
        "IAMUser" if !mfa => posture(PostureChange::ConsoleLogin { user: Some(caller(r)?), mfa }),
        "IAMUser" => Err(IntakeError::GrantsNothing("a console sign-in of a user with MFA".into())),
        other => Err(IntakeError::GrantsNothing(format!(
            "a console sign-in of a {other} identity (federated or IAM Identity Center: the identity provider \
             enforces MFA)"
        ))),
    }
}

/// GetFederationToken: sessions minted from a long-lived key (an IAM user's, or root's).
fn federation_token(r: &Request<'_>) -> Result<Action, IntakeError> {
    let name = r.req.opt_str("name");
    match r.actor.identity_type.as_str() {
        "Root" => posture(PostureChange::FederationToken { user: None, name }),
        "IAMUser" => posture(PostureChange::FederationToken { user: Some(caller(r)?), name }),
        other => Err(IntakeError::GrantsNothing(format!("GetFederationToken by a {other} identity"))),
    }
}

/// The calling user's name (userName, else the ARN's last part).
fn caller(r: &Request<'_>) -> Result<String, IntakeError> {
    r.actor
        .user_name
        .clone()
        .or_else(|| r.actor.arn.as_deref().and_then(|a| a.rsplit('/').next()).map(str::to_string))
        .ok_or_else(|| IntakeError::missing("userIdentity.userName".to_string()))
}
