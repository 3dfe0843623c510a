//! `unknown-action`: an Allow naming a service or action the catalogue does not know — a typo
//! that silently grants nothing, or a pattern too new for the catalogue (regenerate it).

use super::*;
use crate::catalog::Unknown;

pub(super) struct UnknownAction;

impl Rule for UnknownAction {
    fn id(&self) -> RuleId {
        RuleId::UnknownAction
    }
    fn severity(&self) -> Severity {
        Severity::Low
    }
    fn summary(&self) -> &'static str {
        "An action or service prefix that matches nothing in the IAM action catalogue."
    }
    fn doc(&self) -> &'static str {
        "An action or service that matches nothing in the catalogue (typo, or regenerate the catalogue)."
    }
    fn applies_to(&self, _kind: PolicyKind) -> bool {
        true
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for (i, s) in doc.statements.iter().enumerate() {
            if s.effect != Effect::Allow {
                continue;
            }
            // Already-expanded patterns that matched something are known; ask the catalogue why
            // only for the rest.
            let unknown: Vec<(String, Unknown)> = s
                .action_patterns()
                .iter()
                .enumerate()
                .filter(|&(j, _)| cx.facts.expansion(i, j).is_none_or(|e| e.is_empty()))
                .filter_map(|(_, p)| cx.catalog.unknown(p).map(|u| (p.to_string(), u)))
                .collect();

            if unknown.is_empty() {
                continue;
            }
            let described: Vec<String> = unknown
                .iter()
                .map(|(p, u)| match u {
                    Unknown::Malformed => format!("{p} (not service:action)"),
                    Unknown::Service => format!("{p} (unknown service{})", near_service(cx, p)),
                    Unknown::Action => format!("{p} (unknown action{})", near_action(cx, p)),
                })
                .collect();
            out.push(Finding {
                bounded_by: None,
                rule: self.id(),
                paths: Vec::new(),
                severity: cx.severity,
                message: format!("Unknown actions: {}", described.join(", ")),
                evidence: vec![Evidence::statement(i, s).with_actions(unknown.into_iter().map(|(p, _)| p).collect())],
                hint: "Check the spelling against the Service Authorization Reference; if the action is new, \
                       regenerate the catalogue (scripts/gen-data)."
                    .into(),
            });
        }
    }
}

/// `; did you mean "s3"?` for a misspelt service prefix.
fn near_service(cx: &Ctx<'_>, pattern: &str) -> String {
    let Some((svc, _)) = crate::policy::split_service(pattern) else { return String::new() };
    let near = crate::policy::spelling::nearest(svc, cx.catalog.services().map(|s| s.prefix));
    near.map(|n| format!("; did you mean {n:?}?")).unwrap_or_default()
}

/// `; did you mean "s3:GetObject"?` for a misspelt action of a known service.
fn near_action(cx: &Ctx<'_>, pattern: &str) -> String {
    let Some((svc, act)) = crate::policy::split_service(pattern) else { return String::new() };
    let Some(service) = cx.catalog.service(svc) else { return String::new() };
    let near = crate::policy::spelling::nearest(act, service.actions().map(|a| a.name));
    near.map(|n| format!("; did you mean \"{}:{n}\"?", service.prefix)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;

    #[test]
    fn typos() {
        let f = judge(&allow(r#"["s3:GetObjekt","s4:GetObject","GetObject","s3:GetObject"]"#, r#""arn:aws:s3:::b/*""#));
        let x = find(&f, "unknown-action").unwrap();
        assert_eq!(x.evidence[0].actions, vec!["s3:GetObjekt", "s4:GetObject", "GetObject"]);
        assert!(x.message.contains("s4:GetObject (unknown service; did you mean \"s3\"?)"), "{}", x.message);
        assert!(x.message.contains("s3:GetObjekt (unknown action; did you mean \"s3:GetObject\"?)"), "{}", x.message);
        assert!(find(&judge(&allow(r#""sts:AssumeRole""#, r#""*""#)), "unknown-action").is_none());
    }
}
