#!/usr/bin/env python3
"""Grok-1 checkpoint shards written by the real writer: CPython's
`pickle.dump(obj, f)` of numpy arrays and xAI's `QuantizedWeight8bit`,
with numpy==1.26.4 and ml_dtypes==0.4.0 (scripts/setup-python.sh makes a
venv with exactly those).

Subcommands:

  small OUT_DIR [--layers N] [--seed S] [--vocab-size ...] ...
      A scaled-down Grok-1 checkpoint with random content:
      OUT_DIR/ckpt-0/tensor%05d_000 in the official loader order, plus
      OUT_DIR/config.json (hyperparameters, named as in xAI's run.py) and
      OUT_DIR/tensors.tsv (one row per file).

  full OUT_DIR [--facts CKPT0_TSV]
      The full-size 770-file layout as sparse files of zeros. Each distinct
      kind of shard is pickled once; its bytes are split into pickle
      structure and large payloads, and every file is written as structure
      plus holes. Every file size is checked against the sourced facts.

  one OUT_FILE --kind array|quantized --shape 6144x8 --dtype float32
      [--scales-shape 1x8 --scales-dtype bfloat16] [--seed S] [--zeros | --fill V]
      One shard, for the byte-equality tests of the Rust writer.

  batch SPEC_FILE
      Many `one` shards in one run: each non-empty line of SPEC_FILE holds
      the arguments of one `one` command (shell quoting).

Order: xAI's checkpoint.py loads file i into the i-th leaf of
jax.tree_util's flatten of the params dict, which sorts keys as strings at
each level (module path, then parameter name): layers come 0, 1, 10, 11, 2…
"""

import argparse
import hashlib
import json
import os
import pickle
import shlex
import sys
import time
from dataclasses import dataclass

try:
    import ml_dtypes
    import numpy as np
except ImportError as e:
    sys.exit(f"grok_fixture.py: {e}: run scripts/setup-python.sh and use the venv's python")

PINS = {"numpy": "1.26.4", "ml_dtypes": "0.4.0"}


@dataclass
class QuantizedWeight8bit:
    """As in xAI's grok-1 model.py; pickled as `__main__.QuantizedWeight8bit`."""

    weight: np.ndarray
    scales: np.ndarray

    @property
    def shape(self):
        return self.weight.shape


# checkpoint.py makes the class reachable as __main__.QuantizedWeight8bit so
# pickles name it that way; do the same when this file is imported.
if __name__ != "__main__":
    QuantizedWeight8bit.__module__ = "__main__"
    QuantizedWeight8bit.__qualname__ = "QuantizedWeight8bit"
    setattr(sys.modules["__main__"], "QuantizedWeight8bit", QuantizedWeight8bit)


