//! Multi-buffer hashing: SHA-1 and SHA-256 of up to 16 independent
//! messages at once.
//!
//! One SHA-NI stream per core is as fast as the sha1/sha2 crates go, but a
//! release is made of independent messages (torrent pieces, files): with
//! AVX-512 one instruction can do the same step of 16 compressions, one
//! 32-bit word per lane. The [`MultiHasher`] keeps up to 16 messages in
//! lanes, pads each one's tail itself, and lets a finished lane take the next
//! message while the others go on, so lanes stay full when messages start
//! and end at different times.
//!
//! Kernels are chosen at run time ([`Kernel::best_for`]). Without AVX-512
//! but with SHA-NI, lanes are compressed two at a time with their SHA-NI
//! instructions interleaved ([`Kernel::ShaNiX2`]), for SHA-1 and for
//! SHA-256, where a short measurement shows this beats one stream (it does
//! on some cores and not on others). Otherwise the lanes go one after
//! another through the crates' compression functions, which use SHA-NI
//! where the CPU has it.

use std::marker::PhantomData;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// `$round!(b)`, `$round!(b + 1)`, … `$round!(b + 15)`: the kernels'
/// rounds written out, so each round's message word is a constant index
/// and the 16 words stay in registers.
#[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
macro_rules! unroll16 {
    ($round:ident, $b:expr) => {
        $round!($b);
        $round!($b + 1);
        $round!($b + 2);
        $round!($b + 3);
        $round!($b + 4);
        $round!($b + 5);
        $round!($b + 6);
        $round!($b + 7);
        $round!($b + 8);
        $round!($b + 9);
        $round!($b + 10);
        $round!($b + 11);
        $round!($b + 12);
        $round!($b + 13);
        $round!($b + 14);
        $round!($b + 15);
    };
}

#[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
mod sha1_shani_x2;
#[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
mod sha1_x16;
#[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
mod sha256_shani_x2;
#[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
mod sha256_x16;
#[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
mod transpose;

#[cfg(test)]
mod tests;

/// How many messages a [`MultiHasher`] holds at once.
pub const LANES: usize = 16;

/// An implementation of the lane compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// 16 lanes in 512-bit vectors: x86_64 with AVX-512 F, BW and VL.
    Avx512x16,
    /// Two lanes at a time, their SHA-NI instruction streams interleaved so
    /// the core overlaps two dependency chains: x86_64 with SHA, SSSE3 and
    /// SSE4.1. Chosen for an algorithm only where it measured faster than
    /// one stream of it (see [`Kernel::min_lanes`]).
    ShaNiX2,
    /// One lane after another through the sha1/sha2 crates (SHA-NI where
    /// the CPU has it); runs everywhere.
    Single,
}

impl Kernel {
    /// Every kernel, fastest first.
    pub const ALL: [Kernel; 3] = [Kernel::Avx512x16, Kernel::ShaNiX2, Kernel::Single];

