//! Configuration: one TOML file whose keys are the command-line flags'
//! names (kebab-case); flags given on the command line win. Unknown keys are
//! an error naming them. Relative paths in the file are relative to the
//! file's own directory.

use crate::dump::{LeaseSource, Sources};
use crate::index::LpmBackend;
use crate::rpsl::Encoding;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Name of the sample configuration shipped in `data/`.
pub const SAMPLE_CONFIG: &str = "example.toml";

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// No data was named and the sample data directory was not found.
    #[error("no data given (--dump, --delegated or --config) and no sample data found at {0}")]
    NoSampleData(PathBuf),
    /// A value that is not one of the accepted ones.
    #[error("{key}: {message}")]
    Value { key: &'static str, message: String },
}

/// The file's contents. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// RPSL dumps (plain or gzip).
    #[serde(default)]
    pub dump: Vec<PathBuf>,
    /// Delegated-extended statistics files.
    #[serde(default)]
    pub delegated: Vec<PathBuf>,
    /// `auto`, `utf-8` or `latin-1`.
    pub encoding: Option<Encoding>,
    /// Leasing-platform maintainer list.
    pub platform_maintainers: Option<PathBuf>,
    /// `sorted` or `iptrie`.
    pub index_backend: Option<String>,
    /// Lease record files: a path (source named after the file stem) or
    /// `{ path = "...", name = "..." }`.
    #[serde(default)]
    pub leases: Vec<LeaseSpec>,
    /// Drop unverified leases instead of keeping them marked.
    pub reject_unverified_leases: Option<bool>,
    /// IANA RDAP bootstrap files, for redirects.
    #[serde(default)]
    pub rdap_bootstrap: Vec<PathBuf>,
    /// WHOIS listeners (`tenure serve`).
    #[serde(default)]
    pub whois_listen: Vec<std::net::SocketAddr>,
    /// Longest WHOIS query line, bytes.
    pub whois_max_line: Option<usize>,
    /// Seconds a client has to send each query line.
    pub whois_read_timeout: Option<f64>,
    /// Seconds a client has to take each answer.
    pub whois_write_timeout: Option<f64>,
    /// Open WHOIS connections in all.
    pub max_connections: Option<usize>,
    /// Open WHOIS connections per client address (IPv6 per /64).
    pub max_connections_per_client: Option<usize>,
    /// Sustained WHOIS queries per second per client.
    pub whois_rate: Option<f64>,
    /// WHOIS queries a client may send at once.
    pub whois_burst: Option<f64>,
    /// Addresses per bulk-mode connection.
    pub bulk_max_lines: Option<usize>,
    /// Plain-HTTP listeners for RDAP (`tenure serve`).
    #[serde(default)]
    pub http_listen: Vec<std::net::SocketAddr>,
    /// RDAP path prefix (default `/rdap/`).
    pub rdap_base_path: Option<String>,
    /// Host name RDAP answers give as `port43` (the public WHOIS host).
    pub whois_host: Option<String>,
    /// Most results an RDAP search returns.
    pub rdap_max_results: Option<usize>,
    /// Sustained RDAP requests per second per client.
    pub rdap_rate: Option<f64>,
    /// RDAP requests a client may send at once.
    pub rdap_burst: Option<f64>,
    /// MiB of RDAP answers kept for other addresses of their network (0: off).
    pub rdap_cache_mb: Option<usize>,
    /// HTTPS listeners for RDAP.
    #[serde(default)]
    pub rdap_listen: Vec<std::net::SocketAddr>,
    /// PEM certificate chain for HTTPS (with `tls-key`; else self-signed).
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    pub tls_key: Option<PathBuf>,
    /// Admin listeners (metrics, health, reload); `[]` turns them off.
    pub admin_listen: Option<Vec<std::net::SocketAddr>>,
    /// Seconds between reloads of every source (unset: only when asked).
    pub reload_interval: Option<f64>,
    /// Largest fall of a file's object count a reload accepts, 0 to 1.
    pub reload_max_drop: Option<f64>,
    /// Seconds open connections have to finish after SIGTERM/SIGINT.
    pub drain_seconds: Option<f64>,
    /// `human` (default) or `json` log lines.
    pub log_format: Option<LogFormat>,
    /// `error`, `warn`, `info` (default) or `debug` (a line per request).
    pub log_level: Option<LogLevel>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Human,
    /// One JSON object per line, for log shippers.
    Json,
}

