//! Configuration: one TOML file whose keys are the command-line flags'
//! names (kebab-case); flags given on the command line win. Unknown keys are
//! an error naming them. Relative paths in the file are relative to the
//! file's own directory.

use crate::dump::{LeaseSource, Sources};
use crate::index::LpmBackend;
use crate::rpsl::Encoding;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Name of the sample configuration shipped in `data/`.
pub const SAMPLE_CONFIG: &str = "example.toml";

/// The default of every key, declared once: the servers' `Default`s, the
/// resolution below and the flags' help text all read these.
pub mod defaults {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    use std::time::Duration;

    const fn loopback(port: u16) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
    }

    /// `whois-listen` (loopback, so the README's run command works on a
    /// fresh machine without privileges).
    pub const WHOIS_LISTEN: SocketAddr = loopback(4343);
    /// `http-listen`.
    pub const HTTP_LISTEN: SocketAddr = loopback(8080);
    /// `rdap-listen` (HTTPS).
    pub const RDAP_LISTEN: SocketAddr = loopback(8443);
    /// `admin-listen`.
    pub const ADMIN_LISTEN: SocketAddr = loopback(9180);
    /// `whois-max-line`, bytes (RIPE's 1024).
    pub const WHOIS_MAX_LINE: usize = 1024;
    /// `whois-read-timeout`.
    pub const WHOIS_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// `whois-write-timeout`.
    pub const WHOIS_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
    /// `max-connections`.
    pub const MAX_CONNECTIONS: usize = 1024;
    /// `max-connections-per-client`.
    pub const MAX_CONNECTIONS_PER_CLIENT: usize = 32;
    /// `whois-rate`, queries per second.
    pub const WHOIS_RATE: f64 = 50.0;
    /// `whois-burst`.
    pub const WHOIS_BURST: f64 = 200.0;
    /// `bulk-max-lines`.
    pub const BULK_MAX_LINES: usize = 100_000;
    /// `whois-personal-limit`: personal-data objects per client a day
    /// (RIPE's limit on persons; only served with `personal-data`).
    pub const WHOIS_PERSONAL_LIMIT: usize = 1000;
    /// `rdap-base-path`.
    pub const RDAP_BASE_PATH: &str = "/rdap/";
    /// `rdap-max-results`.
    pub const RDAP_MAX_RESULTS: usize = 100;
    /// `rdap-rate`, requests per second.
    pub const RDAP_RATE: f64 = 100.0;
    /// `rdap-burst`.
    pub const RDAP_BURST: f64 = 500.0;
    /// `rdap-cache-mb`.
    pub const RDAP_CACHE_MB: usize = 256;
    /// `reload-max-drop`.
    pub const RELOAD_MAX_DROP: f64 = 0.5;
    /// `drain-seconds`.
    pub const DRAIN: Duration = Duration::from_secs(5);
}

/// The WHOIS server's limits; every one is a config key and a flag.
#[derive(Debug, Clone)]
pub struct WhoisLimits {
    /// Longest query line in bytes (RIPE: 1024).
    pub max_line: usize,
    /// Time allowed for each query line to arrive.
    pub read_timeout: Duration,
    /// Time allowed for a client to take each answer.
    pub write_timeout: Duration,
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections per client address (IPv6: per /64).
    pub max_per_client: usize,
    /// Sustained queries per second per client.
    pub rate: f64,
    /// Queries a client may send at once before the rate applies.
    pub burst: f64,
    /// Addresses per bulk-mode connection.
    pub bulk_max_lines: usize,
    /// Personal-data objects a client may receive in 24 hours.
    pub personal_limit: usize,
    /// The load balancers whose connections open with a PROXY protocol
    /// header (empty: the listener does not speak it).
    pub proxy_from: Vec<ipnet::IpNet>,
    /// Clients the query rate does not apply to.
    pub rate_exempt: Vec<ipnet::IpNet>,
}

impl Default for WhoisLimits {
    fn default() -> Self {
        WhoisLimits {
            max_line: defaults::WHOIS_MAX_LINE,
            read_timeout: defaults::WHOIS_READ_TIMEOUT,
            write_timeout: defaults::WHOIS_WRITE_TIMEOUT,
            max_connections: defaults::MAX_CONNECTIONS,
            max_per_client: defaults::MAX_CONNECTIONS_PER_CLIENT,
            rate: defaults::WHOIS_RATE,
            burst: defaults::WHOIS_BURST,
            bulk_max_lines: defaults::BULK_MAX_LINES,
            personal_limit: defaults::WHOIS_PERSONAL_LIMIT,
            proxy_from: Vec::new(),
            rate_exempt: Vec::new(),
        }
    }
}

