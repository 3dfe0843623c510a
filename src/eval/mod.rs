//! The evaluation core: what a set of policies effectively allows, the way AWS's policy
//! evaluation logic decides it (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//!
//! 1. An explicit Deny anywhere wins — also through NotAction / NotResource. Only a Deny that
//!    applies to every request is subtracted (a conditional Deny may not apply); a Deny that
//!    reaches every resource of an action removes it everywhere, a Deny with NotResource removes
//!    the "every resource" reach of what it covers.
//! 2. An Allow must come from an identity policy (managed, inline, or a group's) and, when there
//!    is one, fall inside the permissions boundary and inside every SCP ([`Effective::combine`]).
//! 3. Conditions are judged by meaning ([`conditions`]): an Allow that can never apply grants
//!    nothing; one that applies only under a narrowing condition grants "narrowed" (rules judge it
//!    one level lower and say which condition).
//! 4. Resources are judged by meaning ([`resources`]): a pattern that reaches every resource of an
//!    action's type counts as `*` for that action.
//!
//! Allowed sets are bit sets over the catalogue's action ids ([`ActionSet`]), so a document costs
//! a few set operations per statement and a principal's verdict a few more.

mod actionset;
pub(crate) mod conditions;
mod conditions_request;
mod limit;
pub mod request;
pub(crate) mod resources;

pub use actionset::ActionSet;
pub use conditions::Grant;
pub use limit::{describe, Limit};

use crate::catalog::{ActionId, Catalog};
use crate::policy::{
    is_match_all_action, is_match_all_resource, ActionSpec, Effect, PolicyDocument, ResourceSpec, Statement,
};
use chrono::{DateTime, Utc};
use conditions::KeyScope;

/// One statement, evaluated.
#[derive(Debug, Clone)]
pub struct StatementEval {
    /// Its index in the document.
    pub index: usize,
    /// Allow or Deny.
    pub effect: Effect,
    /// The actions its Action / NotAction names (before conditions).
    pub actions: ActionSet,
    /// Actions it grants (or, for a Deny, may deny) on at least some resource: conditions that
    /// can never hold removed.
    pub applies: ActionSet,
    /// Of those, the actions whose Resource / NotResource reaches every resource of their type.
    pub everywhere: ActionSet,
    /// Of those, the ones granted with no narrowing condition (Allow), or denied for every
    /// request (Deny).
    pub unconditional: ActionSet,
    /// Allow: the actions granted with no narrowing condition, on whatever resources it names.
    pub free: ActionSet,
    /// Why a grant is narrowed: one sentence per narrowing condition.
    pub narrowed_by: Vec<String>,
    /// A Deny with NotResource: it removes the "every resource" reach, not the action.
    pub not_resource: bool,
}

/// What a document (or a principal's policies together) effectively allows.
#[derive(Debug, Clone)]
pub struct Effective {
    /// Allowed on every resource with no narrowing condition, and not denied.
    pub everywhere: ActionSet,
    /// Allowed on every resource only under narrowing conditions (not in `everywhere`).
    pub narrowed: ActionSet,
    /// Allowed on at least some resource (includes the two above).
    pub anywhere: ActionSet,
    /// Denied for every request on every resource.
    pub denied: ActionSet,
    /// Denied the "every resource" reach (a Deny with NotResource, for every request).
    pub denied_everywhere: ActionSet,
}

impl Effective {
    /// Nothing allowed, nothing denied.
    pub fn none() -> Effective {
        Effective {
            everywhere: ActionSet::empty(),
            narrowed: ActionSet::empty(),
            anywhere: ActionSet::empty(),
            denied: ActionSet::empty(),
            denied_everywhere: ActionSet::empty(),
        }
    }

    /// A document's statements, evaluated, and what they effectively allow together.
    pub fn of(doc: &PolicyDocument) -> (Effective, Vec<StatementEval>) {
        Effective::of_named(doc, doc.statements.iter().map(named_actions).collect())
    }