/// The least severe log lines written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    #[default]
    Info,
    /// Also one line per WHOIS query and RDAP request.
    Debug,
}

/// Server settings from the command line (override the file): the
/// `tenure serve` flags themselves, one per key of the file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeFlags {
    /// WHOIS listener address, repeatable (default 127.0.0.1:4343; port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub whois_listen: Vec<std::net::SocketAddr>,
    /// Longest query line in bytes (default 1024).
    #[arg(long, value_name = "BYTES")]
    pub whois_max_line: Option<usize>,
    /// Seconds a client has to send each query line (default 10).
    #[arg(long, value_name = "SECS")]
    pub whois_read_timeout: Option<f64>,
    /// Seconds a client has to take each answer (default 30).
    #[arg(long, value_name = "SECS")]
    pub whois_write_timeout: Option<f64>,
    /// Open connections in all (default 1024).
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Open connections per client address, IPv6 per /64 (default 32).
    #[arg(long, value_name = "N")]
    pub max_connections_per_client: Option<usize>,
    /// Sustained queries per second per client (default 50).
    #[arg(long, value_name = "QPS")]
    pub whois_rate: Option<f64>,
    /// Queries a client may send at once before the rate applies (default 200).
    #[arg(long, value_name = "N")]
    pub whois_burst: Option<f64>,
    /// Addresses per bulk-mode connection (default 100000).
    #[arg(long, value_name = "N")]
    pub bulk_max_lines: Option<usize>,
    /// Plain-HTTP RDAP listener, repeatable (default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub http_listen: Vec<std::net::SocketAddr>,
    /// RDAP path prefix (default /rdap/).
    #[arg(long, value_name = "PATH")]
    pub rdap_base_path: Option<String>,
    /// Public WHOIS host name that RDAP answers give as port43.
    #[arg(long, value_name = "HOST")]
    pub whois_host: Option<String>,
    /// Most results an RDAP search returns (default 100).
    #[arg(long, value_name = "N")]
    pub rdap_max_results: Option<usize>,
    /// Sustained RDAP requests per second per client (default 100).
    #[arg(long, value_name = "RPS")]
    pub rdap_rate: Option<f64>,
    /// RDAP requests a client may send at once before the rate applies (default 500).
    #[arg(long, value_name = "N")]
    pub rdap_burst: Option<f64>,
    /// Memory for RDAP answers kept for other addresses of the same network, MiB (default 256; 0: off).
    #[arg(long, value_name = "MIB")]
    pub rdap_cache_mb: Option<usize>,
    /// Admin listener for /metrics, /healthz, /readyz and POST /admin/reload, repeatable (default 127.0.0.1:9180).
    #[arg(long, value_name = "ADDR")]
    pub admin_listen: Vec<std::net::SocketAddr>,
    /// Reload every source this often, seconds (default: only on SIGHUP or POST /admin/reload).
    #[arg(long, value_name = "SECONDS")]
    pub reload_interval: Option<f64>,
    /// Refuse a reload when a file's object count falls by more than this fraction (default 0.5).
    #[arg(long, value_name = "FRACTION")]
    pub reload_max_drop: Option<f64>,
    /// Seconds open connections have to finish after SIGTERM/SIGINT (default 5).
    #[arg(long, value_name = "SECONDS")]
    pub drain_seconds: Option<f64>,
    /// Log lines as readable text or as JSON objects (default human).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Least severe log lines written; debug adds a line per request (default info).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub log_level: Option<LogLevel>,
    /// HTTPS RDAP listener, repeatable (default 127.0.0.1:8443).
    #[arg(long, value_name = "ADDR")]
    pub rdap_listen: Vec<std::net::SocketAddr>,
    /// PEM certificate chain for HTTPS (with --tls-key; without both, a self-signed one is made).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
}

