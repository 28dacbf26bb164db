//! Committee candidates by stake (`specs/protocol.md` §5.3): a Fenwick tree
//! over slots, so a draw finds the owner of a stake position in O(log n)
//! and a registration or a departure costs O(log n).
//!
//! Each registered candidate holds a slot (`Account::slot`, part of the
//! state), and the stake intervals lie in slot order: slot 0 owns
//! `[0, stake_0)`, slot 1 the next `stake_1`, and so on. A new candidate
//! takes the lowest free slot, which depends only on the slots in use, so a
//! tree rebuilt from the state equals the one kept up to date transition by
//! transition, and the draw is a function of the state alone.

use std::collections::{BTreeMap, BTreeSet};

use super::{B32, State};

/// The candidates, their stakes and the sums the draw searches.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stakes {
    /// The candidate and stake in each slot, `None` for a free one.
    slots: Vec<Option<(B32, u64)>>,
    /// The slot of each candidate.
    by_key: BTreeMap<B32, u32>,
    /// Free slots below `slots.len()`.
    free: BTreeSet<u32>,
    /// Fenwick tree over the slots' stakes, 1-based; its length is a power of
    /// two plus one, so a search descends by halving.
    tree: Vec<u64>,
    /// The sum of every stake; at most `minted`, so a `u64`.
    total: u64,
}

impl PartialEq for Stakes {
    /// Equal when the same candidates hold the same slots with the same
    /// stakes: the tree's capacity and the free list depend on history, the
    /// draw does not.
    fn eq(&self, other: &Stakes) -> bool {
        let used = |s: &Stakes| s.slots.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
        self.total == other.total
            && self.by_key == other.by_key
            && self.slots[..used(self)] == other.slots[..used(other)]
    }
}

impl Eq for Stakes {}

impl Stakes {
    /// The candidates of `s`: accounts with a slot (registered, not leaving).
    pub fn of(s: &State) -> Stakes {
        let mut st = Stakes::default();
        for (k, a) in &s.accounts {
            if let (Some(slot), Some(stake)) = (a.slot, a.stake) {
                st.insert(slot, *k, stake);
            }
        }
        st
    }

    /// The sum of the candidates' stakes.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The number of candidates.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// The slot a new candidate takes: the lowest one not in use.
    pub fn next_slot(&self) -> u32 {
        self.free.first().copied().unwrap_or(self.slots.len() as u32)
    }

    /// Adds `key` with `stake` in `slot`, which must be free.
    pub fn insert(&mut self, slot: u32, key: B32, stake: u64) {
        let i = slot as usize;
        if i >= self.slots.len() {
            self.free.extend(self.slots.len() as u32..slot);
            self.slots.resize(i + 1, None);
        }
        debug_assert!(self.slots[i].is_none(), "slot {slot} is taken");
        self.free.remove(&slot);
        self.slots[i] = Some((key, stake));
        self.by_key.insert(key, slot);
        self.total += stake;
        if i + 1 >= self.tree.len() {
            self.rebuild();
        } else {
            self.add(i, stake);
        }
    }

    /// Removes `key` if it is a candidate.
    pub fn remove(&mut self, key: &B32) {
        let Some(slot) = self.by_key.remove(key) else { return };
        let i = slot as usize;
        let (_, stake) = self.slots[i].take().expect("a candidate's slot is taken");
        self.free.insert(slot);
        self.total -= stake;
        self.add(i, stake.wrapping_neg());
    }

    /// The candidate whose stake interval holds position `u < total`: the
    /// first slot whose prefix sum exceeds `u`. A zero stake owns no position.
    pub fn owner_at(&self, u: u64) -> B32 {
        debug_assert!(u < self.total);
        let mut pos = 0;
        let mut rest = u;
        let mut step = (self.tree.len() - 1).max(1);
        while step > 0 {
            if pos + step < self.tree.len() && self.tree[pos + step] <= rest {
                pos += step;
                rest -= self.tree[pos];
            }
            step /= 2;
        }
        self.slots[pos].expect("a position below the total lies in a candidate's interval").0
    }

    /// Adds `delta` (two's complement for a decrease) to slot `i`'s stake in the tree.
    fn add(&mut self, i: usize, delta: u64) {
        let mut j = i + 1;
        while j < self.tree.len() {
            self.tree[j] = self.tree[j].wrapping_add(delta);
            j += j & j.wrapping_neg();
        }
    }

    /// Rebuilds the tree over a capacity of the next power of two, in O(slots).
    fn rebuild(&mut self) {
        let cap = self.slots.len().next_power_of_two();
        self.tree = vec![0; cap + 1];
        for (i, s) in self.slots.iter().enumerate() {
            self.tree[i + 1] = s.map_or(0, |(_, stake)| stake);
        }
        for j in 1..=cap {
            let parent = j + (j & j.wrapping_neg());
            if parent <= cap {
                self.tree[parent] = self.tree[parent].wrapping_add(self.tree[j]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u32) -> B32 {
        B32::sha256(&[&i.to_le_bytes()])
    }

    /// The owner of `u` by a linear scan, the model the tree must agree with.
    fn naive(s: &Stakes, u: u64) -> B32 {
        let mut acc = 0;
        for (k, stake) in s.slots.iter().flatten() {
            acc += stake;
            if u < acc {
                return *k;
            }
        }
        unreachable!("u below the total")
    }

    /// Random insertions and removals: every position's owner is the one a
    /// linear scan finds, free slots are reused lowest first, and the tree
    /// equals one built from scratch.
    #[test]
    fn the_tree_agrees_with_a_linear_scan() {
        let mut s = Stakes::default();
        let mut x: u64 = 1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..2000u32 {
            let r = next();
            if r % 3 == 0 && s.len() > 0 {
                let slot = (next() as usize) % s.slots.len();
                if let Some((k, _)) = s.slots[slot] {
                    s.remove(&k);
                    assert_eq!(s.next_slot(), *s.free.first().unwrap());
                }
            } else {
                let slot = s.next_slot();
                let lowest_free =
                    (0..).find(|i| s.slots.get(*i as usize).is_none_or(Option::is_none)).unwrap();
                assert_eq!(slot, lowest_free);
                s.insert(slot, key(round), next() % 1000);
            }
            if s.total() > 0 {
                for _ in 0..8 {
                    let u = next() % s.total();
                    assert_eq!(s.owner_at(u), naive(&s, u), "position {u}");
                }
                assert_eq!(s.owner_at(s.total() - 1), naive(&s, s.total() - 1));
            }
            let mut fresh = Stakes::default();
            for (i, c) in s.slots.iter().enumerate() {
                if let Some((k, stake)) = c {
                    fresh.insert(i as u32, *k, *stake);
                }
            }
            assert_eq!(fresh, s);
            assert_eq!(fresh.next_slot(), s.next_slot());
        }
    }

    /// Every position of a small layout, and zero stakes owning none.
    #[test]
    fn each_candidate_owns_its_interval() {
        let mut s = Stakes::default();
        for (slot, stake) in [(0, 3), (1, 0), (2, 2), (4, 5)] {
            s.insert(slot, key(slot), stake);
        }
        assert_eq!(s.next_slot(), 3);
        let owners: Vec<u32> =
            (0..s.total()).map(|u| (0..5).find(|i| key(*i) == s.owner_at(u)).unwrap()).collect();
        assert_eq!(owners, [0, 0, 0, 2, 2, 4, 4, 4, 4, 4]);
    }
}
