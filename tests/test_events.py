"""The events stream against the fake: exact ground truth, incremental, resumable, selective."""

from __future__ import annotations

import re
import typing as t
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from fake_cometly import FakeCometly
from tap_cometly.errors import ConfigError
from tests.helpers import TapRun, catalog_for, iso, run_tap, tap_config

UNLIMITED = {"events_requests_per_minute": 100_000}
NEW_YORK = ZoneInfo("America/New_York")


def truth(
    fake: FakeCometly, start: datetime | None = None, end: datetime | None = None
) -> dict[int, dict]:
    rows = fake.all_events()
    return {
        row["id"]: row
        for row in rows
        if (start is None or iso(row["event_time_utc"]) >= start.strftime("%Y-%m-%dT%H:%M:%SZ"))
        and (end is None or iso(row["event_time_utc"]) < end.strftime("%Y-%m-%dT%H:%M:%SZ"))
    }


def ids(run: TapRun, stream: str = "events") -> list[int]:
    return [record["id"] for record in run.records(stream)]


def assert_bookmarks_never_go_back(run: TapRun, stream: str = "events") -> None:
    values = [
        state["bookmarks"][stream]["replication_key_value"]
        for state in run.states
        if state.get("bookmarks", {}).get(stream, {}).get("replication_key_value")
    ]
    assert values, "no bookmark was emitted"
    assert values == sorted(values)


def local_midnight_utc(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=NEW_YORK).astimezone(timezone.utc)


@pytest.mark.parametrize(
    ("per_page", "window_days", "start", "end"),
    [
        (4000, 1, "2024-03-07", "2024-03-13"),  # spring forward: a 23 h day
        (4000, 1, "2024-10-31", "2024-11-05"),  # fall back: a 25 h day
        (37, 7, "2024-10-01", "2024-11-20"),  # windows of several pages; empty ones past the data
        (250, 30, "2024-03-01", "2024-11-20"),  # the whole range, across both changes
    ],
)
def test_full_sync_equals_ground_truth_across_both_dst_changes(
    start_fake: t.Callable[..., FakeCometly], per_page: int, window_days: int, start: str, end: str
) -> None:
    # The data runs 2024-03-01 .. 2024-11-06, across both DST changes in America/New_York.
    fake = start_fake(
        first_day=date(2024, 3, 1), days=250, events_per_day=12, rate_limits_enabled=False
    )
    config = tap_config(
        fake,
        per_page=per_page,
        events_window_days=window_days,
        start_date=start,
        end_date=end,
        **UNLIMITED,
    )
    run = run_tap(config)
    got = ids(run)
    assert len(got) == len(set(got)), "duplicate primary keys within a run"
    expected = truth(fake, local_midnight_utc(start), local_midnight_utc(end))
    assert expected, "the range must hold events"
    assert set(got) == set(expected)
    for record in run.records("events"):
        source = expected[record["id"]]
        assert record["event_time_utc"] == iso(source["event_time_utc"])
        assert record["event_name"] == source["event_name"]
        assert float(record["amount"] or 0) == pytest.approx(float(source["amount"] or 0))
        assert record["profile_id"] == source["profile_id"]
    assert_bookmarks_never_go_back(run)
    assert run.bookmark("events") == local_midnight_utc(end).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_every_window_is_bookmarked_as_it_finishes(fake: FakeCometly) -> None:
    run = run_tap(tap_config(fake, end_date="2024-03-11"))
    bookmarks = [
        s["bookmarks"]["events"]["replication_key_value"]
        for s in run.states
        if "events" in s.get("bookmarks", {})
    ]
    # 2024-03-08 .. 2024-03-11 local: three windows, the middle one 23 h long (DST).
    assert {"2024-03-09T05:00:00Z", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"} <= set(
        bookmarks
    )
    assert "progress_markers" not in str(run.last_state)


