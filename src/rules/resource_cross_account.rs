//! `resource-cross-account`: a resource policy (or share, grant) that admits an account outside
//! the organization and `known_accounts`, once its conditions are applied
//! ([`super::resource_access`]).

use super::resource_access::{action_list, admissions, evidence, this, Caller};
use super::*;

pub(super) struct ResourceCrossAccount;

impl Rule for ResourceCrossAccount {
    fn id(&self) -> RuleId {
        RuleId::ResourceCrossAccount
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn action(&self) -> RuleAction {
        RuleAction::Remediate
    }
    fn summary(&self) -> &'static str {
        "Resource policy, share or grant that admits an account outside the organization and known_accounts."
    }
    fn doc(&self) -> &'static str {
        "A resource policy naming an account (its id, root or a principal of it) that is neither the resource's own, nor in the organization, nor in `known_accounts`, and whose conditions let it in; an AMI, snapshot or RDS snapshot shared with such an account; a KMS grant to one. High; remediated in enforce mode (the statement, share or grant is taken back)."
    }
    fn applies_to(&self, kind: PolicyKind) -> bool {
        kind == PolicyKind::Resource
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        for a in admissions(cx, doc) {
            let Caller::Account { principal, account } = &a.caller else { continue };
            out.push(Finding {
                bounded_by: None,
                rule: self.id(),
                paths: Vec::new(),
                severity: cx.severity,
                message: format!(
                    "Account {account}, outside the organization and known_accounts, can {} on {}",
                    action_list(&a.actions),
                    this(cx)
                ),
                evidence: vec![evidence(doc, &a, principal.clone())],
                hint: "If the account is yours or a partner's, add it to known_accounts; otherwise remove it. Name \
                       its specific role rather than :root, and grant only the actions it needs."
                    .into(),
            });
        }
    }
}
