//! SHA-1 over 16 independent messages at once (torrent v1 pieces, git
//! blobs): one 32-bit word of each lane per element of a 512-bit vector.
// The AVX-512 intrinsics are stable since Rust 1.89, past the crate's
// rust-version: this module is compiled only by a 1.89 or newer compiler
// (`cfg(weightcheck_avx512)`, set by build.rs).
#![allow(clippy::incompatible_msrv)]

use std::arch::x86_64::{
    __m512i, _mm512_add_epi32, _mm512_loadu_si512, _mm512_rol_epi32, _mm512_set1_epi32,
    _mm512_storeu_si512, _mm512_ternarylogic_epi32, _mm512_xor_si512,
};

use super::transpose::load_block;

const K: [u32; 4] = [0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6];

// Truth tables for _mm512_ternarylogic_epi32(a, b, c): bit (a<<2 | b<<1 | c).
const PARITY: i32 = 0x96;
const CH: i32 = 0xCA;
const MAJ: i32 = 0xE8;

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn add(a: __m512i, b: __m512i) -> __m512i {
    _mm512_add_epi32(a, b)
}

/// Compresses `blocks` consecutive 64-byte blocks of each of 16 lanes.
///
/// `state[w][lane]` is word `w` of lane `lane`'s chaining value (rows 5..8
/// are unused). Lanes with nothing to hash may point at another lane's
/// data: their state is then garbage, which the caller discards.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VL, and every `ptrs[i]` must be valid
/// for reading `blocks * 64` bytes.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
pub(super) unsafe fn compress(state: &mut [[u32; 16]; 8], ptrs: &[*const u8; 16], blocks: usize) {
    // SAFETY: each state row is 16 u32 = 64 bytes; unaligned loads.
    let mut h: [__m512i; 5] =
        std::array::from_fn(|i| unsafe { _mm512_loadu_si512(state[i].as_ptr().cast()) });
    let k = K.map(|k| _mm512_set1_epi32(k as i32));
    for block in 0..blocks {
        // SAFETY: block < blocks, and the caller guarantees blocks * 64 bytes per lane.
        let mut w = unsafe { load_block(ptrs, block) };
        let [mut a, mut b, mut c, mut d, mut e] = h;
        // One round; `t` is a literal in each expansion, so the schedule
        // indices and the choice of function fold away and the 16 message
        // words stay in registers.
        macro_rules! round {
            ($t:expr) => {{
                const T: usize = $t;
                let kw = add(w[T & 15], k[T / 20]);
                // W[t+16] replaces W[t] as soon as round t has it: work
                // off the rounds' dependency chain, interleaved with it.
                if T < 64 {
                    let x = _mm512_ternarylogic_epi32::<PARITY>(
                        w[(T + 13) & 15],
                        w[(T + 8) & 15],
                        w[(T + 2) & 15],
                    );
                    w[T & 15] = _mm512_rol_epi32::<1>(_mm512_xor_si512(x, w[T & 15]));
                }
                let f = if T < 20 {
                    _mm512_ternarylogic_epi32::<CH>(b, c, d)
                } else if T < 40 || T >= 60 {
                    _mm512_ternarylogic_epi32::<PARITY>(b, c, d)
                } else {
                    _mm512_ternarylogic_epi32::<MAJ>(b, c, d)
                };
                let t = add(add(_mm512_rol_epi32::<5>(a), f), add(e, kw));
                e = d;
                d = c;
                c = _mm512_rol_epi32::<30>(b);
                b = a;
                a = t;
            }};
        }
        unroll16!(round, 0);
        unroll16!(round, 16);
        unroll16!(round, 32);
        unroll16!(round, 48);
        unroll16!(round, 64);
        for (s, x) in h.iter_mut().zip([a, b, c, d, e]) {
            *s = add(*s, x);
        }
    }
    for (row, v) in state.iter_mut().zip(h) {
        // SAFETY: each state row is 64 writable bytes; unaligned store.
        unsafe { _mm512_storeu_si512(row.as_mut_ptr().cast(), v) };
    }
}
