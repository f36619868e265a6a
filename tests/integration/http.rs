//! RDAP over plain HTTP, the hyper server in process on `127.0.0.1:0`.
//! Raw HTTP/1.1 requests on std sockets, each read with a timeout.

use super::HttpServer;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn rdap_over_http() {
    let srv = HttpServer::start();
    let (status, head, body) = srv.request(
        "GET",
        "/rdap/ip/192.0.2.77?lease0_at=2024-06-01T00:00:00Z",
        "",
    );
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("content-type: application/rdap+json"));
    assert!(head.contains("access-control-allow-origin: *"));
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["handle"], "192.0.2.72 - 192.0.2.79");
    // links are absolute, from the Host header
    assert!(
        body.contains("http://rdap.test/rdap/ip/192.0.2.77"),
        "{body}"
    );
    let (status, _, body) = srv.request("GET", "/rdap/ip/10.1", "");
    assert_eq!(status, 400);
    assert!(body.contains("\"errorCode\":400"));
    let (status, head, body) = srv.request("HEAD", "/rdap/ip/192.0.2.77", "");
    assert_eq!((status, body.as_str()), (200, ""));
    assert!(head.contains("etag:"));
    // the tag the client holds is current: 304 without a body; another tag: 200
    let etag = head
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap()
        .trim()
        .to_string();
    let (status, head, body) = srv.request(
        "GET",
        "/rdap/ip/192.0.2.77",
        &format!("If-None-Match: \"other\", {etag}\r\n"),
    );
    assert_eq!((status, body.as_str()), (304, ""), "{head}");
    assert!(head.contains(&format!("etag: {etag}")), "{head}");
    let (status, _, _) = srv.request("GET", "/rdap/ip/192.0.2.77", "If-None-Match: \"stale\"\r\n");
    assert_eq!(status, 200);
    // another answer has another tag
    let (_, other, _) = srv.request("HEAD", "/rdap/ip/192.0.2.130", "");
    assert!(!other.contains(&etag), "{other}");
    let (status, head, _) = srv.request("DELETE", "/rdap/ip/192.0.2.77", "");
    assert_eq!(status, 405);
    assert!(head.contains("allow: get, head"));
    let (status, head, _) = srv.request(
        "OPTIONS",
        "/rdap/ip/192.0.2.77",
        "Origin: https://x.example\r\nAccess-Control-Request-Method: GET\r\n",
    );
    assert_eq!(status, 204);
    assert!(head.contains("access-control-allow-methods: get, head, options"));
    let (status, _, _) = srv.request(
        "GET",
        "/rdap/ip/2001:db8:5::1",
        "Accept: application/json\r\n",
    );
    assert_eq!(status, 200);
    let (status, _, _) = srv.request("GET", "/rdap/domain/example.com", "");
    assert_eq!(status, 404);
    let (status, _, _) = srv.request("GET", "/rdap/nameserver/ns1.example.com", "");
    assert_eq!(status, 501);
    // a hostile path is a 4xx, never a 5xx or a dropped connection
    let (status, _, _) = srv.request("GET", &format!("/rdap/ip/{}", "%41".repeat(2000)), "");
    assert!((400..500).contains(&status), "{status}");
}

