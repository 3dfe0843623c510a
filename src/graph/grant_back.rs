//! The "make me admin" loop: a principal that can become one who may write its policies (or its
//! group's) can have admin attached to itself. `user/dev` may assume `role/ops`, whose policy
//! allows `iam:AttachUserPolicy` on `user/*`: dev becomes ops, attaches AdministratorAccess to
//! dev. Run last, over the edges of every other family.

use super::build::{acts, Account, Builder, ON_SELF};
use crate::intake::PrincipalKind;
use std::collections::VecDeque;

/// Writing a principal's or group's policies: the first six of [`ON_SELF`].
const WRITE_OTHERS: &[&str] = ON_SELF.split_at(6).0;

impl Builder<'_> {
    /// An edge to admin from each principal that can become one who may write its policies.
    pub(super) fn grant_back_edges(&mut self, acct: &Account<'_>) {
        let grants = self.writes_on_others(acct);
        if grants.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for (writer, target, act) in grants {
            if self.reaches(target, writer) {
                let reason = format!("becomes {} and {act} on itself from there", self.nodes[writer].label);
                found.push((target, reason));
            }
        }
        for (target, reason) in found {
            self.edge(target, 0, reason);
        }
    }

    /// (writer, principal, action): who may write which acting principal's policies (a group's
    /// count for its members), by principals that are not admin themselves.
    fn writes_on_others(&self, acct: &Account<'_>) -> Vec<(usize, usize, &'static str)> {
        let mut out = Vec::new();
        for (w, p) in &acct.details {
            let h = &acct.holders[w];
            if !acts(p) || acct.is_admin(*w) || !WRITE_OTHERS.iter().any(|a| h.has(a)) {
                continue;
            }
            for (y, q) in &acct.details {
                let Some(t) = q.target.as_ref().filter(|_| y != w && acts(q)) else { continue };
                let (attach, put) = match t.kind {
                    PrincipalKind::User => ("iam:AttachUserPolicy", "iam:PutUserPolicy"),
                    _ => ("iam:AttachRolePolicy", "iam:PutRolePolicy"),
                };
                let own = [attach, put].into_iter().find(|a| h.allows(a, &q.arn));
                let via_group = || {
                    acct.holders[y].groups.iter().find_map(|&g| {
                        let arn = self.nodes[g].arn.as_deref()?;
                        ["iam:AttachGroupPolicy", "iam:PutGroupPolicy"].into_iter().find(|a| h.allows(a, arn))
                    })
                };
                if let Some(act) = own.or_else(via_group) {
                    out.push((*w, *y, act));
                }
            }
        }
        out
    }

    /// Can `from` become `to` over the edges built so far?
    fn reaches(&self, from: usize, to: usize) -> bool {
        let mut seen = vec![false; self.nodes.len()];
        let mut queue = VecDeque::from([from]);
        seen[from] = true;
        while let Some(v) = queue.pop_front() {
            for e in self.edges.iter().filter(|e| e.from == v && e.to != 0) {
                if e.to == to {
                    return true;
                }
                if !seen[e.to] {
                    seen[e.to] = true;
                    queue.push_back(e.to);
                }
            }
        }
        false
    }
}
