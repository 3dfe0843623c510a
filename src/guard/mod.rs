//! The guard: Change → findings → decision (alert / remediate / skip), and carrying it out.
//!
//! Enforce mode remediates only what can be undone cleanly and narrowly:
//! - a managed policy whose findings carry a `remediate` action (by default `admin`,
//!   `service-full-access`, `denylisted-policy`) attached to a role, user or group is detached
//!   from that one principal;
//! - a CreatePolicyVersion / SetDefaultPolicyVersion that makes such a version the default is
//!   reverted to the newest earlier version that is clean.
//!
//! Inline and trust policies are alerted, never changed: deleting an inline policy or rewriting a
//! trust policy can break the workload in ways a detach cannot, and there is no "previous
//! version" to restore; the alert carries the full document instead.
//!
//! Never acted on (the alert says why): exempt principals (config globs, or the exempt tag),
//! service-linked roles (path `/aws-service-role/`), `AWSReservedSSO_*` roles (IAM refuses), and
//! the guard's own role. Changes made by the guard's own role are ignored entirely (no loops).

pub mod alert;
pub mod memory;
pub mod ports;
pub mod sweep;

use crate::catalog::managed;
use crate::config::{Mode, RuleAction};
use crate::intake::{Action, Change, PrincipalKind, Target};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::rules::{Engine, Finding, PolicyContext, Severity};
use ports::{IamRead, IamWrite, PortError, PrincipalInfo};
use serde::Serialize;

/// Rules whose findings remediate in enforce mode unless configured otherwise.
pub const REMEDIATE_BY_DEFAULT: &[&str] = &["admin", "service-full-access", "denylisted-policy"];

/// One policy the guard judged for a change.
#[derive(Debug, Clone, Serialize)]
pub struct JudgedPolicy {
    /// e.g. "AmazonS3FullAccess (AWS managed)", "inline policy app-access", "trust policy".
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
    pub kind: PolicyKind,
    pub findings: Vec<Finding>,
    /// The full document, for inline and trust policies (alerts carry it: nothing is changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Remediation {
    Detach { target: Target, policy_arn: String },
    RevertDefaultVersion { policy_arn: String, from_version: String, to_version: String },
}

impl Remediation {
    /// What the guard does, for people: "detach AmazonS3FullAccess from role app".
    pub fn describe(&self) -> String {
        match self {
            Remediation::Detach { target, policy_arn } => {
                format!("detach {} from {target}", policy_name(policy_arn))
            }
            Remediation::RevertDefaultVersion { policy_arn, from_version, to_version } => {
                format!(
                    "set the default version of {} back from {from_version} to {to_version}",
                    policy_name(policy_arn)
                )
            }
        }
    }

    /// The AWS CLI command that undoes the remediation (restores what the change did).
    pub fn restore_command(&self) -> String {
        match self {
            Remediation::Detach { target, policy_arn } => {
                let kind = target.kind.as_str();
                let cap = match target.kind {
                    PrincipalKind::Role => "role",
                    PrincipalKind::User => "user",
                    PrincipalKind::Group => "group",
                };
                format!("aws iam attach-{kind}-policy --{cap}-name {} --policy-arn {policy_arn}", target.name)
            }
            Remediation::RevertDefaultVersion { policy_arn, from_version, .. } => {
                format!("aws iam set-default-policy-version --policy-arn {policy_arn} --version-id {from_version}")
            }
        }
    }
}

/// What the guard decided.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Plan {
    /// No findings: nothing to say.
    Clean,
    /// Findings, all below `alert_min_severity`: no alert (check and sweep still report them).
    Quiet {
        why: String,
    },
    /// Alert only; `why` says why nothing more, `would` what enforce mode would do.
    Alert {
        why: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        would: Option<Remediation>,
    },
    Remediate {
        remediation: Remediation,
    },
    /// Not judged: the guard's own change.
    Ignore {
        why: String,
    },
}

/// A change with its judgement and plan.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub change: Change,
    pub judged: Vec<JudgedPolicy>,
    pub plan: Plan,
    /// Context worth telling (policy not found, principal facts, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Verdict {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.judged.iter().flat_map(|j| &j.findings)
    }

    pub fn severity(&self) -> Option<Severity> {
        self.findings().map(|f| f.severity).max()
    }
}

/// What happened when a plan was carried out.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Executed {
    Done,
    /// Already the case (duplicate delivery, someone was faster): success.
    AlreadyDone,
    /// IAM refused; the alert says the guard could not act and why.
    Denied {
        reason: String,
    },
}

