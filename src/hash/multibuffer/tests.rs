//! Every kernel against the sha1/sha2 crates: padding edge cases, random
//! lengths up to a few MB, random lane occupancy, staggered starts and ends.

use super::*;

/// splitmix64: deterministic, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const EDGES: [usize; 16] = [
    0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 1000, 4103,
];

/// The kernels this CPU runs; the others are reported with the reason.
fn kernels() -> Vec<Kernel> {
    Kernel::ALL
        .into_iter()
        .filter(|k| match k.unavailable_reason() {
            None => true,
            Some(why) => {
                eprintln!("kernel {} not run: {why}", k.name());
                false
            }
        })
        .collect()
}

fn check_many<A: Algorithm>(kernel: Kernel, msgs: &[&[u8]]) {
    let got = many_with::<A>(kernel, msgs).expect("kernel available");
    for (i, (m, d)) in msgs.iter().zip(&got).enumerate() {
        assert_eq!(
            *d,
            A::oneshot(m),
            "{} message {i} of {} bytes",
            kernel.name(),
            m.len()
        );
    }
}

#[test]
fn padding_edges_every_kernel() {
    let mut rng = Rng(1);
    let data: Vec<Vec<u8>> = EDGES.iter().map(|&n| rng.bytes(n)).collect();
    for kernel in kernels() {
        // Each length alone (one busy lane), then all together.
        for d in &data {
            check_many::<Sha1>(kernel, &[d]);
            check_many::<Sha256>(kernel, &[d]);
        }
        let all: Vec<&[u8]> = data.iter().map(Vec::as_slice).collect();
        check_many::<Sha1>(kernel, &all);
        check_many::<Sha256>(kernel, &all);
    }
}

#[test]
fn each_path_is_forced_and_agrees() {
    let ran = kernels();
    // The 16-lane kernel only: no switch to the crates for the stragglers.
    let mut rng = Rng(2);
    let data: Vec<Vec<u8>> = (0..LANES).map(|i| rng.bytes(i * 97 + 3)).collect();
    for &kernel in &ran {
        let mut sha1 = MultiHasher::<Sha1, usize>::with_kernel(kernel).expect("available");
        let mut sha256 = MultiHasher::<Sha256, usize>::with_kernel(kernel).expect("available");
        for (i, d) in data.iter().enumerate() {
            assert!(sha1.push(i, d).is_ok() && sha256.push(i, d).is_ok());
        }
        assert_eq!(
            sha1.push(99, b"").map_err(|e| e.0),
            Err(99),
            "17th message refused"
        );
        for (i, d) in sha1.finish() {
            assert_eq!(
                d,
                Sha1::oneshot(&data[i]),
                "{} sha1 lane {i}",
                kernel.name()
            );
        }
        for (i, d) in sha256.finish() {
            assert_eq!(
                d,
                Sha256::oneshot(&data[i]),
                "{} sha256 lane {i}",
                kernel.name()
            );
        }
        eprintln!("kernel {} ran", kernel.name());
    }
    for k in Kernel::ALL {
        if let Some(why) = k.unavailable_reason() {
            let err = MultiHasher::<Sha1, ()>::with_kernel(k)
                .err()
                .map(|e| e.to_string());
            assert!(err.is_some_and(|e| e.contains(why)));
        }
    }
    assert!(ran.contains(&Kernel::Single));
    assert!(ran.contains(&Kernel::best()));
    assert!(ran.contains(&Kernel::best_for::<Sha1>()));
    assert!(ran.contains(&Kernel::best_for::<Sha256>()));
}

/// The 2-way kernels on their own, against the crates' compression
/// functions: two lanes with different chaining values and data, 0 to 40
/// blocks.
#[test]
fn shani_x2_compresses_pairs_like_the_crate() {
    if !Kernel::ShaNiX2.available() {
        eprintln!(
            "kernel shani-x2 not run: {:?}",
            Kernel::ShaNiX2.unavailable_reason()
        );
        return;
    }
    x2_like_the_crate::<Sha1>(4, 5);
    x2_like_the_crate::<Sha256>(6, 8);
}

