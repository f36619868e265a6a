//! Loading sources: RPSL dumps and delegated statistics into a [`Registry`],
//! with a [`LoadReport`].
//!
//! Files are opened by content, not name: gzip (`1f 8b`, multi-member) is
//! decompressed on the fly, a ZIP archive's text members are read (ARIN's
//! bulk data: `arin_db.txt`), anything else is read as text. Each RPSL file runs as a two-stage pipeline: a reader
//! thread decompresses and cuts objects (`rpsl::Splitter`); the calling
//! thread parses and converts them. A malformed object is skipped and
//! reported with file and line; an unreadable or truncated file fails the
//! load with an error naming it.

use crate::chunked::Chunked;
use crate::delegated;
use crate::leases;
use crate::model::{self, ConvertOptions, Entity, Interner, Item};
use crate::progress::Progress;
use crate::rpsl::{self, Encoding, Skip};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

/// Why a load failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be opened.
    #[error("cannot open {path}: {source}")]
    Open { path: PathBuf, source: io::Error },
    /// A file could not be read to its end (I/O error, corrupt or truncated gzip).
    #[error("cannot read {path}: {source} (file corrupt or truncated?)")]
    Read { path: PathBuf, source: io::Error },
    /// A ZIP archive was given where a dump was expected.
    /// An RDAP bootstrap file that is not one.
    #[error("{path}: {message}")]
    Bootstrap { path: PathBuf, message: String },
    /// The load stopped on a bug (a panic), not on the data's fault alone.
    #[error("the load failed: {0}")]
    Failed(String),
}

/// One skip reason's count and first examples.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SkipStats {
    pub count: u64,
    /// `file:line: detail`, the first few only.
    pub examples: Vec<String>,
}

/// Examples kept per skip reason.
pub const SKIP_EXAMPLES: usize = 5;

/// Per-file figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    pub kind: &'static str,
    pub bytes: u64,
    pub objects: u64,
    pub skipped: u64,
    pub seconds: f64,
    /// The file's modification time when it was read (Unix seconds;
    /// none for the copies built into the binary).
    pub modified: Option<i64>,
}

/// A file's modification time, Unix seconds.
pub fn modified(path: &Path) -> Option<i64> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

/// What a load did: counts per class and source, skips per reason, time.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct LoadReport {
    pub files: Vec<FileReport>,
    /// (source, class) -> objects kept.
    pub objects: BTreeMap<String, BTreeMap<String, u64>>,
    /// reason -> count and examples.
    pub skipped: BTreeMap<&'static str, SkipStats>,
    /// Objects of classes tenure does not keep, per class.
    pub ignored: BTreeMap<String, u64>,
    /// Lease figures; filled in when the snapshot verifies the leases.
    pub leases: LeaseReport,
    /// Delegated records kept per registry.
    pub delegations: BTreeMap<String, u64>,
    pub seconds: f64,
}

impl LoadReport {
    /// Records the figures of one file read to its end.
    pub fn file_done(
        &mut self,
        path: &Path,
        kind: &'static str,
        bytes: u64,
        objects: u64,
        skipped: u64,
        started: Instant,
    ) {
        self.files.push(FileReport {
            path: path.into(),
            kind,
            bytes,
            objects,
            skipped,
            seconds: started.elapsed().as_secs_f64(),
            modified: modified(path),
        });
    }

    /// Records a skipped object or line.
    pub fn skip(&mut self, path: &Path, line: u32, reason: &'static str, detail: &str) {
        let s = self.skipped.entry(reason).or_default();
        s.count += 1;
        if s.examples.len() < SKIP_EXAMPLES {
            // a file's bytes never reach the operator's terminal raw: control
            // characters become U+FFFD, and an example is at most 300 characters
            let detail: String = detail
                .chars()
                .take(300)
                .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
                .collect();
            s.examples
                .push(format!("{}:{}: {}", path.display(), line, detail));
        }
    }

    /// Counts `n` more skips of a reason whose examples were already
    /// given (files of junk are counted, not kept).
    pub fn skip_count(&mut self, reason: &'static str, n: u64) {
        if n > 0 {
            self.skipped.entry(reason).or_default().count += n;
        }
    }

