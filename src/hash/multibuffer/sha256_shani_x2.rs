//! SHA-256 of two independent messages at once with the SHA extensions
//! (SHA-NI), for CPUs without AVX-512, and for a few stragglers where 16
//! lanes would mostly idle.
//!
//! As for SHA-1 ([`super::sha1_shani_x2`]): each `sha256rnds2` waits for
//! the one before it, so one stream leaves the unit idle between them, and
//! a second message's independent chain fills those cycles. Whether that
//! pays depends on the core: isa-l_crypto's 2-way kernel measured 1.3x one
//! stream on an Intel Xeon and 0.84x on AMD Zen 4, so the engine measures
//! it before it uses it ([`super::Kernel::min_lanes`]).

use std::arch::x86_64::{
    _mm_add_epi32, _mm_alignr_epi8, _mm_blend_epi16, _mm_loadu_si128, _mm_set_epi32,
    _mm_set_epi64x, _mm_sha256msg1_epu32, _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32,
    _mm_shuffle_epi32, _mm_storeu_si128,
};

use super::sha1_shani_x2::load_pair;
use super::sha256_x16::K;

/// Compresses `blocks` consecutive 64-byte blocks of each of two messages
/// into its chaining value (`state[s]` is message `s`'s eight words).
///
/// # Safety
/// The CPU must have SHA, SSE2, SSSE3 and SSE4.1, and each of `ptrs` must
/// be valid for reading `blocks * 64` bytes.
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub(super) unsafe fn compress(state: &mut [[u32; 8]; 2], ptrs: [*const u8; 2], blocks: usize) {
    // Message words are big-endian: swap the bytes of each 32-bit word.
    let swap_words = _mm_set_epi64x(0x0c0d_0e0f_0809_0a0b, 0x0405_0607_0001_0203);
    // The round instruction keeps the state as two halves, A B E F and
    // C D G H, highest element first.
    let mut abef = [_mm_set_epi32(0, 0, 0, 0); 2];
    let mut cdgh = abef;
    for s in 0..2 {
        // SAFETY: state[s] is 32 readable bytes; unaligned loads.
        let (dcba, hgfe) = unsafe {
            (
                _mm_loadu_si128(state[s].as_ptr().cast()),
                _mm_loadu_si128(state[s][4..].as_ptr().cast()),
            )
        };
        let cdab = _mm_shuffle_epi32::<0xB1>(dcba);
        let efgh = _mm_shuffle_epi32::<0x1B>(hgfe);
        abef[s] = _mm_alignr_epi8::<8>(cdab, efgh);
        cdgh[s] = _mm_blend_epi16::<0xF0>(efgh, cdab);
    }

    for block in 0..blocks {
        let (abef_in, cdgh_in) = (abef, cdgh);
        // w[s][g % 4]: words 4g..4g+4 of message s's schedule.
        // SAFETY: block < blocks and the caller guarantees blocks * 64
        // readable bytes from each of ptrs.
        let mut w = unsafe { load_pair(ptrs, block, swap_words) };
        // One group of four rounds for both messages; `$g` is a literal in
        // each expansion, so the schedule slots and constants fold. The two
        // messages' steps have no dependency on each other, which is the
        // point of this kernel.
        macro_rules! group {
            ($g:expr) => {{
                const G: usize = $g;
                // SAFETY: K has 64 words and G < 16: 16 readable bytes.
                let k = unsafe { _mm_loadu_si128(K[G * 4..].as_ptr().cast()) };
                let mut wk = [k; 2];
                for s in 0..2 {
                    if G >= 4 {
                        // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16],
                        // four at a time: msg1 adds σ0 to the oldest group,
                        // alignr picks W[t-7..t-4] across the two newest,
                        // msg2 adds σ1 of the newest.
                        let x = _mm_sha256msg1_epu32(w[s][G % 4], w[s][(G + 1) % 4]);
                        let x = _mm_add_epi32(
                            x,
                            _mm_alignr_epi8::<4>(w[s][(G + 3) % 4], w[s][(G + 2) % 4]),
                        );
                        w[s][G % 4] = _mm_sha256msg2_epu32(x, w[s][(G + 3) % 4]);
                    }
                    wk[s] = _mm_add_epi32(w[s][G % 4], k);
                }
                // Each message's two rounds need the pair before them; the
                // other message's sit between them, for the core to overlap.
                for s in 0..2 {
                    cdgh[s] = _mm_sha256rnds2_epu32(cdgh[s], abef[s], wk[s]);
                }
                for s in 0..2 {
                    // The other two words of W+K, moved to the low half.
                    let hi = _mm_shuffle_epi32::<0x0E>(wk[s]);
                    abef[s] = _mm_sha256rnds2_epu32(abef[s], cdgh[s], hi);
                }
            }};
        }
        unroll16!(group, 0);
        for s in 0..2 {
            abef[s] = _mm_add_epi32(abef[s], abef_in[s]);
            cdgh[s] = _mm_add_epi32(cdgh[s], cdgh_in[s]);
        }
    }

    for s in 0..2 {
        let feba = _mm_shuffle_epi32::<0x1B>(abef[s]);
        let dchg = _mm_shuffle_epi32::<0xB1>(cdgh[s]);
        let dcba = _mm_blend_epi16::<0xF0>(feba, dchg);
        let hgfe = _mm_alignr_epi8::<8>(dchg, feba);
        // SAFETY: state[s] is 32 writable bytes; unaligned stores.
        unsafe {
            _mm_storeu_si128(state[s].as_mut_ptr().cast(), dcba);
            _mm_storeu_si128(state[s][4..].as_mut_ptr().cast(), hgfe);
        }
    }
}