pub struct Guard {
    engine: Engine,
    /// The guard's own role name: its changes are ignored and it is never acted on.
    own_role: Option<String>,
}

pub(crate) fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn role_name_of(arn: &str) -> Option<&str> {
    // arn:aws:iam::ACCT:role/path/NAME or arn:aws:sts::ACCT:assumed-role/NAME/SESSION
    let res = arn.splitn(6, ':').nth(5)?;
    if let Some(r) = res.strip_prefix("role/") {
        return r.rsplit('/').next();
    }
    res.strip_prefix("assumed-role/").and_then(|r| r.split('/').next())
}

impl Guard {
    /// `own_role`: the guard's role name or ARN.
    pub fn new(engine: Engine, own_role: Option<&str>) -> Guard {
        let own_role = own_role.map(|r| role_name_of(r).unwrap_or(r).to_string());
        Guard { engine, own_role }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn rule_action(&self, rule: &str) -> RuleAction {
        self.engine.config().rule(rule).and_then(|r| r.action).unwrap_or(if REMEDIATE_BY_DEFAULT.contains(&rule) {
            RuleAction::Remediate
        } else {
            RuleAction::Alert
        })
    }

    fn judge(
        &self,
        change: &Change,
        label: String,
        arn: Option<&str>,
        kind: PolicyKind,
        doc: &PolicyDocument,
    ) -> JudgedPolicy {
        self.judge_policy(&change.account_id, label, arn, kind, doc)
    }

    /// Judges one document for the account it lives in, dropping findings whose rule action is
    /// `ignore`.
    pub(crate) fn judge_policy(
        &self,
        account_id: &str,
        label: String,
        arn: Option<&str>,
        kind: PolicyKind,
        doc: &PolicyDocument,
    ) -> JudgedPolicy {
        let ctx = PolicyContext {
            kind: Some(kind),
            managed: arn.map(|a| (policy_name(a).to_string(), a.to_string())),
            account_id: Some(account_id.to_string()),
        };
        let findings: Vec<Finding> = self
            .engine
            .judge(&ctx, doc)
            .into_iter()
            .filter(|f| self.rule_action(f.rule) != RuleAction::Ignore)
            .collect();
        JudgedPolicy { label, policy_arn: arn.map(str::to_string), kind, findings, document: None }
    }

    pub(crate) fn remediable(&self, j: &JudgedPolicy) -> bool {
        j.findings.iter().any(|f| self.rule_action(f.rule) == RuleAction::Remediate)
    }

    /// A managed policy's default document: AWS managed from the embedded data (no IAM read),
    /// customer managed (or unknown AWS managed) from IAM.
    async fn managed_document<R: IamRead>(
        &self,
        iam: &R,
        arn: &str,
        version: Option<&str>,
    ) -> Result<Option<PolicyDocument>, PortError> {
        if version.is_none() {
            if let Some(p) = managed::by_arn(arn) {
                return Ok(p.document().ok());
            }
        }
        match iam.policy_document(arn, version).await? {
            Some(text) => PolicyDocument::parse(&text)
                .map(Some)
                .map_err(|e| PortError::Failed(format!("IAM returned an unreadable document for {arn}: {e}"))),
            None => Ok(None),
        }
    }

    async fn judge_managed<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        arn: &str,
        label_prefix: &str,
        notes: &mut Vec<String>,
    ) -> Result<Option<JudgedPolicy>, PortError> {
        let origin = if arn.contains(":iam::aws:policy/") { "AWS managed" } else { "customer managed" };
        let label = format!("{label_prefix}{} ({origin})", policy_name(arn));
        match self.managed_document(iam, arn, None).await? {
            Some(doc) => Ok(Some(self.judge(change, label, Some(arn), PolicyKind::Identity, &doc))),
            None => {
                notes.push(format!("{arn} was not found; judged by name only"));
                let empty = PolicyDocument { version: None, id: None, statements: vec![] };
                Ok(Some(self.judge(change, label, Some(arn), PolicyKind::Identity, &empty)))
            }
        }
    }

