//! A deterministic, seeded generator of RIPE-like dumps for benchmarks
//! (`tenure gen-data`, hidden). The same seed and size always give the
//! same bytes.
//!
//! Shape: ALLOCATED PA blocks (IPv4 /19-/22 placed one after another from
//! 1.0.0.0, skipping special-purpose /8s; IPv6 /32s from 2a00::) held by
//! one organisation each; inside them SUB-ALLOCATED PA and ASSIGNED PA
//! children, some with grandchildren and great-grandchildren (nesting up to
//! 4 levels), some non-aligned ranges, about half naming another
//! organisation (a lessee), about 3 % maintained by a leasing platform
//! (`IPXO-MNT`). Every organisation has an abuse role with an
//! `abuse-mailbox`. About 80 % of the networks are IPv4.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// splitmix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// True with probability `pct` percent.
    pub fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// A uniformly random address inside a range.
pub fn random_address_in(rng: &mut Rng, r: &crate::addr::IpRange) -> std::net::IpAddr {
    let span = r.end - r.start;
    let off = if span == u128::MAX {
        rng.next_u64() as u128
    } else {
        (rng.next_u64() as u128) % (span + 1)
    };
    crate::addr::u128_to_addr(r.family, r.start + off)
}

/// What a run wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct GenStats {
    pub networks: u64,
    pub organisations: u64,
    pub roles: u64,
    /// End of the IPv4 space used (exclusive), for picking query addresses.
    pub v4_end: u32,
    /// Number of IPv6 /32 allocations made from 2a00::.
    pub v6_allocations: u64,
}

/// First IPv6 allocation.
pub const V6_BASE: u128 = 0x2a00u128 << 112;

struct Gen<W: Write> {
    w: W,
    rng: Rng,
    buf: String,
    stats: GenStats,
    remaining: u64,
    dialect: Dialect,
}

/// The layout a generated registry is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// RIPE's RPSL (also AFRINIC's, with another `source:`).
    Ripe(&'static str),
    /// APNIC's RPSL: PORTABLE / NON-PORTABLE statuses, irt objects named
    /// by `mnt-irt`, platform maintainers generated per customer.
    Apnic,
    /// LACNIC's bulk layout: `owner` names, lower-case statuses, contacts
    /// opening with `nic-hdl:` and giving their `e-mail`.
    Lacnic,
    /// ARIN's bulk whois text: Org, POC and Net records.
    Arin,
}

/// One registry of a five-registry generated set: its file, layout, share
/// of the networks (per mille, real relative sizes) and address region.
pub struct RegistryPlan {
    pub file: &'static str,
    pub dialect: Dialect,
    pub per_mille: u64,
    /// First octets of its IPv4 region, and the base of its IPv6 /32s.
    pub v4_octets: (u32, u32),
    pub v6_base: u128,
}

/// The five registries at about their real relative sizes (networks in
/// their public dumps and ARIN's bulk data, 2024-2026: RIPE the most,
/// then ARIN, APNIC, LACNIC and AFRINIC).
pub const FIVE_REGISTRIES: [RegistryPlan; 5] = [
    RegistryPlan {
        file: "ripe.db.gz",
        dialect: Dialect::Ripe("RIPE"),
        per_mille: 500,
        v4_octets: (1, 63),
        v6_base: 0x2a00u128 << 112,
    },
    RegistryPlan {
        file: "arin_db.zip",
        dialect: Dialect::Arin,
        per_mille: 250,
        v4_octets: (64, 126),
        v6_base: 0x2600u128 << 112,
    },
    RegistryPlan {
        file: "apnic.db.gz",
        dialect: Dialect::Apnic,
        per_mille: 150,
        v4_octets: (128, 168),
        v6_base: 0x2400u128 << 112,
    },
    RegistryPlan {
        file: "lacnic.db.gz",
        dialect: Dialect::Lacnic,
        per_mille: 50,
        v4_octets: (170, 190),
        v6_base: 0x2800u128 << 112,
    },
    RegistryPlan {
        file: "afrinic.db.gz",
        dialect: Dialect::Ripe("AFRINIC"),
        per_mille: 50,
        v4_octets: (193, 223),
        v6_base: 0x2c00u128 << 112,
    },
];

/// Writes `networks` inet(6)num objects plus their organisations and roles.
pub fn generate<W: Write>(w: W, networks: u64, seed: u64) -> io::Result<GenStats> {
    generate_as(w, networks, seed, Dialect::Ripe("GEN"), (1, 223), V6_BASE)
}