fn x2_like_the_crate<A: Algorithm>(seed: u64, words: usize) {
    let mut rng = Rng(seed);
    for blocks in (0..=17).chain([40]) {
        let data = [rng.bytes(blocks * 64), rng.bytes(blocks * 64)];
        let start: [[u32; 8]; 2] = std::array::from_fn(|_| {
            std::array::from_fn(|w| if w < words { rng.next() as u32 } else { 0 })
        });
        let mut got = start;
        #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
        // SAFETY: ShaNiX2 is available (checked by the caller); each
        // pointer starts blocks * 64 bytes of a live Vec.
        unsafe {
            A::compress_x2(&mut got, [data[0].as_ptr(), data[1].as_ptr()], blocks)
        };
        for s in 0..2 {
            let mut want = start[s];
            let b: Vec<[u8; 64]> = data[s]
                .chunks_exact(64)
                .map(|c| c.try_into().expect("64 bytes"))
                .collect();
            A::compress_single(&mut want, &b);
            assert_eq!(got[s], want, "{blocks} blocks, lane {s}");
        }
    }
}

/// Busy lanes from 0 to 16 with every kernel, no switching: the 2-way
/// kernel pairs lanes and sends an odd one alone, wherever the busy lanes
/// sit among the 16.
#[test]
fn every_busy_count_every_kernel() {
    let mut rng = Rng(5);
    for kernel in kernels() {
        for busy in 0..=LANES {
            let data: Vec<Vec<u8>> = (0..LANES)
                .map(|_| {
                    let n = rng.below(700);
                    rng.bytes(n)
                })
                .collect();
            let mut sha1 = MultiHasher::<Sha1, usize>::with_kernel(kernel).expect("available");
            let mut sha256 = MultiHasher::<Sha256, usize>::with_kernel(kernel).expect("available");
            for (i, d) in data.iter().enumerate() {
                assert!(sha1.push(i, d).is_ok() && sha256.push(i, d).is_ok());
            }
            // Free lanes at random places: finish the first messages of
            // lanes chosen at random by stepping them out.
            let mut left = sha1.busy();
            while left > busy {
                let done = sha1.step();
                left -= done.len();
                for (i, d) in done {
                    assert_eq!(d, Sha1::oneshot(&data[i]), "{} sha1 {i}", kernel.name());
                }
            }
            let fresh: Vec<Vec<u8>> = (0..sha1.free())
                .map(|_| {
                    let n = rng.below(5000);
                    rng.bytes(n)
                })
                .collect();
            for (i, d) in fresh
                .iter()
                .enumerate()
                .take(busy.saturating_sub(sha1.busy()))
            {
                assert!(sha1.push(LANES + i, d).is_ok());
            }
            for (i, d) in sha1.finish() {
                let want = if i < LANES {
                    &data[i]
                } else {
                    &fresh[i - LANES]
                };
                assert_eq!(
                    d,
                    Sha1::oneshot(want),
                    "{} sha1 {i} of {busy}",
                    kernel.name()
                );
            }
            for (i, d) in sha256.finish() {
                assert_eq!(d, Sha256::oneshot(&data[i]), "{} sha256 {i}", kernel.name());
            }
        }
    }
}

