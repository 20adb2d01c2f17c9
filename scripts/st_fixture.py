#!/usr/bin/env python3
"""st_fixture.py: scaled-down safetensors releases written by the real
writer (the `safetensors` package, pinned 0.4.5 by scripts/setup-python.sh),
sharded with an index the way Hugging Face's save_pretrained lays them out.

Usage (python from scripts/setup-python.sh):
    st_fixture.py mixtral OUTDIR        # Mixtral, HF names, 3 shards + index + config.json
    st_fixture.py flan-t5 OUTDIR        # Flan-T5, 2 shards + index + config.json
    st_fixture.py sparse-mixtral OUTDIR # full-size Mixtral 8x7B headers in 19 sparse
                                        # shards (holes, ~nothing on disk) + index
    st_fixture.py sparse-flan-t5-xxl OUTDIR  # full-size Flan-T5-XXL headers in 5
                                        # sparse float32 shards + index
    st_fixture.py check-header          # our header writer vs the package's, byte for byte

Tensor names, shapes and shard files follow the published releases
(model-0000N-of-0000M.safetensors, model.safetensors.index.json with
metadata.total_size and a sorted weight_map); the hyperparameters are small.
The sparse sets are for benchmarks and full-scale structure and claim
checks: real header sizes, no real data.
"""

import json
import os
import sys

import numpy as np
import ml_dtypes
from safetensors.numpy import save, save_file

MIXTRAL_CONFIG = {
    "architectures": ["MixtralForCausalLM"],
    "model_type": "mixtral",
    "hidden_size": 64,
    "intermediate_size": 96,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "num_local_experts": 4,
    "num_experts_per_tok": 2,
    "vocab_size": 128,
    "max_position_embeddings": 32768,
    "rms_norm_eps": 1e-05,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}

MIXTRAL_8X7B_CONFIG = dict(
    MIXTRAL_CONFIG,
    hidden_size=4096,
    intermediate_size=14336,
    num_hidden_layers=32,
    num_attention_heads=32,
    num_key_value_heads=8,
    num_local_experts=8,
    vocab_size=32000,
)

T5_CONFIG = {
    "architectures": ["T5ForConditionalGeneration"],
    "model_type": "t5",
    "d_model": 32,
    "d_ff": 64,
    "d_kv": 8,
    "num_heads": 4,
    "num_layers": 2,
    "num_decoder_layers": 2,
    "vocab_size": 128,
    "relative_attention_num_buckets": 32,
    "feed_forward_proj": "gated-gelu",
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
}

# google/flan-t5-xxl's config.json (the keys weightcheck reads, and the class).
FLAN_T5_XXL_CONFIG = dict(
    T5_CONFIG,
    d_model=4096,
    d_ff=10240,
    d_kv=64,
    num_heads=64,
    num_layers=24,
    num_decoder_layers=24,
    vocab_size=32128,
)


def mixtral_shapes(c):
    """(name, shape) in transformers' state_dict order."""
    d, f = c["hidden_size"], c["intermediate_size"]
    hd = d // c["num_attention_heads"]
    q, kv = c["num_attention_heads"] * hd, c["num_key_value_heads"] * hd
    out = [("model.embed_tokens.weight", (c["vocab_size"], d))]
    for l in range(c["num_hidden_layers"]):
        b = f"model.layers.{l}"
        out += [
            (f"{b}.self_attn.q_proj.weight", (q, d)),
            (f"{b}.self_attn.k_proj.weight", (kv, d)),
            (f"{b}.self_attn.v_proj.weight", (kv, d)),
            (f"{b}.self_attn.o_proj.weight", (d, q)),
            (f"{b}.block_sparse_moe.gate.weight", (c["num_local_experts"], d)),
        ]
        for e in range(c["num_local_experts"]):
            out += [
                (f"{b}.block_sparse_moe.experts.{e}.w1.weight", (f, d)),
                (f"{b}.block_sparse_moe.experts.{e}.w2.weight", (d, f)),
                (f"{b}.block_sparse_moe.experts.{e}.w3.weight", (f, d)),
            ]
        out += [(f"{b}.input_layernorm.weight", (d,)), (f"{b}.post_attention_layernorm.weight", (d,))]
    out += [("model.norm.weight", (d,)), ("lm_head.weight", (c["vocab_size"], d))]
    return out


