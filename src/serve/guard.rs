//! A panic while answering one request stays in that request.
//!
//! Nothing a client sends should panic (the parsers are property-tested
//! with arbitrary text), but if a bug does, the client still gets a
//! protocol answer (a WHOIS `%ERROR:100:` line, an RDAP 500 error body),
//! the panic is counted in `tenure_panics_total{protocol}` and logged once,
//! with the request, and the server goes on serving. Requests are answered
//! from an immutable snapshot, so nothing is left half-changed.

use crate::metrics::{Protocol, METRICS};
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// True while this thread answers inside [`contain`].
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// What the panic hook saw (message and location) for [`contain`] to log.
    static SEEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that keeps quiet about panics inside
/// [`contain`], which logs them itself with the request; others go to the
/// hook that was there before.
fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) {
                SEEN.with(|s| *s.borrow_mut() = Some(info.to_string()));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `answer`; when it panics, logs the panic once with `request`,
/// counts it, and returns `None` for the caller to send its protocol's
/// internal-error answer.
pub fn contain<T>(protocol: Protocol, request: &str, answer: impl FnOnce() -> T) -> Option<T> {
    install_hook();
    let was = GUARDED.with(|g| g.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(answer));
    GUARDED.with(|g| g.set(was));
    match result {
        Ok(v) => Some(v),
        Err(payload) => {
            let seen = SEEN.with(|s| s.borrow_mut().take());
            let message = seen.unwrap_or_else(|| {
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into())
            });
            METRICS.panic(protocol);
            // the request as the client sent it, bounded and escaped
            let shown: String = request.chars().take(200).collect();
            tracing::error!(
                protocol = ?protocol,
                request = ?shown,
                "request answer panicked (client got an internal error): {message}"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_contained_and_counted() {
        let before = METRICS.panics(Protocol::Whois);
        let r: Option<u32> = contain(Protocol::Whois, "AS1-aé", || panic!("boom"));
        assert_eq!(r, None);
        assert_eq!(METRICS.panics(Protocol::Whois), before + 1);
        assert_eq!(contain(Protocol::Rdap, "ok", || 7), Some(7));
        // the thread is usable afterwards, and not left marked as guarded
        assert!(!GUARDED.with(Cell::get));
    }
}