/// [`generate`] in a registry's layout, within its address region (first
/// octets `v4_octets`, IPv6 /32s from `v6_base`).
pub fn generate_as<W: Write>(
    w: W,
    networks: u64,
    seed: u64,
    dialect: Dialect,
    v4_octets: (u32, u32),
    v6_base: u128,
) -> io::Result<GenStats> {
    let mut g = Gen {
        w,
        rng: Rng::new(seed),
        buf: String::with_capacity(1 << 16),
        stats: GenStats::default(),
        remaining: networks,
        dialect,
    };
    if dialect != Dialect::Arin {
        writeln!(g.w, "#\n# tenure generated dump: {networks} networks, seed {seed}\n# documentation-only data; not a registry export\n#\n")?;
    }
    let region_start = (v4_octets.0 as u64) << 24;
    let region_end = ((v4_octets.1 as u64) + 1) << 24;
    let mut v4_cursor: u64 = region_start;
    let mut v6_next: u128 = v6_base;
    let mut alloc_no: u64 = 0;
    while g.remaining > 0 {
        alloc_no += 1;
        if g.rng.pct(80) {
            let len = 19 + g.rng.below(4) as u32; // /19../22
            let size = 1u64 << (32 - len);
            v4_cursor = v4_cursor.div_ceil(size) * size;
            loop {
                let first_octet = v4_cursor >> 24;
                if matches!(first_octet, 10 | 100 | 127 | 169 | 172 | 192 | 198 | 203) {
                    v4_cursor = (first_octet + 1) << 24;
                } else {
                    break;
                }
            }
            if v4_cursor + size > region_end {
                v4_cursor = region_start; // wrap: later allocations overlap earlier ones
            }
            g.alloc_v4(alloc_no, v4_cursor as u32, len)?;
            v4_cursor += size;
            g.stats.v4_end = g.stats.v4_end.max(v4_cursor.min(u32::MAX as u64) as u32);
        } else {
            g.alloc_v6(alloc_no, v6_next)?;
            v6_next += 1u128 << 96;
            g.stats.v6_allocations += 1;
        }
        if g.buf.len() > 1 << 15 {
            g.flush()?;
        }
    }
    g.flush()?;
    g.w.flush()?;
    Ok(g.stats)
}

/// Writes a generated dump to a file, gzip-compressed when it ends in `.gz`.
pub fn write_file(path: &Path, networks: u64, seed: u64) -> io::Result<GenStats> {
    let file = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    if path.extension().is_some_and(|e| e == "gz") {
        let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let stats = generate(&mut enc, networks, seed)?;
        enc.finish()?.flush()?;
        Ok(stats)
    } else {
        generate(file, networks, seed)
    }
}

/// Writes the five registries' generated data into `dir`, `networks` in
/// all at their relative sizes, each in its own layout and address region:
/// RIPE and AFRINIC RPSL, APNIC RPSL with irt objects, LACNIC's bulk layout
/// (gzip), and ARIN's bulk data in a ZIP, its records in the XML and the
/// text layout, as ARIN ships it. Returns each file with what it holds.
pub fn write_registries(
    dir: &Path,
    networks: u64,
    seed: u64,
) -> io::Result<Vec<(std::path::PathBuf, GenStats)>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for (i, plan) in FIVE_REGISTRIES.iter().enumerate() {
        let n = networks * plan.per_mille / 1000;
        let path = dir.join(plan.file);
        let file = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        let seed = seed.wrapping_add(i as u64 * 0x1000);
        let stats = if plan.dialect == Dialect::Arin {
            let mut z = ZipWriter::new(file);
            // the same records twice (generation is deterministic), in
            // the XML layout and the text layout
            z.member("arin_db.xml", |m| {
                let mut x = crate::arin_xml::XmlWriter::new(m)?;
                generate_as(&mut x, n, seed, plan.dialect, plan.v4_octets, plan.v6_base)?;
                x.finish().map(drop)
            })?;
            let stats = z.member("arin_db.txt", |m| {
                generate_as(m, n, seed, plan.dialect, plan.v4_octets, plan.v6_base)
            })?;
            z.finish()?;
            stats
        } else {
            let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
            let stats = generate_as(
                &mut enc,
                n,
                seed,
                plan.dialect,
                plan.v4_octets,
                plan.v6_base,
            )?;
            enc.finish()?.flush()?;
            stats
        };
        out.push((path, stats));
    }
    Ok(out)
}

/// A ZIP archive written in one pass: deflated members whose sizes and
/// CRC follow their data (a data descriptor), then the central directory.
struct ZipWriter<W: Write> {
    w: W,
    offset: u64,
    /// (name, crc, compressed, size, local header offset) of each member.
    entries: Vec<(String, u32, u32, u32, u32)>,
}

/// A member being written: deflated, counted, checksummed.
struct ZipMember<'z, W: Write> {
    enc: flate2::write::DeflateEncoder<Counted<&'z mut W>>,
    crc: flate2::Crc,
}

/// A writer counting the bytes through it.
struct Counted<W> {
    w: W,
    n: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let k = self.w.write(b)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

impl<W: Write> Write for ZipMember<'_, W> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let k = self.enc.write(b)?;
        self.crc.update(&b[..k]);
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.enc.flush()
    }
}

