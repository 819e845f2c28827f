"""An export job: created (or taken over from an earlier run), polled until its file is ready,
re-created when Cometly reports it failed, and downloaded with a fresh URL when the last expired.

Budgets shape the rules: Cometly allows 5 export creations and 30 status checks a minute per Space
(the client's pacer enforces both), so a job waits export_poll_seconds before its first status
check and half as long again after each check that finds it unfinished (at most 6 first waits,
2 for the export the caller waits for), and a failed or vanished job is the only reason to create
another. The job sends no request itself: an export repository (repository.py) creates and
checks its exports. The export tracker (tracker.py) drives the jobs, several in flight at once.
"""

from __future__ import annotations

import math
import time
import typing as t
from dataclasses import dataclass

from tap_cometly.errors import CometlyAPIError, Location
from tap_cometly.exports.download import ExpiredDownloadError
from tap_cometly.exports.repository import ExportNotFoundError
from tap_cometly.exports.status import ExportStatus

if t.TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Mapping
    from contextlib import ExitStack

    from tap_cometly.exports.download import Downloader, ExportFile
    from tap_cometly.exports.repository import ExportRepository
    from tap_cometly.exports.status import ExportState

POLL_BACKOFF = 1.5
# Longest wait between two checks of an export, in first waits (30 s at the default 5 s): about
# 5 checks for a minute-long export, so 5 new exports a minute (the creation budget) stay within
# the 30 status checks a minute.
MAX_POLL_WAITS = 6
# The same for the export the caller is waiting for (10 s at the default): once it finishes, it
# waits at most this long to be noticed. The others need not be noticed before their turn.
HEAD_MAX_POLL_WAITS = 2
# Fresh download URLs asked for in a row when each one is refused as expired.
MAX_URL_REFRESHES = 3


@dataclass(frozen=True)
class JobLimits:
    """The settings a job runs by: export_poll_seconds, export_timeout_minutes (in seconds) and
    export_max_attempts."""

    poll_seconds: float
    timeout_seconds: float
    max_attempts: int


