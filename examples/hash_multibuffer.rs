//! One core, in memory: GB/s of the multi-buffer kernels
//! (src/hash/multibuffer) next to the sha1/sha2 crates' single stream, over
//! 32 independent 16 MiB buffers, the shape of ../shared/bench's
//! isal_mb_ceiling.c, so the figures compare with isa-l_crypto's:
//!
//!     cargo run --release --example hash_multibuffer -- [ROUNDS=5]
//!
//! Prints one line per implementation: the median and the best GB/s of the
//! rounds, and whether its digests match the crates'.

use std::time::Instant;

use weightcheck::hash::multibuffer::{many_with, Algorithm, Kernel, Sha1, Sha256};

const BUFFERS: usize = 32;
const LEN: usize = 16 << 20;

/// (median, best) GB/s of `rounds` runs of `work` over all the buffers.
fn measure(rounds: usize, mut work: impl FnMut() -> bool) -> (f64, f64, bool) {
    let mut rates = Vec::new();
    let mut ok = true;
    for _ in 0..rounds {
        let t = Instant::now();
        ok &= work();
        rates.push((BUFFERS * LEN) as f64 / t.elapsed().as_secs_f64() / 1e9);
    }
    rates.sort_by(f64::total_cmp);
    (rates[rates.len() / 2], rates[rates.len() - 1], ok)
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

    println!("buffers={BUFFERS} len={LEN} rounds={rounds} (GB/s/core: median, best)");
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
    for (name, (median, best, ok)) in rows {
        let ok = if ok { "ok" } else { "MISMATCH" };
        println!("{name:<20} {median:.2} {best:.2} GB/s/core {ok}");
    }
}