DTYPES = {
    "bool": np.dtype(np.bool_),
    "int8": np.dtype(np.int8),
    "uint8": np.dtype(np.uint8),
    "int16": np.dtype(np.int16),
    "uint16": np.dtype(np.uint16),
    "int32": np.dtype(np.int32),
    "uint32": np.dtype(np.uint32),
    "int64": np.dtype(np.int64),
    "uint64": np.dtype(np.uint64),
    "float16": np.dtype(np.float16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
    "bfloat16": np.dtype(ml_dtypes.bfloat16),
    "float8_e4m3fn": np.dtype(ml_dtypes.float8_e4m3fn),
    "float8_e5m2": np.dtype(ml_dtypes.float8_e5m2),
}

# Pickle overhead (file bytes minus payload bytes) of each kind of full-size
# Grok-1 shard, as the file sizes in the sourced ckpt-0.tsv give it. (The
# facts README's prose list says 150, 161, 309 and 318 for four of these: one
# less than its own table's sizes; the sizes are what the real writer makes.)
FULL_OVERHEAD = {
    "norm": 151,
    "router": 162,
    "embedding": 165,
    "attn_kqv": 310,
    "attn_out": 319,
    "experts": 323,
}

PUBLISHED = dict(
    vocab_size=128 * 1024,
    pad_token=0,
    eos_token=2,
    sequence_len=8192,
    emb_size=48 * 128,
    widening_factor=8,
    key_size=128,
    num_q_heads=48,
    num_kv_heads=8,
    num_layers=64,
    num_experts=8,
    num_selected_experts=2,
)

SMALL = dict(
    vocab_size=512,
    pad_token=0,
    eos_token=2,
    sequence_len=256,
    emb_size=64,
    widening_factor=8,
    key_size=16,
    num_q_heads=4,
    num_kv_heads=2,
    num_layers=12,
    num_experts=4,
    num_selected_experts=2,
)

# Blocks of the input dimension with a scale row each, where Grok-1 uses
# block-wise scales (moe/linear_1 and the attention output projection).
SCALE_BLOCKS = 8


def ffn_size(emb_size, widening_factor):
    """As in xAI's model.py."""
    size = int(widening_factor * emb_size) * 2 // 3
    return size + (8 - size) % 8


def check_versions(allow_other):
    have = {"numpy": np.__version__, "ml_dtypes": ml_dtypes.__version__}
    problems = [f"{k}=={have[k]} (want {v})" for k, v in PINS.items() if have[k] != v]
    if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11):
        problems.append(f"{sys.implementation.name} {sys.version.split()[0]} (want CPython 3.11)")
    if problems and not allow_other:
        sys.exit(
            "grok_fixture.py: not the reference writer: "
            + ", ".join(problems)
            + "; run scripts/setup-python.sh and use the venv's python"
            + " (or pass --allow-other-versions)"
        )


# ---------------------------------------------------------------- layout


@dataclass
class Entry:
    """One shard: a parameter, how it is stored, and its shapes."""

    param_path: str
    group: str  # key into FULL_OVERHEAD
    shape: tuple
    dtype: str
    scales_shape: tuple = None
    scales_dtype: str = None

    @property
    def stored_as(self):
        return "ndarray" if self.scales_shape is None else "QuantizedWeight8bit"

    @property
    def payload_bytes(self):
        n = int(np.prod(self.shape, dtype=np.int64)) * DTYPES[self.dtype].itemsize
        if self.scales_shape is not None:
            n += int(np.prod(self.scales_shape, dtype=np.int64)) * DTYPES[self.scales_dtype].itemsize
        return n

    @property
    def elements(self):
        return int(np.prod(self.shape, dtype=np.int64))

    def combo(self):
        return (self.shape, self.dtype, self.scales_shape, self.scales_dtype)


def layout(cfg):
    """The shards of a Grok-1 checkpoint with config `cfg`, in loader order."""
    emb = cfg["emb_size"]
    ffn = ffn_size(emb, cfg["widening_factor"])
    experts = cfg["num_experts"]
    q = cfg["num_q_heads"] * cfg["key_size"]
    kv = cfg["num_kv_heads"] * cfg["key_size"]
    assert ffn % SCALE_BLOCKS == 0 and q % SCALE_BLOCKS == 0, "input dims must split in 8 blocks"

    def quant(shape, scales_shape, group):
        return dict(group=group, shape=shape, dtype="int8", scales_shape=scales_shape, scales_dtype="bfloat16")

    def plain(shape, group):
        return dict(group=group, shape=shape, dtype="float32")

    # haiku params: {module path: {param name: value}}
    params = {
        "language_model/in_out_embed": {"embeddings": plain((cfg["vocab_size"], emb), "embedding")},
        "language_model/rms_norm": {"scale": plain((emb,), "norm")},
    }
    for layer in range(cfg["num_layers"]):
        p = f"transformer/decoder_layer_{layer}"
        params[f"{p}/moe/linear"] = {"w": quant((experts, emb, ffn), (experts, 1, ffn), "experts")}
        params[f"{p}/moe/linear_1"] = {
            "w": quant((experts, ffn, emb), (experts, SCALE_BLOCKS, emb), "experts")
        }
        params[f"{p}/moe/linear_v"] = {"w": quant((experts, emb, ffn), (experts, 1, ffn), "experts")}
        params[f"{p}/multi_head_attention/key"] = {"w": quant((emb, kv), (1, kv), "attn_kqv")}
        params[f"{p}/multi_head_attention/linear"] = {
            "w": quant((q, emb), (SCALE_BLOCKS, emb), "attn_out")
        }
        params[f"{p}/multi_head_attention/query"] = {"w": quant((emb, q), (1, q), "attn_kqv")}
        params[f"{p}/multi_head_attention/value"] = {"w": quant((emb, kv), (1, kv), "attn_kqv")}
        for norm in ("rms_norm", "rms_norm_1", "rms_norm_2", "rms_norm_3"):
            params[f"{p}/{norm}"] = {"scale": plain((emb,), "norm")}
        params[f"{p}/router"] = {"w": plain((emb, experts), "router")}

    # jax.tree_util flattens dicts with their keys sorted, level by level.
    out = []
    for module in sorted(params):
        for name in sorted(params[module]):
            out.append(Entry(param_path=f"{module}/{name}", **params[module][name]))
    return out


