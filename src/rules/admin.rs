//! `admin`: what the document effectively allows on every resource — after its denies, with
//! conditions judged — is (almost) everything: `*`, `*:*`, a NotAction that excludes only a sliver
//! of the catalogue (< 10 %), or Action `*` with NotResource.

use super::*;

pub(super) struct Admin;

impl Rule for Admin {
    fn id(&self) -> RuleId {
        RuleId::Admin
    }
    fn severity(&self) -> Severity {
        Severity::Critical
    }
    fn summary(&self) -> &'static str {
        "Allows every action on every resource: full administrator access."
    }
    fn doc(&self) -> &'static str {
        "What the document effectively allows on every resource is (almost) everything: `*`, `*:*` (any case), Action `*` with NotResource, or a NotAction that excludes less than 10 % of all IAM actions (e.g. PowerUserAccess). Denies in the document are subtracted first (Allow `*` + Deny `*` is not admin)."
    }
    fn action(&self) -> RuleAction {
        RuleAction::Remediate
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        let eff = &cx.facts.effective;
        let reach = eff.reach_everywhere();
        if !is_admin_set(cx.catalog, &reach) {
            return;
        }
        let unrestricted = is_admin_set(cx.catalog, &eff.everywhere);
        // The statements that grant it: the admin ones, else every Allow reaching everywhere.
        let mut contributing: Vec<usize> = (0..doc.statements.len()).filter(|&i| cx.facts.admin[i]).collect();
        if contributing.is_empty() {
            contributing = (0..doc.statements.len())
                .filter(|&i| cx.facts.evals[i].effect == Effect::Allow && !cx.facts.evals[i].everywhere.is_empty())
                .collect();
        }
        let Some(&first) = contributing.first() else { return };
        let s = &doc.statements[first];
        let how = match &s.action {
            ActionSpec::NotAction(p) => format!("NotAction [{}] leaves almost every action allowed", p.join(", ")),
            ActionSpec::Action(p) => match p.iter().find(|p| is_match_all_action(p)) {
                Some(star) => format!("Action {star:?} allows every action"),
                None => format!("together the Allow statements allow {} of {} actions", reach.len(), cx.catalog.len()),
            },
        };
        let on = match &s.resource {
            Some(crate::policy::ResourceSpec::NotResource(r)) => {
                format!("on every resource except {}", r.join(", "))
            }
            _ => "on every resource".to_string(),
        };
        let denied = eff.denied.len();
        let less = if denied > 0 { format!(" (less {denied} denied actions)") } else { String::new() };
        let evidence = contributing
            .iter()
            .map(|&i| {
                let st = &doc.statements[i];
                let mut e = Evidence::statement(i, st).with_actions(crate::policy::strings(st.action_patterns()));
                if !unrestricted {
                    e.narrowed_by = cx.facts.evals[i].narrowed_by.clone();
                }
                e
            })
            .collect();
        out.push(Finding {
            bounded_by: None,
            rule: self.id(),
            paths: Vec::new(),
            severity: if unrestricted { cx.severity } else { cx.severity.lower() },
            message: format!("Administrator access: {how} {on}{less}"),
            evidence,
            hint: "Replace the wildcard with the specific actions this principal calls (IAM Access Analyzer can \
                   generate a policy from its CloudTrail activity), scoped to named resource ARNs; keep \
                   administrator access on a separate break-glass role behind MFA."
                .into(),
        });
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
    fn denies_are_subtracted() {
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
        );
        assert!(f.is_empty(), "{f:?}");
        // Denying IAM leaves 98 % of the catalogue: still admin, and the message says so.
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
        );
        assert!(find(&f, "admin").unwrap().message.contains("denied actions"));
        // A conditional Deny (MFA) may not apply: still critical.
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
        );
        assert_eq!(find(&f, "admin").unwrap().severity, Severity::Critical);
    }

    #[test]
    fn conditions_lower_severity_by_meaning() {
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        );
        let x = find(&f, "admin").unwrap();
        assert_eq!(x.severity, Severity::High);
        assert!(x.evidence[0].narrowed_by[0].contains("MFA"), "{:?}", x.evidence);
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        );
        assert_eq!(find(&f, "admin").unwrap().severity, Severity::Critical, "SecureTransport restricts nothing");
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}}]}"#,
        );
        assert_eq!(find(&f, "admin").unwrap().severity, Severity::Critical, "always true today");
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}"#,
        );
        assert!(find(&f, "admin").is_none(), "expired in 2020: grants nothing");
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