    /// Its name in reports and benchmarks.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512x16 => "avx512-x16",
            Kernel::ShaNiX2 => "shani-x2",
            Kernel::Single => "single",
        }
    }

    /// Why this CPU cannot run it, or `None` if it can.
    pub fn unavailable_reason(self) -> Option<&'static str> {
        match self {
            Kernel::Single => None,
            Kernel::Avx512x16 => {
                #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
                {
                    if std::arch::is_x86_feature_detected!("avx512f")
                        && std::arch::is_x86_feature_detected!("avx512bw")
                        && std::arch::is_x86_feature_detected!("avx512vl")
                    {
                        None
                    } else {
                        Some("the CPU lacks AVX-512 F, BW or VL")
                    }
                }
                #[cfg(not(all(target_arch = "x86_64", weightcheck_avx512)))]
                {
                    Some("not an x86_64 build, or built by a Rust older than 1.89")
                }
            }
            Kernel::ShaNiX2 => {
                // Built with the AVX-512 kernels: calling the intrinsics
                // without `unsafe` in a target_feature function needs the
                // same recent compilers.
                #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
                {
                    if std::arch::is_x86_feature_detected!("sha")
                        && std::arch::is_x86_feature_detected!("ssse3")
                        && std::arch::is_x86_feature_detected!("sse4.1")
                    {
                        None
                    } else {
                        Some("the CPU lacks SHA (SHA-NI), SSSE3 or SSE4.1")
                    }
                }
                #[cfg(not(all(target_arch = "x86_64", weightcheck_avx512)))]
                {
                    Some("not an x86_64 build, or built by a Rust older than 1.89")
                }
            }
        }
    }

    /// Whether this CPU can run it.
    pub fn available(self) -> bool {
        self.unavailable_reason().is_none()
    }

    /// How many lanes must be busy for this kernel to beat hashing them
    /// one after another with `A` through the crates, or `None` if it never
    /// does ([`Kernel::Single`] itself, and [`Kernel::ShaNiX2`] for an
    /// algorithm it measured no faster at: see [`Algorithm::x2_speedup`]).
    pub fn min_lanes<A: Algorithm>(self) -> Option<usize> {
        match self {
            Kernel::Avx512x16 => Some(A::MIN_LANES_X16),
            Kernel::ShaNiX2 => (self.available() && A::x2_speedup() >= X2_PAYS).then_some(2),
            Kernel::Single => None,
        }
    }

    /// How many messages it compresses at once.
    pub fn width(self) -> usize {
        match self {
            Kernel::Avx512x16 => LANES,
            Kernel::ShaNiX2 => 2,
            Kernel::Single => 1,
        }
    }

    /// The kernel forced by `WEIGHTCHECK_HASH_KERNEL` (a kernel's
    /// [`name`](Self::name)), if it names one that runs here.
    pub fn forced() -> Option<Kernel> {
        let name = std::env::var("WEIGHTCHECK_HASH_KERNEL").ok()?;
        Kernel::ALL
            .into_iter()
            .find(|k| k.name() == name && k.available())
    }

    /// The fastest kernel this CPU can run, when lanes are kept full; the
    /// environment variable `WEIGHTCHECK_HASH_KERNEL` (a kernel's
    /// [`name`](Self::name)) picks another that runs here, to compare them.
    /// It may have no lane path for a given algorithm: see
    /// [`best_for`](Self::best_for).
    pub fn best() -> Kernel {
        Kernel::forced().unwrap_or_else(|| {
            Kernel::ALL
                .into_iter()
                .find(|k| k.available())
                .unwrap_or(Kernel::Single)
        })
    }

    /// The fastest kernel this CPU can run for `A` when lanes are kept
    /// full: the fastest available one that beats [`Kernel::Single`] at
    /// all for `A` (so [`Kernel::Single`] for SHA-256 on a CPU with SHA-NI
    /// but no AVX-512). `WEIGHTCHECK_HASH_KERNEL` overrides it as for
    /// [`best`](Self::best).
    pub fn best_for<A: Algorithm>() -> Kernel {
        Kernel::forced().unwrap_or_else(|| {
            Kernel::ALL
                .into_iter()
                .find(|k| k.available() && k.min_lanes::<A>().is_some())
                .unwrap_or(Kernel::Single)
        })
    }

    /// The kernel to hash `busy` lanes of `A` with, starting from this one:
    /// this one or the first slower kernel (in [`Kernel::ALL`]'s order)
    /// that runs here and beats hashing `busy` lanes one by one, else
    /// [`Kernel::Single`]. Used when too few messages are left to fill the
    /// lanes: 16 lanes with 3 busy do worse than one stream, but two
    /// interleaved SHA-NI streams still do better.
    pub fn for_busy<A: Algorithm>(self, busy: usize) -> Kernel {
        Kernel::ALL
            .into_iter()
            .skip_while(|&k| k != self)
            .find(|k| k.available() && k.min_lanes::<A>().is_some_and(|m| busy >= m))
            .unwrap_or(Kernel::Single)
    }
}

/// Errors of multi-buffer hashing.
#[derive(Debug, thiserror::Error)]
pub enum MultiBufferError {
    /// The kernel asked for cannot run on this CPU.
    #[error("the {kernel} hashing kernel cannot run here: {reason}")]
    Unavailable {
        /// The kernel's name.
        kernel: &'static str,
        /// What is missing.
        reason: &'static str,
    },
}

mod sealed {
    pub trait Sealed {}
}

