//! The admin listener (`--admin-listen`, loopback by default): plain
//! HTTP/1.1 for operators and their tools.
//!
//! - `GET /metrics`: Prometheus text format ([`crate::metrics`]).
//! - `GET /healthz`: the process answers (200 `ok`).
//! - `GET /readyz`: a snapshot is loaded and served (200 with its serial);
//!   503 while the first load runs, and from a stop signal on.
//! - `POST /admin/reload`: reloads every source and answers when done:
//!   200 with the outcome as JSON, or 500 with why the old data still
//!   serves. `?scope=leases` reloads the lease files alone.

use crate::limit::Shutdown;
use crate::metrics::{Scope, METRICS};
use crate::reload::Trigger;
use crate::snapshot::Current;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::sync::Arc;

/// What the admin listener reads.
pub struct Admin {
    pub current: Arc<Current>,
    pub trigger: Option<Trigger>,
    /// The RDAP answer caches, for their counters.
    pub caches: Vec<Arc<crate::rdap::cache::AnswerCache>>,
    /// When set, `POST /admin/reload` needs `Authorization: Bearer TOKEN`.
    pub token: Option<String>,
    /// Set once a stop signal came: `/readyz` answers 503 from then on
    /// (the listeners may still serve for `unready-seconds`).
    pub leaving: std::sync::atomic::AtomicBool,
    /// Data older than this is stale (`stale-after`).
    pub stale_after: Option<std::time::Duration>,
    /// Stale data fails readiness (`stale-not-ready`).
    pub stale_not_ready: bool,
    /// Where fetch records its checks (`fetch-dir`).
    pub fetch_dir: Option<std::path::PathBuf>,
}

impl Admin {
    /// The loaded files' data ages, oldest first.
    fn ages(&self, snap: &crate::snapshot::Snapshot) -> Vec<(std::path::PathBuf, i64)> {
        let mut ages = crate::fetch::data_ages(
            &snap.report.files,
            self.fetch_dir.as_deref(),
            crate::time::now(),
        );
        ages.sort_by_key(|a| std::cmp::Reverse(a.1));
        ages
    }

    /// The NRTM mirrors served and the version each is served at, as
    /// `, nrtm RIPE 1234` (empty without any).
    fn mirrors_line(snap: &crate::snapshot::Snapshot) -> String {
        snap.mirror_versions()
            .iter()
            .map(|(source, v)| format!(", nrtm {source} {v}"))
            .collect()
    }

    /// The NRTM mirrors' states in the fetch directory, by source.
    fn mirrors(&self) -> Vec<crate::mirror::Kept> {
        self.fetch_dir
            .as_deref()
            .map(crate::mirror::all_kept)
            .unwrap_or_default()
    }

    /// The data's age per file, staleness, and the NRTM mirrors' versions
    /// and refusals, appended to the metrics page.
    fn data_metrics(&self, snap: &crate::snapshot::Snapshot, o: &mut String) {
        use crate::metrics::{head, label};
        use std::fmt::Write;
        let ages = self.ages(snap);
        head(
            o,
            "tenure_data_age_seconds",
            "gauge",
            "Age of each loaded file's data: since it changed, or since fetch or its NRTM mirror last found it current.",
        );
        for (p, a) in &ages {
            let _ = writeln!(
                o,
                "tenure_data_age_seconds{{file=\"{}\"}} {a}",
                label(&p.display().to_string())
            );
        }
        if let Some(bound) = self.stale_after {
            head(
                o,
                "tenure_data_stale",
                "gauge",
                "1 when a loaded file's data is older than stale-after.",
            );
            let stale = ages.iter().any(|(_, a)| *a as f64 > bound.as_secs_f64());
            let _ = writeln!(o, "tenure_data_stale {}", u8::from(stale));
        }
        let served = snap.mirror_versions();
        if !served.is_empty() {
            head(
                o,
                "tenure_nrtm_version",
                "gauge",
                "Version of each NRTMv4 mirror the served data holds (its file's, or the last journaled delta served over it).",
            );
            for (source, v) in &served {
                let _ = writeln!(o, "tenure_nrtm_version{{source=\"{}\"}} {v}", label(source));
            }
            head(
                o,
                "tenure_nrtm_overlay_objects",
                "gauge",
                "Objects the journaled NRTM deltas served over the registry data changed since its mirror files were read (a full reload folds them in).",
            );
            let _ = writeln!(o, "tenure_nrtm_overlay_objects {}", snap.overlay_objects());
        }
        let mirrors = self.mirrors();
        if mirrors.is_empty() {
            return;
        }
        head(
            o,
            "tenure_nrtm_refused_total",
            "counter",
            "NRTMv4 updates refused, by reason (signature, hash, version, invalid).",
        );
        for k in &mirrors {
            for reason in ["signature", "hash", "version", "invalid"] {
                let _ = writeln!(
                    o,
                    "tenure_nrtm_refused_total{{source=\"{}\",reason=\"{reason}\"}} {}",
                    label(&k.source),
                    k.refused.get(reason).copied().unwrap_or(0)
                );
            }
        }
    }

    /// What is stale, said in a line ("" when nothing is or no bound is set).
    fn stale(&self, snap: &crate::snapshot::Snapshot) -> String {
        let Some(bound) = self.stale_after else {
            return String::new();
        };
        let old: Vec<String> = self
            .ages(snap)
            .into_iter()
            .filter(|(_, a)| *a as f64 > bound.as_secs_f64())
            .map(|(p, a)| format!("{} {:.1} h old", p.display(), a as f64 / 3600.0))
            .collect();
        if old.is_empty() {
            return String::new();
        }
        format!(
            "stale (older than {:.1} h): {}",
            bound.as_secs_f64() / 3600.0,
            old.join(", ")
        )
    }
}

