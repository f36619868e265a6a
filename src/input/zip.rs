//! The text members of a ZIP archive, streamed: how ARIN ships its bulk
//! whois data (`arin_db.txt` beside the XML form, an XSLT and schemas).
//!
//! Only what such archives use is read: the central directory (found
//! through the end-of-central-directory record, with ZIP64 sizes and
//! offsets), members stored (method 0) or deflated (method 8). Members are
//! decompressed while they are read; nothing is held whole in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// One member of the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    method: u16,
    compressed: u64,
    /// Offset of its local header.
    offset: u64,
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], i: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(i..i + 8)?.try_into().ok()?))
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("ZIP archive: {what}"))
}

/// The members of the archive, in directory order.
pub fn members(file: &mut File) -> io::Result<Vec<Member>> {
    let len = file.seek(SeekFrom::End(0))?;
    // the end record is in the last 64 KiB + 22 bytes (its comment is at most 64 KiB)
    let tail_len = len.min(65_557);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact(&mut tail)?;
    let eocd = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(&tail, i) == Some(0x0605_4b50))
        .ok_or_else(|| bad("no end of central directory"))?;
    let mut count = u64::from(u16_at(&tail, eocd + 10).ok_or_else(|| bad("short end record"))?);
    let mut dir_size = u64::from(u32_at(&tail, eocd + 12).ok_or_else(|| bad("short end record"))?);
    let mut dir_offset =
        u64::from(u32_at(&tail, eocd + 16).ok_or_else(|| bad("short end record"))?);
    // ZIP64: the locator just before the end record points at the real one
    if dir_offset == 0xFFFF_FFFF || count == 0xFFFF || dir_size == 0xFFFF_FFFF {
        let loc = eocd
            .checked_sub(20)
            .filter(|&l| u32_at(&tail, l) == Some(0x0706_4b50))
            .ok_or_else(|| bad("ZIP64 locator missing"))?;
        let rec = u64_at(&tail, loc + 8).ok_or_else(|| bad("short ZIP64 locator"))?;
        let mut r = [0u8; 56];
        file.seek(SeekFrom::Start(rec))?;
        file.read_exact(&mut r)?;
        if u32_at(&r, 0) != Some(0x0606_4b50) {
            return Err(bad("ZIP64 end record missing"));
        }
        count = u64_at(&r, 32).unwrap_or(0);
        dir_size = u64_at(&r, 40).unwrap_or(0);
        dir_offset = u64_at(&r, 48).unwrap_or(0);
    }
    if dir_size > len || dir_offset > len - dir_size.min(len) {
        return Err(bad("central directory outside the file"));
    }
    let mut dir = vec![0u8; dir_size as usize];
    file.seek(SeekFrom::Start(dir_offset))?;
    file.read_exact(&mut dir)?;
    let mut out = Vec::new();
    let mut i = 0usize;
    for _ in 0..count {
        if u32_at(&dir, i) != Some(0x0201_4b50) {
            return Err(bad("broken central directory"));
        }
        let field = |k: usize| {
            u16_at(&dir, i + k)
                .map(usize::from)
                .ok_or_else(|| bad("short entry"))
        };
        let method = u16_at(&dir, i + 10).ok_or_else(|| bad("short entry"))?;
        let mut compressed = u64::from(u32_at(&dir, i + 20).ok_or_else(|| bad("short entry"))?);
        let size = u32_at(&dir, i + 24).ok_or_else(|| bad("short entry"))?;
        let (name_len, extra_len, comment_len) = (field(28)?, field(30)?, field(32)?);
        let mut offset = u64::from(u32_at(&dir, i + 42).ok_or_else(|| bad("short entry"))?);
        let name_at = i + 46;
        let name = dir
            .get(name_at..name_at + name_len)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .ok_or_else(|| bad("short entry name"))?;
        // ZIP64 extra field: the 64-bit values of the fields set to all ones
        let extra = dir
            .get(name_at + name_len..name_at + name_len + extra_len)
            .unwrap_or(&[]);
        let mut e = 0;
        while e + 4 <= extra.len() {
            let (id, n) = (
                u16_at(extra, e).unwrap_or(0),
                usize::from(u16_at(extra, e + 2).unwrap_or(0)),
            );
            if id == 1 {
                let mut k = e + 4;
                let mut next = || {
                    let v = u64_at(extra, k);
                    k += 8;
                    v
                };
                if size == 0xFFFF_FFFF {
                    next();
                }
                if compressed == 0xFFFF_FFFF {
                    compressed = next().unwrap_or(compressed);
                }
                if offset == 0xFFFF_FFFF {
                    offset = next().unwrap_or(offset);
                }
            }
            e += 4 + n;
        }
        out.push(Member {
            name,
            method,
            compressed,
            offset,
        });
        i = name_at + name_len + extra_len + comment_len;
    }
    Ok(out)
}

/// A reader of one member's content, decompressed.
pub fn read_member(path: &Path, m: &Member) -> io::Result<Box<dyn BufRead + Send>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(m.offset))?;
    let mut head = [0u8; 30];
    file.read_exact(&mut head)?;
    if u32_at(&head, 0) != Some(0x0403_4b50) {
        return Err(bad("broken local header"));
    }
    let skip =
        u64::from(u16_at(&head, 26).unwrap_or(0)) + u64::from(u16_at(&head, 28).unwrap_or(0));
    file.seek(SeekFrom::Current(skip as i64))?;
    let data = file.take(m.compressed);
    match m.method {
        0 => Ok(Box::new(BufReader::with_capacity(256 * 1024, data))),
        8 => Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::read::DeflateDecoder::new(BufReader::with_capacity(256 * 1024, data)),
        ))),
        other => Err(bad(&format!(
            "member '{}' uses compression method {other}",
            m.name
        ))),
    }
}

