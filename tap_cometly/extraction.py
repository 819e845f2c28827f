"""Which part of an events range is read through day exports and which through GET /events.

The list endpoint pays per 4000 events (7 calls a minute); an export pays per Space-local day
(5 creations a minute, several processed at once) whatever the day holds, but only ever covers
one whole day and takes seconds to minutes to process. The `extraction_method` setting chooses:

- list: every window through GET /events, events_window_days long;
- export: every window is one Space-local day, read from that day's export (a partial first or
  last day too: the whole day is exported and the rows outside the window are left out);
- auto: exports for the whole days that ended at least AUTO_EXPORT_AFTER_HOURS before now when
  there are at least AUTO_MIN_EXPORT_DAYS of them, the list for everything else: the recent,
  still-changing days, a partial first day after a lookback, and short incremental ranges.

Why those thresholds (`make bench`, parts 2 and 3b): both paths run within a few percent of what
their budgets allow, so K days of n events cost about K * ceil(n / 4000) / 7 minutes through the
list and (ceil(K / 5) - 1) minutes plus one export's processing (seconds to minutes) through
exports. At 50,000 events a day exports win from the first day (90 days, measured by
`python -m scripts.bench --speed-up-90`: 17.8 minutes against 171.5, 9.6 times faster); at 8,000
a day (2 pages) they win from about 4 days; a Space with under 4,000 events a day reads faster
through the list (7 days a minute against 5), but such a backfill is cheap either way. 3 days is
where a Space of a few thousand events a day breaks even when an export takes a minute, and it
keeps daily incremental runs (one or two days) on the list. The last 24 hours stay on the list
because their events still arrive (late and back-dated tracking) and an export can only ever
cover a whole day.

A selected field that only exports deliver (event_url, the ad hierarchy beyond ad_id) overrides
the setting: every day that has ended is read from its export, and only the day still running
through GET /events (an export of it would miss what comes after, and is never taken over).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tap_cometly.windows import Window, day_windows, local_date, local_midnight

ExtractionMethod = t.Literal["auto", "list", "export"]
EXTRACTION_METHODS: tuple[ExtractionMethod, ...] = t.get_args(ExtractionMethod)
AUTO_EXPORT_AFTER_HOURS = 24
AUTO_MIN_EXPORT_DAYS = 3


@dataclass(frozen=True)
class ExportDay(Window):
    """A window read from the export of the Space-local day it lies in."""

    day: date

    def __str__(self) -> str:
        return f"{Window.__str__(self)} (day {self.day})"


def end_of_day(day: date, space_tz: ZoneInfo) -> datetime:
    """The UTC instant at which a Space-local day ends (the next local midnight)."""
    return local_midnight(day + timedelta(days=1), space_tz)


def is_whole_day(window: Window, space_tz: ZoneInfo) -> bool:
    """Whether the window runs from one local midnight to the next."""
    day = local_date(window.start, space_tz)
    return window.start == local_midnight(day, space_tz) and window.end == end_of_day(day, space_tz)


def export_day(window: Window, space_tz: ZoneInfo) -> ExportDay:
    """A window of at most one day, as read from its day's export."""
    return ExportDay(window.start, window.end, local_date(window.start, space_tz))


def plan_windows(
    start: datetime,
    end: datetime,
    space_tz: ZoneInfo,
    *,
    method: str,
    window_days: int,
    now: datetime,
    ended_days_by_export: bool = False,
) -> list[Window]:
    """The windows covering [start, end), oldest first; those read by export are ExportDays.
    `ended_days_by_export`: a field only exports deliver is wanted (see the module docstring)."""
    if ended_days_by_export:
        return [
            export_day(window, space_tz)
            if end_of_day(local_date(window.start, space_tz), space_tz) <= now
            else window
            for window in day_windows(start, end, space_tz, 1)
        ]
    if method == "list":
        return list(day_windows(start, end, space_tz, window_days))
    days = list(day_windows(start, end, space_tz, 1))
    if method == "export":
        return [export_day(window, space_tz) for window in days]
    settled_before = now - timedelta(hours=AUTO_EXPORT_AFTER_HOURS)
    # Whole days lie between a partial first and a partial last window, and once a day is too
    # recent every later one is too: the exported days form one run.
    exported = [w for w in days if is_whole_day(w, space_tz) and w.end <= settled_before]
    if len(exported) < AUTO_MIN_EXPORT_DAYS:
        return list(day_windows(start, end, space_tz, window_days))
    first, last = exported[0].start, exported[-1].end
    return [
        *day_windows(start, first, space_tz, window_days),
        *(export_day(window, space_tz) for window in exported),
        *day_windows(last, end, space_tz, window_days),
    ]
