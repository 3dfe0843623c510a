//! `wildcard-resource-write`: Write or Permissions-management actions allowed on Resource `*`.
//! Service-wide wildcards (`s3:*`) are left to service-full-access, `*` to admin.

use super::*;
use crate::catalog::AccessLevel;

pub struct WildcardResourceWrite;

impl Rule for WildcardResourceWrite {
    fn id(&self) -> &'static str {
        "wildcard-resource-write"
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn summary(&self) -> &'static str {
        "Write or permissions-management actions allowed on every resource (Resource \"*\")."
    }
    fn doc(&self) -> &'static str {
        "Write or Permissions-management actions on Resource `*` (expanded through the catalogue: `dynamodb:Put*` lists the real actions)."
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for (i, s, patterns) in narrow_allow_statements(cx, doc) {
            let mut found: Vec<ActionId> = patterns
                .iter()
                .enumerate()
                .filter(|(_, p)| !is_service_wildcard(p))
                .flat_map(|(j, _)| cx.facts.expansion(i, j).unwrap_or_default())
                .filter(|a| matches!(a.level(), AccessLevel::Write | AccessLevel::PermissionsManagement))
                .copied()
                .collect();
            // Ids sort in catalogue order.
            found.sort_unstable();
            found.dedup();
            let actions: Vec<String> = found
                .iter()
                .map(|&a| cx.catalog.action(a).full_name())
                .filter(|n| !denied_everywhere(cx, doc, n))
                .collect();

            if actions.is_empty() {
                continue;
            }
            out.push(Finding {
                rule: self.id(),
                severity: cx.severity_for(s),
                message: format!(
                    "{} write/permissions actions on every resource: {}",
                    actions.len(),
                    summarize(&actions, 6)
                ),
                evidence: vec![Evidence::statement(i, s).with_actions(actions)],
                hint: "Replace Resource \"*\" with the ARNs these actions should touch (for actions that support \
                       resource-level permissions), or add conditions such as aws:ResourceTag."
                    .into(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn writes_on_star() {
        let f = judge(&allow(r#"["dynamodb:PutItem","dynamodb:GetItem"]"#, r#""*""#));
        let x = find(&f, "wildcard-resource-write").unwrap();
        assert_eq!(x.severity, Severity::Medium);
        assert_eq!(x.evidence[0].actions, vec!["dynamodb:PutItem"]);
        assert!(find(&judge(&allow(r#""dynamodb:GetItem""#, r#""*""#)), "wildcard-resource-write").is_none());
        let scoped = allow(r#""dynamodb:PutItem""#, r#""arn:aws:dynamodb:us-east-1:111122223333:table/t""#);
        assert!(find(&judge(&scoped), "wildcard-resource-write").is_none());
        assert!(find(&judge(&allow(r#""s3:*""#, r#""*""#)), "wildcard-resource-write").is_none());
    }
}
