//! `allow-with-not`: Allow with NotAction or NotResource — "everything except", which silently
//! grows as AWS adds services and resources.

use super::*;
use crate::policy::ResourceSpec;

pub(super) struct AllowWithNot;

impl Rule for AllowWithNot {
    fn id(&self) -> RuleId {
        RuleId::AllowWithNot
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "Allow with NotAction or NotResource grants everything except a list, including actions and resources added later."
    }
    fn doc(&self) -> &'static str {
        "Allow with NotAction or NotResource: everything except a list, including what AWS adds later."
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for (i, s) in doc.statements.iter().enumerate() {
            if s.effect != Effect::Allow {
                continue;
            }
            let not_action = matches!(s.action, ActionSpec::NotAction(_));
            let not_resource = matches!(s.resource, Some(ResourceSpec::NotResource(_)));
            if !not_action && !not_resource {
                continue;
            }
            // Once the document's denies are subtracted (and within a principal's limit) the
            // statement may grant nothing at all: `Deny *` beside it leaves nothing to report.
            if cx.facts.granted(i).is_empty() {
                continue;
            }
            let what = match (not_action, not_resource) {
                (true, true) => "NotAction and NotResource",
                (true, false) => "NotAction",
                _ => "NotResource",
            };
            let mut ev = Evidence::statement(i, s);
            if not_action {
                let allowed = cx.catalog.len() - cx.catalog.count_distinct(s.action_patterns());
                ev.actions = crate::policy::strings(s.action_patterns());
                out.push(Finding {
                    bounded_by: None,
                    rule: self.id(),
                    paths: Vec::new(),
                    severity: cx.severity_for(i),
                    message: format!(
                        "Allow with {what}: grants {allowed} of {} known actions, and any action AWS adds later",
                        cx.catalog.len()
                    ),
                    evidence: vec![ev],
                    hint: "Rewrite as an Allow of the actions needed; express exceptions as an explicit Deny.".into(),
                });
            } else {
                ev.actions = crate::policy::strings(s.action_patterns());
                out.push(Finding {
                    bounded_by: None,
                    rule: self.id(),
                    paths: Vec::new(),
                    severity: cx.severity_for(i),
                    message: format!(
                        "Allow with {what}: grants every resource except those listed, including new ones"
                    ),
                    evidence: vec![ev],
                    hint: "List the resources the principal needs in Resource; express exceptions as an explicit Deny."
                        .into(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;

    #[test]
    fn not_forms() {
        let f = judge(r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#);
        assert!(find(&f, "allow-with-not").unwrap().message.contains("NotAction"));
        let f = judge(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::x/*"}]}"#);
        assert!(find(&f, "allow-with-not").unwrap().message.contains("NotResource"));
        let f = judge(r#"{"Statement":[{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}]}"#);
        assert!(f.is_empty());
        // Everything denied: the NotAction Allow grants nothing.
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Allow","NotAction":"iam:*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
        );
        assert!(f.is_empty(), "{f:?}");
    }
}
