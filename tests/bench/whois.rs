//! WHOIS on loopback: `cargo bench --bench whois -- [--objects N] [--seconds S] [--clients C]`
//!
//! A load client of tenure's own opens one connection per query, as `whois`
//! does, from C concurrent tasks (source addresses 127.0.0.2, .3, ... so a
//! run does not exhaust ephemeral ports), for S seconds or at most
//! 2 000 000 queries. It measures, in the same run:
//! - tenure serving random addresses from the generated data (the cached
//!   dump of `cargo bench --bench core`, generated if missing);
//! - a minimal tokio server that reads the line and answers a fixed 1 KB;
//!
//! and prints both rates and their ratio. Then bulk mode: one connection,
//! `begin`, 200 000 addresses, `end`, timed from the first byte sent to the
//! last byte read (`--bulk-only 1`: that run alone, for profilers;
//! `--tenure-only 1`: tenure's connection-per-query run alone). The
//! server's per-client limits are lifted for the run.
//! Figures are printed, never asserted.

// slicing text by byte index is refused in the server's code (a client
// could make it panic); here a panic only fails the test or benchmark
#![allow(clippy::string_slice)]

#[path = "common.rs"]
mod common;
use common::arg;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tenure::whois::server::{self, Limits, Shared};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MAX_QUERIES: u64 = 2_000_000;
const BULK_ADDRESSES: usize = 200_000;

fn main() {
    let objects = arg("--objects", 1_000_000);
    let seconds = arg("--seconds", 4);
    let clients = arg("--clients", 16) as usize;
    let snap = common::generated_snapshot(objects);
    let queries: Vec<String> = common::random_addresses(&snap, 100_000, 42)
        .iter()
        .map(|a| format!("{a}\r\n"))
        .collect();
    println!(
        "{} networks loaded; {clients} client tasks, {seconds} s per run, one connection per query",
        snap.networks()
    );

    let server_rt = common::runtime("server");
    let limits = Limits {
        rate: 1e12,
        burst: 1e12,
        max_per_client: 1 << 20,
        max_connections: 1 << 20,
        bulk_max_lines: BULK_ADDRESSES + 1,
        ..Limits::default()
    };
    let shared = Shared::new(Arc::clone(&snap), limits);
    let (tenure_addr, fixed_addr) = server_rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let a = l.local_addr().expect("addr");
        tokio::spawn(server::run(
            l,
            Arc::clone(&shared),
            tenure::limit::Shutdown::new(),
        ));
        let f = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let b = f.local_addr().expect("addr");
        tokio::spawn(fixed_server(f));
        (a, b)
    });
    let client_rt = common::runtime("client");
    let queries = Arc::new(queries);
    // `--bulk-only 1`: only the bulk run (for profilers)
    if arg("--bulk-only", 0) > 0 {
        let bulk = client_rt.block_on(bulk(tenure_addr, &queries));
        println!("  bulk mode, one connection, {BULK_ADDRESSES} addresses: {bulk:.0} addresses/s");
        return;
    }
    // `--tenure-only 1`: only tenure's connection-per-query run (for
    // profilers)
    if arg("--tenure-only", 0) > 0 {
        let t = client_rt.block_on(load(tenure_addr, Arc::clone(&queries), clients, seconds));
        println!("  tenure, random addresses: {:.0} queries/s", t.0);
        return;
    }
    // alternate: fixed, tenure, fixed, tenure; keep the best of each
    let (mut best_fixed, mut best_tenure) = ((0.0f64, 0usize), (0.0f64, 0usize));
    for _ in 0..2 {
        let f = client_rt.block_on(load(fixed_addr, Arc::clone(&queries), clients, seconds));
        let t = client_rt.block_on(load(tenure_addr, Arc::clone(&queries), clients, seconds));
        if f.0 > best_fixed.0 {
            best_fixed = f;
        }
        if t.0 > best_tenure.0 {
            best_tenure = t;
        }
    }
    println!(
        "  minimal tokio server, fixed 1 KB answer: {:>8.0} queries/s",
        best_fixed.0
    );
    println!(
        "  tenure, random addresses:                {:>8.0} queries/s ({} bytes per answer on average)",
        best_tenure.0, best_tenure.1
    );
    println!("  ratio: {:.0} %", best_tenure.0 / best_fixed.0 * 100.0);

    let bulk = client_rt.block_on(bulk(tenure_addr, &queries));
    println!(
        "  bulk mode, one connection, {BULK_ADDRESSES} addresses: {:.0} addresses/s",
        bulk
    );
}

