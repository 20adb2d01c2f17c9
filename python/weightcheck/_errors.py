"""The exceptions weightcheck raises, one class per kind of failure.

Every one is a ``WeightcheckError``, and also the built-in exception a
Python caller would expect: a missing path is a ``FileNotFoundError``,
malformed input a ``ValueError``. A verification that finds a problem is
not an exception: ``verify`` and ``hash`` return their document with the
verdict in it.
"""

from typing import Optional


class WeightcheckError(Exception):
    """Base class of every error weightcheck raises."""

    #: The file or directory the error is about, when there is one.
    path: Optional[str] = None


class WeightcheckOSError(WeightcheckError, OSError):
    """An operating-system error on a named file or directory."""


class NotFoundError(WeightcheckOSError, FileNotFoundError):
    """A path that does not exist."""


class PermissionDeniedError(WeightcheckOSError, PermissionError):
    """A path that could not be read for lack of permission."""


class InputError(WeightcheckError, ValueError):
    """An input that is malformed or unusable: a file in no tensor format
    weightcheck reads, a manifest, config or checksum list it cannot use, a
    release it cannot tell, a file too large or not a regular file."""


class FormatError(InputError):
    """Malformed, truncated or hostile content at a byte offset."""

    #: Byte offset of the offending item from the start of ``path``.
    offset: Optional[int] = None


class TorrentMismatchError(InputError):
    """A .torrent whose info-hash is not the magnet link's or manifest's."""
