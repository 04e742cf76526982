"""Data from an S3-compatible bucket (DATA_URL), against moto's S3 server on a loopback port started here:
`mtm publish` then an app with DATA_URL serves the same data as a local one, new versions are picked up,
a stopped bucket leaves the app serving from its mirror (and /healthz says so) until it returns, a broken
data set in the bucket never replaces the mirror, and no bucket plus no mirror stops the start with a clear
message. Never touches the internet: dummy AWS credentials, endpoint on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyarrow import fs as pafs

from dashboard import cli, remote
from dashboard.app_factory import create_app
from dashboard.data import DataUnavailable
from dashboard.pipeline.build import write_tables
from dashboard.serve import free_port
from tests.dash_requests import table_request
from tests.fixtures_data import MANIFEST, PARQUET_DIR, ROOT, TABLE_NAMES, committed_store, manifest_files

moto_server = pytest.importorskip("moto.server", reason="moto[s3] and flask-cors are in the test extra")


class S3Server:
    """moto's S3 in server mode on a fixed loopback port, so it can be stopped and started again (its
    buckets live in this process's memory and survive the restart)."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = None

    def start(self) -> None:
        self._server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


@pytest.fixture
def s3():
    server = S3Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def env(monkeypatch, tmp_path, s3):
    """Dummy credentials, the loopback endpoint, a fresh bucket and mirror; no periodic sync (tests call
    sync() themselves unless they set DATA_SYNC_SECONDS)."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_SESSION_TOKEN", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    bucket = f"mtm-{uuid.uuid4().hex[:12]}"
    values = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "DATA_S3_ENDPOINT": s3.endpoint,
        "DATA_URL": f"s3://{bucket}/mtm/data",
        "MTM_MIRROR_DIR": str(tmp_path / "mirror"),
        "DATA_SYNC_SECONDS": "0",
        "MTM_WARM": "0",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    admin = pafs.S3FileSystem(
        access_key="testing",
        secret_key="testing",
        region="us-east-1",
        scheme="http",
        endpoint_override=f"127.0.0.1:{s3.port}",
        allow_bucket_creation=True,
    )
    admin.create_dir(bucket)
    mirror = Path(values["MTM_MIRROR_DIR"])
    return {"url": values["DATA_URL"], "bucket": bucket, "mirror": mirror, "s3": admin}


@pytest.fixture
def apps():
    """Apps created by a test; their sync threads are stopped afterwards."""
    made = []

    def make():
        app = create_app()
        made.append(app)
        return app

    yield make
    for app in made:
        mirror = app.server.config.get("MTM_MIRROR")
        if mirror is not None:
            mirror.stop()


def _data_set(out: Path, drop: int) -> Path:
    """A valid data set: the shipped one without its last ``drop`` visa rows."""
    tables = {name: _read_table(name) for name in TABLE_NAMES}
    tables["visas"] = tables["visas"].slice(0, tables["visas"].num_rows - drop)
    write_tables(tables, out)
    return out


@pytest.fixture(scope="module")
def v2(tmp_path_factory) -> Path:
    return _data_set(tmp_path_factory.mktemp("v2"), 3)


def _read_table(name: str):
    entry = json.loads((PARQUET_DIR / MANIFEST).read_text())["tables"][name]
    return pq.read_table(PARQUET_DIR / entry["file"])


def _version(directory: Path) -> str:
    return remote.data_version(json.loads((directory / MANIFEST).read_text())["tables"])


def _publish(url: str, directory: Path = PARQUET_DIR) -> None:
    assert cli.main(["publish", url, "--data", str(directory)]) == 0


def _health(client) -> dict:
    r = client.get("/healthz")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def _serves_data(client) -> None:
    """A page and a data callback (the explorer's table, default view) answer from the data."""
    assert client.get("/").status_code == 200
    body = table_request()
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200
    assert "Temporary residence permits issued" in r.get_data(as_text=True)


def _wait_for(predicate, what: str, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


# -- publish and serve -----------------------------------------------------------------------------------


def test_published_data_is_served_like_local_data(env, apps, capsys):
    _publish(env["url"])
    lines = capsys.readouterr().out.splitlines()
    uploads = [line for line in lines if "uploaded" in line]
    assert len(uploads) == len(TABLE_NAMES) + 1 and MANIFEST in uploads[-1]  # files first, manifest last

    client = apps().server.test_client()
    health = _health(client)
    local = committed_store()
    assert health["bucket"] == remote.OK
    assert (health["data_version"], health["rows"]) == (local.version, local.observations.height)
    mirrored = sorted(p.name for p in env["mirror"].iterdir() if not p.name.startswith("."))
    assert mirrored == sorted([MANIFEST, *manifest_files(PARQUET_DIR)])  # the published generation
    _serves_data(client)

    _publish(env["url"])  # again: content-named files already there are not uploaded twice
    lines = capsys.readouterr().out.splitlines()
    assert sum("present" in line for line in lines) == len(TABLE_NAMES)


def test_without_data_url_there_is_no_bucket_in_healthz(env, apps, monkeypatch):
    monkeypatch.delenv("DATA_URL")
    app = apps()
    assert app.server.config["MTM_MIRROR"] is None
    assert "bucket" not in _health(app.server.test_client())


def test_a_new_version_is_picked_up_after_a_sync(env, apps, v2, tmp_path):
    _publish(env["url"])
    app = apps()
    client = app.server.test_client()
    assert _health(client)["data_version"] == _version(PARQUET_DIR)
    _publish(env["url"], v2)
    assert _health(client)["data_version"] == _version(PARQUET_DIR)  # not before the next sync
    assert app.server.config["MTM_MIRROR"].sync()
    health = _health(client)
    assert health["data_version"] == _version(v2) != _version(PARQUET_DIR)
    assert health["rows"] == committed_store().observations.height - 3
    assert health["bucket"] == remote.OK

    # a third version: the mirror keeps it and the previous one (for readers still loading it), no older
    v3 = _data_set(tmp_path / "v3", 5)
    _publish(env["url"], v3)
    assert app.server.config["MTM_MIRROR"].sync()
    assert _health(client)["data_version"] == _version(v3)
    kept = {p.name for p in env["mirror"].glob("*.parquet")}
    assert kept == {e["file"] for d in (v2, v3) for e in _manifest_of(d)["tables"].values()}


def test_a_file_lost_from_the_mirror_is_downloaded_again(env, apps):
    _publish(env["url"])
    mirror = apps().server.config["MTM_MIRROR"]
    lost = env["mirror"] / _manifest_of(PARQUET_DIR)["tables"]["flows"]["file"]
    lost.unlink()
    assert mirror.sync()
    assert lost.read_bytes() == (PARQUET_DIR / lost.name).read_bytes()


# -- the outage drill ------------------------------------------------------------------------------------


def test_bucket_outage_keeps_serving_and_recovers(env, apps, v2, s3, monkeypatch):
    monkeypatch.setenv("DATA_SYNC_SECONDS", "0.2")  # the background sync, quickly
    _publish(env["url"])
    client = apps().server.test_client()
    v1 = _version(PARQUET_DIR)
    seen = [_health(client)]
    assert seen[-1]["bucket"] == remote.OK

    s3.stop()
    seen.append(_wait_for(lambda: (h := _health(client))["bucket"] != remote.OK and h, "bucket unavailable"))
    assert seen[-1]["bucket"] == remote.UNAVAILABLE.format(version=v1)
    assert seen[-1]["status"] == "ok" and seen[-1]["data_version"] == v1
    _serves_data(client)

    s3.start()
    _publish(env["url"], v2)
    seen.append(_wait_for(lambda: (h := _health(client))["data_version"] == _version(v2) and h, "new data"))
    assert seen[-1]["bucket"] == remote.OK
    _serves_data(client)
    for h in seen:
        print("healthz:", json.dumps(h, sort_keys=True))


def test_unreachable_bucket_with_a_mirror_starts_from_the_mirror(env, apps, s3, caplog):
    _publish(env["url"])
    apps()  # fills the mirror
    s3.stop()
    with caplog.at_level("WARNING", logger="dashboard.remote"):
        client = apps().server.test_client()
    assert any("starting from the local mirror" in r.getMessage() for r in caplog.records)
    health = _health(client)
    assert health["bucket"] == remote.UNAVAILABLE.format(version=_version(PARQUET_DIR))
    _serves_data(client)


def test_unreachable_bucket_without_a_mirror_stops_the_start(env, monkeypatch):
    monkeypatch.setenv("DATA_S3_ENDPOINT", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    # the start gives up quickly: every S3 client it makes has the short timeouts and a single attempt
    # (checked on the clients, not timed: the machine may be busy)
    made: list[tuple[float, float, int]] = []
    s3_filesystem = pafs.S3FileSystem

    def recorded(**kwargs):
        made.append(
            (kwargs["connect_timeout"], kwargs["request_timeout"], kwargs["retry_strategy"].max_attempts)
        )
        return s3_filesystem(**kwargs)

    monkeypatch.setattr(pafs, "S3FileSystem", recorded)
    with pytest.raises(DataUnavailable) as exc:
        create_app()
    assert made and set(made) == {(remote.TIMEOUT_S, remote.TIMEOUT_S, 1)}, made
    message = str(exc.value)
    assert env["url"] in message and str(env["mirror"]) in message and "no usable copy" in message
    assert "mtm publish" in message

    # and through the gunicorn entry point: exit status 3 (gunicorn stops) with the message
    done = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3
    assert "cannot start" in done.stderr and "no usable copy" in done.stderr


def test_empty_bucket_without_a_mirror_says_to_publish(env):
    with pytest.raises(DataUnavailable, match=r"no manifest.json at s3://.*\(run `mtm publish s3://"):
        create_app()


# -- broken data sets in the bucket ----------------------------------------------------------------------


def _put(env, name: str, data: bytes) -> None:
    with env["s3"].open_output_stream(f"{env['bucket']}/mtm/data/{name}") as out:
        out.write(data)


def _manifest_of(directory: Path) -> dict:
    return json.loads((directory / MANIFEST).read_text())


@pytest.mark.parametrize("fault", ["wrong hash", "missing file", "not json", "path outside"])
def test_a_broken_data_set_in_the_bucket_keeps_the_previous_mirror(env, apps, v2, fault):
    _publish(env["url"])
    app = apps()
    client = app.server.test_client()
    mirror = app.server.config["MTM_MIRROR"]
    before = (env["mirror"] / MANIFEST).read_bytes()

    manifest = _manifest_of(v2)
    for entry in manifest["tables"].values():  # the new files, uploaded as a publish would
        _put(env, entry["file"], (v2 / entry["file"]).read_bytes())
    visas = manifest["tables"]["visas"]
    if fault == "wrong hash":
        visas["sha256"] = "0" * 64
    elif fault == "missing file":
        visas["file"] = "visas-0000000000000000.parquet"
    elif fault == "path outside":
        visas["file"] = "../../escape.parquet"
    raw = b"{not json" if fault == "not json" else json.dumps(manifest).encode()
    _put(env, MANIFEST, raw)

    assert not mirror.sync()
    health = _health(client)
    assert health["bucket"].startswith("bucket data set rejected: ")
    assert health["bucket"].endswith(f"(serving data version {_version(PARQUET_DIR)} from the local mirror)")
    assert health["data_version"] == _version(PARQUET_DIR)
    assert (env["mirror"] / MANIFEST).read_bytes() == before
    assert not (env["mirror"].parent / "escape.parquet").exists()
    assert not [p for p in env["mirror"].iterdir() if p.name.endswith(".tmp")]
    _serves_data(client)

    _publish(env["url"], v2)  # a good publish repairs it
    assert mirror.sync()
    assert _health(client)["data_version"] == _version(v2)


# -- publish errors --------------------------------------------------------------------------------------


def test_publish_refuses_a_broken_local_set_and_a_missing_bucket(env, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for p in PARQUET_DIR.iterdir():
        (broken / p.name).write_bytes(p.read_bytes())
    name = _manifest_of(PARQUET_DIR)["tables"]["flows"]["file"]
    (broken / name).write_bytes(b"PAR1 damaged")
    assert cli.main(["publish", env["url"], "--data", str(broken)]) == 2
    assert "does not match manifest.json" in capsys.readouterr().err
    assert env["s3"].get_file_info(f"{env['bucket']}/mtm/data/{MANIFEST}").type == pafs.FileType.NotFound

    assert cli.main(["publish", "s3://no-such-bucket-here/x"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["publish", "https://example.org/x"]) == 2
    assert "s3://bucket/prefix" in capsys.readouterr().err


def test_data_url_must_be_s3(env, monkeypatch):
    monkeypatch.setenv("DATA_URL", "/srv/data")
    with pytest.raises(DataUnavailable, match="not an s3://bucket/prefix URL"):
        create_app()
