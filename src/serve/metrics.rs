//! Process metrics in Prometheus' text format (`/metrics` on the admin
//! listener). Counters are atomics in one process-wide [`METRICS`]; what
//! describes the data (serial, objects per source, skipped objects) is read
//! from the snapshot being served when the page is asked for.
//!
//! Names are prefixed `tenure_`; label values come from fixed lists, so a
//! client cannot grow the page.

use crate::snapshot::Snapshot;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// The counters of this process.
pub static METRICS: Metrics = Metrics::new();

/// Which server answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Whois = 0,
    Rdap = 1,
}

const PROTOCOLS: [&str; 2] = ["whois", "rdap"];

/// What was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Address = 0,
    Prefix,
    Range,
    Asn,
    Handle,
    Inverse,
    Search,
    Bulk,
    Other,
}

const KINDS: [&str; 9] = [
    "address", "prefix", "range", "asn", "handle", "inverse", "search", "bulk", "other",
];

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok = 0,
    NotFound,
    Redirect,
    BadRequest,
    RateLimited,
    Error,
}

const OUTCOMES: [&str; 6] = [
    "ok",
    "not_found",
    "redirect",
    "bad_request",
    "rate_limited",
    "error",
];

/// Upper bounds of the latency histogram, seconds.
const BUCKETS: [f64; 12] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0,
];

/// Which listener a connection came to.
#[derive(Debug, Clone, Copy)]
pub enum Listener {
    Whois = 0,
    Http = 1,
    Https = 2,
}

const LISTENERS: [&str; 3] = ["whois", "http", "https"];

/// What a reload read again.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    All = 0,
    Leases = 1,
    Routing = 2,
    /// NRTM deltas from the mirrors' journals, over the registry part.
    Mirrors = 3,
}

const SCOPES: [&str; 4] = ["all", "leases", "routing", "mirrors"];

/// Why a reload kept the old snapshot.
#[derive(Debug, Clone, Copy)]
pub enum ReloadFailure {
    /// A file could not be read or parsed.
    Load = 0,
    /// The new index would be empty.
    Empty,
    /// A source's object count fell by more than allowed.
    Drop,
}

const FAILURES: [&str; 3] = ["load", "empty", "drop"];

pub struct Metrics {
    queries: [[[AtomicU64; 6]; 9]; 2],
    latency: [[AtomicU64; 12]; 2],
    latency_count: [AtomicU64; 2],
    latency_sum_ns: [AtomicU64; 2],
    open: [AtomicI64; 3],
    reloads: [AtomicU64; 4],
    reload_failures: [[AtomicU64; 3]; 4],
    panics: [AtomicU64; 2],
    accept_failures: AtomicU64,
    proxy_refused: [AtomicU64; 3],
}

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU64 = AtomicU64::new(0);
#[allow(clippy::declare_interior_mutable_const)]
const ZERO6: [AtomicU64; 6] = [ZERO; 6];
#[allow(clippy::declare_interior_mutable_const)]
const ZERO6X9: [[AtomicU64; 6]; 9] = [ZERO6; 9];
#[allow(clippy::declare_interior_mutable_const)]
const ZERO12: [AtomicU64; 12] = [ZERO; 12];
#[allow(clippy::declare_interior_mutable_const)]
const ZERO3: [AtomicU64; 3] = [ZERO; 3];

impl Metrics {
    pub const fn new() -> Self {
        Metrics {
            queries: [ZERO6X9; 2],
            latency: [ZERO12; 2],
            latency_count: [ZERO; 2],
            latency_sum_ns: [ZERO; 2],
            open: [AtomicI64::new(0), AtomicI64::new(0), AtomicI64::new(0)],
            reloads: [ZERO; 4],
            reload_failures: [ZERO3; 4],
            panics: [ZERO; 2],
            accept_failures: ZERO,
            proxy_refused: [ZERO; 3],
        }
    }

