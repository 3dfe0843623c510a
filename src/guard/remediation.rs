//! The remediation vocabulary: every change the guard can make to IAM, each with what it is
//! called ([`Remediation::describe`]), what undoes it ([`Remediation::inverse`]), the command that
//! restores what it changed ([`Remediation::restore_command`]) and the IAM calls that carry it
//! out ([`carry_out`]).

use super::ports::{self, IamWrite, PortError};
use super::Executed;
use crate::arn;
use crate::intake::{PermissionSet, Target};
use crate::resources::ResourceFix;
use serde::Serialize;

/// A change the guard can make to IAM, and undo. The last five are what undo and boundary
/// restoration do ([`Remediation::inverse`]).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Remediation {
    /// Detach a managed policy from one principal.
    Detach {
        /// The principal.
        target: Target,
        /// The managed policy.
        policy_arn: String,
    },
    /// Delete an inline policy (its document travels in the alert, for the restore command).
    DeleteInline {
        /// Who holds it.
        target: Target,
        /// The inline policy's name.
        policy_name: String,
        /// The document, as put (restored verbatim).
        document: String,
    },
    /// Deactivate (never delete) an access key: one command makes it work again.
    DeactivateAccessKey {
        /// The key's user.
        target: Target,
        /// The key id.
        access_key_id: String,
    },
    /// Attach AWS's `AWSDenyAll` to the principal: everything it holds stays, nothing works.
    Quarantine {
        /// The principal.
        target: Target,
    },
    /// Delete a user's new console password (a password cannot be restored, only set anew).
    DeleteLoginProfile {
        /// The user.
        target: Target,
    },
    /// Rewrite a role's trust policy without the statements behind a critical finding (a role
    /// with nothing left trusts nobody: one Deny statement keeps the document valid).
    RewriteTrust {
        /// The role.
        target: Target,
        /// The trust policy as the change set it (restored verbatim).
        original: String,
        /// The trust policy the guard sets.
        rewritten: String,
        /// The statements removed (0-based, as in the findings).
        removed: Vec<usize>,
    },
    /// Make an earlier version of a customer managed policy the default again.
    RevertDefaultVersion {
        /// The customer managed policy.
        policy_arn: String,
        /// The version the change made the default.
        from_version: String,
        /// The newest earlier version that is clean.
        to_version: String,
    },
    /// Give least privilege back: put the policy learned from the principal's own calls as an
    /// inline policy, then detach the wide managed policy.
    Replace {
        /// The principal.
        target: Target,
        /// The wide managed policy detached.
        policy_arn: String,
        /// The inline policy put.
        policy_name: String,
        /// Its document (JSON).
        document: String,
    },
    /// Undo of a replacement: attach the managed policy again, delete the learned inline policy.
    Unreplace {
        /// The principal.
        target: Target,
        /// The managed policy attached again.
        policy_arn: String,
        /// The learned inline policy deleted.
        policy_name: String,
        /// Its document (for redoing).
        document: String,
    },
    /// Give least privilege back in place of a wide inline policy: put the learned policy, then
    /// delete the wide one (its document travels in the alert and the undo).
    ReplaceInline {
        /// The principal.
        target: Target,
        /// The wide inline policy deleted.
        policy_name: String,
        /// Its document, as put (restored verbatim).
        original: String,
        /// The learned inline policy put.
        learned_name: String,
        /// Its document (JSON).
        document: String,
    },
    /// Undo of an inline replacement: put the wide inline policy back, delete the learned one.
    UnreplaceInline {
        /// The principal.
        target: Target,
        /// The wide inline policy put back.
        policy_name: String,
        /// Its document.
        original: String,
        /// The learned inline policy deleted.
        learned_name: String,
        /// Its document (for redoing).
        document: String,
    },
    /// Grant exactly what a narrowed principal was then denied: a new inline policy.
    Grant {
        /// The principal.
        target: Target,
        /// The inline policy put.
        policy_name: String,
        /// Its document (JSON).
        document: String,
    },
    /// Put a permissions boundary (back) on a role or user.
    PutBoundary {
        /// The principal.
        target: Target,
        /// The boundary policy.
        boundary_arn: String,
    },
    /// Attach a managed policy (undo of a detach).
    Attach {
        /// The principal.
        target: Target,
        /// The managed policy.
        policy_arn: String,
    },
    /// Put an inline policy back (undo of a deletion).
    PutInline {
        /// Who held it.
        target: Target,
        /// Its name.
        policy_name: String,
        /// The document, verbatim.
        document: String,
    },
    /// Set an access key Active again (undo of a deactivation).
    ActivateAccessKey {
        /// The key's user.
        target: Target,
        /// The key id.
        access_key_id: String,
    },
    /// Remove a permissions boundary (undo of a restored one).
    DeleteBoundary {
        /// The principal.
        target: Target,
    },
    /// Detach a managed policy from an Identity Center permission set, and provision it.
    DetachFromPermissionSet {
        /// The permission set.
        set: PermissionSet,
        /// The managed policy.
        policy_arn: String,
    },
    /// Attach a managed policy to a permission set, and provision it (undo of a detach).
    AttachToPermissionSet {
        /// The permission set.
        set: PermissionSet,
        /// The managed policy.
        policy_arn: String,
    },
    /// Delete a permission set's inline policy, and provision it.
    DeletePermissionSetInline {
        /// The permission set.
        set: PermissionSet,
        /// The document, as put (restored verbatim).
        document: String,
    },
    /// Put a permission set's inline policy back, and provision it (undo of a deletion).
    PutPermissionSetInline {
        /// The permission set.
        set: PermissionSet,
        /// The document, verbatim.
        document: String,
    },
    /// A change to a resource's policy or shares (its own vocabulary: [`ResourceFix`]).
    Resource(ResourceFix),
}

