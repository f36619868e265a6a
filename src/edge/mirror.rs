//! The NRTMv4 mirror client (`[[nrtm]]` sources of `tenure fetch`): reads
//! the Update Notification File, verifies it ([`crate::nrtm`]), fetches the
//! snapshot or the deltas it needs, checks each file's SHA-256, applies
//! each delta whole (a delta that fails any check is not applied, nor any
//! after it), and writes the mirrored database as one RPSL file in the
//! fetch directory (renamed into place: a loader reads the old version or
//! the new one) with its state beside it (`.nrtm-FILE.json`: session,
//! version, known file hashes, keys, refusals). The mirror file's first
//! line names its source, session and version ([`nrtm::MirrorMark`]); the
//! deltas applied are appended to its journal (`.nrtm-FILE.journal`,
//! [`nrtm::append_journal`]) after the file is renamed into place, and a
//! server that read the file at an older version serves the journal's
//! later deltas over it (`reload?scope=mirrors`, which fetch asks) instead
//! of reading the file again. A new snapshot starts a new journal, and so
//! needs a full reload.

use crate::config::NrtmSource;
use crate::nrtm::{
    self, Mirror, MirrorState, Notification, NrtmError, Plan, PublicKey, VerifiedBy,
};
use crate::outbound::Client;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest notification read (RIPE's is a few KiB).
const MAX_NOTIFICATION: usize = 16 << 20;
/// Largest snapshot or delta read, before decompression.
const MAX_FILE: usize = 8 << 30;
/// A journal longer than this starts over from the version before the
/// run's deltas (servers whose mirror file is older then read the file
/// again).
const MAX_JOURNAL: u64 = 64 << 20;

/// The state kept beside the mirror: the protocol's and the refusals.
#[derive(Debug, Default, serde::Serialize, Deserialize)]
pub struct Kept {
    #[serde(flatten)]
    pub mirror: MirrorState,
    /// Updates refused, by reason (signature, hash, version, invalid).
    #[serde(default)]
    pub refused: BTreeMap<String, u64>,
    /// The last refusal, said in full.
    #[serde(default)]
    pub last_refusal: Option<String>,
    /// The mirror file (in the fetch directory).
    #[serde(default)]
    pub file: Option<String>,
    /// The source mirrored.
    #[serde(default)]
    pub source: String,
}

/// What one run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirrored {
    /// The version the mirror file holds now.
    pub version: u64,
    /// The file was rewritten (a snapshot or at least one delta applied).
    pub changed: bool,
    /// It started over from the snapshot.
    pub snapshot: bool,
    /// Why the update stopped short, if it did (what applied before
    /// stays applied).
    pub refused: Option<String>,
}

/// The state file of a mirror (named after its file: two mirrors of one
/// source keep apart).
pub fn state_path(dir: &Path, file: &str) -> PathBuf {
    dir.join(format!(".nrtm-{file}.json"))
}

/// Reads a mirror's kept state, if any.
pub fn kept(dir: &Path, file: &str) -> Option<Kept> {
    let bytes = std::fs::read(state_path(dir, file)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Every mirror's kept state in a fetch directory, by source and file.
pub fn all_kept(dir: &Path) -> Vec<Kept> {
    let mut v: Vec<Kept> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let file = name
                .strip_prefix(".nrtm-")?
                .strip_suffix(".json")?
                .to_string();
            kept(dir, &file)
        })
        .collect();
    v.sort_by(|a, b| (&a.source, &a.file).cmp(&(&b.source, &b.file)));
    v
}

fn reason(e: &NrtmError) -> &'static str {
    match e {
        NrtmError::NotJws
        | NrtmError::Algorithm(_)
        | NrtmError::Signature(_)
        | NrtmError::Key(_) => "signature",
        NrtmError::Hash { .. } | NrtmError::Rehashed { .. } => "hash",
        NrtmError::Older { .. } | NrtmError::Gap(_) => "version",
        NrtmError::Invalid { .. } | NrtmError::Record { .. } => "invalid",
    }
}

