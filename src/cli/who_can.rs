//! `iam-guard who-can ACTION [RESOURCE] --input FILE`: every user and role of a saved export that
//! can do it — directly (its policies, its groups', within its boundary, with the resource's own
//! policy when the file holds it) or by becoming one that can, along the escalation graph (a
//! principal that can become admin can do anything) — PMapper's `query "who can do …"`.

use super::can::{context, from_export, saved_resource_policy};
use super::offline::load;
use super::EXIT_ERROR;
use crate::eval::request::{authorize_with, Decision, Held, Request, ResourcePolicy};
use crate::graph::{Graph, PathToAdmin};
use crate::suggest::Principal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct WhoCanArgs {
    /// The action (`s3:GetObject`).
    action: String,
    /// The resource ARN (default `*`).
    #[arg(default_value = "*")]
    resource: String,
    /// A saved `aws iam get-account-authorization-details` output (with the resource policies and
    /// compute `sweep --save-resources` writes, when you have them).
    #[arg(long)]
    input: PathBuf,
    /// The account (default: read off the export's ARNs).
    #[arg(long)]
    account: Option<String>,
    /// One JSON object per principal instead of text.
    #[arg(long)]
    json: bool,
}

/// One principal that can.
#[derive(serde::Serialize)]
struct Who {
    principal: String,
    /// `directly`, or the path it takes.
    how: String,
}

pub(crate) fn run(args: WhoCanArgs) -> ExitCode {
    let (inv, account) = match load(&args.input, args.account.as_deref()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("iam-guard: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let graph = Graph::build(&inv, &account);
    let mut direct = Vec::new();
    let mut found: Vec<Who> = Vec::new();
    for p in inv.principals.iter().filter(|p| p.target.as_ref().is_some_and(|t| t.kind.as_str() != "group")) {
        let Ok(principal) = Principal::parse(&p.arn) else { continue };
        match allowed(&args, &inv, &principal) {
            Ok(Some(by)) => {
                direct.extend(graph.node_of(&p.arn));
                found.push(Who { principal: p.arn.clone(), how: format!("directly ({by})") });
            }
            Ok(None) => {}
            Err(e) => eprintln!("iam-guard: {}: {e} (left out)", p.arn),
        }
    }
    for (start, edges) in graph.paths_to(&direct) {
        let Some(arn) = graph.nodes[start].arn.clone() else { continue };
        let path = graph.describe(&PathToAdmin { start, edges, from_outside: false });
        found.push(Who { principal: arn, how: format!("through {path}") });
    }
    // Directly first, then through the graph, each by ARN.
    found.sort_by(|a, b| {
        (!a.how.starts_with("directly"), &a.principal).cmp(&(!b.how.starts_with("directly"), &b.principal))
    });
    print(&args, &found);
    ExitCode::SUCCESS
}

/// The statement that allows the principal the request directly, if one does.
fn allowed(args: &WhoCanArgs, inv: &crate::inventory::Inventory, p: &Principal) -> Result<Option<String>, String> {
    let (identity, boundary) = from_export(inv, p)?;
    let ctx = context(p, &[])?;
    let req = Request { action: &args.action, resource: &args.resource, context: &ctx };
    let held: Vec<Held> = identity.iter().map(|(l, d)| Held { label: l, doc: d }).collect();
    let saved = saved_resource_policy(inv, &args.resource).transpose()?;
    let resource = saved
        .as_ref()
        .map(|(label, doc, account)| ResourcePolicy { held: Held { label, doc }, account: account.as_deref() });
    let boundary = boundary.as_ref().map(|(l, d)| Held { label: l, doc: d });
    let answer = authorize_with(&req, &held, boundary, &[], resource);
    Ok((answer.decision == Decision::Allowed).then(|| {
        answer.allowed_by.first().map_or_else(String::new, |d| format!("{} Statement[{}]", d.policy, d.statement))
    }))
}

fn print(args: &WhoCanArgs, found: &[Who]) {
    if args.json {
        for w in found {
            println!("{}", serde_json::to_string(w).unwrap_or_default());
        }
        return;
    }
    println!("who can {} on {}:", args.action, args.resource);
    for w in found {
        println!("  {}  {}", w.principal, w.how);
    }
    println!("{} principal(s)", found.len());
}
