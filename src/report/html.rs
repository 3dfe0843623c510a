//! The sweep's HTML report: one self-contained page (no network) that fits a 1280 px window — a
//! summary with counts by severity and rule, who can become admin first, the CIS controls, the
//! findings table with search and filters (severity, rule, principal, account), a page per
//! principal with what it holds and per policy with its document and holders. The table and the
//! pages read with JavaScript off; the filters and sorting need it.

use crate::guard::sweep::{SweepFinding, SweepReport};
use crate::rules::Severity;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const SEVERITIES: [Severity; 5] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page.
pub(crate) fn render(r: &SweepReport) -> String {
    let ids = Ids::of(r);
    let mut body = String::new();
    header(r, &mut body);
    summary(r, &mut body);
    accounts(r, &mut body);
    admin_paths(r, &ids, &mut body);
    actions(r, &mut body);
    body.push_str(&super::sweep::controls_html(r));
    findings(r, &ids, &mut body);
    principals(r, &ids, &mut body);
    policies(r, &ids, &mut body);
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>iam-guard sweep {}</title>\n<style>{STYLE}</style></head><body>\n{body}<script>{SCRIPT}</script>\n</body></html>\n",
        esc(&r.account_id)
    )
}

/// Anchors of principal and policy pages.
struct Ids {
    principal: BTreeMap<String, usize>,
    policy: BTreeMap<String, usize>,
}

impl Ids {
    fn of(r: &SweepReport) -> Ids {
        let mut principal = BTreeMap::new();
        for (i, h) in r.holdings.iter().enumerate() {
            principal.entry(h.arn.clone()).or_insert(i);
        }
        let mut policy = BTreeMap::new();
        for (i, p) in r.policy_views.iter().enumerate() {
            policy.entry(p.label.clone()).or_insert(i);
        }
        Ids { principal, policy }
    }

    /// The principal's name, linked to its page when it has one.
    fn principal_link(&self, label: &str, arn: &str) -> String {
        match self.principal.get(arn) {
            Some(i) => format!("<a href=\"#p{i}\">{}</a>", esc(label)),
            None => esc(label),
        }
    }

    fn policy_link(&self, label: &str) -> String {
        match self.policy.get(label) {
            Some(i) => format!("<a href=\"#pol{i}\">{}</a>", esc(label)),
            None => esc(label),
        }
    }
}

fn header(r: &SweepReport, b: &mut String) {
    let _ = writeln!(
        b,
        "<header><h1>IAM sweep of account {}</h1><p>{} principals, {} managed policies judged{}, {} findings, mode {:?}. \
         <small>Reference data: {}.</small></p>\
         <nav><a href=\"#summary\">Summary</a> <a href=\"#admin\">Can become admin</a> <a href=\"#findings\">Findings</a> \
         <a href=\"#principals\">Principals</a> <a href=\"#policies\">Policies</a></nav></header>",
        esc(&r.account_id),
        r.principals,
        r.policies_judged,
        if r.resource_policies > 0 { format!(", {} resource policies", r.resource_policies) } else { String::new() },
        r.findings.len(),
        r.mode,
        esc(crate::catalog::DATA_SOURCES.trim()),
    );
}

/// Counts by severity as bars, and by rule as a table.
fn summary(r: &SweepReport, b: &mut String) {
    let total = r.findings.len().max(1);
    b.push_str("<section id=\"summary\"><h2>Summary</h2><div class=\"bars\">");
    for s in SEVERITIES {
        let n = r.count(s);
        let pct = n * 100 / total;
        let _ = write!(
            b,
            "<div class=\"bar-row\"><span class=\"bar-label\">{s}</span><span class=\"bar {s}\" style=\"width:{pct}%\"></span>\
             <span class=\"bar-n\" id=\"count-{s}\">{n}</span></div>"
        );
    }
    b.push_str(
        "</div><table id=\"by-rule\"><thead><tr><th>Rule</th><th>Findings</th><th>Worst</th></tr></thead><tbody>",
    );
    let mut by_rule: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for f in &r.findings {
        let e = by_rule.entry(f.finding.rule.as_str()).or_insert((0, Severity::Info));
        e.0 += 1;
        e.1 = e.1.max(f.finding.severity);
    }
    for (rule, (n, worst)) in by_rule {
        let _ = write!(b, "<tr><td>{rule}</td><td>{n}</td><td class=\"{worst}\">{worst}</td></tr>");
    }
    b.push_str("</tbody></table></section>\n");
}

