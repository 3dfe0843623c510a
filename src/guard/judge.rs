//! Judging a change: one function per kind of change. Each reads from IAM only what the event
//! does not carry, judges the policies involved, and proposes at most one remediation.

use super::ports::{IamRead, PortError};
use super::{Guard, JudgedPolicy, Reason, Remediation};
use crate::arn;
use crate::catalog::managed;
use crate::eval::Limit;
use crate::intake::{Action, Change, PolicyText, Target};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::rules::new_credential::{self, Credential};
use crate::rules::{Rule, RuleAction, Severity};
use std::sync::Arc;

/// A document a principal holds, read and waiting to be judged with the others: (label, managed
/// policy ARN, document, inline text, unknown).
pub(super) type Held = (String, Option<String>, PolicyDocument, Option<String>, bool);

/// What judging a change found, before any decision.
pub(super) struct Judgement {
    pub judged: Vec<JudgedPolicy>,
    pub notes: Vec<String>,
    pub proposal: Proposal,
    /// Alert even below `alert_min_severity` (new credentials).
    pub always_alert: bool,
    /// The principal, when judging read it (its boundary): the hands-off rules read it again
    /// otherwise.
    pub principal: Option<super::ports::PrincipalInfo>,
}

/// What the change calls for.
pub(super) enum Proposal {
    /// This remediation, if the findings reach the threshold and the principal is not hands-off.
    Remediate(Remediation),
    /// Never more than an alert, for this reason.
    AlertOnly(Reason),
    /// Nothing beyond an alert: no finding's rule action is `remediate`.
    Nothing,
}

impl Judgement {
    /// Nothing judged (a change not answered).
    pub(super) fn empty() -> Judgement {
        Judgement::new(vec![], vec![], Proposal::Nothing)
    }

    pub(super) fn new(judged: Vec<JudgedPolicy>, notes: Vec<String>, proposal: Proposal) -> Judgement {
        Judgement { judged, notes, proposal, always_alert: false, principal: None }
    }
}

/// What the guard remembers that the event does not carry (from its ledger).
#[derive(Debug, Clone, Default)]
pub(crate) struct Recall {
    /// The principal's permissions boundary before the change.
    pub(crate) boundary: Option<String>,
    /// The role's trust policy before the change (plain JSON).
    pub(crate) trust: Option<String>,
    /// For a denied call: the guard's recent answer that narrowed the principal.
    pub(crate) narrowed: Option<super::ports::LedgerEntry>,
    /// The SCP levels that limit the account's principals (a hub's member account; empty:
    /// none known).
    pub(crate) scps: Vec<super::ports::ScpLevel>,
}

/// The trust policy the role had before a bad update, as the guard last saw it, and the command
/// that puts it back.
fn previous_trust_note(role: &str, previous: &str) -> String {
    let minified = serde_json::from_str::<serde_json::Value>(previous)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| previous.to_string());
    format!(
        "previous trust policy, as the guard last saw it: {minified} — to put it back: \
         aws iam update-assume-role-policy --role-name {role} --policy-document '{minified}'"
    )
}

/// "AmazonS3FullAccess (AWS managed)" or "app-s3 (customer managed)", after `prefix`.
pub(super) fn managed_label(prefix: &str, policy_arn: &str) -> String {
    let origin = if managed::is_aws_managed(policy_arn) { "AWS managed" } else { "customer managed" };
    format!("{prefix}{} ({origin})", arn::resource_name(policy_arn))
}

/// The empty document a policy is judged as when its document cannot be read (by name only:
/// the denylist still applies).
pub(super) fn empty_document() -> PolicyDocument {
    PolicyDocument { version: None, id: None, statements: vec![] }
}

