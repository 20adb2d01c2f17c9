#!/usr/bin/env python3
"""torch_zip_fixture.py: PyTorch zip checkpoints (torch.save's format since
torch 1.6) written WITHOUT torch, for weightcheck's tests.

Why not torch itself: the only torch wheel PyPI serves for Linux x86_64 is the
CUDA build (about 540 MB) and it pulls in several GB of nvidia-* packages, too
much to install on every CI run. This script instead writes torch's layout
exactly, and was checked byte for byte against torch.save (torch 2.15.0,
`compare-with-torch` below): same zip records in the same order, same 64-byte
alignment padding ("FB" extra fields), same data descriptors and zip64 end
records, and a data.pkl produced by CPython's own pickle (protocol 2) through
stand-ins for torch's globals, so opcodes and memo sharing are the real ones.
Only `.data/serialization_id` (random in torch) differs unless given.

Layout written (for archive name A, the file name without its extension):
    A/data.pkl, A/.format_version ("1"), A/.storage_alignment ("64"),
    A/byteorder ("little"), A/data/0, A/data/1, ..., A/version ("3\\n"),
    A/.data/serialization_id
Every entry is stored (method 0) with flags 0x0808, zero time and date,
sizes in a data descriptor after the payload, and no extra field in the
central directory.

Usage (python from scripts/setup-python.sh; numpy and ml_dtypes needed):
    torch_zip_fixture.py mixtral OUTDIR         # consolidated.00.pth + params.json
    torch_zip_fixture.py flan-t5 OUTDIR         # pytorch_model-0000N-of-00002.bin + index + config.json
    torch_zip_fixture.py strided OUT.pth [ID]   # a transposed view, a shared storage, an OrderedDict
    torch_zip_fixture.py plain OUT.pth [ID]     # a dict of bfloat16, float16, int32 and bool tensors
    torch_zip_fixture.py stride0 OUT.pth [ID]   # 12 stride-0 views of one 4-byte storage (760 "parameters")
    torch_zip_fixture.py huge OUT.pth [ID]      # 4 stride-0 views of 2**62 elements each (totals overflow)
    torch_zip_fixture.py memo-names OUT.pth [ID] # one 64 KB key, memoised by pickle, in 60 nested dicts of 1,000
                                                # (ID: the 40-digit serialization_id to write)
    torch_zip_fixture.py compare-with-torch DIR # needs torch: writes both ways, compares bytes
"""

import collections
import hashlib
import json
import os
import pickle
import struct
import sys
import types
import zlib

import numpy as np
import ml_dtypes

# ---- stand-ins for the globals torch pickles -------------------------------
# pickle writes a global by its __module__ and __qualname__ and checks that
# importing that name gives back the same object, so the stand-ins live in
# fake modules registered under torch's names (only while this script runs,
# and only if the real torch is not loaded).

_STORAGES = {
    np.dtype("float32"): "FloatStorage",
    np.dtype("float64"): "DoubleStorage",
    np.dtype("float16"): "HalfStorage",
    np.dtype(ml_dtypes.bfloat16): "BFloat16Storage",
    np.dtype("int64"): "LongStorage",
    np.dtype("int32"): "IntStorage",
    np.dtype("int16"): "ShortStorage",
    np.dtype("int8"): "CharStorage",
    np.dtype("uint8"): "ByteStorage",
    np.dtype("bool"): "BoolStorage",
}


_FAKE = None


def _fake_torch():
    global _FAKE
    if _FAKE is not None:
        return _FAKE
    if "torch" in sys.modules and not getattr(sys.modules["torch"], "_weightcheck_fake", False):
        raise RuntimeError("the real torch is loaded; the stand-ins would shadow it")
    torch = types.ModuleType("torch")
    torch._weightcheck_fake = True
    utils = types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):  # never called: only its name is pickled
        raise NotImplementedError

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    classes = {}
    for name in _STORAGES.values():
        cls = type(name, (), {"__module__": "torch"})
        setattr(torch, name, cls)
        classes[name] = cls
    sys.modules["torch"] = torch
    sys.modules["torch._utils"] = utils
    _FAKE = (torch, classes)
    return _FAKE


