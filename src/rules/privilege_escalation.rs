//! `privilege-escalation`: the Rhino Security Labs catalogue of IAM escalation paths, when the
//! actions are allowed on every resource and not denied by an unconditional Deny in the same
//! document. Admin statements are left to `admin`.

use super::*;

pub struct PrivilegeEscalation;

/// Single actions that let a principal grant itself more.
const SINGLE: &[(&str, &str)] = &[
    ("iam:CreatePolicyVersion", "write a new default version of a managed policy it holds"),
    ("iam:SetDefaultPolicyVersion", "switch a managed policy it holds to a broader old version"),
    ("iam:AttachUserPolicy", "attach AdministratorAccess to a user"),
    ("iam:AttachRolePolicy", "attach AdministratorAccess to a role"),
    ("iam:AttachGroupPolicy", "attach AdministratorAccess to a group"),
    ("iam:PutUserPolicy", "write an inline admin policy on a user"),
    ("iam:PutRolePolicy", "write an inline admin policy on a role"),
    ("iam:PutGroupPolicy", "write an inline admin policy on a group"),
    ("iam:CreateAccessKey", "create access keys for other users"),
    ("iam:CreateLoginProfile", "set a console password for other users"),
    ("iam:UpdateLoginProfile", "change other users' console passwords"),
    ("iam:AddUserToGroup", "join a more privileged group"),
    ("iam:UpdateAssumeRolePolicy", "let itself assume any role"),
    ("lambda:UpdateFunctionCode", "run its code as an existing function's role"),
    ("glue:UpdateDevEndpoint", "run code as an existing Glue endpoint's role"),
];

/// Every service prefix in SINGLE and WITH_PASS_ROLE.
const SERVICES: &[&str] = &["iam", "lambda", "glue", "ec2", "cloudformation", "datapipeline"];

/// iam:PassRole plus a service that runs code with the passed role.
const WITH_PASS_ROLE: &[(&str, &str)] = &[
    ("lambda:CreateFunction", "create a Lambda function with any role"),
    ("ec2:RunInstances", "launch an instance with any instance profile"),
    ("cloudformation:CreateStack", "create a stack with any service role"),
    ("glue:CreateDevEndpoint", "create a Glue endpoint with any role"),
    ("datapipeline:CreatePipeline", "create a pipeline with any role"),
];

impl Rule for PrivilegeEscalation {
    fn id(&self) -> &'static str {
        "privilege-escalation"
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "Allows a known IAM privilege-escalation path (Rhino Security Labs catalogue) on every resource."
    }
    fn doc(&self) -> &'static str {
        "A Rhino Security Labs escalation path on Resource `*`: `iam:CreatePolicyVersion`, `SetDefaultPolicyVersion`, `Attach/Put{User,Role,Group}Policy`, `CreateAccessKey`, `Create/UpdateLoginProfile`, `AddUserToGroup`, `UpdateAssumeRolePolicy`, `lambda:UpdateFunctionCode`, `glue:UpdateDevEndpoint`, and `iam:PassRole` with `lambda:CreateFunction` / `ec2:RunInstances` / `cloudformation:CreateStack` / `glue:CreateDevEndpoint` / `datapipeline:CreatePipeline`. An unconditional Deny of the action in the same document removes the path."
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        // Only statements naming a service on the escalation list (or a wildcard service) can
        // hold a path: most of a large policy is skipped before any action is matched.
        let statements: Vec<(usize, &Statement, &[String])> =
            narrow_allow_statements(cx, doc).filter(|(_, _, p)| mentions_service(p, SERVICES)).collect();
        if statements.is_empty() {
            return;
        }

        // Which statement (if any) allows `action` on every resource.
        let allowing = |action: &str| -> Option<(usize, &Statement)> {
            if denied_everywhere(cx, doc, action) {
                return None;
            }
            statements
                .iter()
                .find(|(_, s, p)| p.iter().any(|p| crate::policy::action_matches(p, action)) && s.any_resource())
                .map(|(i, s, _)| (*i, *s))
        };
        let mut paths: Vec<String> = Vec::new();
        let mut hits: Vec<(usize, &Statement, String)> = Vec::new();
        for (action, why) in SINGLE {
            if let Some((i, s)) = allowing(action) {
                paths.push(format!("{action} ({why})"));
                hits.push((i, s, action.to_string()));
            }
        }
        if let Some((pi, ps)) = allowing("iam:PassRole") {
            for (action, why) in WITH_PASS_ROLE {
                if let Some((i, s)) = allowing(action) {
                    paths.push(format!("iam:PassRole + {action} ({why})"));
                    hits.push((pi, ps, "iam:PassRole".to_string()));
                    hits.push((i, s, action.to_string()));
                }
            }
        }
        if paths.is_empty() {
            return;
        }
        // One evidence entry per statement involved; severity from the least-restricted one.
        let mut evidence: Vec<Evidence> = Vec::new();
        let mut severity = Severity::Info;
        for (i, s, action) in hits {
            severity = severity.max(cx.severity_for(s));
            match evidence.iter_mut().find(|e| e.statement == Some(i)) {
                Some(e) if !e.actions.contains(&action) => e.actions.push(action),
                Some(_) => {}
                None => evidence.push(Evidence::statement(i, s).with_actions(vec![action])),
            }
        }
        out.push(Finding {
            rule: self.id(),
            severity,
            message: format!("Privilege escalation on every resource: {}", summarize(&paths, 4)),
            evidence,
            hint:
                "Scope these actions to the exact ARNs the principal manages (e.g. iam:PassRole on one role ARN with \
                   an iam:PassedToService condition), or move IAM administration to a separate, audited role."
                    .into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;

    #[test]
    fn single_actions_and_combos() {
        let f = judge(&allow(r#"["iam:CreatePolicyVersion"]"#, r#""*""#));
        assert!(find(&f, "privilege-escalation").unwrap().message.contains("iam:CreatePolicyVersion"));
        let f = judge(&allow(r#"["iam:*Policy*"]"#, r#""*""#));
        let m = &find(&f, "privilege-escalation").unwrap().message;
        assert!(m.contains("iam:AttachRolePolicy"));
        // PassRole alone is not a path; with lambda:CreateFunction in another statement it is.
        assert!(find(&judge(&allow(r#""iam:PassRole""#, r#""*""#)), "privilege-escalation").is_none());
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
                        {"Sid":"Fn","Effect":"Allow","Action":"lambda:CreateFunction","Resource":"*"}]}"#,
        );
        let x = find(&f, "privilege-escalation").unwrap();
        assert!(x.message.contains("iam:PassRole + lambda:CreateFunction"));
        assert_eq!(x.evidence.len(), 2);
        assert_eq!(x.evidence[1].sid.as_deref(), Some("Fn"));
    }

    #[test]
    fn scoped_or_denied_is_not_a_path() {
        let f = judge(&allow(r#""iam:AttachRolePolicy""#, r#""arn:aws:iam::111122223333:role/app""#));
        assert!(find(&f, "privilege-escalation").is_none());
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
                        {"Effect":"Deny","Action":["iam:*Policy*","iam:*AccessKey*","iam:*LoginProfile","iam:AddUserToGroup","iam:UpdateAssumeRolePolicy"],"Resource":"*"}]}"#,
        );
        assert!(find(&f, "privilege-escalation").is_none());
        assert!(find(&judge(&allow(r#""*""#, r#""*""#)), "privilege-escalation").is_none(), "admin covers it");
    }
}
