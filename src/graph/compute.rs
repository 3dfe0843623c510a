//! Code on existing compute: whoever may change what a function, stack, build project, dev
//! endpoint, notebook or App Runner service runs acts with the role it runs as (the compute
//! list: the sweep reads functions live, an export may list any kind).

use super::build::{acts, Account, Builder};
use crate::resources::Compute;

impl Builder<'_> {
    /// An edge to each compute's role from every principal that may take it over.
    pub(super) fn compute_edges(&mut self, acct: &Account<'_>, compute: &[Compute]) {
        for c in compute {
            let Some(role) = acct.named(&c.role) else { continue };
            for (x, p) in &acct.details {
                if *x == role || !acts(p) || acct.is_admin(*x) {
                    continue;
                }
                let h = &acct.holders[x];
                let Some((id, actions)) =
                    c.kind.takeovers().iter().find(|(_, need)| need.iter().all(|a| h.allows(a, &c.arn)))
                else {
                    continue;
                };
                let reason = format!(
                    "{} on {} {} ({id}: it runs as {})",
                    actions.join(" + "),
                    c.kind.label(),
                    c.name(),
                    self.nodes[role].label
                );
                self.edge(*x, role, reason);
            }
        }
    }
}
