//! Large but legal inputs keep memory flat: each input of "hostile and huge
//! inputs, round two", item 4, generated here at full size and run through
//! the binary as a child whose peak resident memory the kernel reports.
//! Limits are memory, never time (speed lives in scripts/bench-hostile.sh).

mod common;

use std::path::Path;
use std::time::Duration;

/// The ceiling for any input: the guide's "memory < 256 MB".
const PEAK_LIMIT: u64 = 256 * 1024 * 1024;

/// A debug build is slower than the release binary the 10 s figure is
/// measured on; this only bounds a hang.
const TIME_LIMIT: Duration = Duration::from_secs(300);

fn peak(args: &[&str], cwd: &Path) -> (i32, String, String, u64) {
    let (code, out, err, peak) = common::run_bin_peak_rss(args, cwd, TIME_LIMIT);
    assert!(
        peak < PEAK_LIMIT,
        "weightcheck {args:?} peaked at {} MB (limit {} MB); stderr: {}",
        peak >> 20,
        PEAK_LIMIT >> 20,
        err.lines().take(5).collect::<Vec<_>>().join("\n")
    );
    (code, out, err, peak)
}