impl<W: Write> ZipWriter<W> {
    fn new(w: W) -> Self {
        ZipWriter {
            w,
            offset: 0,
            entries: Vec::new(),
        }
    }

    /// Writes one member: `fill` writes its content.
    fn member<T>(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut ZipMember<'_, W>) -> io::Result<T>,
    ) -> io::Result<T> {
        let too_big = || io::Error::other("ZIP over 4 GiB");
        let at = u32::try_from(self.offset).map_err(|_| too_big())?;
        let mut h = Vec::with_capacity(30 + name.len());
        h.extend(0x0403_4b50u32.to_le_bytes());
        h.extend(20u16.to_le_bytes()); // version needed
        h.extend(8u16.to_le_bytes()); // flags: sizes in a data descriptor
        h.extend(8u16.to_le_bytes()); // deflate
        h.extend([0u8; 16]); // time, date, crc, sizes (in the descriptor)
        h.extend((name.len() as u16).to_le_bytes());
        h.extend(0u16.to_le_bytes());
        h.extend(name.as_bytes());
        self.w.write_all(&h)?;
        self.offset += h.len() as u64;
        let (value, crc, compressed) = {
            let mut m = ZipMember {
                enc: flate2::write::DeflateEncoder::new(
                    Counted {
                        w: &mut self.w,
                        n: 0,
                    },
                    flate2::Compression::fast(),
                ),
                crc: flate2::Crc::new(),
            };
            let value = fill(&mut m)?;
            let crc = std::mem::replace(&mut m.crc, flate2::Crc::new());
            let compressed = m.enc.try_finish().map(|()| m.enc.get_ref().n)?;
            (value, crc, compressed)
        };
        let c = u32::try_from(compressed).map_err(|_| too_big())?;
        let mut d = Vec::with_capacity(16);
        d.extend(0x0807_4b50u32.to_le_bytes());
        d.extend(crc.sum().to_le_bytes());
        d.extend(c.to_le_bytes());
        d.extend(crc.amount().to_le_bytes());
        self.w.write_all(&d)?;
        self.offset += compressed + d.len() as u64;
        self.entries
            .push((name.to_string(), crc.sum(), c, crc.amount(), at));
        Ok(value)
    }

    fn finish(mut self) -> io::Result<()> {
        let dir_at = u32::try_from(self.offset).map_err(|_| io::Error::other("ZIP over 4 GiB"))?;
        let mut dir = Vec::new();
        for (name, crc, c, sz, off) in &self.entries {
            dir.extend(0x0201_4b50u32.to_le_bytes());
            dir.extend(20u16.to_le_bytes()); // made by
            dir.extend(20u16.to_le_bytes()); // needed
            dir.extend(8u16.to_le_bytes());
            dir.extend(8u16.to_le_bytes());
            dir.extend([0u8; 4]); // time, date
            dir.extend(crc.to_le_bytes());
            dir.extend(c.to_le_bytes());
            dir.extend(sz.to_le_bytes());
            dir.extend((name.len() as u16).to_le_bytes());
            dir.extend([0u8; 12]); // extra, comment, disk, attributes
            dir.extend(off.to_le_bytes());
            dir.extend(name.as_bytes());
        }
        let n = self.entries.len() as u16;
        let mut end = Vec::with_capacity(22);
        end.extend(0x0605_4b50u32.to_le_bytes());
        end.extend([0u8; 4]);
        end.extend(n.to_le_bytes());
        end.extend(n.to_le_bytes());
        end.extend((dir.len() as u32).to_le_bytes());
        end.extend(dir_at.to_le_bytes());
        end.extend(0u16.to_le_bytes());
        self.w.write_all(&dir)?;
        self.w.write_all(&end)?;
        self.w.flush()
    }
}

impl<W: Write> Gen<W> {
    /// The suffix of generated handles: one per registry, so that the five
    /// registries' files load together without a duplicate handle.
    fn suffix(&self) -> &'static str {
        match self.dialect {
            Dialect::Ripe("GEN") => "GEN",
            Dialect::Ripe(src) => src,
            Dialect::Apnic => "AP",
            Dialect::Lacnic => "LACNIC",
            Dialect::Arin => "ARIN",
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.w.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }

