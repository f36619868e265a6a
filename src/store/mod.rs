//! Layer 2, the snapshot: what was loaded, indexed by range and handle
//! (with [`crate::index`]), immutable once built and swapped whole.

pub mod inverse;
pub mod routing;
pub mod snapshot;