/// Reads the query line, answers 1 KB, closes.
async fn fixed_server(l: tokio::net::TcpListener) {
    let body: Arc<Vec<u8>> = Arc::new(
        (0..1024)
            .map(|i| if i % 64 == 63 { b'\n' } else { b'x' })
            .collect(),
    );
    loop {
        let Ok((mut s, _)) = l.accept().await else {
            continue;
        };
        let body = Arc::clone(&body);
        tokio::spawn(async move {
            let mut buf = [0u8; 1024];
            let mut n = 0;
            while n < buf.len() {
                match s.read(&mut buf[n..]).await {
                    Ok(0) | Err(_) => return,
                    Ok(k) => {
                        n += k;
                        if buf[..n].contains(&b'\n') {
                            break;
                        }
                    }
                }
            }
            let _ = s.write_all(&body).await;
            let _ = s.shutdown().await;
        });
    }
}

/// Connection-per-query load for `seconds`; returns (queries/s, mean answer bytes).
async fn load(
    server: SocketAddr,
    queries: Arc<Vec<String>>,
    clients: usize,
    seconds: u64,
) -> (f64, usize) {
    let done = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (done, bytes, failed, queries) =
            (done.clone(), bytes.clone(), failed.clone(), queries.clone());
        tasks.push(tokio::spawn(async move {
            let src = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (c % 200) as u8));
            let mut i = c * 7919;
            let mut buf = Vec::with_capacity(4096);
            while Instant::now() < deadline && done.load(Ordering::Relaxed) < MAX_QUERIES {
                let q = &queries[i % queries.len()];
                i += 1;
                let one = async {
                    let sock = tokio::net::TcpSocket::new_v4()?;
                    sock.bind(SocketAddr::new(src, 0))?;
                    let mut s = sock.connect(server).await?;
                    s.write_all(q.as_bytes()).await?;
                    buf.clear();
                    s.read_to_end(&mut buf).await?;
                    Ok::<usize, std::io::Error>(buf.len())
                };
                match tokio::time::timeout(Duration::from_secs(5), one).await {
                    Ok(Ok(n)) if n > 0 => {
                        done.fetch_add(1, Ordering::Relaxed);
                        bytes.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let n = done.load(Ordering::Relaxed);
    let f = failed.load(Ordering::Relaxed);
    if f > 0 {
        println!("  ({f} queries failed against {server})");
    }
    let secs = started.elapsed().as_secs_f64();
    (
        n as f64 / secs,
        (bytes.load(Ordering::Relaxed) / n.max(1)) as usize,
    )
}

/// Bulk mode: addresses/s from the first byte sent to the last byte read.
async fn bulk(server: SocketAddr, queries: &[String]) -> f64 {
    let mut input = String::from("begin\nnoheader\n");
    for i in 0..BULK_ADDRESSES {
        input.push_str(queries[i % queries.len()].trim_start_matches("-r "));
    }
    input.push_str("end\n");
    let started = Instant::now();
    let Ok(s) = tokio::net::TcpStream::connect(server).await else {
        return 0.0;
    };
    let (mut r, mut w) = s.into_split();
    let writer = tokio::spawn(async move {
        let _ = w.write_all(input.as_bytes()).await;
        w
    });
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(120), r.read_to_end(&mut out)).await;
    let _ = writer.await;
    let lines = out.iter().filter(|&&b| b == b'\n').count();
    if lines != BULK_ADDRESSES {
        println!("  (bulk answered {lines} lines of {BULK_ADDRESSES})");
    }
    lines as f64 / started.elapsed().as_secs_f64()
}