impl Guard {
    /// Judges a change: the policies involved and what the change calls for (the decision,
    /// quarantine included, is `decide`'s).
    pub(super) async fn judge_change<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        recall: &Recall,
    ) -> Result<Judgement, PortError> {
        self.judge_kind(iam, change, recall).await
    }

    async fn judge_kind<R: IamRead>(&self, iam: &R, change: &Change, recall: &Recall) -> Result<Judgement, PortError> {
        match &change.action {
            Action::AttachPolicy { target, policy_arn } => {
                self.judge_attach(iam, change, (target, policy_arn), recall).await
            }
            Action::PutInlinePolicy { target, policy_name, document } => {
                self.judge_inline(iam, change, (target, policy_name, document)).await
            }
            Action::CreateRole { role, trust_policy, .. } | Action::UpdateTrustPolicy { role, trust_policy } => {
                Ok(self.judge_trust(change, (role, trust_policy), recall))
            }
            Action::CreatePolicy { policy_arn, document, policy_name } => Ok(self.judge_document(
                change,
                format!("{policy_name} (customer managed, new)"),
                Some(policy_arn),
                PolicyKind::Identity,
                document,
                Reason::NewPolicy,
            )),
            Action::CreatePolicyVersion { policy_arn, document, set_as_default, version_id } => {
                self.judge_new_version(iam, change, policy_arn, document, *set_as_default, version_id.as_deref()).await
            }
            Action::SetDefaultPolicyVersion { policy_arn, version_id } => {
                self.judge_default_version(iam, change, policy_arn, version_id).await
            }
            Action::AddUserToGroup { group, user } => self.judge_membership(iam, change, (user, group), recall).await,
            Action::CreateAccessKey { user, access_key_id } => {
                self.judge_new_key(iam, change, (user, access_key_id.as_deref()), recall).await
            }
            Action::CreateLoginProfile { user } => self.judge_new_password(iam, change, user, recall).await,
            Action::UpdateLoginProfile { user } => {
                self.judge_credential(iam, change, (user, &recall.scps), Credential::PasswordReset).await
            }
            Action::ReactivateAccessKey { user, .. } => {
                self.judge_credential(iam, change, (user, &recall.scps), Credential::ReactivatedKey).await
            }
            Action::RootCredential { credential } => Ok(self.judge_root_credential(*credential)),
            Action::Posture { posture } => Ok(self.judge_posture(posture)),
            Action::Denied { target, call, needs, .. } => Ok(match &recall.narrowed {
                Some(by) => self.judge_denied(change, target, (call, needs), by),
                None => Judgement::new(vec![], vec![], Proposal::Nothing),
            }),
            Action::PutPermissionsBoundary { target, boundary_arn } => {
                self.judge_boundary_put(iam, change, (target, boundary_arn), recall).await
            }
            Action::DeletePermissionsBoundary { target } => {
                self.judge_boundary_delete(iam, change, target, recall).await
            }
            Action::ResourceAccess { resource, written, document } => {
                Ok(self.judge_resource(change, (resource, written, document.as_ref())))
            }
            Action::CreatePermissionSet { .. } => Ok(Judgement::new(
                vec![],
                vec!["a new permission set holds no policy; what is attached to it is judged then".into()],
                Proposal::Nothing,
            )),
            Action::PermissionSetManagedPolicy { set, policy_arn } => {
                self.judge_set_attach(iam, change, (set, policy_arn)).await
            }
            Action::PermissionSetInlinePolicy { set, document } => {
                self.judge_set_inline(iam, change, (set, document)).await
            }
            Action::PermissionSetCustomerPolicy { name, path, .. } => {
                self.judge_set_customer_policy(iam, change, (name, path)).await
            }
            Action::PermissionSetBoundary { set, boundary } => {
                self.judge_set_boundary(iam, change, (set, boundary)).await
            }
            Action::AccountAssignment { set, target_account, principal_type, principal_id } => {
                let who = format!("{} {principal_id}", principal_type.to_lowercase());
                self.judge_set_assignment(iam, change, (set, &who, target_account)).await
            }
        }
    }

    /// A managed policy a principal (or permission set) holds, read for judging with the others.
    pub(super) async fn held_managed<R: IamRead>(
        &self,
        iam: &R,
        via: &str,
        policy_arn: &str,
        notes: &mut Vec<String>,
    ) -> Result<Held, PortError> {
        let (doc, unknown) = self.read_managed(iam, policy_arn, notes).await?;
        Ok((managed_label(via, policy_arn), Some(policy_arn.to_string()), doc, None, unknown))
    }

    /// Documents held together, judged as IAM evaluates them: a Deny in any of them is
    /// subtracted from the Allows of all the others.
    /// Within the principal's `limit` when it has one.
    pub(super) fn judge_held(
        &self,
        account_id: &str,
        held: Vec<Held>,
        limit: Option<&Arc<Limit>>,
    ) -> Vec<JudgedPolicy> {
        let denies = super::denies_of(held.iter().map(|h| &h.2));
        held.into_iter()
            .map(|(label, policy_arn, doc, text, unknown)| {
                let arn = policy_arn.as_deref();
                let mut j = self.judge_held_policy(account_id, label, arn, &doc, (&denies, limit));
                j.document = text;
                j.unknown = unknown;
                j
            })
            .collect()
    }

    /// `remediation` when some finding of `j` calls for remediation, else nothing.
    pub(super) fn remediate_if(&self, j: &JudgedPolicy, remediation: impl FnOnce() -> Remediation) -> Proposal {
        if self.remediable(j) {
            Proposal::Remediate(remediation())
        } else {
            Proposal::Nothing
        }
    }

    /// A policy document the event carries (inline, trust, a new policy): alerted with the full
    /// document, never changed.
    pub(super) fn judge_document(
        &self,
        change: &Change,
        label: String,
        policy_arn: Option<&str>,
        kind: PolicyKind,
        document: &PolicyText,
        why: Reason,
    ) -> Judgement {
        let mut j = self.judge_policy(&change.account_id, label, policy_arn, kind, &document.document);
        j.document = Some(document.text.clone());
        Judgement::new(vec![j], vec![], Proposal::AlertOnly(why))
    }

    async fn judge_attach<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (target, policy_arn): (&Target, &str),
        recall: &Recall,
    ) -> Result<Judgement, PortError> {
        let mut notes = Vec::new();
        let (doc, unknown) = self.read_managed(iam, policy_arn, &mut notes).await?;
        let label = managed_label("", policy_arn);
        let mut j = self.judge_policy(&change.account_id, label.clone(), Some(policy_arn), PolicyKind::Identity, &doc);
        j.unknown = unknown;
        let (principal, limit) = self.attach_limit(iam, target, (&j, recall), &mut notes).await?;
        if let Some(limit) = &limit {
            j = self.judge_bounded(&change.account_id, label, Some(policy_arn), &doc, limit);
            j.unknown = unknown;
        }
        let mut proposal = self
            .remediate_if(&j, || Remediation::Detach { target: target.clone(), policy_arn: policy_arn.to_string() });
        if matches!(proposal, Proposal::Remediate(_)) && !j.unknown && self.wants_replace(&j.findings) {
            if let Some(wide) = self.managed_document(iam, policy_arn, None).await? {
                let grant = super::least::Wide::Managed(policy_arn);
                proposal = self.replacement(iam, change, target, (grant, &wide), &j.findings, &mut notes).await?;
            }
        }
        let mut j = Judgement::new(vec![j], notes, proposal);
        j.principal = principal;
        Ok(j)
    }

    async fn judge_new_version<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        policy_arn: &str,
        document: &PolicyText,
        set_as_default: bool,
        version_id: Option<&str>,
    ) -> Result<Judgement, PortError> {
        let label = format!("{} version {}", arn::resource_name(policy_arn), version_id.unwrap_or("(new)"));
        let mut j =
            self.judge_policy(&change.account_id, label, Some(policy_arn), PolicyKind::Identity, &document.document);
        j.document = Some(document.text.clone());
        let proposal = if !set_as_default {
            Proposal::AlertOnly(Reason::NotDefaultVersion)
        } else if !self.remediable(&j) {
            Proposal::Nothing
        } else {
            match version_id {
                Some(bad) => self.revert(iam, change, policy_arn, bad).await?,
                None => Proposal::AlertOnly(Reason::NoVersionId),
            }
        };
        Ok(Judgement::new(vec![j], vec![], proposal))
    }

    async fn judge_default_version<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        policy_arn: &str,
        version_id: &str,
    ) -> Result<Judgement, PortError> {
        let Some(doc) = self.managed_document(iam, policy_arn, Some(version_id)).await? else {
            let note = format!("{policy_arn} version {version_id} was not found");
            return Ok(Judgement::new(vec![], vec![note], Proposal::Nothing));
        };
        let label = format!("{} version {version_id}", arn::resource_name(policy_arn));
        let j = self.judge_policy(&change.account_id, label, Some(policy_arn), PolicyKind::Identity, &doc);
        let proposal = if self.remediable(&j) {
            self.revert(iam, change, policy_arn, version_id).await?
        } else {
            Proposal::Nothing
        };
        Ok(Judgement::new(vec![j], vec![], proposal))
    }

    /// Put{Role,User,Group}Policy: the document; a remediating finding deletes the inline
    /// policy (the alert carries the document and the command that puts it back), or replaces it
    /// with what the principal used it for.
    async fn judge_inline<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        (target, policy_name, document): (&Target, &str, &PolicyText),
    ) -> Result<Judgement, PortError> {
        let mut j = self.judge_document(
            change,
            format!("inline policy {policy_name}"),
            None,
            PolicyKind::Identity,
            document,
            Reason::InlineOrTrust,
        );
        j.proposal = self.remediate_if(&j.judged[0], || Remediation::DeleteInline {
            target: target.clone(),
            policy_name: policy_name.to_string(),
            document: document.text.clone(),
        });
        if matches!(j.proposal, Proposal::Remediate(_)) && self.wants_replace(&j.judged[0].findings) {
            let grant = super::least::Wide::Inline(policy_name, &document.text);
            let findings = j.judged[0].findings.clone();
            let wide = (grant, &document.document);
            j.proposal = self.replacement(iam, change, target, wide, &findings, &mut j.notes).await?;
        }
        Ok(j)
    }

    /// CreateRole / UpdateAssumeRolePolicy: the trust policy; what it opens too wide is
    /// rewritten, and the previous trust (as the guard last saw it) is noted for a bad one.
    fn judge_trust(&self, change: &Change, (role, trust_policy): (&str, &PolicyText), recall: &Recall) -> Judgement {
        let mut j = self.judge_document(
            change,
            "trust policy".into(),
            None,
            PolicyKind::Trust,
            trust_policy,
            Reason::InlineOrTrust,
        );
        if let Some(r) = rewrite_trust(role, &trust_policy.text, &j.judged[0]) {
            j.proposal = Proposal::Remediate(r);
        }
        if let (Some(previous), true) =
            (&recall.trust, j.judged[0].findings.iter().any(|f| f.severity >= Severity::High))
        {
            j.notes.push(previous_trust_note(role, previous));
        }
        j
    }

    /// A credential of the account root user: critical and always alerted (unless the
    /// `new-credential` rule is disabled or ignored). No IAM read: no policy limits root.
    fn judge_root_credential(&self, credential: crate::intake::RootCredential) -> Judgement {
        let rule = new_credential::NewCredential.id();
        let on = self.engine.severity(rule).is_some() && self.engine.action(rule) != RuleAction::Ignore;
        let judged = on
            .then(|| JudgedPolicy {
                label: "credentials of the account root user".into(),
                policy_arn: None,
                kind: PolicyKind::Identity,
                findings: vec![new_credential::root_finding(credential)],
                document: None,
                unknown: false,
            })
            .into_iter()
            .collect();
        let proposal = Proposal::AlertOnly(Reason::RootCredential);
        Judgement { judged, notes: vec![], proposal, always_alert: on, principal: None }
    }

    /// Reverting the default version from `bad` to the newest clean earlier one, if there is one.
    async fn revert<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        policy_arn: &str,
        bad: &str,
    ) -> Result<Proposal, PortError> {
        Ok(match self.revert_target(iam, change, policy_arn, bad).await? {
            Some(to) => Proposal::Remediate(Remediation::RevertDefaultVersion {
                policy_arn: policy_arn.to_string(),
                from_version: bad.to_string(),
                to_version: to,
            }),
            None => Proposal::AlertOnly(Reason::NoCleanVersion),
        })
    }

    /// A managed policy's default document: AWS managed from the embedded data when its default
    /// version is still the embedded one (one GetPolicy asks), else from IAM — AWS widens its own
    /// policies between builds; customer managed (or unknown AWS managed) from IAM.
    pub(super) async fn managed_document<R: IamRead>(
        &self,
        iam: &R,
        policy_arn: &str,
        version: Option<&str>,
    ) -> Result<Option<PolicyDocument>, PortError> {
        let mut version = version.map(str::to_string);
        if version.is_none() {
            if let Some(p) = managed::by_arn(policy_arn) {
                match iam.default_version(policy_arn).await? {
                    Some(current) if current != p.version => {
                        tracing::info!(policy = policy_arn, embedded = p.version, current = %current,
                            "AWS managed policy changed since this build: judging its current version");
                        version = Some(current);
                    }
                    // The embedded version, or IAM does not know it (an emulator without AWS
                    // managed policies): the embedded document.
                    _ => return Ok(p.document().ok()),
                }
            }
        }
        match iam.policy_document(policy_arn, version.as_deref()).await? {
            Some(text) => PolicyDocument::parse(&text)
                .map(Some)
                .map_err(|e| PortError::Failed(format!("IAM returned an unreadable document for {policy_arn}: {e}"))),
            None => Ok(None),
        }
    }

    /// A managed policy's default document, or an empty one (`true`: unknown) with a note.
    pub(super) async fn read_managed<R: IamRead>(
        &self,
        iam: &R,
        policy_arn: &str,
        notes: &mut Vec<String>,
    ) -> Result<(PolicyDocument, bool), PortError> {
        Ok(match self.managed_document(iam, policy_arn, None).await? {
            Some(doc) => (doc, false),
            None => {
                notes.push(format!("{policy_arn} was not found; judged by name only"));
                (empty_document(), true)
            }
        })
    }

    pub(super) async fn judge_managed<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        policy_arn: &str,
        label_prefix: &str,
        notes: &mut Vec<String>,
    ) -> Result<JudgedPolicy, PortError> {
        let label = managed_label(label_prefix, policy_arn);
        let (doc, unknown) = self.read_managed(iam, policy_arn, notes).await?;
        let mut j = self.judge_policy(&change.account_id, label, Some(policy_arn), PolicyKind::Identity, &doc);
        j.unknown = unknown;
        Ok(j)
    }

    /// The newest version other than `bad` whose document is clean of remediable findings.
    async fn revert_target<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        policy_arn: &str,
        bad: &str,
    ) -> Result<Option<String>, PortError> {
        let mut versions = iam.policy_versions(policy_arn).await?;
        versions.retain(|v| v.version_id != bad);
        versions.sort_by(|a, b| {
            b.created.cmp(&a.created).then_with(|| version_num(&b.version_id).cmp(&version_num(&a.version_id)))
        });
        for v in versions {
            if let Some(doc) = self.managed_document(iam, policy_arn, Some(&v.version_id)).await? {
                let j =
                    self.judge_policy(&change.account_id, String::new(), Some(policy_arn), PolicyKind::Identity, &doc);
                if !self.remediable(&j) {
                    return Ok(Some(v.version_id));
                }
            }
        }
        Ok(None)
    }
}