/// The text members worth loading: `.txt` files other than a README
/// (ARIN's `arin_db.txt`, or the parts of a selective download).
pub fn text_members(members: &[Member]) -> Vec<&Member> {
    members
        .iter()
        .filter(|m| {
            let lower = m.name.to_ascii_lowercase();
            let base = lower.rsplit('/').next().unwrap_or(&lower);
            lower.ends_with(".txt") && !base.starts_with("readme")
        })
        .collect()
}

/// The XML members worth loading when there is no text member: ARIN's
/// `arin_db.xml` or the XML parts of a selective download (not schemas).
pub fn xml_members(members: &[Member]) -> Vec<&Member> {
    members
        .iter()
        .filter(|m| m.name.to_ascii_lowercase().ends_with(".xml"))
        .collect()
}

/// The records of the archive at `path` as text, one member after the
/// other (a blank line between them, so that no record runs into the
/// next): its text members, else its XML members in ARIN's XML layout
/// (transcoded to the text form, see `arin_xml`). Returns the members
/// read, whether they were XML, and the text.
pub fn open_text(path: &Path) -> io::Result<(Vec<String>, bool, Box<dyn BufRead + Send>)> {
    let mut file = File::open(path)?;
    let all = members(&mut file)?;
    let texts = text_members(&all);
    let (chosen, xml) = if texts.is_empty() {
        (xml_members(&all), true)
    } else {
        (texts, false)
    };
    if chosen.is_empty() {
        let names: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
        return Err(bad(&format!(
            "no text or XML member (has: {})",
            names.join(", ")
        )));
    }
    let mut reader: Box<dyn Read + Send> = Box::new(io::empty());
    for (i, m) in chosen.iter().enumerate() {
        let member = read_member(path, m)?;
        let member: Box<dyn Read + Send> = if xml {
            Box::new(crate::arin_xml::Transcoder::new(member))
        } else {
            member
        };
        // the first member's lines are its own (reports name them)
        let gap: &[u8] = if i == 0 { b"" } else { b"\n\n" };
        reader = Box::new(reader.chain(gap).chain(member));
    }
    Ok((
        chosen.iter().map(|m| m.name.clone()).collect(),
        xml,
        Box::new(BufReader::with_capacity(256 * 1024, reader)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ZIP with one stored and one deflated member, written by hand.
    fn archive(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = Vec::new();
        let mut dir = Vec::new();
        for (name, body, deflate) in members {
            let data = if *deflate {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(body).unwrap();
                e.finish().unwrap()
            } else {
                body.to_vec()
            };
            let offset = out.len() as u32;
            let method: u16 = if *deflate { 8 } else { 0 };
            let mut h = Vec::new();
            h.extend(0x0403_4b50u32.to_le_bytes());
            h.extend([20, 0, 0, 0]);
            h.extend(method.to_le_bytes());
            h.extend([0u8; 8]); // time, date, crc
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((body.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            out.extend(&h);
            out.extend(name.as_bytes());
            out.extend(&data);
            dir.extend(0x0201_4b50u32.to_le_bytes());
            dir.extend([20, 0, 20, 0, 0, 0]);
            dir.extend(method.to_le_bytes());
            dir.extend([0u8; 8]);
            dir.extend((data.len() as u32).to_le_bytes());
            dir.extend((body.len() as u32).to_le_bytes());
            dir.extend((name.len() as u16).to_le_bytes());
            dir.extend([0u8; 12]); // extra, comment, disk, attributes
            dir.extend(offset.to_le_bytes());
            dir.extend(name.as_bytes());
        }
        let dir_offset = out.len() as u32;
        out.extend(&dir);
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend((members.len() as u16).to_le_bytes());
        out.extend((members.len() as u16).to_le_bytes());
        out.extend((dir.len() as u32).to_le_bytes());
        out.extend(dir_offset.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    #[test]
    fn text_members_are_streamed_in_order() {
        let path = std::env::temp_dir().join(format!("tenure-zip-{}.zip", std::process::id()));
        std::fs::write(
            &path,
            archive(&[
                ("arin_db.xml", b"<xml/>", true),
                ("arin_db.txt", b"OrgID: A\nOrgName: A Inc\n", true),
                ("README.txt", b"not data", false),
                ("more.txt", b"POCHandle: P\n", false),
            ]),
        )
        .unwrap();
        let (names, xml, mut r) = open_text(&path).unwrap();
        assert!(!xml);
        assert_eq!(names, ["arin_db.txt", "more.txt"]);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "OrgID: A\nOrgName: A Inc\n\n\nPOCHandle: P\n");
        // no text member: the XML members, transcoded (ARIN's XML layout)
        std::fs::write(
            &path,
            archive(&[
                ("schemas/poc.rnc", b"element poc { text }", false),
                (
                    "pocs.xml",
                    b"<pocs><poc><handle>P</handle></poc></pocs>",
                    true,
                ),
            ]),
        )
        .unwrap();
        let (names, xml, mut r) = open_text(&path).unwrap();
        assert!(xml);
        assert_eq!(names, ["pocs.xml"]);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert!(s.contains("POCHandle:      P\n"), "{s}");
        std::fs::write(&path, archive(&[("a.rnc", b"x", false)])).unwrap();
        let e = open_text(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("no text or XML member"), "{e}");
        std::fs::write(&path, b"PK\x03\x04 cut short").unwrap();
        assert!(open_text(&path).is_err());
        std::fs::remove_file(&path).ok();
    }
}
