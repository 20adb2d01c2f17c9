#!/usr/bin/env bash
# bench-multibuffer.sh [ISA_L_CRYPTO_CHECKOUT]
#
# The multi-buffer kernels (src/hash/multibuffer) against Intel's
# isa-l_crypto in one run: examples/hash_multibuffer.rs (one core, in
# memory, 32 independent 16 MiB buffers: the sha1/sha2 crates' single
# stream and each of our kernels), then ../shared/bench/isal-ceiling.sh on
# the same shape (OpenSSL single stream, isa-l_crypto's 2-way SHA-NI, AVX2
# and AVX-512 kernels), then our 16-lane figures as a share of isa-l_crypto's
# AVX-512 ones.
#
# The checkout comes from the argument or ISAL_SRC (a plain tree of
# github.com/intel/isa-l_crypto; isal-ceiling.sh builds it with nasm).
# Env knobs:
#   ROUNDS=5   rounds of our example (median and best printed; isa-l_crypto's
#              program prints the best of its 3)
#   MB=...     use this hash_multibuffer binary (no build)
#   ISAL_CEILING=...  the isal-ceiling.sh to run
#               (default ../shared/bench/isal-ceiling.sh beside the repository)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SRC=${1:-${ISAL_SRC:-}}
ROUNDS=${ROUNDS:-5}
ISAL_CEILING=${ISAL_CEILING:-$REPO/../shared/bench/isal-ceiling.sh}
if [ -z "${MB:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet --example hash_multibuffer)
  MB=${CARGO_TARGET_DIR:-$REPO/target}/release/examples/hash_multibuffer
fi
ours=$(mktemp); theirs=$(mktemp)
trap 'rm -f "$ours" "$theirs"' EXIT

echo "== weightcheck examples/hash_multibuffer ($ROUNDS rounds)"
"$MB" "$ROUNDS" | tee "$ours"
if [ -z "$SRC" ]; then
  echo "no isa-l_crypto checkout given (argument or ISAL_SRC): no reference, no ratios"
  exit 0
fi
echo "== isa-l_crypto $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '(not a git tree)') via $ISAL_CEILING"
bash "$ISAL_CEILING" "$SRC" 2>/dev/null | tee "$theirs"

echo "== ours / isa-l_crypto avx512 (our median and best; theirs best of 3)"
for algo in sha1 sha256; do
  ref=$(awk -v a="$algo" '$1 == a && $2 == "avx512" { print $3 }' "$theirs")
  line=$(awk -v a="$algo" '$1 == a && $2 == "avx512-x16" { print $3, $4 }' "$ours")
  if [ -z "$ref" ] || [ -z "$line" ]; then
    echo "$algo: missing figure (ours: '${line}', isa-l: '${ref}')"
    continue
  fi
  read -r med best <<<"$line"
  awk -v a="$algo" -v m="$med" -v b="$best" -v r="$ref" \
    'BEGIN { printf "%-7s x16 median %.2f / %.2f = %.0f%%   best %.2f / %.2f = %.0f%%\n", a, m, r, 100*m/r, b, r, 100*b/r }'
done