/// A digest the lanes compute: [`Sha1`] or [`Sha256`].
pub trait Algorithm: sealed::Sealed {
    /// The digest's bytes.
    type Digest: Copy + Default + PartialEq + std::fmt::Debug;
    /// The initial chaining value (unused words are zero).
    const IV: [u32; 8];
    /// How many lanes must be busy for the 16-lane kernel to beat hashing
    /// them one after another with SHA-NI (measured on AMD Zen 4,
    /// examples/hash_multibuffer.rs); see [`Kernel::min_lanes`].
    const MIN_LANES_X16: usize;
    /// How much faster [`Kernel::ShaNiX2`] hashes two messages than one
    /// SHA-NI stream hashes them in turn on this core (0 where it cannot
    /// run); it is used for lanes only at [`X2_PAYS`] or more.
    fn x2_speedup() -> f64;
    /// Compresses whole blocks into one chaining value, with the crates.
    fn compress_single(state: &mut [u32; 8], blocks: &[[u8; 64]]);
    /// The digest of a final chaining value.
    fn digest(state: &[u32; 8]) -> Self::Digest;
    /// The digest of one message, with the crates.
    fn oneshot(msg: &[u8]) -> Self::Digest;
    /// Compresses `blocks` blocks of each of 16 lanes.
    ///
    /// # Safety
    /// The CPU must have AVX-512 F, BW and VL, and each of `ptrs` must be
    /// valid for reading `blocks * 64` bytes.
    #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
    unsafe fn compress_x16(state: &mut [[u32; LANES]; 8], ptrs: &[*const u8; LANES], blocks: usize);
    /// Compresses `blocks` blocks of each of 2 lanes, their instructions
    /// interleaved.
    ///
    /// # Safety
    /// [`Kernel::ShaNiX2`] must be available, and each of `ptrs` must be
    /// valid for reading `blocks * 64` bytes.
    #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
    unsafe fn compress_x2(state: &mut [[u32; 8]; 2], ptrs: [*const u8; 2], blocks: usize);
}

/// SHA-1 (torrent v1 pieces, git blobs).
#[derive(Debug, Clone, Copy)]
pub struct Sha1;

/// SHA-256.
#[derive(Debug, Clone, Copy)]
pub struct Sha256;

impl sealed::Sealed for Sha1 {}
impl sealed::Sealed for Sha256 {}

fn digest_words<const N: usize>(state: &[u32; 8]) -> [u8; N] {
    let mut out = [0u8; N];
    for (chunk, w) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    out
}

impl Algorithm for Sha1 {
    type Digest = [u8; 20];
    const IV: [u32; 8] = [
        0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0, 0, 0, 0,
    ];
    const MIN_LANES_X16: usize = 5;
    fn x2_speedup() -> f64 {
        static MEASURED: OnceLock<f64> = OnceLock::new();
        *MEASURED.get_or_init(measure_x2::<Self>)
    }
    fn compress_single(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
        let mut s = [state[0], state[1], state[2], state[3], state[4]];
        sha1::block_api::compress(&mut s, blocks);
        state[..5].copy_from_slice(&s);
    }
    fn digest(state: &[u32; 8]) -> [u8; 20] {
        digest_words(state)
    }
    fn oneshot(msg: &[u8]) -> [u8; 20] {
        use sha1::Digest;
        sha1::Sha1::digest(msg).into()
    }
    #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
    unsafe fn compress_x16(
        state: &mut [[u32; LANES]; 8],
        ptrs: &[*const u8; LANES],
        blocks: usize,
    ) {
        // SAFETY: forwarded from this function's contract.
        unsafe { sha1_x16::compress(state, ptrs, blocks) }
    }
    #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
    unsafe fn compress_x2(state: &mut [[u32; 8]; 2], ptrs: [*const u8; 2], blocks: usize) {
        let mut s = state.map(|w| [w[0], w[1], w[2], w[3], w[4]]);
        // SAFETY: forwarded from this function's contract (ShaNiX2 is
        // available only with SHA, SSSE3 and SSE4.1).
        unsafe { sha1_shani_x2::compress(&mut s, ptrs, blocks) };
        for (out, s) in state.iter_mut().zip(s) {
            out[..5].copy_from_slice(&s);
        }
    }
}

