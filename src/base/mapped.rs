//! A file mapped read-only into memory, and text slices of it that keep
//! the mapping alive: how a compiled snapshot's object texts serve
//! without being copied (replicas on one machine share them in the page
//! cache). The one module of the crate with `unsafe` code, for two
//! reasons stated where they are used:
//!
//! - mapping a file (`memmap2::Mmap::map`): the mapping is only sound
//!   while nobody changes the file. `tenure compile` writes a new file and
//!   renames it over the old one (the old inode lives on while mapped); a
//!   snapshot file must never be rewritten in place (README).
//! - reading a slice as `&str` without checking it again: [`Map::open`]
//!   checks the text region's UTF-8 once, and [`Text::new`] only accepts
//!   slices inside it that start and end on character boundaries, so every
//!   [`Text`] is valid UTF-8 by construction.
//! - reading an aligned little-endian array of the file as `&[u32]`,
//!   `&[u64]` or `&[u128]` ([`Slab`]): every bit pattern is a valid value
//!   of those types, [`Slab::mapped`] checks alignment and bounds, and the
//!   crate refuses to build for big-endian targets (the file is
//!   little-endian).
#![allow(unsafe_code)]

use std::path::Path;
use std::sync::Arc;

/// A mapped file with a region checked to be UTF-8 text.
pub struct Map {
    map: memmap2::Mmap,
    text: std::ops::Range<usize>,
}

impl std::fmt::Debug for Map {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Map({} bytes)", self.map.len())
    }
}

impl Map {
    /// Maps `path` read-only; `text` (checked against the file's length
    /// by `text_of`, given the mapped bytes) is the region texts are cut
    /// from, checked to be UTF-8 here.
    pub fn open(
        path: &Path,
        text_of: impl FnOnce(&[u8]) -> Result<std::ops::Range<usize>, String>,
    ) -> Result<Arc<Map>, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // SAFETY: read-only and private; the file is replaced by rename,
        // never rewritten in place (see the module's documentation)
        let map =
            unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("{}: {e}", path.display()))?;
        let text = text_of(&map)?;
        let region = map
            .get(text.clone())
            .ok_or_else(|| "the text section lies outside the file".to_string())?;
        std::str::from_utf8(region).map_err(|e| format!("the text section is not UTF-8 ({e})"))?;
        Ok(Arc::new(Map { map, text }))
    }

    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        &self.map
    }

    /// Asks the kernel to read the text region ahead (it is read at random
    /// while serving).
    pub fn advise_random(&self) {
        let _ = self.map.advise(memmap2::Advice::Random);
    }
}

/// A reference to a mapping for making many [`Text`]s on one thread: each
/// text counts itself on its handle, so threads making texts at once do
/// not fight over one counter (at 10 M objects that contention tripled a
/// compiled snapshot's decoding time).
pub type Handle = Arc<Arc<Map>>;

/// A new [`Handle`] of a mapping.
pub fn handle(map: &Arc<Map>) -> Handle {
    Arc::new(Arc::clone(map))
}

/// A text of a mapped file: its position, and the mapping kept alive.
#[derive(Clone)]
pub struct Text {
    map: Handle,
    /// Start (low 40 bits: files up to 1 TiB) and length (high 24 bits:
    /// texts up to 16 MiB; longer ones are copied, see [`Text::new`]).
    packed: u64,
}

/// Longest text a [`Text`] holds.
pub const MAX_TEXT: usize = (1 << 24) - 1;

