//! Outbound HTTP(S): the one module that opens connections to other hosts
//! (`tenure fetch` uses it). HTTP/1.1 over rustls (TLS 1.2 and 1.3, the
//! ring provider the server uses), one connection per request, redirects
//! followed (at most [`MAX_REDIRECTS`]), and a stall deadline on every step:
//! connecting, the TLS handshake, the response head and each piece of the
//! body. Certificates are checked against the system's CA bundle and any
//! PEM files the operator names (tests name their local server's).

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// Where Debian, Fedora/RHEL, Alpine and SUSE keep the system CA bundle;
/// the first that reads is used.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
    "/etc/ssl/ca-bundle.pem",
];

/// What went wrong with an outbound request.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}: not an http or https URL")]
    Url(String),
    #[error("{path}: {message}")]
    Trust { path: PathBuf, message: String },
    #[error("no CA certificates: none of {SYSTEM_BUNDLES:?} reads and no fetch-ca-file is given")]
    NoTrust,
    #[error("{host}: {source}")]
    Connect {
        host: String,
        source: std::io::Error,
    },
    #[error("{host}: TLS: {source}")]
    Tls {
        host: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Http(#[from] hyper::Error),
    #[error("{what} stalled for {secs} s")]
    Stalled { what: &'static str, secs: u64 },
    #[error("more than {MAX_REDIRECTS} redirects from {0}")]
    Redirects(String),
    #[error("over {0} bytes")]
    TooLong(usize),
    #[error("truncated: {got} of {want} bytes")]
    Truncated { got: u64, want: u64 },
}

/// An HTTP(S) client for `fetch`.
#[derive(Clone)]
pub struct Client {
    tls: Arc<rustls::ClientConfig>,
    stall: Duration,
}

/// A response whose body is read piece by piece.
pub struct Response {
    pub status: u16,
    /// The URL that answered (after redirects).
    pub url: String,
    pub headers: hyper::HeaderMap,
    body: Incoming,
    stall: Duration,
}

impl Response {
    /// A header's value as text, if present and readable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `Content-Length`, if given.
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")
            .and_then(|v| v.trim().parse().ok())
    }

    /// The whole body, at most `limit` bytes, as long as `Content-Length`
    /// said (for the small files read whole: checksums, logs, NRTMv4).
    pub async fn body(&mut self, limit: usize) -> Result<Vec<u8>, ClientError> {
        let mut body = Vec::new();
        while let Some(c) = self.chunk().await? {
            body.extend_from_slice(&c);
            if body.len() > limit {
                return Err(ClientError::TooLong(limit));
            }
        }
        if let Some(want) = self.content_length() {
            if body.len() as u64 != want {
                return Err(ClientError::Truncated {
                    got: body.len() as u64,
                    want,
                });
            }
        }
        Ok(body)
    }

    /// The next piece of the body, `None` at its end; a piece must arrive
    /// within the stall deadline.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, ClientError> {
        loop {
            let frame = tokio::time::timeout(self.stall, self.body.frame())
                .await
                .map_err(|_| ClientError::Stalled {
                    what: "body",
                    secs: self.stall.as_secs(),
                })?;
            match frame {
                None => return Ok(None),
                Some(f) => {
                    if let Ok(data) = f?.into_data() {
                        return Ok(Some(data));
                    }
                }
            }
        }
    }
}

