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
        Mode::Normal | Mode::Moving => {
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

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tenure-fetch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn fetch_checks_every_download_and_keeps_the_current_file_on_failure() {
    let dir = scratch("checks");
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
    let dir = scratch("reload");
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
