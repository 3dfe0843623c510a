//! `admin`: Allow of every action on every resource — `*`, `*:*`, a NotAction that excludes
//! only a sliver of the catalogue (< 10 %), or Action `*` with NotResource.

use super::*;

pub struct Admin;

impl Rule for Admin {
    fn id(&self) -> &'static str {
        "admin"
    }
    fn severity(&self) -> Severity {
        Severity::Critical
    }
    fn summary(&self) -> &'static str {
        "Allows every action on every resource: full administrator access."
    }
    fn doc(&self) -> &'static str {
        "Allow of every action on every resource: `*`, `*:*` (any case), Action `*` with NotResource, or a NotAction that excludes less than 10 % of all IAM actions (e.g. PowerUserAccess)."
    }
    fn action(&self) -> RuleAction {
        RuleAction::Remediate
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for (i, s) in doc.statements.iter().enumerate() {
            if !cx.facts.admin[i] {
                continue;
            }
            let how = match &s.action {
                ActionSpec::NotAction(p) => format!("NotAction [{}] leaves almost every action allowed", p.join(", ")),
                ActionSpec::Action(p) => {
                    let star = p.iter().find(|p| is_match_all_action(p)).map(String::as_str).unwrap_or("*");
                    format!("Action {star:?} allows every action")
                }
            };
            let on = match &s.resource {
                Some(crate::policy::ResourceSpec::NotResource(r)) => {
                    format!("on every resource except {}", r.join(", "))
                }
                _ => "on every resource".to_string(),
            };
            out.push(Finding {
                rule: self.id(),
                severity: cx.severity_for(s),
                message: format!("Administrator access: {how} {on}"),
                evidence: vec![Evidence::statement(i, s).with_actions(s.action_patterns().to_vec())],
                hint: "Replace the wildcard with the specific actions this principal calls (IAM Access Analyzer can \
                       generate a policy from its CloudTrail activity), scoped to named resource ARNs; keep \
                       administrator access on a separate break-glass role behind MFA."
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
    fn star_forms() {
        for a in [r#""*""#, r#""*:*""#, r#"["s3:GetObject","*"]"#] {
            let f = judge(&allow(a, r#""*""#));
            assert_eq!(find(&f, "admin").unwrap().severity, Severity::Critical, "{a}");
        }
        let f = judge(&allow(r#""*""#, r#""arn:*""#));
        assert!(find(&f, "admin").is_some());
    }

    #[test]
    fn not_action_with_tiny_exclusion_and_not_resource() {
        let f = judge(r#"{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]}"#);
        assert_eq!(find(&f, "admin").unwrap().severity, Severity::Critical);
        let f = judge(r#"{"Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::secret/*"}]}"#);
        assert!(find(&f, "admin").unwrap().message.contains("except arn:aws:s3:::secret/*"));
        // NotAction that excludes most services is not admin (allow-with-not still reports it).
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","NotAction":["ec2:*","s3:*","iam:*","*:Get*","*:List*","*:Describe*","*:Create*","*:Delete*","*:Update*","*:Put*"],"Resource":"*"}]}"#,
        );
        assert!(find(&f, "admin").is_none());
        assert!(find(&f, "allow-with-not").is_some());
    }

    #[test]
    fn not_admin() {
        assert!(find(&judge(&allow(r#""*""#, r#""arn:aws:s3:::bucket/*""#)), "admin").is_none());
        assert!(find(&judge(&allow(r#""s3:*""#, r#""*""#)), "admin").is_none());
        let deny = r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        assert!(judge(deny).is_empty(), "Deny never produces findings");
    }

    #[test]
    fn conditions_lower_severity() {
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        );
        assert_eq!(find(&f, "admin").unwrap().severity, Severity::High);
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        );
        assert_eq!(find(&f, "admin").unwrap().severity, Severity::Critical, "SecureTransport restricts nothing");
    }

    #[test]
    fn severity_override_from_config() {
        let cfg = crate::config::Config::from_toml("[rules.admin]\nseverity = \"high\"", "t").unwrap();
        let f = judge_with(cfg, None, &allow(r#""*""#, r#""*""#));
        assert_eq!(find(&f, "admin").unwrap().severity, Severity::High);
        let cfg = crate::config::Config::from_toml("[rules.admin]\nenabled = false", "t").unwrap();
        assert!(find(&judge_with(cfg, None, &allow(r#""*""#, r#""*""#)), "admin").is_none());
    }
}
