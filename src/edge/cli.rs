//! The command line: `tenure lookup`, `tenure check`, and the hidden
//! `tenure gen-data` used by benchmarks. Maps every error to one clear line
//! on stderr and a documented exit code ([`exit`]).

use crate::config::{ConfigError, DataFlags};
use crate::dump::{self, LoadError};
use crate::progress::Progress;
use crate::query;
use crate::snapshot::Snapshot;
use crate::whois;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Exit codes.
pub mod exit {
    /// Success (also for "no entries found").
    pub const OK: i32 = 0;
    /// A runtime failure not covered below (for instance stdout closed).
    pub const FAILURE: i32 = 1;
    /// Bad usage or a malformed query.
    pub const USAGE: i32 = 2;
    /// The configuration could not be read or is invalid.
    pub const CONFIG: i32 = 3;
    /// A data source could not be read.
    pub const DATA: i32 = 4;
    /// A listener could not be bound or the server could not start.
    pub const SERVE: i32 = 5;
    /// The TLS certificate or key could not be used.
    pub const TLS: i32 = 6;
    /// `fetch`: a source could not be downloaded (the others were; its
    /// current file stays), or the server could not be asked to reload.
    pub const FETCH: i32 = 7;
}

#[derive(Parser, Debug)]
#[command(
    name = "tenure",
    version,
    about = "WHOIS/RDAP registry data for IP space: who holds an address, who leases it, where abuse goes",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Answer one query (address, prefix, range, AS number or handle).
    Lookup(LookupArgs),
    /// Load every source and print a load report.
    Check(CheckArgs),
    /// Serve WHOIS (port 43), RDAP and the lookup page (HTTP, HTTPS) and the admin listener until SIGINT or SIGTERM; SIGHUP reloads every source, SIGUSR1 the lease files, SIGUSR2 the routing files.
    Serve(Box<ServeArgs>),
    /// Download the configured sources (registry dumps and statistics, IANA's files, routing files) into the fetch directory, conditionally and checked, and ask a running server to reload what changed.
    Fetch(FetchArgs),
    /// Load the dumps and write their objects and indexes as one compiled snapshot file, which serve --snapshot maps in seconds instead of parsing the dumps.
    Compile(CompileArgs),
    /// Write a deterministic RIPE-like dump for benchmarks.
    #[command(hide = true)]
    GenData(GenArgs),
}

#[derive(Args, Debug)]
struct LookupArgs {
    #[command(flatten)]
    data: DataFlags,
    /// Print one JSON object instead of WHOIS text.
    #[arg(long)]
    json: bool,
    /// Answer as of this moment (RFC 3339, e.g. 2026-03-14T09:30:00Z) instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<i64>,
    /// List every lease that ever covered the address, oldest first, instead of the answer.
    #[arg(long)]
    lease_history: bool,
    /// What is loaded here even for space another registry answers for
    /// (as WHOIS `--resource`; without it such space is referred there).
    #[arg(long)]
    resource: bool,
    /// The query; words are joined, so `192.0.2.0 - 192.0.2.9` needs no quotes.
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
}

#[derive(Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    data: DataFlags,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    data: DataFlags,
    #[command(flatten)]
    serve: crate::config::ServeFlags,
}

#[derive(Args, Debug)]
struct CompileArgs {
    #[command(flatten)]
    data: DataFlags,
    /// The compiled snapshot to write (through a temporary file renamed over it); a directory gets a dated file (registry-YYYYMMDD-HHMM.snap), which serve --snapshot DIR serves when newest and uses for --at before it.
    #[arg(long, value_name = "FILE|DIR")]
    out: PathBuf,
    /// With --out DIR: how many dated snapshots are kept there, the newest.
    #[arg(long, value_name = "N", default_value_t = 30)]
    keep: usize,
}

