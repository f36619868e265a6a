//! Compiled snapshots: the dumps' part of a snapshot (objects, handles,
//! indexes, their load figures) as one versioned, checksummed file that
//! `tenure serve --snapshot` maps instead of parsing the dumps.
//!
//! Layout (little-endian):
//!
//! ```text
//! "TENURE-COMPILED\n"  format version (u32)  section count (u32)
//! per section: kind (u32) offset (u64) length (u64) CRC-32 (u32)
//! CRC-32 of everything above (u32)
//! sections: META (JSON), TEXT (every object's stored text, then the
//!           handles' names; UTF-8),
//!           SYMS, NETWORKS, ENTITIES, AUTNUMS, DOMAINS, INDEX
//! ```
//!
//! The networks and entities are fixed-size records of integers
//! (`model::Record`) served in place from the mapping, like the
//! index arrays and the handles; the AS numbers and domains are decoded.
//!
//! Opening checks the header, the format version and every section's
//! bounds, then each section's CRC-32 and the text's UTF-8 (the texts are
//! served straight from the mapping, see [`crate::mapped`]), then every
//! record's positions, handle ids, files and kinds: a corrupt, truncated
//! or foreign file is refused with what is wrong, never served. The
//! checksums and the records are checked by reading the file, not through
//! the mapping, so that a replica's resident memory holds only the pages
//! it serves (and a reload's new file, only what its checks of the index
//! touch).
//! The delegated statistics, IANA's files, leases and routing files are
//! not in it: they are small, change on their own schedules, and are read
//! from their files as usual.

use super::{Built, Snapshot};
use crate::dump::{LoadReport, Registry};
use crate::index::{LpmBackend, RangeIndex};
use crate::mapped::{Map, Slab, Text};
use crate::model::{AutNum, Domain, Entity, EntityTable, Interner, Network, Record, Table, NO_SYM};
use crate::rpsl::Object;
use crate::wire::{In, Out, WireError};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file's first bytes.
pub const MAGIC: &[u8; 16] = b"TENURE-COMPILED\n";
/// The layout's version: a file of another version is refused (a rolling
/// upgrade compiles again with the new binary).
pub const FORMAT: u32 = 4;

const META: u32 = 1;
const TEXT: u32 = 2;
const SYMS: u32 = 3;
const NETWORKS: u32 = 4;
const ENTITIES: u32 = 5;
const AUTNUMS: u32 = 6;
const DOMAINS: u32 = 7;
const INDEX: u32 = 8;
const KINDS: [u32; 8] = [
    META, TEXT, SYMS, NETWORKS, ENTITIES, AUTNUMS, DOMAINS, INDEX,
];
const HEADER: usize = 16 + 4 + 4 + KINDS.len() * 24 + 4;

