//! Compute that runs as a role: whoever may change what it runs acts with that role's
//! permissions (escalation paths on existing compute: a function's code, a stack's template, a
//! build's buildspec). The escalation graph's edges to those roles come from this list.

use serde::{Deserialize, Serialize};

/// The kinds of compute whose role the graph follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComputeKind {
    /// A Lambda function (its execution role).
    LambdaFunction,
    /// A CloudFormation stack (its service role).
    CloudformationStack,
    /// A CodeBuild project (its service role).
    CodebuildProject,
    /// A Glue development endpoint (its role).
    GlueDevEndpoint,
    /// A SageMaker notebook instance (its execution role).
    SagemakerNotebook,
    /// An App Runner service (its instance role).
    ApprunnerService,
}

impl ComputeKind {
    /// "Lambda function".
    pub fn label(self) -> &'static str {
        match self {
            ComputeKind::LambdaFunction => "Lambda function",
            ComputeKind::CloudformationStack => "CloudFormation stack",
            ComputeKind::CodebuildProject => "CodeBuild project",
            ComputeKind::GlueDevEndpoint => "Glue dev endpoint",
            ComputeKind::SagemakerNotebook => "SageMaker notebook",
            ComputeKind::ApprunnerService => "App Runner service",
        }
    }

    /// What runs one's own code on it, each way a list of actions that must all be allowed on
    /// it (the catalogue's existing-compute paths: lambda-003, lambda-layer, cloudformation-002
    /// and -005, codebuild-002 and -003, glue-002, sagemaker-004, apprunner-002).
    pub fn takeovers(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            ComputeKind::LambdaFunction => &[
                ("lambda-003", &["lambda:UpdateFunctionCode"]),
                ("lambda-layer", &["lambda:UpdateFunctionConfiguration"]),
            ],
            ComputeKind::CloudformationStack => &[
                ("cloudformation-002", &["cloudformation:UpdateStack"]),
                ("cloudformation-005", &["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"]),
            ],
            ComputeKind::CodebuildProject => {
                &[("codebuild-002", &["codebuild:StartBuild"]), ("codebuild-003", &["codebuild:StartBuildBatch"])]
            }
            ComputeKind::GlueDevEndpoint => &[("glue-002", &["glue:UpdateDevEndpoint"])],
            ComputeKind::SagemakerNotebook => &[("sagemaker-004", &["sagemaker:CreatePresignedNotebookInstanceUrl"])],
            ComputeKind::ApprunnerService => &[("apprunner-002", &["apprunner:UpdateService"])],
        }
    }
}

/// One piece of compute and the role it runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compute {
    /// What it is.
    pub kind: ComputeKind,
    /// Its ARN.
    pub arn: String,
    /// The role it runs as (ARN).
    pub role: String,
}

impl Compute {
    /// Its name: a stack's (`stack/NAME/ID`), else the ARN's last part.
    pub fn name(&self) -> &str {
        let rest = self.arn.splitn(6, ':').nth(5).unwrap_or(&self.arn);
        match rest.strip_prefix("stack/") {
            Some(stack) => stack.split('/').next().unwrap_or(stack),
            None => rest.rsplit([':', '/']).next().unwrap_or(rest),
        }
    }
}
