"""The one retry policy for failed calls, API requests and file downloads alike.

A call that failed in a way that may pass (a 5xx, a timeout, a broken connection) is tried again
after a wait that doubles from retry_initial_wait_seconds, with jitter so that clients that
failed together do not come back together, at most MAX_RETRY_WAIT_SECONDS apart, until
max_retry_minutes have passed since the first failure.
"""

from __future__ import annotations

import random
import typing as t
from dataclasses import dataclass

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from tap_cometly.settings import Settings

MAX_RETRY_WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait before each retry, and for how long in all to keep retrying."""

    initial_wait_seconds: float
    max_elapsed_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(settings.retry_initial_wait_seconds, settings.max_retry_seconds)

    def waits(self) -> Iterator[float]:
        """The waits before the first retry, the second, and so on (without end: the caller
        stops once max_elapsed_seconds have passed)."""
        delay = self.initial_wait_seconds
        while True:
            yield random.uniform(delay / 2, delay)
            delay = min(delay * 2, MAX_RETRY_WAIT_SECONDS)