    /// [`Effective::of`], given each statement's named actions (callers that expanded the
    /// patterns already pass them in instead of expanding twice).
    pub fn of_named(doc: &PolicyDocument, named: Vec<ActionSet>) -> (Effective, Vec<StatementEval>) {
        Effective::of_named_within(doc, named, None)
    }

    /// [`Effective::of_named`] within a principal's limits (boundary, SCPs): each Allow
    /// statement grants only what falls inside them.
    pub fn of_named_within(
        doc: &PolicyDocument,
        named: Vec<ActionSet>,
        limit: Option<&Effective>,
    ) -> (Effective, Vec<StatementEval>) {
        let now = Utc::now();
        let mut statements: Vec<StatementEval> = doc
            .statements
            .iter()
            .zip(named)
            .enumerate()
            .map(|(i, (s, actions))| evaluate_statement(i, s, actions, now))
            .collect();
        if let Some(limit) = limit {
            statements.iter_mut().for_each(|s| s.limit_to(limit));
        }
        let mut e = Effective::none();
        let mut everywhere_any = ActionSet::empty();
        for s in &statements {
            match s.effect {
                Effect::Allow => {
                    e.anywhere.union_with(&s.applies);
                    everywhere_any.union_with(&s.everywhere);
                    e.everywhere.union_with(&s.unconditional);
                }
                Effect::Deny if s.not_resource => e.denied_everywhere.union_with(&s.unconditional),
                Effect::Deny => e.denied.union_with(&s.unconditional),
            }
        }
        everywhere_any.subtract(&e.everywhere);
        e.narrowed = everywhere_any;
        e.settle();
        (e, statements)
    }

    /// Removes what is denied from what is allowed.
    pub(crate) fn settle(&mut self) {
        for set in [&mut self.everywhere, &mut self.narrowed, &mut self.anywhere] {
            set.subtract(&self.denied);
        }
        self.everywhere.subtract(&self.denied_everywhere);
        self.narrowed.subtract(&self.denied_everywhere);
    }

    /// What a principal can do: the union of its identity policies' allows, minus every deny
    /// (identity, boundary, SCPs), within the permissions boundary and every SCP when given.
    pub fn combine(identity: &[&Effective], boundary: Option<&Effective>, scps: &[&Effective]) -> Effective {
        let mut e = Effective::none();
        for p in identity {
            e.everywhere.union_with(&p.everywhere);
            e.narrowed.union_with(&p.narrowed);
            e.anywhere.union_with(&p.anywhere);
            e.denied.union_with(&p.denied);
            e.denied_everywhere.union_with(&p.denied_everywhere);
        }
        let narrowed_only = {
            let mut n = e.narrowed.clone();
            n.subtract(&e.everywhere);
            n
        };
        e.narrowed = narrowed_only;
        for limit in boundary.into_iter().chain(scps.iter().copied()) {
            e.limit_to(limit);
        }
        e.settle();
        e
    }

    /// Everything allowed on every resource, narrowed or not.
    pub fn reach_everywhere(&self) -> ActionSet {
        let mut s = self.everywhere.clone();
        s.union_with(&self.narrowed);
        s
    }
}

/// Expands a statement's Action / NotAction into catalogue actions.
pub fn named_actions(s: &Statement) -> ActionSet {
    let c = Catalog::global();
    let expand = |patterns: &[crate::policy::Str]| {
        if patterns.iter().any(|p| is_match_all_action(p)) {
            return ActionSet::full();
        }
        patterns.iter().flat_map(|p| c.expand_ids(p)).collect::<ActionSet>()
    };
    match &s.action {
        ActionSpec::Action(p) => expand(p),
        ActionSpec::NotAction(p) => {
            let mut all = ActionSet::full();
            all.subtract(&expand(p));
            all
        }
    }
}

