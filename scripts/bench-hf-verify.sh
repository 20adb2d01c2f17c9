#!/usr/bin/env bash
# bench-hf-verify.sh [SIZE_GB=4]
#
# `weightcheck hf REPO` against huggingface_hub's own `hf cache verify REPO`,
# side by side in one run, on the same snapshot in a real Hugging Face cache:
# both list the repository from the Hub's tree API and hash every file of the
# snapshot (SHA-256 for LFS files, git blob SHA-1 for the others).
#
# The snapshot is built by the real huggingface_hub (snapshot_download, the
# version scripts/test.sh pins, in <repo>/.venv-hub) from a loopback Hub:
# examples/hub_server.rs, the same server code the hf tests use
# (tests/common/hub_server.rs), so there is one implementation of the Hub's
# API to keep faithful, and `hf cache verify` passing against it in
# tests/cli_hf.rs is what shows it is. The repository: SHARDS safetensors
# files (a small valid header, then AES-128-CTR keystream: incompressible,
# reproducible, not sparse) totalling SIZE_GB GB, served as LFS files, and
# small git files (config, tokenizer, README, .gitattributes).
#
# Warm page cache: the blobs are read once before every timed run. Every
# tool runs once per round (round-robin, so a drift in the VM's speed hits
# both alike); medians of RUNS rounds are reported, with GB/s and the ratio.
#
# Env knobs:
#   RUNS=3       rounds
#   SHARDS=3     LFS files the SIZE_GB are split into
#   DATA=/tmp/weightcheck-hf-bench   work directory, deleted at the end
#                unless KEEP=1
#   WC=..., HUBSRV=...  use these weightcheck / hub_server binaries (no build)
# Needs: openssl, python3 (for the venv), nothing from the internet but PyPI
# for the venv's first creation.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SIZE_GB=${1:-4}
RUNS=${RUNS:-3}
SHARDS=${SHARDS:-3}
DATA=${DATA:-/tmp/weightcheck-hf-bench}
KEEP=${KEEP:-0}
NAME=bench/model
HUB_PIN=huggingface_hub==2.4.0
export PATH="$HOME/.cargo/bin:$PATH"

# ---------- build ----------
if [ -z "${WC:-}" ]; then
  echo "# building weightcheck and examples/hub_server (release)"
  (cd "$REPO" && cargo build --release --quiet && cargo build --release --quiet --example hub_server) || {
    echo "build failed" >&2; exit 2; }
  TARGET=${CARGO_TARGET_DIR:-$REPO/target}
  WC=$TARGET/release/weightcheck
  HUBSRV=$TARGET/release/examples/hub_server
fi
HUBSRV=${HUBSRV:-$(dirname "$WC")/examples/hub_server}
PY=$(WEIGHTCHECK_VENV="$REPO/.venv-hub" WEIGHTCHECK_PINS="$HUB_PIN" "$HERE/setup-python.sh" | tail -1)
HF=$(dirname "$PY")/hf

# ---------- the repository's files ----------
SRC=$DATA/src
HUB=$DATA/hub
rm -rf "$DATA"
mkdir -p "$SRC"
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ "$KEEP" = 1 ] || rm -rf "$DATA"
}
trap cleanup EXIT

KEY=000102030405060708090a0b0c0d0e0f
TOTAL=$(awk -v g="$SIZE_GB" 'BEGIN{printf "%.0f", g*1e9}')
for i in $(seq 1 "$SHARDS"); do
  f=$(printf '%s/model-%05d-of-%05d.safetensors' "$SRC" "$i" "$SHARDS")
  # Sizes that are no round number: shard i has i*4097 bytes more.
  body=$(( TOTAL / SHARDS + i * 4097 ))
  # A safetensors header: one U8 tensor over the whole body.
  python3 - "$f" "$body" <<'EOF'
import json, struct, sys
path, n = sys.argv[1], int(sys.argv[2])
h = json.dumps({"weight": {"dtype": "U8", "shape": [n], "data_offsets": [0, n]}}).encode()
h += b" " * (-len(h) % 8)
open(path, "wb").write(struct.pack("<Q", len(h)) + h)
EOF
  openssl enc -aes-128-ctr -nosalt -K "$KEY" -iv "$(printf '%032x' "$i")" -in /dev/zero 2>/dev/null |
    head -c "$body" >> "$f" || true
done
printf '*.safetensors filter=lfs diff=lfs merge=lfs -text\n' > "$SRC/.gitattributes"
printf '{"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32}\n' > "$SRC/config.json"
printf '{"do_sample": true, "temperature": 0.6}\n' > "$SRC/generation_config.json"
openssl enc -aes-128-ctr -nosalt -K "$KEY" -iv "$(printf '%032x' 99)" -in /dev/zero 2>/dev/null |
  head -c 3000000 | base64 > "$SRC/tokenizer.json" || true
printf '# bench/model\n\nA benchmark repository.\n' > "$SRC/README.md"
BYTES=$(find "$SRC" -type f -printf '%s\n' | awk '{s+=$1} END{printf "%.0f", s}')
NFILES=$(find "$SRC" -type f | wc -l)