class Storage:
    """A storage: a flat numpy array that tensors view."""

    def __init__(self, flat):
        self.flat = np.ascontiguousarray(flat).reshape(-1)


class Tensor:
    """A view of a storage, pickled the way torch.Tensor.__reduce_ex__ does."""

    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset = storage, offset
        self.size, self.stride = tuple(size), tuple(stride)

    def __reduce_ex__(self, protocol):
        torch, _ = _fake_torch()
        return (
            torch._utils._rebuild_tensor_v2,
            (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()),
        )


def tensor(array):
    """A contiguous tensor owning its own storage."""
    a = np.ascontiguousarray(array)
    stride, acc = [], 1
    for d in reversed(a.shape):
        stride.insert(0, acc)
        acc *= d
    return Tensor(Storage(a), 0, a.shape, stride)


# ---- data.pkl ---------------------------------------------------------------

_LOCATION = "cpu"  # one object, so the pickle memoizes it as torch's does


def pickle_state(obj):
    """data.pkl bytes and the storages in key order."""
    _, classes = _fake_torch()
    keys = {}
    storages = []

    class Pickler(pickle.Pickler):
        def persistent_id(self, o):
            if not isinstance(o, Storage):
                return None
            key = keys.get(id(o))
            if key is None:
                key = keys[id(o)] = str(len(keys))
                storages.append(o)
            cls = classes[_STORAGES[o.flat.dtype]]
            return ("storage", cls, key, _LOCATION, o.flat.size)

    import io

    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue(), storages


# ---- the zip container --------------------------------------------------------

ALIGN = 64


def _padding(cursor, name_len):
    start = cursor + 30 + name_len + 4
    pad = (-start) % ALIGN
    return b"FB" + struct.pack("<H", pad) + b"Z" * pad


def write_zip(path, records):
    """Writes (name, bytes) records as torch's PyTorchStreamWriter does."""
    out = bytearray()
    central = []
    for name, data in records:
        name_b = name.encode()
        offset = len(out)
        extra = _padding(offset, len(name_b))
        crc = zlib.crc32(data) & 0xFFFFFFFF
        if len(data) >= 0xFFFFFFFF or offset >= 0xFFFFFFFF:
            raise ValueError("fixtures stay below 4 GiB")
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, 0x0808, 0, 0, 0, 0, 0, 0, len(name_b), len(extra))
        out += name_b + extra + data
        out += struct.pack("<IIII", 0x08074B50, crc, len(data), len(data))
        central.append((name_b, crc, len(data), offset))
    cd_offset = len(out)
    for name_b, crc, size, offset in central:
        out += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, 0x0808, 0, 0, 0, crc, size, size, len(name_b), 0, 0, 0, 0, 0, offset
        )
        out += name_b
    cd_size = len(out) - cd_offset
    z64 = len(out)
    n = len(central)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x002D, 0, 0, n, n, cd_size, cd_offset)
    out += struct.pack("<IIQI", 0x07064B50, 0, z64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, cd_size, cd_offset, 0)
    with open(path, "wb") as f:
        f.write(out)


def save(obj, path, serialization_id=None):
    """torch.save(obj, path) for dicts of Tensor stand-ins."""
    pkl, storages = pickle_state(obj)
    archive = os.path.splitext(os.path.basename(path))[0]
    records = [
        (f"{archive}/data.pkl", pkl),
        (f"{archive}/.format_version", b"1"),
        (f"{archive}/.storage_alignment", b"64"),
        (f"{archive}/byteorder", b"little"),
    ]
    for i, s in enumerate(storages):
        records.append((f"{archive}/data/{i}", s.flat.tobytes()))
    records.append((f"{archive}/version", b"3\n"))
    if serialization_id is None:
        # torch's is random; a digest keeps fixtures reproducible.
        digest = hashlib.sha256(pkl).digest()
        serialization_id = "".join(str(b % 10) for b in digest)[:40].rjust(40, "0")
    records.append((f"{archive}/.data/serialization_id", serialization_id.encode()))
    write_zip(path, records)


# ---- scaled-down releases -----------------------------------------------------

