//! `privilege-escalation`: a path of the escalation catalogue ([`super::escalation::PATHS`]) that
//! the document completes, with its denies subtracted and conditions judged. Which resources count
//! is the catalogue's (self-modification actions on any resource, `iam:PassRole` on every role,
//! everything else on every resource of its type). Admin statements are left to `admin`.

use super::escalation::{EscalationPath, PATHS, SELF_MODIFYING};
use super::*;
use std::collections::HashMap;
use std::sync::OnceLock;

pub(super) struct PrivilegeEscalation;

/// How an action of a path is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// Only under a narrowing condition, or (`iam:PassRole`) on some roles by a wildcard.
    Narrowed,
    /// Without restriction on the resources that count.
    Free,
}

/// A path the document completes: how, and which action of which statement completes each group.
type Completed = (&'static EscalationPath, Level, Vec<(ActionId, usize)>);

/// The catalogue as action ids, resolved once per process.
struct Resolved {
    /// Per path, per group, the group's actions.
    paths: Vec<Vec<Vec<ActionId>>>,
    /// Every action some path names.
    relevant: ActionSet,
    /// The self-modification actions.
    self_modifying: ActionSet,
    pass_role: Option<ActionId>,
}

fn resolved() -> &'static Resolved {
    static R: OnceLock<Resolved> = OnceLock::new();
    R.get_or_init(|| {
        let c = Catalog::global();
        let paths: Vec<Vec<Vec<ActionId>>> = PATHS
            .iter()
            .map(|p| p.requires.iter().map(|g| g.iter().filter_map(|a| c.lookup_id(a)).collect()).collect())
            .collect();
        let relevant = paths.iter().flatten().flatten().copied().collect();
        let self_modifying = SELF_MODIFYING.iter().filter_map(|a| c.lookup_id(a)).collect();
        Resolved { paths, relevant, self_modifying, pass_role: c.lookup_id("iam:PassRole") }
    })
}

/// Does a resource pattern name roles by a wildcard (`role/app-*`), not one role?
fn wildcard_roles(s: &Statement) -> bool {
    s.resource_patterns().iter().any(|r| r.contains(":role/") && r.bytes().any(|b| b == b'*' || b == b'?'))
}

impl Rule for PrivilegeEscalation {
    fn id(&self) -> RuleId {
        RuleId::PrivilegeEscalation
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn summary(&self) -> &'static str {
        "Completes a known privilege-escalation path (`iam-guard rules --paths` lists the catalogue)."
    }
    fn doc(&self) -> &'static str {
        "Completes a path of the escalation catalogue (`iam-guard rules --paths`: pathfinding.cloud, Rhino Security Labs, cloudsplaining, PMapper; PassRole to a service that runs code, running code on existing compute, IAM self-modification, boundary removal, `sts:AssumeRole` on `*`, resource-policy rewrites on `*`). Self-modification actions count on any resource, `iam:PassRole` on every role (a wildcard subset: one level lower; named roles: no path), others on every resource of their type. Denies are subtracted; the finding names each path, its actions and its reference."
    }
    fn check(&self, cx: &Ctx<'_>, doc: &PolicyDocument, out: &mut Vec<Finding>) {
        let granted = granted(cx, doc);
        if granted.is_empty() {
            return;
        }
        let complete = completed(&granted);
        if complete.is_empty() {
            return;
        }
        let severity =
            if complete.iter().any(|(_, l, _)| *l == Level::Free) { cx.severity } else { cx.severity.lower() };
        let evidence = evidence(cx, doc, &complete);
        let paths: Vec<PathRef> = complete
            .iter()
            .map(|(p, _, used)| PathRef {
                id: p.id,
                name: p.name,
                actions: used.iter().map(|(id, _)| cx.catalog.action(*id).full_name()).collect(),
                reference: p.reference,
            })
            .collect();
        let described: Vec<String> =
            paths.iter().map(|p| format!("{} {} ({})", p.id, p.actions.join(" + "), p.name)).collect();
        out.push(Finding {
            bounded_by: None,
            rule: self.id(),
            paths,
            severity,
            message: format!("Privilege escalation: {}", summarize(&described, 3)),
            evidence,
            hint:
                "Scope these actions to the exact ARNs the principal manages (e.g. iam:PassRole on one role ARN with \
                   an iam:PassedToService condition), or move IAM administration to a separate, audited role."
                    .into(),
        });
    }
}