impl Text {
    /// The text at `start..start + len` of the mapped text region, if it
    /// lies inside it on character boundaries and is not too long.
    pub fn new(map: &Handle, start: usize, len: usize) -> Option<Text> {
        if len > MAX_TEXT || start >= 1 << 40 || !in_text(map, start, len) {
            return None;
        }
        Some(Text {
            map: Arc::clone(map),
            packed: start as u64 | ((len as u64) << 40),
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        let start = (self.packed & ((1 << 40) - 1)) as usize;
        let len = (self.packed >> 40) as usize;
        let bytes = self.map.bytes().get(start..start + len).unwrap_or(&[]);
        // SAFETY: `Text::new` accepted only slices of the region `Map::open`
        // checked to be UTF-8, starting and ending on character boundaries;
        // the mapping is immutable and lives as long as this `Arc`
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

#[cfg(target_endian = "big")]
compile_error!("compiled snapshots are little-endian and mapped as they are");

/// Integer types an array of the file may be read as: any bit pattern is a
/// valid value. Sealed: only these.
pub trait Plain: Copy + Send + Sync + 'static + private::Sealed {}
impl Plain for u32 {}
impl Plain for u64 {}
impl Plain for u128 {}
mod private {
    pub trait Sealed {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
    impl Sealed for u128 {}
}

/// An array either owned or read in place from a mapped file (where
/// replicas share it in the page cache and a reload's new copy costs no
/// heap).
pub struct Slab<T: Plain> {
    owned: Vec<T>,
    /// When set, the values are these of the mapping (handle, byte offset,
    /// count) and `owned` is empty.
    mapped: Option<(Handle, usize, usize)>,
}

impl<T: Plain> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            owned: Vec::new(),
            mapped: None,
        }
    }
}

impl<T: Plain> From<Vec<T>> for Slab<T> {
    fn from(owned: Vec<T>) -> Self {
        Slab {
            owned,
            mapped: None,
        }
    }
}

impl<T: Plain> Slab<T> {
    /// `len` values at byte `start` of the mapped file, if they lie inside
    /// it and `start` is aligned for `T`.
    pub fn mapped(map: &Handle, start: usize, len: usize) -> Option<Slab<T>> {
        let size = std::mem::size_of::<T>();
        let end = len.checked_mul(size)?.checked_add(start)?;
        let bytes = map.bytes();
        if end > bytes.len() || (bytes.as_ptr() as usize + start) % std::mem::align_of::<T>() != 0 {
            return None;
        }
        Some(Slab {
            owned: Vec::new(),
            mapped: Some((Arc::clone(map), start, len)),
        })
    }

    /// The values to change, copied out of the mapping first if need be.
    pub fn owned_mut(&mut self) -> &mut Vec<T> {
        if self.mapped.is_some() {
            self.owned = self.to_vec();
            self.mapped = None;
        }
        &mut self.owned
    }
}

impl<T: Plain> std::ops::Deref for Slab<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match &self.mapped {
            None => &self.owned,
            Some((map, start, len)) => {
                let bytes = map.bytes();
                // SAFETY: `Slab::mapped` checked that `len` values of `T`
                // from `start` lie inside the immutable mapping and that
                // `start` is aligned for `T`; `T` is u32, u64 or u128, for
                // which every bit pattern is a value, stored little-endian
                // as this (little-endian) target reads it; the mapping
                // lives as long as the handle held here
                unsafe { std::slice::from_raw_parts(bytes.as_ptr().add(*start).cast::<T>(), *len) }
            }
        }
    }
}

/// True when `start..start + len` lies inside the mapping's UTF-8 region
/// and both ends are character boundaries (so the slice is UTF-8 too: a
/// boundary byte is not a continuation byte 10xxxxxx).
fn in_text(map: &Map, start: usize, len: usize) -> bool {
    let Some(end) = start.checked_add(len) else {
        return false;
    };
    if start < map.text.start || end > map.text.end {
        return false;
    }
    let b = map.bytes();
    let boundary = |i: usize| i == map.text.end || b.get(i).is_some_and(|&c| (c as i8) >= -0x40);
    boundary(start) && boundary(end)
}

/// A text owned, or a long stretch of a mapped file's UTF-8 region (a
/// compiled snapshot's handle names, read in place).
#[derive(Default)]
pub struct Names {
    owned: String,
    /// When set, the text is this stretch of the mapping (handle, byte
    /// offset, length) and `owned` is empty.
    mapped: Option<(Handle, usize, usize)>,
}

impl Names {
    /// The stretch `start..start + len` of the mapping's UTF-8 region.
    pub fn mapped(map: &Handle, start: usize, len: usize) -> Option<Names> {
        in_text(map, start, len).then(|| Names {
            owned: String::new(),
            mapped: Some((Arc::clone(map), start, len)),
        })
    }

    pub fn as_str(&self) -> &str {
        match &self.mapped {
            None => &self.owned,
            Some((map, start, len)) => {
                let bytes = map.bytes().get(*start..start + len).unwrap_or(&[]);
                // SAFETY: as for `Text::as_str`: `Names::mapped` accepted
                // only a stretch of the UTF-8 region on boundaries
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
        }
    }

    /// The text to append to, copied out of the mapping first if need be.
    pub fn owned_mut(&mut self) -> &mut String {
        if self.mapped.is_some() {
            self.owned = self.as_str().to_string();
            self.mapped = None;
        }
        &mut self.owned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_cut_on_boundaries_inside_the_region() {
        let dir = std::env::temp_dir().join(format!("tenure-mapped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        let mut bytes = "HEADERtext ä end".as_bytes().to_vec();
        bytes.push(0xff);
        std::fs::write(&path, &bytes).unwrap();
        // a region that is not UTF-8 is refused
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        assert!(Map::open(&path, |_| Ok(6..len)).is_err());
        let map = handle(&Map::open(&path, |_| Ok(6..len - 1)).unwrap());
        assert_eq!(Text::new(&map, 6, 4).unwrap().as_str(), "text");
        assert_eq!(Text::new(&map, 11, 2).unwrap().as_str(), "ä");
        // inside a character, before the region, past it: refused
        assert!(Text::new(&map, 12, 1).is_none());
        assert!(Text::new(&map, 0, 6).is_none());
        assert!(Text::new(&map, 6, len).is_none());
        // arrays: in bounds and aligned only
        assert_eq!(Slab::<u32>::mapped(&map, 0, 2).map(|s| s.len()), Some(2));
        assert!(Slab::<u32>::mapped(&map, 1, 2).is_none());
        assert!(Slab::<u32>::mapped(&map, 8, 3).is_none());
        let s = Slab::<u32>::mapped(&map, 0, 1).unwrap();
        assert_eq!(s[0], u32::from_le_bytes(*b"HEAD"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
