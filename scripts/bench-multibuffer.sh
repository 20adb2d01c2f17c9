#!/usr/bin/env bash
# bench-multibuffer.sh [ISA_L_CRYPTO_CHECKOUT]
#
# The multi-buffer kernels (src/hash/multibuffer) against Intel's
# isa-l_crypto in one run, one core, in memory, 32 independent 16 MiB
# buffers: examples/hash_multibuffer.rs (the sha1/sha2 crates' single
# stream and each of our kernels: 16-lane AVX-512, 2-way interleaved
# SHA-NI, one lane at a time) and ../shared/bench/isal_mb_ceiling.c
# (OpenSSL single stream, isa-l_crypto's 2-way SHA-NI, AVX2 and AVX-512
# kernels), built as ../shared/bench/isal-ceiling.sh builds it. The two
# programs take turns, ROUNDS times each, so load from anything else on the
# machine hits both alike. Each turn reports the best of 3 rounds (ours
# also their median and GB per CPU-second); each figure below is the median
# over the turns of that best, the same statistic for both programs. Last,
# our 16-lane figures as a share of isa-l_crypto's AVX-512 ones.
#
# The checkout comes from the argument or ISAL_SRC (a plain tree of
# github.com/intel/isa-l_crypto; needs nasm, gcc and libssl-dev).
# Env knobs:
#   ROUNDS=3   turns of each program
#   MB=...     use this hash_multibuffer binary (no build)
#   BENCH=...  the directory holding isal_mb_ceiling.c
#              (default ../shared/bench beside the repository)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SRC=${1:-${ISAL_SRC:-}}
ROUNDS=${ROUNDS:-3}
BENCH=${BENCH:-$REPO/../shared/bench}
if [ -z "${MB:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet --example hash_multibuffer)
  MB=${CARGO_TARGET_DIR:-$REPO/target}/release/examples/hash_multibuffer
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "$SRC" ]; then
  echo "== building isa-l_crypto from $SRC (as isal-ceiling.sh does)"
  cp -r "$SRC" "$work/isal"
  make -C "$work/isal" -f Makefile.unx -j"$(nproc)" lib > /dev/null 2>&1
  gcc -O2 -I"$work/isal/include" -I"$work/isal/include/isa-l_crypto" -o "$work/isal_mb" \
    "$BENCH/isal_mb_ceiling.c" "$work/isal/bin/isa-l_crypto.a" -lcrypto
else
  echo "no isa-l_crypto checkout given (argument or ISAL_SRC): our figures only"
fi
for r in $(seq "$ROUNDS"); do
  echo "== turn $r: weightcheck examples/hash_multibuffer (load $(cut -d' ' -f1-3 /proc/loadavg))"
  "$MB" 3 | tee -a "$work/ours"
  if [ -n "$SRC" ]; then
    echo "== turn $r: isa-l_crypto (load $(cut -d' ' -f1-3 /proc/loadavg))"
    "$work/isal_mb" | tee -a "$work/theirs"
  fi
done
median() { sort -g | awk '{a[NR]=$1} END{if(NR%2)print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
echo "== medians over $ROUNDS turns (GB/s/core)"
for algo in sha1 sha256; do
  for impl in crate-single avx512-x16 shani-x2 single; do
    m=$(awk -v a="$algo" -v i="$impl" '$1 == a && $2 == i { print $4 }' "$work/ours" | median)
    [ -n "$m" ] && printf '%-7s weightcheck %-13s %s\n' "$algo" "$impl" "$m"
  done
  if [ -n "$SRC" ]; then
    for impl in openssl sse_ni avx2 avx512 avx512_ni; do
      m=$(awk -v a="$algo" -v i="$impl" '$1 == a && $2 == i { print $3 }' "$work/theirs" | median)
      [ -n "$m" ] && printf '%-7s isa-l       %-13s %s\n' "$algo" "$impl" "$m"
    done
  fi
done
[ -n "$SRC" ] || exit 0
echo "== ours / isa-l_crypto avx512"
for algo in sha1 sha256; do
  ours=$(awk -v a="$algo" '$1 == a && $2 == "avx512-x16" { print $4 }' "$work/ours" | median)
  ref=$(awk -v a="$algo" '$1 == a && $2 == "avx512" { print $3 }' "$work/theirs" | median)
  awk -v a="$algo" -v m="$ours" -v r="$ref" \
    'BEGIN { printf "%-7s x16 %.2f / %.2f = %.0f%%\n", a, m, r, 100*m/r }'
done