impl Client {
    /// A client trusting the system's CA bundle (when `system`) and the
    /// certificates of `ca_files`; `stall` bounds every wait.
    pub fn new(ca_files: &[PathBuf], system: bool, stall: Duration) -> Result<Client, ClientError> {
        let mut roots = rustls::RootCertStore::empty();
        for path in ca_files {
            add_pem(&mut roots, path)?;
        }
        if system {
            let found = SYSTEM_BUNDLES
                .iter()
                .any(|p| Path::new(p).is_file() && add_pem(&mut roots, Path::new(p)).is_ok());
            if !found && ca_files.is_empty() {
                return Err(ClientError::NoTrust);
            }
        }
        if roots.is_empty() {
            return Err(ClientError::NoTrust);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ClientError::Trust {
                path: PathBuf::new(),
                message: e.to_string(),
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Client {
            tls: Arc::new(tls),
            stall: stall.max(Duration::from_millis(100)),
        })
    }

    /// `method` on `url` with extra request headers, following redirects.
    pub async fn request(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
    ) -> Result<Response, ClientError> {
        let mut url = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            let resp = self.once(method.clone(), &url, headers).await?;
            let status = resp.status().as_u16();
            let location = resp
                .headers()
                .get(hyper::header::LOCATION)
                .and_then(|v| v.to_str().ok());
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                if let Some(loc) = location {
                    url = resolve(&url, loc);
                    continue;
                }
            }
            let (parts, body) = resp.into_parts();
            return Ok(Response {
                status,
                url,
                headers: parts.headers,
                body,
                stall: self.stall,
            });
        }
        Err(ClientError::Redirects(url))
    }

    async fn once(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
    ) -> Result<hyper::Response<Incoming>, ClientError> {
        let uri: Uri = url.parse().map_err(|_| ClientError::Url(url.into()))?;
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(ClientError::Url(url.into())),
        };
        let host = uri
            .host()
            .ok_or_else(|| ClientError::Url(url.into()))?
            .to_string();
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        // a bracketed IPv6 literal connects without its brackets
        let bare = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let stalled = |what| ClientError::Stalled {
            what,
            secs: self.stall.as_secs(),
        };
        let tcp = tokio::time::timeout(
            self.stall,
            tokio::net::TcpStream::connect((bare.as_str(), port)),
        )
        .await
        .map_err(|_| stalled("connect"))?
        .map_err(|source| ClientError::Connect {
            host: host.clone(),
            source,
        })?;
        let _ = tcp.set_nodelay(true);
        let authority = uri
            .authority()
            .map(|a| a.as_str().to_string())
            .unwrap_or_else(|| host.clone());
        let path = uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .to_string();
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, authority)
            .header(
                hyper::header::USER_AGENT,
                concat!("tenure/", env!("CARGO_PKG_VERSION")),
            );
        for (name, value) in headers {
            req = req.header(*name, value.as_str());
        }
        let req = req
            .body(Empty::<Bytes>::new())
            .map_err(|_| ClientError::Url(url.into()))?;
        if tls {
            let name =
                ServerName::try_from(bare.clone()).map_err(|_| ClientError::Url(url.into()))?;
            let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
            let stream = tokio::time::timeout(self.stall, connector.connect(name, tcp))
                .await
                .map_err(|_| stalled("TLS handshake"))?
                .map_err(|source| ClientError::Tls { host, source })?;
            self.send(stream, req).await
        } else {
            self.send(tcp, req).await
        }
    }

    async fn send<IO>(
        &self,
        io: IO,
        req: Request<Empty<Bytes>>,
    ) -> Result<hyper::Response<Incoming>, ClientError>
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io)).await?;
        tokio::spawn(async move {
            // the connection ends with the body or with an error the
            // response reports
            let _ = conn.await;
        });
        tokio::time::timeout(self.stall, sender.send_request(req))
            .await
            .map_err(|_| ClientError::Stalled {
                what: "response",
                secs: self.stall.as_secs(),
            })?
            .map_err(ClientError::Http)
    }
}

fn add_pem(roots: &mut rustls::RootCertStore, path: &Path) -> Result<(), ClientError> {
    let trust = |message: String| ClientError::Trust {
        path: path.into(),
        message,
    };
    let mut n = 0;
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| trust(e.to_string()))? {
        let cert = cert.map_err(|e| trust(e.to_string()))?;
        // a bundle may hold certificates rustls cannot use; the rest serve
        if roots.add(cert).is_ok() {
            n += 1;
        }
    }
    if n == 0 {
        return Err(trust("no usable certificate".into()));
    }
    Ok(())
}

/// A redirect's `Location` made absolute against the URL that sent it.
pub fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let after_scheme = base.get(scheme_end..).unwrap_or("");
    let host_end = scheme_end + after_scheme.find('/').unwrap_or(after_scheme.len());
    let origin = base.get(..host_end).unwrap_or(base);
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    let path = base.get(host_end..).unwrap_or("");
    match path.rfind('/') {
        Some(i) => format!("{origin}{}{location}", path.get(..=i).unwrap_or("/")),
        None => format!("{origin}/{location}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_resolve_against_their_base() {
        assert_eq!(
            resolve("https://a.example/x/y.gz", "https://b.example/z"),
            "https://b.example/z"
        );
        assert_eq!(
            resolve("https://a.example/x/y.gz", "/z"),
            "https://a.example/z"
        );
        assert_eq!(
            resolve("https://a.example/x/y.gz", "z.gz"),
            "https://a.example/x/z.gz"
        );
        assert_eq!(resolve("https://a.example", "z"), "https://a.example/z");
    }
}