class ExportJob:
    """One export (of one stream's window, say): create, check, re-create, download.

    `repository` creates and checks its exports, `downloader` fetches the completed export's
    file. `where` says in logs and errors whose export it is (stream and window).

    The job's only link to the caller's state: `saved_export_id` is an export an earlier run
    created with the same parameters: it is checked first and reused unless Cometly no longer
    knows it or reports it failed. `on_created` is called with each new export's id right after
    its creation, so the caller can save it in the state before waiting for it; `on_abandoned`
    when a saved export taken over is still unfinished at this run's timeout too, so the caller
    can drop it from the state: the next run then creates a new export, not wait on it again.

    The job is a small state machine whose steps (start, create, check, fetch) each make at most
    one API call and never wait, so that the export tracker can drive several jobs at once.
    """

    def __init__(
        self,
        repository: ExportRepository,
        downloader: Downloader,
        *,
        parameters: Mapping[str, t.Any],
        limits: JobLimits,
        where: Location,
        logger: logging.Logger,
        saved_export_id: int | None,
        on_created: Callable[[int], None],
        on_abandoned: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repository = repository
        self._downloader = downloader
        self._parameters = dict(parameters)
        self._limits = limits
        self._where = where
        self._logger = logger
        self._saved_export_id = saved_export_id
        self._on_created = on_created
        self._on_abandoned = on_abandoned
        self._clock = clock
        self._created = 0
        self._started = False
        # The export in hand; None while one has to be created (at first, or after a failure).
        self._state: ExportState | None = None
        self._taken_over = False  # whether the export in hand is the saved one
        self._wait = 0.0
        self._checked_at = math.inf  # when the export in hand was last checked or taken in hand
        self._deadline = math.inf
        self._given_up: CometlyAPIError | None = None

    # What the job needs next

    @property
    def started(self) -> bool:
        return self._started

    @property
    def needs_export(self) -> bool:
        """Whether an export has to be created before anything else can happen."""
        return self._started and self._state is None and self._given_up is None

    @property
    def is_completed(self) -> bool:
        return self._state is not None and self._state.status is ExportStatus.COMPLETED

    @property
    def deadline(self) -> float:
        """When the export in hand is given up on if it has not finished (clock time)."""
        return self._deadline

    def check_due_at(self, *, waited_for: bool = False) -> float | None:
        """When the export in hand is next to be checked, sooner when the caller is waiting for
        it; None when no check is needed (it completed, there is none, or the job is stuck)."""
        state = self._state
        if state is None or state.status.is_finished or self.is_stuck():
            return None
        wait = self._wait
        if waited_for:
            wait = min(wait, HEAD_MAX_POLL_WAITS * self._limits.poll_seconds)
        return self._checked_at + wait

    def is_stuck(self) -> bool:
        """Whether the job cannot finish in this run: its export failed export_max_attempts
        times, or is still unfinished at its deadline. raise_if_stuck says which."""
        if self._given_up is not None:
            return True
        unfinished = self._state is not None and not self._state.status.is_finished
        return unfinished and self._clock() >= self._deadline

    def raise_if_stuck(self) -> None:
        if self._given_up is not None:
            raise self._given_up
        if self.is_stuck():
            assert self._state is not None
            if self._taken_over:
                self._on_abandoned()
                next_run = (
                    "It was taken over from an earlier run, which saw it unfinished too, so it "
                    "is dropped from the state: the next run creates a new export."
                )
            else:
                next_run = "The next run checks this export again instead of creating another."
            timeout = self._limits.timeout_seconds
            raise CometlyAPIError(
                f"the export is still {self._state.status.value} after {timeout:.0f} s (Cometly "
                f"says: {self._state.message or 'nothing'}). Run again later. {next_run} Raise "
                "export_timeout_minutes to wait longer in one run.",
                self._where.with_export(self._state.export_id),
            )

    def give_up(self, error: CometlyAPIError) -> None:
        """Make the job stuck with `error`, from one of its steps taken while an earlier job was
        awaited: raise_if_stuck raises it once the earlier jobs' rows are out."""
        self._given_up = error.relocate(self._where)

    # Steps: each makes at most one API call and never sleeps

    def start(self) -> None:
        """Take over the saved export, if Cometly still has it (one status check); otherwise
        the job now needs an export created."""
        self._started = True
        state = self._saved_export()
        if state is not None:
            self._taken_over = True
            self._follow(state)

    def create(self) -> None:
        """Create the export (costs one of the scarce creations)."""
        self._taken_over = False
        state = self._repository.create(self._parameters)
        self._created += 1
        self._logger.debug("%s: created export %d.", self._where, state.export_id)
        self._on_created(state.export_id)
        self._follow(state)

    def check(self) -> None:
        """Check the export in hand once. A failed export is dropped, to be created again, or,
        after export_max_attempts creations, makes the job stuck."""
        assert self._state is not None, "check() needs an export in hand"
        state = self._repository.status(self._state.export_id)
        self._wait = min(self._wait * POLL_BACKOFF, MAX_POLL_WAITS * self._limits.poll_seconds)
        self._checked_at = self._clock()
        self._take(state)

    def fetch(self, downloads: ExitStack) -> ExportFile | None:
        """Download the completed export's file, verified whole, into `downloads` (which deletes
        it when closed). An expired URL is replaced by checking the export again; None when
        that check finds the export no longer completed (the job then waits or re-creates)."""
        refreshes = 0
        while True:
            state = self._state
            assert state is not None, "fetch() needs a completed export"
            assert state.download_url is not None, "the repository checks completed answers"
            try:
                return downloads.enter_context(
                    self._downloader.download(state.download_url, where=self._describe(state))
                )
            except ExpiredDownloadError:
                refreshes += 1
                if refreshes > MAX_URL_REFRESHES:
                    raise CometlyAPIError(
                        f"the storage host refused {refreshes} fresh download URLs in a row as "
                        "expired. Check that this machine's clock is right, then run again: the "
                        "next run downloads the same export.",
                        self._describe(state),
                    ) from None
                self._logger.info(
                    "%s: the download URL expired; checking the export again for a fresh one.",
                    self._describe(state),
                )
                self._take(self._repository.status(state.export_id))
                if not self.is_completed:
                    self._checked_at = self._clock()
                    return None

    # Inside the steps

    def _follow(self, state: ExportState) -> None:
        """Take `state` as the export in hand: its first check after export_poll_seconds, and
        export_timeout_minutes from now for it to finish."""
        now = self._clock()
        self._wait = self._limits.poll_seconds
        self._checked_at = now
        self._deadline = now + self._limits.timeout_seconds
        self._take(state)

    def _take(self, state: ExportState) -> None:
        if state.status is not ExportStatus.FAILED:
            self._state = state
            return
        self._state = None
        attempts = self._limits.max_attempts
        if self._created >= attempts:
            times = "once" if self._created == 1 else f"{self._created} times"
            self._given_up = CometlyAPIError(
                f"Cometly reported the export failed {times} (last reason: "
                f"{state.message or 'none given'}). Run again later, or raise "
                "export_max_attempts to try more often.",
                self._describe(state),
            )
            return
        self._logger.warning(
            "%s: export %d failed (%s); creating it again (attempt %d of %d).",
            self._where,
            state.export_id,
            state.message or "no reason given",
            self._created + 1,
            attempts,
        )

    def _saved_export(self) -> ExportState | None:
        """The saved export's current state, or None when a new export is needed."""
        if self._saved_export_id is None:
            return None
        try:
            state = self._repository.status(self._saved_export_id)
        except ExportNotFoundError:
            self._logger.info(
                "%s: Cometly no longer knows export %d from the state; creating a new one.",
                self._where,
                self._saved_export_id,
            )
            return None
        if state.status is ExportStatus.FAILED:
            self._logger.info(
                "%s: export %d from the state failed (%s); creating a new one.",
                self._where,
                state.export_id,
                state.message or "no reason given",
            )
            return None
        self._logger.info(
            "%s: taking over export %d (%s) from the state instead of creating a new one.",
            self._where,
            state.export_id,
            state.status.value,
        )
        return state

    def _describe(self, state: ExportState) -> Location:
        return self._where.with_export(state.export_id)
