#!/usr/bin/env python3
"""A tiny Llama-family GGUF re-release written by the real writer (PyPI
`gguf`, llama.cpp's own), with the Hugging Face config.json it would have
been converted from, for tests/gguf.rs (`verify --config`).

    gguf_llama_fixture.py OUT_DIR [drop=NAME] [reshape=NAME]

writes OUT_DIR/model.gguf (llama.cpp tensor names, 2 layers, Q8_0 and Q4_0
projections, F16 embeddings, F32 norms, as llama.cpp's converter types
them) and OUT_DIR/config.json (LlamaForCausalLM). `drop=NAME` leaves the
GGUF tensor NAME out; `reshape=NAME` writes it one row short.
"""

import json
import sys
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q

out = Path(sys.argv[1])
opts = dict(a.split("=", 1) for a in sys.argv[2:])
out.mkdir(parents=True, exist_ok=True)
dim, layers, heads, kv_heads, ffn, vocab = 64, 2, 4, 2, 128, 96
head_dim = dim // heads
config = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": dim,
    "num_hidden_layers": layers,
    "num_attention_heads": heads,
    "num_key_value_heads": kv_heads,
    "intermediate_size": ffn,
    "vocab_size": vocab,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
(out / "config.json").write_text(json.dumps(config, indent=1))

rng = np.random.default_rng(7)
tensors = [("token_embd.weight", (vocab, dim), Q.F16), ("output_norm.weight", (dim,), Q.F32),
           ("output.weight", (vocab, dim), Q.Q8_0)]
for i in range(layers):
    b = f"blk.{i}"
    tensors += [(f"{b}.attn_norm.weight", (dim,), Q.F32), (f"{b}.ffn_norm.weight", (dim,), Q.F32),
                (f"{b}.attn_q.weight", (heads * head_dim, dim), Q.Q8_0),
                (f"{b}.attn_k.weight", (kv_heads * head_dim, dim), Q.Q8_0),
                (f"{b}.attn_v.weight", (kv_heads * head_dim, dim), Q.Q8_0),
                (f"{b}.attn_output.weight", (dim, heads * head_dim), Q.Q4_0),
                (f"{b}.ffn_gate.weight", (ffn, dim), Q.Q4_0),
                (f"{b}.ffn_up.weight", (ffn, dim), Q.Q4_0),
                (f"{b}.ffn_down.weight", (dim, ffn), Q.Q4_0)]

w = gguf.GGUFWriter(str(out / "model.gguf"), "llama")
w.add_block_count(layers)
w.add_embedding_length(dim)
w.add_feed_forward_length(ffn)
w.add_head_count(heads)
w.add_head_count_kv(kv_heads)
w.add_context_length(2048)
for name, shape, qtype in tensors:
    if opts.get("drop") == name:
        continue
    if opts.get("reshape") == name:
        shape = (shape[0] - 1,) + shape[1:]
    values = rng.standard_normal(shape).astype(np.float32)
    if qtype == Q.F32:
        w.add_tensor(name, values)
    elif qtype == Q.F16:
        w.add_tensor(name, values.astype(np.float16))
    else:
        w.add_tensor(name, gguf.quants.quantize(values, qtype), raw_dtype=qtype)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
