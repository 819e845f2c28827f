"""The events stream's extraction methods: day exports equal the list path record for record,
export faults are recovered (or reported naming the export and the day), a restarted run takes
its exports over, days come out in order, and `auto` exports old days but lists the recent tail."""

from __future__ import annotations

import logging
import re
import typing as t
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from fake_cometly import FakeCometly, Fault
from tap_cometly.config_text import coerce_config
from tap_cometly.errors import ConfigError
from tap_cometly.exports.tracker import MAX_IN_FLIGHT
from tap_cometly.extraction import (
    AUTO_MIN_EXPORT_DAYS,
    ExportDay,
    pages_that_pay_for_an_export,
    plan_windows,
)
from tap_cometly.settings import parse_settings
from tap_cometly.tap import TapCometly
from tap_cometly.windows import Window
from tests.helpers import FailedRun, TapRun, catalog_for, run_tap, run_until_error, tap_config

NEW_YORK = ZoneInfo("America/New_York")
EXPORTS_PATH = "/public-api/v1/events/exports"
IN_FLIGHT = "exports_in_flight"


def events_config(fake: FakeCometly, **overrides: t.Any) -> dict[str, t.Any]:
    return tap_config(fake, **{"extraction_method": "export", **overrides})


def events_only(config: dict[str, t.Any], fields: list[str] | None = None) -> dict[str, t.Any]:
    return catalog_for(config, {"events": fields})


def run_events(config: dict[str, t.Any], state: dict | None = None) -> TapRun:
    return run_tap(config, state=state, catalog=events_only(config))


def run_events_until_error(config: dict[str, t.Any], state: dict | None = None) -> FailedRun:
    return run_until_error(config, state, events_only(config))


def utc(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=NEW_YORK)


def by_id(run: TapRun) -> dict[int, dict[str, t.Any]]:
    records = run.records("events")
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids)), "an event came twice in one run"
    return {record["id"]: record for record in records}


def truth_ids(fake: FakeCometly, start: str, end: str) -> set[int]:
    return {row["id"] for row in fake.events(start, end)}


def creates(fake: FakeCometly) -> list[t.Any]:
    return fake.requests(method="POST", path_prefix=EXPORTS_PATH)


def created_days(fake: FakeCometly) -> list[str]:
    return [create.json_body["date"] for create in creates(fake)]


def event_states(run: TapRun) -> list[dict[str, t.Any]]:
    return [s["bookmarks"]["events"] for s in run.states if "events" in s.get("bookmarks", {})]


def bookmarks(run: TapRun) -> list[str]:
    return [s["replication_key_value"] for s in event_states(run) if "replication_key_value" in s]


def assert_days_in_order(run: TapRun) -> None:
    """Records come day by day, oldest first, and the bookmark only ever moves forward."""
    days = [
        datetime.fromisoformat(record["event_time_utc"]).astimezone(NEW_YORK).date()
        for record in run.records("events")
    ]
    assert days == sorted(days), "a later day's records came before an earlier day's"
    assert bookmarks(run) == sorted(bookmarks(run)), "the bookmark went backwards"


# Record for record


@pytest.mark.parametrize(
    ("first_day", "start", "end", "fake_options"),
    [
        # 2024-03-10 lasts 23 hours in New York; some amounts come as strings.
        (date(2024, 3, 8), "2024-03-08", "2024-03-13", {"string_amounts": True}),
        # 2024-11-03 lasts 25 hours.
        (date(2024, 11, 1), "2024-11-01", "2024-11-05", {}),
        # Partial first and last days: whole days are exported, their rows cut to the range.
        (date(2024, 3, 8), "2024-03-08T13:30:00", "2024-03-11T06:15:00", {}),
    ],
)
def test_export_equals_list_record_for_record(
    start_fake: t.Callable[..., FakeCometly],
    first_day: date,
    start: str,
    end: str,
    fake_options: dict[str, t.Any],
) -> None:
    fake = start_fake(first_day=first_day, **fake_options)
    listed = run_events(
        events_config(fake, start_date=start, end_date=end, extraction_method="list")
    )
    assert not creates(fake)
    fake.clear_log()
    exported = run_events(events_config(fake, start_date=start, end_date=end))
    assert not fake.count(family="events_list"), "the export path called GET /events"

    assert by_id(exported) == by_id(listed)
    window_start = utc(datetime.fromisoformat(start).replace(tzinfo=NEW_YORK))
    window_end = utc(datetime.fromisoformat(end).replace(tzinfo=NEW_YORK))
    assert set(by_id(exported)) == truth_ids(fake, window_start, window_end)
    assert bookmarks(exported)[-1] == bookmarks(listed)[-1] == window_end
    assert_days_in_order(exported)
    # One export per local day touched by the range; none of them stays in the state.
    first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
    touched = (last - first).days + (1 if end[10:] else 0)
    assert created_days(fake) == [str(first + timedelta(days=n)) for n in range(touched)]
    assert IN_FLIGHT not in exported.last_state["bookmarks"]["events"]


