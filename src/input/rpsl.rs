//! RPSL text (RFC 2622, as the RIRs publish it) to objects.
//!
//! Depends on nothing else in the crate but [`crate::time`] (compact
//! `created`/`last-modified`). Two stages, so a loader can run
//! them on two threads:
//! 1. [`Splitter`] reads a byte stream line by line (bounded lines, CRLF
//!    accepted), drops `#`/`%` comment lines, cuts objects at blank or
//!    whitespace-only lines and appends each object's lines to a batch buffer
//!    ([`Splitter::next_into`]) with its first line number. Nothing is
//!    decoded here, so a multi-GB dump is never held as text twice.
//! 2. [`parse_lines`] decodes one object's lines (UTF-8, Latin-1, or UTF-8 with
//!    a per-object Latin-1 fallback), strips end-of-line `#` comments, joins
//!    continuation lines (space, tab or `+`; a lone `+` is an empty line) with
//!    one space, lower-cases attribute names and builds an [`Object`].
//!
//! Malformed objects come back as [`Skip`] with the reason and line; they
//! never stop the stream. I/O errors (unreadable or truncated input) do.

use std::borrow::Cow;
use std::io::{self, BufRead};

/// Largest object kept, in bytes of raw text; larger ones are skipped.
pub const MAX_OBJECT_BYTES: usize = 256 * 1024;
/// Longest line kept; a longer line makes its object oversized.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// How the bytes of a dump are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8, falling back to Latin-1 for an object that is not valid UTF-8.
    #[default]
    Auto,
    /// Strict UTF-8: an object that is not valid UTF-8 is skipped.
    #[serde(rename = "utf-8")]
    Utf8,
    /// ISO-8859-1: every byte is one character.
    #[serde(rename = "latin-1")]
    Latin1,
}

impl std::str::FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "latin-1" | "latin1" | "iso-8859-1" => Ok(Encoding::Latin1),
            other => Err(format!("unknown encoding '{other}' (auto, utf-8, latin-1)")),
        }
    }
}

/// The value of a stored line when it is of the attribute `name` (stored
/// under `code` when it has one).
fn value_of<'l>(l: &'l str, name: &str, code: Option<Code>) -> Option<&'l str> {
    match code {
        Some(Code::One(c)) if l.as_bytes().first() == Some(&c) => l.get(1..),
        Some(Code::Two(b)) if l.as_bytes().get(..2) == Some(&[0, b]) => l.get(2..),
        Some(_) => None,
        None => l.strip_prefix(name).and_then(|r| r.strip_prefix(':')),
    }
}

/// Whether a line starts at `i` of a stored text (its first byte, or one
/// after a newline): where a code found by a byte search means a line.
#[inline]
fn line_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || bytes[i - 1] == b'\n'
}

/// The text up to its first newline.
fn first_line(text: &str) -> &str {
    memchr::memchr(b'\n', text.as_bytes())
        .and_then(|end| text.get(..end))
        .unwrap_or(text)
}

/// One object's raw lines (comment lines removed, CR stripped, each line
/// ending in `\n`) and the number of its first line in the file (tests read
/// objects one at a time; loaders cut them into one buffer, see
/// [`Splitter::next_into`]).
#[cfg(test)]
#[derive(Debug, Clone)]
pub struct RawObject {
    pub line: u32,
    pub data: Vec<u8>,
}

/// Why an object was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// The object's first line is not `class: key`.
    NoClassLine,
    /// A line inside the object is neither an attribute nor a continuation.
    BadAttributeLine,
    /// The object or one of its lines is larger than the limits.
    Oversized,
    /// Strict UTF-8 was asked for and the object is not valid UTF-8.
    InvalidUtf8,
    /// A legacy IRRd deleted-object marker (`*xx` class).
    DeletedObject,
    /// The primary key (range, prefix, AS number) could not be parsed.
    BadKey,
    /// A required attribute is missing.
    MissingAttribute,
}

impl SkipReason {
    /// A short stable name for reports and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::NoClassLine => "no class line",
            SkipReason::BadAttributeLine => "bad attribute line",
            SkipReason::Oversized => "oversized object",
            SkipReason::InvalidUtf8 => "invalid utf-8",
            SkipReason::DeletedObject => "deleted object marker",
            SkipReason::BadKey => "bad primary key",
            SkipReason::MissingAttribute => "missing attribute",
        }
    }
}

/// A skipped object: where it started, why, and a detail for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub line: u32,
    pub reason: SkipReason,
    pub detail: String,
}

/// Attribute names stored as one control character (never the first
/// character of a name, never `\n`) instead of `name:`. Index = code;
/// code 0 opens a two-byte code (see [`CODED2`]).
const CODED: [&str; 32] = [
    "",
    "inetnum",
    "inet6num",
    "netname",
    "descr",
    "country",
    "org",
    "admin-c",
    "tech-c",
    "abuse-c",
    "",
    "status",
    "mnt-by",
    "mnt-lower",
    "mnt-routes",
    "mnt-domains",
    "mnt-irt",
    "remarks",
    "created",
    "last-modified",
    "source",
    "organisation",
    "org-name",
    "org-type",
    "address",
    "nic-hdl",
    "abuse-mailbox",
    "role",
    "e-mail",
    "mnt-ref",
    "aut-num",
    "geofeed",
];

/// More attribute names, stored as `\0` and one printable byte (`0x20 +`
/// index): ARIN's bulk keys, LACNIC's, and RPSL's less common ones. A
/// 6 M-network load of the five registries' layouts held 190 MB of ARIN's
/// names spelled out before these.
const CODED2: [&str; 87] = [
    "nethandle",
    "v6nethandle",
    "orgid",
    "orgname",
    "parent",
    "netrange",
    "nettype",
    "regdate",
    "updated",
    "pochandle",
    "isrole",
    "lastname",
    "firstname",
    "middlename",
    "companyname",
    "mailbox",
    "officephone",
    "mobilephone",
    "faxphone",
    "street",
    "city",
    "state/prov",
    "postalcode",
    "orgabusehandle",
    "orgtechhandle",
    "orgadminhandle",
    "orgnochandle",
    "orgroutinghandle",
    "abusehandle",
    "techhandle",
    "nochandle",
    "adminhandle",
    "routinghandle",
    "ashandle",
    "asname",
    "asnumber",
    "originas",
    "comment",
    "canallocate",
    "customername",
    "person",
    "phone",
    "fax-no",
    "notify",
    "changed",
    "irt",
    "mnt-nfy",
    "upd-to",
    "auth",
    "language",
    "geoloc",
    "inet-rtr",
    "route",
    "route6",
    "origin",
    "domain",
    "nserver",
    "ds-rdata",
    "zone-c",
    "as-block",
    "import",
    "export",
    "mp-import",
    "mp-export",
    "member-of",
    "members",
    "sponsoring-org",
    "irt-nfy",
    "ref-nfy",
    "owner",
    "ownerid",
    "responsible",
    "owner-c",
    "inetnum-up",
    "inetrev",
    "nic-hdl-br",
    "mntner",
    "as-name",
    "holes",
    "mbrs-by-ref",
    "admin-c-br",
    "tech-c-br",
    "abuse-c-br",
    "encryption",
    "signature",
    "default",
    "mp-default",
];

