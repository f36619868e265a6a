//! Layer 0, what every other layer uses and which uses nothing of the
//! crate: address notations, timestamps, a fast hash, bytes tested eight
//! at a time, the range index (longest-prefix match, less and more
//! specifics).

pub mod addr;
pub mod bytes;
pub mod chunked;
pub mod fxhash;
pub mod index;
pub mod mapped;
pub mod md5;
pub mod time;
pub mod wire;