    /// Total objects skipped.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().map(|s| s.count).sum()
    }

    /// Adds another part's figures (the lease files to the registry's).
    pub fn merge(&mut self, other: &LoadReport) {
        self.files.extend(other.files.iter().cloned());
        for (source, classes) in &other.objects {
            let m = self.objects.entry(source.clone()).or_default();
            for (class, n) in classes {
                *m.entry(class.clone()).or_default() += n;
            }
        }
        for (reason, stats) in &other.skipped {
            let s = self.skipped.entry(reason).or_default();
            s.count += stats.count;
            for e in &stats.examples {
                if s.examples.len() < SKIP_EXAMPLES {
                    s.examples.push(e.clone());
                }
            }
        }
        for (class, n) in &other.ignored {
            *self.ignored.entry(class.clone()).or_default() += n;
        }
        for (registry, n) in &other.delegations {
            *self.delegations.entry(registry.clone()).or_default() += n;
        }
        self.seconds += other.seconds;
    }

    /// Total objects kept.
    pub fn objects_total(&self) -> u64 {
        self.objects.values().flat_map(|m| m.values()).sum()
    }

    /// The figures of a dumps-only load as JSON (a compiled snapshot
    /// keeps them; [`LoadReport::from_json`] reads them back).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "files": self.files.iter().map(|f| serde_json::json!({
                "path": f.path.to_string_lossy(), "kind": f.kind, "bytes": f.bytes,
                "objects": f.objects, "skipped": f.skipped, "seconds": f.seconds,
                "modified": f.modified,
            })).collect::<Vec<_>>(),
            "objects": self.objects,
            "skipped": self.skipped.iter().map(|(r, s)| (r.to_string(), serde_json::json!({
                "count": s.count, "examples": s.examples,
            }))).collect::<BTreeMap<_, _>>(),
            "ignored": self.ignored,
            "seconds": self.seconds,
        })
    }

    /// Reads [`LoadReport::to_json`]'s form; what does not read is left
    /// out (the figures describe the data, they do not serve it).
    pub fn from_json(v: &serde_json::Value) -> LoadReport {
        let u = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
        let map = |v: &serde_json::Value| -> BTreeMap<String, u64> {
            v.as_object()
                .map(|m| m.iter().map(|(k, n)| (k.clone(), u(n))).collect())
                .unwrap_or_default()
        };
        let mut r = LoadReport::default();
        for f in v["files"].as_array().into_iter().flatten() {
            r.files.push(FileReport {
                path: PathBuf::from(f["path"].as_str().unwrap_or("")),
                kind: static_str(f["kind"].as_str().unwrap_or("")),
                bytes: u(&f["bytes"]),
                objects: u(&f["objects"]),
                skipped: u(&f["skipped"]),
                seconds: f["seconds"].as_f64().unwrap_or(0.0),
                modified: f["modified"].as_i64(),
            });
        }
        if let Some(m) = v["objects"].as_object() {
            for (source, classes) in m {
                r.objects.insert(source.clone(), map(classes));
            }
        }
        if let Some(m) = v["skipped"].as_object() {
            for (reason, st) in m {
                r.skipped.insert(
                    static_str(reason),
                    SkipStats {
                        count: u(&st["count"]),
                        examples: st["examples"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|e| e.as_str().map(str::to_string))
                            .take(SKIP_EXAMPLES)
                            .collect(),
                    },
                );
            }
        }
        r.ignored = map(&v["ignored"]);
        r.seconds = v["seconds"].as_f64().unwrap_or(0.0);
        r
    }
}

/// A `'static` copy of a kind or skip reason read back from a file: each
/// distinct text is kept once for the process (at most 4,096 of them; past
/// that, "other").
fn static_str(s: &str) -> &'static str {
    static SEEN: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let Ok(mut seen) = SEEN.lock() else {
        return "other";
    };
    if let Some(&k) = seen.get(s) {
        return k;
    }
    if seen.len() >= 4096 {
        return "other";
    }
    let k: &'static str = Box::leak(s.to_string().into_boxed_str());
    seen.insert(k);
    k
}

/// Lease figures for `tenure check`.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct LeaseReport {
    /// Leases loaded (after rejections).
    pub loaded: u64,
    pub verified: u64,
    pub unverified: u64,
    /// Unverified leases dropped because `reject-unverified-leases` is on.
    pub rejected: u64,
    /// Active at load time.
    pub active_now: u64,
    /// Pairs of leases in one source whose ranges and terms overlap.
    pub overlaps: u64,
    /// The first few overlaps, `file:line ~ line`.
    pub overlap_examples: Vec<String>,
    /// Time to verify, sort and index them.
    pub seconds: f64,
}

/// A delegated record and the file it came from.
pub struct Delegation {
    pub record: delegated::Record,
    pub file: u16,
}

