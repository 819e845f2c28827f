"""event_attributions through day exports: one file per day, setup and group of 15 sources,
equal to the list path on the columns both deliver, the ad hierarchy as the fake has it, saved
exports taken over on restart, and events' and attributions' exports within one run's budgets."""

from __future__ import annotations

import logging
import typing as t
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from fake_cometly import FakeCometly, Fault
from tap_cometly.client import CometlyStream
from tap_cometly.extraction import ExportDay, plan_windows
from tap_cometly.streams.events import EXPORT_ONLY_FIELDS
from tap_cometly.tap import TapCometly
from tap_cometly.vocabulary import MAX_SOURCES_PER_REQUEST
from tap_cometly.windows import Window
from tests.helpers import (
    API_KEY,
    FailedRun,
    TapRun,
    catalog_for,
    leaked_secrets,
    run_tap,
    run_until_error,
    signatures,
    tap_config,
)

NEW_YORK = ZoneInfo("America/New_York")
EXPORTS_PATH = "/public-api/v1/events/exports"
IN_FLIGHT = "exports_in_flight"
STREAM = "event_attributions"
# 52 sources: 4 exports a day (15 + 15 + 15 + 7).
ALL_LINEAR = {"sources": "all", "attribution_model": "linear", "attribution_window": 0}
# 20 sources: 2 exports a day.
TWENTY_SOURCES = [
    "facebook_ads", "google_ads", "linkedin_ads", "tiktok_ads", "youtube_ads", "instagram_ads",
    "bing_ads", "yahoo_ads", "pinterest_ads", "reddit_ads", "snapchat_ads", "telegram_ads",
    "twitch_ads", "x_ads", "quora_ads", "duckduckgo_ads", "facebook_organic", "google_organic",
    "email", "direct",
]  # fmt: skip
LAST_TOUCH_TWENTY = {
    "sources": TWENTY_SOURCES,
    "attribution_model": "last_touch",
    "attribution_window": 30,
}
AD_FIELDS = (
    *("ad_id", "ad_name", "adset_id", "adset_name", "campaign_id", "campaign_name"),
    *("account_id", "account_name", "source"),
)


def attribution_config(fake: FakeCometly, *setups: dict, **overrides: t.Any) -> dict[str, t.Any]:
    return tap_config(fake, attribution_setups=list(setups), **overrides)


def every_field(config: dict[str, t.Any], *streams: str) -> dict[str, t.Any]:
    """A catalog selecting these streams with every field, export-only ones included."""
    schemas = {s["tap_stream_id"]: s["schema"] for s in catalog_for(config, {})["streams"]}
    return catalog_for(config, {name: list(schemas[name]["properties"]) for name in streams})


def by_key(run: TapRun) -> dict[tuple[t.Any, ...], dict[str, t.Any]]:
    records = run.records(STREAM)
    keyed = {
        (r["id"], r["touchpoint_id"], r["attribution_model"], r["attribution_window"]): r
        for r in records
    }
    assert len(keyed) == len(records), "a key came twice in one run"
    return keyed


def created(fake: FakeCometly) -> list[dict[str, t.Any]]:
    return [entry.json_body for entry in fake.requests(method="POST", path_prefix=EXPORTS_PATH)]


def test_export_equals_list_across_a_dst_week(start_fake: t.Callable[..., FakeCometly]) -> None:
    # 2024-03-08 to 2024-03-13 in New York: 2024-03-10 lasts 23 hours.
    fake = start_fake(events_per_day=80)
    config = attribution_config(fake, ALL_LINEAR, LAST_TOUCH_TWENTY, extraction_method="list")
    catalog = catalog_for(config, {STREAM: None})
    listed = run_tap(config, catalog=catalog)
    assert not created(fake)
    fake.clear_log()
    exported = run_tap({**config, "extraction_method": "export"}, catalog=catalog)
    assert not fake.count(family="events_list"), "the export path called GET /events"

    assert by_key(exported) == by_key(listed)
    assert {r["attribution_model"] for r in exported.records(STREAM)} == {"linear", "last_touch"}
    # One export per day, setup and group of 15 sources, days in order.
    bodies = created(fake)
    assert len(bodies) == 5 * (4 + 2)
    assert [body["date"] for body in bodies] == sorted(body["date"] for body in bodies)
    assert max(len(body["sources"]) for body in bodies) == MAX_SOURCES_PER_REQUEST
    assert IN_FLIGHT not in exported.last_state["bookmarks"][STREAM]


