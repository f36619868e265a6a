//! The PROXY protocol (HAProxy's specification, versions 1 and 2): a load
//! balancer in front of tenure opens each connection with a header naming
//! the real client, so that limits, logs and metrics see the client and
//! not the balancer.
//!
//! A listener either speaks it or not; the specification forbids guessing
//! whether a header is present. A listener that speaks it accepts
//! connections only from the configured balancer addresses and only with
//! a complete, valid header read before anything else (within a deadline);
//! anything else is closed. A v2 `LOCAL` header (the balancer's own health
//! check) and a v1 `UNKNOWN` one keep the connection's own address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

/// The v2 signature.
const V2_SIG: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// Longest v1 header, CRLF included (the specification's 107 bytes).
const V1_MAX: usize = 107;
/// Longest v2 address block with TLVs accepted (HAProxy sends a few TLVs;
/// the field allows 64 KiB).
const V2_MAX_LEN: usize = 2048;

/// Why a connection's header was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("the connection ended before a complete PROXY header")]
    Truncated,
    #[error("no PROXY protocol header")]
    Missing,
    #[error("not from a configured load balancer")]
    NotBalancer,
    #[error("malformed PROXY v1 header")]
    BadV1,
    #[error("malformed PROXY v2 header")]
    BadV2,
    #[error("no PROXY header within the deadline")]
    Timeout,
}

/// Where a balancer's connections come from: addresses or prefixes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balancers(Vec<ipnet::IpNet>);

impl Balancers {
    pub fn new(nets: Vec<ipnet::IpNet>) -> Self {
        Balancers(nets)
    }

