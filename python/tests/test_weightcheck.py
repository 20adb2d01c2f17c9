"""The weightcheck package against the CLI's --json documents and against
real writers (the safetensors package, hashlib)."""

import hashlib
import json
import os
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file

import weightcheck


def without_timing(doc):
    """A hash document without what differs between two identical runs."""
    doc = json.loads(json.dumps(doc))
    for key in ("seconds", "bytes_hashed", "bytes_cached"):
        doc["report"].pop(key)
    return doc


# inspect


def test_inspect_lists_the_104_tensors_of_a_real_model_as_the_cli_does(
    model_folder, cli
):
    path = model_folder / "model.safetensors"
    records = weightcheck.inspect(path)
    assert len(records) == 104
    code, out = cli("inspect", path, "--json")
    assert code == 0
    assert records == json.loads(out)["tensors"]
    # And as the safetensors package reads the file.
    with safe_open(str(path), "np") as f:
        reference = [(k, f.get_slice(k).get_shape()) for k in f.keys()]
    assert sorted((r["name"], r["shape"]) for r in records) == sorted(reference)


def test_a_directory_is_inventoried_like_the_cli(model_folder, cli):
    code, out = cli("inspect", model_folder, "--json")
    assert code == 0
    doc = json.loads(out)
    assert weightcheck.inventory(model_folder) == doc
    assert weightcheck.inspect(model_folder) == doc["tensors"]
    assert doc["totals"]["tensors"] == 104
    assert "config.json" in doc["other_files"]


def test_tensors_written_by_the_safetensors_package(tmp_path, monkeypatch):
    arrays = {
        "embed.weight": np.arange(12, dtype=np.float32).reshape(3, 4),
        "ln.bias": np.zeros(4, dtype=np.float16),
        "steps": np.array([7], dtype=np.int64),
    }
    save_file(arrays, str(tmp_path / "small.safetensors"))
    records = {r["name"]: r for r in weightcheck.inspect(tmp_path / "small.safetensors")}
    assert set(records) == set(arrays)
    for name, a in arrays.items():
        assert records[name]["shape"] == list(a.shape)
        assert records[name]["parameters"] == a.size
        assert records[name]["payload_bytes"] == a.nbytes
    assert records["embed.weight"]["dtype"] == "float32"
    assert records["ln.bias"]["dtype"] == "float16"
    # Relative paths are the working directory's, as on the command line.
    monkeypatch.chdir(tmp_path)
    assert weightcheck.inspect("small.safetensors") == weightcheck.inspect(
        tmp_path / "small.safetensors"
    )


def test_an_empty_directory_has_no_tensors(tmp_path):
    assert weightcheck.inspect(tmp_path) == []


# verify


def test_a_folder_with_its_config_verifies_as_structure_ok_like_the_cli(model_copy, cli):
    report = weightcheck.verify(model_copy)
    assert report["result"] == "structure_ok"
    assert report["exit_code"] == 3
    code, out = cli("verify", model_copy, "--json")
    assert code == 3
    assert report == json.loads(out)
    # The same with the config named.
    named = weightcheck.verify(model_copy, config=model_copy / "config.json")
    assert named["result"] == "structure_ok"


def test_a_damaged_file_fails_against_a_checksum_list(model_copy, cli):
    sums = model_copy.parent / "SHA256SUMS"
    lines = []
    for f in sorted(p for p in model_copy.rglob("*") if p.is_file()):
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
        lines.append(f"{digest}  {f.relative_to(model_copy).as_posix()}\n")
    sums.write_text("".join(lines))
    ok = weightcheck.verify(model_copy, sums=sums)
    assert ok["result"] == "verified", ok

    weights = model_copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-100] ^= 0xFF
    weights.write_bytes(bytes(data))
    # A failed verification is a result, not an exception.
    failed = weightcheck.verify(model_copy, sums=sums)
    assert failed["result"] == "failed"
    assert failed["exit_code"] == 1
    bad = [f for f in failed["files"] if f["path"] == "model.safetensors"]
    assert bad and bad[0]["verdict"] == "hash_mismatch", bad
    code, out = cli("verify", model_copy, "--sums", sums, "--json")
    assert code == 1
    doc = json.loads(out)
    for report in (failed, doc):
        report.pop("bytes_hashed")
        report.pop("bytes_cached")
    assert failed == doc


def test_a_release_is_named_by_id_or_manifest(model_copy):
    manifest = model_copy.parent / "m.toml"
    with pytest.raises(weightcheck.InputError, match="no built-in manifest"):
        weightcheck.verify(model_copy, release="no-such-release")
    with pytest.raises(weightcheck.InputError, match="not both"):
        weightcheck.verify(model_copy, release="grok-1", manifest=manifest)
    with pytest.raises(FileNotFoundError):
        weightcheck.verify(model_copy, manifest=manifest)


