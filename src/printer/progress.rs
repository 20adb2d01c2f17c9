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

/// A byte progress bar, drawn only when `env` allows it (stderr is a
/// terminal, no `-q`, no `-v` logs to interleave with) and only from the
/// first report with something to do, so it never shows a full `0 B/0 B`.
/// Units are decimal (GB), as in every summary. Shared with the hashing
/// threads.
pub struct Bar {
    label: Option<String>,
    bar: std::sync::OnceLock<ProgressBar>,
}

impl Bar {
    /// A bar labelled `label`.
    pub fn new(env: &Env, label: &str) -> Self {
        Bar {
            label: env.progress().then(|| label.to_string()),
            bar: std::sync::OnceLock::new(),
        }
    }

    /// Updates the bar from an engine progress report.
    pub fn update(&self, p: Progress) {
        let Some(label) = &self.label else {
            return;
        };
        if p.bytes_total == 0 && self.bar.get().is_none() {
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar = stderr_bar(
                "{msg} [{bar:30}] {decimal_bytes}/{decimal_total_bytes} \
                 {decimal_bytes_per_sec} ETA {eta}",
            );
            bar.set_message(label.clone());
            bar
        });
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_done);
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}
