//! What the WHOIS and HTTP servers share: the accept loop, clients counted
//! by address (IPv6 by /64), a token bucket per client bounding the query
//! rate, connection caps ([`Admission`]) and a write deadline on a
//! connection whose client takes nothing ([`WriteDeadline`]).

use std::future::Future;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The address a client is counted by: IPv4 whole, IPv6 by its /64.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
        v4 => v4,
    }
}

/// Open connections counted, in all and per client: a connection past
/// either cap is closed at once (the caps of `max-connections` and
/// `max-connections-per-client`, for the HTTP and HTTPS listeners).
pub struct Admission {
    max_total: usize,
    max_per_client: usize,
    open: Mutex<(usize, std::collections::HashMap<IpAddr, usize>)>,
}

/// One admitted connection; counted until dropped.
pub struct Admitted {
    admission: std::sync::Arc<Admission>,
    client: IpAddr,
}

impl Admission {
    pub fn new(max_total: usize, max_per_client: usize) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Admission {
            max_total,
            max_per_client,
            open: Mutex::new((0, std::collections::HashMap::new())),
        })
    }

    /// Counts a new connection from `client` (a [`client_key`]), or `None`
    /// when a cap is reached.
    pub fn admit(self: &std::sync::Arc<Self>, client: IpAddr) -> Option<Admitted> {
        let mut o = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let per = o.1.get(&client).copied().unwrap_or(0);
        if o.0 >= self.max_total || per >= self.max_per_client {
            return None;
        }
        o.0 += 1;
        o.1.insert(client, per + 1);
        Some(Admitted {
            admission: std::sync::Arc::clone(self),
            client,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).0
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut o = self
            .admission
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        o.0 = o.0.saturating_sub(1);
        if let Some(n) = o.1.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                o.1.remove(&self.client);
            }
        }
    }
}

/// A connection whose writes fail when the client takes nothing for
/// `limit` (a client that asks for answers and never reads them holds
/// them no longer than that), and, when asked, whose first read fails when
/// the client sends nothing for `first_read` (an HTTPS connection idle
/// after its handshake).
pub struct WriteDeadline<I> {
    io: I,
    limit: Duration,
    stalled: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
    /// Until the first byte arrives: the time it may take.
    first_read: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<I> WriteDeadline<I> {
    pub fn new(io: I, limit: Duration) -> Self {
        WriteDeadline {
            io,
            limit,
            stalled: None,
            first_read: None,
        }
    }

    /// The same, and the client's first byte must come within `limit`.
    pub fn with_first_read(io: I, limit: Duration, first_read: Duration) -> Self {
        WriteDeadline {
            first_read: Some(Box::pin(tokio::time::sleep(first_read))),
            ..Self::new(io, limit)
        }
    }

    /// A write that could not go on: waits for the client at most `limit`.
    fn waiting<T>(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<T>> {
        use std::task::Poll;
        let limit = self.limit;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client takes no data",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Progress: the wait starts again at the next stall.
    fn progressed<T>(&mut self, r: std::task::Poll<T>) -> std::task::Poll<T> {
        self.stalled = None;
        r
    }
}

impl<I: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for WriteDeadline<I> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = &mut *self;
        let before = buf.filled().len();
        let r = std::pin::Pin::new(&mut this.io).poll_read(cx, buf);
        if let Some(deadline) = this.first_read.as_mut() {
            match r {
                Poll::Ready(Ok(())) if buf.filled().len() > before => this.first_read = None,
                Poll::Pending if deadline.as_mut().poll(cx).is_ready() => {
                    return Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the client sent nothing",
                    )));
                }
                _ => {}
            }
        }
        r
    }
}

impl<I: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for WriteDeadline<I> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = &mut *self;
        match std::pin::Pin::new(&mut this.io).poll_write(cx, buf) {
            std::task::Poll::Pending => this.waiting(cx),
            r => this.progressed(r),
        }
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = &mut *self;
        match std::pin::Pin::new(&mut this.io).poll_write_vectored(cx, bufs) {
            std::task::Poll::Pending => this.waiting(cx),
            r => this.progressed(r),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = &mut *self;
        match std::pin::Pin::new(&mut this.io).poll_flush(cx) {
            std::task::Poll::Pending => this.waiting(cx),
            r => this.progressed(r),
        }
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = &mut *self;
        match std::pin::Pin::new(&mut this.io).poll_shutdown(cx) {
            std::task::Poll::Pending => this.waiting(cx),
            r => this.progressed(r),
        }
    }
}

