//! `tenure serve` reloads on SIGHUP: a good reload replaces the snapshot
//! whole (the serial grows), a bad one keeps the old data serving.

use super::support::ask;
use super::*;
use std::net::SocketAddr;

/// One lease of 192.0.2.0/26 by the holder to `lessee`.
pub fn lease_line(lessee: &str) -> String {
    format!(
        "{{\"lease\": \"R-1\", \"prefix\": \"192.0.2.0/26\", \"lessor\": \"ORG-EXAMPLE1-TEST\", \"lessee\": {{\"handle\": \"{lessee}\", \"name\": \"{lessee} Ltd\"}}, \"start\": \"2020-01-01T00:00:00Z\"}}\n"
    )
}

/// A directory for a server to reload from: a copy of the sample dump, a
/// lease file leasing to FIRST-LESSEE, and `tenure.toml` naming both.
/// Returns the directory and the configuration file.
pub fn reload_dir(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("tenure-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(data("test-ripe.db"), dir.join("test-ripe.db")).unwrap();
    std::fs::write(dir.join("leases.jsonl"), lease_line("FIRST-LESSEE")).unwrap();
    std::fs::write(
        dir.join("tenure.toml"),
        "dump = [\"test-ripe.db\"]\nleases = [{ path = \"leases.jsonl\", name = \"t\" }]\n",
    )
    .unwrap();
    let cfg = dir.join("tenure.toml");
    (dir, cfg)
}

/// Asks until the answer contains `want` (bounded: 100 tries, 100 ms apart).
pub fn until(addr: SocketAddr, q: &str, want: &str) -> String {
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

/// Waits until the server's log says `what` `n` times (bounded: 200 looks,
/// 50 ms apart): the awaited outcome of a reload, instead of a fixed sleep
/// before a check that nothing changed.
pub fn until_logged(served: &Served, what: &str, n: usize) {
    for _ in 0..200 {
        if served.log().matches(what).count() >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("never logged {what:?} {n} times; log:\n{}", served.log());
}

#[test]
fn sighup_reloads_good_data_and_keeps_the_old_on_bad() {
    let (dir, cfg) = reload_dir("reload");
    let mut served = Served::start(
        &repo(),
        &["--config", cfg.to_str().unwrap()],
        1, // the whois line comes first
    );
    let addr = served.addr("whois");
    let a = ask(addr, "192.0.2.5");
    assert!(
        a.contains("Data serial 1") && a.contains("% Lessee: FIRST-LESSEE"),
        "{a}"
    );

    // a good reload: new lease data, serial 2
    std::fs::write(dir.join("leases.jsonl"), lease_line("SECOND-LESSEE")).unwrap();
    served.signal("-HUP");
    let a = until(addr, "192.0.2.5", "% Lessee: SECOND-LESSEE");
    assert!(a.contains("Data serial 2"), "{a}");

    // a bad reload: the dump cut to one object; the old data keeps serving
    std::fs::write(dir.join("test-ripe.db"), "aut-num: AS64500\nsource: TEST\n").unwrap();
    std::fs::write(dir.join("leases.jsonl"), lease_line("THIRD-LESSEE")).unwrap();
    served.signal("-HUP");
    until_logged(&served, "reload (all) failed", 1);
    let a = ask(addr, "192.0.2.5");
    assert!(
        a.contains("Data serial 2") && a.contains("% Lessee: SECOND-LESSEE"),
        "{a}"
    );

    // a missing file: also kept
    std::fs::remove_file(dir.join("test-ripe.db")).unwrap();
    served.signal("-HUP");
    until_logged(&served, "reload (all) failed", 2);
    assert!(ask(addr, "192.0.2.5").contains("Data serial 2"));

    served.signal("-TERM");
    let code = served.wait_exit();
    let log = served.log();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("reloaded (all): serial 2"), "{log}");
    assert!(
        log.contains("reload (all) failed, serial 2 keeps serving: the new index would be empty"),
        "{log}"
    );
    assert!(
        log.contains("reload (all) failed, serial 2 keeps serving: cannot open"),
        "{log}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
