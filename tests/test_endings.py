"""However a run ends (interrupted, `--test`, an error), the writer's batch is out, and no STATE
covers rows that were not sent before it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import typing as t
from datetime import datetime, timezone
from pathlib import Path

import pytest

from fake_cometly import FakeCometly, Fault
from tests.helpers import catalog_for, tap_config

REPO = Path(__file__).resolve().parent.parent


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def write_json(path: Path, value: dict[str, t.Any]) -> str:
    path.write_text(json.dumps(value))
    return str(path)


def tap_command(config: dict[str, t.Any], tmp_path: Path, *options: str) -> list[str]:
    catalog = catalog_for(config, {"events": None})
    return [
        sys.executable,
        "-m",
        "tap_cometly.tap",
        "--config",
        write_json(tmp_path / "config.json", config),
        "--catalog",
        write_json(tmp_path / "catalog.json", catalog),
        *options,
    ]


@pytest.mark.parametrize(
    ("stop", "exit_code"),
    [
        pytest.param(signal.SIGINT, 130, id="SIGINT"),
        pytest.param(signal.SIGTERM, 143, id="SIGTERM"),
    ],
)
def test_an_interrupted_run_fails_after_its_records_and_a_state_they_cover(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path, stop: signal.Signals, exit_code: int
) -> None:
    # Paced GET /events pages (seven a second): the run is still going when the signal comes.
    fake = start_fake(days=6, events_per_day=400)
    config = tap_config(fake, events_window_days=1, per_page=100)
    log_path = tmp_path / "tap.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            tap_command(config, tmp_path),
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            cwd=REPO,
        )
    assert process.stdout is not None
    # Bounded: a tap that does not stop is killed, which ends the reads below.
    deadline = threading.Timer(20, process.kill)
    deadline.start()
    messages: list[dict[str, t.Any]] = []
    bookmarked = False
    for line in process.stdout:
        messages.append(json.loads(line))
        if messages[-1]["type"] == "STATE" and messages[-1]["value"].get("bookmarks"):
            bookmarked = True
        elif bookmarked and messages[-1]["type"] == "RECORD":
            process.send_signal(stop)  # mid-window: the window's first page is out
            signalled = time.monotonic()
            break
    try:
        # The same buffered reader as above: communicate() would skip what it already holds.
        messages += [json.loads(line) for line in process.stdout.read().splitlines()]
        process.wait()
        stopping = time.monotonic() - signalled
    finally:
        deadline.cancel()
        process.kill()
    log = log_path.read_text()

    assert process.returncode == exit_code
    assert stopping < 5, "no wait (a rate limit's, a retry's) outlasts the signal"
    last_state = max(index for index, m in enumerate(messages) if m["type"] == "STATE")
    bookmark = messages[last_state]["value"]["bookmarks"]["events"]["replication_key_value"]
    sent_before = {m["record"]["id"] for m in messages[:last_state] if m["type"] == "RECORD"}
    sent = {m["record"]["id"] for m in messages if m["type"] == "RECORD"}
    covered = {
        row["id"]
        for row in fake.all_events()
        if parse_utc(row["event_time_utc"]) < parse_utc(bookmark)
    }
    assert covered <= sent_before
    assert len(sent) > len(covered), "the window in progress sent its records read so far"
    assert f"Stopped by {stop.name}" in log
    assert f"events from {bookmark}" in log


def test_test_mode_reads_list_endpoints_only_and_prints_a_record_per_stream(
    fake: FakeCometly, tmp_path: Path
) -> None:
    # Exports are the settings' choice, and start_date a year before the fake's data: `--test`
    # still reads through the list endpoints, over the last day of the range only.
    setup = {"sources": "all", "attribution_model": "linear", "attribution_window": 30}
    config = tap_config(
        fake, extraction_method="export", start_date="2023-03-08", attribution_setups=[setup]
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tap_cometly.tap", "--config",
         write_json(tmp_path / "config.json", config), "--test"],
        capture_output=True, text=True, timeout=60, cwd=REPO, check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    messages = [json.loads(line) for line in done.stdout.splitlines()]
    records = sorted(m["stream"] for m in messages if m["type"] == "RECORD")
    assert records == ["companies", "event_attributions", "events"]
    assert "stream 'contacts' is skipped" in done.stderr
    assert fake.count(method="POST") == 0, "no export created"
    api_calls = [entry for entry in fake.request_log if entry.listener == "api"]
    assert len(api_calls) <= 4, [entry.path for entry in api_calls]
    assert elapsed < 15, f"{elapsed:.1f} s"


def test_a_run_that_stops_on_an_error_sends_the_records_it_read(
    fake: FakeCometly, tmp_path: Path
) -> None:
    # The first day's second page is an HTML page: the first page's records are already out.
    fake.inject(Fault("bad_body", family="events_list", mode="html", skip=1))
    config = tap_config(fake, events_window_days=1, per_page=100)
    done = subprocess.run(
        tap_command(config, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 1
    messages = [json.loads(line) for line in done.stdout.splitlines()]
    assert len([m for m in messages if m["type"] == "RECORD"]) == 100
