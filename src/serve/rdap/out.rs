//! The shapes of RDAP answers (RFC 9083 sections 4 and 5), serialized
//! from borrowing structs: no map or string is allocated per member (the
//! ip network answer is the hot path of RDAP).

use serde::Serialize;
use std::borrow::Cow;

#[derive(Serialize, Clone)]
pub struct Link<'a> {
    pub value: Url<'a>,
    pub rel: &'static str,
    pub href: Url<'a>,
    #[serde(rename = "type")]
    pub typ: &'static str,
}

/// An absolute URL of this service, written from its parts when it is
/// serialized: no string is built per link.
#[derive(Clone)]
pub struct Url<'a> {
    pub origin: &'a str,
    pub base: &'a str,
    pub path: Path<'a>,
}

/// A path below the base path, in pieces.
pub type Path<'a> = [Cow<'a, str>; 4];

impl std::fmt::Display for Url<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.origin)?;
        f.write_str(self.base)?;
        self.path.iter().try_for_each(|p| f.write_str(p))
    }
}

impl Serialize for Url<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // joined on the stack and escaped once; long ones through fmt
        let mut buf = [0u8; 512];
        let mut n = 0;
        for piece in [self.origin, self.base]
            .into_iter()
            .chain(self.path.iter().map(|p| &**p))
        {
            let Some(slot) = buf.get_mut(n..n + piece.len()) else {
                return s.collect_str(self);
            };
            slot.copy_from_slice(piece.as_bytes());
            n += piece.len();
        }
        // whole UTF-8 pieces joined are UTF-8
        match std::str::from_utf8(&buf[..n]) {
            Ok(joined) => s.serialize_str(joined),
            Err(_) => s.collect_str(self),
        }
    }
}

#[derive(Serialize, Clone)]
pub struct NoParams {}

#[derive(Serialize, Clone)]
pub struct Pref {
    pub pref: &'static str,
}

#[derive(Serialize, Clone)]
#[serde(untagged)]
pub enum Params {
    None(NoParams),
    Pref(Pref),
}

/// One jCard property: `[name, params, "text", value]`.
#[derive(Serialize, Clone)]
pub struct Prop<'a>(pub &'static str, pub Params, pub &'static str, pub &'a str);

#[derive(Serialize, Clone)]
pub struct Remark<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'static str>,
    pub description: Vec<Cow<'a, str>>,
}

#[derive(Serialize, Clone)]
#[allow(non_snake_case)]
pub struct Entity<'a> {
    pub objectClassName: &'static str,
    pub handle: Cow<'a, str>,
    pub vcardArray: (&'static str, Vec<Prop<'a>>),
    pub roles: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remarks: Option<Vec<Remark<'a>>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link<'a>>,
}

/// An RFC 9537 `redacted` member: what was removed and why.
#[derive(Serialize)]
#[allow(non_snake_case)]
pub struct Redacted {
    pub name: Description,
    pub prePath: &'static str,
    pub pathLang: &'static str,
    pub method: &'static str,
    pub reason: Description,
}

#[derive(Serialize)]
pub struct Description {
    pub description: &'static str,
}

#[derive(Serialize)]
pub struct Cidr {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v4prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v6prefix: Option<String>,
    pub length: u32,
}

#[derive(Serialize, Clone)]
#[allow(non_snake_case)]
pub struct Event<'a> {
    pub eventAction: &'static str,
    pub eventDate: Cow<'a, str>,
}

#[derive(Serialize)]
pub struct Notice<'a> {
    pub title: &'static str,
    pub description: Vec<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link<'a>>,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
pub struct IpNetwork<'a> {
    pub rdapConformance: &'static [&'static str],
    pub objectClassName: &'static str,
    pub handle: Cow<'a, str>,
    pub startAddress: String,
    pub endAddress: String,
    pub ipVersion: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub typ: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parentHandle: Option<&'a str>,
    pub status: [&'static str; 1],
    pub cidr0_cidrs: Vec<Cidr>,
    pub entities: Vec<Entity<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event<'a>>,
    pub links: Vec<Link<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<Remark<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacted: Option<&'static serde_json::value::RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port43: Option<&'a str>,
    /// Serialized once per thread, snapshot and origin.
    pub notices: Box<serde_json::value::RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease0_holder: Option<Entity<'a>>,
    /// ARIN's `arin_originas0`: the origin ASes of the most specific
    /// announced prefix covering the network (present when routing data is
    /// loaded; empty when nothing announces it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arin_originas0_originautnums: Option<Vec<u32>>,
    /// tenure's `routing0`: the routing evidence (prefix, origins with
    /// their holders and RPKI states, whether the origin is the holder's,
    /// the inferred user), as `tenure lookup --json`'s `routing`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing0_routing: Option<serde_json::Value>,
}
