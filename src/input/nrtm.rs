//! NRTM version 4 (`draft-ietf-grow-nrtm-v4`, RIPE's deployed mirroring
//! protocol), the parts that need no network: the Update Notification
//! File (a JWS in compact serialization, verified with the configured
//! public key or the `next_signing_key` a verified file announced), the
//! snapshot and delta files (RFC 7464 JSON text sequences; RIPE's
//! newline-delimited records are read too), what to fetch next from a
//! mirror's state, and the mirrored objects themselves, a delta applied
//! whole or not at all.
//!
//! Signatures: ES256 (ECDSA P-256, the algorithm every client must
//! support), ES384 and EdDSA / Ed25519, by ring. Keys are PEM
//! `PUBLIC KEY` (SubjectPublicKeyInfo), as RIPE publishes its own.

use ring::signature::{
    UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, ECDSA_P384_SHA384_FIXED, ED25519,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why an NRTMv4 file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NrtmError {
    #[error("notification: not a JWS in compact serialization")]
    NotJws,
    #[error(
        "notification: signature algorithm {0} is not supported (ES256, ES384, EdDSA/Ed25519)"
    )]
    Algorithm(String),
    #[error("notification: the signature does not verify with the configured key{0}")]
    Signature(&'static str),
    #[error("public key: {0}")]
    Key(String),
    #[error("{file}: {message}")]
    Invalid { file: &'static str, message: String },
    #[error("{what} {version}: SHA-256 {got}, the notification says {want}")]
    Hash {
        what: &'static str,
        version: u64,
        want: String,
        got: String,
    },
    #[error("notification: version {got} is older than the mirror's {have}")]
    Older { got: u64, have: u64 },
    #[error("notification: the deltas are not contiguous ({0})")]
    Gap(String),
    #[error("notification: {what} {version} changed its hash since an earlier notification")]
    Rehashed { what: &'static str, version: u64 },
    #[error("{file} record {record}: {message}")]
    Record {
        file: &'static str,
        record: usize,
        message: String,
    },
}

fn invalid(file: &'static str, message: impl Into<String>) -> NrtmError {
    NrtmError::Invalid {
        file,
        message: message.into(),
    }
}

/// A verification key: its algorithm family and raw public key bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    kind: KeyKind,
    raw: Vec<u8>,
    /// The PEM text it was read from (kept to record a rotated key).
    pub pem: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    P256,
    P384,
    Ed25519,
}

const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// One DER element: (tag, contents, rest).
fn der(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, b) = b.split_first()?;
    let (&len0, mut b) = b.split_first()?;
    let len = if len0 < 0x80 {
        len0 as usize
    } else {
        let n = (len0 & 0x7f) as usize;
        if n == 0 || n > 3 || b.len() < n {
            return None;
        }
        let (l, rest) = b.split_at(n);
        b = rest;
        l.iter().fold(0usize, |a, &x| (a << 8) | x as usize)
    };
    (b.len() >= len).then(|| (tag, &b[..len], &b[len..]))
}