def shape_str(shape):
    return "x".join(str(d) for d in shape) if shape is not None else ""


def parse_shape(text):
    return tuple(int(d) for d in text.replace(",", "x").split("x") if d != "")


def file_name(index):
    return f"ckpt-0/tensor{index:05d}_000"


# ---------------------------------------------------------------- content


def random_array(rng, shape, dtype):
    dt = DTYPES[dtype]
    if dt == np.int8:
        return rng.integers(-127, 128, size=shape, dtype=np.int8)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
    if dt == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    return rng.standard_normal(size=shape, dtype=np.float32).astype(dt)


def random_scales(rng, shape, dtype):
    # Positive, small, like per-channel quantization scales.
    return (rng.random(size=shape, dtype=np.float32) * 0.02 + 1e-3).astype(DTYPES[dtype])


def make_object(entry, rng=None):
    """The object the shard pickles: random content with `rng`, zeros without."""
    if rng is None:
        w = np.zeros(entry.shape, DTYPES[entry.dtype])
    elif entry.scales_shape is not None and entry.dtype == "int8":
        w = rng.integers(-127, 128, size=entry.shape, dtype=np.int8)
    else:
        w = random_array(rng, entry.shape, entry.dtype)
    if entry.scales_shape is None:
        return w
    if rng is None:
        s = np.zeros(entry.scales_shape, DTYPES[entry.scales_dtype])
    else:
        s = random_scales(rng, entry.scales_shape, entry.scales_dtype)
    return QuantizedWeight8bit(weight=w, scales=s)


