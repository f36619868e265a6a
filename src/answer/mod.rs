//! Layer 3, answering: the holder, lessee and abuse rules over a chain of
//! networks (`lease`), and the one resolved answer every interface renders
//! (`query`).

pub(crate) mod lease;
pub mod query;