/// The RDAP settings of the configuration.
#[derive(Debug, Clone)]
pub struct RdapSettings {
    /// Path prefix, with leading and trailing slash.
    pub base_path: String,
    /// Host name given as `port43`.
    pub port43: Option<String>,
    /// The notices' terms-of-service link (none: this service's `help`).
    pub terms_url: Option<String>,
    /// The notices' inaccuracy-report link (none: this service's `help`).
    pub inaccuracy_url: Option<String>,
    pub max_results: usize,
    pub rate: f64,
    pub burst: f64,
    /// MiB of the answer cache (0: off).
    pub cache_mb: usize,
    /// The load balancers in front of the plain-HTTP and the HTTPS
    /// listeners, whose connections open with a PROXY protocol header.
    pub http_proxy_from: Vec<ipnet::IpNet>,
    pub https_proxy_from: Vec<ipnet::IpNet>,
    /// Clients the request rate does not apply to.
    pub rate_exempt: Vec<ipnet::IpNet>,
}

impl Default for RdapSettings {
    fn default() -> Self {
        RdapSettings {
            base_path: defaults::RDAP_BASE_PATH.into(),
            port43: None,
            terms_url: None,
            inaccuracy_url: None,
            max_results: defaults::RDAP_MAX_RESULTS,
            rate: defaults::RDAP_RATE,
            burst: defaults::RDAP_BURST,
            cache_mb: defaults::RDAP_CACHE_MB,
            http_proxy_from: Vec::new(),
            https_proxy_from: Vec::new(),
            rate_exempt: Vec::new(),
        }
    }
}