def test_the_export_body_carries_the_list_paths_filters_and_fields(fake: FakeCometly) -> None:
    config = events_config(
        fake, end_date="2024-03-09", event_names=["purchase", "sign_up"], query_mode="profile"
    )
    fields = ["id", "event_time_utc", "event_name", "amount"]
    run = run_tap(config, catalog=events_only(config, fields))
    assert [create.json_body for create in creates(fake)] == [
        {
            "date": "2024-03-08",
            "query_mode": "profile",
            "event_names": ["purchase", "sign_up"],
            "fields": ["event_name", "amount"],
        }
    ]
    records = run.records("events")
    assert records
    assert {record["event_name"] for record in records} <= {"purchase", "sign_up"}
    assert all(set(record) <= set(fields) for record in records)


# The pipeline


def test_days_are_pipelined_within_the_budgets(start_fake: t.Callable[..., FakeCometly]) -> None:
    # Each export needs 6 status checks (about 4 s at these waits): creations run ahead.
    fake = start_fake(days=14, events_per_day=50, export_polls_queued=4)
    run = run_events(events_config(fake, end_date="2024-03-22", export_poll_seconds=0.2))
    assert len(by_id(run)) == len(fake.events("2024-03-08T05:00:00Z", "2024-03-22T04:00:00Z"))
    assert fake.count(status=429) == 0
    # Exports are created ahead, at most MAX_IN_FLIGHT not yet downloaded.
    in_flight = most = 0
    first_download_after = None
    for entry in fake.request_log:
        if entry.method == "POST":
            in_flight += 1
        elif entry.listener == "storage" and entry.status == 200:
            first_download_after = first_download_after or in_flight
            in_flight -= 1
        most = max(most, in_flight)
    assert most == MAX_IN_FLIGHT
    assert first_download_after == MAX_IN_FLIGHT
    assert_days_in_order(run)
    # The state holds no more than the days in flight, and none once they are out.
    saved = [len(state.get(IN_FLIGHT, {}).get("days", {})) for state in event_states(run)]
    assert max(saved) == MAX_IN_FLIGHT
    assert IN_FLIGHT not in run.last_state["bookmarks"]["events"]


def test_progress_counts_the_waits_for_the_creation_budget(
    fake: FakeCometly, caplog: pytest.LogCaptureFixture
) -> None:
    # 2 creations a 1.5 s window for 6 days: two windows' wait, slept by the export tracker.
    config = events_config(
        fake,
        end_date="2024-03-14",
        export_creates_per_minute=2,
        rate_limit_window_seconds=1.5,
    )
    with caplog.at_level(logging.INFO):
        run_events(config)
    (last,) = [
        record.getMessage()
        for record in caplog.records
        if record.getMessage().startswith("Progress of 'events'")
        and "finished" in record.getMessage()
    ]
    waited = re.search(r"(\d+) s waited on rate limits", last)
    assert waited is not None, last
    assert int(waited.group(1)) >= 2


# Export faults


def test_a_failed_day_is_created_again_and_later_days_wait_for_it(fake: FakeCometly) -> None:
    fake.inject(Fault("export_fail"))  # the first export: 2024-03-08
    run = run_events(events_config(fake))
    assert set(by_id(run)) == truth_ids(fake, "2024-03-08T05:00:00Z", "2024-03-13T04:00:00Z")
    days = created_days(fake)
    assert sorted(days) == sorted([*(f"2024-03-{n:02d}" for n in range(8, 13)), "2024-03-08"])
    assert days[-1] == "2024-03-08", "the re-creation comes after the later days' exports"
    # The later days completed first, yet waited for the first one.
    assert_days_in_order(run)
    assert bookmarks(run)[0] == "2024-03-09T05:00:00Z"


