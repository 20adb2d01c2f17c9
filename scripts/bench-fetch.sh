#!/usr/bin/env bash
# bench-fetch.sh: loopback BitTorrent throughput, `weightcheck fetch` against
# aria2c, both downloading the same 2 GiB fixture from the same seeder
# (`weightcheck seed`, i.e. librqbit) on 127.0.0.1. DHT, local discovery and
# UPnP are off; aria2c learns the seeder's address from a one-peer HTTP
# tracker on 127.0.0.1 (it has no other way to be given a peer).
#
#   scripts/bench-fetch.sh            # 2 GiB in 8 files, 4 MiB pieces, 3 rounds
#   SIZE_MIB=512 FILES=4 ROUNDS=1 scripts/bench-fetch.sh
#
# Prints wall-clock seconds and MiB/s for: weightcheck fetch --no-verify (the
# transfer alone), weightcheck fetch (transfer + re-reading every byte to
# verify it), and aria2c (which checks each piece's SHA-1 as it arrives),
# each round, then each tool's best round (the machine may be shared).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-2048}
FILES=${FILES:-8}
PIECE_POW=${PIECE_POW:-22}
ROUNDS=${ROUNDS:-3}
bash scripts/install-test-deps.sh
cargo build --release --quiet
WC=$PWD/target/release/weightcheck
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-fetch.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

per=$((SIZE_MIB / FILES))
mkdir -p "$WORK/payload"
echo "fixture: $FILES files x $per MiB of random bytes, pieces of $((1 << (PIECE_POW - 10))) KiB" >&2
for i in $(seq -w 1 "$FILES"); do
  head -c "$((per << 20))" /dev/urandom > "$WORK/payload/shard-$i.bin"
done

# A one-peer tracker for aria2c; the peer is filled in once the seed listens.
cat > "$WORK/tracker.py" <<'EOF'
import http.server, socket, struct, sys
peer = open(sys.argv[2]).read().split(":")
body = (b"d8:intervali60e5:peers6:" + socket.inet_aton(peer[0]) + struct.pack(">H", int(peer[1])) + b"e")
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tport=$(free_port)
mktorrent -l "$PIECE_POW" -a "http://127.0.0.1:$tport/announce" -o "$WORK/bench.torrent" "$WORK/payload" >/dev/null

"$WC" seed "$WORK/payload" --torrent "$WORK/bench.torrent" --bind 127.0.0.1 --port 0 \
  --no-dht --no-trackers > "$WORK/seed.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do grep -qs "seeding on" "$WORK/seed.log" && break; sleep 0.2; done
addr=$(grep -o "seeding on [0-9.]*:[0-9]*" "$WORK/seed.log" | awk '{print $3}')
[ -n "$addr" ] || { cat "$WORK/seed.log" >&2; exit 1; }
echo "$addr" > "$WORK/peer"
python3 "$WORK/tracker.py" "$tport" "$WORK/peer" &
pids+=($!)
echo "seeder: weightcheck seed on $addr" >&2

now() { date +%s.%N; }
: > "$WORK/times"
timed() { # label command...
  local label=$1; shift
  local t0 t1
  t0=$(now); "$@"; t1=$(now)
  python3 -c "import sys; t=float(sys.argv[3])-float(sys.argv[2]); print(f'{sys.argv[1]:<34} {t:7.2f} s  {int(sys.argv[4])/t:8.1f} MiB/s')" \
    "$label" "$t0" "$t1" "$SIZE_MIB" | tee -a "$WORK/times"
}
common=(--torrent "$WORK/bench.torrent" --peer "$addr" --bind 127.0.0.1 --port 0 --no-dht --no-trackers --timeout 600)
wc_raw() { "$WC" fetch "${common[@]}" --dest "$WORK/wc1" --no-verify > "$WORK/wc1.log"; }
wc_verified() {
  "$WC" fetch "${common[@]}" --dest "$WORK/wc2" --quiet > "$WORK/wc2.log"
  grep -q "result: VERIFIED" "$WORK/wc2.log" || { cat "$WORK/wc2.log" >&2; exit 1; }
}
aria() {
  timeout 600 aria2c --seed-time=0 --enable-dht=false --enable-dht6=false --bt-enable-lpd=false \
    --enable-peer-exchange=false --disable-ipv6=true --interface=127.0.0.1 --file-allocation=none \
    --summary-interval=0 --console-log-level=warn --listen-port="$(free_port)" \
    -d "$WORK/aria" "$WORK/bench.torrent" > "$WORK/aria.log" 2>&1
}
ARIA="aria2c $(aria2c --version | head -1 | awk '{print $3}')"

echo
echo "$SIZE_MIB MiB over 127.0.0.1, $(nproc) cores, $ROUNDS round(s)"
for r in $(seq "$ROUNDS"); do
  rm -rf "$WORK/wc1" "$WORK/wc2" "$WORK/aria"
  timed "weightcheck fetch --no-verify" wc_raw
  timed "weightcheck fetch (verified)" wc_verified
  timed "$ARIA" aria
done
echo
echo "best of $ROUNDS:"
sort -t$'\t' -k1,1 "$WORK/times" | python3 -c '
import sys
best = {}
for line in sys.stdin:
    name, rest = line[:34].rstrip(), line[34:].split()
    t = float(rest[0])
    if name not in best or t < best[name][0]:
        best[name] = (t, line.rstrip())
for name in sorted(best):
    print(best[name][1])
'