def t5_shapes(c):
    d, f, inner, v = c["d_model"], c["d_ff"], c["num_heads"] * c["d_kv"], c["vocab_size"]

    def attn(base, bias):
        out = [(f"{base}.{x}.weight", (inner, d)) for x in "qkv"] + [(f"{base}.o.weight", (d, inner))]
        if bias:
            out.append((f"{base}.relative_attention_bias.weight", (c["relative_attention_num_buckets"], c["num_heads"])))
        return out

    def ffn(base):
        return [
            (f"{base}.DenseReluDense.wi_0.weight", (f, d)),
            (f"{base}.DenseReluDense.wi_1.weight", (f, d)),
            (f"{base}.DenseReluDense.wo.weight", (d, f)),
            (f"{base}.layer_norm.weight", (d,)),
        ]

    out = [("shared.weight", (v, d))]
    for l in range(c["num_layers"]):
        b = f"encoder.block.{l}.layer"
        out += attn(f"{b}.0.SelfAttention", l == 0) + [(f"{b}.0.layer_norm.weight", (d,))] + ffn(f"{b}.1")
    out.append(("encoder.final_layer_norm.weight", (d,)))
    for l in range(c["num_decoder_layers"]):
        b = f"decoder.block.{l}.layer"
        out += attn(f"{b}.0.SelfAttention", l == 0) + [(f"{b}.0.layer_norm.weight", (d,))]
        out += attn(f"{b}.1.EncDecAttention", False) + [(f"{b}.1.layer_norm.weight", (d,))] + ffn(f"{b}.2")
    out.append(("decoder.final_layer_norm.weight", (d,)))
    out.append(("lm_head.weight", (v, d)))
    return out


def random_state(shapes, dtype, rng):
    return {n: rng.standard_normal(s).astype(np.float32).astype(dtype) for n, s in shapes}


def t5_state(c, rng):
    return random_state(t5_shapes(c), np.float32, rng)


def split(names, n):
    """n contiguous, nearly equal groups, in order."""
    k, r = divmod(len(names), n)
    out, at = [], 0
    for i in range(n):
        size = k + (1 if i < r else 0)
        out.append(names[at : at + size])
        at += size
    return out


def write_index(path, total_size, weight_map):
    # transformers: json.dumps(index, indent=2, sort_keys=True) + "\n"
    index = {"metadata": {"total_size": total_size}, "weight_map": weight_map}
    with open(path, "w") as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + "\n")


def write_config(outdir, config):
    with open(os.path.join(outdir, "config.json"), "w") as f:
        f.write(json.dumps(config, indent=2, sort_keys=True) + "\n")


def write_sharded(outdir, state, n_shards, config):
    os.makedirs(outdir, exist_ok=True)
    weight_map = {}
    total = 0
    groups = split(list(state), n_shards)
    for i, names in enumerate(groups):
        fname = f"model-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        save_file({n: state[n] for n in names}, os.path.join(outdir, fname), metadata={"format": "pt"})
        for n in names:
            weight_map[n] = fname
            total += state[n].nbytes
    write_index(os.path.join(outdir, "model.safetensors.index.json"), total, weight_map)
    write_config(outdir, config)


# ---- headers without data, for the sparse benchmark set -----------------------

# safetensors orders tensors by dtype (larger alignment first), then name.
_DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
_ITEMSIZE = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
             "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8}


