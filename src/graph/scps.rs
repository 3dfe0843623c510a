//! The SCPs that limit an account's principals, for the graph: a principal's request passes when
//! every level (root, OUs, account) has an SCP allowing it and none denying it — the same rule
//! the sweep's verdicts apply, so the two agree on who holds admin. Service-linked roles are not
//! limited.

use super::{evaluate, statement_reaches, Evaluated};
use crate::catalog::ActionId;
use crate::eval::Effective;
use crate::inventory::ScpLevel;
use crate::policy::{Effect, PolicyDocument};
use std::rc::Rc;

/// Each level's SCPs, evaluated, and what the level allows.
pub(super) struct ScpLevels {
    levels: Vec<(Vec<Rc<Evaluated>>, Effective)>,
}

impl ScpLevels {
    /// `None` when there are none, only FullAWSAccess, or one does not parse (unknown: the graph
    /// is built without them, missing nothing).
    pub(super) fn of(scps: &[ScpLevel]) -> Option<Rc<ScpLevels>> {
        if scps.iter().flat_map(|l| &l.policies).all(|(name, _)| name == "FullAWSAccess") {
            return None;
        }
        let mut levels = Vec::with_capacity(scps.len());
        for l in scps {
            let docs: Vec<Rc<Evaluated>> = l
                .policies
                .iter()
                .map(|(name, d)| PolicyDocument::parse(d).ok().map(|doc| evaluate(doc, format!("SCP {name}"))))
                .collect::<Option<_>>()?;
            let each: Vec<&Effective> = docs.iter().map(|d| &d.effective).collect();
            let allowed = Effective::combine(&each, None, &[]);
            levels.push((docs, allowed));
        }
        Some(Rc::new(ScpLevels { levels }))
    }

    /// Does every level allow `id` on `resource`?
    pub(super) fn allows(&self, id: ActionId, resource: &str) -> bool {
        self.levels.iter().all(|(docs, _)| {
            docs.iter().any(|d| statement_reaches(d, Effect::Allow, id, resource))
                && !docs.iter().any(|d| statement_reaches(d, Effect::Deny, id, resource))
        })
    }

    /// What each level allows, as limits for [`Effective::combine`].
    pub(super) fn effectives(&self) -> Vec<&Effective> {
        self.levels.iter().map(|(_, e)| e).collect()
    }
}
