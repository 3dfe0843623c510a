//! A set of catalogue actions as a bit set over [`ActionId`]s: 20,455 actions in 320 words, so
//! union, difference and intersection of whole policies cost a few hundred word operations.

use crate::catalog::{ActionId, Catalog};

/// A set of catalogue actions. Only the span of words between its lowest and highest action is
/// stored: a statement's actions usually sit in one or two services (contiguous ids), so most
/// sets take a few words where the whole catalogue takes 320.
#[derive(Clone)]
pub struct ActionSet {
    /// Index of the first stored word.
    start: usize,
    words: Vec<u64>,
}

impl std::fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ActionSet({} actions)", self.len())
    }
}

impl PartialEq for ActionSet {
    fn eq(&self, other: &Self) -> bool {
        let lo = self.start.min(other.start);
        let hi = self.end().max(other.end());
        (lo..hi).all(|w| self.word(w) == other.word(w))
    }
}

impl Eq for ActionSet {}

fn total_words() -> usize {
    Catalog::global().len().div_ceil(64)
}

impl ActionSet {
    /// No action (allocates nothing).
    pub fn empty() -> ActionSet {
        ActionSet { start: 0, words: Vec::new() }
    }

    /// Every catalogue action.
    pub fn full() -> ActionSet {
        let mut s = ActionSet { start: 0, words: vec![u64::MAX; total_words()] };
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

    fn end(&self) -> usize {
        self.start + self.words.len()
    }

    /// The word at catalogue word index `w` (zero outside the stored span).
    fn word(&self, w: usize) -> u64 {
        if w >= self.start && w < self.end() {
            self.words[w - self.start]
        } else {
            0
        }
    }

    /// Makes the stored span cover words `lo..hi`.
    fn cover(&mut self, lo: usize, hi: usize) {
        if self.words.is_empty() {
            self.start = lo;
            self.words = vec![0; hi - lo];
            return;
        }
        if lo < self.start {
            let mut w = vec![0; self.start - lo];
            w.extend_from_slice(&self.words);
            self.words = w;
            self.start = lo;
        }
        if hi > self.end() {
            let n = hi - self.start;
            self.words.resize(n, 0);
        }
    }

    /// Adds one action.
    pub fn insert(&mut self, id: ActionId) {
        let i = id.index();
        self.cover(i / 64, i / 64 + 1);
        let s = self.start;
        self.words[i / 64 - s] |= 1 << (i % 64);
    }

    /// Adds every action with an id in `range`.
    pub fn insert_range(&mut self, range: std::ops::Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.cover(range.start / 64, (range.end - 1) / 64 + 1);
        let s = self.start;
        for i in range {
            self.words[i / 64 - s] |= 1 << (i % 64);
        }
    }

    /// Is the action in the set?
    pub fn contains(&self, id: ActionId) -> bool {
        let i = id.index();
        self.word(i / 64) & (1 << (i % 64)) != 0
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
        if other.words.is_empty() {
            return;
        }
        self.cover(other.start, other.end());
        let s = self.start;
        for (k, w) in other.words.iter().enumerate() {
            self.words[other.start + k - s] |= w;
        }
    }

    /// Removes every action of `other`.
    pub fn subtract(&mut self, other: &ActionSet) {
        let s = self.start;
        for (k, a) in self.words.iter_mut().enumerate() {
            *a &= !other.word(s + k);
        }
    }

    /// Keeps only the actions also in `other`.
    pub fn intersect(&mut self, other: &ActionSet) {
        let s = self.start;
        for (k, a) in self.words.iter_mut().enumerate() {
            *a &= other.word(s + k);
        }
    }

    /// Keeps only the actions with ids in `range`.
    pub fn retain_range(&mut self, range: std::ops::Range<usize>) {
        self.intersect(&ActionSet::range(range));
    }

    /// Does the set hold every action of `other`?
    pub fn is_superset(&self, other: &ActionSet) -> bool {
        other.words.iter().enumerate().all(|(k, &b)| self.word(other.start + k) & b == b)
    }

    /// Do the sets share an action?
    pub fn intersects(&self, other: &ActionSet) -> bool {
        self.words.iter().enumerate().any(|(k, &a)| a & other.word(self.start + k) != 0)
    }

    /// The actions, in catalogue order.
    pub fn iter(&self) -> impl Iterator<Item = ActionId> + '_ {
        let s = self.start;
        self.words.iter().enumerate().flat_map(move |(k, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(ActionId::from_index((s + k) * 64 + b))
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
        // Sets with different spans combine and compare by their actions.
        let iam: ActionSet = c.expand_ids("iam:*").collect();
        let mut both = s3.clone();
        both.union_with(&iam);
        assert_eq!(both.len(), s3.len() + iam.len());
        assert!(both.is_superset(&iam) && both.is_superset(&s3) && !s3.intersects(&iam));
        both.subtract(&s3);
        assert_eq!(both, iam, "equal although spans differ");
        let mut back = iam.clone();
        back.union_with(&s3); // s3 sorts after iam: the span grows at the end
        let mut front = s3.clone();
        front.union_with(&iam); // and here at the start
        assert_eq!(back, front);
        let mut none = iam.clone();
        none.intersect(&s3);
        assert!(none.is_empty() && none == ActionSet::empty());
    }
}
