#!/usr/bin/env bash
# bench-inspect-safetensors.sh: how long weightcheck takes to inspect a
# full-size sharded safetensors release: Mixtral 8x7B's layout as the hub
# ships it (19 shards of up to 5 GB, model.safetensors.index.json), written
# by scripts/st_fixture.py as sparse files: real headers, holes for data
# (~93 GB apparent, a few hundred KB on disk). Inspection reads headers
# only, so the holes are never touched.
#
# Measures, with a warm page cache:
#   1. the library call (formats::inspect_located on the index: index
#      parse, 19 header parses and validations, the index/shard cross-check),
#      timed in-process by tests/safetensors_torch.rs::bench_inspect_set;
#   2. the CLI (`weightcheck inspect --json INDEX`) under hyperfine, when the
#      CLI accepts an index and hyperfine is installed (apt: hyperfine).
#
# Environment: WEIGHTCHECK_BENCH_DIR (where the set goes; default a temp dir,
# removed afterwards), WEIGHTCHECK_BENCH_RUNS (default 30).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
py="$(bash scripts/setup-python.sh | tail -n 1)"

if [ -n "${WEIGHTCHECK_BENCH_DIR:-}" ]; then
  base="$WEIGHTCHECK_BENCH_DIR"
else
  base="$(mktemp -d)"
  trap 'rm -rf "$base"' EXIT
fi
set_dir="$base/mixtral-8x7b-sparse"
index="$set_dir/model.safetensors.index.json"
if [ ! -f "$index" ]; then
  "$py" scripts/st_fixture.py sparse-mixtral "$set_dir"
fi
echo "set: $set_dir: $(ls "$set_dir"/*.safetensors | wc -l) shards," \
  "$(du -sh --apparent-size "$set_dir" | cut -f1) apparent, $(du -sh "$set_dir" | cut -f1) on disk"

runs="${WEIGHTCHECK_BENCH_RUNS:-30}"
echo "== library: formats::inspect_located (release build)"
WEIGHTCHECK_BENCH_SET="$set_dir" WEIGHTCHECK_BENCH_RUNS="$runs" \
  cargo test --release --quiet --test safetensors_torch -- --ignored --nocapture --exact bench_inspect_set 2>&1 \
  | grep -E '^inspect |test result' || true

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$repo/target}/release/weightcheck"
if "$bin" inspect --json "$index" >/dev/null 2>&1; then
  if command -v hyperfine >/dev/null 2>&1; then
    echo "== CLI: weightcheck inspect --json (hyperfine)"
    hyperfine --warmup 3 --runs "$runs" --style basic "$bin inspect --json $index"
  else
    echo "== CLI: weightcheck inspect --json ($runs runs, date +%s%N)"
    total=0
    for _ in $(seq "$runs"); do
      t0=$(date +%s%N)
      "$bin" inspect --json "$index" >/dev/null
      t1=$(date +%s%N)
      total=$((total + t1 - t0))
    done
    echo "mean $((total / runs / 1000)) us"
  fi
else
  echo "== CLI: skipped (this build's 'weightcheck inspect' does not take a shard index yet)"
fi
