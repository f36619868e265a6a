//! JSON written straight into bytes: the hot answers (ip networks) are
//! written member by member, their fixed keys and punctuation copied as
//! text, without a tree or a serializer between the answer and its bytes.
//!
//! Strings are escaped as serde_json escapes them (`"`, `\` and control
//! characters only; `\b \t \n \f \r` short, the others `\u00XX`), so
//! answers are byte for byte what serializing the same shapes gives.
//! Compact always; `finish` indents the result as serde_json's pretty
//! printer does.
//!
//! A writer for a cache template records holes instead of writing the
//! query and origin: [`Json::url_pieces`] takes the markers below as URL
//! pieces and notes where they stand.

/// What stands for the query in a template, as a piece of a link's URL: a
/// control character, which no address or prefix contains (and which path
/// segments made of data carry percent-encoded).
pub(super) const MARKER: &str = "\u{1}";
/// What stands for the origin (`https://host:port`) in a template.
pub(super) const ORIGIN_MARKER: &str = "\u{2}";

/// Where the query (false) or the origin (true) goes in a template.
pub(super) type Hole = (usize, bool);

/// Text written once and put in many answers (the notices), with its
/// holes (no query in them: only the origin's).
pub(super) struct Piece {
    pub(super) body: Vec<u8>,
    pub(super) holes: Vec<Hole>,
}

/// A [`Piece`] in a template's text: where it stands, and the piece.
pub(super) type Shared = (std::ops::Range<usize>, std::sync::Arc<Piece>);

/// A JSON text being written.
pub(super) struct Json {
    pub(super) buf: Vec<u8>,
    /// `Some` for a template: the holes so far, ascending.
    holes: Option<Vec<Hole>>,
    /// In a template: the shared text written last ([`Json::shared`]).
    shared: Option<Shared>,
}

impl Json {
    /// A writer; `template`: markers in URLs become holes.
    pub(super) fn new(template: bool) -> Self {
        Json {
            // most answers fit: no growing and copying while writing
            buf: Vec::with_capacity(8192),
            holes: template.then(Vec::new),
            shared: None,
        }
    }

