"""Per-Space, per-family request budgets over a sliding one-minute window (in API time)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fake_cometly.vocabulary import (
    COMPANIES_LIST,
    CONTACTS_LIST,
    EVENTS_LIST,
    EXPORT_CREATE,
    EXPORT_STATUS,
    SINGLE_RECORD,
    TRACK,
)

WINDOW = 60.0  # API seconds
LIMITS: dict[str, int] = {
    EVENTS_LIST: 7,
    EXPORT_CREATE: 5,
    EXPORT_STATUS: 30,
    CONTACTS_LIST: 15,
    COMPANIES_LIST: 15,
    SINGLE_RECORD: 60,
    TRACK: 1000,
}


@dataclass(frozen=True)
class Budget:
    limit: int
    remaining: int
    wait: float | None = None  # API seconds until a slot frees, when the request was refused

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}


class RateLimiter:
    def __init__(self, now: Callable[[], float], enabled: bool = True) -> None:
        self._now = now
        self._enabled = enabled
        self._hits: dict[str, deque[float]] = {family: deque() for family in LIMITS}
        self._lock = threading.Lock()

    def take(self, family: str) -> Budget:
        """Spend one request of the family's budget, or refuse (refusals spend nothing)."""
        with self._lock:
            hits, limit, now = self._window(family)
            if len(hits) >= limit and self._enabled:
                return Budget(limit, 0, hits[0] + WINDOW - now)
            hits.append(now)
            return Budget(limit, max(0, limit - len(hits)))

    def peek(self, family: str) -> Budget:
        with self._lock:
            hits, limit, _ = self._window(family)
            return Budget(limit, max(0, limit - len(hits)))

    def _window(self, family: str) -> tuple[deque[float], int, float]:
        now = self._now()
        hits = self._hits[family]
        while hits and hits[0] <= now - WINDOW:
            hits.popleft()
        return hits, LIMITS[family], now

    def reset(self) -> None:
        with self._lock:
            for hits in self._hits.values():
                hits.clear()
