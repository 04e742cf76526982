"""``mtm publish``: upload a data set (``data/parquet``) to the S3 bucket that instances read with
``DATA_URL``: every file the bucket lacks, then ``manifest.json`` last, the switch. The app's side (the mirror
that syncs from the bucket) is ``dashboard.remote``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pyarrow import fs as pafs

from dashboard.data import MANIFEST, DataStore, DataUnavailable, data_version
from dashboard.remote import CHUNK, filesystem, parse_manifest, parse_url, short_reason

PUBLISH_TIMEOUT_S = 30.0  # `mtm publish` may wait longer (and retries): nobody is waiting on a page


class PublishError(Exception):
    """`mtm publish` cannot upload the data set; the message says why."""


def publish(
    source: Path,
    url: str,
    *,
    filesystem_: pafs.FileSystem | None = None,
    say: Callable[[str], None] = print,
) -> str:
    """Upload the data set in ``source`` (``data/parquet``) to ``url``: every file the bucket lacks, then
    ``manifest.json`` last, so instances syncing meanwhile see the old set or the new one. Returns the data
    version. Raises PublishError (nothing switched) when the local set is incomplete or the bucket fails."""
    try:
        location = parse_url(url)
    except ValueError as exc:
        raise PublishError(str(exc).replace("DATA_URL=", "")) from None
    try:
        raw = (source / MANIFEST).read_bytes()
        tables = parse_manifest(raw)
    except (OSError, ValueError) as exc:
        raise PublishError(f"{source}: {exc}. Run `mtm build` first.") from None
    try:  # never publish a set the instances would reject: the same checks as theirs (hashes, readable)
        DataStore.load(source)
    except DataUnavailable as exc:
        raise PublishError(str(exc)) from None
    s3 = filesystem_ or filesystem(timeout=PUBLISH_TIMEOUT_S, attempts=3)
    try:
        if s3.get_file_info(location.bucket).type == pafs.FileType.NotFound:
            raise PublishError(f"bucket {location.bucket!r} does not exist (create it first)")
        for entry in sorted(tables.values(), key=lambda e: e["file"]):
            path, key = source / entry["file"], location.key(entry["file"])
            size = path.stat().st_size
            info = s3.get_file_info(key)
            if info.type == pafs.FileType.File and info.size == size:
                say(f"  present   {key}")  # content-named: same name and size is the same file
                continue
            with open(path, "rb") as src, s3.open_output_stream(key) as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
            say(f"  uploaded  {key} ({size:,} bytes)")
        with s3.open_output_stream(location.key(MANIFEST)) as dst:
            dst.write(raw)
        say(f"  uploaded  {location.key(MANIFEST)} (last: the switch)")
    except OSError as exc:
        raise PublishError(f"{location.url}: {short_reason(exc)}") from None
    return data_version(tables)