/// What `tenure serve` runs with beyond the data: every server key resolved.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub whois_listen: Vec<SocketAddr>,
    pub http_listen: Vec<SocketAddr>,
    /// HTTPS listeners.
    pub rdap_listen: Vec<SocketAddr>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub limits: WhoisLimits,
    /// Open HTTP and HTTPS connections in all when it differs from
    /// WHOIS's `max-connections` (lowered to fit the open-file limit).
    pub http_max_connections: Option<usize>,
    pub rdap: RdapSettings,
    pub admin_listen: Vec<SocketAddr>,
    /// The bearer token `POST /admin/reload` requires (required itself
    /// when an admin listener is bound beyond loopback).
    pub admin_token: Option<String>,
    /// Reload every source this often (none: only when asked).
    pub reload_interval: Option<Duration>,
    /// Largest fall of a file's object count a reload accepts (0..1).
    pub reload_max_drop: f64,
    /// Time open connections have to finish after a stop signal.
    pub drain: Duration,
    /// Time `/readyz` answers 503 after a stop signal while the listeners
    /// still serve, before they stop accepting (a balancer's health check
    /// takes the replica out of rotation meanwhile).
    pub unready: Duration,
    /// Data older than this is "stale" on `/readyz` (none: never).
    pub stale_after: Option<Duration>,
    /// Stale data fails readiness (503) instead of only saying so.
    pub stale_not_ready: bool,
    /// The fetch directory, whose checks count in the data's age.
    pub fetch_dir: Option<PathBuf>,
}

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
    /// Serve contacts' personal data (withheld by default).
    pub personal_data: Option<bool>,
    /// IANA's address-space registries (CSV), for referrals.
    #[serde(default)]
    pub iana_address_space: Vec<PathBuf>,
    /// IANA RDAP bootstrap files, for redirects.
    #[serde(default)]
    pub rdap_bootstrap: Vec<PathBuf>,
    /// A compiled snapshot (`tenure compile`) read instead of the dumps.
    pub snapshot: Option<PathBuf>,
    /// Prefix-to-origin tables (CAIDA pfx2as), files or directories of
    /// dated files.
    #[serde(default)]
    pub pfx2as: Vec<PathBuf>,
    /// RPKI validated ROA payloads (Routinator / rpki-client JSON or CSV),
    /// files or directories of dated files.
    #[serde(default)]
    pub vrps: Vec<PathBuf>,
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
    /// Personal-data objects per WHOIS client in 24 hours.
    pub whois_personal_limit: Option<usize>,
    /// Load balancers (addresses or CIDR prefixes) whose connections to the
    /// WHOIS, plain-HTTP and HTTPS listeners open with a PROXY protocol
    /// header; set for a listener, it accepts only those.
    #[serde(default)]
    pub whois_proxy_protocol: Vec<String>,
    #[serde(default)]
    pub http_proxy_protocol: Vec<String>,
    #[serde(default)]
    pub rdap_proxy_protocol: Vec<String>,
    /// Clients (addresses or CIDR prefixes) exempt from the WHOIS and RDAP
    /// rate limits: the operator's own tools.
    #[serde(default)]
    pub rate_limit_exempt: Vec<String>,
    /// Plain-HTTP listeners for RDAP (`tenure serve`).
    #[serde(default)]
    pub http_listen: Vec<std::net::SocketAddr>,
    /// RDAP path prefix (default `/rdap/`).
    pub rdap_base_path: Option<String>,
    /// Host name RDAP answers give as `port43` (the public WHOIS host).
    pub whois_host: Option<String>,
    /// Terms of service URL of the RDAP notices (default: this service's `help`).
    pub rdap_terms_url: Option<String>,
    /// Where to report inaccurate data, for the RDAP notices (default: `help`).
    pub rdap_inaccuracy_url: Option<String>,
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
    /// Bearer token for the admin listener's state-changing requests.
    pub admin_token: Option<String>,
    /// Seconds between reloads of every source (unset: only when asked).
    pub reload_interval: Option<f64>,
    /// Largest fall of a file's object count a reload accepts, 0 to 1.
    pub reload_max_drop: Option<f64>,
    /// Seconds open connections have to finish after SIGTERM/SIGINT.
    pub drain_seconds: Option<f64>,
    /// Seconds `/readyz` answers 503 after SIGTERM/SIGINT while still
    /// serving, before the listeners stop accepting.
    pub unready_seconds: Option<f64>,
    /// Seconds after which loaded data is stale (`/readyz`, metrics).
    pub stale_after: Option<f64>,
    /// Stale data fails readiness instead of only being reported.
    pub stale_not_ready: Option<bool>,
    /// Where `tenure fetch` writes, and where the other commands find
    /// what it wrote (each file by its kind, after the files named above).
    pub fetch_dir: Option<PathBuf>,
    /// What `tenure fetch` downloads (unset: [`default_fetch_sources`]).
    pub fetch: Option<Vec<FetchSource>>,
    /// PEM files of CA certificates `fetch` trusts besides the system's.
    #[serde(default)]
    pub fetch_ca_file: Vec<PathBuf>,
    /// Seconds `fetch` waits for any step of a download before giving up.
    pub fetch_timeout: Option<f64>,
    /// The running server's admin listener `fetch` asks to reload what
    /// changed (`http://127.0.0.1:9180`); unset, no reload is asked.
    pub fetch_reload: Option<String>,
    /// Dated downloads (routing files) kept per source.
    pub fetch_keep: Option<usize>,
    /// Databases mirrored by NRTMv4 into the fetch directory.
    #[serde(default)]
    pub nrtm: Vec<NrtmSource>,
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
    #[arg(long, value_name = "ADDR", help = format!("WHOIS listener address, repeatable (default {}; port 0 picks a free port)", defaults::WHOIS_LISTEN))]
    pub whois_listen: Vec<std::net::SocketAddr>,
    #[arg(long, value_name = "BYTES", help = format!("Longest query line in bytes (default {})", defaults::WHOIS_MAX_LINE))]
    pub whois_max_line: Option<usize>,
    #[arg(long, value_name = "SECS", help = format!("Seconds a client has to send each query line (default {})", defaults::WHOIS_READ_TIMEOUT.as_secs_f64()))]
    pub whois_read_timeout: Option<f64>,
    #[arg(long, value_name = "SECS", help = format!("Seconds a client has to take each answer (default {})", defaults::WHOIS_WRITE_TIMEOUT.as_secs_f64()))]
    pub whois_write_timeout: Option<f64>,
    #[arg(long, value_name = "N", help = format!("Open connections in all (default {})", defaults::MAX_CONNECTIONS))]
    pub max_connections: Option<usize>,
    #[arg(long, value_name = "N", help = format!("Open connections per client address, IPv6 per /64 (default {})", defaults::MAX_CONNECTIONS_PER_CLIENT))]
    pub max_connections_per_client: Option<usize>,
    #[arg(long, value_name = "QPS", help = format!("Sustained queries per second per client (default {})", defaults::WHOIS_RATE))]
    pub whois_rate: Option<f64>,
    #[arg(long, value_name = "N", help = format!("Queries a client may send at once before the rate applies (default {})", defaults::WHOIS_BURST))]
    pub whois_burst: Option<f64>,
    #[arg(long, value_name = "N", help = format!("Addresses per bulk-mode connection (default {})", defaults::BULK_MAX_LINES))]
    pub bulk_max_lines: Option<usize>,
    #[arg(long, value_name = "N", help = format!("Personal-data objects a WHOIS client may receive in 24 hours, when personal data is served (default {})", defaults::WHOIS_PERSONAL_LIMIT))]
    pub whois_personal_limit: Option<usize>,
    /// A load balancer (address or CIDR prefix) whose connections to the WHOIS listeners open with a PROXY protocol header (v1 or v2), repeatable; set, those listeners accept only such connections.
    #[arg(long, value_name = "CIDR")]
    pub whois_proxy_protocol: Vec<String>,
    /// The same for the plain-HTTP listeners.
    #[arg(long, value_name = "CIDR")]
    pub http_proxy_protocol: Vec<String>,
    /// The same for the HTTPS listeners.
    #[arg(long, value_name = "CIDR")]
    pub rdap_proxy_protocol: Vec<String>,
    /// A client (address or CIDR prefix) exempt from the WHOIS and RDAP rate limits, repeatable: the operator's own tools (behind a balancer, the client its PROXY header names).
    #[arg(long, value_name = "CIDR")]
    pub rate_limit_exempt: Vec<String>,
    #[arg(long, value_name = "ADDR", help = format!("Plain-HTTP RDAP listener, repeatable (default {})", defaults::HTTP_LISTEN))]
    pub http_listen: Vec<std::net::SocketAddr>,
    #[arg(long, value_name = "PATH", help = format!("RDAP path prefix (default {})", defaults::RDAP_BASE_PATH))]
    pub rdap_base_path: Option<String>,
    /// Public WHOIS host name that RDAP answers give as port43.
    #[arg(long, value_name = "HOST")]
    pub whois_host: Option<String>,
    /// Terms of service URL linked from every RDAP answer's notices (default: this service's help).
    #[arg(long, value_name = "URL")]
    pub rdap_terms_url: Option<String>,
    /// URL for reporting inaccurate data, linked from every RDAP answer's notices (default: this service's help).
    #[arg(long, value_name = "URL")]
    pub rdap_inaccuracy_url: Option<String>,
    #[arg(long, value_name = "N", help = format!("Most results an RDAP search returns (default {})", defaults::RDAP_MAX_RESULTS))]
    pub rdap_max_results: Option<usize>,
    #[arg(long, value_name = "RPS", help = format!("Sustained RDAP requests per second per client (default {})", defaults::RDAP_RATE))]
    pub rdap_rate: Option<f64>,
    #[arg(long, value_name = "N", help = format!("RDAP requests a client may send at once before the rate applies (default {})", defaults::RDAP_BURST))]
    pub rdap_burst: Option<f64>,
    #[arg(long, value_name = "MIB", help = format!("Memory for RDAP answers kept for other addresses of the same network, MiB (default {}; 0: off)", defaults::RDAP_CACHE_MB))]
    pub rdap_cache_mb: Option<usize>,
    #[arg(long, value_name = "ADDR", help = format!("Admin listener for /metrics, /healthz, /readyz and POST /admin/reload, repeatable (default {})", defaults::ADMIN_LISTEN))]
    pub admin_listen: Vec<std::net::SocketAddr>,
    /// Bearer token that POST /admin/reload requires (needed when an admin listener is not on loopback).
    #[arg(long, value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// Reload every source this often, seconds (default: only on SIGHUP or POST /admin/reload).
    #[arg(long, value_name = "SECONDS")]
    pub reload_interval: Option<f64>,
    #[arg(long, value_name = "FRACTION", help = format!("Refuse a reload when a file's object count falls by more than this fraction (default {})", defaults::RELOAD_MAX_DROP))]
    pub reload_max_drop: Option<f64>,
    #[arg(long, value_name = "SECONDS", help = format!("Seconds open connections have to finish after SIGTERM/SIGINT (default {})", defaults::DRAIN.as_secs_f64()))]
    pub drain_seconds: Option<f64>,
    /// Seconds /readyz answers 503 after SIGTERM/SIGINT while the listeners still serve, before they stop accepting (default 0: stop at once; behind a balancer, its health-check interval times the failures it needs).
    #[arg(long, value_name = "SECONDS")]
    pub unready_seconds: Option<f64>,
    /// Seconds after which a loaded file's data is stale: older than that since it changed or since fetch last found it current; /readyz says so (default: never stale).
    #[arg(long, value_name = "SECONDS")]
    pub stale_after: Option<f64>,
    /// Stale data fails readiness (/readyz 503) instead of only saying so.
    #[arg(long)]
    pub stale_not_ready: bool,
    /// Log lines as readable text or as JSON objects (default human).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Least severe log lines written; debug adds a line per request (default info).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub log_level: Option<LogLevel>,
    #[arg(long, value_name = "ADDR", help = format!("HTTPS RDAP listener, repeatable (default {})", defaults::RDAP_LISTEN))]
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
    pub fn resolve(&self, file: &FileConfig) -> Result<ServeSettings, ConfigError> {
        let d = WhoisLimits::default();
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
            // a bucket smaller than one query refuses every query
            Some(r) if key.ends_with("-burst") && r.is_finite() && r < 1.0 => {
                Err(ConfigError::Value {
                    key,
                    message: format!("{r} is below 1: no query would ever be answered"),
                })
            }
            Some(r) if r.is_finite() && r > 0.0 => Ok(r),
            Some(r) => Err(ConfigError::Value {
                key,
                message: format!("{r} is not a positive rate"),
            }),
        };
        let limits = WhoisLimits {
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
            personal_limit: positive(
                "whois-personal-limit",
                self.whois_personal_limit.or(file.whois_personal_limit),
                d.personal_limit,
            )?,
            proxy_from: nets(
                "whois-proxy-protocol",
                first_given(&self.whois_proxy_protocol, &file.whois_proxy_protocol),
            )?,
            rate_exempt: nets(
                "rate-limit-exempt",
                first_given(&self.rate_limit_exempt, &file.rate_limit_exempt),
            )?,
        };
        let whois_listen = first_given(&self.whois_listen, &file.whois_listen)
            .unwrap_or_else(|| vec![defaults::WHOIS_LISTEN]);
        let http_listen = first_given(&self.http_listen, &file.http_listen)
            .unwrap_or_else(|| vec![defaults::HTTP_LISTEN]);
        let base = self
            .rdap_base_path
            .clone()
            .or_else(|| file.rdap_base_path.clone())
            .unwrap_or_else(|| defaults::RDAP_BASE_PATH.into());
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
        let rdap = RdapSettings {
            base_path: base,
            port43: self.whois_host.clone().or_else(|| file.whois_host.clone()),
            terms_url: self
                .rdap_terms_url
                .clone()
                .or_else(|| file.rdap_terms_url.clone()),
            inaccuracy_url: self
                .rdap_inaccuracy_url
                .clone()
                .or_else(|| file.rdap_inaccuracy_url.clone()),
            max_results: positive(
                "rdap-max-results",
                self.rdap_max_results.or(file.rdap_max_results),
                defaults::RDAP_MAX_RESULTS,
            )?,
            rate: rate(
                "rdap-rate",
                self.rdap_rate.or(file.rdap_rate),
                defaults::RDAP_RATE,
            )?,
            burst: rate(
                "rdap-burst",
                self.rdap_burst.or(file.rdap_burst),
                defaults::RDAP_BURST,
            )?,
            cache_mb: self
                .rdap_cache_mb
                .or(file.rdap_cache_mb)
                .unwrap_or(defaults::RDAP_CACHE_MB),
            http_proxy_from: nets(
                "http-proxy-protocol",
                first_given(&self.http_proxy_protocol, &file.http_proxy_protocol),
            )?,
            https_proxy_from: nets(
                "rdap-proxy-protocol",
                first_given(&self.rdap_proxy_protocol, &file.rdap_proxy_protocol),
            )?,
            rate_exempt: limits.rate_exempt.clone(),
        };
        let rdap_listen = first_given(&self.rdap_listen, &file.rdap_listen)
            .unwrap_or_else(|| vec![defaults::RDAP_LISTEN]);
        let admin_listen = if self.admin_listen.is_empty() {
            file.admin_listen
                .clone()
                .unwrap_or_else(|| vec![defaults::ADMIN_LISTEN])
        } else {
            self.admin_listen.clone()
        };
        let admin_token = self
            .admin_token
            .clone()
            .or_else(|| file.admin_token.clone())
            .filter(|t| !t.is_empty());
        if let Some(t) = &admin_token {
            if t.len() < 16 {
                return Err(ConfigError::Value {
                    key: "admin-token",
                    message: "use at least 16 characters".into(),
                });
            }
        }
        // beyond loopback, whoever reaches the listener could reload: a
        // token is required there
        if let Some(a) = admin_listen.iter().find(|a| !a.ip().is_loopback()) {
            if admin_token.is_none() {
                return Err(ConfigError::Value {
                    key: "admin-token",
                    message: format!(
                        "the admin listener {a} is not on loopback: set admin-token (POST /admin/reload then requires it)"
                    ),
                });
            }
        }
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
            None => defaults::RELOAD_MAX_DROP,
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
            defaults::DRAIN,
        )?;
        let unready = match self.unready_seconds.or(file.unready_seconds) {
            None => Duration::ZERO,
            Some(s) if s.is_finite() && (0.0..=3600.0).contains(&s) => Duration::from_secs_f64(s),
            Some(s) => {
                return Err(ConfigError::Value {
                    key: "unready-seconds",
                    message: format!("{s} is not a number of seconds between 0 and 3600"),
                })
            }
        };
        let stale_after = match self.stale_after.or(file.stale_after) {
            None => None,
            Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
            Some(s) => {
                return Err(ConfigError::Value {
                    key: "stale-after",
                    message: format!("{s} is not a positive number of seconds"),
                })
            }
        };
        Ok(ServeSettings {
            stale_after,
            stale_not_ready: self.stale_not_ready || file.stale_not_ready.unwrap_or(false),
            fetch_dir: file.fetch_dir.clone(),
            whois_listen,
            http_listen,
            rdap_listen,
            tls_cert: self.tls_cert.clone().or_else(|| file.tls_cert.clone()),
            tls_key: self.tls_key.clone().or_else(|| file.tls_key.clone()),
            limits,
            http_max_connections: None,
            rdap,
            admin_listen,
            admin_token,
            reload_interval,
            reload_max_drop,
            drain,
            unready,
        })
    }
}

