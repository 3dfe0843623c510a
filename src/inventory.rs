//! What an account holds, as the guard knows it: its principals with everything attached to each,
//! its customer managed policies, its resources' own policies, and the SCP levels that limit it. Domain data, shared by intake
//! (saved exports), the graph, the guard and the adapters, none of which owns it.

use crate::intake::Target;

/// A role, user or group with everything attached to it, as one account inventory reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrincipalDetail {
    /// The principal (`None` for an entity kind the guard does not judge).
    pub target: Option<Target>,
    /// Its ARN, with path.
    pub arn: String,
    /// Its path.
    pub path: String,
    /// Its tags as (key, value).
    pub tags: Vec<(String, String)>,
    /// Managed policy ARNs.
    pub attached: Vec<String>,
    /// Inline policies as (name, document text).
    pub inline: Vec<(String, String)>,
    /// Roles: the trust policy text.
    pub trust: Option<String>,
    /// Users: their groups.
    pub groups: Vec<String>,
    /// Roles and users: the permissions boundary's ARN.
    pub boundary: Option<String>,
    /// Roles: the instance profiles that carry it (EC2 instances run code with it).
    pub instance_profiles: Vec<String>,
}

/// A customer managed policy and its default version's document.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPolicy {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// The default version's document text (URL-encoded or plain).
    pub default_document: Option<String>,
}

/// Everything an account holds, as GetAccountAuthorizationDetails reports it.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Roles, users and groups.
    pub principals: Vec<PrincipalDetail>,
    /// Customer managed policies.
    pub policies: Vec<LocalPolicy>,
    /// Resources with their own policies (buckets, functions, keys, queues, …) or shares.
    pub resources: Vec<crate::resources::ResourcePolicy>,
    /// Compute that runs as a role (functions, stacks, build projects, …): the graph's edges
    /// through existing compute.
    pub compute: Vec<crate::resources::Compute>,
}

/// The SCPs attached to one target of the organization (the root, an OU, the account): a request
/// passes the level when one of them allows it and none denies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScpLevel {
    /// The root, OU or account id.
    pub target: String,
    /// Each SCP as (name, document).
    pub policies: Vec<(String, String)>,
}