impl PublicKey {
    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) of P-256, P-384 or
    /// Ed25519.
    pub fn from_pem(pem: &str) -> Result<PublicKey, NrtmError> {
        use rustls_pki_types::pem::PemObject;
        let spki = rustls_pki_types::SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| NrtmError::Key(format!("not a PEM public key: {e}")))?;
        let bad = || NrtmError::Key("not a SubjectPublicKeyInfo".into());
        let (0x30, body, _) = der(spki.as_ref()).ok_or_else(bad)? else {
            return Err(bad());
        };
        let (0x30, alg, rest) = der(body).ok_or_else(bad)? else {
            return Err(bad());
        };
        let (0x03, bits, _) = der(rest).ok_or_else(bad)? else {
            return Err(bad());
        };
        let (0x06, oid, params) = der(alg).ok_or_else(bad)? else {
            return Err(bad());
        };
        let kind = if oid == OID_ED25519 {
            KeyKind::Ed25519
        } else if oid == OID_EC {
            match der(params) {
                Some((0x06, c, _)) if c == OID_P256 => KeyKind::P256,
                Some((0x06, c, _)) if c == OID_P384 => KeyKind::P384,
                _ => {
                    return Err(NrtmError::Key(
                        "an EC key on a curve other than P-256 or P-384".into(),
                    ))
                }
            }
        } else {
            return Err(NrtmError::Key("neither an EC nor an Ed25519 key".into()));
        };
        // the BIT STRING's first byte counts unused bits (0 for keys)
        let raw = match bits.split_first() {
            Some((0, raw)) => raw.to_vec(),
            _ => return Err(bad()),
        };
        Ok(PublicKey {
            kind,
            raw,
            pem: pem.trim().to_string() + "\n",
        })
    }

    fn verifies(&self, alg: &str, message: &[u8], sig: &[u8]) -> Result<bool, NrtmError> {
        let algo: &dyn ring::signature::VerificationAlgorithm = match (alg, self.kind) {
            ("ES256", KeyKind::P256) => &ECDSA_P256_SHA256_FIXED,
            ("ES384", KeyKind::P384) => &ECDSA_P384_SHA384_FIXED,
            ("EdDSA" | "Ed25519", KeyKind::Ed25519) => &ED25519,
            ("ES256" | "ES384" | "EdDSA" | "Ed25519", _) => return Ok(false),
            (other, _) => return Err(NrtmError::Algorithm(other.to_string())),
        };
        Ok(UnparsedPublicKey::new(algo, &self.raw)
            .verify(message, sig)
            .is_ok())
    }
}

/// base64url without padding (RFC 7515's encoding; padding tolerated).
pub fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A file the notification names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub version: u64,
    pub url: String,
    pub hash: String,
}

/// The Update Notification File's payload.
#[derive(Debug, Clone, Deserialize)]
pub struct Notification {
    pub nrtm_version: u32,
    pub timestamp: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub next_signing_key: Option<String>,
    pub source: String,
    pub session_id: String,
    pub version: u64,
    pub snapshot: FileRef,
    #[serde(default)]
    pub deltas: Vec<FileRef>,
}

/// Which key verified a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifiedBy {
    Current,
    /// The next key a previous notification announced: from now on the
    /// only key.
    Next,
}

/// Verifies a notification's JWS with `current` (else with `next`, the
/// key an earlier verified notification announced) and checks its
/// payload against `source`.
pub fn verify_notification(
    jose: &[u8],
    current: &PublicKey,
    next: Option<&PublicKey>,
    source: &str,
) -> Result<(Notification, VerifiedBy), NrtmError> {
    let text = std::str::from_utf8(jose)
        .map_err(|_| NrtmError::NotJws)?
        .trim();
    let mut parts = text.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(NrtmError::NotJws);
    };
    let header = base64url(h).ok_or(NrtmError::NotJws)?;
    let header: serde_json::Value =
        serde_json::from_slice(&header).map_err(|_| NrtmError::NotJws)?;
    let alg = header
        .get("alg")
        .and_then(|a| a.as_str())
        .ok_or(NrtmError::NotJws)?;
    if let Some(crit) = header.get("crit") {
        // no extension is understood here: RFC 7515 4.1.11 says refuse
        return Err(invalid(
            "notification",
            format!("critical JWS header extensions {crit}"),
        ));
    }
    let sig = base64url(s).ok_or(NrtmError::NotJws)?;
    let signed = &text.as_bytes()[..h.len() + 1 + p.len()];
    let by = if current.verifies(alg, signed, &sig)? {
        VerifiedBy::Current
    } else if let Some(next) = next.filter(|n| n.verifies(alg, signed, &sig).unwrap_or(false)) {
        let _ = next;
        VerifiedBy::Next
    } else {
        return Err(NrtmError::Signature(if next.is_some() {
            " nor with the announced next key"
        } else {
            ""
        }));
    };
    let payload = base64url(p).ok_or(NrtmError::NotJws)?;
    let n: Notification =
        serde_json::from_slice(&payload).map_err(|e| invalid("notification", e.to_string()))?;
    check_notification(&n, source)?;
    Ok((n, by))
}

