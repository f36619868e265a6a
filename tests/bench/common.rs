//! What the server benchmarks share: their arguments and the generated
//! data (cached under `target/bench-data/`, the same files the core
//! benchmark makes).

use std::path::PathBuf;
use std::sync::Arc;
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

/// A snapshot of `objects` generated networks (seed 1), generating the
/// dump first when it is not cached.
pub fn generated_snapshot(objects: u64) -> Arc<Snapshot> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let file = dir.join(format!("gen-{objects}-1.db.gz"));
    if !file.is_file() {
        tenure::gen::write_file(&file, objects, 1).expect("generate");
    }
    let sources = tenure::dump::Sources {
        dumps: vec![file],
        ..Default::default()
    };
    let (reg, report) =
        tenure::dump::load(&sources, &tenure::progress::Progress::off()).expect("load");
    Arc::new(Snapshot::build(
        reg,
        report,
        1,
        tenure::index::LpmBackend::Sorted,
        false,
    ))
}