impl Remediation {
    /// What the guard does, for people: "detach AmazonS3FullAccess from role app".
    pub fn describe(&self) -> String {
        match self {
            Remediation::Detach { target, policy_arn } => {
                format!("detach {} from {target}", arn::resource_name(policy_arn))
            }
            Remediation::DeleteInline { target, policy_name, .. } => {
                format!("delete inline policy {policy_name} from {target}")
            }
            Remediation::DeactivateAccessKey { target, access_key_id } => {
                format!("deactivate access key {access_key_id} of {target}")
            }
            Remediation::DeleteLoginProfile { target } => format!("delete the console password of {target}"),
            Remediation::Quarantine { target } => format!("quarantine {target} (attach AWSDenyAll)"),
            Remediation::RewriteTrust { target, removed, .. } => {
                let list: Vec<String> = removed.iter().map(|i| format!("Statement[{i}]")).collect();
                format!("remove {} from the trust policy of {target}", list.join(", "))
            }
            Remediation::RevertDefaultVersion { policy_arn, from_version, to_version } => {
                format!(
                    "set the default version of {} back from {from_version} to {to_version}",
                    arn::resource_name(policy_arn)
                )
            }
            Remediation::Replace { target, policy_arn, policy_name, .. } => format!(
                "put the least-privilege policy {policy_name} on {target}, then detach {}",
                arn::resource_name(policy_arn)
            ),
            Remediation::Unreplace { target, policy_arn, policy_name, .. } => format!(
                "attach {} to {target} again and delete the least-privilege policy {policy_name}",
                arn::resource_name(policy_arn)
            ),
            Remediation::Grant { target, policy_name, .. } => {
                format!("grant exactly what was denied: put inline policy {policy_name} on {target}")
            }
            Remediation::ReplaceInline { target, policy_name, learned_name, .. } => format!(
                "put the least-privilege policy {learned_name} on {target}, then delete inline policy {policy_name}"
            ),
            Remediation::UnreplaceInline { target, policy_name, learned_name, .. } => format!(
                "put inline policy {policy_name} back on {target} and delete the least-privilege policy {learned_name}"
            ),
            Remediation::PutBoundary { target, boundary_arn } => {
                format!("put permissions boundary {} on {target}", arn::resource_name(boundary_arn))
            }
            Remediation::Attach { target, policy_arn } => {
                format!("attach {} to {target}", arn::resource_name(policy_arn))
            }
            Remediation::PutInline { target, policy_name, .. } => {
                format!("put inline policy {policy_name} back on {target}")
            }
            Remediation::ActivateAccessKey { target, access_key_id } => {
                format!("make access key {access_key_id} of {target} active again")
            }
            Remediation::DeleteBoundary { target } => format!("remove the permissions boundary of {target}"),
            Remediation::DetachFromPermissionSet { set, policy_arn } => {
                format!("detach {} from {set} and provision it", arn::resource_name(policy_arn))
            }
            Remediation::AttachToPermissionSet { set, policy_arn } => {
                format!("attach {} to {set} and provision it", arn::resource_name(policy_arn))
            }
            Remediation::DeletePermissionSetInline { set, .. } => {
                format!("delete the inline policy of {set} and provision it")
            }
            Remediation::PutPermissionSetInline { set, .. } => {
                format!("put the inline policy of {set} back and provision it")
            }
            Remediation::Resource(fix) => fix.describe(),
        }
    }

