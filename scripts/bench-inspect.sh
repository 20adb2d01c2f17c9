#!/usr/bin/env bash
# Inspect and structural verify of the full-size Grok-1 layout (770 sparse
# files, 318,239,886,140 bytes apparent, real pickle headers and trailers):
# wall time and peak RSS, release build, warm page cache.
#
#   scripts/bench-inspect.sh [WORKDIR] [RUNS]
#
# The layout is written by `weightcheck synth` (byte-identical to CPython's
# pickle; tests/full_scale.rs checks that against the Python writer).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-${TMPDIR:-/tmp}/weightcheck-bench-inspect}
runs=${2:-10}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/weightcheck
if [ ! -f "$work/ckpt-0/tensor00769_000" ]; then
  "$bin" synth "$work" --release grok-1 >/dev/null
fi
echo "layout: $(find "$work/ckpt-0" -type f | wc -l) files, $(find "$work/ckpt-0" -type f -printf "%s\n" | awk "{s+=\$1} END {print s}") bytes apparent, $(du -sh "$work/ckpt-0" | cut -f1) on disk"

measure() { # label, command...
  local label=$1; shift
  "$@" >/dev/null 2>&1 || true   # warm the page cache
  local best=999999 worst=0 rss=0 sum=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$work/.time" -f '%e %M' "$@" >/dev/null 2>&1 || true
    local out; out=$(tail -1 "$work/.time")
    local s=${out% *} k=${out#* }
    ms=$(awk -v s="$s" 'BEGIN{printf "%d", s*1000}')
    [ "$ms" -lt "$best" ] && best=$ms
    [ "$ms" -gt "$worst" ] && worst=$ms
    [ "$k" -gt "$rss" ] && rss=$k
    sum=$((sum + ms))
  done
  printf '%-48s wall ms: best %4d  mean %4d  worst %4d   peak RSS %5.1f MB\n' \
    "$label" "$best" $((sum / runs)) "$worst" "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
}

measure "weightcheck inspect (770 shards)" "$bin" inspect "$work/ckpt-0"
measure "weightcheck inspect --json" "$bin" inspect --json "$work/ckpt-0"
measure "weightcheck verify --release grok-1 --no-hash" "$bin" verify "$work" --release grok-1 --no-hash
"$bin" inspect "$work/ckpt-0" | tail -4
