//! The HTTP transport for RDAP: hyper (HTTP/1.1 and HTTP/2) on tokio, plain
//! or over rustls (TLS 1.2 and 1.3, ALPN `h2` and `http/1.1`). This is the
//! only serving module that names hyper and rustls (`outbound` is the
//! client side); every status code and header
//! comes from [`crate::rdap::handle`].
//!
//! Without a configured certificate, HTTPS uses a self-signed one generated
//! at start for `localhost`, `127.0.0.1` and `::1`, written (with its key,
//! mode 0600) to a directory that is logged. The TLS configuration sits in a
//! [`TlsHolder`] so a reload can replace it: new connections use the new
//! certificate, open ones keep theirs.
//!
//! Each request takes the snapshot current when it arrives and answers from
//! it. A request whose handling fails in an unexpected way is answered 500
//! with an RDAP error body rather than dropping the connection.

use crate::limit::Shutdown;
use crate::rdap::{self, RdapConfig};
use crate::snapshot::Current;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;

/// What every HTTP connection shares.
pub struct HttpShared {
    pub current: Arc<Current>,
    pub rdap: RdapConfig,
    /// `http` or `https`, for the links in answers.
    pub scheme: &'static str,
    /// Per-client request rate, one bucket per client across the plain
    /// and the TLS listeners.
    pub limiter: Arc<crate::limit::RateLimiter>,
    /// Open connections, in all and per client, across both listeners.
    pub admission: Arc<crate::limit::Admission>,
    /// The balancers in front of this scheme's listeners, whose PROXY
    /// headers name the real clients (empty: no PROXY protocol).
    pub balancers: crate::proxy::Balancers,
}

impl HttpShared {
    /// Shared state for one scheme, with a new rate limiter and the
    /// default connection caps.
    pub fn new(current: Arc<Current>, rdap: RdapConfig, scheme: &'static str) -> Arc<Self> {
        Self::with_caps(
            current,
            rdap,
            scheme,
            crate::config::defaults::MAX_CONNECTIONS,
            crate::config::defaults::MAX_CONNECTIONS_PER_CLIENT,
        )
    }

    /// [`HttpShared::new`] with connection caps: in all, and per client
    /// (IPv6 per /64).
    pub fn with_caps(
        current: Arc<Current>,
        rdap: RdapConfig,
        scheme: &'static str,
        max_total: usize,
        max_per_client: usize,
    ) -> Arc<Self> {
        let limiter = Arc::new(
            crate::limit::RateLimiter::new(rdap.settings.rate, rdap.settings.burst)
                .exempting(rdap.settings.rate_exempt.clone()),
        );
        let balancers = balancers_of(&rdap, scheme);
        Arc::new(HttpShared {
            current,
            rdap,
            scheme,
            limiter,
            admission: crate::limit::Admission::new(max_total, max_per_client),
            balancers,
        })
    }

    /// The same state for another scheme: the same snapshot, settings,
    /// answer cache and rate limiter (a client's HTTP and HTTPS requests
    /// draw on one bucket).
    pub fn with_scheme(&self, scheme: &'static str) -> Arc<Self> {
        Arc::new(HttpShared {
            current: Arc::clone(&self.current),
            rdap: self.rdap.clone(),
            scheme,
            limiter: Arc::clone(&self.limiter),
            admission: Arc::clone(&self.admission),
            balancers: balancers_of(&self.rdap, scheme),
        })
    }
}

/// The balancers configured in front of one scheme's listeners.
fn balancers_of(rdap: &RdapConfig, scheme: &str) -> crate::proxy::Balancers {
    crate::proxy::Balancers::new(match scheme {
        "https" => rdap.settings.https_proxy_from.clone(),
        _ => rdap.settings.http_proxy_from.clone(),
    })
}

/// Time a client has to send its request headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Time a client has to take some of an answer before it is dropped.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Time a client has to complete the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate or key file could not be read or parsed.
    #[error("cannot read TLS {what} {path}: {message}")]
    Pem {
        what: &'static str,
        path: PathBuf,
        message: String,
    },
    /// Only one of certificate and key was given.
    #[error("--tls-cert and --tls-key go together")]
    Half,
    /// rustls refused the certificate and key.
    #[error("TLS configuration refused: {0}")]
    Config(String),
    /// The self-signed certificate could not be made or written.
    #[error("cannot create a self-signed certificate in {path}: {message}")]
    SelfSigned { path: PathBuf, message: String },
}

