//! The WHOIS server in process on `127.0.0.1:0` (and `[::1]:0` where the
//! machine has IPv6), on the sample data. Every read has a timeout; every
//! loop is bounded.

use super::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use tenure::whois::server::Limits;

const AT: &str = "--at 2026-03-14T09:30:00Z";

#[test]
fn default_answer_banner_summary_and_ending() {
    let srv = TestServer::start(Limits::default());
    let a = ask(srv.v4, &format!("{AT} 192.0.2.77"));
    assert!(a.starts_with("% This is the tenure whois server"), "{a}");
    assert!(a.contains(
        "% Holder: ORG-EXAMPLE1-TEST (Example Holder GmbH), from '192.0.2.0 - 192.0.2.255'\n"
    ));
    assert!(a.contains("% Lessee: ORG-ENDUSER1-TEST (End User Hosting Ltd), from '192.0.2.64 - 192.0.2.95', source registry\n"));
    assert!(
        a.contains("% Abuse contact for '192.0.2.72 - 192.0.2.79' is 'abuse@suballoc.example'\n")
    );
    assert!(a.contains("% Information related to '192.0.2.72 - 192.0.2.79'\n\ninetnum:        192.0.2.72 - 192.0.2.79\n"));
    assert!(
        a.contains("role:           Sub Alloc NOC\n"),
        "abuse role grouped with the answer"
    );
    assert!(
        a.ends_with("source:         TEST\n\n\n"),
        "two blank lines end the answer: {a:?}"
    );
    // a lease at that time, over IPv6 to the same server
    if let Some(v6) = srv.v6 {
        let a = ask(v6, &format!("{AT} 192.0.2.130"));
        assert!(
            a.contains("% Lessee: LESSEE-7 (Example Lessee Ltd), lease L-2026-0042"),
            "{a}"
        );
        assert!(a.contains("status:         LEASED\n"));
    }
    let a = ask(srv.v4, &format!("{AT} 2001:db8:5::1"));
    assert!(
        a.contains("% Lessee: ORG-V6CLOUD1-TEST (Example V6 Cloud AB)"),
        "{a}"
    );
}

