//! `tenure fetch`: downloads the sources the configuration names (by
//! default the registries' public dumps and statistics, IANA's files and
//! the routing files) into one data directory, and tells a running server
//! to reload what changed.
//!
//! Per source: a conditional request (`If-None-Match` / `If-Modified-Since`
//! from the last download, kept in `.tenure-fetch.json` in the directory);
//! the body streamed into a `.part` file with its SHA-256 and MD5; then the
//! checks: the size `Content-Length` announced, a gzip file's own trailer
//! (a cut file fails it), the published checksum when the source names one
//! (`md5:` or `sha256:`, a companion URL or the digest itself), and a
//! second look at the URL's validators (`HEAD`): a file that changed while
//! it downloaded is fetched again. Only then the file replaces the current
//! one (rename within the directory: a reader sees the old file or the new
//! one), the old one kept in `previous/`. A body identical to the current
//! file counts as unchanged. A source whose file names a directory
//! (`dated`) keeps every download under a dated name there, newest
//! serving, for `--at` (routing files).
//!
//! `serve`, `check` and `lookup` given the same `fetch-dir` load what this
//! wrote there, each file by its kind.

use crate::config::{FetchKind, FetchSource};
use crate::md5::Md5;
use crate::outbound::{Client, ClientError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The state file in the data directory.
pub const STATE_FILE: &str = ".tenure-fetch.json";
/// Attempts at a file whose validators changed while it downloaded.
const ATTEMPTS: usize = 3;

/// Everything `fetch` needs, resolved from the configuration.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub dir: PathBuf,
    pub sources: Vec<FetchSource>,
    pub ca_files: Vec<PathBuf>,
    /// Trust the system's CA bundle too.
    pub system_trust: bool,
    /// Longest wait for any step (connect, head, each piece of a body).
    pub stall: Duration,
    /// The running server's admin listener (`http://HOST:PORT`).
    pub reload: Option<String>,
    pub admin_token: Option<String>,
    /// Dated downloads kept per source.
    pub keep: usize,
    /// Only the sources whose file names are listed (all when empty).
    pub only: Vec<String>,
    /// Databases mirrored by NRTMv4.
    pub nrtm: Vec<crate::config::NrtmSource>,
}

/// What became of one source.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Changed {
        path: PathBuf,
        bytes: u64,
    },
    Unchanged,
    Failed(String),
    /// Part applied, then refused (an NRTM delta after good ones).
    ChangedThenFailed(String),
}

/// One source's result.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub file: String,
    pub kind: FetchKind,
    pub outcome: Outcome,
}

/// The directory state: per file, what was downloaded last.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    files: BTreeMap<String, Entry>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Entry {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    size: u64,
    sha256: String,
    /// The file written (for dated sources, the dated name).
    path: PathBuf,
    /// When a fetch last found the file current (Unix seconds).
    #[serde(default)]
    checked: Option<i64>,
}

/// Why a download was not taken.
#[derive(Debug, thiserror::Error)]
enum Refused {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("truncated: {got} of {want} bytes{why}")]
    Truncated { got: u64, want: u64, why: String },
    #[error("not a complete gzip file: {0}")]
    Gzip(String),
    #[error("{algo} mismatch: published {want}, downloaded {got}")]
    Checksum {
        algo: &'static str,
        want: String,
        got: String,
    },
    #[error("checksum: {0}")]
    ChecksumSource(String),
    #[error("changed on the server while downloading, {ATTEMPTS} times")]
    Moving,
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("latest: {0}")]
    Latest(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Refused + '_ {
    move |source| Refused::Io {
        path: path.into(),
        source,
    }
}

