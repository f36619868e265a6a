//! A growing sequence kept in fixed-size chunks: a push never moves what
//! is stored. A load of millions of objects into one `Vec` doubles it over
//! and over, and each doubling holds the old buffer beside the new one (a
//! 6 M-network load peaked at 1.2 GB for the networks alone); in chunks the
//! load touches each byte once, and [`Chunked::into_vec`] gives the
//! exact-size vector the index sorts, freeing each chunk as it is moved.

/// Items per chunk.
const CHUNK: usize = 1 << 16;

/// A sequence of `T` in chunks of 65,536 items.
pub struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// Appends an item; its position is the `len()` before the push.
    pub fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(item),
            _ => {
                let mut c = Vec::with_capacity(CHUNK);
                c.push(item);
                self.chunks.push(c);
            }
        }
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The item at a position.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    /// Every item, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// The items in one vector of exactly their number.
    pub fn into_vec(self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len);
        for c in self.chunks {
            // each chunk is freed once moved
            out.extend(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_survive_chunk_boundaries() {
        let mut c = Chunked::default();
        assert!(c.is_empty());
        let n = CHUNK * 2 + 7;
        for i in 0..n {
            c.push(i);
        }
        assert_eq!(c.len(), n);
        assert_eq!(c.get(CHUNK), Some(&CHUNK));
        assert_eq!(c.get(n), None);
        assert!(c.iter().copied().eq(0..n));
        let v = c.into_vec();
        assert_eq!(v.capacity(), n);
        assert!(v.into_iter().eq(0..n));
    }
}