/// Addresses or CIDR prefixes (`192.0.2.1`, `10.0.0.0/8`, `2001:db8::/32`).
fn nets(key: &'static str, list: Option<Vec<String>>) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    list.unwrap_or_default()
        .iter()
        .map(|t| {
            let t = t.trim();
            t.parse::<ipnet::IpNet>()
                .map(|n| n.trunc())
                .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::Value {
                    key,
                    message: format!("'{t}' is not an address or a CIDR prefix"),
                })
        })
        .collect()
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
        cfg.iana_address_space.iter_mut().for_each(fix);
        cfg.pfx2as.iter_mut().for_each(fix);
        cfg.vrps.iter_mut().for_each(fix);
        cfg.fetch_ca_file.iter_mut().for_each(fix);
        cfg.nrtm.iter_mut().for_each(|n| fix(&mut n.public_key));
        if let Some(p) = cfg.fetch_dir.as_mut() {
            fix(p);
        }
        if let Some(p) = cfg.tls_cert.as_mut() {
            fix(p);
        }
        if let Some(p) = cfg.tls_key.as_mut() {
            fix(p);
        }
        if let Some(p) = cfg.platform_maintainers.as_mut() {
            fix(p);
        }
        if let Some(p) = cfg.snapshot.as_mut() {
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

/// What a fetched file is: which list of sources it joins, and so which
/// reload it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FetchKind {
    Dump,
    Delegated,
    Leases,
    RdapBootstrap,
    IanaAddressSpace,
    Pfx2as,
    Vrps,
    /// An NRTMv4 mirror file whose update was deltas only (journaled: a
    /// server serves them over the file it read). Not a `[[fetch]]` kind.
    #[serde(skip)]
    MirrorDeltas,
}

