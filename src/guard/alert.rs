//! The alert a person acts on in 30 seconds: subject ≤ 100 chars, a plain-text body (who, when,
//! from where, what, which rule and why, what the guard did or would do, the AWS CLI command
//! to restore, a least-privilege suggestion), a JSON document with the same facts for machines,
//! and message attributes (severity, rule, action, account) for SNS filter policies.

pub use super::ports::Alert;
use super::{Executed, Plan, Reason, Remediation, Verdict};
use crate::intake::Action;
use crate::resources::{ResourceFix, Written};
use crate::rules::Severity;
use serde_json::json;
use std::fmt::Write;

/// SNS requires subjects shorter than 100 characters, ASCII, without line breaks.
pub const SUBJECT_MAX: usize = 99;

fn what(a: &Action) -> String {
    let name = crate::arn::resource_name;
    match a {
        Action::AttachPolicy { target, policy_arn } => format!("{} attached to {target}", name(policy_arn)),
        Action::PutInlinePolicy { target, policy_name, .. } => format!("inline policy {policy_name} put on {target}"),
        Action::CreateRole { role, .. } => format!("role {role} created"),
        Action::UpdateTrustPolicy { role, .. } => format!("trust policy of role {role} changed"),
        Action::CreatePolicy { policy_name, .. } => format!("policy {policy_name} created"),
        Action::CreatePolicyVersion { policy_arn, set_as_default: true, .. } => {
            format!("new default version of {}", name(policy_arn))
        }
        Action::CreatePolicyVersion { policy_arn, .. } => format!("new version of {}", name(policy_arn)),
        Action::SetDefaultPolicyVersion { policy_arn, version_id } => {
            format!("default version of {} set to {version_id}", name(policy_arn))
        }
        Action::AddUserToGroup { user, group } => format!("user {user} added to group {group}"),
        Action::Denied { target, call, error, .. } => format!("{target} was denied {call} ({error})"),
        Action::CreateAccessKey { user, .. } => format!("access key created for user {user}"),
        Action::CreateLoginProfile { user } => format!("console password created for user {user}"),
        Action::DeletePermissionsBoundary { target } => format!("permissions boundary removed from {target}"),
        Action::UpdateLoginProfile { user } => format!("console password of user {user} reset"),
        Action::ReactivateAccessKey { user, access_key_id } => {
            format!("access key {access_key_id} of user {user} made active again")
        }
        Action::RootCredential { credential } => match credential {
            crate::intake::RootCredential::AccessKey => "ROOT access key created".into(),
            crate::intake::RootCredential::ReactivatedAccessKey => "ROOT access key made active again".into(),
            crate::intake::RootCredential::LoginProfile => "ROOT console password set".into(),
        },
        Action::PutPermissionsBoundary { target, boundary_arn } => {
            format!("permissions boundary of {target} set to {}", name(boundary_arn))
        }
        Action::Posture { posture } => super::judge_posture::what(posture),
        Action::CreatePermissionSet { name: set_name, .. } => format!("permission set {set_name} created"),
        Action::PermissionSetManagedPolicy { set, policy_arn } => format!("{} attached to {set}", name(policy_arn)),
        Action::PermissionSetInlinePolicy { set, .. } => format!("inline policy put on {set}"),
        Action::PermissionSetCustomerPolicy { set, name: policy, path } => {
            format!("customer managed policy {path}{policy} referenced by {set}")
        }
        Action::PermissionSetBoundary { set, boundary } => {
            format!("permissions boundary of {set} set to {}", name(boundary))
        }
        Action::AccountAssignment { set, target_account, principal_type, .. } => {
            format!("{set} assigned to a {} in account {target_account}", principal_type.to_lowercase())
        }
        Action::ResourceAccess { resource, written, .. } => match written {
            Written::Policy => format!("{} of {resource} set", resource.kind.info().policy),
            Written::Statement { id } => format!("permission {id} added to {resource}"),
            Written::Shared { accounts } => format!("{resource} shared with {}", accounts.join(", ")),
            Written::Grant { grantee, .. } => format!("grant on {resource} created for {grantee}"),
            Written::Setting { what, .. } => format!("{what} on {resource}"),
        },
    }
}

