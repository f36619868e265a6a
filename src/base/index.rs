//! Range index: longest-prefix match and the registry hierarchy over
//! inclusive integer ranges (IPv4 as `u32`, IPv6 as `u128`, ASNs as `u32`).
//!
//! Depends on nothing else in the crate. Ranges may be nested, non-aligned
//! (not CIDR blocks) and may overlap without nesting ("overlapping
//! siblings"); every answer is exact in all three cases, which a property
//! test checks against a linear scan.
//!
//! *Specificity* orders ranges: a smaller range is more specific; between
//! equal sizes the later start, then the higher id, is more specific. The
//! ids are the positions in the input, which must be sorted by start
//! ascending, then end descending (see [`RangeIndex::build`]); so between
//! identical ranges the later one in that order is the more specific, and
//! its parent is the earlier one.
//!
//! Structures, all flat arrays built once from sorted input:
//! - **segments**: the address space cut at every range boundary, each piece
//!   mapped to its most specific covering range. Longest-prefix match of an
//!   address is a search in this partition, served by one of two backends
//!   ([`LpmBackend`]): a binary search over the sorted segment starts with a
//!   16-bit direct table in front, or an `iptrie` level-compressed trie
//!   holding the segments as CIDR blocks. A benchmark compares them.
//! - **parents**: for every range, the most specific *other* range that
//!   contains it whole. Walking parents from the most specific match gives
//!   all less specifics when no range on the walk partly overlaps another;
//!   ranges that do are flagged *irregular*.
//! - **max-end tree**: a segment tree over the ends in start order, which
//!   answers "every range containing X" exactly in O(k log n); used only
//!   when the parent walk touches an irregular range.

use crate::mapped::Slab;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::net::{Ipv4Addr, Ipv6Addr};

/// No range: the value stored for uncovered space.
pub const NONE: u32 = u32::MAX;

/// An integer key type: `u32` (IPv4, ASN) or `u128` (IPv6).
pub trait Key:
    Copy
    + Ord
    + Eq
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
    + crate::mapped::Plain
    + crate::wire::ToLe
    + crate::wire::FromLe
{
    /// Bits in the key.
    const BITS: u32;
    /// The largest key.
    const MAX: Self;
    /// Zero.
    const ZERO: Self;
    /// `self + 1`, or `None` at the maximum.
    fn succ(self) -> Option<Self>;
    /// Widen to `u128` (for sizes and CIDR arithmetic).
    fn to_u128(self) -> u128;
    /// Narrow from `u128` (caller guarantees the value fits).
    fn from_u128(v: u128) -> Self;
    /// Appends the key (little-endian) to a compiled snapshot.
    fn put(self, out: &mut crate::wire::Out);
    /// Reads a key written by `put`.
    fn get(input: &mut crate::wire::In<'_>) -> Result<Self, crate::wire::WireError>;
    /// Bytes `put` writes.
    const SIZE: usize;
}

impl Key for u32 {
    const BITS: u32 = 32;
    const MAX: Self = u32::MAX;
    const ZERO: Self = 0;
    fn succ(self) -> Option<Self> {
        self.checked_add(1)
    }
    fn to_u128(self) -> u128 {
        self as u128
    }
    fn from_u128(v: u128) -> Self {
        v as u32
    }
    fn put(self, out: &mut crate::wire::Out) {
        out.u32(self)
    }
    fn get(input: &mut crate::wire::In<'_>) -> Result<Self, crate::wire::WireError> {
        input.u32()
    }
    const SIZE: usize = 4;
}

impl Key for u128 {
    const BITS: u32 = 128;
    const MAX: Self = u128::MAX;
    const ZERO: Self = 0;
    fn succ(self) -> Option<Self> {
        self.checked_add(1)
    }
    fn to_u128(self) -> u128 {
        self
    }
    fn from_u128(v: u128) -> Self {
        v
    }
    fn put(self, out: &mut crate::wire::Out) {
        out.u128(self)
    }
    fn get(input: &mut crate::wire::In<'_>) -> Result<Self, crate::wire::WireError> {
        input.u128()
    }
    const SIZE: usize = 16;
}

/// Which structure answers longest-prefix match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LpmBackend {
    /// Binary search over sorted segment starts behind a 16-bit direct table.
    #[default]
    Sorted,
    /// `iptrie` LC-trie over the segments split into CIDR blocks.
    Iptrie,
}