impl FetchKind {
    /// The admin reload scope a new file of this kind needs.
    pub fn scope(self) -> &'static str {
        match self {
            FetchKind::Leases => "leases",
            FetchKind::Pfx2as | FetchKind::Vrps => "routing",
            FetchKind::MirrorDeltas => "mirrors",
            _ => "all",
        }
    }
}

/// How a source's URL names the newest file instead of being it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Latest {
    /// A CAIDA `pfx2as-creation.log`: the newest file is its last line's.
    CaidaLog,
}

/// One source `tenure fetch` downloads (a `[[fetch]]` table).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FetchSource {
    pub kind: FetchKind,
    pub url: String,
    /// The name in the data directory (a directory when `dated`).
    pub file: String,
    /// `md5:` or `sha256:` and the digest or the URL of a file holding it.
    #[serde(default)]
    pub checksum: Option<String>,
    #[serde(default)]
    pub latest: Option<Latest>,
    /// Keep each download under its dated name in the directory `file`
    /// (routing files, for answers about past times).
    #[serde(default)]
    pub dated: bool,
}

/// What `fetch` downloads when the configuration names nothing: the
/// public split dumps of RIPE NCC, APNIC and AFRINIC (the object types
/// tenure answers from), the five RIRs' delegated-extended statistics with
/// their published MD5, IANA's RDAP bootstrap and address-space registries,
/// CAIDA's RouteViews prefix-to-origin tables and rpki-client's VRPs.
/// ARIN's and LACNIC's registration data need an agreement: add their
/// access URLs as `[[fetch]]` tables.
pub fn default_fetch_sources() -> Vec<FetchSource> {
    let src = |kind, url: String, file: String, checksum: Option<String>| FetchSource {
        kind,
        url,
        file,
        checksum,
        latest: None,
        dated: false,
    };
    let mut out = Vec::new();
    let types = [
        "inetnum",
        "inet6num",
        "organisation",
        "role",
        "irt",
        "aut-num",
        "as-block",
        "domain",
    ];
    for t in types {
        out.push(src(
            FetchKind::Dump,
            format!("https://ftp.ripe.net/ripe/dbase/split/ripe.db.{t}.utf8.gz"),
            format!("ripe.db.{t}.gz"),
            None,
        ));
    }
    for t in types {
        out.push(src(
            FetchKind::Dump,
            format!("https://ftp.apnic.net/apnic/whois/apnic.db.{t}.gz"),
            format!("apnic.db.{t}.gz"),
            None,
        ));
    }
    out.push(src(
        FetchKind::Dump,
        "https://ftp.afrinic.net/dbase/afrinic.db.gz".into(),
        "afrinic.db.gz".into(),
        None,
    ));
    for (rir, base) in [
        ("ripencc", "https://ftp.ripe.net/pub/stats/ripencc"),
        ("apnic", "https://ftp.apnic.net/stats/apnic"),
        ("afrinic", "https://ftp.afrinic.net/pub/stats/afrinic"),
        ("arin", "https://ftp.arin.net/pub/stats/arin"),
        ("lacnic", "https://ftp.lacnic.net/pub/stats/lacnic"),
    ] {
        let url = format!("{base}/delegated-{rir}-extended-latest");
        out.push(src(
            FetchKind::Delegated,
            url.clone(),
            format!("delegated-{rir}-extended-latest"),
            Some(format!("md5:{url}.md5")),
        ));
    }
    for f in ["ipv4", "ipv6", "asn"] {
        out.push(src(
            FetchKind::RdapBootstrap,
            format!("https://data.iana.org/rdap/{f}.json"),
            format!("rdap-bootstrap-{f}.json"),
            None,
        ));
    }
    for f in ["ipv4-address-space", "ipv6-unicast-address-assignments"] {
        out.push(src(
            FetchKind::IanaAddressSpace,
            format!("https://www.iana.org/assignments/{f}/{f}.csv"),
            format!("{f}.csv"),
            None,
        ));
    }
    for (v, dir) in [("", "pfx2as-v4"), ("6", "pfx2as-v6")] {
        out.push(FetchSource {
            latest: Some(Latest::CaidaLog),
            dated: true,
            ..src(
                FetchKind::Pfx2as,
                format!("https://publicdata.caida.org/datasets/routing/routeviews{v}-prefix2as/pfx2as-creation.log"),
                dir.into(),
                None,
            )
        });
    }
    out.push(FetchSource {
        dated: true,
        ..src(
            FetchKind::Vrps,
            "https://console.rpki-client.org/vrps.json".into(),
            "vrps".into(),
            None,
        )
    });
    out
}