/// The `action` attribute and the subject's suffix.
fn outcome(plan: &Plan, executed: Option<&Executed>) -> (&'static str, String) {
    let verb = |r: &Remediation| match r {
        Remediation::Detach { .. } => ("detached", "detach"),
        Remediation::RevertDefaultVersion { .. } => ("reverted", "revert"),
        Remediation::DeleteInline { .. } => ("deleted", "delete"),
        Remediation::DeactivateAccessKey { .. } => ("deactivated", "deactivate"),
        Remediation::RewriteTrust { .. } => ("rewritten", "rewrite trust"),
        Remediation::DeleteLoginProfile { .. } => ("deleted", "delete"),
        Remediation::Quarantine { .. } => ("quarantined", "quarantine"),
        Remediation::PutBoundary { .. } => ("restored", "restore the boundary"),
        Remediation::Replace { .. } => ("replaced", "replace with least privilege"),
        Remediation::Grant { .. } => ("granted", "grant exactly what was denied"),
        Remediation::ReplaceInline { .. } => ("replaced", "replace with least privilege"),
        Remediation::UnreplaceInline { .. } => ("put back", "put back"),
        Remediation::Unreplace { .. } => ("put back", "put back"),
        Remediation::Attach { .. } => ("attached", "attach"),
        Remediation::PutInline { .. } => ("put back", "put back"),
        Remediation::ActivateAccessKey { .. } => ("reactivated", "reactivate"),
        Remediation::DeleteBoundary { .. } => ("removed", "remove the boundary"),
        Remediation::DetachFromPermissionSet { .. } => ("detached", "detach"),
        Remediation::AttachToPermissionSet { .. } => ("attached", "attach"),
        Remediation::DeletePermissionSetInline { .. } => ("deleted", "delete"),
        Remediation::PutPermissionSetInline { .. } => ("put back", "put back"),
        Remediation::Resource(ResourceFix::SetPolicy { policy: None, .. }) => ("removed", "remove the policy"),
        Remediation::Resource(ResourceFix::SetPolicy { .. }) => ("narrowed", "narrow the policy"),
        Remediation::Resource(ResourceFix::RemoveStatement { .. }) => ("removed", "remove the permission"),
        Remediation::Resource(ResourceFix::AddStatement { .. }) => ("put back", "put back"),
        Remediation::Resource(ResourceFix::Unshare { .. }) => ("unshared", "unshare"),
        Remediation::Resource(ResourceFix::Share { .. }) => ("shared again", "share again"),
        Remediation::Resource(ResourceFix::RevokeGrant { .. }) => ("revoked", "revoke the grant"),
    };
    match (plan, executed) {
        (Plan::Remediate { remediation }, Some(Executed::Done)) => ("remediated", verb(remediation).0.to_string()),
        (Plan::Remediate { remediation }, Some(Executed::AlreadyDone)) => {
            ("remediated", format!("already {}", verb(remediation).0))
        }
        (Plan::Remediate { .. }, Some(Executed::Denied { .. })) => ("failed", "could not act".into()),
        (Plan::Remediate { remediation }, None) => ("would_remediate", format!("would {}", verb(remediation).1)),
        (Plan::Alert { would: Some(r), .. }, _) => ("alerted", format!("would {} in enforce mode", verb(r).1)),
        (Plan::Alert { why: Reason::HandsOff(_), .. }, _) => ("skipped", "not remediated".into()),
        (Plan::Alert { why: Reason::InfrastructureAsCode(_), .. }, _) => ("skipped", "fix it in the stack".into()),
        _ => ("alerted", String::new()),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 3).collect();
    out.push_str("...");
    out
}

/// SNS subjects: printable ASCII only.
fn ascii_subject(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect()
}

