//! Bulk mode: after a `begin` line, one answer line per address (RIPE's
//! and Team Cymru's bulk style) until `end` or the end of input; options
//! `verbose`, `noheader` and `csv` before the first address. Every line is
//! the one resolved answer ([`crate::query::resolve`]) in columns.

use super::io::{read_line, write_all, Line};
use super::request::{code, WhoisError};
use crate::addr::{parse_query_addr, IpRange};
use crate::config::WhoisLimits as Limits;
use crate::query::{self, Subject};
use crate::snapshot::Snapshot;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

/// Options of a bulk session.
#[derive(Default, Clone, Copy)]
struct BulkOptions {
    verbose: bool,
    header: bool,
    csv: bool,
}

/// Bytes of answer lines held before they are written out.
pub const FLUSH_AT: usize = 256 * 1024;

/// Serves a bulk session from one snapshot; `allowed` says whether the
/// client's rate admits it.
pub(super) async fn serve<R, W>(
    reader: &mut R,
    writer: &mut W,
    snap: Arc<Snapshot>,
    limits: &Limits,
    allowed: bool,
) where
    R: tokio::io::AsyncBufRead + tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    if !allowed {
        let text = format!(
            "{}\n% query rate exceeded\n",
            WhoisError::new(code::ACCESS_DENIED, "access denied").line()
        );
        let _ = write_all(writer, &text, limits.write_timeout).await;
        return;
    }
    // a larger buffer than a query's: larger batches of addresses (what
    // the connection's buffer holds already is read through it first)
    let reader = &mut tokio::io::BufReader::with_capacity(BULK_READ, reader);
    let now = crate::time::now();
    let mut opts = BulkOptions {
        header: true,
        ..Default::default()
    };
    let mut started = false;
    let mut count = 0usize;
    // counted once at the end of the session: no clock or shared counter per line
    let mut tally = Tally::default();
    let mut out = String::with_capacity(64 * 1024);
    // addresses read and not yet answered: answered together, in order,
    // before anything else is written
    let mut pending: Vec<String> = Vec::new();
    let mut pending_bytes = 0usize;
    // the line that ends the session early, written after the answers
    let mut last = String::new();
    loop {
        // answer what is read before waiting for more input, and whenever
        // a batch is full; flush the answers then, and whenever they pass
        // a fixed size: a client that sends everything at once and never
        // reads holds at most about this much (then the write timeout ends
        // the session)
        let drained = reader_is_drained(reader);
        if drained || pending.len() >= BATCH || pending_bytes >= BATCH_BYTES {
            answer_all(&snap, now, opts, &mut pending, &mut out, &mut tally).await;
            pending_bytes = 0;
        }
        if !out.is_empty() && (drained || out.len() >= FLUSH_AT) {
            if !write_all(writer, &out, limits.write_timeout).await {
                return;
            }
            out.clear();
        }
        // a line already buffered is taken without setting a timer
        let got = match super::io::buffered_line(reader, limits.max_line) {
            Some(l) => Ok(Ok(l)),
            None => {
                tokio::time::timeout(limits.read_timeout, read_line(reader, limits.max_line)).await
            }
        };
        let line = match got {
            Ok(Ok(Line::Text(l))) => l,
            Ok(Ok(Line::TooLong)) => {
                last = WhoisError::new(code::LINE_TOO_LONG, "input line too long").line();
                last.push('\n');
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
            last = format!(
                "{}\n% bulk mode answers at most {} addresses per connection\n",
                WhoisError::new(code::ACCESS_DENIED, "access denied").line(),
                limits.bulk_max_lines
            );
            break;
        }
        pending_bytes += line.len();
        pending.push(line);
    }
    answer_all(&snap, now, opts, &mut pending, &mut out, &mut tally).await;
    out.push_str(&last);
    use crate::metrics::{Kind, Outcome, Protocol, METRICS};
    METRICS.add_queries(Protocol::Whois, Kind::Bulk, Outcome::Ok, tally.answered);
    METRICS.add_queries(
        Protocol::Whois,
        Kind::Bulk,
        Outcome::BadRequest,
        tally.refused,
    );
    if !started && opts.header {
        bulk_header(&snap, &opts, &mut out);
    }
    let _ = write_all(writer, &out, limits.write_timeout).await;
    let _ = writer.shutdown().await;
}

