//! `tenure serve` reloads on SIGHUP: a good reload replaces the snapshot
//! whole (the serial grows), a bad one keeps the old data serving.

use super::whois::ask;
use super::*;
use std::io::{BufRead, Read};
use std::net::SocketAddr;

fn lease_line(lessee: &str) -> String {
    format!(
        "{{\"lease\": \"R-1\", \"prefix\": \"192.0.2.0/26\", \"lessor\": \"ORG-EXAMPLE1-TEST\", \"lessee\": {{\"handle\": \"{lessee}\", \"name\": \"{lessee} Ltd\"}}, \"start\": \"2020-01-01T00:00:00Z\"}}\n"
    )
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill {sig}");
}

/// Asks until the answer contains `want` (bounded: 100 tries, 100 ms apart).
fn until(addr: SocketAddr, q: &str, want: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        last = ask(addr, q);
        if last.contains(want) {
            return last;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("never saw {want:?}; last answer:\n{last}");
}

#[test]
fn sighup_reloads_good_data_and_keeps_the_old_on_bad() {
    let dir = std::env::temp_dir().join(format!("tenure-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(data("test-ripe.db"), dir.join("test-ripe.db")).unwrap();
    std::fs::write(dir.join("leases.jsonl"), lease_line("FIRST-LESSEE")).unwrap();
    std::fs::write(
        dir.join("tenure.toml"),
        "dump = [\"test-ripe.db\"]\nleases = [{ path = \"leases.jsonl\", name = \"t\" }]\n",
    )
    .unwrap();
    let cfg = dir.join("tenure.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenure"))
        .args([
            "serve",
            "--quiet",
            "--config",
            cfg.to_str().unwrap(),
            "--whois-listen",
            "127.0.0.1:0",
            "--http-listen",
            "127.0.0.1:0",
            "--rdap-listen",
            "127.0.0.1:0",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap(); // the whois line comes first
    let addr: SocketAddr = line.trim().rsplit_once(" on ").unwrap().1.parse().unwrap();
    let a = ask(addr, "192.0.2.5");
    assert!(
        a.contains("Data serial 1") && a.contains("% Lessee: FIRST-LESSEE"),
        "{a}"
    );

    // a good reload: new lease data, serial 2
    std::fs::write(dir.join("leases.jsonl"), lease_line("SECOND-LESSEE")).unwrap();
    signal(pid, "-HUP");
    let a = until(addr, "192.0.2.5", "% Lessee: SECOND-LESSEE");
    assert!(a.contains("Data serial 2"), "{a}");

    // a bad reload: the dump cut to one object; the old data keeps serving
    std::fs::write(dir.join("test-ripe.db"), "aut-num: AS64500\nsource: TEST\n").unwrap();
    std::fs::write(dir.join("leases.jsonl"), lease_line("THIRD-LESSEE")).unwrap();
    signal(pid, "-HUP");
    std::thread::sleep(Duration::from_millis(500));
    let a = ask(addr, "192.0.2.5");
    assert!(
        a.contains("Data serial 2") && a.contains("% Lessee: SECOND-LESSEE"),
        "{a}"
    );

    // a missing file: also kept
    std::fs::remove_file(dir.join("test-ripe.db")).unwrap();
    signal(pid, "-HUP");
    std::thread::sleep(Duration::from_millis(300));
    assert!(ask(addr, "192.0.2.5").contains("Data serial 2"));

    signal(pid, "-TERM");
    let started = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut log = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut log);
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("reloaded: serial 2"), "{log}");
    assert!(
        log.contains("reload refused, serial 2 keeps serving"),
        "{log}"
    );
    assert!(
        log.contains("reload failed, serial 2 keeps serving"),
        "{log}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