/// The TLS configuration in force; replaced whole on reload.
pub struct TlsHolder(RwLock<Arc<rustls::ServerConfig>>);

impl TlsHolder {
    pub fn new(cfg: Arc<rustls::ServerConfig>) -> Self {
        TlsHolder(RwLock::new(cfg))
    }

    pub fn get(&self) -> Arc<rustls::ServerConfig> {
        match self.0.read() {
            Ok(c) => c.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn install(&self, cfg: Arc<rustls::ServerConfig>) {
        match self.0.write() {
            Ok(mut c) => *c = cfg,
            Err(p) => *p.into_inner() = cfg,
        }
    }
}

/// Builds the TLS configuration from PEM files, or from a self-signed
/// certificate written under `selfsigned_dir` when no files are given.
/// Returns the configuration and, when generated, the certificate's path.
pub fn tls_config(
    cert: Option<&Path>,
    key: Option<&Path>,
    selfsigned_dir: &Path,
) -> Result<(Arc<rustls::ServerConfig>, Option<PathBuf>), TlsError> {
    let (certs, key, generated) = match (cert, key) {
        (Some(c), Some(k)) => {
            let pem = |what, path: &Path, e: rustls_pki_types::pem::Error| TlsError::Pem {
                what,
                path: path.into(),
                message: e.to_string(),
            };
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(c)
                .map_err(|e| pem("certificate", c, e))?
                .collect::<Result<_, _>>()
                .map_err(|e| pem("certificate", c, e))?;
            if certs.is_empty() {
                return Err(TlsError::Pem {
                    what: "certificate",
                    path: c.into(),
                    message: "no certificate in the file".into(),
                });
            }
            let key = PrivateKeyDer::from_pem_file(k).map_err(|e| pem("key", k, e))?;
            (certs, key, None)
        }
        (None, None) => {
            let (cert, key, path) = self_signed(selfsigned_dir)?;
            (vec![cert], key, Some(path))
        }
        _ => return Err(TlsError::Half),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    // session resumption: stateless tickets (keys rotate every 6 hours)
    // and a session-id cache for TLS 1.2 clients
    cfg.ticketer =
        rustls::crypto::ring::Ticketer::new().map_err(|e| TlsError::Config(e.to_string()))?;
    cfg.session_storage = rustls::server::ServerSessionMemoryCache::new(16 * 1024);
    Ok((Arc::new(cfg), generated))
}

fn self_signed(
    dir: &Path,
) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>, PathBuf), TlsError> {
    let fail = |e: String| TlsError::SelfSigned {
        path: dir.into(),
        message: e,
    };
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let made = rcgen::generate_simple_self_signed(names).map_err(|e| fail(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let cert_path = dir.join("selfsigned-cert.pem");
    let key_path = dir.join("selfsigned-key.pem");
    std::fs::write(&cert_path, made.cert.pem()).map_err(|e| fail(e.to_string()))?;
    write_private(&key_path, made.key_pair.serialize_pem().as_bytes())
        .map_err(|e| fail(e.to_string()))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.key_pair.serialize_der()));
    Ok((made.cert.der().clone(), key, cert_path))
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(bytes)
}

/// Serves one connection (plain or TLS) with HTTP/1.1 and HTTP/2.
async fn serve_io<I>(io: I, shared: Arc<HttpShared>, peer: std::net::IpAddr, stop: Shutdown)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let listener = if shared.scheme == "https" {
        crate::metrics::Listener::Https
    } else {
        crate::metrics::Listener::Http
    };
    let _open = crate::metrics::METRICS.connection(listener);
    let service = hyper::service::service_fn(move |req| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, std::convert::Infallible>(answer(&shared, req, peer)) }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    crate::limit::serve_http_connection(conn, &stop).await;
}

/// Serves plain HTTP until the stop begins.
pub async fn run(listener: TcpListener, shared: Arc<HttpShared>, stop: Shutdown) {
    let conn_stop = stop.clone();
    crate::limit::accept_loop(listener, "http", stop, move |mut stream, from| {
        let shared = Arc::clone(&shared);
        let stop = conn_stop.clone();
        async move {
            // behind a balancer, the client its PROXY header names
            let Some((peer, early)) = proxied(&mut stream, from, &shared).await else {
                return;
            };
            // past a connection cap: closed at once
            let Some(_admitted) = shared.admission.admit(crate::limit::client_key(peer.ip()))
            else {
                tracing::debug!("http {} refused: too many connections", peer.ip());
                return;
            };
            // a connection that sends nothing is closed when the time to
            // send a request head has passed
            let mut first = [0u8; 1];
            if early.is_empty()
                && !matches!(
                    tokio::time::timeout(HEADER_TIMEOUT, stream.peek(&mut first)).await,
                    Ok(Ok(1..))
                )
            {
                return;
            }
            // a client that does not take its answers is dropped after WRITE_TIMEOUT
            let io = crate::limit::WriteDeadline::new(
                crate::proxy::Prefixed::new(early, stream),
                WRITE_TIMEOUT,
            );
            serve_io(io, shared, peer.ip(), stop).await
        }
    })
    .await
}

/// Serves HTTPS until `shutdown` completes; each connection uses the TLS
/// configuration current when it arrives.
pub async fn run_tls(
    listener: TcpListener,
    shared: Arc<HttpShared>,
    tls: Arc<TlsHolder>,
    stop: Shutdown,
) {
    let conn_stop = stop.clone();
    crate::limit::accept_loop(listener, "https", stop, move |mut stream, from| {
        let shared = Arc::clone(&shared);
        let stop = conn_stop.clone();
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.get());
        async move {
            let Some((peer, early)) = proxied(&mut stream, from, &shared).await else {
                return;
            };
            let Some(_admitted) = shared.admission.admit(crate::limit::client_key(peer.ip()))
            else {
                tracing::debug!("https {} refused: too many connections", peer.ip());
                return;
            };
            let stream = crate::proxy::Prefixed::new(early, stream);
            if let Ok(Ok(tls_stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            {
                // idle after the handshake: closed when no request byte
                // comes in the time to send a request head
                let io = crate::limit::WriteDeadline::with_first_read(
                    tls_stream,
                    WRITE_TIMEOUT,
                    HEADER_TIMEOUT,
                );
                serve_io(io, shared, peer.ip(), stop).await;
            }
        }
    })
    .await
}

/// The client of a connection: its own address, or behind a balancer the
/// one its PROXY header names, with the bytes read past the header; `None`
/// when the connection is to be closed (counted, and logged at debug
/// level).
async fn proxied(
    stream: &mut tokio::net::TcpStream,
    from: std::net::SocketAddr,
    shared: &HttpShared,
) -> Option<(std::net::SocketAddr, Vec<u8>)> {
    match crate::proxy::client_of(stream, from, &shared.balancers).await {
        Ok(c) => Some(c),
        Err(e) => {
            let listener = if shared.scheme == "https" {
                crate::metrics::Listener::Https
            } else {
                crate::metrics::Listener::Http
            };
            crate::metrics::METRICS.proxy_refused(listener);
            tracing::debug!("{} connection from {from} closed: {e}", shared.scheme);
            None
        }
    }
}

/// Counts one RDAP request: its kind from the route, its outcome from the
/// status.
fn record(
    target: &str,
    kind: crate::metrics::Kind,
    status: u16,
    took: Duration,
    client: std::net::IpAddr,
) {
    use crate::metrics::Outcome;
    let outcome = match status {
        200..=299 => Outcome::Ok,
        300..=399 => Outcome::Redirect,
        404 => Outcome::NotFound,
        429 => Outcome::RateLimited,
        400..=499 | 501 => Outcome::BadRequest,
        _ => Outcome::Error,
    };
    crate::metrics::METRICS.query(crate::metrics::Protocol::Rdap, kind, outcome, took);
    tracing::debug!(
        "rdap {client} {target} {status} {:?} in {:.0} us",
        kind,
        took.as_secs_f64() * 1e6
    );
}

/// The lookup page ([`crate::web`]) as a response: HTML, no scripts
/// allowed by its content security policy.
fn lookup_page(
    snap: &crate::snapshot::Snapshot,
    cfg: &RdapConfig,
    method: &hyper::Method,
    target: &str,
) -> rdap::Response {
    let headers = |ct: &'static str| -> Vec<(&'static str, std::borrow::Cow<'static, str>)> {
        vec![
            ("content-type", ct.into()),
            (
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'".into(),
            ),
            ("x-content-type-options", "nosniff".into()),
            ("cache-control", "no-cache".into()),
        ]
    };
    if method != hyper::Method::GET && method != hyper::Method::HEAD {
        let mut h = headers("text/plain; charset=utf-8");
        h.push(("allow", "GET, HEAD".into()));
        return rdap::Response {
            status: 405,
            kind: crate::metrics::Kind::Other,
            headers: h,
            body: b"the lookup page answers GET and HEAD\n".to_vec(),
        };
    }
    let q = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let params = rdap::query_params(q);
    let page = crate::web::page(snap, &params, crate::time::now(), &cfg.settings.base_path);
    rdap::Response {
        status: page.status,
        kind: crate::metrics::Kind::Other,
        headers: headers("text/html; charset=utf-8"),
        body: if method == hyper::Method::HEAD {
            Vec::new()
        } else {
            page.html.into_bytes()
        },
    }
}

/// One request, answered by the RDAP layer.
fn answer(
    shared: &HttpShared,
    req: Request<Incoming>,
    peer: std::net::IpAddr,
) -> Response<Full<Bytes>> {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let accept = req
        .headers()
        .get(hyper::header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let host = req
        .uri()
        .authority()
        .map(|a| a.as_str())
        .or_else(|| {
            req.headers()
                .get(hyper::header::HOST)
                .and_then(|v| v.to_str().ok())
        })
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let origin = [shared.scheme, "://", host].concat();
    let snap = shared.current.get();
    let asked = std::time::Instant::now();
    let page_path = target.split('?').next() == Some("/");
    let r = match shared.limiter.take(peer) {
        Err(wait) => rdap::over_rate(&snap, &shared.rdap, &origin, wait),
        Ok(()) => crate::guard::contain(crate::metrics::Protocol::Rdap, target, || {
            if page_path {
                lookup_page(&snap, &shared.rdap, req.method(), target)
            } else {
                let rdap_req = rdap::Request {
                    method: req.method().as_str(),
                    target,
                    accept,
                    origin: &origin,
                };
                let run = || rdap::handle(&snap, &shared.rdap, &rdap_req, crate::time::now());
                // a past time may load an older compiled snapshot (a second
                // at millions of networks): the worker says it blocks
                let multi = tokio::runtime::Handle::try_current().is_ok_and(|h| {
                    h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
                });
                if multi && target.contains("lease0_at=") {
                    tokio::task::block_in_place(run)
                } else {
                    run()
                }
            }
        })
        .unwrap_or_else(rdap::internal_error),
    };
    record(target, r.kind, r.status, asked.elapsed(), peer);
    // RFC 9110 section 13.1.2: the tag the client holds is current: 304
    let mut r = r;
    let held = req
        .headers()
        .get(hyper::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if let Some(held) = held.filter(|_| {
        r.status == 200 && matches!(*req.method(), hyper::Method::GET | hyper::Method::HEAD)
    }) {
        let etag = r
            .headers
            .iter()
            .find(|(n, _)| *n == "etag")
            .map(|(_, v)| v.to_string());
        if let Some(etag) = etag {
            let matches = held
                .split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag);
            if matches {
                r.status = 304;
                r.body.clear();
                r.headers.retain(|(n, _)| {
                    matches!(*n, "etag" | "cache-control" | "access-control-allow-origin")
                });
            }
        }
    }
    let Ok(status) = hyper::StatusCode::from_u16(r.status) else {
        let mut resp = Response::new(Full::new(Bytes::from_static(
            br#"{"rdapConformance":["rdap_level_0"],"errorCode":500,"title":"Internal Server Error"}"#,
        )));
        *resp.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        return resp;
    };
    // the response's parts filled in place (a builder moves them at
    // every header)
    let mut resp = Response::new(Full::new(Bytes::from(r.body)));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    headers.reserve(r.headers.len());
    for (name, value) in r.headers {
        let name = hyper::header::HeaderName::from_static(name);
        let value = match value {
            std::borrow::Cow::Borrowed(v) => Ok(hyper::header::HeaderValue::from_static(v)),
            std::borrow::Cow::Owned(v) => hyper::header::HeaderValue::try_from(v),
        };
        if let Ok(v) = value {
            headers.append(name, v);
        }
    }
    resp
}
