"""Which part of an events range is read through day exports and which through GET /events.

The list endpoint pays per 4000 events (7 calls a minute); an export pays per Space-local day
(5 creations a minute, several processed at once) whatever the day holds, but only ever covers
one whole day and takes seconds to minutes to process. The `extraction_method` setting chooses:

- list: every window through GET /events, events_window_days long;
- export: every window is one Space-local day, read from that day's export (a partial first or
  last day too: the whole day is exported and the rows outside the window are left out);
- auto: exports for the whole days that ended at least AUTO_EXPORT_AFTER_HOURS before now when
  there are at least AUTO_MIN_EXPORT_DAYS of them and the last of them costs more through the
  list than through its export (exports_pay_off); the list for everything else: the recent,
  still-changing days, a partial first day after a lookback, short incremental ranges, and
  Spaces whose days fit in a page.

Why (`make bench`, parts 2, 3b and 5): both paths run within a few percent of what their budgets
allow, and both pay per day, setup and source group, so what decides is a day's pages. A day of
p pages costs p / 7 minutes of the list budget and its export 1 / 5 of the creation budget:
from 2 pages (17 s against 12 s) the export costs less (pages_that_pay_for_an_export, from the
limits in effect). One list call on the last day auto would export tells whether it fills a
page (a Space's recent days are its busiest); that probe costs one list call, only in runs that
hold enough settled days. At 50,000 events a day exports are about 9 times faster (90 days,
`python -m scripts.bench --speed-up-90`: 17.8 minutes against 171.5); at 2,000 a day the list
is faster (one call a day, 7 days a minute against 5). An export also waits seconds to minutes
to be processed: AUTO_MIN_EXPORT_DAYS days keep daily incremental runs (one or two days) on
the list, where that wait costs more than the export saves. The last 24 hours stay on the list
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


def pages_that_pay_for_an_export(list_calls_per_minute: int, creates_per_minute: int) -> int:
    """The fewest GET /events pages of one day, setup and source group that cost more of the
    list budget than that day's export costs of the creation budget (2 at Cometly's 7 and 5)."""
    return list_calls_per_minute // creates_per_minute + 1


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
    exports_pay_off: t.Callable[[Window], bool],
    ended_days_by_export: bool = False,
) -> list[Window]:
    """The windows covering [start, end), oldest first; those read by export are ExportDays.
    `exports_pay_off(day)`: under auto, whether the day (the last one auto would export) costs
    less of the budgets through its export than through the list; asked at most once.
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
    if len(exported) < AUTO_MIN_EXPORT_DAYS or not exports_pay_off(exported[-1]):
        return list(day_windows(start, end, space_tz, window_days))
    first, last = exported[0].start, exported[-1].end
    return [
        *day_windows(start, first, space_tz, window_days),
        *(export_day(window, space_tz) for window in exported),
        *day_windows(last, end, space_tz, window_days),
    ]