impl ServeFlags {
    /// Merges the flags over the file's settings and the defaults.
    pub fn resolve(&self, file: &FileConfig) -> Result<crate::app::ServeConfig, ConfigError> {
        use crate::whois::server::Limits;
        let d = Limits::default();
        let secs = |key: &'static str, v: Option<f64>, default: std::time::Duration| match v {
            None => Ok(default),
            Some(s) if s.is_finite() && s > 0.0 && s < 86_400.0 => {
                Ok(std::time::Duration::from_secs_f64(s))
            }
            Some(s) => Err(ConfigError::Value {
                key,
                message: format!("{s} is not a number of seconds between 0 and 86400"),
            }),
        };
        let positive = |key: &'static str, v: Option<usize>, default: usize| match v {
            None => Ok(default),
            Some(0) => Err(ConfigError::Value {
                key,
                message: "must be at least 1".into(),
            }),
            Some(n) => Ok(n),
        };
        let rate = |key: &'static str, v: Option<f64>, default: f64| match v {
            None => Ok(default),
            Some(r) if r.is_finite() && r > 0.0 => Ok(r),
            Some(r) => Err(ConfigError::Value {
                key,
                message: format!("{r} is not a positive rate"),
            }),
        };
        let limits = Limits {
            max_line: positive(
                "whois-max-line",
                self.whois_max_line.or(file.whois_max_line),
                d.max_line,
            )?,
            read_timeout: secs(
                "whois-read-timeout",
                self.whois_read_timeout.or(file.whois_read_timeout),
                d.read_timeout,
            )?,
            write_timeout: secs(
                "whois-write-timeout",
                self.whois_write_timeout.or(file.whois_write_timeout),
                d.write_timeout,
            )?,
            max_connections: positive(
                "max-connections",
                self.max_connections.or(file.max_connections),
                d.max_connections,
            )?,
            max_per_client: positive(
                "max-connections-per-client",
                self.max_connections_per_client
                    .or(file.max_connections_per_client),
                d.max_per_client,
            )?,
            rate: rate("whois-rate", self.whois_rate.or(file.whois_rate), d.rate)?,
            burst: rate(
                "whois-burst",
                self.whois_burst.or(file.whois_burst),
                d.burst,
            )?,
            bulk_max_lines: positive(
                "bulk-max-lines",
                self.bulk_max_lines.or(file.bulk_max_lines),
                d.bulk_max_lines,
            )?,
        };
        let whois_listen = first_given(&self.whois_listen, &file.whois_listen)
            .unwrap_or_else(|| vec![crate::app::DEFAULT_WHOIS_LISTEN]);
        let http_listen = first_given(&self.http_listen, &file.http_listen)
            .unwrap_or_else(|| vec![crate::app::DEFAULT_HTTP_LISTEN]);
        let base = self
            .rdap_base_path
            .clone()
            .or_else(|| file.rdap_base_path.clone())
            .unwrap_or_else(|| "/rdap/".into());
        if !base.starts_with('/')
            || !base.ends_with('/')
            || base.contains("//")
            || base.contains(['?', '#'])
        {
            return Err(ConfigError::Value {
                key: "rdap-base-path",
                message: format!("'{base}' must start and end with '/'"),
            });
        }
        let rdap = crate::rdap::RdapConfig {
            base_path: base,
            port43: self.whois_host.clone().or_else(|| file.whois_host.clone()),
            max_results: positive(
                "rdap-max-results",
                self.rdap_max_results.or(file.rdap_max_results),
                crate::rdap::DEFAULT_MAX_RESULTS,
            )?,
            rate: rate(
                "rdap-rate",
                self.rdap_rate.or(file.rdap_rate),
                crate::rdap::DEFAULT_RATE,
            )?,
            burst: rate(
                "rdap-burst",
                self.rdap_burst.or(file.rdap_burst),
                crate::rdap::DEFAULT_BURST,
            )?,
            cache: std::sync::Arc::new(crate::rdap::cache::AnswerCache::new(
                self.rdap_cache_mb
                    .or(file.rdap_cache_mb)
                    .unwrap_or(crate::rdap::cache::DEFAULT_CACHE_MB),
            )),
        };
        let rdap_listen = first_given(&self.rdap_listen, &file.rdap_listen)
            .unwrap_or_else(|| vec![crate::app::DEFAULT_RDAP_LISTEN]);
        let admin_listen = if self.admin_listen.is_empty() {
            file.admin_listen
                .clone()
                .unwrap_or_else(|| vec![crate::app::DEFAULT_ADMIN_LISTEN])
        } else {
            self.admin_listen.clone()
        };
        let reload_interval = match self.reload_interval.or(file.reload_interval) {
            None => None,
            Some(s) if s.is_finite() && s >= 1.0 => Some(std::time::Duration::from_secs_f64(s)),
            Some(s) => {
                return Err(ConfigError::Value {
                    key: "reload-interval",
                    message: format!("{s} is not a number of seconds of at least 1"),
                })
            }
        };
        let reload_max_drop = match self.reload_max_drop.or(file.reload_max_drop) {
            None => crate::reload::DEFAULT_MAX_DROP,
            Some(f) if (0.0..=1.0).contains(&f) => f,
            Some(f) => {
                return Err(ConfigError::Value {
                    key: "reload-max-drop",
                    message: format!("{f} is not a fraction between 0 and 1"),
                })
            }
        };
        let drain = secs(
            "drain-seconds",
            self.drain_seconds.or(file.drain_seconds),
            crate::app::DEFAULT_DRAIN,
        )?;
        Ok(crate::app::ServeConfig {
            whois_listen,
            http_listen,
            rdap_listen,
            tls_cert: self.tls_cert.clone().or_else(|| file.tls_cert.clone()),
            tls_key: self.tls_key.clone().or_else(|| file.tls_key.clone()),
            limits,
            rdap,
            admin_listen,
            reload_interval,
            reload_max_drop,
            drain,
        })
    }
}