impl Algorithm for Sha256 {
    type Digest = [u8; 32];
    const IV: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    const MIN_LANES_X16: usize = 9;
    fn x2_speedup() -> f64 {
        static MEASURED: OnceLock<f64> = OnceLock::new();
        *MEASURED.get_or_init(measure_x2::<Self>)
    }
    fn compress_single(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
        sha2::block_api::compress256(state, blocks);
    }
    fn digest(state: &[u32; 8]) -> [u8; 32] {
        digest_words(state)
    }
    fn oneshot(msg: &[u8]) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(msg).into()
    }
    #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
    unsafe fn compress_x16(
        state: &mut [[u32; LANES]; 8],
        ptrs: &[*const u8; LANES],
        blocks: usize,
    ) {
        // SAFETY: forwarded from this function's contract.
        unsafe { sha256_x16::compress(state, ptrs, blocks) }
    }
    #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
    unsafe fn compress_x2(state: &mut [[u32; 8]; 2], ptrs: [*const u8; 2], blocks: usize) {
        // SAFETY: forwarded from this function's contract (ShaNiX2 is
        // available only with SHA, SSSE3 and SSE4.1).
        unsafe { sha256_shani_x2::compress(state, ptrs, blocks) }
    }
}

/// The speedup [`Kernel::ShaNiX2`] must show over one stream to be used
/// for lanes: a margin over the measurement's noise.
pub const X2_PAYS: f64 = 1.05;

/// Measures [`Algorithm::x2_speedup`]: two 64 KiB messages (they stay in
/// L2 cache) hashed by the 2-way kernel and by the crates in turn, the best
/// of 8 tries each, interleaved so a busy neighbour slows both alike. About
/// 2 ms, once per process and algorithm, and only where the answer matters.
fn measure_x2<A: Algorithm>() -> f64 {
    #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
    {
        if !Kernel::ShaNiX2.available() {
            return 0.0;
        }
        const BLOCKS: usize = 1024;
        let data: Vec<[u8; 64]> = (0..2 * BLOCKS)
            .map(|i| std::array::from_fn(|j| (i * 7 + j * 13) as u8))
            .collect();
        let (first, second) = data.split_at(BLOCKS);
        let (mut x2, mut single) = (Duration::MAX, Duration::MAX);
        let mut state = [A::IV; 2];
        for _ in 0..8 {
            let t = Instant::now();
            // SAFETY: ShaNiX2 is available (checked above), and each
            // pointer starts BLOCKS blocks of `data`.
            unsafe {
                A::compress_x2(
                    &mut state,
                    [first.as_ptr().cast(), second.as_ptr().cast()],
                    BLOCKS,
                )
            };
            x2 = x2.min(t.elapsed());
            let t = Instant::now();
            A::compress_single(&mut state[0], first);
            A::compress_single(&mut state[1], second);
            single = single.min(t.elapsed());
        }
        std::hint::black_box(state);
        single.as_secs_f64() / x2.as_secs_f64().max(1e-9)
    }
    #[cfg(not(all(target_arch = "x86_64", weightcheck_avx512)))]
    {
        0.0
    }
}

/// One message in a lane: the concatenation of its parts (a torrent piece
/// that crosses file boundaries is several mappings).
struct Lane<'a, T> {
    tag: T,
    parts: Vec<&'a [u8]>,
    /// The part being compressed, and how many of its bytes are.
    part: usize,
    pos: usize,
    /// Message length in bytes, for the padding.
    len: u64,
    /// A block gathered across the end of a part (`last` false), or the
    /// message's last partial block with its padding and length (`last`).
    buf: [u8; 128],
    /// Blocks in `buf` (0 while the parts are read in place).
    buf_blocks: usize,
    /// Blocks of `buf` compressed so far.
    buf_done: usize,
    last: bool,
}

impl<'a, T> Lane<'a, T> {
    fn new(tag: T, parts: Vec<&'a [u8]>) -> Self {
        let len = parts.iter().map(|p| p.len() as u64).sum();
        Lane {
            tag,
            parts,
            part: 0,
            pos: 0,
            len,
            buf: [0; 128],
            buf_blocks: 0,
            buf_done: 0,
            last: false,
        }
    }

