"""weightcheck: what an open-weights AI model release really contains,
proven byte by byte.

Each function returns the document the ``weightcheck`` command prints with
``--json`` (dicts, lists, strings, ints, floats, bools and None), and runs
without holding the GIL:

- ``inspect(path)``: the tensor records of ``inspect PATH --json`` (its
  ``tensors`` list); ``inventory(path)``: its whole document;
- ``verify(path, release=None, manifest=None, config=None, sums=None)``:
  ``verify PATH --json``;
- ``hash(path, torrent=None, magnet=None)``: ``hash PATH --json``.

Errors raise subclasses of ``WeightcheckError`` (see ``weightcheck._errors``);
a verification that fails is a result, not an error: check
``verify(...)["result"]`` and ``hash(...)["ok"]``.
"""

from ._errors import (
    FormatError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    TorrentMismatchError,
    WeightcheckError,
    WeightcheckOSError,
)
from ._native import hash, inspect, inventory, verify

# `hash` is left out: `from weightcheck import *` must not shadow the
# built-in hash(). Call it as weightcheck.hash.
__all__ = [
    "FormatError",
    "InputError",
    "NotFoundError",
    "PermissionDeniedError",
    "TorrentMismatchError",
    "WeightcheckError",
    "WeightcheckOSError",
    "inspect",
    "inventory",
    "verify",
]
