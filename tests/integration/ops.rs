//! Operations against the real binary: the admin listener (health,
//! readiness, metrics, reloads), reloads under load with zero failed or
//! mixed answers, and a stop while a slow client is mid-answer. Loopback
//! only; every read has a timeout; every loop is bounded.

use super::reload::lease_line;
use super::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};

const TIMEOUT: Duration = Duration::from_secs(10);

/// One HTTP/1.1 request with `Connection: close`: (status, body).
pub(super) fn http(addr: SocketAddr, method: &str, path: &str) -> Result<(u16, String), String> {
    http_full(addr, method, path).map(|(status, _, body)| (status, body))
}

/// [`http`] with the response's header lines.
fn http_full(addr: SocketAddr, method: &str, path: &str) -> Result<(u16, String, String), String> {
    let mut s = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut v = Vec::new();
    s.read_to_end(&mut v).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&v).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no header end: {text:?}"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no status: {head:?}"))?;
    Ok((status, head.to_string(), body.to_string()))
}

/// Waits until `/readyz` says the first load is done (bounded: 1,200
/// polls, 50 ms apart: a debug build on a busy machine loads slowly) and
/// returns its body.
fn ready(admin: SocketAddr) -> String {
    let mut last = String::new();
    for _ in 0..1200 {
        match http(admin, "GET", "/readyz") {
            Ok((200, body)) => return body,
            Ok((_, body)) => last = body,
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("never ready: {last}");
}

/// One WHOIS query; the whole answer, which must end with the blank lines.
fn whois(addr: SocketAddr, q: &str) -> Result<String, String> {
    let mut s = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    s.write_all(format!("{q}\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut v = Vec::new();
    s.read_to_end(&mut v).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&v).into_owned();
    if !text.ends_with("\n\n\n") {
        return Err(format!("answer cut short: {text:?}"));
    }
    Ok(text)
}

/// The number after `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> Option<u64> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// (serial, lessee) of a WHOIS answer about 192.0.2.5.
fn whois_view(a: &str) -> Option<(u64, String)> {
    let serial = number_after(a, "Data serial ")?;
    let lessee = a
        .lines()
        .find_map(|l| l.strip_prefix("% Lessee: "))?
        .split(' ')
        .next()?
        .to_string();
    Some((serial, lessee))
}

/// (serial, lessee) of an RDAP answer about 192.0.2.5.
fn rdap_view(body: &str) -> Option<(u64, String)> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let serial = v["notices"]
        .as_array()?
        .iter()
        .flat_map(|n| n["description"].as_array().into_iter().flatten())
        .find_map(|d| d.as_str()?.strip_prefix("data serial ")?.parse().ok())?;
    let lessee = v["entities"]
        .as_array()?
        .iter()
        .find(|e| e["roles"][0] == "registrant")?["handle"]
        .as_str()?;
    // qualified by the lease source: `SOURCE:HANDLE`
    let lessee = lessee
        .split_once(':')
        .map_or(lessee, |(_, h)| h)
        .to_string();
    Some((serial, lessee))
}

#[test]
fn reloads_under_load_lose_no_query_and_never_mix_snapshots() {
    let (dir, cfg) = super::reload::reload_dir("ops");
    let good_dump = std::fs::read_to_string(data("test-ripe.db")).unwrap();
    let served = Served::start(
        &repo(),
        &[
            "--config",
            cfg.to_str().unwrap(),
            "--rdap-rate",
            "100000",
            "--rdap-burst",
            "100000",
            "--whois-rate",
            "100000",
            "--whois-burst",
            "100000",
        ],
        4,
    );
    let (w, h, admin) = (
        served.addr("whois"),
        served.addr("http"),
        served.addr("admin"),
    );
    assert_eq!(
        http(admin, "GET", "/healthz").unwrap(),
        (200, "ok\n".into())
    );
    assert_eq!(ready(admin), "ready: serial 1\n");
    assert_eq!(http(admin, "GET", "/admin/reload").unwrap().0, 405);
    assert_eq!(http(admin, "POST", "/admin/reload?scope=x").unwrap().0, 400);

    // load: WHOIS and RDAP clients asking all along (bounded)
    let stop = Arc::new(AtomicBool::new(false));
    let client = |rdap: bool| {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut seen: Vec<(u64, String)> = Vec::new();
            let mut failures = Vec::new();
            for _ in 0..20_000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let view = if rdap {
                    http(h, "GET", "/rdap/ip/192.0.2.5").and_then(|(s, b)| {
                        if s == 200 {
                            rdap_view(&b).ok_or(format!("unreadable answer {b}"))
                        } else {
                            Err(format!("status {s}: {b}"))
                        }
                    })
                } else {
                    whois(w, "192.0.2.5")
                        .and_then(|a| whois_view(&a).ok_or(format!("unreadable answer {a}")))
                };
                match view {
                    Ok(v) => seen.push(v),
                    Err(e) => failures.push(e),
                }
            }
            (seen, failures)
        })
    };
    let clients = [client(false), client(true), client(false), client(true)];
    let pause = || std::thread::sleep(Duration::from_millis(150));
    pause();

    // the lease files alone: serial 2
    std::fs::write(dir.join("leases.jsonl"), lease_line("SECOND-LESSEE")).unwrap();
    let (s, body) = http(admin, "POST", "/admin/reload?scope=leases").unwrap();
    assert_eq!(s, 200, "{body}");
    let o: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (o["ok"].as_bool(), o["serial"].as_u64()),
        (Some(true), Some(2))
    );
    assert_eq!(o["scope"], "leases");
    pause();

    // a dump cut short (a failed download): refused, serial 2 keeps serving
    std::fs::write(dir.join("test-ripe.db"), &good_dump[..good_dump.len() / 5]).unwrap();
    std::fs::write(dir.join("leases.jsonl"), lease_line("NEVER-SERVED")).unwrap();
    let (s, body) = http(admin, "POST", "/admin/reload").unwrap();
    assert_eq!(s, 500, "{body}");
    assert!(body.contains("reload-max-drop"), "{body}");
    pause();

    // whole again: serial 3
    std::fs::write(dir.join("test-ripe.db"), &good_dump).unwrap();
    std::fs::write(dir.join("leases.jsonl"), lease_line("THIRD-LESSEE")).unwrap();
    let (s, body) = http(admin, "POST", "/admin/reload").unwrap();
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("\"serial\":3"), "{body}");
    pause();
    stop.store(true, Ordering::Relaxed);

    let expected = |serial: u64| match serial {
        1 => "FIRST-LESSEE",
        2 => "SECOND-LESSEE",
        3 => "THIRD-LESSEE",
        _ => "no such serial",
    };
    let mut answers = 0;
    let mut serials_seen = std::collections::BTreeSet::new();
    for c in clients {
        let (seen, failures) = c.join().expect("client");
        assert!(failures.is_empty(), "failed queries: {failures:?}");
        answers += seen.len();
        let mut last = 0;
        for (serial, lessee) in seen {
            assert_eq!(lessee, expected(serial), "a mixed answer (serial {serial})");
            assert!(
                serial >= last,
                "the serial went back: {serial} after {last}"
            );
            last = serial;
            serials_seen.insert(serial);
        }
    }
    assert!(answers > 20, "{answers} answers only");
    assert!(serials_seen.contains(&3), "{serials_seen:?}");

    // metrics moved as expected
    let (s, m) = http(admin, "GET", "/metrics").unwrap();
    assert_eq!(s, 200);
    for line in [
        "tenure_snapshot_serial 3",
        "tenure_reloads_total{scope=\"leases\"} 1",
        "tenure_reloads_total{scope=\"all\"} 1",
        "tenure_reload_failures_total{scope=\"all\",reason=\"drop\"} 1",
        "tenure_reload_failures_total{scope=\"all\",reason=\"load\"} 0",
        "# TYPE tenure_query_duration_seconds histogram",
        "tenure_leases{state=\"loaded\"} 1",
    ] {
        assert!(m.lines().any(|l| l == line), "no '{line}' in\n{m}");
    }
    let count = |prefix: &str| {
        m.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    assert!(count("tenure_queries_total{protocol=\"whois\",kind=\"address\",outcome=\"ok\"}") > 0);
    assert!(count("tenure_queries_total{protocol=\"rdap\",kind=\"address\",outcome=\"ok\"}") > 0);
    assert!(count("tenure_query_duration_seconds_count{protocol=\"rdap\"}") > 0);
    drop(served);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_stop_lets_a_slow_client_read_its_whole_answer() {
    let mut served = Served::start(
        &repo(),
        &["--drain-seconds", "30", "--whois-rate", "100000"],
        1,
    );
    let w = served.addr("whois");
    // a bulk answer far larger than the socket buffers
    let lines = 20_000;
    let mut s = TcpStream::connect_timeout(&w, TIMEOUT).unwrap();
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut q = String::from("begin\nverbose\n");
    for i in 0..lines {
        q.push_str(&format!("192.0.2.{}\n", i % 256));
    }
    q.push_str("end\n");
    s.write_all(q.as_bytes()).unwrap();
    // the client has read nothing yet when the stop comes
    std::thread::sleep(Duration::from_millis(300));
    served.signal("-TERM");
    std::thread::sleep(Duration::from_millis(300));
    let mut v = Vec::new();
    let mut buf = [0u8; 8192];
    for _ in 0..1_000_000 {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => v.extend_from_slice(&buf[..n]),
        }
        std::thread::sleep(Duration::from_micros(50)); // slowly
    }
    let text = String::from_utf8_lossy(&v);
    let answered = text.lines().filter(|l| l.starts_with("192.0.2.")).count();
    assert_eq!(answered, lines, "the answer was cut: {} bytes", v.len());
    assert_eq!(served.wait_exit(), Some(0), "{}", served.log());
}