/// Builds the alert for a verdict (None for a clean or ignored one).
pub fn build(v: &Verdict, executed: Option<&Executed>, exempt_tag: &str) -> Option<Alert> {
    let severity = v.severity()?;
    if matches!(v.plan, Plan::Clean | Plan::Quiet { .. } | Plan::Ignore { .. } | Plan::NotJudged { .. }) {
        return None;
    }
    let c = &v.change;
    // The first of the most severe: rules are ordered most specific first (admin before denylist).
    let top = v.findings().reduce(|a, b| if b.severity > a.severity { b } else { a })?;
    let (action_attr, suffix) = outcome(&v.plan, executed);
    let subject = subject_line(severity, &with_set_name(what(&c.action), v), &suffix);
    let mut t = String::new();
    let _ = writeln!(t, "{subject}\n");
    write_header(&mut t, c);
    write_findings(&mut t, v);
    let restore = write_guard(&mut t, &v.plan, executed);
    write_least_privilege(&mut t, v, top);
    let act = super::alert_act::act(v, top, exempt_tag);
    super::alert_act::write(&mut t, &act);
    write_documents(&mut t, v);
    let json = json!({
        "schema": "iam-guard.alert/1",
        "subject": subject,
        "text": t,
        "severity": severity,

        "rule": top.rule,
        "action": action_attr,
        "account": c.account_id,
        "region": c.region,
        "event": {"id": c.event_id, "id_derived": c.event_id_derived, "name": c.event_name, "time": c.event_time, "source_ip": c.source_ip, "user_agent": c.user_agent},
        "actor": c.actor,
        "change": c,
        "judged": v.judged,
        "plan": v.plan,
        "executed": executed,
        "restore_command": restore,
        "act": act,
        "notes": v.notes,
    });
    let attributes = vec![
        ("severity", severity.as_str().to_string()),
        ("rule", top.rule.to_string()),
        ("action", action_attr.to_string()),
        ("account", c.account_id.clone()),
        // SNS delivers at least once: a subscriber drops a repeat by this id.
        ("event_id", c.event_id.clone()),
    ];
    Some(Alert { subject, text: t, json, attributes, dedup_id: c.event_id.clone() })
}

/// A permission set by its name (read when it was judged) instead of its id (`ps-4d5e…`).
fn with_set_name(what: String, v: &Verdict) -> String {
    let Some(set) = v.change.action.permission_set() else { return what };
    let name = v.judged.iter().find_map(|j| j.label.strip_prefix("permission set ")?.split(": ").next());
    match name {
        Some(n) if !n.is_empty() => {
            what.replacen(&format!("permission set {}", set.id()), &format!("permission set {n}"), 1)
        }
        _ => what,
    }
}

/// `[HIGH] AmazonS3FullAccess attached to role app - detached`: severity and outcome always
/// fit; a long "what" (role names run to 64 chars) is shortened.
fn subject_line(severity: Severity, what: &str, suffix: &str) -> String {
    let sev = format!("[{}] ", severity.as_str().to_uppercase());
    let tail = if suffix.is_empty() { String::new() } else { format!(" - {suffix}") };
    let room = SUBJECT_MAX.saturating_sub(sev.len() + tail.len());
    ascii_subject(&format!("{sev}{}{tail}", truncate(what, room)))
}

/// What, who, when, where.
fn write_header(t: &mut String, c: &crate::intake::Change) {
    let _ = writeln!(t, "What:   {} — {}", c.event_name, what(&c.action));
    let actor = c.actor.arn.as_deref().unwrap_or("(unknown caller)");
    let via = c.actor.session_issuer_arn.as_deref().map(|s| format!(" via {s}")).unwrap_or_default();
    let console = if c.actor.console { ", console" } else { "" };
    let _ = writeln!(t, "Who:    {actor}{via} ({}{console})", c.actor.identity_type);
    let derived = if c.event_id_derived { ", derived: the record has no eventID" } else { "" };
    let _ = writeln!(t, "When:   {} (event {}{derived})", c.event_time.to_rfc3339(), c.event_id);
    let from = c.source_ip.as_deref().unwrap_or("unknown address");
    let agent = c.user_agent.as_deref().map(|a| format!(" using {}", truncate(a, 60))).unwrap_or_default();
    let _ = writeln!(t, "Where:  account {}, {}, from {from}{agent}", c.account_id, c.region);
}

/// Every finding, with the policy and statement it is in.
fn write_findings(t: &mut String, v: &Verdict) {
    let _ = writeln!(t, "\nFindings:");
    for j in &v.judged {
        for f in &j.findings {
            let at = f.evidence.first().map(|e| format!(", {}", e.location())).unwrap_or_default();
            let _ = writeln!(t, "  {:<8} {} — {}", f.severity.as_str().to_uppercase(), f.rule, f.message);
            let _ = writeln!(t, "           in {}{at}", j.label);
        }
    }
    let _ = writeln!(t);
}

