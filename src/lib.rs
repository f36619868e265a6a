//! # tenure: who holds an IP address, who leases it now, where abuse goes
//!
//! tenure loads registry dumps (RPSL, delegated-extended statistics),
//! leasing platforms' lease records and public routing data (BGP
//! prefix-to-origin tables, RPKI validated ROA payloads) into
//! longest-prefix-match indexes and answers, for any address, prefix,
//! range, AS number or handle: the registry object, the **holder**, the
//! **lessee** and the **abuse contact**, each with where it came from,
//! **who announces the space** and whether RPKI agrees, and where else to
//! ask when the space belongs to a registry whose data is not loaded.
//!
//! ## Architecture: folders are layers, data flows down the page
//!
//! ```text
//! base/    addr, time, fxhash, bytes, index, md5, wire, mapped
//!          (depend on nothing of the crate but each other)
//! input/   rpsl (text -> objects) -> model (networks, entities, aut-nums)
//!          delegated, leases (lease records), bootstrap (IANA)
//!          zip, arin_xml (ARIN's archive and XML layout -> text)
//!          bgp (pfx2as tables, VRPs, dated file names), nrtm (NRTMv4
//!          notifications, snapshots, deltas)
//!          -> dump (loaders, gzip sniffing, LoadReport), progress
//! store/   snapshot (sorted networks and leases, index per family; leases
//!          judged by the `LeasePolicy` it is given; immutable, swapped
//!          whole through `Current`; `snapshot::compiled`: the dumps' part
//!          written to and mapped from one checked file;
//!          `snapshot::overlay`: NRTM deltas from the mirrors' journals
//!          served over the registry part), inverse (objects by attribute
//!          value, per attribute on first use), routing (announced
//!          prefixes and VRPs, RFC 6811 validation; past generations
//!          from dated files, on demand)
//! answer/  lease (lease verification; holder / lessee / abuse rules over
//!          a chain, at a time)
//!          -> query: the ONE resolved answer (Found, Resolved: network,
//!             holder, lessee, abuse with provenance, routing evidence,
//!             where else to ask), as borrowed views; searches; what the
//!             data is (about)
//! serve/   whois (io, server, request, respond, render, bulk)
//!          rdap (route -> network/objects/search -> response; json
//!          writes the hot answers straight to bytes; cache)
//!          web (the lookup page), http (hyper + rustls: the only place
//!          naming them), limit (caps, rates, the stop signal), proxy (the
//!          PROXY protocol behind a balancer), guard (a panicking answer
//!          stays in its request), metrics
//! edge/    cli, config (every key and its default, once), app (`serve`
//!          wiring), reload, admin (metrics, health, reload), report, gen,
//!          fetch (downloads into the data directory), mirror (NRTMv4
//!          mirrors) -> outbound (the HTTPS client: the only outbound
//!          connections)
//! ```
//!
//! A WHOIS query walks one way: `whois::server` reads a line ->
//! `whois::request` parses it -> `whois::respond` asks `query::lookup`
//! once -> `whois::render` writes the views. RDAP, bulk mode, the page and
//! `tenure lookup --json` ([`query::to_json`]) render the same views, so
//! every interface names the same holder, lessee, abuse mailbox and
//! registry (a test compares them on every address of the sample and
//! shared data).
//!
//! Every module keeps its short path ([`addr`], [`query`], [`whois`], ...)
//! through the re-exports below; the folders show the layers.
//!
//! - [`addr`]: address notations (ranges, prefixes, LACNIC abbreviations,
//!   leading zeros, IPv6), strict query parsing.
//! - [`chunked`]: a sequence in fixed-size chunks (loading without
//!   doubling copies).
//! - [`index`]: range index over `u32`/`u128` keys: longest-prefix match
//!   (sorted segments or `iptrie`), parents, less/more specifics, exact for
//!   nested, non-aligned and overlapping ranges.
//! - [`time`]: RFC 3339 timestamps. [`fxhash`]: a fast hash for short keys.
//!   [`bytes`]: texts tested for a set of bytes eight bytes at a time.
//!   [`md5`]: RFC 1321, for the registries' published `.md5` files.
//!   [`wire`]: the bounds-checked binary encoding of compiled snapshots;
//!   [`mapped`]: a file mapped read-only, texts and arrays read from it
//!   in place, pages released after checks (the module with `unsafe`,
//!   each use justified there; besides it, only the allocator below and
//!   one call of `reload`).
//! - `rpsl`: streaming RPSL splitter and object parser; objects are read
//!   through `ObjectRef` views. `model`: networks, entities, aut-nums,
//!   domains; status classes, placeholder / platform /
//!   registry-maintained flags; interned handles; `Table`: the networks
//!   or entities, owned or fixed-size records read in place from a
//!   compiled snapshot, read as `NetRef` / `EntityRef` views. [`delegated`]:
//!   delegated-extended statistics. `leases`: the lease record format.
//!   [`bgp`]: CAIDA pfx2as tables and RPKI VRPs (Routinator / rpki-client
//!   JSON, CSV), dates in file names.
//!   `bootstrap`: IANA's RDAP bootstrap files and address-space
//!   registries (copies built in, the default). `zip`: the text members
//!   of a ZIP archive, streamed (ARIN's bulk data); `arin_xml`: ARIN's
//!   XML layout read as its text layout (and written, for generated data). [`dump`]: loads sources into
//!   a `Registry` with a `LoadReport`. [`progress`]: load progress.
//! - [`snapshot`]: the immutable indexed generation a request answers from
//!   ([`snapshot::Snapshot::load`]: parsed from the dumps, or their part
//!   mapped from a compiled snapshot, [`snapshot::compiled`]):
//!   a registry part (shared by `Arc` with the snapshots a lease-only
//!   reload makes) and a lease part; `Current` holds the one served.
//!   [`snapshot::overlay`]: the NRTM deltas a mirror's journal holds past
//!   the version its file was read at, as objects and indexes of their own
//!   over the registry part (parsed or mapped), merged by its lookups.
//!   [`inverse`]: its index of objects by the values of RIPE's
//!   inverse-searchable attributes, built per attribute on first use.
//!   [`routing`]: its routing part (shared by `Arc` across registry and
//!   lease reloads, replaced alone by a routing reload): longest-prefix
//!   match over announced prefixes, VRPs by covering prefix, RFC 6811
//!   states; generations of past times read from dated files.
//! - `lease`: lease verification (the lessor holds the space), holder,
//!   lessee (current lease, else registry-inferred), abuse contact
//!   (verified lease, else RIPE's rule), lease history.
//! - [`query`]: query parsing; [`query::lookup`] / [`query::resolve`], the
//!   one resolved answer ([`query::resolve_as`]: the same for the
//!   registry's own view or one lease record, which RDAP's `lease0`
//!   addressing serves); [`query::prefetch`] (the objects an answer reads,
//!   read at once before it is resolved: a bulk batch's, an RDAP ip
//!   lookup's);
//!   [`query::authority`], where else to ask;
//!   hierarchy, inverse and RDAP searches; the `--json` form; routing
//!   evidence (each origin's holder, whether it is the address holder's,
//!   agreement with the lessee, the likely user as a labelled inference).
//! - [`whois`]: port 43 in layers (bulk mode answering a connection's
//!   batches on two threads); [`rdap`]: RFC 7480/9082/9083 and the
//!   `lease0` extension, [`rdap::response`] alone deciding statuses and
//!   headers, ip network answers written straight to bytes (no tree or
//!   serializer between them), [`rdap::cache`] keeping them as templates
//!   with holes for the query and origin (the notices shared by all) and
//!   repeated questions pointing at their template; [`web`]: the
//!   lookup page; [`http`]: the hyper server (plain and rustls HTTPS);
//!   [`limit`]: the accept loop, per-client keys, token buckets,
//!   connection caps and write deadlines, the
//!   [`limit::Shutdown`] every listener and connection sees; [`proxy`]:
//!   HAProxy's PROXY protocol v1/v2 (the real client behind a load
//!   balancer, only from configured balancers); `guard`;
//!   [`metrics`]: counters and the Prometheus page.
//! - [`cli`], [`config`], [`report`], [`gen`] (generated data in the five
//!   registries' layouts, for benchmarks); `app`: `tenure serve`
//!   wiring (listeners, signals, reload triggers, drain); `reload`: the
//!   reload task (all, leases, routing); `admin`: the admin listener.
//! - [`fetch`]: `tenure fetch`, the configured sources downloaded with
//!   conditional requests, checked (length, gzip trailer, published
//!   checksum, unchanged validators), installed by rename with the previous
//!   generation kept, and a reload asked of what changed; [`outbound`]:
//!   its HTTP(S) client (hyper and rustls, the system's CA bundle);
//!   [`mirror`]: the NRTMv4 client writing a mirror file per source, the
//!   protocol's rules in [`nrtm`] (JWS verification with key rotation,
//!   what to fetch, snapshot and delta records, a delta whole or not at
//!   all).
//!
//! The process allocates through mimalloc (the `#[global_allocator]` at
//! the end of this file: mimalloc's plain entry points for the alignments
//! every block has, its aligned ones otherwise).
//!
//! ## Invariants (tests/integration/layers.rs checks the first three)
//!
//! - A folder imports only the folders above it in the map (serving reads
//!   `config` for its declared defaults; `config` imports no serving
//!   module).
//! - The protocol modules (whois, rdap, web, http) never import the
//!   parser, the loaders or the answering rules, nor read snapshot
//!   internals: they render `query`'s views.
//! - Every file of `src/` is in a layer.
//! - Only `whois::server`, `http` and `admin` serve sockets (and `app`
//!   binds them); only `app` handles signals; only `outbound` connects
//!   to other hosts.
//! - A request takes one `Arc<Snapshot>` and answers from it to the end;
//!   a snapshot is never modified after it is built.
//! - `unsafe` code lives in `mapped`, in the allocator at the end of this
//!   file and in one call of `reload` (`mi_collect`); the crate denies it
//!   elsewhere.
//! - Nothing a dump or a query contains may panic: malformed objects are
//!   skipped and reported with file and line, malformed queries get an
//!   error saying what is wrong, and a panic that slips through stays in
//!   its request (`guard`: an internal-error answer, counted and logged).