    fn org(&mut self, id: &str, name: &str) {
        let mail = id.to_ascii_lowercase();
        match self.dialect {
            Dialect::Ripe(_) => {}
            Dialect::Apnic => {
                let _ = write!(
                    self.buf,
                    "organisation:   {id}\norg-name:       {name}\norg-type:       OTHER\ncountry:        AU\nabuse-c:        AR-{id}\nmnt-by:         MAINT-GEN-AP\nlast-modified:  2024-01-01T00:00:00Z\nsource:         APNIC\n\n\
role:           Abuse {name}\nnic-hdl:        AR-{id}\nabuse-mailbox:  abuse@{mail}.example\nmnt-by:         MAINT-GEN-AP\nsource:         APNIC\n\n\
irt:            IRT-{id}\naddress:        Brisbane\ne-mail:         irt@{mail}.example\nabuse-mailbox:  irt@{mail}.example\nadmin-c:        AR-{id}\ntech-c:         AR-{id}\nauth:           # Filtered\nmnt-by:         MAINT-GEN-AP\nsource:         APNIC\n\n"
                );
                self.stats.organisations += 1;
                self.stats.roles += 1;
                return;
            }
            Dialect::Lacnic => {
                let _ = write!(
                    self.buf,
                    "nic-hdl:    AR-{id}\nperson:     Abuse {name}\ne-mail:     abuse@{mail}.example\ncountry:    BR\ncreated:    20200101\nchanged:    20240101\nsource:     LACNIC\n\n"
                );
                self.stats.roles += 1;
                return;
            }
            Dialect::Arin => {
                let _ = write!(
                    self.buf,
                    "OrgID:          {id}\nOrgName:        {name}\nCountry:        US\nRegDate:        2020-01-01\nUpdated:        2024-01-01\nOrgAbuseHandle: AR-{id}\nSource:         ARIN\n\n\
POCHandle:      AR-{id}\nIsRole:         Y\nLastName:       Abuse {name}\nMailbox:        abuse@{mail}.example\nRegDate:        2020-01-01\nUpdated:        2024-01-01\nSource:         ARIN\n\n"
                );
                self.stats.organisations += 1;
                self.stats.roles += 1;
                return;
            }
        }
        let src = match self.dialect {
            Dialect::Ripe(src) => src,
            _ => "GEN",
        };
        let _ = write!(
            self.buf,
            "organisation:   {id}\norg-name:       {name}\norg-type:       OTHER\ncountry:        NL\nabuse-c:        AR-{id}\nmnt-ref:        GEN-MNT\nmnt-by:         GEN-MNT\ncreated:        2020-01-01T00:00:00Z\nlast-modified:  2024-01-01T00:00:00Z\nsource:         {src}\n\n\
role:           Abuse {name}\nnic-hdl:        AR-{id}\nabuse-mailbox:  abuse@{mail}.example\nmnt-by:         GEN-MNT\ncreated:        2020-01-01T00:00:00Z\nlast-modified:  2024-01-01T00:00:00Z\nsource:         {src}\n\n",
        );
        self.stats.organisations += 1;
        self.stats.roles += 1;
    }

    /// A lessee organisation (with its abuse role) for child `c` of
    /// allocation `n`, when the child is leased.
    fn lessee_org(&mut self, leased: bool, n: u64, c: u64) -> Option<String> {
        if !leased {
            return None;
        }
        let id = format!("ORG-L{n}X{c}-{}", self.suffix());
        self.org(&id, &format!("Lessee {n}/{c} Ltd"));
        Some(id)
    }

    #[allow(clippy::too_many_arguments)]
    fn net(
        &mut self,
        class: &str,
        range: &str,
        netname: &str,
        status: &str,
        org: Option<&str>,
        mnt: &str,
        abuse: Option<&str>,
    ) {
        if self.remaining == 0 {
            return;
        }
        self.remaining -= 1;
        self.stats.networks += 1;
        if !matches!(self.dialect, Dialect::Ripe(_)) {
            self.net_dialect(class, range, netname, status, org, mnt, abuse);
            return;
        }
        let src = match self.dialect {
            Dialect::Ripe(src) => src,
            _ => "GEN",
        };
        let _ = write!(
            self.buf,
            "{class}:{:pad$}{range}\nnetname:        {netname}\ncountry:        NL\n",
            "",
            pad = 16 - class.len() - 1
        );
        if let Some(o) = org {
            let _ = writeln!(self.buf, "org:            {o}");
        }
        let _ = write!(
            self.buf,
            "admin-c:        DUMY-RIPE\ntech-c:         DUMY-RIPE\n"
        );
        if let Some(a) = abuse {
            let _ = writeln!(self.buf, "abuse-c:        {a}");
        }
        let _ = write!(
            self.buf,
            "status:         {status}\nmnt-by:         {mnt}\ncreated:        2021-03-04T05:06:07Z\nlast-modified:  2024-05-06T07:08:09Z\nsource:         {src}\n\n"
        );
    }