    /// The next run of whole blocks to compress: where it starts and how
    /// many blocks it has (at least one until the lane is done).
    fn source(&mut self) -> (&[u8], usize) {
        if self.buf_blocks > 0 && self.buf_done == self.buf_blocks && !self.last {
            self.buf_blocks = 0;
            self.buf_done = 0;
        }
        if self.buf_blocks == 0 {
            while self.part < self.parts.len() && self.pos == self.parts[self.part].len() {
                self.part += 1;
                self.pos = 0;
            }
            let left = self.parts.get(self.part).map_or(0, |p| p.len() - self.pos);
            if left >= 64 {
                return (&self.parts[self.part][self.pos..], left / 64);
            }
            self.gather();
        }
        (
            &self.buf[self.buf_done * 64..self.buf_blocks * 64],
            self.buf_blocks - self.buf_done,
        )
    }

    /// Copies the next 64 bytes, from as many parts as it takes, into
    /// `buf`; or, if fewer are left, the message's end and its padding.
    fn gather(&mut self) {
        let mut n = 0;
        while n < 64 && self.part < self.parts.len() {
            let p = self.parts[self.part];
            let take = (p.len() - self.pos).min(64 - n);
            self.buf[n..n + take].copy_from_slice(&p[self.pos..self.pos + take]);
            n += take;
            self.pos += take;
            if self.pos == p.len() {
                self.part += 1;
                self.pos = 0;
            }
        }
        self.buf_done = 0;
        if n == 64 {
            self.buf_blocks = 1;
            return;
        }
        self.last = true;
        self.buf[n] = 0x80;
        self.buf[n + 1..].fill(0);
        self.buf_blocks = if n < 56 { 1 } else { 2 };
        let end = self.buf_blocks * 64;
        self.buf[end - 8..end].copy_from_slice(&self.len.wrapping_mul(8).to_be_bytes());
    }

    fn advance(&mut self, blocks: usize) {
        if self.buf_blocks == 0 {
            self.pos += blocks * 64;
        } else {
            self.buf_done += blocks;
        }
    }

    fn done(&self) -> bool {
        self.last && self.buf_done == self.buf_blocks
    }
}

/// Up to [`LANES`] messages hashed together, each with a caller's tag.
///
/// ```
/// use weightcheck::hash::multibuffer::{MultiHasher, Sha1};
/// let mut lanes = MultiHasher::<Sha1, usize>::new();
/// for (i, piece) in [&b"abc"[..], &b""[..]].into_iter().enumerate() {
///     lanes.push(i, piece).expect("a free lane");
/// }
/// let mut digests = lanes.finish();
/// digests.sort();
/// assert_eq!(hex::encode(digests[0].1), "a9993e364706816aba3e25717850c26c9cd0d89d");
/// ```
pub struct MultiHasher<'a, A: Algorithm, T> {
    kernel: Kernel,
    /// `state[word][lane]`: the layout the 16-lane kernels load directly.
    state: [[u32; LANES]; 8],
    lanes: [Option<Lane<'a, T>>; LANES],
    algo: PhantomData<A>,
}

impl<A: Algorithm, T> Default for MultiHasher<'_, A, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, A: Algorithm, T> MultiHasher<'a, A, T> {
    /// Empty lanes with the fastest kernel this CPU has for `A`
    /// ([`Kernel::best_for`]).
    pub fn new() -> Self {
        MultiHasher {
            kernel: Kernel::best_for::<A>(),
            state: [[0; LANES]; 8],
            lanes: std::array::from_fn(|_| None),
            algo: PhantomData,
        }
    }

    /// Empty lanes with the given kernel, if this CPU can run it.
    pub fn with_kernel(kernel: Kernel) -> Result<Self, MultiBufferError> {
        let mut m = Self::new();
        m.set_kernel(kernel)?;
        Ok(m)
    }

    /// Switches kernel between steps (say, to hash the last few stragglers
    /// one after another); messages in lanes carry on where they are.
    pub fn set_kernel(&mut self, kernel: Kernel) -> Result<(), MultiBufferError> {
        if let Some(reason) = kernel.unavailable_reason() {
            return Err(MultiBufferError::Unavailable {
                kernel: kernel.name(),
                reason,
            });
        }
        self.kernel = kernel;
        Ok(())
    }

    /// The kernel in use.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// How many lanes hold a message.
    pub fn busy(&self) -> usize {
        self.lanes.iter().filter(|l| l.is_some()).count()
    }

