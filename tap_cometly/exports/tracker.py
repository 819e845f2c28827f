"""The export tracker: several export jobs in flight together, their files handed out in order.

An event export covers one day, Cometly allows 5 export creations and 30 status checks a minute
per Space, and an export takes from seconds to minutes to process. Exported one after another,
days would leave most of the creation budget unused; the tracker therefore

- keeps the job the caller waits for and the next ones, up to MAX_IN_FLIGHT jobs, in flight:
  their exports are created as fast as the creation budget allows, earliest job first (a failed
  export's re-creation included);
- checks the exports in flight round-robin: each at its own back-off (ExportJob's schedule), the
  one whose check is due first first;
- never sleeps on one budget while the other has work: the pacer says how long a creation or a
  status check would wait, and the tracker does whatever is possible meanwhile;
- hands out each job's file in the jobs' order, so the caller can emit days oldest first and
  bookmark after each. A job that completes early keeps only its status until its turn; its file
  is downloaded then (through a fresh URL if the one in hand has expired), so one file at a time
  is on disk and memory stays flat;
- raises a stuck job's error (failed export_max_attempts times, or unfinished at its timeout)
  only when its turn comes: every earlier job's rows are out and bookmarked first.
"""

from __future__ import annotations

import math
import time
import typing as t
from contextlib import ExitStack

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Sequence

    from tap_cometly.exports.download import ExportFile
    from tap_cometly.exports.job import ExportJob

# Jobs in flight at once. Each is checked at least every 30 s (2 a minute), so 10 stay within
# the 30 status checks a minute even while new ones are checked more often; and at 5 creations
# a minute, 10 keep the creation budget busy while exports take up to about 2 minutes.
MAX_IN_FLIGHT = 10
# Shortest sleep when every job waits on something: keeps a rounding error from spinning.
_MIN_SLEEP_SECONDS = 0.001


class Budget(t.Protocol):
    """A rate-limit budget that can say how long the next call would wait (a Pacer)."""

    def seconds_until_free(self) -> float: ...


class ExportTracker:
    """Drives `jobs` (in the order their files are wanted); see the module docstring."""

    def __init__(
        self,
        jobs: Sequence[ExportJob],
        *,
        creates: Budget,
        checks: Budget,
        max_in_flight: int = MAX_IN_FLIGHT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._jobs = list(jobs)
        self._creates = creates
        self._checks = checks
        self._max_in_flight = max_in_flight
        self._sleep = sleep
        self._clock = clock

    def files(self) -> Generator[ExportFile, None, None]:
        """Each job's file, in order, verified whole. A file is deleted when the next one is
        asked for, or when the caller closes the generator."""
        for turn, job in enumerate(self._jobs):
            with ExitStack() as downloads:
                export_file = None
                while export_file is None:
                    self._work_until_completed(turn)
                    export_file = job.fetch(downloads)
                yield export_file

    def _work_until_completed(self, turn: int) -> None:
        """Create, check and wait for the jobs in flight until the job of this turn completes.

        Jobs entering the flight are started and creations the budget allows are made first,
        even when the head is already complete: its rows take a while to read, and the
        creation budget must not sit idle meanwhile.
        """
        head = self._jobs[turn]
        in_flight = self._jobs[turn : turn + self._max_in_flight]
        while True:
            to_start = next((job for job in in_flight if not job.started), None)
            if to_start is not None:
                to_start.start()  # free, or one status check for an export saved in the state
                continue
            to_create = next((job for job in in_flight if job.needs_export), None)
            create_wait = self._creates.seconds_until_free() if to_create else math.inf
            if to_create is not None and create_wait <= 0:
                to_create.create()
                continue
            if head.is_completed:
                return
            head.raise_if_stuck()
            now = self._clock()
            waits = [head.deadline - now, create_wait]
            due = self._next_check(in_flight)
            if due is not None:
                due_at = due.check_due_at()
                assert due_at is not None
                check_wait = max(due_at - now, self._checks.seconds_until_free())
                if check_wait <= 0:
                    due.check()
                    continue
                waits.append(check_wait)
            self._sleep(max(min(waits), _MIN_SLEEP_SECONDS))

    @staticmethod
    def _next_check(jobs: Sequence[ExportJob]) -> ExportJob | None:
        """The job whose status check is due first, if any needs one."""
        due = [
            (at, index) for index, job in enumerate(jobs) if (at := job.check_due_at()) is not None
        ]
        return jobs[min(due)[1]] if due else None