/// Each catalogued action the document grants, with how (the best level) and by which statement.
fn granted(cx: &Ctx<'_>, doc: &PolicyDocument) -> HashMap<ActionId, (Level, usize)> {
    let r = resolved();
    let mut granted: HashMap<ActionId, (Level, usize)> = HashMap::new();
    for (i, s) in doc.statements.iter().enumerate() {
        if s.effect != Effect::Allow || cx.facts.admin[i] {
            continue;
        }
        let mut any = cx.facts.granted(i);
        any.intersect(&r.relevant);
        if any.is_empty() {
            continue;
        }
        let (reach, unrestricted) = cx.facts.reach(i);
        let free = &cx.facts.evals[i].free;
        for a in any.iter() {
            let level = if r.self_modifying.contains(a) {
                Some(if free.contains(a) { Level::Free } else { Level::Narrowed })
            } else if reach.contains(a) {
                Some(if unrestricted.contains(a) { Level::Free } else { Level::Narrowed })
            } else if Some(a) == r.pass_role && wildcard_roles(s) {
                Some(Level::Narrowed)
            } else {
                None
            };
            if let Some(level) = level {
                let e = granted.entry(a).or_insert((level, i));
                if level > e.0 {
                    *e = (level, i);
                }
            }
        }
    }
    granted
}

/// The paths every group of which is granted, less those whose actions include a smaller
/// complete path's (iam-003 adds nothing after iam-001).
fn completed(granted: &HashMap<ActionId, (Level, usize)>) -> Vec<Completed> {
    let lookup = |id: &ActionId| granted.get(id).map(|g| (*id, *g));
    let mut complete: Vec<Completed> = Vec::new();
    for (p, groups) in PATHS.iter().zip(&resolved().paths) {
        let mut level = Level::Free;
        let mut used = Vec::new();
        let ok = groups.iter().all(|group| {
            let best = group.iter().filter_map(lookup).max_by_key(|(_, (l, _))| *l);
            match best {
                Some((id, (l, i))) => {
                    level = level.min(l);
                    used.push((id, i));
                    true
                }
                None => false,
            }
        });
        if ok {
            complete.push((p, level, used));
        }
    }
    let sets: Vec<Vec<ActionId>> =
        complete.iter().map(|(_, _, used)| used.iter().map(|(id, _)| *id).collect()).collect();
    let dominated = |i: usize| {
        sets.iter()
            .enumerate()
            .any(|(j, other)| j != i && other.len() < sets[i].len() && other.iter().all(|a| sets[i].contains(a)))
    };
    let keep: Vec<bool> = (0..complete.len()).map(|i| !dominated(i)).collect();
    let mut keep = keep.into_iter();
    complete.retain(|_| keep.next().unwrap_or(true));
    complete
}

