//! Core benchmark: load, longest-prefix match (two backends), full answers.
//!
//! `cargo bench --bench core -- [--objects N] [--seed S] [--lookups L]`
//!
//! Generates a RIPE-like dump with `tenure`'s own deterministic generator
//! (cached under `target/bench-data/`), loads it as `tenure check` would,
//! then, single-threaded over the same pseudo-random addresses:
//! - longest-prefix matches per second with the sorted-segment index and
//!   with `iptrie`'s LC-trie over the same segments (plus each one's build
//!   time and size);
//! - full answers per second (chain, holder, lessee, abuse contact).
//!
//! Figures are printed, never asserted: timing belongs in benchmarks, not
//! in tests a noisy machine can flake.

// slicing text by byte index is refused in the server's code (a client
// could make it panic); here a panic only fails the test or benchmark
#![allow(clippy::string_slice)]

#[path = "common.rs"]
mod common;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;
use tenure::addr::{Family, IpRange};
use tenure::dump::{self, Sources};
use tenure::gen::Rng;
use tenure::index::{LpmBackend, RangeIndex};
use tenure::progress::Progress;
use tenure::query::lease_policy;
use tenure::snapshot::Snapshot;

struct Opts {
    objects: u64,
    seed: u64,
    lookups: usize,
    /// `lpm` or `answers` to run one part only (for profiling).
    only: Option<String>,
    /// Lease records to generate and load for the lease part (0: skip it).
    leases: u64,
}

fn opts() -> Opts {
    let mut o = Opts {
        objects: 1_000_000,
        seed: 1,
        lookups: 2_000_000,
        only: None,
        leases: 0,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let val = || {
            args.get(i + 1)
                .and_then(|v| v.replace('_', "").parse::<u64>().ok())
        };
        match args[i].as_str() {
            "--objects" => o.objects = val().unwrap_or(o.objects),
            "--seed" => o.seed = val().unwrap_or(o.seed),
            "--lookups" => o.lookups = val().map(|v| v as usize).unwrap_or(o.lookups),
            "--only" => o.only = args.get(i + 1).cloned(),
            "--leases" => o.leases = val().unwrap_or(0),
            _ => {
                i += 1; // cargo's own --bench flag and anything unknown
                continue;
            }
        }
        i += 2;
    }
    o
}

fn rss_mib() -> (f64, f64) {
    let m = tenure::report::memory();
    (m.rss as f64 / 1048576.0, m.peak_rss as f64 / 1048576.0)
}

fn main() {
    let o = opts();
    let file = common::generated_dump(o.objects, o.seed);

    // load exactly as `tenure check --dump FILE` does
    let t = Instant::now();
    let sources = Sources {
        dumps: vec![file.clone()],
        ..Default::default()
    };
    let (reg, report) = dump::load(&sources, &Progress::off()).expect("load");
    let parse_s = t.elapsed().as_secs_f64();
    let snap = Snapshot::build(reg, report, 1, LpmBackend::Sorted, lease_policy(false));
    let load_s = t.elapsed().as_secs_f64();
    let (rss, peak) = rss_mib();
    println!(
        "load: {} objects ({} networks) in {:.2} s (parse {:.2} s, index {:.2} s); rss {:.0} MiB, peak {:.0} MiB",
        snap.report.objects_total(),
        snap.networks(),
        load_s,
        parse_s,
        load_s - parse_s,
        rss,
        peak
    );

    let addrs = sample_addresses(&snap, o.lookups, o.seed);
    let (a4, a6): (Vec<u32>, Vec<u128>) = {
        let mut a4 = Vec::new();
        let mut a6 = Vec::new();
        for a in &addrs {
            match a {
                IpAddr::V4(x) => a4.push(u32::from(*x)),
                IpAddr::V6(x) => a6.push(u128::from(*x)),
            }
        }
        (a4, a6)
    };

    if o.only.as_deref() != Some("answers") {
        lpm(&snap, &a4, &a6);
    }
    if o.only.as_deref() != Some("lpm") {
        answers(&snap, &addrs, tenure::time::now(), false);
    }
    if o.only.is_none() || o.only.as_deref() == Some("inverse") {
        inverse(&snap);
    }
    if o.leases > 0 {
        let dir = file.parent().expect("bench data dir");
        leases(&o, snap, &file, dir, &addrs);
    }
}

