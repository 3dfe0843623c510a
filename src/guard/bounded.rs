//! A bounded principal's policies: judged for what the principal effectively holds within its
//! permissions boundary (and its account's SCPs, where known), with what the limits cut away
//! said in the findings, never silently dropped.
//!
//! Each policy is judged twice: within the limits (the verdict the guard acts on) and alone (the
//! document's own verdict, which `check` shows). A finding of the document alone that does not
//! hold within the limits stays visible at `info`, marked [`Finding::bounded_by`], saying what
//! the principal is left with ("bounded by permissions boundary ReadOnlyAccess: admin → read,
//! list only on 313 services (…) on every resource"); it is never acted on. A finding that holds at a lower severity
//! says from what it came down.
//!
//! Where the limits come from: the event path reads the principal (or, for an attach in alert
//! mode, recalls the boundary the ledger last saw); the sweep has them in its inventory and, in an
//! organization, the account's SCPs ([`Limits`], each combination evaluated once per sweep).

use super::judge::{managed_label, Recall};
use super::ports::{IamRead, PortError, PrincipalDetail, PrincipalInfo, ScpLevel};
use super::{Guard, JudgedPolicy};
use crate::config::Mode;
use crate::eval::{describe, named_actions, Effective, Limit};
use crate::intake::{PrincipalKind, Target};
use crate::policy::{PolicyDocument, PolicyKind, Statement};
use crate::rules::Finding;
use crate::severity::Severity;
use std::collections::HashMap;
use std::sync::Arc;

/// A boundary's label for messages: "permissions boundary ReadOnlyAccess".
pub(crate) fn boundary_label(boundary_arn: &str) -> String {
    format!("permissions boundary {}", crate::arn::resource_name(boundary_arn))
}

/// The limit of a boundary (its document at hand, or none) within the account's SCP levels
/// (none, unknown, or allowing everything: no SCP limit).
pub(crate) fn limit_within(boundary: Option<(&str, &PolicyDocument)>, scps: &[ScpLevel]) -> Option<Arc<Limit>> {
    let account = Limits::new(scps);
    let mut levels: Vec<(String, Vec<&PolicyDocument>)> = Vec::new();
    if let Some((arn, doc)) = boundary {
        levels.push((boundary_label(arn), vec![doc]));
    }
    levels.extend(account.scps.iter().map(|(l, d)| (l.clone(), d.iter().collect())));
    if levels.is_empty() {
        return None;
    }
    Limit::of_levels(levels).map(Arc::new)
}

impl Guard {
    /// A principal's limit: its boundary's — an AWS managed one from the embedded data (no IAM
    /// read), a customer managed one read from IAM — within the account's SCPs (`scps`, the
    /// hub's member accounts). A boundary whose document cannot be read is noted, and the
    /// principal judged as if unbounded (nothing is missed); the SCPs still apply.
    pub(super) async fn limit_of<R: IamRead>(
        &self,
        iam: &R,
        (boundary_arn, scps): (Option<&str>, &[ScpLevel]),
        notes: &mut Vec<String>,
    ) -> Result<Option<Arc<Limit>>, PortError> {
        let doc = match boundary_arn {
            Some(b) => self.managed_document(iam, b, None).await?,
            None => None,
        };
        let limit = limit_within(boundary_arn.zip(doc.as_ref()), scps);
        if let (Some(b), None) = (boundary_arn, &doc) {
            notes.push(format!("its permissions boundary {b} could not be read: judged as if unbounded"));
        }
        if let Some(l) = &limit {
            notes.push(format!("judged within its {}", l.label));
        }
        Ok(limit)
    }

    /// A role's or user's limit, from one read of the principal (and its boundary's document
    /// when customer managed), within the account's SCPs (not for service-linked roles, which
    /// SCPs do not limit). A group has no boundary: the SCPs alone. The principal is returned
    /// for the hands-off rules.
    pub(super) async fn principal_limit<R: IamRead>(
        &self,
        iam: &R,
        (target, scps): (&Target, &[ScpLevel]),
        notes: &mut Vec<String>,
    ) -> Result<(Option<PrincipalInfo>, Option<Arc<Limit>>), PortError> {
        if target.kind == PrincipalKind::Group {
            return Ok((None, self.limit_of(iam, (None, scps), notes).await?));
        }
        let info = iam.principal(target).await?;
        let service_linked = info.as_ref().is_some_and(|i| i.path.starts_with("/aws-service-role/"));
        let scps = if service_linked { &[][..] } else { scps };
        let limit = self.limit_of(iam, (info.as_ref().and_then(|i| i.boundary.as_deref()), scps), notes).await?;
        Ok((info, limit))
    }