#[test]
fn every_flag() {
    let srv = TestServer::start(Limits::default());
    let q = |l: &str| ask(srv.v4, l);
    // -r: no organisation or role objects
    let a = q(&format!("-r {AT} 192.0.2.77"));
    assert!(a.contains("inetnum:") && !a.contains("role:"), "{a}");
    // -B: accepted (nothing is filtered)
    assert!(q(&format!("-B {AT} 192.0.2.77")).contains("% Holder: ORG-EXAMPLE1-TEST"));
    // -G: no grouping lines
    let a = q(&format!("-G {AT} 192.0.2.77"));
    assert!(!a.contains("% Information related to") && a.contains("inetnum:"));
    // -b and --abuse-contact: the abuse line and a two-attribute object
    for flag in ["-b", "--abuse-contact"] {
        let a = q(&format!("{flag} {AT} 192.0.2.130"));
        assert!(a.contains("% Abuse contact for '192.0.2.128 - 192.0.2.191' is 'abuse@lessee.example'\n\ninetnum:        192.0.2.128 - 192.0.2.191\nabuse-mailbox:  abuse@lessee.example\n"), "{a}");
        assert!(!a.contains("netname:"));
    }
    // RIPE: -b does not combine with -B or -r
    assert!(q("-b -B 192.0.2.130").contains("%ERROR:109: invalid combination of flags passed"));
    assert!(q("-rb 192.0.2.130").contains("%ERROR:109:"));
    // -x: exact only
    assert!(q("-x 192.0.2.0/24")
        .contains("inetnum:        192.0.2.0 - 192.0.2.255\nnetname:        EXAMPLE-HOLDER-NET"));
    assert!(q("-x 192.0.2.77").contains("%ERROR:101: no entries found"));
    // -l: first less specific, excluding the exact match; -L: all, including it
    let a = q("-l 192.0.2.64 - 192.0.2.95");
    assert!(
        a.contains("inetnum:        192.0.2.64 - 192.0.2.127")
            && !a.contains("192.0.2.64 - 192.0.2.95\n"),
        "{a}"
    );
    let a = q("-L 192.0.2.64 - 192.0.2.95");
    assert_eq!(
        a.matches("\ninetnum:").count() + usize::from(a.starts_with("inetnum:")),
        4,
        "{a}"
    );
    // -m: one level more specific (overlapping siblings both at level one); -M: all
    let a = q("-m 192.0.2.0/24");
    for k in [
        "192.0.2.0 - 192.0.2.63",
        "192.0.2.64 - 192.0.2.127",
        "192.0.2.128 - 192.0.2.191",
        "192.0.2.192 - 192.0.2.250",
        "192.0.2.200 - 192.0.2.255",
    ] {
        assert!(a.contains(&format!("inetnum:        {k}\n")), "{k} in {a}");
    }
    assert!(!a.contains("192.0.2.72 - 192.0.2.79"));
    assert!(q("-M 192.0.2.0/24").contains("inetnum:        192.0.2.72 - 192.0.2.79\n"));
    // RIPE's numbers: two IP flags are error 901; an IP flag on a key that
    // is no address warning 902, then the answer
    assert!(q("-x -M 192.0.2.0/24").contains("%ERROR:901: duplicate IP flags passed"));
    let a = q("-x AS64500");
    assert!(a.contains("%WARNING:902: useless IP flag passed"), "{a}");
    assert!(a.contains("aut-num:        AS64500"), "{a}");
    // -b with -F or -K: 109 too
    assert!(q("-b -F 192.0.2.130").contains("%ERROR:109:"));
    assert!(q("-b -K 192.0.2.130").contains("%ERROR:109:"));
    // -K: primary keys only; -F: RIPE's fast raw output
    let a = q("-K -x 192.0.2.0/24");
    assert!(
        a.contains(
            "inetnum:        192.0.2.0 - 192.0.2.255
"
        ) && !a.contains("netname:"),
        "{a}"
    );
    let a = q("-F -x 192.0.2.0/24");
    assert!(
        a.contains(
            "*in: 192.0.2.0 - 192.0.2.255
*na: EXAMPLE-HOLDER-NET
"
        ),
        "{a}"
    );
    assert!(
        !a.contains("organisation:") && !a.contains("*oa:"),
        "-F implies -r: {a}"
    );
    // -v: the template described
    let (t, v) = (q("-t inetnum"), q("-v inetnum"));
    assert!(
        v.len() > t.len() && v.contains("% The inetnum class:"),
        "{v}"
    );
    assert!(v.contains("netname\n\n   The name of the range"), "{v}");
    // -T: only these classes
    let a = q(&format!("-T organisation {AT} 192.0.2.130"));
    assert!(
        a.contains("organisation:   ORG-LESSEE7-TEST") && !a.contains("\ninetnum:"),
        "{a}"
    );
    assert!(q("-T route 192.0.2.1").contains("%ERROR:103:"));
    // a type filter excludes what it does not name: nothing of the class
    // asked for is "no entries found", not a summary alone (RIPE)
    let a = q(&format!("-T inet6num {AT} 192.0.2.130"));
    assert!(a.contains("%ERROR:101: no entries found"), "{a}");
    assert!(!a.contains("% Holder:"), "{a}");
    let a = q(&format!("-T inetnum,inet6num {AT} 192.0.2.130"));
    assert!(a.contains("\ninetnum:") && !a.contains("%ERROR"), "{a}");
    assert!(q("-T organisation AS64500").contains("%ERROR:101:"));
    // -i: inverse lookups
    let a = q("-i org ORG-SUBALLOC1-TEST");
    assert!(
        a.contains("inetnum:        192.0.2.64 - 192.0.2.127"),
        "{a}"
    );
    let a = q("-i mnt-by holder-mnt");
    assert!(
        a.contains("aut-num:        AS64500")
            && a.contains("inetnum:        192.0.2.0 - 192.0.2.255"),
        "{a}"
    );
    assert!(q("-i abuse-c AR-LESSEE-TEST").contains("organisation:   ORG-LESSEE7-TEST"));
    // RIPE's numbers: a known attribute tenure cannot search is 105, a
    // name that is no attribute 104
    assert!(q("-i descr x").contains("%ERROR:105: attribute is not searchable"));
    assert!(q("-i nonsense x").contains("%ERROR:104: unknown attribute"));
    // -s / -a
    assert!(q(&format!("-s TEST {AT} 192.0.2.77")).contains("inetnum:"));
    assert!(q("-s NOSUCH 192.0.2.77").contains("%ERROR:102: unknown source 'NOSUCH'"));
    assert!(q(&format!("-a {AT} 192.0.2.77")).contains("inetnum:"));
    // -q and -t
    assert!(q("-q version").contains("% whois-server-tenure-"));
    assert!(q("-q sources").contains("TEST:1:N:"));
    assert!(q("-q types").contains("\ninet6num\n"));
    assert!(q("-t inetnum").contains("netname:        [mandatory]  [single]     [lookup key]"));
    // --resource: no referral; --leases: the history; --at
    assert!(q("203.0.113.9").contains("refer:          whois.apnic.net\n"));
    assert!(q("198.18.5.5").contains("% This query was not answered here: refer to whois.ripe.net"));
    let a = q("--resource 203.0.113.9");
    assert!(
        a.contains("% Holder: A9173591, opaque holder id at apnic") && !a.contains("refer:"),
        "{a}"
    );
    let a = q("--leases 192.0.2.170");
    assert!(
        a.contains("% 5 lease record(s) covering '192.0.2.170'")
            && a.contains("netname:        L-OVL-2"),
        "{a}"
    );
    assert!(q("--at 2025-06-01T00:00:00Z 192.0.2.130").contains("% Lessee: OLD-LESSEE-3"));
    assert!(q("--at never 192.0.2.130").contains("%ERROR:111:"));
    // unknown flags and bad keys never get silence
    assert!(q("-Z 192.0.2.1").contains("%ERROR:111: invalid option supplied: -Z"));
    assert!(q("--frobnicate 192.0.2.1").contains("%ERROR:111:"));
    let a = q("192.0.2.300");
    assert!(
        a.contains("%ERROR:101: no entries found\n% '192.0.2.300' is not an IP address"),
        "{a}"
    );
    assert!(q("-r").contains("%ERROR:106: no search key specified"));
}