# ---------- the loopback Hub, and the cache huggingface_hub builds ----------
"$HUBSRV" "$NAME" "$SRC" 3600 > "$DATA/server.out" 2> "$DATA/server.err" &
SERVER_PID=$!
URL=
for _ in $(seq 1 600); do  # up to 5 min: the server hashes the shards first
  URL=$(head -1 "$DATA/server.out" 2>/dev/null || true)
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA/server.err" >&2; exit 2; }
  sleep 0.5
done
[ -n "$URL" ] || { echo "hub_server did not start" >&2; exit 2; }
# huggingface_hub talks to the loopback Hub only: no token, proxy, Xet or
# telemetry (scripts/hf_snapshot.py sets the rest).
hfenv() {
  env -u HF_TOKEN -u HF_HUB_CACHE -u HF_HUB_OFFLINE -u HTTP_PROXY -u HTTPS_PROXY -u ALL_PROXY \
    -u http_proxy -u https_proxy -u all_proxy \
    HF_ENDPOINT="$URL" HF_HOME="$DATA/hf-home" NO_PROXY=127.0.0.1 HF_HUB_DISABLE_XET=1 \
    HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_PROGRESS_BARS=1 HF_HUB_DISABLE_IMPLICIT_TOKEN=1 NO_COLOR=1 "$@"
}
start=$(date +%s.%N)
SNAP=$(hfenv "$PY" "$HERE/hf_snapshot.py" "$NAME" "$HUB" | tail -1)
dl=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
rm -rf "$SRC"  # served from memory digests from now on; halves the disk used
BLOBS=("$HUB"/models--bench--model/blobs/*)

NCPU=$(nproc)
echo "# repository $NAME: $NFILES files, $BYTES bytes ($(awk -v b="$BYTES" 'BEGIN{printf "%.2f", b/1e9}') GB; $SHARDS LFS shards); runs=$RUNS, warm page cache"
echo "# host: $NCPU cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "# huggingface_hub $("$PY" -c 'import huggingface_hub as h; print(h.__version__)') snapshot_download from $URL: ${dl} s into $SNAP"

# ---------- timed runs ----------
cmd() {
  case $1 in
    weightcheck) "$WC" hf "$NAME" --cache-dir "$HUB" --endpoint "$URL" \
                   --token-env WEIGHTCHECK_BENCH_NO_TOKEN > "$DATA/wc.out" 2>&1;;
    hf-cache-verify) hfenv "$HF" cache verify "$NAME" --cache-dir "$HUB" --format human > "$DATA/hf.out" 2>&1;;
  esac
}
median() { sort -g | awk '{a[NR]=$1} END{if(NR%2)print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
TOOLS=(weightcheck hf-cache-verify)
declare -A WALLS CPUS OKS
for r in $(seq 1 "$RUNS"); do
  for t in "${TOOLS[@]}"; do
    cat "${BLOBS[@]}" > /dev/null
    TIMEFORMAT='%R %U %S'
    rc=0
    { time cmd "$t"; } 2> "$DATA/time" || rc=$?
    read -r w u s < <(tail -1 "$DATA/time")
    WALLS[$t]+="$w "; CPUS[$t]+="$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}') "
    [ $rc = 0 ] && OKS[$t]=$(( ${OKS[$t]:-0} + 1 ))
  done
  echo "#   round $r done (load $(cut -d' ' -f1-3 /proc/loadavg))"
done
grep -h '^result' "$DATA/wc.out" | sed 's/^/# last weightcheck run: /'
grep -h 'Verified' "$DATA/hf.out" | sed 's/^/# last hf cache verify run: /'
echo
printf 'tool\twall_s(med)\twalls\tGB/s\tcpu_s(med)\tok\n' > "$DATA/results.tsv"
declare -A MED
for t in "${TOOLS[@]}"; do
  read -ra walls <<< "${WALLS[$t]}"; read -ra cpus <<< "${CPUS[$t]}"
  MED[$t]=$(printf '%s\n' "${walls[@]}" | median)
  cmed=$(printf '%s\n' "${cpus[@]}" | median)
  gbs=$(awk -v b="$BYTES" -v w="${MED[$t]}" 'BEGIN{printf "%.2f", (w>0)?b/w/1e9:0}')
  printf '%s\t%s\t%s\t%s\t%s\t%d/%d\n' "$t" "${MED[$t]}" "$(IFS=,; echo "${walls[*]}")" "$gbs" "$cmed" "${OKS[$t]:-0}" "$RUNS" >> "$DATA/results.tsv"
done
column -t -s $'\t' "$DATA/results.tsv"
awk -v a="${MED[hf-cache-verify]}" -v b="${MED[weightcheck]}" \
  'BEGIN{printf "ratio: hf cache verify median / weightcheck hf median = %.2fx\n", a/b}'
for t in "${TOOLS[@]}"; do
  [ "${OKS[$t]:-0}" = "$RUNS" ] || { echo "$t did not verify in every run (see $DATA)" >&2; KEEP=1; exit 1; }
done
