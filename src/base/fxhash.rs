//! A small fast hash for short keys (handles, addresses, questions), for
//! the maps on hot paths.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small fast hasher for short ASCII keys (FxHash's multiply-rotate per
/// 8 bytes, then a final avalanche).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        // whole words read as they are (a copy per word was a memcpy call
        // each: 11 % of an RDAP answer's instructions, hashing its body
        // for the entity tag); the rest padded with zeros
        let words = bytes.chunks_exact(8);
        let rest = words.remainder();
        for w in words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.mix(u64::from_le_bytes(b));
        }
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.mix(i as u64);
    }
    fn finish(&self) -> u64 {
        // final avalanche (murmur3's fmix64): hashbrown picks buckets by the
        // low bits, which multiply-rotate alone leaves poorly mixed
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

impl FxHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// HashMap with [`FxHasher`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// HashSet with [`FxHasher`].
pub type FxSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;