    /// What undoes this change exactly, when something can (a deleted console password cannot be
    /// restored, only set anew).
    pub fn inverse(&self) -> Option<Remediation> {
        let t = |t: &Target| t.clone();
        Some(match self {
            Remediation::Detach { target, policy_arn } => {
                Remediation::Attach { target: t(target), policy_arn: policy_arn.clone() }
            }
            Remediation::Attach { target, policy_arn } => {
                Remediation::Detach { target: t(target), policy_arn: policy_arn.clone() }
            }
            Remediation::DeleteInline { target, policy_name, document } => Remediation::PutInline {
                target: t(target),
                policy_name: policy_name.clone(),
                document: document.clone(),
            },
            Remediation::PutInline { target, policy_name, document } => Remediation::DeleteInline {
                target: t(target),
                policy_name: policy_name.clone(),
                document: document.clone(),
            },
            Remediation::DeactivateAccessKey { target, access_key_id } => {
                Remediation::ActivateAccessKey { target: t(target), access_key_id: access_key_id.clone() }
            }
            Remediation::ActivateAccessKey { target, access_key_id } => {
                Remediation::DeactivateAccessKey { target: t(target), access_key_id: access_key_id.clone() }
            }
            Remediation::Quarantine { target } => {
                Remediation::Detach { target: t(target), policy_arn: DENY_ALL.into() }
            }
            Remediation::RewriteTrust { target, original, rewritten, removed } => Remediation::RewriteTrust {
                target: t(target),
                original: rewritten.clone(),
                rewritten: original.clone(),
                removed: removed.clone(),
            },
            Remediation::RevertDefaultVersion { policy_arn, from_version, to_version } => {
                Remediation::RevertDefaultVersion {
                    policy_arn: policy_arn.clone(),
                    from_version: to_version.clone(),
                    to_version: from_version.clone(),
                }
            }
            Remediation::Replace { target, policy_arn, policy_name, document } => Remediation::Unreplace {
                target: t(target),
                policy_arn: policy_arn.clone(),
                policy_name: policy_name.clone(),
                document: document.clone(),
            },
            Remediation::Unreplace { target, policy_arn, policy_name, document } => Remediation::Replace {
                target: t(target),
                policy_arn: policy_arn.clone(),
                policy_name: policy_name.clone(),
                document: document.clone(),
            },
            Remediation::ReplaceInline { target, policy_name, original, learned_name, document } => {
                Remediation::UnreplaceInline {
                    target: t(target),
                    policy_name: policy_name.clone(),
                    original: original.clone(),
                    learned_name: learned_name.clone(),
                    document: document.clone(),
                }
            }
            Remediation::UnreplaceInline { target, policy_name, original, learned_name, document } => {
                Remediation::ReplaceInline {
                    target: t(target),
                    policy_name: policy_name.clone(),
                    original: original.clone(),
                    learned_name: learned_name.clone(),
                    document: document.clone(),
                }
            }
            Remediation::Grant { target, policy_name, document } => Remediation::DeleteInline {
                target: t(target),
                policy_name: policy_name.clone(),
                document: document.clone(),
            },
            Remediation::PutBoundary { target, .. } => Remediation::DeleteBoundary { target: t(target) },
            Remediation::DetachFromPermissionSet { set, policy_arn } => {
                Remediation::AttachToPermissionSet { set: set.clone(), policy_arn: policy_arn.clone() }
            }
            Remediation::AttachToPermissionSet { set, policy_arn } => {
                Remediation::DetachFromPermissionSet { set: set.clone(), policy_arn: policy_arn.clone() }
            }
            Remediation::DeletePermissionSetInline { set, document } => {
                Remediation::PutPermissionSetInline { set: set.clone(), document: document.clone() }
            }
            Remediation::PutPermissionSetInline { set, document } => {
                Remediation::DeletePermissionSetInline { set: set.clone(), document: document.clone() }
            }
            Remediation::Resource(fix) => Remediation::Resource(fix.inverse()?),
            Remediation::DeleteBoundary { .. } | Remediation::DeleteLoginProfile { .. } => return None,
        })
    }