/// The index over one family's ranges. Ids are positions in the build input.
pub struct RangeIndex<K: Key> {
    starts: Slab<K>,
    ends: Slab<K>,
    /// parent id, or NONE; the top bit marks an irregular range.
    parents: Slab<u32>,
    /// max-end segment tree, `2 * cap` long, leaves at `cap..`.
    maxend: Slab<K>,
    cap: usize,
    /// segment starts (first is always ZERO) and the most specific id per segment.
    seg_starts: Slab<K>,
    seg_ids: Slab<u32>,
    /// Direct table in front of the binary search: bucket `b` covers keys
    /// from `table_base + (b << table_shift)`; `seg_table[b]` is the first
    /// segment starting in bucket `b` or later (one extra entry at the end).
    seg_table: Slab<u32>,
    table_base: u128,
    table_shift: u32,
    trie: Option<Trie>,
}

/// Flag bit in `parents`: the range partly overlaps another.
const IRREGULAR: u32 = 1 << 31;
/// `parents` value of a range without parent (flag bit clear).
const NO_PARENT: u32 = !IRREGULAR;

enum Trie {
    V4(iptrie::Ipv4LCTrieMap<u32>),
    V6(iptrie::Ipv6LCTrieMap<u32>),
}

/// The specificity order: `Less` means `a` is more specific than `b`.
fn cmp_specific<K: Key>(a: (K, K, u32), b: (K, K, u32)) -> Ordering {
    let sa = a.1.to_u128() - a.0.to_u128();
    let sb = b.1.to_u128() - b.0.to_u128();
    sa.cmp(&sb).then(b.0.cmp(&a.0)).then(b.2.cmp(&a.2))
}

