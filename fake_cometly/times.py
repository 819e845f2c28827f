"""Instants as integer UTC epoch seconds, Space-local days, and the API's two time formats."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SQL_FORMAT = "%Y-%m-%d %H:%M:%S"
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_sql(epoch: int) -> str:
    """List rows and cursors: "YYYY-MM-DD HH:MM:SS", UTC without an offset."""
    return time.strftime(SQL_FORMAT, time.gmtime(epoch))


def format_iso(epoch: int) -> str:
    """Export files and job timestamps: ISO 8601 with Z."""
    return time.strftime(ISO_FORMAT, time.gmtime(epoch))


def parse_sql_utc(value: str) -> int:
    return int(datetime.strptime(value, SQL_FORMAT).replace(tzinfo=timezone.utc).timestamp())


def parse_local(value: str, zone: ZoneInfo) -> int:
    """A "YYYY-MM-DD HH:MM:SS" wall-clock time in the Space zone.

    fold=0 resolves the repeated fall-back hour to its first (daylight) occurrence and moves a
    skipped spring-forward time ahead by the gap, as PHP's DateTime does.
    """
    return int(datetime.strptime(value, SQL_FORMAT).replace(tzinfo=zone).timestamp())


def day_start(day: date, zone: ZoneInfo) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


def day_bounds(day: date, zone: ZoneInfo) -> tuple[int, int]:
    """[start, end) of a local calendar day: 23, 24 or 25 hours of real time."""
    return day_start(day, zone), day_start(day + timedelta(days=1), zone)


def local_day(epoch: int, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(epoch, zone).date()


def to_epoch(value: datetime | str | int) -> int:
    """A caller's instant: aware datetime, naive datetime or string read as UTC, or epoch."""
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().replace("T", " ").removesuffix("Z")
        value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())
