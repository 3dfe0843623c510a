//! GetAccountAuthorizationDetails' SDK types as the domain's inventory: each role, user and
//! group with what it holds, and each customer managed policy's default document (documents
//! as plain text, whether IAM sent them URL-encoded or an emulator plain).

use super::iam::plain;
use crate::intake::Target;
use crate::inventory::{LocalPolicy, PrincipalDetail};
use aws_sdk_iam::types::{AttachedPolicy, GroupDetail, ManagedPolicyDetail, PolicyDetail, RoleDetail, UserDetail};

/// A role: its policies, trust, boundary and instance profiles.
pub(super) fn role(r: RoleDetail) -> PrincipalDetail {
    let name = r.role_name.unwrap_or_default();
    PrincipalDetail {
        target: Some(Target::role(&name)),
        arn: r.arn.unwrap_or_default(),
        path: r.path.unwrap_or_else(|| "/".into()),
        tags: r.tags.unwrap_or_default().into_iter().map(|t| (t.key, t.value)).collect(),
        attached: attached(r.attached_managed_policies),
        inline: inline(r.role_policy_list),
        trust: r.assume_role_policy_document.map(|d| plain(&d)),
        groups: vec![],
        boundary: r.permissions_boundary.and_then(|b| b.permissions_boundary_arn),
        instance_profiles: r
            .instance_profile_list
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.instance_profile_name)
            .collect(),
    }
}

/// A user: its policies, groups and boundary.
pub(super) fn user(u: UserDetail) -> PrincipalDetail {
    let name = u.user_name.unwrap_or_default();
    PrincipalDetail {
        target: Some(Target::user(&name)),
        arn: u.arn.unwrap_or_default(),
        path: u.path.unwrap_or_else(|| "/".into()),
        tags: u.tags.unwrap_or_default().into_iter().map(|t| (t.key, t.value)).collect(),
        attached: attached(u.attached_managed_policies),
        inline: inline(u.user_policy_list),
        trust: None,
        groups: u.group_list.unwrap_or_default(),
        boundary: u.permissions_boundary.and_then(|b| b.permissions_boundary_arn),
        instance_profiles: vec![],
    }
}

/// A group: its policies.
pub(super) fn group(g: GroupDetail) -> PrincipalDetail {
    let name = g.group_name.unwrap_or_default();
    PrincipalDetail {
        target: Some(Target::group(&name)),
        arn: g.arn.unwrap_or_default(),
        path: g.path.unwrap_or_else(|| "/".into()),
        tags: vec![],
        attached: attached(g.attached_managed_policies),
        inline: inline(g.group_policy_list),
        trust: None,
        groups: vec![],
        boundary: None,
        instance_profiles: vec![],
    }
}

/// A customer managed policy with its default version's document.
pub(super) fn local_policy(p: ManagedPolicyDetail) -> LocalPolicy {
    let default = p.default_version_id.clone();
    let doc = p
        .policy_version_list
        .unwrap_or_default()
        .into_iter()
        .find(|v| v.is_default_version || v.version_id == default)
        .and_then(|v| v.document)
        .map(|d| plain(&d));
    LocalPolicy { arn: p.arn.unwrap_or_default(), name: p.policy_name.unwrap_or_default(), default_document: doc }
}

fn attached(list: Option<Vec<AttachedPolicy>>) -> Vec<String> {
    list.unwrap_or_default().into_iter().filter_map(|p| p.policy_arn).collect()
}

fn inline(list: Option<Vec<PolicyDetail>>) -> Vec<(String, String)> {
    list.unwrap_or_default()
        .into_iter()
        .map(|p| (p.policy_name.unwrap_or_default(), plain(&p.policy_document.unwrap_or_default())))
        .collect()
}
