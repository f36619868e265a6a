//! Answers to `ip/...` lookups kept as templates, so a second address in
//! the same network is answered by copying bytes instead of building and
//! serializing the answer again.
//!
//! An ip network answer depends on the snapshot, the origin and base path
//! of its links, `?pretty`, and what resolution found (the registry network,
//! the delegated record, holder, lessee with the lease chosen for the time
//! asked about, abuse contact). Those form the key, so a cached answer is
//! exactly the answer that would be built. The queried text appears only
//! in links; the template is the answer written with holes where the query
//! and the origin go (the writer is given markers for them, and notes
//! where they stand), and the query is written back into the holes.
//!
//! The notices, the same in every answer of a snapshot, are held once and
//! shared by the templates (a sixth of each answer; checked to be
//! byte for byte where the writer says they stand, else kept whole).
//! Templates hold their text at its length (not the writer's buffer) and
//! 4-byte holes, so the budget counts what they take.
//!
//! In front of the templates, questions are remembered by request (origin
//! and request target, one allocation) with the template that answers
//! them, held weakly: a repeated question is answered without parsing,
//! looking up or resolving anything, nor looking its template up again. An answer "as of now" is kept only
//! until the next start or end of a lease covering the address
//! ([`Snapshot::next_lease_change`]); one asked `?lease0_at=` is fixed.
//!
//! Bounded by bytes (`rdap-cache-mb`): an eighth of them for the
//! remembered questions, the rest for the templates, each part making
//! room in itself (when the templates filled the whole budget, every new
//! template dropped some twenty remembered questions, so at capacity most
//! repeated questions were answered the slower way); sharded to keep lock
//! hold times short; emptied when a new snapshot is first seen.

use super::json::{Hole, Piece};
use crate::query::Resolution;
use crate::snapshot::{NetId, Snapshot};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

const SHARDS: usize = 16;

/// What an ip network answer depends on besides the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub network: Option<NetId>,
    pub delegation: Option<u32>,
    pub resolution: Resolution,
    /// The announced prefix the answer's routing evidence is about (its
    /// origins, their holders and RPKI states follow from it, the
    /// resolution and the routing generation, told by its time).
    pub route: Option<RouteKey>,
    pub pretty: bool,
}

/// The announced prefix (start and end; `None`: not announced) and the
/// time of the routing generation it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct RouteKey {
    pub prefix: Option<(u128, u128)>,
    pub as_of: Option<i64>,
}

/// An answer with holes where the query and the origin go.
pub(super) struct Template {
    /// The text, without the shared text (held once, in `shared`).
    body: Box<[u8]>,
    /// Offsets in `body` where the query or the origin ([`ORIGIN`] set) is
    /// written, ascending.
    holes: Box<[u32]>,
    /// Text every answer of a snapshot has (the notices, some 940 bytes
    /// of each answer), shared by the templates instead of copied into
    /// each: where in `body` it goes, and how many of `holes` come before.
    shared: Option<(usize, usize, Arc<Piece>)>,
    /// The digest of the whole text and its holes, made once: an answer's
    /// entity tag digests it with what fills the holes, instead of hashing
    /// every answer's bytes again.
    digest: u64,
}

/// The bit of a hole that makes it the origin's.
const ORIGIN: u32 = 1 << 31;

/// A hole as a template keeps it: its offset (below 2^31) and the bit.
fn encode((at, is_origin): Hole) -> u32 {
    at as u32 | if is_origin { ORIGIN } else { 0 }
}

/// A kept hole as the writer gives it.
fn decode(h: u32) -> Hole {
    ((h & !ORIGIN) as usize, h & ORIGIN != 0)
}

impl Template {
    /// The longest text a template holds (hole offsets are 31 bits).
    pub const MAX: usize = ORIGIN as usize - 1;

