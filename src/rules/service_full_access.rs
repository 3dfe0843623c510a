//! `service-full-access`: Allow of a whole service, `svc:*` (any case, `s3*:*` too). High on
//! every resource; one level lower when scoped to named resources or conditioned.

use super::*;
use crate::policy::{is_match_all_resource, Statement};

pub(super) struct ServiceFullAccess;

impl Rule for ServiceFullAccess {
    fn id(&self) -> RuleId {
        RuleId::ServiceFullAccess
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "Allows every action of a service (svc:*), including its write and permissions-management actions."
    }
    fn doc(&self) -> &'static str {
        "Allow of a whole service, `svc:*` (`IAM:*` too); medium when scoped to named resources."
    }
    fn action(&self) -> RuleAction {
        RuleAction::Remediate
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        // Whether the document still grants admin once its denies are subtracted (the admin rule
        // reports that); computed only when a statement allows (almost) everything.
        let mut doc_admin = None;
        for (i, s) in doc.statements.iter().enumerate() {
            if s.effect != Effect::Allow {
                continue;
            }
            // Within a principal's limit, `*` (or a NotAction) may be cut below admin as well.
            let names_everything = match &s.action {
                ActionSpec::Action(p) => p.iter().any(|p| is_match_all_action(p)),
                ActionSpec::NotAction(_) => true,
            };
            if cx.facts.admin[i] || (cx.policy.limit.is_some() && names_everything) {
                // `*` (or a NotAction) that denies cut below admin: what is left may still be
                // whole services.
                let admin =
                    *doc_admin.get_or_insert_with(|| is_admin_set(cx.catalog, &cx.facts.effective.reach_everywhere()));
                if !admin {
                    whole_services_left(cx, i, s, out);
                }
                continue;
            }
            let ActionSpec::Action(patterns) = &s.action else {
                continue;
            };
            let wild: Vec<&crate::policy::Str> =
                patterns.iter().filter(|p| is_service_wildcard(p) && !recommended_whole(p)).collect();
            if wild.is_empty() {
                continue;
            }
            let granted = cx.facts.granted(i);
            let (reach, _) = cx.facts.reach(i);
            let unrestricted = &cx.facts.evals[i].free;
            let (mut found, mut everywhere, mut free) = (ActionSet::empty(), false, false);
            // Within a principal's limit, a service the boundary keeps only part of is not full
            // access any more: one level lower (what is left is judged by the other rules).
            let mut partial = false;
            let mut described = Vec::new();
            for p in &wild {
                let all: ActionSet = cx.catalog.expand_ids(p).collect();
                if all.is_empty() {
                    // A service the catalogue does not know (newer than it): judged from the
                    // statement alone, as the IAM grammar allows.
                    let e = &cx.facts.evals[i];
                    everywhere |= s.resource_patterns().iter().any(|r| {
                        is_match_all_resource(r)
                            || r.splitn(6, ':').nth(5).is_some_and(|x| x.bytes().all(|b| b == b'*'))
                    }) || matches!(s.resource, Some(crate::policy::ResourceSpec::NotResource(_)));
                    free |= e.narrowed_by.is_empty();
                    described.push(format!("{p} (a service the catalogue does not know yet)"));
                    continue;
                }
                let mut left = all.clone();
                left.intersect(&granted);
                if left.is_empty() {
                    continue; // denied or never granted (a condition that cannot hold)
                }
                everywhere |= left.intersects(reach);
                free |= left.intersects(unrestricted);
                let pm =
                    left.iter().filter(|a| a.level() == crate::catalog::AccessLevel::PermissionsManagement).count();
                let svc = p.split(':').next().unwrap_or(p);
                let name = cx.catalog.service(svc).map(|s| s.name).unwrap_or(svc);
                partial |= cx.policy.limit.is_some() && left.len() < all.len();
                let of = if left.len() < all.len() {
                    let after = if cx.policy.limit.is_some() { "after Deny and boundary" } else { "after Deny" };
                    format!("{} of {} actions {after}", left.len(), all.len())
                } else {
                    format!("{} actions", left.len())
                };
                described.push(format!("{p} ({name}: {of}, {pm} permissions-management)"));
                found.union_with(&left);
            }
            if described.is_empty() {
                continue;
            }
            let (mut severity, scope, narrowed_by) = graded(cx, i, everywhere, free);
            if partial {
                severity = severity.lower();
            }
            let mut ev = Evidence::statement(i, s).with_actions(wild.iter().map(|p| p.to_string()).collect());
            ev.narrowed_by = narrowed_by;
            out.push(Finding {
                bounded_by: None,
                rule: self.id(),
                paths: Vec::new(),
                severity,
                message: format!("Full service access {scope}: {}", described.join("; ")),
                evidence: vec![ev],
                hint: service_hint(&wild),
            });
        }
    }
}

