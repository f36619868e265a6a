//! Layer 5, the process edge: the command line, configuration, `serve`'s
//! wiring, reloads and the admin listener that drives them, load reports
//! and generated benchmark data.

pub(crate) mod admin;
pub(crate) mod app;
pub mod cli;
pub mod config;
pub mod fetch;
#[doc(hidden)]
pub mod fuzzing;
pub mod gen;
pub mod mirror;
pub mod outbound;
pub(crate) mod reload;
pub mod report;
