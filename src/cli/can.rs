//! `iam-guard can PRINCIPAL ACTION RESOURCE`: the evaluation core's decision for one request,
//! with the statements that decided it. The principal's policies come from a saved
//! authorization-details export (`--input`) and/or documents given directly (`--policy`, e.g. a
//! suggestion), under a boundary and SCPs when given.

use super::{offline::load, read, EXIT_ERROR, EXIT_FINDINGS};
use crate::catalog::managed;
use crate::eval::request::{authorize, Answer, Context, Decision, Held, Request};
use crate::guard::ports::Inventory;
use crate::intake::PrincipalKind;
use crate::policy::PolicyDocument;
use crate::suggest::{principal::Kind, Principal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CanArgs {
    /// The role or user ARN.
    principal: String,
    /// The action (`s3:GetObject`).
    action: String,
    /// The resource ARN (`*` for actions without resource-level permissions).
    resource: String,
    /// A saved `aws iam get-account-authorization-details` output: the principal's policies,
    /// its groups' and its permissions boundary.
    #[arg(long)]
    input: Option<PathBuf>,
    /// An identity policy document the principal holds (repeatable): judged with the export's.
    #[arg(long)]
    policy: Vec<PathBuf>,
    /// A permissions boundary document (instead of the export's).
    #[arg(long)]
    boundary: Option<PathBuf>,
    /// An SCP document; each one given is one level of the organization that must allow.
    #[arg(long)]
    scp: Vec<PathBuf>,
    /// A request context value, KEY=VALUE (repeatable; a key given twice holds both values).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Print the answer as JSON.
    #[arg(long)]
    json: bool,
}

/// The principal's documents, labelled: identity policies and the boundary.
type Documents = (Vec<(String, PolicyDocument)>, Option<(String, PolicyDocument)>);

/// Exit 0 allowed, 1 denied, 2 bad input.
pub fn run(args: CanArgs) -> ExitCode {
    match answer(&args) {
        Ok(a) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&a).unwrap_or_default());
            } else {
                print!("{}", describe(&args, &a));
            }
            if a.decision == Decision::Allowed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_FINDINGS)
            }
        }
        Err(e) => {
            eprintln!("iam-guard: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn answer(args: &CanArgs) -> Result<Answer, String> {
    let p = Principal::parse(&args.principal).map_err(|e| e.to_string())?;
    let (mut identity, mut boundary) = match &args.input {
        Some(input) => from_export(&load(input, None)?.0, &p)?,
        None => (vec![], None),
    };
    for f in &args.policy {
        identity.push((format!("{}", f.display()), document(f)?));
    }
    if let Some(b) = &args.boundary {
        boundary = Some((format!("{}", b.display()), document(b)?));
    }
    let scps: Vec<(String, PolicyDocument)> =
        args.scp.iter().map(|f| Ok((format!("{}", f.display()), document(f)?))).collect::<Result<_, String>>()?;
    let ctx = context(&p, &args.context)?;
    let held: Vec<Held> = identity.iter().map(|(l, d)| Held { label: l, doc: d }).collect();
    let levels: Vec<Vec<Held>> = scps.iter().map(|(l, d)| vec![Held { label: l, doc: d }]).collect();
    let req = Request { action: &args.action, resource: &args.resource, context: &ctx };
    Ok(authorize(&req, &held, boundary.as_ref().map(|(l, d)| Held { label: l, doc: d }), &levels))
}

fn document(path: &Path) -> Result<PolicyDocument, String> {
    let text = read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    PolicyDocument::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The context every request of the principal carries, then the `--context` values.
fn context(p: &Principal, extra: &[String]) -> Result<Context, String> {
    let mut ctx = Context::default();
    ctx.insert("aws:PrincipalArn", &p.arn);
    ctx.insert("aws:PrincipalAccount", &p.account);
    match p.kind {
        Kind::User => {
            ctx.insert("aws:username", &p.name);
            ctx.insert("aws:PrincipalType", "User");
        }
        Kind::Role => ctx.insert("aws:PrincipalType", "AssumedRole"),
    }
    for kv in extra {
        let (k, v) = kv.split_once('=').ok_or_else(|| format!("--context {kv:?}: expected KEY=VALUE"))?;
        ctx.insert(k, v);
    }
    Ok(ctx)
}

/// The principal's policies in an export: attached (AWS managed from the embedded data, customer
/// managed from the export), inline, its groups' for a user, and its boundary.
fn from_export(inv: &Inventory, p: &Principal) -> Result<Documents, String> {
    let kind = match p.kind {
        Kind::Role => PrincipalKind::Role,
        Kind::User => PrincipalKind::User,
    };
    let detail = inv
        .principals
        .iter()
        .find(|d| d.target.as_ref().is_some_and(|t| t.kind == kind && t.name == p.name))
        .ok_or_else(|| format!("{} is not in the export", p.arn))?;
    let groups = inv.principals.iter().filter(|g| {
        g.target.as_ref().is_some_and(|t| t.kind == PrincipalKind::Group && detail.groups.contains(&t.name))
    });
    let mut out = Vec::new();
    for holder in std::iter::once(detail).chain(groups) {
        let whose = if std::ptr::eq(holder, detail) { String::new() } else { format!(" (group {})", holder.arn) };
        for arn in &holder.attached {
            out.push((format!("{}{whose}", crate::arn::resource_name(arn)), managed_document(inv, arn)?));
        }
        for (name, text) in &holder.inline {
            let d = PolicyDocument::parse(text).map_err(|e| format!("inline policy {name}: {e}"))?;
            out.push((format!("inline policy {name}{whose}"), d));
        }
    }
    let boundary = match &detail.boundary {
        Some(arn) => Some((format!("{} (boundary)", crate::arn::resource_name(arn)), managed_document(inv, arn)?)),
        None => None,
    };
    Ok((out, boundary))
}

fn managed_document(inv: &Inventory, arn: &str) -> Result<PolicyDocument, String> {
    if let Some(m) = managed::by_arn(arn) {
        return m.document().map_err(|e| format!("{arn}: {e}"));
    }
    let text = inv
        .policies
        .iter()
        .find(|l| l.arn == arn)
        .and_then(|l| l.default_document.as_deref())
        .ok_or_else(|| format!("{arn}: its document is not in the export"))?;
    PolicyDocument::parse(text).map_err(|e| format!("{arn}: {e}"))
}

fn describe(args: &CanArgs, a: &Answer) -> String {
    let who = |d: &crate::eval::request::Decider| {
        let sid = d.sid.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
        format!("{} Statement[{}]{sid}", d.policy, d.statement)
    };
    let head = format!("{} {} on {}", args.principal, args.action, args.resource);
    match a.decision {
        Decision::Allowed => {
            let by: Vec<String> = a.allowed_by.iter().map(who).collect();
            format!("allowed: {head}\n  by {}\n", by.join(", "))
        }
        Decision::ExplicitDeny => {
            let by: Vec<String> = a.denied_by.iter().map(who).collect();
            format!("denied: {head}\n  explicitly by {}\n", by.join(", "))
        }
        Decision::ImplicitDeny => format!("denied: {head}\n  {}\n", a.missing.as_deref().unwrap_or("")),
    }
}