MIXTRAL_PARAMS = {
    "dim": 64,
    "n_layers": 2,
    "head_dim": 16,
    "hidden_dim": 96,
    "n_heads": 4,
    "n_kv_heads": 2,
    "norm_eps": 1e-05,
    "vocab_size": 128,
    "moe": {"num_experts_per_tok": 2, "num_experts": 4},
}


def mixtral_consolidated(p, rng, dtype=ml_dtypes.bfloat16):
    """The reference implementation's names (mistral-inference's Transformer)."""
    d, f, hd = p["dim"], p["hidden_dim"], p["head_dim"]
    q, kv = p["n_heads"] * hd, p["n_kv_heads"] * hd

    def w(*shape):
        return tensor(rng.standard_normal(shape).astype(np.float32).astype(dtype))

    sd = {"tok_embeddings.weight": w(p["vocab_size"], d)}
    for l in range(p["n_layers"]):
        b = f"layers.{l}"
        sd[f"{b}.attention.wq.weight"] = w(q, d)
        sd[f"{b}.attention.wk.weight"] = w(kv, d)
        sd[f"{b}.attention.wv.weight"] = w(kv, d)
        sd[f"{b}.attention.wo.weight"] = w(d, q)
        sd[f"{b}.feed_forward.gate.weight"] = w(p["moe"]["num_experts"], d)
        for e in range(p["moe"]["num_experts"]):
            sd[f"{b}.feed_forward.experts.{e}.w1.weight"] = w(f, d)
            sd[f"{b}.feed_forward.experts.{e}.w2.weight"] = w(d, f)
            sd[f"{b}.feed_forward.experts.{e}.w3.weight"] = w(f, d)
        sd[f"{b}.attention_norm.weight"] = w(d)
        sd[f"{b}.ffn_norm.weight"] = w(d)
    sd["norm.weight"] = w(d)
    sd["output.weight"] = w(p["vocab_size"], d)
    return sd


def cmd_mixtral(outdir):
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(7)
    save(mixtral_consolidated(MIXTRAL_PARAMS, rng), os.path.join(outdir, "consolidated.00.pth"))
    with open(os.path.join(outdir, "params.json"), "w") as f:
        json.dump(MIXTRAL_PARAMS, f, indent=4)


def cmd_flan_t5(outdir):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import st_fixture

    os.makedirs(outdir, exist_ok=True)
    cfg = st_fixture.T5_CONFIG
    arrays = st_fixture.t5_state(cfg, np.random.default_rng(11))
    # state_dict() detaches each tied parameter separately: three tensors
    # viewing one storage, which torch.save writes once per file.
    shared = tensor(arrays["shared.weight"])
    sd = {name: (shared if name == "shared.weight" else tensor(a)) for name, a in arrays.items()}
    for alias in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
        sd[alias] = Tensor(shared.storage, 0, shared.size, shared.stride)
    shards = st_fixture.split(list(sd), 2)
    weight_map = {}
    total = 0
    for i, names in enumerate(shards):
        fname = f"pytorch_model-{i + 1:05d}-of-{len(shards):05d}.bin"
        save({n: sd[n] for n in names}, os.path.join(outdir, fname))
        for n in names:
            weight_map[n] = fname
            total += sd[n].storage.flat.nbytes
    st_fixture.write_index(os.path.join(outdir, "pytorch_model.bin.index.json"), total, weight_map)
    st_fixture.write_config(outdir, cfg)


def strided_example():
    rng = np.random.default_rng(3)
    a = tensor(rng.standard_normal((2, 3)).astype(np.float32))
    t = Tensor(a.storage, 0, (3, 2), (1, 3))  # a.t()
    tail = Tensor(a.storage, 3, (3,), (1,))  # a[1]
    od = collections.OrderedDict()
    od["a"] = a
    od["t"] = t
    od["tail"] = tail
    od["b"] = tensor(np.arange(4, dtype=np.int64))
    od["h"] = tensor(np.ones(5, dtype=ml_dtypes.bfloat16))
    return od