    /// An answer written with holes (see [`super::json::Json::url_pieces`]),
    /// and where in it stands text of `shared` (see
    /// [`super::json::Json::shared`]); the text and holes given back when
    /// the text is longer than [`Template::MAX`].
    pub fn new(
        body: Vec<u8>,
        holes: Vec<Hole>,
        shared: Option<super::json::Shared>,
    ) -> Result<Template, (Vec<u8>, Vec<Hole>)> {
        use std::hash::Hasher;
        if body.len() > Self::MAX {
            return Err((body, holes));
        }
        let mut h = crate::fxhash::FxHasher::default();
        h.write_u64(super::response::body_digest(&body));
        for &(at, is_origin) in &holes {
            h.write_u64(((at as u64) << 1) | is_origin as u64);
        }
        let digest = h.finish();
        let holes: Vec<u32> = holes.into_iter().map(encode).collect();
        let placed = shared.and_then(|(r, p)| Some((place(&p, &body, &holes, &r)?, r, p)));
        if let Some((first, range, p)) = placed {
            // the text without the shared part, the holes after it moved
            let cut = range.len() as u32;
            let after = first + p.holes.len();
            let mut kept = Vec::with_capacity(body.len() - range.len());
            kept.extend_from_slice(&body[..range.start]);
            kept.extend_from_slice(&body[range.end..]);
            let moved = holes[..first]
                .iter()
                .copied()
                .chain(holes[after..].iter().map(|&h| h - cut));
            return Ok(Template {
                body: kept.into(),
                holes: moved.collect(),
                shared: Some((range.start, first, p)),
                digest,
            });
        }
        Ok(Template {
            body: body.into(),
            holes: holes.into(),
            shared: None,
            digest,
        })
    }

    /// The answer for `query` (an address or prefix) at `origin`, both
    /// text that JSON writes as it is ([`cacheable`]), and its digest:
    /// the template's with the query and the origin (the answer's bytes
    /// are a function of the three, so another answer has another digest).
    pub fn render(&self, query: &str, origin: &str) -> (Vec<u8>, u64) {
        let mut out = Vec::with_capacity(self.len(query, origin));
        match &self.shared {
            Some((at, first, p)) => {
                let (before, after) = self.holes.split_at(*first);
                let before = before.iter().map(|&h| decode(h));
                fill(&mut out, &self.body[..*at], before, query, origin);
                fill(&mut out, &p.body, p.holes.iter().copied(), query, origin);
                // the rest of the text, its holes from where it starts
                let after = after.iter().map(|&h| decode(h)).map(|(a, o)| (a - at, o));
                fill(&mut out, &self.body[*at..], after, query, origin);
            }
            None => {
                let holes = self.holes.iter().map(|&h| decode(h));
                fill(&mut out, &self.body, holes, query, origin);
            }
        }
        (out, self.digest_with(query, origin))
    }

    /// Room enough for the answer for `query` at `origin`.
    fn len(&self, query: &str, origin: &str) -> usize {
        let most = query.len().max(origin.len());
        let shared = self.shared.as_ref();
        self.body.len()
            + self.holes.len() * most
            + shared.map_or(0, |(_, _, p)| p.body.len() + p.holes.len() * most)
    }

    fn digest_with(&self, query: &str, origin: &str) -> u64 {
        use std::hash::Hasher;
        let mut h = crate::fxhash::FxHasher::default();
        h.write_u64(self.digest);
        // lengths first: no two pairs of texts give the same input
        h.write_u64(((query.len() as u64) << 32) | origin.len() as u64);
        h.write(query.as_bytes());
        h.write(origin.as_bytes());
        h.finish()
    }

    /// The bytes this template holds (the shared text not counted: it is
    /// held once for all of them).
    fn size(&self) -> usize {
        self.body.len() + self.holes.len() * 4 + std::mem::size_of::<Template>() + 64
    }
}

/// `body` with its `holes` (offsets in it, and whether the origin goes
/// there) filled with `query` or `origin`, added to `out`.
fn fill(
    out: &mut Vec<u8>,
    body: &[u8],
    holes: impl Iterator<Item = Hole>,
    query: &str,
    origin: &str,
) {
    let mut from = 0;
    for (at, is_origin) in holes {
        out.extend_from_slice(&body[from..at]);
        out.extend_from_slice(if is_origin { origin } else { query }.as_bytes());
        from = at;
    }
    out.extend_from_slice(&body[from..]);
}

/// How many of `holes` come before `p`'s text, when `p`'s text and holes
/// are what `body` and `holes` have at `range` and no other hole stands
/// in it or at its ends (the piece's own holes lie strictly inside its
/// text, so which holes come before the shared text and which after is
/// never in doubt).
fn place(p: &Piece, body: &[u8], holes: &[u32], range: &std::ops::Range<usize>) -> Option<usize> {
    let at = |h: u32| decode(h).0;
    let first = holes.partition_point(|&h| at(h) < range.start);
    let after = first + p.holes.len();
    let stands = p.holes.iter().all(|&(a, _)| a > 0 && a < p.body.len())
        && body.get(range.clone()) == Some(&p.body[..])
        && holes.get(first..after).is_some_and(|theirs| {
            theirs
                .iter()
                .zip(&p.holes)
                .all(|(&h, &(a, o))| decode(h) == (a + range.start, o))
        })
        && holes.get(after).is_none_or(|&h| at(h) > range.end);
    stands.then_some(first)
}

