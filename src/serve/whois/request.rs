//! One WHOIS query line as RIPE-style clients send it: flags (short,
//! grouped like `-rBG`, or long), flag arguments (`-T inetnum`,
//! `-Tinetnum`), and the search key (the words that are not flags, so a
//! range `a - b` needs no quoting).

use crate::time::{self, Timestamp};

/// RIPE's error numbers used by tenure.
pub mod code {
    /// A bug in the server, not the query (RIPE's "internal software error").
    pub const INTERNAL: u16 = 100;
    pub const NO_ENTRIES: u16 = 101;
    pub const UNKNOWN_SOURCE: u16 = 102;
    pub const UNKNOWN_TYPE: u16 = 103;
    pub const UNKNOWN_ATTRIBUTE: u16 = 104;
    /// A known attribute `-i` cannot search.
    pub const NOT_SEARCHABLE: u16 = 105;
    pub const NO_KEY: u16 = 106;
    pub const LINE_TOO_LONG: u16 = 107;
    pub const BAD_CHARACTER: u16 = 108;
    pub const BAD_COMBINATION: u16 = 109;
    pub const INVALID_OPTION: u16 = 111;
    /// More than one of `-x`, `-l`, `-L`, `-m`, `-M`.
    pub const DUPLICATE_IP_FLAGS: u16 = 901;
    /// (A warning) an IP flag on a key that is no address.
    pub const USELESS_IP_FLAG: u16 = 902;
    pub const ACCESS_DENIED: u16 = 201;
}

/// A refused request: RIPE's number and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoisError {
    pub code: u16,
    pub message: String,
}

impl WhoisError {
    pub fn new(code: u16, message: impl Into<String>) -> Self {
        WhoisError {
            code,
            message: message.into(),
        }
    }

    /// `%ERROR:NNN: message`.
    pub fn line(&self) -> String {
        format!("%ERROR:{}: {}", self.code, self.message)
    }
}

/// A `-q` query about the server itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerInfo {
    Version,
    Sources,
    Types,
}

/// Which part of the hierarchy to return for address space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// The most specific object, grouped with its organisation and abuse role.
    #[default]
    Default,
    /// `-x`: exact match only.
    Exact,
    /// `-l`: first level less specific, excluding an exact match.
    OneLess,
    /// `-L`: all less specific, including an exact match.
    AllLess,
    /// `-m`: first level more specific.
    OneMore,
    /// `-M`: all more specific.
    AllMore,
}

/// A parsed query line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// The search key (may be empty for `-q`, `-t`, a bare `-k`).
    pub key: String,
    pub level: Level,
    /// `-r`: no referenced contact objects.
    pub no_contacts: bool,
    /// `-B`: no filtering (tenure filters nothing; accepted).
    pub no_filtering: bool,
    /// `-G`: no grouping headers.
    pub no_grouping: bool,
    /// `-b` / `--abuse-contact`: only the abuse contact.
    pub brief: bool,
    /// `-T`: object classes to return.
    pub types: Option<Vec<String>>,
    /// `-i`: inverse lookup on these attributes.
    pub inverse: Option<Vec<String>>,
    /// `-s`: sources to answer from.
    pub sources: Option<Vec<String>>,
    /// `-a`: all sources.
    pub all_sources: bool,
    /// `-k`: keep the connection open.
    pub keep_alive: bool,
    /// `--resource`: answer from whatever is loaded, never refer.
    pub resource: bool,
    /// `--at`: answer as of this moment.
    pub at: Option<Timestamp>,
    /// `--leases`: the lease history of the address.
    pub lease_history: bool,
    /// `-q`: a question about the server.
    pub info: Option<ServerInfo>,
    /// `-t`: the template of a class.
    pub template: Option<String>,
    /// `-v`: the template with a description of every attribute.
    pub verbose_template: bool,
    /// `-K`: primary keys only.
    pub keys_only: bool,
    /// `-F`: fast raw output (short attribute names).
    pub fast_raw: bool,
}

/// Classes whose names `-T` and `-t` accept.
pub const CLASSES: &[&str] = &[
    "inetnum",
    "inet6num",
    "aut-num",
    "as-block",
    "organisation",
    "role",
    "person",
    "irt",
    "mntner",
    "domain",
];

/// Attributes `-i` can search.
pub const INVERSE_ATTRIBUTES: &[&str] = &["org", "abuse-c", "mnt-by", "admin-c", "tech-c"];

