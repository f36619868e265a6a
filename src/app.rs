//! Wiring for `tenure serve`: first load, bind, serve, stop.
//!
//! Binds every listener before serving so that a bad address fails at
//! once, prints one `listening for whois on ADDR` / `listening for http on
//! ADDR` line per socket (with the real port when port 0 was asked for),
//! and runs until SIGINT or SIGTERM;
//! then it stops accepting and gives open connections a moment to finish.

use crate::snapshot::Snapshot;
use crate::whois::server::{self, Limits, Shared};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Default WHOIS listener when none is configured (loopback, so the
/// README's run command works on a fresh machine without privileges).
pub const DEFAULT_WHOIS_LISTEN: SocketAddr = loopback(4343);

/// Default plain-HTTP (RDAP) listener.
pub const DEFAULT_HTTP_LISTEN: SocketAddr = loopback(8080);

/// Default HTTPS (RDAP) listener.
pub const DEFAULT_RDAP_LISTEN: SocketAddr = loopback(8443);

const fn loopback(port: u16) -> SocketAddr {
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), port)
}

/// How long open connections may finish after a stop signal.
pub const DRAIN: Duration = Duration::from_secs(5);

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    /// The TLS certificate or key could not be used.
    #[error(transparent)]
    Tls(#[from] crate::http::TlsError),
}

/// What `serve` needs beyond the snapshot.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub whois_listen: Vec<SocketAddr>,
    pub http_listen: Vec<SocketAddr>,
    /// HTTPS listeners.
    pub rdap_listen: Vec<SocketAddr>,
    pub tls_cert: Option<std::path::PathBuf>,
    pub tls_key: Option<std::path::PathBuf>,
    pub limits: Limits,
    pub rdap: crate::rdap::RdapConfig,
}

/// Serves `snap` until a stop signal.
pub fn serve(
    snap: Snapshot,
    cfg: ServeConfig,
    data: crate::config::DataConfig,
) -> Result<(), ServeError> {
    let tls = if cfg.rdap_listen.is_empty() {
        None
    } else {
        let dir = std::env::temp_dir().join("tenure");
        let (tls, generated) =
            crate::http::tls_config(cfg.tls_cert.as_deref(), cfg.tls_key.as_deref(), &dir)?;
        if let Some(path) = generated {
            tracing::info!(
                "no --tls-cert given: generated a self-signed certificate for localhost, 127.0.0.1 and ::1 at {} (key beside it)",
                path.display()
            );
        }
        Some(Arc::new(crate::http::TlsHolder::new(tls)))
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tenure")
        .build()
        .map_err(ServeError::Runtime)?;
    rt.block_on(async move {
        let current = Arc::new(crate::snapshot::Current::new(Arc::new(snap)));
        let shared = Shared::with_current(Arc::clone(&current), cfg.limits.clone());
        let http_shared = crate::http::HttpShared::new(current, cfg.rdap.clone(), "http");
        // bind everything first: a bad address fails before any line is printed
        let mut whois = Vec::new();
        for addr in &cfg.whois_listen {
            whois.push(bind(*addr).await?);
        }
        let mut http = Vec::new();
        for addr in &cfg.http_listen {
            http.push(bind(*addr).await?);
        }
        let mut https = Vec::new();
        for addr in &cfg.rdap_listen {
            https.push(bind(*addr).await?);
        }
        for (what, ls) in [("whois", &whois), ("http", &http), ("rdap", &https)] {
            for l in ls {
                if let Ok(a) = l.local_addr() {
                    println!("listening for {what} on {a}");
                }
            }
        }
        let _ = std::io::stdout().flush();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for l in whois {
            tasks.push(tokio::spawn(server::run(
                l,
                Arc::clone(&shared),
                stopped(stop_rx.clone()),
            )));
        }
        for l in http {
            tasks.push(tokio::spawn(crate::http::run(
                l,
                Arc::clone(&http_shared),
                stopped(stop_rx.clone()),
            )));
        }
        if let Some(tls) = &tls {
            let https_shared = crate::http::HttpShared::new(
                Arc::clone(&http_shared.current),
                cfg.rdap.clone(),
                "https",
            );
            for l in https {
                tasks.push(tokio::spawn(crate::http::run_tls(
                    l,
                    Arc::clone(&https_shared),
                    Arc::clone(tls),
                    stopped(stop_rx.clone()),
                )));
            }
        }
        let reloader = Reloader {
            data,
            current: Arc::clone(&http_shared.current),
            tls: tls.clone(),
            cfg: cfg.clone(),
        };
        wait_for_stop(&reloader).await;
        tracing::info!("stopping: no new connections; open ones have {DRAIN:?} to finish");
        let _ = stop_tx.send(true);
        for t in tasks {
            let _ = t.await;
        }
        let deadline = tokio::time::Instant::now() + DRAIN;
        while shared.open_connections() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    })
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })
}

