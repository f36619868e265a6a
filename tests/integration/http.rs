//! RDAP over plain HTTP, the hyper server in process on `127.0.0.1:0`.
//! Raw HTTP/1.1 requests on std sockets, each read with a timeout.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

struct HttpServer {
    addr: SocketAddr,
    stop: tokio::sync::watch::Sender<bool>,
    rt: Option<tokio::runtime::Runtime>,
}

impl HttpServer {
    fn start() -> HttpServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let current = Arc::new(tenure::snapshot::Current::new(super::whois::snapshot()));
        let shared = Arc::new(tenure::http::HttpShared {
            current,
            rdap: Default::default(),
            scheme: "http",
        });
        let (stop, rx) = tokio::sync::watch::channel(false);
        let addr = rt.block_on(async {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let a = l.local_addr().expect("addr");
            let mut rx = rx.clone();
            tokio::spawn(tenure::http::run(l, shared, async move {
                let _ = rx.wait_for(|s| *s).await;
            }));
            a
        });
        HttpServer {
            addr,
            stop,
            rt: Some(rt),
        }
    }

    /// One request with `Connection: close`; the whole response.
    fn request(&self, method: &str, target: &str, extra: &str) -> (u16, String, String) {
        let mut s =
            TcpStream::connect_timeout(&self.addr, Duration::from_secs(10)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let req = format!(
            "{method} {target} HTTP/1.1\r\nHost: rdap.test\r\nConnection: close\r\n{extra}\r\n"
        );
        s.write_all(req.as_bytes()).expect("send");
        let mut v = Vec::new();
        let _ = s.read_to_end(&mut v);
        let text = String::from_utf8_lossy(&v).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (status, head.to_ascii_lowercase(), body.to_string())
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

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
    assert_eq!(status, 501);
    // a hostile path is a 4xx, never a 5xx or a dropped connection
    let (status, _, _) = srv.request("GET", &format!("/rdap/ip/{}", "%41".repeat(2000)), "");
    assert!((400..500).contains(&status), "{status}");
}