/// `-i` lookups (RIPE's inverse queries): the first of each attribute
/// builds its index; then lookups with no match and with matches.
fn inverse(snap: &Snapshot) {
    println!("\ninverse lookups (-i), single thread:");
    for attr in ["mnt-by", "org", "admin-c"] {
        let attrs = vec![attr.to_string()];
        let t = Instant::now();
        let (first, _) = tenure::query::inverse(snap, &attrs, "NOBODY-MNT");
        let build = t.elapsed().as_secs_f64();
        let n = 10_000;
        let t = Instant::now();
        for i in 0..n {
            black_box(tenure::query::inverse(snap, &attrs, &format!("NOBODY-{i}")));
        }
        let miss = t.elapsed().as_secs_f64() / n as f64;
        let value = match attr {
            "mnt-by" => "GEN-MNT",
            "org" => "ORG-H1-GEN",
            _ => "DUMY-RIPE",
        };
        let t = Instant::now();
        let (hits, more) = tenure::query::inverse(snap, &attrs, value);
        let hit = t.elapsed().as_secs_f64();
        println!(
            "  -i {attr:<8} first query (builds the index) {:>7.3} s; no match {:>6.2} us; '{value}': {} objects{} in {:.2} ms",
            build,
            miss * 1e6,
            hits.len(),
            if more { " (cut at 1,000)" } else { "" },
            hit * 1e3
        );
        black_box(first);
    }
}

/// Lease load cost, then the answer rate with the leases loaded against
/// the rate without them: the two snapshots are measured in turn, three
/// rounds each, best round kept, all at the generator's lease epoch.
fn leases(
    o: &Opts,
    snap: Snapshot,
    dump: &std::path::Path,
    dir: &std::path::Path,
    addrs: &[IpAddr],
) {
    let at = tenure::time::parse(tenure::gen::LEASE_EPOCH).expect("epoch");
    let lfile = dir.join(format!(
        "gen-{}-{}.leases-{}.jsonl",
        o.objects, o.seed, o.leases
    ));
    if !lfile.is_file() {
        let w = std::io::BufWriter::new(std::fs::File::create(&lfile).expect("lease file"));
        let n = tenure::gen::write_leases(&snap, o.leases, o.seed, w).expect("write leases");
        println!("\ngenerated {n} leases into {}", lfile.display());
    }
    let sources = Sources {
        dumps: vec![dump.to_path_buf()],
        leases: vec![dump::LeaseSource::from_path(lfile.clone())],
        ..Default::default()
    };
    let (reg, report) = dump::load(&sources, &Progress::off()).expect("load");
    let with = Snapshot::build(reg, report, 1, LpmBackend::Sorted, lease_policy(false));
    let parse_s = with
        .report
        .files
        .iter()
        .filter(|f| f.kind == "leases")
        .map(|f| f.seconds)
        .sum::<f64>();
    let l = &with.report.leases;
    println!(
        "\nleases: {} loaded ({} verified, {} active at load), parsed in {:.2} s, verified and indexed in {:.2} s: {:.2} s in all",
        l.loaded,
        l.verified,
        l.active_now,
        parse_s,
        l.seconds,
        parse_s + l.seconds
    );
    // a lease-only reload: the lease files read again, the registry shared
    let t = Instant::now();
    let again = dump::load_lease_files(&sources.leases).expect("leases");
    let read_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let reloaded = with.with_leases(again, 2, lease_policy(false));
    println!(
        "lease-only reload of {} leases: read in {:.2} s, verified and indexed in {:.2} s: {:.2} s in all",
        reloaded.lease_count(),
        read_s,
        t.elapsed().as_secs_f64(),
        read_s + t.elapsed().as_secs_f64()
    );
    drop(reloaded);
    let (mut best_without, mut best_with) = ((0.0f64, 0.0f64), (0.0f64, 0.0f64));
    for _ in 0..3 {
        let a = answers(&snap, addrs, at, true);
        let b = answers(&with, addrs, at, true);
        best_without = (best_without.0.max(a.0), best_without.1.max(a.1));
        best_with = (best_with.0.max(b.0), best_with.1.max(b.1));
    }
    println!(
        "answers at {} (best of 3 alternating rounds):",
        tenure::gen::LEASE_EPOCH
    );
    println!(
        "  resolved:          {:>5.2} M/s without leases, {:>5.2} M/s with {} leases: {:.0} %",
        best_without.0 / 1e6,
        best_with.0 / 1e6,
        l.loaded,
        best_with.0 / best_without.0 * 100.0
    );
    println!(
        "  with summary text: {:>5.2} M/s without leases, {:>5.2} M/s with {} leases: {:.0} %",
        best_without.1 / 1e6,
        best_with.1 / 1e6,
        l.loaded,
        best_with.1 / best_without.1 * 100.0
    );
}