def plain_example():
    return {
        "w": tensor(np.arange(12, dtype=np.float32).reshape(3, 4).astype(ml_dtypes.bfloat16)),
        "n": tensor(np.arange(4, dtype=np.float16)),
        "i": tensor(np.arange(2, dtype=np.int32)),
        "m": tensor(np.array([True, False])),
    }


def stride0_example():
    """What torch.Tensor.expand writes: a view with stride 0 repeats one
    element, so 12 tensors "hold" 760 values in 4 bytes."""
    one = tensor(np.array([1.5], dtype=np.float32))
    sizes = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100, 110]
    return collections.OrderedDict(
        (f"layer{i}.weight", Tensor(one.storage, 0, (n,), (0,))) for i, n in enumerate(sizes)
    )


def huge_example():
    one = tensor(np.array([1.5], dtype=np.float32))
    return collections.OrderedDict((f"h{i}", Tensor(one.storage, 0, (2**62,), (0,))) for i in range(4))


def memo_names_example():
    """pickle memoises a str it has written once, so one long key reused in
    every entry of nested dicts costs 2 bytes per use in the file; a reader
    that builds dotted names from the keys would build gigabytes."""
    key = "k" * 65536
    t = tensor(np.array([1.0], dtype=np.float32))
    d = {str(i): t for i in range(1000)}
    for _ in range(60):
        d = {key: d, "x": t}
    return d


def cmd_memo_names(path, serialization_id=None):
    save(memo_names_example(), path, serialization_id)


def cmd_stride0(path, serialization_id=None):
    save(stride0_example(), path, serialization_id)


def cmd_huge(path, serialization_id=None):
    save(huge_example(), path, serialization_id)


def cmd_strided(path, serialization_id=None):
    save(strided_example(), path, serialization_id)


def cmd_plain(path, serialization_id=None):
    save(plain_example(), path, serialization_id)


def cmd_compare_with_torch(outdir):
    """Writes the same state dicts with torch.save and with this script and
    compares the files byte for byte (serialization_id copied over)."""
    import subprocess
    import zipfile

    os.makedirs(outdir, exist_ok=True)
    # torch runs in a child process so its real modules never meet the stand-ins.
    code = r"""
import sys, numpy as np, torch, collections
out = sys.argv[1]
rng = np.random.default_rng(3)
a = torch.from_numpy(rng.standard_normal((2, 3)).astype(np.float32))
od = collections.OrderedDict()
od["a"] = a
od["t"] = a.t()
od["tail"] = a[1]
od["b"] = torch.arange(4, dtype=torch.int64)
od["h"] = torch.ones(5, dtype=torch.bfloat16)
torch.save(od, out + "/strided.pth")
torch.save({
    "w": torch.arange(12, dtype=torch.float32).reshape(3, 4).to(torch.bfloat16),
    "n": torch.arange(4, dtype=torch.float16),
    "i": torch.arange(2, dtype=torch.int32),
    "m": torch.tensor([True, False]),
}, out + "/plain.pth")
"""
    subprocess.run([os.environ.get("TORCH_PYTHON", sys.executable), "-c", code, outdir], check=True)
    for name, example in (("strided", strided_example), ("plain", plain_example)):
        ref = os.path.join(outdir, f"{name}.pth")
        sid = zipfile.ZipFile(ref).read(f"{name}/.data/serialization_id").decode()
        mine = os.path.join(outdir, "mine", f"{name}.pth")
        os.makedirs(os.path.dirname(mine), exist_ok=True)
        save(example(), mine, serialization_id=sid)
        a, b = open(ref, "rb").read(), open(mine, "rb").read()
        if a != b:
            first = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
            sys.exit(f"{name}: differ: torch {len(a)} bytes, ours {len(b)} bytes, first difference at {first}")
        print(f"{name}: identical, {len(a)} bytes")


def main(argv):
    commands = {
        "mixtral": cmd_mixtral,
        "flan-t5": cmd_flan_t5,
        "strided": cmd_strided,
        "plain": cmd_plain,
        "stride0": cmd_stride0,
        "huge": cmd_huge,
        "memo-names": cmd_memo_names,
        "compare-with-torch": cmd_compare_with_torch,
    }
    if len(argv) not in (3, 4) or argv[1] not in commands:
        sys.exit(__doc__)
    commands[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