/// How an attribute name is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    /// One control byte.
    One(u8),
    /// `\0` and this byte.
    Two(u8),
}

impl Code {
    /// The first byte of a line stored under the code, and the second
    /// when the code has two.
    fn bytes(self) -> (u8, Option<u8>) {
        match self {
            Code::One(c) => (c, None),
            Code::Two(b) => (0, Some(b)),
        }
    }
}

/// The code of a lower-case attribute name, if it has one.
fn code_of(name: &str) -> Option<Code> {
    let c = match name {
        "inetnum" => 1,
        "inet6num" => 2,
        "netname" => 3,
        "descr" => 4,
        "country" => 5,
        "org" => 6,
        "admin-c" => 7,
        "tech-c" => 8,
        "abuse-c" => 9,
        "status" => 11,
        "mnt-by" => 12,
        "mnt-lower" => 13,
        "mnt-routes" => 14,
        "mnt-domains" => 15,
        "mnt-irt" => 16,
        "remarks" => 17,
        "created" => 18,
        "last-modified" => 19,
        "source" => 20,
        "organisation" => 21,
        "org-name" => 22,
        "org-type" => 23,
        "address" => 24,
        "nic-hdl" => 25,
        "abuse-mailbox" => 26,
        "role" => 27,
        "e-mail" => 28,
        "mnt-ref" => 29,
        "aut-num" => 30,
        "geofeed" => 31,
        _ => return code2_of(name).map(|i| Code::Two(0x20 + i)),
    };
    debug_assert_eq!(CODED[c as usize], name);
    Some(Code::One(c))
}

/// The index in [`CODED2`] of a name.
fn code2_of(name: &str) -> Option<u8> {
    let i = match name {
        "nethandle" => 0,
        "v6nethandle" => 1,
        "orgid" => 2,
        "orgname" => 3,
        "parent" => 4,
        "netrange" => 5,
        "nettype" => 6,
        "regdate" => 7,
        "updated" => 8,
        "pochandle" => 9,
        "isrole" => 10,
        "lastname" => 11,
        "firstname" => 12,
        "middlename" => 13,
        "companyname" => 14,
        "mailbox" => 15,
        "officephone" => 16,
        "mobilephone" => 17,
        "faxphone" => 18,
        "street" => 19,
        "city" => 20,
        "state/prov" => 21,
        "postalcode" => 22,
        "orgabusehandle" => 23,
        "orgtechhandle" => 24,
        "orgadminhandle" => 25,
        "orgnochandle" => 26,
        "orgroutinghandle" => 27,
        "abusehandle" => 28,
        "techhandle" => 29,
        "nochandle" => 30,
        "adminhandle" => 31,
        "routinghandle" => 32,
        "ashandle" => 33,
        "asname" => 34,
        "asnumber" => 35,
        "originas" => 36,
        "comment" => 37,
        "canallocate" => 38,
        "customername" => 39,
        "person" => 40,
        "phone" => 41,
        "fax-no" => 42,
        "notify" => 43,
        "changed" => 44,
        "irt" => 45,
        "mnt-nfy" => 46,
        "upd-to" => 47,
        "auth" => 48,
        "language" => 49,
        "geoloc" => 50,
        "inet-rtr" => 51,
        "route" => 52,
        "route6" => 53,
        "origin" => 54,
        "domain" => 55,
        "nserver" => 56,
        "ds-rdata" => 57,
        "zone-c" => 58,
        "as-block" => 59,
        "import" => 60,
        "export" => 61,
        "mp-import" => 62,
        "mp-export" => 63,
        "member-of" => 64,
        "members" => 65,
        "sponsoring-org" => 66,
        "irt-nfy" => 67,
        "ref-nfy" => 68,
        "owner" => 69,
        "ownerid" => 70,
        "responsible" => 71,
        "owner-c" => 72,
        "inetnum-up" => 73,
        "inetrev" => 74,
        "nic-hdl-br" => 75,
        "mntner" => 76,
        "as-name" => 77,
        "holes" => 78,
        "mbrs-by-ref" => 79,
        "admin-c-br" => 80,
        "tech-c-br" => 81,
        "abuse-c-br" => 82,
        "encryption" => 83,
        "signature" => 84,
        "default" => 85,
        "mp-default" => 86,
        _ => return None,
    };
    debug_assert_eq!(CODED2[i as usize], name);
    Some(i)
}

/// Appends an attribute name in the stored form (its code, else `name:`).
fn push_name(text: &mut String, name: &str) {
    match code_of(name) {
        Some(Code::One(c)) => text.push(c as char),
        Some(Code::Two(b)) => {
            text.push('\0');
            text.push(b as char);
        }
        None => {
            text.push_str(name);
            text.push(':');
        }
    }
}

/// A parsed object: its attributes in order, names in lower case, values on
/// one line. Stored compactly as one string, a line per attribute, the most
/// common names as one-byte codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    text: Stored,
    /// First line of the object in its file.
    pub line: u32,
}

/// Where an object's stored text lives: its own allocation (parsed from a
/// dump), or a compiled snapshot's mapped file.
#[derive(Clone)]
enum Stored {
    Owned(Box<str>),
    Mapped(crate::mapped::Text),
}

impl Stored {
    fn as_str(&self) -> &str {
        match self {
            Stored::Owned(t) => t,
            Stored::Mapped(t) => t.as_str(),
        }
    }
}

impl std::fmt::Debug for Stored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Stored {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Stored {}

/// The time attributes, in the order [`ObjectRef::get_times`] gives them.
const TIME_NAMES: [&str; 2] = ["created", "last-modified"];
/// The one-byte codes of `created` and `last-modified` stored as text
/// (what [`code_of`] gives them; a test checks that they agree).
const TIME_TEXT: [u8; 2] = [18, 19];
/// `created` and `last-modified` holding a canonical RFC 3339 time
/// (`YYYY-MM-DDTHH:MM:SSZ`, as the RIRs write them) are stored as `\0`, one
/// of these bytes and the seconds since 1970 in six base-64 digits: 8
/// bytes instead of 22 (at 6 M networks, 200 MB of the load). Any
/// other value stays text under the name's usual code.
const TIME_CREATED: u8 = 0x7d;
const TIME_MODIFIED: u8 = 0x7e;
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The compact form of a time attribute's value, if it has one: exactly
/// `YYYY-MM-DDTHH:MM:SSZ` (checked by its bytes, so that writing the time
/// back gives the same text: no leap second, no offset, no fraction), a
/// valid date, from 1970 on.
fn compact_time(value: &str) -> Option<[u8; 6]> {
    let b = value.as_bytes();
    let shape = b.len() == 20
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
        && b[17] <= b'5';
    if !shape {
        return None;
    }
    let t = crate::time::parse(value).ok()?;
    if !(0..1i64 << 36).contains(&t) {
        return None;
    }
    let mut out = [0u8; 6];
    for (i, o) in out.iter_mut().enumerate() {
        *o = B64[(t >> (6 * (5 - i)) & 63) as usize];
    }
    Some(out)
}

/// The time six compact digits (base 64) stand for.
fn compact_value(digits: &str) -> Option<crate::time::Timestamp> {
    if digits.len() != 6 {
        return None;
    }
    let mut t = 0i64;
    for b in digits.bytes() {
        t = t << 6 | b64_value(b)? as i64;
    }
    Some(t)
}

/// A time attribute's value: its text, or the time a compact one stands
/// for (written by whoever shows it, without a string made for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrTime<'a> {
    Text(Cow<'a, str>),
    At(crate::time::Timestamp),
}

impl<'a> AttrTime<'a> {
    /// The value as text (`YYYY-MM-DDTHH:MM:SSZ` for a compact time).
    pub fn into_cow(self) -> Cow<'a, str> {
        match self {
            AttrTime::Text(t) => t,
            AttrTime::At(t) => Cow::Owned(crate::time::format(t)),
        }
    }
}