/// Fetches every source (three at a time), then asks the server to reload
/// what changed. Failures of one source do not stop the others.
pub async fn run(settings: &FetchSettings) -> Result<Vec<Fetched>, String> {
    std::fs::create_dir_all(&settings.dir)
        .map_err(|e| format!("{}: {e}", settings.dir.display()))?;
    let client = Client::new(&settings.ca_files, settings.system_trust, settings.stall)
        .map_err(|e| e.to_string())?;
    let state_path = settings.dir.join(STATE_FILE);
    let state: State = std::fs::read(&state_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let state = std::sync::Arc::new(tokio::sync::Mutex::new(state));
    let bar = std::io::stderr().is_terminal();
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(3));
    let mut tasks = Vec::new();
    for src in &settings.sources {
        if !settings.only.is_empty() && !settings.only.contains(&src.file) {
            continue;
        }
        let (client, src, state, limit) =
            (client.clone(), src.clone(), state.clone(), limit.clone());
        let (dir, keep) = (settings.dir.clone(), settings.keep);
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await;
            let started = Instant::now();
            let prior = state.lock().await.files.get(&src.file).cloned();
            let outcome = match one(&client, &src, &dir, prior, keep, bar).await {
                Ok(Some(mut entry)) => {
                    entry.checked = Some(crate::time::now());
                    let o = Outcome::Changed {
                        path: entry.path.clone(),
                        bytes: entry.size,
                    };
                    state.lock().await.files.insert(src.file.clone(), entry);
                    o
                }
                Ok(None) => {
                    if let Some(e) = state.lock().await.files.get_mut(&src.file) {
                        e.checked = Some(crate::time::now());
                    }
                    Outcome::Unchanged
                }
                Err(e) => Outcome::Failed(e.to_string()),
            };
            let secs = started.elapsed().as_secs_f64();
            match &outcome {
                Outcome::Changed { bytes, .. } => tracing::info!(
                    "fetch: {}: new, {} in {secs:.1} s from {}",
                    src.file,
                    human(*bytes),
                    src.url
                ),
                Outcome::Unchanged => {
                    tracing::info!("fetch: {}: unchanged ({secs:.1} s)", src.file)
                }
                Outcome::Failed(e) | Outcome::ChangedThenFailed(e) => tracing::warn!(
                    "fetch: {}: failed, the current file stays: {e} ({})",
                    src.file,
                    src.url
                ),
            }
            Fetched {
                file: src.file.clone(),
                kind: src.kind,
                outcome,
            }
        }));
    }
    let mut done = Vec::new();
    for t in tasks {
        match t.await {
            Ok(f) => done.push(f),
            Err(e) => return Err(format!("a download task failed: {e}")),
        }
    }
    for src in &settings.nrtm {
        if !settings.only.is_empty() && !settings.only.contains(&src.file) {
            continue;
        }
        let m = crate::mirror::update(&client, src, &settings.dir).await;
        let path = settings.dir.join(&src.file);
        let outcome = match (&m.refused, m.changed) {
            (None, true) => {
                tracing::info!(
                    "nrtm {}: now at version {}{}",
                    src.source,
                    m.version,
                    if m.snapshot {
                        " (from the snapshot)"
                    } else {
                        ""
                    }
                );
                Outcome::Changed {
                    bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
                    path,
                }
            }
            (None, false) => {
                tracing::info!("nrtm {}: up to date at version {}", src.source, m.version);
                Outcome::Unchanged
            }
            (Some(e), changed) => {
                tracing::warn!(
                    "nrtm {}: update refused at version {}{}: {e}",
                    src.source,
                    m.version,
                    if changed {
                        " (what applied before stays)"
                    } else {
                        ", the mirror stays as it was"
                    }
                );
                if changed {
                    Outcome::ChangedThenFailed(e.clone())
                } else {
                    Outcome::Failed(e.clone())
                }
            }
        };
        done.push(Fetched {
            file: src.file.clone(),
            // deltas alone are journaled and served over the file read;
            // a new snapshot is a new file
            kind: match m.snapshot {
                true => FetchKind::Dump,
                false => FetchKind::MirrorDeltas,
            },
            outcome,
        });
    }
    let state = state.lock().await;
    write_atomic(
        &state_path,
        &serde_json::to_vec_pretty(&*state).unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    if let Some(admin) = &settings.reload {
        for scope in scopes(&done) {
            reload(&client, admin, scope, settings.admin_token.as_deref()).await?;
        }
    }
    Ok(done)
}