    /// How many lanes can take a message.
    pub fn free(&self) -> usize {
        LANES - self.busy()
    }

    /// Puts a message in a free lane; gives it back if all are busy.
    pub fn push(&mut self, tag: T, msg: &'a [u8]) -> Result<(), (T, &'a [u8])> {
        match self.free_lane() {
            Some(i) => {
                self.lanes[i] = Some(Lane::new(tag, vec![msg]));
                Ok(())
            }
            None => Err((tag, msg)),
        }
    }

    /// Puts the message made of `parts`, one after another, in a free lane;
    /// gives them back if all are busy.
    pub fn push_parts(&mut self, tag: T, parts: Vec<&'a [u8]>) -> Result<(), (T, Vec<&'a [u8]>)> {
        match self.free_lane() {
            Some(i) => {
                self.lanes[i] = Some(Lane::new(tag, parts));
                Ok(())
            }
            None => Err((tag, parts)),
        }
    }

    /// A free lane, its chaining value reset.
    fn free_lane(&mut self) -> Option<usize> {
        let i = self.lanes.iter().position(|l| l.is_none())?;
        for (row, iv) in self.state.iter_mut().zip(A::IV) {
            row[i] = iv;
        }
        Some(i)
    }

    /// Hashes until at least one message is done, and returns the digests
    /// of those that are (nothing if no lane is busy).
    pub fn step(&mut self) -> Vec<(T, A::Digest)> {
        self.step_at_most(usize::MAX).1
    }

    /// Hashes at most `max_blocks` 64-byte blocks of every busy lane, fewer
    /// if a message ends first, so that a caller hashing long messages can
    /// report progress or stop between calls. Returns how many blocks each
    /// busy lane advanced, and the digests of the messages now done.
    pub fn step_at_most(&mut self, max_blocks: usize) -> (usize, Vec<(T, A::Digest)>) {
        let n = self.common_run().min(max_blocks.max(1));
        if n > 0 {
            match self.kernel {
                #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
                Kernel::Avx512x16 => self.step_x16(n),
                #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
                Kernel::ShaNiX2 => self.step_x2(n),
                _ => self.step_single(n),
            }
        }
        let mut done = Vec::new();
        for (i, slot) in self.lanes.iter_mut().enumerate() {
            if slot.as_ref().is_some_and(Lane::done) {
                if let Some(lane) = slot.take() {
                    let words = std::array::from_fn(|w| self.state[w][i]);
                    done.push((lane.tag, A::digest(&words)));
                }
            }
        }
        (n, done)
    }

    /// Hashes every message in the lanes to its end.
    pub fn finish(mut self) -> Vec<(T, A::Digest)> {
        let mut out = Vec::new();
        while self.busy() > 0 {
            out.extend(self.step());
        }
        out
    }

    /// The blocks every busy lane can take now without running out.
    fn common_run(&mut self) -> usize {
        self.lanes
            .iter_mut()
            .flatten()
            .map(|l| l.source().1)
            .min()
            .unwrap_or(0)
    }

    #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
    fn step_x16(&mut self, n: usize) {
        let mut ptrs = [std::ptr::null(); LANES];
        for (p, lane) in ptrs.iter_mut().zip(self.lanes.iter_mut()) {
            if let Some(l) = lane {
                *p = l.source().0.as_ptr();
            }
        }
        // An idle lane hashes a busy lane's blocks rather than needing a
        // buffer of its own; its state is reset when it takes a message.
        let Some(fill) = ptrs.iter().copied().find(|p| !p.is_null()) else {
            return;
        };
        for p in ptrs.iter_mut().filter(|p| p.is_null()) {
            *p = fill;
        }
        // SAFETY: the kernel was checked available when it was set; each
        // pointer starts a run of at least n whole blocks (n <= common_run) in a
        // message or in its lane's tail, and neither moves nor changes until
        // the kernel returns.
        unsafe { A::compress_x16(&mut self.state, &ptrs, n) };
        for lane in self.lanes.iter_mut().flatten() {
            lane.advance(n);
        }
    }