/// A stored line is a time in compact form (its value six digits).
fn is_compact_time(line: &str) -> bool {
    let b = line.as_bytes();
    b.first() == Some(&0) && matches!(b.get(1), Some(&TIME_CREATED | &TIME_MODIFIED))
}

/// A stored line's time: a compact one's, else the text after its name.
fn read_time(line: &str) -> Option<AttrTime<'_>> {
    if is_compact_time(line) {
        return compact_value(line.get(2..)?).map(AttrTime::At);
    }
    decode_raw(line).map(|(_, v)| AttrTime::Text(Cow::Borrowed(v)))
}

/// The value of a digit of [`B64`] (its place there), without searching
/// it (times are expanded on every RDAP answer).
fn b64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// The compact-time byte of a name.
fn time_code(name: &str) -> Option<u8> {
    match name {
        "created" => Some(TIME_CREATED),
        "last-modified" => Some(TIME_MODIFIED),
        _ => None,
    }
}

/// Rewrites the attribute just written (name at `name_start`, value from
/// `value_start` to the end) in compact form when it is a canonical time.
fn compact_last(out: &mut String, name: &str, name_start: usize, value_start: usize) {
    let Some(code) = time_code(name) else {
        return;
    };
    let Some(digits) = out.get(value_start..).and_then(compact_time) else {
        return;
    };
    out.truncate(name_start);
    out.push('\0');
    out.push(code as char);
    out.extend(digits.iter().map(|&b| b as char));
}

/// Appends one attribute line in the stored form.
fn push_attr(text: &mut String, name: &str, value: &str) {
    let name_start = text.len();
    push_name(text, name);
    let value_start = text.len();
    text.push_str(value);
    compact_last(text, name, name_start, value_start);
    text.push('\n');
}

/// One stored line as (name, value); a compact time's value is its
/// stored digits (see [`decode_line`] for the value as text).
fn decode_raw(l: &str) -> Option<(&str, &str)> {
    let b = *l.as_bytes().first()?;
    if b == 0 {
        let c = *l.as_bytes().get(1)?;
        let name = match c {
            TIME_CREATED => "created",
            TIME_MODIFIED => "last-modified",
            _ => CODED2.get(c.checked_sub(0x20)? as usize)?,
        };
        Some((name, l.get(2..)?))
    } else if b < 0x20 {
        Some((CODED[b as usize], l.get(1..)?))
    } else {
        split_colon(l)
    }
}

/// One stored line as (name, value), a compact time as the time it
/// stands for.
fn decode_value(l: &str) -> Option<(&str, AttrTime<'_>)> {
    let (name, value) = decode_raw(l)?;
    if is_compact_time(l) {
        return Some((name, AttrTime::At(compact_value(value)?)));
    }
    Some((name, AttrTime::Text(Cow::Borrowed(value))))
}

/// One stored line as (name, value as text).
fn decode_line(l: &str) -> Option<(&str, Cow<'_, str>)> {
    decode_value(l).map(|(name, value)| (name, value.into_cow()))
}

impl Object {
    /// Builds an object from `(name, value)` pairs (names are lower-cased).
    pub fn from_attrs<'a>(attrs: impl IntoIterator<Item = (&'a str, &'a str)>, line: u32) -> Self {
        let mut text = String::new();
        for (n, v) in attrs {
            push_attr(&mut text, &n.to_ascii_lowercase(), v);
        }
        Object {
            text: Stored::Owned(text.into_boxed_str()),
            line,
        }
    }

    /// An object whose stored text (as [`Object::stored`] gave it) is in a
    /// mapped file.
    pub fn mapped(text: crate::mapped::Text, line: u32) -> Self {
        Object {
            text: Stored::Mapped(text),
            line,
        }
    }

    /// The stored text, compact form and all: what a compiled snapshot
    /// writes and [`Object::mapped`] reads back.
    pub fn stored(&self) -> &str {
        self.text.as_str()
    }

    /// A view of the object, for reading it.
    pub fn view(&self) -> ObjectRef<'_> {
        ObjectRef::new(self.text.as_str(), self.line)
    }

    /// See [`ObjectRef::class`].
    pub fn class(&self) -> &str {
        self.view().class()
    }

    /// See [`ObjectRef::key`].
    pub fn key(&self) -> &str {
        self.view().key()
    }

    /// See [`ObjectRef::attrs`].
    pub fn attrs(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        self.view().attrs()
    }

    /// See [`ObjectRef::attrs_raw`].
    pub fn attrs_raw(&self) -> impl Iterator<Item = (&str, &str)> {
        self.view().attrs_raw()
    }

    /// See [`ObjectRef::get_value`].
    pub fn get_value(&self, name: &str) -> Option<Cow<'_, str>> {
        self.view().get_value(name)
    }

    /// See [`ObjectRef::get`].
    pub fn get(&self, name: &str) -> Option<&str> {
        self.view().get(name)
    }

    /// See [`ObjectRef::get_all`].
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.view().get_all(name)
    }

    /// See [`ObjectRef::list`].
    pub fn list<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.view().list(name)
    }

    /// Size of the stored text in bytes.
    pub fn text_len(&self) -> usize {
        self.text.as_str().len()
    }

    /// See [`ObjectRef::render`].
    pub fn render(&self, out: &mut String) {
        self.view().render(out)
    }
}

/// An object to read: its stored text (in the form [`Object`] keeps it)
/// and first line, borrowed from wherever it lives (an [`Object`], or a
/// compiled snapshot's mapped file read in place). The text is cut from
/// its region when read, so that making a view (every network a lookup
/// walks past) reads nothing of the text.
#[derive(Clone, Copy)]
pub struct ObjectRef<'a> {
    /// The region the text is in, and its place there.
    region: &'a str,
    at: usize,
    len: usize,
    /// First line of the object in its file.
    pub line: u32,
}

impl std::fmt::Debug for ObjectRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectRef")
            .field("text", &self.text())
            .field("line", &self.line)
            .finish()
    }
}