/// An organization sweep: each account's line (swept with its counts, or why not).
fn accounts(r: &SweepReport, b: &mut String) {
    if r.accounts.is_empty() {
        return;
    }
    let _ = write!(b, "<section id=\"accounts\"><h2>Accounts ({})</h2><ul>", r.accounts.len());
    for a in &r.accounts {
        let _ = write!(b, "<li>{} {}: {}</li>", esc(&a.account_id), esc(&a.name), esc(&a.line()));
    }
    b.push_str("</ul></section>\n");
}

fn admin_paths(r: &SweepReport, ids: &Ids, b: &mut String) {
    let paths: Vec<&SweepFinding> =
        r.findings.iter().filter(|f| f.finding.rule == crate::rules::RuleId::EscalationPath).collect();
    let _ = write!(b, "<section id=\"admin\"><h2>Can become admin ({})</h2>", paths.len());
    if paths.is_empty() {
        b.push_str("<p>No principal that is not admin can become admin.</p>");
    } else {
        b.push_str("<ul id=\"admin-paths\">");
        for f in paths {
            let _ = write!(
                b,
                "<li class=\"{}\"><b>{}</b>: {}</li>",
                f.finding.severity,
                ids.principal_link(&f.principal, &f.principal_arn),
                esc(&f.finding.message)
            );
        }
        b.push_str("</ul>");
    }
    b.push_str("</section>\n");
}

fn actions(r: &SweepReport, b: &mut String) {
    if r.actions.is_empty() {
        return;
    }
    let _ = write!(b, "<section id=\"actions\"><h2>Remediation ({})</h2><ul>", r.actions.len());
    for a in &r.actions {
        let _ = write!(b, "<li>{} — {}</li>", esc(&a.remediation.describe()), esc(&a.state()));
    }
    b.push_str("</ul></section>\n");
}

/// The filter controls (shown by the script; hidden without JavaScript).
fn filters(r: &SweepReport, b: &mut String) {
    let options = |values: BTreeSet<String>| {
        values.into_iter().map(|v| format!("<option>{}</option>", esc(&v))).collect::<String>()
    };
    let rules: BTreeSet<String> = r.findings.iter().map(|f| f.finding.rule.to_string()).collect();
    let principals: BTreeSet<String> = r.findings.iter().map(|f| f.principal.clone()).collect();
    let accounts: BTreeSet<String> = r
        .findings
        .iter()
        .map(|f| f.account_id.clone())
        .chain(r.accounts.iter().filter(|a| a.error.is_none()).map(|a| a.account_id.clone()))
        .collect();
    let sev: String = SEVERITIES.iter().map(|s| format!("<option>{s}</option>")).collect();
    let _ = write!(
        b,
        "<div id=\"filters\" hidden><input id=\"q\" type=\"search\" placeholder=\"Search findings\" aria-label=\"Search findings\"> \
         <select id=\"f-severity\" aria-label=\"Severity\"><option value=\"\">every severity</option>{sev}</select> \
         <select id=\"f-rule\" aria-label=\"Rule\"><option value=\"\">every rule</option>{}</select> \
         <select id=\"f-principal\" aria-label=\"Principal\"><option value=\"\">every principal</option>{}</select> \
         <select id=\"f-account\" aria-label=\"Account\"{}><option value=\"\">every account</option>{}</select> \
         <span id=\"shown\"></span></div>",
        options(rules),
        options(principals),
        if accounts.len() > 1 { "" } else { " hidden" },
        options(accounts),
    );
}

