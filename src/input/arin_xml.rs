//! ARIN's bulk whois in its XML layout (`arin_db.xml`), read the way ARIN
//! itself derives the legacy text form from it (the XSLT shipped beside
//! both in the ZIP): every `asn`, `net`, `org`, `customer` and `poc`
//! record becomes one text record (`ASHandle:`, `NetHandle:` /
//! `V6NetHandle:`, `OrgID:`, `POCHandle:`), which the one RPSL-style
//! pipeline then loads. The text form stays what is read when an archive
//! holds both (it is the same data); the XML is read when it is all there
//! is (a selective download, or a file named on its own).
//!
//! The element names are those of ARIN's Whois-RWS payloads, which the
//! bulk XML shares: `handle`, `name`, `startAddress`/`endAddress`,
//! `netBlocks/netBlock/type` (`DA` direct allocation, `DS` direct
//! assignment, `A` reallocation, `S` reassignment, ...), `orgHandle` /
//! `customerHandle` / `parentNetHandle` or the `orgRef`, `customerRef`,
//! `parentNetRef` elements with a `handle` attribute, `pocLinks` (a
//! `pocLinkRef` with `function` and `handle` attributes, or `function` and
//! `handle` children), `emails/email`, `isRoleAccount` or `contactType`,
//! `registrationDate` / `updateDate`. Namespaces are ignored (local names).
//!
//! Streamed: one record at a time is held. Each text record is placed on
//! the line where its XML record starts (blank lines pad the text), so a
//! skipped record is reported at its line in the XML file when the XML is
//! written one element per line, as ARIN writes it.

use std::io::{self, BufRead, Read};

use quick_xml::events::Event;

/// Where comments are: one `line` element per line.
const COMMENT: &[&str] = &["comment/line"];

/// The records that become text records.
const RECORDS: &[&str] = &["asn", "net", "org", "customer", "poc"];

/// Most fields one record may collect; a record beyond it is cut short
/// (a hostile file cannot grow one record without bound).
const MAX_FIELDS: usize = 4096;
/// Longest text one element may carry (bytes); more is cut.
const MAX_VALUE: usize = 64 * 1024;

/// The legacy text of ARIN's bulk XML, as a byte stream.
pub struct Transcoder<R: BufRead> {
    xml: quick_xml::Reader<LineCount<R>>,
    buf: Vec<u8>,
    out: Vec<u8>,
    at: usize,
    /// Lines written to `out` so far (over the whole stream).
    written: u64,
    done: bool,
}

impl<R: BufRead> Transcoder<R> {
    pub fn new(inner: R) -> Self {
        let mut xml = quick_xml::Reader::from_reader(LineCount { inner, newlines: 0 });
        let c = xml.config_mut();
        c.trim_text(false);
        c.check_end_names = false;
        c.expand_empty_elements = false;
        Transcoder {
            xml,
            buf: Vec::new(),
            out: Vec::new(),
            at: 0,
            written: 0,
            done: false,
        }
    }