/// True when `query` (an address or prefix) and `origin` may stand in a
/// template's holes as they are: nothing JSON would escape.
pub(super) fn cacheable(query: &str, origin: &str) -> bool {
    !query.is_empty()
        && query
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'/'))
        && origin
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":/.-[]".contains(&b))
}

/// A question asked before: its template (held weakly, so a template
/// dropped to make room takes its questions with it and memory stays
/// within the budget; followed without looking the template up again),
/// the query text for the holes, and the moment the answer stops being
/// valid.
struct Exact {
    template: Weak<Template>,
    query: Arc<str>,
    until: i64,
}

/// A question: the origin and the request target, in one allocation
/// (`text` is the origin followed by the target, which starts at `split`),
/// so that telling two apart reads one place in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Question {
    text: Box<str>,
    split: u32,
}

impl Question {
    fn new(origin: &str, target: &str) -> Question {
        Question {
            text: [origin, target].concat().into(),
            split: origin.len() as u32,
        }
    }

    fn parts(&self) -> (&str, &str) {
        self.text.split_at(self.split as usize)
    }
}

impl std::hash::Hash for Question {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let (origin, target) = self.parts();
        AskedNow { origin, target }.hash(h)
    }
}

/// A question borrowed from a request, to look one up without copying it
/// (a [`Question`] hashes as its parts would here).
struct AskedNow<'a> {
    origin: &'a str,
    target: &'a str,
}

impl std::hash::Hash for AskedNow<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write(self.origin.as_bytes());
        h.write_u8(0xff);
        h.write(self.target.as_bytes());
    }
}

impl hashbrown::Equivalent<Question> for AskedNow<'_> {
    fn equivalent(&self, q: &Question) -> bool {
        q.text.len() == self.origin.len() + self.target.len()
            && q.parts() == (self.origin, self.target)
    }
}

struct Shard {
    /// The snapshot the entries were made from.
    snapshot: Option<crate::query::Identity>,
    /// Bytes of the templates and of the remembered questions.
    template_bytes: usize,
    exact_bytes: usize,
    map: ShardMap<Key, Arc<Template>>,
    /// By "origin request-target": the template, the query text for its
    /// holes, and the moment the answer stops being valid.
    exact: ShardMap<Question, Exact>,
}

/// The cache, shared by every connection of a listener.
pub struct AnswerCache {
    shards: Vec<Mutex<Shard>>,
    /// Bytes of each shard's templates and questions at most.
    template_budget: usize,
    exact_budget: usize,
    hits: AtomicU64,
    exact_hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for AnswerCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerCache")
            .field(
                "budget",
                &((self.template_budget + self.exact_budget) * SHARDS),
            )
            .field("hits", &self.hits())
            .field("exact_hits", &self.exact_hits())
            .field("misses", &self.misses())
            .finish()
    }
}

