"""Progress lines: a steady rhythm, windows done of total, records, waits, time left."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest

from fake_cometly import FakeCometly
from tap_cometly.progress import Progress
from tap_cometly.windows import Window
from tests.helpers import run_tap, tap_config

START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def window(index: int) -> Window:
    return Window(START + timedelta(days=index), START + timedelta(days=index + 1))


def test_reports_at_a_steady_rhythm_with_an_estimate(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    waited = [0.0]
    progress = Progress(
        "events", 10, logging.getLogger("test"), waited_seconds=lambda: waited[0],
        every_seconds=15, clock=lambda: now[0],
    )  # fmt: skip
    with caplog.at_level(logging.INFO):
        for index in range(10):
            now[0] += 6  # a window takes 6 s: a line every third window, and at the end
            waited[0] += 2
            progress.window_done(window(index), 100)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4
    assert lines[0].startswith("Progress of 'events': window 3 of 10 done")
    assert "300 records so far" in lines[0]
    assert "6 s waited on rate limits" in lines[0]
    assert "about 42 s left" in lines[0]
    assert lines[-1].endswith("finished.")
    assert "window 10 of 10" in lines[-1]


def test_a_sync_logs_its_progress(fake: FakeCometly, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        run_tap(tap_config(fake))
    lines = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("Progress of 'events'")
    ]
    assert lines
    assert "window 5 of 5 done" in lines[-1]
