//! Load progress on stderr: a bar when stderr is a terminal, a line every
//! few seconds otherwise, nothing when quiet.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Bar,
    Lines,
    Off,
}

/// Seconds between progress lines when stderr is not a terminal.
pub const LINE_INTERVAL: Duration = Duration::from_secs(5);

/// The progress reporter for a load.
pub struct Progress {
    mode: Mode,
}

impl Progress {
    /// Bar on a terminal, lines otherwise; `Off` when `quiet`.
    pub fn auto(quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Off
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        };
        Progress { mode }
    }

    /// A silent reporter.
    pub fn off() -> Self {
        Progress { mode: Mode::Off }
    }

    /// Progress of one file of `total` bytes.
    pub fn task(&self, path: &Path, total: u64) -> Task {
        Task {
            mode: self.mode,
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            total,
            started: Instant::now(),
            last: Instant::now(),
            drawn: false,
        }
    }
}

/// Progress of one file.
pub struct Task {
    mode: Mode,
    name: String,
    total: u64,
    started: Instant,
    last: Instant,
    drawn: bool,
}

impl Task {
    /// Reports `done` bytes read.
    pub fn update(&mut self, done: u64) {
        let now = Instant::now();
        let every = match self.mode {
            Mode::Off => return,
            Mode::Bar => Duration::from_millis(200),
            Mode::Lines => LINE_INTERVAL,
        };
        if now.duration_since(self.last) < every {
            return;
        }
        self.last = now;
        let pct = if self.total > 0 {
            (done as f64 / self.total as f64 * 100.0).min(100.0)
        } else {
            0.0
        };
        let secs = now.duration_since(self.started).as_secs_f64();
        let mut err = std::io::stderr().lock();
        if self.mode == Mode::Bar {
            let filled = (pct / 5.0) as usize;
            let _ = write!(
                err,
                "\r{:<24} [{}{}] {:5.1}% {:6.1}s",
                clip(&self.name),
                "#".repeat(filled),
                " ".repeat(20 - filled.min(20)),
                pct,
                secs
            );
            self.drawn = true;
        } else {
            let _ = writeln!(err, "loading {}: {:.1}% after {:.0}s", self.name, pct, secs);
        }
    }

    /// Ends the bar line.
    pub fn finish(&mut self) {
        if self.drawn {
            let _ = writeln!(std::io::stderr());
            self.drawn = false;
        }
    }
}

fn clip(s: &str) -> String {
    s.chars().take(24).collect()
}