def dump(obj, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        pickle.dump(obj, f)
    return os.path.getsize(path)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


TSV_HEADER = [
    "index",
    "file",
    "param_path",
    "stored_as",
    "logical_shape",
    "weight_dtype",
    "scales_shape",
    "scales_dtype",
    "file_bytes",
    "sha256",
]


def write_meta(out_dir, cfg, entries, sizes, digests):
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    with open(os.path.join(out_dir, "tensors.tsv"), "w") as f:
        f.write("\t".join(TSV_HEADER) + "\n")
        for i, e in enumerate(entries):
            row = [
                str(i),
                file_name(i),
                e.param_path,
                e.stored_as,
                shape_str(e.shape),
                e.dtype,
                shape_str(e.scales_shape),
                e.scales_dtype or "",
                str(sizes[i]),
                digests[i] if digests else "",
            ]
            f.write("\t".join(row) + "\n")


# ---------------------------------------------------------------- small


def cmd_small(args):
    cfg = dict(SMALL)
    for key in SMALL:
        value = getattr(args, key, None)
        if value is not None:
            cfg[key] = value
    entries = layout(cfg)
    rng = np.random.default_rng(args.seed)
    sizes, digests = [], []
    for i, e in enumerate(entries):
        path = os.path.join(args.out_dir, file_name(i))
        sizes.append(dump(make_object(e, rng), path))
        digests.append(sha256_file(path))
    write_meta(args.out_dir, cfg, entries, sizes, digests)
    print(
        f"small: {len(entries)} shards, {sum(sizes)} bytes, "
        f"{sum(e.elements for e in entries)} parameters in {args.out_dir}"
    )


# ---------------------------------------------------------------- full


class SegmentSink:
    """A file-like target for pickle.dump that keeps the pickle's structure
    and replaces its large payloads by holes.

    The C pickler streams every payload of 64 KiB or more to the file in one
    write of its own, after flushing the structure before it; those writes
    are recognised by their length (one of `payload_lens`) and kept as holes.
    """

    def __init__(self, payload_lens):
        self.payload_lens = list(payload_lens)
        self.segments = []  # bytes, or an int: a hole of that many zero bytes

    def write(self, data):
        n = len(memoryview(data).cast("B"))
        if n in self.payload_lens:
            self.payload_lens.remove(n)
            m = memoryview(data).cast("B")
            assert not any(m[:4096]) and not any(m[-4096:]), "payload should be zeros"
            self.segments.append(n)
        else:
            self.segments.append(bytes(data))
        return n

    def size(self):
        return sum(s if isinstance(s, int) else len(s) for s in self.segments)


def pickled_segments(entry):
    """Pickles a zero instance of `entry` with the real writer, once."""
    lens = [int(np.prod(entry.shape, dtype=np.int64)) * DTYPES[entry.dtype].itemsize]
    if entry.scales_shape is not None:
        lens.append(int(np.prod(entry.scales_shape, dtype=np.int64)) * DTYPES[entry.scales_dtype].itemsize)
    sink = SegmentSink([n for n in lens if n >= 64 * 1024])
    obj = make_object(entry)
    pickle.dump(obj, sink)
    del obj
    assert not sink.payload_lens, f"large payloads not seen as writes: {sink.payload_lens}"
    # Merge adjacent byte segments.
    merged = []
    for s in sink.segments:
        if merged and isinstance(s, bytes) and isinstance(merged[-1], bytes):
            merged[-1] += s
        else:
            merged.append(s)
    return merged


def write_sparse(path, segments):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pos = 0
    with open(path, "wb") as f:
        for s in segments:
            if isinstance(s, int):
                pos += s
                f.seek(pos)
            else:
                f.write(s)
                pos += len(s)
        f.truncate(pos)
    return pos


def read_facts(path):
    rows = []
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return rows


def default_facts():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "tests", "data", "grok-1", "ckpt-0.tsv"))


def cmd_full(args):
    start = time.monotonic()
    cfg = dict(PUBLISHED)
    entries = layout(cfg)
    assert len(entries) == 770, len(entries)

    facts_path = args.facts or default_facts()
    facts = None
    if os.path.exists(facts_path):
        facts = read_facts(facts_path)
    elif args.facts:
        sys.exit(f"grok_fixture.py: no facts file at {facts_path}")
    else:
        print(f"full: {facts_path} not found; checking sizes against the overhead table only", file=sys.stderr)

    if facts is not None:
        assert len(facts) == len(entries), f"{len(facts)} fact rows, {len(entries)} shards"
        for i, (e, row) in enumerate(zip(entries, facts)):
            got = (
                str(i),
                file_name(i),
                e.param_path,
                e.stored_as,
                shape_str(e.shape),
                e.dtype,
                shape_str(e.scales_shape),
                e.scales_dtype or "",
            )
            want = tuple(
                row[k]
                for k in (
                    "index",
                    "file",
                    "param_path",
                    "stored_as",
                    "logical_shape",
                    "weight_dtype",
                    "scales_shape",
                    "scales_dtype",
                )
            )
            assert got == want, f"shard {i}: layout {got} but facts say {want}"

    cache = {}
    sizes = []
    for i, e in enumerate(entries):
        key = e.combo()
        if key not in cache:
            cache[key] = pickled_segments(e)
        size = write_sparse(os.path.join(args.out_dir, file_name(i)), cache[key])
        assert size == e.payload_bytes + FULL_OVERHEAD[e.group], (
            f"shard {i} ({e.param_path}): {size} bytes, expected payload "
            f"{e.payload_bytes} + overhead {FULL_OVERHEAD[e.group]}"
        )
        if facts is not None:
            want = int(facts[i]["file_bytes"])
            assert size == want, f"shard {i} ({e.param_path}): {size} bytes, facts say {want}"
        sizes.append(size)
    write_meta(args.out_dir, cfg, entries, sizes, None)
    total = sum(sizes)
    if facts is not None:
        assert total == 318_239_886_140, total
    print(
        f"full: {len(entries)} sparse shards, {total} bytes, "
        f"{sum(e.elements for e in entries)} parameters, {len(cache)} distinct kinds pickled, "
        f"{time.monotonic() - start:.1f} s, sizes checked against "
        + ("the facts" if facts is not None else "the overhead table")
    )


