"""The one retry policy, used by API requests and downloads alike."""

from __future__ import annotations

from itertools import islice

from tap_cometly.retry import MAX_RETRY_WAIT_SECONDS, RetryPolicy


def test_waits_double_with_jitter_up_to_the_cap() -> None:
    waits = list(islice(RetryPolicy(2, 600).waits(), 8))
    ceilings = [2, 4, 8, 16, 32, 60, 60, 60]
    assert all(ceiling / 2 <= wait <= ceiling for wait, ceiling in zip(waits, ceilings))
    assert max(waits) <= MAX_RETRY_WAIT_SECONDS


def test_each_caller_gets_its_own_schedule() -> None:
    policy = RetryPolicy(1, 60)
    first = policy.waits()
    list(islice(first, 5))
    assert next(policy.waits()) <= 1
