//! The little-endian binary encoding of compiled snapshots: a writer that
//! appends, and a reader that checks every length against what is left (a
//! cut or corrupt file is an error, never a panic or a huge allocation).

/// Bytes being written.
#[derive(Default)]
pub struct Out(pub Vec<u8>);

/// Where arrays start in a file: a multiple of this many bytes (the
/// widest value, `u128`), so that they can be read in place.
pub const ALIGN: u64 = 16;

impl Out {
    /// Zero bytes up to the next multiple of [`ALIGN`], counting from a
    /// file offset `base` where these bytes will be written.
    pub fn align(&mut self, base: u64) {
        while (base + self.0.len() as u64) % ALIGN != 0 {
            self.0.push(0);
        }
    }

    /// A length-prefixed array of plain values, aligned (for `base`, see
    /// [`Out::align`]) and little-endian, to be read in place.
    pub fn slab<T: crate::mapped::Plain + ToLe>(&mut self, v: &[T], base: u64) {
        self.u64(v.len() as u64);
        self.align(base);
        self.0.reserve(std::mem::size_of_val(v));
        for x in v {
            x.to_le(&mut self.0);
        }
    }

    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u128(&mut self, v: u128) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A length-prefixed byte string.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    /// A length-prefixed array of `u32`.
    pub fn u32s(&mut self, v: &[u32]) {
        self.u64(v.len() as u64);
        self.0.reserve(v.len() * 4);
        for x in v {
            self.u32(*x);
        }
    }
}

/// Little-endian bytes of a plain value.
pub trait ToLe {
    fn to_le(&self, out: &mut Vec<u8>);
}
impl ToLe for u32 {
    fn to_le(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes())
    }
}
impl ToLe for u64 {
    fn to_le(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes())
    }
}
impl ToLe for u128 {
    fn to_le(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes())
    }
}

/// A plain value from its little-endian bytes.
pub trait FromLe {
    fn from_le(b: &[u8]) -> Self;
}
impl FromLe for u32 {
    fn from_le(b: &[u8]) -> Self {
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        u32::from_le_bytes(a)
    }
}
impl FromLe for u64 {
    fn from_le(b: &[u8]) -> Self {
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        u64::from_le_bytes(a)
    }
}
impl FromLe for u128 {
    fn from_le(b: &[u8]) -> Self {
        let mut a = [0u8; 16];
        a.copy_from_slice(b);
        u128::from_le_bytes(a)
    }
}

/// Why bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

/// Bytes being read.
pub struct In<'a> {
    b: &'a [u8],
    at: usize,
    /// The file offset of `b[0]` and the mapping, when `b` is a mapped
    /// file's: arrays are then read in place.
    base: u64,
    map: Option<&'a crate::mapped::Handle>,
}

impl<'a> In<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        In {
            b,
            at: 0,
            base: 0,
            map: None,
        }
    }

    /// Bytes at file offset `base` of a mapping: [`In::slab`] reads arrays
    /// in place.
    pub fn mapped(b: &'a [u8], base: u64, map: &'a crate::mapped::Handle) -> Self {
        In {
            b,
            at: 0,
            base,
            map: Some(map),
        }
    }

    /// Skips to the next multiple of [`ALIGN`] (see [`Out::align`]).
    pub fn align(&mut self) -> Result<(), WireError> {
        let pad = ((ALIGN - (self.base + self.at as u64) % ALIGN) % ALIGN) as usize;
        self.take(pad).map(|_| ())
    }

    /// An array [`Out::slab`] wrote: in place when the bytes are a
    /// mapping's, else copied.
    pub fn slab<T: crate::mapped::Plain + FromLe>(
        &mut self,
    ) -> Result<crate::mapped::Slab<T>, WireError> {
        let size = std::mem::size_of::<T>();
        let n = self.count(size)?;
        self.align()?;
        let start = self.base as usize + self.at;
        let bytes = self.take(n * size)?;
        if let Some(map) = self.map {
            return crate::mapped::Slab::mapped(map, start, n)
                .ok_or_else(|| WireError("an array out of place".into()));
        }
        Ok(bytes
            .chunks_exact(size)
            .map(T::from_le)
            .collect::<Vec<T>>()
            .into())
    }

    /// Bytes not read yet.
    pub fn left(&self) -> usize {
        self.b.len() - self.at
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| {
                WireError(format!("cut short: {n} bytes wanted, {} left", self.left()))
            })?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn arr<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    pub fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.arr::<1>()?[0])
    }
    pub fn u16(&mut self) -> Result<u16, WireError> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    pub fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    pub fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    pub fn u128(&mut self) -> Result<u128, WireError> {
        Ok(u128::from_le_bytes(self.arr()?))
    }
    /// A count of items of `size` bytes each that must fit in what is left.
    pub fn count(&mut self, size: usize) -> Result<usize, WireError> {
        let n = self.u64()?;
        let n = usize::try_from(n).map_err(|_| WireError(format!("count {n}")))?;
        if n.checked_mul(size.max(1)).is_none_or(|b| b > self.left()) {
            return Err(WireError(format!(
                "count {n} larger than the {} bytes left",
                self.left()
            )));
        }
        Ok(n)
    }
    pub fn bytes(&mut self) -> Result<&'a [u8], WireError> {
        let n = self.count(1)?;
        self.take(n)
    }
    pub fn str(&mut self) -> Result<&'a str, WireError> {
        std::str::from_utf8(self.bytes()?).map_err(|_| WireError("text not UTF-8".into()))
    }
    pub fn u32s(&mut self) -> Result<Vec<u32>, WireError> {
        let n = self.count(4)?;
        let b = self.take(n * 4)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_cut_input() {
        let mut o = Out::default();
        o.u8(7);
        o.u32(0xdead_beef);
        o.u128(u128::MAX - 1);
        o.str("héllo");
        o.u32s(&[1, 2, 3]);
        let mut i = In::new(&o.0);
        assert_eq!(i.u8().unwrap(), 7);
        assert_eq!(i.u32().unwrap(), 0xdead_beef);
        assert_eq!(i.u128().unwrap(), u128::MAX - 1);
        assert_eq!(i.str().unwrap(), "héllo");
        assert_eq!(i.u32s().unwrap(), [1, 2, 3]);
        assert_eq!(i.left(), 0);
        // every cut is an error, never a panic
        for cut in 0..o.0.len() {
            let mut i = In::new(&o.0[..cut]);
            let r = (|| -> Result<(), WireError> {
                i.u8()?;
                i.u32()?;
                i.u128()?;
                i.str()?;
                i.u32s()?;
                Ok(())
            })();
            assert!(r.is_err(), "cut at {cut}");
        }
        // a count larger than the input does not allocate it
        let mut o = Out::default();
        o.u64(u64::MAX / 2);
        assert!(In::new(&o.0).u32s().is_err());
    }
}
