//! Hostile text from clients: the inputs that once panicked, over the wire,
//! and property tests feeding arbitrary Unicode and arbitrary bytes to
//! query parsing, the WHOIS request parser and answerer, the RDAP router
//! and the lookup page. Any panic fails the test; every answer must be a
//! protocol answer.

use super::support::rdap_get;
use super::support::{ask, snapshot, TestServer};
use tenure::rdap::RdapConfig;
use tenure::whois::server::Limits;

/// A small deterministic generator (xorshift64*): the same cases on every
/// run, so a failure names a case that can be run again.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Any Unicode scalar value, weighted towards the ones parsers trip on:
    /// multi-byte characters next to ASCII the grammar cares about.
    fn char(&mut self) -> char {
        const ASCII: &[u8] = b"AaSs0123456789-./:% *,_@#+?=&\t\r";
        const WIDE: &[char] = &[
            'é',
            'ß',
            '€',
            '𝔸',
            '\u{301}',
            '\u{200b}',
            '\u{feff}',
            '\0',
            '\u{7f}',
            'İ',
            'ﬁ',
            '\u{10ffff}',
            '٣',
            '９',
        ];
        match self.below(4) {
            0 => ASCII[self.below(ASCII.len())] as char,
            1 => WIDE[self.below(WIDE.len())],
            2 => (0x20 + self.below(0x5f) as u8) as char,
            _ => loop {
                if let Some(c) = char::from_u32(self.next() as u32 % 0x11_0000) {
                    break c;
                }
            },
        }
    }

    /// A string of pieces: tokens of the query grammars and arbitrary characters.
    fn text(&mut self, max: usize) -> String {
        const TOKENS: &[&str] = &[
            "AS",
            "as1",
            "AS64500",
            "-",
            " - ",
            "192.0.2.",
            "2001:db8::",
            "/",
            "/24",
            "-i ",
            "mnt-by ",
            "-T ",
            "inetnum ",
            "-s ",
            "-r",
            "-B",
            "-k ",
            "--at ",
            "--leases ",
            "--resource ",
            "-q ",
            "version",
            "-t ",
            "-x ",
            "-M ",
            "%C3",
            "%A9",
            "%",
            "%ZZ",
            "ip/",
            "autnum/",
            "entity/",
            "domain/",
            "ips?name=",
            "*",
            "rirSearch1/",
            "rdap-up/",
            "reverse_search/entity?fn=",
            "lease0_at=",
            "2026-03-14T09:30:00Z",
            "?",
            "&",
            "ORG-",
            ".in-addr.arpa",
            "é",
            "aé",
        ];
        let n = self.below(max + 1);
        let mut s = String::new();
        for _ in 0..n {
            if self.below(3) == 0 {
                s.push_str(TOKENS[self.below(TOKENS.len())]);
            } else {
                s.push(self.char());
            }
        }
        s
    }

    /// Arbitrary bytes, read as the servers read them (lossy UTF-8).
    fn bytes(&mut self, max: usize) -> String {
        let n = self.below(max + 1);
        let v: Vec<u8> = (0..n).map(|_| self.next() as u8).collect();
        String::from_utf8_lossy(&v).into_owned()
    }

    /// Arbitrary bytes percent-encoded, as an RDAP path piece.
    fn percent_bytes(&mut self, max: usize) -> String {
        let n = self.below(max + 1);
        (0..n)
            .map(|_| format!("%{:02X}", self.next() as u8))
            .collect()
    }
}

/// How many generated cases each property runs.
const CASES: usize = 3_000;

