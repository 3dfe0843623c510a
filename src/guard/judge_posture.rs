//! Changes of account posture on the event path (#27): each is one finding of its rule
//! (`mfa-missing`, `password-policy`, `root-user`, `federation`), alerted always (like a new
//! credential) and never undone — undoing a sign-in or an MFA change could lock people out.

use super::judge::{Judgement, Proposal};
use super::ports::{IamInventory, PortError};
use super::Verdict;
use super::{Guard, JudgedPolicy, Reason};
use crate::intake::{MfaOwner, PostureChange};
use crate::policy::PolicyKind;
use crate::rules::{Finding, RuleAction, RuleId, Severity};

/// One line for the alert's subject.
pub(super) fn what(p: &PostureChange) -> String {
    match p {
        PostureChange::MfaRemoved { owner: MfaOwner::Root, .. } => "ROOT MFA device removed".into(),
        PostureChange::MfaRemoved { owner: MfaOwner::User(u), .. } => format!("MFA device of user {u} removed"),
        PostureChange::MfaRemoved { serial, .. } => {
            format!("virtual MFA device {} deleted", crate::arn::resource_name(serial))
        }
        PostureChange::PasswordPolicy { policy: None } => "account password policy deleted".into(),
        PostureChange::PasswordPolicy { .. } => "account password policy changed".into(),
        PostureChange::IdentityProvider { kind, provider, call } => {
            format!("{kind} identity provider {} ({call})", crate::arn::resource_name(provider))
        }
        PostureChange::RolesAnywhere { name, call, .. } => format!("IAM Roles Anywhere {call} {name}"),
        PostureChange::ConsoleLogin { user: None, .. } => "ROOT signed in to the console".into(),
        PostureChange::ConsoleLogin { user: Some(u), .. } => format!("user {u} signed in without MFA"),
        PostureChange::FederationToken { user, .. } => {
            format!("federation token for {}", user.as_deref().map_or("ROOT".to_string(), |u| format!("user {u}")))
        }
    }
}

impl Guard {
    /// Judges a posture change: its finding (none when it weakens nothing), alert only.
    pub(super) fn judge_posture(&self, p: &PostureChange) -> Judgement {
        let finding = self
            .posture_finding(p)
            .filter(|f| self.engine.severity(f.rule).is_some() && self.engine.action(f.rule) != RuleAction::Ignore);
        let on = finding.is_some();
        let judged = finding
            .map(|mut f| {
                if let Some(s) = self.engine.config().rule(f.rule.as_str()).and_then(|c| c.severity) {
                    f.severity = s;
                }
                JudgedPolicy {
                    label: "account posture".into(),
                    policy_arn: None,
                    kind: PolicyKind::Identity,
                    findings: vec![f],
                    document: None,
                    unknown: false,
                }
            })
            .into_iter()
            .collect();
        Judgement {
            judged,
            notes: vec![],
            proposal: Proposal::AlertOnly(Reason::AccountPosture),
            always_alert: on,
            principal: None,
        }
    }