/// The actions of `actions` that the statement's resources reach in full.
fn reaching_everywhere(s: &Statement, actions: &ActionSet) -> ActionSet {
    match &s.resource {
        Some(ResourceSpec::NotResource(_)) => actions.clone(),
        Some(ResourceSpec::Resource(r)) if r.iter().any(|p| is_match_all_resource(p)) => actions.clone(),
        Some(ResourceSpec::Resource(r)) => resources::reaching(r, actions),
        None => ActionSet::empty(),
    }
}

fn evaluate_statement(index: usize, s: &Statement, actions: ActionSet, now: DateTime<Utc>) -> StatementEval {
    let everywhere_all = reaching_everywhere(s, &actions);
    let not_resource = matches!(s.resource, Some(ResourceSpec::NotResource(_)));
    let mut out = StatementEval {
        index,
        effect: s.effect,
        applies: ActionSet::empty(),
        everywhere: ActionSet::empty(),
        unconditional: ActionSet::empty(),
        free: ActionSet::empty(),
        narrowed_by: Vec::new(),
        not_resource,
        actions,
    };
    if s.conditions.is_empty() {
        // The common case: one group, granted (or denied) as named.
        if s.effect == Effect::Allow {
            out.free = out.actions.clone();
        }
        out.applies = out.actions.clone();
        out.unconditional = everywhere_all.clone();
        out.everywhere = everywhere_all;
        return out;
    }
    // Split the actions by which service-specific condition keys are present for them.
    let mut groups: Vec<(ActionSet, Vec<bool>)> = vec![(out.actions.clone(), Vec::with_capacity(s.conditions.len()))];
    for c in &s.conditions {
        let present_for = match conditions::key_scope(&c.key) {
            KeyScope::Global | KeyScope::Other => None,
            // The usual case: the statement's actions are all of the key's own service.
            KeyScope::Service(svc) if out.actions.iter().all(|a| svc.ids().contains(&a.index())) => None,
            KeyScope::Service(svc) => Some(services_defining(&c.key, svc)),
        };
        let Some(present) = present_for else {
            // Present for every action: no group splits.
            groups.iter_mut().for_each(|(_, flags)| flags.push(true));
            continue;
        };
        groups = groups
            .into_iter()
            .flat_map(|(set, flags)| {
                let mut with = set.clone();
                with.intersect(&present);
                let mut without = set;
                without.subtract(&present);
                let mut flags_without = flags.clone();
                flags_without.push(false);
                let mut flags_with = flags;
                flags_with.push(true);
                [(with, flags_with), (without, flags_without)]
            })
            .filter(|(set, _)| !set.is_empty())
            .collect();
    }
    for (set, present) in groups {
        let (grant, always) = conditions::combine(&s.conditions, &present, now);
        let mut here = set.clone();
        here.intersect(&everywhere_all);
        match (s.effect, grant) {
            (_, Grant::Never) => continue,
            (Effect::Allow, Grant::Unrestricted) => {
                out.unconditional.union_with(&here);
                out.free.union_with(&set);
            }
            (Effect::Allow, Grant::Narrowed(reasons)) => {
                for r in reasons {
                    if !out.narrowed_by.contains(&r) {
                        out.narrowed_by.push(r);
                    }
                }
            }
            (Effect::Deny, _) if always => out.unconditional.union_with(&here),
            (Effect::Deny, _) => {}
        }
        out.applies.union_with(&set);
        out.everywhere.union_with(&here);
    }
    out
}

/// The actions for which a service-specific key is present: those of the services that define it.
fn services_defining(key: &str, owner: &crate::catalog::Service) -> ActionSet {
    let mut set = ActionSet::range(owner.ids());
    for svc in Catalog::global().services_defining(key) {
        set.insert_range(svc.ids());
    }
    set
}