/// Addresses answered at a time at most, and their bytes: a client that
/// sends fast and never reads holds about [`FLUSH_AT`] and one batch's
/// answers.
const BATCH: usize = 1024;
const BATCH_BYTES: usize = 32 * 1024;

/// The read buffer of a bulk session, bytes: some 4,000 IPv4 lines.
const BULK_READ: usize = 64 * 1024;

/// Fewer addresses than this are answered on one thread (handing half
/// of them to another costs more than it saves).
const PARALLEL_FROM: usize = 64;

/// Lines answered and lines refused in a session.
#[derive(Default)]
struct Tally {
    answered: u64,
    refused: u64,
}

/// Answers the addresses of `lines` into `out`, in order, and empties
/// `lines`. A batch large enough is shared with a blocking thread: both
/// take chunks of it in turn until none is left, and the chunks' answers
/// are put back in order. An address's answer is a dozen reads scattered
/// over the snapshot, so one connection's batch keeps a second core busy
/// instead of waiting on memory alone.
async fn answer_all(
    snap: &Arc<Snapshot>,
    now: i64,
    opts: BulkOptions,
    lines: &mut Vec<String>,
    out: &mut String,
    tally: &mut Tally,
) {
    if lines.len() < PARALLEL_FROM {
        answer_lines(snap, now, opts, lines, out, tally);
        lines.clear();
        return;
    }
    let batch = Shared {
        lines: std::mem::take(lines).into(),
        next: std::sync::atomic::AtomicUsize::new(0),
    };
    let batch = Arc::new(batch);
    let theirs = {
        let (snap, batch) = (Arc::clone(snap), Arc::clone(&batch));
        tokio::task::spawn_blocking(move || batch.take_chunks(&snap, now, opts))
    };
    let mut chunks = batch.take_chunks(snap, now, opts);
    // not run (the runtime is shutting down): the chunks left answered here
    chunks.extend(theirs.await.unwrap_or_default());
    chunks.extend(batch.take_chunks(snap, now, opts));
    chunks.sort_unstable_by_key(|c| c.0);
    for (_, text, t) in chunks {
        out.push_str(&text);
        tally.answered += t.answered;
        tally.refused += t.refused;
    }
}

/// A batch of addresses answered by more than one thread.
struct Shared {
    lines: Box<[String]>,
    /// The next chunk to answer.
    next: std::sync::atomic::AtomicUsize,
}

/// Addresses of a batch a thread takes at a time.
const CHUNK: usize = 32;

impl Shared {
    /// Answers chunks not yet taken until none is left: their positions,
    /// answers and tallies.
    fn take_chunks(
        &self,
        snap: &Snapshot,
        now: i64,
        opts: BulkOptions,
    ) -> Vec<(usize, String, Tally)> {
        let mut done = Vec::new();
        loop {
            let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(chunk) = self.lines.chunks(CHUNK).nth(i) else {
                return done;
            };
            let mut text = String::with_capacity(chunk.len() * 128);
            let mut t = Tally::default();
            answer_lines(snap, now, opts, chunk, &mut text, &mut t);
            done.push((i, text, t));
        }
    }
}

