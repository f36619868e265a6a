//! The connection layer of the WHOIS server: reading one query line of
//! bounded length (CRLF or LF, lossy UTF-8) and writing an answer within
//! the write timeout.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// One line read from a client.
pub(super) enum Line {
    Text(String),
    TooLong,
    Eof,
}

/// Reads one line of at most `max` bytes (CRLF or LF; CR stripped).
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
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let end = if done { take - 1 } else { take };
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