/// Everything loaded, before indexing.
#[derive(Default)]
pub struct Registry {
    pub files: Vec<PathBuf>,
    pub syms: Interner,
    pub networks: model::Table<model::Network>,
    pub entities: model::Table<Entity>,
    /// handle -> entity index (first loaded wins).
    pub entity_by_handle: model::EntityTable,
    pub autnums: Vec<model::AutNum>,
    pub domains: Vec<model::Domain>,
    pub delegations: Vec<Delegation>,
    /// Delegated file headers: (registry, serial, end date).
    pub delegated_headers: Vec<delegated::Header>,
    /// Lease records of every lease source, as loaded; `Snapshot::build`
    /// takes them (a snapshot's registry has none: use its lease methods).
    pub leases: Vec<leases::Lease>,
    /// Lease sources, indexed by `Lease::source`; taken like `leases`.
    pub lease_sources: Vec<LoadedLeaseSource>,
    /// The lease files' figures, kept apart from the registry's so that a
    /// lease-only reload can replace them; `Snapshot::build` merges them.
    pub lease_report: LoadReport,
    /// The routing files, as parsed; `Snapshot::build` takes and indexes
    /// them (their figures are in their own report, like the leases').
    pub routing: LoadedRouting,
    /// Persons' personal data was kept at load (`personal-data`).
    pub personal_data: bool,
    /// IANA's RDAP bootstrap services.
    pub bootstrap: crate::bootstrap::Bootstrap,
    /// IANA's IPv4 and IPv6 address-space registries: who was given each
    /// block, for referrals the bootstrap files do not give.
    pub address_space: crate::bootstrap::AddressSpace,
    /// The NRTMv4 mirror files loaded (by file id) and the version each
    /// held: their journals' later deltas are served over them.
    pub mirrors: Vec<(u16, crate::nrtm::MirrorMark)>,
}

/// A loaded lease source: its name and file.
#[derive(Debug, Clone)]
pub struct LoadedLeaseSource {
    pub name: String,
    pub path: PathBuf,
}

/// A lease file and the name of its source (the platform).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseSource {
    /// From the config, else the file stem.
    pub name: String,
    pub path: PathBuf,
}

impl LeaseSource {
    /// A source named after its file stem (`ipxo.jsonl` -> `ipxo`).
    pub fn from_path(path: PathBuf) -> Self {
        let name = path
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .split('.')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "leases".into());
        LeaseSource { name, path }
    }
}

/// What to load.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub dumps: Vec<PathBuf>,
    pub delegated: Vec<PathBuf>,
    pub encoding: Encoding,
    /// File with one leasing-platform maintainer per line.
    pub platform_maintainers: Option<PathBuf>,
    /// Lease record files.
    pub leases: Vec<LeaseSource>,
    /// Drop leases whose lessor is not the holder (else keep them, marked).
    pub reject_unverified_leases: bool,
    /// IANA's address-space registries (CSV); empty: the built-in copies.
    pub address_space: Vec<PathBuf>,
    /// Serve contacts' personal data (names, addresses, phones, mail);
    /// withheld by default (see `model::withhold_personal_data`).
    pub personal_data: bool,
    /// IANA RDAP bootstrap files (ipv4.json, ipv6.json, asn.json).
    pub rdap_bootstrap: Vec<PathBuf>,
    /// The routing files (see [`RoutingSources`]).
    pub routing: RoutingSources,
    /// A compiled snapshot read instead of parsing `dumps`.
    pub compiled: Option<PathBuf>,
}

/// Where the routing evidence comes from: prefix-to-origin tables and VRP
/// files, each a file or a directory of dated files (the newest is
/// current; `--at` reads the one current then).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoutingSources {
    pub pfx2as: Vec<PathBuf>,
    pub vrps: Vec<PathBuf>,
}

impl RoutingSources {
    pub fn is_empty(&self) -> bool {
        self.pfx2as.is_empty() && self.vrps.is_empty()
    }

    /// True when a source is a directory (answers about past times can
    /// read older files).
    pub fn dated(&self) -> bool {
        self.pfx2as.iter().chain(&self.vrps).any(|p| p.is_dir())
    }
}

/// An opened source: the decoded byte stream, the file size, and a counter
/// of file bytes consumed so far (for progress).
pub struct Opened {
    pub reader: Box<dyn BufRead + Send>,
    pub size: u64,
    pub consumed: Arc<AtomicU64>,
    /// What the records were read as: `rpsl` (RPSL and ARIN's text
    /// layout), `arin-xml` (ARIN's XML layout, transcoded).
    pub format: &'static str,
}

/// Opens a file by its content (gzip; ZIP: its text members, else its XML
/// members; ARIN's XML layout, plain or gzip; else plain text).
pub fn open(path: &Path) -> Result<Opened, LoadError> {
    let file = File::open(path).map_err(|source| LoadError::Open {
        path: path.into(),
        source,
    })?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let counter = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: file,
        count: counter.clone(),
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, counting);
    let magic = buffered.fill_buf().map_err(|source| LoadError::Read {
        path: path.into(),
        source,
    })?;
    let mut format = "rpsl";
    let reader: Box<dyn BufRead + Send> = if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else if magic.starts_with(b"PK\x03\x04") {
        // ARIN's bulk data: the text members, streamed
        let (_, xml, text) = crate::zip::open_text(path).map_err(|source| LoadError::Read {
            path: path.into(),
            source,
        })?;
        if xml {
            format = "arin-xml";
        }
        text
    } else {
        Box::new(buffered)
    };
    // ARIN's bulk data in its XML layout (plain or gzip): its records as
    // the text form
    let mut reader = reader;
    let xml =
        crate::arin_xml::looks_like_xml(reader.fill_buf().map_err(|source| LoadError::Read {
            path: path.into(),
            source,
        })?);
    let reader: Box<dyn BufRead + Send> = if xml {
        format = "arin-xml";
        Box::new(BufReader::with_capacity(
            256 * 1024,
            crate::arin_xml::Transcoder::new(reader),
        ))
    } else {
        reader
    };
    Ok(Opened {
        reader,
        size,
        consumed: counter,
        format,
    })
}

struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The leasing-platform maintainer list shipped in `data/`, built in: the
/// default when no list is named.
pub const PLATFORM_MAINTAINERS: &str = include_str!("../../data/platform-maintainers.txt");

/// Objects per batch handed from the reader thread to the parser.
const BATCH: usize = 1024;

/// Raw objects cut from the input: their lines one after the other in one
/// buffer, each object its first line number and end in `data`. Batches go
/// back to the reader once parsed and are filled again: the 2.8 GB of text
/// of a six-million-network load pass through a few buffers, not through
/// an allocation per object.
#[derive(Default)]
struct Batch {
    data: Vec<u8>,
    objects: Vec<Result<(u32, usize), Skip>>,
}

type Parsed = Vec<Result<rpsl::Object, Skip>>;

/// Loads every source. Progress goes to `progress` (which may be silent).
pub fn load(sources: &Sources, progress: &Progress) -> Result<(Registry, LoadReport), LoadError> {
    let started = Instant::now();
    // the routing files load beside the registry
    let routing = spawn_routing(sources)?;
    let (mut reg, mut report) = load_dumps(sources, progress)?;
    load_rest(sources, &mut reg, &mut report, routing)?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok((reg, report))
}

/// Loads everything but the dumps onto a registry that holds them (a
/// compiled snapshot's): delegated statistics, lease and routing files,
/// IANA's files.
pub fn load_onto(
    sources: &Sources,
    mut reg: Registry,
    mut report: LoadReport,
) -> Result<(Registry, LoadReport), LoadError> {
    let started = Instant::now();
    let routing = spawn_routing(sources)?;
    load_rest(sources, &mut reg, &mut report, routing)?;
    report.seconds += started.elapsed().as_secs_f64();
    Ok((reg, report))
}

type RoutingLoad = std::thread::JoinHandle<Result<LoadedRouting, LoadError>>;

fn spawn_routing(sources: &Sources) -> Result<RoutingLoad, LoadError> {
    let r = sources.routing.clone();
    std::thread::Builder::new()
        .name("routing-load".into())
        .spawn(move || load_routing_files(&r, None))
        .map_err(|e| LoadError::Failed(format!("cannot start a thread: {e}")))
}

/// How objects are converted: the leasing platforms' maintainers of the
/// named list, else of the one built into the binary (named in `report`,
/// when given, as a file).
pub fn platform_options(
    sources: &Sources,
    report: Option<&mut LoadReport>,
) -> Result<ConvertOptions, LoadError> {
    if let Some(p) = &sources.platform_maintainers {
        let text = std::fs::read_to_string(p).map_err(|source| LoadError::Open {
            path: p.clone(),
            source,
        })?;
        return Ok(ConvertOptions::default().with_platform_list(&text));
    }
    let o = ConvertOptions::default().with_platform_list(PLATFORM_MAINTAINERS);
    if let Some(report) = report {
        let as_of = PLATFORM_MAINTAINERS
            .lines()
            .find_map(|l| l.strip_prefix("# as of:"))
            .map(str::trim)
            .unwrap_or("?");
        let label = format!(
            "(built in) leasing-platform maintainers of {as_of}, {} names and {} prefixes",
            o.platform_maintainers.len(),
            o.platform_prefixes.len()
        );
        report.file_done(
            Path::new(&label),
            "platforms",
            PLATFORM_MAINTAINERS.len() as u64,
            (o.platform_maintainers.len() + o.platform_prefixes.len()) as u64,
            0,
            Instant::now(),
        );
    }
    Ok(o)
}

