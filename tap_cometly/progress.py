"""Progress a person can follow: windows done of total, records, rate-limit waits, time left.

A long backfill logs one INFO line at a steady rhythm (at most every `every_seconds`, and after
the last window), never one per record or per request.

The time left comes from the recent pace, not the average since the start: an export-driven
run's first window waits for Cometly to process its export while the later ones are processed
alongside, so they come much faster, and an average over the whole run would stay far too long
for most of it. The pace is the windows done over the last RECENT_REPORTS report intervals,
counted from the first window's end at the earliest (its time includes the start-up), so there
is no estimate until two windows are done. Exports finish in bursts (a few created per minute),
and intervals of `every_seconds` or more span several bursts, where the gaps between single
windows would swing from nothing to a whole burst's wait.
"""

from __future__ import annotations

import time
import typing as t
from collections import deque

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Callable

    from tap_cometly.windows import Window

# Two intervals of at least `every_seconds`: long enough to even out bursts, short enough that a
# change of pace (the rate limit starting to bite) shows within two lines.
RECENT_REPORTS = 2


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """Counts one stream's windows and records and reports them now and then."""

    def __init__(
        self,
        stream: str,
        total_windows: int,
        logger: logging.Logger,
        *,
        waited_seconds: Callable[[], float],
        every_seconds: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.total_windows = total_windows
        self.windows_done = 0
        self.records = 0
        self._logger = logger
        self._waited_seconds = waited_seconds
        self._waited_at_start = waited_seconds()
        self._every = every_seconds
        self._clock = clock
        self._started = clock()
        self._last_report = self._started
        # (time, windows done) when the first window ended and at each report since, latest last.
        self._marks: deque[tuple[float, int]] = deque(maxlen=RECENT_REPORTS)

    def window_done(self, window: Window, records: int) -> None:
        self.windows_done += 1
        self.records += records
        now = self._clock()
        if self.windows_done == 1:
            self._marks.append((now, 1))
        last = self.windows_done == self.total_windows
        if not last and now - self._last_report < self._every:
            return
        self._last_report = now
        self._logger.info(
            "Progress of '%s': window %d of %d done (%s), %d records so far, %s waited on rate "
            "limits, %s.",
            self.stream,
            self.windows_done,
            self.total_windows,
            window,
            self.records,
            _duration(self._waited_seconds() - self._waited_at_start),
            "finished" if last else self._time_left(now),
        )
        if self.windows_done > 1:
            self._marks.append((now, self.windows_done))

    def _time_left(self, now: float) -> str:
        since, done_then = self._marks[0]
        # Nothing done since the first window, or windows that ended at one instant: no pace.
        if self.windows_done == done_then or now <= since:
            return "time left not known yet"
        windows_per_second = (self.windows_done - done_then) / (now - since)
        left = (self.total_windows - self.windows_done) / windows_per_second
        return f"about {_duration(left)} left"
