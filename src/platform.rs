//! Landing-zone and deployment roles, and changes made by infrastructure as code.
//!
//! Organizations, Control Tower, StackSets, CDK and Account Factory for Terraform create roles
//! with AdministratorAccess (or close to it) in every account, by design: detaching their policies
//! cuts off account access, breaks enrolment, deploys and drift detection in every account at
//! once. The guard alerts on changes to them like any other, and never acts on them, unless the
//! configuration's `[platform] act_on` names the pattern (or `builtin_roles = false`).
//!
//! A change made *by* CloudFormation (its `invokedBy`, or a deployment role as the caller) is the
//! stack's: undone in IAM it is drift the next deploy puts back. By default the alert says so and
//! nothing is changed (`[platform] iac_changes = "remediate"` acts anyway).

use crate::intake::{Actor, PrincipalKind, Target};
use crate::policy::wildcard_match;
use serde::{Deserialize, Serialize};

/// One built-in pattern: role names (IAM wildcards, case-insensitive) and why they are left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlatformRole {
    /// Role name pattern (no path).
    pub pattern: &'static str,
    /// Who creates these roles.
    pub owner: &'static str,
    /// Why the guard must not act on them.
    pub reason: &'static str,
    /// Roles that deploy stacks: changes they make are infrastructure as code.
    pub deploys: bool,
}

const fn role(pattern: &'static str, owner: &'static str, reason: &'static str, deploys: bool) -> PlatformRole {
    PlatformRole { pattern, owner, reason, deploys }
}

/// The built-in list (README "Platform roles"; `iam-guard rules --platform`).
pub const PLATFORM_ROLES: &[PlatformRole] = &[
    role(
        "iam-guard-member",
        "iam-guard (spoke stack)",
        "the hub's way into a member account: changing it would leave the account unguarded",
        false,
    ),
    role(
        "OrganizationAccountAccessRole",
        "AWS Organizations",
        "created with AdministratorAccess in every account Organizations creates: the management account's way in",
        false,
    ),
    role(
        "AWSControlTowerExecution",
        "AWS Control Tower",
        "AdministratorAccess role through which Control Tower enrols, updates and governs the account",
        true,
    ),
    role(
        "AWSControlTower*",
        "AWS Control Tower",
        "Control Tower's own service roles (AWSControlTowerAdmin, …StackSetRole, …CloudTrailRole)",
        false,
    ),
    role(
        "aws-controltower-*",
        "AWS Control Tower",
        "roles Control Tower deploys in every enrolled account (AdministratorExecutionRole, ConfigRecorderRole, …)",
        false,
    ),
    role(
        "AWSCloudFormationStackSetExecutionRole",
        "CloudFormation StackSets (self-managed)",
        "the role StackSets deploys through in each target account (AdministratorAccess in AWS's template)",
        true,
    ),
    role(
        "AWSCloudFormationStackSetAdministrationRole",
        "CloudFormation StackSets (self-managed)",
        "assumes the execution role in every target account",
        false,
    ),
    role(
        "stacksets-exec-*",
        "CloudFormation StackSets (service-managed)",
        "created by StackSets in each member account to deploy stack instances",
        true,
    ),
    role(
        "cdk-*-cfn-exec-role-*",
        "AWS CDK bootstrap",
        "CloudFormation's execution role for every CDK deploy (AdministratorAccess unless bootstrapped otherwise)",
        true,
    ),
    role("cdk-*-deploy-role-*", "AWS CDK bootstrap", "the role `cdk deploy` assumes to start CloudFormation", false),
    role("cdk-*-publishing-role-*", "AWS CDK bootstrap", "uploads file and image assets for CDK deploys", false),
    role("cdk-*-lookup-role-*", "AWS CDK bootstrap", "reads context for `cdk synth`", false),
    role(
        "AWSAFT*",
        "Account Factory for Terraform",
        "AFT's execution, service and admin roles: AFT provisions and customises accounts through them",
        true,
    ),
    role(
        "AWSAccelerator*",
        "Landing Zone Accelerator on AWS",
        "roles the accelerator's pipeline deploys and operates the landing zone through",
        true,
    ),
];