def test_export_only_columns_are_the_fakes_ad_hierarchy(fake: FakeCometly) -> None:
    # extraction_method list, yet the selected export-only fields send the past days to exports.
    config = attribution_config(fake, LAST_TOUCH_TWENTY)
    run = run_tap(config, catalog=every_field(config, STREAM, "events"))
    assert not fake.count(family="events_list"), "whole past days went through GET /events"
    truth = fake.attributed_rows(
        "2024-03-08T05:00:00Z", "2024-03-13T04:00:00Z", TWENTY_SOURCES, "last_touch", 30
    )
    expected = {(row["id"], row["touchpoint_id"]): row for row in truth}
    got = {(key[0], key[1]): record for key, record in by_key(run).items()}
    assert set(got) == set(expected)
    for key, record in got.items():
        assert {name: record[name] for name in AD_FIELDS} == {
            name: expected[key][name] for name in AD_FIELDS
        }
    assert any(record["campaign_name"] for record in got.values())
    assert any(record["campaign_name"] is None for record in got.values()), "organic touches"
    events = {row["id"]: row for row in fake.events("2024-03-08T05:00:00Z", "2024-03-13T04:00:00Z")}
    assert {r["id"]: r["event_url"] for r in run.records("events")} == {
        event_id: row["event_url"] for event_id, row in events.items()
    }


