"""Helpers for tests that run the tap against the fake Cometly API."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import typing as t
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fake_cometly import FakeCometly, FakeConfig
from tap_cometly.errors import CometlyAPIError
from tap_cometly.tap import TapCometly

TIME_SCALE = 60.0
API_KEY = "test-key"
REPO = Path(__file__).resolve().parent.parent
# The query parameter of a presigned URL that must never be shown.
SIGNATURE = "X-Amz-Signature"


def fake_config(**overrides: t.Any) -> FakeConfig:
    defaults: dict[str, t.Any] = {
        "seed": 7,
        "first_day": date(2024, 3, 8),
        "days": 5,
        "events_per_day": 300,
        "contacts": 500,
        "companies": 40,
        "timezone": "America/New_York",
        "time_scale": TIME_SCALE,
        "api_key": API_KEY,
    }
    return FakeConfig(**{**defaults, **overrides})


def tap_config(fake: FakeCometly, **overrides: t.Any) -> dict[str, t.Any]:
    """Settings that point the tap at the fake, with its time scale."""
    cfg = fake.config
    config: dict[str, t.Any] = {
        "api_key": API_KEY,
        "api_url": fake.base_url,
        "start_date": cfg.first_day.isoformat(),
        "end_date": date.fromordinal(cfg.first_day.toordinal() + cfg.days).isoformat(),
        "timezone": cfg.timezone,
        "rate_limit_window_seconds": 60 / cfg.time_scale,
        "retry_initial_wait_seconds": 0.02,
        "max_retry_minutes": 0.25,
        "request_timeout_seconds": 5,
        "export_poll_seconds": 0.02,
        # The list path unless a test chooses another (most tests were written for it);
        # tests/test_event_exports.py covers export and auto, the setting's default.
        "extraction_method": "list",
    }
    config.update(overrides)
    return {key: value for key, value in config.items() if value is not None}


@dataclass
class TapRun:
    """The Singer messages of one in-process tap run, and the lines they were written as."""

    messages: list[dict[str, t.Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def records(self, stream: str) -> list[dict[str, t.Any]]:
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]

    @property
    def states(self) -> list[dict[str, t.Any]]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def last_state(self) -> dict[str, t.Any]:
        return self.states[-1] if self.states else {}

    def bookmark(self, stream: str) -> t.Any:
        return self.last_state.get("bookmarks", {}).get(stream, {}).get("replication_key_value")


def run_tap(
    config: dict[str, t.Any],
    state: dict[str, t.Any] | None = None,
    catalog: dict[str, t.Any] | None = None,
) -> TapRun:
    """Run a full sync in this process and parse what it wrote to stdout."""
    run, error = _sync(config, state, catalog)
    if error is not None:
        raise error
    return run


@dataclass
class FailedRun:
    """What a failing sync wrote before it stopped, and the error it stopped with."""

    run: TapRun
    error: CometlyAPIError


def run_until_error(
    config: dict[str, t.Any],
    state: dict[str, t.Any] | None = None,
    catalog: dict[str, t.Any] | None = None,
) -> FailedRun:
    """Run a sync that is expected to fail with a user-facing error."""
    run, error = _sync(config, state, catalog)
    assert error is not None, "the sync was expected to fail"
    return FailedRun(run, error)


def _sync(
    config: dict[str, t.Any], state: dict[str, t.Any] | None, catalog: dict[str, t.Any] | None
) -> tuple[TapRun, CometlyAPIError | None]:
    tap = TapCometly(config=config, state=state, catalog=catalog)
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    error = None
    with redirect_stdout(out):
        try:
            tap.sync_all()
        except CometlyAPIError as failure:
            error = failure
    out.flush()
    lines = [line for line in raw.getvalue().decode().splitlines() if line.strip()]
    return TapRun([json.loads(line) for line in lines], lines), error


def catalog_for(config: dict[str, t.Any], select: dict[str, list[str] | None]) -> dict[str, t.Any]:
    """A discovered catalog with only the given streams (and, when listed, properties) selected."""
    catalog = TapCometly(config=config).catalog_dict
    for entry in catalog["streams"]:
        wanted = entry["tap_stream_id"] in select
        fields = select.get(entry["tap_stream_id"])
        for meta in entry["metadata"]:
            breadcrumb = meta["breadcrumb"]
            if not breadcrumb:
                meta["metadata"]["selected"] = wanted
            elif fields is not None:
                meta["metadata"]["selected"] = breadcrumb[-1] in fields
    return catalog


def events_exported_catalog(config: dict[str, t.Any]) -> dict[str, t.Any]:
    """Every stream selected, and every field of events, event_url included: only day exports
    deliver it, so with extraction_method list events' past days go to exports while
    event_attributions reads GET /events pages."""
    discovered = catalog_for(config, {})["streams"]
    selection: dict[str, list[str] | None] = {entry["tap_stream_id"]: None for entry in discovered}
    events = next(entry for entry in discovered if entry["tap_stream_id"] == "events")
    selection["events"] = list(events["schema"]["properties"])
    return catalog_for(config, selection)


def run_cli(
    config: dict[str, t.Any],
    tmp_path: Path,
    env: dict[str, str] | None = None,
    *,
    settings_from_env: bool = False,
    catalog: dict[str, t.Any] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m tap_cometly.tap` as a user would, with `env` added to an environment that
    holds none of this process's tap settings or log levels (they would change what it says)."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps({k: v for k, v in config.items() if v is not None}))
    command = [sys.executable, "-m", "tap_cometly.tap", "--config", str(config_path)]
    if settings_from_env:
        command += ["--config", "ENV"]
    if catalog is not None:
        catalog_path = tmp_path / "catalog.json"
        catalog_path.write_text(json.dumps(catalog))
        command += ["--catalog", str(catalog_path)]
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TAP_COMETLY_") and not key.endswith("LOGLEVEL")
    }
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**inherited, **(env or {})},
        timeout=60,
        cwd=REPO,
        check=False,
    )


def messages_of(finished: subprocess.CompletedProcess[str]) -> list[dict[str, t.Any]]:
    """The Singer messages a tap process wrote to stdout."""
    return [json.loads(line) for line in finished.stdout.splitlines() if line.strip()]


def iso(value: str) -> str:
    """The fake's "YYYY-MM-DD HH:MM:SS" UTC as the tap writes it."""
    return value if value.endswith("Z") else value.replace(" ", "T") + "Z"


def signatures(fake: FakeCometly) -> set[str]:
    """Every presigned URL signature the tap was given (each one it downloaded from)."""
    found = set()
    for download in fake.requests(listener="storage"):
        query = dict(download.query)
        assert SIGNATURE in query, "the tap dropped the signature from the URL"
        found.add(query[SIGNATURE])
    return found


def leaked_secrets(text: str, fake: FakeCometly, api_key: str) -> list[str]:
    """The secrets `text` shows: the API key, a presigned URL's signature or its name."""
    leaked = [api_key] if api_key in text else []
    leaked += [f"signature {s[:8]}..." for s in signatures(fake) if s in text]
    if SIGNATURE in text:
        leaked.append(SIGNATURE)
    return leaked
