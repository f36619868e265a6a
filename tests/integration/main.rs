//! tenure's integration tests: one binary. Every spawned process has a
//! deadline; nothing touches the network.

mod cli;
mod conformance;
mod http;
mod leases;
mod rdap;
mod reload;
mod shared_data;
mod whois;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Longest any spawned command may run.
const DEADLINE: Duration = Duration::from_secs(120);

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn data(name: &str) -> PathBuf {
    repo().join("data").join(name)
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
