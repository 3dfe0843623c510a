//! The escalation catalogue, as data: every privilege-escalation path iam-guard knows, with the
//! actions that complete it. Sources: pathfinding.cloud (ids `iam-001` … as there), Rhino
//! Security Labs' list, cloudsplaining's privilege-escalation methods, PMapper's edge checks and
//! HackTricks. `iam-guard rules --paths` prints it; tests build, for every path, a document that
//! completes it and one that is an action short.
//!
//! A path is complete when every group of `requires` has at least one allowed action. Which
//! resources count: the self-modification actions ([`SELF_MODIFYING`]) on any resource (a
//! principal rewrites the policy or principal the pattern names, whatever it is); `iam:PassRole`
//! on every role (a wildcard pattern short of that: one severity level lower; named roles only:
//! least privilege, no path); every other action on every resource of its type.

/// One escalation path.
#[derive(Debug)]
pub struct EscalationPath {
    /// Stable id: pathfinding.cloud's where it has one.
    pub id: &'static str,
    /// What a principal holding the actions can do.
    pub name: &'static str,
    /// All of these groups; any one action of a group.
    pub requires: &'static [&'static [&'static str]],
    /// Where it is documented.
    pub reference: &'static str,
}

impl EscalationPath {
    /// Does it pass a role to a service (`iam:PassRole`)?
    pub fn needs_pass_role(&self) -> bool {
        self.requires.iter().any(|g| g.contains(&"iam:PassRole"))
    }

    /// The action the path turns on: the first one that is not `iam:PassRole`.
    pub fn key_action(&self) -> &'static str {
        self.requires.iter().flat_map(|g| g.iter()).find(|a| **a != "iam:PassRole").copied().unwrap_or("iam:PassRole")
    }
}

/// Actions that let a principal change a policy, principal or credential it names: an escalation
/// on whatever resource they are allowed.
pub const SELF_MODIFYING: &[&str] = &[
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
];