def header_bytes(tensors, metadata):
    """The 8-byte length and JSON header safetensors 0.4.5 writes for
    {name: (dtype, shape)}, and the data length."""
    order = sorted(tensors, key=lambda n: (-_DTYPE_ORDER.index(tensors[n][0]), n))
    entries = {}
    if metadata:
        entries["__metadata__"] = metadata
    at = 0
    for n in order:
        dt, shape = tensors[n]
        size = int(np.prod(shape, dtype=np.int64)) * _ITEMSIZE[dt]
        entries[n] = {"dtype": dt, "shape": list(shape), "data_offsets": [at, at + size]}
        at += size
    text = json.dumps(entries, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return len(text).to_bytes(8, "little") + text, at


def cmd_check_header():
    rng = np.random.default_rng(1)
    state = {
        "b.weight": rng.standard_normal((3, 5)).astype(ml_dtypes.bfloat16),
        "a.weight": rng.standard_normal((7,)).astype(np.float32),
        "c": np.arange(3, dtype=np.int64),
        "z.bias": rng.standard_normal((2, 2)).astype(ml_dtypes.bfloat16),
    }
    real = save(state, metadata={"format": "pt"})
    names = {"float32": "F32", "bfloat16": "BF16", "int64": "I64"}
    ours, data_len = header_bytes({n: (names[a.dtype.name], a.shape) for n, a in state.items()}, {"format": "pt"})
    if real[: len(ours)] != ours or len(real) != len(ours) + data_len:
        sys.exit(f"header writer differs from safetensors:\n{real[:len(ours)]!r}\n{ours!r}")
    print("header writer matches safetensors byte for byte")


def write_sparse(outdir, shapes, dtype, max_shard, config):
    """Shards split the way save_pretrained splits a state dict (in order, a
    new shard before one would pass max_shard bytes), headers only."""
    cmd_check_header()
    os.makedirs(outdir, exist_ok=True)
    groups, cur, cur_size = [], [], 0
    for n, s in shapes:
        size = int(np.prod(s)) * _ITEMSIZE[dtype]
        if cur and cur_size + size > max_shard:
            groups.append(cur)
            cur, cur_size = [], 0
        cur.append((n, s))
        cur_size += size
    groups.append(cur)
    weight_map, total = {}, 0
    for i, group in enumerate(groups):
        fname = f"model-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        head, data_len = header_bytes({n: (dtype, s) for n, s in group}, {"format": "pt"})
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(head)
            f.truncate(len(head) + data_len)  # a hole: no data is written
        for n, _ in group:
            weight_map[n] = fname
        total += data_len
    write_index(os.path.join(outdir, "model.safetensors.index.json"), total, weight_map)
    write_config(outdir, config)
    print(f"{len(groups)} shards, {total} bytes of (sparse) tensor data")


def cmd_sparse_mixtral(outdir):
    # save_pretrained's max_shard_size="5GB" gives the hub's 19 shards.
    write_sparse(outdir, mixtral_shapes(MIXTRAL_8X7B_CONFIG), "BF16", 5_000_000_000, MIXTRAL_8X7B_CONFIG)


def cmd_sparse_flan_t5_xxl(outdir):
    # float32 as released; the default max_shard_size of the time, "10GB",
    # gives the hub's 5 shards.
    write_sparse(outdir, t5_shapes(FLAN_T5_XXL_CONFIG), "F32", 10_000_000_000, FLAN_T5_XXL_CONFIG)


def main(argv):
    if len(argv) == 2 and argv[1] == "check-header":
        return cmd_check_header()
    if len(argv) != 3:
        sys.exit(__doc__)
    cmd, outdir = argv[1], argv[2]
    if cmd == "mixtral":
        state = random_state(mixtral_shapes(MIXTRAL_CONFIG), ml_dtypes.bfloat16, np.random.default_rng(5))
        write_sharded(outdir, state, 3, MIXTRAL_CONFIG)
    elif cmd == "flan-t5":
        write_sharded(outdir, t5_state(T5_CONFIG, np.random.default_rng(11)), 2, T5_CONFIG)
    elif cmd == "sparse-mixtral":
        cmd_sparse_mixtral(outdir)
    elif cmd == "sparse-flan-t5-xxl":
        cmd_sparse_flan_t5_xxl(outdir)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