/// Identity Center permission sets the landing zone creates and relies on (Control Tower's
/// preconfigured ones, named in AWS's Control Tower guide): the guard alerts on their changes and
/// does not detach from them (`[platform] act_on` names a pattern to act anyway).
pub const PLATFORM_PERMISSION_SETS: &[PlatformRole] = &[
    role(
        "AWSAdministratorAccess",
        "AWS Control Tower",
        "Control Tower's administrator permission set (AdministratorAccess), how its administrators reach every \
         enrolled account",
        false,
    ),
    role("AWSPowerUserAccess", "AWS Control Tower", "Control Tower's preconfigured power-user permission set", false),
    role(
        "AWSOrganizationsFullAccess",
        "AWS Control Tower",
        "Control Tower's permission set for managing the organization",
        false,
    ),
    role(
        "AWSServiceCatalogAdminFullAccess",
        "AWS Control Tower",
        "Control Tower's Account Factory administrators (Service Catalog)",
        false,
    ),
    role(
        "AWSServiceCatalogEndUserAccess",
        "AWS Control Tower",
        "Control Tower's Account Factory users (Service Catalog)",
        false,
    ),
];

/// What to do with a change made by infrastructure as code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IacChanges {
    /// Alert ("fix it in the stack"); never change IAM behind the stack's back.
    #[default]
    Alert,
    /// Treat it like any other change (enforce mode remediates).
    Remediate,
}

/// The `[platform]` table of the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlatformConfig {
    /// The built-in list applies (default true).
    pub builtin_roles: bool,
    /// Built-in patterns (exactly as listed) the guard acts on anyway.
    pub act_on: Vec<String>,
    /// Changes made by CloudFormation or a deployment role.
    pub iac_changes: IacChanges,
}

impl Default for PlatformConfig {
    fn default() -> Self {
        PlatformConfig { builtin_roles: true, act_on: Vec::new(), iac_changes: IacChanges::Alert }
    }
}

impl PlatformConfig {
    /// An `act_on` entry that names no built-in pattern (a typo would silently protect nothing).
    pub(crate) fn unknown_act_on(&self) -> Option<&str> {
        let known = |a: &str| PLATFORM_ROLES.iter().chain(PLATFORM_PERMISSION_SETS).any(|r| r.pattern == a);
        self.act_on.iter().find(|a| !known(a)).map(String::as_str)
    }

    fn active(&self) -> impl Iterator<Item = &'static PlatformRole> + '_ {
        PLATFORM_ROLES.iter().filter(move |r| self.builtin_roles && !self.act_on.iter().any(|a| a == r.pattern))
    }

    /// The platform entry covering an Identity Center permission set's name, if the guard must not
    /// change it.
    pub fn permission_set(&self, name: &str) -> Option<&'static PlatformRole> {
        PLATFORM_PERMISSION_SETS
            .iter()
            .filter(|r| self.builtin_roles && !self.act_on.iter().any(|a| a == r.pattern))
            .find(|r| wildcard_match(r.pattern, name, false))
    }

    /// The platform role entry covering a role name, if the guard must leave it alone.
    pub fn role(&self, name: &str) -> Option<&'static PlatformRole> {
        self.active().find(|r| wildcard_match(r.pattern, name, true))
    }

    /// The entry covering a principal, when it is a role the guard must leave alone.
    pub(crate) fn covers(&self, target: &Target) -> Option<&'static PlatformRole> {
        (target.kind == PrincipalKind::Role).then(|| self.role(&target.name)).flatten()
    }

    /// Why a change counts as made by infrastructure as code, if it does (whatever `iac_changes`
    /// says).
    pub fn made_by_iac(&self, actor: &Actor, source_ip: Option<&str>, user_agent: Option<&str>) -> Option<String> {
        const CFN: &str = "cloudformation.amazonaws.com";
        if actor.invoked_by.as_deref() == Some(CFN) || source_ip == Some(CFN) {
            return Some("made by CloudFormation (invoked by cloudformation.amazonaws.com)".into());
        }
        if let Some(tool) = user_agent.and_then(iac_tool) {
            return Some(format!("made by {tool} (its user agent)"));
        }
        let role = actor.principal_arn().and_then(crate::arn::role_name)?;
        let entry = PLATFORM_ROLES.iter().find(|r| r.deploys && wildcard_match(r.pattern, role, true))?;
        Some(format!("made by {role}, a {} deployment role", entry.owner))
    }
}

