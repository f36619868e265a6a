//! Wiring for `tenure serve`: bind, first load, serve, reload, stop.
//!
//! Binds every listener first so that a bad address fails at once, prints
//! one `listening for whois on ADDR` / `listening for http on ADDR` /
//! `listening for rdap on ADDR` / `listening for admin on ADDR` line per
//! socket (with the real port when port 0 was asked for), serves the admin
//! listener while the first load runs, then the others, and runs until
//! SIGINT or SIGTERM; then it stops accepting and gives open
//! connections the drain deadline to finish. SIGHUP reloads every source,
//! SIGUSR1 the lease files alone, SIGUSR2 the routing files alone
//! ([`crate::reload`]).

use crate::config::ServeSettings;
use crate::snapshot::Snapshot;
use crate::whois::server::{self, Shared};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

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
    /// The first load failed.
    #[error(transparent)]
    Load(#[from] crate::dump::LoadError),
}

/// Binds every listener, serves the admin listener at once (`/healthz`
/// answers, `/readyz` says 503 until data is loaded), runs `load` for the
/// first snapshot, then serves WHOIS, RDAP and the lookup page until a stop
/// signal. Connections that arrive during the first load wait in the
/// listen queue; none is answered from empty data.
pub fn serve(
    load: impl FnOnce() -> Result<Snapshot, crate::dump::LoadError> + Send + 'static,
    cfg: ServeSettings,
    data: crate::config::DataConfig,
) -> Result<(), ServeError> {
    // no request waits while a past time's routing files are read
    crate::routing::load_past_in_background(true);
    let tls = if cfg.rdap_listen.is_empty() {
        None
    } else {
        // one directory per listen address (a second server on another
        // address never overwrites the first one's certificate), per
        // process for port 0
        let label = match cfg.rdap_listen.first() {
            Some(a) if a.port() != 0 => a
                .to_string()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
                .trim_matches('-')
                .to_string(),
            _ => format!("pid-{}", std::process::id()),
        };
        let dir = std::env::temp_dir().join("tenure").join(label);
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
    // connections may never take the descriptors the admin listener and
    // reloads need: the soft file limit goes up to the hard one, and caps
    // that do not fit in it are lowered (said in the log)
    let mut cfg = cfg;
    let listeners = cfg.whois_listen.len()
        + cfg.http_listen.len()
        + cfg.rdap_listen.len()
        + cfg.admin_listen.len();
    if let Some(files) = crate::limit::raise_file_limit() {
        let each = cfg.limits.max_connections;
        if let Some((whois, http)) = crate::limit::fit_caps(each, each, listeners, files) {
            tracing::warn!(
                "open-file limit {files}: max-connections lowered from {each} to {whois} for WHOIS and {http} for HTTP and HTTPS together, keeping {} descriptors for the admin listener, reloads and listeners (raise the hard limit, `ulimit -Hn`, to keep {each})",
                crate::limit::FD_RESERVE + listeners
            );
            cfg.limits.max_connections = whois;
            cfg.limits.max_per_client = cfg.limits.max_per_client.min(whois);
            cfg.http_max_connections = Some(http);
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tenure")
        .build()
        .map_err(ServeError::Runtime)?;
    rt.block_on(async move {
        let signals = Signals::register();
        // serial 0: nothing loaded yet
        let empty = Snapshot::build(
            Default::default(),
            Default::default(),
            0,
            data.backend,
            crate::query::lease_policy(false),
        );
        let current = Arc::new(crate::snapshot::Current::new(Arc::new(empty)));
        let shared = Shared::with_current(Arc::clone(&current), cfg.limits.clone());
        let rdap = crate::rdap::RdapConfig::from_settings(&cfg.rdap);
        // HTTP and HTTPS count their connections together, under the same
        // caps as WHOIS (each protocol has its own count; the admin listener
        // counts none, so it always answers)
        let http_shared = crate::http::HttpShared::with_caps(
            current,
            rdap.clone(),
            "http",
            cfg.http_max_connections
                .unwrap_or(cfg.limits.max_connections),
            cfg.limits.max_per_client,
        );
        // bind everything first: a bad address fails before any line is printed
        let whois = bind_all(&cfg.whois_listen).await?;
        let http = bind_all(&cfg.http_listen).await?;
        let https = bind_all(&cfg.rdap_listen).await?;
        let admin_ls = bind_all(&cfg.admin_listen).await?;
        for (what, ls) in [
            ("whois", &whois),
            ("http", &http),
            ("rdap", &https),
            ("admin", &admin_ls),
        ] {
            for l in ls {
                if let Ok(a) = l.local_addr() {
                    println!("listening for {what} on {a}");
                }
            }
        }
        let _ = std::io::stdout().flush();
        let trigger = crate::reload::start(crate::reload::Reloader {
            data,
            current: Arc::clone(&http_shared.current),
            tls: tls.clone(),
            tls_files: cfg.tls_cert.clone().zip(cfg.tls_key.clone()),
            max_drop: cfg.reload_max_drop,
        });
        let stop = crate::limit::Shutdown::new();
        let mut tasks = Vec::new();
        let admin = Arc::new(crate::admin::Admin {
            current: Arc::clone(&http_shared.current),
            trigger: Some(trigger.clone()),
            caches: vec![Arc::clone(&rdap.cache)],
            token: cfg.admin_token.clone(),
            leaving: Default::default(),
            stale_after: cfg.stale_after,
            stale_not_ready: cfg.stale_not_ready,
            fetch_dir: cfg.fetch_dir.clone(),
        });
        for l in admin_ls {
            tasks.push(tokio::spawn(crate::admin::run(
                l,
                Arc::clone(&admin),
                stop.clone(),
            )));
        }
        // the first load, off the async workers; the admin listener answers meanwhile
        // a panic inside the load is a failed load (exit 4), not a runtime fault
        let snap = tokio::task::spawn_blocking(load).await.map_err(|e| {
            ServeError::Load(crate::dump::LoadError::Failed(if e.is_panic() {
                "a panic while loading (a bug; please report it with the data)".into()
            } else {
                e.to_string()
            }))
        })??;
        let r = &snap.report;
        tracing::info!(
            "loaded: serial {}, {} objects, {} leases, {} announced prefixes, {} VRPs, {} skipped, in {:.2} s",
            snap.serial,
            r.objects_total(),
            r.leases.loaded,
            snap.routing().routes(),
            snap.routing().vrp_count(),
            r.skipped_total(),
            r.seconds
        );
        // the defaults built into the binary that this load used, with their dates
        for f in r
            .files
            .iter()
            .filter(|f| f.path.to_string_lossy().starts_with("(built in) "))
        {
            tracing::info!("default in use: {}", f.path.display());
        }
        http_shared.current.install(Arc::new(snap));
        for l in whois {
            tasks.push(tokio::spawn(server::run(
                l,
                Arc::clone(&shared),
                stop.clone(),
            )));
        }
        for l in http {
            tasks.push(tokio::spawn(crate::http::run(
                l,
                Arc::clone(&http_shared),
                stop.clone(),
            )));
        }
        let https_shared = http_shared.with_scheme("https");
        if let Some(tls) = &tls {
            for l in https {
                tasks.push(tokio::spawn(crate::http::run_tls(
                    l,
                    Arc::clone(&https_shared),
                    Arc::clone(tls),
                    stop.clone(),
                )));
            }
        }
        if let Some(every) = cfg.reload_interval {
            let trigger = trigger.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = tick.tick() => trigger.request(crate::metrics::Scope::All),
                        _ = stop.stopping() => return,
                    }
                }
            });
        }
        wait_for_stop(signals, &trigger).await;
        // out of the balancer's rotation first: /readyz says 503 while the
        // listeners still serve, then they stop accepting
        admin
            .leaving
            .store(true, std::sync::atomic::Ordering::Relaxed);
        if !cfg.unready.is_zero() {
            tracing::info!(
                "stopping: /readyz answers 503; still serving for {:?}",
                cfg.unready
            );
            tokio::time::sleep(cfg.unready).await;
        }
        tracing::info!(
            "stopping: no new connections; open ones have {:?} to finish",
            cfg.drain
        );
        stop.begin();
        for t in tasks {
            let _ = t.await;
        }
        let left = stop.drain(cfg.drain).await;
        if left > 0 {
            tracing::warn!("{left} connections still open at the drain deadline");
        }
        Ok(())
    })
}

