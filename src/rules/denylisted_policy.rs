//! `denylisted-policy`: a managed policy whose name or ARN matches the configured denylist
//! (default AdministratorAccess, PowerUserAccess, IAMFullAccess, `*FullAccess`).

use super::*;

pub(super) struct DenylistedPolicy;

impl Rule for DenylistedPolicy {
    fn id(&self) -> RuleId {
        RuleId::DenylistedPolicy
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "A managed policy on the denylist (AdministratorAccess, PowerUserAccess, IAMFullAccess, *FullAccess by default)."
    }
    fn doc(&self) -> &'static str {
        "A managed policy whose name or ARN matches the denylist (default `AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`, `*FullAccess`)."
    }
    fn action(&self) -> RuleAction {
        RuleAction::Remediate
    }
    fn check(&self, cx: &Ctx<'_>, _doc: &PolicyDocument, out: &mut Vec<Finding>) {
        let Some((name, arn)) = &cx.policy.managed else {
            return;
        };
        let Some(pattern) = cx.settings.denylisted(name, arn) else {
            return;
        };
        out.push(Finding {
            bounded_by: None,
            rule: self.id(),
            paths: Vec::new(),
            severity: cx.severity,
            message: format!("Managed policy {name} is denylisted (matches {pattern:?})"),
            evidence: vec![Evidence {
                statement: None,
                sid: None,
                actions: Vec::new(),
                resources: vec![arn.clone()],
                principals: Vec::new(),
                conditions: Vec::new(),
                narrowed_by: Vec::new(),
            }],
            hint: format!(
                "Detach {name} and attach a customer-managed policy with only the actions this principal needs; \
                 tutorials grant FullAccess 'for future features' — grant those when the features exist."
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::engine::Engine;
    use crate::policy::PolicyDocument;

    #[test]
    fn matches_name_or_arn() {
        let doc = PolicyDocument::parse(r#"{"Statement":[]}"#).unwrap();
        let judge = |cfg: Config, name: &str, arn: &str| {
            let pc = PolicyContext { managed: Some((name.into(), arn.into())), ..Default::default() };
            Engine::new(cfg).judge(&pc, &doc)
        };
        let f = judge(Config::default(), "CloudFrontFullAccess", "arn:aws:iam::aws:policy/CloudFrontFullAccess");
        assert_eq!(f[0].rule, "denylisted-policy");
        assert!(f[0].message.contains("*FullAccess"));
        assert!(judge(Config::default(), "ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess").is_empty());
        let cfg = Config::from_toml("denylist = [\"arn:aws:iam::111122223333:policy/*\"]", "t").unwrap();
        assert_eq!(judge(cfg, "mine", "arn:aws:iam::111122223333:policy/mine").len(), 1);
    }
}
