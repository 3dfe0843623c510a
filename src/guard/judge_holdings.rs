//! Changes judged by what the principal holds, not by a document they carry: group membership,
//! new credentials, a permissions boundary put or removed. Each reads the principal's holdings
//! (and, for a user, its groups') and judges them together, within its limits.

use super::judge::{Held, Judgement, Proposal, Recall};
use super::ports::{IamRead, PortError, ScpLevel};
use super::{Guard, JudgedPolicy, Reason, Remediation};
use crate::eval::Limit;
use crate::intake::{Change, PrincipalKind, Target};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::rules::new_credential::{self, Credential};
use crate::rules::{Rule, RuleAction, Severity};
use std::sync::Arc;

impl Guard {
    /// AddUserToGroup: the group's policies as the user holds them, within its own limits.
    pub(super) async fn judge_membership<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (user, group): (&str, &str),
        recall: &Recall,
    ) -> Result<Judgement, PortError> {
        let mut notes = Vec::new();
        let (principal, limit) = self.principal_limit(iam, (&Target::user(user), &recall.scps), &mut notes).await?;
        let group = Target::group(group);
        let mut judged = self.judge_holdings(iam, change, (&group, limit.as_ref()), &mut notes).await?;
        for j in &mut judged {
            j.label = format!("via {group}: {}", j.label);
        }
        let mut j = Judgement::new(judged, notes, Proposal::AlertOnly(Reason::GroupMembership));
        j.principal = principal;
        Ok(j)
    }

    /// CreateAccessKey: a new key on a principal whose holdings remediate is deactivated (never
    /// deleted).
    pub(super) async fn judge_new_key<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (user, access_key_id): (&str, Option<&str>),
        recall: &Recall,
    ) -> Result<Judgement, PortError> {
        let mut j = self.judge_credential(iam, change, (user, &recall.scps), Credential::AccessKey).await?;
        let holdings_remediate = j.judged.iter().any(|p| self.remediable(p));
        if let (true, Some(key)) = (holdings_remediate, access_key_id) {
            j.proposal = Proposal::Remediate(Remediation::DeactivateAccessKey {
                target: Target::user(user),
                access_key_id: key.to_string(),
            });
        }
        Ok(j)
    }

    /// CreateLoginProfile: a console password for a user whose holdings remediate is deleted.
    pub(super) async fn judge_new_password<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        user: &str,
        recall: &Recall,
    ) -> Result<Judgement, PortError> {
        let mut j = self.judge_credential(iam, change, (user, &recall.scps), Credential::LoginProfile).await?;
        if j.judged.iter().any(|p| self.remediable(p)) {
            j.proposal = Proposal::Remediate(Remediation::DeleteLoginProfile { target: Target::user(user) });
        }
        Ok(j)
    }

    /// Put{Role,User}PermissionsBoundary. A boundary grants nothing: what counts is what the
    /// principal holds under it (judged within the new boundary). The boundary's own findings
    /// say how weak a limit it is, capped at medium.
    pub(super) async fn judge_boundary_put<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (target, boundary_arn): (&Target, &str),
        recall: &Recall,
    ) -> Result<Judgement, PortError> {
        let mut notes = Vec::new();
        let (doc, unknown) = self.read_managed(iam, boundary_arn, &mut notes).await?;
        let label = super::judge::managed_label("permissions boundary ", boundary_arn);
        let mut boundary = self.judge_policy(&change.account_id, label, Some(boundary_arn), PolicyKind::Identity, &doc);
        boundary.unknown = unknown;
        for f in &mut boundary.findings {
            f.severity = f.severity.min(Severity::Medium);
        }
        let limit =
            (!unknown).then(|| super::bounded::limit_within(Some((boundary_arn, &doc)), &recall.scps)).flatten();
        let mut judged = vec![boundary];
        judged.extend(self.judge_holdings(iam, change, (target, limit.as_ref()), &mut notes).await?);
        Ok(Judgement::new(judged, notes, Proposal::AlertOnly(Reason::BoundaryReplaced)))
    }

    /// Delete{Role,User}PermissionsBoundary: what the principal now holds, unbounded but still
    /// within the account's SCPs; the boundary is put back when the guard remembers it and what
    /// the principal holds calls for remediation.
    pub(super) async fn judge_boundary_delete<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        target: &Target,
        recall: &Recall,
    ) -> Result<Judgement, PortError> {
        let mut notes = Vec::new();
        let limit = super::bounded::limit_within(None, &recall.scps);
        let judged = self.judge_holdings(iam, change, (target, limit.as_ref()), &mut notes).await?;
        let proposal = match &recall.boundary {
            Some(b) if judged.iter().any(|j| self.remediable(j)) => {
                Proposal::Remediate(Remediation::PutBoundary { target: target.clone(), boundary_arn: b.clone() })
            }
            _ => Proposal::AlertOnly(Reason::BoundaryRemoved),
        };
        if recall.boundary.is_none() {
            notes.push("the previous boundary is unknown to the guard (no snapshot): alert only".into());
        }
        Ok(Judgement::new(judged, notes, proposal))
    }

    /// A new credential: the user's holdings, plus the `new-credential` finding (unless that rule
    /// is disabled or ignored), which always alerts.
    pub(super) async fn judge_credential<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (user, scps): (&str, &[ScpLevel]),
        credential: Credential,
    ) -> Result<Judgement, PortError> {
        let mut notes = Vec::new();
        let target = Target::user(user);
        let (principal, limit) = self.principal_limit(iam, (&target, scps), &mut notes).await?;
        let holdings = self.judge_holdings(iam, change, (&target, limit.as_ref()), &mut notes).await?;
        let rule = new_credential::NewCredential.id();
        let own = self.engine.severity(rule).filter(|_| self.engine.action(rule) != RuleAction::Ignore);
        let mut judged = Vec::with_capacity(holdings.len() + 1);
        if let Some(base) = own {
            let worst = holdings.iter().flat_map(|j| &j.findings).max_by_key(|f| f.severity);
            judged.push(JudgedPolicy {
                label: format!("credentials of user {user}"),
                policy_arn: None,
                kind: PolicyKind::Identity,
                findings: vec![new_credential::finding(base, credential, user, worst)],
                document: None,
                unknown: false,
            });
        }
        judged.extend(holdings);
        let always_alert = own.is_some();
        Ok(Judgement { judged, notes, proposal: Proposal::AlertOnly(Reason::Credentials), always_alert, principal })
    }

    /// Everything attached to a principal (and, for a user, its groups).
    /// Within the principal's `limit` when it has one.
    pub(super) async fn judge_holdings<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (target, limit): (&Target, Option<&Arc<Limit>>),
        notes: &mut Vec<String>,
    ) -> Result<Vec<JudgedPolicy>, PortError> {
        let mut holders = vec![target.clone()];
        if target.kind == PrincipalKind::User {
            holders.extend(iam.groups_for_user(&target.name).await?.iter().map(|g| Target::group(g)));
        }
        // Every document first: a Deny in any of them (the groups' included) is subtracted from
        // the Allows of all the others, as IAM evaluates the principal's requests.
        let mut held: Vec<Held> = Vec::new();
        for h in &holders {
            let via = if h == target { String::new() } else { format!("via {h}: ") };
            for policy_arn in iam.attached_policies(h).await? {
                held.push(self.held_managed(iam, &via, &policy_arn, notes).await?);
            }
            for (name, text) in iam.inline_policies(h).await? {
                match PolicyDocument::parse(&text) {
                    Ok(doc) => held.push((format!("{via}inline policy {name}"), None, doc, Some(text), false)),
                    Err(e) => notes.push(format!("{via}inline policy {name} is unreadable: {e}")),
                }
            }
        }
        Ok(self.judge_held(&change.account_id, held, limit))
    }
}
