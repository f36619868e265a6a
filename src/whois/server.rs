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

use super::request::{code, WhoisError};
use super::respond::respond;
use crate::addr::parse_query_addr;
use crate::addr::IpRange;
use crate::lease::Lessee;
pub use crate::limit::client_key;
use crate::limit::RateLimiter;
use crate::query::{self, Answer};
use crate::snapshot::{Current, Snapshot};
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::{TcpListener, TcpStream};

/// The server's limits; every one is a config key and a flag.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest query line in bytes (RIPE: 1024).
    pub max_line: usize,
    /// Time allowed for each query line to arrive.
    pub read_timeout: Duration,
    /// Time allowed for a client to take each answer.
    pub write_timeout: Duration,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections per client address (IPv6: per /64).
    pub max_per_client: usize,
    /// Sustained queries per second per client.
    pub rate: f64,
    /// Queries a client may send at once before the rate applies.
    pub burst: f64,
    /// Addresses per bulk-mode connection.
    pub bulk_max_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 1024,
            read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_per_client: 32,
            rate: 50.0,
            burst: 200.0,
            bulk_max_lines: 100_000,
        }
    }
}

/// What every connection shares.
pub struct Shared {
    snapshot: Arc<Current>,
    pub limits: Limits,
    open: AtomicUsize,
    per_client: Mutex<HashMap<IpAddr, usize>>,
    rate: RateLimiter,
}

impl Shared {
    pub fn new(snapshot: Arc<Snapshot>, limits: Limits) -> Arc<Self> {
        Self::with_current(Arc::new(Current::new(snapshot)), limits)
    }