/// The finding's severity, scope and narrowing conditions: one level lower when it reaches only
/// listed resources, one more when only narrowing conditions grant it.
fn graded(cx: &Ctx<'_>, i: usize, everywhere: bool, free: bool) -> (Severity, &'static str, Vec<String>) {
    let mut severity = cx.severity;
    let mut narrowed_by = Vec::new();
    if !everywhere {
        severity = severity.lower();
    }
    if !free {
        severity = severity.lower();
        narrowed_by = cx.facts.evals[i].narrowed_by.clone();
    }
    (severity, if everywhere { "on every resource" } else { "on the listed resources" }, narrowed_by)
}

/// An Allow of every action that a Deny took most of away (not admin any more): the services it
/// still grants in full, as one finding ("Allow * + Deny NotAction s3:*" is full access to S3).
fn whole_services_left(cx: &Ctx<'_>, i: usize, s: &Statement, out: &mut Vec<Finding>) {
    let granted = cx.facts.granted(i);
    if granted.is_empty() {
        return;
    }
    let (mut found, mut whole) = (Vec::new(), ActionSet::empty());
    for svc in cx.catalog.services() {
        let ids = svc.ids();
        if ids.is_empty() {
            continue;
        }
        let all = ActionSet::range(ids);
        // Within a limit (a read-only boundary), a service whose every action only reads is
        // not "full access": its reads are the other rules' to judge.
        if cx.policy.limit.is_some() && !all.intersects(ActionSet::modifying()) {
            continue;
        }
        if granted.is_superset(&all) {
            found.push(format!("{}:* ({}: {} actions)", svc.prefix, svc.name, all.len()));
            whole.union_with(&all);
        }
    }
    if found.is_empty() {
        return;
    }
    let (reach, _) = cx.facts.reach(i);
    let everywhere = whole.intersects(reach);
    let free = whole.intersects(&cx.facts.evals[i].free);
    let (severity, scope, narrowed_by) = graded(cx, i, everywhere, free);
    let mut ev = Evidence::statement(i, s).with_actions(crate::policy::strings(s.action_patterns()));
    ev.narrowed_by = narrowed_by;
    let shown = found.len().min(8);
    let more = if found.len() > shown { format!(" and {} more services", found.len() - shown) } else { String::new() };
    out.push(Finding {
        bounded_by: None,
        rule: RuleId::ServiceFullAccess,
        paths: Vec::new(),
        severity,
        message: format!(
            "Full service access {scope}, left of an Allow of every action after Deny: {}{more}",
            found[..shown].join("; ")
        ),
        evidence: vec![ev],
        hint: "An Allow of `*` narrowed by Deny statements still grants whole services: allow only the actions \
               the workload calls instead."
            .into(),
    });
}

/// The least-privilege hint for whole services, in the first service's own terms: what a
/// workload of it usually calls instead of `service:*`, on which ARN.
fn service_hint(wild: &[&crate::policy::Str]) -> String {
    let service = wild.first().and_then(|p| p.split(':').next()).unwrap_or("").to_ascii_lowercase();
    let instead = match service.as_str() {
        "s3" => "s3:GetObject and s3:PutObject on arn:aws:s3:::BUCKET/PREFIX/*, s3:ListBucket on arn:aws:s3:::BUCKET",
        "dynamodb" => "dynamodb:GetItem, Query, PutItem, UpdateItem on arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE (and its /index/*)",
        "ec2" => "the Describe* reads the tool needs, and Start/StopInstances with an aws:ResourceTag condition",
        "lambda" => "lambda:InvokeFunction on arn:aws:lambda:REGION:ACCOUNT:function:NAME",
        "sqs" => "sqs:SendMessage (producer) or ReceiveMessage, DeleteMessage, GetQueueAttributes (consumer) on the queue ARN",
        "sns" => "sns:Publish on the topic ARN",
        "ses" => "ses:SendEmail and ses:SendRawEmail on the sending identity, with a ses:FromAddress condition",
        "cloudfront" => "cloudfront:CreateInvalidation on the distribution ARN (deploys), or nothing at run time",
        "kms" => "kms:Decrypt (and GenerateDataKey to write) on the key ARN, with kms:ViaService",
        "secretsmanager" => "secretsmanager:GetSecretValue on the secret's ARN",
        "ssm" => "ssm:GetParameter(s) on arn:aws:ssm:REGION:ACCOUNT:parameter/PATH/*",
        "logs" => "logs:CreateLogStream and PutLogEvents on the log group's ARN (AWSLambdaBasicExecutionRole does this)",
        "cloudwatch" => "cloudwatch:PutMetricData with a cloudwatch:namespace condition",
        "iam" => "the iam:Get* and iam:List* reads it needs (IAM writes belong to infrastructure as code)",
        "ecr" => "ecr:GetAuthorizationToken, BatchGetImage and GetDownloadUrlForLayer on the repository ARN",
        "states" => "states:StartExecution on the state machine ARN",
        "events" => "events:PutEvents on the event bus ARN",
        "kinesis" => "kinesis:PutRecord(s) (producer) or GetRecords, GetShardIterator (consumer) on the stream ARN",
        "rds" => "rds-db:connect on the database user's ARN (IAM authentication), no rds:* at run time",
        _ => "",
    };
    let service_star = if service.is_empty() { "SERVICE:*".to_string() } else { format!("{service}:*") };
    let what = if instead.is_empty() {
        format!("List only the actions the workload calls instead of {service_star}, on the ARNs of its own resources")
    } else {
        format!("Typically {instead} instead of {service_star}")
    };
    format!("{what}; IAM Access Analyzer's policy generation (or `iam-guard suggest` on the principal's CloudTrail) gives the exact list.")
}