pub mod answer;
pub mod base;
pub mod edge;
pub mod input;
pub mod serve;
pub mod store;

// every module by its short name, as the architecture map names them
pub(crate) use answer::lease;
pub use answer::query;
pub use base::{addr, bytes, chunked, fxhash, index, mapped, md5, time, wire};
pub(crate) use edge::{admin, app, reload};
pub use edge::{cli, config, fetch, fuzzing, gen, mirror, outbound, report};
pub(crate) use input::{arin_xml, bootstrap, leases, model, rpsl, zip};
pub use input::{bgp, delegated, dump, nrtm, progress};
pub(crate) use serve::guard;
pub use serve::{http, limit, metrics, proxy, rdap, web, whois};
pub use store::{inverse, routing, snapshot};

/// mimalloc instead of the system allocator: answers allocate many small
/// short-lived buffers on every worker thread, where glibc's malloc showed
/// arena-lock contention and heap trimming in profiles of the RDAP server.
#[global_allocator]
static ALLOCATOR: Mimalloc = Mimalloc;

/// mimalloc through its plain entry points whenever the alignment asked
/// is one every block of the size has (at most 16 bytes, and not more than
/// the size: mimalloc's guarantee on 64-bit targets, as glibc's). The
/// `mimalloc` crate's allocator asks `mi_malloc_aligned` for everything,
/// whose fast path serves only small blocks with a free block at hand:
/// in a profile of an RDAP answer (about 19 allocations) the aligned
/// entry points cost 81 instructions a call.
struct Mimalloc;

