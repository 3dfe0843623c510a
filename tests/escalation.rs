//! Every path of the escalation catalogue: a minimal document that completes it must be flagged at
//! high naming the path, and the same document one requirement short must not complete it. The
//! documents are built from the public catalogues' action lists (pathfinding.cloud, Rhino Security
//! Labs, cloudsplaining, PMapper), not from any one lab's files.

use iam_guard::config::Config;
use iam_guard::engine::Engine;
use iam_guard::policy::PolicyDocument;
use iam_guard::rules::escalation::{EscalationPath, PATHS};
use iam_guard::rules::{PolicyContext, Severity};

fn judge(actions: &[&str]) -> Option<(Severity, Vec<&'static str>)> {
    let statements: Vec<serde_json::Value> =
        actions.iter().map(|a| serde_json::json!({"Effect": "Allow", "Action": a, "Resource": "*"})).collect();
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    let doc = PolicyDocument::parse(&doc).unwrap();
    Engine::new(Config::default())
        .judge(&PolicyContext::default(), &doc)
        .into_iter()
        .find(|f| f.rule == "privilege-escalation")
        .map(|f| (f.severity, f.paths.iter().map(|p| p.id).collect()))
}

/// The path is reported, or left out because a smaller path that the same actions complete is
/// (iam-003, CreatePolicyVersion + SetDefaultPolicyVersion, after iam-001).
fn reported(p: &EscalationPath, actions: &[&str], ids: &[&str]) -> bool {
    ids.contains(&p.id)
        || ids.iter().any(|id| {
            let q = PATHS.iter().find(|q| q.id == *id).unwrap();
            q.requires.len() < p.requires.len() && q.requires.iter().all(|g| g.iter().any(|a| actions.contains(a)))
        })
}

#[test]
fn every_path_flagged_at_high_and_not_one_action_short() {
    assert!(PATHS.len() >= 70, "the catalogue has {} paths", PATHS.len());
    for p in PATHS {
        let minimal: Vec<&str> = p.requires.iter().map(|g| g[0]).collect();
        let (severity, ids) = judge(&minimal).unwrap_or_else(|| panic!("{}: {minimal:?} not flagged", p.id));
        assert_eq!(severity, Severity::High, "{}", p.id);
        assert!(reported(p, &minimal, &ids), "{}: {minimal:?} gave {ids:?}", p.id);
        // Any action of a group completes it.
        for (gi, group) in p.requires.iter().enumerate() {
            for alt in group.iter().skip(1) {
                let mut with_alt = minimal.clone();
                with_alt[gi] = alt;
                let ids = judge(&with_alt).map(|(_, ids)| ids).unwrap_or_default();
                assert!(reported(p, &with_alt, &ids), "{}: {with_alt:?} gave {ids:?}", p.id);
            }
        }
        for short in 0..minimal.len() {
            let mut rest = minimal.clone();
            rest.remove(short);
            let ids = judge(&rest).map(|(_, ids)| ids).unwrap_or_default();
            assert!(!ids.contains(&p.id), "{}: {rest:?} (without {}) still completes it", p.id, minimal[short]);
        }
    }
}

#[test]
fn every_catalogued_action_exists() {
    for p in PATHS {
        for a in p.requires.iter().flat_map(|g| g.iter()) {
            assert!(iam_guard::eval::action_id(a).is_some(), "{}: {a} is not in the action catalogue", p.id);
        }
        assert!(p.reference.starts_with("https://"), "{}", p.id);
    }
    let mut ids: Vec<&str> = PATHS.iter().map(|p| p.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), PATHS.len(), "path ids are unique");
}

/// The families the engine issue names, each present in the catalogue.
#[test]
fn the_named_families_are_covered() {
    let has = |actions: &[&str]| PATHS.iter().any(|p| actions.iter().all(|a| p.requires.iter().any(|g| g.contains(a))));
    for family in [
        &["iam:PassRole", "codebuild:CreateProject"][..],
        &["iam:PassRole", "sagemaker:CreateTrainingJob"],
        &["iam:PassRole", "ecs:RegisterTaskDefinition"],
        &["iam:PassRole", "glue:CreateJob"],
        &["iam:PassRole", "glue:CreateTrigger"],
        &["iam:PassRole", "apprunner:CreateService"],
        &["iam:PassRole", "ec2:RequestSpotInstances"],
        &["iam:PassRole", "cloudformation:CreateStackSet"],
        &["iam:PassRole", "bedrock-agentcore:CreateCodeInterpreter"],
        &["ssm:SendCommand"],
        &["ssm:StartSession"],
        &["ec2-instance-connect:SendSSHPublicKey"],
        &["ecs:ExecuteCommand"],
        &["ec2:ModifyInstanceAttribute"],
        &["ec2:CreateLaunchTemplateVersion"],
        &["sagemaker:CreatePresignedNotebookInstanceUrl"],
        &["sagemaker:CreateNotebookInstanceLifecycleConfig"],
        &["cloudformation:UpdateStack"],
        &["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"],
        &["iam:CreateRole", "iam:AttachRolePolicy"],
        &["iam:DeleteRolePermissionsBoundary"],
        &["iam:PutUserPermissionsBoundary"],
        &["sts:AssumeRole"],
        &["lambda:AddPermission"],
        &["s3:PutBucketPolicy"],
        &["kms:PutKeyPolicy"],
        &["secretsmanager:PutResourcePolicy"],
        &["sns:SetTopicAttributes"],
        &["sqs:SetQueueAttributes"],
        &["ram:CreateResourceShare"],
    ] {
        assert!(has(family), "no path with {family:?}");
    }
}
