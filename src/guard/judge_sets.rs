//! Judging IAM Identity Center changes: what a permission set holds — its managed policies and
//! its inline policy, within its own permissions boundary — and what a change adds to it.

use super::judge::{Held, Judgement, Proposal};
use super::ports::{IamRead, PermissionSetInfo, PortError};
use super::{Guard, JudgedPolicy, Reason, Remediation};
use crate::intake::{Change, PermissionSet, PolicyText};
use crate::policy::{PolicyDocument, PolicyKind};

impl Guard {
    /// AttachManagedPolicyToPermissionSet: the policy, within the set's boundary; detach it.
    pub(super) async fn judge_set_attach<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (set, policy_arn): (&PermissionSet, &str),
    ) -> Result<Judgement, PortError> {
        let mut notes = Vec::new();
        let (doc, unknown) = self.read_managed(iam, policy_arn, &mut notes).await?;
        let label = super::judge::managed_label("", policy_arn);
        let mut j = self.judge_policy(&change.account_id, label, Some(policy_arn), PolicyKind::Identity, &doc);
        j.unknown = unknown;
        let j = self.within_set_boundary(iam, (change.account_id.as_str(), set), (j, &doc), &mut notes).await?;
        let proposal = self.remediate_if(&j, || Remediation::DetachFromPermissionSet {
            set: set.clone(),
            policy_arn: policy_arn.to_string(),
        });
        Ok(Judgement::new(vec![j], notes, proposal))
    }

    /// PutInlinePolicyToPermissionSet: the document, within the set's boundary; delete it.
    pub(super) async fn judge_set_inline<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (set, document): (&PermissionSet, &PolicyText),
    ) -> Result<Judgement, PortError> {
        let mut j = self.judge_document(
            change,
            format!("inline policy of {set}"),
            None,
            PolicyKind::Identity,
            document,
            Reason::InlineOrTrust,
        );
        let bare = j.judged.remove(0);
        let mut notes = Vec::new();
        let within = (change.account_id.as_str(), set);
        j.judged.push(self.within_set_boundary(iam, within, (bare, &document.document), &mut notes).await?);
        j.notes.extend(notes);
        j.proposal = self.remediate_if(&j.judged[0], || Remediation::DeletePermissionSetInline {
            set: set.clone(),
            document: document.text.clone(),
        });
        Ok(j)
    }

    /// AttachCustomerManagedPolicyReferenceToPermissionSet: the reference resolves in each
    /// account the set is provisioned to; the policy of that name in the account the change was
    /// made in is judged as a sample.
    pub(super) async fn judge_set_customer_policy<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (name, path): (&str, &str),
    ) -> Result<Judgement, PortError> {
        let policy_arn = format!("arn:aws:iam::{}:policy{path}{name}", change.account_id);
        let mut notes = vec![format!(
            "a customer managed policy reference resolves to the policy named {path}{name} in each account \
             the permission set is provisioned to; judged as it is in account {}",
            change.account_id
        )];
        let j = self.judge_managed(iam, change, &policy_arn, "", &mut notes).await?;
        Ok(Judgement::new(vec![j], notes, Proposal::AlertOnly(Reason::CustomerPolicyReference)))
    }

    /// PutPermissionsBoundaryToPermissionSet: what the set holds, within the new boundary.
    pub(super) async fn judge_set_boundary<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (set, boundary): (&PermissionSet, &str),
    ) -> Result<Judgement, PortError> {
        let mut notes = Vec::new();
        let judged = self.judge_permission_set(iam, change, set, &mut notes).await?;
        notes.push(format!("permissions boundary now {boundary}"));
        Ok(Judgement::new(judged, notes, Proposal::AlertOnly(Reason::BoundaryReplaced)))
    }

    /// CreateAccountAssignment: what the set holds, "for `who` in account …".
    pub(super) async fn judge_set_assignment<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (set, who, target_account): (&PermissionSet, &str, &str),
    ) -> Result<Judgement, PortError> {
        let mut notes = Vec::new();
        let mut judged = self.judge_permission_set(iam, change, set, &mut notes).await?;
        for j in &mut judged {
            j.label = format!("{j_label} (for {who} in account {target_account})", j_label = j.label);
        }
        Ok(Judgement::new(judged, notes, Proposal::AlertOnly(Reason::AccountAssignment)))
    }

    /// Everything a permission set holds: its managed policies and its inline policy (customer
    /// managed references are named in a note: they resolve per account).
    async fn judge_permission_set<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        set: &PermissionSet,
        notes: &mut Vec<String>,
    ) -> Result<Vec<JudgedPolicy>, PortError> {
        let Some(info) = iam.permission_set(set).await? else {
            notes.push(format!("{set} was not found; nothing judged"));
            return Ok(vec![]);
        };
        self.judge_permission_set_info(iam, &change.account_id, &info, notes).await
    }

    /// [`Guard::judge_permission_set`] for a permission set already read (the sweep).
    pub(super) async fn judge_permission_set_info<R: IamRead>(
        &self,
        iam: &R,
        account_id: &str,
        info: &PermissionSetInfo,
        notes: &mut Vec<String>,
    ) -> Result<Vec<JudgedPolicy>, PortError> {
        let via = format!("permission set {}: ", info.name);
        let mut held: Vec<Held> = Vec::new();
        for policy_arn in &info.managed {
            held.push(self.held_managed(iam, &via, policy_arn, notes).await?);
        }
        if let Some(text) = &info.inline {
            match PolicyDocument::parse(text) {
                Ok(doc) => held.push((format!("{via}inline policy"), None, doc, Some(text.clone()), false)),
                Err(e) => notes.push(format!("{via}inline policy is unreadable: {e}")),
            }
        }
        for reference in &info.customer {
            notes
                .push(format!("{via}customer managed policy reference {reference} (resolved per account, not judged)"));
        }
        let limit = self.set_limit(iam, (&via, info.boundary.as_deref()), notes).await?;
        Ok(self.judge_held(account_id, held, limit.as_ref()))
    }
}
