"""The export tracker driving real jobs against fake repositories, a fake downloader and a fake
clock: both budgets respected, files handed out oldest first, a stuck job's error raised only at
its turn."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tap_cometly.errors import CometlyAPIError, Location
from tap_cometly.exports.job import ExportJob, JobLimits
from tap_cometly.exports.tracker import ExportTracker
from tests.export_fakes import (
    FAILS,
    LIMITS,
    NEVER_ENDS,
    FakeClock,
    FakeDownloader,
    FakeRepository,
    FakeSpace,
    Plan,
    export_id_of,
    exported_ids,
    make_job,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def jobs_of(
    repositories: list[FakeRepository],
    downloader: FakeDownloader,
    clock: FakeClock,
    limits: JobLimits = LIMITS,
) -> list[ExportJob]:
    return [
        make_job(repository, downloader, clock, where=Location(window=f"day {day}"), limits=limits)[
            0
        ]
        for day, repository in enumerate(repositories, start=1)
    ]


def tracker_of(jobs: list[ExportJob], space: FakeSpace, clock: FakeClock) -> ExportTracker:
    return ExportTracker(
        jobs, creates=space.creates, checks=space.checks, sleep=clock.sleep, clock=clock
    )


def test_exports_are_created_only_when_the_creation_budget_allows(clock: FakeClock) -> None:
    space = FakeSpace(clock, create_interval=12.0)  # 5 a minute
    repositories = [FakeRepository(space, Plan(1.0)) for _ in range(6)]
    jobs = jobs_of(repositories, FakeDownloader(), clock)

    ids = exported_ids(tracker_of(jobs, space, clock).files())

    assert ids == [repository.created[0] for repository in repositories]
    assert space.creates.overdrawn == []
    assert all(later - earlier >= 12.0 for earlier, later in pairwise(space.creates.calls))
    assert space.creates.noted_waits, "the tracker's waits for the budget are rate-limit waits"


def test_exports_are_checked_only_when_the_status_budget_allows(clock: FakeClock) -> None:
    space = FakeSpace(clock, check_interval=2.0)  # 30 a minute
    repositories = [FakeRepository(space, Plan(20.0)) for _ in range(10)]
    jobs = jobs_of(repositories, FakeDownloader(), clock)

    ids = exported_ids(tracker_of(jobs, space, clock).files())

    assert ids == [repository.created[0] for repository in repositories]
    assert space.checks.overdrawn == []
    assert all(later - earlier >= 2.0 for earlier, later in pairwise(space.checks.calls))
    assert space.checks.noted_waits, "ten exports due together wait for the status budget"


def test_files_are_handed_out_oldest_first_when_later_exports_complete_first(
    clock: FakeClock,
) -> None:
    space = FakeSpace(clock)
    repositories = [FakeRepository(space, Plan(seconds)) for seconds in (60.0, 1.0, 1.0)]
    downloader = FakeDownloader()
    jobs = jobs_of(repositories, downloader, clock)

    ids = exported_ids(tracker_of(jobs, space, clock).files())

    first, second, third = (repository.created[0] for repository in repositories)
    assert ids == [first, second, third]
    assert [export_id_of(url) for url in downloader.urls] == ids, "each downloaded at its turn"
    earliest = repositories[0].completed_at[first]
    assert repositories[1].completed_at[second] < earliest
    assert repositories[2].completed_at[third] < earliest


def test_a_job_whose_export_keeps_failing_stops_the_run_at_its_turn(clock: FakeClock) -> None:
    space = FakeSpace(clock)
    slow, failing = FakeRepository(space, Plan(60.0)), FakeRepository(space, FAILS)
    files = tracker_of(jobs_of([slow, failing], FakeDownloader(), clock), space, clock).files()

    assert exported_ids([next(files)]) == slow.created
    assert len(failing.created) == LIMITS.max_attempts
    with pytest.raises(
        CometlyAPIError, match=r"day 2, export \d+: Cometly reported the export failed 3 times"
    ):
        next(files)
    assert len(failing.created) == LIMITS.max_attempts


def test_an_export_unfinished_at_its_deadline_stops_the_run(clock: FakeClock) -> None:
    space = FakeSpace(clock)
    limits = JobLimits(poll_seconds=5.0, timeout_seconds=100.0, max_attempts=3)
    stuck = FakeRepository(space, NEVER_ENDS)
    files = tracker_of(jobs_of([stuck], FakeDownloader(), clock, limits), space, clock).files()

    with pytest.raises(
        CometlyAPIError, match=r"day 1, export \d+: the export is still processing after 100 s"
    ):
        next(files)
    assert clock.now == pytest.approx(100.0)
    assert len(stuck.created) == 1, "an unfinished export is waited for, never re-created"


def test_a_later_jobs_api_error_waits_for_its_turn(clock: FakeClock) -> None:
    space = FakeSpace(clock)
    broken = CometlyAPIError("POST /events/exports: the API kept failing for 900 s")
    slow, failing = FakeRepository(space, Plan(30.0)), FakeRepository(space, error=broken)
    files = tracker_of(jobs_of([slow, failing], FakeDownloader(), clock), space, clock).files()

    assert exported_ids([next(files)]) == slow.created
    with pytest.raises(CometlyAPIError, match=r"^Window day 2: POST /events/exports: the API kept"):
        next(files)


def test_an_api_error_of_the_awaited_job_stops_the_run_at_once(clock: FakeClock) -> None:
    space = FakeSpace(clock)
    broken = CometlyAPIError("POST /events/exports: the API kept failing for 900 s")
    failing, later = FakeRepository(space, error=broken), FakeRepository(space, Plan(1.0))
    files = tracker_of(jobs_of([failing, later], FakeDownloader(), clock), space, clock).files()

    with pytest.raises(CometlyAPIError, match=r"^POST /events/exports: the API kept"):
        next(files)


def test_a_saved_export_is_taken_over_without_a_creation(clock: FakeClock) -> None:
    space = FakeSpace(clock, create_interval=12.0)
    saved_id = space.add_export(Plan(20.0))
    repository = FakeRepository(space)
    job, state = make_job(repository, FakeDownloader(), clock, saved_export_id=saved_id)

    assert exported_ids(tracker_of([job], space, clock).files()) == [saved_id]
    assert space.creates.calls == []
    assert state.created == []
    assert space.calls[0] == ("status", saved_id)
