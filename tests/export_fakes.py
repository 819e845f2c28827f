"""Fakes for unit tests of export jobs and the tracker: a clock that moves only when slept on,
budgets paced by it, a Space of exports behind fake repositories, a downloader of one-row files.

Nothing here sends a request or really sleeps.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import math
import typing as t
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse

from tap_cometly.errors import CometlyAPIError, Location
from tap_cometly.exports.download import ExpiredDownloadError, ExportFile
from tap_cometly.exports.job import ExportJob, JobLimits
from tap_cometly.exports.repository import ExportNotFoundError
from tap_cometly.exports.status import ExportState, ExportStatus

LIMITS = JobLimits(poll_seconds=5.0, timeout_seconds=600.0, max_attempts=3)
LOGGER = logging.getLogger("tests.export_fakes")


class FakeClock:
    """Monotonic seconds from 0 that move only when slept on (or advanced by a test)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "the tracker never sleeps for nothing"
        self.now += seconds


class FakeBudget:
    """One call per `interval` seconds of the fake clock, like a pacer. A call made while the
    budget says wait is counted in `overdrawn` and waited for, as the pacer would sleep it."""

    def __init__(self, clock: FakeClock, interval: float) -> None:
        self._clock = clock
        self.interval = interval
        self.calls: list[float] = []  # when each call was made
        self.overdrawn: list[float] = []  # what calls made too early had to wait
        self.noted_waits: list[float] = []  # the waits for this budget the tracker slept itself

    def seconds_until_free(self) -> float:
        if not self.calls:
            return 0.0
        return max(0.0, self.calls[-1] + self.interval - self._clock())

    def note_wait(self, seconds: float) -> None:
        self.noted_waits.append(seconds)

    def spend(self) -> None:
        wait = self.seconds_until_free()
        if wait > 0:
            self.overdrawn.append(wait)
            self._clock.now += wait
        self.calls.append(self._clock())


@dataclass(frozen=True)
class Plan:
    """What one export does: it is processing for `seconds` after its creation, then ends."""

    seconds: float
    ending: ExportStatus = ExportStatus.COMPLETED


NEVER_ENDS = Plan(math.inf)
FAILS = Plan(0.0, ExportStatus.FAILED)


class FakeSpace:
    """A Space's exports and its two budgets; `calls` logs ("create" | "status", export id)."""

    def __init__(
        self, clock: FakeClock, *, create_interval: float = 0.0, check_interval: float = 0.0
    ) -> None:
        self.clock = clock
        self.creates = FakeBudget(clock, create_interval)
        self.checks = FakeBudget(clock, check_interval)
        self.calls: list[tuple[str, int]] = []
        self._exports: dict[int, tuple[float, Plan]] = {}
        self._ids = itertools.count(101)
        self._signatures = itertools.count(1)

    def add_export(self, plan: Plan) -> int:
        """An export created now (by an earlier run, say); its id."""
        export_id = next(self._ids)
        self._exports[export_id] = (self.clock(), plan)
        return export_id

    def state(self, export_id: int) -> ExportState:
        """The export's state now; each completed answer holds a newly signed URL."""
        if export_id not in self._exports:
            raise ExportNotFoundError(f"GET /exports/{export_id} answered 404.")
        created_at, plan = self._exports[export_id]
        if self.clock() < created_at + plan.seconds:
            return ExportState(export_id, ExportStatus.PROCESSING, message="Still at it.")
        if plan.ending is ExportStatus.FAILED:
            return ExportState(export_id, ExportStatus.FAILED, message="Out of luck.")
        url = f"https://storage.test/{export_id}.ndjson?signature={next(self._signatures)}"
        return ExportState(export_id, ExportStatus.COMPLETED, download_url=url)


class FakeRepository:
    """One job's exports in a FakeSpace: the n-th export it creates follows plans[n] (the last
    plan once they run out). With `error`, every call fails with it, after its budget."""

    def __init__(
        self, space: FakeSpace, *plans: Plan, error: CometlyAPIError | None = None
    ) -> None:
        self._space = space
        self._plans = plans or (Plan(0.0),)
        self._error = error
        self.created: list[int] = []
        self.completed_at: dict[int, float] = {}  # when each export was first seen completed

    def create(self, parameters: Mapping[str, t.Any]) -> ExportState:
        del parameters  # every fake export is the same, whatever it was asked for
        self._space.creates.spend()
        if self._error is not None:
            raise self._error
        plan = self._plans[min(len(self.created), len(self._plans) - 1)]
        export_id = self._space.add_export(plan)
        self.created.append(export_id)
        self._space.calls.append(("create", export_id))
        return ExportState(export_id, ExportStatus.QUEUED)

    def status(self, export_id: int) -> ExportState:
        self._space.checks.spend()
        if self._error is not None:
            raise self._error
        self._space.calls.append(("status", export_id))
        state = self._space.state(export_id)
        if state.status is ExportStatus.COMPLETED:
            self.completed_at.setdefault(export_id, self._space.clock())
        return state


def export_id_of(url: str) -> int:
    return int(urlparse(url).path.strip("/").split(".")[0])


class FakeDownloader:
    """Hands out a one-row file, {"export_id": ...}, for a URL of FakeSpace; the first `refuse`
    downloads are refused as expired."""

    def __init__(self, *, refuse: int = 0) -> None:
        self._refuse = refuse
        self.urls: list[str] = []

    @contextmanager
    def download(self, url: str, *, where: Location) -> Iterator[ExportFile]:
        self.urls.append(url)
        if len(self.urls) <= self._refuse:
            raise ExpiredDownloadError("the download URL has expired.", where)
        row = json.dumps({"export_id": export_id_of(url)}).encode() + b"\n"
        yield ExportFile(io.BytesIO(row), gzipped=False, where=where)


@dataclass
class SavedState:
    """What the job's callbacks told the caller's state."""

    created: list[int] = field(default_factory=list)
    abandoned: int = 0

    def abandon(self) -> None:
        self.abandoned += 1


def make_job(
    repository: FakeRepository,
    downloader: FakeDownloader,
    clock: FakeClock,
    *,
    where: Location = Location(window="day 1"),
    limits: JobLimits = LIMITS,
    saved_export_id: int | None = None,
) -> tuple[ExportJob, SavedState]:
    saved = SavedState()
    job = ExportJob(
        repository,
        downloader,
        parameters={"start_date": "2024-01-01"},
        limits=limits,
        where=where,
        logger=LOGGER,
        saved_export_id=saved_export_id,
        on_created=saved.created.append,
        on_abandoned=saved.abandon,
        clock=clock,
    )
    return job, saved


def exported_ids(files: t.Iterable[ExportFile]) -> list[int]:
    """The export id in each file's row, in the order the files come."""
    return [row["export_id"] for export_file in files for row in file_rows(export_file)]


def file_rows(export_file: ExportFile) -> list[dict[str, t.Any]]:
    """Every row of an export file, its batches one after another."""
    return [row for batch in export_file.batches() for row in batch]