    /// Reads events until one record is complete (written to `out`) or the
    /// input ends.
    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.at = 0;
        let mut rec: Option<Record> = None;
        loop {
            self.buf.clear();
            let ev = self.xml.read_event_into(&mut self.buf).map_err(|e| {
                // the rest of a broken document cannot be trusted: the
                // load fails naming where (as a corrupt gzip stream does)
                let line = self.xml.get_ref().newlines + 1;
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("XML broken near line {line}: {e}"),
                )
            })?;
            match ev {
                Event::Start(e) if rec.is_none() => {
                    let local = e.local_name();
                    let name = String::from_utf8_lossy(local.as_ref());
                    if let Some(kind) = RECORDS.iter().find(|r| **r == name) {
                        let line = self.xml.get_ref().newlines + 1;
                        let mut r = Record::new(kind, line);
                        r.attrs_of(&e, "");
                        rec = Some(r);
                    }
                }
                Event::Start(e) => {
                    if let Some(r) = rec.as_mut() {
                        r.open(&e);
                    }
                }
                Event::Empty(e) => {
                    // an empty element outside a record (or an empty record) says nothing
                    if let Some(r) = rec.as_mut() {
                        r.open(&e);
                        r.close();
                    }
                }
                Event::End(_) => {
                    if let Some(r) = rec.as_mut() {
                        if r.path.is_empty() {
                            let r = rec.take().expect("a record is open");
                            self.write(&r);
                            return Ok(());
                        }
                        r.close();
                    }
                }
                Event::Text(t) => {
                    if let Some(r) = rec.as_mut() {
                        r.text(&t.decode().unwrap_or_default());
                    }
                }
                Event::CData(t) => {
                    if let Some(r) = rec.as_mut() {
                        r.text(&String::from_utf8_lossy(&t));
                    }
                }
                Event::GeneralRef(g) => {
                    if let Some(r) = rec.as_mut() {
                        let s = match g.resolve_char_ref() {
                            Ok(Some(c)) => c.to_string(),
                            _ => {
                                let name = g.decode().unwrap_or_default();
                                quick_xml::escape::resolve_predefined_entity(&name)
                                    .unwrap_or("")
                                    .to_string()
                            }
                        };
                        r.text(&s);
                    }
                }
                Event::Eof => {
                    if let Some(r) = rec.take() {
                        // a record cut off by the end of the file: what it
                        // has is written; the loader judges it
                        self.write(&r);
                    }
                    self.done = true;
                    return Ok(());
                }
                _ => {}
            }
        }
    }

    /// Writes one record's text form, on its XML line where it can be.
    fn write(&mut self, r: &Record) {
        let lines = r.legacy();
        if lines.is_empty() {
            return;
        }
        // a blank line ends the record before; then pad to the record's line
        let mut pad = 1;
        if r.line > self.written + 1 {
            pad = (r.line - self.written - 1).max(1);
        }
        for _ in 0..pad {
            self.out.push(b'\n');
        }
        self.written += pad;
        for (k, v) in lines {
            let v = clean(&v);
            if v.is_empty() {
                continue;
            }
            self.out.extend_from_slice(k.as_bytes());
            self.out.push(b':');
            for _ in k.len() + 1..16 {
                self.out.push(b' ');
            }
            self.out.extend_from_slice(v.as_bytes());
            self.out.push(b'\n');
            self.written += 1;
        }
    }
}

impl<R: BufRead> Read for Transcoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A value on one line: line breaks and other control characters become
/// spaces (a value can never start another attribute), runs of
/// whitespace one space.
fn clean(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for w in v
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(w);
    }
    s
}

/// Counts the newlines of what the XML reader has consumed.
struct LineCount<R> {
    inner: R,
    newlines: u64,
}

impl<R: BufRead> Read for LineCount<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.newlines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCount<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(b) = self.inner.fill_buf() {
            let amt = amt.min(b.len());
            self.newlines += memchr::memchr_iter(b'\n', &b[..amt]).count() as u64;
        }
        self.inner.consume(amt);
    }
}

/// One XML record being read: its leaf values by path (local names below
/// the record, `/`-joined; attributes as `path@name`) and its POC links.
struct Record {
    kind: &'static str,
    line: u64,
    path: Vec<String>,
    text: String,
    fields: Vec<(String, String)>,
    /// (function, handle) of each POC link.
    links: Vec<(String, String)>,
    /// The POC link being read (child-element form).
    link: Option<(String, String)>,
}

impl Record {
    fn new(kind: &'static str, line: u64) -> Self {
        Record {
            kind,
            line,
            path: Vec::new(),
            text: String::new(),
            fields: Vec::new(),
            links: Vec::new(),
            link: None,
        }
    }

    fn here(&self) -> String {
        self.path.join("/")
    }

    fn push(&mut self, key: String, value: String) {
        if self.fields.len() < MAX_FIELDS {
            self.fields.push((key, value));
        }
    }

    fn open(&mut self, e: &quick_xml::events::BytesStart<'_>) {
        let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        self.text.clear();
        let is_link = local == "pocLinkRef" || local == "pocLink";
        self.path.push(local);
        if is_link {
            self.link = Some(Default::default());
        }
        let here = self.here();
        self.attrs_of(e, &here);
    }

    /// Records the attributes of an element at `here`; a POC link's
    /// `function` and `handle` go to the link being read.
    fn attrs_of(&mut self, e: &quick_xml::events::BytesStart<'_>, here: &str) {
        for a in e.attributes().flatten() {
            let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            let value = a
                .unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_default();
            if let Some(link) = self.link.as_mut() {
                match key.as_str() {
                    "function" => link.0 = value.clone(),
                    "handle" => link.1 = value.clone(),
                    _ => {}
                }
            }
            self.push(format!("{here}@{key}"), value);
        }
    }

    fn text(&mut self, t: &str) {
        if self.text.len() + t.len() <= MAX_VALUE {
            self.text.push_str(t);
        }
    }