    fn posture_finding(&self, p: &PostureChange) -> Option<Finding> {
        let t = &self.engine.config().posture;
        let (rule, severity, message, hint) = match p {
            PostureChange::MfaRemoved { owner, serial, call } => {
                let (who, severity) = match owner {
                    MfaOwner::Root => ("the root user".to_string(), Severity::Critical),
                    MfaOwner::User(u) => (format!("user {u}"), Severity::High),
                    MfaOwner::Unknown => ("a user".to_string(), Severity::High),
                };
                (RuleId::MfaMissing, severity, format!("{call}: the MFA device {serial} of {who} was removed"),
                 "Assign an MFA device again now (CIS 1.5 / 1.10); if nobody meant this, treat the caller's credentials as compromised.".to_string())
            }
            PostureChange::PasswordPolicy { policy } => {
                let (len, reuse) = policy.unwrap_or((Some(8), Some(0)));
                let (len, reuse) = (len.unwrap_or(8), reuse.unwrap_or(0));
                if policy.is_some() && len >= t.password_min_length && reuse >= t.password_reuse_prevention {
                    return None;
                }
                let what = match policy {
                    None => "The account password policy was deleted (IAM's default: 8 characters, reuse allowed)".to_string(),
                    Some(_) => format!("The password policy now requires {len} characters and prevents reuse of {reuse} passwords"),
                };
                (RuleId::PasswordPolicy, Severity::Medium, format!("{what}, below {} and {} (CIS 1.8, 1.9)", t.password_min_length, t.password_reuse_prevention),
                 format!("aws iam update-account-password-policy --minimum-password-length {} --password-reuse-prevention {} (and the other settings you use)", t.password_min_length, t.password_reuse_prevention))
            }
            PostureChange::IdentityProvider { kind, provider, call } => (
                RuleId::Federation,
                Severity::High,
                format!("{call}: {kind} identity provider {provider} — whoever controls it signs in as any role that trusts it"),
                "Check who asked for it; the roles that trust it are judged by the sweep's trust rules (iam-guard sweep).".to_string(),
            ),
            PostureChange::RolesAnywhere { name, roles, call } => {
                let vends = if roles.is_empty() { String::new() } else { format!(", vending {}", roles.join(", ")) };
                (RuleId::Federation, Severity::High,
                 format!("{call}: IAM Roles Anywhere {name}{vends} — X.509 certificates of its anchor get role sessions"),
                 "Check the trust anchor's certificate authority and limit the profile's roles and session policy.".to_string())
            }
            PostureChange::ConsoleLogin { user: None, mfa } => (
                RuleId::RootUser,
                // Without MFA, root's password alone opened the account.
                if *mfa { Severity::High } else { Severity::Critical },
                format!("The root user signed in to the console (MFA used: {}) (CIS 1.7)", if *mfa { "yes" } else { "no" }),
                "Confirm who signed in; root is for the few tasks only it can do.".to_string(),
            ),
            PostureChange::ConsoleLogin { user: Some(u), .. } => (
                RuleId::MfaMissing,
                Severity::High,
                format!("user {u} signed in to the console without MFA (CIS 1.10)"),
                "Assign the user an MFA device, or move the person to IAM Identity Center.".to_string(),
            ),
            PostureChange::FederationToken { user, name } => {
                let who = user.as_deref().map_or("the root user".to_string(), |u| format!("user {u}"));
                let severity = if user.is_none() { Severity::Critical } else { Severity::Medium };
                (RuleId::Federation, severity,
                 format!("{who} got a federation token{} — sessions minted from a long-lived key outlive its deactivation",
                         name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()),
                 "Use roles for federation; if the key leaked, deactivate it and deny sts:GetFederationToken to the user.".to_string())
            }
        };
        Some(Finding { rule, paths: vec![], severity, message, evidence: vec![], hint, bounded_by: None })
    }
}

/// At most this many trusting roles are named in an alert.
const MAX_ROLES: usize = 10;

impl Guard {
    /// For a change to an identity provider: the roles whose trust policy names it (one
    /// inventory read; these changes are rare), each with its worst finding — who signs in
    /// through the provider becomes them. A provider trusted by an admin role is critical.
    pub(super) async fn add_provider_roles<I: IamInventory>(
        &self,
        iam: &I,
        verdict: &mut Verdict,
    ) -> Result<(), PortError> {
        let crate::intake::Action::Posture { posture: PostureChange::IdentityProvider { provider, .. } } =
            &verdict.change.action
        else {
            return Ok(());
        };
        if verdict.judged.is_empty() || !provider.starts_with("arn:") {
            return Ok(());
        }
        let inv = iam.inventory().await?;
        let trusting: Vec<&crate::inventory::PrincipalDetail> = inv
            .principals
            .iter()
            .filter(|p| p.trust.as_deref().is_some_and(|t| t.contains(provider.as_str())))
            .collect();
        if trusting.is_empty() {
            verdict.notes.push("no role trusts this provider yet".into());
            return Ok(());
        }
        let audit = self.audit(&inv, Some(&verdict.change.account_id));
        let worst = |arn: &str| {
            audit
                .findings
                .iter()
                .filter(|f| f.principal_arn == arn && f.finding.bounded_by.is_none())
                .map(|f| f.finding.severity)
                .max()
        };
        let mut named = Vec::new();
        let mut admin = false;
        for p in trusting.iter().take(MAX_ROLES) {
            let w = worst(&p.arn);
            admin |= audit.findings.iter().any(|f| f.principal_arn == p.arn && f.finding.rule == RuleId::Admin);
            named.push(match w {
                Some(s) => format!("{} ({s})", crate::arn::resource_name(&p.arn)),
                None => crate::arn::resource_name(&p.arn).to_string(),
            });
        }
        let more = trusting.len().saturating_sub(MAX_ROLES);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        verdict.notes.push(format!("roles that trust this provider: {}{more}", named.join(", ")));
        if admin {
            if let Some(f) = verdict.judged.iter_mut().flat_map(|j| j.findings.iter_mut()).next() {
                f.severity = Severity::Critical;
                f.message.push_str(" — an administrator role trusts it");
            }
        }
        Ok(())
    }
}
