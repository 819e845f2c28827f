"""What the fake was asked and what it answered, for tests to assert on."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LoggedRequest:
    time: float  # time.monotonic() when the answer was decided
    listener: str  # "api" or "storage"
    method: str
    path: str  # without the query string
    query: list[tuple[str, str]]  # decoded pairs, in order, repeats kept
    headers: dict[str, str]  # as sent
    json_body: Any  # the parsed JSON body, or None
    status: int
    family: str | None  # the rate-limit family, "download" on storage, None when unrouted

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


class RequestLog:
    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def append(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def snapshot(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