/// Buckets kept before idle (refilled) ones are forgotten.
const MAX_BUCKETS: usize = 100_000;

/// A token bucket per client: `rate` tokens a second, at most `burst`.
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<crate::fxhash::FxMap<IpAddr, Bucket>>,
    /// Clients no bucket applies to (the operator's own tools).
    exempt: Vec<ipnet::IpNet>,
}

/// True when `ip` is in one of `nets` (an IPv4-mapped IPv6 address counts
/// as its IPv4 address).
pub fn in_nets(nets: &[ipnet::IpNet], ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    nets.iter().any(|n| n.contains(&ip))
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimiter {
            rate,
            burst,
            buckets: Mutex::new(Default::default()),
            exempt: Vec::new(),
        }
    }

    /// The same limiter with clients in `nets` exempt from it.
    pub fn exempting(mut self, nets: Vec<ipnet::IpNet>) -> Self {
        self.exempt = nets;
        self
    }

    /// Takes one token from the client's bucket; `Err` holds how long until
    /// one is there again.
    pub fn take(&self, client: IpAddr) -> Result<(), Duration> {
        if !self.exempt.is_empty() && in_nets(&self.exempt, client) {
            return Ok(());
        }
        let now = Instant::now();
        let mut b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if b.len() > MAX_BUCKETS {
            let (rate, burst) = (self.rate, self.burst);
            b.retain(|_, k| k.tokens + now.duration_since(k.at).as_secs_f64() * rate < burst);
        }
        let k = b.entry(client_key(client)).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        k.tokens = (k.tokens + now.duration_since(k.at).as_secs_f64() * self.rate).min(self.burst);
        k.at = now;
        if k.tokens >= 1.0 {
            k.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                ((1.0 - k.tokens) / self.rate).min(3600.0),
            ))
        }
    }
}

/// The stop signal every listener and connection sees, and the tasks of
/// the connections to wait for when draining (as hickory-dns's server does
/// with a cancellation token and a task tracker).
#[derive(Clone, Default)]
pub struct Shutdown {
    token: tokio_util::sync::CancellationToken,
    tracker: tokio_util::task::TaskTracker,
}

impl Shutdown {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops accepting everywhere and tells open connections to finish.
    pub fn begin(&self) {
        self.token.cancel();
    }

