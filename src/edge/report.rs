//! The `tenure check` report: what a load kept and skipped, and what it cost.

use crate::snapshot::Snapshot;
use serde_json::json;
use std::fmt::Write;

/// Resident memory of this process, from `/proc/self/status` (Linux).
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// Current resident set, bytes.
    pub rss: u64,
    /// Peak resident set, bytes.
    pub peak_rss: u64,
}

/// Reads the process's memory figures; zeros where unavailable.
pub fn memory() -> Memory {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .unwrap_or(0)
    };
    Memory {
        rss: field("VmRSS:"),
        peak_rss: field("VmHWM:"),
    }
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

/// Human-readable report.
pub fn render(snap: &Snapshot, secs: f64, mem: &Memory) -> String {
    let counts = snap.object_counts();
    let r = &snap.report;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "loaded {} objects from {} files in {:.2} s (parse {:.2} s); resident {:.1} MiB, peak {:.1} MiB",
        r.objects_total(),
        r.files.len(),
        secs,
        r.seconds,
        mib(mem.rss),
        mib(mem.peak_rss)
    );
    s.push_str("\nfiles:\n");
    for f in &r.files {
        let _ = writeln!(
            s,
            "  {:<48} {:<9} {:>10} objects {:>7} skipped {:>8.2} s",
            f.path.display(),
            f.kind,
            f.objects,
            f.skipped,
            f.seconds
        );
    }
    s.push_str("\nobjects by source and class:\n");
    for (source, classes) in &r.objects {
        let list: Vec<String> = classes.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let name = if source.is_empty() {
            "(no source)"
        } else {
            source
        };
        let _ = writeln!(s, "  {:<12} {}", name, list.join(", "));
    }
    if !r.ignored.is_empty() {
        let list: Vec<String> = r.ignored.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let _ = writeln!(s, "  (not kept)   {}", list.join(", "));
    }
    if !r.delegations.is_empty() {
        s.push_str("\ndelegated records by registry:\n");
        for (reg, n) in &r.delegations {
            let _ = writeln!(s, "  {reg:<12} {n}");
        }
    }
    let l = &r.leases;
    if l.loaded + l.rejected > 0 {
        let _ = writeln!(
            s,
            "\nleases: {} loaded, {} active now, {} verified, {} unverified, {} rejected as unverified, {} overlapping pairs within a source",
            l.loaded, l.active_now, l.verified, l.unverified, l.rejected, l.overlaps
        );
        for e in &l.overlap_examples {
            let _ = writeln!(s, "    {e}");
        }
    }
    let rt = snap.routing();
    if rt.has_routes() || rt.has_vrps() {
        let _ = writeln!(
            s,
            "\nrouting: {} announced prefixes, {} VRPs{}",
            rt.routes(),
            rt.vrp_count(),
            rt.as_of()
                .map(|t| format!(", as of {}", crate::time::format(t)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(s, "\nskipped: {}", r.skipped_total());
    for (reason, st) in &r.skipped {
        let _ = writeln!(s, "  {reason}: {}", st.count);
        for e in &st.examples {
            let _ = writeln!(s, "    {e}");
        }
    }
    let _ = writeln!(
        s,
        "\nindex: {} networks ({} partly overlapping another), {} aut-num/as-block, {} entities, {} domains, {} delegated records",
        snap.networks(),
        snap.overlapping(),
        counts.0,
        counts.1,
        counts.2,
        counts.3
    );
    s
}

/// The same report as JSON.
pub fn to_json(snap: &Snapshot, secs: f64, mem: &Memory) -> serde_json::Value {
    let counts = snap.object_counts();
    json!({
        "seconds": secs,
        "rss_bytes": mem.rss,
        "peak_rss_bytes": mem.peak_rss,
        "networks": snap.networks(),
        "overlapping_networks": snap.overlapping(),
        "autnums": counts.0,
        "entities": counts.1,
        "domains": counts.2,
        "delegations": counts.3,
        "routing": {
            "prefixes": snap.routing().routes(),
            "vrps": snap.routing().vrp_count(),
            "as_of": snap.routing().as_of().map(crate::time::format),
        },
        "report": serde_json::to_value(&snap.report).unwrap_or_default(),
    })
}