def test_a_stuck_export_times_out_naming_the_export_and_the_day(fake: FakeCometly) -> None:
    fake.inject(Fault("export_stuck", skip=2))  # the third export: 2024-03-10
    failed = run_events_until_error(events_config(fake, export_timeout_minutes=0.01))
    message = str(failed.error)
    assert (
        "Stream 'events', window [2024-03-10T05:00:00Z, 2024-03-11T04:00:00Z) (day 2024-03-10), "
        "export 1003: the export is still queued after 1 s" in message
    )
    assert message.count("tream 'events'") == 1
    assert "export_timeout_minutes" in message
    # The two days before it were emitted and bookmarked first.
    assert bookmarks(failed.run)[-1] == "2024-03-10T05:00:00Z"
    assert set(by_id(failed.run)) == truth_ids(fake, "2024-03-08T05:00:00Z", "2024-03-10T05:00:00Z")
    # The next run checks the stuck export again instead of creating another.
    assert failed.run.last_state["bookmarks"]["events"][IN_FLIGHT]["days"]["2024-03-10"] == 1003


def test_an_expired_url_is_replaced_by_a_fresh_status_check(fake: FakeCometly) -> None:
    fake.inject(Fault("expire_url", family="download"))
    run = run_events(events_config(fake))
    assert set(by_id(run)) == truth_ids(fake, "2024-03-08T05:00:00Z", "2024-03-13T04:00:00Z")
    downloads = fake.requests(listener="storage")
    assert [d.status for d in downloads] == [403] + [200] * 5
    refreshed = [
        check
        for check in fake.requests(family="export_status")
        if downloads[0].time < check.time < downloads[1].time
    ]
    assert [check.path for check in refreshed] == [f"{EXPORTS_PATH}/1001"]
    assert len(creates(fake)) == 5


def test_a_truncated_gzip_is_fetched_again(fake: FakeCometly) -> None:
    fake.inject(Fault("truncate_gzip", family="download"))
    run = run_events(events_config(fake))
    assert set(by_id(run)) == truth_ids(fake, "2024-03-08T05:00:00Z", "2024-03-13T04:00:00Z")
    assert len(fake.requests(listener="storage")) == 6
    assert len(creates(fake)) == 5


# Restarts


def crash_with_exports_in_flight(
    fake: FakeCometly, config: dict[str, t.Any], state: dict | None = None
) -> FailedRun:
    """A run that dies once its exports are created: every download keeps failing."""
    fake.inject(Fault("status", family="download", count=1000, status=503))
    crashed = run_events_until_error({**config, "max_retry_minutes": 0.005}, state)
    assert "storage host kept failing" in str(crashed.error)
    fake.clear_faults()
    return crashed


def test_a_restarted_run_takes_over_the_exports_in_flight(fake: FakeCometly) -> None:
    config = events_config(fake)
    crashed = crash_with_exports_in_flight(fake, config)
    in_flight = crashed.run.last_state["bookmarks"]["events"][IN_FLIGHT]
    assert in_flight["days"] == {f"2024-03-{8 + n:02d}": 1001 + n for n in range(5)}
    assert not crashed.run.records("events")

    # A run that takes them over and dies too keeps them in its state.
    crashed_again = crash_with_exports_in_flight(fake, config, crashed.run.last_state)
    again = crashed_again.run.last_state["bookmarks"]["events"][IN_FLIGHT]
    assert again == in_flight
    assert created_days(fake) == [f"2024-03-{8 + n:02d}" for n in range(5)], "one set only"

    fake.clear_log()
    resumed = run_events(config, state=crashed_again.run.last_state)
    assert set(by_id(resumed)) == truth_ids(fake, "2024-03-08T05:00:00Z", "2024-03-13T04:00:00Z")
    assert creates(fake) == [], "the resumed run created an export instead of taking one over"
    checked = {entry.path for entry in fake.requests(family="export_status")}
    assert checked == {f"{EXPORTS_PATH}/{1001 + n}" for n in range(5)}
    assert IN_FLIGHT not in resumed.last_state["bookmarks"]["events"]
    assert_days_in_order(resumed)