/// When fetch or an NRTM mirror last found each file of `dir` current
/// (Unix seconds): the checks a server's data-age figures count, beside
/// the files' own modification times.
pub fn confirmed(dir: &Path) -> BTreeMap<PathBuf, i64> {
    let mut out = BTreeMap::new();
    if let Some(state) = std::fs::read(dir.join(STATE_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice::<State>(&b).ok())
    {
        for e in state.files.into_values() {
            if let Some(t) = e.checked {
                out.insert(e.path, t);
            }
        }
    }
    for k in crate::mirror::all_kept(dir) {
        if let (Some(file), Ok(t)) = (k.file, crate::time::parse(&k.mirror.timestamp)) {
            out.insert(dir.join(file), t);
        }
    }
    out
}

/// The age in seconds of each loaded file's data: now less the later of
/// its modification time when loaded and the last check that found it
/// current (`confirmed`, counted only while the file on disk is still the
/// one loaded). Files built into the binary have none.
pub fn data_ages(
    files: &[crate::dump::FileReport],
    fetch_dir: Option<&Path>,
    now: i64,
) -> Vec<(PathBuf, i64)> {
    let confirmed = fetch_dir.map(confirmed).unwrap_or_default();
    files
        .iter()
        .filter_map(|f| {
            let m = f.modified?;
            let still = crate::dump::modified(&f.path) == Some(m);
            let checked = confirmed
                .get(&f.path)
                .copied()
                .filter(|_| still)
                .unwrap_or(m);
            Some((f.path.clone(), now - m.max(checked)))
        })
        .collect()
}

/// The reloads the changed files need: `all` when any registry file
/// changed (it reloads everything), else `leases` and `routing` as needed.
pub fn scopes(done: &[Fetched]) -> Vec<&'static str> {
    let changed = |f: &&Fetched| {
        matches!(
            f.outcome,
            Outcome::Changed { .. } | Outcome::ChangedThenFailed(_)
        )
    };
    let mut scopes: Vec<&'static str> = done
        .iter()
        .filter(changed)
        .map(|f| f.kind.scope())
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    if scopes.contains(&"all") {
        return vec!["all"];
    }
    scopes
}

/// How many times a reload is asked of a server that answers 503 (its
/// first load still running), a second apart.
const RELOAD_TRIES: u32 = 60;

async fn reload(
    client: &Client,
    admin: &str,
    scope: &str,
    token: Option<&str>,
) -> Result<(), String> {
    let url = format!("{}/admin/reload?scope={scope}", admin.trim_end_matches('/'));
    let headers: Vec<(&str, String)> = token
        .map(|t| vec![("authorization", format!("Bearer {t}"))])
        .unwrap_or_default();
    // a server still in its first load answers 503 with Retry-After:
    // asked again, a second apart, at most RELOAD_TRIES times
    let mut tries = 0;
    let (status, text) = loop {
        let mut resp = client
            .request(hyper::Method::POST, &url, &headers)
            .await
            .map_err(|e| format!("asking {url} to reload: {e}"))?;
        let mut body = Vec::new();
        while let Ok(Some(c)) = resp.chunk().await {
            body.extend_from_slice(&c);
            if body.len() > 4096 {
                break;
            }
        }
        let text = String::from_utf8_lossy(&body).to_string();
        tries += 1;
        let passes = resp.status == 503 && resp.header("retry-after").is_some();
        if !passes || tries >= RELOAD_TRIES {
            break (resp.status, text);
        }
        tracing::info!(
            "fetch: {url} answered 503 ({}), asking again in a second",
            text.trim()
        );
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    };
    if status != 200 {
        return Err(format!(
            "asking {url} to reload: HTTP {}: {}",
            status,
            text.trim()
        ));
    }
    tracing::info!("fetch: server reloaded ({scope}): {}", text.trim());
    Ok(())
}