    /// A network in APNIC's, LACNIC's or ARIN's layout (the statuses and
    /// maintainers the RIPE-shaped plan names, translated).
    #[allow(clippy::too_many_arguments)]
    fn net_dialect(
        &mut self,
        class: &str,
        range: &str,
        netname: &str,
        status: &str,
        org: Option<&str>,
        mnt: &str,
        abuse: Option<&str>,
    ) {
        let registry_level = matches!(status, "ALLOCATED PA" | "ALLOCATED-BY-RIR");
        let sub = matches!(status, "SUB-ALLOCATED PA" | "ALLOCATED-BY-LIR");
        let platform = mnt == "IPXO-MNT";
        match self.dialect {
            Dialect::Apnic => {
                let status = match (registry_level, sub) {
                    (true, _) => "ALLOCATED PORTABLE",
                    (false, true) => "ALLOCATED NON-PORTABLE",
                    _ => "ASSIGNED NON-PORTABLE",
                };
                let _ = write!(
                    self.buf,
                    "{class}:{:pad$}{range}\nnetname:        {netname}\ncountry:        AU\n",
                    "",
                    pad = 16 - class.len() - 1
                );
                if let Some(o) = org {
                    let _ = writeln!(self.buf, "org:            {o}");
                }
                if let Some(a) = abuse {
                    let _ = writeln!(self.buf, "abuse-c:        {a}");
                }
                let mnt = if platform {
                    // IPXO generates one APNIC maintainer per subnet
                    format!("MAINT-IPXO-AP{}", self.stats.networks)
                } else if registry_level {
                    "APNIC-HM, MAINT-GEN-AP".into()
                } else {
                    "MAINT-GEN-AP".into()
                };
                let _ = writeln!(self.buf, "status:         {status}\nmnt-by:         {mnt}");
                if let (true, Some(o)) = (registry_level, org) {
                    let _ = writeln!(self.buf, "mnt-irt:        IRT-{o}");
                }
                let _ = write!(
                    self.buf,
                    "last-modified:  2024-05-06T07:08:09Z\nsource:         APNIC\n\n"
                );
            }
            Dialect::Lacnic => {
                let status = match (registry_level, sub) {
                    (true, _) => "allocated",
                    (false, true) => "reallocated",
                    _ => "reassigned",
                };
                let _ = write!(self.buf, "inetnum:    {range}\nstatus:     {status}\n");
                if let Some(o) = org {
                    let _ = writeln!(self.buf, "owner:      Org {o}");
                }
                let abuse = abuse
                    .map(str::to_string)
                    .or_else(|| org.filter(|_| registry_level).map(|o| format!("AR-{o}")));
                if let Some(a) = abuse {
                    let _ = writeln!(self.buf, "abuse-c:    {a}");
                }
                let _ = write!(self.buf, "country:    BR\ncreated:    20210304\nchanged:    20240506\nsource:     LACNIC\n\n");
            }
            Dialect::Arin | Dialect::Ripe(_) => {
                let net_type = match (registry_level, sub) {
                    (true, _) => "allocation",
                    (false, true) => "reallocation",
                    _ => "reassignment",
                };
                let (handle_key, net_range) = if class == "inet6num" {
                    let r = crate::addr::parse_dump_prefix(range)
                        .map(|r| r.to_string())
                        .unwrap_or_else(|_| range.to_string());
                    ("V6NetHandle", r)
                } else {
                    ("NetHandle", range.to_string())
                };
                let _ = writeln!(
                    self.buf,
                    "{handle_key}:{:pad$}NET-{netname}",
                    "",
                    pad = 16 - handle_key.len() - 1
                );
                if let Some(o) = org {
                    let _ = writeln!(self.buf, "OrgID:          {o}");
                }
                let _ = write!(self.buf, "NetName:        {netname}\nNetRange:       {net_range}\nNetType:        {net_type}\nRegDate:        2021-03-04\nUpdated:        2024-05-06\n");
                if let Some(a) = abuse {
                    let _ = writeln!(self.buf, "AbuseHandle:    {a}");
                }
                let _ = write!(self.buf, "Source:         ARIN\n\n");
            }
        }
    }

    fn v4(&self, a: u32) -> Ipv4Addr {
        Ipv4Addr::from(a)
    }

    fn alloc_v4(&mut self, n: u64, base: u32, len: u32) -> io::Result<()> {
        let holder = format!("ORG-H{n}-{}", self.suffix());
        self.org(&holder, &format!("Holder {n} B.V."));
        let size = 1u32 << (32 - len);
        let range = format!("{} - {}", self.v4(base), self.v4(base + size - 1));
        self.net(
            "inetnum",
            &range,
            &format!("GEN-ALLOC-{n}"),
            "ALLOCATED PA",
            Some(&holder),
            "RIPE-NCC-HM-MNT, GEN-MNT",
            None,
        );
        // children in /24 slots
        let slots = size >> 8;
        let children = 2 + self.rng.below(slots.min(14) as u64) as u32;
        let step = (slots / children).max(1);
        for c in 0..children.min(slots) {
            let slot_base = base + ((c * step) << 8);
            self.child_v4(n, c, slot_base, &holder);
        }
        Ok(())
    }

