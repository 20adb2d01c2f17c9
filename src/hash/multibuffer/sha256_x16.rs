//! SHA-256 over 16 independent messages at once: one 32-bit word of each
//! lane per element of a 512-bit vector, so one AVX-512 instruction does
//! the same step of 16 compressions.
// The AVX-512 intrinsics are stable since Rust 1.89, past the crate's
// rust-version: this module is compiled only by a 1.89 or newer compiler
// (`cfg(weightcheck_avx512)`, set by build.rs).
#![allow(clippy::incompatible_msrv)]

use std::arch::x86_64::{
    __m512i, _mm512_add_epi32, _mm512_loadu_si512, _mm512_ror_epi32, _mm512_set1_epi32,
    _mm512_srli_epi32, _mm512_storeu_si512, _mm512_ternarylogic_epi32,
};

use super::transpose::load_block;

/// FIPS 180-4 round constants (the 2-way kernel's too).
pub(super) const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

// Truth tables for _mm512_ternarylogic_epi32(a, b, c): bit (a<<2 | b<<1 | c).
const XOR3: i32 = 0x96;
const CH: i32 = 0xCA;
const MAJ: i32 = 0xE8;

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn add(a: __m512i, b: __m512i) -> __m512i {
    _mm512_add_epi32(a, b)
}

/// σ0 of the message schedule.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn ssig0(x: __m512i) -> __m512i {
    _mm512_ternarylogic_epi32::<XOR3>(
        _mm512_ror_epi32::<7>(x),
        _mm512_ror_epi32::<18>(x),
        _mm512_srli_epi32::<3>(x),
    )
}

/// σ1 of the message schedule.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn ssig1(x: __m512i) -> __m512i {
    _mm512_ternarylogic_epi32::<XOR3>(
        _mm512_ror_epi32::<17>(x),
        _mm512_ror_epi32::<19>(x),
        _mm512_srli_epi32::<10>(x),
    )
}

/// Compresses `blocks` consecutive 64-byte blocks of each of 16 lanes.
///
/// `state[w][lane]` is word `w` of lane `lane`'s chaining value. Lanes with
/// nothing to hash may point at another lane's data: their state is then
/// garbage, which the caller discards.
///
/// # Safety
/// The CPU must have AVX-512 F, BW and VL, and every `ptrs[i]` must be valid
/// for reading `blocks * 64` bytes.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
pub(super) unsafe fn compress(state: &mut [[u32; 16]; 8], ptrs: &[*const u8; 16], blocks: usize) {
    // SAFETY: each state row is 16 u32 = 64 bytes; unaligned loads.
    let mut h: [__m512i; 8] =
        std::array::from_fn(|i| unsafe { _mm512_loadu_si512(state[i].as_ptr().cast()) });
    for block in 0..blocks {
        // SAFETY: block < blocks, and the caller guarantees blocks * 64 bytes per lane.
        let mut w = unsafe { load_block(ptrs, block) };
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        // One round; `t` is a literal in each expansion, so the schedule
        // indices and the branch fold away and the 16 message words stay
        // in registers.
        macro_rules! round {
            ($t:expr) => {{
                const T: usize = $t;
                let kw = add(w[T & 15], _mm512_set1_epi32(K[T] as i32));
                // W[t+16] replaces W[t] as soon as round t has it: work
                // off the rounds' dependency chain, interleaved with it.
                if T < 48 {
                    w[T & 15] = add(
                        add(ssig1(w[(T + 14) & 15]), w[(T + 9) & 15]),
                        add(ssig0(w[(T + 1) & 15]), w[T & 15]),
                    );
                }
                let s1 = _mm512_ternarylogic_epi32::<XOR3>(
                    _mm512_ror_epi32::<6>(e),
                    _mm512_ror_epi32::<11>(e),
                    _mm512_ror_epi32::<25>(e),
                );
                let ch = _mm512_ternarylogic_epi32::<CH>(e, f, g);
                let t1 = add(add(hh, s1), add(ch, kw));
                let s0 = _mm512_ternarylogic_epi32::<XOR3>(
                    _mm512_ror_epi32::<2>(a),
                    _mm512_ror_epi32::<13>(a),
                    _mm512_ror_epi32::<22>(a),
                );
                let maj = _mm512_ternarylogic_epi32::<MAJ>(a, b, c);
                hh = g;
                g = f;
                f = e;
                e = add(d, t1);
                d = c;
                c = b;
                b = a;
                a = add(t1, add(s0, maj));
            }};
        }
        unroll16!(round, 0);
        unroll16!(round, 16);
        unroll16!(round, 32);
        unroll16!(round, 48);
        for (s, x) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *s = add(*s, x);
        }
    }
    for (row, v) in state.iter_mut().zip(h) {
        // SAFETY: each state row is 64 writable bytes; unaligned store.
        unsafe { _mm512_storeu_si512(row.as_mut_ptr().cast(), v) };
    }
}
