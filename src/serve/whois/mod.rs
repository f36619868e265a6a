//! WHOIS (RFC 3912) in the RIPE style, in layers as a request travels:
//!
//! - [`server`]: sockets, connection caps, rates, the per-connection loop
//!   (with `io`: bounded line reading, timed writes);
//! - [`request`]: a query line with its flags parsed into a request;
//! - [`respond`]: a request answered from one snapshot, with a typed
//!   outcome for metrics;
//! - [`render`]: the one resolved answer ([`crate::query::lookup`]) as
//!   RIPE-style text;
//! - [`bulk`]: bulk mode, one line per address.

pub mod bulk;
mod io;
pub mod render;
pub mod request;
pub mod respond;
pub mod server;

pub use render::*;
