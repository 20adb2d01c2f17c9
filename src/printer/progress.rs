//! A byte progress bar (bytes, bytes/s, ETA) for long hashing runs, drawn on
//! stderr only when it is a terminal; otherwise nothing is drawn, so logs
//! and captured test output stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::env::Env;
use crate::hash::engine::Progress;

/// A bar on stderr in weightcheck's one style; `template` is indicatif's.
pub fn stderr_bar(template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(template)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// A progress bar, or nothing when stderr is not a terminal.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    /// A bar labelled `label`, if `env`'s stderr is a terminal.
    pub fn new(env: &Env, label: &str) -> Self {
        if !env.err_is_tty {
            return Bar(None);
        }
        let bar = stderr_bar("{msg} [{bar:32}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}");
        bar.set_message(label.to_string());
        Bar(Some(bar))
    }

    /// Updates the bar from an engine progress report.
    pub fn update(&self, p: Progress) {
        if let Some(b) = &self.0 {
            b.set_length(p.bytes_total);
            b.set_position(p.bytes_done);
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// The checking bar, drawn only once checking starts (and only on a
/// terminal); shared with the hashing threads.
pub struct LazyBar {
    tty: bool,
    bar: std::sync::OnceLock<ProgressBar>,
}

impl LazyBar {
    /// A bar that appears on the first update, if `tty`.
    pub fn new(tty: bool) -> Self {
        LazyBar {
            tty,
            bar: std::sync::OnceLock::new(),
        }
    }

    /// Updates it from the engine.
    pub fn update(&self, p: Progress) {
        if !self.tty {
            return;
        }
        let bar = self.bar.get_or_init(|| {
            stderr_bar("checking [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}")
        });
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_done);
    }

    /// Removes it.
    pub fn finish(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}