def test_exports_in_flight_left_by_an_earlier_run_are_forgotten_when_not_needed(
    fake: FakeCometly, caplog: pytest.LogCaptureFixture
) -> None:
    filters = {"query_mode": "profile", "fields": ["amount"]}
    stale = {"filters": filters, "days": {"2024-03-08": 1001}}
    listed = run_events(
        events_config(fake, extraction_method="list"),
        state={"bookmarks": {"events": {IN_FLIGHT: stale}}},
    )
    assert IN_FLIGHT not in listed.last_state["bookmarks"]["events"]
    with caplog.at_level(logging.WARNING):
        exported = run_events(
            events_config(fake, end_date="2024-03-09"),
            state={"bookmarks": {"events": {IN_FLIGHT: {"days": "2024-03-08"}}}},
        )
    assert "ignoring an unreadable exports_in_flight" in caplog.text
    assert by_id(exported)


def test_exports_made_with_other_fields_are_not_taken_over(fake: FakeCometly) -> None:
    config = events_config(fake, end_date="2024-03-10")
    crashed = crash_with_exports_in_flight(fake, config)
    assert len(crashed.run.last_state["bookmarks"]["events"][IN_FLIGHT]["days"]) == 2
    fake.clear_log()
    catalog = events_only(config, ["id", "event_time_utc", "amount"])
    resumed = run_tap(config, state=crashed.run.last_state, catalog=catalog)
    assert created_days(fake) == ["2024-03-08", "2024-03-09"]
    assert all(
        set(record) == {"id", "event_time_utc", "amount"} for record in resumed.records("events")
    )


def test_a_saved_export_cometly_does_not_know_is_replaced(fake: FakeCometly) -> None:
    config = events_config(fake, end_date="2024-03-09")
    filters = {"query_mode": "profile", "fields": ["amount"]}
    state = {
        "bookmarks": {"events": {IN_FLIGHT: {"filters": filters, "days": {"2024-03-08": 4242}}}}
    }
    catalog = events_only(config, ["id", "event_time_utc", "amount"])
    run = run_tap(config, state=state, catalog=catalog)
    assert set(by_id(run)) == truth_ids(fake, "2024-03-08T05:00:00Z", "2024-03-09T05:00:00Z")
    assert fake.count(path_prefix=f"{EXPORTS_PATH}/4242", status=404) == 1
    assert created_days(fake) == ["2024-03-08"]