impl<'a> ObjectRef<'a> {
    /// A view of a stored text (as [`Object::stored`] gives it).
    pub fn new(text: &'a str, line: u32) -> Self {
        ObjectRef {
            region: text,
            at: 0,
            len: text.len(),
            line,
        }
    }

    /// A view of the stored text at `at..at + len` of `region` (read as
    /// empty when that is not a slice of it on character boundaries).
    pub fn cut(region: &'a str, at: usize, len: usize, line: u32) -> Self {
        ObjectRef {
            region,
            at,
            len,
            line,
        }
    }

    #[inline]
    fn text(self) -> &'a str {
        self.at
            .checked_add(self.len)
            .and_then(|end| self.region.get(self.at..end))
            .unwrap_or("")
    }

    /// An owned copy.
    pub fn to_object(self) -> Object {
        Object {
            text: Stored::Owned(self.text().into()),
            line: self.line,
        }
    }

    /// The stored text, compact form and all.
    pub fn stored(self) -> &'a str {
        self.text()
    }

    /// The class: the first attribute's name.
    pub fn class(self) -> &'a str {
        self.attrs_raw().next().map(|(n, _)| n).unwrap_or("")
    }

    /// The text's first byte (0 when empty): reading it brings the start
    /// of the text into the cache (see `query::prefetch`).
    pub fn first_byte(self) -> u8 {
        self.text().as_bytes().first().copied().unwrap_or(0)
    }

    /// The primary key as written: the first attribute's value.
    pub fn key(self) -> &'a str {
        self.attrs_raw().next().map(|(_, v)| v).unwrap_or("")
    }

    /// All attributes in order, values as text.
    pub fn attrs(self) -> impl Iterator<Item = (&'a str, Cow<'a, str>)> {
        text_lines(self.text()).filter_map(decode_line)
    }

    /// All attributes in order, borrowed: a compact time (`created`,
    /// `last-modified`) comes as its stored digits, so this is for readers
    /// that look at other attributes (loading, contact lists).
    pub fn attrs_raw(self) -> impl Iterator<Item = (&'a str, &'a str)> {
        text_lines(self.text()).filter_map(decode_raw)
    }

    /// The first value of an attribute as text, times included.
    pub fn get_value(self, name: &str) -> Option<Cow<'a, str>> {
        match time_code(name) {
            Some(_) => self.get_time(name).map(AttrTime::into_cow),
            None => self.get(name).map(Cow::Borrowed),
        }
    }

    /// A time attribute (`created`, `last-modified`), a compact one not
    /// expanded into text (see [`ObjectRef::get_times`]). `None` for other
    /// names.
    pub fn get_time(self, name: &str) -> Option<AttrTime<'a>> {
        let k = TIME_NAMES.iter().position(|&n| n == name)?;
        self.get_times().into_iter().nth(k).flatten()
    }

    /// `created` and `last-modified`: the first line of each stored
    /// compact or as text, found by their codes in one pass over the text
    /// (decoding every line before them was a tenth of an RDAP answer,
    /// which shows both of every object), a compact time not expanded.
    pub fn get_times(self) -> [Option<AttrTime<'a>>; 2] {
        const COMPACT: [u8; 2] = [TIME_CREATED, TIME_MODIFIED];
        let text = self.text();
        let bytes = text.as_bytes();
        // a line of either time in either form: `\0` and the time's code
        // (compact), or the attribute's own code (as text)
        let which = |i: usize| {
            if !line_start(bytes, i) {
                return None;
            }
            let next = bytes.get(i + 1).copied();
            (0..2)
                .find(|&k| (bytes[i] == 0 && next == Some(COMPACT[k])) || bytes[i] == TIME_TEXT[k])
        };
        let mut found = [None; 2];
        for i in memchr::memchr3_iter(0, TIME_TEXT[0], TIME_TEXT[1], bytes) {
            if let Some(k) = which(i) {
                found[k] = found[k].or(Some(i));
                if found.iter().all(Option::is_some) {
                    break;
                }
            }
        }
        std::array::from_fn(|k| {
            let first = found[k]?;
            // a compact time that does not read (a crafted file): the
            // first one that does, as every line decoded gives
            read_time(first_line(text.get(first..)?)).or_else(|| {
                self.attrs()
                    .find(|(n, _)| *n == TIME_NAMES[k])
                    .map(|(_, v)| AttrTime::Text(v))
            })
        })
    }

    /// The first value of an attribute (name in lower case), borrowed; for
    /// `created` and `last-modified` use [`ObjectRef::get_value`] (a
    /// canonical time is stored compact and not found here).
    pub fn get(self, name: &str) -> Option<&'a str> {
        debug_assert!(time_code(name).is_none(), "get_value for {name}");
        let text = self.text();
        match code_of(name) {
            Some(code) => {
                let skip = match code {
                    Code::One(_) => 1,
                    Code::Two(_) => 2,
                };
                self.line_of(code)
                    .and_then(|i| text.get(i + skip..))
                    .map(first_line)
            }
            None => text
                .split_terminator('\n')
                .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':'))),
        }
    }

    /// Where the first line stored under a code starts: jumping between
    /// occurrences of the code's byte, a line starts there when it is
    /// the first byte or follows a newline.
    fn line_of(self, code: Code) -> Option<usize> {
        self.lines_of(code).next()
    }

    /// Where every line stored under a code starts, in order.
    fn lines_of(self, code: Code) -> impl Iterator<Item = usize> + 'a {
        let bytes = self.text().as_bytes();
        let (first, second) = code.bytes();
        memchr::memchr_iter(first, bytes).filter(move |&i| {
            line_start(bytes, i) && second.is_none_or(|b| bytes.get(i + 1) == Some(&b))
        })
    }

    /// The value of the line stored under a code at `i` (its line without
    /// the code, as [`text_lines`] cuts it).
    fn coded_value(self, code: Code, i: usize) -> Option<&'a str> {
        let skip = match code {
            Code::One(_) => 1,
            Code::Two(_) => 2,
        };
        let line = first_line(self.text().get(i + skip..)?);
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    /// Every value of two attributes, in the object's order, each with
    /// whether it is the first one's (`admin-c` and `tech-c`: lines tested
    /// by their codes, none decoded).
    pub fn get_both<'b>(
        self,
        a: &'b str,
        b: &'b str,
    ) -> impl Iterator<Item = (bool, &'a str)> + use<'a, 'b> {
        let (ca, cb) = (code_of(a), code_of(b));
        // both stored under one-byte codes (as every pair asked for is):
        // a jump from one such line to the next, not a step through every
        // line
        let jumps = match (ca, cb) {
            (Some(Code::One(x)), Some(Code::One(y))) => {
                let bytes = self.text().as_bytes();
                Some(
                    memchr::memchr2_iter(x, y, bytes)
                        .filter(move |&i| line_start(bytes, i))
                        .filter_map(move |i| {
                            let first = bytes[i] == x;
                            let code = if first { Code::One(x) } else { Code::One(y) };
                            Some((first, self.coded_value(code, i)?))
                        }),
                )
            }
            _ => None,
        };
        let steps = jumps.is_none().then(|| {
            text_lines(self.text()).filter_map(move |l| {
                value_of(l, a, ca)
                    .map(|v| (true, v))
                    .or_else(|| value_of(l, b, cb).map(|v| (false, v)))
            })
        });
        jumps
            .into_iter()
            .flatten()
            .chain(steps.into_iter().flatten())
    }

    /// Every value of an attribute (name in lower case).
    pub fn get_all<'b>(self, name: &'b str) -> impl Iterator<Item = &'a str> + use<'a, 'b> {
        let code = code_of(name);
        // a coded attribute's lines found by their code, as `get` finds
        // the first; others by stepping through the lines
        let jumps = code.map(|c| self.lines_of(c).filter_map(move |i| self.coded_value(c, i)));
        let steps = code
            .is_none()
            .then(|| text_lines(self.text()).filter_map(move |l| value_of(l, name, None)));
        jumps
            .into_iter()
            .flatten()
            .chain(steps.into_iter().flatten())
    }

    /// Every comma-separated item of every value of an attribute.
    pub fn list<'b>(self, name: &'b str) -> impl Iterator<Item = &'a str> + use<'a, 'b> {
        self.get_all(name)
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// Size of the stored text in bytes.
    pub fn text_len(self) -> usize {
        self.text().len()
    }

    /// RPSL text with values aligned at column 16, as RIPE prints objects.
    /// (The attributes of [`ObjectRef::attrs`], a compact time written
    /// straight into `out` instead of into a string of its own.)
    pub fn render(self, out: &mut String) {
        const COLUMN: &str = "                ";
        let text = self.text();
        out.reserve(text.len() + text.len() / 2);
        for (n, v) in text_lines(text).filter_map(decode_value) {
            out.push_str(n);
            out.push(':');
            let pad = 16usize.saturating_sub(n.len() + 1).max(1);
            out.push_str(COLUMN.get(..pad).unwrap_or(" "));
            match v {
                AttrTime::At(t) => crate::time::write(out, t),
                AttrTime::Text(v) => out.push_str(&v),
            }
            out.push('\n');
        }
    }
}

