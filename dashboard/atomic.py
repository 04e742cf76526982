"""Atomic file writes: a temporary file in the same directory, flushed to disk, renamed into place.

Readers (other workers, other instances on a shared disk) see the old file or the new one, never half.
Shared by the data pipeline (``mtm build`` / ``mtm import``) and the app's bucket mirror, so it lives outside
``dashboard.pipeline``. Writers that must prepare several files before switching any of them (an import) use
``write_aside`` and rename later; the others use ``write_atomic`` / ``write_bytes_atomic``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

DEFAULT_MODE = 0o644
KEEP_MODE = None  # ``mode=KEEP_MODE``: the target's own permissions (DEFAULT_MODE for a new file)


def mode_of(target: Path) -> int:
    """The permissions to give a new version of ``target``: its own, else rw-r--r--."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return DEFAULT_MODE


def write_aside(
    target: Path,
    write: Callable[[BinaryIO], object],
    mode: int | None = DEFAULT_MODE,
    directory: Path | None = None,
) -> Path:
    """A new temporary file named after ``target`` (``.<name>.<random>.tmp``) in ``directory`` (default: the
    target's, the same file system, so it can be renamed into place), holding what ``write`` writes, flushed
    to disk. The caller renames or removes it.

    ``mode``: mkstemp makes files owner-only, but the server may run as another user than the writer."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory or target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            os.fchmod(fh.fileno(), mode_of(target) if mode is KEEP_MODE else mode)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: Path, write: Callable[[BinaryIO], object], mode: int | None = DEFAULT_MODE) -> None:
    """Give ``path`` what ``write`` writes into the binary file it is handed, atomically."""
    tmp = write_aside(path, write, mode)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes, mode: int | None = DEFAULT_MODE) -> None:
    write_atomic(path, lambda fh: fh.write(data), mode)


def fsync_dir(directory: Path) -> None:
    """Make the renames in ``directory`` durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