fn findings(r: &SweepReport, ids: &Ids, b: &mut String) {
    let _ = write!(b, "<section id=\"findings\"><h2>Findings ({})</h2>", r.findings.len());
    filters(r, b);
    b.push_str(
        "<table id=\"f\"><colgroup><col class=\"c-sev\"><col class=\"c-acct\"><col class=\"c-who\"><col class=\"c-rule\">\
         <col class=\"c-pol\"><col class=\"c-msg\"><col class=\"c-fix\"></colgroup><thead><tr><th>Severity</th><th>Account</th>\
         <th>Principal</th><th>Rule</th><th>Policy</th><th>Finding</th><th>Least-privilege fix</th></tr></thead><tbody>\n",
    );
    for f in &r.findings {
        let sev = f.finding.severity;
        let _ = writeln!(
            b,
            "<tr class=\"{sev}\" data-severity=\"{sev}\" data-rule=\"{rule}\" data-principal=\"{p}\" data-account=\"{a}\">\
             <td data-k=\"{k}\">{sev}</td><td>{a}</td><td>{plink}</td><td>{rule}</td><td>{pol}</td><td>{m}</td><td>{h}</td></tr>",
            k = sev as u8,
            a = esc(&f.account_id),
            p = esc(&f.principal),
            plink = ids.principal_link(&f.principal, &f.principal_arn),
            rule = esc(f.finding.rule.as_str()),
            pol = esc(&f.policy),
            m = esc(&f.finding.message),
            h = esc(&f.finding.hint),
        );
    }
    b.push_str("</tbody></table></section>\n");
}

/// A page per principal: its findings and what it holds; principals with findings first.
fn principals(r: &SweepReport, ids: &Ids, b: &mut String) {
    let mut by_arn: BTreeMap<&str, Vec<&SweepFinding>> = BTreeMap::new();
    for f in &r.findings {
        by_arn.entry(f.principal_arn.as_str()).or_default().push(f);
    }
    let mut order: Vec<(usize, &crate::guard::sweep_views::Holding)> = r.holdings.iter().enumerate().collect();
    let worst = |arn: &str| by_arn.get(arn).and_then(|v| v.iter().map(|f| f.finding.severity).max());
    order.sort_by_key(|(_, h)| std::cmp::Reverse(worst(&h.arn)));
    let _ = write!(b, "<section id=\"principals\"><h2>Principals ({})</h2>", r.holdings.len());
    for (i, h) in order {
        let found = by_arn.get(h.arn.as_str()).map_or(&[][..], |v| &v[..]);
        let head = match worst(&h.arn) {
            Some(w) => format!("<span class=\"{w}\">{w}</span> {} — {} finding(s)", esc(&h.principal), found.len()),
            None => format!("{} — no findings", esc(&h.principal)),
        };
        let _ = write!(
            b,
            "<details id=\"p{i}\" class=\"page\"><summary>{head}</summary><p class=\"arn\">{}</p>",
            esc(&h.arn)
        );
        if !found.is_empty() {
            b.push_str("<ul>");
            for f in found {
                let _ = write!(
                    b,
                    "<li><span class=\"{s}\">{s}</span> {} — {} <i>({})</i></li>",
                    f.finding.rule,
                    esc(&f.finding.message),
                    esc(&f.policy),
                    s = f.finding.severity
                );
            }
            b.push_str("</ul>");
        }
        b.push_str("<p>Holds: ");
        let held: Vec<String> = h.policies.iter().map(|l| ids.policy_link(l)).collect();
        b.push_str(&if held.is_empty() { "nothing directly".into() } else { held.join(", ") });
        if !h.groups.is_empty() {
            let _ = write!(b, "; groups: {}", esc(&h.groups.join(", ")));
        }
        b.push_str("</p></details>\n");
    }
    b.push_str("</section>\n");
}

/// A page per policy: its document and who holds it.
fn policies(r: &SweepReport, ids: &Ids, b: &mut String) {
    let _ = write!(b, "<section id=\"policies\"><h2>Policies ({})</h2>", r.policy_views.len());
    let arn_of: BTreeMap<&str, &str> = r.holdings.iter().map(|h| (h.principal.as_str(), h.arn.as_str())).collect();
    for (i, p) in r.policy_views.iter().enumerate() {
        let holders: Vec<String> =
            p.holders.iter().map(|h| ids.principal_link(h, arn_of.get(h.as_str()).copied().unwrap_or(""))).collect();
        let _ = write!(
            b,
            "<details id=\"pol{i}\" class=\"page\"><summary>{} — held by {}</summary>{}<p>Held by: {}</p>",
            esc(&p.label),
            p.holders.len(),
            p.arn.as_deref().map(|a| format!("<p class=\"arn\">{}</p>", esc(a))).unwrap_or_default(),
            holders.join(", ")
        );
        if let Some(doc) = &p.document {
            let _ = write!(b, "<details><summary>Document</summary><pre>{}</pre></details>", esc(doc));
        }
        b.push_str("</details>\n");
    }
    b.push_str("</section>\n");
}