/// Cuts a byte stream into raw objects.
pub struct Splitter<R> {
    reader: R,
    line_no: u32,
    line: Vec<u8>,
    done: bool,
    /// The line end: `\n` (also for CRLF), or `\r` for a file written with
    /// CR alone (old Mac style), decided on the first block read.
    eol: Option<u8>,
}

impl<R: BufRead> Splitter<R> {
    pub fn new(reader: R) -> Self {
        Splitter {
            reader,
            line_no: 0,
            line: Vec::with_capacity(256),
            done: false,
            eol: None,
        }
    }

    /// Reads one line into `self.line` (without the newline or CR). Returns
    /// `Ok(None)` at end of input, `Ok(Some(too_long))` otherwise.
    fn read_line(&mut self) -> io::Result<Option<bool>> {
        self.line.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            any = true;
            let eol = *self.eol.get_or_insert_with(|| {
                if memchr::memchr(b'\n', buf).is_none() && memchr::memchr(b'\r', buf).is_some() {
                    b'\r'
                } else {
                    b'\n'
                }
            });
            let (chunk, found) = match memchr::memchr(eol, buf) {
                Some(i) => (&buf[..i], Some(i)),
                None => (buf, None),
            };
            if self.line.len() + chunk.len() <= MAX_LINE_BYTES {
                self.line.extend_from_slice(chunk);
            } else {
                too_long = true;
            }
            match found {
                Some(i) => {
                    self.reader.consume(i + 1);
                    break;
                }
                None => {
                    let n = buf.len();
                    self.reader.consume(n);
                }
            }
        }
        if !any {
            return Ok(None);
        }
        self.line_no = self.line_no.saturating_add(1);
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        Ok(Some(too_long))
    }

    /// The next object, a skipped (oversized) object, or `None` at the end.
    #[cfg(test)]
    pub fn next_object(&mut self) -> io::Result<Option<Result<RawObject, Skip>>> {
        let mut data = Vec::new();
        Ok(self
            .next_into(&mut data)?
            .map(|r| r.map(|line| RawObject { line, data })))
    }

    /// The next object appended to `data` (its lines, each ending in
    /// `\n`): its first line number, a skipped (oversized) object (nothing
    /// appended), or `None` at the end. A loader cuts many objects into one
    /// buffer this way, with no allocation per object.
    pub fn next_into(&mut self, data: &mut Vec<u8>) -> io::Result<Option<Result<u32, Skip>>> {
        if self.done {
            return Ok(None);
        }
        let start = data.len();
        let mut first_line = 0u32;
        let mut oversized = false;
        loop {
            let Some(too_long) = self.read_line()? else {
                self.done = true;
                break;
            };
            let blank = !too_long && self.line.iter().all(|b| b.is_ascii_whitespace());
            if blank {
                if first_line == 0 {
                    continue;
                }
                break;
            }
            let c = self.line.first().copied().unwrap_or(b' ');
            if !too_long && (c == b'#' || c == b'%') {
                continue; // comment line, between or inside objects
            }
            if first_line == 0 {
                first_line = self.line_no;
            }
            if too_long || data.len() - start + self.line.len() + 1 > MAX_OBJECT_BYTES {
                oversized = true;
            }
            if !oversized {
                data.extend_from_slice(&self.line);
                data.push(b'\n');
            }
        }
        if first_line == 0 {
            data.truncate(start);
            return Ok(None);
        }
        if oversized {
            data.truncate(start);
            return Ok(Some(Err(Skip {
                line: first_line,
                reason: SkipReason::Oversized,
                detail: format!(
                    "object larger than {MAX_OBJECT_BYTES} bytes or a line over {MAX_LINE_BYTES}"
                ),
            })));
        }
        Ok(Some(Ok(first_line)))
    }
}

fn decode(data: &[u8], enc: Encoding) -> Option<std::borrow::Cow<'_, str>> {
    match enc {
        Encoding::Latin1 => Some(latin1(data)),
        Encoding::Utf8 => std::str::from_utf8(data).ok().map(Into::into),
        Encoding::Auto => Some(match std::str::from_utf8(data) {
            Ok(s) => s.into(),
            Err(_) => latin1(data),
        }),
    }
}

fn latin1(data: &[u8]) -> std::borrow::Cow<'_, str> {
    data.iter().map(|&b| b as char).collect::<String>().into()
}

/// The bytes an attribute name may hold: ASCII letters, digits, `-`, `_`,
/// `/`, `*` (a table: this runs for every line of every dump).
const NAME_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'/' || c == b'*';
        b += 1;
    }
    t
};

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| NAME_BYTE[b as usize])
}

/// Strips an end-of-line `#` comment and surrounding blanks (ASCII
/// whitespace: what RPSL pads with; a byte search, the hot path of loading).
fn strip_comment(v: &str) -> &str {
    let cut = memchr::memchr(b'#', v.as_bytes()).unwrap_or(v.len());
    let t = v.get(..cut).unwrap_or(v).trim_ascii();
    // other blanks (a no-break space decoded from Latin-1) as `trim` does
    let non_ascii_edge = |b: Option<&u8>| b.is_some_and(|b| *b >= 0x80);
    if non_ascii_edge(t.as_bytes().first()) || non_ascii_edge(t.as_bytes().last()) {
        t.trim()
    } else {
        t
    }
}