#[test]
fn thresholds_per_kernel_and_algorithm() {
    assert_eq!(Kernel::Single.min_lanes::<Sha1>(), None);
    assert_eq!(Kernel::Single.min_lanes::<Sha256>(), None);
    // The 2-way kernel only where it runs and measured faster than one
    // stream; its measurement is taken once.
    for (min, speedup) in [
        (Kernel::ShaNiX2.min_lanes::<Sha1>(), Sha1::x2_speedup()),
        (Kernel::ShaNiX2.min_lanes::<Sha256>(), Sha256::x2_speedup()),
    ] {
        let pays = Kernel::ShaNiX2.available() && speedup >= super::X2_PAYS;
        assert_eq!(min, pays.then_some(2), "speedup {speedup:.2}");
        assert!(Kernel::ShaNiX2.available() || speedup == 0.0);
    }
    assert_eq!(Sha256::x2_speedup(), Sha256::x2_speedup());
    eprintln!(
        "2-way SHA-NI against one stream here: SHA-1 {:.2}x, SHA-256 {:.2}x",
        Sha1::x2_speedup(),
        Sha256::x2_speedup()
    );
    assert_eq!(Kernel::Avx512x16.min_lanes::<Sha1>(), Some(5));
    assert_eq!(Kernel::Avx512x16.min_lanes::<Sha256>(), Some(9));
    for k in Kernel::ALL {
        assert_eq!(
            Kernel::ALL.iter().filter(|x| x.name() == k.name()).count(),
            1
        );
        // Never a kernel this CPU cannot run, never a faster one than asked.
        for busy in 0..=LANES {
            for pick in [k.for_busy::<Sha1>(busy), k.for_busy::<Sha256>(busy)] {
                assert!(pick.available());
                let pos = |x| Kernel::ALL.iter().position(|&y| y == x);
                assert!(pos(pick) >= pos(k), "{} from {}", pick.name(), k.name());
            }
        }
        assert_eq!(k.for_busy::<Sha1>(0), Kernel::Single);
        assert_eq!(k.for_busy::<Sha1>(1), Kernel::Single);
    }
    for (pays, pick) in [
        (
            Kernel::ShaNiX2.min_lanes::<Sha1>().is_some(),
            Kernel::Avx512x16.for_busy::<Sha1>(4),
        ),
        (
            Kernel::ShaNiX2.min_lanes::<Sha256>().is_some(),
            Kernel::Avx512x16.for_busy::<Sha256>(8),
        ),
    ] {
        let want = if pays {
            Kernel::ShaNiX2
        } else {
            Kernel::Single
        };
        assert_eq!(pick, want);
    }
    if Kernel::Avx512x16.available() {
        assert_eq!(Kernel::Avx512x16.for_busy::<Sha1>(5), Kernel::Avx512x16);
        assert_eq!(Kernel::Avx512x16.for_busy::<Sha256>(9), Kernel::Avx512x16);
    }
    // The best kernel for an algorithm has a lane path for it, or is Single.
    if std::env::var_os("WEIGHTCHECK_HASH_KERNEL").is_none() {
        let b1 = Kernel::best_for::<Sha1>();
        let b256 = Kernel::best_for::<Sha256>();
        assert!(b1 == Kernel::Single || b1.min_lanes::<Sha1>().is_some());
        assert!(b256 == Kernel::Single || b256.min_lanes::<Sha256>().is_some());
        assert_eq!(b1, Kernel::best(), "SHA-1 has a path in every kernel");
    }
}

/// Random lane occupancy and staggered starts and ends through the refill
/// API, switching kernels between steps at random.
fn staggered<A: Algorithm>(seed: u64) {
    let mut rng = Rng(seed);
    let ran = kernels();
    let count = 1 + rng.below(40);
    let data: Vec<Vec<u8>> = (0..count)
        .map(|_| {
            let n = match rng.below(4) {
                0 => EDGES[rng.below(EDGES.len())],
                1 => rng.below(300),
                2 => rng.below(20_000),
                _ => rng.below(300_000),
            };
            rng.bytes(n)
        })
        .collect();
    let mut lanes =
        MultiHasher::<A, usize>::with_kernel(ran[rng.below(ran.len())]).expect("available");
    let mut next = 0;
    let mut seen = vec![false; count];
    while next < count || lanes.busy() > 0 {
        // Push a random number of messages, never more than fit.
        let room = lanes.free().min(count - next);
        for _ in 0..if room == 0 { 0 } else { 1 + rng.below(room) } {
            assert!(lanes.push(next, &data[next]).is_ok());
            next += 1;
        }
        lanes
            .set_kernel(ran[rng.below(ran.len())])
            .expect("available");
        for (i, d) in lanes.step() {
            assert!(!seen[i], "message {i} finished twice");
            seen[i] = true;
            assert_eq!(
                d,
                A::oneshot(&data[i]),
                "seed {seed} message {i} of {} bytes",
                data[i].len()
            );
        }
    }
    assert!(
        seen.iter().all(|&s| s),
        "seed {seed}: every message finished"
    );
}

