//! `tenure fetch` against a local HTTPS server serving fixture files: new,
//! unchanged (304), changed, checked against a published MD5, cut short
//! (with and without a length), stalled, and changed while it downloaded;
//! what it wrote is what `lookup` then loads, and a running server is
//! asked to reload. Loopback only.

use super::*;
use std::collections::HashMap;
use std::io::Write;
use std::net::TcpListener;
use std::sync::Mutex;

/// How the fixture server answers a path.
#[derive(Clone)]
enum Mode {
    /// The body, with an ETag and conditional requests honoured.
    Normal,
    /// `Content-Length` of the whole body, half of it sent, then closed.
    Truncate,
    /// No length: half of the body, then closed (only the file's own
    /// framing shows it is cut).
    CutUnframed,
    /// Headers and a few bytes, then nothing for 5 s.
    Stall,
    /// The file changes while the first download runs: the first GET
    /// sends version 1 and the file is version 2 from then on.
    Moving,
    /// A 302 to the path in the body.
    Redirect,
    /// 503 with `Retry-After` (a server in its first load) while the
    /// fixture's `busy` count lasts, then the body.
    Busy,
}

#[derive(Clone)]
struct Resource {
    body: Vec<u8>,
    etag: String,
    mode: Mode,
}

#[derive(Default)]
struct Fixture {
    files: HashMap<String, Resource>,
    /// `METHOD PATH [if-none-match]` of every request.
    seen: Vec<String>,
    moving_version: u32,
    /// 503 answers a `Busy` resource still gives.
    busy: u32,
}

struct FixtureServer {
    addr: SocketAddr,
    state: Arc<Mutex<Fixture>>,
    ca: PathBuf,
}

impl FixtureServer {
    fn start(dir: &Path) -> FixtureServer {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
            .unwrap();
        let ca = dir.join("fixture-ca.pem");
        std::fs::write(&ca, made.cert.pem()).unwrap();
        let key = rustls_pki_types::PrivateKeyDer::Pkcs8(
            rustls_pki_types::PrivatePkcs8KeyDer::from(made.key_pair.serialize_der()),
        );
        let cfg = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![made.cert.der().clone()], key)
            .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(Fixture {
            moving_version: 1,
            ..Default::default()
        }));
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (cfg, st) = (cfg.clone(), st.clone());
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
                    let Ok(tls) = rustls::ServerConnection::new(cfg) else {
                        return;
                    };
                    let mut s = rustls::StreamOwned::new(tls, conn);
                    answer(&mut s, &st);
                });
            }
        });
        FixtureServer { addr, state, ca }
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.addr.port())
    }

    fn put(&self, path: &str, body: &[u8], etag: &str, mode: Mode) {
        self.state.lock().unwrap().files.insert(
            path.into(),
            Resource {
                body: body.to_vec(),
                etag: etag.into(),
                mode,
            },
        );
    }

    fn seen(&self) -> Vec<String> {
        self.state.lock().unwrap().seen.clone()
    }
}

type Tls = rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>;

trait Close {
    fn close(&mut self);
}

impl Close for Tls {
    fn close(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
    }
}

/// One request on a connection (the client opens one per request).
fn answer(s: &mut Tls, st: &Mutex<Fixture>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split(' ');
    let (method, path) = (
        first.next().unwrap_or("").to_string(),
        first.next().unwrap_or("").to_string(),
    );
    let inm = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("if-none-match"))
        .map(|(_, v)| v.trim().to_string());
    let (res, version) = {
        let mut f = st.lock().unwrap();
        f.seen.push(format!(
            "{method} {path}{}",
            inm.as_deref().map(|v| format!(" {v}")).unwrap_or_default()
        ));
        (f.files.get(&path).cloned(), f.moving_version)
    };
    let Some(mut res) = res else {
        let _ = s
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
    };
    if let Mode::Busy = res.mode {
        let mut f = st.lock().unwrap();
        if f.busy > 0 {
            f.busy -= 1;
            let _ = s.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 31\r\nconnection: close\r\n\r\nthe first load is still running",
            );
            return;
        }
    }
    if let Mode::Redirect = res.mode {
        let _ = write!(
            s,
            "HTTP/1.1 302 Found\r\nlocation: {}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            String::from_utf8_lossy(&res.body)
        );
        return;
    }
    if let Mode::Moving = res.mode {
        res.etag = format!("\"m{version}\"");
        res.body = format!("version {version}\n").into_bytes();
        if method == "GET" && version == 1 {
            st.lock().unwrap().moving_version = 2;
        }
    }
    if matches!(res.mode, Mode::Normal) && inm.as_deref() == Some(res.etag.as_str()) {
        let _ = write!(
            s,
            "HTTP/1.1 304 Not Modified\r\netag: {}\r\nconnection: close\r\n\r\n",
            res.etag
        );
        return;
    }
    let len = res.body.len();
    let framing = match res.mode {
        Mode::CutUnframed => String::new(),
        _ => format!("content-length: {len}\r\n"),
    };
    let _ = write!(
        s,
        "HTTP/1.1 200 OK\r\netag: {}\r\n{framing}connection: close\r\n\r\n",
        res.etag
    );
    if method == "HEAD" {
        let _ = s.flush();
        return;
    }
    match res.mode {
        Mode::Normal | Mode::Moving | Mode::Redirect | Mode::Busy => {
            let _ = s.write_all(&res.body);
        }
        Mode::Truncate => {
            let _ = s.write_all(&res.body[..len / 2]);
        }
        Mode::CutUnframed => {
            // cut, but closed cleanly (TLS close_notify): only the file's
            // own framing tells
            let _ = s.write_all(&res.body[..len / 2]);
            s.close();
        }
        Mode::Stall => {
            let _ = s.write_all(&res.body[..len.min(10)]);
            let _ = s.flush();
            std::thread::sleep(Duration::from_secs(5));
        }
    }
    let _ = s.flush();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn md5_hex(bytes: &[u8]) -> String {
    let mut h = tenure::md5::Md5::default();
    h.update(bytes);
    h.hex()
}

