//! The deployment the README describes, on loopback: HAProxy (Debian's
//! package, installed by `.ci/run`) in front of three replicas serving one
//! compiled snapshot, health-checked on `/readyz`, PROXY protocol v2 to
//! the replicas. Under a steady WHOIS and RDAP load from a client of its
//! own address (127.0.0.2), one replica is stopped (SIGTERM: it leaves the
//! rotation before it stops accepting; nothing fails), another is killed
//! (SIGKILL: RDAP GETs are retried by the balancer, nothing fails; WHOIS
//! queries in flight at that instant may fail, and only those), the third
//! reloads a recompiled snapshot; the replicas' logs name the client, not
//! the balancer.

use super::*;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// A free loopback port (bound, then released for HAProxy to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A connection from 127.0.0.2 (a client that is not the balancer).
fn connect_from_client(
    rt: &tokio::runtime::Runtime,
    to: SocketAddr,
) -> Option<std::net::TcpStream> {
    rt.block_on(async {
        let sock = tokio::net::TcpSocket::new_v4().ok()?;
        sock.bind("127.0.0.2:0".parse().ok()?).ok()?;
        let s = tokio::time::timeout(Duration::from_secs(2), sock.connect(to))
            .await
            .ok()?
            .ok()?;
        s.into_std().ok()
    })
    .and_then(|s| {
        s.set_nonblocking(false).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        s.set_write_timeout(Some(Duration::from_secs(5))).ok()?;
        Some(s)
    })
}

/// One request on a new connection: the whole answer, or why not.
fn exchange(
    rt: &tokio::runtime::Runtime,
    to: SocketAddr,
    request: &[u8],
) -> Result<String, String> {
    let mut s = connect_from_client(rt, to).ok_or("connect failed")?;
    s.write_all(request).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// (when, ok, answer or error) of every query a load thread sent.
type Log = Arc<Mutex<Vec<(Instant, bool, String)>>>;

fn load(
    kind: &'static str,
    to: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Log,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // bounded: at most 20,000 queries whatever the timing
        for _ in 0..20_000 {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let (request, good): (&[u8], &str) = match kind {
                "whois" => (b"192.0.2.5\r\n", "% Holder: ORG-EXAMPLE1-TEST"),
                _ => (
                    b"GET /rdap/ip/192.0.2.5 HTTP/1.1\r\nHost: rdap.example\r\nConnection: close\r\n\r\n",
                    "HTTP/1.1 200",
                ),
            };
            let r = exchange(&rt, to, request);
            let ok = r.as_ref().is_ok_and(|a| a.contains(good));
            let what = r.unwrap_or_else(|e| e);
            log.lock().unwrap().push((Instant::now(), ok, what));
            std::thread::sleep(Duration::from_millis(5));
        }
    })
}