/// A list given on the command line wins over the file's; `None` when
/// neither gives one.
fn first_given<T: Clone>(flag: &[T], file: &[T]) -> Option<Vec<T>> {
    [flag, file]
        .into_iter()
        .find(|l| !l.is_empty())
        .map(<[T]>::to_vec)
}

/// A `leases` entry in the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum LeaseSpec {
    Path(PathBuf),
    Named { path: PathBuf, name: String },
}

impl LeaseSpec {
    fn into_source(self) -> LeaseSource {
        match self {
            LeaseSpec::Path(p) => LeaseSource::from_path(p),
            LeaseSpec::Named { path, name } => LeaseSource { name, path },
        }
    }

    fn path_mut(&mut self) -> &mut PathBuf {
        match self {
            LeaseSpec::Path(p) => p,
            LeaseSpec::Named { path, .. } => path,
        }
    }
}

impl FileConfig {
    /// Reads and checks a config file, resolving its relative paths.
    pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        let mut cfg: FileConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: e.message().to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        cfg.dump.iter_mut().for_each(fix);
        cfg.delegated.iter_mut().for_each(fix);
        cfg.leases.iter_mut().for_each(|l| fix(l.path_mut()));
        cfg.rdap_bootstrap.iter_mut().for_each(fix);
        if let Some(p) = cfg.tls_cert.as_mut() {
            fix(p);
        }
        if let Some(p) = cfg.tls_key.as_mut() {
            fix(p);
        }
        if let Some(p) = cfg.platform_maintainers.as_mut() {
            fix(p);
        }
        Ok(cfg)
    }
}