    /// True when `ip` is one of them (an IPv4-mapped IPv6 address counts
    /// as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        crate::limit::in_nets(&self.0, ip)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What a header said, and the bytes read past it (the client's first
/// bytes, replayed by [`Prefixed`]).
#[derive(Debug, PartialEq, Eq)]
pub struct Header {
    /// The real client; `None` for `LOCAL` / `UNKNOWN` (the connection's
    /// own address stands).
    pub source: Option<SocketAddr>,
    pub rest: Vec<u8>,
}

/// Reads a PROXY header (v1 or v2) from the start of `io`, within
/// `deadline`.
pub async fn read_header<S: AsyncRead + Unpin>(
    io: &mut S,
    deadline: Duration,
) -> Result<Header, ProxyError> {
    match tokio::time::timeout(deadline, read_header_inner(io)).await {
        Ok(r) => r,
        Err(_) => Err(ProxyError::Timeout),
    }
}

async fn read_header_inner<S: AsyncRead + Unpin>(io: &mut S) -> Result<Header, ProxyError> {
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    let mut chunk = [0u8; 256];
    loop {
        match parse(&buf)? {
            Some((source, used)) => {
                return Ok(Header {
                    source,
                    rest: buf.split_off(used),
                })
            }
            None => {
                let n = io
                    .read(&mut chunk)
                    .await
                    .map_err(|_| ProxyError::Truncated)?;
                if n == 0 {
                    return Err(ProxyError::Truncated);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
        }
    }
}

/// Parses a header at the start of `b`: `Ok(None)` when more bytes are
/// needed, else the source and the header's length.
pub fn parse(b: &[u8]) -> Result<Option<(Option<SocketAddr>, usize)>, ProxyError> {
    let sig_len = b.len().min(V2_SIG.len());
    if b[..sig_len] == V2_SIG[..sig_len] && !b.is_empty() {
        return parse_v2(b);
    }
    let pre = b.len().min(6);
    if b[..pre] == b"PROXY "[..pre] {
        return parse_v1(b);
    }
    Err(ProxyError::Missing)
}

fn parse_v1(b: &[u8]) -> Result<Option<(Option<SocketAddr>, usize)>, ProxyError> {
    let Some(end) = b.windows(2).position(|w| w == b"\r\n") else {
        return if b.len() >= V1_MAX {
            Err(ProxyError::BadV1)
        } else {
            Ok(None)
        };
    };
    if end + 2 > V1_MAX {
        return Err(ProxyError::BadV1);
    }
    let line = std::str::from_utf8(&b[..end]).map_err(|_| ProxyError::BadV1)?;
    let f: Vec<&str> = line.split(' ').collect();
    let source = match f.as_slice() {
        ["PROXY", "UNKNOWN", ..] => None,
        ["PROXY", proto @ ("TCP4" | "TCP6"), src, dst, sport, dport] => {
            let (s, d): (IpAddr, IpAddr) = (
                src.parse().map_err(|_| ProxyError::BadV1)?,
                dst.parse().map_err(|_| ProxyError::BadV1)?,
            );
            let v4 = *proto == "TCP4";
            if s.is_ipv4() != v4 || d.is_ipv4() != v4 {
                return Err(ProxyError::BadV1);
            }
            let port = |p: &str| -> Result<u16, ProxyError> {
                // decimal without leading zeros, as the specification writes them
                if p.is_empty() || (p.len() > 1 && p.starts_with('0')) {
                    return Err(ProxyError::BadV1);
                }
                p.parse().map_err(|_| ProxyError::BadV1)
            };
            port(dport)?;
            Some(SocketAddr::new(s, port(sport)?))
        }
        _ => return Err(ProxyError::BadV1),
    };
    Ok(Some((source, end + 2)))
}

fn parse_v2(b: &[u8]) -> Result<Option<(Option<SocketAddr>, usize)>, ProxyError> {
    if b.len() < 16 {
        return Ok(None);
    }
    let ver_cmd = b[12];
    if ver_cmd >> 4 != 2 {
        return Err(ProxyError::BadV2);
    }
    let len = u16::from_be_bytes([b[14], b[15]]) as usize;
    if len > V2_MAX_LEN {
        return Err(ProxyError::BadV2);
    }
    if b.len() < 16 + len {
        return Ok(None);
    }
    let body = &b[16..16 + len];
    let source = match ver_cmd & 0x0f {
        // LOCAL: the balancer's own connection (a health check)
        0 => None,
        1 => match b[13] {
            // TCP over IPv4, TCP over IPv6
            0x11 => {
                let a = body.get(..12).ok_or(ProxyError::BadV2)?;
                let ip = Ipv4Addr::new(a[0], a[1], a[2], a[3]);
                Some(SocketAddr::new(
                    IpAddr::V4(ip),
                    u16::from_be_bytes([a[8], a[9]]),
                ))
            }
            0x21 => {
                let a = body.get(..36).ok_or(ProxyError::BadV2)?;
                let mut o = [0u8; 16];
                o.copy_from_slice(&a[..16]);
                Some(SocketAddr::new(
                    IpAddr::V6(Ipv6Addr::from(o)),
                    u16::from_be_bytes([a[32], a[33]]),
                ))
            }
            // UNSPEC (and families tenure does not serve): no address
            0x00 => None,
            _ => return Err(ProxyError::BadV2),
        },
        _ => return Err(ProxyError::BadV2),
    };
    Ok(Some((source, 16 + len)))
}

/// A stream whose first bytes were read already (past a PROXY header):
/// they are read again first, then the stream's own.
pub struct Prefixed<S> {
    pre: Vec<u8>,
    pos: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    pub fn new(pre: Vec<u8>, inner: S) -> Self {
        Prefixed { pre, pos: 0, inner }
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.pos < self.pre.len() {
            let n = (self.pre.len() - self.pos).min(buf.remaining());
            let pos = self.pos;
            buf.put_slice(&self.pre[pos..pos + n]);
            self.pos += n;
            if self.pos == self.pre.len() {
                self.pre = Vec::new();
                self.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// How long a balancer has to send the header.
pub const HEADER_DEADLINE: Duration = Duration::from_secs(5);

/// The client of a connection accepted on a listener: its own address, or,
/// where the listener speaks the PROXY protocol (`balancers` not empty),
/// the one its header names, with the bytes read past the header. `Err`:
/// the connection is to be closed (logged by the caller once per run of
/// refusals, never per connection).
pub async fn client_of<S: AsyncRead + Unpin>(
    io: &mut S,
    peer: SocketAddr,
    balancers: &Balancers,
) -> Result<(SocketAddr, Vec<u8>), ProxyError> {
    if balancers.is_empty() {
        return Ok((peer, Vec::new()));
    }
    if !balancers.contains(peer.ip()) {
        return Err(ProxyError::NotBalancer);
    }
    let h = read_header(io, HEADER_DEADLINE).await?;
    Ok((h.source.unwrap_or(peer), h.rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(cmd: u8, fam: u8, body: &[u8]) -> Vec<u8> {
        let mut v = V2_SIG.to_vec();
        v.push(0x20 | cmd);
        v.push(fam);
        v.extend_from_slice(&(body.len() as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn version_1_headers() {
        let h = b"PROXY TCP4 203.0.113.7 192.0.2.1 51234 43\r\nGET";
        let (src, used) = parse(h).unwrap().unwrap();
        assert_eq!(src, Some("203.0.113.7:51234".parse().unwrap()));
        assert_eq!(&h[used..], b"GET");
        let h = b"PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n";
        assert_eq!(
            parse(h).unwrap().unwrap().0,
            Some("[2001:db8::7]:4000".parse().unwrap())
        );
        assert_eq!(parse(b"PROXY UNKNOWN\r\n").unwrap(), Some((None, 15)));
        assert_eq!(
            parse(b"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")
                .unwrap()
                .unwrap()
                .0,
            None
        );
        // incomplete: more bytes wanted
        assert_eq!(parse(b"PROXY TCP4 203.0.113.7").unwrap(), None);
        assert_eq!(parse(b"PRO").unwrap(), None);
        // refused
        for bad in [
            &b"PROXY TCP4 203.0.113.7 192.0.2.1 51234\r\n"[..],
            b"PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n",
            b"PROXY TCP4 203.0.113.7 192.0.2.1 0123 43\r\n",
            b"PROXY TCP4 203.0.113.7 192.0.2.1 70000 43\r\n",
            b"PROXY TCP5 203.0.113.7 192.0.2.1 1 43\r\n",
            b"PROXY  TCP4 203.0.113.7 192.0.2.1 1 43\r\n",
        ] {
            assert_eq!(
                parse(bad),
                Err(ProxyError::BadV1),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(parse(&[b'x'; 3]), Err(ProxyError::Missing));
        assert_eq!(parse(b"GET / HTTP/1.1\r\n"), Err(ProxyError::Missing));
        let long = format!("PROXY TCP4 {}", "1".repeat(120));
        assert_eq!(parse(long.as_bytes()), Err(ProxyError::BadV1));
    }

    #[test]
    fn version_2_headers() {
        let mut body = vec![203, 0, 113, 7, 192, 0, 2, 1];
        body.extend_from_slice(&51234u16.to_be_bytes());
        body.extend_from_slice(&43u16.to_be_bytes());
        let mut h = v2(1, 0x11, &body);
        h.extend_from_slice(b"rest");
        let (src, used) = parse(&h).unwrap().unwrap();
        assert_eq!(src, Some("203.0.113.7:51234".parse().unwrap()));
        assert_eq!(&h[used..], b"rest");
        // IPv6, with a TLV after the addresses
        let mut body = "2001:db8::7".parse::<Ipv6Addr>().unwrap().octets().to_vec();
        body.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        body.extend_from_slice(&4000u16.to_be_bytes());
        body.extend_from_slice(&443u16.to_be_bytes());
        body.extend_from_slice(&[0x05, 0, 2, b'i', b'd']);
        let h = v2(1, 0x21, &body);
        assert_eq!(
            parse(&h).unwrap().unwrap().0,
            Some("[2001:db8::7]:4000".parse().unwrap())
        );
        // LOCAL: the balancer's own connection
        assert_eq!(parse(&v2(0, 0, &[])).unwrap(), Some((None, 16)));
        // incomplete
        assert_eq!(parse(&h[..20]).unwrap(), None);
        assert_eq!(parse(&h[..5]).unwrap(), None);
        // refused: version 1 in the binary form, a short address block,
        // an unknown command, an over-long block
        let mut bad = v2(1, 0x11, &[0; 12]);
        bad[12] = 0x11;
        assert_eq!(parse(&bad), Err(ProxyError::BadV2));
        assert_eq!(parse(&v2(1, 0x11, &[0; 6])), Err(ProxyError::BadV2));
        assert_eq!(parse(&v2(2, 0x11, &[0; 12])), Err(ProxyError::BadV2));
        assert_eq!(parse(&v2(1, 0x11, &vec![0; 3000])), Err(ProxyError::BadV2));
    }

    #[test]
    fn balancers_and_the_header_on_a_stream() {
        let b = Balancers::new(vec!["127.0.0.0/8".parse().unwrap()]);
        assert!(b.contains("127.0.0.5".parse().unwrap()));
        assert!(b.contains("::ffff:127.0.0.5".parse().unwrap()));
        assert!(!b.contains("192.0.2.1".parse().unwrap()));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
            // the header comes in pieces; the client's bytes after it are kept
            let (mut a, mut z) = tokio::io::duplex(64);
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                z.write_all(b"PROXY TCP4 203.0.113.7 ").await.unwrap();
                z.write_all(b"192.0.2.1 5 43\r\n192.0.2.9\r\n")
                    .await
                    .unwrap();
            });
            let (client, rest) = client_of(&mut a, peer, &b).await.unwrap();
            assert_eq!(client, "203.0.113.7:5".parse().unwrap());
            let mut p = Prefixed::new(rest, a);
            let mut s = String::new();
            p.read_to_string(&mut s).await.unwrap();
            assert_eq!(s, "192.0.2.9\r\n");
            // not from a balancer; no header; none in time
            let other: SocketAddr = "192.0.2.1:9".parse().unwrap();
            let (mut a, _z) = tokio::io::duplex(64);
            assert_eq!(
                client_of(&mut a, other, &b).await,
                Err(ProxyError::NotBalancer)
            );
            let (mut a, mut z) = tokio::io::duplex(64);
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                z.write_all(b"192.0.2.9\r\n").await.unwrap();
            });
            assert_eq!(client_of(&mut a, peer, &b).await, Err(ProxyError::Missing));
            let (mut a, _z) = tokio::io::duplex(64);
            assert_eq!(
                read_header(&mut a, Duration::from_millis(50)).await,
                Err(ProxyError::Timeout)
            );
            // without balancers the connection's own address stands
            let (mut a, _z) = tokio::io::duplex(64);
            assert_eq!(
                client_of(&mut a, other, &Balancers::default()).await,
                Ok((other, Vec::new()))
            );
        });
    }
}