/// Brings one mirror up to the notification's version.
pub async fn update(client: &Client, src: &NrtmSource, dir: &Path) -> Mirrored {
    let mut kept = kept(dir, &src.file).unwrap_or_default();
    kept.file = Some(src.file.clone());
    kept.source = src.source.to_ascii_uppercase();
    let mut out = Mirrored {
        version: kept.mirror.version,
        changed: false,
        snapshot: false,
        refused: None,
    };
    if let Err(e) = run(client, src, dir, &mut kept, &mut out).await {
        if let Refusal::Protocol(e) = &e {
            *kept.refused.entry(reason(e).to_string()).or_default() += 1;
            kept.last_refusal = Some(e.to_string());
        }
        out.refused = Some(e.to_string());
    }
    out.version = kept.mirror.version;
    if let Err(e) = write_state(dir, &src.file, &kept) {
        out.refused = Some(format!("{}: {e}", state_path(dir, &src.file).display()));
    }
    out
}

#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error(transparent)]
    Protocol(#[from] NrtmError),
    #[error("{0}")]
    Other(String),
}

async fn run(
    client: &Client,
    src: &NrtmSource,
    dir: &Path,
    kept: &mut Kept,
    out: &mut Mirrored,
) -> Result<(), Refusal> {
    let other = |m: String| Refusal::Other(m);
    let pem = match &kept.mirror.rotated_key {
        Some(k) => k.clone(),
        None => std::fs::read_to_string(&src.public_key)
            .map_err(|e| other(format!("{}: {e}", src.public_key.display())))?,
    };
    let current = PublicKey::from_pem(&pem)?;
    let next = kept
        .mirror
        .next_key
        .as_deref()
        .map(PublicKey::from_pem)
        .transpose()?;
    let jose = get(client, &src.url, MAX_NOTIFICATION)
        .await
        .map_err(other)?;
    let (n, by) = nrtm::verify_notification(&jose, &current, next.as_ref(), &src.source)?;
    if by == VerifiedBy::Next {
        // rotation: the announced key is the only key from now on
        tracing::info!("nrtm {}: the notification is signed with the announced next key; it replaces the configured one", src.source);
        kept.mirror.rotated_key = kept.mirror.next_key.take();
    }
    if let Some(k) = &n.next_signing_key {
        let k = PublicKey::from_pem(k)?;
        if k.pem != current.pem && kept.mirror.next_key.as_deref() != Some(k.pem.as_str()) {
            tracing::info!(
                "nrtm {}: next signing key announced; kept for the rotation",
                src.source
            );
            kept.mirror.next_key = Some(k.pem);
        }
    }
    if let Some(t) = crate::time::parse(&n.timestamp)
        .ok()
        .filter(|t| crate::time::now() - t > 86_400)
    {
        tracing::warn!(
            "nrtm {}: the notification of {} is more than 24 hours old (stale server)",
            src.source,
            crate::time::format(t)
        );
    }
    let path = dir.join(&src.file);
    let state = Some(&kept.mirror).filter(|_| path.is_file());
    let plan = nrtm::plan(&n, state)?;
    let base = src.url.as_str();
    let (mut mirror, deltas, from_snapshot) = match plan {
        Plan::UpToDate => {
            kept.mirror.hashes = nrtm::hashes_of(&n);
            kept.mirror.timestamp = n.timestamp.clone();
            return Ok(());
        }
        Plan::Snapshot(s, deltas) => {
            let bytes = get(client, &crate::outbound::resolve(base, &s.url), MAX_FILE)
                .await
                .map_err(other)?;
            nrtm::check_hash("snapshot", &s, &bytes)?;
            let text = text_of(&s.url, &bytes).map_err(other)?;
            let (m, skipped) = Mirror::from_snapshot(&text, &n, s.version)?;
            if skipped > 0 {
                tracing::warn!(
                    "nrtm {}: snapshot {}: {skipped} records without a class and key skipped",
                    src.source,
                    s.version
                );
            }
            tracing::info!(
                "nrtm {}: snapshot {} of session {}: {} objects",
                src.source,
                s.version,
                n.session_id,
                m.objects.len()
            );
            kept.mirror.session_id = n.session_id.clone();
            kept.mirror.version = s.version;
            (m, deltas, true)
        }
        Plan::Deltas(deltas) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| other(format!("{}: {e}", path.display())))?;
            (Mirror::from_rpsl(&text), deltas, false)
        }
    };
    let mut failed = None;
    let mut changed = from_snapshot;
    // the version before this run's deltas: where their journal starts
    let before = kept.mirror.version;
    let mut journal: Vec<nrtm::JournalDelta> = Vec::new();
    for d in &deltas {
        match delta(client, base, d, &n).await {
            Ok(changes) => {
                let n_changes = changes.len();
                journal.push(nrtm::JournalDelta {
                    version: d.version,
                    changes: changes.clone(),
                });
                let missing = mirror.apply(changes);
                kept.mirror.version = d.version;
                changed = true;
                tracing::info!(
                    "nrtm {}: delta {} applied ({n_changes} changes{})",
                    src.source,
                    d.version,
                    if missing > 0 {
                        format!(", {missing} deletions of objects not mirrored")
                    } else {
                        String::new()
                    }
                );
            }
            Err(e) => {
                // nothing after a refused delta is applied
                failed = Some(e);
                break;
            }
        }
    }
    if changed {
        let mark = nrtm::MirrorMark {
            source: kept.source.clone(),
            session_id: kept.mirror.session_id.clone(),
            version: kept.mirror.version,
        };
        write_mirror(&path, &mirror, &mark)
            .map_err(|e| other(format!("{}: {e}", path.display())))?;
        // the journal after the file: a server reading both never finds
        // a delta in the journal that its mirror file lacks the versions
        // before of
        let jpath = nrtm::journal_path(&path);
        let restart = from_snapshot
            || std::fs::metadata(&jpath).is_ok_and(|m| m.len() > MAX_JOURNAL)
            || nrtm::read_journal(&jpath).ok().flatten().is_none_or(|j| {
                j.head.session_id != kept.mirror.session_id
                    || j.deltas.last().map_or(j.head.from, |d| d.version) != before
            });
        let head = nrtm::JournalHead {
            session_id: kept.mirror.session_id.clone(),
            from: before,
        };
        nrtm::append_journal(&jpath, &head, &journal, restart)
            .map_err(|e| other(format!("{}: {e}", jpath.display())))?;
    }
    out.changed = changed;
    out.snapshot = from_snapshot;
    kept.mirror.timestamp = n.timestamp.clone();
    match failed {
        Some(e) => Err(e),
        None => {
            kept.mirror.hashes = nrtm::hashes_of(&n);
            Ok(())
        }
    }
}