impl<K: Key> RangeIndex<K> {
    /// Builds the index from ranges sorted by start ascending, then end
    /// descending. Returns `None` if the input is not so sorted or holds a
    /// reversed range or more than 2^31 - 1 ranges.
    pub fn build(ranges: &[(K, K)], backend: LpmBackend) -> Option<Self> {
        if ranges.len() >= IRREGULAR as usize {
            return None;
        }
        for w in ranges.windows(2) {
            let ok = w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1);
            if !ok {
                return None;
            }
        }
        if ranges.iter().any(|r| r.0 > r.1) {
            return None;
        }
        let starts: Vec<K> = ranges.iter().map(|r| r.0).collect();
        let ends: Vec<K> = ranges.iter().map(|r| r.1).collect();
        let parents = build_parents(ranges);
        let (cap, maxend) = build_maxend(&ends);
        let (seg_starts, seg_ids) = build_segments(ranges);
        let (seg_table, table_base, table_shift) = build_table(&seg_starts);
        let mut index = RangeIndex {
            starts: starts.into(),
            ends: ends.into(),
            parents: parents.into(),
            maxend: maxend.into(),
            cap,
            seg_starts: seg_starts.into(),
            seg_ids: seg_ids.into(),
            seg_table: seg_table.into(),
            table_base,
            table_shift,
            trie: None,
        };
        if backend == LpmBackend::Iptrie {
            index.trie = Some(index.build_trie());
        }
        Some(index)
    }

    /// Writes the index's arrays (a compiled snapshot).
    /// The arrays are aligned for `base`, the file offset where `out`'s
    /// bytes will be written, so that [`RangeIndex::decode`] can read them
    /// in place.
    pub fn encode(&self, out: &mut crate::wire::Out, base: u64) {
        out.slab(&self.starts, base);
        out.slab(&self.ends, base);
        out.slab(&self.parents, base);
        out.slab(&self.maxend, base);
        out.u64(self.cap as u64);
        out.slab(&self.seg_starts, base);
        out.slab(&self.seg_ids, base);
        out.slab(&self.seg_table, base);
        out.u128(self.table_base);
        out.u32(self.table_shift);
    }

    /// Reads what [`RangeIndex::encode`] wrote (its arrays in place when
    /// `input` reads a mapping), checking every invariant a lookup relies
    /// on (so a corrupt file is refused, never a panic); the `iptrie`
    /// backend's trie is built again.
    pub fn decode(
        input: &mut crate::wire::In<'_>,
        backend: LpmBackend,
    ) -> Result<Self, crate::wire::WireError> {
        use crate::wire::WireError;
        let starts: Slab<K> = input.slab()?;
        let ends: Slab<K> = input.slab()?;
        let parents: Slab<u32> = input.slab()?;
        let maxend: Slab<K> = input.slab()?;
        let cap = input.u64()? as usize;
        let seg_starts: Slab<K> = input.slab()?;
        let seg_ids: Slab<u32> = input.slab()?;
        let seg_table: Slab<u32> = input.slab()?;
        let table_base = input.u128()?;
        let table_shift = input.u32()?;
        let bad = |what: &str| Err(WireError(format!("range index: {what}")));
        let n = starts.len();
        if ends.len() != n || parents.len() != n || n >= IRREGULAR as usize {
            return bad("array lengths differ");
        }
        // the checks read the arrays once, releasing them behind
        // ([`Slab::values`]): a mapped index stays out of resident memory
        // until lookups touch it
        let mut prev: Option<(K, K)> = None;
        for (s, e) in starts.values().zip(ends.values()) {
            if s > e || prev.is_some_and(|(ps, pe)| !(ps < s || (ps == s && pe >= e))) {
                return bad("ranges out of order");
            }
            prev = Some((s, e));
        }
        if parents
            .values()
            .any(|p| (p & !IRREGULAR) != NO_PARENT && (p & !IRREGULAR) as usize >= n)
        {
            return bad("a parent out of range");
        }
        if cap < n || cap.checked_mul(2) != Some(maxend.len()) {
            return bad("max-end tree size");
        }
        let mut prev: Option<K> = None;
        let seg_sorted = seg_starts.values().all(|k| {
            let ok = prev.is_none_or(|p| p < k);
            prev = Some(k);
            ok
        });
        if seg_starts.first() != Some(&K::ZERO)
            || seg_ids.len() != seg_starts.len()
            || !seg_sorted
            || seg_ids.values().any(|i| i != NONE && i as usize >= n)
        {
            return bad("segments");
        }
        // the direct table must be the one the segments make: a lookup
        // trusts its buckets to hold the segment of every key (a crafted
        // table of zeros made an empty bucket, and a lookup underflow)
        let (base, shift, buckets) = table_shape(&seg_starts);
        if buckets + 1 != seg_table.len()
            || base != table_base
            || shift != table_shift
            || !table_slots(base, shift, buckets, seg_starts.values()).eq(seg_table.values())
        {
            return bad("segment table");
        }
        for released in [&starts, &ends, &seg_starts] {
            released.release();
        }
        for released in [&parents, &seg_ids, &seg_table] {
            released.release();
        }
        let mut index = RangeIndex {
            starts,
            ends,
            parents,
            maxend,
            cap,
            seg_starts,
            seg_ids,
            seg_table,
            table_base,
            table_shift,
            trie: None,
        };
        if backend == LpmBackend::Iptrie {
            index.trie = Some(index.build_trie());
        }
        Ok(index)
    }

    /// Number of ranges.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when the index holds no range.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Number of ranges that partly overlap another range.
    pub fn irregular_count(&self) -> usize {
        self.parents.iter().filter(|p| *p & IRREGULAR != 0).count()
    }

    /// Number of segments in the partition (for reports and benchmarks).
    pub fn segments(&self) -> usize {
        self.seg_starts.len()
    }

    /// The range of an id.
    pub fn range(&self, id: u32) -> (K, K) {
        (self.starts[id as usize], self.ends[id as usize])
    }

    /// The most specific range containing `k` (longest-prefix match).
    #[inline]
    pub fn lookup(&self, k: K) -> Option<u32> {
        let id = match &self.trie {
            Some(t) => t.lookup(k.to_u128()),
            None => self.lookup_sorted(k),
        };
        (id != NONE).then_some(id)
    }

    #[inline]
    fn bucket(&self, k: K) -> usize {
        let off = k.to_u128().saturating_sub(self.table_base) >> self.table_shift;
        (off.min(self.seg_table.len() as u128 - 2)) as usize
    }

    #[inline]
    fn lookup_sorted(&self, k: K) -> u32 {
        let t = self.bucket(k);
        let lo = self.seg_table[t] as usize;
        // segments starting in this top bucket, plus the one before it
        let hi = (self.seg_table[t + 1] as usize).min(self.seg_starts.len());
        let lo = lo.saturating_sub(1);
        let slice = &self.seg_starts[lo..hi];
        let pos = slice.partition_point(|s| *s <= k);
        // seg_starts[0] == ZERO, so pos >= 1 for the global slice; within a
        // bucket, `lo` was moved back one so the answer is inside too.
        self.seg_ids[lo + pos - 1]
    }

    /// The parent of a range: the most specific other range containing it.
    pub fn parent(&self, id: u32) -> Option<u32> {
        let p = self.parents[id as usize] & !IRREGULAR;
        (p != NO_PARENT).then_some(p)
    }

    fn irregular(&self, id: u32) -> bool {
        self.parents[id as usize] & IRREGULAR != 0
    }

    /// Every range containing the whole of `[s, e]`, most specific first.
    pub fn covering(&self, s: K, e: K) -> Vec<u32> {
        let Some(m) = self.lookup(s) else {
            return Vec::new();
        };
        let mut walk = Vec::with_capacity(8);
        let mut cur = Some(m);
        // position in `walk` just above the least specific irregular range
        let mut above_irregular: Option<usize> = None;
        while let Some(id) = cur {
            walk.push(id);
            if self.irregular(id) {
                above_irregular = Some(walk.len());
            }
            cur = self.parent(id);
        }
        let Some(cut) = above_irregular else {
            walk.retain(|&id| self.ends[id as usize] >= e);
            return walk;
        };
        // Ranges on the walk above `cut` are regular and so are all their
        // ancestors: whatever else contains [s, e] lies inside the first of
        // them, A (a range partly overlapping A would make A irregular),
        // i.e. starts after A in start order and before s. Without such an
        // A, search everything that starts at or before s.
        let hi = self.starts.partition_point(|x| *x <= s);
        let lo = walk.get(cut).map(|&a| a as usize + 1).unwrap_or(0);
        let mut out = Vec::new();
        self.stab(1, 0, self.cap, lo, hi, e, &mut out);
        out.sort_by(|a, b| cmp_specific(self.triple(*a), self.triple(*b)));
        out.extend(
            walk[cut..]
                .iter()
                .copied()
                .filter(|&id| self.ends[id as usize] >= e),
        );
        out
    }

    /// The most specific range containing the whole of `[s, e]`.
    pub fn most_specific(&self, s: K, e: K) -> Option<u32> {
        let m = self.lookup(s)?;
        let mut cur = Some(m);
        let mut regular = true;
        while let Some(id) = cur {
            regular &= !self.irregular(id);
            if regular && self.ends[id as usize] >= e {
                return Some(id);
            }
            cur = self.parent(id);
        }
        self.covering(s, e).first().copied()
    }

    fn triple(&self, id: u32) -> (K, K, u32) {
        (self.starts[id as usize], self.ends[id as usize], id)
    }

    /// Ids in `[lo, hi)` under `node` (which covers `[lo_n, hi_n)`) whose end is >= e.
    #[allow(clippy::too_many_arguments)]
    fn stab(
        &self,
        node: usize,
        lo_n: usize,
        hi_n: usize,
        lo: usize,
        hi: usize,
        e: K,
        out: &mut Vec<u32>,
    ) {
        if lo_n >= hi || hi_n <= lo {
            return;
        }
        if self.maxend[node] < e {
            return;
        }
        if node >= self.cap {
            out.push((node - self.cap) as u32);
            return;
        }
        let mid = (lo_n + hi_n) / 2;
        self.stab(2 * node, lo_n, mid, lo, hi, e, out);
        self.stab(2 * node + 1, mid, hi_n, lo, hi, e, out);
    }

    /// Every range exactly equal to `[s, e]`, least specific first.
    pub fn exact(&self, s: K, e: K) -> Vec<u32> {
        let lo = self.starts.partition_point(|x| *x < s);
        let mut out = Vec::new();
        let mut i = lo;
        while i < self.starts.len() && self.starts[i] == s && self.ends[i] >= e {
            if self.ends[i] == e {
                out.push(i as u32);
            }
            i += 1;
        }
        out
    }

    /// Ranges inside `[s, e]` other than `[s, e]` itself, in start order.
    /// With `one_level`, only those not inside another such range.
    pub fn more_specific(&self, s: K, e: K, one_level: bool) -> Vec<u32> {
        let lo = self.starts.partition_point(|x| *x < s);
        let hi = self.starts.partition_point(|x| *x <= e);
        let mut out = Vec::new();
        // end of the last kept top-level range, to drop what it contains
        let mut cover: Option<(K, K)> = None;
        for i in lo..hi {
            let (rs, re) = (self.starts[i], self.ends[i]);
            if re > e || (rs == s && re == e) {
                continue;
            }
            if one_level {
                if let Some((cs, ce)) = cover {
                    let inside = re <= ce && (rs, re) != (cs, ce);
                    if inside {
                        continue;
                    }
                    if re <= ce {
                        // identical to the current top-level range: a sibling
                        out.push(i as u32);
                        continue;
                    }
                }
                cover = Some((rs, re));
            }
            out.push(i as u32);
        }
        out
    }

    fn build_trie(&self) -> Trie {
        let n = self.seg_starts.len();
        let mut pieces: Vec<(u128, u32, u32)> = Vec::with_capacity(n * 2);
        for i in 0..n {
            let id = self.seg_ids[i];
            if id == NONE {
                continue;
            }
            let s = self.seg_starts[i].to_u128();
            let e = match self.seg_starts.get(i + 1) {
                Some(next) => next.to_u128() - 1,
                None => K::MAX.to_u128(),
            };
            split_cidrs(s, e, K::BITS, |base, len| pieces.push((base, len, id)));
        }
        if K::BITS == 32 {
            let mut t = iptrie::Ipv4RTrieMap::with_root_and_capacity(NONE, pieces.len() + 1);
            for (base, len, id) in pieces {
                if let Ok(p) = iptrie::Ipv4Prefix::new(Ipv4Addr::from(base as u32), len as u8) {
                    t.insert(p, id);
                }
            }
            Trie::V4(t.compress())
        } else {
            let mut t = iptrie::Ipv6RTrieMap::with_root_and_capacity(NONE, pieces.len() + 1);
            for (base, len, id) in pieces {
                if let Ok(p) = iptrie::Ipv6Prefix::new(Ipv6Addr::from(base), len as u8) {
                    t.insert(p, id);
                }
            }
            Trie::V6(t.compress())
        }
    }
}