def test_the_export_of_a_day_not_over_is_never_saved(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    today = datetime.now(NEW_YORK).date()
    fake = start_fake(first_day=today - timedelta(days=1), days=2, events_per_day=50)
    config = events_config(fake, start_date=str(today - timedelta(days=1)), end_date=None)
    run = run_events(config)
    assert created_days(fake) == [str(today - timedelta(days=1)), str(today)]
    saved = [state[IN_FLIGHT]["days"] for state in event_states(run) if IN_FLIGHT in state]
    assert saved
    assert all(set(days) == {str(today - timedelta(days=1))} for days in saved)
    assert set(by_id(run)) == truth_ids(
        fake, utc(local_midnight(today - timedelta(days=1))), bookmarks(run)[-1]
    )


# auto


def auto_week_until_now(
    start_fake: t.Callable[..., FakeCometly], *, per_page: int
) -> tuple[FakeCometly, dict[str, t.Any], date, date]:
    """A fake week of 100 events a day up to today, and auto's settings to read it: the fake,
    the config, the first day and today."""
    today = datetime.now(NEW_YORK).date()
    first_day = today - timedelta(days=6)
    fake = start_fake(first_day=first_day, days=7, events_per_day=100)
    config = events_config(
        fake,
        start_date=first_day.isoformat(),
        end_date=None,
        per_page=per_page,
        extraction_method="auto",
    )
    return fake, config, first_day, today


def test_auto_exports_old_days_and_lists_the_recent_tail(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    # 50 events a page: a day of 100 takes more than one page, so its export costs less.
    fake, config, first_day, today = auto_week_until_now(start_fake, per_page=50)
    run = run_events(config)
    # Days that ended at least 24 hours ago are exported; yesterday and today are listed.
    last_exported = first_day + timedelta(days=4)
    assert created_days(fake) == [str(first_day + timedelta(days=n)) for n in range(5)]
    probe, *listed = fake.requests(family="events_list")
    assert dict(probe.query)["start_date"] <= f"{last_exported} 00:00:00"
    assert dict(probe.query)["end_date"] >= f"{last_exported} 23:59:59"
    listed_from = {dict(page.query)["start_date"] for page in listed}
    assert min(listed_from) >= f"{today - timedelta(days=1)} 00:00:00"
    end = bookmarks(run)[-1]
    assert set(by_id(run)) == truth_ids(fake, utc(local_midnight(first_day)), end)
    assert_days_in_order(run)


def test_auto_lists_a_backfill_whose_days_fit_in_a_page(
    start_fake: t.Callable[..., FakeCometly], caplog: pytest.LogCaptureFixture
) -> None:
    fake, config, first_day, _ = auto_week_until_now(start_fake, per_page=200)
    with caplog.at_level(logging.INFO):
        run = run_events(config)
    assert not creates(fake)
    # The probe's one page, then one page a day.
    assert fake.count(family="events_list") == 1 + 7
    assert f"day {first_day + timedelta(days=4)} takes fewer than 2 GET /events pages" in (
        caplog.text
    )
    assert set(by_id(run)) == truth_ids(fake, utc(local_midnight(first_day)), bookmarks(run)[-1])


def test_an_export_pays_off_from_the_pages_the_limits_make_dearer() -> None:
    assert pages_that_pay_for_an_export(7, 5) == 2  # Cometly's: 2 pages 17 s, an export 12 s
    assert pages_that_pay_for_an_export(10, 5) == 3  # 2 pages 12 s: a tie stays on the list
    assert pages_that_pay_for_an_export(3, 5) == 1


def test_auto_lists_a_short_range(fake: FakeCometly) -> None:
    config = events_config(fake, end_date="2024-03-10", extraction_method="auto")
    run = run_events(config)
    assert not creates(fake)
    assert set(by_id(run)) == truth_ids(fake, "2024-03-08T05:00:00Z", "2024-03-10T05:00:00Z")


def test_event_attributions_follow_the_extraction_method(fake: FakeCometly) -> None:
    setup = {
        "sources": ["facebook_ads"],
        "attribution_model": "last_touch",
        "attribution_window": 30,
    }
    config = events_config(fake, attribution_setups=[setup], end_date="2024-03-10")
    run = run_tap(config, catalog=catalog_for(config, {"event_attributions": None}))
    assert run.records("event_attributions")
    assert created_days(fake) == ["2024-03-08", "2024-03-09"]
    assert {create.json_body["attribution_model"] for create in creates(fake)} == {"last_touch"}
    assert not fake.count(family="events_list")


NOW = datetime(2024, 3, 20, 15, 0, tzinfo=timezone.utc)


def instant(text: str) -> datetime:
    """A UTC instant from ISO text, midnight UTC for a bare date."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def plan(
    start: str, end: str, method: str, window_days: int = 1, *, exports_pay: bool = True
) -> list[Window]:
    return plan_windows(
        instant(start),
        instant(end),
        NEW_YORK,
        method=method,
        window_days=window_days,
        now=NOW,
        exports_pay_off=lambda _day: exports_pay,
    )


def describe(windows: list[Window]) -> list[str]:
    return [
        f"{'export' if isinstance(w, ExportDay) else 'list'} {Window.__str__(w)}" for w in windows
    ]


def test_auto_plan_a_backfill_resumed_mid_day() -> None:
    windows = plan("2024-03-08T02:00:00Z", "2024-03-20T15:00:00Z", "auto", window_days=7)
    assert describe(windows) == [
        "list [2024-03-08T02:00:00Z, 2024-03-08T05:00:00Z)",  # a partial day
        "export [2024-03-08T05:00:00Z, 2024-03-09T05:00:00Z)",
        "export [2024-03-09T05:00:00Z, 2024-03-10T05:00:00Z)",
        "export [2024-03-10T05:00:00Z, 2024-03-11T04:00:00Z)",  # 23 hours
        *(
            f"export [2024-03-{d:02d}T04:00:00Z, 2024-03-{d + 1:02d}T04:00:00Z)"
            for d in range(11, 19)
        ),
        # 2024-03-19 ended less than 24 hours before NOW: the tail is listed.
        "list [2024-03-19T04:00:00Z, 2024-03-20T15:00:00Z)",
    ]
    assert next(w.day for w in windows if isinstance(w, ExportDay)) == date(2024, 3, 8)


def test_auto_plan_exports_only_from_enough_settled_days() -> None:
    def whole_days(count: int) -> list[Window]:
        first = date(2024, 3, 1)
        end = utc(local_midnight(first + timedelta(days=count)))
        return plan(utc(local_midnight(first)), end, "auto")

    few = whole_days(AUTO_MIN_EXPORT_DAYS - 1)
    assert len(few) == AUTO_MIN_EXPORT_DAYS - 1
    assert not [w for w in few if isinstance(w, ExportDay)]
    enough = whole_days(AUTO_MIN_EXPORT_DAYS)
    assert len(enough) == AUTO_MIN_EXPORT_DAYS
    assert all(isinstance(w, ExportDay) for w in enough)
    # An incremental run: a partial day after the lookback, yesterday and today.
    daily = plan("2024-03-18T01:00:00Z", "2024-03-20T15:00:00Z", "auto")
    assert not [w for w in daily if isinstance(w, ExportDay)]


def test_auto_plan_asks_about_the_last_day_it_would_export() -> None:
    asked: list[Window] = []

    def light(day: Window) -> bool:
        asked.append(day)
        return False

    windows = plan_windows(
        instant("2024-03-01T05:00:00Z"),
        NOW,
        NEW_YORK,
        method="auto",
        window_days=1,
        now=NOW,
        exports_pay_off=light,
    )
    assert [str(day) for day in asked] == ["[2024-03-18T04:00:00Z, 2024-03-19T04:00:00Z)"]
    assert not [w for w in windows if isinstance(w, ExportDay)]
    assert len(windows) == 20  # 2024-03-01 to 2024-03-20, listed day by day


def test_export_plan_is_one_day_per_window_whatever_events_window_days() -> None:
    windows = plan("2024-03-09T12:00:00Z", "2024-03-11T06:00:00Z", "export", window_days=30)
    assert describe(windows) == [
        "export [2024-03-09T12:00:00Z, 2024-03-10T05:00:00Z)",
        "export [2024-03-10T05:00:00Z, 2024-03-11T04:00:00Z)",
        "export [2024-03-11T04:00:00Z, 2024-03-11T06:00:00Z)",
    ]
    assert [w.day for w in windows if isinstance(w, ExportDay)] == [
        date(2024, 3, 9),
        date(2024, 3, 10),
        date(2024, 3, 11),
    ]
    assert describe(plan("2024-03-09", "2024-03-11", "list", window_days=30)) == [
        "list [2024-03-09T00:00:00Z, 2024-03-11T00:00:00Z)"
    ]


# The setting


def test_extraction_method_defaults_to_auto_and_is_validated() -> None:
    base = {"api_key": "k", "start_date": "2024-01-01"}
    assert parse_settings(base).extraction_method == "auto"
    converted, errors = coerce_config(
        {**base, "extraction_method": "export"}, TapCometly.config_jsonschema
    )
    assert not errors
    assert parse_settings(converted).extraction_method == "export"
    with pytest.raises(ConfigError) as bad:
        parse_settings({**base, "extraction_method": "bulk"})
    assert str(bad.value) == (
        "Invalid setting 'extraction_method': expected one of auto, list, export, got 'bulk'."
    )


def test_a_bad_extraction_method_stops_before_any_request(fake: FakeCometly) -> None:
    with pytest.raises(ConfigError, match="'extraction_method'"):
        run_tap(events_config(fake, extraction_method="EXPORT"))
    assert fake.request_log == []


def test_the_setting_is_documented_with_its_auto_threshold() -> None:
    declared = TapCometly.config_jsonschema["properties"]["extraction_method"]
    assert declared["enum"] == ["auto", "list", "export"]
    assert declared["default"] == "auto"
    assert "24 hours" in declared["description"]