/// Why a compiled snapshot cannot be written or served.
#[derive(Debug, thiserror::Error)]
pub enum CompiledError {
    #[error("{path}: {message}")]
    Refused { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn crc(b: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(b);
    c.sum()
}

/// The file being written: where the next section starts, and the
/// sections so far.
struct Sink {
    f: std::io::BufWriter<std::fs::File>,
    at: u64,
    sections: Vec<Section>,
}

impl Sink {
    fn put(&mut self, kind: u32, bytes: &[u8]) -> std::io::Result<()> {
        self.f.write_all(bytes)?;
        self.sections.push(Section {
            kind,
            offset: self.at,
            len: bytes.len() as u64,
            crc: crc(bytes),
        });
        self.at += bytes.len() as u64;
        Ok(())
    }
}

/// A section's place in the file.
#[derive(Clone, Copy)]
struct Section {
    kind: u32,
    offset: u64,
    len: u64,
    crc: u32,
}

/// Everything a compiled snapshot holds, decoded.
pub struct Compiled {
    pub(super) reg: Registry,
    pub(super) report: LoadReport,
    pub(super) built: Built,
    /// The mapping the object texts live in.
    pub map: Arc<Map>,
    /// When it was compiled (RFC 3339) and by which tenure.
    pub compiled_at: String,
    pub compiled_by: String,
}

impl Snapshot {
    /// Writes the dumps' part of this snapshot to `path` (through a
    /// temporary file renamed over it: a server mapping the old file keeps
    /// reading the old one). `dumps_report` is the figures of the dumps'
    /// load alone ([`crate::dump::load_dumps`]).
    pub fn compile(&self, path: &Path, dumps_report: &LoadReport) -> Result<u64, CompiledError> {
        let io = |source| CompiledError::Io {
            path: path.into(),
            source,
        };
        // a dot-file beside it until it is whole (a directory listing of
        // dated snapshots leaves dot-files out)
        let tmp = path.with_file_name(format!(
            ".{}.tmp",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        let mut f =
            std::io::BufWriter::with_capacity(4 << 20, std::fs::File::create(&tmp).map_err(io)?);
        f.write_all(&[0u8; HEADER]).map_err(io)?;
        let reg = &*self.reg;
        let ix = &*self.ix;
        let mut sink = Sink {
            f,
            at: HEADER as u64,
            sections: Vec::new(),
        };
        // the files the dumps' objects name (the statistics come after)
        let used = reg
            .networks
            .iter()
            .map(|n| n.file)
            .chain(reg.entities.iter().map(|e| e.file))
            .chain(reg.autnums.iter().map(|a| a.file))
            .chain(reg.domains.iter().map(|d| d.file))
            .map(|f| f as usize + 1)
            .max()
            .unwrap_or(0)
            .min(reg.files.len());
        let meta = serde_json::json!({
            "format": FORMAT,
            "compiled_at": crate::time::format(crate::time::now()),
            "compiled_by": concat!("tenure ", env!("CARGO_PKG_VERSION")),
            "personal_data": reg.personal_data,
            "files": reg.files[..used].iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>(),
            "report": dumps_report.to_json(),
            // the mirror files' versions: a server of this file serves
            // their journals' later deltas over it
            "mirrors": reg.mirrors.iter().filter(|(f, _)| (*f as usize) < used)
                .map(|(f, m)| serde_json::json!({"file": f, "mark": m}))
                .collect::<Vec<_>>(),
        });
        sink.put(META, meta.to_string().as_bytes()).map_err(io)?;
        // the texts, streamed; each record keeps its text's place
        let text_start = sink.at;
        let mut text_crc = flate2::Crc::new();
        let mut text_len = 0u64;
        let mut places = Vec::with_capacity(reg.networks.len() + reg.entities.len());
        {
            let objects = reg
                .networks
                .iter()
                .map(|n| n.object)
                .chain(reg.entities.iter().map(|e| e.object))
                .chain(reg.autnums.iter().map(|a| a.object.view()))
                .chain(reg.domains.iter().map(|d| d.object.view()));
            for o in objects {
                let t = o.stored().as_bytes();
                places.push(text_len);
                sink.f.write_all(t).map_err(io)?;
                text_crc.update(t);
                text_len += t.len() as u64;
            }
        }
        let mut place = places.into_iter();
        // the handles' names at the end of the text, read in place too
        let (names, ends) = reg.syms.parts();
        let names_at = text_len;
        sink.f.write_all(names.as_bytes()).map_err(io)?;
        text_crc.update(names.as_bytes());
        text_len += names.len() as u64;
        sink.sections.push(Section {
            kind: TEXT,
            offset: text_start,
            len: text_len,
            crc: text_crc.sum(),
        });
        sink.at += text_len;
        let base = sink.at;
        let mut o = Out::default();
        o.u64(names_at);
        o.u64(names.len() as u64);
        o.slab(ends, base);
        o.slab(&reg.syms.frozen_pairs(), base);
        sink.put(SYMS, &o.0).map_err(io)?;
        // networks and entities as fixed-size records, read in place
        let o = records(&reg.networks, &mut place, sink.at);
        sink.put(NETWORKS, &o.0).map_err(io)?;
        let base = sink.at;
        let mut o = records(&reg.entities, &mut place, base);
        o.slab(reg.entity_by_handle.as_slice(), base);
        sink.put(ENTITIES, &o.0).map_err(io)?;
        let mut object = |o: &mut Out, obj: &Object| {
            o.u64(place.next().unwrap_or(0));
            o.u32(obj.text_len() as u32);
            o.u32(obj.line);
        };
        let mut o = Out::default();
        o.u64(reg.autnums.len() as u64);
        for a in &reg.autnums {
            o.u32(a.first);
            o.u32(a.last);
            o.u8(a.block as u8);
            o.u32(a.org);
            o.u32(a.abuse_c);
            o.u16(a.file);
            object(&mut o, &a.object);
        }
        sink.put(AUTNUMS, &o.0).map_err(io)?;
        let mut o = Out::default();
        o.u64(reg.domains.len() as u64);
        for d in &reg.domains {
            o.str(&d.name);
            o.u16(d.file);
            object(&mut o, &d.object);
        }
        sink.put(DOMAINS, &o.0).map_err(io)?;
        // the index arrays aligned where they land in the file, to be read
        // in place
        let base = sink.at;
        let mut o = Out::default();
        o.u32(ix.n4);
        ix.v4.encode(&mut o, base);
        ix.v6.encode(&mut o, base);
        ix.asn.encode(&mut o, base);
        o.slab(&ix.netnames.hashes, base);
        o.slab(&ix.netnames.ids, base);
        sink.put(INDEX, &o.0).map_err(io)?;
        // the header, now that every section's place is known
        let Sink {
            f,
            at,
            mut sections,
        } = sink;
        sections.sort_by_key(|s| s.kind);
        let mut h = Out::default();
        h.0.extend_from_slice(MAGIC);
        h.u32(FORMAT);
        h.u32(sections.len() as u32);
        for s in &sections {
            h.u32(s.kind);
            h.u64(s.offset);
            h.u64(s.len);
            h.u32(s.crc);
        }
        let c = crc(&h.0);
        h.u32(c);
        let mut file = f.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&h.0).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(at)
    }
}

/// A table's records as one array to read in place (for `base`, see
/// [`Out::align`]), each with the place of its text `place` gives.
fn records<T: Record>(table: &Table<T>, place: &mut impl Iterator<Item = u64>, base: u64) -> Out {
    let words: Vec<u64> = table
        .iter()
        .flat_map(|r| T::words(r, place.next().unwrap_or(0)))
        .collect();
    let mut o = Out::default();
    o.slab(&words, base);
    o
}

/// The sections of a file, after the header's checks.
fn sections(b: &[u8], file_len: u64) -> Result<Vec<Section>, String> {
    if b.len() < HEADER || &b[..16] != MAGIC {
        return Err("not a compiled tenure snapshot".into());
    }
    let mut i = In::new(&b[16..HEADER]);
    let w = |e: WireError| e.0;
    let format = i.u32().map_err(w)?;
    if format != FORMAT {
        return Err(format!(
            "format version {format}, this tenure reads version {FORMAT}: compile it again with this binary"
        ));
    }
    let n = i.u32().map_err(w)? as usize;
    if n != KINDS.len() {
        return Err(format!("{n} sections, {} expected", KINDS.len()));
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let s = Section {
            kind: i.u32().map_err(w)?,
            offset: i.u64().map_err(w)?,
            len: i.u64().map_err(w)?,
            crc: i.u32().map_err(w)?,
        };
        let end = s.offset.checked_add(s.len);
        if s.offset < HEADER as u64 || end.is_none_or(|e| e > file_len) {
            return Err(format!(
                "section {} lies outside the file (cut short?)",
                s.kind
            ));
        }
        out.push(s);
    }
    let stored = i.u32().map_err(w)?;
    if crc(&b[..HEADER - 4]) != stored {
        return Err("the header's checksum does not match".into());
    }
    if out.iter().map(|s| s.kind).collect::<Vec<_>>() != KINDS {
        return Err("the sections are not the expected ones".into());
    }
    Ok(out)
}

/// Makes a file's checksums match its bytes, where its header reads (for
/// the fuzz target: a crafted file has right checksums, so its decoding
/// must be what refuses it).
#[doc(hidden)]
pub fn fix_checksums(b: &mut [u8]) {
    if b.len() < HEADER || &b[..16] != MAGIC {
        return;
    }
    for k in 0..KINDS.len() {
        let at = 24 + k * 24;
        let mut i = In::new(&b[at..at + 24]);
        let (Ok(_), Ok(offset), Ok(len)) = (i.u32(), i.u64(), i.u64()) else {
            return;
        };
        let Some(end) = offset.checked_add(len).filter(|&e| e <= b.len() as u64) else {
            continue;
        };
        let c = crc(&b[offset as usize..end as usize]);
        b[at + 20..at + 24].copy_from_slice(&c.to_le_bytes());
    }
    let c = crc(&b[..HEADER - 4]);
    b[HEADER - 4..HEADER].copy_from_slice(&c.to_le_bytes());
}

fn range(s: &Section) -> std::ops::Range<usize> {
    s.offset as usize..(s.offset + s.len) as usize
}

/// Maps and checks a compiled snapshot, and decodes its records.
pub fn open(path: &Path, backend: LpmBackend) -> Result<Compiled, CompiledError> {
    let refused = |message: String| CompiledError::Refused {
        path: path.into(),
        message,
    };
    let t0 = std::time::Instant::now();
    let io = |e: std::io::Error| refused(e.to_string());
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut head = vec![0u8; HEADER.min(len as usize)];
    std::os::unix::fs::FileExt::read_exact_at(&file, &mut head, 0).map_err(io)?;
    let found = sections(&head, len).map_err(refused)?;
    // every section's checksum, read (not mapped, see `Map::open`): the
    // text's with its UTF-8 check, the others' on the other core
    let (map, bad) = std::thread::scope(|sc| {
        let other = sc.spawn(|| {
            found.iter().filter(|x| x.kind != TEXT).find_map(|x| {
                let mut c = flate2::Crc::new();
                let read =
                    crate::mapped::read_chunks(&file, x.offset..x.offset + x.len, 1 << 20, |b| {
                        c.update(b);
                        Ok(())
                    });
                (read.is_err() || c.sum() != x.crc).then_some(x.kind)
            })
        });
        let mut c = flate2::Crc::new();
        let map = file
            .try_clone()
            .map_err(|e| e.to_string())
            .and_then(|f| Map::open(f, path, range(&found[1]), |b| c.update(b)));
        let text_bad = (c.sum() != found[1].crc).then_some(TEXT);
        (map, other.join().unwrap_or(Some(0)).or(text_bad))
    });
    let map = map.map_err(refused)?;
    if let Some(k) = bad {
        return Err(refused(format!(
            "section {k}'s checksum does not match: the file is corrupt"
        )));
    }
    tracing::debug!(
        "{}: mapped, checksums and UTF-8 checked in {:.2} s",
        path.display(),
        t0.elapsed().as_secs_f64()
    );
    let b = map.bytes();
    let sec = |kind: u32| &b[range(&found[(kind - 1) as usize])];
    let meta: serde_json::Value =
        serde_json::from_slice(sec(META)).map_err(|e| refused(format!("META: {e}")))?;
    let text_base = found[1].offset as usize;
    let w = |what: &'static str| {
        move |e: WireError| CompiledError::Refused {
            path: path.into(),
            message: format!("{what}: {}", e.0),
        }
    };
    let files: Vec<PathBuf> = meta["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .collect();
    // handles on one core, the records on the other
    let (syms, records) = std::thread::scope(|sc| {
        let syms = sc.spawn(|| -> Result<Interner, CompiledError> {
            let h = crate::mapped::handle(&map);
            let mut i = In::mapped(sec(SYMS), found[(SYMS - 1) as usize].offset, &h);
            let at = i.u64().map_err(w("SYMS"))? as usize;
            let len = i.u64().map_err(w("SYMS"))? as usize;
            let text = text_base
                .checked_add(at)
                .and_then(|start| crate::mapped::Names::mapped(&h, start, len))
                .ok_or_else(|| refused("SYMS: the names lie outside the text".into()))?;
            let ends = i.slab().map_err(w("SYMS"))?;
            let pairs = i.slab().map_err(w("SYMS"))?;
            let r = Interner::from_frozen(text, ends, pairs)
                .ok_or_else(|| refused("SYMS: names or their index cut badly".into()));
            tracing::debug!("handles read in {:.2} s", t0.elapsed().as_secs_f64());
            r
        });
        let records = decode_records(
            &map,
            text_base,
            |k| found[(k - 1) as usize].offset,
            files.len(),
            sec,
            backend,
            path,
        );
        (
            syms.join()
                .unwrap_or_else(|_| Err(refused("SYMS: decoding failed".into()))),
            records,
        )
    });
    tracing::debug!(
        "{}: records decoded in {:.2} s",
        path.display(),
        t0.elapsed().as_secs_f64()
    );
    let syms = syms?;
    let (networks, entities, table, autnums, domains, built) = records?;
    // every handle id a record names must be one of the handles
    let n_syms = syms.len() as u32;
    let ok = |s: u32| s == NO_SYM || s < n_syms;
    let syms_ok = autnums.iter().all(|a| ok(a.org) && ok(a.abuse_c));
    if !syms_ok || table.as_slice().len() > n_syms as usize {
        return Err(refused(
            "a record names a handle the file does not hold".into(),
        ));
    }
    // the networks and entities, read (not through the mapping) on two
    // cores; the first n4 networks are the IPv4 ones the index holds
    let limits = (n_syms, files.len(), found[1].len);
    let n4 = built.n4 as usize;
    let (n, e) = std::thread::scope(|sc| {
        let n = sc.spawn(|| {
            check_records(&map, &networks, limits, |n, i| {
                let v4 = n.range.family == crate::addr::Family::V4;
                (v4 != (i < n4)).then(|| "not in the index's family".into())
            })
        });
        let e = check_records(&map, &entities, limits, |_, _| None);
        (n.join().unwrap_or(Some("checking failed".into())), e)
    });
    if let Some(m) = n
        .map(|m| format!("NETWORKS: {m}"))
        .or(e.map(|m| format!("ENTITIES: {m}")))
    {
        return Err(refused(m));
    }
    tracing::debug!(
        "{}: records checked in {:.2} s",
        path.display(),
        t0.elapsed().as_secs_f64()
    );
    let mirrors = mirror_marks(&meta["mirrors"], files.len());
    // what the decoding touched (the AS numbers' and domains' texts, the
    // small arrays) leaves resident memory too: serving brings back what
    // it reads
    map.release(0..map.bytes().len());
    let reg = Registry {
        files,
        syms,
        networks,
        entities,
        entity_by_handle: table,
        autnums,
        domains,
        personal_data: meta["personal_data"].as_bool().unwrap_or(false),
        mirrors,
        ..Default::default()
    };
    Ok(Compiled {
        reg,
        report: LoadReport::from_json(&meta["report"]),
        built,
        compiled_at: meta["compiled_at"].as_str().unwrap_or("").to_string(),
        compiled_by: meta["compiled_by"].as_str().unwrap_or("").to_string(),
        map: Arc::clone(&map),
    })
}

/// Why a table's records read in place are not ones a server may read
/// ([`Record::check`]; `limits`: handles, files, text bytes, IPv4
/// networks), read from the file in pieces of whole records.
fn check_records<T: Record>(
    map: &Map,
    table: &Table<T>,
    (n_syms, n_files, text_len): (u32, usize, u64),
    also: impl Fn(T::Ref<'_>, usize) -> Option<String>,
) -> Option<String> {
    let Table::Mapped(words, _) = table else {
        return None;
    };
    let start = words.file_offset()? as u64;
    let record = T::WORDS * 8;
    let mut i = 0usize;
    let mut problem = None;
    let mut w = vec![0u64; T::WORDS];
    let read = crate::mapped::read_chunks(
        map.file(),
        start..start + (words.len() * 8) as u64,
        record * 8192,
        |b| {
            for r in b.chunks_exact(record) {
                for (x, c) in w.iter_mut().zip(r.chunks_exact(8)) {
                    *x = u64::from_le_bytes(c.try_into().unwrap_or_default());
                }
                if let Some(p) =
                    T::check(&w, n_syms, n_files, text_len).or_else(|| also(T::read(&w, ""), i))
                {
                    problem = Some(format!("record {i}: {p}"));
                    return Err(String::new());
                }
                i += 1;
            }
            Ok(())
        },
    );
    problem.or(read.err())
}

type Records = (
    Table<Network>,
    Table<Entity>,
    EntityTable,
    Vec<AutNum>,
    Vec<Domain>,
    Built,
);

fn decode_records<'a>(
    map: &Arc<Map>,
    text_base: usize,
    offset: impl Fn(u32) -> u64,
    n_files: usize,
    sec: impl Fn(u32) -> &'a [u8] + Sync,
    backend: LpmBackend,
    path: &Path,
) -> Result<Records, CompiledError> {
    let refused = |what: &str, message: String| CompiledError::Refused {
        path: path.into(),
        message: format!("{what}: {message}"),
    };
    let object = |i: &mut In<'_>, h: &crate::mapped::Handle| -> Result<Object, WireError> {
        let off = i.u64()? as usize;
        let len = i.u32()? as usize;
        let line = i.u32()?;
        let text = text_base
            .checked_add(off)
            .and_then(|start| Text::new(h, start, len))
            .ok_or_else(|| {
                WireError(format!("a text at {off} (+{len}) outside the text section"))
            })?;
        Ok(Object::mapped(text, line))
    };
    let file = |i: &mut In<'_>| -> Result<u16, WireError> {
        let f = i.u16()?;
        if f as usize >= n_files {
            return Err(WireError(format!("file {f} of {n_files}")));
        }
        Ok(f)
    };
    // the networks and entities are read in place ([`check_records`]
    // checks them, not through the mapping); the rest is decoded
    let t1 = std::time::Instant::now();
    let rest = (|| -> Result<_, CompiledError> {
        let h = crate::mapped::handle(map);
        let mut i = In::mapped(sec(NETWORKS), offset(NETWORKS), &h);
        let networks: Slab<u64> = i.slab().map_err(|e| refused("NETWORKS", e.0))?;
        let mut i = In::mapped(sec(ENTITIES), offset(ENTITIES), &h);
        let entities: Slab<u64> = i.slab().map_err(|e| refused("ENTITIES", e.0))?;
        if networks.len() % Network::WORDS != 0 || entities.len() % Entity::WORDS != 0 {
            return Err(refused("NETWORKS", "records cut short".into()));
        }
        let networks = Table::<Network>::Mapped(networks, crate::mapped::handle(map));
        let entities = Table::<Entity>::Mapped(entities, crate::mapped::handle(map));
        let table: Slab<u32> = i.slab().map_err(|e| refused("ENTITIES", e.0))?;
        if table
            .values()
            .any(|t| t != u32::MAX && t as usize >= entities.len())
        {
            return Err(refused("ENTITIES", "a handle names no entity".into()));
        }
        table.release();
        let mut i = In::new(sec(AUTNUMS));
        let n = i.count(35).map_err(|e| refused("AUTNUMS", e.0))?;
        let mut autnums = Vec::with_capacity(n);
        for _ in 0..n {
            let a = (|| -> Result<AutNum, WireError> {
                Ok(AutNum {
                    first: i.u32()?,
                    last: i.u32()?,
                    block: i.u8()? != 0,
                    org: i.u32()?,
                    abuse_c: i.u32()?,
                    file: file(&mut i)?,
                    object: object(&mut i, &h)?,
                })
            })()
            .map_err(|e| refused("AUTNUMS", e.0))?;
            autnums.push(a);
        }
        let mut i = In::new(sec(DOMAINS));
        let n = i.count(26).map_err(|e| refused("DOMAINS", e.0))?;
        let mut domains = Vec::with_capacity(n);
        for _ in 0..n {
            let d = (|| -> Result<Domain, WireError> {
                Ok(Domain {
                    name: i.str()?.into(),
                    file: file(&mut i)?,
                    object: object(&mut i, &h)?,
                })
            })()
            .map_err(|e| refused("DOMAINS", e.0))?;
            domains.push(d);
        }
        let mut i = In::mapped(sec(INDEX), offset(INDEX), &h);
        let e = |x: WireError| refused("INDEX", x.0);
        let n4 = i.u32().map_err(e)?;
        let v4 = RangeIndex::decode(&mut i, backend).map_err(e)?;
        let v6 = RangeIndex::decode(&mut i, backend).map_err(e)?;
        let asn = RangeIndex::decode(&mut i, LpmBackend::Sorted).map_err(e)?;
        let netnames = super::Netnames {
            hashes: i.slab().map_err(e)?,
            ids: i.slab().map_err(e)?,
        };
        let mut prev = 0u64;
        if netnames.hashes.len() != netnames.ids.len()
            || !netnames.hashes.values().all(|h| {
                let sorted = h >= prev;
                prev = h;
                sorted
            })
        {
            return Err(refused("INDEX", "the netname index is not sorted".into()));
        }
        netnames.hashes.release();
        tracing::debug!("the rest decoded in {:.2} s", t1.elapsed().as_secs_f64());
        Ok((
            networks, entities, table, autnums, domains, n4, v4, v6, asn, netnames,
        ))
    })();
    let (networks, entities, table, autnums, domains, n4, v4, v6, asn, netnames) = rest?;
    let fits = n4 as usize <= networks.len()
        && v4.len() == n4 as usize
        && v6.len() == networks.len() - n4 as usize
        && asn.len() == autnums.len()
        && netnames.ids.values().all(|n| (n as usize) < networks.len());
    netnames.ids.release();
    if !fits {
        return Err(refused(
            "INDEX",
            "the indexes do not fit the records".into(),
        ));
    }
    Ok((
        networks,
        entities,
        EntityTable::from_slab(table),
        autnums,
        domains,
        Built {
            n4,
            v4,
            v6,
            asn,
            netnames,
        },
    ))
}

impl Snapshot {
    /// Loads the sources into a snapshot of serial `serial` (leases judged
    /// by `policy`): the dumps
    /// parsed, or, when `sources.compiled` names one, the compiled
    /// snapshot mapped in their place; the other sources from their files.
    /// The deltas the NRTM mirrors' journals hold past the mirror files
    /// read are served over them ([`super::overlay`]); journals that cannot
    /// be are said in the log, and the files serve as read.
    pub fn load(
        sources: &crate::dump::Sources,
        backend: LpmBackend,
        serial: u64,
        policy: super::LeasePolicy,
        progress: &crate::progress::Progress,
    ) -> Result<Snapshot, crate::dump::LoadError> {
        let snap = Snapshot::load_parts(sources, backend, serial, policy, progress)?;
        match snap.with_mirror_deltas(sources, backend, serial, policy) {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Ok(snap),
            Err(why) => {
                tracing::warn!("mirrors: {why}; the mirror files serve as read");
                Ok(snap)
            }
        }
    }

