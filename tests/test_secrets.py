"""Secrets stay secret at DEBUG level, through retries, 429s, exports and expired URLs: neither the
API key nor a presigned URL's signature reaches stdout, stderr, a STATE or an exception's text,
and the key goes to api_url's host only."""

from __future__ import annotations

import json
import time
import traceback
import typing as t
from pathlib import Path

import pytest

from fake_cometly import FakeCometly, Fault
from tests.helpers import (
    events_exported_catalog,
    leaked_secrets,
    run_cli,
    run_until_error,
    signatures,
    tap_config,
)

# Long and unlike anything else in the output, so a leak of it cannot hide or be a coincidence.
SECRET_KEY = "ck_live_7Qm2ZpX9vR4tW8yB3nK6hJ5c"
SETUP = {"sources": ["facebook_ads", "email"], "attribution_model": "last_touch"}
DEBUG = {"TAP_COMETLY_LOGLEVEL": "DEBUG"}


@pytest.fixture
def fake(start_fake: t.Callable[..., FakeCometly]) -> FakeCometly:
    return start_fake(days=2, events_per_day=150, contacts=200, companies=20, api_key=SECRET_KEY)


def config_for(fake: FakeCometly, **overrides: t.Any) -> dict[str, t.Any]:
    return tap_config(
        fake,
        **{
            "api_key": SECRET_KEY,
            "attribution_setups": [{**SETUP, "attribution_window": 7}],
            "contacts_window_days": 1,
            # With events_exported_catalog, events' day exports: more presigned URLs.
            "extraction_method": "list",
            "request_timeout_seconds": 0.4,
            **overrides,
        },
    )


def secrets_in(text: str, fake: FakeCometly) -> list[str]:
    return leaked_secrets(text, fake, SECRET_KEY)


def states(stdout: str) -> list[str]:
    return [
        line for line in stdout.splitlines() if line.strip() and json.loads(line)["type"] == "STATE"
    ]


def assert_key_only_to_the_api(fake: FakeCometly) -> None:
    api = fake.requests(listener="api")
    storage = fake.requests(listener="storage")
    assert api
    assert storage
    for request in api:
        assert request.header("Authorization") == f"Bearer {SECRET_KEY}", request.path
    for download in storage:
        assert download.header("Authorization") is None
        assert SECRET_KEY not in json.dumps([download.headers, download.query])


def test_a_debug_run_through_every_fault_leaks_no_secret(fake: FakeCometly, tmp_path: Path) -> None:
    for fault in (
        Fault("status", family="events_list", count=2, status=503),
        Fault("status", family="events_list", status=429, retry_after=1),
        Fault("reset", family="events_list"),
        Fault("status", family="export_status", status=429, retry_after=1),
        Fault("slow", family="export_status", delay=0.8),
        Fault("export_fail"),
        Fault("expire_url", family="download"),
        Fault("truncate_gzip", family="download"),
        Fault("slow", family="download", delay=0.8),
        Fault("status", family="download", status=500),
        Fault("reset", family="download"),
    ):
        fake.inject(fault)
    config = config_for(fake)
    done = run_cli(config, tmp_path, DEBUG, catalog=events_exported_catalog(config))

    assert done.returncode == 0, done.stderr[-3000:]
    assert fake.faults_left() == []
    statuses = [entry.status for entry in fake.request_log]
    assert statuses.count(429) == 2
    assert 403 in statuses, "an expired URL was met"
    # One URL per contacts window and events day, and a fresh one after the expired one.
    assert len(signatures(fake)) >= 2 * fake.config.days + 1, "fresh URLs were signed and used"
    # DEBUG was on: urllib3 logged every request line, the downloads' included.
    assert "| DEBUG" in done.stderr
    assert "GET /exports/" in done.stderr
    assert "Retrying" in done.stderr
    assert states(done.stdout)
    for where, text in (
        ("stdout", done.stdout),
        ("stderr", done.stderr),
        ("STATE", "\n".join(states(done.stdout))),
    ):
        assert secrets_in(text, fake) == [], f"a secret in {where}"
    assert_key_only_to_the_api(fake)


@pytest.mark.parametrize(
    ("faults", "says"),
    [
        pytest.param(
            [Fault("expire_url", family="download", count=1000)],
            "fresh download URLs in a row as expired",
            id="every URL expired",
        ),
        pytest.param(
            [Fault("reset", family="events_list", count=100_000)],
            "the API kept failing",
            id="API resetting connections",
        ),
    ],
)
def test_a_failing_debug_run_leaks_no_secret_in_its_error(
    fake: FakeCometly, tmp_path: Path, faults: list[Fault], says: str
) -> None:
    # Companies and contacts come first: attribution pages fail after downloads succeeded.
    for fault in faults:
        fake.inject(fault)
    config = config_for(fake, max_retry_minutes=0.01, request_timeout_seconds=0.3)
    catalog = events_exported_catalog(config)
    done = run_cli(config, tmp_path, {"LOGLEVEL": "DEBUG"}, catalog=catalog)
    assert done.returncode == 1
    error = done.stderr.splitlines()[-1]
    assert says in error
    assert "| DEBUG" in done.stderr
    assert signatures(fake), "the run was given a download URL"
    assert secrets_in(done.stderr, fake) == []
    assert secrets_in(done.stdout, fake) == []
    assert_key_only_to_the_api(fake)


def exception_texts(error: BaseException) -> str:
    """The error as a log handler prints it, plus every error chained to it, shown or not."""
    texts = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args)]
        current = current.__cause__ or current.__context__
    return "\n".join(texts)


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(Fault("expire_url", family="download", count=1000), id="expired"),
        pytest.param(Fault("reset", family="download", count=100_000), id="download reset"),
        pytest.param(Fault("slow", family="download", count=100_000, delay=1.0), id="timeout"),
        pytest.param(Fault("truncate_gzip", family="download", count=3), id="truncated"),
        pytest.param(Fault("bad_ndjson"), id="bad line"),
    ],
)
def test_no_secret_in_the_exception_or_its_chain(fake: FakeCometly, fault: Fault) -> None:
    fake.inject(fault)
    config = config_for(fake, max_retry_minutes=0.01, request_timeout_seconds=0.3)
    error = run_until_error(config, catalog=events_exported_catalog(config)).error
    if fault.kind == "slow":
        time.sleep(fault.delay)  # the fake logs a slow download once it answers
    assert str(error).startswith("Stream 'contacts', window ")
    assert signatures(fake)
    assert secrets_in(exception_texts(error), fake) == []