#[test]
fn every_key_type() {
    let srv = TestServer::start(Limits::default());
    let q = |l: &str| ask(srv.v4, l);
    // the standard whois client lowercases what it sends
    assert!(q("as64500").contains("aut-num:        AS64500"));
    assert!(q("as64496 - as64511").contains("as-block:       AS64496 - AS64511"));
    assert!(q("org-example1-test").contains("organisation:   ORG-EXAMPLE1-TEST"));
    assert!(q("ar-holder-test").contains("role:           Example Holder Abuse Desk"));
    assert!(q("dumy-test").contains("person:         Placeholder Person Object"));
    assert!(q("holder-mnt").contains("mntner:         HOLDER-MNT"));
    assert!(q("irt-legacy-test").contains("irt:            IRT-LEGACY-TEST"));
    let a = q("enduser-net");
    assert!(
        a.contains("inetnum:        192.0.2.64 - 192.0.2.95")
            && a.contains("abuse@suballoc.example"),
        "{a}"
    );
    assert!(q("2.0.192.in-addr.arpa").contains("domain:         2.0.192.in-addr.arpa"));
    assert!(q(&format!("{AT} 192.0.2.0/26"))
        .contains("% Information related to '192.0.2.0 - 192.0.2.63'"));
    assert!(q(&format!("{AT} 192.0.2.64 - 192.0.2.70"))
        .contains("% Information related to '192.0.2.64 - 192.0.2.95'"));
    assert!(q("no-such-handle").contains("%ERROR:101: no entries found"));
}

#[test]
fn keep_alive_answers_several_queries() {
    let srv = TestServer::start(Limits::default());
    let mut s = connect(srv.v4);
    s.write_all(format!("-k {AT} 192.0.2.77\r\n").as_bytes())
        .unwrap();
    let a = read_answer(&mut s);
    assert!(
        a.contains("% Holder: ORG-EXAMPLE1-TEST") && a.starts_with("% This is the tenure"),
        "{a}"
    );
    s.write_all(b"AS64500\n").unwrap();
    let b = read_answer(&mut s);
    assert!(
        b.contains("aut-num:        AS64500") && !b.contains("% This is the tenure"),
        "banner once: {b}"
    );
    s.write_all(b"org-lessee7-test\n").unwrap();
    assert!(read_answer(&mut s).contains("organisation:   ORG-LESSEE7-TEST"));
    // a bare -k ends persistent mode: the server closes
    s.write_all(b"-k\n").unwrap();
    assert_eq!(read_all(&mut s), "");
    // a bare -k first turns it on
    let mut s = connect(srv.v4);
    s.write_all(b"-k\n").unwrap();
    read_answer(&mut s);
    s.write_all(b"AS64501\n").unwrap();
    assert!(read_answer(&mut s).contains("aut-num:        AS64501"));
}