/// Services whose whole action set is what good practice grants: AWS Support (CIS 1.17 asks
/// for a role holding AWSSupportAccess, `support:*`), which reads and opens support cases and
/// manages no permissions.
fn recommended_whole(pattern: &str) -> bool {
    let service = pattern.split(':').next().unwrap_or("");
    ["support", "support-console"].iter().any(|s| service.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn service_wildcards() {
        let f = judge(&allow(r#"["s3:*","s3-object-lambda:*"]"#, r#""*""#));
        let x = find(&f, "service-full-access").unwrap();
        assert_eq!(x.severity, Severity::High);
        assert_eq!(x.evidence[0].actions, vec!["s3:*", "s3-object-lambda:*"]);
        assert!(x.message.contains("Amazon S3"));
        let f = judge(&allow(r#""IAM:*""#, r#""*""#));
        assert_eq!(find(&f, "service-full-access").unwrap().severity, Severity::High);
        let f = judge(&allow(r#""dynamodb:*""#, r#""arn:aws:dynamodb:us-east-1:111122223333:table/t""#));
        assert_eq!(find(&f, "service-full-access").unwrap().severity, Severity::Medium);
        assert!(find(&judge(&allow(r#""s3:Get*""#, r#""*""#)), "service-full-access").is_none());
        assert!(find(&judge(&allow(r#""*""#, r#""*""#)), "service-full-access").is_none(), "admin covers it");
        let f = judge(&allow(r#""s3:*""#, r#""arn:aws:s3:::*""#));
        assert_eq!(find(&f, "service-full-access").unwrap().severity, Severity::High, "every bucket is every resource");
    }

    #[test]
    fn denies_and_conditions() {
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
        );
        assert!(f.is_empty(), "{f:?}");
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}]}"#,
        );
        assert!(find(&f, "service-full-access").unwrap().message.contains("after Deny"));
        // Allow * cut down to S3 by a Deny NotAction: not admin, still full access to S3.
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"#,
        );
        let x = find(&f, "service-full-access").unwrap_or_else(|| panic!("{f:?}"));
        assert_eq!(x.severity, Severity::High);
        assert!(x.message.contains("s3:*") && x.message.contains("s3-object-lambda:*"), "{}", x.message);
        assert!(find(&f, "admin").is_none());
        // Allow * + Deny *: nothing left, nothing found.
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
        );
        assert!(f.is_empty(), "{f:?}");
        // Allow * minus Deny of most actions of S3 (not all): no service left whole.
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["s3:Get*"],"Resource":"*"}]}"#,
        );
        assert!(find(&f, "service-full-access").is_none(), "{f:?}");
        // iam:ResourceTag is absent for s3 requests: the Allow never applies to s3.
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"iam:ResourceTag/team":"ops"}}}]}"#,
        );
        assert!(find(&f, "service-full-access").is_none(), "{f:?}");
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"ops"}}}]}"#,
        );
        let x = find(&f, "service-full-access").unwrap();
        assert_eq!(x.severity, Severity::Medium);
        assert!(x.evidence[0].narrowed_by[0].contains("tagged"), "{:?}", x.evidence);
    }
}