/// One source: `Some(entry)` when a new file was written.
async fn one(
    client: &Client,
    src: &FetchSource,
    dir: &Path,
    prior: Option<Entry>,
    keep: usize,
    bar: bool,
) -> Result<Option<Entry>, Refused> {
    let url = match src.latest {
        Some(crate::config::Latest::CaidaLog) => caida_latest(client, &src.url).await?,
        None => src.url.clone(),
    };
    let target = if src.dated {
        dir.join(&src.file)
            .join(dated_name(last_segment(&url), crate::time::now()))
    } else {
        dir.join(&src.file)
    };
    let prior = prior.filter(|p| p.url == url && p.path.is_file());
    if src.dated && target.is_file() && prior.as_ref().is_some_and(|p| p.path == target) {
        // a dated name is written once: the same file is not fetched again
        return Ok(None);
    }
    let parent = target.parent().unwrap_or(dir).to_path_buf();
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    // named after the file it becomes: two sources whose URLs end alike
    // download at once without sharing a part file
    let part = parent.join(format!(
        ".{}.part",
        target.file_name().unwrap_or_default().to_string_lossy()
    ));
    for _ in 0..ATTEMPTS {
        let mut headers = Vec::new();
        if let Some(p) = &prior {
            if let Some(e) = &p.etag {
                headers.push(("if-none-match", e.clone()));
            }
            if let Some(m) = &p.last_modified {
                headers.push(("if-modified-since", m.clone()));
            }
        }
        let mut resp = client.request(hyper::Method::GET, &url, &headers).await?;
        if resp.status == 304 && prior.is_some() {
            return Ok(None);
        }
        if resp.status != 200 {
            return Err(Refused::Status(resp.status));
        }
        let etag = resp.header("etag").map(str::to_string);
        let modified = resp.header("last-modified").map(str::to_string);
        let want = resp.content_length();
        let (size, sha256, md5) = download(&mut resp, &part, want, &src.file, bar).await?;
        if let Some(want) = want {
            if size != want {
                let _ = std::fs::remove_file(&part);
                return Err(Refused::Truncated {
                    got: size,
                    want,
                    why: String::new(),
                });
            }
        }
        if let Err(e) = check_gzip(&part, &url).await {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
        if let Some(spec) = &src.checksum {
            if let Err(e) = check_sum(client, spec, &sha256, &md5).await {
                let _ = std::fs::remove_file(&part);
                return Err(e);
            }
        }
        // the file is the one the validators name only if they still hold
        if etag.is_some() || modified.is_some() {
            let head = client.request(hyper::Method::HEAD, &url, &[]).await?;
            let moved = (etag.is_some() && head.header("etag") != etag.as_deref())
                || (modified.is_some() && head.header("last-modified") != modified.as_deref());
            if moved {
                tracing::info!("fetch: {}: changed while downloading, again", src.file);
                continue;
            }
        }
        if prior
            .as_ref()
            .is_some_and(|p| p.sha256 == sha256 && p.size == size)
        {
            let _ = std::fs::remove_file(&part);
            return Ok(None);
        }
        install(&part, &target, dir, src.dated)?;
        if src.dated {
            prune(&parent, keep);
        }
        return Ok(Some(Entry {
            url,
            etag,
            last_modified: modified,
            size,
            sha256,
            path: target,
            checked: None,
        }));
    }
    let _ = std::fs::remove_file(&part);
    Err(Refused::Moving)
}

/// Streams a body into `part`, hashing it; a bar on a terminal.
async fn download(
    resp: &mut crate::outbound::Response,
    part: &Path,
    want: Option<u64>,
    name: &str,
    bar: bool,
) -> Result<(u64, String, String), Refused> {
    let mut out =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(part).map_err(io(part))?);
    let mut sha = ring::digest::Context::new(&ring::digest::SHA256);
    let mut md5 = Md5::default();
    let mut size = 0u64;
    let mut drawn = Instant::now();
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                drop(out);
                let _ = std::fs::remove_file(part);
                return Err(match (e, want) {
                    (ClientError::Http(h), Some(want)) => Refused::Truncated {
                        got: size,
                        want,
                        why: chain(&h),
                    },
                    (e, _) => e.into(),
                });
            }
        };
        out.write_all(&chunk).map_err(io(part))?;
        sha.update(&chunk);
        md5.update(&chunk);
        size += chunk.len() as u64;
        if let Some(w) = want {
            if size > w {
                drop(out);
                let _ = std::fs::remove_file(part);
                return Err(Refused::Truncated {
                    got: size,
                    want: w,
                    why: " (more than announced)".into(),
                });
            }
        }
        if bar && drawn.elapsed() > Duration::from_millis(200) {
            drawn = Instant::now();
            draw(name, size, want);
        }
    }
    if bar {
        draw(name, size, want);
        eprintln!();
    }
    let file = out.into_inner().map_err(|e| Refused::Io {
        path: part.into(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(io(part))?;
    Ok((size, crate::md5::hex(sha.finish().as_ref()), md5.hex()))
}

/// An error and its causes, as one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = String::new();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    format!(" ({e}{out})")
}

fn draw(name: &str, size: u64, want: Option<u64>) {
    let line = match want {
        Some(w) if w > 0 => {
            let done = (size.min(w) * 30 / w) as usize;
            format!(
                "\r{name:<32} [{}{}] {:>3}% {}",
                "#".repeat(done),
                " ".repeat(30 - done),
                size.min(w) * 100 / w,
                human(size)
            )
        }
        _ => format!("\r{name:<32} {}", human(size)),
    };
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes());
    let _ = err.flush();
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// A gzip file (by its magic bytes or its name) must decompress to its
/// end with its CRC and length right: a cut download fails here even
/// without a `Content-Length`.
async fn check_gzip(part: &Path, url: &str) -> Result<(), Refused> {
    let part = part.to_path_buf();
    let named = url.ends_with(".gz");
    tokio::task::spawn_blocking(move || {
        let mut f = std::fs::File::open(&part).map_err(io(&part))?;
        let mut magic = [0u8; 2];
        let n = f.read(&mut magic).map_err(io(&part))?;
        if !(named || (n == 2 && magic == [0x1f, 0x8b])) {
            return Ok(());
        }
        let f = std::fs::File::open(&part).map_err(io(&part))?;
        let mut gz =
            flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(1 << 20, f));
        std::io::copy(&mut gz, &mut std::io::sink()).map_err(|e| Refused::Gzip(e.to_string()))?;
        Ok(())
    })
    .await
    .map_err(|e| Refused::Gzip(e.to_string()))?
}

