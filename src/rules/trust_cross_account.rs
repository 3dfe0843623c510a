//! `trust-cross-account`: a trust policy naming an AWS account that is neither the policy's
//! own account nor configured in `known_accounts`. With an `sts:ExternalId` condition (the
//! confused-deputy guard for third parties) the finding drops to low.

use super::*;
use crate::policy::{Principal, PrincipalType};

pub(super) struct TrustCrossAccount;

impl Rule for TrustCrossAccount {
    fn id(&self) -> RuleId {
        RuleId::TrustCrossAccount
    }
    // High: a role trusting a foreign account without an external id is the classic backdoor
    // ("backdoor an IAM role" in attack simulators), and must alert at the default threshold.
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "Trust policy lets an unknown AWS account assume the role (low when sts:ExternalId is required)."
    }
    fn doc(&self) -> &'static str {
        "Trust of an AWS account that is neither the policy's own nor in `known_accounts`: high (alerts by default; the classic role backdoor); low when `sts:ExternalId` is required."
    }
    fn applies_to(&self, kind: PolicyKind) -> bool {
        kind == PolicyKind::Trust
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for (i, s) in doc.statements.iter().enumerate() {
            let Some(p) = &s.principal else { continue };
            let Principal::Map(m) = &p.principal else {
                continue;
            };
            if s.effect != Effect::Allow || p.not {
                continue;
            }
            let foreign: Vec<String> = m
                .get(&PrincipalType::Aws)
                .into_iter()
                .flatten()
                .filter(|v| crate::arn::account(v).is_some_and(|a| !cx.known_account(a)))
                .cloned()
                .collect();
            if foreign.is_empty() {
                continue;
            }
            let external_id = s.conditions.iter().any(|c| c.key.eq_ignore_ascii_case("sts:ExternalId"));
            let severity = if external_id { Severity::Low } else { cx.severity_for(i) };
            let mut ev = Evidence::statement(i, s).with_actions(crate::policy::strings(s.action_patterns()));
            ev.principals = foreign.clone();
            out.push(Finding {
                bounded_by: None,
                rule: self.id(),
                paths: Vec::new(),
                severity,
                message: format!(
                    "Trusts an account not in known_accounts: {}{}",
                    foreign.join(", "),
                    if external_id { " (sts:ExternalId required)" } else { ", without an sts:ExternalId condition" }
                ),
                evidence: vec![ev],
                hint: "If this is a vendor, require sts:ExternalId and trust its specific role ARN, not :root; if it \
                       is yours, add the account to known_accounts in the iam-guard config."
                    .into(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;
    use crate::config::Config;

    const T: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}"#;

    #[test]
    fn unknown_accounts() {
        assert_eq!(find(&judge(T), "trust-cross-account").unwrap().severity, Severity::High);
        let known = Config::from_toml("known_accounts = [\"999988887777\"]", "t").unwrap();
        assert!(judge_with(known, None, T).is_empty());
        let with_ext = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"999988887777"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}]}"#;
        assert_eq!(find(&judge(with_ext), "trust-cross-account").unwrap().severity, Severity::Low);
    }
}
