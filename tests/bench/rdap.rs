//! RDAP on loopback: `cargo bench --bench rdap -- [--objects N] [--seconds S] [--connections C]`
//!
//! `--phase K` runs only the K-th load run, once (1-3 plain HTTP: the
//! minimal server, tenure, tenure without the answer cache; 4-6 the same
//! over HTTPS), for profilers; the runtimes' threads are named `server`
//! and `client`.
//!
//! `--handle-only N` runs only N answers (no network, no answer cache), for
//! profilers: with the single-thread measurement before it, every run of
//! the same N answers the same questions. With `--cached 1` the N answers
//! come from the answer cache, filled first by one pass over the
//! questions (point a profiler at `rdap::profiled` to leave that out).
//!
//! A keep-alive load client of tenure's own (C connections, HTTP/1.1, one
//! request in flight per connection, S seconds or at most 5 000 000
//! requests) asks `GET /rdap/ip/ADDR` for random addresses of the generated
//! data (1 M networks by default), over plain HTTP and over HTTPS, and the
//! same against a minimal hyper server that answers a fixed body of the
//! same size (the mean of tenure's first 20,000 answers); it prints both rates and the ratio, and each run's median
//! and 99th-percentile latency (request written to answer read). Then
//! full TLS handshakes per second (a new connection and handshake each,
//! no resumption, no request). Figures are printed, never asserted.

// slicing text by byte index is refused in the server's code (a client
// could make it panic); here a panic only fails the test or benchmark
#![allow(clippy::string_slice)]

#[path = "common.rs"]
mod common;
use bytes::Bytes;
use common::arg;
use http_body_util::Full;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenure::snapshot::Current;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const MAX_REQUESTS: u64 = 5_000_000;