    /// Counts one query and its time.
    pub fn query(&self, p: Protocol, kind: Kind, outcome: Outcome, took: Duration) {
        let p = p as usize;
        self.queries[p][kind as usize][outcome as usize].fetch_add(1, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        if let Some(b) = BUCKETS.iter().position(|&b| secs <= b) {
            self.latency[p][b].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count[p].fetch_add(1, Ordering::Relaxed);
        self.latency_sum_ns[p].fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Counts `n` queries answered without a time of their own (the lines
    /// of a bulk session).
    pub fn add_queries(&self, p: Protocol, kind: Kind, outcome: Outcome, n: u64) {
        if n > 0 {
            self.queries[p as usize][kind as usize][outcome as usize]
                .fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Queries counted so far for a protocol and outcome (every kind).
    pub fn queries(&self, p: Protocol, outcome: Outcome) -> u64 {
        self.queries[p as usize]
            .iter()
            .map(|k| k[outcome as usize].load(Ordering::Relaxed))
            .sum()
    }

    /// A connection opened; it is counted until the guard drops.
    pub fn connection(&'static self, l: Listener) -> ConnectionGuard {
        self.open[l as usize].fetch_add(1, Ordering::Relaxed);
        ConnectionGuard(&self.open[l as usize])
    }

    /// HTTP and HTTPS connections open now.
    pub fn open_http(&self) -> usize {
        (self.open[Listener::Http as usize].load(Ordering::Relaxed)
            + self.open[Listener::Https as usize].load(Ordering::Relaxed))
        .max(0) as usize
    }

    /// Counts one answer that panicked (the client got an internal error).
    pub fn panic(&self, p: Protocol) {
        self.panics[p as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one failed accept (out of file descriptors, mostly).
    pub fn accept_failed(&self) {
        self.accept_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one connection closed on a PROXY-protocol listener: not from
    /// a configured balancer, or without a valid header in time.
    pub fn proxy_refused(&self, l: Listener) {
        self.proxy_refused[l as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Answers that panicked so far, for a protocol.
    pub fn panics(&self, p: Protocol) -> u64 {
        self.panics[p as usize].load(Ordering::Relaxed)
    }

    pub fn reload_done(&self, scope: Scope) {
        self.reloads[scope as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn reload_failed(&self, scope: Scope, why: ReloadFailure) {
        self.reload_failures[scope as usize][why as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Failed reloads of any scope and reason.
    pub fn reload_failures(&self) -> u64 {
        self.reload_failures
            .iter()
            .flatten()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }

    /// The metrics page: these counters, the snapshot served and the RDAP
    /// answer caches.
    pub fn render(&self, snap: &Snapshot, caches: &[&crate::rdap::cache::AnswerCache]) -> String {
        let mut o = String::with_capacity(16 * 1024);
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        head(
            &mut o,
            "tenure_queries_total",
            "counter",
            "Queries answered, by protocol, kind and outcome.",
        );
        for (p, pn) in PROTOCOLS.iter().enumerate() {
            for (k, kn) in KINDS.iter().enumerate() {
                for (r, rn) in OUTCOMES.iter().enumerate() {
                    let n = load(&self.queries[p][k][r]);
                    if n > 0 {
                        let _ = writeln!(
                            o,
                            "tenure_queries_total{{protocol=\"{pn}\",kind=\"{kn}\",outcome=\"{rn}\"}} {n}"
                        );
                    }
                }
            }
        }
        head(
            &mut o,
            "tenure_rate_limited_total",
            "counter",
            "Queries refused for the client's rate.",
        );
        for (p, pn) in PROTOCOLS.iter().enumerate() {
            let n: u64 = self.queries[p]
                .iter()
                .map(|k| load(&k[Outcome::RateLimited as usize]))
                .sum();
            let _ = writeln!(o, "tenure_rate_limited_total{{protocol=\"{pn}\"}} {n}");
        }
        head(
            &mut o,
            "tenure_panics_total",
            "counter",
            "Answers that panicked; the client got an internal-error answer.",
        );
        for (p, pn) in PROTOCOLS.iter().enumerate() {
            let _ = writeln!(
                o,
                "tenure_panics_total{{protocol=\"{pn}\"}} {}",
                load(&self.panics[p])
            );
        }
        head(
            &mut o,
            "tenure_accept_failures_total",
            "counter",
            "Connections the listeners could not accept (out of file descriptors, mostly).",
        );
        let _ = writeln!(
            o,
            "tenure_accept_failures_total {}",
            load(&self.accept_failures)
        );
        head(
            &mut o,
            "tenure_proxy_refused_total",
            "counter",
            "Connections a PROXY-protocol listener closed: not from a configured balancer, or no valid header in time.",
        );
        for (l, ln) in LISTENERS.iter().enumerate() {
            let _ = writeln!(
                o,
                "tenure_proxy_refused_total{{listener=\"{ln}\"}} {}",
                load(&self.proxy_refused[l])
            );
        }
        head(
            &mut o,
            "tenure_query_duration_seconds",
            "histogram",
            "Time to answer a query, by protocol.",
        );
        for (p, pn) in PROTOCOLS.iter().enumerate() {
            let mut cum = 0;
            for (b, le) in BUCKETS.iter().enumerate() {
                cum += load(&self.latency[p][b]);
                let _ = writeln!(
                    o,
                    "tenure_query_duration_seconds_bucket{{protocol=\"{pn}\",le=\"{le}\"}} {cum}"
                );
            }
            let count = load(&self.latency_count[p]);
            let _ = writeln!(
                o,
                "tenure_query_duration_seconds_bucket{{protocol=\"{pn}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                o,
                "tenure_query_duration_seconds_sum{{protocol=\"{pn}\"}} {}",
                load(&self.latency_sum_ns[p]) as f64 / 1e9
            );
            let _ = writeln!(
                o,
                "tenure_query_duration_seconds_count{{protocol=\"{pn}\"}} {count}"
            );
        }
        head(
            &mut o,
            "tenure_open_connections",
            "gauge",
            "Connections open now, by listener.",
        );
        for (l, ln) in LISTENERS.iter().enumerate() {
            let _ = writeln!(
                o,
                "tenure_open_connections{{listener=\"{ln}\"}} {}",
                self.open[l].load(Ordering::Relaxed).max(0)
            );
        }
        head(
            &mut o,
            "tenure_reloads_total",
            "counter",
            "Reloads installed, by scope.",
        );
        for (s, sn) in SCOPES.iter().enumerate() {
            let _ = writeln!(
                o,
                "tenure_reloads_total{{scope=\"{sn}\"}} {}",
                load(&self.reloads[s])
            );
        }
        head(
            &mut o,
            "tenure_reload_failures_total",
            "counter",
            "Reloads that kept the old snapshot, by scope and reason.",
        );
        for (s, sn) in SCOPES.iter().enumerate() {
            for (f, fname) in FAILURES.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "tenure_reload_failures_total{{scope=\"{sn}\",reason=\"{fname}\"}} {}",
                    load(&self.reload_failures[s][f])
                );
            }
        }
        head(
            &mut o,
            "tenure_snapshot_serial",
            "gauge",
            "Serial of the snapshot served (grows on every good load).",
        );
        let _ = writeln!(o, "tenure_snapshot_serial {}", snap.serial);
        head(
            &mut o,
            "tenure_snapshot_loaded_timestamp_seconds",
            "gauge",
            "When the snapshot served was built.",
        );
        let loaded = snap
            .loaded_at
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        let _ = writeln!(o, "tenure_snapshot_loaded_timestamp_seconds {loaded}");
        let r = &snap.report;
        head(
            &mut o,
            "tenure_load_duration_seconds",
            "gauge",
            "Time the snapshot's sources took to load.",
        );
        let _ = writeln!(o, "tenure_load_duration_seconds {}", r.seconds);
        head(
            &mut o,
            "tenure_source_objects",
            "gauge",
            "Objects kept from each file of the snapshot, by kind.",
        );
        for f in &r.files {
            let _ = writeln!(
                o,
                "tenure_source_objects{{file=\"{}\",kind=\"{}\"}} {}",
                label(&f.path.display().to_string()),
                f.kind,
                f.objects
            );
        }
        head(
            &mut o,
            "tenure_source_load_seconds",
            "gauge",
            "Time each file of the snapshot took to read.",
        );
        for f in &r.files {
            let _ = writeln!(
                o,
                "tenure_source_load_seconds{{file=\"{}\",kind=\"{}\"}} {}",
                label(&f.path.display().to_string()),
                f.kind,
                f.seconds
            );
        }
        head(
            &mut o,
            "tenure_objects",
            "gauge",
            "Objects kept, by registry source and class.",
        );
        for (source, classes) in &r.objects {
            for (class, n) in classes {
                let _ = writeln!(
                    o,
                    "tenure_objects{{source=\"{}\",class=\"{}\"}} {n}",
                    label(source),
                    label(class)
                );
            }
        }
        head(
            &mut o,
            "tenure_skipped_objects",
            "gauge",
            "Objects and lines skipped in the snapshot's sources, by reason.",
        );
        for (reason, s) in &r.skipped {
            let _ = writeln!(
                o,
                "tenure_skipped_objects{{reason=\"{}\"}} {}",
                label(reason),
                s.count
            );
        }
        head(
            &mut o,
            "tenure_leases",
            "gauge",
            "Lease records in the snapshot, by state.",
        );
        let l = &r.leases;
        for (state, n) in [
            ("loaded", l.loaded),
            ("verified", l.verified),
            ("unverified", l.unverified),
            ("rejected", l.rejected),
            ("active_at_load", l.active_now),
        ] {
            let _ = writeln!(o, "tenure_leases{{state=\"{state}\"}} {n}");
        }
        let routing = snap.routing();
        head(
            &mut o,
            "tenure_routing_entries",
            "gauge",
            "Routing data served: announced prefixes and validated ROA payloads.",
        );
        let _ = writeln!(
            o,
            "tenure_routing_entries{{kind=\"prefixes\"}} {}",
            routing.routes()
        );
        let _ = writeln!(
            o,
            "tenure_routing_entries{{kind=\"vrps\"}} {}",
            routing.vrp_count()
        );
        if let Some(t) = routing.as_of() {
            head(
                &mut o,
                "tenure_routing_as_of_timestamp_seconds",
                "gauge",
                "When the routing data served was current (its files' dates).",
            );
            let _ = writeln!(o, "tenure_routing_as_of_timestamp_seconds {t}");
        }
        head(
            &mut o,
            "tenure_rdap_cache_total",
            "counter",
            "RDAP ip answers: repeated questions, other addresses of a cached network, built.",
        );
        let (mut exact, mut template, mut built) = (0, 0, 0);
        for c in caches {
            exact += c.exact_hits();
            template += c.hits();
            built += c.misses();
        }
        for (what, n) in [
            ("repeated", exact),
            ("template", template),
            ("built", built),
        ] {
            let _ = writeln!(o, "tenure_rdap_cache_total{{answer=\"{what}\"}} {n}");
        }
        o
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Counts a connection as open until dropped.
pub struct ConnectionGuard(&'static AtomicI64);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

pub fn head(o: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value with `\`, `"` and newlines escaped.
pub fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Kind {
    /// What a parsed query asks about.
    pub fn of_query(q: &crate::query::Query) -> Kind {
        use crate::query::Query;
        match q {
            Query::Range(r) if r.start == r.end => Kind::Address,
            Query::Range(r) if r.prefix_len().is_some() => Kind::Prefix,
            Query::Range(_) => Kind::Range,
            Query::Asn(_) | Query::AsnRange(..) => Kind::Asn,
            Query::Handle(_) => Kind::Handle,
        }
    }

    /// What a query that did not parse tried to ask about.
    pub fn of_error(e: &crate::query::QueryError) -> Kind {
        use crate::query::QueryError;
        match e {
            QueryError::Address(_) => Kind::Address,
            QueryError::BadAsn(_) => Kind::Asn,
            QueryError::Empty | QueryError::BadKey(_) => Kind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_parsed_queries() {
        use crate::query::parse_query;
        let kind = |t: &str| match parse_query(t) {
            Ok(q) => Kind::of_query(&q),
            Err(e) => Kind::of_error(&e),
        };
        assert_eq!(kind("192.0.2.1"), Kind::Address);
        assert_eq!(kind("2001:db8::1"), Kind::Address);
        assert_eq!(kind("192.0.2.0/24"), Kind::Prefix);
        assert_eq!(kind("192.0.2.0 - 192.0.2.9"), Kind::Range);
        assert_eq!(kind("AS64500"), Kind::Asn);
        assert_eq!(kind("ORG-EXAMPLE1-TEST"), Kind::Handle);
        // a malformed address is an address query that failed, not a handle
        assert_eq!(kind("10.1"), Kind::Address);
        assert_eq!(kind("aé"), Kind::Other);
        assert_eq!(kind("AS1-aé"), Kind::Asn);
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