/// One evidence entry per statement involved, with the actions it contributes and, when only
/// narrowed, what narrows it.
fn evidence(cx: &Ctx<'_>, doc: &PolicyDocument, complete: &[Completed]) -> Vec<Evidence> {
    let mut evidence: Vec<Evidence> = Vec::new();
    for (_, level, used) in complete {
        for &(id, i) in used {
            let name = cx.catalog.action(id).full_name();
            match evidence.iter_mut().find(|e| e.statement == Some(i)) {
                Some(e) if !e.actions.contains(&name) => e.actions.push(name),
                Some(_) => {}
                None => {
                    let mut e = Evidence::statement(i, &doc.statements[i]).with_actions(vec![name]);
                    if *level == Level::Narrowed {
                        e.narrowed_by = cx.facts.evals[i].narrowed_by.clone();
                        if e.narrowed_by.is_empty() && e.actions[0] == "iam:PassRole" {
                            let roles = doc.statements[i].resource_patterns().join(", ");
                            e.narrowed_by.push(format!("iam:PassRole only on roles matching {roles}"));
                        }
                    }
                    evidence.push(e);
                }
            }
        }
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    fn path_ids(json: &str) -> Vec<&'static str> {
        find(&judge(json), "privilege-escalation").map(|f| f.paths.iter().map(|p| p.id).collect()).unwrap_or_default()
    }

    #[test]
    fn single_actions_and_combos() {
        let f = judge(&allow(r#"["iam:CreatePolicyVersion"]"#, r#""*""#));
        let x = find(&f, "privilege-escalation").unwrap();
        assert!(x.message.contains("iam-001 iam:CreatePolicyVersion"), "{}", x.message);
        assert_eq!(x.paths[0].reference, "https://pathfinding.cloud/paths/iam-001");
        let ids = path_ids(&allow(r#"["iam:*Policy*"]"#, r#""*""#));
        assert!(ids.contains(&"iam-009") && ids.contains(&"iam-012"), "{ids:?}");
        // PassRole alone is not a path; with lambda:CreateFunction + InvokeFunction in another statement it is.
        assert!(path_ids(&allow(r#""iam:PassRole""#, r#""*""#)).is_empty());
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
                        {"Sid":"Fn","Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}"#,
        );
        let x = find(&f, "privilege-escalation").unwrap();
        assert!(
            x.message.contains("lambda-001 iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction"),
            "{}",
            x.message
        );
        assert_eq!(x.evidence.len(), 2);
        assert_eq!(x.evidence[1].sid.as_deref(), Some("Fn"));
    }

    #[test]
    fn resources_count_by_what_the_action_changes() {
        // Self-modification on a named role is still an escalation.
        let ids = path_ids(&allow(r#""iam:AttachRolePolicy""#, r#""arn:aws:iam::111122223333:role/app""#));
        assert_eq!(ids, ["iam-009"]);
        let ids = path_ids(&allow(r#""iam:CreatePolicyVersion""#, r#""arn:aws:iam::*:policy/app-*""#));
        assert_eq!(ids, ["iam-001"]);
        // PassRole: every role → high; a wildcard subset → medium; a named role → least privilege.
        let doc = |res: &str| {
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"{res}"}},{{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}}]}}"#
            )
        };
        let sev = |res: &str| find(&judge(&doc(res)), "privilege-escalation").map(|f| f.severity);
        assert_eq!(sev("arn:aws:iam::*:role/*"), Some(Severity::High));
        assert_eq!(sev("arn:aws:iam::111122223333:role/ec2-*"), Some(Severity::Medium));
        assert_eq!(sev("arn:aws:iam::111122223333:role/ec2-web"), None);
        // Service actions need every resource of their type.
        assert!(path_ids(&allow(
            r#""lambda:UpdateFunctionCode""#,
            r#""arn:aws:lambda:us-east-1:111122223333:function:app""#
        ))
        .is_empty());
        assert_eq!(
            path_ids(&allow(r#""lambda:UpdateFunctionCode""#, r#""arn:aws:lambda:*:*:function:*""#)),
            ["lambda-003"]
        );
    }

    #[test]
    fn scoped_or_denied_is_not_a_path() {
        let f = judge(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
                        {"Effect":"Deny","Action":["iam:*Policy*","iam:*AccessKey*","iam:*LoginProfile","iam:AddUserToGroup","iam:UpdateAssumeRolePolicy","iam:*PermissionsBoundary","iam:PassRole","iam:CreateUser","iam:CreateRole"],"Resource":"*"}]}"#,
        );
        assert!(find(&f, "privilege-escalation").is_none(), "{f:?}");
        assert!(find(&judge(&allow(r#""*""#, r#""*""#)), "privilege-escalation").is_none(), "admin covers it");
    }

    #[test]
    fn conditions() {
        let narrowed = r#"{"Statement":[{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}}]}"#;
        let x = find(&judge(narrowed), "privilege-escalation").unwrap().clone();
        assert_eq!(x.severity, Severity::Medium);
        assert!(x.evidence[0].narrowed_by[0].contains("which policies"), "{:?}", x.evidence);
        let never = r#"{"Statement":[{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"home/"}}}]}"#;
        assert!(find(&judge(never), "privilege-escalation").is_none(), "s3:prefix is never present for IAM calls");
    }
}
