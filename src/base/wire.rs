//! The little-endian binary encoding of compiled snapshots: a writer that
//! appends, and a reader that checks every length against what is left (a
//! cut or corrupt file is an error, never a panic or a huge allocation).

/// Bytes being written.
#[derive(Default)]
pub struct Out(pub Vec<u8>);

impl Out {
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

/// Why bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

/// Bytes being read.
pub struct In<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> In<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        In { b, at: 0 }
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