fn check_notification(n: &Notification, source: &str) -> Result<(), NrtmError> {
    let bad = |m: String| Err(invalid("notification", m));
    if n.nrtm_version != 4 {
        return bad(format!("nrtm_version {}", n.nrtm_version));
    }
    if n.kind != "notification" {
        return bad(format!("type {:?}", n.kind));
    }
    if !n.source.eq_ignore_ascii_case(source) {
        return bad(format!("source {} where {source} is configured", n.source));
    }
    if crate::time::parse(&n.timestamp).is_err() {
        return bad(format!("timestamp {:?}", n.timestamp));
    }
    let highest = n
        .deltas
        .iter()
        .map(|d| d.version)
        .max()
        .unwrap_or(0)
        .max(n.snapshot.version);
    if n.version != highest {
        return bad(format!(
            "version {} is not its files' highest ({highest})",
            n.version
        ));
    }
    for w in n.deltas.windows(2) {
        if w[1].version != w[0].version + 1 {
            return Err(NrtmError::Gap(format!(
                "{} then {}",
                w[0].version, w[1].version
            )));
        }
    }
    for f in n.deltas.iter().chain([&n.snapshot]) {
        if f.hash.len() != 64 || !f.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return bad(format!("hash {:?} of version {}", f.hash, f.version));
        }
        if f.url.is_empty() || f.url.contains("://") && !f.url.starts_with("https://") {
            return bad(format!("url {:?}", f.url));
        }
    }
    Ok(())
}

/// What the mirror knows between runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MirrorState {
    pub session_id: String,
    pub version: u64,
    /// A next signing key a verified notification announced (PEM).
    #[serde(default)]
    pub next_key: Option<String>,
    /// The key that replaced the configured one by rotation (PEM).
    #[serde(default)]
    pub rotated_key: Option<String>,
    /// Hashes of the files the last accepted notification named, by
    /// `snapshot:V` / `delta:V`, to refuse a notification that changes one.
    #[serde(default)]
    pub hashes: BTreeMap<String, String>,
    /// The last accepted notification's timestamp.
    #[serde(default)]
    pub timestamp: String,
}

/// What to fetch for a verified notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    UpToDate,
    /// Start over from the snapshot (first run, new session, or deltas no
    /// longer reaching back to the mirror's version), then these deltas.
    Snapshot(FileRef, Vec<FileRef>),
    Deltas(Vec<FileRef>),
}

/// Decides what to fetch; refuses a notification older than the mirror
/// or changing a file's hash.
pub fn plan(n: &Notification, state: Option<&MirrorState>) -> Result<Plan, NrtmError> {
    // start over: the snapshot and the deltas after it
    let restart = || {
        let after = n
            .deltas
            .iter()
            .filter(|d| d.version > n.snapshot.version)
            .cloned()
            .collect();
        Plan::Snapshot(n.snapshot.clone(), after)
    };
    let Some(st) = state.filter(|s| s.session_id == n.session_id && s.version > 0) else {
        return Ok(restart());
    };
    if n.version < st.version {
        return Err(NrtmError::Older {
            got: n.version,
            have: st.version,
        });
    }
    for (what, f) in n
        .deltas
        .iter()
        .map(|d| ("delta", d))
        .chain([("snapshot", &n.snapshot)])
    {
        if let Some(h) = st.hashes.get(&format!("{what}:{}", f.version)) {
            if !h.eq_ignore_ascii_case(&f.hash) {
                return Err(NrtmError::Rehashed {
                    what,
                    version: f.version,
                });
            }
        }
    }
    if n.version == st.version {
        return Ok(Plan::UpToDate);
    }
    let needed: Vec<FileRef> = n
        .deltas
        .iter()
        .filter(|d| d.version > st.version)
        .cloned()
        .collect();
    if needed.first().map(|d| d.version) != Some(st.version + 1) {
        // the deltas no longer reach back to this mirror
        return Ok(restart());
    }
    Ok(Plan::Deltas(needed))
}