/// The trust policy without the statements behind its critical findings (or remediating ones),
/// other statements kept as written; None when there is nothing to remove or the document is
/// not the JSON it was judged from.
fn rewrite_trust(role: &str, text: &str, judged: &JudgedPolicy) -> Option<Remediation> {
    let mut removed: Vec<usize> = judged
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Critical)
        .flat_map(|f| f.evidence.iter().filter_map(|e| e.statement))
        .collect();
    removed.sort_unstable();
    removed.dedup();
    if removed.is_empty() {
        return None;
    }
    let mut doc: serde_json::Value = serde_json::from_str(text).ok()?;
    let obj = doc.as_object_mut()?;
    let key = obj.keys().find(|k| k.eq_ignore_ascii_case("Statement"))?.clone();
    let statements = match obj.remove(&key)? {
        serde_json::Value::Array(a) => a,
        one => vec![one],
    };
    let kept: Vec<serde_json::Value> =
        statements.into_iter().enumerate().filter(|(i, _)| !removed.contains(i)).map(|(_, s)| s).collect();
    let kept = if kept.is_empty() {
        // IAM wants at least one statement: trust nobody.
        vec![serde_json::json!({
            "Sid": "IamGuardTrustsNobody", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"
        })]
    } else {
        kept
    };
    obj.insert(key, serde_json::Value::Array(kept));
    Some(Remediation::RewriteTrust {
        target: Target::role(role),
        original: text.to_string(),
        rewritten: doc.to_string(),
        removed,
    })
}