# ---------------------------------------------------------------- one


def cmd_one(args):
    shape = parse_shape(args.shape)
    if args.kind == "quantized":
        if args.scales_shape is None:
            sys.exit("grok_fixture.py one: --kind quantized needs --scales-shape")
        entry = Entry(
            param_path="one",
            group="",
            shape=shape,
            dtype=args.dtype or "int8",
            scales_shape=parse_shape(args.scales_shape),
            scales_dtype=args.scales_dtype or "bfloat16",
        )
    else:
        if args.scales_shape or args.scales_dtype:
            sys.exit("grok_fixture.py one: --kind array takes no scales")
        entry = Entry(param_path="one", group="", shape=shape, dtype=args.dtype or "float32")
    rng = None if args.zeros else np.random.default_rng(args.seed)
    obj = make_object(entry, rng)
    if args.fill is not None:
        (obj.weight if entry.scales_shape is not None else obj)[...] = args.fill
    size = dump(obj, args.out_file)
    if not args.quiet:
        print(f"one: {args.out_file}: {entry.stored_as} {shape_str(entry.shape)} {size} bytes")


def cmd_batch(args):
    count = 0
    with open(args.spec_file) as f:
        for line in f:
            words = shlex.split(line)
            if not words:
                continue
            one = args.parser.parse_args(["one", "--quiet"] + words)
            cmd_one(one)
            count += 1
    print(f"batch: {count} shards")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--allow-other-versions",
        action="store_true",
        help="run with other numpy/ml_dtypes/Python versions than the reference",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)

    sp = sub.add_parser("small", help="a scaled-down checkpoint with random content")
    sp.add_argument("out_dir")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--layers", dest="num_layers", type=int)
    for key in SMALL:
        if key != "num_layers":
            sp.add_argument("--" + key.replace("_", "-"), dest=key, type=int)
    sp.set_defaults(func=cmd_small)

    fp = sub.add_parser("full", help="the full-size layout as sparse files of zeros")
    fp.add_argument("out_dir")
    fp.add_argument("--facts", help=f"ckpt-0.tsv to check against (default {default_facts()})")
    fp.set_defaults(func=cmd_full)

    op = sub.add_parser("one", help="one shard")
    op.add_argument("out_file")
    op.add_argument("--kind", choices=["array", "quantized"], required=True)
    op.add_argument("--shape", required=True, help="e.g. 6144x8 (empty for a scalar)")
    op.add_argument("--dtype", choices=sorted(DTYPES))
    op.add_argument("--scales-shape")
    op.add_argument("--scales-dtype", choices=sorted(DTYPES))
    op.add_argument("--seed", type=int, default=0)
    op.add_argument("--zeros", action="store_true", help="zeros instead of random content")
    op.add_argument("--fill", type=float, help="fill the (weight) array with this value")
    op.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    op.set_defaults(func=cmd_one)

    bp = sub.add_parser("batch", help="many `one` shards, one argument line each")
    bp.add_argument("spec_file")
    bp.set_defaults(func=cmd_batch, parser=ap)

    args = ap.parse_args(argv)
    check_versions(args.allow_other_versions)
    args.func(args)


if __name__ == "__main__":
    main()