    /// The AWS CLI command that undoes the remediation (restores what the change did): the
    /// command of its inverse; for the two without one, what a person must do instead.
    pub fn restore_command(&self) -> String {
        if let Some(inverse) = self.inverse() {
            return inverse.command();
        }
        match self {
            Remediation::DeleteBoundary { target } => {
                let kind = target.kind.as_str();
                format!(
                    "aws iam put-{kind}-permissions-boundary --{kind}-name {} --permissions-boundary ARN  (the \
                     boundary removed)",
                    target.name
                )
            }
            Remediation::Resource(fix) => fix.restore_command(),
            Remediation::DeleteLoginProfile { target } => format!(
                "aws iam create-login-profile --user-name {} --password-reset-required --password 'CHOOSE-A-TEMPORARY-ONE'",
                target.name
            ),
            other => other.command(),
        }
    }

    /// The AWS CLI command that carries the remediation out.
    pub fn command(&self) -> String {
        use cli::*;
        match self {
            Remediation::Detach { target, policy_arn } => managed("detach", target, policy_arn),
            Remediation::Attach { target, policy_arn } => managed("attach", target, policy_arn),
            Remediation::Quarantine { target } => managed("attach", target, DENY_ALL),
            Remediation::RevertDefaultVersion { policy_arn, to_version, .. } => {
                format!("aws iam set-default-policy-version --policy-arn {policy_arn} --version-id {to_version}")
            }
            Remediation::DeleteInline { target, policy_name, .. } => delete_inline(target, policy_name),
            Remediation::PutInline { target, policy_name, .. } | Remediation::Grant { target, policy_name, .. } => {
                format!("{}  (the document is in this alert)", put_inline(target, policy_name))
            }
            Remediation::DeactivateAccessKey { target, access_key_id } => key_status(target, access_key_id, "Inactive"),
            Remediation::ActivateAccessKey { target, access_key_id } => key_status(target, access_key_id, "Active"),
            Remediation::DeleteLoginProfile { target } => {
                format!("aws iam delete-login-profile --user-name {}", target.name)
            }
            Remediation::RewriteTrust { target, .. } => format!(
                "aws iam update-assume-role-policy --role-name {0} --policy-document file://trust-{0}.json  (the \
                 original document is in this alert)",
                target.name
            ),
            Remediation::PutBoundary { target, boundary_arn } => {
                let kind = target.kind.as_str();
                format!(
                    "aws iam put-{kind}-permissions-boundary --{kind}-name {} --permissions-boundary {boundary_arn}",
                    target.name
                )
            }
            Remediation::DeleteBoundary { target } => {
                let kind = target.kind.as_str();
                format!("aws iam delete-{kind}-permissions-boundary --{kind}-name {}", target.name)
            }
            Remediation::Replace { target, policy_arn, policy_name, .. } => format!(
                "{} && {}  (the document is in this alert)",
                put_inline(target, policy_name),
                managed("detach", target, policy_arn)
            ),
            Remediation::Unreplace { target, policy_arn, policy_name, .. } => {
                format!("{} && {}", managed("attach", target, policy_arn), delete_inline(target, policy_name))
            }
            Remediation::ReplaceInline { target, policy_name, learned_name, .. } => format!(
                "{} && {}  (the document is in this alert)",
                put_inline(target, learned_name),
                delete_inline(target, policy_name)
            ),
            Remediation::UnreplaceInline { target, policy_name, learned_name, .. } => format!(
                "{} && {}  (the document is in this alert)",
                put_inline(target, policy_name),
                delete_inline(target, learned_name)
            ),
            Remediation::AttachToPermissionSet { set, policy_arn } => provisioned(
                set,
                &format!(
                    "attach-managed-policy-to-permission-set {} --managed-policy-arn {policy_arn}",
                    set.cli_args()
                ),
                "",
            ),
            Remediation::DetachFromPermissionSet { set, policy_arn } => provisioned(
                set,
                &format!(
                    "detach-managed-policy-from-permission-set {} --managed-policy-arn {policy_arn}",
                    set.cli_args()
                ),
                "",
            ),
            Remediation::PutPermissionSetInline { set, .. } => provisioned(
                set,
                &format!(
                    "put-inline-policy-to-permission-set {} --inline-policy file://{}.json",
                    set.cli_args(),
                    set.id()
                ),
                "  (the document is in this alert)",
            ),
            Remediation::DeletePermissionSetInline { set, .. } => {
                provisioned(set, &format!("delete-inline-policy-from-permission-set {}", set.cli_args()), "")
            }
            Remediation::Resource(fix) => fix.command(),
        }
    }