/// What the guard did (or would do, or could not), and the command that restores it.
fn write_guard(t: &mut String, plan: &Plan, executed: Option<&Executed>) -> Option<String> {
    let restore = match (plan, executed) {
        (Plan::Remediate { remediation }, Some(Executed::Done | Executed::AlreadyDone)) => {
            let _ = writeln!(t, "Guard:  {} (enforce mode).", capitalise(&remediation.describe()));
            Some(remediation.restore_command())
        }
        (Plan::Remediate { remediation }, Some(Executed::Denied { reason })) => {
            let _ = writeln!(t, "Guard:  COULD NOT {}: {reason}. Act by hand.", remediation.describe());
            None
        }
        (Plan::Remediate { remediation }, None) => {
            let _ = writeln!(t, "Guard:  would {} (enforce mode).", remediation.describe());
            None
        }
        (Plan::Alert { why, would: Some(r) }, _) => {
            let _ = writeln!(t, "Guard:  alert only ({why}); enforce mode would {}.", r.describe());
            None
        }
        (Plan::Alert { why, would: None }, _) => {
            let _ = writeln!(t, "Guard:  alert only — {why}.");
            None
        }
        _ => None,
    };
    if let Some(cmd) = &restore {
        let _ = writeln!(t, "Restore (if this grant was intended): {cmd}");
    }
    restore
}

/// The least-privilege hint (or the policy given back), and the notes.
fn write_least_privilege(t: &mut String, v: &Verdict, top: &crate::rules::Finding) {
    match v.plan.remediation() {
        Some(Remediation::Replace { .. } | Remediation::ReplaceInline { .. }) => {
            let _ =
                writeln!(t, "Least privilege: given back — the policy below is what the principal used the grant for");
        }
        _ => {
            let _ = writeln!(t, "Least privilege: {}", top.hint);
        }
    }
    for n in &v.notes {
        let _ = writeln!(t, "Note: {n}");
    }
    if let Some(
        Remediation::Replace { policy_name, document, .. }
        | Remediation::ReplaceInline { learned_name: policy_name, document, .. },
    ) = v.plan.remediation()
    {
        let _ = writeln!(
            t,
            "\nLeast-privilege policy {policy_name} (learned from CloudTrail, what the grant was used for):\n{}",
            pretty(document)
        );
    }
}

/// The documents of the policies with findings, pretty-printed.
fn write_documents(t: &mut String, v: &Verdict) {
    for j in v.judged.iter().filter(|j| j.document.is_some() && !j.findings.is_empty()) {
        let doc = j.document.as_deref().unwrap_or_default();
        let _ = writeln!(t, "\nDocument of {}:\n{}", j.label, pretty(doc));
    }
}

/// A JSON document pretty-printed (as given when it is not JSON).
fn pretty(doc: &str) -> String {
    serde_json::from_str::<serde_json::Value>(doc)
        .and_then(|d| serde_json::to_string_pretty(&d))
        .unwrap_or_else(|_| doc.to_string())
}

/// Remediation lines listed in a digest (the rest are counted).
pub const DIGEST_ACTIONS: usize = 50;

/// The sweep's digest: counts by severity, the top findings, what was done; None when nothing
/// reaches `min` and nothing was acted on.
pub fn digest(r: &super::sweep::SweepReport, min: Severity, top: usize) -> Option<Alert> {
    let acted = r.actions.iter().filter(|a| a.executed.is_some()).count();
    let worst = r.worst();
    if worst.is_none_or(|w| w < min) && acted == 0 {
        return None;
    }
    let severity = worst.unwrap_or(Severity::Info);
    let counts: Vec<String> = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low]
        .into_iter()
        .filter(|s| r.count(*s) > 0)
        .map(|s| format!("{} {s}", r.count(s)))
        .collect();
    let done = if acted > 0 { format!(" - {acted} remediated") } else { String::new() };
    let subject = truncate(
        &ascii_subject(&format!(
            "[{}] IAM sweep of {}: {}{done}",
            severity.as_str().to_uppercase(),
            r.account_id,
            counts.join(", ")
        )),
        SUBJECT_MAX,
    );
    let mut t = String::new();
    let _ = writeln!(t, "{subject}\n");
    write_digest_summary(&mut t, r, &counts);
    write_top_findings(&mut t, r, min, top);
    write_digest_actions(&mut t, r);
    // Counts and the top of the lists: SNS messages are capped at 256 KB, the full report is the
    // CLI's job.
    let top_findings: Vec<_> = r.findings.iter().filter(|f| f.finding.severity >= min).take(top).collect();
    let json = json!({
        "schema": "iam-guard.sweep/1",
        "subject": subject,
        "text": t,
        "severity": severity,
        "account": r.account_id,
        "mode": r.mode,
        "principals": r.principals,
        "policies_judged": r.policies_judged,
        "counts": {"critical": r.count(Severity::Critical), "high": r.count(Severity::High),
                   "medium": r.count(Severity::Medium), "low": r.count(Severity::Low)},
        "top_findings": top_findings,
        "actions": r.actions.iter().take(DIGEST_ACTIONS).collect::<Vec<_>>(),
        "actions_total": r.actions.len(),
    });
    let attributes = vec![
        ("severity", severity.as_str().to_string()),
        ("rule", "sweep".to_string()),
        ("action", if acted > 0 { "remediated" } else { "alerted" }.to_string()),
        ("account", r.account_id.clone()),
    ];
    Some(Alert {
        subject,
        text: t,
        json,
        attributes,
        dedup_id: format!("sweep-{}", chrono::Utc::now().format("%Y-%m-%dT%H:%M")),
    })
}

