#!/usr/bin/env python3
"""numpy_pickles.py OUTDIR: one float32 array pickled by this Python's numpy
with protocols 0 to 5, each as a Grok-1-style shard file named
tensor{MAJOR}{PROTOCOL}..._000 (numpy 1.x: 0001N, numpy 2.x: 0002N).

These are the benign reconstruction paths a release may ship: protocols
0-2 store the payload through `_codecs.encode(text, 'latin1')` (protocol 0
with the text as raw-unicode-escape, in text opcodes), protocols 3-4
as BINBYTES under `numpy[._]core.multiarray._reconstruct`, protocol 5
through `numpy[._]core.numeric._frombuffer` with an in-band BYTEARRAY8.
"""
import os
import pickle
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
major = int(np.__version__.split(".")[0])
a = (np.arange(6, dtype=np.float32).reshape(2, 3) * 1.5 - 3).astype(np.float32)
for proto in range(6):
    with open(os.path.join(out, f"tensor{major * 10 + proto:05d}_000"), "wb") as f:
        pickle.dump(a, f, protocol=proto)
print(np.__version__)