#[derive(Args, Debug)]
struct FetchArgs {
    /// TOML config file (`fetch-dir`, `[[fetch]]` sources, ...); without one, the sample config.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The data directory to write (overrides `fetch-dir`).
    #[arg(long, value_name = "DIR")]
    fetch_dir: Option<PathBuf>,
    /// PEM file of CA certificates to trust besides the system's, repeatable.
    #[arg(long, value_name = "FILE")]
    fetch_ca_file: Vec<PathBuf>,
    /// Seconds to wait for any step of a download (default 60).
    #[arg(long, value_name = "SECS")]
    fetch_timeout: Option<f64>,
    /// The running server's admin listener to ask for a reload of what changed (http://HOST:PORT).
    #[arg(long, value_name = "URL")]
    fetch_reload: Option<String>,
    /// Dated downloads (routing files) kept per source (default 30).
    #[arg(long, value_name = "N")]
    fetch_keep: Option<usize>,
    /// Only these sources (their `file` names), repeatable.
    #[arg(long, value_name = "FILE")]
    only: Vec<String>,
}

#[derive(Args, Debug)]
struct GenArgs {
    /// Number of inetnum and inet6num objects.
    #[arg(long, default_value_t = 100_000)]
    objects: u64,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output file (gzip when it ends in .gz); with --registries, a directory.
    #[arg(long)]
    out: PathBuf,
    /// Write all five registries' layouts into the --out directory, at
    /// their relative sizes (RIPE, AFRINIC, APNIC RPSL; LACNIC bulk; ARIN's
    /// bulk ZIP).
    #[arg(long)]
    registries: bool,
    /// Write routing files into the --out directory instead: --objects
    /// announced prefixes as CAIDA pfx2as files (IPv4 and IPv6) and VRPs
    /// for about 58 % of them (rpki-client JSON).
    #[arg(long, conflicts_with = "registries")]
    routing: bool,
}

/// A failure at the process edge.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("malformed query: {0}")]
    Query(#[from] query::QueryError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Serve(#[from] crate::app::ServeError),
}

impl CliError {
    fn code(&self) -> i32 {
        match self {
            CliError::Config(_) => exit::CONFIG,
            CliError::Load(_) => exit::DATA,
            CliError::Query(_) => exit::USAGE,
            CliError::Io(_) => exit::FAILURE,
            CliError::Usage(_) => exit::USAGE,
            CliError::Serve(crate::app::ServeError::Tls(_)) => exit::TLS,
            CliError::Serve(crate::app::ServeError::Load(_)) => exit::DATA,
            CliError::Serve(_) => exit::SERVE,
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return code;
        }
    };
    if !matches!(cli.command, Command::Serve(_)) {
        // serve starts logging once its configuration is read
        init_logging(Default::default(), Default::default());
    }
    let result = match cli.command {
        Command::Lookup(a) => lookup(a),
        Command::Check(a) => check(a),
        Command::Serve(a) => serve(*a),
        Command::Fetch(a) => fetch(a),
        Command::Compile(a) => compile(a),
        Command::GenData(a) if a.registries => {
            crate::gen::write_registries(&a.out, a.objects, a.seed)
                .map_err(CliError::from)
                .map(|files| {
                    for (f, s) in files {
                        println!("{}: {} networks", f.display(), s.networks);
                    }
                    exit::OK
                })
        }
        Command::GenData(a) if a.routing => crate::gen::write_routing(&a.out, a.objects, a.seed)
            .map_err(CliError::from)
            .map(|files| {
                for (f, n) in files {
                    println!("{}: {n} lines", f.display());
                }
                exit::OK
            }),
        Command::GenData(a) => crate::gen::write_file(&a.out, a.objects, a.seed)
            .map_err(CliError::from)
            .map(|_| exit::OK),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tenure: {e}");
            e.code()
        }
    }
}

fn parse_time(s: &str) -> Result<i64, String> {
    crate::time::parse(s).map_err(|e| e.to_string())
}