impl Trie {
    #[inline]
    fn lookup(&self, k: u128) -> u32 {
        match self {
            Trie::V4(t) => *t.lookup(&Ipv4Addr::from(k as u32)).1,
            Trie::V6(t) => *t.lookup(&Ipv6Addr::from(k)).1,
        }
    }
}

/// Calls `f(base, len)` for the minimal CIDR cover of `[s, e]` in a space of `bits`.
pub fn split_cidrs(s: u128, e: u128, bits: u32, mut f: impl FnMut(u128, u32)) {
    let mut cur = s;
    loop {
        let align = if cur == 0 {
            bits
        } else {
            cur.trailing_zeros().min(bits)
        };
        let mut n = align;
        while n > 0 && mask(n).checked_add(cur).is_none_or(|last| last > e) {
            n -= 1;
        }
        f(cur, bits - n);
        let last = cur + mask(n);
        if last >= e {
            break;
        }
        cur = last + 1;
    }
}

fn mask(n: u32) -> u128 {
    if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    }
}

/// Parents by a sweep in start order with a stack of open ranges.
fn build_parents<K: Key>(ranges: &[(K, K)]) -> Vec<u32> {
    let mut parents = vec![NO_PARENT; ranges.len()];
    let mut stack: Vec<u32> = Vec::new();
    let mut irregular_seen = false;
    for (i, &(s, e)) in ranges.iter().enumerate() {
        // drop ranges that ended before this one starts
        if irregular_seen {
            stack.retain(|&j| ranges[j as usize].1 >= s);
        } else {
            while let Some(&top) = stack.last() {
                if ranges[top as usize].1 < s {
                    stack.pop();
                } else {
                    break;
                }
            }
        }
        // every open range either contains this one or partly overlaps it
        let mut best: Option<u32> = None;
        let mut overlaps = false;
        for &j in stack.iter().rev() {
            let (js, je) = ranges[j as usize];
            if je >= e {
                let better = match best {
                    None => true,
                    Some(b) => {
                        let (bs, be) = ranges[b as usize];
                        cmp_specific((js, je, j), (bs, be, b)) == Ordering::Less
                    }
                };
                if better {
                    best = Some(j);
                }
                if !irregular_seen {
                    break; // nested stack: the top container is the nearest
                }
            } else {
                overlaps = true;
                parents[j as usize] |= IRREGULAR;
            }
        }
        if overlaps {
            parents[i] |= IRREGULAR;
            if !irregular_seen {
                irregular_seen = true;
                // recompute with the full scan from now on; this range's
                // parent too, since the nested shortcut may have stopped early
                best = None;
                for &j in stack.iter() {
                    let (js, je) = ranges[j as usize];
                    if je >= e
                        && best.is_none_or(|b| {
                            let (bs, be) = ranges[b as usize];
                            cmp_specific((js, je, j), (bs, be, b)) == Ordering::Less
                        })
                    {
                        best = Some(j);
                    }
                }
            }
        }
        parents[i] = (parents[i] & IRREGULAR) | best.unwrap_or(NO_PARENT);
        stack.push(i as u32);
    }
    parents
}

