"""Laravel cursor pagination: keyset cursors, per_page + 1 look-ahead, the response body."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, TypeVar

from fake_cometly.times import format_sql, parse_sql_utc

T = TypeVar("T")
Key = tuple[int, ...]
POINTS_NEXT = "_pointsToNextItems"


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Keyset:
    """The cursor's columns, in order, and how each maps to an integer key part."""

    columns: tuple[str, ...]
    times: frozenset[str] = frozenset()  # columns written as "YYYY-MM-DD HH:MM:SS" UTC

    def encode(self, key: Key, points_to_next: bool) -> str:
        payload: dict[str, Any] = {
            column: format_sql(part) if column in self.times else part
            for column, part in zip(self.columns, key, strict=True)
        }
        payload[POINTS_NEXT] = points_to_next
        raw = json.dumps(payload, separators=(",", ":")).encode()
        # Laravel: base64 with + / = replaced by - _ and nothing.
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def decode(self, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
        except (binascii.Error, ValueError) as exc:
            raise InvalidCursor("not base64-encoded JSON") from exc
        if not isinstance(payload, dict) or set(payload) != {*self.columns, POINTS_NEXT}:
            raise InvalidCursor(f"expected the columns {list(self.columns)}")
        if not isinstance(payload[POINTS_NEXT], bool):
            raise InvalidCursor(f"{POINTS_NEXT} must be a boolean")
        return Cursor(
            tuple(self._part(column, payload[column]) for column in self.columns),
            payload[POINTS_NEXT],
        )

    def _part(self, column: str, value: Any) -> int:
        if column in self.times:
            if not isinstance(value, str):
                raise InvalidCursor(f"{column} must be a date-time string")
            try:
                return parse_sql_utc(value)
            except ValueError as exc:
                raise InvalidCursor(f"{column} is not YYYY-MM-DD HH:MM:SS") from exc
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidCursor(f"{column} must be an integer")
        return value


@dataclass(frozen=True)
class Cursor:
    key: Key
    points_to_next: bool


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    prev_cursor: str | None


def paginate(
    fetch: Callable[[Key | None, bool], Iterable[T]],
    key_of: Callable[[T], Key],
    keyset: Keyset,
    per_page: int,
    cursor: Cursor | None,
) -> Page[T]:
    """One page, following Laravel's CursorPaginator.

    `fetch(after, forward)` yields items in display order strictly after `after`, or, when not
    forward, in reverse display order strictly before it.
    """
    forward = cursor is None or cursor.points_to_next
    items = list(islice(fetch(cursor.key if cursor else None, forward), per_page + 1))
    has_more = len(items) > per_page
    items = items[:per_page]
    if not forward:
        items.reverse()
    if not items:
        return Page(items, None, None)
    more_after = has_more if forward else cursor is not None
    more_before = cursor is not None if forward else has_more
    return Page(
        items,
        keyset.encode(key_of(items[-1]), True) if more_after else None,
        keyset.encode(key_of(items[0]), False) if more_before else None,
    )


def page_body(
    rows: list[dict[str, Any]], page: Page[Any], path: str, per_page: int
) -> dict[str, Any]:
    # Laravel builds the page URLs from the path and the cursor alone: filters are dropped,
    # which is why clients must resend their own parameters.
    return {
        "data": rows,
        "path": path,
        "per_page": per_page,
        "next_cursor": page.next_cursor,
        "next_page_url": f"{path}?cursor={page.next_cursor}" if page.next_cursor else None,
        "prev_cursor": page.prev_cursor,
        "prev_page_url": f"{path}?cursor={page.prev_cursor}" if page.prev_cursor else None,
    }


def descending_ids(ids: range, after: Key | None, forward: bool) -> range:
    """Newest-first paging over an id range: ids below `after` going forward, above it back."""
    if forward:
        top = ids.stop - 1 if after is None else min(after[-1] - 1, ids.stop - 1)
        return range(top, ids.start - 1, -1)
    bottom = ids.start if after is None else max(after[-1] + 1, ids.start)
    return range(bottom, ids.stop)