/// The hashes of a notification's files, to remember.
pub fn hashes_of(n: &Notification) -> BTreeMap<String, String> {
    n.deltas
        .iter()
        .map(|d| (format!("delta:{}", d.version), d.hash.to_ascii_lowercase()))
        .chain([(
            format!("snapshot:{}", n.snapshot.version),
            n.snapshot.hash.to_ascii_lowercase(),
        )])
        .collect()
}

/// SHA-256 of bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::md5::hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// Checks a downloaded file against the notification's hash.
pub fn check_hash(what: &'static str, f: &FileRef, bytes: &[u8]) -> Result<(), NrtmError> {
    let got = sha256_hex(bytes);
    if !got.eq_ignore_ascii_case(&f.hash) {
        return Err(NrtmError::Hash {
            what,
            version: f.version,
            want: f.hash.clone(),
            got,
        });
    }
    Ok(())
}

/// The records of a JSON text sequence (RFC 7464: each record after an
/// RS byte, 0x1E), or of newline-delimited JSON as RIPE's test files are.
pub fn records(text: &str) -> Vec<&str> {
    if text.contains('\u{1e}') {
        text.split('\u{1e}')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .collect()
    } else {
        text.lines()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .collect()
    }
}

#[derive(Deserialize)]
struct Header {
    nrtm_version: u32,
    #[serde(rename = "type")]
    kind: String,
    source: String,
    session_id: String,
    version: u64,
}

fn check_header(
    file: &'static str,
    first: Option<&str>,
    n: &Notification,
    version: u64,
) -> Result<(), NrtmError> {
    let h: Header = serde_json::from_str(first.ok_or_else(|| invalid(file, "empty"))?)
        .map_err(|e| invalid(file, format!("header: {e}")))?;
    let kind = if file == "snapshot" {
        "snapshot"
    } else {
        "delta"
    };
    if h.nrtm_version != 4 || h.kind != kind {
        return Err(invalid(
            file,
            format!("header: version {} type {:?}", h.nrtm_version, h.kind),
        ));
    }
    if !h.source.eq_ignore_ascii_case(&n.source)
        || h.session_id != n.session_id
        || h.version != version
    {
        return Err(invalid(
            file,
            format!(
                "header names {} session {} version {}, the notification {} {} {version}",
                h.source, h.session_id, h.version, n.source, n.session_id
            ),
        ));
    }
    Ok(())
}

/// A change of a delta file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    AddModify(String),
    Delete { class: String, key: String },
}

/// A mirrored database: its objects by normalised (class, primary key).
#[derive(Debug, Default, Clone)]
pub struct Mirror {
    pub objects: BTreeMap<(String, String), String>,
}

/// The normal form of a class or key for matching: lowercase, no
/// whitespace (the specification matches keys case-insensitively; RIPE's
/// inetnum keys are ranges with spaces).
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The first value of attribute `name` in an RPSL text.
fn first_value<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.split('#').next().unwrap_or("").trim())
    })
}

/// An RPSL object's class and primary key (RFC 2622 / 4012 class keys:
/// `nic-hdl` of persons and roles, prefix and origin of routes; else the
/// attribute named as the class).
pub fn class_and_key(text: &str) -> Option<(String, String)> {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with(['#', '%']))?;
    let (class, value) = first.split_once(':')?;
    let class = class.trim().to_ascii_lowercase();
    let key = match class.as_str() {
        "person" | "role" => first_value(text, "nic-hdl")?.to_string(),
        "route" | "route6" => format!("{}{}", value.trim(), first_value(text, "origin")?),
        _ => value.split('#').next().unwrap_or("").trim().to_string(),
    };
    if class.is_empty() || key.is_empty() {
        return None;
    }
    Some((norm(&class), norm(&key)))
}