impl AnswerCache {
    /// A cache of at most `mb` MiB of answers; 0 turns it off.
    pub fn new(mb: usize) -> Self {
        let (template_budget, exact_budget) = Self::split(mb);
        AnswerCache {
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Shard {
                        snapshot: None,
                        template_bytes: 0,
                        exact_bytes: 0,
                        map: Default::default(),
                        exact: Default::default(),
                    })
                })
                .collect(),
            template_budget,
            exact_budget,
            hits: AtomicU64::new(0),
            exact_hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// A shard's budget of `mb` MiB in all: (templates, questions).
    fn split(mb: usize) -> (usize, usize) {
        let shard = mb.saturating_mul(1 << 20) / SHARDS;
        (shard - shard / 8, shard / 8)
    }

    pub fn enabled(&self) -> bool {
        self.template_budget > 0
    }

    /// Answers made from a template (another address of the network).
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Questions asked before, answered without a lookup.
    pub fn exact_hits(&self) -> u64 {
        self.exact_hits.load(Ordering::Relaxed)
    }

    /// Answers built and serialized.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    fn shard<K: std::hash::Hash + ?Sized>(&self, key: &K) -> &Mutex<Shard> {
        use std::hash::BuildHasher;
        // the map hashes the low bits; the shard takes the high ones
        let h = std::hash::BuildHasherDefault::<crate::fxhash::FxHasher>::default().hash_one(key);
        &self.shards[(h >> 60) as usize % SHARDS]
    }

    fn lock<'a>(&self, m: &'a Mutex<Shard>, snap: &Snapshot) -> std::sync::MutexGuard<'a, Shard> {
        let mut s = m.lock().unwrap_or_else(|p| p.into_inner());
        let id = crate::query::about(snap).identity();
        if s.snapshot != Some(id) {
            // entries of another snapshot: never valid again here
            s.map.clear();
            s.exact.clear();
            s.template_bytes = 0;
            s.exact_bytes = 0;
            s.snapshot = Some(id);
        }
        s
    }

    pub(super) fn get(&self, snap: &Snapshot, key: &Key) -> Option<Arc<Template>> {
        let found = self.lock(self.shard(key), snap).map.get(key).cloned();
        match &found {
            Some(_) => self.hits.fetch_add(1, Ordering::Relaxed),
            None => self.misses.fetch_add(1, Ordering::Relaxed),
        };
        found
    }

    /// Keeps `t` as the template of `key` (unless it alone exceeds the
    /// budget), and gives it back shared, for questions to point at.
    pub(super) fn put(&self, snap: &Snapshot, key: Key, t: Template) -> Arc<Template> {
        let size = t.size();
        let t = Arc::new(t);
        if size > self.template_budget {
            return t;
        }
        let mut guard = self.lock(self.shard(&key), snap);
        let s = &mut *guard;
        // (a dropped template's questions go when next asked)
        keep(
            &mut s.map,
            &mut s.template_bytes,
            self.template_budget,
            (key, Arc::clone(&t)),
            size,
            |_, t| t.size(),
        );
        t
    }

    /// The answer to `target` asked at `origin`, if kept and still valid at
    /// `now`.
    pub(super) fn get_exact(
        &self,
        snap: &Snapshot,
        origin: &str,
        target: &str,
        now: i64,
    ) -> Option<(Vec<u8>, u64)> {
        let asked = AskedNow { origin, target };
        let mut s = self.lock(self.shard(&asked), snap);
        let e = s.exact.get(&asked).filter(|e| now < e.until)?;
        let Some(t) = e.template.upgrade() else {
            // its template was dropped to make room: the question goes too
            // (asked again, it is remembered again)
            if let Some((k, old)) = s.exact.remove_entry(&asked) {
                s.exact_bytes -= exact_size(&k, &old.query);
            }
            return None;
        };
        let query = Arc::clone(&e.query);
        drop(s);
        self.exact_hits.fetch_add(1, Ordering::Relaxed);
        Some(t.render(&query, origin))
    }

    /// Remembers that `target` at `origin` is answered by `template` with
    /// `query` until `until`.
    pub(super) fn put_exact(
        &self,
        snap: &Snapshot,
        origin: &str,
        target: &str,
        template: &Arc<Template>,
        query: &str,
        until: i64,
    ) {
        let xkey = Question::new(origin, target);
        let size = exact_size(&xkey, query);
        if size > self.exact_budget {
            return;
        }
        let e = Exact {
            template: Arc::downgrade(template),
            query: query.into(),
            until,
        };
        let mut guard = self.lock(self.shard(&xkey), snap);
        let s = &mut *guard;
        keep(
            &mut s.exact,
            &mut s.exact_bytes,
            self.exact_budget,
            (xkey, e),
            size,
            |k, e| exact_size(k, &e.query),
        );
    }
}

/// A shard's map: hashbrown's, so that a question is looked up by the
/// request's borrowed text ([`AskedNow`]).
type ShardMap<K, V> =
    hashbrown::HashMap<K, V, std::hash::BuildHasherDefault<crate::fxhash::FxHasher>>;

