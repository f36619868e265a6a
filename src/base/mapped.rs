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
//! - releasing pages of the mapping from this process's resident memory
//!   (`madvise(MADV_DONTNEED)`, [`Map::release`]): on a read-only private
//!   mapping that was never written, a page released is read again from
//!   the file (the page cache) at its next access, unchanged, so no slice
//!   of it ever sees different bytes.
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
    /// The file mapped, for checks that read it rather than touch the
    /// mapping ([`read_chunks`]).
    file: std::fs::File,
}

impl std::fmt::Debug for Map {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Map({} bytes)", self.map.len())
    }
}

impl Map {
    /// Maps an open file read-only; `text` is the region texts are cut
    /// from, checked here to be UTF-8 by reading the file (each piece read
    /// is also given to `on_text`, for the caller's checksum). Checks that
    /// read the whole file rather than touch the mapping leave its pages
    /// in the page cache, not in this process's resident memory: a
    /// replica, or a reload's new file, holds only the pages it serves.
    pub fn open(
        file: std::fs::File,
        path: &Path,
        text: std::ops::Range<usize>,
        mut on_text: impl FnMut(&[u8]),
    ) -> Result<Arc<Map>, String> {
        // SAFETY: read-only and private; the file is replaced by rename,
        // never rewritten in place (see the module's documentation)
        let map =
            unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("{}: {e}", path.display()))?;
        if text.start > text.end || text.end > map.len() {
            return Err("the text section lies outside the file".to_string());
        }
        let mut utf8 = Utf8Check::default();
        read_chunks(&file, text.start as u64..text.end as u64, 1 << 20, |b| {
            on_text(b);
            utf8.feed(b)
        })
        .and_then(|()| utf8.end())
        .map_err(|e| format!("the text section is not UTF-8 ({e})"))?;
        Ok(Arc::new(Map { map, text, file }))
    }

    /// Releases the whole pages of `range` from this process's resident
    /// memory (they stay in the page cache and come back at their next
    /// access): what checks that read the mapping at open call behind
    /// them, so that only the pages serving touches stay resident (and a
    /// reload's new file costs no resident memory for its checks).
    pub fn release(&self, range: std::ops::Range<usize>) {
        const PAGE: usize = 4096;
        let start = range.start.div_ceil(PAGE) * PAGE;
        let end = range.end.min(self.map.len()) / PAGE * PAGE;
        if start < end {
            // SAFETY: the mapping is read-only and private and never
            // written, so a released page is read again from the file at
            // its next access with the same bytes (the file is never
            // rewritten in place, see the module's documentation)
            let _ = unsafe {
                self.map.unchecked_advise_range(
                    memmap2::UncheckedAdvice::DontNeed,
                    start,
                    end - start,
                )
            };
        }
    }

    /// The file mapped.
    pub fn file(&self) -> &std::fs::File {
        &self.file
    }

    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        &self.map
    }

    /// The text region, checked to be UTF-8 when the file was opened.
    pub fn text(&self) -> &str {
        let bytes = self.map.get(self.text.clone()).unwrap_or(&[]);
        // SAFETY: `Map::open` checked this region to be UTF-8; the mapping
        // is immutable (see the module's documentation)
        unsafe { std::str::from_utf8_unchecked(bytes) }
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

/// Reads `range` of a file through read(2) in chunks of `chunk` bytes (the
/// last may be shorter), giving each to `f`.
pub fn read_chunks(
    file: &std::fs::File,
    range: std::ops::Range<u64>,
    chunk: usize,
    mut f: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; chunk.max(1)];
    let mut at = range.start;
    while at < range.end {
        let n = (range.end - at).min(buf.len() as u64) as usize;
        file.read_exact_at(&mut buf[..n], at)
            .map_err(|e| format!("reading at {at}: {e}"))?;
        f(&buf[..n])?;
        at += n as u64;
    }
    Ok(())
}

/// A UTF-8 check of bytes given in pieces (a character may span two).
#[derive(Default)]
pub struct Utf8Check {
    /// The start of a character cut at the end of the last piece.
    carry: Vec<u8>,
    /// Bytes checked so far.
    at: u64,
}

