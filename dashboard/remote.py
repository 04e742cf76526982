"""Data from an S3-compatible bucket: ``DATA_URL=s3://bucket/prefix``, mirrored into a local directory.

The bucket holds what ``mtm build`` writes to ``data/parquet/``: content-named Parquet files and
``manifest.json``, which names the set (``mtm publish``, in ``dashboard.pipeline.publish``, uploads the files
first and the manifest last; it uses the URL, filesystem and manifest helpers below). The app never reads
Parquet from the bucket: it keeps a local mirror directory that the ordinary DataStore reads
(``dashboard/data.py`` stays the only Parquet reader; this module only copies bytes). A sync

1. reads the bucket's ``manifest.json`` (nothing else happens when it equals the mirror's);
2. downloads the files it lists that the mirror lacks, each to a temporary name, checks its sha256 against
   the manifest and renames it into place;
3. replaces the mirror's ``manifest.json`` last, atomically: that rename is the switch the DataStore sees.

A bucket that cannot be reached, or whose data set is broken (a listed file missing or not matching its
hash), leaves the mirror as it was: the app keeps serving the last good set, and ``/healthz`` says so.

The first sync runs at start-up: without a bucket *and* without a usable mirror the app refuses to start
with a message saying what to check. Later syncs run every ``DATA_SYNC_SECONDS`` on a daemon thread, never
on a request. S3 calls time out after ``TIMEOUT_S`` and are not retried within a sync (the next sync is the
retry). Syncs of the processes sharing a mirror (gunicorn workers) take turns through a file lock.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pyarrow import fs as pafs

from dashboard.atomic import write_atomic
from dashboard.data import MANIFEST, DataUnavailable, data_version
from dashboard.schema import SOURCES_TABLE, TABLES

log = logging.getLogger(__name__)

TIMEOUT_S = 2.0  # connect and request timeouts of every S3 call made by the app
DEFAULT_SYNC_S = 60.0
DEFAULT_REGION = "us-east-1"
CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 1 << 20
LOCK_FILE = ".sync.lock"
# a plain file name: a manifest can never make the mirror write outside its directory
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.parquet$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

OK = "bucket ok"
UNAVAILABLE = "bucket unavailable (serving data version {version} from the local mirror)"
REJECTED = "bucket data set rejected: {reason} (serving data version {version} from the local mirror)"


class RemoteUnavailable(DataUnavailable):
    """Neither the bucket nor a usable local mirror can provide the data (the app cannot start)."""


class BadDataSet(Exception):
    """The bucket answered, but its data set cannot be used (no manifest, a file missing or corrupt)."""


# -- locations and the S3 filesystem ---------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """``s3://bucket/prefix`` as pyarrow paths (``bucket/prefix/name``)."""

    url: str
    bucket: str
    prefix: str

    def key(self, name: str) -> str:
        return "/".join(p for p in (self.bucket, self.prefix, name) if p)


def parse_url(url: str) -> Location:
    parts = urlsplit(url.strip())
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"DATA_URL={url!r} is not an s3://bucket/prefix URL (for a local directory set MTM_DATA_DIR)"
        )
    return Location(url.strip().rstrip("/"), parts.netloc, parts.path.strip("/"))


def endpoint_from_env(environ: Mapping[str, str] = os.environ) -> str | None:
    return (
        environ.get("DATA_S3_ENDPOINT")
        or environ.get("AWS_ENDPOINT_URL_S3")
        or environ.get("AWS_ENDPOINT_URL")
        or None
    )


def filesystem(
    endpoint: str | None = None,
    *,
    environ: Mapping[str, str] = os.environ,
    timeout: float = TIMEOUT_S,
    attempts: int = 1,
) -> pafs.S3FileSystem:
    """pyarrow's S3 filesystem for AWS or any S3-compatible server (MinIO, Ceph, …) at ``endpoint``.

    Credentials: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` (/ ``AWS_SESSION_TOKEN``) when set, else
    the AWS SDK's usual chain (shared credentials file, instance role). Region: ``AWS_REGION`` /
    ``AWS_DEFAULT_REGION``, else us-east-1."""
    endpoint = endpoint or endpoint_from_env(environ)
    kwargs: dict = {
        "region": environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        "connect_timeout": timeout,
        "request_timeout": timeout,
        "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=attempts),
    }
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"S3 endpoint {endpoint!r} is not http(s)://host[:port]")
        kwargs["scheme"] = parts.scheme
        kwargs["endpoint_override"] = parts.netloc
    key, secret = environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        kwargs.update(access_key=key, secret_key=secret, session_token=environ.get("AWS_SESSION_TOKEN"))
    return pafs.S3FileSystem(**kwargs)