/// Completes when the stop flag is raised.
async fn stopped(mut rx: tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Largest fall in the number of objects a reload accepts (a dump cut short
/// by a failed download must not replace a good snapshot).
pub const RELOAD_MAX_DROP: f64 = 0.5;

/// Everything a reload needs.
struct Reloader {
    data: crate::config::DataConfig,
    current: Arc<crate::snapshot::Current>,
    tls: Option<Arc<crate::http::TlsHolder>>,
    cfg: ServeConfig,
}

impl Reloader {
    /// Loads every source again off the async workers and installs the new
    /// snapshot whole; a failed, empty or shrunken load keeps the old one.
    /// A configured certificate is read again too (a generated one stays).
    async fn reload(&self) {
        let old = self.current.get();
        let sources = self.data.sources.clone();
        let backend = self.data.backend;
        let serial = old.serial + 1;
        let started = std::time::Instant::now();
        let built = tokio::task::spawn_blocking(move || {
            let (reg, report) = crate::dump::load(&sources, &crate::progress::Progress::off())?;
            let reject = sources.reject_unverified_leases;
            Ok::<_, crate::dump::LoadError>(Snapshot::build(reg, report, serial, backend, reject))
        })
        .await;
        let snap = match built {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                tracing::error!("reload failed, serial {} keeps serving: {e}", old.serial);
                return;
            }
            Err(e) => {
                tracing::error!("reload failed, serial {} keeps serving: {e}", old.serial);
                return;
            }
        };
        let (was, now) = (
            old.report.objects_total() as f64,
            snap.report.objects_total() as f64,
        );
        if snap.networks() == 0 || (was > 0.0 && now < was * (1.0 - RELOAD_MAX_DROP)) {
            tracing::error!(
                "reload refused, serial {} keeps serving: {} objects now against {} before (empty index or a fall over {:.0} %)",
                old.serial,
                now,
                was,
                RELOAD_MAX_DROP * 100.0
            );
            return;
        }
        tracing::info!(
            "reloaded: serial {}, {} objects, {} leases, {} skipped, in {:.2} s",
            snap.serial,
            snap.report.objects_total(),
            snap.report.leases.loaded,
            snap.report.skipped_total(),
            started.elapsed().as_secs_f64()
        );
        self.current.install(Arc::new(snap));
        if let (Some(holder), Some(_), Some(_)) = (&self.tls, &self.cfg.tls_cert, &self.cfg.tls_key)
        {
            let dir = std::env::temp_dir().join("tenure");
            match crate::http::tls_config(
                self.cfg.tls_cert.as_deref(),
                self.cfg.tls_key.as_deref(),
                &dir,
            ) {
                Ok((tls, _)) => {
                    holder.install(tls);
                    tracing::info!("reloaded the TLS certificate; open connections keep theirs");
                }
                Err(e) => {
                    tracing::error!("TLS reload failed, the old certificate keeps serving: {e}")
                }
            }
        }
    }
}

/// Waits for SIGINT or SIGTERM; reloads on every SIGHUP meanwhile (one at a
/// time: a SIGHUP during a reload is taken when it is done).
async fn wait_for_stop(reloader: &Reloader) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return,
                    _ = term.recv() => return,
                    _ = hup.recv() => reloader.reload().await,
                }
            }
        }
    }
    let _ = reloader;
    let _ = tokio::signal::ctrl_c().await;
}