fn version_num(v: &str) -> u64 {
    v.trim_start_matches(['v', 'V']).parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Evidence, Finding};

    fn judged(statements: &[usize], severity: Severity) -> JudgedPolicy {
        let evidence = statements.iter().map(|&i| Evidence { statement: Some(i), ..Evidence::default() }).collect();
        let f = Finding {
            bounded_by: None,
            rule: crate::rules::RuleId::TrustPublic,
            paths: vec![],
            severity,
            message: String::new(),
            evidence,
            hint: String::new(),
        };
        JudgedPolicy {
            label: "trust policy".into(),
            policy_arn: None,
            kind: PolicyKind::Trust,
            findings: vec![f],
            document: None,
            unknown: false,
        }
    }

    const TWO: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#;

    #[test]
    fn trust_rewrite_removes_exactly_the_critical_statements() {
        let Some(Remediation::RewriteTrust { rewritten, removed, original, .. }) =
            rewrite_trust("app", TWO, &judged(&[1], Severity::Critical))
        else {
            panic!("no rewrite")
        };
        assert_eq!(removed, vec![1]);
        assert_eq!(original, TWO);
        let v: serde_json::Value = serde_json::from_str(&rewritten).unwrap();
        assert_eq!(v["Statement"].as_array().unwrap().len(), 1);
        assert_eq!(v["Statement"][0]["Principal"]["Service"], "lambda.amazonaws.com");
        assert_eq!(v["Version"], "2012-10-17");
        // Below critical: nothing to rewrite.
        assert!(rewrite_trust("app", TWO, &judged(&[1], Severity::High)).is_none());
    }

    #[test]
    fn a_trust_with_nothing_left_trusts_nobody() {
        let one =
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}"#;
        let Some(Remediation::RewriteTrust { rewritten, .. }) =
            rewrite_trust("app", one, &judged(&[0], Severity::Critical))
        else {
            panic!("no rewrite")
        };
        let doc = PolicyDocument::parse(&rewritten).unwrap();
        assert_eq!(doc.statements.len(), 1);
        assert_eq!(doc.statements[0].effect, crate::policy::Effect::Deny);
        // The rewritten document is judged clean by the trust rules.
        let engine = crate::engine::Engine::new(crate::config::Config::default());
        let ctx = crate::rules::PolicyContext {
            kind: Some(PolicyKind::Trust),
            managed: None,
            account_id: None,
            ..Default::default()
        };
        assert!(engine.judge(&ctx, &doc).iter().all(|f| f.severity < Severity::High));
        // Not JSON (cannot happen for a judged document): no rewrite rather than a guess.
        assert!(rewrite_trust("app", "not json", &judged(&[0], Severity::Critical)).is_none());
    }
}