/// Binds every address, or says which one could not be bound.
async fn bind_all(addrs: &[SocketAddr]) -> Result<Vec<tokio::net::TcpListener>, ServeError> {
    let mut out = Vec::with_capacity(addrs.len());
    for &addr in addrs {
        out.push(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| ServeError::Bind { addr, source })?,
        );
    }
    Ok(out)
}

/// The signals `serve` handles, registered before anything is served so
/// that none arriving early is lost or kills the process (a SIGTERM during
/// the first load is taken once it is done).
struct Signals {
    #[cfg(unix)]
    unix: Option<(
        tokio::signal::unix::Signal,
        tokio::signal::unix::Signal,
        tokio::signal::unix::Signal,
        tokio::signal::unix::Signal,
    )>,
}

impl Signals {
    fn register() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let unix = match (
                signal(SignalKind::terminate()),
                signal(SignalKind::hangup()),
                signal(SignalKind::user_defined1()),
                signal(SignalKind::user_defined2()),
            ) {
                (Ok(t), Ok(h), Ok(u), Ok(u2)) => Some((t, h, u, u2)),
                _ => None,
            };
            Signals { unix }
        }
        #[cfg(not(unix))]
        Signals {}
    }
}

/// Waits for SIGINT or SIGTERM; meanwhile SIGHUP asks for a reload of
/// every source, SIGUSR1 for the lease files alone and SIGUSR2 for the
/// routing files alone (the reload task merges what arrives while it
/// works).
async fn wait_for_stop(signals: Signals, trigger: &crate::reload::Trigger) {
    #[cfg(unix)]
    if let Some((mut term, mut hup, mut usr1, mut usr2)) = signals.unix {
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return,
                _ = term.recv() => return,
                _ = hup.recv() => trigger.request(crate::metrics::Scope::All),
                _ = usr1.recv() => trigger.request(crate::metrics::Scope::Leases),
                _ = usr2.recv() => trigger.request(crate::metrics::Scope::Routing),
            }
        }
    }
    let _ = (signals, trigger);
    let _ = tokio::signal::ctrl_c().await;
}