    fn close(&mut self) {
        let here = self.here();
        let name = self.path.pop().unwrap_or_default();
        let text = std::mem::take(&mut self.text);
        let value = text.trim();
        if name == "pocLinkRef" || name == "pocLink" {
            if let Some(mut link) = self.link.take() {
                // <pocLinkRef function="AB" handle="X">url</pocLinkRef>: the
                // text is a URL, the handle its attribute
                if link.1.is_empty() && !value.contains('/') {
                    link.1 = value.to_string();
                }
                if !link.1.is_empty() {
                    self.links.push(link);
                }
            }
            return;
        }
        if let Some(link) = self.link.as_mut() {
            match name.as_str() {
                "function" => link.0 = value.to_string(),
                "handle" => link.1 = value.to_string(),
                _ => {}
            }
            return;
        }
        if !value.is_empty() {
            self.push(here, value.to_string());
        }
    }

    /// The first value at any of these paths.
    fn get(&self, paths: &[&str]) -> Option<&str> {
        paths.iter().find_map(|p| {
            self.fields
                .iter()
                .find(|(k, v)| k == p && !v.is_empty())
                .map(|(_, v)| v.as_str())
        })
    }

    /// Every element value at one of these paths (`comment/line`, ...), in
    /// document order.
    fn all<'a>(&'a self, paths: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| paths.contains(&k.as_str()))
            .map(|(_, v)| v.as_str())
    }

    /// The handles linked with a function (`AB`, `T`, `N`, `AD`, `R`).
    fn links_of<'a>(&'a self, function: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.links
            .iter()
            .filter(move |(f, _)| f.eq_ignore_ascii_case(function))
            .map(|(_, h)| h.as_str())
    }

    /// The record in ARIN's legacy text form: (key, value) lines.
    fn legacy(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let mut put = |k: &'static str, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                out.push((k, v.to_string()));
            }
        };
        let handle = self.get(&["handle", "@handle"]);
        let org = self.get(&[
            "orgHandle",
            "orgRef@handle",
            "customerHandle",
            "customerRef@handle",
        ]);
        let reg = self.get(&["registrationDate"]).map(date);
        let upd = self.get(&["updateDate"]).map(date);
        match self.kind {
            "net" => {
                let start = self.get(&["startAddress", "netBlocks/netBlock/startAddress"]);
                let end = self.get(&["endAddress", "netBlocks/netBlock/endAddress"]);
                let v6 =
                    self.get(&["version"]) == Some("6") || start.is_some_and(|s| s.contains(':'));
                put(if v6 { "V6NetHandle" } else { "NetHandle" }, handle);
                put("OrgID", org);
                put(
                    "Parent",
                    self.get(&["parentNetHandle", "parentNetRef@handle"]),
                );
                put("NetName", self.get(&["name"]));
                if let (Some(s), Some(e)) = (start, end) {
                    put("NetRange", Some(&format!("{s} - {e}")));
                }
                let kind = self
                    .get(&["netBlocks/netBlock/type"])
                    .map(net_type)
                    .or_else(|| {
                        self.get(&["netBlocks/netBlock/description"])
                            .map(|d| d.to_ascii_lowercase())
                    });
                put("NetType", kind.as_deref());
                let origins: Vec<&str> = self
                    .all(&["originASes/originAS", "originASes/originAs"])
                    .collect();
                if !origins.is_empty() {
                    put("OriginAS", Some(&origins.join(", ")));
                }
                put("RegDate", reg);
                put("Updated", upd);
                for l in self.all(COMMENT) {
                    put("Comment", Some(l));
                }
                self.links_to(&mut put, "");
            }
            "org" | "customer" => {
                put("OrgID", handle);
                put("OrgName", self.get(&["name", "orgName", "customerName"]));
                self.postal(&mut put);
                put("RegDate", reg);
                put("Updated", upd);
                for l in self.all(COMMENT) {
                    put("Comment", Some(l));
                }
                self.links_to(&mut put, "Org");
            }
            "poc" => {
                put("POCHandle", handle);
                let role = match (self.get(&["isRoleAccount"]), self.get(&["contactType"])) {
                    (Some(r), _) => r.eq_ignore_ascii_case("y") || r.eq_ignore_ascii_case("true"),
                    (None, Some(t)) => t.eq_ignore_ascii_case("role"),
                    (None, None) => false,
                };
                put("IsRole", Some(if role { "Y" } else { "N" }));
                put("LastName", self.get(&["lastName"]));
                put("FirstName", self.get(&["firstName"]));
                put("MiddleName", self.get(&["middleName"]));
                put("CompanyName", self.get(&["companyName"]));
                self.postal(&mut put);
                put("RegDate", reg);
                put("Updated", upd);
                for p in self.all(&["phones/phone/number"]) {
                    put("OfficePhone", Some(p));
                }
                for m in self.all(&["emails/email"]) {
                    put("Mailbox", Some(m));
                }
                for l in self.all(COMMENT) {
                    put("Comment", Some(l));
                }
            }
            _ => {
                // asn
                put("ASHandle", handle);
                put("OrgID", org);
                put("ASName", self.get(&["name"]));
                let first = self.get(&["startAsNumber"]);
                let last = self.get(&["endAsNumber"]);
                let number = match (first, last) {
                    (Some(a), Some(b)) if a != b => Some(format!("{a} - {b}")),
                    (Some(a), _) => Some(a.to_string()),
                    _ => None,
                };
                put("ASNumber", number.as_deref());
                put("RegDate", reg);
                put("Updated", upd);
                for l in self.all(COMMENT) {
                    put("Comment", Some(l));
                }
                self.links_to(&mut put, "");
            }
        }
        put("Source", Some("ARIN"));
        out
    }

    fn postal(&self, put: &mut impl FnMut(&'static str, Option<&str>)) {
        for l in self.all(&["streetAddress/line"]) {
            put("Street", Some(l));
        }
        put("City", self.get(&["city"]));
        put("State/Prov", self.get(&["iso3166-2"]));
        put("Country", self.get(&["iso3166-1/code2", "iso3166-1@code2"]));
        put("PostalCode", self.get(&["postalCode"]));
    }

    /// POC links as the text form names them (`AbuseHandle`, or
    /// `OrgAbuseHandle` on organisations).
    fn links_to(&self, put: &mut impl FnMut(&'static str, Option<&str>), org: &str) {
        let keys: [(&str, &'static str, &'static str); 5] = [
            ("AB", "AbuseHandle", "OrgAbuseHandle"),
            ("T", "TechHandle", "OrgTechHandle"),
            ("N", "NOCHandle", "OrgNOCHandle"),
            ("AD", "AdminHandle", "OrgAdminHandle"),
            ("R", "RoutingHandle", "OrgRoutingHandle"),
        ];
        for (function, plain, on_org) in keys {
            let key = if org.is_empty() { plain } else { on_org };
            for h in self.links_of(function) {
                put(key, Some(h));
            }
        }
    }
}

/// `2011-01-06T15:00:00-05:00` -> `2011-01-06`, as the text form writes dates.
fn date(v: &str) -> &str {
    match v.get(..10) {
        Some(d) if d.as_bytes().get(4) == Some(&b'-') && d.as_bytes().get(7) == Some(&b'-') => d,
        _ => v,
    }
}

/// A net block's type code as the text form's `NetType` words.
fn net_type(code: &str) -> String {
    let word = match code.trim().to_ascii_uppercase().as_str() {
        "DA" => "allocation",
        "DS" => "assignment",
        "A" => "reallocation",
        "S" => "reassignment",
        "AF" => "allocated to AFRINIC",
        "AP" => "allocated to APNIC",
        "AR" => "allocated to ARIN",
        "LN" => "allocated to LACNIC",
        "RN" => "allocated to RIPE NCC",
        "AV" => "early registrations, maintained by ARIN",
        "PV" => "early registrations, maintained by APNIC",
        "RV" => "early registrations, maintained by RIPE NCC",
        "FX" => "early registrations, transferred to AFRINIC",
        "LX" => "early registrations, transferred to LACNIC",
        "PX" => "early registrations, transferred to APNIC",
        "RX" => "early registrations, transferred to RIPE NCC",
        "IR" => "IANA reserved",
        "IU" => "IANA special use",
        "RD" => "IETF reserved",
        other => return other.to_ascii_lowercase(),
    };
    word.to_string()
}

/// The other direction, for generated data (`tenure gen-data
/// --registries`): ARIN text records written through it come out in the
/// XML layout this module reads, one element per line. The root element is
/// opened by [`XmlWriter::new`] and closed by [`XmlWriter::finish`].
pub struct XmlWriter<W: io::Write> {
    w: W,
    record: String,
}

impl<W: io::Write> XmlWriter<W> {
    pub fn new(mut w: W) -> io::Result<Self> {
        w.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bulkwhois xmlns=\"http://www.arin.net/bulkwhois/core/v1\">\n",
        )?;
        Ok(XmlWriter {
            w,
            record: String::new(),
        })
    }

    /// Writes what is buffered and closes the root element.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit()?;
        self.w.write_all(b"</bulkwhois>\n")?;
        Ok(self.w)
    }

    /// Converts the buffered complete records (up to the last blank line).
    fn emit(&mut self) -> io::Result<()> {
        let text = std::mem::take(&mut self.record);
        let mut out = String::new();
        for rec in text.split("\n\n") {
            let pairs: Vec<(&str, &str)> = rec
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim(), v.trim()))
                .collect();
            record_xml(&pairs, &mut out);
        }
        self.w.write_all(out.as_bytes())
    }
}

