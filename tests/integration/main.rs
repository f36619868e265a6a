//! tenure's integration tests: one binary. Every spawned process has a
//! deadline; nothing touches the network.

// slicing text by byte index is refused in the server's code (a client
// could make it panic); here a panic only fails the test or benchmark
#![allow(clippy::string_slice)]

mod balancer;
mod browser;
mod cli;
mod compiled;
mod conformance;
mod consistency;
mod deploy;
mod fetch;
mod fuzz_corpus;
mod hostile;
mod http;
mod layers;
mod leases;
mod ops;
mod overlay;
mod rdap;
mod registries;
mod reload;
mod routing;
mod shared_data;
mod support;
mod whois;

pub use support::*;

// what the test modules take from here with `use super::*`
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
