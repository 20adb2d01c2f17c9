//! Multi-buffer SHA-1 and SHA-256 on arbitrary messages: every kernel this
//! CPU runs gives the sha1/sha2 crates' digests, whatever the lengths, the
//! lane occupancy, the order in which lanes are refilled, and whether the
//! stragglers step down to a kernel for fewer lanes (16 AVX-512 lanes, 2
//! interleaved SHA-NI streams, one stream), whether a message comes in
//! parts (a piece across files) and how few blocks a step may take.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::hash::multibuffer::{Algorithm, Kernel, MultiHasher, Sha1, Sha256};

/// Splits the input into messages: each starts with a length byte (its
/// length is that byte times 3, to reach past two blocks), the rest of the
/// input being the last message.
fn messages(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some((&n, rest)) = data.split_first() {
        let n = (n as usize * 3).min(rest.len());
        out.push(&rest[..n]);
        data = &rest[n..];
    }
    out
}

fn check<A: Algorithm>(
    msgs: &[&[u8]],
    kernel: Kernel,
    refill_every: usize,
    step_down: bool,
    parts: Option<usize>,
) {
    let Ok(mut lanes) = MultiHasher::<A, usize>::with_kernel(kernel) else {
        return;
    };
    let mut next = 0;
    let mut done = 0;
    while done < msgs.len() {
        // Staggered starts: at most `refill_every` new messages per step.
        for _ in 0..refill_every {
            if next == msgs.len() {
                break;
            }
            let pushed = match parts {
                // Parts of uneven lengths around the block size.
                Some(k) => {
                    let cut = 1 + (next * 37 + k) % 97;
                    lanes
                        .push_parts(next, msgs[next].chunks(cut).collect())
                        .is_ok()
                }
                None => lanes.push(next, msgs[next]).is_ok(),
            };
            if !pushed {
                break;
            }
            next += 1;
        }
        // As the engine does with its stragglers: a kernel for fewer
        // lanes (16 lanes to 2 interleaved SHA-NI streams to one).
        if step_down {
            let _ = lanes.set_kernel(kernel.for_busy::<A>(lanes.busy()));
        }
        let done_now = match parts {
            Some(k) => lanes.step_at_most(1 + k % 8).1,
            None => lanes.step(),
        };
        for (i, d) in done_now {
            assert_eq!(d, A::oneshot(msgs[i]), "{} message {i}", kernel.name());
            done += 1;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let msgs = messages(rest);
    let refill_every = 1 + (mode as usize % 16);
    let step_down = mode & 0x80 != 0;
    let parts = (mode & 0x40 != 0).then_some(mode as usize);
    for kernel in Kernel::ALL {
        check::<Sha1>(&msgs, kernel, refill_every, step_down, parts);
        check::<Sha256>(&msgs, kernel, refill_every, step_down, parts);
    }
});
