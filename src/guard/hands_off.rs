//! Who and what the guard never changes, and why: a typed reason (the alert, the ledger and
//! reports print it), decided from what is known of a principal, a permission set or a resource.
//! The decision itself ([`super::decide`]) takes it as a fact.

use super::ports::PrincipalInfo;
use super::Guard;
use crate::intake::{PermissionSet, PrincipalKind, Target};
use crate::resources::Resource;

/// Why the guard keeps its hands off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandsOff {
    /// The guard's own role.
    OwnRole,
    /// An `AWSReservedSSO_*` role: IAM refuses changes to it.
    IdentityCenterRole,
    /// A service-linked role.
    ServiceLinked,
    /// A path owned by AWS (`/aws-service-role/`, `/aws-reserved/`).
    AwsPath(String),
    /// A landing-zone or deployment role of the platform list.
    PlatformRole {
        /// The role.
        name: String,
        /// Who owns it.
        owner: String,
        /// The pattern that matched.
        pattern: String,
        /// Why it is left alone.
        reason: String,
    },
    /// A landing-zone permission set of the platform list.
    PlatformSet {
        /// Its name.
        name: String,
        /// Its id (`ps-…`).
        id: String,
        /// Who owns it.
        owner: String,
        /// Why it is left alone.
        reason: String,
    },
    /// The exempt tag.
    ExemptTag {
        /// The tag key.
        tag: String,
        /// Its value: the reason.
        reason: String,
    },
    /// An exemption of the configuration.
    Exempt {
        /// The exemption's glob.
        pattern: String,
        /// Its last day, when it has one.
        until: Option<chrono::NaiveDate>,
        /// Why.
        reason: String,
    },
    /// A resource of the guard itself.
    OwnResource(String),
}

impl std::fmt::Display for HandsOff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandsOff::OwnRole => f.write_str("it is the guard's own role"),
            HandsOff::IdentityCenterRole => {
                f.write_str("AWSReservedSSO_* roles belong to IAM Identity Center (IAM refuses: UnmodifiableEntity)")
            }
            HandsOff::ServiceLinked => f.write_str("service-linked roles belong to the AWS service"),
            HandsOff::AwsPath(path) => write!(f, "path {path} is owned by AWS"),
            HandsOff::PlatformRole { name, owner, pattern, reason } => {
                write!(
                    f,
                    "{name} is a platform role ({owner}, pattern {pattern}): {reason}; [platform] act_on overrides"
                )
            }
            HandsOff::PlatformSet { name, id, owner, reason } => {
                write!(f, "{name} is a platform permission set ({id}, {owner}): {reason}; [platform] act_on overrides")
            }
            HandsOff::ExemptTag { tag, reason } => write!(f, "exempt by tag {tag}: {reason}"),
            HandsOff::Exempt { pattern, until, reason } => {
                let until = until.map(|d| format!(" until {d}")).unwrap_or_default();
                write!(f, "exempt ({pattern}){until}: {reason}")
            }
            HandsOff::OwnResource(what) => write!(f, "{what} is the guard's own"),
        }
    }
}

impl Guard {
    /// An exemption of the configuration covering this ARN today.
    fn exemption(&self, arn: &str) -> Option<HandsOff> {
        let e = self.engine.config().exemption_for(arn, chrono::Utc::now().date_naive())?;
        Some(HandsOff::Exempt { pattern: e.principal.clone(), until: e.expires, reason: e.reason.clone() })
    }

    /// The hands-off decision for a permission set from what is known of it (shared with the
    /// sweep).
    pub(crate) fn permission_set_hands_off_for(&self, set: &PermissionSet, name: Option<&str>) -> Option<HandsOff> {
        if let Some(why) = self.exemption(&set.arn) {
            return Some(why);
        }
        let n = name?;
        self.engine.config().platform.permission_set(n).map(|p| HandsOff::PlatformSet {
            name: n.to_string(),
            id: set.id().to_string(),
            owner: p.owner.to_string(),
            reason: p.reason.to_string(),
        })
    }

    /// The hands-off decision from what is known of the principal (shared with the sweep).
    pub(crate) fn hands_off_for(&self, target: &Target, info: &PrincipalInfo, account_id: &str) -> Option<HandsOff> {
        if target.kind == PrincipalKind::Role {
            if Some(&target.name) == self.own_role.as_ref() {
                return Some(HandsOff::OwnRole);
            }
            if target.name.starts_with("AWSReservedSSO_") {
                return Some(HandsOff::IdentityCenterRole);
            }
            if target.name.starts_with("AWSServiceRoleFor") {
                return Some(HandsOff::ServiceLinked);
            }
        }
        let cfg = self.engine.config();
        if let Some(p) = cfg.platform.covers(target) {
            return Some(HandsOff::PlatformRole {
                name: target.name.clone(),
                owner: p.owner.to_string(),
                pattern: p.pattern.to_string(),
                reason: p.reason.to_string(),
            });
        }
        if info.path.starts_with("/aws-service-role/") || info.path.starts_with("/aws-reserved/") {
            return Some(HandsOff::AwsPath(info.path.clone()));
        }
        if let Some((_, reason)) = info.tags.iter().find(|(k, _)| k == &cfg.exempt_tag) {
            return Some(HandsOff::ExemptTag { tag: cfg.exempt_tag.clone(), reason: reason.clone() });
        }
        // Match the ARN with its path (from IAM) and without (as events name it).
        [info.arn.as_str(), &target.arn(account_id)].into_iter().find_map(|arn| self.exemption(arn))
    }

    /// The hands-off decision from what is known of a resource (shared with the sweep).
    pub(super) fn resource_hands_off_for(&self, resource: &Resource, tags: &[(String, String)]) -> Option<HandsOff> {
        if resource.name().starts_with("iam-guard") {
            return Some(HandsOff::OwnResource(resource.to_string()));
        }
        if let Some(why) = self.exemption(&resource.arn) {
            return Some(why);
        }
        let tag = &self.engine.config().exempt_tag;
        tags.iter()
            .find(|(k, _)| k == tag)
            .map(|(_, reason)| HandsOff::ExemptTag { tag: tag.clone(), reason: reason.clone() })
    }
}
