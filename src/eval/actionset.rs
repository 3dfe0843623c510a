//! A set of catalogue actions as a bit set over [`ActionId`]s: 20,455 actions in 320 words, so
//! union, difference and intersection of whole policies cost a few hundred word operations.

use crate::catalog::{ActionId, Catalog};

/// A set of catalogue actions. Only the span of words between its lowest and highest action is
/// stored: a statement's actions usually sit in one or two services (contiguous ids), so most
/// sets take a few words where the whole catalogue takes 320, and a span of up to
/// [`INLINE_WORDS`] words is stored inline (no allocation: judging a document makes dozens of
/// these per statement).
#[derive(Clone)]
pub struct ActionSet {
    /// Index of the first stored word.
    start: usize,
    words: Words,
}

/// Words stored in the set itself before the span spills to the heap (256 actions; 8 measured
/// no better on the managed-policy corpus).
const INLINE_WORDS: usize = 4;

type Words = smallvec::SmallVec<[u64; INLINE_WORDS]>;

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
        ActionSet { start: 0, words: Words::new() }
    }

    /// Every catalogue action.
    pub fn full() -> ActionSet {
        let mut s = ActionSet { start: 0, words: smallvec::smallvec![u64::MAX; total_words()] };
        let n = Catalog::global().len();
        if n % 64 != 0 {
            if let Some(last) = s.words.last_mut() {
                *last = (1u64 << (n % 64)) - 1;
            }
        }
        s
    }

    /// Every action that modifies something ([`ActionId::modifies`]): the catalogue's build-time
    /// bit table, made a set once per process.
    pub fn modifying() -> &'static ActionSet {
        static SET: std::sync::OnceLock<ActionSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| ActionSet { start: 0, words: crate::catalog::modifying_words().into() })
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
            self.words = smallvec::smallvec![0; hi - lo];
            return;
        }
        if lo < self.start {
            self.words.insert_many(0, std::iter::repeat_n(0, self.start - lo));
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

    /// The actions of a list of ids in any order, stored in one allocation (inserting them one
    /// by one would grow the span once per service out of order).
    pub fn from_ids(ids: &[ActionId]) -> ActionSet {
        let (Some(lo), Some(hi)) = (ids.iter().min(), ids.iter().max()) else {
            return ActionSet::empty();
        };
        let start = lo.index() / 64;
        let mut words: Words = smallvec::smallvec![0u64; hi.index() / 64 + 1 - start];
        for id in ids {
            let i = id.index();
            words[i / 64 - start] |= 1 << (i % 64);
        }
        ActionSet { start, words }
    }

    /// Keeps only the actions for which `keep` holds (in catalogue order; no allocation).
    pub fn retain(&mut self, mut keep: impl FnMut(ActionId) -> bool) {
        let s = self.start;
        for (k, w) in self.words.iter_mut().enumerate() {
            let mut rest = *w;
            while rest != 0 {
                let b = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                if !keep(ActionId::from_index((s + k) * 64 + b)) {
                    *w &= !(1u64 << b);
                }
            }
        }
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
        if self.words.is_empty() {
            self.start = other.start;
            self.words.extend_from_slice(&other.words);
            return;
        }
        self.cover(other.start, other.end());
        let from = other.start - self.start;
        for (x, y) in self.words[from..from + other.words.len()].iter_mut().zip(&other.words) {
            *x |= y;
        }
    }

    /// The word index range both sets store (empty when they do not overlap).
    fn overlap(&self, other: &ActionSet) -> std::ops::Range<usize> {
        self.start.max(other.start)..self.end().min(other.end())
    }

    /// Removes every action of `other` (only the words both store can change).
    pub fn subtract(&mut self, other: &ActionSet) {
        let both = self.overlap(other);
        if both.is_empty() {
            return;
        }
        let (a, b) = (
            &mut self.words[both.start - self.start..both.end - self.start],
            &other.words[both.start - other.start..both.end - other.start],
        );
        for (x, y) in a.iter_mut().zip(b) {
            *x &= !y;
        }
    }

    /// Keeps only the actions also in `other`.
    pub fn intersect(&mut self, other: &ActionSet) {
        let both = self.overlap(other);
        if both.is_empty() {
            self.words.fill(0);
            return;
        }
        let (lo, hi) = (both.start - self.start, both.end - self.start);
        self.words[..lo].fill(0);
        self.words[hi..].fill(0);
        for (x, y) in self.words[lo..hi].iter_mut().zip(&other.words[both.start - other.start..both.end - other.start])
        {
            *x &= y;
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

    #[test]
    fn the_modifying_set_is_every_action_that_modifies() {
        let c = Catalog::global();
        let m = ActionSet::modifying();
        let mut n = 0;
        for i in 0..c.len() {
            let a = ActionId::from_index(i);
            assert_eq!(m.contains(a), a.modifies(), "{}", c.action(a).full_name());
            n += usize::from(a.modifies());
        }
        assert_eq!(m.len(), n);
        assert!(n > 5_000 && n < c.len() - 5_000, "{n}");
    }

    // The word-range arithmetic (spans that overlap, touch, or miss each other) against a plain
    // set of ids as the model.
    proptest::proptest! {
        #[test]
        fn operations_agree_with_a_plain_set(
            a in proptest::collection::vec(0usize..20_455, 0..40),
            b in proptest::collection::vec(0usize..20_455, 0..40),
            keep_mod in 1usize..5,
        ) {
            use std::collections::BTreeSet;
            let n = Catalog::global().len();
            let ids = |v: &[usize]| v.iter().map(|&i| ActionId::from_index(i % n)).collect::<Vec<_>>();
            let (ia, ib) = (ids(&a), ids(&b));
            let (ma, mb): (BTreeSet<ActionId>, BTreeSet<ActionId>) =
                (ia.iter().copied().collect(), ib.iter().copied().collect());
            let sa = ActionSet::from_ids(&ia);
            let sb: ActionSet = ib.iter().copied().collect();
            let model = |s: &ActionSet| s.iter().collect::<BTreeSet<_>>();
            proptest::prop_assert_eq!(model(&sa), ma.clone());
            proptest::prop_assert_eq!(model(&sb), mb.clone());
            let mut u = sa.clone();
            u.union_with(&sb);
            proptest::prop_assert_eq!(model(&u), ma.union(&mb).copied().collect::<BTreeSet<_>>());
            let mut d = sa.clone();
            d.subtract(&sb);
            proptest::prop_assert_eq!(model(&d), ma.difference(&mb).copied().collect::<BTreeSet<_>>());
            let mut x = sa.clone();
            x.intersect(&sb);
            let both: BTreeSet<_> = ma.intersection(&mb).copied().collect();
            proptest::prop_assert_eq!(model(&x), both.clone());
            proptest::prop_assert_eq!(sa.intersects(&sb), !both.is_empty());
            proptest::prop_assert_eq!(sa.is_superset(&sb), mb.is_subset(&ma));
            let mut r = sa.clone();
            r.retain(|id| id.index() % keep_mod == 0);
            proptest::prop_assert_eq!(model(&r), ma.iter().copied().filter(|id| id.index() % keep_mod == 0).collect::<BTreeSet<_>>());
            proptest::prop_assert_eq!(sa.len(), ma.len());
        }
    }
}
