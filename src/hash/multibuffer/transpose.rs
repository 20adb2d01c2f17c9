//! Loading one 64-byte block from each of 16 lanes as 16 vectors of
//! big-endian words, word `i` of every lane in vector `i`.
//!
//! Gathers would do this in one instruction per word but cost far more than
//! 16 full-width loads and a shuffle network: 64 shuffles move a 16x16
//! matrix of 32-bit words, against 16 gathers of 16 elements each.
// The AVX-512 intrinsics are stable since Rust 1.89, past the crate's
// rust-version: this module is compiled only by a 1.89 or newer compiler
// (`cfg(weightcheck_avx512)`, set by build.rs).
#![allow(clippy::incompatible_msrv)]

use std::arch::x86_64::{
    __m512i, _mm512_loadu_si512, _mm512_set_epi8, _mm512_shuffle_epi8, _mm512_shuffle_i32x4,
    _mm512_unpackhi_epi32, _mm512_unpackhi_epi64, _mm512_unpacklo_epi32, _mm512_unpacklo_epi64,
    _mm_prefetch, _MM_HINT_T0,
};

/// How far ahead of each lane's block to ask for its bytes: sixteen
/// streams at once are more than the hardware prefetchers follow well. On
/// an Intel Xeon, 4 blocks ahead against none (examples/hash_multibuffer.rs,
/// 5 interleaved runs, medians) went from 4.02 to 4.23 GB/s per core for
/// SHA-1 and from 2.29 to 2.49 for SHA-256; 8 and 16 blocks ahead measured
/// below 4 in runs one after the other.
const PREFETCH: usize = 256;

/// Reverses the bytes of every 32-bit word: SHA words are big-endian.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn bswap_mask() -> __m512i {
    _mm512_set_epi8(
        60, 61, 62, 63, 56, 57, 58, 59, 52, 53, 54, 55, 48, 49, 50, 51, 44, 45, 46, 47, 40, 41, 42,
        43, 36, 37, 38, 39, 32, 33, 34, 35, 28, 29, 30, 31, 24, 25, 26, 27, 20, 21, 22, 23, 16, 17,
        18, 19, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
    )
}

/// Transposes 16 rows of 16 words: `out[c][r] == rows[r][c]`.
///
/// Four stages, each halving the distance between the words that must meet:
/// 32-bit interleaves, 64-bit interleaves, then two rounds of 128-bit lane
/// shuffles (0x88 takes the even 128-bit lanes of both inputs, 0xDD the odd).
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
pub(super) fn transpose16(rows: &[__m512i; 16]) -> [__m512i; 16] {
    let mut s = *rows;
    // s[2k], s[2k+1] <- 32-bit interleaves of rows 2k, 2k+1.
    for k in 0..8 {
        let (a, b) = (rows[2 * k], rows[2 * k + 1]);
        s[2 * k] = _mm512_unpacklo_epi32(a, b);
        s[2 * k + 1] = _mm512_unpackhi_epi32(a, b);
    }
    // For row group g (rows 4g..4g+3), u[4g + c] holds, in 128-bit lane L,
    // the four rows' word 4L + c.
    let mut u = s;
    for g in 0..4 {
        let (lo0, hi0, lo1, hi1) = (s[4 * g], s[4 * g + 1], s[4 * g + 2], s[4 * g + 3]);
        u[4 * g] = _mm512_unpacklo_epi64(lo0, lo1);
        u[4 * g + 1] = _mm512_unpackhi_epi64(lo0, lo1);
        u[4 * g + 2] = _mm512_unpacklo_epi64(hi0, hi1);
        u[4 * g + 3] = _mm512_unpackhi_epi64(hi0, hi1);
    }
    let mut out = u;
    for c in 0..4 {
        let (g0, g1, g2, g3) = (u[c], u[4 + c], u[8 + c], u[12 + c]);
        let v0 = _mm512_shuffle_i32x4::<0x88>(g0, g1);
        let w0 = _mm512_shuffle_i32x4::<0xDD>(g0, g1);
        let v1 = _mm512_shuffle_i32x4::<0x88>(g2, g3);
        let w1 = _mm512_shuffle_i32x4::<0xDD>(g2, g3);
        out[c] = _mm512_shuffle_i32x4::<0x88>(v0, v1);
        out[8 + c] = _mm512_shuffle_i32x4::<0xDD>(v0, v1);
        out[4 + c] = _mm512_shuffle_i32x4::<0x88>(w0, w1);
        out[12 + c] = _mm512_shuffle_i32x4::<0xDD>(w0, w1);
    }
    out
}

/// The message words of block `block` of every lane, byte-swapped.
///
/// # Safety
/// Every `ptrs[i]` must be valid for reading `(block + 1) * 64` bytes.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
pub(super) unsafe fn load_block(ptrs: &[*const u8; 16], block: usize) -> [__m512i; 16] {
    let mask = bswap_mask();
    let mut rows = [mask; 16];
    for (row, &p) in rows.iter_mut().zip(ptrs) {
        // A hint, never a fault, even past the end of the lane's bytes
        // (so the address is only computed, with wrapping_add).
        _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(block * 64 + PREFETCH).cast());
        // SAFETY: the caller guarantees 64 readable bytes at this offset;
        // the load is unaligned.
        let r = unsafe { _mm512_loadu_si512(p.add(block * 64).cast()) };
        *row = _mm512_shuffle_epi8(r, mask);
    }
    transpose16(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_moves_every_word() {
        if !super::super::Kernel::Avx512x16.available() {
            eprintln!("transpose16 not run: this CPU lacks AVX-512 F/BW/VL");
            return;
        }
        let mut m = [[0u32; 16]; 16];
        for (r, row) in m.iter_mut().enumerate() {
            for (c, x) in row.iter_mut().enumerate() {
                *x = (r * 100 + c) as u32;
            }
        }
        // SAFETY: AVX-512 F/BW/VL were detected above; each row is 64 bytes.
        let out: [[u32; 16]; 16] = unsafe {
            let rows: [__m512i; 16] =
                std::array::from_fn(|r| _mm512_loadu_si512(m[r].as_ptr().cast()));
            std::mem::transmute(transpose16(&rows))
        };
        for (c, col) in out.iter().enumerate() {
            for (r, &x) in col.iter().enumerate() {
                assert_eq!(x, (r * 100 + c) as u32, "out[{c}][{r}]");
            }
        }
    }
}
