"""Client-side pacing: per-endpoint-family budgets so a healthy run never meets a 429.

Cometly counts calls per Space, per endpoint family and per minute. Each family gets a
sliding-window log: a call may start only while fewer than `limit` calls finished within the last
window. Timestamps are taken when a response arrives (after the server counted the call), so
network jitter cannot squeeze one call too many into the server's window. The pacer is the only
place that sleeps for rate limits, including the Retry-After of a 429.

The server's X-RateLimit-Remaining also counts other clients of the Space: calls it counts beyond
ours are logged as if they had just finished. Its window runs from when calls arrived, ours from
when their answers did, so a call of ours can leave our window a moment before it leaves the
server's; calls that left ours within the last SERVER_SKEW of a window still count as ours in
that comparison, or each such moment would cost a whole window's slot.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import typing as t
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import Enum
from urllib.parse import urlparse

import requests

# Fraction of a window by which the server's count may lag ours (see the module docstring).
SERVER_SKEW = 0.05

# Shorter waits are routine spacing between calls that nobody watching a sync would notice: they
# go to DEBUG, so the INFO log names only the waits that explain a pause.
NOTICEABLE_WAIT_SECONDS = 1.0
REFUSED = "the API answered 429 and asked to wait (Retry-After)"


class RateLimitFamily(str, Enum):
    """The endpoints that share one per-minute budget."""

    EVENTS_LIST = "events_list"
    EXPORT_CREATE = "export_create"
    EXPORT_STATUS = "export_status"
    CONTACTS_LIST = "contacts_list"
    COMPANIES_LIST = "companies_list"
    SINGLE_RECORD = "single_record"

    def __str__(self) -> str:
        # Log lines name the family as the settings and the API's documentation do.
        return self.value


# Ordered: the first pattern that matches a (method, path) names the family.
_FAMILY_ROUTES: tuple[tuple[str, re.Pattern[str], RateLimitFamily], ...] = (
    ("GET", re.compile(r"/events$"), RateLimitFamily.EVENTS_LIST),
    ("POST", re.compile(r"/(events|contacts|companies)/exports$"), RateLimitFamily.EXPORT_CREATE),
    (
        "GET",
        re.compile(r"/(events|contacts|companies)/exports/[^/]+$"),
        RateLimitFamily.EXPORT_STATUS,
    ),
    ("GET", re.compile(r"/contacts$"), RateLimitFamily.CONTACTS_LIST),
    ("GET", re.compile(r"/companies$"), RateLimitFamily.COMPANIES_LIST),
    ("GET", re.compile(r"/(events|contacts|companies)/[^/]+$"), RateLimitFamily.SINGLE_RECORD),
)


def endpoint_family(method: str, path: str) -> RateLimitFamily | None:
    """Name the rate-limit family of a request, or None for a path Cometly does not limit."""
    for route_method, pattern, family in _FAMILY_ROUTES:
        if method.upper() == route_method and pattern.search(path.rstrip("/")):
            return family
    return None


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def retry_after_seconds(headers: Mapping[str, str], default: float) -> float:
    """Seconds a 429 asks us to wait; `default` when the header is missing or unreadable."""
    value = headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else default
    except ValueError:
        return default


class Pacer:
    """Sliding-window limiter for one endpoint family (thread-safe)."""

    def __init__(
        self,
        family: str,
        limit: int,
        window_seconds: float,
        logger: logging.Logger,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.family = family
        self.limit = limit
        self.window_seconds = window_seconds
        self._logger = logger
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._finished: deque[float] = deque()
        self._in_flight = 0
        self._blocked_until = 0.0
        self.waited_seconds = 0.0

    def _forget_old(self, now: float) -> None:
        """Drop the calls the server can no longer be counting, skew included."""
        oldest = now - self.window_seconds * (1 + SERVER_SKEW)
        while self._finished and self._finished[0] <= oldest:
            self._finished.popleft()

    def _in_window(self, now: float) -> list[float]:
        """When the calls still in our window finished, oldest first."""
        self._forget_old(now)
        return [stamp for stamp in self._finished if stamp > now - self.window_seconds]

    def _wait_needed(self, now: float) -> tuple[float, str]:
        if self._blocked_until > now:
            return self._blocked_until - now, REFUSED
        in_window = self._in_window(now)
        if len(in_window) + self._in_flight < self.limit:
            return 0.0, ""
        if not in_window:
            # Every slot is held by a call still in flight; its answer will free one.
            return self.window_seconds / self.limit, f"{self.limit} calls already in flight"
        return (
            in_window[0] + self.window_seconds - now,
            f"{self.limit} calls per {self.window_seconds:g} s budget used",
        )

    def seconds_until_free(self) -> float:
        """How long a call started now would wait for its slot (0: it may start at once); lets
        a caller with other work to do (the export tracker) do it instead of sleeping here."""
        with self._lock:
            return self._wait_needed(self._clock())[0]

    def note_wait(self, seconds: float) -> None:
        """Count a wait for this budget that the caller slept itself (the export tracker sleeps
        until whichever of its budgets and exports is due first)."""
        self.waited_seconds += seconds

    def acquire(self) -> None:
        """Block until a call may start, then hold a slot for it."""
        while True:
            with self._lock:
                wait, reason = self._wait_needed(self._clock())
                if wait <= 0:
                    self._in_flight += 1
                    return
            # A 429 is worth seeing however short its Retry-After: a healthy run meets none.
            noticeable = wait >= NOTICEABLE_WAIT_SECONDS or reason == REFUSED
            self._logger.log(
                logging.INFO if noticeable else logging.DEBUG,
                "Rate limit: waiting %.1f s before the next %s request: %s.",
                wait,
                self.family,
                reason,
            )
            self.waited_seconds += wait
            self._sleep(wait)

    def release(self, response: requests.Response | None) -> None:
        """Free the slot of a finished call and learn from the API's rate-limit headers."""
        with self._lock:
            now = self._clock()
            self._in_flight -= 1
            if response is not None and response.status_code == 429:
                self._block_after_refusal(now, response.headers)
                return
            self._finished.append(now)
            if response is None:
                return
            headers = response.headers
            server_limit = _header_int(headers, "X-RateLimit-Limit")
            if server_limit is not None and 0 < server_limit < self.limit:
                self._logger.info(
                    "Rate limit: the API allows %d %s calls per window; pacing to that.",
                    server_limit,
                    self.family,
                )
                self.limit = server_limit
            remaining = _header_int(headers, "X-RateLimit-Remaining")
            if remaining is not None:
                # Other clients of the same Space spend the same budget: count their calls too.
                self._forget_old(now)  # keeps the calls that may still be in the server's window
                server_used = self.limit - remaining
                for _ in range(server_used - len(self._finished) - self._in_flight):
                    self._finished.append(now)

    def _block_after_refusal(self, now: float, headers: Mapping[str, str]) -> None:
        """A 429 is the server's word on its window: no call goes before its Retry-After, and
        after it the log starts empty. The refused call spent nothing and its Remaining of 0
        says nothing our own window should hold on to, so the log is cleared rather than filled:
        a full log would add a window of our own on top of the server's wait. The next answer's
        X-RateLimit-Remaining fills the log again with whatever the server still counts."""
        wait = retry_after_seconds(headers, default=self.window_seconds)
        self._blocked_until = max(self._blocked_until, now + wait)
        self._finished.clear()

    @contextmanager
    def slot(self) -> Iterator[list[requests.Response]]:
        """Hold a slot around one call; append the response to the yielded list to report it."""
        self.acquire()
        responses: list[requests.Response] = []
        try:
            yield responses
        finally:
            self.release(responses[-1] if responses else None)


class Pacers:
    """One pacer per endpoint family, shared by every stream of a run."""

    def __init__(
        self, limits: Mapping[str, int], window_seconds: float, logger: logging.Logger
    ) -> None:
        self._pacers = {
            family: Pacer(family, limit, window_seconds, logger) for family, limit in limits.items()
        }

    def for_request(self, method: str, url_path: str) -> Pacer | None:
        family = endpoint_family(method, url_path)
        return self._pacers.get(family) if family else None

    def __getitem__(self, family: str) -> Pacer:
        return self._pacers[family]

    def waited_seconds(self) -> float:
        """Time spent so far waiting for any family's budget or a Retry-After."""
        return sum(pacer.waited_seconds for pacer in self._pacers.values())


class PacedSession(requests.Session):
    """A requests session that waits for its endpoint family's budget before each call."""

    def __init__(self, pacers: Pacers) -> None:
        super().__init__()
        self.pacers = pacers

    def send(self, request: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        pacer = self.pacers.for_request(request.method or "GET", urlparse(request.url or "").path)
        if pacer is None:
            return super().send(request, **kwargs)
        with pacer.slot() as responses:
            response = super().send(request, **kwargs)
            responses.append(response)
        return response