/// One mirrored source (a `[[nrtm]]` table).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NrtmSource {
    /// The IRR source name the notification must carry (`RIPE`).
    pub source: String,
    /// The Update Notification File's URL.
    pub url: String,
    /// PEM file of the server's signing key (RIPE publishes its own).
    pub public_key: PathBuf,
    /// The mirror's RPSL file in the fetch directory.
    pub file: String,
}

/// The files `fetch` has written into `dir` for the sources, by kind (a
/// dated source's directory once it holds a file).
pub fn fetched_files(dir: &Path, sources: &[FetchSource]) -> Vec<(FetchKind, PathBuf)> {
    sources
        .iter()
        .map(|s| (s.kind, dir.join(&s.file)))
        .filter(|(_, p)| {
            p.is_file()
                || (p.is_dir()
                    && std::fs::read_dir(p)
                        .map(|mut d| {
                            d.any(|e| {
                                e.is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('.'))
                            })
                        })
                        .unwrap_or(false))
        })
        .collect()
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

/// Where the data comes from (flags override `--config`; with none of
/// `--config`, `--dump`, `--delegated`, the sample data in `data/` is used).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DataFlags {
    /// TOML config file (keys are these flags' names).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// RPSL dump, plain or gzip (repeatable).
    #[arg(long, value_name = "PATH")]
    pub dump: Vec<PathBuf>,
    /// Delegated-extended statistics file (repeatable).
    #[arg(long, value_name = "PATH")]
    pub delegated: Vec<PathBuf>,
    /// Text encoding of dumps: auto (UTF-8, else Latin-1 per object), utf-8, latin-1.
    #[arg(long, value_name = "ENC")]
    pub encoding: Option<Encoding>,
    /// File listing leasing platforms' maintainers, one per line.
    #[arg(long, value_name = "FILE")]
    pub platform_maintainers: Option<PathBuf>,
    /// Longest-prefix-match structure: sorted or iptrie.
    #[arg(long, value_name = "NAME")]
    pub index_backend: Option<String>,
    /// Lease records (JSON Lines), repeatable; the source is named after the file stem.
    #[arg(long, value_name = "PATH")]
    pub leases: Vec<PathBuf>,
    /// Drop leases whose lessor is not the holder instead of keeping them marked unverified.
    #[arg(long)]
    pub reject_unverified_leases: bool,
    /// Serve contacts' personal data (names, addresses, phones, mail of persons); withheld by default.
    #[arg(long)]
    pub personal_data: bool,
    /// IANA address-space registry (ipv4-address-space.csv, ipv6-unicast-address-assignments.csv), repeatable; default: the copies built in.
    #[arg(long, value_name = "PATH")]
    pub iana_address_space: Vec<PathBuf>,
    /// IANA RDAP bootstrap file (ipv4.json, ipv6.json, asn.json), repeatable; names the RDAP service of space not loaded here.
    #[arg(long, value_name = "PATH")]
    pub rdap_bootstrap: Vec<PathBuf>,
    /// Prefix-to-origin table (CAIDA RouteViews pfx2as, plain or gzip), or a directory of dated ones, repeatable.
    #[arg(long, value_name = "PATH")]
    pub pfx2as: Vec<PathBuf>,
    /// RPKI validated ROA payloads (Routinator / rpki-client JSON, or CSV), or a directory of dated ones, repeatable.
    #[arg(long, value_name = "PATH")]
    pub vrps: Vec<PathBuf>,
    /// A compiled snapshot (tenure compile) to map instead of parsing the dumps, or a directory of dated ones (the newest serves, older ones answer --at); the other sources load from their files.
    #[arg(long, value_name = "FILE|DIR")]
    pub snapshot: Option<PathBuf>,
    /// No progress output while loading.
    #[arg(long, short)]
    pub quiet: bool,
}

