//! The fuzz targets' inputs replayed on the stable toolchain (CI needs no
//! nightly): every file of `tests/fuzz/corpus/TARGET/` (seeds written for
//! tenure, and every input a fuzzing run found to fail, kept as a
//! regression), and the data files of `data/` and `../shared/data/` as
//! the fuzz script seeds them (read here, never copied into the repo),
//! each given to the same entry point the fuzz target calls.

use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 12] = [
    ("rpsl", tenure::fuzzing::rpsl),
    ("delegated", tenure::fuzzing::delegated),
    ("routing", tenure::fuzzing::routing),
    ("leases", tenure::fuzzing::leases),
    ("arin_xml", tenure::fuzzing::arin_xml),
    ("addresses", tenure::fuzzing::addresses),
    ("whois_line", tenure::fuzzing::whois_line),
    ("rdap", tenure::fuzzing::rdap),
    ("bulk", tenure::fuzzing::bulk),
    ("nrtm", tenure::fuzzing::nrtm),
    ("overlay", tenure::fuzzing::overlay),
    ("compiled", tenure::fuzzing::compiled),
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A file's bytes, gzip and ZIP members undone (what the loaders read).
fn content(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_default();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let _ =
            std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&raw[..]), &mut out);
        return out;
    }
    raw
}

#[test]
fn every_fuzz_corpus_input_is_handled_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut replayed = 0;
    for (name, target) in TARGETS {
        let dir = root.join("tests/fuzz/corpus").join(name);
        let inputs = files(&dir);
        assert!(
            !inputs.is_empty(),
            "no corpus for {name} in {}",
            dir.display()
        );
        for p in inputs {
            let data = std::fs::read(&p).unwrap();
            let r = std::panic::catch_unwind(|| target(&data));
            assert!(r.is_ok(), "{name} panicked on {}", p.display());
            replayed += 1;
        }
    }
    assert!(replayed >= 24, "{replayed}");
}

#[test]
fn the_data_files_the_fuzz_script_seeds_with_are_handled() {
    // the seeds `tests/fuzz/run.sh` adds from data/ and ../shared/data/,
    // whole and cut at a few places (a cut file is what a failed download
    // leaves)
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/data");
    let mut seeds: Vec<(Target, PathBuf)> = Vec::new();
    for p in files(&root.join("data"))
        .into_iter()
        .chain(files(&shared.join("rpsl")))
    {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let t: Target = if name.ends_with(".xml") {
            tenure::fuzzing::arin_xml
        } else if name.ends_with(".jsonl") {
            tenure::fuzzing::leases
        } else if name.starts_with("delegated") {
            tenure::fuzzing::delegated
        } else if name.contains("pfx2as") || name.contains("vrps") {
            tenure::fuzzing::routing
        } else if name.ends_with(".toml")
            || name.ends_with(".md")
            || name.ends_with(".csv")
            || name.ends_with(".json")
            || name.ends_with(".zip")
        {
            continue;
        } else {
            tenure::fuzzing::rpsl
        };
        seeds.push((t, p));
    }
    for p in files(&shared.join("delegated")) {
        seeds.push((tenure::fuzzing::delegated, p));
    }
    assert!(seeds.len() >= 10, "{}", seeds.len());
    for (t, p) in seeds {
        let data = content(&p);
        for cut in [data.len(), data.len() / 2, data.len() / 3 + 1, 7] {
            let part = &data[..cut.min(data.len())];
            let r = std::panic::catch_unwind(|| t(part));
            assert!(r.is_ok(), "panicked on {} cut at {cut}", p.display());
        }
    }
}
