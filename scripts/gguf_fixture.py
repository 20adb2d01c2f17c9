#!/usr/bin/env python3
"""GGUF files written by the real writer (PyPI `gguf`, the package
llama.cpp's converters use), and what its own reader lists in them, for
tests/gguf.rs.

    gguf_fixture.py OUT_DIR

writes in OUT_DIR:
  model.gguf   metadata of every value type (arrays long and short, of
               strings, nested), and a 2x256 tensor of every ggml type the
               package has a size for: quantised by gguf.quants where it
               can, else random bytes of the type's size (the reader
               checks layout, not values);
  aligned.gguf general.alignment 64, three small tensors;
  small.gguf   two tensors and a few keys, one string with a terminal
               escape in it (for the text snapshot);
  reference.json  for each file, what gguf.GGUFReader lists: tensors
               (name, type, stored shape, elements, bytes, data offset) and
               key/values (type names, length, the first 8 values), plus
               GGML_QUANT_SIZES by type name.
Run by the venv scripts/test.sh makes (WEIGHTCHECK_PYTHON_GGUF).
"""

import json
import sys
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q, GGUFValueType as V

HEAD = 8


def every_value_type(w):
    w.add_uint8("t.u8", 200)
    w.add_int8("t.i8", -100)
    w.add_uint16("t.u16", 60000)
    w.add_int16("t.i16", -30000)
    w.add_uint32("t.u32", 4000000000)
    w.add_int32("t.i32", -2000000000)
    w.add_float32("t.f32", 0.5)
    w.add_bool("t.bool", True)
    w.add_string("t.string", "héllo wörld")
    w.add_uint64("t.u64", 2**64 - 1)
    w.add_int64("t.i64", -(2**63))
    w.add_float64("t.f64", 2.5e-300)
    w.add_array("t.array.i32", list(range(100)))
    w.add_key_value("t.array.u8", list(range(5)), V.ARRAY, sub_type=V.UINT8)
    w.add_key_value("t.array.u64", [2**64 - 1, 0], V.ARRAY, sub_type=V.UINT64)
    w.add_key_value("t.array.f64", [1.5, -2.25], V.ARRAY, sub_type=V.FLOAT64)
    w.add_array("t.array.f32", [0.25, -1.0, 3.5])
    w.add_array("t.array.bool", [True, False, True])
    w.add_array("t.array.string", [f"tok{i}" for i in range(20)])
    w.add_array("t.array.nested", [[1, 2], [3]])


def model(path):
    w = gguf.GGUFWriter(str(path), "llama")
    every_value_type(w)
    rng = np.random.default_rng(0)
    values = rng.standard_normal((2, 256)).astype(np.float32)
    how = {}
    for qtype, (block, size) in gguf.GGML_QUANT_SIZES.items():
        name = f"t.{qtype.name.lower()}"
        if qtype in (Q.I8, Q.I16, Q.I32, Q.I64, Q.F64):
            dtype = {Q.I8: np.int8, Q.I16: np.int16, Q.I32: np.int32,
                     Q.I64: np.int64, Q.F64: np.float64}[qtype]
            w.add_tensor(name, values.astype(dtype))
            how[qtype.name] = "numpy"
            continue
        try:
            data = gguf.quants.quantize(values, qtype)
            how[qtype.name] = "quantized"
        except (NotImplementedError, gguf.quants.QuantError):
            data = rng.integers(0, 256, (2, 256 // block * size), dtype=np.uint8)
            how[qtype.name] = "raw bytes"
        if qtype == Q.F32:
            w.add_tensor(name, data)
        elif qtype == Q.F16:
            w.add_tensor(name, data)
        else:
            w.add_tensor(name, data, raw_dtype=qtype)
    write(w)
    return how


def aligned(path):
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_custom_alignment(64)
    w.add_tensor("a", np.ones((3,), dtype=np.float32))
    w.add_tensor("b", np.ones((5, 7), dtype=np.float16))
    w.add_tensor("c", gguf.quants.quantize(np.ones((1, 32), np.float32), Q.Q8_0), raw_dtype=Q.Q8_0)
    write(w)


def small(path):
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("tiny")
    w.add_uint32("llama.context_length", 2048)
    w.add_string("t.escape", "red\x1b[31m text\nnext line")
    w.add_array("tokenizer.ggml.tokens", ["<unk>", "<s>", "</s>"] + [f"t{i}" for i in range(29)])
    w.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float16))
    w.add_tensor("blk.0.attn_q.weight", gguf.quants.quantize(np.ones((2, 32), np.float32), Q.Q8_0), raw_dtype=Q.Q8_0)
    write(w)


def write(w):
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def listed(path):
    r = gguf.GGUFReader(str(path))
    kvs = []
    for key, field in r.fields.items():
        if key.startswith("GGUF."):
            continue
        kv = {"key": key, "types": [t.name for t in field.types]}
        # The reader flattens nested arrays: their length and values are
        # not what the file says, so only their types are listed.
        if field.types == [V.ARRAY, field.types[-1]]:
            kv["len"] = len(field.data)
            kv["value"] = field.contents(slice(0, HEAD))
        elif field.types[0] == V.ARRAY:
            pass
        else:
            kv["value"] = field.contents()
        kvs.append(kv)
    tensors = [
        {
            "name": t.name,
            "type": t.tensor_type.name,
            "shape": [int(d) for d in t.shape],
            "n_elements": int(t.n_elements),
            "n_bytes": int(t.n_bytes),
            "data_offset": int(t.data_offset),
        }
        for t in r.tensors
    ]
    return {"alignment": int(r.alignment), "data_offset": int(r.data_offset),
            "kv": kvs, "tensors": tensors}


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    how = model(out / "model.gguf")
    aligned(out / "aligned.gguf")
    small(out / "small.gguf")
    reference = {name: listed(out / name) for name in ("model.gguf", "aligned.gguf", "small.gguf")}
    reference["written_as"] = how
    reference["quant_sizes"] = {
        q.name: [int(q), block, size] for q, (block, size) in gguf.GGML_QUANT_SIZES.items()
    }
    (out / "reference.json").write_text(json.dumps(reference, indent=1))


if __name__ == "__main__":
    main()