    /// The principal it acts on, when it acts on one (hands-off rules apply to it).
    pub fn target(&self) -> Option<&Target> {
        match self {
            Remediation::Detach { target, .. }
            | Remediation::DeleteInline { target, .. }
            | Remediation::DeactivateAccessKey { target, .. }
            | Remediation::RewriteTrust { target, .. }
            | Remediation::DeleteLoginProfile { target }
            | Remediation::Quarantine { target }
            | Remediation::PutBoundary { target, .. }
            | Remediation::Replace { target, .. }
            | Remediation::Unreplace { target, .. }
            | Remediation::Grant { target, .. }
            | Remediation::ReplaceInline { target, .. }
            | Remediation::UnreplaceInline { target, .. }
            | Remediation::Attach { target, .. }
            | Remediation::PutInline { target, .. }
            | Remediation::ActivateAccessKey { target, .. }
            | Remediation::DeleteBoundary { target } => Some(target),
            Remediation::RevertDefaultVersion { .. }
            | Remediation::DetachFromPermissionSet { .. }
            | Remediation::AttachToPermissionSet { .. }
            | Remediation::DeletePermissionSetInline { .. }
            | Remediation::PutPermissionSetInline { .. }
            | Remediation::Resource(_) => None,
        }
    }

    /// The resource change it is, when it is one.
    pub fn resource_fix(&self) -> Option<&ResourceFix> {
        match self {
            Remediation::Resource(fix) => Some(fix),
            _ => None,
        }
    }

    /// The Identity Center permission set it acts on, when it acts on one.
    pub fn permission_set(&self) -> Option<&PermissionSet> {
        match self {
            Remediation::DetachFromPermissionSet { set, .. }
            | Remediation::AttachToPermissionSet { set, .. }
            | Remediation::DeletePermissionSetInline { set, .. }
            | Remediation::PutPermissionSetInline { set, .. } => Some(set),
            _ => None,
        }
    }
}

/// AWS's managed policy that denies every action: what quarantine attaches.
pub const DENY_ALL: &str = "arn:aws:iam::aws:policy/AWSDenyAll";