    fn load_parts(
        sources: &crate::dump::Sources,
        backend: LpmBackend,
        serial: u64,
        policy: super::LeasePolicy,
        progress: &crate::progress::Progress,
    ) -> Result<Snapshot, crate::dump::LoadError> {
        let Some(given) = &sources.compiled else {
            let (reg, report) = crate::dump::load(sources, progress)?;
            return Ok(Snapshot::build(reg, report, serial, backend, policy));
        };
        // a directory of dated snapshots: the newest serves, the older
        // ones answer questions about their time
        if given.is_dir() {
            let files = crate::dump::dated_files(given)?;
            let Some((_, newest)) = files.last().cloned() else {
                return Err(crate::dump::LoadError::Failed(format!(
                    "{}: no compiled snapshot with a date in its name (registry-YYYYMMDD-HHMM.snap)",
                    given.display()
                )));
            };
            let mut one = sources.clone();
            one.compiled = Some(newest.clone());
            let mut snap = Snapshot::load_parts(&one, backend, serial, policy, progress)?;
            snap.past = Some(Arc::new(Past {
                files,
                sources: one,
                backend,
                policy,
                kept: Default::default(),
            }));
            return Ok(snap);
        }
        let path = given;
        let started = std::time::Instant::now();
        let compiled =
            open(path, backend).map_err(|e| crate::dump::LoadError::Failed(e.to_string()))?;
        if compiled.reg.personal_data != sources.personal_data {
            return Err(crate::dump::LoadError::Failed(format!(
                "{}: compiled with personal-data = {}, configured {}: compile it again",
                path.display(),
                compiled.reg.personal_data,
                sources.personal_data
            )));
        }
        tracing::info!(
            "{}: compiled snapshot of {} ({}) mapped and checked in {:.2} s",
            path.display(),
            compiled.compiled_at,
            compiled.compiled_by,
            started.elapsed().as_secs_f64()
        );
        let (reg, mut report, index) = compiled.into_parts();
        // the load took the mapping's time, not the dumps' parse at compile
        report.seconds = started.elapsed().as_secs_f64();
        let (reg, report) = crate::dump::load_onto(sources, reg, report)?;
        Ok(Snapshot::from_compiled(
            reg, report, index, serial, backend, policy,
        ))
    }

