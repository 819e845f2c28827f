"""Progress lines: a steady rhythm, windows done of total, records, waits, time left."""

from __future__ import annotations

import logging
import re
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


def test_the_estimate_follows_the_recent_pace_not_the_slow_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An export-driven run: the first window waits a minute for its export, the next 29 come
    # every 2 s (their exports were processed meanwhile).
    now = [0.0]
    progress = Progress(
        "events", 30, logging.getLogger("test"), waited_seconds=lambda: 0.0, every_seconds=15,
        clock=lambda: now[0],
    )  # fmt: skip
    estimates: list[tuple[str, float]] = []
    with caplog.at_level(logging.INFO):
        for index in range(30):
            now[0] += 60 if index == 0 else 2
            caplog.clear()
            progress.window_done(window(index), 10)
            if caplog.records:
                estimates.append((caplog.records[0].getMessage(), 2.0 * (29 - index)))
    first_line = estimates[0][0]
    assert "window 1 of 30 done" in first_line
    assert first_line.endswith("time left not known yet.")
    assert estimates[-1][0].endswith("finished.")
    middle = estimates[1:-1]
    assert len(middle) == 3, "one line every 15 s"
    for line, truly_left in middle:
        found = re.search(r"about (\d+) s left", line)
        assert found, line
        assert float(found.group(1)) == pytest.approx(truly_left, rel=0.25), line


def test_bursts_of_windows_do_not_swing_the_estimate(caplog: pytest.LogCaptureFixture) -> None:
    # Exports created a few a minute finish a few at a time: 4 windows within 0.3 s every 10 s.
    ends = [30.0] + [30.0 + 10 * burst + 0.1 * slot for burst in range(1, 11) for slot in range(4)]
    now = [0.0]
    progress = Progress(
        "events", len(ends), logging.getLogger("test"), waited_seconds=lambda: 0.0,
        every_seconds=15, clock=lambda: now[0],
    )  # fmt: skip
    checked = 0
    with caplog.at_level(logging.INFO):
        for index, end in enumerate(ends):
            now[0] = end
            caplog.clear()
            progress.window_done(window(index), 10)
            truly_left = ends[-1] - end
            found = caplog.records and re.search(r"about (\d+) (s|min) left", caplog.text)
            if found and truly_left >= 20:
                estimate = float(found.group(1)) * (60 if found.group(2) == "min" else 1)
                # A count of windows over a span is off by up to a burst; the average since the
                # start would say 3.6 times the truth at the first estimate.
                assert truly_left / 2 <= estimate <= truly_left * 2, caplog.text
                checked += 1
    assert checked >= 3


def test_the_pace_shifts_to_a_slowdown_within_a_few_windows(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    progress = Progress(
        "contacts", 40, logging.getLogger("test"), waited_seconds=lambda: 0.0, every_seconds=15,
        clock=lambda: now[0],
    )  # fmt: skip
    with caplog.at_level(logging.INFO):
        for index in range(32):
            now[0] += 1 if index < 20 else 5  # the rate limit starts to bite at window 21
            progress.window_done(window(index), 10)
    last = caplog.records[-1].getMessage()
    found = re.search(r"window (\d+) of 40 done.* about (\d+) s left", last)
    assert found, last
    done, left = int(found.group(1)), float(found.group(2))
    assert done >= 30
    # The average since the start would say about half of this.
    assert left == pytest.approx(5.0 * (40 - done), rel=0.15), last


def test_a_sync_logs_its_progress(fake: FakeCometly, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        run_tap(tap_config(fake))
    lines = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("Progress of 'events'")
    ]
    assert lines
    assert "window 5 of 5 done" in lines[-1]