def test_an_end_date_in_the_future_reads_and_bookmarks_up_to_now_only(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    today = datetime.now(NEW_YORK).date()
    fake = start_fake(first_day=today - timedelta(days=1), days=2, events_per_day=50)
    config = tap_config(
        fake,
        start_date=str(today - timedelta(days=1)),
        end_date=str(today + timedelta(days=30)),
        timezone="America/New_York",
    )
    before = datetime.now(timezone.utc)
    first = run_tap(config)
    after = datetime.now(timezone.utc)
    bookmark = datetime.fromisoformat(first.bookmark("events").replace("Z", "+00:00"))
    # Not 30 days ahead: the next run reads what happens from now on.
    assert before - timedelta(seconds=1) <= bookmark <= after
    assert set(ids(first)) == set(
        truth(fake, local_midnight_utc(str(today - timedelta(days=1))), bookmark)
    )


def test_second_run_reads_new_events_and_the_lookback_tail(fake: FakeCometly) -> None:
    first_end = datetime(2024, 3, 11, 4, tzinfo=timezone.utc)  # 2024-03-11 00:00 New York
    first = run_tap(tap_config(fake, end_date="2024-03-11"))
    assert first.bookmark("events") == "2024-03-11T04:00:00Z"
    late = fake.add_event(
        event_name="purchase", amount=42.5, event_time_utc=first_end - timedelta(hours=1)
    )
    too_late = fake.add_event(
        event_name="purchase", amount=1.0, event_time_utc=first_end - timedelta(hours=10)
    )
    second = run_tap(
        tap_config(fake, end_date="2024-03-12", lookback_hours=3), state=first.last_state
    )
    expected = truth(
        fake, first_end - timedelta(hours=3), datetime(2024, 3, 12, 4, tzinfo=timezone.utc)
    )
    assert set(ids(second)) == set(expected)
    assert late["id"] in ids(second)
    assert too_late["id"] not in ids(second), "outside the lookback: a documented limit"
    assert second.bookmark("events") == "2024-03-12T04:00:00Z"


def test_resume_from_a_mid_run_state_loses_nothing(fake: FakeCometly) -> None:
    config = tap_config(fake)
    full = run_tap(config)
    # Pretend the run died right after its second STATE message.
    emitted_before: list[int] = []
    states_seen = 0
    resume_state: dict = {}
    for message in full.messages:
        if message["type"] == "RECORD" and message["stream"] == "events":
            emitted_before.append(message["record"]["id"])
        if message["type"] == "STATE":
            states_seen += 1
            if states_seen == 2:
                resume_state = message["value"]
                break
    assert resume_state, "the run should emit a STATE per window"
    resumed = run_tap(config, state=resume_state)
    assert set(emitted_before) | set(ids(resumed)) == set(truth(fake))


def test_field_selection_changes_fields_sent(fake: FakeCometly) -> None:
    config = tap_config(fake, end_date="2024-03-09")
    catalog = catalog_for(config, {"events": ["id", "event_time_utc", "event_name", "amount"]})
    run = run_tap(config, catalog=catalog)
    assert run.records("events")
    assert set(run.records("events")[0]) <= {"id", "event_time_utc", "event_name", "amount"}
    sent = [r for r in fake.request_log if r.path.endswith("/events")]
    fields = {value for key, value in sent[0].query if key == "fields[]"}
    assert fields == {"event_name", "amount"}


def test_filters_are_sent_on_every_page(fake: FakeCometly) -> None:
    run = run_tap(
        tap_config(
            fake,
            end_date="2024-03-09",
            per_page=25,
            event_names=["purchase", "sign_up"],
            query_mode="profile",
        )
    )
    names = Counter(record["event_name"] for record in run.records("events"))
    assert set(names) <= {"purchase", "sign_up"}
    pages = [r for r in fake.request_log if r.path.endswith("/events")]
    assert len(pages) > 1
    for page in pages:
        sent = Counter(key for key, _ in page.query)
        assert sent["event_names[]"] == 2
        assert sent["start_date"] == sent["end_date"] == 1
        assert ("per_page", "25") in page.query
    assert all(("cursor" in dict(p.query)) for p in pages[1:])


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"event_names": ["purchase", "buy_now"]}, "event_names"),
        ({"event_names": ["purchase", "purchase"]}, "event_names"),
        ({"query_mode": "team"}, "query_mode"),
        ({"per_page": 4001}, "per_page"),
        ({"attribution_setups": [{"sources": ["google_ads"]}]}, "attribution_setups[0]"),
    ],
)
def test_bad_filters_fail_before_any_request(
    fake: FakeCometly, overrides: dict, setting: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"'{setting}'")):
        run_tap(tap_config(fake, **overrides))
    assert fake.request_log == []


def test_amounts_sent_as_strings_and_unordered_pages(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    fake = start_fake(string_amounts=True, shuffle_pages=True, rate_limits_enabled=False)
    run = run_tap(tap_config(fake, per_page=50, **UNLIMITED))
    expected = truth(fake)
    assert set(ids(run)) == set(expected)
    for record in run.records("events"):
        assert float(record["amount"] or 0) == pytest.approx(
            float(expected[record["id"]]["amount"] or 0)
        )
