//! `service-full-access`: Allow of a whole service, `svc:*` (any case, `s3*:*` too). High on
//! every resource; one level lower when scoped to named resources or conditioned.

use super::*;

pub struct ServiceFullAccess;

impl Rule for ServiceFullAccess {
    fn id(&self) -> &'static str {
        "service-full-access"
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "Allows every action of a service (svc:*), including its write and permissions-management actions."
    }
    fn doc(&self) -> &'static str {
        "Allow of a whole service, `svc:*` (`IAM:*` too); medium when scoped to named resources."
    }
    fn action(&self) -> RuleAction {
        RuleAction::Remediate
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for (i, s) in doc.statements.iter().enumerate() {
            let ActionSpec::Action(patterns) = &s.action else {
                continue;
            };
            if s.effect != Effect::Allow || cx.facts.admin[i] {
                continue;
            }
            let wild: Vec<String> = patterns.iter().filter(|p| is_service_wildcard(p)).cloned().collect();
            if wild.is_empty() {
                continue;
            }
            let mut severity = cx.severity_for(s);
            if !s.any_resource() {
                severity = severity.lower();
            }
            let services: Vec<String> = wild
                .iter()
                .map(|p| {
                    let svc = p.split(':').next().unwrap_or(p);
                    let (mut n, mut pm) = (0, 0);
                    for a in cx.catalog.expand_ids(p) {
                        n += 1;
                        pm += usize::from(a.level() == crate::catalog::AccessLevel::PermissionsManagement);
                    }
                    let name = cx.catalog.service(svc).map(|s| s.name).unwrap_or(svc);
                    format!("{p} ({name}: {n} actions, {pm} permissions-management)")
                })
                .collect();
            let scope = if s.any_resource() { "on every resource" } else { "on the listed resources" };
            out.push(Finding {
                rule: self.id(),
                severity,
                message: format!("Full service access {scope}: {}", services.join("; ")),
                evidence: vec![Evidence::statement(i, s).with_actions(wild)],
                hint: "List only the actions the workload calls (e.g. s3:GetObject and s3:PutObject instead of s3:*) \
                       on the ARNs of its own resources; IAM Access Analyzer's policy generation or the service's \
                       'least privilege' docs give the exact list."
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
    fn service_wildcards() {
        let f = judge(&allow(r#"["s3:*","s3-object-lambda:*"]"#, r#""*""#));
        let x = find(&f, "service-full-access").unwrap();
        assert_eq!(x.severity, Severity::High);
        assert_eq!(x.evidence[0].actions, vec!["s3:*", "s3-object-lambda:*"]);
        assert!(x.message.contains("Amazon S3"));
        let f = judge(&allow(r#""IAM:*""#, r#""*""#));
        assert_eq!(find(&f, "service-full-access").unwrap().severity, Severity::High);
        let f = judge(&allow(r#""dynamodb:*""#, r#""arn:aws:dynamodb:us-east-1:111122223333:table/t""#));
        assert_eq!(find(&f, "service-full-access").unwrap().severity, Severity::Medium);
        assert!(find(&judge(&allow(r#""s3:Get*""#, r#""*""#)), "service-full-access").is_none());
        assert!(find(&judge(&allow(r#""*""#, r#""*""#)), "service-full-access").is_none(), "admin covers it");
    }
}