/// The account, its counts, the organization's accounts, and how many can become admin.
fn write_digest_summary(t: &mut String, r: &super::sweep::SweepReport, counts: &[String]) {
    let _ = writeln!(
        t,
        "Account {}: {} principals, {} managed policies judged, mode {:?}.",
        r.account_id, r.principals, r.policies_judged, r.mode
    );
    let _ = writeln!(t, "Findings: {}", if counts.is_empty() { "none".into() } else { counts.join(", ") });
    if !r.accounts.is_empty() {
        let _ = writeln!(t, "\nAccounts ({}):", r.accounts.len());
        for a in &r.accounts {
            let _ = writeln!(t, "  {} {}: {}", a.account_id, a.name, a.line());
        }
    }
    let can_become_admin = r.findings.iter().filter(|f| f.finding.rule == crate::rules::RuleId::EscalationPath).count();
    if can_become_admin > 0 {
        let _ = writeln!(
            t,
            "Can become admin: {can_become_admin} principals that do not hold admin can reach it (escalation-path)."
        );
    }
}

/// The first `top` findings at or above `min`, and how many more.
fn write_top_findings(t: &mut String, r: &super::sweep::SweepReport, min: Severity, top: usize) {
    let _ = writeln!(t, "\nTop findings:");
    for f in r.findings.iter().filter(|f| f.finding.severity >= min).take(top) {
        let _ = writeln!(
            t,
            "  {:<8} {:<22} {} — {} [{}]",
            f.finding.severity.as_str().to_uppercase(),
            f.finding.rule,
            f.principal,
            f.finding.message,
            f.policy
        );
    }
    let more = r.findings.iter().filter(|f| f.finding.severity >= min).count().saturating_sub(top);
    if more > 0 {
        let _ = writeln!(
            t,
            "  … and {more} more at or above {min}: run `iam-guard sweep --format html` for the full table."
        );
    }
}

