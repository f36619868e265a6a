//! What the integration tests share: the sample-data snapshot, the WHOIS
//! and HTTP servers in process on loopback port 0, an in-process RDAP
//! request, and the real binary run with a deadline or served on loopback
//! listeners. Every read has a timeout; every loop is bounded.

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tenure::whois::server::{self, Limits, Shared};

/// Longest any spawned command may run.
const DEADLINE: Duration = Duration::from_secs(120);

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An empty directory of this test process's own,
/// `tenure-KIND-NAME-PID` under the system's temporary directory.
pub fn scratch(kind: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tenure-{kind}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn data(name: &str) -> PathBuf {
    repo().join("data").join(name)
}

/// `--whois-listen 127.0.0.1:0` and the like for every listener `args`
/// does not name: a served binary never takes a default port another test
/// or program may hold.
pub fn loopback_listeners(args: &[&str]) -> Vec<&'static str> {
    let mut v = Vec::new();
    for flag in [
        "--whois-listen",
        "--http-listen",
        "--rdap-listen",
        "--admin-listen",
    ] {
        if !args.contains(&flag) {
            v.extend([flag, "127.0.0.1:0"]);
        }
    }
    v
}

/// `tenure serve --quiet ARGS` on loopback listeners, to its end (for
/// runs that fail at start).
pub fn serve_failing(args: &[&str]) -> Output {
    let mut all = vec!["serve", "--quiet"];
    all.extend_from_slice(args);
    all.extend(loopback_listeners(args));
    tenure(&all)
}

/// Runs the real binary with a deadline; kills it when the deadline passes.
pub fn tenure(args: &[&str]) -> Output {
    tenure_in(&repo(), args)
}

pub fn tenure_in(dir: &Path, args: &[&str]) -> Output {
    run_with_deadline(
        Command::new(env!("CARGO_BIN_EXE_tenure"))
            .args(args)
            .current_dir(dir),
    )
}

/// Runs a command with the [`DEADLINE`]; kills it when the deadline passes.
pub fn run_with_deadline(cmd: &mut Command) -> Output {
    let args = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    // drain pipes on threads so a large output cannot block the child
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).ok();
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).ok();
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > DEADLINE {
            child.kill().ok();
            panic!("{args} ran past {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: t_out.join().unwrap_or_default(),
        stderr: t_err.join().unwrap_or_default(),
    }
}

/// A running `tenure serve`: the addresses from its "listening for KIND on
/// ADDR" lines, its log (stderr, read on a thread so the child never blocks),
/// and a kill on drop so a failed assertion leaves no server behind.
pub struct Served {
    child: Child,
    /// `(kind, address)` in the order the server printed them.
    pub listening: Vec<(String, SocketAddr)>,
    log: Arc<Mutex<String>>,
    log_reader: Option<JoinHandle<()>>,
}

impl Served {
    /// Spawns `tenure serve --quiet ARGS` in `dir` and collects up to
    /// `lines` listening lines, waiting at most 60 s for each (a listener
    /// the machine lacks, such as `[::1]`, prints none).
    /// Every listener `args` does not name binds `127.0.0.1:0` (never a
    /// default port another test or program may hold). `lines` is how many
    /// `listening` lines to wait for, in the order whois, http, rdap, admin.
    pub fn start(dir: &Path, args: &[&str], lines: usize) -> Served {
        Served::start_in(Command::new(env!("CARGO_BIN_EXE_tenure")), dir, args, lines)
    }

    /// [`Served::start`] under an open-file limit of `files` (soft and
    /// hard, set by the shell before it runs the server).
    pub fn start_with_file_limit(dir: &Path, args: &[&str], lines: usize, files: u32) -> Served {
        let mut sh = Command::new("sh");
        sh.args([
            "-c",
            &format!("ulimit -n {files} && exec \"$0\" \"$@\""),
            env!("CARGO_BIN_EXE_tenure"),
        ]);
        Served::start_in(sh, dir, args, lines)
    }