impl Utf8Check {
    pub fn feed(&mut self, piece: &[u8]) -> Result<(), String> {
        let mut rest = piece;
        if !self.carry.is_empty() {
            // finish the cut character with at most three more bytes
            let take = rest.len().min(4 - self.carry.len());
            self.carry.extend_from_slice(&rest[..take]);
            let done = match std::str::from_utf8(&self.carry) {
                Ok(_) => take,
                Err(e) if e.valid_up_to() > 0 => e.valid_up_to() - (self.carry.len() - take),
                Err(e) if e.error_len().is_none() && take == rest.len() => {
                    self.at += piece.len() as u64;
                    return Ok(());
                }
                Err(_) => return Err(format!("invalid bytes at {}", self.at)),
            };
            self.carry.clear();
            rest = &rest[done..];
            self.at += done as u64;
        }
        match std::str::from_utf8(rest) {
            Ok(_) => self.at += rest.len() as u64,
            Err(e) if e.error_len().is_none() => {
                self.carry.extend_from_slice(&rest[e.valid_up_to()..]);
                self.at += rest.len() as u64;
            }
            Err(e) => {
                return Err(format!(
                    "invalid bytes at {}",
                    self.at + e.valid_up_to() as u64
                ))
            }
        }
        Ok(())
    }

    /// The check's result once every piece was given.
    pub fn end(&self) -> Result<(), String> {
        match self.carry.is_empty() {
            true => Ok(()),
            false => Err("a character cut at the end".into()),
        }
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

    /// The values one after another; read in place, the pages of the runs
    /// behind are released as it goes ([`Map::release`]; the last run's
    /// stay): for checking a whole array at open without keeping it
    /// resident.
    pub fn values(&self) -> impl Iterator<Item = T> + '_ {
        /// Values between releases (1 MiB of `u64`s).
        const RUN: usize = 1 << 17;
        let size = std::mem::size_of::<T>();
        (0..self.len()).step_by(RUN).flat_map(move |at| {
            let end = (at + RUN).min(self.len());
            if let (Some((map, start, _)), true) = (&self.mapped, at > 0) {
                map.release(start + (at - RUN) * size..start + at * size);
            }
            self[at..end].iter().copied()
        })
    }

    /// Releases the values' pages ([`Map::release`]), when read in place.
    pub fn release(&self) {
        if let Some((map, start, len)) = &self.mapped {
            map.release(*start..start + len * std::mem::size_of::<T>());
        }
    }

    /// Where the values start in the mapped file, when they are read in
    /// place.
    pub fn file_offset(&self) -> Option<usize> {
        self.mapped.as_ref().map(|(_, start, _)| *start)
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

    /// Releases the pages of the text's first `end` bytes
    /// ([`Map::release`]), when read in place.
    pub fn release_to(&self, end: usize) {
        if let Some((map, start, len)) = &self.mapped {
            map.release(*start..start + end.min(*len));
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
        let open = |text| Map::open(std::fs::File::open(&path).unwrap(), &path, text, |_| {});
        assert!(open(6..len).is_err());
        assert!(open(6..len + 1).is_err());
        let map = handle(&open(6..len - 1).unwrap());
        assert_eq!(map.text(), "text ä end");
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

    #[test]
    fn utf8_is_checked_across_pieces() {
        let text = "a€b😀cé".as_bytes();
        // every cut into three pieces, valid and with a bad byte put in
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let mut c = Utf8Check::default();
                let r = c
                    .feed(&text[..i])
                    .and_then(|()| c.feed(&text[i..j]))
                    .and_then(|()| c.feed(&text[j..]))
                    .and_then(|()| c.end());
                assert_eq!(r, Ok(()), "cut at {i}, {j}");
                let mut bad = text.to_vec();
                bad.insert(j, 0x80);
                let mut c = Utf8Check::default();
                let r = c
                    .feed(&bad[..i])
                    .and_then(|()| c.feed(&bad[i..]))
                    .and_then(|()| c.end());
                assert!(r.is_err(), "bad byte at {j}, cut at {i}");
            }
            // a character cut at the very end
            let mut c = Utf8Check::default();
            let cut = &text[..text.len() - 1];
            assert!(c
                .feed(&cut[..i.min(cut.len())])
                .and_then(|()| c.feed(&cut[i.min(cut.len())..]))
                .and_then(|()| c.end())
                .is_err());
        }
    }
}