/// The dumps (RPSL, ARIN's bulk data) with the leasing platforms' list
/// and the personal-data rule applied: what a compiled snapshot holds.
pub fn load_dumps(
    sources: &Sources,
    progress: &Progress,
) -> Result<(Registry, LoadReport), LoadError> {
    let started = Instant::now();
    let mut reg = Registry::default();
    let mut report = LoadReport::default();
    let opts = platform_options(sources, Some(&mut report))?;
    let mut staged = Staged::default();
    for path in &sources.dumps {
        load_rpsl(
            path,
            sources.encoding,
            &opts,
            &mut reg,
            &mut staged,
            &mut report,
            progress,
        )?;
    }
    reg.networks = staged.networks.into_vec().into();
    reg.entities = staged.entities.into_vec().into();
    reg.personal_data = sources.personal_data;
    if !sources.personal_data {
        // the contacts named for abuse keep their mailbox
        let mut abuse = crate::model::SymSet::default();
        for s in reg
            .networks
            .iter()
            .map(|n| n.abuse_c)
            .chain(reg.entities.iter().map(|e| e.abuse_c))
            .chain(reg.autnums.iter().map(|a| a.abuse_c))
        {
            abuse.insert(s);
        }
        crate::model::withhold_personal_data(reg.entities.owned_mut(), &abuse);
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok((reg, report))
}

fn load_rest(
    sources: &Sources,
    reg: &mut Registry,
    report: &mut LoadReport,
    routing: RoutingLoad,
) -> Result<(), LoadError> {
    for path in &sources.delegated {
        load_delegated(path, reg, report)?;
    }
    let leases = load_lease_files(&sources.leases)?;
    reg.leases = leases.leases;
    reg.lease_sources = leases.sources;
    reg.lease_report = leases.report;
    reg.routing = routing
        .join()
        .map_err(|_| LoadError::Failed("the routing files' load panicked".into()))??;
    for path in &sources.rdap_bootstrap {
        let started = Instant::now();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Open {
            path: path.clone(),
            source,
        })?;
        let n = reg
            .bootstrap
            .add_file(&text)
            .map_err(|e| LoadError::Bootstrap {
                path: path.clone(),
                message: e.to_string(),
            })?;
        report.file_done(path, "bootstrap", text.len() as u64, n as u64, 0, started);
    }
    if sources.rdap_bootstrap.is_empty() {
        // none named: IANA's files built into the binary (named in the
        // report with their publication dates)
        for (name, text) in crate::bootstrap::BUILT_IN {
            let started = Instant::now();
            let n = reg.bootstrap.add_file(text).unwrap_or(0);
            let label = format!(
                "(built in) IANA {name}, published {}",
                crate::bootstrap::publication(text)
                    .as_deref()
                    .unwrap_or("?")
            );
            report.file_done(
                Path::new(&label),
                "bootstrap",
                text.len() as u64,
                n as u64,
                0,
                started,
            );
        }
    }
    reg.bootstrap.finish();
    // IANA's address-space registries: the named ones, else the copies
    // built in (for referrals of space no other file covers)
    if sources.address_space.is_empty() {
        for (name, text) in crate::bootstrap::ADDRESS_SPACE {
            let started = Instant::now();
            let n = reg.address_space.add_csv(text);
            let label = format!(
                "(built in) IANA {name}, newest entry {}",
                crate::bootstrap::newest_date(text)
                    .as_deref()
                    .unwrap_or("?")
            );
            report.file_done(
                Path::new(&label),
                "address-space",
                text.len() as u64,
                n as u64,
                0,
                started,
            );
        }
    }
    for path in &sources.address_space {
        let started = Instant::now();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Open {
            path: path.clone(),
            source,
        })?;
        let n = reg.address_space.add_csv(&text);
        report.file_done(
            path,
            "address-space",
            text.len() as u64,
            n as u64,
            0,
            started,
        );
    }
    Ok(())
}

fn file_id(reg: &mut Registry, path: &Path) -> u16 {
    reg.files.push(path.to_path_buf());
    (reg.files.len() - 1).min(u16::MAX as usize) as u16
}

/// Networks and entities while the dumps load: in chunks, never moved
/// (see [`crate::chunked`]); the registry gets them in exact-size vectors.
#[derive(Default)]
struct Staged {
    networks: Chunked<model::Network>,
    entities: Chunked<Entity>,
}

