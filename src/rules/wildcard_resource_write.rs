//! `wildcard-resource-write`: Write or Permissions-management actions allowed on Resource `*`.
//! Service-wide wildcards (`s3:*`) are left to service-full-access, `*` to admin.

use super::*;

pub(super) struct WildcardResourceWrite;

impl Rule for WildcardResourceWrite {
    fn id(&self) -> RuleId {
        RuleId::WildcardResourceWrite
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
            let unrestricted = cx.facts.reach(i).1;
            // Set algebra: the modifying actions of the statement's reach, less the services
            // pinned to a read-only mode.
            let mut found = reach_without_service_wildcards(cx, i, patterns);
            found.intersect(ActionSet::modifying());
            // A limit (the principal's boundary) may pin a service so too.
            let limits = cx.policy.limit.iter().flat_map(|l| &l.documents).flat_map(|d| &d.statements);
            let pinned = limits.filter(|l| l.effect == Effect::Allow).flat_map(read_only_mode);
            for prefix in read_only_mode(s).into_iter().chain(pinned) {
                if let Some(svc) = cx.catalog.service(prefix) {
                    found.subtract(&ActionSet::range(svc.ids()));
                }
            }
            if found.is_empty() {
                continue;
            }
            // Ids iterate in catalogue order.
            let actions: Vec<String> = found.iter().map(|a| cx.catalog.action(a).full_name()).collect();
            let (severity, narrowed_by) = severity_of(cx, i, &found, unrestricted);
            let message =
                format!("{} write/permissions actions on every resource: {}", actions.len(), summarize(&actions, 6));
            let mut ev = Evidence::statement(i, s).with_actions(actions);
            ev.narrowed_by = narrowed_by;
            out.push(Finding {
                bounded_by: None,
                rule: self.id(),
                paths: Vec::new(),
                severity,
                message,
                evidence: vec![ev],
                hint: "Replace Resource \"*\" with the ARNs these actions should touch (for actions that support \
                       resource-level permissions), or add conditions such as aws:ResourceTag."
                    .into(),
            });
        }
    }
}

/// The services whose actions the statement pins to a read-only mode with a condition such as
/// `StringEquals s3express:SessionMode ReadOnly` (ReadOnlyAccess creates S3 Express sessions so):
/// a "Write" action used only to read.
fn read_only_mode(s: &Statement) -> Vec<&str> {
    s.conditions
        .iter()
        .filter(|c| c.operator == "StringEquals" && !c.values.is_empty())
        .filter(|c| c.values.iter().all(|v| v.eq_ignore_ascii_case("ReadOnly")))
        .filter_map(|c| c.key.split_once(':').map(|(svc, _)| svc))
        .collect()
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

    #[test]
    fn reads_labelled_permissions_management_are_not_writes() {
        for a in ["quicksight:DescribeDataSetPermissions", "billing:GetResourcePolicy", "athena:GetSessionEndpoint"] {
            let f = judge(&allow(&format!("{a:?}"), r#""*""#));
            assert!(find(&f, "wildcard-resource-write").is_none(), "{a}");
        }
        let f = judge(&allow(r#""dynamodb:PutItem""#, r#""arn:aws:dynamodb:*:*:table/*""#));
        assert!(find(&f, "wildcard-resource-write").is_some(), "every table is every resource");
    }
}