fn config(dir: &Path, server: &FixtureServer, sources: &[(&str, &str, &str, &str)]) -> PathBuf {
    let mut text = format!(
        "fetch-dir = \"{}\"\nfetch-ca-file = [\"{}\"]\nfetch-timeout = 1\nadmin-listen = []\n",
        dir.join("data").display(),
        server.ca.display()
    );
    for (kind, path, file, extra) in sources {
        text.push_str(&format!(
            "\n[[fetch]]\nkind = \"{kind}\"\nurl = \"{}\"\nfile = \"{file}\"\n{extra}\n",
            server.url(path)
        ));
    }
    let cfg = dir.join("fetch.toml");
    std::fs::write(&cfg, text).unwrap();
    cfg
}

#[test]
fn fetch_checks_every_download_and_keeps_the_current_file_on_failure() {
    let dir = scratch("fetch", "checks");
    let server = FixtureServer::start(&dir);
    let ripe = std::fs::read(data("test-ripe.db")).unwrap();
    let delegated = std::fs::read(data("delegated-ripencc-test-extended")).unwrap();
    server.put("/dbase/ripe.db.gz", &gzip(&ripe), "\"r1\"", Mode::Normal);
    server.put("/stats/delegated", &delegated, "\"d1\"", Mode::Normal);
    let sum = format!("MD5 (delegated) = {}\n", md5_hex(&delegated));
    server.put(
        "/stats/delegated.md5",
        sum.as_bytes(),
        "\"s1\"",
        Mode::Normal,
    );
    server.put("/stats/other", b"2|apnic|x\n", "\"o1\"", Mode::Normal);
    server.put("/stats/other.md5", sum.as_bytes(), "\"s2\"", Mode::Normal);
    server.put("/cut.gz", &gzip(&ripe), "\"c1\"", Mode::Truncate);
    server.put(
        "/cut-unframed.gz",
        &gzip(&ripe),
        "\"c2\"",
        Mode::CutUnframed,
    );
    server.put("/stall", &ripe, "\"t1\"", Mode::Stall);
    server.put("/moving", b"", "", Mode::Moving);
    let vrps = std::fs::read(data("test-vrps.json")).unwrap();
    server.put("/vrps.json", &vrps, "\"v1\"", Mode::Normal);
    let cfg = config(
        &dir,
        &server,
        &[
            ("dump", "/dbase/ripe.db.gz", "ripe.db.gz", ""),
            (
                "delegated",
                "/stats/delegated",
                "delegated-ripencc",
                &format!("checksum = \"md5:{}\"", server.url("/stats/delegated.md5")),
            ),
            (
                "delegated",
                "/stats/other",
                "delegated-other",
                &format!("checksum = \"md5:{}\"", server.url("/stats/other.md5")),
            ),
            ("dump", "/cut.gz", "cut.db.gz", ""),
            ("dump", "/cut-unframed.gz", "cut-unframed.db.gz", ""),
            ("dump", "/stall", "stall.db", ""),
            ("dump", "/moving", "moving.db", ""),
            ("vrps", "/vrps.json", "vrps", "dated = true"),
        ],
    );
    let cfg_s = cfg.to_str().unwrap();
    let out = tenure(&["fetch", "--config", cfg_s]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(7), "{o}\n{e}");
    assert!(o.contains("4 new, 0 unchanged, 4 failed"), "{o}\n{e}");
    let data_dir = dir.join("data");
    // what passed every check is in place, byte for byte
    assert_eq!(
        std::fs::read(data_dir.join("ripe.db.gz")).unwrap(),
        gzip(&ripe)
    );
    assert_eq!(
        std::fs::read(data_dir.join("delegated-ripencc")).unwrap(),
        delegated
    );
    // the file that changed while it downloaded was fetched again: the
    // second version, never the first
    assert_eq!(
        std::fs::read(data_dir.join("moving.db")).unwrap(),
        b"version 2\n"
    );
    let dated: Vec<_> = std::fs::read_dir(data_dir.join("vrps"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        dated.len() == 1 && dated[0].starts_with("vrps-") && dated[0].ends_with(".json"),
        "{dated:?}"
    );
    // what failed a check is nowhere, not even as a part file
    for f in [
        "delegated-other",
        "cut.db.gz",
        "cut-unframed.db.gz",
        "stall.db",
    ] {
        assert!(!data_dir.join(f).exists(), "{f} written");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&data_dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // each failure says why
    for (file, why) in [
        ("delegated-other", "MD5 mismatch"),
        ("cut.db.gz", "truncated"),
        ("cut-unframed.db.gz", "not a complete gzip file"),
        ("stall.db", "stalled"),
    ] {
        assert!(
            e.lines()
                .any(|l| l.contains(&format!("fetch: {file}: failed")) && l.contains(why)),
            "{file}: {why}\n{e}"
        );
    }

    // fetched again: conditional requests, nothing new
    let out = tenure(&[
        "fetch",
        "--config",
        cfg_s,
        "--only",
        "ripe.db.gz",
        "--only",
        "delegated-ripencc",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("0 new, 2 unchanged, 0 failed"),
        "{}",
        stdout(&out)
    );
    let seen = server.seen();
    assert!(
        seen.contains(&"GET /dbase/ripe.db.gz \"r1\"".to_string()),
        "{seen:?}"
    );

    // a new version replaces the file; the old one is kept in previous/
    let mut changed = ripe.clone();
    changed.extend_from_slice(b"\n");
    server.put("/dbase/ripe.db.gz", &gzip(&changed), "\"r2\"", Mode::Normal);
    let out = tenure(&["fetch", "--config", cfg_s, "--only", "ripe.db.gz"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 new, 0 unchanged"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read(data_dir.join("ripe.db.gz")).unwrap(),
        gzip(&changed)
    );
    assert_eq!(
        std::fs::read(data_dir.join("previous/ripe.db.gz")).unwrap(),
        gzip(&ripe)
    );

    // a new ETag on the same bytes is not a new file
    server.put("/dbase/ripe.db.gz", &gzip(&changed), "\"r3\"", Mode::Normal);
    let out = tenure(&["fetch", "--config", cfg_s, "--only", "ripe.db.gz"]);
    assert!(
        stdout(&out).contains("0 new, 1 unchanged"),
        "{}",
        stdout(&out)
    );

    // the other commands load what fetch wrote, each file by its kind
    let out = tenure(&["lookup", "--config", cfg_s, "--json", "192.0.2.5"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["holder"]["handle"], "ORG-EXAMPLE1-TEST", "{v}");
    let out = tenure(&["check", "--config", cfg_s, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = stdout(&out);
    for f in ["ripe.db.gz", "delegated-ripencc", "moving.db", "vrps-"] {
        assert!(report.contains(f), "{f} not loaded:\n{report}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fetch_asks_a_running_server_to_reload_what_changed() {
    let dir = scratch("fetch", "reload");
    let server = FixtureServer::start(&dir);
    let pfx2as = std::fs::read(data("test-pfx2as-20261124.txt")).unwrap();
    server.put("/pfx2as.txt", &pfx2as, "\"p1\"", Mode::Normal);
    let cfg = config(
        &dir,
        &server,
        &[("pfx2as", "/pfx2as.txt", "routeviews-20261124.pfx2as", "")],
    );
    let cfg_s = cfg.to_str().unwrap();
    let out = tenure(&["fetch", "--config", cfg_s]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let served = Served::start(
        &repo(),
        &[
            "--config",
            cfg_s,
            "--dump",
            data("test-ripe.db").to_str().unwrap(),
            "--admin-listen",
            "127.0.0.1:0",
        ],
        4,
    );
    // the first load done before a reload is asked (else: 503, exit 7)
    assert_eq!(settled(served.addr("admin")).0, 200);
    let admin = format!("http://{}", served.addr("admin"));
    let mut changed = pfx2as.clone();
    changed.extend_from_slice(b"192.0.2.192\t27\t64999\n");
    server.put("/pfx2as.txt", &changed, "\"p2\"", Mode::Normal);
    let out = tenure(&["fetch", "--config", cfg_s, "--fetch-reload", &admin]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("server reloaded (routing)"),
        "{}",
        stderr(&out)
    );
    super::reload::until(served.addr("whois"), "192.0.2.200", "AS64999");
    // nothing changed: no reload asked
    let out = tenure(&["fetch", "--config", cfg_s, "--fetch-reload", &admin]);
    assert!(
        !stderr(&out).contains("server reloaded"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fetch_asks_again_while_the_server_is_in_its_first_load() {
    let dir = scratch("fetch", "busy");
    let server = FixtureServer::start(&dir);
    let pfx2as = std::fs::read(data("test-pfx2as-20261124.txt")).unwrap();
    server.put("/pfx2as.txt", &pfx2as, "\"p1\"", Mode::Normal);
    // the "server": two 503s with Retry-After, then done
    server.put(
        "/admin/reload?scope=routing",
        b"{\"ok\":true,\"scope\":\"routing\"}",
        "",
        Mode::Busy,
    );
    server.state.lock().unwrap().busy = 2;
    let cfg = config(
        &dir,
        &server,
        &[("pfx2as", "/pfx2as.txt", "routeviews-20261124.pfx2as", "")],
    );
    let out = tenure(&[
        "fetch",
        "--config",
        cfg.to_str().unwrap(),
        "--fetch-reload",
        &server.url(""),
    ]);
    let e = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{e}");
    assert_eq!(e.matches("answered 503").count(), 2, "{e}");
    assert!(e.contains("server reloaded (routing)"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An NRTMv4 server's signing key (ECDSA P-256, ES256).
struct Signer {
    pair: ring::signature::EcdsaKeyPair,
    rng: ring::rand::SystemRandom,
}

fn b64(bytes: &[u8], url: bool) -> String {
    let table: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, &b)| a | (b as u32) << (16 - 8 * i));
        for i in 0..=c.len() {
            out.push(table[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        if !url {
            out.push_str(&"=".repeat(3 - c.len()));
        }
    }
    out
}

impl Signer {
    fn new() -> Signer {
        use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        Signer { pair, rng }
    }

    /// The public key as PEM SubjectPublicKeyInfo.
    fn pem(&self) -> String {
        use ring::signature::KeyPair;
        // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING }
        let mut der = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        der.extend_from_slice(self.pair.public_key().as_ref());
        let body = b64(&der, false);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// The notification as a JWS in compact serialization.
    fn sign(&self, payload: &serde_json::Value) -> String {
        let input = format!(
            "{}.{}",
            b64(br#"{"alg":"ES256"}"#, true),
            b64(payload.to_string().as_bytes(), true)
        );
        let sig = self.pair.sign(&self.rng, input.as_bytes()).unwrap();
        format!("{input}.{}", b64(sig.as_ref(), true))
    }
}

fn sha256(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file of RFC 7464 records (RS before each).
fn seq(records: &[serde_json::Value]) -> Vec<u8> {
    records
        .iter()
        .map(|r| format!("\u{1e}{r}\n"))
        .collect::<String>()
        .into_bytes()
}

struct NrtmServer<'a> {
    http: &'a FixtureServer,
    session: String,
    /// (version, path, hash) of every published delta.
    deltas: Vec<(u64, String, String)>,
    snapshot: (u64, String, String),
}

impl NrtmServer<'_> {
    fn header(&self, kind: &str, version: u64) -> serde_json::Value {
        serde_json::json!({"nrtm_version": 4, "type": kind, "source": "RIPE",
            "session_id": self.session, "version": version})
    }

    fn publish_snapshot(&mut self, version: u64, objects: &[&str]) {
        let mut recs = vec![self.header("snapshot", version)];
        recs.extend(objects.iter().map(|o| serde_json::json!({ "object": o })));
        let body = gzip(&seq(&recs));
        let path = format!("/nrtm/{}/nrtm-snapshot.{version}.json.gz", self.session);
        self.http.put(&path, &body, "\"s\"", Mode::Normal);
        self.snapshot = (version, path, sha256(&body));
    }

    fn publish_delta(&mut self, version: u64, changes: &[serde_json::Value]) {
        let mut recs = vec![self.header("delta", version)];
        recs.extend_from_slice(changes);
        let body = seq(&recs);
        let path = format!("/nrtm/{}/nrtm-delta.{version}.json", self.session);
        self.http.put(&path, &body, "\"d\"", Mode::Normal);
        self.deltas.push((version, path, sha256(&body)));
    }

    /// Publishes a notification (signed by `key`, naming `next`); `tamper`
    /// may change its payload before it is signed.
    fn notify(
        &self,
        key: &Signer,
        next: Option<&Signer>,
        tamper: impl FnOnce(&mut serde_json::Value),
    ) {
        let rel = |p: &str| p.trim_start_matches("/nrtm/").to_string();
        let version = self
            .deltas
            .iter()
            .map(|d| d.0)
            .max()
            .unwrap_or(0)
            .max(self.snapshot.0);
        let mut v = serde_json::json!({
            "nrtm_version": 4, "timestamp": "2026-11-27T00:00:00Z", "type": "notification",
            "source": "RIPE", "session_id": self.session, "version": version,
            "snapshot": {"version": self.snapshot.0, "url": rel(&self.snapshot.1), "hash": self.snapshot.2},
            "deltas": self.deltas.iter().map(|(v, p, h)| serde_json::json!({"version": v, "url": rel(p), "hash": h})).collect::<Vec<_>>(),
        });
        if let Some(n) = next {
            v["next_signing_key"] = n.pem().into();
        }
        tamper(&mut v);
        self.http.put(
            "/nrtm/update-notification-file.jose",
            key.sign(&v).as_bytes(),
            "\"n\"",
            Mode::Normal,
        );
    }
}

const INETNUM: &str = "inetnum:        192.0.2.0 - 192.0.2.255\nnetname:        MIRRORED-NET\norg:            ORG-MIRROR1-RIPE\nstatus:         ALLOCATED PA\nmnt-by:         MIRROR-MNT\nsource:         RIPE\n";
const ORG: &str = "organisation:   ORG-MIRROR1-RIPE\norg-name:       Mirrored Holder\norg-type:       LIR\nabuse-c:        MIRROR-ABUSE\nmnt-by:         MIRROR-MNT\nsource:         RIPE\n";
const ROLE: &str = "role:           Mirror Abuse Desk\nnic-hdl:        MIRROR-ABUSE\nabuse-mailbox:  abuse@mirror.example\nmnt-by:         MIRROR-MNT\nsource:         RIPE\n";

#[test]
fn nrtm_mirror_applies_verified_deltas_and_refuses_the_rest() {
    let dir = scratch("fetch", "nrtm");
    let http = FixtureServer::start(&dir);
    let (a, b) = (Signer::new(), Signer::new());
    std::fs::write(dir.join("key-a.pem"), a.pem()).unwrap();
    let mut text = format!(
        "fetch-dir = \"{}\"\nfetch-ca-file = [\"{}\"]\nfetch-timeout = 2\nfetch = []\n",
        dir.join("data").display(),
        http.ca.display()
    );
    text.push_str(&format!(
        "\n[[nrtm]]\nsource = \"RIPE\"\nurl = \"{}\"\npublic-key = \"key-a.pem\"\nfile = \"ripe-nrtm.db\"\n",
        http.url("/nrtm/update-notification-file.jose")
    ));
    // RIPE's notification with a wrong signature, from the shared excerpts
    let shared = super::shared_data::shared().unwrap_or_default();
    let shared_key = shared.join("nrtm/ripe-whois-nrtm4-mock-public.key");
    let shared_unf = shared.join("nrtm/ripe-whois-nrtm4-mock-nrtm-RIPE-wrong-signature.jose");
    let have_shared = shared_key.is_file() && shared_unf.is_file();
    if have_shared {
        http.put(
            "/ripe/update-notification-file.jose",
            &std::fs::read(&shared_unf).unwrap(),
            "\"w\"",
            Mode::Normal,
        );
        text.push_str(&format!(
            "\n[[nrtm]]\nsource = \"RIPE\"\nurl = \"{}\"\npublic-key = \"{}\"\nfile = \"ripe-mock.db\"\n",
            http.url("/ripe/update-notification-file.jose"),
            shared_key.display()
        ));
    }
    let cfg = dir.join("nrtm.toml");
    std::fs::write(&cfg, text).unwrap();
    let cfg_s = cfg.to_str().unwrap();
    let fetch = || {
        let out = tenure(&["fetch", "--config", cfg_s, "--only", "ripe-nrtm.db"]);
        (out.status.code(), stdout(&out), stderr(&out))
    };
    let state = || -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join("data/.nrtm-ripe-nrtm.db.json")).unwrap())
            .unwrap()
    };
    let holder = || {
        let out = tenure(&["lookup", "--config", cfg_s, "--json", "192.0.2.5"]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap_or_default();
        (
            v["holder"]["name"].as_str().unwrap_or("").to_string(),
            v["network"]["netname"].as_str().unwrap_or("").to_string(),
            v.to_string(),
        )
    };

    // snapshot 1 and deltas 2 (a customer assignment) and 3 (the holder renamed)
    let mut srv = NrtmServer {
        http: &http,
        session: "6f1d3c52-0d7e-4c1b-9f7a-1c2b3d4e5f60".into(),
        deltas: vec![],
        snapshot: (0, String::new(), String::new()),
    };
    srv.publish_snapshot(1, &[INETNUM, ORG, ROLE]);
    srv.publish_delta(2, &[serde_json::json!({"action": "add_modify", "object":
        "inetnum:        192.0.2.0 - 192.0.2.127\nnetname:        MIRRORED-CUSTOMER\nstatus:         ASSIGNED PA\nmnt-by:         MIRROR-MNT\nsource:         RIPE\n"})]);
    srv.publish_delta(3, &[serde_json::json!({"action": "add_modify", "object": ORG.replace("Mirrored Holder", "Renamed Holder")})]);
    srv.notify(&a, None, |_| {});
    let (code, o, e) = fetch();
    assert_eq!(code, Some(0), "{o}\n{e}");
    assert!(
        o.contains("1 new") && e.contains("now at version 3"),
        "{o}\n{e}"
    );
    let (name, net, all) = holder();
    assert_eq!(
        (name.as_str(), net.as_str()),
        ("Renamed Holder", "MIRRORED-CUSTOMER"),
        "{all}"
    );
    assert_eq!(state()["version"], 3);
    // a server on the fetch directory says the mirror's version (it
    // serves on until delta 4 reaches it below)
    let served = Served::start(
        &repo(),
        &["--config", cfg_s, "--admin-listen", "127.0.0.1:0"],
        4,
    );
    let (code, body) = settled(served.addr("admin"));
    assert_eq!((code, body.trim()), (200, "ready: serial 1, nrtm RIPE 3"));
    let (_, metrics) = super::ops::http(served.addr("admin"), "GET", "/metrics").unwrap();
    assert!(
        metrics.contains("tenure_nrtm_version{source=\"RIPE\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tenure_nrtm_refused_total{source=\"RIPE\",reason=\"hash\"} 0"),
        "{metrics}"
    );

    // the same notification again: nothing to do
    let (code, o, _) = fetch();
    assert_eq!(code, Some(0));
    assert!(o.contains("0 new, 1 unchanged"), "{o}");

    // a delta whose hash is not the notification's: refused, nothing applied
    let before = std::fs::read(dir.join("data/ripe-nrtm.db")).unwrap();
    srv.publish_delta(4, &[serde_json::json!({"action": "delete", "object_class": "inetnum", "primary_key": "192.0.2.0 - 192.0.2.127"})]);
    srv.notify(&a, None, |v| {
        v["deltas"][2]["hash"] = sha256(b"something else").into()
    });
    let (code, _, e) = fetch();
    assert_eq!(code, Some(7), "{e}");
    assert!(e.contains("SHA-256"), "{e}");
    assert_eq!(
        std::fs::read(dir.join("data/ripe-nrtm.db")).unwrap(),
        before
    );
    assert_eq!(
        (
            state()["version"].clone(),
            state()["refused"]["hash"].clone()
        ),
        (3.into(), 1.into())
    );

    // a gap in the versions: refused
    srv.notify(&a, None, |v| {
        v["deltas"][2]["version"] = 5.into();
        v["version"] = 5.into();
    });
    let (code, _, e) = fetch();
    assert_eq!(code, Some(7), "{e}");
    assert!(e.contains("not contiguous"), "{e}");
    assert_eq!(state()["refused"]["version"], 1);

    // key rotation: signed by A announcing B, then signed by B alone;
    // delta 4 goes to the running server as a delta, not a reload
    let rdap_net = |served: &Served| {
        let (_, body) = super::ops::http(served.addr("http"), "GET", "/rdap/ip/192.0.2.5").unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        v["name"].as_str().unwrap_or("").to_string()
    };
    assert_eq!(rdap_net(&served), "MIRRORED-CUSTOMER");
    srv.notify(&a, Some(&b), |_| {});
    let admin = format!("http://{}", served.addr("admin"));
    let out = tenure(&[
        "fetch",
        "--config",
        cfg_s,
        "--only",
        "ripe-nrtm.db",
        "--fetch-reload",
        &admin,
    ]);
    let e = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{e}");
    assert!(e.contains("next signing key announced"), "{e}");
    super::reload::until_logged(&served, "reloaded (mirrors)", 1);
    let log = served.log();
    assert!(
        log.contains("nrtm deltas served over the registry part: RIPE at 4; 1 objects changed"),
        "{log}"
    );
    assert!(!log.contains("reloaded (all)"), "{log}");
    assert_eq!(
        rdap_net(&served),
        "MIRRORED-NET",
        "delta 4 deleted the assignment"
    );
    assert_eq!(
        settled(served.addr("admin")).1.trim(),
        "ready: serial 2, nrtm RIPE 4"
    );
    let (_, metrics) = super::ops::http(served.addr("admin"), "GET", "/metrics").unwrap();
    assert!(
        metrics.contains("tenure_nrtm_version{source=\"RIPE\"} 4"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tenure_nrtm_overlay_objects 1\n"),
        "{metrics}"
    );
    // asked again: nothing new, nothing rebuilt
    let (code, body) =
        super::ops::http(served.addr("admin"), "POST", "/admin/reload?scope=mirrors").unwrap();
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("serial 2: nothing new in the mirrors' journals, RIPE at 4"),
        "{body}"
    );
    // the journal beside the mirror file: from version 3, delta 4
    let journal = std::fs::read_to_string(dir.join("data/.nrtm-ripe-nrtm.db.journal")).unwrap();
    assert!(
        journal.starts_with("{\"session_id\":\"6f1d3c52"),
        "{journal}"
    );
    assert!(journal.contains("\"version\":4"), "{journal}");
    assert!(std::fs::read_to_string(dir.join("data/ripe-nrtm.db"))
        .unwrap()
        .starts_with(
            "# tenure-nrtm source=RIPE session=6f1d3c52-0d7e-4c1b-9f7a-1c2b3d4e5f60 version=4\n"
        ));
    drop(served);
    let (_, net, all) = holder();
    assert_eq!(net, "MIRRORED-NET", "delta 4 deleted the assignment: {all}");
    srv.publish_delta(5, &[serde_json::json!({"action": "add_modify", "object": ORG.replace("Mirrored Holder", "Holder After Rotation")})]);
    srv.notify(&b, None, |_| {});
    let (code, _, e) = fetch();
    assert_eq!(code, Some(0), "{e}");
    assert!(e.contains("replaces the configured one"), "{e}");
    assert_eq!(holder().0, "Holder After Rotation");
    // the old key is never accepted again
    srv.publish_delta(6, &[serde_json::json!({"action": "add_modify", "object": ORG.replace("Mirrored Holder", "Signed By The Old Key")})]);
    srv.notify(&a, None, |_| {});
    let (code, _, e) = fetch();
    assert_eq!(code, Some(7), "{e}");
    assert!(e.contains("signature does not verify"), "{e}");
    assert_eq!(holder().0, "Holder After Rotation");

    // a new session: the mirror starts over from its snapshot
    srv.session = "0b6f2b8e-94a1-4d5e-8c3f-2a1b0c9d8e7f".into();
    srv.deltas.clear();
    srv.publish_snapshot(
        1,
        &[
            INETNUM,
            &ORG.replace("Mirrored Holder", "New Session Holder"),
            ROLE,
        ],
    );
    srv.notify(&b, None, |_| {});
    let (code, _, e) = fetch();
    assert_eq!(code, Some(0), "{e}");
    assert!(e.contains("from the snapshot"), "{e}");
    assert_eq!(holder().0, "New Session Holder");
    assert_eq!(state()["version"], 1);

    // RIPE's notification whose signature is deliberately wrong
    if have_shared {
        let out = tenure(&["fetch", "--config", cfg_s, "--only", "ripe-mock.db"]);
        assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("signature does not verify"),
            "{}",
            stderr(&out)
        );
        assert!(!dir.join("data/ripe-mock.db").exists());
        // its refusal is its own mirror's: the other keeps its state
        assert_eq!(state()["version"], 1);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sets a file's modification time `days` back (coreutils `touch`).
fn age_file(path: &Path, days: u32) {
    let st = Command::new("touch")
        .args(["-d", &format!("{days} days ago")])
        .arg(path)
        .status()
        .unwrap();
    assert!(st.success());
}

/// `/readyz` once the first load is done (bounded: 600 polls, 50 ms apart).
fn settled(admin: SocketAddr) -> (u16, String) {
    for _ in 0..600 {
        if let Ok((code, body)) = super::ops::http(admin, "GET", "/readyz") {
            if !body.contains("first load") {
                return (code, body);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the first load never ended");
}

#[test]
fn data_age_counts_fetch_checks_and_stale_data_shows_on_readyz() {
    use super::ops::http;
    let dir = scratch("fetch", "stale");
    let server = FixtureServer::start(&dir);
    let ripe = std::fs::read(data("test-ripe.db")).unwrap();
    server.put("/ripe.db", &ripe, "\"r1\"", Mode::Normal);
    let cfg = config(&dir, &server, &[("dump", "/ripe.db", "ripe.db", "")]);
    let cfg_s = cfg.to_str().unwrap();
    assert_eq!(tenure(&["fetch", "--config", cfg_s]).status.code(), Some(0));
    // the file is three days old, but fetch has just found it current
    age_file(&dir.join("data/ripe.db"), 3);
    assert_eq!(tenure(&["fetch", "--config", cfg_s]).status.code(), Some(0));
    // a server whose data is stale after a day
    let stale_server = |data: &[&str], extra: &[&str]| {
        let mut args = data.to_vec();
        args.extend(["--admin-listen", "127.0.0.1:0", "--stale-after", "86400"]);
        args.extend(extra);
        Served::start(&repo(), &args, 4)
    };
    let served = stale_server(&["--config", cfg_s], &[]);
    let admin = served.addr("admin");
    let (code, body) = settled(admin);
    assert_eq!((code, body.trim()), (200, "ready: serial 1"));
    let (_, metrics) = http(admin, "GET", "/metrics").unwrap();
    let age: i64 = metrics
        .lines()
        .find(|l| l.starts_with("tenure_data_age_seconds{") && l.contains("ripe.db"))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("{metrics}"));
    assert!((0..600).contains(&age), "{age}");
    assert!(metrics.contains("tenure_data_stale 0"), "{metrics}");
    drop(served);

    // a file nobody has confirmed for three days: stale, said on /readyz
    let old = dir.join("old-ripe.db");
    std::fs::write(&old, &ripe).unwrap();
    age_file(&old, 3);
    let old_s = old.to_str().unwrap();
    let served = stale_server(&["--dump", old_s], &[]);
    let admin = served.addr("admin");
    let (code, body) = settled(admin);
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("stale (older than 24.0 h)") && body.contains("old-ripe.db 72."),
        "{body}"
    );
    let (_, metrics) = http(admin, "GET", "/metrics").unwrap();
    assert!(metrics.contains("tenure_data_stale 1"), "{metrics}");
    drop(served);
    // and with stale-not-ready, it fails readiness
    let served = stale_server(&["--dump", old_s], &["--stale-not-ready"]);
    let (code, body) = settled(served.addr("admin"));
    assert_eq!(code, 503, "{body}");
    assert!(body.starts_with("not ready: serial 1 is stale"), "{body}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fetch_follows_caida_s_creation_log_redirects_and_inline_checksums() {
    let dir = scratch("fetch", "latest");
    let server = FixtureServer::start(&dir);
    let table = gzip(&std::fs::read(data("test-pfx2as-20261124.txt")).unwrap());
    // CAIDA's log: the newest file is the last line's last column, a path
    // relative to the log
    let log = "# seqnum\ttimestamp\tpath\n1\t1763596800\t2026/11/routeviews-rv2-20261120-1200.pfx2as.gz\n2\t1763942400\t2026/11/routeviews-rv2-20261124-1200.pfx2as.gz\n";
    server.put(
        "/caida/pfx2as-creation.log",
        log.as_bytes(),
        "\"l1\"",
        Mode::Normal,
    );
    server.put(
        "/caida/2026/11/routeviews-rv2-20261124-1200.pfx2as.gz",
        &table,
        "\"t1\"",
        Mode::Normal,
    );
    // a moved file, and a digest written in the config itself
    let vrps = std::fs::read(data("test-vrps.json")).unwrap();
    server.put("/old/vrps.json", b"/new/vrps.json", "", Mode::Redirect);
    server.put("/new/vrps.json", &vrps, "\"v1\"", Mode::Normal);
    let digest: String = ring::digest::digest(&ring::digest::SHA256, &vrps)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let cfg = config(
        &dir,
        &server,
        &[
            (
                "pfx2as",
                "/caida/pfx2as-creation.log",
                "pfx2as-v4",
                "latest = \"caida-log\"\ndated = true",
            ),
            (
                "vrps",
                "/old/vrps.json",
                "vrps.json",
                &format!("checksum = \"sha256:{digest}\""),
            ),
            (
                "vrps",
                "/new/vrps.json",
                "vrps-bad.json",
                &format!("checksum = \"sha256:{}\"", "0".repeat(64)),
            ),
        ],
    );
    let out = tenure(&["fetch", "--config", cfg.to_str().unwrap()]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(7), "{o}\n{e}");
    assert!(o.contains("2 new, 0 unchanged, 1 failed"), "{o}\n{e}");
    assert_eq!(
        std::fs::read(dir.join("data/pfx2as-v4/routeviews-rv2-20261124-1200.pfx2as.gz")).unwrap(),
        table
    );
    assert_eq!(std::fs::read(dir.join("data/vrps.json")).unwrap(), vrps);
    assert!(e.contains("SHA-256 mismatch"), "{e}");
    assert!(!dir.join("data/vrps-bad.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
