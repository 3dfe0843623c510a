//! The IAM policy grammar: documents, statements, principals and conditions, parsed from plain
//! or URL-encoded JSON with errors that name the statement and field at fault.

mod fast;
mod parse;
pub mod source;
pub(crate) mod spelling;
pub mod wildcard;

pub(crate) use parse::decode_document_text;
pub use parse::PolicyError;

pub use wildcard::is_match_all_action;
pub(crate) use wildcard::{action_matches, is_match_all_resource, split_service, wildcard_match};

use std::collections::BTreeMap;

/// A policy string (an action or resource pattern, a condition value): stored inline up to 24
/// bytes, which most action names are, so parsing a document allocates about half as often.
pub type Str = compact_str::CompactString;

/// Policy strings as owned `String`s (for reports and evidence).
pub fn strings(list: &[Str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A parsed IAM policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// `Version`, when present.
    pub version: Option<String>,
    /// `Id`, when present.
    pub id: Option<String>,
    /// `Statement`, always a list here.
    pub statements: Vec<Statement>,
}

/// A statement's `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants, unless denied elsewhere.
    Allow,
    /// Refuses, whatever else allows.
    Deny,
}

/// The policy language versions IAM accepts in `Version`.
pub(crate) const VERSIONS: [&str; 2] = ["2012-10-17", "2008-10-17"];

impl Effect {
    /// `Allow` or `Deny`, in any case (IAM is lenient here; both parsers agree on it).
    pub(crate) fn from_name(s: &str) -> Option<Effect> {
        if s.eq_ignore_ascii_case("allow") {
            Some(Effect::Allow)
        } else if s.eq_ignore_ascii_case("deny") {
            Some(Effect::Deny)
        } else {
            None
        }
    }
}

/// `Action` or `NotAction`; IAM requires exactly one of them.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionSpec {
    /// `Action`: the patterns covered.
    Action(Vec<Str>),
    /// `NotAction`: everything but these patterns.
    NotAction(Vec<Str>),
}

/// `Resource` or `NotResource`; absent in trust policies.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceSpec {
    /// `Resource`: the patterns covered.
    Resource(Vec<Str>),
    /// `NotResource`: everything but these patterns.
    NotResource(Vec<Str>),
}

/// `"*"` or a map of principal types (`AWS`, `Service`, `Federated`, `CanonicalUser`) to values.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// `"*"`: anyone.
    Any,
    /// Principals by type.
    Map(BTreeMap<PrincipalType, Vec<String>>),
}

/// The types of principal a policy can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalType {
    /// `AWS`: accounts, roles, users, `*`.
    Aws,
    /// `Service`: AWS services (`lambda.amazonaws.com`).
    Service,
    /// `Federated`: identity providers (SAML, OIDC).
    Federated,
    /// `CanonicalUser`: S3 canonical user ids.
    CanonicalUser,
}

impl PrincipalType {
    /// Every principal type, for parsing and messages.
    pub(crate) const ALL: [PrincipalType; 4] =
        [PrincipalType::Aws, PrincipalType::Service, PrincipalType::Federated, PrincipalType::CanonicalUser];

    /// The type named by a `Principal` key (exact case, as IAM requires).
    pub(crate) fn from_name(s: &str) -> Option<PrincipalType> {
        PrincipalType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The policy language's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalSpec {
    /// True for `NotPrincipal`.
    pub not: bool,
    /// The principals named.
    pub principal: Principal,
}

/// One `operator → key → values` entry of a Condition block. Booleans and numbers keep their
/// JSON text (`true`, `3600`), as IAM compares them as strings.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The condition operator (`StringEquals`, `ForAnyValue:StringLike`, …).
    pub operator: String,
    /// The condition key (`aws:SourceIp`).
    pub key: String,
    /// The values compared against.
    pub values: Vec<String>,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, when present.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub action: ActionSpec,
    /// `Resource` or `NotResource` (absent in trust policies).
    pub resource: Option<ResourceSpec>,
    /// `Principal` or `NotPrincipal` (resource and trust policies).
    pub principal: Option<PrincipalSpec>,
    /// `Condition`, one entry per operator and key.
    pub conditions: Vec<Condition>,
}

impl PolicyDocument {
    /// Parses a policy from plain JSON or RFC 3986 URL-encoded JSON (as IAM's Get* APIs return).
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        parse::parse_text(text)
    }

    /// The `serde_json::Value` parser alone, bypassing the typed fast path: the reference that
    /// [`PolicyDocument::parse`] must always agree with (fuzzing and tests check it).
    #[doc(hidden)]
    pub fn parse_reference(text: &str) -> Result<Self, PolicyError> {
        parse::parse_value_text(&decode_document_text(text)?)
    }

    /// Builds a policy from an already-parsed JSON value (a document embedded in an export).
    pub fn from_value(value: &serde_json::Value) -> Result<Self, PolicyError> {
        parse::from_value(value)
    }

    /// The AWS accounts an Allow statement's `AWS` principals name (account ids, `:root`, role
    /// and user ARNs), each once, in document order.
    pub fn principal_accounts(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self.statements.iter().filter(|s| s.effect == Effect::Allow) {
            let Some(PrincipalSpec { principal: Principal::Map(m), not: false }) = &s.principal else { continue };
            for v in m.get(&PrincipalType::Aws).into_iter().flatten() {
                if let Some(a) = crate::arn::account(v) {
                    if !out.iter().any(|x| x == a) {
                        out.push(a.to_string());
                    }
                }
            }
        }
        out
    }

    /// True when some statement names a principal: a trust or resource-based policy.
    pub(crate) fn has_principals(&self) -> bool {
        self.statements.iter().any(|s| s.principal.is_some())
    }
}

impl Statement {
    /// Does this statement's Action/NotAction cover `action` (`service:Name`)?
    pub(crate) fn covers_action(&self, action: &str) -> bool {
        match &self.action {
            ActionSpec::Action(p) => p.iter().any(|p| action_matches(p, action)),
            ActionSpec::NotAction(p) => !p.iter().any(|p| action_matches(p, action)),
        }
    }

    /// The action patterns as written (Action or NotAction).
    pub fn action_patterns(&self) -> &[Str] {
        match &self.action {
            ActionSpec::Action(p) | ActionSpec::NotAction(p) => p,
        }
    }

    /// The resource patterns as written, empty when absent.
    pub(crate) fn resource_patterns(&self) -> &[Str] {
        match &self.resource {
            Some(ResourceSpec::Resource(r)) | Some(ResourceSpec::NotResource(r)) => r,
            None => &[],
        }
    }
}

/// What a policy governs, which decides the rules that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// Attached to a role, user or group (managed or inline): what the principal may do.
    Identity,
    /// A role's assume-role policy: who may become the role.
    Trust,
    /// Any other policy naming principals (bucket, key, queue policies).
    Resource,
}

impl PolicyKind {
    /// Infers the kind of a bare document: principals + sts:Assume* → trust; principals → resource.
    pub(crate) fn infer(doc: &PolicyDocument) -> PolicyKind {
        if !doc.has_principals() {
            return PolicyKind::Identity;
        }
        let assumes = doc.statements.iter().any(|s| {
            s.covers_action("sts:AssumeRole")
                || s.covers_action("sts:AssumeRoleWithWebIdentity")
                || s.covers_action("sts:AssumeRoleWithSAML")
        });
        if assumes {
            PolicyKind::Trust
        } else {
            PolicyKind::Resource
        }
    }
}