impl Mirror {
    /// The objects of a snapshot file (its header checked against the
    /// notification and version); an object whose class or key cannot be
    /// read is skipped and counted.
    pub fn from_snapshot(
        text: &str,
        n: &Notification,
        version: u64,
    ) -> Result<(Mirror, usize), NrtmError> {
        let recs = records(text);
        check_header("snapshot", recs.first().copied(), n, version)?;
        let mut m = Mirror::default();
        let mut skipped = 0;
        for (i, r) in recs.iter().enumerate().skip(1) {
            let v: serde_json::Value = serde_json::from_str(r).map_err(|e| NrtmError::Record {
                file: "snapshot",
                record: i,
                message: e.to_string(),
            })?;
            let Some(obj) = v.get("object").and_then(|o| o.as_str()) else {
                skipped += 1;
                continue;
            };
            match class_and_key(obj) {
                Some(k) => {
                    m.objects.insert(k, obj.to_string());
                }
                None => skipped += 1,
            }
        }
        Ok((m, skipped))
    }

    /// A delta file's changes, every record checked before any applies.
    pub fn parse_delta(
        text: &str,
        n: &Notification,
        version: u64,
    ) -> Result<Vec<Change>, NrtmError> {
        let recs = records(text);
        check_header("delta", recs.first().copied(), n, version)?;
        let mut out = Vec::with_capacity(recs.len().saturating_sub(1));
        for (i, r) in recs.iter().enumerate().skip(1) {
            let bad = |m: &str| NrtmError::Record {
                file: "delta",
                record: i,
                message: m.to_string(),
            };
            let v: serde_json::Value = serde_json::from_str(r).map_err(|e| bad(&e.to_string()))?;
            let s = |k: &str| v.get(k).and_then(|x| x.as_str());
            match s("action") {
                Some("add_modify") => {
                    let obj = s("object").ok_or_else(|| bad("add_modify without object"))?;
                    class_and_key(obj).ok_or_else(|| bad("object without a class and key"))?;
                    out.push(Change::AddModify(obj.to_string()));
                }
                Some("delete") => {
                    let (Some(c), Some(k)) = (s("object_class"), s("primary_key")) else {
                        return Err(bad("delete without object_class and primary_key"));
                    };
                    out.push(Change::Delete {
                        class: norm(c),
                        key: norm(k),
                    });
                }
                _ => return Err(bad("action is neither add_modify nor delete")),
            }
        }
        if out.is_empty() {
            return Err(invalid("delta", "no changes"));
        }
        Ok(out)
    }

    /// Applies parsed changes in order; returns deletions of objects the
    /// mirror did not have.
    pub fn apply(&mut self, changes: Vec<Change>) -> usize {
        let mut missing = 0;
        for c in changes {
            match c {
                Change::AddModify(obj) => {
                    if let Some(k) = class_and_key(&obj) {
                        self.objects.insert(k, obj);
                    }
                }
                Change::Delete { class, key } => {
                    if self.objects.remove(&(class, key)).is_none() {
                        missing += 1;
                    }
                }
            }
        }
        missing
    }

    /// The objects as an RPSL dump: each object's text, a blank line
    /// between them.
    pub fn to_rpsl(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for text in self.objects.values() {
            out.write_all(text.trim_end().as_bytes())?;
            out.write_all(b"\n\n")?;
        }
        Ok(())
    }

    /// A mirror file: its mark's line, a blank line, then
    /// [`Mirror::to_rpsl`].
    pub fn to_marked_rpsl(
        &self,
        mark: &MirrorMark,
        out: &mut impl std::io::Write,
    ) -> std::io::Result<()> {
        out.write_all(mark.line().as_bytes())?;
        out.write_all(b"\n")?;
        self.to_rpsl(out)
    }

    /// Reads back what [`Mirror::to_rpsl`] wrote.
    pub fn from_rpsl(text: &str) -> Mirror {
        let mut m = Mirror::default();
        for obj in text.split("\n\n").map(str::trim).filter(|o| !o.is_empty()) {
            if let Some(k) = class_and_key(obj) {
                m.objects.insert(k, format!("{obj}\n"));
            }
        }
        m
    }
}

