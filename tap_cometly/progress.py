"""Progress a person can follow: windows done of total, records, rate-limit waits, time left.

A long backfill logs one INFO line at a steady rhythm (at most every `every_seconds`, and after
the last window), never one per record or per request.
"""

from __future__ import annotations

import time
import typing as t

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Callable

    from tap_cometly.windows import Window


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

    def window_done(self, window: Window, records: int) -> None:
        self.windows_done += 1
        self.records += records
        now = self._clock()
        last = self.windows_done == self.total_windows
        if not last and now - self._last_report < self._every:
            return
        self._last_report = now
        elapsed = now - self._started
        left = elapsed / self.windows_done * (self.total_windows - self.windows_done)
        self._logger.info(
            "Progress of '%s': window %d of %d done (%s), %d records so far, %s waited on rate "
            "limits, %s.",
            self.stream,
            self.windows_done,
            self.total_windows,
            window,
            self.records,
            _duration(self._waited_seconds() - self._waited_at_start),
            "finished" if last else f"about {_duration(left)} left",
        )