/// Attributes of the RPSL classes tenure reads (and of route objects):
/// `-i` on one of them that it cannot search is RIPE's error 105, on a
/// name that is none of them error 104.
const KNOWN_ATTRIBUTES: &[&str] = &[
    "inetnum",
    "inet6num",
    "netname",
    "descr",
    "country",
    "geofeed",
    "geoloc",
    "language",
    "org",
    "sponsoring-org",
    "admin-c",
    "tech-c",
    "abuse-c",
    "status",
    "assignment-size",
    "remarks",
    "notify",
    "mnt-by",
    "mnt-lower",
    "mnt-routes",
    "mnt-domains",
    "mnt-irt",
    "mnt-ref",
    "created",
    "last-modified",
    "changed",
    "source",
    "aut-num",
    "as-name",
    "member-of",
    "import",
    "mp-import",
    "export",
    "mp-export",
    "default",
    "mp-default",
    "import-via",
    "export-via",
    "as-block",
    "organisation",
    "org-name",
    "org-type",
    "address",
    "phone",
    "fax-no",
    "e-mail",
    "abuse-mailbox",
    "role",
    "person",
    "nic-hdl",
    "irt",
    "auth",
    "signature",
    "encryption",
    "irt-nfy",
    "mntner",
    "upd-to",
    "mnt-nfy",
    "domain",
    "zone-c",
    "nserver",
    "ds-rdata",
    "route",
    "route6",
    "origin",
    "holes",
    "pingable",
    "ping-hdl",
    "components",
    "aggr-bndry",
    "aggr-mtd",
    "export-comps",
    "inject",
    "members",
    "mp-members",
];