async fn delta(
    client: &Client,
    base: &str,
    d: &nrtm::FileRef,
    n: &Notification,
) -> Result<Vec<nrtm::Change>, Refusal> {
    let bytes = get(client, &crate::outbound::resolve(base, &d.url), MAX_FILE)
        .await
        .map_err(Refusal::Other)?;
    nrtm::check_hash("delta", d, &bytes)?;
    let text = text_of(&d.url, &bytes).map_err(Refusal::Other)?;
    Ok(Mirror::parse_delta(&text, n, d.version)?)
}

/// A file's text, gunzipped when its name ends in `.gz` (the hash is of
/// the compressed bytes, checked before).
fn text_of(url: &str, bytes: &[u8]) -> Result<String, String> {
    if url.split(['?', '#']).next().unwrap_or(url).ends_with(".gz") {
        let mut out = String::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_string(&mut out)
            .map_err(|e| format!("{url}: {e}"))?;
        Ok(out)
    } else {
        String::from_utf8(bytes.to_vec()).map_err(|_| format!("{url}: not UTF-8"))
    }
}

async fn get(client: &Client, url: &str, limit: usize) -> Result<Vec<u8>, String> {
    let mut resp = client
        .request(hyper::Method::GET, url, &[])
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if resp.status != 200 {
        return Err(format!("{url}: HTTP {}", resp.status));
    }
    resp.body(limit).await.map_err(|e| format!("{url}: {e}"))
}

fn write_mirror(path: &Path, m: &Mirror, mark: &nrtm::MirrorMark) -> std::io::Result<()> {
    let tmp = path.with_extension("nrtm-tmp");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    m.to_marked_rpsl(mark, &mut out)?;
    let f = out.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

fn write_state(dir: &Path, file: &str, kept: &Kept) -> std::io::Result<()> {
    crate::fetch::write_atomic(
        &state_path(dir, file),
        &serde_json::to_vec_pretty(kept).unwrap_or_default(),
    )
}