#[test]
fn three_replicas_behind_haproxy_stop_die_and_reload_under_load() {
    let haproxy = [
        "/usr/sbin/haproxy",
        "/usr/bin/haproxy",
        "/usr/local/sbin/haproxy",
    ]
    .into_iter()
    .find(|p| Path::new(p).is_file());
    let Some(haproxy) = haproxy else {
        assert!(
            std::env::var("CI").is_err(),
            "haproxy is missing under CI (.ci/run installs it)"
        );
        eprintln!("SKIPPED: haproxy is not installed");
        return;
    };
    let dir = std::env::temp_dir().join(format!("tenure-deploy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let snap = dir.join("registry.snap");
    let snap_s = snap.to_str().unwrap().to_string();
    let out = tenure(&["compile", "--out", &snap_s]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let replica = || {
        Served::start(
            &repo(),
            &[
                "--snapshot",
                &snap_s,
                "--whois-proxy-protocol",
                "127.0.0.1/32",
                "--http-proxy-protocol",
                "127.0.0.1/32",
                "--admin-listen",
                "127.0.0.1:0",
                "--unready-seconds",
                "1.5",
                "--drain-seconds",
                "5",
                "--whois-rate",
                "100000",
                "--whois-burst",
                "100000",
                "--rdap-rate",
                "100000",
                "--rdap-burst",
                "100000",
                "--log-level",
                "debug",
            ],
            4,
        )
    };
    let mut replicas = [replica(), replica(), replica()];
    let (fw, fh) = (free_port(), free_port());
    let mut cfg = format!(
        "global\n  maxconn 4000\n\ndefaults\n  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n  retries 3\n  option redispatch\n\n\
         frontend whois\n  mode tcp\n  bind 127.0.0.1:{fw}\n  default_backend whois\n\n\
         backend whois\n  mode tcp\n  balance roundrobin\n  option httpchk GET /readyz\n  http-check expect status 200\n  default-server inter 200ms fall 2 rise 2\n"
    );
    for (i, r) in replicas.iter().enumerate() {
        cfg.push_str(&format!(
            "  server r{i} {} send-proxy-v2 check port {}\n",
            r.addr("whois"),
            r.addr("admin").port()
        ));
    }
    cfg.push_str(&format!(
        "\nfrontend rdap\n  mode http\n  bind 127.0.0.1:{fh}\n  default_backend rdap\n\n\
         backend rdap\n  mode http\n  balance roundrobin\n  retry-on all-retryable-errors\n  option httpchk GET /readyz\n  http-check expect status 200\n  default-server inter 200ms fall 2 rise 2\n"
    ));
    for (i, r) in replicas.iter().enumerate() {
        cfg.push_str(&format!(
            "  server r{i} {} send-proxy-v2 check port {}\n",
            r.addr("http"),
            r.addr("admin").port()
        ));
    }
    let cfg_path = dir.join("haproxy.cfg");
    std::fs::write(&cfg_path, &cfg).unwrap();
    /// The balancer, stopped however the test ends.
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let balancer = Kill(
        Command::new(haproxy)
            .args(["-db", "-f"])
            .arg(&cfg_path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start haproxy"),
    );
    let whois_at: SocketAddr = format!("127.0.0.1:{fw}").parse().unwrap();
    let rdap_at: SocketAddr = format!("127.0.0.1:{fh}").parse().unwrap();
    // every replica up behind the balancer (bounded wait)
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut up = false;
    for _ in 0..200 {
        let w = exchange(&rt, whois_at, b"192.0.2.5\r\n").unwrap_or_default();
        if w.contains("% Holder: ORG-EXAMPLE1-TEST") {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(up, "never answered through haproxy");
    // the health checks have seen every replica up
    std::thread::sleep(Duration::from_millis(800));

    let stop = Arc::new(AtomicBool::new(false));
    let (wlog, rlog): (Log, Log) = Default::default();
    let threads = [
        load("whois", whois_at, stop.clone(), wlog.clone()),
        load("rdap", rdap_at, stop.clone(), rlog.clone()),
    ];
    std::thread::sleep(Duration::from_secs(1));
    // 1. a graceful stop: /readyz fails first, the balancer moves away
    replicas[0].signal("-TERM");
    assert_eq!(replicas[0].wait_exit(), Some(0));
    std::thread::sleep(Duration::from_secs(1));
    // 2. a crash
    let killed_at = Instant::now();
    replicas[1].signal("-KILL");
    std::thread::sleep(Duration::from_secs(2));
    // 3. the last one reloads a recompiled snapshot
    let mut text = std::fs::read_to_string(data("test-ripe.db")).unwrap();
    text = text.replace("Example Holder GmbH", "Reloaded Holder GmbH");
    let dump = dir.join("changed.db");
    std::fs::write(&dump, text).unwrap();
    let out = tenure(&[
        "compile",
        "--dump",
        dump.to_str().unwrap(),
        "--out",
        &snap_s,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    replicas[2].signal("-HUP");
    super::reload::until_logged(&replicas[2], "reloaded (all): serial 2", 1);
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let after = exchange(&rt, whois_at, b"192.0.2.5\r\n").unwrap_or_default();
    assert!(after.contains("Reloaded Holder GmbH"), "{after}");

    let (w, r) = (wlog.lock().unwrap(), rlog.lock().unwrap());
    assert!(
        w.len() > 100 && r.len() > 100,
        "{} whois, {} rdap queries",
        w.len(),
        r.len()
    );
    let failed: Vec<&(Instant, bool, String)> = r.iter().filter(|x| !x.1).collect();
    assert!(
        failed.is_empty(),
        "{} of {} RDAP queries failed: {:?}",
        failed.len(),
        r.len(),
        failed.first()
    );
    // WHOIS: only queries in flight when the replica was killed may fail
    let failed: Vec<&(Instant, bool, String)> = w.iter().filter(|x| !x.1).collect();
    for f in &failed {
        let from_kill = f.0.saturating_duration_since(killed_at);
        assert!(
            f.0 >= killed_at && from_kill < Duration::from_millis(1500),
            "a WHOIS query failed {:?} after the kill (not in flight then): {}",
            from_kill,
            f.2
        );
    }
    assert!(failed.len() <= 3, "{} WHOIS queries failed", failed.len());
    eprintln!(
        "deploy: {} WHOIS ({} failed at the kill), {} RDAP (0 failed)",
        w.len(),
        failed.len(),
        r.len()
    );
    // the replicas saw the client, never the balancer
    let log = replicas[2].log();
    assert!(log.contains("whois 127.0.0.2 "), "{log}");
    assert!(
        log.contains("rdap 127.0.0.2 /rdap/ip/192.0.2.5 200"),
        "{log}"
    );
    assert!(!log.contains("whois 127.0.0.1 \""), "{log}");
    drop(balancer);
    let _ = std::fs::remove_dir_all(&dir);
}
