//! `iam-guard can PRINCIPAL ACTION RESOURCE`: the evaluation core's decision for one request,
//! with the statements that decided it. The principal's policies come from a saved
//! authorization-details export (`--input`) and/or documents given directly (`--policy`, e.g. a
//! suggestion), under a boundary and SCPs when given.

use super::{offline::load, read, EXIT_ERROR, EXIT_FINDINGS};
use crate::catalog::managed;
use crate::eval::request::{authorize_with, Answer, Context, Decision, Held, Request, ResourcePolicy};
use crate::intake::PrincipalKind;
use crate::inventory::Inventory;
use crate::policy::PolicyDocument;
use crate::suggest::{principal::Kind, Principal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct CanArgs {
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
    /// The resource's own policy (a bucket, key, queue or function policy).
    #[arg(long)]
    resource_policy: Option<PathBuf>,
    /// The account the resource is in, when it is not the principal's (then the identity
    /// policies and the resource policy must both allow).
    #[arg(long, requires = "resource_policy")]
    resource_account: Option<String>,
    /// A request context value, KEY=VALUE (repeatable; a key given twice holds both values).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Print the answer as JSON.
    #[arg(long)]
    json: bool,
    /// Read the principal's policies from the account (AWS credentials or AWS_ENDPOINT_URL:
    /// GetAccountAuthorizationDetails, run by `iam-guard-sweep can`) instead of --input.
    #[arg(long, conflicts_with = "input")]
    pub(crate) live: bool,
}

impl CanArgs {
    /// The arguments again, for `iam-guard-sweep can` (which reads the account).
    pub(crate) fn argv(&self) -> Vec<std::ffi::OsString> {
        let mut v: Vec<std::ffi::OsString> =
            vec!["can".into(), (&self.principal).into(), (&self.action).into(), (&self.resource).into()];
        let mut flag = |name: &str, value: &std::ffi::OsStr| {
            v.push(name.into());
            v.push(value.into());
        };
        self.policy.iter().for_each(|p| flag("--policy", p.as_os_str()));
        if let Some(b) = &self.boundary {
            flag("--boundary", b.as_os_str());
        }
        self.scp.iter().for_each(|p| flag("--scp", p.as_os_str()));
        if let Some(r) = &self.resource_policy {
            flag("--resource-policy", r.as_os_str());
        }
        if let Some(a) = &self.resource_account {
            flag("--resource-account", std::ffi::OsStr::new(a));
        }
        self.context.iter().for_each(|c| flag("--context", std::ffi::OsStr::new(c)));
        if self.json {
            v.push("--json".into());
        }
        v
    }
}

/// The principal's documents, labelled: identity policies and the boundary.
pub(super) type Documents = (Vec<(String, PolicyDocument)>, Option<(String, PolicyDocument)>);

/// Exit 0 allowed, 1 denied, 2 bad input.
pub(crate) fn run(args: CanArgs) -> ExitCode {
    let inv = match &args.input {
        Some(input) => match load(input, None) {
            Ok((inv, _)) => Some(inv),
            Err(e) => {
                eprintln!("iam-guard: {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        },
        None => None,
    };
    report(&args, inv.as_ref())
}

/// The answer for the principal's policies in `inv` (and the documents given), printed; the
/// exit code says allowed or not.
pub(crate) fn report(args: &CanArgs, inv: Option<&Inventory>) -> ExitCode {
    match answer(args, inv) {
        Ok(a) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&a).unwrap_or_default());
            } else {
                print!("{}", describe(args, &a));
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

fn answer(args: &CanArgs, inv: Option<&Inventory>) -> Result<Answer, String> {
    let p = Principal::parse(&args.principal).map_err(|e| e.to_string())?;
    let (mut identity, mut boundary) = match inv {
        Some(inv) => from_export(inv, &p)?,
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
    let resource_doc = match args.resource_policy.as_deref() {
        Some(f) => Some((f.display().to_string(), document(f)?, args.resource_account.clone())),
        None => inv.and_then(|inv| saved_resource_policy(inv, &args.resource)).transpose()?,
    };
    let resource = resource_doc
        .as_ref()
        .map(|(label, doc, account)| ResourcePolicy { held: Held { label, doc }, account: account.as_deref() });
    let boundary = boundary.as_ref().map(|(l, d)| Held { label: l, doc: d });
    Ok(authorize_with(&req, &held, boundary, &levels, resource))
}

/// A resource's policy for a request: its label, the document, and the resource's account.
pub(super) type SavedPolicy = (String, PolicyDocument, Option<String>);

/// The policy the export's `ResourcePolicies` hold for the requested resource (a bucket's for its
/// objects too), with the account the resource is in when its ARN says.
pub(super) fn saved_resource_policy(inv: &Inventory, resource: &str) -> Option<Result<SavedPolicy, String>> {
    let rp = inv.resources.iter().find(|rp| {
        let arn = &rp.resource.arn;
        resource == arn || resource.strip_prefix(arn.as_str()).is_some_and(|rest| rest.starts_with('/'))
    })?;
    let r = &rp.resource;
    let label = format!("{} of {r}", r.kind.info().policy);
    let account = Some(r.account()).filter(|a| !a.is_empty()).map(str::to_string);
    Some(PolicyDocument::parse(&rp.policy).map(|d| (label, d, account)).map_err(|e| format!("{}: {e}", r.arn)))
}

fn document(path: &Path) -> Result<PolicyDocument, String> {
    let text = read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    PolicyDocument::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The context every request of the principal carries, then the `--context` values.
pub(super) fn context(p: &Principal, extra: &[String]) -> Result<Context, String> {
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
pub(super) fn from_export(inv: &Inventory, p: &Principal) -> Result<Documents, String> {
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
    // An AWS managed policy, also when the export names it without its path
    // (`aws:policy/AWSLambdaBasicExecutionRole` for `aws:policy/service-role/…`).
    let aws = managed::by_arn(arn)
        .or_else(|| managed::is_aws_managed(arn).then(|| managed::by_name(crate::arn::resource_name(arn))).flatten());
    if let Some(m) = aws {
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

/// `iam-guard-sweep can …`: the principal's policies read from the account.
#[cfg(feature = "aws")]
pub(crate) fn live(argv: Vec<std::ffi::OsString>) -> ExitCode {
    use crate::guard::ports::IamInventory;
    let argv = std::iter::once(std::ffi::OsString::from("iam-guard can")).chain(argv.into_iter().skip(1));
    let args = match <CanCommand as clap::Parser>::try_parse_from(argv) {
        Ok(c) => c.args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("iam-guard: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let inv = rt.block_on(async {
        let sdk = crate::aws::load_config().await;
        crate::aws::SdkIam::new(&sdk).inventory().await
    });
    match inv {
        Ok(inv) => report(&args, Some(&inv)),
        Err(e) => {
            eprintln!("iam-guard: cannot read the account's IAM: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// `iam-guard can` as its own command line (for `iam-guard-sweep can`).
#[cfg(feature = "aws")]
#[derive(clap::Parser)]
#[command(name = "iam-guard can", bin_name = "iam-guard can")]
struct CanCommand {
    #[command(flatten)]
    args: CanArgs,
}
