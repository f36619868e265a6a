//! The connection layer of the WHOIS server: reading one query line of
//! bounded length (CRLF or LF, lossy UTF-8; a telnet client's interrupt
//! ends it too, as RIPE's server does) and writing an answer within the
//! write timeout.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// One line read from a client.
pub(super) enum Line {
    Text(String),
    TooLong,
    Eof,
}

/// Telnet's "interrupt process" (IAC IP, RFC 854), sent by a telnet client
/// on Ctrl-C, usually followed by IAC DO TIMING-MARK (RFC 860).
const INTERRUPT: &[u8] = b"\xff\xf4";
const TIMING_MARK: &[u8] = b"\xff\xfd\x06";

/// Where a line ends in `chunk`: `(bytes of the line, bytes to consume)`,
/// at a newline or a telnet interrupt, whichever comes first.
fn line_end(chunk: &[u8]) -> Option<(usize, usize)> {
    let newline = memchr::memchr(b'\n', chunk).map(|i| (i, i + 1));
    // an interrupt matters only before the newline (a bulk session's
    // buffer holds thousands of lines: not searched to its end each line)
    let before = chunk
        .get(..newline.map_or(chunk.len(), |n| n.0))
        .unwrap_or(chunk);
    let interrupt = memchr::memmem::find(before, INTERRUPT).map(|i| {
        let after = i + INTERRUPT.len();
        let mark = chunk
            .get(after..)
            .is_some_and(|rest| rest.starts_with(TIMING_MARK));
        (i, after + if mark { TIMING_MARK.len() } else { 0 })
    });
    match (newline, interrupt) {
        (Some(n), Some(t)) => Some(if t.0 < n.0 { t } else { n }),
        (n, t) => n.or(t),
    }
}

/// Reads one line of at most `max` bytes (CRLF or LF; CR stripped; a
/// telnet interrupt ends it).
pub(super) async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
    max: usize,
) -> std::io::Result<Line> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(if buf.is_empty() {
                Line::Eof
            } else {
                Line::Text(String::from_utf8_lossy(&buf).into_owned())
            });
        }
        let (end, take, done) = match line_end(chunk) {
            Some((end, take)) => (end, take, true),
            None => (chunk.len(), chunk.len(), false),
        };
        if buf.len() + end > max {
            return Ok(Line::TooLong);
        }
        buf.extend_from_slice(&chunk[..end]);
        r.consume(take);
        if done {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Line::Text(String::from_utf8_lossy(&buf).into_owned()));
        }
    }
}

/// A whole line the reader holds already, taken without waiting: no
/// timer is set for it (the common case of a bulk session whose input
/// came at once). `None` when no whole line of at most `max` bytes is
/// buffered: [`read_line`] then reads it (and reports one too long).
pub(super) fn buffered_line<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
    max: usize,
) -> Option<Line> {
    use std::task::{Context, Poll};
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let Poll::Ready(Ok(chunk)) = std::pin::Pin::new(&mut *r).poll_fill_buf(&mut cx) else {
        return None;
    };
    let (end, take) = line_end(chunk)?;
    let line = chunk.get(..end).filter(|_| end <= max)?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = String::from_utf8_lossy(line).into_owned();
    std::pin::Pin::new(&mut *r).consume(take);
    Some(Line::Text(text))
}

pub(super) async fn write_all<W: tokio::io::AsyncWrite + Unpin>(
    w: &mut W,
    text: &str,
    limit: Duration,
) -> bool {
    let write = async {
        w.write_all(text.as_bytes()).await?;
        w.flush().await
    };
    matches!(tokio::time::timeout(limit, write).await, Ok(Ok(())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newline_or_a_telnet_interrupt_ends_a_line() {
        assert_eq!(line_end(b"192.0.2.1\r\nmore"), Some((10, 11)));
        assert_eq!(line_end(b"192.0.2.1"), None);
        // Ctrl-C in telnet: IAC IP IAC DO TIMING-MARK, all consumed
        assert_eq!(line_end(b"192.0.2.1\xff\xf4\xff\xfd\x06"), Some((9, 14)));
        assert_eq!(line_end(b"ab\xff\xf4\n"), Some((2, 4)));
        assert_eq!(line_end(b"ab\ncd\xff\xf4"), Some((2, 3)));
    }
}