#[test]
fn a_telnet_interrupt_ends_the_query_line() {
    // as RIPE's server: Ctrl-C in telnet (IAC IP, IAC DO TIMING-MARK) ends
    // the line, so the answer comes at once, not after the read timeout
    let srv = TestServer::start(Limits {
        read_timeout: Duration::from_secs(3600),
        ..Limits::default()
    });
    let mut s = connect(srv.v4);
    s.write_all(b"AS64500\xff\xf4\xff\xfd\x06").unwrap();
    let a = read_all(&mut s);
    assert!(a.contains("aut-num:        AS64500"), "{a}");
}

#[test]
fn an_idle_keep_alive_connection_closes_when_the_server_stops() {
    let srv = TestServer::start(Limits {
        // far beyond the test's patience: only the stop can close it
        read_timeout: Duration::from_secs(3600),
        ..Limits::default()
    });
    let mut s = connect(srv.v4);
    s.write_all(format!("-k {AT} 192.0.2.77\r\n").as_bytes())
        .unwrap();
    assert!(read_answer(&mut s).contains("% Holder:"));
    let asked = Instant::now();
    srv.stop.begin();
    // the server closes the idle connection (end of stream, not a timeout)
    let mut buf = [0u8; 64];
    assert!(matches!(s.read(&mut buf), Ok(0)), "not closed");
    assert!(asked.elapsed() < READ_TIMEOUT);
}

#[test]
fn bulk_mode_streams_one_line_per_address() {
    let srv = TestServer::start(Limits::default());
    let mut s = connect(srv.v4);
    s.write_all(b"begin\nverbose\n192.0.2.77\n192.0.2.300\n2001:db8:5::1\n203.0.113.9\nend\n")
        .unwrap();
    let a = read_all(&mut s);
    let lines: Vec<&str> = a.lines().collect();
    assert!(lines[0].starts_with("Bulk mode; tenure whois"), "{a}");
    assert_eq!(lines[1], "address | network | holder | lessee | abuse mailbox | country | registry | holder name | lessee name | lessee source | origin AS | RPKI | routed prefix | origin holder | holder's network | likely user (routing)");
    assert_eq!(lines[2], "192.0.2.77 | 192.0.2.72 - 192.0.2.79 | ORG-EXAMPLE1-TEST | ORG-ENDUSER1-TEST | abuse@suballoc.example | GB | ripencc | Example Holder GmbH | End User Hosting Ltd | registry | AS64500 AS64501 | valid invalid | 192.0.2.64/26 | ORG-EXAMPLE1-TEST ORG-LESSEE7-TEST | yes | ");
    assert_eq!(
        lines[3],
        "192.0.2.300 | error: '192.0.2.300' is not an IP address"
    );
    assert!(lines[4].starts_with("2001:db8:5::1 | 2001:DB8:5::/48 | ORG-EXAMPLE1-TEST | ORG-V6CLOUD1-TEST | abuse@v6cloud.example"), "{}", lines[4]);
    assert!(
        lines[5]
            .starts_with("203.0.113.9 | 203.0.113.0 - 203.0.113.255 | A9173591 |  |  | AU | apnic"),
        "{}",
        lines[5]
    );
    assert_eq!(lines.len(), 6);
    // csv without header
    let mut s = connect(srv.v4);
    s.write_all(b"begin\nnoheader\ncsv\n192.0.2.195\nend\n")
        .unwrap();
    assert_eq!(read_all(&mut s), "192.0.2.195,192.0.2.192 - 192.0.2.250,ORG-EXAMPLE1-TEST,ORG-NONALIGNED1-TEST,abuse@odd.example,FR,ripencc,AS64500,valid\n");
}

#[test]
fn bulk_mode_is_bounded() {
    let srv = TestServer::start(Limits {
        bulk_max_lines: 3,
        ..Limits::default()
    });
    let mut s = connect(srv.v4);
    s.write_all(b"begin\nnoheader\n192.0.2.1\n192.0.2.2\n192.0.2.3\n192.0.2.4\n192.0.2.5\nend\n")
        .unwrap();
    let a = read_all(&mut s);
    assert_eq!(
        a.lines().filter(|l| l.starts_with("192.0.2.")).count(),
        3,
        "{a}"
    );
    assert!(a.contains(
        "%ERROR:201: access denied\n% bulk mode answers at most 3 addresses per connection"
    ));
}