# hash


def test_hash_gives_every_file_its_sha256_like_the_cli(tmp_path, cli):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    contents = {"a.bin": os.urandom(100_000), "sub/b.txt": b"hello", "empty": b""}
    for name, data in contents.items():
        (tree / name).write_bytes(data)
    doc = weightcheck.hash(tree)
    assert doc["ok"] is True
    got = {f["path"]: f["sha256"] for f in doc["report"]["files"]}
    assert got == {n: hashlib.sha256(d).hexdigest() for n, d in contents.items()}
    assert {v["verdict"] for v in doc["verdicts"]} == {"ok"}
    code, out = cli("hash", tree, "--json")
    assert code == 0
    assert without_timing(doc) == without_timing(json.loads(out))


def test_hash_checks_torrent_pieces(tmp_path, cli):
    tree = tmp_path / "set"
    tree.mkdir()
    (tree / "w.bin").write_bytes(bytes(range(256)) * 200)
    code, _ = cli("torrent", "create", tree, "--name", "set", "--piece-length", "16384",
                  "-o", tmp_path / "set.torrent")
    assert code == 0
    assert weightcheck.hash(tree, torrent=tmp_path / "set.torrent")["ok"] is True
    data = bytearray((tree / "w.bin").read_bytes())
    data[20_000] ^= 1
    (tree / "w.bin").write_bytes(bytes(data))
    doc = weightcheck.hash(tree, torrent=tmp_path / "set.torrent")
    assert doc["ok"] is False
    assert doc["report"]["pieces"]["failed"][0]["index"] == 1
    magnet = "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
    with pytest.raises(weightcheck.TorrentMismatchError):
        weightcheck.hash(tree, torrent=tmp_path / "set.torrent", magnet=magnet)


def test_the_gil_is_released_while_hashing(tmp_path):
    big = tmp_path / "big"
    big.mkdir()
    chunk = os.urandom(1 << 20)
    with open(big / "data.bin", "wb") as f:
        for _ in range(256):
            f.write(chunk)
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        time.sleep(0.05)
        start = time.monotonic()
        doc = weightcheck.hash(big)
        end = time.monotonic()
    finally:
        done.set()
        ticker.join(timeout=10)
    assert doc["ok"] is True
    # Holding the GIL, the call would leave no tick strictly inside it.
    during = [t for t in ticks if start < t < end]
    assert end - start > 0.02, "hashing 256 MiB finished too fast to tell"
    assert len(during) >= 3, (len(during), end - start)


# errors


def test_a_missing_path_is_file_not_found(tmp_path):
    missing = tmp_path / "nope"
    for call in (weightcheck.inspect, weightcheck.verify, weightcheck.hash):
        with pytest.raises(weightcheck.NotFoundError) as e:
            call(missing)
        assert isinstance(e.value, FileNotFoundError)
        assert isinstance(e.value, weightcheck.WeightcheckError)
        assert e.value.errno == 2
        assert e.value.filename == str(missing)


def test_a_malformed_file_is_a_format_error(tmp_path):
    bad = tmp_path / "bad.safetensors"
    # A header length that runs past the end of the file.
    bad.write_bytes((1000).to_bytes(8, "little") + b'{"a": 1}')
    with pytest.raises(weightcheck.FormatError) as e:
        weightcheck.inspect(bad)
    assert isinstance(e.value, ValueError)
    assert e.value.path == str(bad)
    assert e.value.offset == 0
    assert str(bad) in str(e.value)
    # Listed, not raised, in the whole inventory.
    doc = weightcheck.inventory(tmp_path)
    assert doc["totals"]["errors"] == 1
    assert doc["errors"][0]["file"] == "bad.safetensors"


# the README's example


def readme_example():
    """The README's Python example: the code block after the marker."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    found = re.search(
        r"<!-- tested: python/tests/test_weightcheck.py -->\n```python\n(.*?)```",
        readme,
        re.S,
    )
    assert found, "README.md: the Python example's marker is missing"
    return found.group(1)


def test_the_readme_example_runs(model_copy, monkeypatch, capsys):
    # The example names the folder as the model's own name, here.
    monkeypatch.chdir(model_copy.parent)
    exec(compile(readme_example(), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "104 tensors" in out
    assert "structure_ok" in out


def test_a_star_import_keeps_the_builtin_hash():
    namespace = {}
    exec("from weightcheck import *", namespace)
    assert "hash" not in namespace
    assert namespace["inspect"] is weightcheck.inspect
    assert issubclass(namespace["NotFoundError"], FileNotFoundError)