/// Carries out one remediation. Idempotent: what is already done is success; IAM's refusal is
/// reported, not an error (the alert says so); anything else fails so the delivery is retried.
pub(crate) async fn carry_out<W: IamWrite>(iam: &W, remediation: &Remediation) -> Result<Executed, PortError> {
    let r = match remediation {
        Remediation::Detach { target, policy_arn } => iam.detach_policy(target, policy_arn).await,
        Remediation::RevertDefaultVersion { policy_arn, to_version, .. } => {
            iam.set_default_version(policy_arn, to_version).await
        }
        Remediation::DeleteInline { target, policy_name, .. } => iam.delete_inline_policy(target, policy_name).await,
        Remediation::DeactivateAccessKey { target, access_key_id } => {
            iam.deactivate_access_key(&target.name, access_key_id).await
        }
        Remediation::RewriteTrust { target, rewritten, .. } => iam.update_trust_policy(&target.name, rewritten).await,
        Remediation::DeleteLoginProfile { target } => iam.delete_login_profile(&target.name).await,
        Remediation::Quarantine { target } => iam.attach_policy(target, DENY_ALL).await,
        Remediation::PutBoundary { target, boundary_arn } => iam.put_boundary(target, boundary_arn).await,
        Remediation::Grant { target, policy_name, document } => {
            iam.put_inline_policy(target, policy_name, document).await
        }
        Remediation::ReplaceInline { target, policy_name, learned_name, document, .. } => {
            match iam.put_inline_policy(target, learned_name, document).await {
                Ok(()) => iam.delete_inline_policy(target, policy_name).await,
                Err(e) => Err(e),
            }
        }
        Remediation::UnreplaceInline { target, policy_name, original, learned_name, .. } => {
            match iam.put_inline_policy(target, policy_name, original).await {
                Ok(()) => iam.delete_inline_policy(target, learned_name).await,
                Err(e) => Err(e),
            }
        }
        // The learned policy first: the principal is never left with neither.
        Remediation::Replace { target, policy_arn, policy_name, document } => {
            match iam.put_inline_policy(target, policy_name, document).await {
                Ok(()) => iam.detach_policy(target, policy_arn).await,
                Err(e) => Err(e),
            }
        }
        Remediation::Unreplace { target, policy_arn, policy_name, .. } => {
            match iam.attach_policy(target, policy_arn).await {
                Ok(()) => iam.delete_inline_policy(target, policy_name).await,
                Err(e) => Err(e),
            }
        }
        Remediation::Attach { target, policy_arn } => iam.attach_policy(target, policy_arn).await,
        Remediation::PutInline { target, policy_name, document } => {
            iam.put_inline_policy(target, policy_name, document).await
        }
        Remediation::ActivateAccessKey { target, access_key_id } => {
            iam.activate_access_key(&target.name, access_key_id).await
        }
        Remediation::DeleteBoundary { target } => iam.delete_boundary(target).await,
        Remediation::DetachFromPermissionSet { set, policy_arn } => {
            change_set(iam, set, ports::SetChange::DetachManaged(policy_arn)).await
        }
        Remediation::AttachToPermissionSet { set, policy_arn } => {
            change_set(iam, set, ports::SetChange::AttachManaged(policy_arn)).await
        }
        Remediation::DeletePermissionSetInline { set, .. } => {
            change_set(iam, set, ports::SetChange::DeleteInline).await
        }
        Remediation::PutPermissionSetInline { set, document } => {
            change_set(iam, set, ports::SetChange::PutInline(document)).await
        }
        Remediation::Resource(fix) => iam.fix_resource(fix).await,
    };
    match r {
        Ok(()) => Ok(Executed::Done),
        Err(PortError::NotFound(_)) => Ok(Executed::AlreadyDone),
        Err(PortError::Denied(reason)) => Ok(Executed::Denied { reason }),
        Err(e) => Err(e),
    }
}

/// Changes a permission set, then provisions it (also when the change was already made: an
/// earlier delivery may have failed between the two).
async fn change_set<W: IamWrite>(iam: &W, set: &PermissionSet, change: ports::SetChange<'_>) -> Result<(), PortError> {
    let changed = iam.change_permission_set(set, &change).await;
    if let Err(e @ (PortError::Denied(_) | PortError::Failed(_) | PortError::Sdk { .. } | PortError::InProgress(_))) =
        changed
    {
        return Err(e);
    }
    iam.provision_permission_set(set).await?;
    changed
}

/// The pieces the CLI commands are made of.
mod cli {
    use crate::intake::{PermissionSet, Target};

    /// `aws iam attach-role-policy --role-name app --policy-arn ARN`.
    pub(super) fn managed(verb: &str, t: &Target, policy_arn: &str) -> String {
        let kind = t.kind.as_str();
        format!("aws iam {verb}-{kind}-policy --{kind}-name {} --policy-arn {policy_arn}", t.name)
    }

    /// `aws iam put-role-policy … --policy-document file://NAME.json`.
    pub(super) fn put_inline(t: &Target, policy_name: &str) -> String {
        let kind = t.kind.as_str();
        format!(
            "aws iam put-{kind}-policy --{kind}-name {} --policy-name {policy_name} --policy-document \
             file://{policy_name}.json",
            t.name
        )
    }

    /// `aws iam delete-role-policy --role-name app --policy-name NAME`.
    pub(super) fn delete_inline(t: &Target, policy_name: &str) -> String {
        let kind = t.kind.as_str();
        format!("aws iam delete-{kind}-policy --{kind}-name {} --policy-name {policy_name}", t.name)
    }

    /// `aws iam update-access-key … --status Active`.
    pub(super) fn key_status(t: &Target, access_key_id: &str, status: &str) -> String {
        format!("aws iam update-access-key --user-name {} --access-key-id {access_key_id} --status {status}", t.name)
    }

    /// An `aws sso-admin` change, then provisioning the set to all its accounts.
    pub(super) fn provisioned(set: &PermissionSet, change: &str, note: &str) -> String {
        format!(
            "aws sso-admin {change} && aws sso-admin provision-permission-set {} --target-type \
             ALL_PROVISIONED_ACCOUNTS{note}",
            set.cli_args()
        )
    }
}