/// The id of a wildcard-free action name, for tests and tables.
pub fn action_id(name: &str) -> Option<ActionId> {
    Catalog::global().lookup_id(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eff(json: &str) -> Effective {
        Effective::of(&PolicyDocument::parse(json).unwrap()).0
    }

    fn id(a: &str) -> ActionId {
        action_id(a).unwrap()
    }

    #[test]
    fn deny_is_subtracted_within_a_document() {
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
        );
        assert!(e.anywhere.is_empty() && e.everywhere.is_empty());
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","NotAction":"iam:Get*","Resource":"*"}]}"#,
        );
        assert!(e.everywhere.contains(id("iam:GetRole")) && !e.everywhere.contains(id("iam:PassRole")));
        // A conditional Deny may not apply: nothing subtracted.
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
        );
        assert_eq!(e.everywhere.len(), Catalog::global().len());
        // A Deny on one bucket leaves s3 allowed; a Deny with NotResource removes the reach.
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::secret/*"}]}"#,
        );
        assert!(e.everywhere.contains(id("s3:GetObject")));
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::public/*"}]}"#,
        );
        assert!(!e.everywhere.contains(id("s3:GetObject")) && e.anywhere.contains(id("s3:GetObject")));
        // A Deny that reaches every role denies PassRole.
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/*"}]}"#,
        );
        assert!(e.anywhere.is_empty());
    }

    #[test]
    fn conditions_decide_what_is_granted() {
        // A foreign service's key is absent: the Allow never applies to s3, applies narrowed to iam.
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:*","iam:*"],"Resource":"*","Condition":{"StringEquals":{"iam:ResourceTag/team":"ops"}}}]}"#,
        );
        assert!(!e.anywhere.contains(id("s3:GetObject")));
        assert!(e.narrowed.contains(id("iam:PassRole")) && !e.everywhere.contains(id("iam:PassRole")));
        // Negated on an absent key: always true.
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"iam:ResourceTag/team":"ops"}}}]}"#,
        );
        assert!(e.everywhere.contains(id("s3:GetObject")));
        // Time: an always-true and a never-true window.
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}}]}"#,
        );
        assert_eq!(e.everywhere.len(), Catalog::global().len());
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}"#,
        );
        assert!(e.anywhere.is_empty());
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
        );
        assert!(e.everywhere.is_empty() && e.narrowed.len() == Catalog::global().len());
    }

    #[test]
    fn resources_by_meaning() {
        let e = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","s3:GetObject"],"Resource":["arn:aws:iam::*:role/*","arn:aws:s3:::reports/*"]}]}"#,
        );
        assert!(e.everywhere.contains(id("iam:PassRole")));
        assert!(!e.everywhere.contains(id("s3:GetObject")) && e.anywhere.contains(id("s3:GetObject")));
    }

    #[test]
    fn boundary_and_scps_limit_identity() {
        let admin = eff(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        let boundary = eff(r#"{"Statement":[{"Effect":"Allow","Action":["s3:*","cloudwatch:*"],"Resource":"*"}]}"#);
        let scp = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#,
        );
        let p = Effective::combine(&[&admin], Some(&boundary), &[&scp]);
        assert!(p.everywhere.contains(id("s3:GetObject")));
        assert!(!p.anywhere.contains(id("iam:CreateUser")), "outside the boundary");
        assert!(!p.anywhere.contains(id("s3:DeleteBucket")), "denied by the SCP");
        let narrow_boundary = eff(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#,
        );
        let p = Effective::combine(&[&admin], Some(&narrow_boundary), &[]);
        assert!(p.everywhere.is_empty() && p.narrowed.contains(id("iam:CreateUser")));
        // Across identity policies: one allows, another denies.
        let deny = eff(r#"{"Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#);
        let p = Effective::combine(&[&admin, &deny], None, &[]);
        assert!(!p.anywhere.contains(id("iam:PassRole")) && p.everywhere.contains(id("s3:GetObject")));
    }
}
