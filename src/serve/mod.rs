//! Layer 4, serving: WHOIS on port 43, RDAP and the lookup page over HTTP
//! and HTTPS; what they share (limits, the stop signal, metrics,
//! containment of a panicking answer). They render answers from
//! `query` and never read the parser's or the loaders' types.

pub(crate) mod guard;
pub mod http;
pub mod limit;
pub mod metrics;
pub mod proxy;
pub mod rdap;
pub mod web;
pub mod whois;