    /// Shares a snapshot holder with other servers.
    pub fn with_current(snapshot: Arc<Current>, limits: Limits) -> Arc<Self> {
        let rate = RateLimiter::new(limits.rate, limits.burst);
        Arc::new(Shared {
            snapshot,
            limits,
            open: AtomicUsize::new(0),
            per_client: Mutex::new(HashMap::new()),
            rate,
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

    /// Takes one token from the client's bucket.
    fn allow(&self, client: IpAddr) -> bool {
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

/// Serves until `shutdown` completes; then stops accepting (connections
/// already open finish on their own tasks).
pub async fn run(listener: TcpListener, shared: Arc<Shared>, shutdown: impl Future<Output = ()>) {
    crate::limit::accept_loop(listener, "whois", shutdown, |stream, peer| {
        connection(stream, peer, Arc::clone(&shared))
    })
    .await
}

enum Line {
    Text(String),
    TooLong,
    Eof,
}

/// Reads one line of at most `max` bytes (CRLF or LF; CR stripped).
async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
    max: usize,
) -> std::io::Result<Line> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(if buf.is_empty() {
                Line::Eof
            } else {
                Line::Text(String::from_utf8_lossy(&buf).into_owned())
            });
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let end = if done { take - 1 } else { take };
        if buf.len() + end > max {
            return Ok(Line::TooLong);
        }
        buf.extend_from_slice(&chunk[..end]);
        r.consume(take);
        if done {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Line::Text(String::from_utf8_lossy(&buf).into_owned()));
        }
    }
}

async fn write_all<W: tokio::io::AsyncWrite + Unpin>(
    w: &mut W,
    text: &str,
    limit: Duration,
) -> bool {
    let write = async {
        w.write_all(text.as_bytes()).await?;
        w.flush().await
    };
    matches!(tokio::time::timeout(limit, write).await, Ok(Ok(())))
}

async fn connection(mut stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    let client = client_key(peer.ip());
    let limits = shared.limits.clone();
    let _admitted = match shared.admit(client) {
        Ok(a) => a,
        Err(why) => {
            let text = format!(
                "{}\n% {why}\n\n\n",
                WhoisError::new(code::ACCESS_DENIED, "access denied").line()
            );
            let _ = write_all(&mut stream, &text, limits.write_timeout).await;
            return;
        }
    };
    let _open = crate::metrics::METRICS.connection(crate::metrics::Listener::Whois);
    let _ = stream.set_nodelay(true);
    let (rd, wr) = stream.into_split();
    let mut reader = BufReader::new(rd);
    let mut writer = BufWriter::new(wr);
    let mut keep = false;
    let mut first = true;
    loop {
        let line = match tokio::time::timeout(
            limits.read_timeout,
            read_line(&mut reader, limits.max_line),
        )
        .await
        {
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
            bulk(&mut reader, &mut writer, &shared, client).await;
            return;
        }
        if !shared.allow(client) {
            let text = format!(
                "{}\n% query rate exceeded\n\n\n",
                WhoisError::new(code::ACCESS_DENIED, "access denied").line()
            );
            crate::metrics::METRICS.query(
                crate::metrics::Protocol::Whois,
                crate::metrics::kind_of(&line),
                crate::metrics::Outcome::RateLimited,
                Duration::ZERO,
            );
            let _ = write_all(&mut writer, &text, limits.write_timeout).await;
            return;
        }
        let asked = std::time::Instant::now();
        let snap = shared.current();
        let now = crate::time::now();
        let slow = line.contains("-i") || line.contains("--inverse");
        let with_banner = first;
        let (text, req) = if slow {
            // inverse lookups may read many objects: off the async workers
            let snap = Arc::clone(&snap);
            let l = line.clone();
            tokio::task::spawn_blocking(move || guarded_respond(&snap, &l, now, with_banner))
                .await
                .unwrap_or_else(|_| internal_error())
        } else {
            guarded_respond(&snap, &line, now, with_banner)
        };
        first = false;
        record_query(req.as_ref(), &text, asked.elapsed());
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
) -> (String, Option<super::request::Request>) {
    crate::guard::contain(crate::metrics::Protocol::Whois, line, || {
        respond(snap, line, now, with_banner)
    })
    .unwrap_or_else(internal_error)
}

/// The answer to a query whose answering failed.
fn internal_error() -> (String, Option<super::request::Request>) {
    let line = WhoisError::new(code::INTERNAL, "internal software error").line();
    (format!("{line}\n\n\n"), None)
}

/// Counts one answered query line: its kind from the request, its outcome
/// from the answer's `%ERROR:` line (101 is "no entries found").
fn record_query(req: Option<&super::request::Request>, text: &str, took: Duration) {
    use crate::metrics::{Kind, Outcome};
    let kind = match req {
        Some(r) if r.inverse.is_some() => Kind::Inverse,
        Some(r) => crate::metrics::kind_of(&r.key),
        None => Kind::Other,
    };
    let outcome = match text.find("%ERROR:") {
        None => Outcome::Ok,
        Some(i) if text[i + 7..].starts_with("101") => Outcome::NotFound,
        Some(_) => Outcome::BadRequest,
    };
    crate::metrics::METRICS.query(crate::metrics::Protocol::Whois, kind, outcome, took);
    tracing::debug!(
        "whois {:?} {:?} {:?} in {:.0} us",
        req.map(|r| r.key.as_str()).unwrap_or(""),
        kind,
        outcome,
        took.as_secs_f64() * 1e6
    );
}

/// Options of a bulk session.
#[derive(Default)]
struct BulkOptions {
    verbose: bool,
    header: bool,
    csv: bool,
}

async fn bulk<R, W>(reader: &mut R, writer: &mut W, shared: &Arc<Shared>, client: IpAddr)
where
    R: tokio::io::AsyncBufRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let limits = &shared.limits;
    if !shared.allow(client) {
        let text = format!(
            "{}\n% query rate exceeded\n",
            WhoisError::new(code::ACCESS_DENIED, "access denied").line()
        );
        let _ = write_all(writer, &text, limits.write_timeout).await;
        return;
    }
    let snap = shared.current();
    let now = crate::time::now();
    let mut opts = BulkOptions {
        header: true,
        ..Default::default()
    };
    let mut started = false;
    let mut count = 0usize;
    // counted once at the end of the session: no clock or shared counter per line
    let (mut answered, mut refused) = (0u64, 0u64);
    let mut out = String::with_capacity(64 * 1024);
    loop {
        // flush what is ready before waiting for more input
        if !out.is_empty() && reader_is_drained(reader) {
            if !write_all(writer, &out, limits.write_timeout).await {
                return;
            }
            out.clear();
        }
        let line =
            match tokio::time::timeout(limits.read_timeout, read_line(reader, limits.max_line))
                .await
            {
                Ok(Ok(Line::Text(l))) => l,
                Ok(Ok(Line::TooLong)) => {
                    out.push_str(
                        &WhoisError::new(code::LINE_TOO_LONG, "input line too long").line(),
                    );
                    out.push('\n');
                    break;
                }
                _ => break,
            };
        let word = line.trim();
        if !started {
            match word.to_ascii_lowercase().as_str() {
                "verbose" => {
                    opts.verbose = true;
                    continue;
                }
                "noheader" => {
                    opts.header = false;
                    continue;
                }
                "csv" => {
                    opts.csv = true;
                    continue;
                }
                "" => continue,
                _ => {
                    started = true;
                    if opts.header {
                        bulk_header(&snap, &opts, &mut out);
                    }
                }
            }
        }
        if word.eq_ignore_ascii_case("end") {
            break;
        }
        if word.is_empty() {
            continue;
        }
        count += 1;
        if count > limits.bulk_max_lines {
            let _ = std::fmt::Write::write_fmt(
                &mut out,
                format_args!(
                    "{}\n% bulk mode answers at most {} addresses per connection\n",
                    WhoisError::new(code::ACCESS_DENIED, "access denied").line(),
                    limits.bulk_max_lines
                ),
            );
            break;
        }
        let mark = out.len();
        let ok = crate::guard::contain(crate::metrics::Protocol::Whois, word, || {
            bulk_line(&snap, word, now, opts.verbose, opts.csv, &mut out)
        });
        let ok = ok.unwrap_or_else(|| {
            out.truncate(mark);
            push_field(&mut out, word, opts.csv, true);
            push_field(&mut out, "error: internal software error", opts.csv, false);
            out.push('\n');
            false
        });
        if ok {
            answered += 1;
        } else {
            refused += 1;
        }
    }
    use crate::metrics::{Kind, Outcome, Protocol, METRICS};
    METRICS.add_queries(Protocol::Whois, Kind::Bulk, Outcome::Ok, answered);
    METRICS.add_queries(Protocol::Whois, Kind::Bulk, Outcome::BadRequest, refused);
    if !started && opts.header {
        bulk_header(&snap, &opts, &mut out);
    }
    let _ = write_all(writer, &out, limits.write_timeout).await;
    let _ = writer.shutdown().await;
}

/// True when no more input is buffered (so the next read may wait).
fn reader_is_drained<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> bool {
    use std::task::{Context, Poll};
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    match std::pin::Pin::new(reader).poll_fill_buf(&mut cx) {
        Poll::Ready(Ok(buf)) => buf.is_empty(),
        Poll::Ready(Err(_)) => true,
        Poll::Pending => true,
    }
}

/// The bulk-mode columns.
pub const BULK_COLUMNS: &[&str] = &[
    "address",
    "network",
    "holder",
    "lessee",
    "abuse mailbox",
    "country",
    "registry",
];
/// Extra columns in verbose mode.
pub const BULK_VERBOSE_COLUMNS: &[&str] = &["holder name", "lessee name", "lessee source"];

fn bulk_header(snap: &Snapshot, opts: &BulkOptions, out: &mut String) {
    let mut cols: Vec<&str> = BULK_COLUMNS.to_vec();
    if opts.verbose {
        cols.extend_from_slice(BULK_VERBOSE_COLUMNS);
    }
    if opts.csv {
        out.push_str(&cols.join(","));
    } else {
        let _ = std::fmt::Write::write_fmt(
            out,
            format_args!(
                "Bulk mode; tenure whois, data serial {} [{}]\n",
                snap.serial,
                crate::time::format(crate::time::now())
            ),
        );
        out.push_str(&cols.join(" | "));
    }
    out.push('\n');
}

fn push_field(out: &mut String, v: &str, csv: bool, first: bool) {
    if !first {
        out.push_str(if csv { "," } else { " | " });
    }
    if csv && v.contains([',', '"', '\n']) {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// One bulk answer line; false when the line is not an address (its
/// answer line says why).
pub fn bulk_line(
    snap: &Snapshot,
    word: &str,
    now: i64,
    verbose: bool,
    csv: bool,
    out: &mut String,
) -> bool {
    let addr = match parse_query_addr(word) {
        Ok(a) => a,
        Err(e) => {
            push_field(out, word, csv, true);
            push_field(out, &format!("error: {e}"), csv, false);
            out.push('\n');
            return false;
        }
    };
    let range = IpRange::from_addr(addr);
    let a = query::answer_range(snap, &range, now);
    let mut fields: [&str; 10] = [""; 10];
    let owned_lessee;
    let addr_text = addr.to_string();
    fields[0] = &addr_text;
    let mut deleg_range = String::new();
    if let Answer::Network(na) = &a {
        let res = &na.resolution;
        let deleg = na.delegation.and_then(|i| snap.deleg(i));
        match na.network(snap) {
            Some(id) => {
                let n = snap.net(id);
                fields[1] = n.object.key();
                fields[5] = n.object.get("country").unwrap_or("");
                fields[6] = n.object.get("source").unwrap_or("");
            }
            None => {
                if let Some(crate::delegated::Resource::Ip(r)) = deleg.map(|d| &d.record.resource) {
                    deleg_range = r.to_string();
                }
                fields[5] = deleg.map(|d| &*d.record.cc).unwrap_or("");
            }
        }
        if !deleg_range.is_empty() {
            fields[1] = &deleg_range;
        }
        if let Some(d) = deleg {
            fields[6] = &d.record.registry;
        }
        if let Some(h) = &res.holder {
            fields[2] = h.handle(snap);
            fields[7] = h.name(snap).unwrap_or("");
        }
        if let Some(l) = &res.lessee {
            fields[3] = l.handle(snap);
            fields[8] = l.name(snap).unwrap_or("");
            owned_lessee = match l {
                Lessee::Lease { lease, verified } => {
                    format!(
                        "{} lease {}{}",
                        l.source(snap),
                        snap.lease(*lease).id(),
                        if *verified { "" } else { " (unverified)" }
                    )
                }
                Lessee::Registry { .. } => "registry".to_string(),
            };
            fields[9] = &owned_lessee;
        }
        if let Some(ab) = &res.abuse {
            fields[4] = ab.mailbox(snap);
        }
    }
    let n = if verbose { 10 } else { 7 };
    for (i, f) in fields[..n].iter().enumerate() {
        push_field(out, f, csv, i == 0);
    }
    out.push('\n');
    true
}
