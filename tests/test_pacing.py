"""The pacer keeps every family inside its sliding window and obeys the API's headers."""

from __future__ import annotations

import logging

import pytest
import requests

from tap_cometly.pacing import Pacer, endpoint_family


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_pacer(limit: int = 3, window: float = 60.0) -> tuple[Pacer, FakeClock]:
    clock = FakeClock()
    pacer = Pacer(
        "events_list", limit, window, logging.getLogger("test"), clock=clock, sleep=clock.sleep
    )
    return pacer, clock


def response(status: int = 200, **headers: str) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer.headers.update(headers)
    return answer


def call(
    pacer: Pacer, clock: FakeClock, answer: requests.Response | None = None, duration: float = 0.1
) -> float:
    """One paced call; returns the time it started."""
    pacer.acquire()
    started = clock.now
    clock.now += duration
    pacer.release(answer if answer is not None else response())
    return started


@pytest.mark.parametrize(
    ("method", "path", "family"),
    [
        ("GET", "/public-api/v1/events", "events_list"),
        ("POST", "/public-api/v1/events/exports", "export_create"),
        ("POST", "/public-api/v1/contacts/exports", "export_create"),
        ("GET", "/public-api/v1/events/exports/123", "export_status"),
        ("GET", "/public-api/v1/contacts/exports/9", "export_status"),
        ("GET", "/public-api/v1/contacts", "contacts_list"),
        ("GET", "/public-api/v1/companies", "companies_list"),
        ("GET", "/public-api/v1/events/5512", "single_record"),
        ("POST", "/public-api/v1/events/track", None),
        ("GET", "/exports/abc.ndjson.gz", None),
    ],
)
def test_endpoint_families(method: str, path: str, family: str | None) -> None:
    assert endpoint_family(method, path) == family


def test_no_more_than_limit_calls_in_any_window() -> None:
    pacer, clock = make_pacer(limit=3, window=60.0)
    starts = [call(pacer, clock) for _ in range(10)]
    for index, started in enumerate(starts):
        in_window = [s for s in starts if started - 60.0 < s <= started]
        assert len(in_window) <= 3, (index, starts)
    # The first three go at once; the fourth waits for the first to leave the window.
    assert starts[1] - starts[0] < 1
    assert starts[3] - starts[0] == pytest.approx(60.1)


def test_window_measured_from_responses_not_sends() -> None:
    pacer, clock = make_pacer(limit=1, window=10.0)
    call(pacer, clock, duration=5.0)  # the server counted this call somewhere in [0, 5]
    second = call(pacer, clock)
    assert second >= 1000.0 + 5.0 + 10.0


def test_retry_after_blocks_the_next_call() -> None:
    pacer, clock = make_pacer(limit=10, window=60.0)
    call(pacer, clock, response(429, **{"Retry-After": "17"}))
    before = clock.now
    call(pacer, clock)
    assert clock.now - 0.1 - before == pytest.approx(17.0)


def test_missing_retry_after_waits_a_whole_window() -> None:
    pacer, clock = make_pacer(limit=10, window=30.0)
    call(pacer, clock, response(429))
    before = clock.now
    call(pacer, clock)
    assert clock.now - 0.1 - before == pytest.approx(30.0)


def test_remaining_header_counts_other_clients_calls() -> None:
    pacer, clock = make_pacer(limit=5, window=60.0)
    # Another client of the Space already spent 3 calls: the API says 1 left after ours.
    call(pacer, clock, response(200, **{"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "1"}))
    call(pacer, clock)
    before = clock.now
    call(pacer, clock)
    assert clock.sleeps, "the third call must wait: the Space's budget is spent"
    assert clock.now - before >= 59.0


def test_lower_server_limit_is_adopted_higher_is_not() -> None:
    pacer, clock = make_pacer(limit=5, window=60.0)
    call(pacer, clock, response(200, **{"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "1"}))
    assert pacer.limit == 2
    call(pacer, clock, response(200, **{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "99"}))
    assert pacer.limit == 2


def test_every_wait_is_logged_with_its_reason(caplog: pytest.LogCaptureFixture) -> None:
    pacer, clock = make_pacer(limit=1, window=60.0)
    with caplog.at_level(logging.INFO):
        call(pacer, clock)
        call(pacer, clock)
    waits = [r for r in caplog.records if "waiting" in r.getMessage()]
    assert len(waits) == 1
    assert waits[0].levelno == logging.INFO
    assert "events_list" in waits[0].getMessage()
    assert "budget" in waits[0].getMessage()


def test_only_noticeable_waits_reach_info_yet_every_wait_counts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pacer, clock = make_pacer(limit=1, window=60.0)
    with caplog.at_level(logging.DEBUG):
        call(pacer, clock)  # answered at 1000.1: the slot frees at 1060.1
        clock.now = 1059.8
        call(pacer, clock)  # waits 0.3 s; answered at 1060.2
        clock.now = 1118.6
        call(pacer, clock)  # waits 1.6 s
    waits = [(r.levelno, r.getMessage()) for r in caplog.records if "waiting" in r.getMessage()]
    assert [level for level, _ in waits] == [logging.DEBUG, logging.INFO]
    assert "waiting 0.3 s" in waits[0][1]
    assert "waiting 1.6 s" in waits[1][1]
    assert pacer.waited_seconds == pytest.approx(1.9)


def test_a_call_that_left_only_our_window_takes_no_slot_for_a_whole_window() -> None:
    # The server counts a call from its arrival, we from its answer: B's slow answer comes when
    # A has just left our window but was still in the server's when B arrived.
    pacer, clock = make_pacer(limit=2, window=60.0)
    call(pacer, clock, duration=0.1)  # A: arrives at 1000, answered at 1000.1
    clock.now = 1059.5
    call(pacer, clock, response(200, **{"X-RateLimit-Remaining": "0"}), duration=1.0)  # B
    assert clock.now == 1060.5
    third = call(pacer, clock)
    assert third == 1060.5, "A's slot was held for another window"
    # Past the skew, the server's count above ours is other clients': it holds a slot.
    clock.now = 1200.0
    call(pacer, clock, response(200, **{"X-RateLimit-Remaining": "0"}))
    assert call(pacer, clock) == pytest.approx(1260.1)


def test_a_restart_that_meets_a_429_waits_only_its_retry_after() -> None:
    # A previous run spent the minute's budget 36 s ago: our first call is refused, and the
    # server names the moment its window frees. After it the next call goes at once.
    pacer, clock = make_pacer(limit=7, window=60.0)
    refusal = response(
        429, **{"Retry-After": "24", "X-RateLimit-Limit": "7", "X-RateLimit-Remaining": "0"}
    )
    refused_at = call(pacer, clock, refusal)
    second = call(pacer, clock, response(200, **{"X-RateLimit-Remaining": "6"}))
    assert second == pytest.approx(refused_at + 0.1 + 24.0)
    assert pacer.waited_seconds == pytest.approx(24.0)
    # The answer after the block says what the server counts; the budget goes on from there.
    starts = [call(pacer, clock) for _ in range(6)]
    assert starts[-1] - second < 1


def test_after_a_retry_after_the_servers_remaining_paces_again() -> None:
    pacer, clock = make_pacer(limit=3, window=60.0)
    call(pacer, clock, response(429, **{"Retry-After": "10", "X-RateLimit-Remaining": "0"}))
    # Another client still holds two of the three slots when the block ends.
    resumed = call(pacer, clock, response(200, **{"X-RateLimit-Remaining": "0"}))
    assert call(pacer, clock) == pytest.approx(resumed + 0.1 + 60.0)