    /// Everything attached to a principal (and, for a user, its groups).
    async fn judge_effective<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        target: &Target,
        notes: &mut Vec<String>,
    ) -> Result<Vec<JudgedPolicy>, PortError> {
        let mut holders = vec![target.clone()];
        if target.kind == PrincipalKind::User {
            holders.extend(iam.groups_for_user(&target.name).await?.iter().map(|g| Target::group(g)));
        }
        let mut out = Vec::new();
        for h in &holders {
            let via = if h == target { String::new() } else { format!("via {h}: ") };
            for arn in iam.attached_policies(h).await? {
                out.extend(self.judge_managed(iam, change, &arn, &via, notes).await?);
            }
            for (name, text) in iam.inline_policies(h).await? {
                match PolicyDocument::parse(&text) {
                    Ok(doc) => {
                        let mut j =
                            self.judge(change, format!("{via}inline policy {name}"), None, PolicyKind::Identity, &doc);
                        j.document = Some(text);
                        out.push(j);
                    }
                    Err(e) => notes.push(format!("{via}inline policy {name} is unreadable: {e}")),
                }
            }
        }
        Ok(out)
    }

    /// Why the guard must not act on `target`, if it must not. `read`: also ask IAM for the
    /// principal's path and tags (enforce mode, before acting); alert mode decides from names
    /// and configured globs alone, so judging an AWS-managed attach costs no IAM call.
    async fn hands_off<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        target: &Target,
        read: bool,
    ) -> Result<Option<String>, PortError> {
        let fetched = if read { iam.principal(target).await? } else { None };
        let info: PrincipalInfo = fetched.unwrap_or_else(|| PrincipalInfo {
            arn: target.arn(&change.account_id),
            path: "/".into(),
            tags: vec![],
        });
        Ok(self.hands_off_for(target, &info, &change.account_id))
    }

    /// The hands-off decision from what is known of the principal (shared with the sweep).
    pub fn hands_off_for(&self, target: &Target, info: &PrincipalInfo, account_id: &str) -> Option<String> {
        if target.kind == PrincipalKind::Role {
            if Some(&target.name) == self.own_role.as_ref() {
                return Some("it is the guard's own role".into());
            }
            if target.name.starts_with("AWSReservedSSO_") {
                return Some(
                    "AWSReservedSSO_* roles belong to IAM Identity Center (IAM refuses: UnmodifiableEntity)".into(),
                );
            }
            if target.name.starts_with("AWSServiceRoleFor") {
                return Some("service-linked roles belong to the AWS service".into());
            }
        }
        if info.path.starts_with("/aws-service-role/") || info.path.starts_with("/aws-reserved/") {
            return Some(format!("path {} is owned by AWS", info.path));
        }
        let cfg = self.engine.config();
        if let Some((_, reason)) = info.tags.iter().find(|(k, _)| k == &cfg.exempt_tag) {
            return Some(format!("exempt by tag {}: {reason}", cfg.exempt_tag));
        }
        let today = chrono::Utc::now().date_naive();
        // Match the ARN with its path (from IAM) and without (as events name it).
        for arn in [info.arn.as_str(), &target.arn(account_id)] {
            if let Some(e) = cfg.exemption_for(arn, today) {
                let until = e.expires.map(|d| format!(" until {d}")).unwrap_or_default();
                return Some(format!("exempt ({}){until}: {}", e.principal, e.reason));
            }
        }
        None
    }

    /// The newest version other than `bad` whose document is clean of remediable findings.
    async fn revert_target<R: IamRead>(
        &self,
        iam: &R,
        change: &Change,
        arn: &str,
        bad: &str,
    ) -> Result<Option<String>, PortError> {
        let mut versions = iam.policy_versions(arn).await?;
        versions.retain(|v| v.version_id != bad);
        versions.sort_by(|a, b| {
            b.created.cmp(&a.created).then_with(|| version_num(&b.version_id).cmp(&version_num(&a.version_id)))
        });
        for v in versions {
            if let Some(doc) = self.managed_document(iam, arn, Some(&v.version_id)).await? {
                let j = self.judge(change, String::new(), Some(arn), PolicyKind::Identity, &doc);
                if !self.remediable(&j) {
                    return Ok(Some(v.version_id));
                }
            }
        }
        Ok(None)
    }

    /// Judges a change and decides. Reads IAM only for what the event does not carry.
    pub async fn evaluate<R: IamRead>(&self, iam: &R, change: Change) -> Result<Verdict, PortError> {
        let mut notes = Vec::new();
        if let (Some(own), Some(actor)) = (&self.own_role, change.actor.principal_arn().and_then(role_name_of)) {
            if own == actor {
                let why = "made by the guard's own role".to_string();
                return Ok(Verdict { change, judged: vec![], plan: Plan::Ignore { why }, notes });
            }
        }
        let mut judged = Vec::new();
        // The remediation this change calls for, if its judged policy is remediable.
        let mut candidate: Option<Remediation> = None;
        let mut alert_only_why: Option<String> = None;
        let mut always_alert = false;
        match &change.action {
            Action::AttachPolicy { target, policy_arn } => {
                if let Some(j) = self.judge_managed(iam, &change, policy_arn, "", &mut notes).await? {
                    if self.remediable(&j) {
                        candidate =
                            Some(Remediation::Detach { target: target.clone(), policy_arn: policy_arn.clone() });
                    }
                    judged.push(j);
                }
            }
            Action::PutInlinePolicy { policy_name, document, .. } => {
                let mut j = self.judge(
                    &change,
                    format!("inline policy {policy_name}"),
                    None,
                    PolicyKind::Identity,
                    &document.document,
                );
                j.document = Some(document.text.clone());
                judged.push(j);
                alert_only_why = Some(INLINE_WHY.into());
            }
            Action::CreateRole { trust_policy, .. } | Action::UpdateTrustPolicy { trust_policy, .. } => {
                let mut j = self.judge(&change, "trust policy".into(), None, PolicyKind::Trust, &trust_policy.document);
                j.document = Some(trust_policy.text.clone());
                judged.push(j);
                alert_only_why = Some(INLINE_WHY.into());
            }
            Action::CreatePolicy { policy_arn, document, policy_name } => {
                let mut j = self.judge(
                    &change,
                    format!("{policy_name} (customer managed, new)"),
                    Some(policy_arn),
                    PolicyKind::Identity,
                    &document.document,
                );
                j.document = Some(document.text.clone());
                judged.push(j);
                alert_only_why =
                    Some("a new policy grants nothing until it is attached; attaching it is judged then".into());
            }
            Action::CreatePolicyVersion { policy_arn, document, set_as_default, version_id } => {
                let label = format!("{} version {}", policy_name(policy_arn), version_id.as_deref().unwrap_or("(new)"));
                let mut j = self.judge(&change, label, Some(policy_arn), PolicyKind::Identity, &document.document);
                j.document = Some(document.text.clone());
                if !set_as_default {
                    alert_only_why = Some("the new version is not the default, so it grants nothing yet".into());
                } else if self.remediable(&j) {
                    match version_id {
                        Some(bad) => match self.revert_target(iam, &change, policy_arn, bad).await? {
                            Some(to) => {
                                candidate = Some(Remediation::RevertDefaultVersion {
                                    policy_arn: policy_arn.clone(),
                                    from_version: bad.clone(),
                                    to_version: to,
                                })
                            }
                            None => alert_only_why = Some("no earlier clean version to revert to".into()),
                        },
                        None => alert_only_why = Some("the event does not name the new version id".into()),
                    }
                }
                judged.push(j);
            }
            Action::SetDefaultPolicyVersion { policy_arn, version_id } => {
                match self.managed_document(iam, policy_arn, Some(version_id)).await? {
                    Some(doc) => {
                        let j = self.judge(
                            &change,
                            format!("{} version {version_id}", policy_name(policy_arn)),
                            Some(policy_arn),
                            PolicyKind::Identity,
                            &doc,
                        );
                        if self.remediable(&j) {
                            match self.revert_target(iam, &change, policy_arn, version_id).await? {
                                Some(to) => {
                                    candidate = Some(Remediation::RevertDefaultVersion {
                                        policy_arn: policy_arn.clone(),
                                        from_version: version_id.clone(),
                                        to_version: to,
                                    })
                                }
                                None => alert_only_why = Some("no earlier clean version to revert to".into()),
                            }
                        }
                        judged.push(j);
                    }
                    None => notes.push(format!("{policy_arn} version {version_id} was not found")),
                }
            }
            Action::AddUserToGroup { group, .. } => {
                let g = Target::group(group);
                let mut js = self.judge_effective(iam, &change, &g, &mut notes).await?;
                for j in &mut js {
                    j.label = format!("via group {group}: {}", j.label);
                }
                judged.extend(js);
                alert_only_why = Some("group membership is alerted, not reverted".into());
            }
            Action::CreateAccessKey { user } | Action::CreateLoginProfile { user } => {
                let effective = self.judge_effective(iam, &change, &Target::user(user), &mut notes).await?;
                judged.push(credential_finding(&change, user, &effective));
                judged.extend(effective);
                alert_only_why =
                    Some("credentials are alerted, not revoked: the guard judges the permissions they carry".into());
                always_alert = true;
            }
            Action::DeletePermissionsBoundary { target } => {
                judged.extend(self.judge_effective(iam, &change, target, &mut notes).await?);
                alert_only_why =
                    Some("the boundary's removal is alerted; the guard judges what the principal can now do".into());
            }
        }
        let any = judged.iter().any(|j| !j.findings.is_empty());
        let min = self.engine.config().alert_min_severity;
        let worst = judged.iter().flat_map(|j| &j.findings).map(|f| f.severity).max();
        let plan = if !any {
            Plan::Clean
        } else if !always_alert && worst.is_some_and(|w| w < min) {
            Plan::Quiet { why: format!("findings are below alert_min_severity ({min})") }
        } else if let Some(why) = alert_only_why {
            Plan::Alert { why, would: None }
        } else if let Some(rem) = candidate {
            let enforce = self.engine.config().mode == Mode::Enforce;
            let hands_off = match &rem {
                Remediation::Detach { target, .. } => self.hands_off(iam, &change, target, enforce).await?,

                Remediation::RevertDefaultVersion { .. } => None,
            };
            match (hands_off, self.engine.config().mode) {
                (Some(why), _) => Plan::Alert { why: format!("not remediated: {why}"), would: None },
                (None, Mode::Alert) => Plan::Alert { why: "alert mode".into(), would: Some(rem) },
                (None, Mode::Enforce) => Plan::Remediate { remediation: rem },
            }
        } else {
            Plan::Alert { why: "no finding calls for remediation (rule actions)".into(), would: None }
        };
        Ok(Verdict { change, judged, plan, notes })
    }

    /// Carries out a Remediate plan. Idempotent: what is already done is success.
    pub async fn execute<W: IamWrite>(&self, iam: &W, verdict: &Verdict) -> Result<Option<Executed>, PortError> {
        let Plan::Remediate { remediation } = &verdict.plan else { return Ok(None) };
        let r = match remediation {
            Remediation::Detach { target, policy_arn } => iam.detach_policy(target, policy_arn).await,
            Remediation::RevertDefaultVersion { policy_arn, to_version, .. } => {
                iam.set_default_version(policy_arn, to_version).await
            }
        };
        match r {
            Ok(()) => Ok(Some(Executed::Done)),
            Err(PortError::NotFound(_)) => Ok(Some(Executed::AlreadyDone)),
            Err(PortError::Denied(reason)) => Ok(Some(Executed::Denied { reason })),
            Err(e) => Err(e),
        }
    }
}

