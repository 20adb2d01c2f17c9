//! In-memory hashing ceilings of the digests weightcheck uses (the same
//! sha1/sha2 crates, the same 256 KiB blocks), on N threads at once:
//!
//!     cargo run --release --example hash_ceiling -- [THREADS=2] [SECONDS=2]
//!
//! Prints GB/s for SHA-1, SHA-256 and both over the same block (the
//! one-pass combination), then the multi-buffer kernels over 16 such
//! blocks of independent messages (sha1-mb, sha256-mb; when a kernel runs
//! here), so benchmark figures can be compared with what the CPU can do
//! with no I/O at all. Also prints GB per CPU-second, which
//! other processes competing for the cores disturb much less than wall time.

use std::time::{Duration, Instant};

use sha1::{Digest, Sha1};
use sha2::Sha256;
use weightcheck::hash::multibuffer::{self, many_with, Kernel, MultiBufferError, LANES};

const BLOCK: usize = 256 << 10;

/// CPU seconds (user + system) used by the calling thread, from /proc.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields overall, in USER_HZ (100 on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

/// (wall GB/s, GB per CPU-second) of `threads` threads each repeating
/// `step` on its own `state` for `secs`; `step` returns the bytes it hashed.
fn timed<S>(
    threads: usize,
    secs: f64,
    state: impl Fn() -> S + Sync,
    step: impl Fn(&mut S) -> u64 + Sync,
) -> (f64, f64) {
    let deadline = Duration::from_secs_f64(secs);
    let start = Instant::now();
    let (bytes, cpu): (u64, f64) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (state, step) = (&state, &step);
                s.spawn(move || {
                    let cpu0 = thread_cpu_seconds();
                    let mut st = state();
                    let t = Instant::now();
                    let mut n = 0u64;
                    while t.elapsed() < deadline {
                        n += step(&mut st);
                    }
                    std::hint::black_box(&st);
                    (n, thread_cpu_seconds() - cpu0)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or((0, 0.0)))
            .fold((0, 0.0), |(b, c), (n, t)| (b + n, c + t))
    });
    let wall = bytes as f64 / start.elapsed().as_secs_f64() / 1e9;
    (wall, bytes as f64 / cpu.max(1e-9) / 1e9)
}

/// (wall GB/s, GB per CPU-second) of `work` over one block at a time.
fn rate(threads: usize, secs: f64, work: fn(&[u8], &mut Sha1, &mut Sha256)) -> (f64, f64) {
    let buf: Vec<u8> = (0..BLOCK).map(|i| (i * 31 % 251) as u8).collect();
    timed(
        threads,
        secs,
        || (Sha1::new(), Sha256::new()),
        |(a, b)| {
            for _ in 0..16 {
                work(&buf, a, b);
            }
            16 * BLOCK as u64
        },
    )
}

/// (wall GB/s, GB per CPU-second) of `work` over 16 independent blocks.
fn rate_lanes(
    threads: usize,
    secs: f64,
    work: impl Fn(&[&[u8]]) -> Result<usize, MultiBufferError> + Sync,
) -> (f64, f64) {
    let bufs: Vec<Vec<u8>> = (0..LANES)
        .map(|l| (0..BLOCK).map(|i| ((i + 7 * l) * 31 % 251) as u8).collect())
        .collect();
    let msgs: Vec<&[u8]> = bufs.iter().map(Vec::as_slice).collect();
    timed(
        threads,
        secs,
        || (),
        |()| {
            for _ in 0..4 {
                std::hint::black_box(work(&msgs).unwrap_or(0));
            }
            4 * (LANES * BLOCK) as u64
        },
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let secs: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2.0);
    let sha1 = rate(threads, secs, |b, a, _| a.update(b));
    let sha256 = rate(threads, secs, |b, _, c| c.update(b));
    let both = rate(threads, secs, |b, a, c| {
        c.update(b);
        a.update(b);
    });
    println!("threads={threads} block={BLOCK}");
    for (name, (wall, per_cpu)) in [("sha1", sha1), ("sha256", sha256), ("both", both)] {
        println!("{name:<7}{wall:.2} GB/s  {per_cpu:.2} GB/CPU-s");
    }
    // The multi-buffer kernels the engine uses for piece jobs, 16 blocks of
    // independent messages at a time, when one runs here.
    let kernel = Kernel::best();
    if kernel != Kernel::Single {
        let x1 = rate_lanes(threads, secs, |m| {
            many_with::<multibuffer::Sha1>(kernel, m).map(|d| d.len())
        });
        let x256 = rate_lanes(threads, secs, |m| {
            many_with::<multibuffer::Sha256>(kernel, m).map(|d| d.len())
        });
        for (name, (wall, per_cpu)) in [("sha1-mb", x1), ("sha256-mb", x256)] {
            println!(
                "{name:<10}{wall:.2} GB/s  {per_cpu:.2} GB/CPU-s  ({})",
                kernel.name()
            );
        }
    }
}
