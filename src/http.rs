//! The HTTP transport for RDAP: hyper (HTTP/1.1 and HTTP/2) on tokio. This
//! is the only module that names hyper; every status code and header comes
//! from [`crate::rdap::handle`].
//!
//! Each request takes the snapshot current when it arrives and answers from
//! it. A request whose handling fails in an unexpected way is answered 500
//! with an RDAP error body rather than dropping the connection.

use crate::rdap::{self, RdapConfig};
use crate::snapshot::Current;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// What every HTTP connection shares.
pub struct HttpShared {
    pub current: Arc<Current>,
    pub rdap: RdapConfig,
    /// `http` or `https`, for the links in answers.
    pub scheme: &'static str,
}

/// Time a client has to send its request headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves plain HTTP until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    shared: Arc<HttpShared>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let shared = Arc::clone(&shared);
                            async move { Ok::<_, std::convert::Infallible>(answer(&shared, req)) }
                        });
                        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                        builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
                        let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                    });
                }
                Err(e) => {
                    tracing::warn!("http accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// One request, answered by the RDAP layer.
fn answer(shared: &HttpShared, req: Request<Incoming>) -> Response<Full<Bytes>> {
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
        .map(|a| a.as_str().to_string())
        .or_else(|| {
            req.headers()
                .get(hyper::header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or_else(|| "localhost".into());
    let origin = format!("{}://{}", shared.scheme, host);
    let snap = shared.current.get();
    let r = rdap::handle(
        &snap,
        &shared.rdap,
        &rdap::Request {
            method: req.method().as_str(),
            target,
            accept,
            origin: &origin,
        },
        crate::time::now(),
    );
    let mut builder = Response::builder().status(r.status);
    for (name, value) in &r.headers {
        builder = builder.header(*name, value.as_str());
    }
    builder.body(Full::new(Bytes::from(r.body))).unwrap_or_else(|_| {
        let mut resp = Response::new(Full::new(Bytes::from_static(
            br#"{"rdapConformance":["rdap_level_0"],"errorCode":500,"title":"Internal Server Error"}"#,
        )));
        *resp.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        resp
    })
}