/// Padding leaves hold ZERO; `stab` never visits leaves at or past `len`.
fn build_maxend<K: Key>(ends: &[K]) -> (usize, Vec<K>) {
    let cap = ends.len().next_power_of_two().max(1);
    let mut tree: Vec<K> = vec![K::ZERO; 2 * cap];
    tree[cap..cap + ends.len()].copy_from_slice(ends);
    for n in (1..cap).rev() {
        tree[n] = tree[2 * n].max(tree[2 * n + 1]);
    }
    (cap, tree)
}

/// The partition of the key space into segments with their most specific range.
fn build_segments<K: Key>(ranges: &[(K, K)]) -> (Vec<K>, Vec<u32>) {
    // boundaries: every start, every end + 1
    let mut bounds: Vec<K> = Vec::with_capacity(ranges.len() * 2 + 1);
    bounds.push(K::ZERO);
    for &(s, e) in ranges {
        bounds.push(s);
        if let Some(n) = e.succ() {
            bounds.push(n);
        }
    }
    bounds.sort_unstable();
    bounds.dedup();

    // min-heap on specificity: (size, Reverse(start), Reverse(id)) smallest first
    type Item = Reverse<(u128, Reverse<u128>, Reverse<u32>)>;
    let mut heap: BinaryHeap<Item> = BinaryHeap::new();
    let mut next = 0usize;
    let mut seg_starts: Vec<K> = Vec::with_capacity(bounds.len());
    let mut seg_ids: Vec<u32> = Vec::with_capacity(bounds.len());
    for &p in &bounds {
        while next < ranges.len() && ranges[next].0 <= p {
            let (s, e) = ranges[next];
            let size = e.to_u128() - s.to_u128();
            heap.push(Reverse((size, Reverse(s.to_u128()), Reverse(next as u32))));
            next += 1;
        }
        let top = loop {
            match heap.peek() {
                Some(Reverse((_, _, Reverse(id)))) => {
                    if ranges[*id as usize].1 < p {
                        heap.pop();
                    } else {
                        break *id;
                    }
                }
                None => break NONE,
            }
        };
        if seg_ids.last() != Some(&top) {
            seg_starts.push(p);
            seg_ids.push(top);
        }
    }
    seg_starts.shrink_to_fit();
    seg_ids.shrink_to_fit();
    (seg_starts, seg_ids)
}

