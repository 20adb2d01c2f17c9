#!/usr/bin/env python3
"""numpy_pickles.py OUTDIR: one float32 array pickled by this Python's numpy
with protocols 2, 3, 4 and 5, each as a Grok-1-style shard file named
tensor{MAJOR}{PROTOCOL}..._000 (numpy 1.x: 0001N, numpy 2.x: 0002N).

These are the benign reconstruction paths a release may ship: protocol 2
stores the payload through `_codecs.encode(text, 'latin1')`, protocols 3-4
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
for proto in (2, 3, 4, 5):
    with open(os.path.join(out, f"tensor{major * 10 + proto:05d}_000"), "wb") as f:
        pickle.dump(a, f, protocol=proto)
print(np.__version__)