fn main() {
    let objects = arg("--objects", 1_000_000);
    let seconds = arg("--seconds", 4);
    let conns = arg("--connections", 32) as usize;
    let snap = common::generated_snapshot(objects);
    let paths: Arc<Vec<String>> = Arc::new(
        common::random_addresses(&snap, 50_000, 7)
            .iter()
            .map(|a| format!("/rdap/ip/{a}"))
            .collect(),
    );
    println!(
        "{} networks; {conns} keep-alive connections, {seconds} s per run",
        snap.networks()
    );

    let server_rt = common::runtime("server");
    let tlsdir = std::env::temp_dir().join(format!("tenure-bench-{}", std::process::id()));
    let (tls, cert) = tenure::http::tls_config(None, None, &tlsdir).expect("tls");
    let connector = client_tls(&cert.expect("generated"));
    std::fs::remove_dir_all(&tlsdir).ok();
    let rdap = tenure::rdap::RdapConfig::from_settings(&tenure::config::RdapSettings {
        rate: 1e12,
        burst: 1e12,
        ..Default::default()
    });
    // the same without the answer cache: every answer built and serialized
    let cold = tenure::rdap::RdapConfig {
        cache: Arc::new(tenure::rdap::cache::AnswerCache::new(0)),
        ..rdap.clone()
    };
    let now = tenure::time::now();
    // one answer in process, as the HTTP layer asks for it
    let ask = |cfg: &tenure::rdap::RdapConfig, target: &str| {
        let req = tenure::rdap::Request {
            method: "GET",
            target,
            accept: None,
            origin: "http://127.0.0.1",
        };
        tenure::rdap::handle(&snap, cfg, &req, now)
    };
    // the answer alone, single thread, no network
    let t = Instant::now();
    let mut bytes = 0usize;
    for p in paths.iter().take(20_000) {
        let r = ask(&cold, p);
        bytes += r.body.len();
    }
    let per = t.elapsed().as_secs_f64() / 20_000.0;
    // the fixed server's body: as long as tenure's answers on average (the
    // load asks with `Host: localhost`, an origin as long as this one's)
    let mean = bytes / 20_000;
    let body = Bytes::from(vec![b'x'; mean]);
    // `--handle-only N`: only N answers more (for profilers)
    let handle_only = arg("--handle-only", 0);
    if handle_only > 0 {
        // `--cached 1`: questions asked before, answered by the cache
        let cfg = if arg("--cached", 0) > 0 {
            for p in paths.iter() {
                ask(&rdap, p);
            }
            &rdap
        } else {
            &cold
        };
        let n = profiled(&paths, handle_only as usize, |p| ask(cfg, p).body.len());
        println!("  {handle_only} answers, {n} bytes");
        return;
    }
    // the same addresses twice through the cache; the second pass hits
    let mut warm = 0.0;
    for _ in 0..2 {
        let t = Instant::now();
        for p in paths.iter().take(20_000) {
            let r = ask(&rdap, p);
            std::hint::black_box(r);
        }
        warm = t.elapsed().as_secs_f64() / 20_000.0;
    }
    println!(
        "  rdap::handle alone, answer cache hit: {:.0} answers/s single thread ({:.1} us each)",
        1.0 / warm,
        warm * 1e6
    );
    println!(
        "  rdap::handle alone, no answer cache: {:.0} answers/s single thread ({:.1} us each, {} bytes average)",
        1.0 / per,
        per * 1e6,
        mean
    );
    let [t_http, t_https, c_http, c_https, f_http, f_https] = server_rt.block_on(async {
        let current = Arc::new(Current::new(Arc::clone(&snap)));
        let mut ls = Vec::new();
        for _ in 0..6 {
            ls.push(
                tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind"),
            );
        }
        let addrs: Vec<SocketAddr> = ls.iter().map(|l| l.local_addr().unwrap()).collect();
        let holder = Arc::new(tenure::http::TlsHolder::new(Arc::clone(&tls)));
        let mut ls = ls.into_iter();
        for cfg in [&rdap, &cold] {
            let http = tenure::http::HttpShared::new(Arc::clone(&current), cfg.clone(), "http");
            let https = tenure::http::HttpShared::new(Arc::clone(&current), cfg.clone(), "https");
            tokio::spawn(tenure::http::run(
                ls.next().unwrap(),
                http,
                tenure::limit::Shutdown::new(),
            ));
            tokio::spawn(tenure::http::run_tls(
                ls.next().unwrap(),
                https,
                Arc::clone(&holder),
                tenure::limit::Shutdown::new(),
            ));
        }
        tokio::spawn(fixed(ls.next().unwrap(), body.clone(), None));
        tokio::spawn(fixed(
            ls.next().unwrap(),
            body.clone(),
            Some(Arc::clone(&tls)),
        ));
        [addrs[0], addrs[1], addrs[2], addrs[3], addrs[4], addrs[5]]
    });
    let client_rt = common::runtime("client");
    let run = |addr: SocketAddr, tls: bool| {
        let c = tls.then(|| connector.clone());
        client_rt.block_on(keep_alive(addr, Arc::clone(&paths), conns, seconds, c))
    };
    let runs = [
        (f_http, false),
        (t_http, false),
        (c_http, false),
        (f_https, true),
        (t_https, true),
        (c_https, true),
    ];
    // `--phase K`: only the K-th of these runs, once (for profilers)
    let phase = arg("--phase", 0) as usize;
    if let Some(&(addr, tls)) = phase.checked_sub(1).and_then(|k| runs.get(k)) {
        let r = run(addr, tls);
        println!(
            "  phase {phase}: {:.0} req/s, p50 {} us, p99 {} us",
            r.rate, r.p50, r.p99
        );
        return;
    }
    // alternate and keep the best of two rounds (by rate, with its latency)
    let mut best = [Run::default(); 6];
    for _ in 0..2 {
        for (i, &(addr, tls)) in runs.iter().enumerate() {
            let r = run(addr, tls);
            if r.rate > best[i].rate {
                best[i] = r;
            }
        }
    }
    for (name, b) in [("plain HTTP:", &best[..3]), ("HTTPS:     ", &best[3..])] {
        println!(
            "  {name} minimal hyper server {:>8.0} req/s, tenure {:>8.0} req/s: {:.0} %; without the answer cache {:>8.0} req/s: {:.0} %",
            b[0].rate,
            b[1].rate,
            b[1].rate / b[0].rate * 100.0,
            b[2].rate,
            b[2].rate / b[0].rate * 100.0
        );
        println!(
            "  {name} latency p50 / p99: minimal hyper server {} / {} us, tenure {} / {} us, without the answer cache {} / {} us",
            b[0].p50, b[0].p99, b[1].p50, b[1].p99, b[2].p50, b[2].p99
        );
    }
    let c = &rdap.cache;
    let all = (c.exact_hits() + c.hits() + c.misses()).max(1) as f64;
    println!(
        "  answer cache ({} MiB; {} distinct addresses asked over http and https): {:.0} % repeated questions, {:.0} % another address of a cached network, {:.0} % built",
        tenure::config::defaults::RDAP_CACHE_MB,
        paths.len(),
        c.exact_hits() as f64 * 100.0 / all,
        c.hits() as f64 * 100.0 / all,
        c.misses() as f64 * 100.0 / all,
    );
    println!("  (answers and the minimal servers' body: {mean} bytes on average)");
    let hs = client_rt.block_on(handshakes(
        t_https,
        connector.clone(),
        conns.min(16),
        seconds,
    ));
    println!("  full TLS handshakes (new connection each, no resumption): {hs:.0}/s");
}

/// A minimal hyper server answering a fixed body, plain or TLS.
/// `count` answers to `paths` in turn, their bytes summed: the loop a
/// profiler is pointed at (`--toggle-collect='rdap::profiled*'`).
#[inline(never)]
fn profiled(paths: &[String], count: usize, ask: impl Fn(&str) -> usize) -> u64 {
    paths
        .iter()
        .cycle()
        .take(count)
        .map(|p| ask(p) as u64)
        .sum()
}