/// What every block of mimalloc is aligned to (`MI_MAX_ALIGN_SIZE`).
const MIMALLOC_ALIGN: usize = 16;

/// True when every block of `size` bytes has alignment `align`.
fn plain(align: usize, size: usize) -> bool {
    align <= MIMALLOC_ALIGN && align <= size
}

// SAFETY: each call forwards to the mimalloc function of the same contract
// (the aligned ones when `plain` is false), and every block is freed by
// `mi_free`, which frees blocks of every entry point.
#[allow(unsafe_code)]
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys as mi;
        // SAFETY: see the impl
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys as mi;
        // SAFETY: see the impl
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: see the impl
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys as mi;
        // SAFETY: see the impl (a block of the plain entry points stays
        // aligned to the alignment asked at any size it may be given)
        unsafe {
            if plain(layout.align(), new_size) {
                mi::mi_realloc(ptr.cast(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Blocks of every alignment, through the plain entry points (16 bytes
    /// or less) and the aligned ones, keep their alignment and contents
    /// as they grow and shrink.
    #[test]
    fn the_allocator_keeps_alignments() {
        #[derive(Clone, Copy, PartialEq, Debug)]
        #[repr(align(64))]
        struct Line(u64);
        fn check<T: Copy + PartialEq + std::fmt::Debug>(make: impl Fn(usize) -> T) {
            let mut v: Vec<T> = Vec::new();
            for n in 0..3000 {
                v.push(make(n));
                assert_eq!(v.as_ptr() as usize % std::mem::align_of::<T>(), 0);
            }
            v.truncate(3);
            v.shrink_to_fit();
            assert_eq!(v.as_ptr() as usize % std::mem::align_of::<T>(), 0);
            assert_eq!(v, (0..3).map(&make).collect::<Vec<_>>());
        }
        check(|n| n as u8);
        check(|n| n as u64);
        check(|n| n as u128);
        check(|n| Line(n as u64));
        let zeroed = vec![0u128; 1000];
        assert!(zeroed.iter().all(|&x| x == 0));
        assert_eq!(zeroed.as_ptr() as usize % 16, 0);
    }
}