    /// JSON text as it is (fixed keys and punctuation).
    #[inline]
    pub(super) fn raw(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// A string, quoted and escaped.
    #[inline]
    pub(super) fn str(&mut self, s: &str) {
        self.buf.push(b'"');
        self.esc(s);
        self.buf.push(b'"');
    }

    /// A string of this program's own (a relation, role, kind, title)
    /// quoted: such text needs no escaping, and is written without the
    /// check (debug builds assert it).
    #[inline]
    pub(super) fn lit(&mut self, s: &'static str) {
        debug_assert!(plain(s), "{s}");
        self.buf.reserve(s.len() + 2);
        self.buf.push(b'"');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(b'"');
    }

    /// `["a","b",...]` of strings of this program's own (see [`Json::lit`]).
    pub(super) fn lits(&mut self, items: impl IntoIterator<Item = &'static str>) {
        self.array(items, Json::lit);
    }

    /// `[...]` of items, each written by `one`.
    pub(super) fn array<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut one: impl FnMut(&mut Self, T),
    ) {
        self.buf.push(b'[');
        for (i, x) in items.into_iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            one(self, x);
        }
        self.buf.push(b']');
    }

    /// A string's contents, escaped.
    #[inline]
    pub(super) fn esc(&mut self, s: &str) {
        escape_into(&mut self.buf, s.as_bytes());
    }

    /// `["a","b",...]`.
    pub(super) fn strs<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) {
        self.array(items, |w, s| w.str(s));
    }

    /// An unsigned number.
    pub(super) fn uint(&mut self, n: u64) {
        decimal(&mut self.buf, n);
    }

    /// A URL's text from its pieces (origin, base path, then the path's),
    /// escaped. In a template, a piece that is a marker is a hole.
    pub(super) fn url_pieces<'p>(&mut self, pieces: impl IntoIterator<Item = &'p str>) {
        for p in pieces.into_iter().filter(|p| !p.is_empty()) {
            match (&mut self.holes, p) {
                (Some(h), MARKER) => h.push((self.buf.len(), false)),
                (Some(h), ORIGIN_MARKER) => h.push((self.buf.len(), true)),
                _ => self.esc(p),
            }
        }
    }

    /// An empty writer of the same kind (template or not), for a fragment
    /// written once and [`Json::append`]ed many times.
    pub(super) fn fragment(&self) -> Json {
        Json {
            buf: Vec::with_capacity(128),
            holes: self.holes.as_ref().map(|_| Vec::new()),
            shared: None,
        }
    }

    /// A fragment's text and holes (made by [`Json::fragment`] of this
    /// writer or of one of its kind).
    pub(super) fn append(&mut self, f: &Json) {
        if let (Some(h), Some(fh)) = (&mut self.holes, &f.holes) {
            let at = self.buf.len();
            h.extend(fh.iter().map(|&(p, o)| (p + at, o)));
        }
        self.buf.extend_from_slice(&f.buf);
    }

    /// The text of `span` written again, with its holes: for text written
    /// before that starts and ends with a character of its own (a string
    /// from its opening quote to its closing one, an object's members from
    /// its brace), so that every hole of it lies inside.
    pub(super) fn repeat(&mut self, span: std::ops::Range<usize>) {
        let at = self.buf.len();
        if let Some(h) = &mut self.holes {
            // the holes are ascending
            let first = h.partition_point(|&(p, _)| p <= span.start);
            let last = h.partition_point(|&(p, _)| p < span.end);
            for k in first..last {
                let (p, o) = h[k];
                h.push((p - span.start + at, o));
            }
        }
        self.buf.extend_from_within(span);
    }

    /// A template's text with its holes, written here: the holes are holes
    /// of this writer (or filled with `query` and `origin` when this is no
    /// template).
    pub(super) fn template(
        &mut self,
        body: &[u8],
        holes: impl IntoIterator<Item = Hole>,
        query: &str,
        origin: &str,
    ) {
        let mut from = 0;
        for (at, is_origin) in holes {
            self.buf.extend_from_slice(&body[from..at]);
            match &mut self.holes {
                Some(h) => h.push((self.buf.len(), is_origin)),
                None => self.esc(if is_origin { origin } else { query }),
            }
            from = at;
        }
        self.buf.extend_from_slice(&body[from..]);
    }

    /// A piece's text with its holes, as [`Json::template`] writes it; in
    /// a template, noted as shared text, so that [`Json::finish_shared`]
    /// tells where it stands.
    pub(super) fn shared(&mut self, p: &std::sync::Arc<Piece>, origin: &str) {
        let start = self.buf.len();
        self.template(&p.body, p.holes.iter().copied(), "", origin);
        if self.holes.is_some() {
            self.shared = Some((start..self.buf.len(), std::sync::Arc::clone(p)));
        }
    }

    /// The text and its holes (none when this is no template), indented
    /// when `pretty`.
    pub(super) fn finish(self, pretty: bool) -> (Vec<u8>, Vec<Hole>) {
        let (text, holes, _) = self.finish_shared(pretty);
        (text, holes)
    }

    /// [`Json::finish`], and where the shared text stands in the compact
    /// text (an indented one shares none).
    pub(super) fn finish_shared(self, pretty: bool) -> (Vec<u8>, Vec<Hole>, Option<Shared>) {
        let holes = self.holes.unwrap_or_default();
        if pretty {
            let (text, holes) = pretty_with_holes(&self.buf, &holes);
            (text, holes, None)
        } else {
            (self.buf, holes, self.shared)
        }
    }
}

/// An unsigned number's decimal digits appended to `out`.
pub(super) fn decimal(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// True when one of the eight bytes of `w` needs escaping: below 0x20, `"`
/// or `\` (exact: no byte is reported that needs none, none is missed).
#[inline]
fn needs_escape(w: u64) -> bool {
    crate::bytes::word_has(w, 0x20, b'"', b'\\')
}

/// True when JSON writes `s` as it is (text of this program's own, and
/// URL text: debug builds check it before copying it unescaped).
pub(super) fn plain(s: &str) -> bool {
    !crate::bytes::any_byte(s.as_bytes(), 0x20, b'"', b'\\')
}

/// Eight bytes of `s` from `i` as a little-endian word (`i + 8 <= len`).
#[inline]
fn word(s: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[i..i + 8]);
    u64::from_le_bytes(w)
}

/// `s` escaped onto `out`: eight bytes at a time while none needs it,
/// which is most strings whole (the last word of a string overlaps the one
/// before it; one shorter than eight bytes is padded with spaces).
fn escape_into(out: &mut Vec<u8>, s: &[u8]) {
    let clean = if s.len() >= 8 {
        let mut i = 0;
        while i + 8 < s.len() && !needs_escape(word(s, i)) {
            i += 8;
        }
        i + 8 >= s.len() && !needs_escape(word(s, s.len() - 8))
    } else {
        let w = s
            .iter()
            .rev()
            .fold(u64::from_le_bytes([b' '; 8]), |w, &b| (w << 8) | b as u64);
        !needs_escape(w)
    };
    if clean {
        out.extend_from_slice(s);
        return;
    }
    let mut i = 0;
    let mut done = 0;
    while i < s.len() {
        let b = s[i];
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0c => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0..=0x1f => 0,
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&s[done..i]);
        if short == 0 {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 15) as usize],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', short]);
        }
        i += 1;
        done = i;
    }
    out.extend_from_slice(&s[done..]);
}