    fn start_in(mut cmd: Command, dir: &Path, args: &[&str], lines: usize) -> Served {
        let loopback = loopback_listeners(args);
        let mut child = cmd
            .args(["serve", "--quiet"])
            .args(args)
            .args(&loopback)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tenure serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let log_w = Arc::clone(&log);
        let log_reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut l) = log_w.lock() {
                    l.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        // stdout is read on a thread too, so a silent child cannot hang the test
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let _ = tx.send(line);
            }
        });
        let mut served = Served {
            child,
            listening: Vec::new(),
            log,
            log_reader: Some(log_reader),
        };
        for _ in 0..lines {
            let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) else {
                break;
            };
            let parsed = line
                .strip_prefix("listening for ")
                .and_then(|l| l.rsplit_once(" on "))
                .and_then(|(kind, a)| Some((kind.to_string(), a.parse().ok()?)));
            match parsed {
                Some(l) => served.listening.push(l),
                None => panic!("unexpected line '{line}'; server log:\n{}", served.log()),
            }
        }
        served
    }

    /// Every address printed for `kind` ("whois", "http", "rdap").
    pub fn addrs(&self, kind: &str) -> Vec<SocketAddr> {
        self.listening
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|&(_, a)| a)
            .collect()
    }

    /// The first address printed for `kind`; panics with the log when none was.
    pub fn addr(&self, kind: &str) -> SocketAddr {
        match self.addrs(kind).first() {
            Some(&a) => a,
            None => panic!("no {kind} listening line; server log:\n{}", self.log()),
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Sends `sig` (as `kill` spells it: "-HUP", "-TERM") to the server.
    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill {sig}");
    }

    /// Waits at most 20 s for the server to exit and returns its exit code;
    /// the whole log is read by then.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let started = Instant::now();
        let code = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s.code();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "tenure serve did not exit; server log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(t) = self.log_reader.take() {
            let _ = t.join();
        }
        code
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A moment before every sample lease: answers from the registry alone.
pub const BEFORE_LEASES: &str = "2024-06-01T00:00:00Z";

/// `tenure lookup --json` on the sample data, parsed, as of [`BEFORE_LEASES`].
pub fn lookup_json(query: &str) -> serde_json::Value {
    let o = tenure(&["lookup", "--quiet", "--json", "--at", BEFORE_LEASES, query]);
    assert!(o.status.success(), "lookup {query}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("lookup --json prints JSON")
}

/// Longest wait for any answer.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A snapshot of these sources alone (default index, leases judged as
/// tenure judges them), for tests that need other data than the sample's.
pub fn snapshot_of(sources: &tenure::dump::Sources) -> tenure::snapshot::Snapshot {
    let (reg, report) =
        tenure::dump::load(sources, &tenure::progress::Progress::off()).expect("load");
    tenure::snapshot::Snapshot::build(
        reg,
        report,
        1,
        Default::default(),
        tenure::query::lease_policy(false),
    )
}

pub fn snapshot() -> Arc<tenure::snapshot::Snapshot> {
    static SNAP: OnceLock<Arc<tenure::snapshot::Snapshot>> = OnceLock::new();
    SNAP.get_or_init(|| {
        let cfg = tenure::config::DataFlags::default()
            .resolve()
            .expect("sample config");
        let (reg, report) =
            tenure::dump::load(&cfg.sources, &tenure::progress::Progress::off()).expect("load");
        Arc::new(tenure::snapshot::Snapshot::build(
            reg,
            report,
            1,
            cfg.backend,
            tenure::query::lease_policy(false),
        ))
    })
    .clone()
}

pub struct TestServer {
    pub v4: SocketAddr,
    pub v6: Option<SocketAddr>,
    pub stop: tenure::limit::Shutdown,
    shared: Arc<Shared>,
    rt: Option<tokio::runtime::Runtime>,
}

impl TestServer {
    pub fn start(limits: Limits) -> TestServer {
        Self::start_with(snapshot(), limits)
    }

    /// A server on another snapshot than the sample data's.
    pub fn start_with(snap: Arc<tenure::snapshot::Snapshot>, limits: Limits) -> TestServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let shared = Shared::new(snap, limits);
        let stop = tenure::limit::Shutdown::new();
        let (v4, v6) = rt.block_on(async {
            let l4 = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind v4");
            let v4 = l4.local_addr().expect("addr");
            let l6 = tokio::net::TcpListener::bind("[::1]:0").await.ok();
            let v6 = l6.as_ref().and_then(|l| l.local_addr().ok());
            for l in std::iter::once(l4).chain(l6) {
                tokio::spawn(server::run(l, Arc::clone(&shared), stop.clone()));
            }
            (v4, v6)
        });
        TestServer {
            v4,
            v6,
            stop,
            shared,
            rt: Some(rt),
        }
    }
}

