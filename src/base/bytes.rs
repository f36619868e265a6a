//! Bytes tested eight at a time: whether a text holds a byte below a bound
//! or equal to one of two others (a JSON string's bytes to escape, a bulk
//! field's control characters), without a loop per byte.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// True when one of the eight bytes of `w` is below `below` (at most
/// 0x80) or equal to `a` or `b`. Exact: a borrow, the only way one byte's
/// test can touch another's, starts only at a byte below the bound.
#[inline]
pub fn word_has(w: u64, below: u8, a: u8, b: u8) -> bool {
    debug_assert!(below <= 0x80);
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    // below the bound: the bytes of w minus it that borrowed, among bytes
    // without their high bit
    let under = w.wrapping_sub(LO * below as u64) & !w & HI;
    under | zero(w ^ (LO * a as u64)) | zero(w ^ (LO * b as u64)) != 0
}

/// True when a byte of `s` is below `below` or equal to `a` or `b` (see
/// [`word_has`]).
pub fn any_byte(s: &[u8], below: u8, a: u8, b: u8) -> bool {
    let words = s.chunks_exact(8);
    let rest = words.remainder();
    words
        .map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()))
        .any(|w| word_has(w, below, a, b))
        || rest.iter().any(|&x| x < below || x == a || x == b)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_byte_at_every_place_is_found_as_one_at_a_time_finds_it() {
        for (below, a, b) in [
            (0x20, b'"', b'\\'),
            (0x20, 0x7f, 0xc2),
            (0x61, 0, 0xff),
            (0x62, 0, 0xff),
        ] {
            for place in 0..20 {
                for x in 0..=255u8 {
                    let mut s = *b"abcdefghijklmnopqrst";
                    s[place] = x;
                    let want = s.iter().any(|&y| y < below || y == a || y == b);
                    assert_eq!(super::any_byte(&s, below, a, b), want, "{place} {x:#x}");
                }
            }
        }
    }
}