#[test]
fn the_inputs_that_once_panicked_get_protocol_answers() {
    let srv = TestServer::start(Limits::default());
    for key in ["aé", "AS1-aé", "é", "AS1-é", "-T inetnum aé", "ASé"] {
        let a = ask(srv.v4, key);
        assert!(a.ends_with("\n\n\n"), "{key}: answer not ended: {a:?}");
        assert!(a.contains("%ERROR:101"), "{key}: {a}");
        assert!(!a.contains("%ERROR:100"), "{key}: internal error: {a}");
    }
    let snap = snapshot();
    let cfg = RdapConfig::default();
    for target in [
        "/rdap/autnum/a%C3%A9",
        "/rdap/autnum/%C3%A9",
        "/rdap/ip/a%C3%A9",
        "/rdap/entity/a%C3%A9",
    ] {
        let r = rdap_get(&snap, &cfg, target);
        assert!((400..500).contains(&r.status), "{target}: {}", r.status);
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("error body is JSON");
        assert_eq!(v["errorCode"], r.status, "{target}");
    }
    // RFC 9082 section 6.1: a path or search pattern that is not UTF-8
    for target in [
        "/rdap/entity/%FF",
        "/rdap/ip/192.0.2.1%C3",
        "/rdap/entities?fn=a%C3",
    ] {
        let r = rdap_get(&snap, &cfg, target);
        assert_eq!(r.status, 400, "{target}");
    }
    for q in ["AS1-a%C3%A9", "a%C3%A9", "%C3%A9"] {
        let params = tenure::rdap::query_params(&format!("q={q}"));
        let page = tenure::web::page(&snap, &params, 0, "/rdap/");
        assert_eq!(page.status, 400, "{q}");
        assert!(page.html.contains("Not a query"), "{q}");
    }
}

#[test]
fn query_parsing_takes_any_text() {
    let mut rng = Rng(0x7e11_0001);
    for _ in 0..CASES * 4 {
        let s = match rng.below(2) {
            0 => rng.text(12),
            _ => rng.bytes(24),
        };
        // either a query or an error that says why; never a panic
        if let Err(e) = tenure::query::parse_query(&s) {
            assert!(!e.to_string().is_empty(), "{s:?}");
        }
    }
}

#[test]
fn whois_requests_of_any_text_get_an_ended_answer() {
    let snap = snapshot();
    let mut rng = Rng(0x7e11_0002);
    for i in 0..CASES {
        let line = match rng.below(2) {
            0 => rng.text(10),
            _ => rng.bytes(40),
        };
        // the parser alone, then the whole answer with banner
        let _ = tenure::whois::request::parse(&line);
        let text = tenure::whois::respond::respond(&snap, &line, 0, i % 7 == 0).text;
        assert!(text.ends_with("\n\n\n"), "{line:?}: {text:?}");
        assert!(!text.contains("%ERROR:100"), "{line:?}: {text}");
    }
}

#[test]
fn rdap_targets_of_any_text_get_an_rdap_answer() {
    let snap = snapshot();
    let cfg = RdapConfig::default();
    let mut rng = Rng(0x7e11_0003);
    const PATHS: &[&str] = &[
        "ip/",
        "autnum/",
        "entity/",
        "domain/",
        "ips?",
        "autnums?",
        "entities?",
        "ips/rirSearch1/rdap-up/",
        "ips/rirSearch1/rdap-down/",
        "ips/reverse_search/entity?",
        "help",
        "",
        "ip/192.0.2.0/",
    ];
    for _ in 0..CASES {
        let tail = match rng.below(3) {
            0 => rng.text(8),
            1 => rng.bytes(24),
            _ => rng.percent_bytes(12),
        };
        let target = format!("/rdap/{}{}", PATHS[rng.below(PATHS.len())], tail);
        let r = rdap_get(&snap, &cfg, &target);
        assert!(
            matches!(r.status, 200 | 302 | 400 | 404 | 414 | 422 | 501),
            "{target:?}: {}",
            r.status
        );
        if r.status != 302 {
            let v: serde_json::Value = serde_json::from_slice(&r.body)
                .unwrap_or_else(|e| panic!("{target:?}: body is not JSON: {e}"));
            if r.status >= 400 {
                assert_eq!(v["errorCode"], r.status, "{target:?}");
            }
        }
        // the lookup page takes the same text as its query
        let params = tenure::rdap::query_params(&format!("q={tail}&at={}", rng.text(3)));
        let page = tenure::web::page(&snap, &params, 0, "/rdap/");
        assert!(matches!(page.status, 200 | 400 | 404), "{tail:?}");
    }
}