    /// A snapshot of a compiled snapshot's records and the rest of the
    /// sources (delegated statistics, IANA's files, leases, routing), the
    /// latter loaded onto its registry by [`crate::dump::load_onto`].
    pub fn from_compiled(
        reg: Registry,
        report: LoadReport,
        built_from: CompiledIndex,
        serial: u64,
        backend: LpmBackend,
        policy: super::LeasePolicy,
    ) -> Snapshot {
        let mut reg = reg;
        let routing = super::spawn_routing(&mut reg);
        Snapshot::assemble(reg, report, serial, backend, policy, built_from.0, routing)
    }
}

/// The mirror marks a compiled file's metadata keeps (of files it names).
fn mirror_marks(v: &serde_json::Value, n_files: usize) -> Vec<(u16, crate::nrtm::MirrorMark)> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let file = u16::try_from(m["file"].as_u64()?).ok()?;
            let mark = serde_json::from_value(m["mark"].clone()).ok()?;
            ((file as usize) < n_files).then_some((file, mark))
        })
        .collect()
}

/// An older compiled snapshot answering about a past time: the snapshot,
/// its file, and the date its name carries.
pub struct PastSnapshot {
    pub snap: Arc<Snapshot>,
    pub file: PathBuf,
    pub as_of: crate::time::Timestamp,
}