/// Keeps `entry` (`size` bytes, its `size_of`) in `map`, whose entries take
/// `bytes`: first drops entries, in the map's arbitrary order, until it
/// fits in `budget`; an entry of the same key it replaces stops counting.
fn keep<K: Eq + std::hash::Hash, V>(
    map: &mut ShardMap<K, V>,
    bytes: &mut usize,
    budget: usize,
    (key, value): (K, V),
    size: usize,
    size_of: impl Fn(&K, &V) -> usize,
) {
    {
        // taken out as they are met (lazily: the rest stay)
        let mut dropped = map.extract_if(|_, _| true);
        while *bytes + size > budget {
            let Some((k, v)) = dropped.next() else {
                break;
            };
            *bytes -= size_of(&k, &v);
        }
    }
    *bytes += size;
    match map.entry(key) {
        hashbrown::hash_map::Entry::Occupied(mut o) => {
            let old = o.insert(value);
            *bytes -= size_of(o.key(), &old);
        }
        hashbrown::hash_map::Entry::Vacant(v) => {
            v.insert(value);
        }
    }
}

/// What a remembered question holds: its text, the query text, the entry
/// in the map (and its share of the map's spare room), and the template's
/// shared block, which a question pointing at it keeps once the template
/// itself is dropped.
fn exact_size(q: &Question, query: &str) -> usize {
    q.text.len()
        + query.len()
        + std::mem::size_of::<(Question, Exact)>()
        + std::mem::size_of::<Template>()
        + 2 * std::mem::size_of::<usize>()
        + 48
}

#[cfg(test)]
mod tests {
    use super::super::json::{MARKER, ORIGIN_MARKER};
    use super::*;

    #[test]
    fn templates_put_the_query_back_and_keep_escaped_text() {
        let mut w = super::super::json::Json::new(true);
        w.raw("{\"self\":");
        w.raw("\"");
        w.url_pieces([ORIGIN_MARKER, "/rdap/", "ip/", MARKER]);
        w.raw("\"");
        w.raw(",\"up\":");
        w.raw("\"");
        w.url_pieces([ORIGIN_MARKER, "/rdap/", "ips/rirSearch1/rdap-up/", MARKER]);
        w.raw("\"");
        w.raw(",\"remark\":");
        // a marker in data is text, never a hole
        w.str("a value with \u{1} and \\u0001 written in it, and \"quotes\"");
        w.raw("}");
        let (body, holes) = w.finish(false);
        let t = Template::new(body, holes, None).expect("short");
        assert_eq!(t.holes.len(), 4);
        let v: serde_json::Value =
            serde_json::from_slice(&t.render("192.0.2.1", "https://x").0).unwrap();
        assert_eq!(v["self"], "https://x/rdap/ip/192.0.2.1");
        assert_eq!(v["up"], "https://x/rdap/ips/rirSearch1/rdap-up/192.0.2.1");
        assert_eq!(
            v["remark"],
            "a value with \u{1} and \\u0001 written in it, and \"quotes\""
        );
    }

    #[test]
    fn a_rendered_answer_has_the_digest_of_what_made_it() {
        let template = |holes: bool| {
            let mut w = super::super::json::Json::new(holes);
            w.raw("{\"self\":\"");
            w.url_pieces([ORIGIN_MARKER, "/rdap/ip/", MARKER]);
            w.raw("\"}");
            let (body, holes) = w.finish(false);
            Template::new(body, holes, None).expect("short")
        };
        let t = template(true);
        let (a, da) = t.render("192.0.2.1", "https://x");
        // the same answer, the same digest
        assert_eq!(t.render("192.0.2.1", "https://x"), (a.clone(), da));
        // another query, origin or split between them: another digest
        for (q, o) in [
            ("192.0.2.2", "https://x"),
            ("192.0.2.1", "https://y"),
            ("192.0.2.1/", "https://x"),
            ("", "https://x192.0.2.1"),
        ] {
            assert_ne!(t.render(q, o).1, da, "{q} {o}");
        }
        // the same bytes with other holes: another template, another digest
        let plain = template(false);
        assert_ne!(plain.render("192.0.2.1", "https://x").1, da);
    }

