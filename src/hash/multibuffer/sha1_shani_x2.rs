//! SHA-1 of two independent messages at once with the SHA extensions
//! (SHA-NI), for CPUs without AVX-512.
//!
//! One SHA-NI stream is bound by latency: each `sha1rnds4` needs the
//! previous one's result, so the unit that runs it idles most cycles. Two
//! messages have two independent chains, and issuing their instructions
//! side by side lets the out-of-order core fill those idle cycles.

use std::arch::x86_64::{
    __m128i, _mm_add_epi32, _mm_extract_epi32, _mm_loadu_si128, _mm_set_epi32, _mm_set_epi64x,
    _mm_sha1msg1_epu32, _mm_sha1msg2_epu32, _mm_sha1nexte_epu32, _mm_sha1rnds4_epu32,
    _mm_shuffle_epi32, _mm_shuffle_epi8, _mm_storeu_si128, _mm_xor_si128,
};

/// Compresses `blocks` consecutive 64-byte blocks of each of two messages
/// into its chaining value (`state[s]` is message `s`'s five words).
///
/// # Safety
/// The CPU must have SHA, SSE2, SSSE3 and SSE4.1, and each of `ptrs` must
/// be valid for reading `blocks * 64` bytes.
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub(super) unsafe fn compress(state: &mut [[u32; 5]; 2], ptrs: [*const u8; 2], blocks: usize) {
    // The round instructions want A in the highest 32-bit element and the
    // message words big-endian with W[t] highest: reverse the words of the
    // state and all 16 bytes of each message quarter.
    let reverse_bytes = _mm_set_epi64x(0x0001_0203_0405_0607, 0x0809_0a0b_0c0d_0e0f);
    let mut abcd: [__m128i; 2] = std::array::from_fn(|s| {
        // SAFETY: state[s][..4] is 16 readable bytes; unaligned load.
        let v = unsafe { _mm_loadu_si128(state[s].as_ptr().cast()) };
        _mm_shuffle_epi32::<0x1B>(v)
    });
    // E sits alone in the highest element; the others stay zero, which the
    // first group of rounds relies on when it adds E to W[0..4] whole.
    let mut e: [__m128i; 2] = std::array::from_fn(|s| _mm_set_epi32(state[s][4] as i32, 0, 0, 0));

    for block in 0..blocks {
        let (abcd_in, e_in) = (abcd, e);
        // w[s][g % 4]: words 4g..4g+4 of message s's schedule.
        // SAFETY: block < blocks and the caller guarantees blocks * 64
        // readable bytes from each of ptrs.
        let mut w = unsafe { load_pair(ptrs, block, reverse_bytes) };
        // ABCD as it was before the previous group of four rounds: its A,
        // rotated, is this group's E (sha1nexte).
        let mut prev = abcd;
        // One group of four rounds for both messages; `$g` is a literal in
        // each expansion, so the round function and schedule slots fold to
        // constants. Both messages' steps sit next to each other with no
        // dependency between them, which is the point of this kernel.
        macro_rules! group {
            ($g:expr) => {{
                const G: usize = $g;
                for s in 0..2 {
                    if G >= 4 {
                        // W[4g..4g+4] from the four groups before it.
                        let x = _mm_sha1msg1_epu32(w[s][G % 4], w[s][(G + 1) % 4]);
                        let x = _mm_xor_si128(x, w[s][(G + 2) % 4]);
                        w[s][G % 4] = _mm_sha1msg2_epu32(x, w[s][(G + 3) % 4]);
                    }
                    let ew = if G == 0 {
                        _mm_add_epi32(e[s], w[s][0])
                    } else {
                        _mm_sha1nexte_epu32(prev[s], w[s][G % 4])
                    };
                    prev[s] = abcd[s];
                    abcd[s] = _mm_sha1rnds4_epu32::<{ (G / 5) as i32 }>(abcd[s], ew);
                }
            }};
        }
        group!(0);
        group!(1);
        group!(2);
        group!(3);
        group!(4);
        group!(5);
        group!(6);
        group!(7);
        group!(8);
        group!(9);
        group!(10);
        group!(11);
        group!(12);
        group!(13);
        group!(14);
        group!(15);
        group!(16);
        group!(17);
        group!(18);
        group!(19);
        for s in 0..2 {
            // E after round 79 is A before round 76 rotated by 30.
            e[s] = _mm_sha1nexte_epu32(prev[s], e_in[s]);
            abcd[s] = _mm_add_epi32(abcd[s], abcd_in[s]);
        }
    }

    for s in 0..2 {
        let v = _mm_shuffle_epi32::<0x1B>(abcd[s]);
        // SAFETY: state[s][..4] is 16 writable bytes; unaligned store.
        unsafe { _mm_storeu_si128(state[s].as_mut_ptr().cast(), v) };
        state[s][4] = _mm_extract_epi32::<3>(e[s]) as u32;
    }
}

/// Block `block` of each of two messages as four 16-byte vectors, each
/// shuffled by `mask`: the SHA-1 and SHA-256 instructions want the message
/// bytes in different orders.
///
/// # Safety
/// The CPU must have SSE2 and SSSE3, and each of `ptrs` must be valid for
/// reading `(block + 1) * 64` bytes.
#[inline]
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
pub(super) unsafe fn load_pair(
    ptrs: [*const u8; 2],
    block: usize,
    mask: __m128i,
) -> [[__m128i; 4]; 2] {
    std::array::from_fn(|s| {
        std::array::from_fn(|q| {
            // SAFETY: forwarded from this function's contract.
            let v = unsafe { _mm_loadu_si128(ptrs[s].add(block * 64 + q * 16).cast()) };
            _mm_shuffle_epi8(v, mask)
        })
    })
}
