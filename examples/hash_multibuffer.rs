//! One core, in memory: GB/s of the multi-buffer kernels
//! (src/hash/multibuffer) next to the sha1/sha2 crates' single stream, over
//! 32 independent 16 MiB buffers, the shape of ../shared/bench's
//! isal_mb_ceiling.c, so the figures compare with isa-l_crypto's:
//!
//!     cargo run --release --example hash_multibuffer -- [ROUNDS=5]
//!
//! Prints one line per implementation: the median and the best GB/s of the
//! rounds, whether its digests match the crates', and the median GB per
//! CPU-second (steadier when other processes compete for the core).

use std::time::Instant;

use weightcheck::hash::multibuffer::{many_with, Algorithm, Kernel, Sha1, Sha256, X2_PAYS};

const BUFFERS: usize = 32;
const LEN: usize = 16 << 20;

/// CPU seconds the calling thread has used: unlike wall time, not inflated
/// while other processes hold the core.
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec, which `ts` is.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// GB/s of `rounds` runs of `work` over all the buffers: the median and
/// the best by wall time, and the median per CPU-second; and whether every
/// run's digests were right.
fn measure(rounds: usize, mut work: impl FnMut() -> bool) -> ([f64; 3], bool) {
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    let mut ok = true;
    let bytes = (BUFFERS * LEN) as f64 / 1e9;
    for _ in 0..rounds {
        let (t, c) = (Instant::now(), thread_cpu());
        ok &= work();
        wall.push(bytes / t.elapsed().as_secs_f64());
        cpu.push(bytes / (thread_cpu() - c).max(1e-9));
    }
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let mid = rounds / 2;
    ([wall[mid], wall[rounds - 1], cpu[mid]], ok)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .max(3);
    let bufs: Vec<Vec<u8>> = (0..BUFFERS)
        .map(|i| {
            (0..LEN)
                .map(|j| (j.wrapping_mul(31) + i * 7 + (j >> 11)) as u8)
                .collect()
        })
        .collect();
    let msgs: Vec<&[u8]> = bufs.iter().map(Vec::as_slice).collect();
    let want1: Vec<_> = msgs.iter().map(|m| Sha1::oneshot(m)).collect();
    let want256: Vec<_> = msgs.iter().map(|m| Sha256::oneshot(m)).collect();

    println!(
        "buffers={BUFFERS} len={LEN} rounds={rounds} \
         (GB/s/core: median, best; then the median GB per CPU-second)"
    );
    let mut rows = vec![
        (
            "sha1   crate-single",
            measure(rounds, || {
                msgs.iter().map(|m| Sha1::oneshot(m)).collect::<Vec<_>>() == want1
            }),
        ),
        (
            "sha256 crate-single",
            measure(rounds, || {
                msgs.iter().map(|m| Sha256::oneshot(m)).collect::<Vec<_>>() == want256
            }),
        ),
    ];
    for kernel in Kernel::ALL {
        if let Some(why) = kernel.unavailable_reason() {
            println!("{:<7}{:<13} not run: {why}", "", kernel.name());
            continue;
        }
        let name1: &'static str = Box::leak(format!("sha1   {}", kernel.name()).into_boxed_str());
        let name256: &'static str = Box::leak(format!("sha256 {}", kernel.name()).into_boxed_str());
        rows.push((
            name1,
            measure(rounds, || {
                many_with::<Sha1>(kernel, &msgs).is_ok_and(|d| d == want1)
            }),
        ));
        rows.push((
            name256,
            measure(rounds, || {
                many_with::<Sha256>(kernel, &msgs).is_ok_and(|d| d == want256)
            }),
        ));
    }
    for (name, ([median, best, cpu], ok)) in rows {
        let ok = if ok { "ok" } else { "MISMATCH" };
        println!("{name:<20} {median:.2} {best:.2} GB/s/core {ok} {cpu:.2} GB/CPU-s");
    }
    // What the engine measured when it first needed to know (on messages
    // in L2 cache): it uses 2-way SHA-NI lanes only at X2_PAYS or more.
    println!(
        "shani-x2 over one stream at start-up: sha1 {:.2}x sha256 {:.2}x (used from {:.2}x)",
        Sha1::x2_speedup(),
        Sha256::x2_speedup(),
        X2_PAYS
    );
}
