"""The export job's state machine, step by step, against a fake repository, a fake downloader
and a fake clock: take-over of a saved export, re-creation of failed exports, timeouts, fresh
download URLs and the check schedule."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from tap_cometly.errors import CometlyAPIError
from tap_cometly.exports.job import MAX_URL_REFRESHES
from tests.export_fakes import (
    FAILS,
    LIMITS,
    NEVER_ENDS,
    FakeClock,
    FakeDownloader,
    FakeRepository,
    FakeSpace,
    Plan,
    exported_ids,
    make_job,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def space(clock: FakeClock) -> FakeSpace:
    return FakeSpace(clock)


def test_a_saved_export_is_checked_first_and_taken_over(clock: FakeClock, space: FakeSpace) -> None:
    saved_id = space.add_export(Plan(10.0))
    job, state = make_job(FakeRepository(space), FakeDownloader(), clock, saved_export_id=saved_id)

    job.start()
    assert space.calls == [("status", saved_id)]
    assert not job.needs_export
    clock.now = 10.0
    job.check()

    assert job.is_completed
    with ExitStack() as downloads:
        export_file = job.fetch(downloads)
        assert export_file is not None
        assert exported_ids([export_file]) == [saved_id]
    assert state.created == []
    assert [kind for kind, _ in space.calls] == ["status", "status"]


@pytest.mark.parametrize(
    "saved", [pytest.param(None, id="unknown to Cometly"), pytest.param(FAILS, id="failed")]
)
def test_a_saved_export_that_cannot_be_taken_over_is_replaced(
    clock: FakeClock, space: FakeSpace, saved: Plan | None
) -> None:
    saved_id = 999 if saved is None else space.add_export(saved)
    repository = FakeRepository(space)
    job, state = make_job(repository, FakeDownloader(), clock, saved_export_id=saved_id)

    job.start()
    assert job.needs_export
    job.create()

    assert state.created == repository.created
    assert len(state.created) == 1
    assert state.created[0] != saved_id
    assert space.calls == [("status", saved_id), ("create", state.created[0])]


def test_a_failed_export_is_created_again_up_to_export_max_attempts(
    clock: FakeClock, space: FakeSpace
) -> None:
    repository = FakeRepository(space, FAILS)
    job, state = make_job(repository, FakeDownloader(), clock)
    job.start()

    for _ in range(LIMITS.max_attempts):
        assert job.needs_export
        assert not job.is_stuck()
        job.create()
        clock.now += LIMITS.poll_seconds
        job.check()

    assert len(set(repository.created)) == LIMITS.max_attempts
    assert state.created == repository.created
    assert job.is_stuck()
    assert not job.needs_export
    with pytest.raises(
        CometlyAPIError, match=r"day 1, export 103: .* failed 3 times .*export_max_attempts"
    ):
        job.raise_if_stuck()


def test_an_export_that_failed_once_is_created_again_and_completes(
    clock: FakeClock, space: FakeSpace
) -> None:
    repository = FakeRepository(space, FAILS, Plan(0.0))
    job, _ = make_job(repository, FakeDownloader(), clock)
    job.start()
    job.create()
    job.check()
    assert job.needs_export

    job.create()
    job.check()

    assert job.is_completed
    with ExitStack() as downloads:
        export_file = job.fetch(downloads)
        assert export_file is not None
        assert exported_ids([export_file]) == [repository.created[1]]


def test_an_own_export_unfinished_at_the_deadline_is_stuck_and_kept(
    clock: FakeClock, space: FakeSpace
) -> None:
    repository = FakeRepository(space, NEVER_ENDS)
    job, state = make_job(repository, FakeDownloader(), clock)
    job.start()
    job.create()
    assert job.deadline == LIMITS.timeout_seconds

    clock.now = LIMITS.timeout_seconds - 0.001
    assert not job.is_stuck()
    job.raise_if_stuck()
    clock.now = LIMITS.timeout_seconds

    assert job.is_stuck()
    assert job.check_due_at() is None
    with pytest.raises(
        CometlyAPIError,
        match=rf"export {repository.created[0]}: the export is still queued after 600 s"
        r".*checks this",
    ):
        job.raise_if_stuck()
    assert state.abandoned == 0


def test_a_taken_over_export_unfinished_at_the_deadline_is_abandoned(
    clock: FakeClock, space: FakeSpace
) -> None:
    saved_id = space.add_export(NEVER_ENDS)
    job, state = make_job(FakeRepository(space), FakeDownloader(), clock, saved_export_id=saved_id)
    job.start()

    clock.now = LIMITS.timeout_seconds
    with pytest.raises(CometlyAPIError, match=rf"export {saved_id}: .*dropped from the state"):
        job.raise_if_stuck()
    assert state.abandoned == 1
    assert state.created == []


def test_an_expired_url_is_replaced_by_checking_the_export_again(
    clock: FakeClock, space: FakeSpace
) -> None:
    downloader = FakeDownloader(refuse=2)
    repository = FakeRepository(space)
    job, _ = make_job(repository, downloader, clock)
    job.start()
    job.create()
    job.check()
    checks_before = len(space.calls)

    with ExitStack() as downloads:
        export_file = job.fetch(downloads)
        assert export_file is not None
        assert exported_ids([export_file]) == repository.created

    assert space.calls[checks_before:] == [("status", repository.created[0])] * 2
    assert len(downloader.urls) == 3
    assert len(set(downloader.urls)) == 3, "each try has a freshly signed URL"


def test_refreshing_an_expired_url_gives_up_after_max_url_refreshes(
    clock: FakeClock, space: FakeSpace
) -> None:
    downloader = FakeDownloader(refuse=100)
    job, _ = make_job(FakeRepository(space), downloader, clock)
    job.start()
    job.create()
    job.check()
    checks_before = len(space.calls)

    with ExitStack() as downloads, pytest.raises(CometlyAPIError, match="refused 4 fresh"):
        job.fetch(downloads)

    assert len(space.calls) - checks_before == MAX_URL_REFRESHES
    assert len(downloader.urls) == MAX_URL_REFRESHES + 1


def test_checks_back_off_and_the_awaited_job_is_checked_sooner(
    clock: FakeClock, space: FakeSpace
) -> None:
    job, _ = make_job(FakeRepository(space, NEVER_ENDS), FakeDownloader(), clock)
    job.start()
    job.create()

    waits, head_waits = [], []
    for _ in range(8):
        due_at, head_due_at = job.check_due_at(), job.check_due_at(waited_for=True)
        assert due_at is not None
        assert head_due_at is not None
        waits.append(due_at - clock.now)
        head_waits.append(head_due_at - clock.now)
        clock.now = due_at
        job.check()

    assert waits == pytest.approx([5.0, 7.5, 11.25, 16.875, 25.3125, 30.0, 30.0, 30.0])
    assert head_waits == pytest.approx([5.0, 7.5, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0])
