"""Atomic file writes: a temporary file in the same directory, flushed to disk, renamed into place.

Readers (other workers, other instances on a shared disk) see the old file or the new one, never half.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, write: Callable[[BinaryIO], object], mode: int = 0o644) -> None:
    """Give ``path`` what ``write`` writes into the binary file it is handed, atomically.

    ``mode``: mkstemp makes files owner-only, but the server may run as another user than the writer."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            os.fchmod(fh.fileno(), mode)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    write_atomic(path, lambda fh: fh.write(data), mode)