#[test]
fn long_lines_and_idle_clients_are_cut_off_while_others_are_served() {
    let srv = TestServer::start(Limits {
        read_timeout: Duration::from_millis(500),
        ..Limits::default()
    });
    // an idle client (slowloris) holds a connection
    let mut idle = connect(srv.v4);
    idle.write_all(b"192.0.2").unwrap(); // half a line, then nothing
                                         // a long line
    let long = "a".repeat(2000);
    let a = ask(srv.v4, &long);
    assert!(a.starts_with("%ERROR:107: input line too long"), "{a}");
    // 64 KiB with no newline at all
    let mut s = connect(srv.v4);
    let _ = s.write_all(&vec![b'x'; 64 * 1024]);
    assert!(read_all(&mut s).starts_with("%ERROR:107"));
    // others keep getting answers meanwhile
    assert!(ask(srv.v4, &format!("{AT} 192.0.2.77")).contains("% Holder:"));
    // the idle one is closed after the read timeout, without an answer
    let started = Instant::now();
    assert_eq!(read_all(&mut idle), "");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn connection_caps_refuse_with_201_while_another_client_is_served() {
    let srv = TestServer::start(Limits {
        max_per_client: 2,
        ..Limits::default()
    });
    let _a = connect(srv.v4);
    let _b = connect(srv.v4);
    srv.until_open(2);
    let refused = ask(srv.v4, "192.0.2.1");
    assert!(
        refused.starts_with("%ERROR:201: access denied\n% too many connections from your address"),
        "{refused}"
    );
    if let Some(v6) = srv.v6 {
        // another client address is not affected
        assert!(ask(v6, &format!("{AT} 192.0.2.77")).contains("% Holder:"));
    }
    drop((_a, _b));
    // a total cap
    let srv = TestServer::start(Limits {
        max_connections: 1,
        ..Limits::default()
    });
    let _a = connect(srv.v4);
    srv.until_open(1);
    assert!(ask(srv.v4, "192.0.2.1").contains("% too many connections"));
}

#[test]
fn query_rate_is_limited_per_client() {
    let srv = TestServer::start(Limits {
        rate: 0.5,
        burst: 3.0,
        ..Limits::default()
    });
    for _ in 0..3 {
        assert!(ask(srv.v4, "AS64500").contains("aut-num:"));
    }
    let a = ask(srv.v4, "AS64500");
    assert!(
        a.contains("%ERROR:201: access denied\n% query rate exceeded"),
        "{a}"
    );
    if let Some(v6) = srv.v6 {
        assert!(
            ask(v6, "AS64500").contains("aut-num:"),
            "another client keeps its own budget"
        );
    }
}

#[test]
fn clients_that_do_not_read_are_dropped_without_stalling_others() {
    let srv = TestServer::start(Limits {
        write_timeout: Duration::from_millis(300),
        rate: 1e6,
        burst: 1e6,
        ..Limits::default()
    });
    // ask for a lot with -k and never read
    let mut greedy = connect(srv.v4);
    for _ in 0..2000 {
        if greedy.write_all(b"-k -M 192.0.2.0/24\n").is_err() {
            break;
        }
    }
    assert!(ask(srv.v4, &format!("{AT} 192.0.2.77")).contains("% Holder:"));
}

#[test]
fn the_debian_whois_client_reads_our_answers() {
    let Ok(path) = which("whois") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have the whois client (.ci/run installs it)"
        );
        eprintln!("SKIPPED: no whois client installed");
        return;
    };
    let srv = TestServer::start(Limits::default());
    let port = srv.v4.port().to_string();
    let out = std::process::Command::new(path)
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "--",
            &format!("-B {AT} 192.0.2.77"),
        ])
        .output()
        .expect("run whois");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("% Holder: ORG-EXAMPLE1-TEST (Example Holder GmbH)"),
        "{text}"
    );
    assert!(text.contains("% Lessee: ORG-ENDUSER1-TEST (End User Hosting Ltd)"));
    assert!(
        text.contains("% Abuse contact for '192.0.2.72 - 192.0.2.79' is 'abuse@suballoc.example'")
    );
}