/// The first line of a mirror file: which source, session and version it
/// holds (`# tenure-nrtm source=RIPE session=... version=N`), so that a
/// server that loaded it knows where its journal takes over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MirrorMark {
    pub source: String,
    pub session_id: String,
    pub version: u64,
}

const MARK: &str = "# tenure-nrtm ";

impl MirrorMark {
    /// The mark's line (with its newline).
    pub fn line(&self) -> String {
        format!(
            "{MARK}source={} session={} version={}\n",
            self.source, self.session_id, self.version
        )
    }

    /// Reads a mark from the first line of a file (`None`: not a mirror
    /// file).
    pub fn read(first_line: &str) -> Option<MirrorMark> {
        let rest = first_line.strip_prefix(MARK)?;
        let (mut source, mut session, mut version) = ("", "", None);
        for kv in rest.split_whitespace() {
            match kv.split_once('=')? {
                ("source", v) => source = v,
                ("session", v) => session = v,
                ("version", v) => version = v.parse().ok(),
                _ => {}
            }
        }
        let version = version.filter(|_| !source.is_empty() && !session.is_empty())?;
        Some(MirrorMark {
            source: source.to_string(),
            session_id: session.to_string(),
            version,
        })
    }
}

/// The journal beside a mirror file (`.nrtm-FILE.journal`): the deltas
/// applied to it, one JSON line each after a first line naming the
/// session and the version it starts from. A server that loaded the
/// mirror file at version V serves the deltas after V from it, without
/// reading the mirror again.
pub fn journal_path(mirror: &std::path::Path) -> std::path::PathBuf {
    let name = mirror
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    mirror.with_file_name(format!(".nrtm-{name}.journal"))
}

/// The journal's first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHead {
    pub session_id: String,
    /// The version before its first delta.
    pub from: u64,
}

/// One applied delta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalDelta {
    pub version: u64,
    pub changes: Vec<Change>,
}

/// A journal as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    pub head: JournalHead,
    /// In version order, each one after the one before.
    pub deltas: Vec<JournalDelta>,
}

