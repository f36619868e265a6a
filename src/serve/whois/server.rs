//! The port-43 server (RFC 3912): one task per connection; each query is
//! answered from the snapshot current when it arrives.
//!
//! A client sends one line (CRLF or LF); the server answers and closes,
//! unless `-k` keeps the connection open (RIPE semantics: `-k` alone
//! toggles, `-k QUERY` answers and keeps). A connection that sends `begin`
//! enters bulk mode: options (`verbose`, `noheader`, `csv`), then one
//! address per line, one answer line per address, until `end`.
//!
//! Limits, none of which stalls other clients: line length (`%ERROR:107`
//! and close), a read timeout for each line, a write timeout for clients
//! that do not read, connections in total and per client address (IPv6
//! per /64), and a per-client token bucket (`%ERROR:201` and close).

use super::io::{read_line, write_all, Line};
use super::request::{code, WhoisError};
use super::respond::{kind_of_line, respond, Reply};
pub use crate::limit::client_key;
use crate::limit::{RateLimiter, Shutdown};
use crate::snapshot::{Current, Snapshot};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader, BufWriter};
use tokio::net::{TcpListener, TcpStream};

/// The server's limits, declared with their defaults in
/// [`crate::config`] (every one is a config key and a flag).
pub use crate::config::WhoisLimits as Limits;

/// What every connection shares.
pub struct Shared {
    snapshot: Arc<Current>,
    pub limits: Limits,
    open: AtomicUsize,
    per_client: Mutex<HashMap<IpAddr, usize>>,
    rate: RateLimiter,
    /// Persons' objects sent per client today: (day number, counts).
    personal: Mutex<(i64, HashMap<IpAddr, usize>)>,
    /// The balancers whose PROXY headers name the real clients.
    balancers: crate::proxy::Balancers,
}

impl Shared {
    pub fn new(snapshot: Arc<Snapshot>, limits: Limits) -> Arc<Self> {
        Self::with_current(Arc::new(Current::new(snapshot)), limits)
    }

    /// Shares a snapshot holder with other servers.
    pub fn with_current(snapshot: Arc<Current>, limits: Limits) -> Arc<Self> {
        let rate =
            RateLimiter::new(limits.rate, limits.burst).exempting(limits.rate_exempt.clone());
        let balancers = crate::proxy::Balancers::new(limits.proxy_from.clone());
        Arc::new(Shared {
            snapshot,
            balancers,
            limits,
            open: AtomicUsize::new(0),
            per_client: Mutex::new(HashMap::new()),
            rate,
            personal: Mutex::new((0, HashMap::new())),
        })
    }

    /// The snapshot current now.
    pub fn current(&self) -> Arc<Snapshot> {
        self.snapshot.get()
    }

    /// Open connections now.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    fn admit(self: &Arc<Self>, client: IpAddr) -> Result<Admitted, &'static str> {
        if self.open.fetch_add(1, Ordering::AcqRel) >= self.limits.max_connections {
            self.open.fetch_sub(1, Ordering::AcqRel);
            return Err("too many connections");
        }
        let mut per = self.per_client.lock().unwrap_or_else(|p| p.into_inner());
        let n = per.entry(client).or_insert(0);
        if *n >= self.limits.max_per_client {
            drop(per);
            self.open.fetch_sub(1, Ordering::AcqRel);
            return Err("too many connections from your address");
        }
        *n += 1;
        Ok(Admitted {
            shared: Arc::clone(self),
            client,
        })
    }

    /// Counts `n` persons' objects sent to a client today; false (and not
    /// counted) when they would pass the daily limit (RIPE's rule for
    /// personal data). The counts start again each UTC day.
    fn take_personal(&self, client: IpAddr, n: usize, now: crate::time::Timestamp) -> bool {
        let today = now.div_euclid(86_400);
        let mut p = self.personal.lock().unwrap_or_else(|p| p.into_inner());
        if p.0 != today {
            *p = (today, HashMap::new());
        }
        let seen = p.1.entry(client).or_insert(0);
        if *seen + n > self.limits.personal_limit {
            return false;
        }
        *seen += n;
        true
    }

    /// Takes one token from the client's bucket.
    pub(super) fn allow(&self, client: IpAddr) -> bool {
        self.rate.take(client).is_ok()
    }
}

/// A counted connection; uncounted when dropped.
struct Admitted {
    shared: Arc<Shared>,
    client: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.shared.open.fetch_sub(1, Ordering::AcqRel);
        let mut per = self
            .shared
            .per_client
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = per.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                per.remove(&self.client);
            }
        }
    }
}

/// Serves until the stop begins; then stops accepting. Open connections
/// finish the answer in progress; an idle `-k` connection closes.
pub async fn run(listener: TcpListener, shared: Arc<Shared>, stop: Shutdown) {
    let conn_stop = stop.clone();
    crate::limit::accept_loop(listener, "whois", stop, move |stream, peer| {
        connection(stream, peer, Arc::clone(&shared), conn_stop.clone())
    })
    .await
}