fn lpm(snap: &Snapshot, a4: &[u32], a6: &[u128]) {
    // the two LPM backends over the same IPv4 and IPv6 ranges
    let mut r4: Vec<(u32, u32)> = Vec::new();
    let mut r6: Vec<(u128, u128)> = Vec::new();
    for id in snap.net_ids() {
        let r = snap.net(id).range;
        match r.family {
            Family::V4 => r4.push((r.start as u32, r.end as u32)),
            Family::V6 => r6.push((r.start, r.end)),
        }
    }
    println!(
        "\nlongest-prefix match, single thread, {} IPv4 + {} IPv6 addresses:",
        a4.len(),
        a6.len()
    );
    let mut baseline_ids = None;
    for backend in [LpmBackend::Sorted, LpmBackend::Iptrie] {
        let (_, before) = rss_mib();
        let t = Instant::now();
        let i4 = RangeIndex::build(&r4, backend).expect("sorted");
        let i6 = RangeIndex::build(&r6, backend).expect("sorted");
        let build_s = t.elapsed().as_secs_f64();
        let (rss_after, _) = rss_mib();
        // warm up, then the best of three runs
        let mut best = f64::MAX;
        let mut ids = Vec::new();
        for run in 0..4 {
            let t = Instant::now();
            let mut acc = 0u64;
            for &a in a4 {
                acc = acc.wrapping_add(i4.lookup(black_box(a)).unwrap_or(u32::MAX) as u64);
            }
            for &a in a6 {
                acc = acc.wrapping_add(i6.lookup(black_box(a)).unwrap_or(u32::MAX) as u64);
            }
            black_box(acc);
            if run > 0 {
                best = best.min(t.elapsed().as_secs_f64());
            } else {
                ids = a4.iter().map(|&a| i4.lookup(a)).collect::<Vec<_>>();
            }
        }
        // both backends must agree, address by address
        match &baseline_ids {
            None => baseline_ids = Some(ids),
            Some(b) => assert!(b == &ids, "backends disagree"),
        }
        let n = (a4.len() + a6.len()) as f64;
        println!(
            "  {:<7} {:>6.2} M lookups/s  ({:>5.0} ns each), build {:.2} s, +{:.0} MiB resident ({} v4 segments)",
            format!("{backend:?}"),
            n / best / 1e6,
            best / n * 1e9,
            build_s,
            (rss_after - before.min(rss_after)).max(0.0),
            i4.segments()
        );
        drop((i4, i6));
    }
}

/// Full answers per second at time `now`: (resolved, with summary text).
fn answers(snap: &Snapshot, addrs: &[IpAddr], now: i64, quiet: bool) -> (f64, f64) {
    if !quiet {
        println!("\nfull answers (chain, holder, lessee, abuse), single thread:");
    }
    let ranges: Vec<IpRange> = addrs.iter().map(|a| IpRange::from_addr(*a)).collect();
    let mut best = f64::MAX;
    let mut found = 0usize;
    for run in 0..3 {
        let t = Instant::now();
        found = 0;
        for r in &ranges {
            if let tenure::query::Answer::Network(na) =
                tenure::query::answer_range(snap, black_box(r), now)
            {
                found += na.resolution.holder.is_some() as usize;
                black_box(&na);
            }
        }
        if run > 0 {
            best = best.min(t.elapsed().as_secs_f64());
        }
    }
    let n = ranges.len() as f64;
    let resolved_rate = n / best;
    if !quiet {
        println!(
        "  resolved:          {:>5.2} M answers/s ({:>4.0} ns each); {:.0} % of addresses had a holder",
        n / best / 1e6,
        best / n * 1e9,
        found as f64 / n * 100.0
        );
    }
    // the same, plus reading names and mailboxes: the WHOIS summary lines
    let mut best = f64::MAX;
    let mut text = String::with_capacity(512);
    let mut bytes = 0usize;
    for run in 0..3 {
        let t = Instant::now();
        bytes = 0;
        for r in &ranges {
            let res = tenure::query::resolve(snap, black_box(r), now);
            if res.found() {
                text.clear();
                tenure::whois::summary_lines(&res, &mut text);
                bytes += text.len();
            }
        }
        if run > 0 {
            best = best.min(t.elapsed().as_secs_f64());
        }
    }
    black_box(bytes);
    let text_rate = n / best;
    if !quiet {
        println!(
        "  with summary text: {:>5.2} M answers/s ({:>4.0} ns each: holder, lessee and abuse lines rendered)",
        n / best / 1e6,
        best / n * 1e9
        );
    }
    (resolved_rate, text_rate)
}

/// Query addresses: half uniform over the IPv4 span the data covers
/// (allocations, gaps between children, unallocated space), half inside a
/// randomly chosen network of either family (where abuse desks' queries
/// land).
fn sample_addresses(snap: &Snapshot, n: usize, seed: u64) -> Vec<IpAddr> {
    let mut rng = Rng::new(seed ^ 0xA5A5);
    let nets = snap.networks() as u64;
    let mut lo = u32::MAX;
    let mut hi = 0u32;
    for id in 0..nets as u32 {
        let r = snap.net(id).range;
        if r.family == Family::V4 {
            lo = lo.min(r.start as u32);
            hi = hi.max(r.end as u32);
        }
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if i % 2 == 0 && hi > lo {
            let a = lo as u64 + rng.below((hi - lo) as u64 + 1);
            out.push(IpAddr::V4(Ipv4Addr::from(a as u32)));
        } else {
            let r = snap.net(rng.below(nets) as u32).range;
            out.push(tenure::gen::random_address_in(&mut rng, &r));
        }
    }
    out
}