/// The older snapshots of a dated directory: the one current at a past
/// time is loaded when first asked about (with the current leases and
/// routing files), and the last one loaded is kept.
pub struct Past {
    /// The directory's dated snapshots as listed when it was loaded,
    /// oldest first; the last is the one served (a file added later is
    /// seen at the next reload, as the newest is).
    files: Vec<(crate::time::Timestamp, PathBuf)>,
    sources: crate::dump::Sources,
    backend: LpmBackend,
    policy: super::LeasePolicy,
    kept: std::sync::Mutex<Option<(PathBuf, Arc<Snapshot>)>>,
}

impl Snapshot {
    /// The snapshot whose registry data was current at `at`, when that is
    /// an older compiled snapshot of the dated directory this one was
    /// loaded from (loaded now if not the one kept); `None` when this
    /// snapshot's registry data answers (`at` is after its date, no older
    /// file is as old as `at`, or it is no dated directory's). Fails when
    /// the older file cannot be loaded.
    pub fn registry_at(&self, at: crate::time::Timestamp) -> Result<Option<PastSnapshot>, String> {
        let Some(past) = &self.past else {
            return Ok(None);
        };
        if past.files.last().is_none_or(|(newest, _)| at >= *newest) {
            return Ok(None);
        }
        // the newest older than `at` (the served one is not: `at` is before it)
        let Some((as_of, file)) = past.files.iter().rev().find(|(t, _)| *t <= at).cloned() else {
            return Ok(None);
        };
        // one load at a time; the last one loaded is kept
        let mut kept = past
            .kept
            .lock()
            .map_err(|_| "a past snapshot's load failed".to_string())?;
        if let Some((f, s)) = kept.as_ref() {
            if *f == file {
                return Ok(Some(PastSnapshot {
                    snap: Arc::clone(s),
                    file,
                    as_of,
                }));
            }
        }
        let mut one = past.sources.clone();
        one.compiled = Some(file.clone());
        // as it was compiled: the journals' deltas are of today
        let snap = Snapshot::load_parts(
            &one,
            past.backend,
            self.serial,
            past.policy,
            &crate::progress::Progress::off(),
        )
        .map_err(|e| e.to_string())?;
        let snap = Arc::new(snap);
        *kept = Some((file.clone(), Arc::clone(&snap)));
        Ok(Some(PastSnapshot { snap, file, as_of }))
    }

    /// True when `at` is before every dated snapshot of the directory this
    /// one was loaded from: no registry data of that time is kept, and the
    /// served one answers.
    pub fn before_compiled(&self, at: crate::time::Timestamp) -> bool {
        self.past
            .as_ref()
            .and_then(|p| p.files.first())
            .is_some_and(|(oldest, _)| at < *oldest)
    }
}

/// A compiled snapshot's indexes, kept aside while the rest of the sources
/// load onto its registry.
pub struct CompiledIndex(Built);

impl Compiled {
    /// Whether persons' personal data was kept when it was compiled.
    pub fn reg_personal_data(&self) -> bool {
        self.reg.personal_data
    }

    /// Splits into the registry (for [`crate::dump::load_onto`]), the
    /// dumps' figures and the indexes.
    pub fn into_parts(self) -> (Registry, LoadReport, CompiledIndex) {
        (self.reg, self.report, CompiledIndex(self.built))
    }
}