/// The catalogue.
#[rustfmt::skip]
pub static PATHS: &[EscalationPath] = &[
    EscalationPath { id: "iam-001", name: "rewrite a managed policy it holds (new default version)", requires: &[&["iam:CreatePolicyVersion"]], reference: "https://pathfinding.cloud/paths/iam-001" },
    EscalationPath { id: "iam-002", name: "switch a managed policy it holds to a broader old version", requires: &[&["iam:SetDefaultPolicyVersion"]], reference: "https://pathfinding.cloud/paths/iam-002" },
    EscalationPath { id: "iam-003", name: "write then activate a new policy version", requires: &[&["iam:CreatePolicyVersion"], &["iam:SetDefaultPolicyVersion"]], reference: "https://pathfinding.cloud/paths/iam-003" },
    EscalationPath { id: "iam-004", name: "create access keys for another user", requires: &[&["iam:CreateAccessKey"]], reference: "https://pathfinding.cloud/paths/iam-004" },
    EscalationPath { id: "iam-005", name: "set a console password for another user", requires: &[&["iam:CreateLoginProfile"]], reference: "https://pathfinding.cloud/paths/iam-005" },
    EscalationPath { id: "iam-006", name: "change another user's console password", requires: &[&["iam:UpdateLoginProfile"]], reference: "https://pathfinding.cloud/paths/iam-006" },
    EscalationPath { id: "iam-007", name: "attach AdministratorAccess to a user", requires: &[&["iam:AttachUserPolicy"]], reference: "https://pathfinding.cloud/paths/iam-007" },
    EscalationPath { id: "iam-008", name: "attach AdministratorAccess to a group", requires: &[&["iam:AttachGroupPolicy"]], reference: "https://pathfinding.cloud/paths/iam-008" },
    EscalationPath { id: "iam-009", name: "attach AdministratorAccess to a role", requires: &[&["iam:AttachRolePolicy"]], reference: "https://pathfinding.cloud/paths/iam-009" },
    EscalationPath { id: "iam-010", name: "write an inline admin policy on a user", requires: &[&["iam:PutUserPolicy"]], reference: "https://pathfinding.cloud/paths/iam-010" },
    EscalationPath { id: "iam-011", name: "write an inline admin policy on a group", requires: &[&["iam:PutGroupPolicy"]], reference: "https://pathfinding.cloud/paths/iam-011" },
    EscalationPath { id: "iam-012", name: "write an inline admin policy on a role", requires: &[&["iam:PutRolePolicy"]], reference: "https://pathfinding.cloud/paths/iam-012" },
    EscalationPath { id: "iam-013", name: "join a more privileged group", requires: &[&["iam:AddUserToGroup"]], reference: "https://pathfinding.cloud/paths/iam-013" },
    EscalationPath { id: "iam-014", name: "let itself assume a privileged role (trust policy rewrite)", requires: &[&["iam:UpdateAssumeRolePolicy"]], reference: "https://pathfinding.cloud/paths/iam-014" },
    EscalationPath { id: "iam-015", name: "create a user and its access key", requires: &[&["iam:CreateUser"], &["iam:CreateAccessKey"]], reference: "https://pathfinding.cloud/paths/iam-015" },
    EscalationPath { id: "iam-016", name: "create a user and add it to a privileged group", requires: &[&["iam:CreateUser"], &["iam:AddUserToGroup"]], reference: "https://pathfinding.cloud/paths/iam-016" },
    EscalationPath { id: "iam-017", name: "create a user and attach a managed policy to it", requires: &[&["iam:CreateUser"], &["iam:AttachUserPolicy"]], reference: "https://pathfinding.cloud/paths/iam-017" },
    EscalationPath { id: "iam-018", name: "create a user and write its inline policy", requires: &[&["iam:CreateUser"], &["iam:PutUserPolicy"]], reference: "https://pathfinding.cloud/paths/iam-018" },
    EscalationPath { id: "iam-019", name: "attach a policy to a role and trust itself in it", requires: &[&["iam:AttachRolePolicy"], &["iam:UpdateAssumeRolePolicy"]], reference: "https://pathfinding.cloud/paths/iam-019" },
    EscalationPath { id: "iam-020", name: "rewrite a role's policy and trust itself in it", requires: &[&["iam:CreatePolicyVersion"], &["iam:UpdateAssumeRolePolicy"]], reference: "https://pathfinding.cloud/paths/iam-020" },
    EscalationPath { id: "iam-021", name: "write a role's inline policy and trust itself in it", requires: &[&["iam:PutRolePolicy"], &["iam:UpdateAssumeRolePolicy"]], reference: "https://pathfinding.cloud/paths/iam-021" },
    EscalationPath { id: "iam-createrole", name: "create a role trusting itself, give it a policy, assume it", requires: &[&["iam:CreateRole"], &["iam:AttachRolePolicy", "iam:PutRolePolicy"], &["sts:AssumeRole"]], reference: "https://github.com/nccgroup/PMapper (edge checks)" },
    EscalationPath { id: "iam-boundary-delete", name: "remove a permissions boundary that limits a principal", requires: &[&["iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-iam-privesc/" },
    EscalationPath { id: "iam-boundary-put", name: "replace a permissions boundary with a wider one", requires: &[&["iam:PutUserPermissionsBoundary", "iam:PutRolePermissionsBoundary"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-iam-privesc/" },
    EscalationPath { id: "sts-001", name: "assume any role that trusts the account", requires: &[&["sts:AssumeRole"]], reference: "https://pathfinding.cloud/paths/sts-001" },
    EscalationPath { id: "apprunner-001", name: "create an App Runner service with any role", requires: &[&["iam:PassRole"], &["apprunner:CreateService"]], reference: "https://pathfinding.cloud/paths/apprunner-001" },
    EscalationPath { id: "bedrock-001", name: "create a Bedrock AgentCore code interpreter with any role and run code in it", requires: &[&["iam:PassRole"], &["bedrock-agentcore:CreateCodeInterpreter"], &["bedrock-agentcore:StartCodeInterpreterSession"], &["bedrock-agentcore:InvokeCodeInterpreter"]], reference: "https://pathfinding.cloud/paths/bedrock-001" },
    EscalationPath { id: "cloudformation-001", name: "create a stack with any service role", requires: &[&["iam:PassRole"], &["cloudformation:CreateStack"]], reference: "https://pathfinding.cloud/paths/cloudformation-001" },
    EscalationPath { id: "cloudformation-003", name: "create a stack set with any execution role", requires: &[&["iam:PassRole"], &["cloudformation:CreateStackSet"], &["cloudformation:CreateStackInstances"]], reference: "https://pathfinding.cloud/paths/cloudformation-003" },
    EscalationPath { id: "cloudformation-004", name: "point a stack set at any execution role", requires: &[&["iam:PassRole"], &["cloudformation:UpdateStackSet"]], reference: "https://pathfinding.cloud/paths/cloudformation-004" },
    EscalationPath { id: "codebuild-001", name: "create a CodeBuild project with any role and build it", requires: &[&["iam:PassRole"], &["codebuild:CreateProject"], &["codebuild:StartBuild", "codebuild:StartBuildBatch"]], reference: "https://pathfinding.cloud/paths/codebuild-001" },
    EscalationPath { id: "codebuild-update", name: "give a CodeBuild project any role and build it", requires: &[&["iam:PassRole"], &["codebuild:UpdateProject"], &["codebuild:StartBuild", "codebuild:StartBuildBatch"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-codebuild-privesc/" },
    EscalationPath { id: "datapipeline-001", name: "create a Data Pipeline running as any role", requires: &[&["iam:PassRole"], &["datapipeline:CreatePipeline"], &["datapipeline:PutPipelineDefinition"]], reference: "https://pathfinding.cloud/paths/datapipeline-001" },
    EscalationPath { id: "ec2-001", name: "launch an instance with any instance profile", requires: &[&["iam:PassRole"], &["ec2:RunInstances"]], reference: "https://pathfinding.cloud/paths/ec2-001" },
    EscalationPath { id: "ec2-003", name: "request a spot instance with any instance profile", requires: &[&["iam:PassRole"], &["ec2:RequestSpotInstances"]], reference: "https://pathfinding.cloud/paths/ec2-003" },
    EscalationPath { id: "ec2-autoscaling", name: "launch instances with any role through Auto Scaling", requires: &[&["iam:PassRole"], &["autoscaling:CreateLaunchConfiguration", "ec2:CreateLaunchTemplate"], &["autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup"]], reference: "https://github.com/nccgroup/PMapper (edge checks)" },
    EscalationPath { id: "ecs-003", name: "run an ECS service with any task role", requires: &[&["iam:PassRole"], &["ecs:RegisterTaskDefinition"], &["ecs:CreateService", "ecs:UpdateService"]], reference: "https://pathfinding.cloud/paths/ecs-003" },
    EscalationPath { id: "ecs-004", name: "run an ECS task with any task role", requires: &[&["iam:PassRole"], &["ecs:RegisterTaskDefinition"], &["ecs:RunTask", "ecs:StartTask"]], reference: "https://pathfinding.cloud/paths/ecs-004" },
    EscalationPath { id: "ecs-override", name: "run an ECS task overriding its role", requires: &[&["iam:PassRole"], &["ecs:RunTask", "ecs:StartTask"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-ecs-privesc/" },
    EscalationPath { id: "glue-001", name: "create a Glue dev endpoint with any role", requires: &[&["iam:PassRole"], &["glue:CreateDevEndpoint"]], reference: "https://pathfinding.cloud/paths/glue-001" },
    EscalationPath { id: "glue-003", name: "create and run a Glue job with any role", requires: &[&["iam:PassRole"], &["glue:CreateJob", "glue:UpdateJob"], &["glue:StartJobRun", "glue:CreateTrigger", "glue:UpdateTrigger"]], reference: "https://pathfinding.cloud/paths/glue-003" },
    EscalationPath { id: "lambda-001", name: "create a Lambda function with any role and invoke it", requires: &[&["iam:PassRole"], &["lambda:CreateFunction"], &["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"]], reference: "https://pathfinding.cloud/paths/lambda-001" },
    EscalationPath { id: "lambda-002", name: "create a Lambda function with any role and an event source for it", requires: &[&["iam:PassRole"], &["lambda:CreateFunction"], &["lambda:CreateEventSourceMapping"]], reference: "https://pathfinding.cloud/paths/lambda-002" },
    EscalationPath { id: "lambda-006", name: "create a Lambda function with any role and let anyone invoke it", requires: &[&["iam:PassRole"], &["lambda:CreateFunction"], &["lambda:AddPermission", "lambda:CreateFunctionUrlConfig"]], reference: "https://pathfinding.cloud/paths/lambda-006" },
    EscalationPath { id: "sagemaker-001", name: "create a SageMaker notebook with any role", requires: &[&["iam:PassRole"], &["sagemaker:CreateNotebookInstance"]], reference: "https://pathfinding.cloud/paths/sagemaker-001" },
    EscalationPath { id: "sagemaker-002", name: "run a SageMaker training job with any role", requires: &[&["iam:PassRole"], &["sagemaker:CreateTrainingJob"]], reference: "https://pathfinding.cloud/paths/sagemaker-002" },
    EscalationPath { id: "sagemaker-003", name: "run a SageMaker processing job with any role", requires: &[&["iam:PassRole"], &["sagemaker:CreateProcessingJob"]], reference: "https://pathfinding.cloud/paths/sagemaker-003" },
    EscalationPath { id: "batch-job", name: "run an AWS Batch job with any role", requires: &[&["iam:PassRole"], &["batch:RegisterJobDefinition"], &["batch:SubmitJob"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-batch-privesc/" },
    EscalationPath { id: "emr-cluster", name: "launch an EMR cluster with any role", requires: &[&["iam:PassRole"], &["elasticmapreduce:RunJobFlow"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-emr-privesc/" },
    EscalationPath { id: "emrserverless-job", name: "run an EMR Serverless job with any role", requires: &[&["iam:PassRole"], &["emr-serverless:CreateApplication"], &["emr-serverless:StartJobRun"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-emr-privesc/" },
    EscalationPath { id: "states-machine", name: "run a Step Functions state machine with any role (SDK integrations call any API)", requires: &[&["iam:PassRole"], &["states:CreateStateMachine", "states:UpdateStateMachine"], &["states:StartExecution", "states:StartSyncExecution"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-stepfunctions-privesc/" },
    EscalationPath { id: "scheduler-target", name: "schedule any API call as any role (EventBridge Scheduler universal target)", requires: &[&["iam:PassRole"], &["scheduler:CreateSchedule", "scheduler:UpdateSchedule"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-eventbridge-scheduler-privesc/" },
    EscalationPath { id: "apprunner-002", name: "change an App Runner service's code or start command", requires: &[&["apprunner:UpdateService"]], reference: "https://pathfinding.cloud/paths/apprunner-002" },
    EscalationPath { id: "bedrock-002", name: "run code in an existing Bedrock AgentCore code interpreter", requires: &[&["bedrock-agentcore:StartCodeInterpreterSession"], &["bedrock-agentcore:InvokeCodeInterpreter"]], reference: "https://pathfinding.cloud/paths/bedrock-002" },
    EscalationPath { id: "cloudformation-002", name: "update a stack that runs with a privileged service role", requires: &[&["cloudformation:UpdateStack"]], reference: "https://pathfinding.cloud/paths/cloudformation-002" },
    EscalationPath { id: "cloudformation-005", name: "change a stack through a change set", requires: &[&["cloudformation:CreateChangeSet"], &["cloudformation:ExecuteChangeSet"]], reference: "https://pathfinding.cloud/paths/cloudformation-005" },
    EscalationPath { id: "codebuild-002", name: "build an existing project with an overridden buildspec", requires: &[&["codebuild:StartBuild"]], reference: "https://pathfinding.cloud/paths/codebuild-002" },
    EscalationPath { id: "codebuild-003", name: "batch-build an existing project with an overridden buildspec", requires: &[&["codebuild:StartBuildBatch"]], reference: "https://pathfinding.cloud/paths/codebuild-003" },
    EscalationPath { id: "ec2-002", name: "change an instance's user data and restart it", requires: &[&["ec2:ModifyInstanceAttribute"], &["ec2:StopInstances"], &["ec2:StartInstances"]], reference: "https://pathfinding.cloud/paths/ec2-002" },
    EscalationPath { id: "ec2-004", name: "make a launch template's new version (new user data) the default", requires: &[&["ec2:CreateLaunchTemplateVersion"], &["ec2:ModifyLaunchTemplate"]], reference: "https://pathfinding.cloud/paths/ec2-004" },
    EscalationPath { id: "ec2instanceconnect-003", name: "SSH into any instance with a pushed key", requires: &[&["ec2-instance-connect:SendSSHPublicKey"]], reference: "https://pathfinding.cloud/paths/ec2instanceconnect-003" },
    EscalationPath { id: "ecs-exec", name: "run commands in any running ECS container", requires: &[&["ecs:ExecuteCommand"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-ecs-privesc/" },
    EscalationPath { id: "glue-002", name: "add an SSH key to an existing Glue dev endpoint", requires: &[&["glue:UpdateDevEndpoint"]], reference: "https://pathfinding.cloud/paths/glue-002" },
    EscalationPath { id: "lambda-003", name: "replace an existing function's code", requires: &[&["lambda:UpdateFunctionCode"]], reference: "https://pathfinding.cloud/paths/lambda-003" },
    EscalationPath { id: "lambda-layer", name: "attach a layer (code) to an existing function", requires: &[&["lambda:UpdateFunctionConfiguration"]], reference: "https://cloud.hacktricks.wiki/en/pentesting-cloud/aws-security/aws-privilege-escalation/aws-lambda-privesc/" },
    EscalationPath { id: "sagemaker-004", name: "open an existing notebook through a presigned URL", requires: &[&["sagemaker:CreatePresignedNotebookInstanceUrl"]], reference: "https://pathfinding.cloud/paths/sagemaker-004" },
    EscalationPath { id: "sagemaker-005", name: "inject a lifecycle script into an existing notebook", requires: &[&["sagemaker:CreateNotebookInstanceLifecycleConfig"], &["sagemaker:StopNotebookInstance"], &["sagemaker:UpdateNotebookInstance"], &["sagemaker:StartNotebookInstance"]], reference: "https://pathfinding.cloud/paths/sagemaker-005" },
    EscalationPath { id: "ssm-001", name: "open a shell on any managed instance", requires: &[&["ssm:StartSession"]], reference: "https://pathfinding.cloud/paths/ssm-001" },
    EscalationPath { id: "ssm-002", name: "run commands on any managed instance", requires: &[&["ssm:SendCommand"]], reference: "https://pathfinding.cloud/paths/ssm-002" },
    EscalationPath { id: "amplify-app", name: "create an Amplify app with any service role and build a branch", requires: &[&["iam:PassRole"], &["amplify:CreateApp"], &["amplify:CreateBranch"], &["amplify:StartJob"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "braket-job", name: "run an Amazon Braket hybrid job with any role", requires: &[&["iam:PassRole"], &["braket:CreateJob"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "gamelift-fleet", name: "create a GameLift fleet whose instances run with any role", requires: &[&["iam:PassRole"], &["gamelift:CreateFleet"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "imagebuilder-build", name: "build an image on instances with any instance profile (Image Builder)", requires: &[&["iam:PassRole"], &["imagebuilder:CreateInfrastructureConfiguration"], &["imagebuilder:CreateImage", "imagebuilder:CreateImagePipeline"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "kinesisanalytics-app", name: "run a Kinesis Data Analytics (Flink) application with any role", requires: &[&["iam:PassRole"], &["kinesisanalytics:CreateApplication"], &["kinesisanalytics:StartApplication"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "omics-workflow", name: "run a HealthOmics workflow with any role", requires: &[&["iam:PassRole"], &["omics:CreateWorkflow"], &["omics:StartRun"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "mwaa-environment", name: "create or update an MWAA (Airflow) environment with any execution role", requires: &[&["iam:PassRole"], &["airflow:CreateEnvironment", "airflow:UpdateEnvironment"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "cognito-identity-pool", name: "give a Cognito identity pool any role and take its credentials", requires: &[&["iam:PassRole"], &["cognito-identity:SetIdentityPoolRoles"], &["cognito-identity:CreateIdentityPool", "cognito-identity:UpdateIdentityPool"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "glue-session", name: "run code in a Glue interactive session with any role", requires: &[&["iam:PassRole"], &["glue:CreateSession"], &["glue:RunStatement"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "bedrock-agentcore-runtime", name: "create a Bedrock AgentCore runtime with any role and invoke it", requires: &[&["iam:PassRole"], &["bedrock-agentcore:CreateAgentRuntime"], &["bedrock-agentcore:InvokeAgentRuntime"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "bedrock-agentcore-browser", name: "create a Bedrock AgentCore browser with any role and start a session", requires: &[&["iam:PassRole"], &["bedrock-agentcore:CreateBrowser"], &["bedrock-agentcore:StartBrowserSession"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "ssm-automation", name: "run an SSM Automation document of one's own as any role", requires: &[&["iam:PassRole"], &["ssm:CreateDocument"], &["ssm:StartAutomationExecution"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "batch-submit-existing", name: "submit a job to an existing job definition, overriding its command (it runs as its job role)", requires: &[&["batch:SubmitJob"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "bedrock-agentcore-command", name: "run a command in an existing Bedrock AgentCore runtime (it runs as its role)", requires: &[&["bedrock-agentcore:InvokeAgentRuntimeCommand"]], reference: "https://github.com/DataDog/pathfinding-labs (2026 scenarios)" },
    EscalationPath { id: "respol-lambda", name: "let any account invoke or change any function (function policy)", requires: &[&["lambda:AddPermission"]], reference: "https://github.com/salesforce/cloudsplaining (privilege escalation methods)" },
    EscalationPath { id: "respol-s3", name: "rewrite any bucket's policy", requires: &[&["s3:PutBucketPolicy"]], reference: "https://github.com/salesforce/cloudsplaining (privilege escalation methods)" },
    EscalationPath { id: "respol-kms", name: "rewrite any KMS key's policy", requires: &[&["kms:PutKeyPolicy"]], reference: "https://github.com/salesforce/cloudsplaining (privilege escalation methods)" },
    EscalationPath { id: "respol-secretsmanager", name: "rewrite any secret's resource policy", requires: &[&["secretsmanager:PutResourcePolicy"]], reference: "https://github.com/salesforce/cloudsplaining (privilege escalation methods)" },
    EscalationPath { id: "respol-sns", name: "rewrite any topic's policy", requires: &[&["sns:SetTopicAttributes", "sns:AddPermission"]], reference: "https://github.com/salesforce/cloudsplaining (privilege escalation methods)" },
    EscalationPath { id: "respol-sqs", name: "rewrite any queue's policy", requires: &[&["sqs:SetQueueAttributes", "sqs:AddPermission"]], reference: "https://github.com/salesforce/cloudsplaining (privilege escalation methods)" },
    EscalationPath { id: "respol-ecr", name: "rewrite any repository's policy", requires: &[&["ecr:SetRepositoryPolicy"]], reference: "https://github.com/salesforce/cloudsplaining (privilege escalation methods)" },
    EscalationPath { id: "respol-ram", name: "share any resource with another account", requires: &[&["ram:CreateResourceShare"]], reference: "https://github.com/salesforce/cloudsplaining (privilege escalation methods)" },
];