fn init_logging(format: crate::config::LogFormat, level: crate::config::LogLevel) {
    use crate::config::{LogFormat, LogLevel};
    use std::io::IsTerminal;
    use tracing_subscriber::filter::LevelFilter;
    let filter = match level {
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
    };
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(filter);
    let _ = match format {
        LogFormat::Human => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Loads the data named by the flags into a snapshot.
fn load(data: &DataFlags) -> Result<Snapshot, CliError> {
    let cfg = data.resolve()?;
    load_config(&cfg, data.quiet)
}

fn load_config(cfg: &crate::config::DataConfig, quiet: bool) -> Result<Snapshot, CliError> {
    Ok(load_snapshot(&cfg.sources, cfg.backend, quiet)?)
}

/// The first snapshot (serial 1) of the configured data.
fn load_snapshot(
    sources: &dump::Sources,
    backend: crate::index::LpmBackend,
    quiet: bool,
) -> Result<Snapshot, crate::dump::LoadError> {
    Snapshot::load(
        sources,
        backend,
        1,
        crate::query::lease_policy(sources.reject_unverified_leases),
        &Progress::auto(quiet),
    )
}

fn compile(a: CompileArgs) -> Result<i32, CliError> {
    let cfg = a.data.resolve()?;
    let started = Instant::now();
    let progress = Progress::auto(a.data.quiet);
    let (reg, report) = dump::load_dumps(&cfg.sources, &progress)?;
    let snap = Snapshot::build(
        reg,
        report.clone(),
        1,
        cfg.backend,
        crate::query::lease_policy(cfg.sources.reject_unverified_leases),
    );
    let out = if a.out.is_dir() {
        a.out.join(crate::fetch::dated_name(
            "registry.snap",
            crate::time::now(),
        ))
    } else {
        a.out.clone()
    };
    let bytes = snap
        .compile(&out, &report)
        .map_err(|e| CliError::Load(dump::LoadError::Failed(e.to_string())))?;
    if a.out.is_dir() {
        crate::fetch::prune(&a.out, a.keep.max(1));
    }
    println!(
        "{}: {} networks, {} objects in all, {:.1} MiB, compiled in {:.2} s",
        out.display(),
        snap.networks(),
        report.objects_total(),
        bytes as f64 / (1 << 20) as f64,
        started.elapsed().as_secs_f64()
    );
    std::mem::forget(snap);
    Ok(exit::OK)
}

fn serve(a: ServeArgs) -> Result<i32, CliError> {
    let cfg = a.data.resolve()?;
    init_logging(
        a.serve
            .log_format
            .or(cfg.file.log_format)
            .unwrap_or_default(),
        a.serve.log_level.or(cfg.file.log_level).unwrap_or_default(),
    );
    let serve_cfg = a.serve.resolve(&cfg.file)?;
    let (sources, backend, quiet) = (cfg.sources.clone(), cfg.backend, a.data.quiet);
    crate::app::serve(
        move || load_snapshot(&sources, backend, quiet),
        serve_cfg,
        cfg,
    )?;
    Ok(exit::OK)
}

fn fetch(a: FetchArgs) -> Result<i32, CliError> {
    use crate::config::{ConfigError, FileConfig};
    let file = match &a.config {
        Some(p) => FileConfig::load(p)?,
        None => FileConfig::load(&crate::config::sample_dir().join(crate::config::SAMPLE_CONFIG))?,
    };
    let dir = a.fetch_dir.or(file.fetch_dir).ok_or(ConfigError::Value {
        key: "fetch-dir",
        message: "fetch needs a data directory (--fetch-dir or fetch-dir in the config)".into(),
    })?;
    let stall = a.fetch_timeout.or(file.fetch_timeout).unwrap_or(60.0);
    if !(stall.is_finite() && stall > 0.0) {
        return Err(ConfigError::Value {
            key: "fetch-timeout",
            message: "must be a positive number of seconds".into(),
        }
        .into());
    }
    let mut ca_files = file.fetch_ca_file;
    ca_files.extend(a.fetch_ca_file);
    let settings = crate::fetch::FetchSettings {
        dir,
        sources: file
            .fetch
            .unwrap_or_else(crate::config::default_fetch_sources),
        ca_files,
        system_trust: true,
        stall: std::time::Duration::from_secs_f64(stall),
        reload: a.fetch_reload.or(file.fetch_reload),
        admin_token: file.admin_token.clone(),
        keep: a.fetch_keep.or(file.fetch_keep).unwrap_or(30).max(1),
        only: a.only,
        nrtm: file.nrtm,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let done = match rt.block_on(crate::fetch::run(&settings)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("tenure: fetch: {e}");
            return Ok(exit::FETCH);
        }
    };
    let count =
        |f: fn(&crate::fetch::Outcome) -> bool| done.iter().filter(|d| f(&d.outcome)).count();
    let failed = count(|o| {
        matches!(
            o,
            crate::fetch::Outcome::Failed(_) | crate::fetch::Outcome::ChangedThenFailed(_)
        )
    });
    println!(
        "fetch: {} new, {} unchanged, {failed} failed",
        count(|o| matches!(o, crate::fetch::Outcome::Changed { .. })),
        count(|o| matches!(o, crate::fetch::Outcome::Unchanged)),
    );
    Ok(if failed > 0 { exit::FETCH } else { exit::OK })
}

fn lookup(a: LookupArgs) -> Result<i32, CliError> {
    let text = a.query.join(" ");
    // refuse a malformed query before spending time on loading
    let q = query::parse_query(&text)?;
    let snap = load(&a.data)?;
    if a.lease_history {
        let query::Query::Range(r) = q else {
            return Err(CliError::Usage(
                "--lease-history needs an address, prefix or range".into(),
            ));
        };
        let leases = query::lease_history(&snap, &r);
        return print(
            a.json,
            || query::history_json(&text, &leases),
            || whois::render_history(&leases, &r),
        );
    }
    let at = a.at.unwrap_or_else(crate::time::now);
    // before the compiled snapshot's date: the older one current then
    let past =
        query::registry_at(&snap, at).map_err(|e| CliError::Load(dump::LoadError::Failed(e)))?;
    if let Some(p) = &past {
        eprintln!(
            "tenure: registry data of {} (as of {})",
            p.file.display(),
            crate::time::format(p.as_of)
        );
    } else if query::registry_before_kept(&snap, at) {
        eprintln!(
            "tenure: no registry data as old as {} is kept: the current data answers",
            crate::time::format(at)
        );
    }
    let snap = match past {
        Some(p) => p.snap,
        None => std::sync::Arc::new(snap),
    };
    let found = query::lookup(&snap, &q, at);
    print(
        a.json,
        || query::to_json(&text, &found),
        || whois::render_found(&found, a.resource),
    )
}

/// Writes the JSON form (pretty) or the text form to stdout.
fn print(
    json: bool,
    as_json: impl FnOnce() -> serde_json::Value,
    as_text: impl FnOnce() -> String,
) -> Result<i32, CliError> {
    let mut out = std::io::stdout().lock();
    if json {
        let v = as_json();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        )?;
    } else {
        out.write_all(as_text().as_bytes())?;
    }
    Ok(exit::OK)
}

fn check(a: CheckArgs) -> Result<i32, CliError> {
    let started = Instant::now();
    let snap = load(&a.data)?;
    let secs = started.elapsed().as_secs_f64();
    let mem = crate::report::memory();
    let code = print(
        a.json,
        || crate::report::to_json(&snap, secs, &mem),
        || crate::report::render(&snap, secs, &mem),
    );
    // the process ends here: freeing millions of objects one by one would
    // only delay the exit (1.5 s at 6 M networks); the OS takes it whole
    std::mem::forget(snap);
    code
}