/// Answers the addresses of `lines` into `out`, in order, on this thread.
fn answer_lines(
    snap: &Snapshot,
    now: i64,
    opts: BulkOptions,
    lines: &[String],
    out: &mut String,
    tally: &mut Tally,
) {
    // the addresses' objects read all at once first (a parse more each)
    let addrs = lines
        .iter()
        .filter_map(|l| parse_query_addr(l.trim()).ok())
        .map(IpRange::from_addr);
    query::prefetch(snap, addrs);
    for line in lines {
        let word = line.trim();
        let mark = out.len();
        let ok = crate::guard::contain(crate::metrics::Protocol::Whois, word, || {
            bulk_line(snap, word, now, opts.verbose, opts.csv, out)
        });
        let ok = ok.unwrap_or_else(|| {
            out.truncate(mark);
            push_field(out, word, opts.csv, true);
            push_field(out, "error: internal software error", opts.csv, false);
            out.push('\n');
            false
        });
        if ok {
            tally.answered += 1;
        } else {
            tally.refused += 1;
        }
    }
}

/// A whole bulk session from `input`, its answer thrown away (the fuzz
/// target's way in; see `crate::fuzzing`).
pub(crate) async fn session_for_fuzzing(snap: Arc<Snapshot>, input: &[u8]) {
    let mut reader = input;
    let mut sink = tokio::io::sink();
    let limits = Limits::default();
    serve(&mut reader, &mut sink, snap, &limits, true).await;
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
/// Routing columns, last (after the verbose ones in verbose mode): the
/// origin ASes of the most specific announced prefix and their RPKI
/// states; in verbose mode also the prefix, the origins' holders, whether
/// the origin is the holder's network, and the routing inference of the
/// user.
pub const BULK_ROUTING_COLUMNS: &[&str] = &["origin AS", "RPKI"];
pub const BULK_ROUTING_VERBOSE_COLUMNS: &[&str] = &[
    "routed prefix",
    "origin holder",
    "holder's network",
    "likely user (routing)",
];

fn bulk_header(snap: &Snapshot, opts: &BulkOptions, out: &mut String) {
    let mut cols: Vec<&str> = BULK_COLUMNS.to_vec();
    if opts.verbose {
        cols.extend_from_slice(BULK_VERBOSE_COLUMNS);
    }
    cols.extend_from_slice(BULK_ROUTING_COLUMNS);
    if opts.verbose {
        cols.extend_from_slice(BULK_ROUTING_VERBOSE_COLUMNS);
    }
    if opts.csv {
        out.push_str(&cols.join(","));
    } else {
        let _ = std::fmt::Write::write_fmt(
            out,
            format_args!(
                "Bulk mode; tenure whois, data serial {} [{}]\n",
                query::about(snap).serial(),
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
    // control characters (a client's or a dump's) never reach a terminal
    // or a spreadsheet: each becomes U+FFFD
    // (C0 controls and DEL are single bytes, C1 controls start with 0xC2:
    // a field without those bytes has none)
    let cleaned: std::borrow::Cow<str> =
        if maybe_control(v.as_bytes()) && v.chars().any(char::is_control) {
            v.chars()
                .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
                .collect::<String>()
                .into()
        } else {
            v.into()
        };
    // a cell a spreadsheet would run as a formula starts with a quote
    // (OWASP's CSV-injection advice)
    let formula = csv && cleaned.starts_with(['=', '+', '-', '@']);
    if csv && (formula || cleaned.contains([',', '"'])) {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&cleaned.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&cleaned);
    }
}

/// True when `v` holds a byte below 0x20, DEL or 0xC2 (the lead byte of
/// the C1 controls): exact, eight bytes at a time (a bulk line checks
/// every field).
fn maybe_control(v: &[u8]) -> bool {
    crate::bytes::any_byte(v, 0x20, 0x7f, 0xc2)
}

/// One bulk answer line; false when the line is not an address (its
/// answer line says why). The columns come from the one resolved answer.
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
    // (its objects read with its batch's: `answer_lines`)
    let res = query::resolve_prefetched(snap, &IpRange::from_addr(addr), now);
    let mut fields: [&str; 10] = [""; 10];
    // the address as IpAddr writes it, without fmt
    let (family, value) = crate::addr::addr_to_u128(addr);
    let mut text = Vec::with_capacity(40);
    crate::addr::AddrText(family, value).push_to(&mut text);
    let addr_text = String::from_utf8(text).unwrap_or_default();
    fields[0] = &addr_text;
    // no copy of the network's key; a delegated block is written out
    let subject_key: std::borrow::Cow<'_, str> = match &res.subject {
        Some(Subject::Network(n)) => {
            fields[5] = n.country().unwrap_or("");
            n.key().into()
        }
        Some(Subject::Delegated(d)) => {
            fields[5] = d.country().unwrap_or("");
            d.range().to_string().into()
        }
        None => "".into(),
    };
    fields[1] = &subject_key;
    // the registry in one vocabulary: who to ask when it is elsewhere;
    // special-purpose space is IANA's, delegated to no one
    if let Some(s) = &res.special {
        fields[1] = s.block;
    }
    let elsewhere = res.elsewhere.map(|e| e.name());
    fields[6] = elsewhere
        .as_deref()
        .or(res.registry())
        .or(res.special.map(|_| "special-purpose"))
        .unwrap_or("");
    // names are verbose columns: read only then
    if let Some(h) = &res.holder {
        fields[2] = h.handle;
        if verbose {
            fields[7] = h.name().unwrap_or("");
        }
    }
    let lessee_source;
    if let Some(l) = &res.lessee {
        fields[3] = l.handle;
        if verbose {
            fields[8] = l.name().unwrap_or("");
        }
        lessee_source = match l.lease() {
            None => std::borrow::Cow::Borrowed("registry"),
            Some(x) if verbose => std::borrow::Cow::Owned(format!(
                "{} lease {}{}",
                x.source(),
                x.id(),
                if x.verified() { "" } else { " (unverified)" }
            )),
            // a verbose column only: not written
            Some(_) => std::borrow::Cow::Borrowed(""),
        };
        fields[9] = &lessee_source;
    }
    if let Some(ab) = &res.abuse {
        fields[4] = ab.mailbox;
    }
    let n = if verbose { 10 } else { 7 };
    for (i, f) in fields.iter().take(n).enumerate() {
        push_field(out, f, csv, i == 0);
    }
    let routing = routing_fields(&res);
    let m = if verbose { 6 } else { 2 };
    for f in routing.iter().take(m) {
        push_field(out, f, csv, false);
    }
    out.push('\n');
    true
}

/// The routing columns of an answer (see [`BULK_ROUTING_COLUMNS`]):
/// empty when no routing data is loaded, `not announced` when no route
/// covers the address.
fn routing_fields(res: &query::Resolved) -> [String; 6] {
    let mut f: [String; 6] = Default::default();
    let Some(r) = &res.routing else {
        return f;
    };
    let Some(route) = &r.route else {
        f[0] = r.unrouted_text();
        return f;
    };
    let origin = |o: &query::OriginView| match o.asn {
        Some(a) => format!("AS{a}"),
        None => {
            let m: Vec<String> = o.set.iter().map(|a| format!("AS{a}")).collect();
            format!("{{{}}}", m.join(" "))
        }
    };
    f[0] = route
        .origins
        .iter()
        .map(origin)
        .collect::<Vec<_>>()
        .join(" ");
    f[1] = route
        .origins
        .iter()
        .map(|o| o.rpki.map(|x| x.name()).unwrap_or("-"))
        .collect::<Vec<_>>()
        .join(" ");
    f[2] = route.prefix.to_prefix_or_range();
    f[3] = route
        .origins
        .iter()
        .map(|o| o.holder.map(|h| h.handle).unwrap_or("-"))
        .collect::<Vec<_>>()
        .join(" ");
    f[4] = match route.by_holder {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
    .to_string();
    if let Some(u) = &route.likely_user {
        f[5] = match u.holder {
            Some(h) => format!("AS{} {}", u.asn, h.handle),
            None => format!("AS{}", u.asn),
        };
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample RIPE dump as a snapshot.
    fn sample_snapshot() -> Arc<Snapshot> {
        Arc::new(crate::snapshot::test_ripe())
    }

    #[test]
    fn control_characters_of_fields_become_replacement_characters() {
        for (field, want) in [
            ("plain", "plain"),
            ("tab\there", "tab\u{FFFD}here"),
            ("del\u{7f}", "del\u{FFFD}"),
            (
                "next line \u{85} and \u{9f}",
                "next line \u{FFFD} and \u{FFFD}",
            ),
            // U+00A9 and U+00BC start with the bytes of C1 controls' lead
            ("\u{a9} 2026 Müller \u{bc}", "\u{a9} 2026 Müller \u{bc}"),
        ] {
            let mut out = String::new();
            push_field(&mut out, field, false, true);
            assert_eq!(out, want, "{field:?}");
        }
        // every byte value at every place of a longer field, against the
        // byte-by-byte check
        for place in 0..20 {
            for b in 0..=255u8 {
                let mut field = b"abcdefghijklmnopqrst".to_vec();
                field[place] = b;
                let want = field.iter().any(|&b| b < 0x20 || b == 0x7f || b == 0xc2);
                assert_eq!(maybe_control(&field), want, "{place} {b:#x}");
            }
        }
        let long = "Müller 漢字 © ¼ ".repeat(4);
        let mut out = String::new();
        push_field(&mut out, &long, false, true);
        assert_eq!(out, long);
    }

    /// A session long enough to be answered in batches on two threads
    /// answers every line in order, as one line at a time would: addresses
    /// of both families, malformed lines and repeats.
    #[test]
    fn batches_answer_in_order() {
        let snap = sample_snapshot();
        let words = [
            "192.0.2.77",
            "2001:db8:5::1",
            "not an address",
            "198.51.100.1",
            "192.0.2.130",
            "10.1",
            "203.0.113.9",
            "2001:db8::",
        ];
        let asked: Vec<String> = (0..5000)
            .map(|i| match i % 97 {
                // addresses that differ line by line
                0 => format!("192.0.2.{}", i % 256),
                _ => words[i % words.len()].to_string(),
            })
            .collect();
        let input = format!("verbose\nnoheader\n{}\nend\n", asked.join("\n"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let got = rt.block_on(async {
            let mut reader = tokio::io::BufReader::new(input.as_bytes());
            let mut out = Vec::new();
            serve(
                &mut reader,
                &mut out,
                Arc::clone(&snap),
                &Limits::default(),
                true,
            )
            .await;
            String::from_utf8(out).unwrap()
        });
        let now = crate::time::now();
        let mut want = String::new();
        for w in &asked {
            bulk_line(&snap, w, now, true, false, &mut want);
        }
        for (g, w) in got.lines().zip(want.lines()) {
            assert_eq!(g, w);
        }
        assert_eq!(got.lines().count(), asked.len());
        assert_eq!(got, want);
    }

    /// A client that sends a long session at once and never reads: the
    /// server stops at the write timeout with at most [`FLUSH_AT`] bytes of
    /// answers held, long before it has read the whole input.
    #[test]
    fn a_client_that_never_reads_holds_little() {
        let snap = sample_snapshot();
        let mut input = String::from("begin\n");
        input.push_str(&"192.0.2.77\n".repeat(200_000));
        input.push_str("end\n");
        let limits = Limits {
            write_timeout: std::time::Duration::from_millis(200),
            bulk_max_lines: 1_000_000,
            ..Default::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let left = rt.block_on(async {
            let mut reader = tokio::io::BufReader::new(input.as_bytes());
            // a pipe nobody reads from
            let (mut w, _unread) = tokio::io::duplex(64 * 1024);
            let served = tokio::time::timeout(
                std::time::Duration::from_secs(20),
                serve(&mut reader, &mut w, snap, &limits, true),
            )
            .await;
            assert!(served.is_ok(), "the session must end");
            let mut rest = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut reader, &mut rest)
                .await
                .unwrap();
            rest.len()
        });
        assert!(
            left > input.len() / 2,
            "read {} of {} bytes",
            input.len() - left,
            input.len()
        );
    }
}