    #[cfg(all(target_arch = "x86_64", weightcheck_avx512))]
    fn step_x2(&mut self, n: usize) {
        let busy: Vec<usize> = (0..LANES).filter(|&i| self.lanes[i].is_some()).collect();
        let mut pairs = busy.chunks_exact(2);
        for pair in pairs.by_ref() {
            let (i, j) = (pair[0], pair[1]);
            let mut ptrs = [std::ptr::null(); 2];
            for (p, &l) in ptrs.iter_mut().zip([i, j].iter()) {
                if let Some(lane) = &mut self.lanes[l] {
                    *p = lane.source().0.as_ptr();
                }
            }
            let mut state = [i, j].map(|l| std::array::from_fn(|w| self.state[w][l]));
            // SAFETY: the kernel was checked available when it was set; both
            // lanes are busy, so each pointer starts a run of at least n
            // whole blocks (n <= common_run) in a message or in its lane's tail,
            // which neither moves nor changes until the kernel returns.
            unsafe { A::compress_x2(&mut state, ptrs, n) };
            for (&l, s) in [i, j].iter().zip(state) {
                for (w, v) in s.into_iter().enumerate() {
                    self.state[w][l] = v;
                }
            }
        }
        for &i in pairs.remainder() {
            self.compress_lane_single(i, n);
        }
        for lane in self.lanes.iter_mut().flatten() {
            lane.advance(n);
        }
    }

    fn step_single(&mut self, n: usize) {
        for i in 0..LANES {
            self.compress_lane_single(i, n);
        }
        for lane in self.lanes.iter_mut().flatten() {
            lane.advance(n);
        }
    }

    /// Compresses `n` blocks of lane `i` (if busy) through the crates,
    /// without advancing it.
    fn compress_lane_single(&mut self, i: usize, n: usize) {
        let Some(lane) = &mut self.lanes[i] else {
            return;
        };
        let mut words: [u32; 8] = std::array::from_fn(|w| self.state[w][i]);
        let (bytes, _) = lane.source();
        // The crates take whole blocks as arrays; copying 1 KiB at a
        // time costs well under 1% of hashing it.
        let mut buf = [[0u8; 64]; 16];
        for run in bytes[..n * 64].chunks(buf.len() * 64) {
            let k = run.len() / 64;
            for (b, src) in buf.iter_mut().zip(run.chunks_exact(64)) {
                b.copy_from_slice(src);
            }
            A::compress_single(&mut words, &buf[..k]);
        }
        for (w, v) in words.into_iter().enumerate() {
            self.state[w][i] = v;
        }
    }
}

/// Digests of many messages, in order, with the given kernel: lanes are
/// refilled as messages end, and once too few are left to fill the lanes
/// the last ones go to a kernel that does better with that few
/// ([`Kernel::for_busy`]: two interleaved SHA-NI streams, or one after
/// another through the crates).
pub fn many_with<A: Algorithm>(
    kernel: Kernel,
    msgs: &[&[u8]],
) -> Result<Vec<A::Digest>, MultiBufferError> {
    let mut lanes = MultiHasher::<A, usize>::with_kernel(kernel)?;
    let mut out = vec![A::Digest::default(); msgs.len()];
    let mut next = 0;
    loop {
        while next < msgs.len() && lanes.free() > 0 {
            if lanes.push(next, msgs[next]).is_err() {
                break;
            }
            next += 1;
        }
        if next == msgs.len() {
            lanes.set_kernel(kernel.for_busy::<A>(lanes.busy()))?;
        }
        if lanes.busy() == 0 {
            return Ok(out);
        }
        for (i, d) in lanes.step() {
            out[i] = d;
        }
    }
}

/// Digests of many messages, in order, with the fastest kernel.
fn many<A: Algorithm>(msgs: &[&[u8]]) -> Vec<A::Digest> {
    let kernel = Kernel::best_for::<A>().for_busy::<A>(msgs.len().min(LANES));
    if kernel == Kernel::Single {
        return msgs.iter().map(|m| A::oneshot(m)).collect();
    }
    many_with::<A>(kernel, msgs).unwrap_or_else(|_| msgs.iter().map(|m| A::oneshot(m)).collect())
}

/// SHA-1 of each message, in order.
pub fn sha1_many(msgs: &[&[u8]]) -> Vec<[u8; 20]> {
    many::<Sha1>(msgs)
}

/// SHA-256 of each message, in order.
pub fn sha256_many(msgs: &[&[u8]]) -> Vec<[u8; 32]> {
    many::<Sha256>(msgs)
}