#[allow(clippy::too_many_arguments)]
fn load_rpsl(
    path: &Path,
    enc: Encoding,
    opts: &ConvertOptions,
    reg: &mut Registry,
    staged: &mut Staged,
    report: &mut LoadReport,
    progress: &Progress,
) -> Result<(), LoadError> {
    let started = Instant::now();
    let Opened {
        mut reader,
        size,
        consumed: counter,
        format,
    } = open(path)?;
    let file = file_id(reg, path);
    // a mirror file names its version on its first line: read from the
    // very bytes loaded (a file renamed into place meanwhile is not mixed in)
    if let Ok(head) = reader.fill_buf() {
        let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
        if let Some(mark) = std::str::from_utf8(first)
            .ok()
            .and_then(crate::nrtm::MirrorMark::read)
        {
            reg.mirrors.push((file, mark));
        }
    }
    let mut task = progress.task(path, size);
    let (tx, rx) = mpsc::sync_channel::<io::Result<Batch>>(16);
    let (ptx, prx) = mpsc::sync_channel::<io::Result<Parsed>>(16);
    // emptied batches go back for reuse: raw ones to the reader, parsed
    // ones to the parser (a fresh 48 KB vector per batch, freed on another
    // thread, cost page faults)
    let (btx, brx) = mpsc::sync_channel::<Batch>(32);
    let (vtx, vrx) = mpsc::sync_channel::<Parsed>(32);
    let mut objects = 0u64;
    let mut skipped = 0u64;
    let mut counts = Counts::default();
    // three stages: read+split | parse | convert+index (here)
    let result = std::thread::scope(|scope| {
        scope.spawn(move || split_into_batches(reader, tx, brx));
        scope.spawn(move || {
            let mut scratch = String::new();
            for msg in rx {
                let parsed = msg.map(|mut batch| {
                    let mut start = 0;
                    let mut parsed = vrx.try_recv().unwrap_or_else(|_| Vec::with_capacity(BATCH));
                    parsed.extend(batch.objects.drain(..).map(|item| {
                        item.and_then(|(line, end)| {
                            let data = batch.data.get(start..end).unwrap_or_default();
                            start = end;
                            rpsl::parse_lines(line, data, enc, &mut scratch)
                        })
                    }));
                    batch.data.clear();
                    let _ = btx.try_send(batch);
                    parsed
                });
                if ptx.send(parsed).is_err() {
                    return;
                }
            }
        });
        for msg in prx {
            let mut batch = msg.map_err(|source| LoadError::Read {
                path: path.into(),
                source,
            })?;
            for item in batch.drain(..) {
                let converted = item.and_then(|obj| model::convert(obj, file, &mut reg.syms, opts));
                match converted {
                    Ok(item) => {
                        if add_item(reg, staged, report, &mut counts, item, path) {
                            objects += 1;
                        } else {
                            skipped += 1;
                        }
                    }
                    Err(skip) => {
                        skipped += 1;
                        report.skip(path, skip.line, skip.reason.as_str(), &skip.detail);
                    }
                }
            }
            let _ = vtx.try_send(batch);
            task.update(counter.load(Ordering::Relaxed));
        }
        Ok(())
    });
    task.finish();
    counts.merge_into(report);
    result?;
    report.file_done(path, format, size, objects, skipped, started);
    Ok(())
}