fn which(name: &str) -> Result<PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn the_real_binary_serves_and_stops_on_sigterm() {
    let mut served = Served::start(
        &repo(),
        &[
            "--whois-listen",
            "127.0.0.1:0",
            "--whois-listen",
            "[::1]:0",
            "--http-listen",
            "127.0.0.1:0",
            "--rdap-listen",
            "127.0.0.1:0",
        ],
        4, // [::1] may be missing on this machine
    );
    for (kind, a) in &served.listening {
        assert!(
            ["whois", "http", "rdap"].contains(&kind.as_str()),
            "unexpected line for '{kind}'; server log:\n{}",
            served.log()
        );
        assert_ne!(a.port(), 0, "the real port is printed");
    }
    let addrs = served.addrs("whois");
    assert!(
        !addrs.is_empty() && !served.addrs("rdap").is_empty(),
        "listening lines missing; server log:\n{}",
        served.log()
    );
    let http = served.addr("http");
    let mut s = match TcpStream::connect_timeout(&http, READ_TIMEOUT) {
        Ok(s) => s,
        Err(e) => panic!("connect to {http}: {e}; server log:\n{}", served.log()),
    };
    s.set_read_timeout(Some(READ_TIMEOUT)).expect("timeout");
    s.write_all(
        b"GET /rdap/ip/192.0.2.77 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let resp = read_all(&mut s);
    assert!(
        resp.starts_with("HTTP/1.1 200 OK\r\n")
            && resp.contains("\"objectClassName\":\"ip network\""),
        "{resp}"
    );
    let a = ask(addrs[0], &format!("{AT} 192.0.2.77"));
    assert!(
        a.contains("% Holder: ORG-EXAMPLE1-TEST"),
        "answer {a:?}; server log:\n{}",
        served.log()
    );
    served.signal("-TERM");
    let code = served.wait_exit();
    assert_eq!(code, Some(0), "server log:\n{}", served.log());
}

#[test]
fn hierarchy_answers_are_bounded() {
    // more networks than one answer may render
    let dir = std::env::temp_dir().join(format!("tenure-bound-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("gen.db");
    tenure::gen::write_file(&f, 6000, 3).unwrap();
    let sources = tenure::dump::Sources {
        dumps: vec![f],
        ..Default::default()
    };
    let (reg, report) = tenure::dump::load(&sources, &tenure::progress::Progress::off()).unwrap();
    let snap = tenure::snapshot::Snapshot::build(
        reg,
        report,
        1,
        tenure::index::LpmBackend::Sorted,
        tenure::query::lease_policy(false),
    );
    let a = tenure::whois::respond::respond(&snap, "-M -G 0.0.0.0/0", 0, false).text;
    let shown = a.matches("\ninetnum:").count() + usize::from(a.starts_with("inetnum:"));
    assert_eq!(shown, tenure::whois::respond::MAX_OBJECTS);
    assert!(
        a.contains("% Output truncated: "),
        "{}",
        &a[a.len().saturating_sub(300)..]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_listener_that_cannot_bind_fails_before_any_listening_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").to_string();
    let o = serve_failing(&["--http-listen", &port]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("cannot listen on {port}")),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stdout(&o),
        "",
        "no listening line for a server that does not serve"
    );
}

#[test]
fn bulk_lines_neutralise_control_characters_and_formulas() {
    let snap = super::support::snapshot();
    let line = |word: &str, csv: bool| {
        let mut out = String::new();
        tenure::whois::bulk::bulk_line(&snap, word, 0, false, csv, &mut out);
        out
    };
    // a client's word echoed back: control characters replaced
    let a = line("10.\u{1b}[31m1", false);
    assert!(!a.contains('\u{1b}') && a.contains('\u{FFFD}'), "{a:?}");
    // in CSV, a cell a spreadsheet would run as a formula is quoted
    let a = line("=HYPERLINK(\"x\")", true);
    assert!(a.starts_with("\"'=HYPERLINK(\"\"x\"\")\","), "{a:?}");
    let a = line("@SUM(1)", true);
    assert!(a.starts_with("\"'@SUM(1)\","), "{a:?}");
    // addresses stay as they are
    let a = line("192.0.2.77", true);
    assert!(a.starts_with("192.0.2.77,"), "{a:?}");
}