/// Largest direct table (buckets).
const MAX_BUCKETS_LOG2: u32 = 20;

/// The direct table over the span of segment starts actually used, sized
/// for about four segments per bucket. Keys below the first start fall in
/// bucket 0; keys past the last start in the last bucket.
fn build_table<K: Key>(seg_starts: &[K]) -> (Vec<u32>, u128, u32) {
    let (base, shift, buckets) = table_shape(seg_starts);
    let table = table_slots(base, shift, buckets, seg_starts.iter().copied()).collect();
    (table, base, shift)
}

/// The direct table's base, shift and bucket count for these segment
/// starts (read at their ends only).
fn table_shape<K: Key>(seg_starts: &[K]) -> (u128, u32, usize) {
    // seg_starts[0] is always ZERO; the interesting span starts at [1]
    let base = seg_starts.get(1).map(|k| k.to_u128()).unwrap_or(0);
    let last = seg_starts.last().map(|k| k.to_u128()).unwrap_or(0);
    let span = last - base.min(last);
    let want = (seg_starts.len() / 4)
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .min(MAX_BUCKETS_LOG2);
    // smallest shift with span >> shift < 2^want
    let bits = 128 - span.leading_zeros();
    let shift = bits.saturating_sub(want).min(127);
    (base, shift, ((span >> shift) as usize) + 1)
}

