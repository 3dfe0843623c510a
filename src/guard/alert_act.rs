//! The part of an alert a person acts on in 30 seconds: the command to make the fix yourself
//! (alert mode), console links to the principal, the policy and the CloudTrail event, and how
//! to exempt the principal or mute the rule if the grant is intended.

use super::{Plan, Verdict};
use crate::intake::{Action, PrincipalKind, Target};
use crate::rules::Finding;
use serde::Serialize;
use std::fmt::Write;

/// What a person can do about an alert.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct Act {
    /// The AWS CLI command that makes the fix the guard would make (alert mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub do_it_yourself: Option<String>,
    /// Console links: (what, URL).
    pub links: Vec<(String, String)>,
    /// How to exempt the principal, when the change lands on one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exempt: Option<String>,
    /// How to mute the rule.
    pub mute: String,
}

/// The console's address for IAM (global) and for a regional service.
fn console(region: &str) -> String {
    if region.is_empty() || region == "us-east-1" {
        "https://console.aws.amazon.com".into()
    } else {
        format!("https://{region}.console.aws.amazon.com")
    }
}

/// Percent-encoding for a console URL's fragment: all but letters, digits and `-_.`.
const FRAGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, FRAGMENT).to_string()
}

/// The IAM console page of a principal.
fn principal_link(t: &Target) -> String {
    let kind = match t.kind {
        PrincipalKind::Role => "roles",
        PrincipalKind::User => "users",
        PrincipalKind::Group => "groups",
    };
    format!("https://console.aws.amazon.com/iam/home#/{kind}/details/{}", encode(&t.name))
}

/// The managed policy a change names, if any.
fn policy_arn(a: &Action) -> Option<&str> {
    match a {
        Action::AttachPolicy { policy_arn, .. }
        | Action::CreatePolicy { policy_arn, .. }
        | Action::CreatePolicyVersion { policy_arn, .. }
        | Action::SetDefaultPolicyVersion { policy_arn, .. } => Some(policy_arn),
        _ => None,
    }
}

/// The act section of the alert for `v`, whose top finding is `top`; `exempt_tag` is the
/// configured tag key.
pub(super) fn act(v: &Verdict, top: &Finding, exempt_tag: &str) -> Act {
    let c = &v.change;
    let do_it_yourself = match &v.plan {
        Plan::Alert { would: Some(r), .. } => Some(r.command()),
        _ => None,
    };
    let mut links = Vec::new();
    let target = c.action.target();
    if let Some(t) = &target {
        links.push((t.to_string(), principal_link(t)));
    }
    if let Some(arn) = policy_arn(&c.action) {
        links.push((
            crate::arn::resource_name(arn).to_string(),
            format!("https://console.aws.amazon.com/iam/home#/policies/details/{}", encode(arn)),
        ));
    }
    if !c.event_id_derived {
        let region = &c.region;
        links.push((
            "CloudTrail event".into(),
            format!("{}/cloudtrailv2/home?region={region}#/events/{}", console(region), encode(&c.event_id)),
        ));
    }
    let exempt = target.map(|t| exempt_text(&t, &c.account_id, exempt_tag));
    let mute = format!(
        "[rules.{}] action = \"ignore\" (alerts only; check and sweep still report it), or enabled = false",
        top.rule
    );
    Act { do_it_yourself, links, exempt, mute }
}

/// The tag command and the configuration entry that exempt `t`.
fn exempt_text(t: &Target, account: &str, tag: &str) -> String {
    let kind = t.kind.as_str();
    format!(
        "aws iam tag-{kind} --{kind}-name {} --tags Key={tag},Value=REASON   or in the configuration: [[exemptions]] \
         principal = \"{}\" reason = \"REASON\"",
        t.name,
        t.arn(account)
    )
}

/// Writes the act section.
pub(super) fn write(t: &mut String, a: &Act) {
    if let Some(cmd) = &a.do_it_yourself {
        let _ = writeln!(t, "Fix it yourself: {cmd}");
    }
    for (what, url) in &a.links {
        let _ = writeln!(t, "Console ({what}): {url}");
    }
    if let Some(e) = &a.exempt {
        let _ = writeln!(t, "Intended? Exempt it: {e}");
    }
    let _ = writeln!(t, "Mute the rule: {}", a.mute);
}