async fn fixed(l: tokio::net::TcpListener, body: Bytes, tls: Option<Arc<rustls::ServerConfig>>) {
    loop {
        let Ok((s, _)) = l.accept().await else {
            continue;
        };
        let body = body.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |_req| {
                let body = body.clone();
                async move {
                    let mut r = hyper::Response::new(Full::new(body));
                    r.headers_mut().insert(
                        "content-type",
                        "application/rdap+json".parse().expect("value"),
                    );
                    Ok::<_, std::convert::Infallible>(r)
                }
            });
            let b = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            match tls {
                Some(cfg) => {
                    if let Ok(t) = tokio_rustls::TlsAcceptor::from(cfg).accept(s).await {
                        let _ = b.serve_connection(TokioIo::new(t), svc).await;
                    }
                }
                None => {
                    let _ = b.serve_connection(TokioIo::new(s), svc).await;
                }
            }
        });
    }
}

fn client_tls(cert: &std::path::Path) -> tokio_rustls::TlsConnector {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_pki_types::CertificateDer::pem_file_iter(cert).expect("pem") {
        roots.add(c.expect("cert")).expect("root");
    }
    let mut cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    cfg.resumption = rustls::client::Resumption::disabled();
    tokio_rustls::TlsConnector::from(Arc::new(cfg))
}

/// A load run's rate and its requests' latency.
#[derive(Clone, Copy, Default)]
struct Run {
    rate: f64,
    /// Median and 99th percentile, microseconds (request written to
    /// answer read, one request in flight per connection).
    p50: u32,
    p99: u32,
}

/// Requests per second over `conns` keep-alive connections, and their
/// latency.
async fn keep_alive(
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    conns: usize,
    seconds: u64,
    tls: Option<tokio_rustls::TlsConnector>,
) -> Run {
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..conns {
        let (done, failed, paths, tls) = (done.clone(), failed.clone(), paths.clone(), tls.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(tcp) = tokio::net::TcpStream::connect(addr).await else {
                failed.fetch_add(1, Ordering::Relaxed);
                return Vec::new();
            };
            let _ = tcp.set_nodelay(true);
            let result = match tls {
                Some(conn) => {
                    let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
                    match conn.connect(name, tcp).await {
                        Ok(s) => requests(s, &paths, c, deadline, &done).await,
                        Err(_) => Err(()),
                    }
                }
                None => requests(tcp, &paths, c, deadline, &done).await,
            };
            result.unwrap_or_else(|_| {
                failed.fetch_add(1, Ordering::Relaxed);
                Vec::new()
            })
        }));
    }
    let mut took = Vec::new();
    for t in tasks {
        took.extend(t.await.unwrap_or_default());
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    let f = failed.load(Ordering::Relaxed);
    if f > 0 {
        println!("  ({f} connections failed against {addr})");
    }
    took.sort_unstable();
    let at = |q: f64| {
        took.get(((took.len() as f64 * q) as usize).min(took.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Run {
        rate,
        p50: at(0.5),
        p99: at(0.99),
    }
}

/// Sends requests one at a time on one connection until the deadline;
/// each one's latency in microseconds.
async fn requests<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    paths: &[String],
    c: usize,
    deadline: Instant,
    done: &AtomicU64,
) -> Result<Vec<u32>, ()> {
    let mut i = c * 7919;
    let mut buf = vec![0u8; 64 * 1024];
    let mut took = Vec::with_capacity(1 << 16);
    while Instant::now() < deadline && done.load(Ordering::Relaxed) < MAX_REQUESTS {
        let sent = Instant::now();
        let req = format!(
            "GET {} HTTP/1.1\r\nHost: localhost\r\n\r\n",
            paths[i % paths.len()]
        );
        i += 1;
        s.write_all(req.as_bytes()).await.map_err(|_| ())?;
        // read the head, then content-length bytes of body
        let mut have = 0usize;
        let (head_end, len) = loop {
            let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf[have..]))
                .await
                .map_err(|_| ())?
                .map_err(|_| ())?;
            if n == 0 {
                return Err(());
            }
            have += n;
            if let Some(p) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..p]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .ok_or(())?;
                break (p + 4, len);
            }
            if have == buf.len() {
                return Err(());
            }
        };
        let mut rest = (head_end + len).saturating_sub(have);
        while rest > 0 {
            let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
                .await
                .map_err(|_| ())?
                .map_err(|_| ())?;
            if n == 0 {
                return Err(());
            }
            rest = rest.saturating_sub(n);
        }
        took.push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
        done.fetch_add(1, Ordering::Relaxed);
    }
    Ok(took)
}

/// Complete handshakes per second, a new connection each.
async fn handshakes(
    addr: SocketAddr,
    conn: tokio_rustls::TlsConnector,
    tasks: usize,
    seconds: u64,
) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut ts = Vec::new();
    for _ in 0..tasks {
        let (done, conn) = (done.clone(), conn.clone());
        ts.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let Ok(tcp) = tokio::net::TcpStream::connect(addr).await else {
                    continue;
                };
                let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
                if let Ok(Ok(mut s)) =
                    tokio::time::timeout(Duration::from_secs(5), conn.connect(name, tcp)).await
                {
                    done.fetch_add(1, Ordering::Relaxed);
                    let _ = s.shutdown().await;
                }
            }
        }));
    }
    for t in ts {
        let _ = t.await;
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}
