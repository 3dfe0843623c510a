//! `Federation`: see its `doc`. It judges a change on the event path: its findings are built where
//! the change is judged, not from a document.

use super::*;

pub(crate) struct Federation;

impl Rule for Federation {
    fn id(&self) -> RuleId {
        RuleId::Federation
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "A new way into the account: a SAML or OIDC identity provider, an IAM Roles Anywhere trust anchor or profile, a federation token of a long-lived user."
    }
    fn doc(&self) -> &'static str {
        "On the event path: CreateSAMLProvider / UpdateSAMLProvider / CreateOpenIDConnectProvider / AddClientIDToOpenIDConnectProvider / UpdateOpenIDConnectProviderThumbprint (high: whoever controls the provider signs in as any role that trusts it — the sweep judges those roles' trust policies), IAM Roles Anywhere CreateTrustAnchor / CreateProfile (high, naming the roles the profile vends), GetFederationToken by an IAM user (medium: console or API sessions from a long-lived key). Alerts only."
    }
    fn judges(&self) -> Judges {
        Judges::Change
    }
}
