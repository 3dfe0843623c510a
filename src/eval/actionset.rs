//! A set of catalogue actions as a bit set over [`ActionId`]s: 20,455 actions in 320 words, so
//! union, difference and intersection of whole policies cost a few hundred word operations.

use crate::catalog::{ActionId, Catalog};

/// A set of catalogue actions.
#[derive(Clone, PartialEq, Eq)]
pub struct ActionSet {
    words: Box<[u64]>,
}

impl std::fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ActionSet({} actions)", self.len())
    }
}

fn words() -> usize {
    Catalog::global().len().div_ceil(64)
}

impl ActionSet {
    /// No action.
    pub fn empty() -> ActionSet {
        ActionSet { words: vec![0; words()].into_boxed_slice() }
    }

    /// Every catalogue action.
    pub fn full() -> ActionSet {
        let mut s = ActionSet { words: vec![u64::MAX; words()].into_boxed_slice() };
        let n = Catalog::global().len();
        if n % 64 != 0 {
            if let Some(last) = s.words.last_mut() {
                *last = (1u64 << (n % 64)) - 1;
            }
        }
        s
    }

    /// The actions with ids in `range` (a service's actions are one range).
    pub fn range(range: std::ops::Range<usize>) -> ActionSet {
        let mut s = ActionSet::empty();
        s.insert_range(range);
        s
    }

    /// Adds one action.
    pub fn insert(&mut self, id: ActionId) {
        let i = id.index();
        self.words[i / 64] |= 1 << (i % 64);
    }

    /// Adds every action with an id in `range`.
    pub fn insert_range(&mut self, range: std::ops::Range<usize>) {
        for i in range {
            self.words[i / 64] |= 1 << (i % 64);
        }
    }

    /// Is the action in the set?
    pub fn contains(&self, id: ActionId) -> bool {
        let i = id.index();
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// Number of actions.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// True when no action is in the set.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Adds every action of `other`.
    pub fn union_with(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a |= b;
        }
    }

    /// Removes every action of `other`.
    pub fn subtract(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a &= !b;
        }
    }

    /// Keeps only the actions also in `other`.
    pub fn intersect(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a &= b;
        }
    }

    /// Keeps only the actions with ids in `range`.
    pub fn retain_range(&mut self, range: std::ops::Range<usize>) {
        let mut keep = ActionSet::empty();
        keep.insert_range(range);
        self.intersect(&keep);
    }

    /// Does the set hold every action of `other`?
    pub fn is_superset(&self, other: &ActionSet) -> bool {
        self.words.iter().zip(other.words.iter()).all(|(a, b)| a & b == *b)
    }

    /// Do the sets share an action?
    pub fn intersects(&self, other: &ActionSet) -> bool {
        self.words.iter().zip(other.words.iter()).any(|(a, b)| a & b != 0)
    }

    /// The actions, in catalogue order.
    pub fn iter(&self) -> impl Iterator<Item = ActionId> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(ActionId::from_index(wi * 64 + b))
            })
        })
    }
}

impl FromIterator<ActionId> for ActionSet {
    fn from_iter<T: IntoIterator<Item = ActionId>>(iter: T) -> Self {
        let mut s = ActionSet::empty();
        for id in iter {
            s.insert(id);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_algebra() {
        let c = Catalog::global();
        let full = ActionSet::full();
        assert_eq!(full.len(), c.len());
        let s3: ActionSet = c.expand_ids("s3:*").collect();
        let gets: ActionSet = c.expand_ids("s3:Get*").collect();
        assert!(s3.is_superset(&gets) && !gets.is_superset(&s3));
        let mut rest = s3.clone();
        rest.subtract(&gets);
        assert_eq!(rest.len(), s3.len() - gets.len());
        assert!(!rest.intersects(&gets));
        let svc = c.service("s3").unwrap();
        assert_eq!(ActionSet::range(svc.ids()), s3);
        let mut all = full.clone();
        all.retain_range(svc.ids());
        assert_eq!(all, s3);
        assert_eq!(s3.iter().count(), s3.len());
        assert!(s3.iter().all(|a| c.action(a).prefix == "s3"));
        assert!(ActionSet::empty().is_empty());
    }
}