/// Compact JSON indented as serde_json's pretty printer writes it (two
/// spaces, `": "`, empty arrays and objects as `[]` and `{}`), with the
/// holes of a template moved to their new places.
fn pretty_with_holes(compact: &[u8], holes: &[Hole]) -> (Vec<u8>, Vec<Hole>) {
    let mut out = Vec::with_capacity(compact.len() * 2);
    let mut moved = Vec::with_capacity(holes.len());
    let mut next_hole = holes.iter().peekable();
    let mut depth = 0usize;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    };
    let mut i = 0;
    let mut in_string = false;
    while i <= compact.len() {
        while let Some(&&(at, o)) = next_hole.peek() {
            if at != i {
                break;
            }
            moved.push((out.len(), o));
            next_hole.next();
        }
        let Some(&b) = compact.get(i) else { break };
        i += 1;
        if in_string {
            out.push(b);
            match b {
                b'\\' => {
                    if let Some(&e) = compact.get(i) {
                        out.push(e);
                        i += 1;
                    }
                }
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                out.push(b);
            }
            b'[' | b'{' => {
                out.push(b);
                let close = if b == b'[' { b']' } else { b'}' };
                if compact.get(i) == Some(&close) {
                    out.push(close);
                    i += 1;
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(b),
        }
    }
    (out, moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn pretty(compact: &[u8]) -> Vec<u8> {
        pretty_with_holes(compact, &[]).0
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = (0u8..=0x7f)
            .map(|b| format!("ab{}cdefghijk", b as char))
            .collect();
        samples.extend(
            [
                "",
                "plain ascii text, long enough for whole words",
                "quote \" and backslash \\ late in a longer text",
                "tab\there and a newline\n",
                "ünïcödé and 漢字 and \u{1}\u{2}\u{1f}\u{7f}",
                "\u{1}",
            ]
            .map(String::from),
        );
        for s in samples {
            let mut j = Json::new(false);
            j.str(&s);
            assert_eq!(
                String::from_utf8(j.buf).unwrap(),
                serde_json::to_string(&s).unwrap(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for n in [0u64, 7, 10, 4_294_967_295, u64::MAX] {
            let mut j = Json::new(false);
            j.uint(n);
            assert_eq!(j.buf, n.to_string().into_bytes());
        }
    }

    #[test]
    fn pretty_is_serde_json_pretty() {
        let v = json!({
            "a": [],
            "b": {},
            "c": [1, "two", {"three": [3, [], {}]}, null, true],
            "d": "a string with , : [ ] { } and \"quotes\" \\ inside",
            "e": {"nested": {"deeper": ["x"]}},
        });
        let compact = serde_json::to_vec(&v).unwrap();
        assert_eq!(pretty(&compact), serde_json::to_vec_pretty(&v).unwrap());
        let again: Value = serde_json::from_slice(&pretty(&compact)).unwrap();
        assert_eq!(again, v);
    }

    #[test]
    fn a_string_written_again_keeps_its_holes() {
        for template in [true, false] {
            let mut j = Json::new(template);
            j.raw("[");
            let from = j.buf.len();
            j.raw("\"");
            j.url_pieces([ORIGIN_MARKER, "/rdap/", "entity/", "X"]);
            j.raw("\"");
            let to = j.buf.len();
            j.raw(",");
            j.repeat(from..to);
            j.raw("]");
            let (body, holes) = j.finish(false);
            let mut filled = Json::new(false);
            filled.template(&body, holes.iter().copied(), "", "https://x");
            let v: Value = serde_json::from_slice(&filled.buf).unwrap();
            if template {
                assert_eq!(
                    v,
                    json!(["https://x/rdap/entity/X", "https://x/rdap/entity/X"])
                );
            } else {
                // no template: the marker written as text, twice
                assert_eq!(v[0], v[1]);
            }
        }
    }

    #[test]
    fn template_holes_follow_their_text_when_indented() {
        let mut j = Json::new(true);
        j.raw("{\"links\":[{\"href\":");
        j.raw("\"");
        j.url_pieces([ORIGIN_MARKER, "/rdap/", "ip/", MARKER]);
        j.raw("\"");
        j.raw("}]}");
        let (body, holes) = j.finish(true);
        let mut filled = Json::new(false);
        filled.template(&body, holes.iter().copied(), "192.0.2.1", "https://x");
        let v: Value = serde_json::from_slice(&filled.buf).unwrap();
        assert_eq!(v["links"][0]["href"], "https://x/rdap/ip/192.0.2.1");
        assert!(filled.buf.contains(&b'\n'));
    }
}