/// The finding a new credential raises by itself: medium, or the user's worst finding, so that
/// an access key on an admin user reads as critical.
fn credential_finding(change: &Change, user: &str, effective: &[JudgedPolicy]) -> JudgedPolicy {
    let worst = effective.iter().flat_map(|j| &j.findings).max_by_key(|f| f.severity);
    let severity = worst.map_or(Severity::Medium, |f| f.severity.max(Severity::Medium));
    let (what, hint) = match change.action {
        Action::CreateLoginProfile { .. } => (
            "console password",
            "Prefer IAM Identity Center (SSO) for people; if the user must sign in, require MFA and give it only the \
             permissions it needs.",
        ),
        _ => (
            "long-lived access key",
            "Prefer roles with short-lived credentials (IAM Identity Center, OIDC federation for CI); if a key is \
             needed, scope the user's policies to what it calls and rotate the key.",
        ),
    };
    let carries = match worst {
        Some(f) => format!(", and the user holds {} permissions ({})", f.severity, f.rule),
        None => String::new(),
    };
    JudgedPolicy {
        label: format!("credentials of user {user}"),
        policy_arn: None,
        kind: PolicyKind::Identity,
        findings: vec![Finding {
            rule: "new-credential",
            severity,
            message: format!("A {what} was created for user {user}{carries}"),
            evidence: vec![],
            hint: hint.into(),
        }],
        document: None,
    }
}

const INLINE_WHY: &str = "inline and trust policies are alerted, not changed: deleting or rewriting them could break \
                          the workload; the full document is in this alert";

fn version_num(v: &str) -> u64 {
    v.trim_start_matches(['v', 'V']).parse().unwrap_or(0)
}