    fn child_v4(&mut self, n: u64, c: u32, base: u32, holder: &str) {
        let leased = self.rng.pct(50);
        let platform = self.rng.pct(3);
        let mnt = if platform { "IPXO-MNT" } else { "GEN-MNT" };
        let org = self.lessee_org(leased, n, c as u64);
        let sub = self.rng.pct(30);
        let status = if sub {
            "SUB-ALLOCATED PA"
        } else {
            "ASSIGNED PA"
        };
        // 3 % non-aligned, else a /24
        let end = if self.rng.pct(3) {
            base + 100 + self.rng.below(150) as u32
        } else {
            base + 255
        };
        let range = format!("{} - {}", self.v4(base), self.v4(end));
        let abuse = org.as_ref().map(|o| format!("AR-{o}"));
        // unleased children name the holder half of the time, nobody otherwise
        let org_attr = match &org {
            Some(o) => Some(o.clone()),
            None if self.rng.pct(50) => Some(holder.to_string()),
            None => None,
        };
        self.net(
            "inetnum",
            &range,
            &format!("GEN-{n}-{c}"),
            status,
            org_attr.as_deref(),
            mnt,
            abuse.as_deref(),
        );
        if sub {
            // grandchildren /26, one of them with a /28 inside (levels 3 and 4)
            let k = 1 + self.rng.below(3) as u32;
            for g in 0..k {
                let gb = base + g * 64;
                let range = format!("{} - {}", self.v4(gb), self.v4(gb + 63));
                self.net(
                    "inetnum",
                    &range,
                    &format!("GEN-{n}-{c}-{g}"),
                    "ASSIGNED PA",
                    None,
                    mnt,
                    None,
                );
                if g == 0 && self.rng.pct(40) {
                    let range = format!("{} - {}", self.v4(gb), self.v4(gb + 15));
                    self.net(
                        "inetnum",
                        &range,
                        &format!("GEN-{n}-{c}-{g}-0"),
                        "ASSIGNED PA",
                        None,
                        mnt,
                        None,
                    );
                }
            }
        }
    }

    fn alloc_v6(&mut self, n: u64, base: u128) -> io::Result<()> {
        let holder = format!("ORG-H{n}-{}", self.suffix());
        self.org(&holder, &format!("Holder {n} B.V."));
        let p = |b: u128, l: u32| format!("{}/{}", Ipv6Addr::from(b), l);
        self.net(
            "inet6num",
            &p(base, 32),
            &format!("GEN6-ALLOC-{n}"),
            "ALLOCATED-BY-RIR",
            Some(&holder),
            "RIPE-NCC-HM-MNT, GEN-MNT",
            None,
        );
        let children = 2 + self.rng.below(10);
        for c in 0..children {
            let cb = base + ((c as u128) << 80); // /48s
            let leased = self.rng.pct(50);
            let org = self.lessee_org(leased, n, c);
            let mnt = if self.rng.pct(3) {
                "IPXO-MNT"
            } else {
                "GEN-MNT"
            };
            let status = if self.rng.pct(30) {
                "ALLOCATED-BY-LIR"
            } else {
                "ASSIGNED"
            };
            self.net(
                "inet6num",
                &p(cb, 48),
                &format!("GEN6-{n}-{c}"),
                status,
                org.as_deref(),
                mnt,
                None,
            );
            if status == "ALLOCATED-BY-LIR" {
                self.net(
                    "inet6num",
                    &p(cb, 56),
                    &format!("GEN6-{n}-{c}-0"),
                    "ASSIGNED",
                    None,
                    mnt,
                    None,
                );
            }
        }
        Ok(())
    }
}

/// The moment generated leases are laid out around: most are active then.
pub const LEASE_EPOCH: &str = "2026-06-01T00:00:00Z";

/// The date generated routing files carry in their names and metadata.
pub const ROUTING_DATE: &str = "20261124-1200";