/// True when the request carries the token (compared in constant time).
fn authorised<B>(admin: &Admin, req: &Request<B>) -> bool {
    let Some(want) = &admin.token else {
        return true;
    };
    let given = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let (a, b) = (want.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Serves the admin listener until the stop begins; open connections
/// finish their answer and close.
pub async fn run(listener: tokio::net::TcpListener, admin: Arc<Admin>, stop: Shutdown) {
    let conn_stop = stop.clone();
    crate::limit::accept_loop(listener, "admin", stop, move |stream, _peer| {
        let admin = Arc::clone(&admin);
        let stop = conn_stop.clone();
        async move {
            let service = hyper::service::service_fn(move |req| {
                let admin = Arc::clone(&admin);
                async move { Ok::<_, std::convert::Infallible>(answer(&admin, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(crate::http::HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            crate::limit::serve_http_connection(conn, &stop).await;
        }
    })
    .await
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    r
}

async fn answer<B>(admin: &Admin, req: Request<B>) -> Response<Full<Bytes>> {
    const PLAIN: &str = "text/plain; charset=utf-8";
    let path = req.uri().path();
    let query = req.uri().query().unwrap_or("");
    match (req.method(), path) {
        (&Method::GET, "/metrics") => {
            let snap = admin.current.get();
            let caches: Vec<&crate::rdap::cache::AnswerCache> =
                admin.caches.iter().map(|c| &**c).collect();
            let mut page = METRICS.render(&snap, &caches);
            admin.data_metrics(&snap, &mut page);
            text(
                StatusCode::OK,
                "text/plain; version=0.0.4; charset=utf-8",
                page,
            )
        }
        (&Method::GET, "/healthz") => text(StatusCode::OK, PLAIN, "ok\n".into()),
        (&Method::GET, "/readyz") => {
            let snap = admin.current.get();
            let serial = crate::query::about(&snap).serial();
            if admin.leaving.load(std::sync::atomic::Ordering::Relaxed) {
                text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    PLAIN,
                    format!("not ready: stopping (serial {serial} still serves until the listeners close)\n"),
                )
            } else if serial > 0 {
                let stale = admin.stale(&snap);
                let mirrors = Admin::mirrors_line(&snap);
                if stale.is_empty() {
                    text(
                        StatusCode::OK,
                        PLAIN,
                        format!("ready: serial {serial}{mirrors}\n"),
                    )
                } else if admin.stale_not_ready {
                    text(
                        StatusCode::SERVICE_UNAVAILABLE,
                        PLAIN,
                        format!("not ready: serial {serial} is {stale}\n"),
                    )
                } else {
                    text(
                        StatusCode::OK,
                        PLAIN,
                        format!("ready: serial {serial}, {stale}\n"),
                    )
                }
            } else {
                text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    PLAIN,
                    "not ready: the first load is still running\n".into(),
                )
            }
        }
        (&Method::POST, "/admin/reload") => {
            if !authorised(admin, &req) {
                let mut r = text(
                    StatusCode::UNAUTHORIZED,
                    PLAIN,
                    "POST /admin/reload needs Authorization: Bearer <admin-token>\n".into(),
                );
                r.headers_mut().insert(
                    hyper::header::WWW_AUTHENTICATE,
                    hyper::header::HeaderValue::from_static("Bearer"),
                );
                return r;
            }
            let scope = match query {
                "" | "scope=all" => Scope::All,
                "scope=leases" => Scope::Leases,
                "scope=routing" => Scope::Routing,
                "scope=mirrors" => Scope::Mirrors,
                _ => {
                    return text(
                        StatusCode::BAD_REQUEST,
                        PLAIN,
                        "scope must be all, leases, routing or mirrors\n".into(),
                    )
                }
            };
            if admin.current.get().serial == 0 {
                // the one refusal that passes: say when to ask again
                let mut r = text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    PLAIN,
                    "the first load is still running\n".into(),
                );
                r.headers_mut().insert(
                    hyper::header::RETRY_AFTER,
                    hyper::header::HeaderValue::from_static("1"),
                );
                return r;
            }
            let Some(trigger) = &admin.trigger else {
                return text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    PLAIN,
                    "reloads are not available\n".into(),
                );
            };
            match trigger.run(scope).await {
                Some(o) => text(
                    if o.ok {
                        StatusCode::OK
                    } else {
                        StatusCode::INTERNAL_SERVER_ERROR
                    },
                    "application/json",
                    serde_json::to_string(&o).unwrap_or_default() + "\n",
                ),
                None => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    PLAIN,
                    "the reload task has stopped\n".into(),
                ),
            }
        }
        (_, "/metrics" | "/healthz" | "/readyz" | "/admin/reload") => {
            let mut r = text(
                StatusCode::METHOD_NOT_ALLOWED,
                PLAIN,
                "method not allowed\n".into(),
            );
            let allow = if path == "/admin/reload" {
                "POST"
            } else {
                "GET"
            };
            r.headers_mut().insert(
                hyper::header::ALLOW,
                hyper::header::HeaderValue::from_static(allow),
            );
            r
        }
        _ => text(
            StatusCode::NOT_FOUND,
            PLAIN,
            "not found: /metrics, /healthz, /readyz, POST /admin/reload\n".into(),
        ),
    }
}
