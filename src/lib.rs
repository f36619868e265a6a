//! # tenure: who holds an IP address, who leases it now, where abuse goes
//!
//! tenure loads registry dumps (RPSL, delegated-extended statistics) and
//! leasing platforms' lease records into a longest-prefix-match index and answers, for any address, prefix, range,
//! AS number or handle: the registry object, the **holder**, the **lessee**
//! and the **abuse contact**, each with where it came from.
//!
//! ## Architecture (data flows one way)
//!
//! ```text
//! dump files --> rpsl (text -> objects) --> model (objects -> networks, entities, aut-nums)
//!            --> dump (loaders, gzip sniffing, two-thread pipeline, LoadReport)
//!   delegated stats --> delegated (records) --^
//!   lease files --> leases (JSON Lines records) --^
//!            --> snapshot (sorted networks and leases, index per family,
//!                lease verification; immutable once built)
//!            --> lease (holder / lessee / abuse rules over a chain, at a time)
//!            --> query (Query -> Answer, transport-neutral)
//!            --> whois (RIPE-style text; request flags; port-43 server)
//!            --> rdap (RFC 9082/9083 JSON, status codes and headers)
//!            --> web (the lookup page: HTML and an SVG of the block)
//!            --> http (hyper + rustls: the only place that names them;
//!                `/` is the lookup page, the rest RDAP)
//! cli wires it: flags + config -> load -> snapshot -> answer -> output;
//! app wires `serve`: bind, first load (admin answers meanwhile), serve; reload (a task that builds a
//! new snapshot off the request path and swaps it in whole, the old kept
//! when the load is bad); admin (metrics, health, reload); stop on
//! SIGINT/SIGTERM after a drain.
//! ```
//!
//! - [`addr`]: address notations (ranges, prefixes, LACNIC abbreviations,
//!   leading zeros, IPv6), strict query parsing.
//! - [`index`]: range index over `u32`/`u128` keys: longest-prefix match
//!   (sorted segments or `iptrie`), parents, less/more specifics, exact for
//!   nested, non-aligned and overlapping ranges.
//! - [`rpsl`]: streaming RPSL splitter and object parser.
//! - [`model`]: networks, entities, aut-nums, domains; status classes,
//!   placeholder / platform / registry-maintained flags; interned handles.
//! - [`delegated`]: delegated-extended statistics.
//! - [`dump`]: loads sources into a `Registry` with a `LoadReport`.
//! - [`snapshot`]: the immutable indexed generation a request answers from:
//!   a registry part (objects and indexes, shared by `Arc` with the
//!   snapshots a lease-only reload makes) and a lease part; `Current` holds
//!   the one served (`arc-swap`).
//! - [`leases`]: the lease record format (parallel JSON Lines parser).
//! - [`lease`]: holder, lessee (current lease, else registry-inferred),
//!   abuse contact (verified lease, else RIPE's rule), lease history.
//! - [`time`]: RFC 3339 timestamps.
//! - [`query`]: query parsing, answers, the `--json` form.
//! - [`whois`]: RIPE-style text rendering; [`whois::request`] parses query
//!   lines (flags), [`whois::respond`] answers them, [`whois::server`] is the
//!   tokio server with its limits and bulk mode.
//! - [`rdap`]: RDAP answers and the `lease0` extension, transport-neutral;
//!   [`rdap::cache`] keeps ip answers as templates (per network answer,
//!   per repeated question until the next lease change), per snapshot.
//! - [`http`]: the hyper server (plain and rustls HTTPS) carrying RDAP answers.
//! - [`bootstrap`]: IANA's RDAP bootstrap files, for redirects.
//! - [`limit`]: what both servers share: the accept loop, per-client keys
//!   (IPv6 per /64) and token buckets.
//! - [`web`]: the lookup page for people.
//! - [`reload`]: the reload task (every source or the leases alone; merged
//!   triggers; refusal of failed, empty or shrunken loads).
//! - [`admin`]: the admin listener (`/metrics`, `/healthz`, `/readyz`,
//!   `POST /admin/reload`).
//! - [`metrics`]: process-wide counters and the Prometheus page.
//! - [`app`]: `tenure serve` wiring (listeners, signals, reload triggers,
//!   drain).
//! - [`config`], [`cli`], [`progress`], [`report`]: the process edge.
//! - [`gen`]: deterministic generated dumps for benchmarks.
//!
//! The process allocates through mimalloc (the `#[global_allocator]` at
//! the end of this file).
//!
//! ## Invariants
//!
//! - `rpsl` and `index` depend on nothing else in the crate.
//! - `whois` sees only `query::Answer` and the snapshot, never the parser
//!   or the loaders.
//! - Only `whois::server`, `http` and `admin` serve sockets (and `app` binds them);
//!   only `app` handles signals.
//! - A request takes one `Arc<Snapshot>` and answers from it to the end.
//! - A snapshot is never modified after it is built; every answer comes
//!   from one snapshot.
//! - Nothing a dump or a query contains may panic: malformed objects are
//!   skipped and reported with file and line, malformed queries get an
//!   error saying what is wrong.

pub mod answer;
pub mod base;
pub mod edge;
pub mod input;
pub mod serve;
pub mod store;

// every module by its short name, as the architecture map names them
pub(crate) use answer::lease;
pub use answer::query;
pub use base::{addr, fxhash, index, time};
pub(crate) use edge::{admin, app, reload};
pub use edge::{cli, config, gen, report};
pub(crate) use input::{bootstrap, leases, model, rpsl};
pub use input::{delegated, dump, progress};
pub(crate) use serve::guard;
pub use serve::{http, limit, metrics, rdap, web, whois};
pub use store::snapshot;

/// mimalloc instead of the system allocator: answers allocate many small
/// short-lived buffers on every worker thread, where glibc's malloc showed
/// arena-lock contention and heap trimming in profiles of the RDAP server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