    /// Templates hold the shared text once: an answer rendered from one
    /// that shares it is byte for byte, digest too, the answer of one that
    /// holds it all; and text that does not match where it is said to
    /// stand is kept whole.
    #[test]
    fn shared_text_is_held_once_and_rendered_in_its_place() {
        use super::super::json::Json;
        let mut n = Json::new(true);
        n.raw("[{\"href\":\"");
        n.url_pieces([ORIGIN_MARKER, "/rdap/help"]);
        n.raw("\"}]");
        let (body, holes) = n.finish(false);
        let notices = Arc::new(Piece { body, holes });
        let answer = |shared: bool| {
            let mut w = Json::new(true);
            w.raw("{\"self\":\"");
            w.url_pieces([ORIGIN_MARKER, "/rdap/ip/", MARKER]);
            w.raw("\",\"notices\":");
            w.shared(&notices, ORIGIN_MARKER);
            w.raw(",\"up\":\"");
            w.url_pieces([ORIGIN_MARKER, "/rdap/ip/", MARKER]);
            w.raw("\"}");
            let (body, holes, mut at) = w.finish_shared(false);
            if !shared {
                at = None;
            }
            Template::new(body, holes, at).expect("short")
        };
        let (whole, parts) = (answer(false), answer(true));
        assert!(whole.shared.is_none() && parts.shared.is_some());
        assert!(parts.size() + notices.body.len() <= whole.size());
        for (q, o) in [
            ("192.0.2.1", "https://x"),
            ("2001:db8::/32", "http://[::1]:80"),
        ] {
            let r = parts.render(q, o);
            assert_eq!(r, whole.render(q, o));
            let v: serde_json::Value = serde_json::from_slice(&r.0).unwrap();
            assert_eq!(v["notices"][0]["href"], format!("{o}/rdap/help"));
            assert_eq!(v["up"], format!("{o}/rdap/ip/{q}"));
        }
        // said to stand one byte off, or over other text: not shared
        let mut w = Json::new(true);
        w.raw("{\"notices\":");
        w.shared(&notices, ORIGIN_MARKER);
        w.raw("}");
        let (body, holes, at) = w.finish_shared(false);
        let (range, t) = at.expect("noted");
        for off in [
            range.start + 1..range.end + 1,
            range.start - 1..range.end - 1,
            0..range.len(),
        ] {
            let t = Template::new(body.clone(), holes.clone(), Some((off, Arc::clone(&t))));
            assert!(t.expect("short").shared.is_none());
        }
        // an indented answer shares nothing
        let mut w = Json::new(true);
        w.raw("{\"notices\":");
        w.shared(&notices, ORIGIN_MARKER);
        w.raw("}");
        assert!(w.finish_shared(true).2.is_none());
    }

    /// At capacity, a new template makes room among the templates and a
    /// new question among the questions: remembered questions outlive any
    /// number of new templates (before, each template dropped some twenty
    /// of them), and a question whose template went is forgotten when
    /// next asked.
    #[test]
    fn templates_and_questions_make_room_each_in_their_own_part() {
        let snap = crate::snapshot::test_ripe();
        // 64 KiB a shard: 56 KiB of templates (some 13 of these), 8 KiB of
        // questions
        let cache = AnswerCache::new(1);
        let key = |i: u32| Key {
            network: Some(i),
            delegation: None,
            resolution: Default::default(),
            route: None,
            pretty: false,
        };
        let template = || Template::new(vec![b'x'; 4000], Vec::new(), None).expect("short");
        let target = |i: u32| format!("/rdap/ip/192.0.2.{i}");
        let asked = |i: u32| cache.get_exact(&snap, "https://x", &target(i), 0);
        // the templates held here as a request in flight would hold one
        let mut held = Vec::new();
        for i in 0..4 {
            let t = cache.put(&snap, key(i), template());
            cache.put_exact(&snap, "https://x", &target(i), &t, "192.0.2.1", i64::MAX);
            held.push(t);
            assert!(asked(i).is_some());
        }
        // far more templates than fit, through every shard
        for i in 100..2100 {
            cache.put(&snap, key(i), template());
        }
        for i in 0..4 {
            assert!(asked(i).is_some(), "question {i} dropped for templates");
        }
        drop(held);
        for i in 0..4 {
            if cache.get(&snap, &key(i)).is_none() {
                assert!(asked(i).is_none());
                cache.put(&snap, key(i), template());
                assert!(asked(i).is_none(), "question {i} kept without its template");
            }
        }
    }

    #[test]
    fn only_address_text_fills_holes() {
        let o = "https://[::1]:8443";
        assert!(cacheable("192.0.2.0/24", o));
        assert!(cacheable("2001:DB8::/32", o));
        assert!(!cacheable("192.0.2.1\"", o));
        assert!(!cacheable("", o));
        assert!(!cacheable("192.0.2.1", "https://a\"b"));
    }
}