#[test]
fn staggered_lanes_sha1() {
    for seed in 0..60 {
        staggered::<Sha1>(seed);
    }
}

#[test]
fn staggered_lanes_sha256() {
    for seed in 100..160 {
        staggered::<Sha256>(seed);
    }
}

#[test]
fn batches_of_megabytes() {
    let mut rng = Rng(3);
    let data: Vec<Vec<u8>> = (0..21)
        .map(|i| {
            let n = if i % 4 == 0 {
                (1 << 20) + rng.below(3 << 20)
            } else {
                rng.below(1 << 20)
            };
            rng.bytes(n)
        })
        .collect();
    let msgs: Vec<&[u8]> = data.iter().map(Vec::as_slice).collect();
    for n in [0, 1, 4, 5, 9, 16, 17, 21] {
        let got = sha1_many(&msgs[..n]);
        let want: Vec<_> = msgs[..n].iter().map(|m| Sha1::oneshot(m)).collect();
        assert_eq!(got, want, "sha1_many of {n}");
        let got = sha256_many(&msgs[..n]);
        let want: Vec<_> = msgs[..n].iter().map(|m| Sha256::oneshot(m)).collect();
        assert_eq!(got, want, "sha256_many of {n}");
    }
    for kernel in kernels() {
        check_many::<Sha1>(kernel, &msgs);
        check_many::<Sha256>(kernel, &msgs);
    }
}

#[test]
fn known_answers() {
    for kernel in kernels() {
        let got = many_with::<Sha256>(kernel, &[b"abc"]).expect("available");
        assert_eq!(
            hex::encode(got[0]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let got = many_with::<Sha1>(kernel, &[b""]).expect("available");
        assert_eq!(
            hex::encode(got[0]),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
    }
}

/// A message pushed as parts (a piece across files) hashes as the same
/// bytes pushed whole: parts of every length around the block size,
/// empty parts, many short ones gathered into one block, and the padding
/// falling in any part.
fn parts_like_whole<A: Algorithm>(seed: u64) {
    let mut rng = Rng(seed);
    for kernel in kernels() {
        for round in 0..12 {
            let mut lanes = MultiHasher::<A, usize>::with_kernel(kernel).expect("available");
            let mut msgs = Vec::new();
            for _ in 0..LANES {
                let len = match rng.below(3) {
                    0 => EDGES[rng.below(EDGES.len())],
                    _ => rng.below(9000),
                };
                msgs.push(rng.bytes(len));
            }
            let mut cuts: Vec<Vec<usize>> = Vec::new();
            for m in &msgs {
                let mut c: Vec<usize> = (0..rng.below(6)).map(|_| rng.below(m.len() + 1)).collect();
                if round % 3 == 0 {
                    // Runs of tiny parts: a block gathered from several.
                    c.extend((0..20).map(|k| (k * 3).min(m.len())));
                }
                c.push(0);
                c.push(m.len());
                c.sort_unstable();
                cuts.push(c);
            }
            for (i, (m, c)) in msgs.iter().zip(&cuts).enumerate() {
                let parts: Vec<&[u8]> = c.windows(2).map(|w| &m[w[0]..w[1]]).collect();
                assert!(lanes.push_parts(i, parts).is_ok());
            }
            let mut got = Vec::new();
            while lanes.busy() > 0 {
                got.extend(lanes.step_at_most(1 + rng.below(40)).1);
            }
            assert_eq!(got.len(), LANES);
            for (i, d) in got {
                assert_eq!(
                    d,
                    A::oneshot(&msgs[i]),
                    "{} round {round} message {i}: {} bytes cut at {:?}",
                    kernel.name(),
                    msgs[i].len(),
                    cuts[i]
                );
            }
        }
    }
}

#[test]
fn parts_hash_like_the_whole_sha1() {
    parts_like_whole::<Sha1>(21);
}

#[test]
fn parts_hash_like_the_whole_sha256() {
    parts_like_whole::<Sha256>(22);
}