/// The data-related settings after merging file and flags, and the file
/// itself (for the other commands' settings).
#[derive(Debug, Default)]
pub struct DataConfig {
    pub sources: Sources,
    pub backend: LpmBackend,
    pub file: FileConfig,
}

/// Parses an index backend name.
pub fn parse_backend(s: &str) -> Result<LpmBackend, ConfigError> {
    match s {
        "sorted" => Ok(LpmBackend::Sorted),
        "iptrie" => Ok(LpmBackend::Iptrie),
        other => Err(ConfigError::Value {
            key: "index-backend",
            message: format!("unknown backend '{other}' (sorted, iptrie)"),
        }),
    }
}

/// The sample data directory: `./data` when it holds the sample config,
/// else the `data/` directory of the source tree this binary was built from.
pub fn sample_dir() -> PathBuf {
    let here = PathBuf::from("data");
    if here.join(SAMPLE_CONFIG).is_file() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Flags from the command line that override the file.
#[derive(Debug, Clone, Default)]
pub struct DataFlags {
    pub config: Option<PathBuf>,
    pub dump: Vec<PathBuf>,
    pub delegated: Vec<PathBuf>,
    pub encoding: Option<Encoding>,
    pub platform_maintainers: Option<PathBuf>,
    pub index_backend: Option<String>,
    pub leases: Vec<PathBuf>,
    pub reject_unverified_leases: bool,
    pub rdap_bootstrap: Vec<PathBuf>,
}

impl DataFlags {
    /// Merges flags over the file (or over the sample config when no data
    /// is named at all).
    pub fn resolve(&self) -> Result<DataConfig, ConfigError> {
        // with no config and no dumps or statistics named, the sample config
        // is the config (other flags, --leases among them, still override it)
        let no_data = self.config.is_none() && self.dump.is_empty() && self.delegated.is_empty();
        let file = match &self.config {
            Some(p) => FileConfig::load(p)?,
            None if no_data => {
                let p = sample_dir().join(SAMPLE_CONFIG);
                if !p.is_file() {
                    return Err(ConfigError::NoSampleData(p));
                }
                FileConfig::load(&p)?
            }
            None => FileConfig::default(),
        };
        let backend = match self
            .index_backend
            .as_deref()
            .or(file.index_backend.as_deref())
        {
            Some(b) => parse_backend(b)?,
            None => LpmBackend::default(),
        };
        Ok(DataConfig {
            sources: Sources {
                dumps: first_given(&self.dump, &file.dump).unwrap_or_default(),
                delegated: first_given(&self.delegated, &file.delegated).unwrap_or_default(),
                encoding: self.encoding.or(file.encoding).unwrap_or_default(),
                platform_maintainers: self
                    .platform_maintainers
                    .clone()
                    .or(file.platform_maintainers.clone()),
                leases: if self.leases.is_empty() {
                    file.leases
                        .iter()
                        .cloned()
                        .map(LeaseSpec::into_source)
                        .collect()
                } else {
                    self.leases
                        .iter()
                        .cloned()
                        .map(LeaseSource::from_path)
                        .collect()
                },
                reject_unverified_leases: self.reject_unverified_leases
                    || file.reject_unverified_leases.unwrap_or(false),
                rdap_bootstrap: first_given(&self.rdap_bootstrap, &file.rdap_bootstrap)
                    .unwrap_or_default(),
            },
            backend,
            file,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_config_loads() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
        let cfg = FileConfig::load(&dir.join(SAMPLE_CONFIG)).unwrap();
        assert!(!cfg.dump.is_empty());
        assert!(cfg.dump.iter().all(|p| p.is_file()), "{:?}", cfg.dump);
        assert!(cfg.delegated.iter().all(|p| p.is_file()));
    }

    #[test]
    fn sample_server_settings_resolve_and_bad_values_are_named() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
        let file = FileConfig::load(&dir.join(SAMPLE_CONFIG)).unwrap();
        let serve = ServeFlags::default().resolve(&file).unwrap();
        assert_eq!(serve.whois_listen, vec!["127.0.0.1:4343".parse().unwrap()]);
        assert_eq!(serve.limits.max_line, 1024);
        let flags = ServeFlags {
            whois_rate: Some(-1.0),
            ..Default::default()
        };
        let e = flags.resolve(&file).unwrap_err().to_string();
        assert!(e.contains("whois-rate"), "{e}");
        let flags = ServeFlags {
            max_connections: Some(0),
            ..Default::default()
        };
        assert!(flags
            .resolve(&file)
            .unwrap_err()
            .to_string()
            .contains("max-connections"));
    }

    #[test]
    fn unknown_keys_are_named() {
        let dir = std::env::temp_dir().join(format!("tenure-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("bad.toml");
        std::fs::write(&p, "dump = []\ndumps = [\"x\"]\n").unwrap();
        let e = FileConfig::load(&p).unwrap_err().to_string();
        assert!(e.contains("dumps"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn the_example_names_every_server_key_and_resolves() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("data")
            .join(SAMPLE_CONFIG);
        let file = FileConfig::load(&path).unwrap();
        assert_eq!(
            file.admin_listen,
            Some(vec![crate::app::DEFAULT_ADMIN_LISTEN])
        );
        assert_eq!(file.log_format, Some(LogFormat::Human));
        assert_eq!(file.log_level, Some(LogLevel::Info));
        assert!(file.rdap_cache_mb.is_some() && file.rdap_max_results.is_some());
        let c = ServeFlags::default().resolve(&file).unwrap();
        assert_eq!(c.reload_max_drop, 0.5);
        assert_eq!(c.drain, std::time::Duration::from_secs(5));
        assert_eq!(c.reload_interval, None);
        // flags win; bad values are named
        let flags = ServeFlags {
            reload_max_drop: Some(0.2),
            reload_interval: Some(60.0),
            admin_listen: vec!["127.0.0.1:0".parse().unwrap()],
            ..Default::default()
        };
        let c = flags.resolve(&file).unwrap();
        assert_eq!(c.reload_max_drop, 0.2);
        assert_eq!(c.reload_interval, Some(std::time::Duration::from_secs(60)));
        assert_eq!(c.admin_listen, vec!["127.0.0.1:0".parse().unwrap()]);
        for (flags, key) in [
            (
                ServeFlags {
                    reload_max_drop: Some(1.5),
                    ..Default::default()
                },
                "reload-max-drop",
            ),
            (
                ServeFlags {
                    reload_interval: Some(0.1),
                    ..Default::default()
                },
                "reload-interval",
            ),
            (
                ServeFlags {
                    drain_seconds: Some(-1.0),
                    ..Default::default()
                },
                "drain-seconds",
            ),
        ] {
            let e = flags.resolve(&file).unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        }
    }

    #[test]
    fn flags_override_file() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
        let flags = DataFlags {
            config: Some(dir.join(SAMPLE_CONFIG)),
            dump: vec!["/x.db".into()],
            encoding: Some(Encoding::Latin1),
            rdap_bootstrap: vec!["/b.json".into()],
            ..Default::default()
        };
        let c = flags.resolve().unwrap();
        assert_eq!(c.sources.rdap_bootstrap, vec![PathBuf::from("/b.json")]);
        assert_eq!(c.sources.dumps, vec![PathBuf::from("/x.db")]);
        assert_eq!(c.sources.encoding, Encoding::Latin1);
        assert!(!c.sources.delegated.is_empty());
    }
}