/// `line.split_once(':')` by a byte search.
fn split_colon(line: &str) -> Option<(&str, &str)> {
    let i = memchr::memchr(b':', line.as_bytes())?;
    Some((line.get(..i)?, line.get(i + 1..)?))
}

/// The lines of a text (`\n` or `\r\n` ends), by a byte search.
fn text_lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    ends.filter_map(move |end| {
        if start > bytes.len() || (end == bytes.len() && start == end) {
            return None;
        }
        let line = text.get(start..end)?;
        start = end + 1;
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

/// Parses one raw object.
#[cfg(test)]
pub fn parse_object(raw: &RawObject, enc: Encoding) -> Result<Object, Skip> {
    parse_lines(raw.line, &raw.data, enc, &mut String::new())
}

/// Parses one object's lines (first line number `first_line`), building its text
/// in `scratch` (a loader keeps one per thread: the object gets one
/// allocation of its exact size, no growing and shrinking).
pub fn parse_lines(
    first_line: u32,
    data: &[u8],
    enc: Encoding,
    scratch: &mut String,
) -> Result<Object, Skip> {
    let skip = |reason, detail: String| Skip {
        line: first_line,
        reason,
        detail,
    };
    let text = decode(data, enc)
        .ok_or_else(|| skip(SkipReason::InvalidUtf8, "object is not valid UTF-8".into()))?;
    scratch.clear();
    let out = scratch;
    let mut lower = String::new();
    // the value of the attribute being built starts at `value_start` in `out`
    let mut have_attr = false;
    let mut value_start = 0usize;
    // where the attribute being built starts, and its name when it is a
    // time (compacted once its continuation lines are in)
    let mut name_start = 0usize;
    let mut prev_name = String::new();
    for (i, line) in text_lines(&text).enumerate() {
        let first = line.as_bytes().first().copied().unwrap_or(b' ');
        if first == b' ' || first == b'\t' || first == b'+' {
            if !have_attr {
                return Err(skip(
                    SkipReason::NoClassLine,
                    "object starts with a continuation line".into(),
                ));
            }
            let piece = strip_comment(line.get(1..).unwrap_or(""));
            if !piece.is_empty() {
                if out.len() > value_start {
                    out.push(' ');
                }
                out.push_str(piece);
            }
            continue;
        }
        let bad = |what: &str| {
            let reason = if have_attr {
                SkipReason::BadAttributeLine
            } else {
                SkipReason::NoClassLine
            };
            skip(reason, format!("line {}: {what}", first_line as usize + i))
        };
        let Some((name, value)) = split_colon(line) else {
            return Err(bad(&format!("'{}' is not 'name: value'", clip(line))));
        };
        if !valid_name(name) {
            return Err(bad(&format!("bad attribute name '{}'", clip(name))));
        }
        if !have_attr && name.starts_with("*xx") {
            return Err(skip(
                SkipReason::DeletedObject,
                format!("class '{}'", clip(name)),
            ));
        }
        if have_attr {
            compact_last(out, &prev_name, name_start, value_start);
            out.push('\n');
        }
        name_start = out.len();
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            lower.clear();
            lower.push_str(name);
            lower.make_ascii_lowercase();
            lower.as_str()
        } else {
            name
        };
        push_name(out, name);
        if time_code(name).is_some() {
            prev_name.clear();
            prev_name.push_str(name);
        } else if !prev_name.is_empty() {
            prev_name.clear();
        }
        value_start = out.len();
        out.push_str(strip_comment(value));
        have_attr = true;
    }
    if !have_attr {
        return Err(skip(SkipReason::NoClassLine, "empty object".into()));
    }
    compact_last(out, &prev_name, name_start, value_start);
    out.push('\n');
    Ok(Object {
        text: Stored::Owned(Box::from(out.as_str())),
        line: first_line,
    })
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn two_attributes_come_in_the_objects_order() {
        let o = Object::from_attrs(
            [
                ("inetnum", "192.0.2.0 - 192.0.2.255"),
                ("tech-c", "T1"),
                ("admin-c", "A1"),
                ("remarks", "admin-c: not this one"),
                ("tech-c", "T2"),
                ("x-unknown", "z"),
            ],
            1,
        );
        let both: Vec<_> = o.view().get_both("admin-c", "tech-c").collect();
        assert_eq!(both, [(false, "T1"), (true, "A1"), (false, "T2")]);
        // names without a code, read from the text
        let u: Vec<_> = o.view().get_both("x-unknown", "tech-c").collect();
        assert_eq!(u, [(false, "T1"), (false, "T2"), (true, "z")]);
    }

    #[test]
    fn b64_digits_read_back_as_their_places() {
        for (place, &digit) in B64.iter().enumerate() {
            assert_eq!(b64_value(digit), Some(place as u8));
        }
        for b in 0..=255u8 {
            assert_eq!(b64_value(b).is_some(), B64.contains(&b), "{b}");
        }
    }

    use super::*;

    fn objects(input: &[u8], enc: Encoding) -> Vec<Result<Object, Skip>> {
        let mut sp = Splitter::new(input);
        let mut out = Vec::new();
        while let Some(r) = sp.next_object().unwrap() {
            out.push(r.and_then(|raw| parse_object(&raw, enc)));
        }
        out
    }

    #[test]
    fn a_file_with_cr_line_ends_reads_as_lines() {
        let input =
            b"inetnum: 192.0.2.0 - 192.0.2.255\rnetname: EX\rsource: T\r\rperson: A\rnic-hdl: A1\r";
        let v = objects(input, Encoding::Auto);
        assert_eq!(v.len(), 2, "{v:?}");
        let o = v[0].as_ref().unwrap();
        assert_eq!(o.get("netname"), Some("EX"));
        assert_eq!(v[1].as_ref().unwrap().line, 5);
    }

    #[test]
    fn continuation_comments_crlf_and_case() {
        let input = b"# header\r\n%comment\r\n\r\ninetnum:  192.0.2.0 - 192.0.2.255 # eol\r\nNetName: EX\r\ndescr: first\r\n second # gone\r\n+\r\n\tthird\r\n+ fourth\r\nStatus: assigned pa\r\n   \r\n% between\r\nperson: A\r\nnic-hdl: A1\r\n";
        let v = objects(input, Encoding::Auto);
        assert_eq!(v.len(), 2);
        let o = v[0].as_ref().unwrap();
        assert_eq!(o.line, 4);
        assert_eq!(o.class(), "inetnum");
        assert_eq!(o.key(), "192.0.2.0 - 192.0.2.255");
        assert_eq!(o.get("netname"), Some("EX"));
        assert_eq!(o.get("descr"), Some("first second third fourth"));
        assert_eq!(o.get("status"), Some("assigned pa"));
        let p = v[1].as_ref().unwrap();
        assert_eq!(p.line, 14);
        assert_eq!(p.get("nic-hdl"), Some("A1"));
    }

    #[test]
    fn encodings() {
        let latin = b"organisation: ORG-A\norg-name: Funda\xe7\xe3o\n";
        let auto = objects(latin, Encoding::Auto);
        assert_eq!(auto[0].as_ref().unwrap().get("org-name"), Some("Fundação"));
        let strict = objects(latin, Encoding::Utf8);
        assert_eq!(
            strict[0].as_ref().unwrap_err().reason,
            SkipReason::InvalidUtf8
        );
        let utf8 = "organisation: ORG-B\norg-name: Müller\n".as_bytes();
        assert_eq!(
            objects(utf8, Encoding::Auto)[0]
                .as_ref()
                .unwrap()
                .get("org-name"),
            Some("Müller")
        );
        // the same bytes read as Latin-1 are mojibake, but not an error
        assert_eq!(
            objects(utf8, Encoding::Latin1)[0]
                .as_ref()
                .unwrap()
                .get("org-name"),
            Some("MÃ¼ller")
        );
    }

    #[test]
    fn malformed_objects_are_skipped_with_line() {
        let input = b" leading continuation\nfoo: bar\n\ninetnum: 1\nthis is not an attribute\n\n*xxte: 1.2.3.0/24\norigin: AS1\n\naut-num: AS1\n";
        let v = objects(input, Encoding::Auto);
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].as_ref().unwrap_err().reason, SkipReason::NoClassLine);
        assert_eq!(v[0].as_ref().unwrap_err().line, 1);
        let e = v[1].as_ref().unwrap_err();
        assert_eq!((e.reason, e.line), (SkipReason::BadAttributeLine, 4));
        assert!(e.detail.contains("line 5"), "{}", e.detail);
        assert_eq!(v[2].as_ref().unwrap_err().reason, SkipReason::DeletedObject);
        assert_eq!(v[3].as_ref().unwrap().key(), "AS1");
    }

    #[test]
    fn oversized_objects_and_lines_are_bounded() {
        let mut input = b"remarks: x\n".to_vec();
        for _ in 0..(MAX_OBJECT_BYTES / 10) {
            input.extend_from_slice(b"remarks: yyyyyyyyyy\n");
        }
        input.extend_from_slice(b"\naut-num: AS2\n\nremarks: ");
        input.extend(std::iter::repeat_n(b'z', MAX_LINE_BYTES + 10));
        input.extend_from_slice(b"\n\naut-num: AS3");
        let v = objects(&input, Encoding::Auto);
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].as_ref().unwrap_err().reason, SkipReason::Oversized);
        assert_eq!(v[1].as_ref().unwrap().key(), "AS2");
        assert_eq!(v[2].as_ref().unwrap_err().reason, SkipReason::Oversized);
        assert_eq!(v[3].as_ref().unwrap().key(), "AS3");
    }

    #[test]
    fn name_codes_match_the_table() {
        for (i, n) in CODED.iter().enumerate() {
            if !n.is_empty() {
                assert_eq!(code_of(n), Some(Code::One(i as u8)), "{n}");
            }
        }
        for (i, n) in CODED2.iter().enumerate() {
            assert_eq!(code_of(n), Some(Code::Two(0x20 + i as u8)), "{n}");
            assert!(0x20 + i < 0x7f);
            assert!(!CODED.contains(n), "{n} twice");
        }
        assert_eq!(code_of("x-unknown"), None);
        // two-byte names read back, by get, get_all and attrs alike
        let o = Object::from_attrs(
            [
                ("NetHandle", "NET-1"),
                ("NetRange", "192.0.2.0 - 192.0.2.255"),
                ("Comment", "one"),
                ("Comment", "two"),
                ("status", "x"),
            ],
            1,
        );
        assert_eq!(o.class(), "nethandle");
        assert_eq!(o.key(), "NET-1");
        assert_eq!(o.get("netrange"), Some("192.0.2.0 - 192.0.2.255"));
        assert_eq!(o.get_all("comment").collect::<Vec<_>>(), ["one", "two"]);
        assert_eq!(o.get("regdate"), None);
        assert_eq!(o.attrs().count(), 5);
        assert!(o.text_len() < 50, "{}", o.text_len());
        let o = Object::from_attrs([("Inetnum", "1"), ("X-Custom", "a:b"), ("org", "O")], 1);
        assert_eq!(
            o.attrs_raw().collect::<Vec<_>>(),
            vec![("inetnum", "1"), ("x-custom", "a:b"), ("org", "O")]
        );
        // canonical times are stored compact and read back as written;
        // others stay text
        let t = Object::from_attrs(
            [
                ("role", "R"),
                ("created", "2021-03-04T05:06:07Z"),
                ("last-modified", "2024-05-06T07:08:09+02:00"),
                ("created", "1969-12-31T23:59:59Z"),
            ],
            1,
        );
        let values: Vec<(String, String)> = t
            .attrs()
            .map(|(n, v)| (n.to_string(), v.into_owned()))
            .collect();
        assert_eq!(values[1], ("created".into(), "2021-03-04T05:06:07Z".into()));
        assert_eq!(values[2].1, "2024-05-06T07:08:09+02:00");
        assert_eq!(values[3].1, "1969-12-31T23:59:59Z");
        assert_eq!(
            t.get_value("created").as_deref(),
            Some("2021-03-04T05:06:07Z")
        );
        assert_eq!(
            t.get_value("last-modified").as_deref(),
            Some("2024-05-06T07:08:09+02:00")
        );
        // the first of either form, whichever is stored first
        let u = Object::from_attrs(
            [
                ("role", "R"),
                ("created", "2021-03-04T05:06:07+01:00"),
                ("created", "2021-03-04T05:06:07Z"),
                ("last-modified", "2024-05-06T07:08:09Z"),
            ],
            1,
        );
        assert_eq!(
            u.get_value("created").as_deref(),
            Some("2021-03-04T05:06:07+01:00")
        );
        assert_eq!(
            u.get_value("last-modified").as_deref(),
            Some("2024-05-06T07:08:09Z")
        );
        assert_eq!(
            Object::from_attrs([("role", "R")], 1).get_value("created"),
            None
        );
        let mut r = String::new();
        t.render(&mut r);
        assert!(r.contains("created:        2021-03-04T05:06:07Z\n"), "{r}");
        // the compact time is 8 bytes of the text (`\0`, code, six digits)
        assert_eq!(
            t.text_len(),
            Object::from_attrs([("role", "R")], 1).text_len()
                + 8
                + 1
                + 1
                + "2024-05-06T07:08:09+02:00".len()
                + 1
                + 1
                + "1969-12-31T23:59:59Z".len()
                + 1
        );
        // the same through the parser, continuation lines included
        let raw = RawObject {
            line: 1,
            data: b"role: R\ncreated: 2021-03-04T05:06:07Z\nlast-modified: 2024-05-06T\n 07:08:09Z\nsource: X\n".to_vec(),
        };
        let p = parse_object(&raw, Encoding::Auto).unwrap();
        assert_eq!(
            p.get_value("created").as_deref(),
            Some("2021-03-04T05:06:07Z")
        );
        // a continuation joins with a space: not canonical, kept as text
        assert_eq!(
            p.get_value("last-modified").as_deref(),
            Some("2024-05-06T 07:08:09Z")
        );
        assert_eq!(p.get("source"), Some("X"));
        assert_eq!(
            TIME_NAMES.map(code_of),
            TIME_TEXT.map(|c| Some(Code::One(c)))
        );
        // both times in one pass read as decoding every line reads them
        let none = Object::from_attrs([("role", "R")], 1);
        let reversed = Object::from_attrs(
            [
                ("role", "R"),
                ("last-modified", "2024-05-06T07:08:09Z"),
                ("descr", "created: 2020-01-01T00:00:00Z"),
                ("created", "2021-03-04T05:06:07Z"),
            ],
            1,
        );
        let only_changed = Object::from_attrs([("last-modified", "2024-05-06T07:08:09+02:00")], 1);
        for x in [
            t.view(),
            u.view(),
            none.view(),
            reversed.view(),
            only_changed.view(),
            p.view(),
        ] {
            let decoded = TIME_NAMES.map(|n| x.attrs().find(|(a, _)| *a == n).map(|(_, v)| v));
            assert_eq!(x.get_times().map(|t| t.map(AttrTime::into_cow)), decoded);
            assert_eq!(TIME_NAMES.map(|n| x.get_value(n)), decoded, "one by name");
        }
        assert_eq!(o.get("x-custom"), Some("a:b"));
        assert_eq!(o.get("x-cust"), None);
    }

    #[test]
    fn coded_lines_are_found_by_their_code_as_by_every_line() {
        // what get_all and get_both read by stepping through every line
        let stepped_all = |o: ObjectRef<'_>, name: &str| -> Vec<String> {
            let code = code_of(name);
            text_lines(o.text())
                .filter_map(|l| value_of(l, name, code))
                .map(str::to_string)
                .collect()
        };
        let stepped_both = |o: ObjectRef<'_>, a: &str, b: &str| -> Vec<(bool, String)> {
            let (ca, cb) = (code_of(a), code_of(b));
            text_lines(o.text())
                .filter_map(|l| {
                    value_of(l, a, ca)
                        .map(|v| (true, v.to_string()))
                        .or_else(|| value_of(l, b, cb).map(|v| (false, v.to_string())))
                })
                .collect()
        };
        let raws: [&[u8]; 5] = [
            b"inetnum: 192.0.2.0 - 192.0.2.255\ndescr: one\nadmin-c: A1\ntech-c: T1\ndescr: two\n continued\nadmin-c: A2\nremarks: descr: not this\nx-custom: a\nx-custom: b\nNetHandle: NET-1\nsource: X\n",
            b"role: R\nnic-hdl: R1\ntech-c: T1\ntech-c: T2\nadmin-c: A1\n",
            b"inetnum: 192.0.2.0 - 192.0.2.255\nsource: X\n",
            b"descr: first line\nOrgName: O\nOrgName: P\ndescr: last, no newline",
            b"person: P\nnic-hdl: P1\ne-mail: p@example.test\nadmin-c: \ntech-c:\n",
        ];
        for (k, raw) in raws.into_iter().enumerate() {
            let o = parse_object(
                &RawObject {
                    line: 1,
                    data: raw.to_vec(),
                },
                Encoding::Auto,
            )
            .unwrap();
            let v = o.view();
            if k == 0 {
                // what the comparisons below compare is there
                assert_eq!(
                    v.get_all("descr").collect::<Vec<_>>(),
                    ["one", "two continued"]
                );
                assert_eq!(v.get_all("x-custom").collect::<Vec<_>>(), ["a", "b"]);
                assert_eq!(v.get_all("nethandle").collect::<Vec<_>>(), ["NET-1"]);
                let contacts: Vec<_> = v.get_both("admin-c", "tech-c").collect();
                assert_eq!(contacts, [(true, "A1"), (false, "T1"), (true, "A2")]);
            }
            for name in [
                "descr",
                "admin-c",
                "tech-c",
                "x-custom",
                "nethandle",
                "orgname",
                "source",
                "remarks",
                "e-mail",
                "nothing",
            ] {
                assert_eq!(
                    v.get_all(name).collect::<Vec<_>>(),
                    stepped_all(v, name),
                    "{name}"
                );
            }
            for (a, b) in [
                ("admin-c", "tech-c"),
                ("tech-c", "admin-c"),
                ("descr", "orgname"),
                ("x-custom", "descr"),
            ] {
                let jumped: Vec<(bool, String)> =
                    v.get_both(a, b).map(|(f, s)| (f, s.to_string())).collect();
                assert_eq!(jumped, stepped_both(v, a, b), "{a} {b}");
            }
        }
        // a stored text whose lines end in CR (a crafted compiled file)
        // reads as the lines do
        let text = "\u{4}one\r\n\u{4}two\r\n\u{7}A\r\n";
        let v = ObjectRef::new(text, 1);
        assert_eq!(v.get_all("descr").collect::<Vec<_>>(), ["one", "two"]);
        assert_eq!(stepped_all(v, "descr"), ["one", "two"]);
        assert_eq!(
            v.get_both("admin-c", "tech-c").collect::<Vec<_>>(),
            [(true, "A")]
        );
    }

    #[test]
    fn compact_times_read_back_exactly() {
        // every canonical time (xorshift over 1970..4147), and texts one
        // byte away from canonical: compact only when it reads back equal
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let t = (next() % (1 << 36)) as i64;
            let text = crate::time::format(t);
            let c = compact_time(&text).expect("canonical");
            assert_eq!(
                compact_value(std::str::from_utf8(&c).unwrap()).map(crate::time::format),
                Some(text.clone())
            );
            let mut b = text.into_bytes();
            let i = (next() % 20) as usize;
            b[i] = b"0123456789-:TZ+ 6"[(next() % 17) as usize];
            if let Ok(v) = std::str::from_utf8(&b) {
                if let Some(c) = compact_time(v) {
                    assert_eq!(
                        compact_value(std::str::from_utf8(&c).unwrap())
                            .map(crate::time::format)
                            .as_deref(),
                        Some(v)
                    );
                }
            }
        }
        for v in [
            "2024-02-30T00:00:00Z",
            "2024-01-01T00:00:60Z",
            "1969-12-31T23:59:59Z",
            "2024-01-01T00:00:00+00:00",
            "2024-01-01t00:00:00Z",
        ] {
            assert_eq!(compact_time(v), None, "{v}");
        }
    }

    #[test]
    fn render_aligns_values() {
        let o = Object::from_attrs(
            [("inetnum", "192.0.2.0 - 192.0.2.255"), ("org", "ORG-A")],
            1,
        );
        let mut s = String::new();
        o.render(&mut s);
        assert_eq!(
            s,
            "inetnum:        192.0.2.0 - 192.0.2.255\norg:            ORG-A\n"
        );
    }
}
