"""Space-local windows: DST days, exact seams, bounds the server cannot misread."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tap_cometly.windows import Window, api_bounds, day_windows, parse_instant

NEW_YORK = ZoneInfo("America/New_York")


def test_windows_meet_exactly_and_follow_dst() -> None:
    start = parse_instant("2024-03-08", NEW_YORK)
    end = parse_instant("2024-11-05", NEW_YORK)
    windows = list(day_windows(start, end, NEW_YORK, 1))
    assert windows[0].start == start
    assert windows[-1].end == end
    for before, after in itertools.pairwise(windows):
        assert before.end == after.start
    lengths = {w.start.astimezone(NEW_YORK).date().isoformat(): w.end - w.start for w in windows}
    assert lengths["2024-03-10"] == timedelta(hours=23)
    assert lengths["2024-11-03"] == timedelta(hours=25)
    assert lengths["2024-06-01"] == timedelta(hours=24)
    assert all(w.start.astimezone(NEW_YORK).hour == 0 for w in windows)


def test_first_window_starts_mid_day_then_aligns_to_midnight() -> None:
    start = datetime(2024, 1, 10, 15, 30, tzinfo=timezone.utc)
    end = datetime(2024, 1, 20, tzinfo=timezone.utc)
    windows = list(day_windows(start, end, NEW_YORK, 3))
    assert windows[0].start == start
    assert windows[0].end.astimezone(NEW_YORK).isoformat().startswith("2024-01-13T00:00:00")
    assert windows[1].end - windows[1].start == timedelta(days=3)
    assert windows[-1].end == end


def test_empty_range_has_no_windows() -> None:
    moment = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert list(day_windows(moment, moment, NEW_YORK, 1)) == []


def test_api_bounds_are_space_local() -> None:
    window = Window(parse_instant("2024-07-01", NEW_YORK), parse_instant("2024-07-02", NEW_YORK))
    assert api_bounds(window, NEW_YORK) == ("2024-07-01 00:00:00", "2024-07-02 00:00:00")


@pytest.mark.parametrize("fold_hour", [5, 6])
def test_api_bounds_cover_a_repeated_hour_whatever_the_server_picks(fold_hour: int) -> None:
    # 01:00-02:00 local happens twice on 2024-11-03 (05:00-06:00Z and 06:00-07:00Z).
    start = datetime(2024, 11, 3, fold_hour, 30, tzinfo=timezone.utc)
    window = Window(start, start + timedelta(minutes=20))
    low, high = api_bounds(window, NEW_YORK)
    for text, must_be in ((low, "before"), (high, "after")):
        naive = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        readings = {naive.replace(tzinfo=NEW_YORK, fold=f).astimezone(timezone.utc) for f in (0, 1)}
        if must_be == "before":
            assert all(r <= window.start for r in readings), (text, readings)
        else:
            assert all(r >= window.end for r in readings), (text, readings)


def test_window_contains_is_half_open() -> None:
    window = Window(
        datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 1, 2, tzinfo=timezone.utc)
    )
    assert window.contains("2024-01-01T00:00:00Z")
    assert window.contains("2024-01-01T23:59:59Z")
    assert not window.contains("2024-01-02T00:00:00Z")
    assert not window.contains("2023-12-31T23:59:59Z")
