#!/usr/bin/env bash
# bench-hostile.sh: peak memory and time of the release binary on the large
# and hostile inputs of "hostile and huge inputs, round two", generated
# here. Prints one line per input: what, exit code, seconds, peak RSS (MB).
#   scripts/bench-hostile.sh [WORKDIR]      (default: a temporary directory)
# Needs GNU time (/usr/bin/time, Debian package `time`) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/weightcheck"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cd "$work"

python3 - <<'EOF'
import json, struct

def torrent(name, files, root_extra=b""):
    def bstr(b):
        return str(len(b)).encode() + b":" + b
    entries = b"".join(
        b"d6:lengthi%de4:pathl%see" % (n, b"".join(bstr(c) for c in comps)) for n, comps in files
    )
    pieces = max(1, (sum(n for n, _ in files) + 16383) // 16384)
    info = (b"d5:filesl" + entries + b"e4:name" + bstr(name) + b"12:piece lengthi16384e6:pieces"
            + bstr(b"x" * 20 * pieces) + b"e")
    return b"d" + root_extra + b"4:info" + info + b"e"

# 5: one path of 10,000 components; 80,000 tracker URLs.
open("deep.torrent", "wb").write(torrent(b"t", [(1, [b"a"] * 10000)]))
tiers = b"".join(b"l15:http://t%05d/ae" % i for i in range(80000))
open("trackers.torrent", "wb").write(torrent(b"t", [(1, [b"f"])], b"13:announce-listl" + tiers + b"e"))
# 4: a torrent with 130,487 files; one with 5,000,000 pieces (80 GB in one file: shown,
# and hashed against an empty directory, where every piece is unreadable).
files = [(1000, [b"d%03d" % (i // 1000), b"f%06d.bin" % i]) for i in range(130487)]
open("many-files.torrent", "wb").write(torrent(b"big", files))
open("many-pieces.torrent", "wb").write(torrent(b"p", [(16384 * 5000000, [b"f"])]))
# 4: a safetensors header with 1,250,000 tensors; an index with 10^6 entries;
# a manifest with 10^6 files.
n = 1250000
header = {f"t{i}": {"dtype": "U8", "shape": [1], "data_offsets": [i, i + 1]} for i in range(n)}
h = json.dumps(header, separators=(",", ":")).encode()
open("many.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + b"\0" * n)
weight_map = {f"t{i}": "model-00001-of-00001.safetensors" for i in range(1000000)}
open("model.safetensors.index.json", "w").write(json.dumps({"metadata": {"total_size": 1}, "weight_map": weight_map}))
with open("big-manifest.toml", "w") as f:
    f.write('[release]\nid = "big"\nname = "big"\npublisher = "x"\ndate = "x"\n')
    for i in range(1000000):
        f.write(f'[[file]]\npath = "d/f{i:07d}"\nsize = 1\n')
# 3: a 300-byte config implying 2 * 10^11 tensors.
json.dump({"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 64,
           "intermediate_size": 96, "num_hidden_layers": 4096, "num_attention_heads": 4,
           "num_key_value_heads": 2, "num_local_experts": 16777216, "num_experts_per_tok": 2,
           "vocab_size": 128}, open("config.json", "w"))
EOF
mkdir -p empty

run() {
  local what=$1
  shift
  local code=0
  /usr/bin/time -f "%e %M" -o time.txt "$bin" "$@" >out.txt 2>err.txt || code=$?
  read -r secs kb < <(tail -1 time.txt)
  printf '%-44s exit %-3s %7s s %8.1f MB\n' "$what" "$code" "$secs" "$(echo "$kb / 1024" | bc -l)"
}

run "torrent show: path of 10,000 components" torrent show deep.torrent
run "torrent show: 80,000 trackers" torrent show trackers.torrent
run "torrent show: 130,487 files" torrent show many-files.torrent
# The peer: libtorrent's own parser (Debian's python3-libtorrent) on the same file.
if /usr/bin/python3 -c 'import libtorrent' 2>/dev/null; then
  /usr/bin/time -f "%e %M" -o time.txt /usr/bin/python3 -c \
    'import libtorrent as lt, sys; t = lt.torrent_info(sys.argv[1]); print(t.num_files())' \
    many-files.torrent >out.txt 2>err.txt
  read -r secs kb < <(tail -1 time.txt)
  printf '%-44s exit %-3s %7s s %8.1f MB\n' "libtorrent torrent_info: 130,487 files" 0 "$secs" "$(echo "$kb / 1024" | bc -l)"
fi
run "torrent show: 5,000,000 pieces" torrent show many-pieces.torrent
# A cache of their own, so the run leaves nothing in the user's.
XDG_CACHE_HOME="$work/cache" run "hash --torrent: 5,000,000 pieces, no data" \
  hash --torrent many-pieces.torrent empty
XDG_CACHE_HOME="$work/cache" run "hash --torrent --json: the same" \
  hash --json --torrent many-pieces.torrent empty
run "inspect: safetensors with 1,250,000 tensors" inspect many.safetensors
run "inspect: index with 10^6 entries" inspect model.safetensors.index.json
run "verify: manifest with 10^6 files" verify empty --manifest big-manifest.toml --no-hash --quiet
run "verify: config implying 2*10^11 tensors" verify empty --config config.json