impl DataFlags {
    /// Merges flags over the file (or over the sample config when no data
    /// is named at all).
    pub fn resolve(&self) -> Result<DataConfig, ConfigError> {
        // with no config and no dumps or statistics named, the sample config
        // is the config (other flags, --leases among them, still override it)
        let no_data = self.config.is_none()
            && self.dump.is_empty()
            && self.delegated.is_empty()
            && self.snapshot.is_none();
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
        let mut sources = Sources {
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
            personal_data: self.personal_data || file.personal_data.unwrap_or(false),
            address_space: first_given(&self.iana_address_space, &file.iana_address_space)
                .unwrap_or_default(),
            rdap_bootstrap: first_given(&self.rdap_bootstrap, &file.rdap_bootstrap)
                .unwrap_or_default(),
            routing: crate::dump::RoutingSources {
                pfx2as: first_given(&self.pfx2as, &file.pfx2as).unwrap_or_default(),
                vrps: first_given(&self.vrps, &file.vrps).unwrap_or_default(),
            },
            compiled: self.snapshot.clone().or_else(|| file.snapshot.clone()),
        };
        if let Some(dir) = &file.fetch_dir {
            let listed = file.fetch.clone().unwrap_or_else(default_fetch_sources);
            let mirrors = file.nrtm.iter().map(|n| FetchSource {
                kind: FetchKind::Dump,
                url: n.url.clone(),
                file: n.file.clone(),
                checksum: None,
                latest: None,
                dated: false,
            });
            let listed: Vec<FetchSource> = listed.into_iter().chain(mirrors).collect();
            for (kind, path) in fetched_files(dir, &listed) {
                let list = match kind {
                    FetchKind::Dump | FetchKind::MirrorDeltas => &mut sources.dumps,
                    FetchKind::Delegated => &mut sources.delegated,
                    FetchKind::RdapBootstrap => &mut sources.rdap_bootstrap,
                    FetchKind::IanaAddressSpace => &mut sources.address_space,
                    FetchKind::Pfx2as => &mut sources.routing.pfx2as,
                    FetchKind::Vrps => &mut sources.routing.vrps,
                    FetchKind::Leases => {
                        sources.leases.push(LeaseSource::from_path(path));
                        continue;
                    }
                };
                if !list.contains(&path) {
                    list.push(path);
                }
            }
        }
        Ok(DataConfig {
            sources,
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
        // a bucket below one query would refuse everything
        for (w, r) in [(Some(0.5), None), (None, Some(0.9))] {
            let flags = ServeFlags {
                whois_burst: w,
                rdap_burst: r,
                ..Default::default()
            };
            let e = flags.resolve(&file).unwrap_err().to_string();
            assert!(e.contains("-burst") && e.contains("below 1"), "{e}");
        }
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
        assert_eq!(file.admin_listen, Some(vec![defaults::ADMIN_LISTEN]));
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