async fn connection(mut stream: TcpStream, from: SocketAddr, shared: Arc<Shared>, stop: Shutdown) {
    // behind a balancer, the client its PROXY header names
    let (peer, early) = match crate::proxy::client_of(&mut stream, from, &shared.balancers).await {
        Ok(c) => c,
        Err(e) => {
            crate::metrics::METRICS.proxy_refused(crate::metrics::Listener::Whois);
            tracing::debug!("whois connection from {from} closed: {e}");
            return;
        }
    };
    let client = client_key(peer.ip());
    let limits = shared.limits.clone();
    let _admitted = match shared.admit(client) {
        Ok(a) => a,
        Err(why) => {
            tracing::debug!("whois {} refused: {why}", peer.ip());
            let text = format!(
                "{}\n% {why}\n\n\n",
                WhoisError::new(code::ACCESS_DENIED, "access denied").line()
            );
            let _ = write_all(&mut stream, &text, limits.write_timeout).await;
            return;
        }
    };
    let _open = crate::metrics::METRICS.connection(crate::metrics::Listener::Whois);
    // (TCP_NODELAY is set by the accept loop)
    let (rd, wr) = stream.into_split();
    let mut reader = BufReader::new(crate::proxy::Prefixed::new(early, rd));
    let mut writer = BufWriter::new(wr);
    let mut keep = false;
    let mut first = true;
    loop {
        // waiting for a line: a stop closes the connection (an idle -k
        // client is not kept past the drain)
        let read =
            tokio::time::timeout(limits.read_timeout, read_line(&mut reader, limits.max_line));
        let line = match tokio::select! {
            r = read => r,
            _ = stop.stopping() => return,
        } {
            Ok(Ok(Line::Text(l))) => l,
            Ok(Ok(Line::TooLong)) => {
                let text = format!(
                    "{}\n\n\n",
                    WhoisError::new(code::LINE_TOO_LONG, "input line too long").line()
                );
                let _ = write_all(&mut writer, &text, limits.write_timeout).await;
                return;
            }
            // end of input, I/O error, or a client too slow to send a line
            _ => return,
        };
        if line.trim().eq_ignore_ascii_case("begin") {
            let allowed = shared.allow(peer.ip());
            super::bulk::serve(
                &mut reader,
                &mut writer,
                shared.current(),
                &shared.limits,
                allowed,
            )
            .await;
            return;
        }
        if !shared.allow(peer.ip()) {
            tracing::debug!("whois {} refused: query rate exceeded", peer.ip());
            let text = format!(
                "{}\n% query rate exceeded\n\n\n",
                WhoisError::new(code::ACCESS_DENIED, "access denied").line()
            );
            crate::metrics::METRICS.query(
                crate::metrics::Protocol::Whois,
                kind_of_line(&line),
                crate::metrics::Outcome::RateLimited,
                Duration::ZERO,
            );
            let _ = write_all(&mut writer, &text, limits.write_timeout).await;
            return;
        }
        let asked = std::time::Instant::now();
        let snap = shared.current();
        let now = crate::time::now();
        // inverse lookups may read many objects, and a past time may load
        // an older compiled snapshot: off the async workers
        let slow = line.contains("-i") || line.contains("--inverse") || line.contains("--at");
        let with_banner = first;
        let reply = if slow {
            let snap = Arc::clone(&snap);
            let l = line.clone();
            tokio::task::spawn_blocking(move || guarded_respond(&snap, &l, now, with_banner))
                .await
                .unwrap_or_else(|_| internal_error())
        } else {
            guarded_respond(&snap, &line, now, with_banner)
        };
        first = false;
        let mut reply = reply;
        if reply.personal > 0 && !shared.take_personal(client, reply.personal, now) {
            // RIPE: past the daily limit of personal data, access is denied
            reply.text = format!(
                "{}\n%\n% Queries from your address have passed the daily limit of {} persons' objects.\n% Access to personal data is denied until the next UTC day.\n\n\n",
                WhoisError::new(code::ACCESS_DENIED, format!("access denied for {}", peer.ip())).line(),
                limits.personal_limit
            );
            reply.outcome = crate::metrics::Outcome::RateLimited;
        }
        record_query(&reply, asked.elapsed(), peer.ip());
        let Reply {
            text, request: req, ..
        } = reply;
        // -k alone toggles; -k with a query keeps
        let toggle = req.as_ref().is_some_and(|r| {
            r.keep_alive && r.key.is_empty() && r.info.is_none() && r.template.is_none()
        });
        if toggle && keep {
            return; // second bare -k: close
        }
        if !write_all(&mut writer, &text, limits.write_timeout).await {
            return;
        }
        keep = keep || req.as_ref().is_some_and(|r| r.keep_alive);
        if !keep {
            let _ = writer.shutdown().await;
            return;
        }
    }
}

/// [`respond`], with a panic inside contained: the client gets RIPE's
/// "internal software error" line and the connection goes on.
fn guarded_respond(
    snap: &Snapshot,
    line: &str,
    now: crate::time::Timestamp,
    with_banner: bool,
) -> Reply {
    crate::guard::contain(crate::metrics::Protocol::Whois, line, || {
        respond(snap, line, now, with_banner)
    })
    .unwrap_or_else(internal_error)
}

/// The answer to a query whose answering failed.
fn internal_error() -> Reply {
    let line = WhoisError::new(code::INTERNAL, "internal software error").line();
    Reply {
        text: format!("{line}\n\n\n"),
        request: None,
        kind: crate::metrics::Kind::Other,
        outcome: crate::metrics::Outcome::Error,
        personal: 0,
    }
}

/// Counts one answered query line, from what the answer says it was.
fn record_query(reply: &Reply, took: Duration, client: IpAddr) {
    crate::metrics::METRICS.query(
        crate::metrics::Protocol::Whois,
        reply.kind,
        reply.outcome,
        took,
    );
    tracing::debug!(
        "whois {client} {:?} {:?} {:?} in {:.0} us",
        reply.request.as_ref().map(|r| r.key.as_str()).unwrap_or(""),
        reply.kind,
        reply.outcome,
        took.as_secs_f64() * 1e6
    );
}