def test_export_only_fields_are_not_selected_by_default(fake: FakeCometly) -> None:
    config = attribution_config(fake, LAST_TOUCH_TWENTY)
    for entry in catalog_for(config, {STREAM: None, "events": None})["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] and meta["breadcrumb"][-1] in EXPORT_ONLY_FIELDS:
                assert meta["metadata"]["selected-by-default"] is False


@pytest.mark.parametrize("model", ["linear", "u_shaped"])
def test_multi_touch_shares_in_exports_add_up_to_the_event_amount(
    start_fake: t.Callable[..., FakeCometly], model: str
) -> None:
    fake = start_fake(days=2, events_per_day=150)
    setup = {"sources": "all", "attribution_model": model, "attribution_window": 0}
    config = attribution_config(fake, setup, extraction_method="export", end_date="2024-03-10")
    rows = run_tap(config, catalog=catalog_for(config, {STREAM: None})).records(STREAM)
    assert rows
    shares: dict[int, float] = defaultdict(float)
    touchpoints: dict[int, int] = defaultdict(int)
    for row in rows:
        shares[row["id"]] += float(row["amount"] or 0)
        touchpoints[row["id"]] += 1
    amounts = {
        row["id"]: float(row["amount"] or 0)
        for row in fake.events("2024-03-08T05:00:00Z", "2024-03-10T05:00:00Z")
    }
    for event_id, total in shares.items():
        assert total == pytest.approx(amounts[event_id], abs=0.011)
    assert max(touchpoints.values()) > 2, "some events have several credited touchpoints"


def crash_with_exports_in_flight(
    fake: FakeCometly, config: dict[str, t.Any], state: dict | None = None
) -> FailedRun:
    """A run that dies once its exports are created: every download keeps failing."""
    fake.inject(Fault("status", family="download", count=1000, status=503))
    catalog = catalog_for(config, {STREAM: None})
    crashed = run_until_error({**config, "max_retry_minutes": 0.005}, state, catalog)
    assert "storage host kept failing" in str(crashed.error)
    fake.clear_faults()
    return crashed


def test_a_restarted_run_takes_over_the_attribution_exports(fake: FakeCometly) -> None:
    config = attribution_config(
        fake, LAST_TOUCH_TWENTY, extraction_method="export", end_date="2024-03-10"
    )
    crashed = crash_with_exports_in_flight(fake, config)
    saved = crashed.run.last_state["bookmarks"][STREAM][IN_FLIGHT]
    keys = ["2024-03-08/0/0", "2024-03-08/0/1", "2024-03-09/0/0", "2024-03-09/0/1"]
    assert sorted(saved["exports"]) == keys
    assert saved["filters"]["setups"] == [
        {"sources": TWENTY_SOURCES, "model": "last_touch", "window": 30}
    ]
    assert not crashed.run.records(STREAM)

    fake.clear_log()
    resumed = run_tap(config, crashed.run.last_state, catalog_for(config, {STREAM: None}))
    assert created(fake) == [], "the resumed run created an export instead of taking one over"
    checked = {entry.path for entry in fake.requests(family="export_status")}
    assert checked == {f"{EXPORTS_PATH}/{export_id}" for export_id in saved["exports"].values()}
    truth = fake.attributed_rows(
        "2024-03-08T05:00:00Z", "2024-03-10T05:00:00Z", TWENTY_SOURCES, "last_touch", 30
    )
    assert {(k[0], k[1]) for k in by_key(resumed)} == {(r["id"], r["touchpoint_id"]) for r in truth}
    assert IN_FLIGHT not in resumed.last_state["bookmarks"][STREAM]


def test_events_and_attributions_exports_share_the_runs_budgets(fake: FakeCometly) -> None:
    config = attribution_config(fake, LAST_TOUCH_TWENTY, extraction_method="export")
    streams = TapCometly(config=config).streams
    events, attributions = streams["events"], streams[STREAM]
    assert isinstance(events, CometlyStream)
    assert isinstance(attributions, CometlyStream)
    assert events.connection.pacers is attributions.connection.pacers
    run = run_tap(config, catalog=catalog_for(config, {STREAM: None, "events": None}))
    assert run.records("events")
    assert run.records(STREAM)
    assert len(created(fake)) == 5 + 5 * 2
    assert fake.count(status=429) == 0


def test_auto_probes_the_first_setups_first_source_group(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    # Days of 100 events: at 20 a page the last settled day takes several.
    fake = start_fake(days=3, events_per_day=100)
    config = attribution_config(
        fake, LAST_TOUCH_TWENTY, ALL_LINEAR, extraction_method="auto", per_page=20
    )
    run = run_tap(config, catalog=catalog_for(config, {STREAM: None}))
    probe, *rest = fake.requests(family="events_list")
    assert dict(probe.query)["attribution_model"] == "last_touch"
    assert [value for name, value in probe.query if name == "sources[]"] == TWENTY_SOURCES[:15]
    assert not rest
    days = {body["date"] for body in created(fake)}
    assert len(days) == 3
    assert len(created(fake)) == 3 * (2 + 4)
    assert run.records(STREAM)


def test_with_export_only_fields_only_the_running_day_is_listed(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    today = datetime.now(NEW_YORK).date()
    yesterday = today - timedelta(days=1)
    fake = start_fake(first_day=yesterday, days=2, events_per_day=50)
    config = attribution_config(
        fake, LAST_TOUCH_TWENTY, start_date=str(yesterday), end_date=None, extraction_method="list"
    )
    run = run_tap(config, catalog=every_field(config, STREAM, "events"))
    # Yesterday by export (events' one, attributions' two: 20 sources), today through GET
    # /events, which lacks the export-only columns until a later run's lookback exports it.
    assert sorted((body["date"], "sources" in body) for body in created(fake)) == [
        (str(yesterday), False),
        (str(yesterday), True),
        (str(yesterday), True),
    ]
    listed_from = {dict(page.query)["start_date"] for page in fake.requests(family="events_list")}
    assert listed_from == {f"{today} 00:00:00"}
    midnight = datetime(today.year, today.month, today.day, tzinfo=NEW_YORK)
    for stream, column in (("events", "event_url"), (STREAM, "campaign_name")):
        records = run.records(stream)
        running = [r for r in records if datetime.fromisoformat(r["event_time_utc"]) >= midnight]
        ended = [r for r in records if datetime.fromisoformat(r["event_time_utc"]) < midnight]
        assert ended
        assert all(column in record for record in ended)
        assert all(column not in record for record in running)


def never_asked(day: Window) -> bool:
    raise AssertionError(f"auto's probe was asked about {day} outside auto")


def test_the_plan_exports_every_ended_day_when_an_export_only_field_is_wanted() -> None:
    now = datetime(2024, 3, 12, 15, 0, tzinfo=timezone.utc)
    windows = plan_windows(
        datetime(2024, 3, 9, 2, 0, tzinfo=timezone.utc),  # 2024-03-08 21:00 in New York
        now,
        NEW_YORK,
        method="list",
        window_days=7,
        now=now,
        exports_pay_off=never_asked,
        ended_days_by_export=True,
    )
    exported = [window.day for window in windows if isinstance(window, ExportDay)]
    assert exported == [date(2024, 3, 8) + timedelta(days=n) for n in range(4)]
    assert [str(window) for window in windows[4:]] == [
        "[2024-03-12T04:00:00Z, 2024-03-12T15:00:00Z)"
    ]


# Faults on one of a day's several exports. Two days, two setups: six exports a day, in the
# order 0/0, 0/1, 0/2, 0/3 (ALL_LINEAR's four source groups), 1/0, 1/1 (LAST_TOUCH_TWENTY's two).
PARTS_A_DAY = 6


def two_days_two_setups(start_fake: t.Callable[..., FakeCometly]) -> tuple[FakeCometly, dict]:
    fake = start_fake(days=2, events_per_day=80)
    config = attribution_config(
        fake, ALL_LINEAR, LAST_TOUCH_TWENTY, extraction_method="export", end_date="2024-03-10"
    )
    return fake, config


def fault_free_then_with(fake: FakeCometly, config: dict, fault: Fault) -> tuple[TapRun, TapRun]:
    """A fault-free run, then one with `fault` (the fake's log holds only the second run's
    requests): what the faulty run emits must equal what the fault-free one does."""
    catalog = catalog_for(config, {STREAM: None})
    fault_free = run_tap(config, catalog=catalog)
    fake.clear_log()
    fake.inject(fault)
    faulty = run_tap(config, catalog=catalog)
    assert not fake.faults_left(), "the fault was never triggered"
    return fault_free, faulty


def part_of(body: dict[str, t.Any]) -> tuple[str, str, tuple[str, ...]]:
    return body["date"], body["attribution_model"], tuple(body["sources"])


def test_a_failed_export_among_a_days_several_is_the_only_one_created_again(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    fake, config = two_days_two_setups(start_fake)
    # The fifth export: 2024-03-08, the second setup's first source group.
    fault_free, faulty = fault_free_then_with(fake, config, Fault("export_fail", skip=4))
    assert by_key(faulty) == by_key(fault_free)
    assert len(faulty.records(STREAM)) == len(fault_free.records(STREAM))
    parts = [part_of(body) for body in created(fake)]
    failed = parts[4]
    assert failed == ("2024-03-08", "last_touch", tuple(TWENTY_SOURCES[:15]))
    assert len(parts) == 2 * PARTS_A_DAY + 1
    assert parts.count(failed) == 2, "the failed export was not created again"
    assert len(set(parts)) == 2 * PARTS_A_DAY, "an export that did not fail was created again"
    assert IN_FLIGHT not in faulty.last_state["bookmarks"][STREAM]


def test_a_stuck_attribution_export_names_its_day_setup_and_sources(
    start_fake: t.Callable[..., FakeCometly], caplog: pytest.LogCaptureFixture
) -> None:
    fake, config = two_days_two_setups(start_fake)
    # The eighth export: 2024-03-09, the first setup's second source group.
    fake.inject(Fault("export_stuck", skip=PARTS_A_DAY + 1))
    catalog = catalog_for(config, {STREAM: None})
    with caplog.at_level(logging.DEBUG):
        failed = run_until_error({**config, "export_timeout_minutes": 0.01}, catalog=catalog)
    message = str(failed.error)
    stuck_id = 1001 + PARTS_A_DAY + 1
    assert (
        "Stream 'event_attributions', window [2024-03-09T05:00:00Z, 2024-03-10T05:00:00Z) "
        "(day 2024-03-09), attribution setup 1 (linear, lifetime), sources 16-30, "
        f"export {stuck_id}: the export is still queued after 1 s" in message
    )
    assert "\n" not in message
    # The first day is out and bookmarked; the second is not, and its exports are kept for the
    # next run to take over.
    assert failed.run.bookmark(STREAM) == "2024-03-09T05:00:00Z"
    saved = failed.run.last_state["bookmarks"][STREAM][IN_FLIGHT]["exports"]
    assert saved["2024-03-09/0/1"] == stuck_id
    assert not [key for key in saved if key.startswith("2024-03-08")]
    assert signatures(fake), "the run was given presigned URLs that could have leaked"
    for where, text in (("the error", message), ("the logs", caplog.text)):
        assert leaked_secrets(text, fake, API_KEY) == [], f"a secret in {where}"


def test_an_expired_url_of_one_of_a_days_exports_is_replaced_by_a_fresh_status_check(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    fake, config = two_days_two_setups(start_fake)
    # The second download: 2024-03-08, the first setup's second source group, the faulty
    # run's second export (the fake numbers exports from 1001 on, across both runs).
    fault = Fault("expire_url", family="download", skip=1)
    fault_free, faulty = fault_free_then_with(fake, config, fault)
    assert by_key(faulty) == by_key(fault_free)
    downloads = fake.requests(listener="storage")
    assert [d.status for d in downloads] == [200, 403] + [200] * (2 * PARTS_A_DAY - 1)
    refreshed = [
        check.path
        for check in fake.requests(family="export_status")
        if downloads[1].time < check.time < downloads[2].time
    ]
    assert refreshed == [f"{EXPORTS_PATH}/{1001 + 2 * PARTS_A_DAY + 1}"]
    assert len(created(fake)) == 2 * PARTS_A_DAY


def test_a_truncated_file_of_one_of_a_days_exports_is_fetched_again(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    fake, config = two_days_two_setups(start_fake)
    fault = Fault("truncate_gzip", family="download", skip=PARTS_A_DAY + 4)
    fault_free, faulty = fault_free_then_with(fake, config, fault)
    assert by_key(faulty) == by_key(fault_free)
    assert len(faulty.records(STREAM)) == len(fault_free.records(STREAM))
    downloaded = [d.path for d in fake.requests(listener="storage")]
    assert len(downloaded) == 2 * PARTS_A_DAY + 1
    assert downloaded[PARTS_A_DAY + 4] == downloaded[PARTS_A_DAY + 5], "fetched again at once"
    assert len(created(fake)) == 2 * PARTS_A_DAY
