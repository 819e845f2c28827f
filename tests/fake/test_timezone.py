"""Dates are read in the Space timezone, both ends inclusive, across both DST changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone

import pytest

from fake_cometly import FakeCometly
from tests.fake.conftest import Client

UTC = timezone.utc


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def day_rows(client: Client, day: str) -> list[dict[str, object]]:
    params = [
        ("start_date", f"{day} 00:00:00"),
        ("end_date", f"{day} 23:59:59"),
        ("per_page", 4000),
    ]
    return client.rows("/events", params)


@pytest.mark.parametrize(
    ("first_day", "day", "start", "end", "hours"),
    [
        (date(2024, 3, 8), "2024-03-10", utc(2024, 3, 10, 5), utc(2024, 3, 11, 4), 23),
        (date(2024, 11, 1), "2024-11-03", utc(2024, 11, 3, 4), utc(2024, 11, 4, 5), 25),
        (date(2024, 3, 8), "2024-03-09", utc(2024, 3, 9, 5), utc(2024, 3, 10, 5), 24),
    ],
)
def test_a_local_day_is_its_real_length_of_events(
    make_fake: Callable[..., FakeCometly],
    first_day: date,
    day: str,
    start: datetime,
    end: datetime,
    hours: int,
) -> None:
    fake = make_fake(first_day=first_day, events_per_day=1500)
    rows = day_rows(Client(fake), day)
    expected = fake.events(start, end)
    assert [r["id"] for r in rows] == [e["id"] for e in expected]
    assert (end - start).total_seconds() == hours * 3600
    first = datetime.fromisoformat(str(rows[0]["event_time_utc"])).replace(tzinfo=UTC)
    last = datetime.fromisoformat(str(rows[-1]["event_time_utc"])).replace(tzinfo=UTC)
    assert (last - first).total_seconds() > (hours - 1) * 3600


def test_both_ends_are_inclusive(fake: FakeCometly, client: Client) -> None:
    # 12:00:00 and 13:00:00 New York time on 2024-03-09 (EST, UTC-5).
    at_start = fake.add_event(event_name="sign_up", event_time_utc=utc(2024, 3, 9, 17))
    at_end = fake.add_event(event_name="sign_up", event_time_utc=utc(2024, 3, 9, 18))
    inclusive = [("start_date", "2024-03-09 12:00:00"), ("end_date", "2024-03-09 13:00:00")]
    ids = {row["id"] for row in client.rows("/events", inclusive)}
    assert {at_start["id"], at_end["id"]} <= ids
    shorter = [("start_date", "2024-03-09 12:00:01"), ("end_date", "2024-03-09 12:59:59")]
    ids = {row["id"] for row in client.rows("/events", shorter)}
    assert not {at_start["id"], at_end["id"]} & ids


def test_ambiguous_and_skipped_local_times_resolve_like_php(
    make_fake: Callable[..., FakeCometly],
) -> None:
    fake = make_fake(first_day=date(2024, 3, 9), days=300, events_per_day=0)
    client = Client(fake)
    first_130 = fake.add_event(event_time_utc=utc(2024, 11, 3, 5, 30))  # 01:30 EDT
    second_130 = fake.add_event(event_time_utc=utc(2024, 11, 3, 6, 30))  # 01:30 EST
    after_gap = fake.add_event(event_time_utc=utc(2024, 3, 10, 7, 30))  # 03:30 EDT

    def ids(start: str, end: str) -> set[object]:
        return {r["id"] for r in client.rows("/events", [("start_date", start), ("end_date", end)])}

    # A repeated wall time means its first (daylight) occurrence.
    assert ids("2024-11-03 01:30:00", "2024-11-03 01:30:01") == {first_130["id"]}
    assert ids("2024-11-03 01:00:00", "2024-11-03 01:59:59") == {first_130["id"]}
    assert ids("2024-11-03 00:00:00", "2024-11-03 23:59:59") == {first_130["id"], second_130["id"]}
    # A skipped wall time moves forward by the gap: 02:30 is read as 03:30 EDT.
    assert ids("2024-03-10 02:30:00", "2024-03-10 02:30:01") == {after_gap["id"]}


def test_other_zones_shift_the_window(make_fake: Callable[..., FakeCometly]) -> None:
    fake = make_fake(timezone="Asia/Kolkata", first_day=date(2024, 3, 8))
    rows = day_rows(Client(fake), "2024-03-09")
    expected = fake.events(utc(2024, 3, 8, 18, 30), utc(2024, 3, 9, 18, 30))
    assert [r["id"] for r in rows] == [e["id"] for e in expected]
    assert rows
