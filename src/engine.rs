//! The engine: the registered rules ([`crate::rules::RULES`]) with the configuration applied —
//! which are enabled, at what severity, with what action — run over policy documents.
//!
//! It sits between `config` and `rules` so that neither imports the other's internals:
//! configuration names rules by id, rules see only [`Settings`].

use crate::catalog::Catalog;
use crate::config::Config;
use crate::policy::{PolicyDocument, PolicyKind};
use crate::rules::{Ctx, Facts, Finding, PolicyContext, Rule, RuleAction, RuleId, Settings, Severity, RULES};

/// Runs the enabled rules over documents.
pub struct Engine {
    config: Config,
    settings: Settings,
    /// Enabled rules with their effective base severity, in registry order.
    rules: Vec<(&'static dyn Rule, Severity)>,
}

impl Engine {
    /// Every registered rule, as configured.
    pub fn new(config: Config) -> Engine {
        Engine::with_rules(config, RULES)
    }

    /// Only these rules (as configured): the fixture tests judge each rule alone.
    pub fn with_rules(config: Config, rules: &[&'static dyn Rule]) -> Engine {
        let rules = rules
            .iter()
            .filter_map(|&r| {
                let rc = config.rule(r.id().as_str());
                if rc.is_some_and(|c| !c.enabled) {
                    return None;
                }
                Some((r, rc.and_then(|c| c.severity).unwrap_or(r.severity())))
            })
            .collect();
        Engine { settings: config.settings(), config, rules }
    }

    /// The configuration the engine was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A rule's effective base severity; `None` when it is disabled or not registered.
    pub fn severity(&self, rule: RuleId) -> Option<Severity> {
        self.rules.iter().find(|(r, _)| r.id() == rule).map(|&(_, s)| s)
    }

    /// What the guard does with a rule's findings: the configured action, else the rule's own.
    pub fn action(&self, rule: RuleId) -> RuleAction {
        self.config
            .rule(rule.as_str())
            .and_then(|c| c.action)
            .or_else(|| crate::rules::rule(rule.as_str()).map(|r| r.action()))
            .unwrap_or(RuleAction::Alert)
    }

    /// A document `check` read but cannot parse as a policy: IAM would reject it too, so it is a
    /// `policy-invalid` finding (placed at the statement the error names) rather than a failure
    /// to read; `None` when the rule is switched off or the text is not a policy at all.
    pub fn unparsable(&self, e: &crate::policy::PolicyError) -> Option<Finding> {
        let crate::policy::PolicyError::Field { path, .. } = e else { return None };
        let &(rule, severity) = self.rules.iter().find(|(r, _)| r.id() == RuleId::PolicyInvalid)?;
        let statement = path
            .strip_prefix("Statement")
            .and_then(|rest| rest.strip_prefix('['))
            .and_then(|rest| rest.split(']').next()?.parse().ok())
            .or_else(|| path.starts_with("Statement.").then_some(0));
        Some(Finding {
            rule: rule.id(),
            paths: Vec::new(),
            severity,
            message: format!("Invalid policy: {e}"),
            evidence: vec![crate::rules::Evidence { statement, ..Default::default() }],
            hint: "Fix the element the message names; IAM refuses the policy until then.".into(),
            bounded_by: None,
        })
    }

    /// Judges one document; findings come most severe first.
    pub fn judge(&self, policy: &PolicyContext, doc: &PolicyDocument) -> Vec<Finding> {
        let kind = policy.kind.unwrap_or_else(|| PolicyKind::infer(doc));
        let catalog = Catalog::global();
        let facts = Facts::derive_within(catalog, doc, policy.limit.as_deref());
        let mut out = Vec::new();
        for &(rule, severity) in &self.rules {
            if !rule.applies_to(kind) || (rule.authoring_only() && !policy.authoring) {
                continue;
            }
            let cx = Ctx { catalog, settings: &self.settings, policy, kind, severity, facts: &facts };
            rule.check(&cx, doc, &mut out);
        }
        out.sort_by_key(|f| std::cmp::Reverse(f.severity));
        out
    }
}
