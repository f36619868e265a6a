//! What the benchmarks share: their argument parser, the generated data
//! (cached under `target/bench-data/`), random query addresses and the
//! runtime. Each benchmark uses a part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tenure::snapshot::Snapshot;

/// `--name N` from the command line (underscores allowed), else `default`.
pub fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The generated dump of `objects` networks from `seed`, written first
/// when it is not cached under `target/bench-data/`.
pub fn generated_dump(objects: u64, seed: u64) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench data dir");
    let file = dir.join(format!("gen-{objects}-{seed}.db.gz"));
    if !file.is_file() {
        let t = Instant::now();
        tenure::gen::write_file(&file, objects, seed).expect("generate");
        println!(
            "generated {objects} networks into {} in {:.1} s",
            file.display(),
            t.elapsed().as_secs_f64()
        );
    }
    file
}

/// A snapshot of `objects` generated networks (seed 1), loaded as
/// `tenure serve` would.
pub fn generated_snapshot(objects: u64) -> Arc<Snapshot> {
    let sources = tenure::dump::Sources {
        dumps: vec![generated_dump(objects, 1)],
        ..Default::default()
    };
    let (reg, report) =
        tenure::dump::load(&sources, &tenure::progress::Progress::off()).expect("load");
    Arc::new(Snapshot::build(
        reg,
        report,
        1,
        tenure::index::LpmBackend::Sorted,
        tenure::query::lease_policy(false),
    ))
}

/// `n` random addresses, each inside a random network of `snap`.
pub fn random_addresses(snap: &Snapshot, n: usize, seed: u64) -> Vec<std::net::IpAddr> {
    let mut rng = tenure::gen::Rng::new(seed);
    let nets = snap.networks() as u64;
    (0..n)
        .map(|_| {
            let r = snap.net(rng.below(nets) as u32).range;
            tenure::gen::random_address_in(&mut rng, &r)
        })
        .collect()
}

/// A two-worker tokio runtime: the server's side or the clients' side of a
/// loopback benchmark, its threads named `side` (for profilers).
pub fn runtime(side: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(side)
        .enable_all()
        .build()
        .expect("rt")
}