impl<W: io::Write> io::Write for XmlWriter<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.record.push_str(&String::from_utf8_lossy(b));
        if let Some(end) = self.record.rfind("\n\n") {
            if end > 1 << 16 {
                let rest = self.record.split_off(end + 2);
                self.emit()?;
                self.record = rest;
            }
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

fn esc(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One text record as its XML element.
fn record_xml(pairs: &[(&str, &str)], out: &mut String) {
    use std::fmt::Write as _;
    let Some(&(first, _)) = pairs.first() else {
        return;
    };
    let kind = match first {
        "NetHandle" | "V6NetHandle" => "net",
        "OrgID" => "org",
        "POCHandle" => "poc",
        "ASHandle" => "asn",
        _ => return,
    };
    let _ = writeln!(out, "<{kind}>");
    let mut links = String::new();
    let el = |out: &mut String, name: &str, v: &str| {
        let _ = writeln!(out, "  <{name}>{}</{name}>", esc(v));
    };
    for &(k, v) in pairs {
        match (kind, k) {
            (_, "NetHandle" | "V6NetHandle" | "POCHandle" | "ASHandle") | ("org", "OrgID") => {
                el(out, "handle", v)
            }
            (_, "OrgID") => el(out, "orgHandle", v),
            (_, "Parent") => el(out, "parentNetHandle", v),
            (_, "NetName" | "OrgName" | "ASName") => el(out, "name", v),
            (_, "NetRange") => {
                if let Some((a, b)) = v.split_once(" - ") {
                    el(out, "startAddress", a.trim());
                    el(out, "endAddress", b.trim());
                }
            }
            (_, "NetType") => {
                let code = match v {
                    "allocation" => "DA",
                    "assignment" => "DS",
                    "reallocation" => "A",
                    "reassignment" => "S",
                    other => other,
                };
                let _ = writeln!(
                    out,
                    "  <netBlocks><netBlock><type>{}</type></netBlock></netBlocks>",
                    esc(code)
                );
            }
            (_, "ASNumber") => {
                let (a, b) = v.split_once(" - ").unwrap_or((v, v));
                el(out, "startAsNumber", a.trim());
                el(out, "endAsNumber", b.trim());
            }
            (_, "RegDate") => el(out, "registrationDate", v),
            (_, "Updated") => el(out, "updateDate", v),
            (_, "IsRole") => el(out, "isRoleAccount", v),
            (_, "LastName") => el(out, "lastName", v),
            (_, "FirstName") => el(out, "firstName", v),
            (_, "City") => el(out, "city", v),
            (_, "PostalCode") => el(out, "postalCode", v),
            (_, "State/Prov") => el(out, "iso3166-2", v),
            (_, "Country") => {
                let _ = writeln!(out, "  <iso3166-1><code2>{}</code2></iso3166-1>", esc(v));
            }
            (_, "Street") => {
                let _ = writeln!(
                    out,
                    "  <streetAddress><line>{}</line></streetAddress>",
                    esc(v)
                );
            }
            (_, "Mailbox") => {
                let _ = writeln!(out, "  <emails><email>{}</email></emails>", esc(v));
            }
            (_, "OfficePhone") => {
                let _ = writeln!(
                    out,
                    "  <phones><phone><number>{}</number></phone></phones>",
                    esc(v)
                );
            }
            (_, "Comment") => {
                let _ = writeln!(out, "  <comment><line>{}</line></comment>", esc(v));
            }
            (_, k) => {
                let function = match k.trim_start_matches("Org") {
                    "AbuseHandle" => "AB",
                    "TechHandle" => "T",
                    "NOCHandle" => "N",
                    "AdminHandle" => "AD",
                    "RoutingHandle" => "R",
                    _ => continue,
                };
                let _ = writeln!(
                    links,
                    "    <pocLinkRef function=\"{function}\" handle=\"{}\"/>",
                    esc(v)
                );
            }
        }
    }
    if !links.is_empty() {
        let _ = write!(out, "  <pocLinks>\n{links}  </pocLinks>\n");
    }
    let _ = writeln!(out, "</{kind}>");
}

/// True when a decoded stream is XML (its first non-blank byte opens a tag).
pub fn looks_like_xml(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(xml: &str) -> String {
        let mut s = String::new();
        Transcoder::new(xml.as_bytes())
            .read_to_string(&mut s)
            .expect("transcodes");
        s
    }

    #[test]
    fn records_become_legacy_text() {
        let xml = r#"<?xml version="1.0"?>
<bulkwhois xmlns="http://www.arin.net/bulkwhois/core/v1">
<net>
  <handle>NET-192-0-2-0-1</handle>
  <name>EXAMPLE &amp; CO</name>
  <orgHandle>EXHI-1</orgHandle>
  <parentNetHandle>NET-192-0-0-0-0</parentNetHandle>
  <startAddress>192.0.2.0</startAddress>
  <endAddress>192.0.2.255</endAddress>
  <netBlocks><netBlock><type>DA</type><startAddress>192.0.2.0</startAddress><cidrLength>24</cidrLength></netBlock></netBlocks>
  <pocLinks><pocLinkRef function="AB" handle="ABUSE-ARIN" description="Abuse"/></pocLinks>
  <registrationDate>2005-04-01T00:00:00-05:00</registrationDate>
  <version>4</version>
</net>
<poc><handle>ABUSE-ARIN</handle><isRoleAccount>Y</isRoleAccount><lastName>Abuse
Desk</lastName><emails><email>abuse@holder.example</email></emails></poc>
<org><handle>EXHI-1</handle><name>Example Holder Inc.</name><iso3166-1><code2>US</code2></iso3166-1>
<pocLinks><pocLink><function>AB</function><handle>ABUSE-ARIN</handle></pocLink></pocLinks></org>
<asn><handle>AS64496</handle><orgRef handle="EXHI-1" name="x">https://whois.arin.net/rest/org/EXHI-1</orgRef><startAsNumber>64496</startAsNumber><endAsNumber>64497</endAsNumber></asn>
</bulkwhois>"#;
        let t = text_of(xml);
        // the net starts on line 3 of the XML, and so does its text record
        assert_eq!(t.lines().position(|l| l.starts_with("NetHandle")), Some(2));
        for want in [
            "NetHandle:      NET-192-0-2-0-1",
            "NetName:        EXAMPLE & CO",
            "OrgID:          EXHI-1",
            "Parent:         NET-192-0-0-0-0",
            "NetRange:       192.0.2.0 - 192.0.2.255",
            "NetType:        allocation",
            "AbuseHandle:    ABUSE-ARIN",
            "RegDate:        2005-04-01",
            "POCHandle:      ABUSE-ARIN",
            "IsRole:         Y",
            "LastName:       Abuse Desk",
            "Mailbox:        abuse@holder.example",
            "OrgName:        Example Holder Inc.",
            "Country:        US",
            "OrgAbuseHandle: ABUSE-ARIN",
            "ASHandle:       AS64496",
            "ASNumber:       64496 - 64497",
        ] {
            assert!(t.lines().any(|l| l == want), "{want} missing in\n{t}");
        }
        // the ASN's org comes from its orgRef attribute, not the URL text
        assert!(
            t.contains("OrgID:          EXHI-1\nASNumber")
                || t.contains("ASHandle:       AS64496\nOrgID:          EXHI-1"),
            "{t}"
        );
        assert!(!t.contains("https://"), "{t}");
    }

    #[test]
    fn hostile_xml_is_an_error_or_text_never_a_panic() {
        for xml in [
            "<net><handle>X",
            "<net><handle>A</handle><name>line\nName: injected</name></net>",
            "</net></net>",
            "<<<>>>",
            "<net a='\u{0}'/>",
            "<net><comment><line>&bogus;&#xFFFFFFFF;</line></comment></net>",
        ] {
            let mut s = String::new();
            let r = Transcoder::new(xml.as_bytes()).read_to_string(&mut s);
            // a value never starts a line of its own
            assert!(!s.contains("\nName: injected"), "{s}");
            let _ = r;
        }
        assert!(looks_like_xml(b"\xef\xbb\xbf  <?xml"));
        assert!(!looks_like_xml(b"NetHandle: x"));
    }
}