/// Reads a journal: `Ok(None)` when there is none. A last line without
/// its newline is being written and is left for the next read; any other
/// line that does not read, or a version that does not follow the one
/// before, is an error (the caller reloads the mirror file instead).
pub fn read_journal(path: &std::path::Path) -> Result<Option<Journal>, String> {
    match std::fs::read(path) {
        Ok(b) => parse_journal(&b, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// A journal's bytes read as [`read_journal`] does (`path` names it in
/// errors).
pub fn parse_journal(bytes: &[u8], path: &std::path::Path) -> Result<Option<Journal>, String> {
    let complete = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(end) => &bytes[..end],
        None => return Ok(None),
    };
    let mut lines = complete.split(|&b| b == b'\n');
    let bad = |n: usize, e: &dyn std::fmt::Display| format!("{}:{n}: {e}", path.display());
    let head: JournalHead = match lines.next() {
        Some(l) => serde_json::from_slice(l).map_err(|e| bad(1, &e))?,
        None => return Ok(None),
    };
    let mut deltas: Vec<JournalDelta> = Vec::new();
    for (i, l) in lines.enumerate() {
        let d: JournalDelta = serde_json::from_slice(l).map_err(|e| bad(i + 2, &e))?;
        let want = deltas.last().map_or(head.from, |p| p.version) + 1;
        if d.version != want {
            return Err(bad(
                i + 2,
                &format!("version {} where {want} should follow", d.version),
            ));
        }
        deltas.push(d);
    }
    Ok(Some(Journal { head, deltas }))
}

/// Appends applied deltas to a journal; with `restart` (a new snapshot or
/// session, or a journal grown too long) the journal starts over from
/// `from` (written whole and renamed into place). Each line is written
/// with its newline in one write, then the file is synced.
pub fn append_journal(
    path: &std::path::Path,
    head: &JournalHead,
    deltas: &[JournalDelta],
    restart: bool,
) -> std::io::Result<()> {
    use std::io::Write;
    if restart || !path.is_file() {
        let tmp = path.with_extension("journal-tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&line(head))?;
        for d in deltas {
            f.write_all(&line(d))?;
        }
        f.sync_all()?;
        return std::fs::rename(&tmp, path);
    }
    let mut f = std::fs::OpenOptions::new().append(true).open(path)?;
    for d in deltas {
        f.write_all(&line(d))?;
    }
    f.sync_all()
}

/// A journal line: the value as JSON and a newline.
fn line<T: Serialize>(v: &T) -> Vec<u8> {
    let mut b = serde_json::to_vec(v).unwrap_or_default();
    b.push(b'\n');
    b
}

/// Every mirror change in order, collapsed to what each object is after
/// the last: its text, or `None` when deleted (by normalised class and
/// key). Objects whose class and key cannot be read are counted.
pub fn collapse<'a>(
    deltas: impl IntoIterator<Item = &'a JournalDelta>,
) -> (BTreeMap<(String, String), Option<String>>, usize) {
    let mut out = BTreeMap::new();
    let mut unreadable = 0;
    for d in deltas {
        for c in &d.changes {
            match c {
                Change::AddModify(obj) => match class_and_key(obj) {
                    Some(k) => {
                        out.insert(k, Some(obj.clone()));
                    }
                    None => unreadable += 1,
                },
                Change::Delete { class, key } => {
                    out.insert((class.clone(), key.clone()), None);
                }
            }
        }
    }
    (out, unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of RIPE's NRTMv4 test files in the shared registry excerpts
    /// (where the integration tests look for them too).
    fn shared(name: &str) -> Option<String> {
        let dirs = [
            std::env::var_os("TENURE_SHARED_DATA").map(std::path::PathBuf::from),
            Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")),
            Some("/work/shared/data".into()),
        ];
        let found = dirs
            .into_iter()
            .flatten()
            .find_map(|d| std::fs::read_to_string(d.join("nrtm").join(name)).ok());
        if found.is_none() {
            eprintln!("SKIPPED: no shared registry excerpts (set TENURE_SHARED_DATA)");
        }
        found
    }

    #[test]
    fn base64url_decodes_with_and_without_padding() {
        assert_eq!(base64url("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64url("-_8").unwrap(), [0xfb, 0xff]);
        assert!(base64url("a+b").is_none());
    }

    #[test]
    fn keys_of_every_class() {
        let k = |t: &str| class_and_key(t).unwrap();
        assert_eq!(
            k("inetnum:  192.0.2.0 - 192.0.2.255\nsource: RIPE\n"),
            ("inetnum".into(), "192.0.2.0-192.0.2.255".into())
        );
        assert_eq!(
            k("route:  192.0.2.0/24\norigin: AS65530\n"),
            ("route".into(), "192.0.2.0/24as65530".into())
        );
        assert_eq!(
            k("role: Abuse Desk\nnic-hdl: AD1-TEST\n"),
            ("role".into(), "ad1-test".into())
        );
        assert!(class_and_key("route: 192.0.2.0/24\n").is_none());
    }

    #[test]
    fn ripe_wrong_signature_is_refused_with_the_shipped_key() {
        let (Some(jose), Some(pem)) = (
            shared("ripe-whois-nrtm4-mock-nrtm-RIPE-wrong-signature.jose"),
            shared("ripe-whois-nrtm4-mock-public.key"),
        ) else {
            return;
        };
        let key = PublicKey::from_pem(&pem).unwrap();
        assert_eq!(key.kind, KeyKind::P256);
        // the header names Ed25519, the key is P-256: no verification
        let e = verify_notification(jose.as_bytes(), &key, None, "RIPE").unwrap_err();
        assert_eq!(e, NrtmError::Signature(""));
    }

    #[test]
    fn ripe_snapshot_and_deltas_read_and_apply() {
        let Some(snap) = shared("ripe-whois-nrtm4-mock-nrtm-snapshot.1.RIPE.json") else {
            return;
        };
        let n = Notification {
            nrtm_version: 4,
            timestamp: "2024-10-25T00:07:00Z".into(),
            kind: "notification".into(),
            next_signing_key: None,
            source: "RIPE".into(),
            session_id: "4521174b-548f-4e51-98fc-dfd720011a0c".into(),
            version: 5,
            snapshot: FileRef {
                version: 1,
                url: "s".into(),
                hash: "0".repeat(64),
            },
            deltas: vec![],
        };
        let (mut m, skipped) = Mirror::from_snapshot(&snap, &n, 1).unwrap();
        assert_eq!(skipped, 0);
        let before = m.objects.len();
        assert!(before > 0);
        // the header must name the version asked for
        assert!(Mirror::from_snapshot(&snap, &n, 2).is_err());
        for v in 2..=5 {
            let d = shared(&format!("ripe-whois-nrtm4-mock-nrtm-delta.{v}.RIPE.json")).unwrap();
            let changes = Mirror::parse_delta(&d, &n, v).unwrap();
            m.apply(changes);
        }
        // delta 3 deletes AS211871, delta 4 adds it back
        assert!(m
            .objects
            .contains_key(&("aut-num".into(), "as211871".into())));
        // the NONAUTH delta belongs to another source and session
        let other = shared("ripe-whois-nrtm4-mock-nrtm-delta.2.RIPE-NONAUTH.json").unwrap();
        assert!(Mirror::parse_delta(&other, &n, 2).is_err());
        // written and read back, the same objects
        let mut out = Vec::new();
        m.to_rpsl(&mut out).unwrap();
        let back = Mirror::from_rpsl(&String::from_utf8(out).unwrap());
        assert_eq!(back.objects.len(), m.objects.len());
    }

    fn note(version: u64, session: &str, deltas: &[u64]) -> Notification {
        Notification {
            nrtm_version: 4,
            timestamp: "2026-11-27T00:00:00Z".into(),
            kind: "notification".into(),
            next_signing_key: None,
            source: "TEST".into(),
            session_id: session.into(),
            version,
            snapshot: FileRef {
                version: deltas.first().map(|d| d - 1).unwrap_or(version),
                url: "snap".into(),
                hash: "a".repeat(64),
            },
            deltas: deltas
                .iter()
                .map(|&v| FileRef {
                    version: v,
                    url: format!("d{v}"),
                    hash: format!("{v:064}"),
                })
                .collect(),
        }
    }

    #[test]
    fn plans_follow_versions_and_sessions() {
        let st = |v| MirrorState {
            session_id: "s".into(),
            version: v,
            ..Default::default()
        };
        let n = note(5, "s", &[3, 4, 5]);
        assert!(matches!(plan(&n, None), Ok(Plan::Snapshot(_, _))));
        assert_eq!(plan(&n, Some(&st(5))), Ok(Plan::UpToDate));
        let Ok(Plan::Deltas(d)) = plan(&n, Some(&st(3))) else {
            panic!()
        };
        assert_eq!(d.iter().map(|d| d.version).collect::<Vec<_>>(), [4, 5]);
        // older than the mirror: refused
        assert!(matches!(
            plan(&n, Some(&st(6))),
            Err(NrtmError::Older { .. })
        ));
        // deltas no longer reach back: snapshot
        assert!(matches!(plan(&n, Some(&st(1))), Ok(Plan::Snapshot(_, _))));
        // another session: snapshot
        assert!(matches!(
            plan(&note(5, "t", &[3, 4, 5]), Some(&st(3))),
            Ok(Plan::Snapshot(_, _))
        ));
        // a file whose hash changed: refused
        let mut seen = st(3);
        seen.hashes.insert("delta:4".into(), "f".repeat(64));
        assert!(matches!(
            plan(&n, Some(&seen)),
            Err(NrtmError::Rehashed { .. })
        ));
        // a gap in the deltas
        assert!(matches!(
            check_notification(&note(5, "s", &[3, 5]), "TEST"),
            Err(NrtmError::Gap(_))
        ));
    }
}
