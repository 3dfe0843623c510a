//! `trust-public`: a trust policy that lets anyone in (resource policies: `resource-public`): Principal `*`,
//! `{"AWS": "*"}` or Allow+NotPrincipal, without a condition that pins who the caller is; and
//! web-identity federation without a subject condition (e.g. any GitHub repository).
//!
//! Pinning keys (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount,
//! aws:SourceArn, aws:SourceOrgID, aws:SourceVpce, aws:SourceIp, sts:ExternalId, ...) used with
//! an operator that is not `...IfExists` turn the finding into a low one, kept for review.

use super::*;
use crate::policy::{Principal, PrincipalType};

pub(super) struct TrustPublic;

const PINNING_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceowner",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceip",
    "aws:userid",
    "aws:principalservicename",
    "sts:externalid",
];

pub(crate) fn pinning_conditions(s: &Statement) -> Vec<String> {
    s.conditions
        .iter()
        .filter(|c| !c.operator.ends_with("IfExists") && PINNING_KEYS.contains(&c.key.to_ascii_lowercase().as_str()))
        .map(|c| c.key.clone())
        .collect()
}

impl Rule for TrustPublic {
    fn id(&self) -> RuleId {
        RuleId::TrustPublic
    }
    fn severity(&self) -> Severity {
        Severity::Critical
    }
    fn summary(&self) -> &'static str {
        "Trust policy open to any AWS principal (Principal \"*\") or any identity of a web-identity provider."
    }
    fn doc(&self) -> &'static str {
        "Trust policy with Principal `*`, `{\"AWS\":\"*\"}` or Allow+NotPrincipal and no condition pinning the caller; web-identity federation with no subject condition (any GitHub repository). Low when pinned by `aws:PrincipalOrgID`, `aws:SourceAccount`, `aws:SourceArn`, `sts:ExternalId` … (not `…IfExists`)."
    }
    fn applies_to(&self, kind: PolicyKind) -> bool {
        kind == PolicyKind::Trust
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for (i, s) in doc.statements.iter().enumerate() {
            let Some(p) = &s.principal else { continue };
            if s.effect != Effect::Allow {
                continue;
            }
            let (public, principals): (bool, Vec<String>) = match &p.principal {
                _ if p.not => (true, vec!["NotPrincipal (everyone except the listed)".into()]),
                Principal::Any => (true, vec!["*".into()]),
                Principal::Map(m) => {
                    let any_aws = m.get(&PrincipalType::Aws).is_some_and(|v| v.iter().any(|x| x == "*"));
                    (any_aws, vec!["AWS: *".into()])
                }
            };
            if public {
                let pins = pinning_conditions(s);
                let (severity, msg) = if pins.is_empty() {
                    (cx.severity, "Anyone with an AWS account can use this policy (Principal \"*\" with no condition pinning the caller)".to_string())
                } else {
                    (
                        Severity::Low,
                        format!("Principal \"*\" narrowed only by conditions on {}: review them", pins.join(", ")),
                    )
                };
                let mut ev = Evidence::statement(i, s).with_actions(crate::policy::strings(s.action_patterns()));
                ev.principals = principals;
                out.push(Finding {
                    bounded_by: None,
                    rule: self.id(),
                    paths: Vec::new(),
                    severity,
                    message: msg,
                    evidence: vec![ev],
                    hint:
                        "Name the exact principals (role ARNs or account ids) that need access; if the trust must be \
                           broad, pin it with aws:PrincipalOrgID or aws:SourceAccount conditions."
                            .into(),
                });
                continue;
            }
            // Web-identity federation with no subject condition.
            if let Principal::Map(m) = &p.principal {
                let Some(providers) = m.get(&PrincipalType::Federated) else {
                    continue;
                };
                if !s.covers_action("sts:AssumeRoleWithWebIdentity") {
                    continue;
                }
                let keys: Vec<String> = s.conditions.iter().map(|c| c.key.to_ascii_lowercase()).collect();
                let has_sub = keys.iter().any(|k| k.ends_with(":sub"));
                let has_aud = keys.iter().any(|k| k.ends_with(":aud") || k.ends_with(":amr"));
                let github = providers.iter().any(|p| p.contains("token.actions.githubusercontent.com"));
                let open = if github { !has_sub } else { !has_sub && !has_aud };
                if !open {
                    continue;
                }
                let mut ev = Evidence::statement(i, s).with_actions(crate::policy::strings(s.action_patterns()));
                ev.principals = providers.iter().map(|p| format!("Federated: {p}")).collect();
                out.push(Finding {
                    bounded_by: None,
                    rule: self.id(),
                    paths: Vec::new(),
                    severity: cx.severity,
                    message: format!(
                        "Any identity of {} can assume this role: no condition on the token's subject{}",
                        providers.join(", "),
                        if github { " (any GitHub repository)" } else { " or audience" }
                    ),
                    evidence: vec![ev],
                    hint: "Add a StringEquals/StringLike condition on the provider's :sub claim (for GitHub: \
                           token.actions.githubusercontent.com:sub = repo:ORG/REPO:ref:refs/heads/main) and :aud."
                        .into(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    fn trust(stmt: &str) -> Vec<Finding> {
        judge(&format!(r#"{{"Version":"2012-10-17","Statement":[{stmt}]}}"#))
    }

    #[test]
    fn public_principals() {
        for p in [r#""*""#, r#"{"AWS":"*"}"#, r#"{"AWS":["arn:aws:iam::111122223333:root","*"]}"#] {
            let f = trust(&format!(r#"{{"Effect":"Allow","Principal":{p},"Action":"sts:AssumeRole"}}"#));
            assert_eq!(find(&f, "trust-public").unwrap().severity, Severity::Critical, "{p}");
        }
        let f = trust(
            r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}"#,
        );
        assert_eq!(find(&f, "trust-public").unwrap().severity, Severity::Low);
        let f = trust(
            r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-abc"}}}"#,
        );
        assert_eq!(find(&f, "trust-public").unwrap().severity, Severity::Critical, "IfExists pins nothing");
        let f = trust(r#"{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}"#);
        assert!(f.is_empty(), "{f:?}");
        let f = trust(r#"{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}"#);
        assert!(f.is_empty());
    }

    #[test]
    fn web_identity() {
        let gh = r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}"#;
        assert!(find(&trust(gh), "trust-public").unwrap().message.contains("any GitHub repository"));
        let pinned = r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:org/app:*"}}}"#;
        assert!(find(&trust(pinned), "trust-public").is_none());
    }
}