/// Infrastructure-as-code tools by what their AWS calls' user agents carry (Terraform's AWS
/// provider: `HashiCorp/1.0 Terraform/1.9.5 … terraform-provider-aws/5.70.0`).
const IAC_AGENTS: &[(&str, &str)] = &[
    ("terraform-provider-aws", "Terraform"),
    ("hashicorp/", "Terraform"),
    ("terraform/", "Terraform"),
    ("opentofu/", "OpenTofu"),
    ("pulumi", "Pulumi"),
    ("aws-cdk/", "the AWS CDK"),
    ("crossplane-provider-aws", "Crossplane"),
];

/// The infrastructure-as-code tool a user agent names, if any.
fn iac_tool(agent: &str) -> Option<&'static str> {
    let agent = agent.to_ascii_lowercase();
    IAC_AGENTS.iter().find(|(needle, _)| agent.contains(needle)).map(|(_, tool)| *tool)
}

/// The built-in list as a Markdown table (`iam-guard rules --platform`, the README's).
pub fn markdown_table() -> String {
    let mut out = String::from("| role name pattern | created by | why the guard leaves it alone | deploys stacks |\n");
    out.push_str("| --- | --- | --- | --- |\n");
    for r in PLATFORM_ROLES {
        let deploys = if r.deploys { "yes" } else { "" };
        out.push_str(&format!("| `{}` | {} | {} | {deploys} |\n", r.pattern, r.owner, r.reason));
    }
    out.push_str("\n| Identity Center permission set | created by | why the guard leaves it alone |\n");
    out.push_str("| --- | --- | --- |\n");
    for r in PLATFORM_PERMISSION_SETS {
        out.push_str(&format!("| `{}` | {} | {} |\n", r.pattern, r.owner, r.reason));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Role names as AWS's documentation and tools create them.
    const NAMED: &[&str] = &[
        "OrganizationAccountAccessRole",
        "AWSControlTowerExecution",
        "AWSControlTowerAdmin",
        "AWSControlTowerStackSetRole",
        "AWSControlTowerCloudTrailRole",
        "aws-controltower-AdministratorExecutionRole",
        "aws-controltower-ReadOnlyExecutionRole",
        "aws-controltower-ConfigRecorderRole",
        "AWSCloudFormationStackSetExecutionRole",
        "AWSCloudFormationStackSetAdministrationRole",
        "stacksets-exec-c8a2b9ab2a6d1bd6c3a0e55d3a1c5b1e",
        "cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1",
        "cdk-hnb659fds-deploy-role-111122223333-us-east-1",
        "cdk-hnb659fds-file-publishing-role-111122223333-us-east-1",
        "cdk-hnb659fds-image-publishing-role-111122223333-eu-west-1",
        "cdk-accel-lookup-role-111122223333-us-east-1",
        "AWSAFTExecution",
        "AWSAFTService",
        "AWSAccelerator-SecurityHub-Role",
    ];

    #[test]
    fn the_documented_roles_are_covered_and_ordinary_ones_are_not() {
        let c = PlatformConfig::default();
        for n in NAMED {
            assert!(c.role(n).is_some(), "{n}");
            assert!(c.role(&n.to_lowercase()).is_some(), "IAM role names are case-insensitive: {n}");
        }
        for n in ["app", "ci-deployer", "OrganizationAccountAccessRole2", "my-cdk-role", "stacksets-exec", "admin"] {
            assert!(c.role(n).is_none(), "{n}");
        }
        assert!(c.covers(&Target::user("OrganizationAccountAccessRole")).is_none(), "roles only");
    }

    #[test]
    fn config_can_hand_back_a_pattern_or_the_whole_list() {
        let c = PlatformConfig { act_on: vec!["cdk-*-cfn-exec-role-*".into()], ..Default::default() };
        assert!(c.role("cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1").is_none());
        assert!(c.role("OrganizationAccountAccessRole").is_some());
        assert_eq!(c.unknown_act_on(), None);
        let typo = PlatformConfig { act_on: vec!["cdk-*-cfn-exec-role".into()], ..Default::default() };
        assert_eq!(typo.unknown_act_on(), Some("cdk-*-cfn-exec-role"));
        let off = PlatformConfig { builtin_roles: false, ..Default::default() };
        assert!(NAMED.iter().all(|n| off.role(n).is_none()));
        assert!(off.permission_set("AWSAdministratorAccess").is_none());
    }

    #[test]
    fn control_tower_permission_sets_are_left_alone_and_others_are_not() {
        let c = PlatformConfig::default();
        assert!(c.permission_set("AWSAdministratorAccess").is_some());
        assert!(c.permission_set("AWSServiceCatalogEndUserAccess").is_some());
        for n in ["AdministratorAccess", "Developers", "awsadministratoraccess", "AWSAdministratorAccess2"] {
            assert!(c.permission_set(n).is_none(), "{n}");
        }
        let act = PlatformConfig { act_on: vec!["AWSAdministratorAccess".into()], ..Default::default() };
        assert_eq!(act.unknown_act_on(), None);
        assert!(act.permission_set("AWSAdministratorAccess").is_none());
        assert!(act.permission_set("AWSPowerUserAccess").is_some());
    }

    #[test]
    fn cloudformation_and_deployment_roles_are_infrastructure_as_code() {
        let c = PlatformConfig::default();
        let cfn = Actor { invoked_by: Some("cloudformation.amazonaws.com".into()), ..Default::default() };
        assert!(c.made_by_iac(&cfn, None, None).unwrap().contains("CloudFormation"));
        assert!(c.made_by_iac(&Actor::default(), Some("cloudformation.amazonaws.com"), None).is_some());
        let tf = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.70.0 \
                  (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 os/linux";
        assert_eq!(
            c.made_by_iac(&Actor::default(), None, Some(tf)).as_deref(),
            Some("made by Terraform (its user agent)")
        );
        let pulumi = "aws-sdk-go/1.50.0 (go1.22; linux; amd64) pulumi-aws/6.56.0";
        assert!(c.made_by_iac(&Actor::default(), None, Some(pulumi)).unwrap().contains("Pulumi"));
        assert!(c.made_by_iac(&Actor::default(), None, Some("aws-cli/2.17.20")).is_none());
        let exec = Actor {
            session_issuer_arn: Some(
                "arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1".into(),
            ),
            ..Default::default()
        };
        assert!(c.made_by_iac(&exec, Some("cloudformation.amazonaws.com"), None).is_some());
        assert!(c.made_by_iac(&exec, Some("203.0.113.7"), None).unwrap().contains("AWS CDK bootstrap deployment role"));
        let person = Actor {
            arn: Some("arn:aws:iam::111122223333:user/alice".into()),
            invoked_by: Some("signin.amazonaws.com".into()),
            ..Default::default()
        };
        assert!(c.made_by_iac(&person, Some("203.0.113.7"), None).is_none());
        // OrganizationAccountAccessRole is how people get in, not a deployment role.
        let org = Actor {
            session_issuer_arn: Some("arn:aws:iam::111122223333:role/OrganizationAccountAccessRole".into()),
            ..Default::default()
        };
        assert!(c.made_by_iac(&org, None, None).is_none());
    }
}