fn split_into_batches(
    reader: Box<dyn BufRead + Send>,
    tx: mpsc::SyncSender<io::Result<Batch>>,
    returned: mpsc::Receiver<Batch>,
) {
    let mut splitter = rpsl::Splitter::new(reader);
    let fresh = |returned: &mpsc::Receiver<Batch>| {
        returned.try_recv().unwrap_or_else(|_| Batch {
            data: Vec::with_capacity(BATCH * 512),
            objects: Vec::with_capacity(BATCH),
        })
    };
    let mut batch = fresh(&returned);
    loop {
        match splitter.next_into(&mut batch.data) {
            Ok(Some(item)) => {
                let end = batch.data.len();
                batch.objects.push(item.map(|line| (line, end)));
                if batch.objects.len() == BATCH
                    && tx
                        .send(Ok(std::mem::replace(&mut batch, fresh(&returned))))
                        .is_err()
                {
                    return; // the parser gave up
                }
            }
            Ok(None) => {
                if !batch.objects.is_empty() {
                    let _ = tx.send(Ok(batch));
                }
                return;
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

/// Adds a converted item; false when it was refused (and reported).
fn add_item(
    reg: &mut Registry,
    staged: &mut Staged,
    report: &mut LoadReport,
    counts: &mut Counts,
    item: Item,
    path: &Path,
) -> bool {
    let (source, class, line) = match &item {
        Item::Network(n) => (n.object.get("source"), n.object.class(), n.object.line),
        Item::Entity(e) => (e.object.get("source"), e.object.class(), e.object.line),
        Item::AutNum(a) => (a.object.get("source"), a.object.class(), a.object.line),
        Item::Domain(d) => (d.object.get("source"), d.object.class(), d.object.line),
        Item::Ignored(class) => {
            *report.ignored.entry(class.clone()).or_default() += 1;
            return true;
        }
    };
    counts.add(source.unwrap_or(""), class);
    if let Item::Entity(e) = &item {
        if let Some(prev) = reg.entity_by_handle.get(e.handle) {
            let Some(prev) = staged.entities.get(prev as usize) else {
                return false;
            };
            let detail = format!(
                "duplicate handle '{}' (first at {}:{})",
                reg.syms.name(e.handle),
                reg.files[prev.file as usize].display(),
                prev.object.line
            );
            report.skip(path, line, "duplicate handle", &detail);
            counts.undo();
            return false;
        }
    }
    match item {
        Item::Network(n) => staged.networks.push(n),
        Item::Entity(e) => {
            reg.entity_by_handle
                .insert(e.handle, staged.entities.len() as u32);
            staged.entities.push(e);
        }
        Item::AutNum(a) => reg.autnums.push(a),
        Item::Domain(d) => reg.domains.push(d),
        Item::Ignored(_) => {}
    }
    true
}

/// Objects per (source, class) within one file, counted without allocating
/// per object; merged into the report when the file is done.
#[derive(Default)]
struct Counts {
    list: Vec<(String, String, u64)>,
    last: usize,
}

impl Counts {
    fn add(&mut self, source: &str, class: &str) {
        let hit = |e: &(String, String, u64)| e.0.eq_ignore_ascii_case(source) && e.1 == class;
        if self.list.get(self.last).is_some_and(hit) {
            self.list[self.last].2 += 1;
            return;
        }
        match self.list.iter().position(hit) {
            Some(i) => self.last = i,
            None => {
                self.list
                    .push((source.to_ascii_uppercase(), class.to_string(), 0));
                self.last = self.list.len() - 1;
            }
        }
        self.list[self.last].2 += 1;
    }

    /// Takes back the last `add` (the object was refused after all).
    fn undo(&mut self) {
        if let Some(e) = self.list.get_mut(self.last) {
            e.2 = e.2.saturating_sub(1);
        }
    }

    fn merge_into(self, report: &mut LoadReport) {
        for (source, class, n) in self.list {
            if n > 0 {
                *report
                    .objects
                    .entry(source)
                    .or_default()
                    .entry(class)
                    .or_default() += n;
            }
        }
    }
}

fn load_delegated(
    path: &Path,
    reg: &mut Registry,
    report: &mut LoadReport,
) -> Result<(), LoadError> {
    let started = Instant::now();
    let Opened { reader, size, .. } = open(path)?;
    let parsed = delegated::parse(reader).map_err(|source| LoadError::Read {
        path: path.into(),
        source,
    })?;
    let file = file_id(reg, path);
    for bad in &parsed.bad {
        report.skip(path, bad.line, bad.reason, &bad.text);
    }
    for (reason, n) in &parsed.skipped {
        let shown = parsed.bad.iter().filter(|b| b.reason == *reason).count() as u64;
        report.skip_count(reason, n.saturating_sub(shown));
    }
    let skipped = parsed.skipped_total();
    let objects = parsed.records.len() as u64;
    for record in parsed.records {
        *report
            .delegations
            .entry(record.registry.to_string())
            .or_default() += 1;
        reg.delegations.push(Delegation { record, file });
    }
    if let Some(h) = parsed.header {
        reg.delegated_headers.push(h);
    }
    report.file_done(path, "delegated", size, objects, skipped, started);
    Ok(())
}

/// Lease records of every lease source, read alone (a lease reload reads
/// only these).
#[derive(Debug, Default)]
pub struct LoadedLeases {
    pub leases: Vec<leases::Lease>,
    /// Indexed by `Lease::source`.
    pub sources: Vec<LoadedLeaseSource>,
    /// The lease files' figures and skipped lines.
    pub report: LoadReport,
}

/// Reads every lease file.
pub fn load_lease_files(sources: &[LeaseSource]) -> Result<LoadedLeases, LoadError> {
    let started = Instant::now();
    let mut out = LoadedLeases::default();
    for src in sources {
        let file_started = Instant::now();
        let path = &src.path;
        let Opened { reader, size, .. } = open(path)?;
        let parsed = leases::parse(reader).map_err(|source| LoadError::Read {
            path: path.into(),
            source,
        })?;
        let source = out.sources.len().min(u16::MAX as usize) as u16;
        out.sources.push(LoadedLeaseSource {
            name: src.name.clone(),
            path: path.clone(),
        });
        for bad in &parsed.bad {
            out.report.skip(path, bad.line, bad.reason, &bad.detail);
        }
        for (reason, n) in &parsed.skipped {
            let shown = parsed.bad.iter().filter(|b| b.reason == *reason).count() as u64;
            out.report.skip_count(reason, n.saturating_sub(shown));
        }
        let skipped = parsed.skipped_total();
        let objects = parsed.leases.len() as u64;
        out.leases.extend(parsed.leases.into_iter().map(|mut l| {
            l.source = source;
            l
        }));
        out.report
            .file_done(path, "leases", size, objects, skipped, file_started);
    }
    out.report.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

/// Routing files as parsed, read alone (a routing reload reads only
/// these).
#[derive(Debug, Default)]
pub struct LoadedRouting {
    pub tables: Vec<crate::bgp::Pfx2As>,
    pub vrps: Vec<crate::bgp::Vrps>,
    pub files: Vec<crate::bgp::RoutingFile>,
    /// Directories with no file current at the time asked about.
    pub uncovered: Vec<PathBuf>,
    /// The routing files' figures and skipped lines.
    pub report: LoadReport,
    /// What was asked for (files and directories), for answers about past
    /// times.
    pub sources: RoutingSources,
}

/// Reads the routing files current at `at` (`None`: now, the newest of
/// each directory). A directory with no dated file fails the load when
/// `at` is `None`; for an earlier time it is listed as uncovered.
pub fn load_routing_files(
    sources: &RoutingSources,
    at: Option<crate::time::Timestamp>,
) -> Result<LoadedRouting, LoadError> {
    let started = Instant::now();
    let mut out = LoadedRouting {
        sources: sources.clone(),
        ..LoadedRouting::default()
    };
    let kinds = sources
        .pfx2as
        .iter()
        .map(|p| (p, "pfx2as"))
        .chain(sources.vrps.iter().map(|p| (p, "vrps")));
    // the files current at `at`, in the order given
    let mut chosen: Vec<(PathBuf, &'static str, Option<crate::time::Timestamp>)> = Vec::new();
    for (given, kind) in kinds {
        if given.is_dir() {
            match dated_file(given, at)? {
                Some((path, t)) => chosen.push((path, kind, Some(t))),
                None if at.is_some() => out.uncovered.push(given.clone()),
                None => {
                    return Err(LoadError::Open {
                        path: given.clone(),
                        source: io::Error::new(
                            io::ErrorKind::NotFound,
                            "no file with a date in its name (like pfx2as-20240401-1200.gz)",
                        ),
                    })
                }
            }
        } else {
            let named = given
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(crate::bgp::date_in_name);
            chosen.push((given.clone(), kind, named));
        }
    }
    // each file parsed on its own thread (a full IPv4 table, the IPv6 one
    // and the VRPs take about the same time)
    let parsed: Vec<Result<ParsedRouting, LoadError>> = std::thread::scope(|s| {
        let handles: Vec<_> = chosen
            .iter()
            .map(|(path, kind, _)| s.spawn(move || parse_routing_file(path, kind)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(LoadError::Failed("a routing file's parse panicked".into()))
                })
            })
            .collect()
    });
    for ((path, kind, named_at), p) in chosen.into_iter().zip(parsed) {
        let p = p?;
        let (objects, skipped, generated) = match p.data {
            RoutingData::Table(t) => {
                let n = (t.routes.len() as u64, t.skipped.total());
                report_skips(&mut out.report, &path, &t.skipped);
                out.tables.push(t);
                (n.0, n.1, None)
            }
            RoutingData::Vrps(v) => {
                let n = (v.vrps.len() as u64, v.skipped.total(), v.generated);
                report_skips(&mut out.report, &path, &v.skipped);
                out.vrps.push(v);
                n
            }
        };
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        out.files.push(crate::bgp::RoutingFile {
            path: path.clone(),
            kind,
            as_of: named_at.or(generated).or(modified),
        });
        out.report.files.push(FileReport {
            modified: self::modified(&path),
            path,
            kind,
            bytes: p.size,
            objects,
            skipped,
            seconds: p.seconds,
        });
    }
    out.report.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

/// One routing file as parsed, with its size and parse time.
struct ParsedRouting {
    data: RoutingData,
    size: u64,
    seconds: f64,
}

enum RoutingData {
    Table(crate::bgp::Pfx2As),
    Vrps(crate::bgp::Vrps),
}

fn parse_routing_file(path: &Path, kind: &str) -> Result<ParsedRouting, LoadError> {
    let started = Instant::now();
    let Opened { reader, size, .. } = open(path)?;
    let read_err = |source| LoadError::Read {
        path: path.into(),
        source,
    };
    // a plain file's size tells how much to reserve (gzip: about 1/6)
    let hint = size as usize;
    let data = if kind == "pfx2as" {
        RoutingData::Table(crate::bgp::parse_pfx2as(reader, hint).map_err(read_err)?)
    } else {
        RoutingData::Vrps(crate::bgp::parse_vrps(reader, hint).map_err(read_err)?)
    };
    Ok(ParsedRouting {
        data,
        size,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn report_skips(report: &mut LoadReport, path: &Path, skipped: &crate::bgp::Skipped) {
    for bad in &skipped.bad {
        report.skip(path, bad.line, bad.reason, &bad.detail);
    }
    for (reason, n) in &skipped.counts {
        let shown = skipped.bad.iter().filter(|b| b.reason == *reason).count() as u64;
        report.skip_count(reason, n.saturating_sub(shown));
    }
}

/// The files of `dir` whose names carry a date, with it, oldest first
/// (files whose names start with a dot are being written, and left out)
/// (between equal dates by name, so no choice depends on the directory's
/// order).
pub fn dated_files(dir: &Path) -> Result<Vec<(crate::time::Timestamp, PathBuf)>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Open {
        path: dir.into(),
        source,
    })?;
    let mut files: Vec<(crate::time::Timestamp, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        // a dot-file is one being written (fetch's `.part`, compile's `.tmp`)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| {
            let t = e.file_name().to_str().and_then(crate::bgp::date_in_name)?;
            Some((t, e.path()))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The file of `dir` whose name carries the latest date not after `at`
/// (any date when `at` is `None`), with that date.
pub fn dated_file(
    dir: &Path,
    at: Option<crate::time::Timestamp>,
) -> Result<Option<(PathBuf, crate::time::Timestamp)>, LoadError> {
    Ok(dated_files(dir)?
        .into_iter()
        .rev()
        .find(|(t, _)| at.is_none_or(|at| *t <= at))
        .map(|(t, p)| (p, t)))
}