# -- manifests -------------------------------------------------------------------------------------------


def parse_manifest(raw: bytes) -> dict[str, dict]:
    """The table entries of a manifest, checked for shape (every table, plain file names, sha256 hashes)."""
    try:
        tables = json.loads(raw)["tables"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{MANIFEST} is not valid ({exc!r})") from None
    if not isinstance(tables, dict):
        raise ValueError(f"{MANIFEST} has no table list")
    for name in (*TABLES, SOURCES_TABLE):
        entry = tables.get(name)
        if not isinstance(entry, dict):
            raise ValueError(f"{MANIFEST} names no file for table {name!r}")
        file, sha = str(entry.get("file", "")), str(entry.get("sha256", ""))
        if not _FILE_NAME.match(file) or not _SHA256.match(sha):
            raise ValueError(f"{MANIFEST} entry for table {name!r} has no plain file name and sha256")
    return tables


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


# -- the mirror ------------------------------------------------------------------------------------------


def default_mirror_dir(url: str) -> Path:
    """A directory of this user's under the temp dir, one per DATA_URL."""
    key = hashlib.sha256(url.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"mtm-mirror-{os.getuid()}" / key


class Mirror:
    """A local copy of the bucket's data set, kept in sync; ``status()`` is what ``/healthz`` reports."""

    def __init__(
        self,
        location: Location,
        directory: Path,
        filesystem: pafs.FileSystem,
        interval: float = DEFAULT_SYNC_S,
    ):
        self.location = location
        self.directory = Path(directory)
        self.fs = filesystem
        self.interval = interval
        self._lock = threading.Lock()  # one sync at a time in this process (the file lock: across processes)
        self._status = (OK, "")  # (state, reason): replaced whole, so a reader never sees half of it
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        _mirrors.add(self)

    # -- start and stop -----------------------------------------------------------------------------
    def start(self) -> Path:
        """First sync, then the periodic one; returns the directory to read. Raises RemoteUnavailable when
        the bucket cannot provide the data and the mirror holds no usable copy."""
        self._prepare_directory()
        if not self.sync():
            version = self.local_version()
            if version is None:
                raise RemoteUnavailable(
                    f"DATA_URL={self.location.url}: cannot get the data set from the bucket ({self.reason}) "
                    f"and the local mirror {self.directory} holds no usable copy yet. Check DATA_S3_ENDPOINT "
                    f"(or AWS_ENDPOINT_URL), the AWS_* credentials, and that `mtm publish "
                    f"{self.location.url}` has been run."
                )
            log.warning(
                "bucket: %s: %s; starting from the local mirror %s (data version %s)",
                self.location.url,
                self.reason,
                self.directory,
                version,
            )
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mtm-bucket-sync", daemon=True)
            self._thread.start()
        return self.directory

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sync()

    def _prepare_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # e.g. a directory planted under /tmp by another user, who could then swap the data served
        for path, allowed in ((self.directory, {os.getuid()}), (self.directory.parent, {os.getuid(), 0})):
            owner = path.stat().st_uid
            if owner not in allowed:
                raise RemoteUnavailable(
                    f"the mirror directory {path} belongs to another user (uid {owner}); "
                    f"set MTM_MIRROR_DIR to a directory of this user's"
                )

    # -- status ---------------------------------------------------------------------------------------
    def status(self, version: str | None) -> str:
        """``bucket ok``, or why not and which data version the mirror serves meanwhile."""
        state, reason = self._status
        if state == OK:
            return OK
        return state.format(version=version or "none", reason=reason)

    @property
    def ok(self) -> bool:
        return self._status[0] == OK

    @property
    def reason(self) -> str:
        return self._status[1]

    def _record(self, state: str, reason: str = "") -> None:
        if state != self._status[0]:
            if state == OK:
                log.warning("bucket: %s is back", self.location.url)
            else:
                retry = f"retrying every {self.interval:g}s" if self.interval > 0 else "DATA_SYNC_SECONDS=0"
                log.warning("bucket: %s: %s; serving the local mirror (%s)", self.location.url, reason, retry)
        self._status = (state, reason)

    # -- syncing --------------------------------------------------------------------------------------
    def sync(self) -> bool:
        """Bring the mirror to the bucket's data set. True when it holds the bucket's current set; False
        (the mirror untouched, the reason in ``status()``) when the bucket is unreachable or its set broken.
        Never raises for S3 or data problems."""
        with self._lock:
            try:
                with self._file_lock():
                    self._sync_locked()
            except BadDataSet as exc:
                self._record(REJECTED, str(exc))
                return False
            except OSError as exc:  # pyarrow reports network and S3 errors as OSError
                self._record(UNAVAILABLE, short_reason(exc))
                return False
            except Exception as exc:  # anything else: still never the request's or the sync thread's end
                log.exception("bucket: sync from %s failed", self.location.url)
                self._record(UNAVAILABLE, short_reason(exc))
                return False
            self._record(OK)
            return True

    @contextlib.contextmanager
    def _file_lock(self):
        with open(self.directory / LOCK_FILE, "a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _sync_locked(self) -> None:
        remote = self._read_manifest()
        local_path = self.directory / MANIFEST
        try:
            local = local_path.read_bytes()
        except FileNotFoundError:
            local = None
        try:
            tables = parse_manifest(remote)
        except ValueError as exc:
            raise BadDataSet(f"{self.location.key(MANIFEST)}: {exc}") from None
        if remote == local and all((self.directory / e["file"]).exists() for e in tables.values()):
            return  # the usual case: one small GET, nothing to do
        fetched = [name for entry in tables.values() if (name := self._fetch(entry))]
        previous = _manifest_files(local)
        write_atomic(self.directory / MANIFEST, lambda fh: fh.write(remote))  # the switch
        log.info(
            "bucket: mirrored data version %s from %s into %s (%d files downloaded)",
            data_version(tables),
            self.location.url,
            self.directory,
            len(fetched),
        )
        keep = {e["file"] for e in tables.values()} | previous  # the previous set: for readers loading it
        for stale in self.directory.glob("*.parquet"):
            if stale.name not in keep:
                stale.unlink(missing_ok=True)

    def _read_manifest(self) -> bytes:
        key = self.location.key(MANIFEST)
        try:
            with self.fs.open_input_stream(key) as stream:
                raw = stream.read(MAX_MANIFEST_BYTES + 1)
        except FileNotFoundError:
            raise BadDataSet(
                f"no {MANIFEST} at {self.location.url} (run `mtm publish {self.location.url}`)"
            ) from None
        if len(raw) > MAX_MANIFEST_BYTES:
            raise BadDataSet(f"{key} is larger than {MAX_MANIFEST_BYTES} bytes")
        return raw

    def _fetch(self, entry: dict) -> str | None:
        """Make sure the mirror has ``entry``'s file with its hash; returns its name if it was downloaded."""
        name, sha = entry["file"], entry["sha256"]
        target = self.directory / name
        if target.exists() and _sha256_file(target) == sha:
            return None
        key = self.location.key(name)
        h = hashlib.sha256()

        def download(fh) -> None:
            try:
                with self.fs.open_input_stream(key) as stream:
                    while chunk := stream.read(CHUNK):
                        h.update(chunk)
                        fh.write(chunk)
            except FileNotFoundError:
                raise BadDataSet(f"{key}, listed in {MANIFEST}, is missing") from None
            if h.hexdigest() != sha:
                raise BadDataSet(f"{key} does not match its sha256 in {MANIFEST}")

        write_atomic(self.directory / name, download)
        return name

    def local_version(self) -> str | None:
        """The data version the mirror holds, if it is complete and intact; None otherwise."""
        try:
            tables = parse_manifest((self.directory / MANIFEST).read_bytes())
            for entry in tables.values():
                if _sha256_file(self.directory / entry["file"]) != entry["sha256"]:
                    return None
        except (OSError, ValueError):
            return None
        return data_version(tables)


def _manifest_files(raw: bytes | None) -> set[str]:
    if raw is None:
        return set()
    try:
        return {e["file"] for e in parse_manifest(raw).values()}
    except ValueError:
        return set()


def short_reason(exc: Exception) -> str:
    """An S3 error as one line of at most 300 characters (for /healthz, the log and `mtm publish`)."""
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "…"


def from_env(environ: Mapping[str, str] = os.environ) -> Mirror | None:
    """The mirror configured by ``DATA_URL`` (None when unset), not yet started."""
    url = (environ.get("DATA_URL") or "").strip()
    if not url:
        return None
    try:
        location = parse_url(url)
        interval = float(environ.get("DATA_SYNC_SECONDS") or DEFAULT_SYNC_S)
        s3 = filesystem(environ=environ)
    except ValueError as exc:
        raise RemoteUnavailable(str(exc)) from None
    directory = Path(environ.get("MTM_MIRROR_DIR") or default_mirror_dir(location.url))
    return Mirror(location, directory, s3, interval)


# Daemon threads must not be inside an S3 call when pyarrow finalizes S3 at exit: stop them first (atexit
# runs handlers in reverse order, and pyarrow.fs registered its own when it was imported above).
_mirrors: weakref.WeakSet[Mirror] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for mirror in list(_mirrors):
        mirror.stop(timeout=TIMEOUT_S + 1)