    /// True once [`Shutdown::begin`] was called.
    pub fn is_stopping(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Completes when the stop begins.
    pub async fn stopping(&self) {
        self.token.cancelled().await
    }

    /// Runs a connection's task, counted for the drain.
    pub fn spawn<F>(&self, task: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.tracker.spawn(task);
    }

    /// Waits at most `deadline` for every connection task to end; returns
    /// how many were still running then.
    pub async fn drain(&self, deadline: Duration) -> usize {
        self.tracker.close();
        match tokio::time::timeout(deadline, self.tracker.wait()).await {
            Ok(()) => 0,
            Err(_) => self.tracker.len(),
        }
    }
}

/// Serves one HTTP connection (HTTP/1.1, HTTP/2 or either) to its end;
/// when the stop begins, hyper's graceful shutdown lets the answer in
/// progress finish, then closes (HTTP/1.1 `Connection: close`, HTTP/2
/// GOAWAY).
pub async fn serve_http_connection<C>(conn: C, stop: &Shutdown)
where
    C: hyper_util::server::graceful::GracefulConnection,
{
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.stopping() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// File descriptors kept out of the connection caps (beside one per
/// listener): the admin listener's connections, the dump and lease files a
/// reload opens, the runtime's own, the log.
pub const FD_RESERVE: usize = 64;

/// Raises the soft limit of open files to the hard one; returns the limit
/// now in force (`None` where it cannot be read).
pub fn raise_file_limit() -> Option<usize> {
    rlimit::increase_nofile_limit(u64::MAX)
        .ok()
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// The connection caps of WHOIS and of HTTP and HTTPS together fitted to
/// the file limit: when `whois + http` connections, one descriptor per
/// listener and [`FD_RESERVE`] do not fit in `files`, both caps are lowered
/// in proportion (at least 1 each), so that open connections can never
/// take the descriptors the admin listener and reloads need. `None` when
/// they fit as they are.
pub fn fit_caps(
    whois: usize,
    http: usize,
    listeners: usize,
    files: usize,
) -> Option<(usize, usize)> {
    let budget = files.saturating_sub(FD_RESERVE + listeners);
    let want = whois.saturating_add(http);
    if want <= budget {
        return None;
    }
    let w = (budget as u128 * whois as u128 / want.max(1) as u128) as usize;
    let w = w.max(1);
    let h = budget.saturating_sub(w).max(1);
    Some((w, h))
}

/// Accepts connections until the stop begins, running each in `serve` as
/// a tracked task. A failing accept (out of file descriptors) pauses the
/// loop for 50 ms instead of spinning; the first failure of a run of them
/// is logged, and the run's length once accepts succeed again (a flood of
/// one line per failure filled the log before).
pub async fn accept_loop<F, Fut>(
    listener: tokio::net::TcpListener,
    what: &str,
    stop: Shutdown,
    serve: F,
) where
    F: Fn(tokio::net::TcpStream, std::net::SocketAddr) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut failing = 0u64;
    loop {
        tokio::select! {
            _ = stop.stopping() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if failing > 0 {
                        tracing::warn!("{what} accepts again after {failing} failed");
                        failing = 0;
                    }
                    let _ = stream.set_nodelay(true);
                    stop.spawn(serve(stream, peer));
                }
                Err(e) => {
                    if failing == 0 {
                        tracing::warn!("{what} accept failed: {e} (pausing 50 ms between attempts; logged again when accepts resume)");
                    }
                    failing += 1;
                    crate::metrics::METRICS.accept_failed();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_fit_the_file_limit_with_a_reserve() {
        // plenty of files: nothing changes
        assert_eq!(fit_caps(1024, 1024, 4, 1 << 20), None);
        // 1,024 files (a common default): both lowered, reserve kept
        let (w, h) = fit_caps(1024, 1024, 4, 1024).unwrap();
        assert_eq!(w + h, 1024 - FD_RESERVE - 4);
        assert_eq!(w, h);
        // unequal caps keep their proportion
        let (w, h) = fit_caps(300, 100, 2, 266).unwrap();
        assert_eq!((w, h), (150, 50));
        // a limit below the reserve still leaves one connection each
        assert_eq!(fit_caps(10, 10, 2, 20), Some((1, 1)));
    }

    #[test]
    fn writes_to_a_client_that_takes_nothing_time_out() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let big = vec![b'x'; 1 << 20];
            // nobody reads: the write fails after the limit
            let (a, _unread) = tokio::io::duplex(16 * 1024);
            let mut w = WriteDeadline::new(a, Duration::from_millis(100));
            let started = Instant::now();
            let e = w.write_all(&big).await.unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
            assert!(started.elapsed() < Duration::from_secs(5));
            // a reader that takes it slowly but steadily: no timeout
            let (a, mut b) = tokio::io::duplex(16 * 1024);
            let mut w = WriteDeadline::new(a, Duration::from_millis(100));
            let reader = tokio::spawn(async move {
                let mut got = 0usize;
                let mut buf = vec![0u8; 8192];
                while got < (1 << 20) {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    got += b.read(&mut buf).await.unwrap();
                }
                got
            });
            w.write_all(&big).await.unwrap();
            assert_eq!(reader.await.unwrap(), 1 << 20);
            // a first byte that never comes: the read fails
            let (a, _silent) = tokio::io::duplex(1024);
            let mut r = WriteDeadline::with_first_read(
                a,
                Duration::from_secs(5),
                Duration::from_millis(100),
            );
            let mut buf = [0u8; 8];
            let e = r.read(&mut buf).await.unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
            // one that comes in time: reads go on, and may then wait
            let (a, mut peer) = tokio::io::duplex(1024);
            let mut r = WriteDeadline::with_first_read(
                a,
                Duration::from_secs(5),
                Duration::from_millis(100),
            );
            peer.write_all(b"GET").await.unwrap();
            assert_eq!(r.read(&mut buf).await.unwrap(), 3);
            tokio::time::sleep(Duration::from_millis(200)).await;
            peer.write_all(b" /").await.unwrap();
            assert_eq!(r.read(&mut buf).await.unwrap(), 2);
        });
    }

    #[test]
    fn clients_are_counted_per_address_and_ipv6_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let m: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(m), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn buckets_refuse_past_the_burst_and_say_when_to_retry() {
        let l = RateLimiter::new(1.0, 2.0);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        assert!(l.take(a).is_ok() && l.take(a).is_ok());
        let wait = l.take(a).unwrap_err();
        assert!(
            wait > Duration::from_millis(500) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(l.take(b).is_ok(), "another client has its own bucket");
    }
}