const STYLE: &str = r#"
*{box-sizing:border-box} body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;max-width:100%}
nav a{margin-right:1em} h2{margin-top:1.5em} .arn{color:#555;font-family:monospace;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
#f{table-layout:fixed} #f th{cursor:pointer;background:#f4f4f4;position:sticky;top:0} #f th:after{content:" \2195";color:#999}
.c-sev{width:7%} .c-acct{width:9%} .c-who{width:13%} .c-rule{width:11%} .c-pol{width:14%} .c-msg{width:26%} .c-fix{width:20%}
#f td:nth-child(7){color:#555;font-size:12px}
tr.critical td:first-child,span.critical,td.critical{color:#fff;background:#b00020} tr.high td:first-child,span.high,td.high{background:#f4a3a3}
tr.medium td:first-child,span.medium,td.medium{background:#ffe08a} tr.low td:first-child,span.low,td.low{background:#cfe8ff}
span.critical,span.high,span.medium,span.low{padding:0 .3em;border-radius:3px}
.bars{max-width:40em} .bar-row{display:flex;align-items:center;gap:.5em;margin:.2em 0} .bar-label{width:5em}
.bar{display:inline-block;height:1em;min-width:2px;background:#999} .bar.critical{background:#b00020} .bar.high{background:#e57373}
.bar.medium{background:#f2c14e} .bar.low{background:#64b5f6} .bar.info{background:#bbb}
#by-rule,#cis{width:auto;margin:1em 0} #cis tr.pass td:last-child{color:#1b5e20} #cis tr.high td:last-child{color:#b00020;font-weight:bold} #cis tr.na td:last-child{color:#777}
#filters{margin:.5em 0;display:flex;flex-wrap:wrap;gap:.5em;align-items:center} #filters[hidden]{display:none} #q{min-width:18em}
details.page{border-bottom:1px solid #eee;padding:.3em 0} pre{white-space:pre-wrap;overflow-wrap:anywhere;max-height:30em;overflow:auto;background:#f8f8f8;padding:.5em}
"#;

const SCRIPT: &str = r##"
(function(){
  var f = document.getElementById('filters'); if (!f) return; f.hidden = false;
  var rows = Array.from(document.querySelectorAll('#f tbody tr'));
  var q = document.getElementById('q'), sel = ['severity','rule','principal','account'].map(function(k){ return [k, document.getElementById('f-' + k)]; });
  function apply(){
    var text = q.value.toLowerCase(), shown = 0;
    rows.forEach(function(r){
      var ok = (!text || r.textContent.toLowerCase().indexOf(text) >= 0) &&
        sel.every(function(p){ return !p[1].value || r.dataset[p[0]] === p[1].value; });
      r.hidden = !ok; if (ok) shown++;
    });
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' shown';
  }
  q.addEventListener('input', apply); sel.forEach(function(p){ p[1].addEventListener('change', apply); }); apply();
  document.querySelectorAll('#f th').forEach(function(th, col){
    th.addEventListener('click', function(){
      var body = document.querySelector('#f tbody'), dir = th.dataset.dir === 'asc' ? -1 : 1;
      th.dataset.dir = dir === 1 ? 'asc' : 'desc';
      var key = function(r){ var c = r.cells[col]; return c.dataset.k !== undefined ? +c.dataset.k : c.textContent.toLowerCase(); };
      rows.sort(function(a, b){ var x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * dir; });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
  if (location.hash) { var t = document.querySelector(location.hash); if (t && t.tagName === 'DETAILS') t.open = true; }
  document.addEventListener('click', function(e){
    var a = e.target.closest('a[href^="#p"]'); if (!a) return;
    var t = document.querySelector(a.getAttribute('href')); if (t && t.tagName === 'DETAILS') t.open = true;
  });
})();
"##;