#[test]
fn reload_interval_reloads_on_its_own() {
    let (dir, cfg) = super::reload::reload_dir("interval");
    let served = Served::start(
        &repo(),
        &["--config", cfg.to_str().unwrap(), "--reload-interval", "1"],
        4,
    );
    let admin = served.addr("admin");
    let serial = || {
        http(admin, "GET", "/readyz")
            .ok()
            .and_then(|(_, b)| number_after(&b, "serial "))
            .unwrap_or(0)
    };
    assert_eq!(ready(admin), "ready: serial 1\n");
    // bounded: 60 polls, 100 ms apart
    let mut seen = 1;
    for _ in 0..60 {
        seen = serial();
        if seen >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        seen >= 2,
        "no timed reload: serial {seen}\n{}",
        served.log()
    );
    assert!(served.log().contains("reloaded (all): serial 2"));
    drop(served);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn admin_answers_during_the_first_load_and_a_bad_first_load_exits_4() {
    // a dump large enough that the first load takes a while in a debug build
    let dir = std::env::temp_dir().join(format!("tenure-firstload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dump = dir.join("gen.db.gz");
    let o = tenure(&[
        "gen-data",
        "--objects",
        "100000",
        "--seed",
        "3",
        "--out",
        dump.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let served = Served::start(&repo(), &["--dump", dump.to_str().unwrap()], 4);
    let admin = served.addr("admin");
    let (s, body) = http(admin, "GET", "/readyz").unwrap();
    assert_eq!(s, 503, "{body}");
    assert_eq!(http(admin, "GET", "/healthz").unwrap().0, 200);
    // a reload asked meanwhile: 503, and when to ask again
    let (s, head, _) = http_full(admin, "POST", "/admin/reload").unwrap();
    assert_eq!(s, 503, "{head}");
    assert!(
        head.to_ascii_lowercase().contains("retry-after: 1"),
        "{head}"
    );
    assert_eq!(ready(admin), "ready: serial 1\n");
    // connections made during the load waited and are answered from the data
    let a = whois(served.addr("whois"), "AS64500").unwrap_or_default();
    assert!(a.contains("Data serial 1"), "{a}");
    drop(served);
    // an unreadable first load: the listeners were bound, the exit code is 4
    let o = serve_failing(&["--dump", "/nonexistent/dump.db"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("/nonexistent/dump.db"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A self-signed certificate for localhost: (certificate PEM, key PEM, DER).
fn certificate() -> (String, String, Vec<u8>) {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    (
        c.cert.pem(),
        c.key_pair.serialize_pem(),
        c.cert.der().to_vec(),
    )
}

/// One keep-alive HTTP/1.1 request on an open stream; the status line.
fn keep_alive_get<S: Read + Write>(s: &mut S, path: &str) -> String {
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut v = Vec::new();
    let mut b = [0u8; 4096];
    for _ in 0..10_000 {
        if let Some(end) = v.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&v[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0);
            if v.len() >= end + 4 + len {
                return head.lines().next().unwrap_or("").to_string();
            }
        }
        let n = s.read(&mut b).unwrap_or(0);
        if n == 0 {
            break;
        }
        v.extend_from_slice(&b[..n]);
    }
    panic!("no whole answer: {:?}", String::from_utf8_lossy(&v));
}

#[test]
fn a_reload_renews_the_certificate_without_dropping_connections() {
    let (dir, cfg) = super::reload::reload_dir("tls");
    let (a_pem, a_key, a_der) = certificate();
    let (b_pem, b_key, b_der) = certificate();
    std::fs::write(dir.join("cert.pem"), &a_pem).unwrap();
    std::fs::write(dir.join("key.pem"), &a_key).unwrap();
    let served = Served::start(
        &repo(),
        &[
            "--config",
            cfg.to_str().unwrap(),
            "--tls-cert",
            dir.join("cert.pem").to_str().unwrap(),
            "--tls-key",
            dir.join("key.pem").to_str().unwrap(),
        ],
        4,
    );
    let (https, admin) = (served.addr("rdap"), served.addr("admin"));
    ready(admin);
    // a client trusting both certificates, to see which one is served
    let mut roots = rustls::RootCertStore::empty();
    roots.add(a_der.clone().into()).unwrap();
    roots.add(b_der.clone().into()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    let connect = || {
        let tcp = TcpStream::connect_timeout(&https, TIMEOUT).unwrap();
        tcp.set_read_timeout(Some(TIMEOUT)).unwrap();
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let conn = rustls::ClientConnection::new(Arc::clone(&client), name).unwrap();
        rustls::StreamOwned::new(conn, tcp)
    };
    let served_cert = |s: &rustls::StreamOwned<rustls::ClientConnection, TcpStream>| {
        s.conn
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.to_vec())
    };
    let mut open = connect();
    assert!(keep_alive_get(&mut open, "/rdap/help").contains("200"));
    assert_eq!(served_cert(&open), Some(a_der.clone()));

    std::fs::write(dir.join("cert.pem"), &b_pem).unwrap();
    std::fs::write(dir.join("key.pem"), &b_key).unwrap();
    let (s, body) = http(admin, "POST", "/admin/reload").unwrap();
    assert_eq!(s, 200, "{body}");

    // a new connection gets the new certificate; the open one goes on
    let mut fresh = connect();
    assert!(keep_alive_get(&mut fresh, "/rdap/help").contains("200"));
    assert_eq!(served_cert(&fresh), Some(b_der));
    assert!(keep_alive_get(&mut open, "/rdap/ip/192.0.2.5").contains("200"));
    assert_eq!(served_cert(&open), Some(a_der));
    assert!(served.log().contains("reloaded the TLS certificate"));
    drop(served);
    std::fs::remove_dir_all(&dir).ok();
}

/// A request with extra header lines to the admin listener.
fn http_with(addr: SocketAddr, method: &str, path: &str, extra: &str) -> (u16, String) {
    let mut s = TcpStream::connect_timeout(&addr, TIMEOUT).unwrap();
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut v = Vec::new();
    let _ = s.read_to_end(&mut v);
    let text = String::from_utf8_lossy(&v).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn the_admin_listener_asks_for_its_token_before_a_reload() {
    const TOKEN: &str = "a-long-test-token-0123456789";
    let served = Served::start(
        &repo(),
        &["--dump", "data/test-ripe.db", "--admin-token", TOKEN],
        4,
    );
    let admin = served.addr("admin");
    assert_eq!(ready(admin), "ready: serial 1\n");
    // reading stays open; changing state needs the token
    assert_eq!(http(admin, "GET", "/healthz").unwrap().0, 200);
    assert_eq!(http(admin, "GET", "/metrics").unwrap().0, 200);
    let (s, text) = http_with(admin, "POST", "/admin/reload", "");
    assert_eq!(s, 401, "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{text}"
    );
    let (s, _) = http_with(
        admin,
        "POST",
        "/admin/reload",
        "Authorization: Bearer wrong-token-0123456789ab\r\n",
    );
    assert_eq!(s, 401);
    let (s, text) = http_with(
        admin,
        "POST",
        "/admin/reload",
        &format!("Authorization: Bearer {TOKEN}\r\n"),
    );
    assert_eq!(s, 200, "{text}");
}

#[test]
fn an_admin_listener_beyond_loopback_needs_a_token_to_start() {
    let o = super::support::serve_failing(&[
        "--dump",
        "data/test-ripe.db",
        "--admin-listen",
        "0.0.0.0:0",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("admin-token") && err.contains("not on loopback"),
        "{err}"
    );
    let o =
        super::support::serve_failing(&["--dump", "data/test-ripe.db", "--admin-token", "short"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("at least 16 characters"));
}

/// Connects from a chosen loopback source address (127.0.0.N), so that one
/// test can be many clients; `None` when refused or past 2 s.
async fn connect_from(rt_src: std::net::Ipv4Addr, to: SocketAddr) -> Option<tokio::net::TcpStream> {
    let sock = tokio::net::TcpSocket::new_v4().ok()?;
    sock.bind(SocketAddr::new(rt_src.into(), 0)).ok()?;
    tokio::time::timeout(Duration::from_secs(2), sock.connect(to))
        .await
        .ok()?
        .ok()
}

#[test]
fn idle_connections_cannot_take_the_admin_listener_s_descriptors() {
    // a low open-file limit, caps at their defaults (1,024 each, more than
    // fit): the server lowers them and keeps a reserve, so that 300 idle
    // connections from 60 client addresses leave /healthz answering and the
    // log without a flood (before: accepts failed with EMFILE everywhere,
    // the admin listener included, and every failure was a log line)
    let served = Served::start_with_file_limit(&repo(), &["--config", "data/example.toml"], 4, 256);
    let admin = served.addr("admin");
    ready(admin);
    assert!(
        served.log().contains("open-file limit 256"),
        "{}",
        served.log()
    );
    let (whois_at, http_at) = (served.addr("whois"), served.addr("http"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let held = rt.block_on(async {
        let mut held = Vec::new();
        for i in 0..300u32 {
            let src = std::net::Ipv4Addr::new(127, 0, 1, (i / 5 + 2) as u8);
            let to = if i % 2 == 0 { whois_at } else { http_at };
            if let Some(s) = connect_from(src, to).await {
                held.push(s);
            }
        }
        held
    });
    // every descriptor the caps allow is taken (and more were asked for)
    let started = std::time::Instant::now();
    let (status, body) = http(admin, "GET", "/healthz").expect("the admin listener answers");
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let (_, metrics) = http(admin, "GET", "/metrics").expect("metrics");
    assert!(
        metrics.contains("tenure_accept_failures_total"),
        "{metrics}"
    );
    let floods = served.log().matches("accept failed").count();
    assert!(
        floods <= 4,
        "{floods} accept-failure lines:\n{}",
        served.log()
    );
    drop(held);
}