/// Checks a download against `md5:X` / `sha256:X`, where X is the digest
/// or the URL of a file holding it (`MD5 (name) = hex`, `hex  name`, or the
/// digest alone).
async fn check_sum(client: &Client, spec: &str, sha256: &str, md5: &str) -> Result<(), Refused> {
    let (algo, value, got, len) = match spec.split_once(':') {
        Some(("md5", v)) => ("MD5", v, md5, 32),
        Some(("sha256", v)) => ("SHA-256", v, sha256, 64),
        _ => {
            return Err(Refused::ChecksumSource(format!(
                "{spec}: not md5:... or sha256:..."
            )))
        }
    };
    let text = if value.starts_with("https://") || value.starts_with("http://") {
        let mut resp = client.request(hyper::Method::GET, value, &[]).await?;
        if resp.status != 200 {
            return Err(Refused::ChecksumSource(format!(
                "{value}: HTTP {}",
                resp.status
            )));
        }
        let body = resp.body(64 * 1024).await.map_err(|e| match e {
            ClientError::TooLong(_) => Refused::ChecksumSource(format!("{value}: too long")),
            e => e.into(),
        })?;
        String::from_utf8_lossy(&body).into_owned()
    } else {
        value.to_string()
    };
    let want = text
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|t| t.len() == len)
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| Refused::ChecksumSource(format!("no {algo} digest in {value}")))?;
    if want != got {
        return Err(Refused::Checksum {
            algo,
            want,
            got: got.to_string(),
        });
    }
    Ok(())
}

/// The newest file a CAIDA `pfx2as-creation.log` lists (its last line's
/// last column, a path relative to the log's directory).
async fn caida_latest(client: &Client, log_url: &str) -> Result<String, Refused> {
    let mut resp = client.request(hyper::Method::GET, log_url, &[]).await?;
    if resp.status != 200 {
        return Err(Refused::Status(resp.status));
    }
    let body = resp.body(64 << 20).await.map_err(|e| match e {
        ClientError::TooLong(_) => Refused::Latest("creation log over 64 MiB".into()),
        e => e.into(),
    })?;
    let text = String::from_utf8_lossy(&body);
    let path = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split_whitespace().last())
        .ok_or_else(|| Refused::Latest(format!("{log_url}: no file listed")))?;
    Ok(crate::outbound::resolve(&resp.url, path))
}

