//! The lookup page in a real browser: Debian's headless Chromium driven
//! through ChromeDriver (W3C WebDriver, spoken here over loopback HTTP)
//! loads the page from the running binary, types an address into the
//! search box, submits the form, and the test reads the rendered result.
//! A phone-sized screenshot is kept in `target/test-artifacts/`.
//!
//! `.ci/run` installs `chromium` and `chromium-driver`; elsewhere the test
//! says SKIPPED when they are missing (under `CI=true` it fails instead).

use super::*;
use serde_json::{json, Value};
use std::io::Write;
use std::net::TcpStream;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const TIMEOUT: Duration = Duration::from_secs(30);

/// One WebDriver command: JSON in, the response's `value` out.
fn wd(addr: SocketAddr, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
    let mut s = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    // ChromeDriver keeps the socket open after its answer: read the header,
    // then exactly Content-Length bytes (bounded loop, each read timed out)
    let mut v = Vec::new();
    let mut buf = [0u8; 16384];
    let mut want: Option<usize> = None;
    for _ in 0..100_000 {
        if let Some(end) = v.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&v[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .ok_or("no Content-Length")?;
            want = Some(end + 4 + len);
        }
        if want.is_some_and(|w| v.len() >= w) {
            break;
        }
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        v.extend_from_slice(&buf[..n]);
    }
    let end = want.ok_or("no complete answer")?;
    let text = String::from_utf8_lossy(&v[..end.min(v.len())]).into_owned();
    let (_, payload) = text.split_once("\r\n\r\n").ok_or("no header end")?;
    let v: Value = serde_json::from_str(payload).map_err(|e| format!("{e}: {payload}"))?;
    if v["value"]["error"].is_string() {
        return Err(format!("{path}: {}", v["value"]));
    }
    Ok(v["value"].clone())
}

/// Standard base64, for the screenshot.
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// ChromeDriver on a free loopback port, killed on drop.
struct Driver(std::process::Child, SocketAddr);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_lookup_page_in_a_real_browser() {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("CI").is_err(),
            "CI installs chromium and chromium-driver (.ci/run)"
        );
        println!("SKIPPED: {CHROMEDRIVER} or {CHROMIUM} missing (apt-get install chromium chromium-driver)");
        return;
    }
    let served = Served::start(&repo(), &[], 2);
    let page = served.addr("http");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(CHROMEDRIVER)
        .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver");
    let driver = Driver(child, SocketAddr::from(([127, 0, 0, 1], port)));
    let d = driver.1;
    let mut ready = false;
    for _ in 0..100 {
        if wd(d, "GET", "/status", None).is_ok_and(|v| v["ready"] == true) {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(ready, "chromedriver did not start");
    let session = wd(
        d,
        "POST",
        "/session",
        Some(json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage"],
                // a phone's viewport (Chromium's windows are at least 500 wide)
                "mobileEmulation": {"deviceMetrics": {"width": 412, "height": 1300, "pixelRatio": 1.0}}
            }
        }}})),
    )
    .expect("a browser session");
    let sid = session["sessionId"]
        .as_str()
        .expect("session id")
        .to_string();
    let cmd = |method: &str, what: &str, body: Option<Value>| {
        wd(d, method, &format!("/session/{sid}{what}"), body)
    };
    const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
    let find = |css: &str| -> Result<String, String> {
        let e = cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        e[ELEMENT]
            .as_str()
            .map(str::to_string)
            .ok_or(format!("no {css}"))
    };
    let text_of = |css: &str| -> String {
        let e = find(css).unwrap_or_else(|e| panic!("{e}"));
        cmd("GET", &format!("/element/{e}/text"), None)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };

    // the front page: a search form, then a query typed and submitted
    cmd(
        "POST",
        "/url",
        Some(json!({"url": format!("http://{page}/")})),
    )
    .expect("load");
    assert_eq!(
        cmd("GET", "/title", None).unwrap().as_str(),
        Some("tenure lookup")
    );
    let input = find("input[name=q]").unwrap();
    cmd(
        "POST",
        &format!("/element/{input}/value"),
        Some(json!({"text": "192.0.2.130"})),
    )
    .unwrap();
    let button = find("button[type=submit]").unwrap();
    cmd("POST", &format!("/element/{button}/click"), Some(json!({}))).unwrap();
    let mut url = String::new();
    for _ in 0..100 {
        url = cmd("GET", "/url", None)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if url.contains("q=192.0.2.130") && find("#lessee").is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(url.contains("q=192.0.2.130"), "the form went to {url}");

    // the rendered result
    assert_eq!(text_of("#holder .name"), "Example Holder GmbH");
    assert_eq!(text_of("#lessee .name"), "Example Lessee Ltd");
    let lessee = text_of("#lessee");
    assert!(
        lessee.contains("L-2026-0042") && lessee.contains("verified"),
        "{lessee}"
    );
    assert_eq!(text_of("#abuse .name"), "abuse@lessee.example");
    assert!(text_of("#object pre").contains("LEASED-TO-EXAMPLE-LESSEE"));
    let rects = cmd(
        "POST",
        "/elements",
        Some(json!({"using": "css selector", "value": "#block svg rect"})),
    )
    .unwrap();
    assert!(
        rects.as_array().map_or(0, Vec::len) >= 8,
        "the block picture: {rects}"
    );
    // the page fits a phone: nothing wider than its 412 px viewport
    let widths = cmd(
        "POST",
        "/execute/sync",
        Some(json!({
            "script": "return [window.innerWidth, document.documentElement.scrollWidth]",
            "args": []
        })),
    )
    .unwrap();
    assert_eq!(widths, json!([412, 412]), "viewport and page width");

    // a screenshot as a test artefact
    let shot = cmd("GET", "/screenshot", None).unwrap();
    let png = base64_decode(shot.as_str().unwrap_or(""));
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let dir = repo().join("target").join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("lookup-192.0.2.130-phone.png"), &png).unwrap();

    let _ = cmd("DELETE", "", None);
    drop(driver);
    drop(served);
}
