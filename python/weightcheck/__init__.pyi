"""Type stubs of the weightcheck package (the native module's functions)."""

import os
from typing import Any, Dict, List, Optional, TypedDict, Union

from ._errors import (
    FormatError as FormatError,
    InputError as InputError,
    NotFoundError as NotFoundError,
    PermissionDeniedError as PermissionDeniedError,
    TorrentMismatchError as TorrentMismatchError,
    WeightcheckError as WeightcheckError,
    WeightcheckOSError as WeightcheckOSError,
)

_Path = Union[str, "os.PathLike[str]"]

class TensorRecord(TypedDict):
    """One tensor, as in ``weightcheck inspect --json``'s ``tensors``."""

    index: Optional[int]
    file: str
    name: Optional[str]
    kind: str
    shape: List[int]
    dtype: str
    scales_shape: Optional[List[int]]
    scales_dtype: Optional[str]
    parameters: int
    data_offset: int
    payload_bytes: int
    file_bytes: int

def inspect(path: _Path) -> List[TensorRecord]:
    """The tensors of every tensor file at ``path`` (a file, or a directory
    searched recursively); raises if a file cannot be decoded."""

def inventory(path: _Path) -> Dict[str, Any]:
    """``inspect PATH --json``'s whole document: ``tensors``, ``errors``
    (undecodable files, not raised), ``other_files``, ``totals``."""

def verify(
    path: _Path,
    release: Optional[str] = None,
    manifest: Optional[_Path] = None,
    config: Optional[_Path] = None,
    sums: Optional[_Path] = None,
) -> Dict[str, Any]:
    """``verify PATH --json``: the verdict is ``["result"]`` (VERIFIED,
    STRUCTURE OK, FAILED, NOTHING CHECKED), not an exception."""

def hash(
    path: _Path,
    torrent: Optional[_Path] = None,
    magnet: Optional[str] = None,
) -> Dict[str, Any]:
    """``hash PATH --json``: per-file SHA-256 (and torrent pieces);
    ``["ok"]`` says whether everything matched."""

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
