//! `data-exfiltration`: reads of object data and secrets on every resource (s3:GetObject,
//! secretsmanager:GetSecretValue, ssm:GetParameter*), also through wildcards like `s3:Get*`.

use super::*;

pub(super) struct DataExfiltration;

const SENSITIVE_READS: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
];

const SERVICES: &[&str] = &["s3", "secretsmanager", "ssm"];

/// [`SENSITIVE_READS`] as a set, computed once.
fn sensitive() -> &'static ActionSet {
    static SET: std::sync::OnceLock<ActionSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| SENSITIVE_READS.iter().filter_map(|a| Catalog::global().lookup_id(a)).collect())
}

impl Rule for DataExfiltration {
    fn id(&self) -> RuleId {
        RuleId::DataExfiltration
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn summary(&self) -> &'static str {
        "Reads object data or secrets on every resource (s3:GetObject, secretsmanager:GetSecretValue, ssm:GetParameter*)."
    }
    fn doc(&self) -> &'static str {
        "`s3:GetObject(Version)`, `secretsmanager:GetSecretValue`, `ssm:GetParameter(s/ByPath)` on Resource `*`, also via `s3:Get*`."
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for (i, s, patterns) in narrow_allow_statements(cx, doc).filter(|(_, _, p)| mentions_service(p, SERVICES)) {
            let unrestricted = cx.facts.reach(i).1;
            let mut found = reach_without_service_wildcards(cx, i, patterns);
            found.intersect(sensitive());
            if found.is_empty() {
                continue;
            }
            let hits: Vec<String> = found.iter().map(|a| cx.catalog.action(a).full_name()).collect();
            let (severity, narrowed_by) = severity_of(cx, i, &found, unrestricted);
            let message = format!("Reads data or secrets on every resource: {}", hits.join(", "));
            let mut ev = Evidence::statement(i, s).with_actions(hits);
            ev.narrowed_by = narrowed_by;
            out.push(Finding {
                bounded_by: None,
                rule: self.id(),
                paths: Vec::new(),
                severity,
                message,
                evidence: vec![ev],
                hint: "Scope reads to the buckets/prefixes, secrets and parameter paths the workload owns, e.g. \
                       arn:aws:s3:::my-bucket/app/* or arn:aws:ssm:REGION:ACCOUNT:parameter/app/*."
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
    fn every_sensitive_read_is_a_catalogue_action() {
        assert_eq!(sensitive().len(), SENSITIVE_READS.len());
    }

    #[test]
    fn sensitive_reads() {
        let f = judge(&allow(r#"["s3:Get*","ssm:GetParameter"]"#, r#""*""#));
        let x = find(&f, "data-exfiltration").unwrap();
        assert!(x.evidence[0].actions.contains(&"s3:GetObject".to_string()));
        assert!(x.evidence[0].actions.contains(&"ssm:GetParameter".to_string()));
        let scoped = allow(
            r#""secretsmanager:GetSecretValue""#,
            r#""arn:aws:secretsmanager:us-east-1:111122223333:secret:app-*""#,
        );
        assert!(find(&judge(&scoped), "data-exfiltration").is_none());
        let f = judge(&allow(r#""secretsmanager:GetSecretValue""#, r#""*""#));
        assert_eq!(find(&f, "data-exfiltration").unwrap().severity, Severity::Medium);
    }
}
