//! Behind a load balancer: the PROXY protocol (v1 and v2) on the WHOIS,
//! HTTP and HTTPS listeners. A listener that speaks it takes the real
//! client from the header (limits, refusals and logs name it), accepts
//! connections only from the configured balancers and only with a valid
//! header, and closes anything else without answering.

use super::*;
use std::io::Write;
use std::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(10);

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    s
}

/// Everything the server sends until it closes (bounded by the timeout).
fn read_to_close(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A v2 header for a TCP/IPv4 client.
fn v2_header(src: [u8; 4], sport: u16) -> Vec<u8> {
    let mut h = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    h.extend_from_slice(&[0x21, 0x11, 0, 12]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&[127, 0, 0, 1]);
    h.extend_from_slice(&sport.to_be_bytes());
    h.extend_from_slice(&80u16.to_be_bytes());
    h
}

#[test]
fn the_proxy_protocol_names_the_real_client_on_every_listener() {
    let served = Served::start(
        &repo(),
        &[
            "--whois-proxy-protocol",
            "127.0.0.1",
            "--http-proxy-protocol",
            "127.0.0.1/32",
            "--rdap-proxy-protocol",
            "127.0.0.1",
            "--log-level",
            "debug",
            // one query per client: the second from the same real client is
            // refused, one from another real client is not
            "--whois-rate",
            "0.001",
            "--whois-burst",
            "1",
            // the operator's own tool, behind the same balancer
            "--rate-limit-exempt",
            "192.0.2.250",
        ],
        4,
    );
    let (w, h, tls) = (
        served.addr("whois"),
        served.addr("http"),
        served.addr("rdap"),
    );

    // WHOIS, v1 header then the query in the same packet
    let mut s = connect(w);
    s.write_all(b"PROXY TCP4 203.0.113.7 127.0.0.1 50000 43\r\n192.0.2.5\r\n")
        .unwrap();
    let a = read_to_close(&mut s);
    assert!(a.contains("% Holder: ORG-EXAMPLE1-TEST"), "{a}");
    // the same real client again: over its rate (the balancer's address
    // is not what is limited)
    let mut s = connect(w);
    s.write_all(b"PROXY TCP4 203.0.113.7 127.0.0.1 50001 43\r\n192.0.2.5\r\n")
        .unwrap();
    let a = read_to_close(&mut s);
    assert!(a.contains("%ERROR:201"), "{a}");
    // another real client through the same balancer: answered (v2 header)
    let mut s = connect(w);
    let mut req = v2_header([198, 51, 100, 9], 50002);
    req.extend_from_slice(b"192.0.2.5\r\n");
    s.write_all(&req).unwrap();
    let a = read_to_close(&mut s);
    assert!(a.contains("% Holder: ORG-EXAMPLE1-TEST"), "{a}");
    // an exempt client is never over its rate
    for port in 50010..50014u16 {
        let mut s = connect(w);
        s.write_all(
            format!("PROXY TCP4 192.0.2.250 127.0.0.1 {port} 43\r\n192.0.2.5\r\n").as_bytes(),
        )
        .unwrap();
        let a = read_to_close(&mut s);
        assert!(a.contains("% Holder: ORG-EXAMPLE1-TEST"), "{a}");
    }
    // no header: closed without a word (no guessing)
    let mut s = connect(w);
    s.write_all(b"192.0.2.5\r\n").unwrap();
    assert_eq!(read_to_close(&mut s), "");
    // HTTP with a v2 header
    let mut s = connect(h);
    let mut req = v2_header([192, 0, 2, 77], 40000);
    req.extend_from_slice(
        b"GET /rdap/ip/192.0.2.130 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    s.write_all(&req).unwrap();
    let a = read_to_close(&mut s);
    assert!(a.starts_with("HTTP/1.1 200"), "{a}");
    // HTTP without the header: closed
    let mut s = connect(h);
    s.write_all(b"GET /rdap/help HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert_eq!(read_to_close(&mut s), "");

    // HTTPS: the v1 header, then the TLS handshake and the request
    let log = served.log();
    let cert_path = log
        .split("self-signed certificate for localhost, 127.0.0.1 and ::1 at ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("the certificate's path in the log");
    let pem = std::fs::read(cert_path).expect("certificate");
    use rustls_pki_types::pem::PemObject;
    let der = rustls_pki_types::CertificateDer::from_pem_slice(&pem).expect("pem");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );
    let mut tcp = connect(tls);
    tcp.write_all(b"PROXY TCP6 2001:db8::99 ::1 40001 443\r\n")
        .unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(client, name).unwrap();
    let mut s = rustls::StreamOwned::new(conn, tcp);
    s.write_all(b"GET /rdap/ip/192.0.2.5 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let a = String::from_utf8_lossy(&out);
    assert!(a.starts_with("HTTP/1.1 200"), "{a}");

    // the logs name the real clients, never the balancer
    let deadline = Instant::now() + TIMEOUT;
    let want = [
        "whois 203.0.113.7 ",
        "whois 203.0.113.7 refused: query rate exceeded",
        "whois 198.51.100.9 ",
        "rdap 192.0.2.77 /rdap/ip/192.0.2.130 200",
        "rdap 2001:db8::99 /rdap/ip/192.0.2.5 200",
        "connection from 127.0.0.1",
    ];
    loop {
        let log = served.log();
        let missing: Vec<&str> = want.iter().copied().filter(|w| !log.contains(w)).collect();
        if missing.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "not logged: {missing:?}\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // refused connections are counted per listener
    let admin = served.addr("admin");
    let mut s = connect(admin);
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let m = read_to_close(&mut s);
    assert!(
        m.contains("tenure_proxy_refused_total{listener=\"whois\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("tenure_proxy_refused_total{listener=\"http\"} 1"),
        "{m}"
    );
}

#[test]
fn a_connection_from_an_address_that_is_no_balancer_is_closed() {
    // the balancer is elsewhere: a header from 127.0.0.1 is not trusted
    let served = Served::start(
        &repo(),
        &[
            "--whois-proxy-protocol",
            "192.0.2.1",
            "--log-level",
            "debug",
        ],
        1,
    );
    let mut s = connect(served.addr("whois"));
    s.write_all(b"PROXY TCP4 203.0.113.8 127.0.0.1 1 43\r\n192.0.2.5\r\n")
        .unwrap();
    assert_eq!(read_to_close(&mut s), "");
    let deadline = Instant::now() + TIMEOUT;
    while !served
        .log()
        .contains("closed: not from a configured load balancer")
    {
        assert!(Instant::now() < deadline, "{}", served.log());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_proxy_protocol_list_that_is_no_address_is_refused_at_start() {
    let o = serve_failing(&["--whois-proxy-protocol", "not-an-address"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("whois-proxy-protocol: 'not-an-address' is not an address or a CIDR prefix"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn on_sigterm_readyz_fails_first_while_the_listeners_still_serve() {
    let mut served = Served::start(&repo(), &["--unready-seconds", "3"], 4);
    let (w, admin) = (served.addr("whois"), served.addr("admin"));
    let get = |path: &str| {
        let mut s = connect(admin);
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
        read_to_close(&mut s)
    };
    let deadline = Instant::now() + TIMEOUT;
    while !get("/readyz").starts_with("HTTP/1.1 200") {
        assert!(Instant::now() < deadline, "never ready");
        std::thread::sleep(Duration::from_millis(50));
    }
    let signalled = Instant::now();
    served.signal("-TERM");
    // the balancer's check fails at once...
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let r = get("/readyz");
        if r.starts_with("HTTP/1.1 503") {
            assert!(r.contains("not ready: stopping"), "{r}");
            break;
        }
        assert!(Instant::now() < deadline, "{r}");
        std::thread::sleep(Duration::from_millis(20));
    }
    // ...while queries are still answered (new connections too)
    let mut s = connect(w);
    s.write_all(b"192.0.2.5\r\n").unwrap();
    let a = read_to_close(&mut s);
    assert!(
        signalled.elapsed() < Duration::from_secs(3),
        "the checks took longer than the window"
    );
    assert!(a.contains("% Holder: ORG-EXAMPLE1-TEST"), "{a}");
    // then the listeners close and the process exits
    assert_eq!(served.wait_exit(), Some(0), "{}", served.log());
    assert!(signalled.elapsed() >= Duration::from_secs(3));
    let log = served.log();
    assert!(
        log.contains("stopping: /readyz answers 503; still serving for 3s"),
        "{log}"
    );
}