/// Writes generated routing files into `dir` at the size of the real
/// tables, in address order as the real ones are: `prefixes` announced prefixes (about 83 % IPv4: mostly /24s,
/// some /16-/23; IPv6 mostly /48s and /32s) as two CAIDA pfx2as files
/// (IPv4 and IPv6, gzip), 1.5 % multi-origin and 0.5 % from an AS set; and
/// VRPs for about 58 % of them (a full set is about 700 k for 1.2 M
/// prefixes) in rpki-client's JSON layout, most naming the route's origin
/// with its length as maxLength, some a longer maxLength, some another AS.
/// Returns each file with its line count.
pub fn write_routing(
    dir: &Path,
    prefixes: u64,
    seed: u64,
) -> io::Result<Vec<(std::path::PathBuf, u64)>> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng::new(seed ^ 0xB6B);
    let gz = |name: &str| -> io::Result<flate2::write::GzEncoder<io::BufWriter<std::fs::File>>> {
        let f = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join(name))?);
        Ok(flate2::write::GzEncoder::new(
            f,
            flate2::Compression::fast(),
        ))
    };
    let v4_name = format!("routeviews-rv2-{ROUTING_DATE}.pfx2as.gz");
    let v6_name = format!("routeviews-rv6-{ROUTING_DATE}.pfx2as.gz");
    let vrp_name = format!("vrps-{ROUTING_DATE}.json");
    let mut v4 = gz(&v4_name)?;
    let mut v6 = gz(&v6_name)?;
    let mut vrps =
        io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dir.join(&vrp_name))?);
    writeln!(
        vrps,
        "{{\"metadata\": {{\"buildtime\": \"2026-11-24T12:00:00Z\"}},\n\"roas\": ["
    )?;
    let tas = ["ripe", "arin", "apnic", "lacnic", "afrinic"];
    // (IPv6, base, length, line): written in address order, as CAIDA's
    // files and relying parties' exports are
    let mut routes: Vec<(bool, u128, u32, String)> = Vec::with_capacity(prefixes as usize);
    let mut roas: Vec<(bool, u128, u32, String)> = Vec::new();
    for _ in 0..prefixes {
        let is6 = rng.pct(17);
        let (base, prefix, len) = if is6 {
            let len = match rng.below(10) {
                0..=5 => 48,
                6..=7 => 32,
                _ => 36 + 4 * rng.below(3) as u32,
            };
            let base = 0x2000_0000_0000_0000_0000_0000_0000_0000u128
                | ((rng.next_u64() as u128) << 64 | rng.next_u64() as u128)
                    & 0x1fff_ffff_ffff_ffff_ffff_ffff_ffff_ffff;
            let b = base & (!0u128 << (128 - len));
            (b, Ipv6Addr::from(b).to_string(), len)
        } else {
            let len = match rng.below(20) {
                0..=13 => 24,
                14..=16 => 22 + rng.below(2) as u32,
                _ => 16 + rng.below(6) as u32,
            };
            let base = (1 + rng.below(222) as u32) << 24 | rng.below(1 << 24) as u32;
            let b = base & (!0u32 << (32 - len));
            (b as u128, Ipv4Addr::from(b).to_string(), len)
        };
        let origin = 1 + rng.below(400_000) as u32;
        let mut line = format!("{prefix}\t{len}\t{origin}");
        match rng.below(200) {
            0..=2 => {
                let _ = write!(line, "_{}", 1 + rng.below(400_000));
            }
            3 => {
                let _ = write!(line, ",{}", 1 + rng.below(400_000));
            }
            _ => {}
        }
        line.push('\n');
        routes.push((is6, base, len, line));
        if rng.pct(58) {
            let asn = if rng.pct(90) {
                origin
            } else {
                1 + rng.below(400_000) as u32
            };
            let max = if rng.pct(75) {
                len
            } else {
                (len + 1 + rng.below(8) as u32).min(if is6 { 128 } else { 32 })
            };
            let ta = tas[rng.below(5) as usize];
            roas.push((
                is6,
                base,
                len,
                format!(
                    "  {{\"asn\": {asn}, \"prefix\": \"{prefix}/{len}\", \"maxLength\": {max}, \"ta\": \"{ta}\", \"expires\": 1795608000}}"
                ),
            ));
        }
    }
    routes.sort_unstable_by_key(|r| (r.0, r.1, r.2));
    roas.sort_unstable_by_key(|r| (r.0, r.1, r.2));
    let (mut n4, mut n6) = (0u64, 0u64);
    for (is6, _, _, line) in &routes {
        if *is6 {
            write_line(&mut v6, line)?;
            n6 += 1;
        } else {
            write_line(&mut v4, line)?;
            n4 += 1;
        }
    }
    let nv = roas.len() as u64;
    for (i, r) in roas.iter().enumerate() {
        let sep = if i == 0 { "" } else { ",\n" };
        write!(vrps, "{sep}{}", r.3)?;
    }
    writeln!(vrps, "\n]}}")?;
    vrps.flush()?;
    v4.finish()?.flush()?;
    v6.finish()?.flush()?;
    Ok(vec![
        (dir.join(v4_name), n4),
        (dir.join(v6_name), n6),
        (dir.join(vrp_name), nv),
    ])
}

fn write_line(w: &mut impl Write, line: &str) -> io::Result<()> {
    w.write_all(line.as_bytes())
}

