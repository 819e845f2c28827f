"""The tap's side of "a crash costs at most one window": read as a target reads it, from the
pipe as lines arrive, every STATE comes after all the RECORDs its bookmark covers, and it is
written out as soon as its window's last record, not held back until more output follows."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import typing as t
from datetime import datetime, timezone
from pathlib import Path

from fake_cometly import FakeCometly
from tests.helpers import catalog_for, tap_config

REPO = Path(__file__).resolve().parent.parent
# One GET /events call every 3 real seconds, one call a window: windows come out 3 s apart (a
# margin for a loaded machine), so a STATE held back until the next window's output would
# arrive seconds late.
PACED = {
    "events_requests_per_minute": 1,
    "rate_limit_window_seconds": 3,
    "per_page": 4000,
    "events_window_days": 1,
}
PROMPT_SECONDS = 0.3
WINDOW_SPACING_SECONDS = 0.7


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=timezone.utc)


def arrivals(command: list[str]) -> list[tuple[float, dict[str, t.Any]]]:
    """Each message of the tap's stdout with the monotonic time its line arrived."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO)
    # Bounded: a tap that hangs is killed, which ends the reads below.
    deadline = threading.Timer(60, process.kill)
    deadline.start()
    received: list[tuple[float, dict[str, t.Any]]] = []
    try:
        assert process.stdout is not None
        # readline returns a line as soon as the pipe holds it; it never waits for more.
        for line in iter(process.stdout.readline, b""):
            received.append((time.monotonic(), json.loads(line)))
        assert process.wait() == 0
    finally:
        deadline.cancel()
        process.kill()
    return received


def test_each_state_follows_its_records_and_is_written_at_once(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path
) -> None:
    fake = start_fake(days=4, events_per_day=300)
    config = tap_config(fake, **PACED)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    catalog_path = tmp_path / "catalog.json"
    catalog_path.write_text(json.dumps(catalog_for(config, {"events": None})))
    command = [sys.executable, "-m", "tap_cometly.tap", "--config", str(config_path)]
    received = arrivals([*command, "--catalog", str(catalog_path)])

    event_times = {row["id"]: parse_utc(row["event_time_utc"]) for row in fake.all_events()}
    records = [(i, m["record"]["id"]) for i, (_, m) in enumerate(received) if m["type"] == "RECORD"]
    # The first STATE of each bookmark: the one written at its window's end (the SDK repeats
    # the last one when the stream finishes).
    first_states: dict[datetime, int] = {}
    for i, (_, message) in enumerate(received):
        if message["type"] == "STATE":
            value = message["value"]["bookmarks"].get("events", {}).get("replication_key_value")
            if value is not None:
                first_states.setdefault(parse_utc(value), i)
    bookmarks = [(i, bookmark) for bookmark, i in first_states.items()]
    assert len(bookmarks) == fake.config.days
    for position, bookmark in bookmarks:
        covered = {event for event, at in event_times.items() if at < bookmark}
        before = {event for i, event in records if i < position}
        after = {event for i, event in records if i > position}
        assert covered <= before, f"STATE {bookmark} came before records it covers"
        assert not covered & after, f"records covered by STATE {bookmark} came after it"

        last_record = max(i for i, _ in records if i < position)
        state_at = received[position][0]
        assert state_at - received[last_record][0] < PROMPT_SECONDS
        next_records = [i for i, _ in records if i > position]
        if next_records:
            # The next window's rows come a paced second later: the STATE did not wait for them.
            assert received[next_records[0]][0] - state_at > WINDOW_SPACING_SECONDS