impl TestServer {
    /// Waits until the server counts `n` open connections (bounded: 200
    /// looks, 10 ms apart).
    pub fn until_open(&self, n: usize) {
        for _ in 0..200 {
            if self.shared.open_connections() >= n {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the server never counted {n} connections");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.begin();
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect_timeout(&addr, READ_TIMEOUT).expect("connect");
    s.set_read_timeout(Some(READ_TIMEOUT)).expect("timeout");
    s.set_write_timeout(Some(READ_TIMEOUT)).expect("timeout");
    s
}

/// Everything the server sends until it closes (bounded by the read timeout).
pub fn read_all(s: &mut TcpStream) -> String {
    let mut v = Vec::new();
    let _ = s.read_to_end(&mut v);
    String::from_utf8_lossy(&v).into_owned()
}

/// One query on a fresh connection, as `whois` sends it.
pub fn ask(addr: SocketAddr, line: &str) -> String {
    let mut s = connect(addr);
    s.write_all(format!("{line}\r\n").as_bytes()).expect("send");
    read_all(&mut s)
}

/// Reads until one answer has ended (the blank lines after it).
pub fn read_answer(s: &mut TcpStream) -> String {
    let mut v = Vec::new();
    let mut buf = [0u8; 4096];
    for _ in 0..10_000 {
        if v.ends_with(b"\n\n\n") {
            break;
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => v.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&v).into_owned()
}

/// The HTTP server (RDAP and the page) in process on `127.0.0.1:0`.
pub struct HttpServer {
    pub addr: SocketAddr,
    stop: tenure::limit::Shutdown,
    rt: Option<tokio::runtime::Runtime>,
}

impl HttpServer {
    pub fn start() -> HttpServer {
        Self::start_with(Default::default())
    }

    pub fn start_with(rdap: tenure::rdap::RdapConfig) -> HttpServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let current = Arc::new(tenure::snapshot::Current::new(super::support::snapshot()));
        let shared = tenure::http::HttpShared::new(current, rdap, "http");
        let stop = tenure::limit::Shutdown::new();
        let addr = rt.block_on(async {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let a = l.local_addr().expect("addr");
            tokio::spawn(tenure::http::run(l, shared, stop.clone()));
            a
        });
        HttpServer {
            addr,
            stop,
            rt: Some(rt),
        }
    }

    /// One request with `Connection: close`; the whole response.
    pub fn request(&self, method: &str, target: &str, extra: &str) -> (u16, String, String) {
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
        self.stop.begin();
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

/// One RDAP request answered in process from `snap` (no HTTP).
pub fn rdap_get(
    snap: &tenure::snapshot::Snapshot,
    cfg: &tenure::rdap::RdapConfig,
    target: &str,
) -> tenure::rdap::Response {
    tenure::rdap::handle(
        snap,
        cfg,
        &tenure::rdap::Request {
            method: "GET",
            target,
            accept: None,
            origin: "https://rdap.example",
        },
        0,
    )
}
