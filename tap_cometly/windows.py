"""Date math in the Space's timezone: the only place that converts between local time and UTC.

Cometly reads every date parameter as wall-clock time in the Space's timezone and answers in UTC.
Windows are therefore cut at local midnights (a DST day lasts 23 or 25 hours) and sent as local
"YYYY-MM-DD HH:MM:SS" strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from zoneinfo import ZoneInfo

API_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_instant(value: str, space_tz: ZoneInfo) -> datetime:
    """Read a date or date-time setting as an aware UTC instant.

    A value without an offset is wall-clock time in the Space's timezone, like every date the
    Cometly API takes; "Z" or an explicit offset pins the instant.

    Raises:
        ValueError: the value is not an ISO 8601 date or date-time.
    """
    text = value.strip()
    if _DATE_ONLY.match(text):
        return local_midnight(date.fromisoformat(text), space_tz)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=space_tz)
    return parsed.astimezone(timezone.utc)


def parse_api_utc(value: str) -> datetime:
    """Read a UTC time as the API writes it: ISO 8601 with "Z" or "YYYY-MM-DD HH:MM:SS" (UTC)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def local_midnight(day: date, space_tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` starts in the Space's timezone."""
    return datetime(day.year, day.month, day.day, tzinfo=space_tz).astimezone(timezone.utc)


def local_date(instant: datetime, space_tz: ZoneInfo) -> date:
    """The Space-local calendar day that contains `instant`."""
    return instant.astimezone(space_tz).date()


def to_api_local(instant: datetime, space_tz: ZoneInfo) -> str:
    """Format a UTC instant as the Space-local wall-clock string the API expects."""
    return instant.astimezone(space_tz).strftime(API_DATETIME_FORMAT)


def utc_now() -> datetime:
    """The current instant, whole seconds (the API's precision)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def format_utc(instant: datetime) -> str:
    """ISO 8601 in UTC with a "Z", the form used in bookmarks and records."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Window:
    """A half-open range of time [start, end) in UTC, read as one unit and bookmarked at its end."""

    start: datetime
    end: datetime

    @cached_property
    def start_text(self) -> str:
        return format_utc(self.start)

    @cached_property
    def end_text(self) -> str:
        return format_utc(self.end)

    def contains(self, utc_text: str) -> bool:
        """Whether a normalized 'YYYY-MM-DDTHH:MM:SSZ' time falls in the window (text compare)."""
        return self.start_text <= utc_text < self.end_text

    def __str__(self) -> str:
        return f"[{self.start_text}, {self.end_text})"


def day_windows(start: datetime, end: datetime, space_tz: ZoneInfo, days: int) -> Iterator[Window]:
    """Consecutive windows covering [start, end), cut at Space-local midnights every `days` days.

    The first window runs from `start` to the first cut; the last one stops at `end`. Windows meet
    exactly, so no instant is read twice or skipped.
    """
    cursor = start
    while cursor < end:
        cut = min(
            local_midnight(local_date(cursor, space_tz) + timedelta(days=days), space_tz), end
        )
        yield Window(cursor, cut)
        cursor = cut


def _readings(wall: datetime, space_tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The two instants a Space-local wall time can name (equal unless a DST change repeats it)."""
    naive = wall.replace(tzinfo=None)
    return (
        naive.replace(tzinfo=space_tz, fold=0).astimezone(timezone.utc),
        naive.replace(tzinfo=space_tz, fold=1).astimezone(timezone.utc),
    )


def api_bounds(window: Window, space_tz: ZoneInfo) -> tuple[str, str]:
    """Space-local start_date/end_date strings whose range contains the whole window.

    The server resolves a repeated wall-clock hour (DST fall-back) its own, undocumented way, so a
    bound that falls in such an hour moves outward by the repeat; the end is sent as the window's
    end itself because the API may treat end_date as inclusive or exclusive. Rows outside the
    window are then left to the neighbouring window by the caller.
    """
    start = window.start
    earliest, latest = _readings(start.astimezone(space_tz), space_tz)
    start -= latest - earliest if latest > window.start else timedelta(0)
    end = window.end
    earliest, latest = _readings(end.astimezone(space_tz), space_tz)
    end += latest - earliest if earliest < window.end else timedelta(0)
    return to_api_local(start, space_tz), to_api_local(end, space_tz)
