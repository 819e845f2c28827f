"""Injected faults: each applies to the next `count` requests that match it, then is gone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal, cast, get_args

FaultKind = Literal[
    "status",  # answer `status` instead (429 with Retry-After `retry_after`)
    "reset",  # send the headers and part of the body, then reset the connection
    "slow",  # wait `delay` real seconds before answering
    "bad_body",  # 200 with mode "html" (an HTML page) or "no_data" (JSON without `data`)
    "export_fail",  # the export created next ends `failed`
    "export_stuck",  # the export created next stays `queued` forever
    "bad_ndjson",  # the export created next has one malformed line in its file
    "truncate_gzip",  # the next download is a gzip file cut short
    "content_encoding",  # the next download is sent with mode "gzip" (Content-Encoding: gzip)
    # or "plain" (uncompressed NDJSON)
    "expire_url",  # the next download answers 403 expired, however fresh its URL
    "no_id",  # the next list page (family *_list) or, when taken by an export creation, the
    # next export's file has a first row without `id`
    "unknown_status",  # the next export status answer reports status "cancelled", which the
    # API does not document
]
KINDS: tuple[str, ...] = get_args(FaultKind)
_HTTP_STATUSES = frozenset(status.value for status in HTTPStatus)
MODES: dict[str, tuple[str, ...]] = {
    "bad_body": ("html", "no_data"),
    "content_encoding": ("gzip", "plain"),
}
# The kinds spent when an export is created (the job carries them); the others act on the
# answer to the request they match.
JOB_KINDS = ("export_fail", "export_stuck", "bad_ndjson", "no_id")


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    family: str | None = None  # e.g. "events_list", "download"; None matches any
    path_prefix: str | None = None  # full request path, e.g. "/public-api/v1/contacts"
    count: int = 1
    status: int = 503
    retry_after: int = 1
    delay: float = 1.0
    mode: str | None = None
    skip: int = 0  # let this many matching requests through untouched before acting

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(KINDS)}")
        if self.count < 1:
            raise ValueError("a fault must apply to at least one request")
        if self.skip < 0:
            raise ValueError("a fault cannot skip a negative number of requests")
        if not 400 <= self.status <= 599 or self.status not in _HTTP_STATUSES:
            raise ValueError(f"a status fault answers with a known 4xx or 5xx, not {self.status}")
        if self.kind in MODES and self.mode not in MODES[self.kind]:
            choices = " or ".join(MODES[self.kind])
            raise ValueError(f"a {self.kind} fault needs mode {choices}")

    def matches(self, family: str | None, path: str) -> bool:
        return (self.family is None or self.family == family) and (
            self.path_prefix is None or path.startswith(self.path_prefix)
        )

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """The CLI form KIND[:FAMILY[:COUNT[:ARG]]]; an empty or "*" FAMILY matches any.

        ARG is the status for "status", the delay in seconds for "slow" and the mode for
        "bad_body" and "content_encoding": status:events_list:3:503, slow::1:2.5,
        content_encoding:download:1:plain.
        """
        parts = spec.split(":")
        if len(parts) > 4:
            raise ValueError(f"fault {spec!r} is not KIND[:FAMILY[:COUNT[:ARG]]]")
        kind, family, count, arg = parts + [""] * (4 - len(parts))
        options: dict[str, Any] = {}
        try:
            if count:
                options["count"] = int(count)
            if arg:
                if kind not in _ARGUMENTS:
                    raise ValueError(f"a {kind} fault takes no argument")
                name, convert = _ARGUMENTS[kind]
                options[name] = convert(arg)
        except ValueError as exc:
            raise ValueError(f"fault {spec!r}: {exc}") from exc
        family_or_any = None if family in ("", "*") else family
        return cls(cast(FaultKind, kind), family=family_or_any, **options)


_ARGUMENTS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "status": ("status", int),
    "slow": ("delay", float),
    "bad_body": ("mode", str),
    "content_encoding": ("mode", str),
}


@dataclass
class _Armed:
    fault: Fault
    left: int
    skip: int = 0


class FaultBox:
    def __init__(self) -> None:
        self._armed: list[_Armed] = []
        self._lock = threading.Lock()

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._armed.append(_Armed(fault, fault.count, fault.skip))

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def pending(self) -> list[Fault]:
        """The faults not yet used up, oldest first."""
        with self._lock:
            return [armed.fault for armed in self._armed]

    def take(self, kinds: Collection[str], family: str | None, path: str) -> Fault | None:
        """The oldest armed fault of these kinds that matches, one use of it spent; a fault
        still skipping lets the request pass (one skip spent) and the search goes on."""
        with self._lock:
            for armed in self._armed:
                if armed.fault.kind in kinds and armed.fault.matches(family, path):
                    if armed.skip:
                        armed.skip -= 1
                        continue
                    armed.left -= 1
                    if not armed.left:
                        self._armed.remove(armed)
                    return armed.fault
        return None