/// What the sweep did or would do, the first [`DIGEST_ACTIONS`] of it.
fn write_digest_actions(t: &mut String, r: &super::sweep::SweepReport) {
    if r.actions.is_empty() {
        return;
    }
    let _ = writeln!(t, "\nRemediation:");
    for a in r.actions.iter().take(DIGEST_ACTIONS) {
        let what = a.remediation.describe();
        let line = match (&a.executed, &a.skipped) {
            (Some(Executed::Done), _) => format!("done: {what} (restore: {})", a.remediation.restore_command()),
            (Some(Executed::AlreadyDone), _) => format!("already done: {what}"),
            (Some(Executed::Denied { reason }), _) => format!("COULD NOT {what}: {reason}"),
            (None, Some(why)) => format!("not done ({why}): {what}"),
            (None, None) => format!("pending: {what}"),
        };
        let _ = writeln!(t, "  {line}");
    }
    if r.actions.len() > DIGEST_ACTIONS {
        let _ =
            writeln!(t, "  … and {} more (iam-guard sweep --format json lists all).", r.actions.len() - DIGEST_ACTIONS);
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The severity label used in subjects.
pub fn label(s: Severity) -> String {
    s.as_str().to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::engine::Engine;
    use crate::guard::memory::MemoryIam;
    use crate::guard::Guard;
    use crate::intake::{self, Intake, Outcome};

    fn verdict(role: &str, mode: Mode) -> Verdict {
        let ev = serde_json::json!({"eventSource": "iam.amazonaws.com", "eventName": "AttachRolePolicy", "eventID": "e1",
            "eventTime": "2026-11-20T10:15:30Z", "recipientAccountId": "111122223333",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/bob"},
            "requestParameters": {"roleName": role, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}});
        let Intake::Deliveries { mut deliveries, .. } = intake::parse(ev).unwrap() else { panic!() };
        let Outcome::Change(c) = deliveries.remove(0).outcome.unwrap().remove(0) else { panic!() };
        let cfg = crate::config::Config { mode, ..Default::default() };
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(Guard::new(Engine::new(cfg), None).evaluate(&MemoryIam::new(), *c, &Default::default())).unwrap()
    }

    #[test]
    fn long_names_keep_severity_and_outcome_in_the_subject() {
        let long = "r".repeat(64);
        let v = verdict(&long, Mode::Alert);
        let a = build(&v, None, "iam-guard:exempt").unwrap();
        assert!(a.subject.len() <= SUBJECT_MAX && a.subject.is_ascii(), "{}", a.subject);
        assert!(a.subject.starts_with("[CRITICAL] AdministratorAccess attached to role rrr"), "{}", a.subject);
        assert!(a.subject.ends_with("... - would detach in enforce mode"), "{}", a.subject);
    }

    #[test]
    fn denied_remediation_says_the_guard_could_not_act() {
        let v = verdict("app", Mode::Enforce);
        let a =
            build(&v, Some(&Executed::Denied { reason: "AccessDenied: not authorized".into() }), "iam-guard:exempt")
                .unwrap();
        assert!(a.subject.ends_with("- could not act"), "{}", a.subject);
        assert!(
            a.text.contains("COULD NOT detach AdministratorAccess from role app: AccessDenied: not authorized"),
            "{}",
            a.text
        );
        assert_eq!(a.attributes.iter().find(|(k, _)| *k == "action").unwrap().1, "failed");
    }

    #[test]
    fn email_text_has_who_when_where_what_and_the_restore_command() {
        let v = verdict("app", Mode::Enforce);
        let a = build(&v, Some(&Executed::Done), "iam-guard:exempt").unwrap();
        for want in [
            "What:   AttachRolePolicy",
            "Who:    arn:aws:iam::111122223333:user/bob (IAMUser)",
            "When:   2026-11-20T10:15:30+00:00 (event e1)",
            "Where:  account 111122223333",
            "CRITICAL admin",
            "Guard:  Detach AdministratorAccess from role app (enforce mode).",
            "Restore (if this grant was intended): aws iam attach-role-policy --role-name app --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
            "Least privilege: ",
        ] {
            assert!(a.text.contains(want), "missing {want:?} in:\n{}", a.text);
        }
    }

    #[test]
    fn an_alert_says_how_to_act_in_thirty_seconds() {
        let v = verdict("app-worker", Mode::Alert);
        let a = build(&v, None, "team:exempt").unwrap();
        for want in [
            "Fix it yourself: aws iam detach-role-policy --role-name app-worker --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
            "Console (role app-worker): https://console.aws.amazon.com/iam/home#/roles/details/app-worker",
            "Console (AdministratorAccess): https://console.aws.amazon.com/iam/home#/policies/details/arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FAdministratorAccess",
            "Console (CloudTrail event): https://console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/e1",
            "aws iam tag-role --role-name app-worker --tags Key=team:exempt,Value=REASON",
            "principal = \"arn:aws:iam::111122223333:role/app-worker\"",
            "Mute the rule: [rules.admin] action = \"ignore\"",
        ] {
            assert!(a.text.contains(want), "missing {want:?} in:\n{}", a.text);
        }
        assert_eq!(a.json["act"]["do_it_yourself"], "aws iam detach-role-policy --role-name app-worker --policy-arn arn:aws:iam::aws:policy/AdministratorAccess");
        // Done in enforce mode: the restore command, no do-it-yourself.
        let v = verdict("app-worker", Mode::Enforce);
        let a = build(&v, Some(&Executed::Done), "team:exempt").unwrap();
        assert!(!a.text.contains("Fix it yourself"), "{}", a.text);
    }
}