/// Writes up to `count` lease records (JSON Lines) derived from a loaded
/// snapshot: every downstream leaf network, in order, gets a current lease
/// (active at [`LEASE_EPOCH`]; a third open-ended) and an expired one. The
/// lessor is the holder's organisation (so the lease verifies), except for
/// about 5 % with an unknown lessor (unverified). Returns the number written.
pub fn write_leases<W: Write>(
    snap: &crate::snapshot::Snapshot,
    count: u64,
    seed: u64,
    mut w: W,
) -> io::Result<u64> {
    let epoch = crate::time::parse(LEASE_EPOCH).unwrap_or(0);
    let day = 86_400i64;
    let mut rng = Rng::new(seed ^ 0x1EA5E);
    let mut written = 0u64;
    let mut line = String::with_capacity(512);
    for id in snap.net_ids() {
        if written >= count {
            break;
        }
        let n = snap.net(id);
        // leaves only: a platform leases a block or its parts, not both
        if n.kind != crate::model::StatusKind::Downstream
            || !snap.more_specific(&n.range, true).is_empty()
        {
            continue;
        }
        let chain = snap.covering(&n.range);
        let lessor = chain
            .iter()
            .rev()
            .map(|&c| snap.net(c))
            .find(|c| c.kind == crate::model::StatusKind::Registry)
            .map(|c| snap.sym_name(c.org).to_string())
            .unwrap_or_default();
        for k in 0..2u64 {
            if written >= count {
                break;
            }
            let lessor = if lessor.is_empty() || rng.pct(5) {
                "ORG-UNKNOWN-GEN"
            } else {
                &lessor
            };
            let (start, end) = if k == 0 {
                let start = epoch - (30 + rng.below(500) as i64) * day;
                let end = (!rng.pct(33)).then(|| epoch + (30 + rng.below(700) as i64) * day);
                (start, end)
            } else {
                let end = epoch - (400 + rng.below(300) as i64) * day;
                (end - (90 + rng.below(600) as i64) * day, Some(end))
            };
            line.clear();
            let _ = write!(
                line,
                "{{\"lease\": \"G-{id}-{k}\", \"range\": \"{}\", \"lessor\": \"{lessor}\", \"lessee\": {{\"handle\": \"LS-{id}-{k}\", \"name\": \"Generated Lessee {id}/{k}\", \"country\": \"NL\", \"abuse_mailbox\": \"abuse@ls-{id}-{k}.example\"}}, \"start\": \"{}\"",
                n.range,
                crate::time::format(start)
            );
            if let Some(e) = end {
                let _ = write!(line, ", \"end\": \"{}\"", crate::time::format(e));
            }
            line.push_str("}\n");
            w.write_all(line.as_bytes())?;
            written += 1;
        }
    }
    w.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_registries_load_together_in_their_layouts() {
        let dir = std::env::temp_dir().join(format!("tenure-gen5-{}", std::process::id()));
        let files = write_registries(&dir, 4000, 3).unwrap();
        assert_eq!(files.len(), 5);
        let total: u64 = files.iter().map(|(_, s)| s.networks).sum();
        assert_eq!(total, 4000);
        let sources = crate::dump::Sources {
            dumps: files.iter().map(|(p, _)| p.clone()).collect(),
            ..Default::default()
        };
        let (reg, report) = crate::dump::load(&sources, &crate::progress::Progress::off()).unwrap();
        assert_eq!(report.skipped_total(), 0, "{:?}", report.skipped);
        assert_eq!(reg.networks.len(), 4000);
        for src in ["RIPE", "ARIN", "APNIC", "LACNIC", "AFRINIC"] {
            assert!(
                report.objects.contains_key(src),
                "{src}: {:?}",
                report.objects.keys()
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn arin_xml_member_holds_the_text_member_s_records() {
        use std::io::Read;
        let plan = FIVE_REGISTRIES
            .iter()
            .find(|p| p.dialect == Dialect::Arin)
            .unwrap();
        let mut text = Vec::new();
        generate_as(
            &mut text,
            300,
            5,
            plan.dialect,
            plan.v4_octets,
            plan.v6_base,
        )
        .unwrap();
        let mut x = crate::arin_xml::XmlWriter::new(Vec::new()).unwrap();
        generate_as(&mut x, 300, 5, plan.dialect, plan.v4_octets, plan.v6_base).unwrap();
        let xml = x.finish().unwrap();
        let mut back = String::new();
        crate::arin_xml::Transcoder::new(&xml[..])
            .read_to_string(&mut back)
            .unwrap();
        // each record's lines, in order, as a sorted list of lines
        let records = |t: &str| -> Vec<Vec<String>> {
            t.split("\n\n")
                .map(|r| {
                    let mut v: Vec<String> = r
                        .lines()
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                        .map(|l| {
                            let (k, v) = l.split_once(':').unwrap();
                            format!("{}: {}", k.trim(), v.trim())
                        })
                        .collect();
                    v.sort();
                    v
                })
                .filter(|r| !r.is_empty())
                .collect()
        };
        let (a, b) = (records(&String::from_utf8(text).unwrap()), records(&back));
        assert!(a.len() > 300, "{}", a.len());
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y);
        }
    }

    #[test]
    fn deterministic_and_sized() {
        let mut a = Vec::new();
        let sa = generate(&mut a, 500, 3).unwrap();
        let mut b = Vec::new();
        generate(&mut b, 500, 3).unwrap();
        assert_eq!(a, b);
        assert_eq!(sa.networks, 500);
        let text = String::from_utf8(a).unwrap();
        assert_eq!(
            text.matches("\ninetnum:").count() + text.matches("\ninet6num:").count(),
            500
        );
        assert!(text.contains("IPXO-MNT"));
    }
}