fn list(arg: &str) -> Vec<String> {
    arg.split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parses a query line (without its line ending).
pub fn parse(line: &str) -> Result<Request, WhoisError> {
    if line.bytes().any(|b| b < 0x20 && b != b'\t') {
        return Err(WhoisError::new(
            code::BAD_CHARACTER,
            "bad character in input",
        ));
    }
    let mut r = Request::default();
    let mut key: Vec<&str> = Vec::new();
    let mut levels = 0;
    let mut words = line.split_whitespace();
    let set_level = |r: &mut Request, l: Level, levels: &mut u32| {
        // the same flag twice is one flag
        if *levels == 0 || r.level != l {
            *levels += 1;
        }
        r.level = l;
    };
    while let Some(w) = words.next() {
        if let Some(long) = w.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let mut arg = |what: &str| -> Result<String, WhoisError> {
                inline
                    .clone()
                    .or_else(|| words.next().map(str::to_string))
                    .ok_or_else(|| {
                        WhoisError::new(code::INVALID_OPTION, format!("--{what} needs an argument"))
                    })
            };
            match name {
                "resource" => r.resource = true,
                "abuse-contact" => r.brief = true,
                "brief" => r.fast_raw = true,
                "leases" => r.lease_history = true,
                "at" => {
                    let t = arg("at")?;
                    r.at = Some(
                        time::parse(&t)
                            .map_err(|e| WhoisError::new(code::INVALID_OPTION, e.to_string()))?,
                    );
                }
                "no-referenced" => r.no_contacts = true,
                "no-filtering" => r.no_filtering = true,
                "no-grouping" => r.no_grouping = true,
                "exact" => set_level(&mut r, Level::Exact, &mut levels),
                "one-less" => set_level(&mut r, Level::OneLess, &mut levels),
                "all-less" => set_level(&mut r, Level::AllLess, &mut levels),
                "one-more" => set_level(&mut r, Level::OneMore, &mut levels),
                "all-more" => set_level(&mut r, Level::AllMore, &mut levels),
                "persistent-connection" => r.keep_alive = true,
                "all-sources" => r.all_sources = true,
                "select-types" => r.types = Some(list(&arg("select-types")?)),
                "inverse" => r.inverse = Some(list(&arg("inverse")?)),
                "sources" => r.sources = Some(list(&arg("sources")?)),
                "template" => r.template = Some(arg("template")?.to_ascii_lowercase()),
                "verbose" => {
                    r.template = Some(arg("verbose")?.to_ascii_lowercase());
                    r.verbose_template = true;
                }
                "primary-keys" => r.keys_only = true,
                "version" => r.info = Some(ServerInfo::Version),
                "list-sources" => r.info = Some(ServerInfo::Sources),
                "types" => r.info = Some(ServerInfo::Types),
                _ => {
                    return Err(WhoisError::new(
                        code::INVALID_OPTION,
                        format!("invalid option supplied: --{name}"),
                    ))
                }
            }
            continue;
        }
        let Some(short) = w.strip_prefix('-').filter(|s| !s.is_empty()) else {
            key.push(w); // a word of the key (a lone "-" is a range dash)
            continue;
        };
        let chars: Vec<char> = short.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            // a flag with an argument takes the rest of the word, else the next word
            let mut arg = |what: char| -> Result<String, WhoisError> {
                let rest: String = chars[i..].iter().collect();
                i = chars.len();
                if !rest.is_empty() {
                    return Ok(rest);
                }
                words.next().map(str::to_string).ok_or_else(|| {
                    WhoisError::new(code::INVALID_OPTION, format!("-{what} needs an argument"))
                })
            };
            match c {
                'r' => r.no_contacts = true,
                'B' => r.no_filtering = true,
                'G' => r.no_grouping = true,
                'b' => r.brief = true,
                'x' => set_level(&mut r, Level::Exact, &mut levels),
                'l' => set_level(&mut r, Level::OneLess, &mut levels),
                'L' => set_level(&mut r, Level::AllLess, &mut levels),
                'm' => set_level(&mut r, Level::OneMore, &mut levels),
                'M' => set_level(&mut r, Level::AllMore, &mut levels),
                'k' => r.keep_alive = true,
                'a' => r.all_sources = true,
                'T' => r.types = Some(list(&arg('T')?)),
                'i' => r.inverse = Some(list(&arg('i')?)),
                's' => r.sources = Some(list(&arg('s')?)),
                't' => r.template = Some(arg('t')?.to_ascii_lowercase()),
                'v' => {
                    r.template = Some(arg('v')?.to_ascii_lowercase());
                    r.verbose_template = true;
                }
                'K' => r.keys_only = true,
                'F' => r.fast_raw = true,
                'q' => {
                    r.info = Some(match arg('q')?.as_str() {
                        "version" => ServerInfo::Version,
                        "sources" => ServerInfo::Sources,
                        "types" => ServerInfo::Types,
                        other => {
                            return Err(WhoisError::new(
                                code::INVALID_OPTION,
                                format!("invalid option supplied: -q {other}"),
                            ))
                        }
                    })
                }
                other => {
                    return Err(WhoisError::new(
                        code::INVALID_OPTION,
                        format!("invalid option supplied: -{other}"),
                    ))
                }
            }
        }
    }
    if levels > 1 {
        return Err(WhoisError::new(
            code::DUPLICATE_IP_FLAGS,
            "duplicate IP flags passed\n%\n% More than one IP flag (-l, -L, -m, -M or -x) passed to the server.",
        ));
    }
    // RIPE: the brief abuse answer takes no flag that shapes full objects
    if r.brief {
        let other = if r.no_filtering {
            Some("-B, --no-filtering")
        } else if r.no_contacts {
            Some("-r, --no-referenced")
        } else if r.fast_raw {
            Some("-F, --brief")
        } else if r.keys_only {
            Some("-K, --primary-keys")
        } else {
            None
        };
        if let Some(other) = other {
            return Err(WhoisError::new(
                code::BAD_COMBINATION,
                format!("invalid combination of flags passed\n% The flags \"-b, --abuse-contact\" and \"{other}\" cannot be used together."),
            ));
        }
    }
    if let Some(types) = &r.types {
        if let Some(bad) = types.iter().find(|t| !CLASSES.contains(&t.as_str())) {
            return Err(WhoisError::new(
                code::UNKNOWN_TYPE,
                format!("unknown object type '{bad}'"),
            ));
        }
    }
    if let Some(attrs) = &r.inverse {
        if let Some(bad) = attrs
            .iter()
            .find(|a| !INVERSE_ATTRIBUTES.contains(&a.as_str()))
        {
            let searchable = INVERSE_ATTRIBUTES.join(", ");
            return Err(if KNOWN_ATTRIBUTES.contains(&bad.as_str()) {
                WhoisError::new(
                    code::NOT_SEARCHABLE,
                    format!("attribute is not searchable\n% \"{bad}\" is not an inverse searchable attribute here ({searchable} are)."),
                )
            } else {
                WhoisError::new(
                    code::UNKNOWN_ATTRIBUTE,
                    format!("unknown attribute\n% \"{bad}\" is not a known attribute."),
                )
            });
        }
    }
    // RIPE: fast raw output and primary keys return no referenced objects
    if r.fast_raw || r.keys_only {
        r.no_contacts = true;
    }
    r.key = key.join(" ");
    let needs_key = r.info.is_none() && r.template.is_none();
    if r.key.is_empty() && needs_key && !(r.keep_alive && line.split_whitespace().count() == 1) {
        return Err(WhoisError::new(code::NO_KEY, "no search key specified"));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_keys_and_arguments() {
        let r = parse("-rBG 192.0.2.77").unwrap();
        assert!(r.no_contacts && r.no_filtering && r.no_grouping);
        assert_eq!(r.key, "192.0.2.77");
        let r = parse("-T inetnum,inet6num -x 192.0.2.0 - 192.0.2.255").unwrap();
        assert_eq!(
            r.types,
            Some(vec!["inetnum".to_string(), "inet6num".to_string()])
        );
        assert_eq!(r.level, Level::Exact);
        assert_eq!(r.key, "192.0.2.0 - 192.0.2.255");
        let r = parse("-Taut-num AS64500").unwrap();
        assert_eq!(r.types, Some(vec!["aut-num".to_string()]));
        let r = parse("-i org ORG-EXAMPLE1-TEST").unwrap();
        assert_eq!(r.inverse, Some(vec!["org".to_string()]));
        assert_eq!(parse("-q version").unwrap().info, Some(ServerInfo::Version));
        assert_eq!(
            parse("-t inetnum").unwrap().template.as_deref(),
            Some("inetnum")
        );
        let r = parse("--at 2026-03-14T09:30:00Z --resource --abuse-contact 192.0.2.130").unwrap();
        assert!(r.at.is_some() && r.resource && r.brief);
        assert!(parse("-k").unwrap().keep_alive);
        let r = parse("-F 192.0.2.1").unwrap();
        assert!(r.fast_raw && r.no_contacts && !r.brief);
        let r = parse("--primary-keys 192.0.2.1").unwrap();
        assert!(r.keys_only && r.no_contacts);
        let r = parse("-v inetnum").unwrap();
        assert!(r.verbose_template && r.template.as_deref() == Some("inetnum"));
        let r = parse("-k 192.0.2.1").unwrap();
        assert!(r.keep_alive);
        assert_eq!(r.key, "192.0.2.1");
    }

    #[test]
    fn refusals_carry_ripe_numbers() {
        let c = |l: &str| parse(l).unwrap_err().code;
        assert_eq!(c("-z 192.0.2.1"), code::INVALID_OPTION);
        assert_eq!(c("--frobnicate 192.0.2.1"), code::INVALID_OPTION);
        assert_eq!(c("-x -M 192.0.2.1"), code::DUPLICATE_IP_FLAGS);
        assert_eq!(c("--exact --all-more 192.0.2.1"), code::DUPLICATE_IP_FLAGS);
        assert!(parse("-x -x 192.0.2.1").is_ok(), "one flag twice");
        assert_eq!(c("-b -B 192.0.2.1"), code::BAD_COMBINATION);
        assert_eq!(c("-b -F 192.0.2.1"), code::BAD_COMBINATION);
        assert_eq!(c("-bK 192.0.2.1"), code::BAD_COMBINATION);
        assert_eq!(
            c("--abuse-contact --brief 192.0.2.1"),
            code::BAD_COMBINATION
        );
        assert_eq!(c("-br 192.0.2.1"), code::BAD_COMBINATION);
        assert_eq!(
            c("--abuse-contact --no-filtering 192.0.2.1"),
            code::BAD_COMBINATION
        );
        assert_eq!(c("-T route 192.0.2.1"), code::UNKNOWN_TYPE);
        assert_eq!(c("-i descr foo"), code::NOT_SEARCHABLE);
        assert_eq!(c("-i frobs foo"), code::UNKNOWN_ATTRIBUTE);
        assert_eq!(c("-i org,descr foo"), code::NOT_SEARCHABLE);
        assert_eq!(c("-r"), code::NO_KEY);
        assert_eq!(c("-T"), code::INVALID_OPTION);
        assert_eq!(c("192.0.2.1\u{0}"), code::BAD_CHARACTER);
        assert_eq!(c("--at yesterday 192.0.2.1"), code::INVALID_OPTION);
        assert_eq!(c("-q nonsense"), code::INVALID_OPTION);
    }
}