/// The direct table's slots (`buckets + 1` of them), from the segment
/// starts read once in order: for building the table, and for checking a
/// mapped one without holding a second copy.
fn table_slots<K: Key>(
    base: u128,
    shift: u32,
    buckets: usize,
    seg_starts: impl Iterator<Item = K>,
) -> impl Iterator<Item = u32> {
    let mut starts = seg_starts.peekable();
    let mut i = 0usize;
    (0..=buckets).map(move |b| {
        // first segment whose start is in bucket b or later
        let from = (b as u128)
            .checked_mul(1u128 << shift)
            .and_then(|o| base.checked_add(o))
            .unwrap_or(u128::MAX);
        while starts.next_if(|k| k.to_u128() < from).is_some() {
            i += 1;
        }
        // bucket 0 also holds keys below `base`, served by segment 0
        if b == 0 {
            0
        } else {
            i as u32
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (splitmix64) for the property tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
    }

    #[test]
    fn encoded_indexes_answer_the_same_and_corrupt_ones_are_refused() {
        let mut rng = Rng(42);
        let r = random_ranges(&mut rng, 300, 4096, false);
        let idx = RangeIndex::build(&r, LpmBackend::Sorted).unwrap();
        let mut out = crate::wire::Out::default();
        idx.encode(&mut out, 0);
        for backend in [LpmBackend::Sorted, LpmBackend::Iptrie] {
            let back =
                RangeIndex::<u32>::decode(&mut crate::wire::In::new(&out.0), backend).unwrap();
            for a in 0..4200u32 {
                assert_eq!(back.lookup(a), idx.lookup(a));
                assert_eq!(back.covering(a, a + 3), idx.covering(a, a + 3));
            }
        }
        // a direct table of zeros (what the fuzz target crafted once: an
        // empty bucket, and a lookup underflow) is refused
        let mut crafted = crate::wire::Out::default();
        for a in [&idx.starts, &idx.ends] {
            crafted.slab(a, 0);
        }
        crafted.slab(&idx.parents, 0);
        crafted.slab(&idx.maxend, 0);
        crafted.u64(idx.cap as u64);
        crafted.slab(&idx.seg_starts, 0);
        crafted.slab(&idx.seg_ids, 0);
        crafted.slab(&vec![0u32; idx.seg_table.len()], 0);
        crafted.u128(idx.table_base);
        crafted.u32(idx.table_shift);
        let refused =
            RangeIndex::<u32>::decode(&mut crate::wire::In::new(&crafted.0), LpmBackend::Sorted);
        assert_eq!(
            refused.err().map(|e| e.0),
            Some("range index: segment table".into())
        );
        // every single corrupted byte: an error or a usable index, no panic
        for i in (0..out.0.len()).step_by(7) {
            let mut bad = out.0.clone();
            bad[i] ^= 0xa5;
            if let Ok(x) =
                RangeIndex::<u32>::decode(&mut crate::wire::In::new(&bad), LpmBackend::Sorted)
            {
                for a in (0..4200u32).step_by(13) {
                    let _ = x.lookup(a);
                    if let Some(id) = x.lookup(a) {
                        let _ = x.parent(id);
                    }
                }
            }
        }
    }

    /// Random ranges in a small space so that they nest, overlap and repeat.
    fn random_ranges(rng: &mut Rng, n: usize, space: u32, aligned_only: bool) -> Vec<(u32, u32)> {
        let mut v = Vec::new();
        for _ in 0..n {
            if aligned_only || rng.below(2) == 0 {
                let len = rng.below(9) as u32; // block of 2^len
                let size = 1u32 << len;
                let base = (rng.below(space as u64) as u32) & !(size - 1);
                v.push((base, base + size - 1));
            } else {
                let a = rng.below(space as u64) as u32;
                let b = a + rng.below(200) as u32;
                v.push((a, b));
            }
        }
        v.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        v
    }

    fn scan_covering(r: &[(u32, u32)], s: u32, e: u32) -> Vec<u32> {
        let mut v: Vec<u32> = (0..r.len() as u32)
            .filter(|&i| r[i as usize].0 <= s && r[i as usize].1 >= e)
            .collect();
        v.sort_by(|a, b| {
            let (x, y) = (r[*a as usize], r[*b as usize]);
            cmp_specific((x.0, x.1, *a), (y.0, y.1, *b))
        });
        v
    }

    fn check_against_scan(r: &[(u32, u32)], rng: &mut Rng, space: u32, backend: LpmBackend) {
        let idx = RangeIndex::build(r, backend).expect("sorted input");
        for _ in 0..400 {
            let a = rng.below(space as u64 + 64) as u32;
            let expect = scan_covering(r, a, a);
            assert_eq!(
                idx.lookup(a),
                expect.first().copied(),
                "lookup {a} in {r:?}"
            );
            assert_eq!(idx.covering(a, a), expect, "covering {a}");
            let b = a + rng.below(40) as u32;
            let expect = scan_covering(r, a, b);
            assert_eq!(idx.covering(a, b), expect, "covering {a}-{b}");
            assert_eq!(idx.most_specific(a, b), expect.first().copied());
        }
        for (i, &(s, e)) in r.iter().enumerate() {
            // parent = most specific other range containing this one
            let expect = scan_covering(r, s, e).into_iter().find(|&j| {
                j != i as u32
                    && cmp_specific((r[j as usize].0, r[j as usize].1, j), (s, e, i as u32))
                        == Ordering::Greater
            });
            assert_eq!(idx.parent(i as u32), expect, "parent of {i} {s}-{e}");
            let all: Vec<u32> = (0..r.len() as u32)
                .filter(|&j| {
                    let (js, je) = r[j as usize];
                    js >= s && je <= e && (js, je) != (s, e)
                })
                .collect();
            assert_eq!(idx.more_specific(s, e, false), all);
            let one: Vec<u32> = all
                .iter()
                .copied()
                .filter(|&j| {
                    let (js, je) = r[j as usize];
                    !all.iter().any(|&k| {
                        let (ks, ke) = r[k as usize];
                        ks <= js && je <= ke && (ks, ke) != (js, je)
                    })
                })
                .collect();
            assert_eq!(
                idx.more_specific(s, e, true),
                one,
                "one level below {s}-{e}"
            );
            let ex: Vec<u32> = (0..r.len() as u32)
                .filter(|&j| r[j as usize] == (s, e))
                .collect();
            assert_eq!(idx.exact(s, e), ex);
        }
    }

    #[test]
    fn property_index_matches_linear_scan() {
        let mut rng = Rng(7);
        for round in 0..300 {
            let space = 64 + rng.below(4000) as u32;
            let n = rng.below(40) as usize;
            let aligned = round % 3 == 0;
            let r = random_ranges(&mut rng, n, space, aligned);
            let backend = if round % 2 == 0 {
                LpmBackend::Sorted
            } else {
                LpmBackend::Iptrie
            };
            check_against_scan(&r, &mut rng, space, backend);
        }
    }

    #[test]
    fn ipv6_keys_and_extremes() {
        let all = (0u128, u128::MAX);
        let a = (
            0x2001_0db8u128 << 96,
            (0x2001_0db8u128 << 96) | ((1u128 << 96) - 1),
        );
        let b = (a.0 + 0x100, a.0 + 0x1ff);
        let r = vec![all, a, b];
        for backend in [LpmBackend::Sorted, LpmBackend::Iptrie] {
            let idx = RangeIndex::build(&r, backend).unwrap();
            assert_eq!(idx.lookup(a.0 + 0x150), Some(2));
            assert_eq!(idx.lookup(a.0 + 0x50), Some(1));
            assert_eq!(idx.lookup(u128::MAX), Some(0));
            assert_eq!(idx.covering(a.0 + 0x150, a.0 + 0x150), vec![2, 1, 0]);
            assert_eq!(idx.more_specific(0, u128::MAX, true), vec![1]);
        }
    }

    #[test]
    fn only_partial_overlaps_are_irregular() {
        // nested and disjoint: regular; (10, 30) and (20, 40) overlap partly
        let r = vec![(0u32, 100), (0, 50), (0, 9), (10, 30), (20, 40), (60, 70)];
        let idx = RangeIndex::build(&r, LpmBackend::Sorted).unwrap();
        let irregular: Vec<bool> = (0..r.len() as u32).map(|i| idx.irregular(i)).collect();
        assert_eq!(irregular, [false, false, false, true, true, false]);
        assert_eq!(idx.irregular_count(), 2);
        assert_eq!(idx.parent(0), None);
        assert_eq!(idx.parent(4), Some(1));
    }

    #[test]
    fn direct_table_edges() {
        // few segments spread over the whole space; keys at both ends
        let r = vec![(1u128, 1), (u128::MAX - 1, u128::MAX)];
        let idx = RangeIndex::build(&r, LpmBackend::Sorted).unwrap();
        assert_eq!(idx.lookup(0), None);
        assert_eq!(idx.lookup(1), Some(0));
        assert_eq!(idx.lookup(2), None);
        assert_eq!(idx.lookup(u128::MAX), Some(1));
        assert_eq!(idx.lookup(u128::MAX - 2), None);
        // many segments in a narrow IPv6 span
        let base = 0x2a00u128 << 112;
        let r: Vec<(u128, u128)> = (0..5000u128)
            .map(|i| (base + (i << 80), base + (i << 80) + (1 << 79)))
            .collect();
        let idx = RangeIndex::build(&r, LpmBackend::Sorted).unwrap();
        for i in [0u128, 1, 2500, 4999] {
            assert_eq!(idx.lookup(base + (i << 80) + 5), Some(i as u32));
            assert_eq!(idx.lookup(base + (i << 80) + (1 << 79) + 1), None);
        }
        assert_eq!(idx.lookup(base - 1), None);
        assert_eq!(idx.lookup(u128::MAX), None);
    }

    #[test]
    fn unsorted_input_is_refused() {
        assert!(RangeIndex::<u32>::build(&[(5, 9), (1, 2)], LpmBackend::Sorted).is_none());
        assert!(RangeIndex::<u32>::build(&[(1, 2), (1, 9)], LpmBackend::Sorted).is_none());
        let empty = RangeIndex::<u32>::build(&[], LpmBackend::Sorted).unwrap();
        assert_eq!(empty.lookup(7), None);
        assert!(empty.covering(1, 2).is_empty());
    }

    #[test]
    fn cidr_split_matches_prefixes() {
        let mut v = Vec::new();
        split_cidrs(1, 6, 32, |b, l| v.push((b, l)));
        assert_eq!(v, vec![(1, 32), (2, 31), (4, 31), (6, 32)]);
        let mut w = Vec::new();
        split_cidrs(0, u32::MAX as u128, 32, |b, l| w.push((b, l)));
        assert_eq!(w, vec![(0, 0)]);
    }
}