#[test]
fn rdap_over_https_with_a_generated_certificate() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = std::env::temp_dir().join(format!("tenure-tls-{}", std::process::id()));
    let (cfg, generated) = tenure::http::tls_config(None, None, &dir).expect("self-signed");
    let cert_path = generated.expect("a generated certificate");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let current = Arc::new(tenure::snapshot::Current::new(super::support::snapshot()));
    let shared = tenure::http::HttpShared::new(current, Default::default(), "https");
    let tls = Arc::new(tenure::http::TlsHolder::new(cfg));
    let stop = tenure::limit::Shutdown::new();
    let server_stop = stop.clone();
    rt.block_on(async move {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = l.local_addr().expect("addr");
        tokio::spawn(tenure::http::run_tls(l, shared, tls, server_stop));
        // a client that trusts exactly the generated certificate
        let mut roots = rustls::RootCertStore::empty();
        use rustls_pki_types::pem::PemObject;
        for c in rustls_pki_types::CertificateDer::pem_file_iter(&cert_path).expect("pem") {
            roots.add(c.expect("cert")).expect("root");
        }
        let client = |alpn: Option<Vec<u8>>| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut cc = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("versions")
                .with_root_certificates(roots.clone())
                .with_no_client_auth();
            cc.alpn_protocols = alpn.into_iter().collect();
            Arc::new(cc)
        };
        let connect = |cc: Arc<rustls::ClientConfig>| async move {
            let connector = tokio_rustls::TlsConnector::from(cc);
            let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
            let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
            tokio::time::timeout(Duration::from_secs(10), connector.connect(name, tcp))
                .await
                .expect("handshake in time")
                .expect("handshake")
        };
        for (alpn, want) in [(b"http/1.1".to_vec(), "http/1.1"), (b"h2".to_vec(), "h2")] {
            let mut s = connect(client(Some(alpn))).await;
            assert_eq!(s.get_ref().1.alpn_protocol(), Some(want.as_bytes()));
            if want == "http/1.1" {
                s.write_all(b"GET /rdap/ip/192.0.2.77 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
                let mut v = Vec::new();
                let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut v)).await;
                let text = String::from_utf8_lossy(&v);
                assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
                assert!(text.contains("https://localhost/rdap/ip/192.0.2.77"), "links use https");
            }
        }
        // session resumption: the second connection of one client resumes
        let cc = client(None);
        let mut kinds = Vec::new();
        for _ in 0..2 {
            let mut s = connect(Arc::clone(&cc)).await;
            kinds.push(s.get_ref().1.handshake_kind());
            // read the answer, and with it the server's session tickets
            s.write_all(b"GET /rdap/help HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut v = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut v)).await;
            assert!(String::from_utf8_lossy(&v).starts_with("HTTP/1.1 200"));
        }
        assert_eq!(
            kinds,
            [
                Some(rustls::HandshakeKind::Full),
                Some(rustls::HandshakeKind::Resumed)
            ]
        );
        // idle after the handshake: the server closes it (10 s for the
        // first request byte), it does not wait for ever
        let mut s = connect(client(Some(b"http/1.1".to_vec()))).await;
        let started = std::time::Instant::now();
        let mut v = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(25), s.read_to_end(&mut v)).await;
        assert!(closed.is_ok(), "an idle TLS connection stayed open");
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    });
    stop.begin();
    rt.shutdown_timeout(Duration::from_secs(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn tls_configuration_errors_exit_6() {
    let o = super::serve_failing(&["--tls-cert", "/nonexistent/cert.pem"]);
    assert_eq!(o.status.code(), Some(6));
    assert!(super::stderr(&o).contains("--tls-cert and --tls-key go together"));
    let o = super::serve_failing(&[
        "--tls-cert",
        "/nonexistent/cert.pem",
        "--tls-key",
        "/nonexistent/key.pem",
    ]);
    assert_eq!(o.status.code(), Some(6));
    assert!(
        super::stderr(&o).contains("/nonexistent/cert.pem"),
        "{}",
        super::stderr(&o)
    );
}

#[test]
fn over_the_rate_a_client_gets_429_with_retry_after() {
    let srv = HttpServer::start_with(tenure::rdap::RdapConfig::from_settings(
        &tenure::config::RdapSettings {
            rate: 0.5,
            burst: 2.0,
            ..Default::default()
        },
    ));
    for _ in 0..2 {
        assert_eq!(srv.request("GET", "/rdap/help", "").0, 200);
    }
    let (status, head, body) = srv.request("GET", "/rdap/help", "");
    assert_eq!(status, 429, "{head}");
    assert!(head.contains("retry-after: "), "{head}");
    assert!(head.contains("content-type: application/rdap+json"));
    assert!(body.contains("\"errorCode\":429"));
}

/// 20c's `rdap` client from PyPI, installed by `.ci/run` into target/pyvenv.
fn rdap_client() -> Option<std::path::PathBuf> {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pyvenv/bin/rdap");
    if p.is_file() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have the rdap client (.ci/run installs it)"
    );
    eprintln!("SKIPPED: no rdap client in target/pyvenv (run .ci/run once)");
    None
}

#[test]
fn an_independent_rdap_client_finds_holder_lessee_and_abuse() {
    let Some(client) = rdap_client() else { return };
    let srv = HttpServer::start();
    let home = std::env::temp_dir().join(format!("tenure-rdap-client-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    // the client asks {bootstrap_url}ip/{address} directly: no traffic leaves loopback
    std::fs::write(
        home.join("config.yaml"),
        format!(
            "rdap:\n  bootstrap_url: http://{}/rdap/\n  self_bootstrap: False\n",
            srv.addr
        ),
    )
    .unwrap();
    let ask = |addr: &str| -> serde_json::Value {
        let o = super::run_with_deadline(std::process::Command::new(&client).args([
            "--home",
            home.to_str().unwrap(),
            "--output-format",
            "json",
            "--parse",
            addr,
        ]));
        assert!(
            o.status.success(),
            "{addr}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{addr}: {e}: {}", String::from_utf8_lossy(&o.stdout)))
    };
    // the holder's own space (no lease there, ever)
    let v = ask("192.0.2.5");
    assert_eq!(v["org_name"], "Example Holder GmbH", "{v}");
    assert!(
        v["emails"].to_string().contains("abuse@holder.example"),
        "{v}"
    );
    // an open-ended verified lease: the lessee and its abuse mailbox
    let v = ask("192.0.2.170");
    assert_eq!(v["name"], "L-OVL-2", "{v}");
    assert_eq!(v["org_name"], "Overlap Tenant Two");
    assert!(v["emails"].to_string().contains("abuse@ovl2.example"));
    // a lessee as the registry shows it
    let v = ask("2001:db8:5::1");
    assert_eq!(v["org_name"], "Example V6 Cloud AB", "{v}");
    assert!(v["emails"].to_string().contains("abuse@v6cloud.example"));
    std::fs::remove_dir_all(&home).ok();
}

/// The venv's Python with the ipwhois and whoisit libraries (`.ci/run`
/// installs them).
fn python_rdap_libraries() -> Option<std::path::PathBuf> {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pyvenv/bin/python");
    let has = p.is_file()
        && std::process::Command::new(&p)
            .args(["-c", "import ipwhois, whoisit"])
            .output()
            .is_ok_and(|o| o.status.success());
    if has {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have ipwhois and whoisit (.ci/run installs them)"
    );
    eprintln!("SKIPPED: no ipwhois/whoisit in target/pyvenv (run .ci/run once)");
    None
}

#[test]
fn python_rdap_libraries_see_holder_lessee_and_abuse() {
    let Some(python) = python_rdap_libraries() else {
        return;
    };
    let srv = HttpServer::start();
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/rdap_clients.py");
    let base = format!("http://{}/rdap/", srv.addr);
    // answered as of now: the 2026 lease, the end user's network, the
    // unverified lease (never the abuse contact)
    // (address, [(entity handle, a role of it, its e-mail or "")])
    type Want = &'static [(&'static str, &'static str, &'static str)];
    let cases: [(&str, Want); 3] = [
        (
            "192.0.2.130",
            &[
                ("example-leases:LESSEE-7", "registrant", ""),
                ("example-leases:LESSEE-7", "abuse", "abuse@lessee.example"),
                ("ORG-EXAMPLE1-TEST", "sponsor", ""),
            ],
        ),
        (
            "192.0.2.77",
            &[
                ("AR-SUBALLOC-TEST", "abuse", "abuse@suballoc.example"),
                ("ORG-EXAMPLE1-TEST", "sponsor", ""),
            ],
        ),
        (
            "198.51.100.5",
            &[
                ("example-leases:SQUATTER-1", "registrant", ""),
                ("IRT-LEGACY-TEST", "abuse", "irt-abuse@legacy.example"),
                ("ORG-LEGACY1-TEST", "sponsor", ""),
            ],
        ),
    ];
    let mut cmd = std::process::Command::new(&python);
    cmd.arg(&script).arg(&base).args(cases.iter().map(|c| c.0));
    let o = super::run_with_deadline(&mut cmd);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), cases.len(), "{out}");
    for (line, (addr, want)) in lines.iter().zip(cases) {
        assert_eq!(line["address"], addr);
        for client in ["ipwhois", "whoisit"] {
            let seen = &line[client];
            assert!(seen.get("error").is_none(), "{client} on {addr}: {seen}");
            let entities = seen["entities"].as_object().unwrap();
            for (handle, role, email) in want {
                // whoisit writes handles in capitals
                let (_, e) = entities
                    .iter()
                    .find(|(h, _)| h.eq_ignore_ascii_case(handle))
                    .unwrap_or_else(|| panic!("{client} on {addr}: no {handle} in {seen}"));
                assert!(
                    e["roles"].to_string().contains(role),
                    "{client} on {addr}: {handle} {e}"
                );
                if !email.is_empty() {
                    assert!(
                        e["email"].to_string().contains(email),
                        "{client} on {addr}: {e}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_lookup_page_over_http() {
    let server = HttpServer::start();
    let page = |target: &str| server.request("GET", target, "");
    // the front page: a GET form, no scripts allowed
    let (s, head, body) = page("/");
    assert_eq!(s, 200);
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    assert!(body.contains("<form action=\"/\" method=\"get\""), "{body}");
    assert!(!body.contains("<script"));
    // an address: holder, lessee with its term, abuse mailbox, the picture, links
    let (s, _, body) = page("/?q=192.0.2.130&at=2026-03-14T09:30:00Z");
    assert_eq!(s, 200);
    for want in [
        "Example Holder GmbH",
        "Example Lessee Ltd",
        "lease L-2026-0042",
        "2026-01-01 to 2027-01-01",
        "verified: the lessor holds this space",
        "mailto:abuse@lessee.example",
        "<svg viewBox",
        "/rdap/ip/192.0.2.130",
        "LEASED-TO-EXAMPLE-LESSEE",
    ] {
        assert!(body.contains(want), "no {want:?} in the page");
    }
    // an unverified lease is shown as such and is not the abuse contact
    let (_, _, body) = page("/?q=198.51.100.5&at=2026-06-01T00:00:00Z");
    assert!(
        body.contains("unverified: the lessor is not the holder"),
        "{body}"
    );
    // space only the delegated statistics describe: the opaque holder id,
    // not a link to a lookup that finds nothing
    let (s, _, body) = page("/?q=198.18.0.1");
    assert_eq!(s, 200);
    assert!(body.contains("(delegated statistics)"), "{body}");
    let holder = body
        .split("id=\"holder\"")
        .nth(1)
        .and_then(|h| h.split("</div>").next())
        .unwrap_or("");
    assert!(!holder.is_empty() && !holder.contains("href="), "{holder}");
    // the lease history, a prefix (form encoding), a handle, an AS number
    let (_, _, body) = page("/?q=192.0.2.130&history=1");
    assert!(body.contains("id=\"history\"") && body.contains("L-2025-0007"));
    assert_eq!(page("/?q=192.0.2.128%2F26").0, 200);
    assert_eq!(page("/?q=192.0.2.0+-+192.0.2.63").0, 200);
    assert!(page("/?q=AR-LESSEE-TEST")
        .2
        .contains("abuse@lessee.example"));
    assert!(page("/?q=AS64500").2.contains("EXAMPLE-HOLDER-AS"));
    // bad and hostile queries: a clear answer, everything escaped
    let (s, _, body) = page("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert_eq!(s, 400);
    assert!(
        !body.contains("<script>") && body.contains("&lt;script&gt;"),
        "{body}"
    );
    assert_eq!(page("/?q=010.0.0.1").0, 400);
    assert_eq!(page("/?q=192.0.2.1&at=yesterday").0, 400);
    assert_eq!(page("/?q=NO-SUCH-HANDLE").0, 404);
    // other methods
    let (s, head, _) = server.request("POST", "/", "Content-Length: 0\r\n");
    assert_eq!(s, 405);
    assert!(head.contains("allow: get, head"), "{head}");
    let (s, _, body) = server.request("HEAD", "/?q=192.0.2.130", "");
    assert_eq!((s, body.as_str()), (200, ""));
}

#[test]
fn one_rate_bucket_per_client_across_http_and_https() {
    let cfg = tenure::rdap::RdapConfig::from_settings(&tenure::config::RdapSettings {
        rate: 0.001,
        burst: 2.0,
        ..Default::default()
    });
    let current = Arc::new(tenure::snapshot::Current::new(super::support::snapshot()));
    let http = tenure::http::HttpShared::new(current, cfg, "http");
    let https = http.with_scheme("https");
    let client: std::net::IpAddr = "192.0.2.9".parse().unwrap();
    assert!(http.limiter.take(client).is_ok());
    assert!(https.limiter.take(client).is_ok());
    // the burst of 2 is spent across both schemes
    assert!(http.limiter.take(client).is_err());
    assert!(https.limiter.take(client).is_err());
}

#[test]
fn http_connections_are_capped_and_silent_ones_closed() {
    use std::io::Read;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let current = Arc::new(tenure::snapshot::Current::new(super::support::snapshot()));
    // two connections per client
    let shared = tenure::http::HttpShared::with_caps(current, Default::default(), "http", 100, 2);
    let stop = tenure::limit::Shutdown::new();
    let addr = rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let a = l.local_addr().unwrap();
        tokio::spawn(tenure::http::run(l, Arc::clone(&shared), stop.clone()));
        a
    });
    let connect = || {
        let s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        s
    };
    let first = connect();
    let _second = connect();
    // wait (bounded) until the server counts both
    for _ in 0..200 {
        if shared.admission.open() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(shared.admission.open(), 2);
    // a third from the same client is closed at once
    let mut third = connect();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 16];
    assert_eq!(third.read(&mut buf).unwrap_or(0), 0);
    assert!(started.elapsed() < Duration::from_secs(5));
    // a connection that never sends a byte is closed after the header time
    let mut silent = first;
    let started = std::time::Instant::now();
    assert_eq!(silent.read(&mut buf).unwrap_or(0), 0);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(14), "{took:?}");
    stop.begin();
}