    /// The limit of the principal a policy was attached to. An attach costs no IAM read when
    /// nothing is to be done or the guard only alerts: the boundary then comes from the ledger
    /// (as the guard last saw it; unseen principals are judged unbounded). When enforce mode
    /// would act, the principal is read anyway (hands-off), and its boundary is the current one.
    /// Either way within the account's SCPs, when known (`recall.scps`).
    pub(super) async fn attach_limit<R: IamRead>(
        &self,
        iam: &R,
        target: &Target,
        (judged, recall): (&JudgedPolicy, &Recall),
        notes: &mut Vec<String>,
    ) -> Result<(Option<PrincipalInfo>, Option<Arc<Limit>>), PortError> {
        if self.engine.config().mode == Mode::Enforce && self.remediable(judged) {
            let (info, limit) = self.principal_limit(iam, (target, &recall.scps), notes).await?;
            // A principal IAM does not show (an offline replay that never saw it created) keeps
            // the boundary the ledger remembers.
            if info.is_some() {
                return Ok((info, limit));
            }
        }
        let boundary = recall.boundary.as_deref().filter(|_| target.kind != PrincipalKind::Group);
        Ok((None, self.limit_of(iam, (boundary, &recall.scps), notes).await?))
    }

    /// A permission set's limit: its boundary's when that is an AWS managed policy. A customer
    /// managed reference resolves in each account the set is provisioned to: noted, judged
    /// unbounded (nothing is missed). SCPs differ per account the set reaches: not applied.
    pub(super) async fn set_limit<R: IamRead>(
        &self,
        iam: &R,
        (via, boundary): (&str, Option<&str>),
        notes: &mut Vec<String>,
    ) -> Result<Option<Arc<Limit>>, PortError> {
        match boundary {
            None => Ok(None),
            Some(arn) if arn.starts_with("arn:") => self.limit_of(iam, (Some(arn), &[]), notes).await,
            Some(reference) => {
                notes.push(format!(
                    "{via}permissions boundary: customer managed policy reference {reference} (resolved per account): \
                     judged unbounded"
                ));
                Ok(None)
            }
        }
    }

    /// A policy put on a permission set, judged again within the set's boundary when the bare
    /// verdict would act (one read of the boundary, only then; an unreadable one is noted and
    /// the policy judged unbounded).
    pub(super) async fn within_set_boundary<R: IamRead>(
        &self,
        iam: &R,
        (account_id, set): (&str, &crate::intake::PermissionSet),
        (judged, doc): (JudgedPolicy, &PolicyDocument),
        notes: &mut Vec<String>,
    ) -> Result<JudgedPolicy, PortError> {
        if !self.remediable(&judged) {
            return Ok(judged);
        }
        let boundary = iam.permission_set_boundary(set).await.unwrap_or_else(|e| {
            notes.push(format!("the permissions boundary of {set} could not be read ({e}): judged unbounded"));
            None
        });
        let Some(limit) = self.set_limit(iam, ("", boundary.as_deref()), notes).await? else { return Ok(judged) };
        let mut j = self.judge_bounded(account_id, judged.label.clone(), judged.policy_arn.as_deref(), doc, &limit);
        (j.unknown, j.document) = (judged.unknown, judged.document);
        Ok(j)
    }

    /// Judges one held identity policy (its foreign denies appended) within `limit`: see the
    /// module documentation.
    pub(crate) fn judge_bounded(
        &self,
        account_id: &str,
        label: String,
        policy_arn: Option<&str>,
        doc: &PolicyDocument,
        limit: &Arc<Limit>,
    ) -> JudgedPolicy {
        let alone = self.judge_policy(account_id, label.clone(), policy_arn, PolicyKind::Identity, doc);
        let mut within =
            self.judge_policy_in(account_id, label, policy_arn, PolicyKind::Identity, doc, Some(limit.clone()));
        for f in &mut within.findings {
            if let Some(was) = alone.findings.iter().find(|u| same(u, f) && u.severity > f.severity) {
                f.message = format!("bounded by {}: {} → {}; {}", limit.label, was.severity, f.severity, f.message);
            }
        }
        let left = what_is_left(doc, limit);
        let cut: Vec<Finding> = alone
            .findings
            .into_iter()
            .filter(|u| !within.findings.iter().any(|b| same(u, b)))
            .map(|u| cut_finding(u, limit, &left))
            .collect();
        within.findings.extend(cut);
        within.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        within
    }
}

/// The same finding: one rule, on the same statements.
fn same(a: &Finding, b: &Finding) -> bool {
    a.rule == b.rule && statements(a) == statements(b)
}

fn statements(f: &Finding) -> Vec<Option<usize>> {
    f.evidence.iter().map(|e| e.statement).collect()
}

/// The document's own finding, shown for a principal whose limits cut it away.
fn cut_finding(u: Finding, limit: &Limit, left: &str) -> Finding {
    Finding {
        severity: Severity::Info,
        message: format!("bounded by {}: {} → {left}; the document alone: {}", limit.label, u.rule, u.message),
        hint: format!(
            "The {} holds this grant back: keep it in place (removing or widening it gives the grant back), and \
             narrow the document to what the principal needs.",
            limit.label
        ),
        bounded_by: Some(limit.label.clone()),
        ..u
    }
}

