"""The export tracker: several export jobs in flight together, their files handed out in order.

An event export covers one day, Cometly allows 5 export creations and 30 status checks a minute
per Space, and an export takes from seconds to minutes to process. Exported one after another,
days would leave most of the creation budget unused; the tracker therefore

- keeps the job the caller waits for and the next ones, up to MAX_IN_FLIGHT jobs, in flight:
  their exports are created as fast as the creation budget allows, earliest job first (a failed
  export's re-creation included);
- checks the exports in flight round-robin: each at its own back-off (ExportJob's schedule, a
  shorter one for the job the caller waits for), the one whose check is due first first;
- never sleeps on one budget while the other has work: the pacer says how long a creation or a
  status check would wait, and the tracker does whatever is possible meanwhile;
- hands out each job's file in the jobs' order, so the caller can emit days oldest first and
  bookmark after each. A job that completes early keeps only its status until its turn; its file
  is downloaded then (through a fresh URL if the one in hand has expired), so one file at a time
  is on disk and memory stays flat;
- raises a stuck job's error (failed export_max_attempts times, unfinished at its timeout, or an
  API call that failed beyond the retry budget while an earlier job was awaited) only when its
  turn comes: every earlier job's rows are out and bookmarked first. Jobs after a stuck one are
  left alone: the run ends at its turn.
"""

from __future__ import annotations

import math
import time
import typing as t
from contextlib import ExitStack

from tap_cometly.errors import CometlyAPIError

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Sequence

    from tap_cometly.exports.download import ExportFile
    from tap_cometly.exports.job import ExportJob

# Jobs in flight at once. Once their back-off reaches 30 s they are checked twice a minute, so 10
# stay within the 30 status checks a minute even while new ones are checked more often; and at
# 5 creations a minute, 10 keep the creation budget busy while exports take up to 2 minutes.
MAX_IN_FLIGHT = 10
# Shortest sleep when every job waits on something: keeps a rounding error from spinning.
_MIN_SLEEP_SECONDS = 0.001


class Budget(t.Protocol):
    """A rate-limit budget that can say how long the next call would wait (a Pacer), and count
    the waits for it that the tracker sleeps itself (they are rate-limit waits all the same)."""

    def seconds_until_free(self) -> float: ...

    def note_wait(self, seconds: float) -> None: ...


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
        while True:
            in_flight = self._in_flight(turn)
            to_start = next((job for job in in_flight if not job.started), None)
            if to_start is not None:
                # Free, or one status check for an export saved in the state.
                self._step(to_start, to_start.start, head)
                continue
            to_create = next((job for job in in_flight if job.needs_export), None)
            create_wait = self._creates.seconds_until_free() if to_create else math.inf
            if to_create is not None and create_wait <= 0:
                self._step(to_create, to_create.create, head)
                continue
            if head.is_completed:
                return
            head.raise_if_stuck()
            now = self._clock()
            # What the tracker waits for: the head's deadline, a creation's budget, the next
            # check (its back-off, or the status budget when that comes later).
            waits: list[tuple[float, Budget | None]] = [
                (head.deadline - now, None),
                (create_wait, self._creates),
            ]
            next_check = self._next_check(in_flight)
            if next_check is not None:
                due_at, due = next_check
                budget_wait = self._checks.seconds_until_free()
                if max(due_at - now, budget_wait) <= 0:
                    self._step(due, due.check, head)
                    continue
                if budget_wait > due_at - now:
                    waits.append((budget_wait, self._checks))
                else:
                    waits.append((due_at - now, None))
            wait, budget = min(waits, key=lambda pair: pair[0])
            wait = max(wait, _MIN_SLEEP_SECONDS)
            if budget is not None:
                budget.note_wait(wait)
            self._sleep(wait)

    def _in_flight(self, turn: int) -> Sequence[ExportJob]:
        """The jobs from this turn's on that may be worked on: up to max_in_flight, and none
        after a stuck one."""
        jobs = self._jobs[turn : turn + self._max_in_flight]
        stuck = next((index for index, job in enumerate(jobs) if job.is_stuck()), None)
        return jobs if stuck is None else jobs[: stuck + 1]

    @staticmethod
    def _step(job: ExportJob, step: Callable[[], None], head: ExportJob) -> None:
        """Take one step of a job; a later job's API error waits for that job's turn."""
        try:
            step()
        except CometlyAPIError as error:
            if job is head:
                raise
            job.give_up(error)

    @staticmethod
    def _next_check(jobs: Sequence[ExportJob]) -> tuple[float, ExportJob] | None:
        """When the first status check is due, and whose, if any job needs one; jobs[0] is the
        one the caller waits for."""
        due = [
            (at, index)
            for index, job in enumerate(jobs)
            if (at := job.check_due_at(waited_for=index == 0)) is not None
        ]
        if not due:
            return None
        at, index = min(due)
        return at, jobs[index]