/// A dated source's file name: the URL's own when it carries a date
/// (CAIDA's do), else the name with the download's time before its
/// extension (`vrps.json` -> `vrps-20261127-0130.json`).
pub fn dated_name(name: &str, now: crate::time::Timestamp) -> String {
    if crate::bgp::date_in_name(name).is_some() {
        return name.to_string();
    }
    // 2026-11-27T01:30:00Z -> 20261127-0130
    let t: String = crate::time::format(now)
        .chars()
        .filter(char::is_ascii_digit)
        .take(12)
        .collect();
    let stamp = format!("{}-{}", t.get(..8).unwrap_or(""), t.get(8..).unwrap_or(""));
    match name.find('.') {
        Some(i) if i > 0 => format!(
            "{}-{stamp}{}",
            name.get(..i).unwrap_or(name),
            name.get(i..).unwrap_or("")
        ),
        _ => format!("{name}-{stamp}"),
    }
}

fn last_segment(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or("download")
}

/// Puts a checked download in place: the current file moves to
/// `previous/`, the new one is renamed over it (one directory, so a reader
/// opening the path sees one whole file), and the directory is synced.
fn install(part: &Path, target: &Path, dir: &Path, dated: bool) -> Result<(), Refused> {
    if !dated && target.is_file() {
        let prev = dir.join("previous");
        std::fs::create_dir_all(&prev).map_err(io(&prev))?;
        let name = target.file_name().unwrap_or_default();
        let old = prev.join(name);
        // a hard link keeps the current file in place until the rename
        let _ = std::fs::remove_file(&old);
        if std::fs::hard_link(target, &old).is_err() {
            std::fs::copy(target, &old).map_err(io(&old))?;
        }
    }
    std::fs::rename(part, target).map_err(io(target))?;
    if let Some(parent) = target.parent() {
        if let Ok(d) = std::fs::File::open(parent) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Keeps the newest `keep` dated files of a directory.
pub fn prune(dir: &Path, keep: usize) {
    let Ok(files) = crate::dump::dated_files(dir) else {
        return;
    };
    if files.len() > keep {
        for (_, path) in &files[..files.len() - keep] {
            if std::fs::remove_file(path).is_ok() {
                tracing::info!("fetch: removed {} (keeping {keep})", path.display());
            }
        }
    }
}

/// Writes a small file whole or not at all (a temporary beside it,
/// synced, renamed over it).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched(kind: FetchKind, changed: bool) -> Fetched {
        Fetched {
            file: "f".into(),
            kind,
            outcome: if changed {
                Outcome::Changed {
                    path: "f".into(),
                    bytes: 1,
                }
            } else {
                Outcome::Unchanged
            },
        }
    }

    #[test]
    fn reload_scopes_follow_what_changed() {
        assert!(scopes(&[fetched(FetchKind::Dump, false)]).is_empty());
        assert_eq!(
            scopes(&[
                fetched(FetchKind::Pfx2as, true),
                fetched(FetchKind::Vrps, true)
            ]),
            ["routing"]
        );
        assert_eq!(
            scopes(&[
                fetched(FetchKind::Leases, true),
                fetched(FetchKind::Vrps, true)
            ]),
            ["leases", "routing"]
        );
        assert_eq!(
            scopes(&[
                fetched(FetchKind::Leases, true),
                fetched(FetchKind::Delegated, true)
            ]),
            ["all"]
        );
    }

    #[test]
    fn dated_names() {
        let t = crate::time::parse("2026-11-27T01:30:00Z").unwrap();
        assert_eq!(dated_name("vrps.json", t), "vrps-20261127-0130.json");
        assert_eq!(dated_name("vrps", t), "vrps-20261127-0130");
        assert_eq!(
            dated_name("routeviews-rv2-20261124-1200.pfx2as.gz", t),
            "routeviews-rv2-20261124-1200.pfx2as.gz"
        );
        assert!(crate::bgp::date_in_name(&dated_name("vrps.json", t)).is_some());
    }

    #[test]
    fn last_segments() {
        assert_eq!(last_segment("https://a.example/x/y.gz?q=1"), "y.gz");
        assert_eq!(last_segment("https://a.example/x/"), "x");
    }
}