/// What the document effectively grants within the limit, in a few words.
fn what_is_left(doc: &PolicyDocument, limit: &Limit) -> String {
    let named = doc.statements.iter().map(named_actions).collect();
    let (e, _) = Effective::of_named_within(doc, named, Some(&limit.effective));
    if !e.everywhere.is_empty() {
        let more = match e.narrowed.len() {
            0 => String::new(),
            1 => " and 1 more action under conditions".to_string(),
            n => format!(" and {n} more actions under conditions"),
        };
        return format!("{} on every resource{more}", describe(&e.everywhere));
    }
    if !e.narrowed.is_empty() {
        return format!("{} on every resource under conditions", describe(&e.narrowed));
    }
    if !e.anywhere.is_empty() {
        return format!("{} on named resources", describe(&e.anywhere));
    }
    "nothing".into()
}

/// The limits of an account's principals — each permissions boundary, the account's SCPs — each
/// combination evaluated once per sweep.
pub(super) struct Limits {
    /// The SCP levels (root first), labelled; empty when unknown or when they allow everything.
    scps: Vec<(String, Vec<PolicyDocument>)>,
    /// Per (boundary, SCPs apply).
    of: HashMap<(Option<String>, bool), Option<Arc<Limit>>>,
}

impl Limits {
    pub(super) fn new(scps: &[ScpLevel]) -> Limits {
        let names: Vec<&str> =
            scps.iter().flat_map(|l| &l.policies).map(|(n, _)| n.as_str()).filter(|n| *n != "FullAWSAccess").collect();
        let label = format!("SCP {}", names.join(", "));
        let levels: Option<Vec<(String, Vec<PolicyDocument>)>> = scps
            .iter()
            .map(|l| {
                let docs: Option<Vec<PolicyDocument>> =
                    l.policies.iter().map(|(_, d)| PolicyDocument::parse(d).ok()).collect();
                Some((label.clone(), docs.filter(|d| !d.is_empty())?))
            })
            .collect();
        // An SCP that does not parse (or a level without one) leaves the SCPs unknown: judged
        // without them, so nothing is missed.
        let levels = levels.unwrap_or_default();
        // SCPs that allow every action and deny none (FullAWSAccess alone) limit nothing.
        let limits_nothing = names.is_empty()
            || Limit::of_levels(levels.iter().map(|(l, d)| (l.clone(), d.iter().collect())).collect()).is_some_and(
                |l| {
                    l.effective.denied.is_empty()
                        && l.effective.everywhere.len() == crate::catalog::Catalog::global().len()
                },
            );
        Limits { scps: if limits_nothing { Vec::new() } else { levels }, of: HashMap::new() }
    }

    /// The principal's limit: its boundary's (when its document is known) and the account's
    /// SCPs (not for service-linked roles).
    pub(super) fn of(
        &mut self,
        p: &PrincipalDetail,
        managed_docs: &HashMap<&str, Option<PolicyDocument>>,
    ) -> Option<Arc<Limit>> {
        let scps = !self.scps.is_empty() && !p.path.starts_with("/aws-service-role/");
        let key = (p.boundary.clone(), scps);
        if let Some(l) = self.of.get(&key) {
            return l.clone();
        }
        let mut levels: Vec<(String, Vec<&PolicyDocument>)> = Vec::new();
        let boundary = p.boundary.as_deref().and_then(|a| Some((a, managed_docs.get(a)?.as_ref()?)));
        if let Some((arn, doc)) = boundary {
            levels.push((boundary_label(arn), vec![doc]));
        }
        if scps {
            levels.extend(self.scps.iter().map(|(l, d)| (l.clone(), d.iter().collect())));
        }
        let limit = if levels.is_empty() { None } else { Limit::of_levels(levels).map(Arc::new) };
        self.of.insert(key, limit.clone());
        limit
    }
}

impl Guard {
    /// A group's policies as a bounded member holds them: within the member's limit, with the
    /// member's denies; labelled "… via group G", never remediated on the member.
    pub(super) fn judge_group_within<'d>(
        &self,
        account_id: &str,
        group: &PrincipalDetail,
        (denies, limit): (&[Statement], &Arc<Limit>),
        managed_doc: &impl Fn(&str) -> &'d PolicyDocument,
    ) -> Vec<JudgedPolicy> {
        let name = group.target.as_ref().map(|t| t.name.as_str()).unwrap_or_default();
        let mut out = Vec::new();
        for arn in &group.attached {
            let label = format!("{} via group {name}", managed_label("", arn));
            out.push(self.judge_held_policy(account_id, label, Some(arn), managed_doc(arn), (denies, Some(limit))));
        }
        for (policy, text) in &group.inline {
            if let Ok(doc) = PolicyDocument::parse(text) {
                let label = format!("inline policy {policy} via group {name}");
                out.push(self.judge_held_policy(account_id, label, None, &doc, (denies, Some(limit))));
            }
        }
        out
    }
}
