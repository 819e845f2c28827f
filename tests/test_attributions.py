"""event_attributions: one row per credited touchpoint and setup; shares add up to the amount."""

from __future__ import annotations

import typing as t
from collections import defaultdict

import pytest

from fake_cometly import FakeCometly
from tests.helpers import run_tap, tap_config

ALL_SOURCES_LINEAR = {"sources": "all", "attribution_model": "linear", "attribution_window": 0}
LAST_TOUCH_30 = {"sources": "all", "attribution_model": "last_touch", "attribution_window": 30}


@pytest.fixture
def fake(start_fake: t.Callable[..., FakeCometly]) -> FakeCometly:
    return start_fake(days=2, events_per_day=150, rate_limits_enabled=False)


def config_for(fake: FakeCometly, *setups: dict) -> dict:
    return tap_config(fake, attribution_setups=list(setups), events_requests_per_minute=100_000)


def test_multi_touch_shares_add_up_to_the_event_amount(fake: FakeCometly) -> None:
    run = run_tap(config_for(fake, ALL_SOURCES_LINEAR))
    rows = run.records("event_attributions")
    assert rows
    keys = [
        (r["id"], r["touchpoint_id"], r["attribution_model"], r["attribution_window"]) for r in rows
    ]
    assert len(keys) == len(set(keys)), "duplicate primary keys"
    per_event: dict[int, float] = defaultdict(float)
    touchpoints: dict[int, int] = defaultdict(int)
    for row in rows:
        per_event[row["id"]] += float(row["amount"] or 0)
        touchpoints[row["id"]] += 1
    events = {row["id"]: row for row in run.records("events")}
    for event_id, total in per_event.items():
        assert total == pytest.approx(float(events[event_id]["amount"] or 0), abs=0.011)
    assert max(touchpoints.values()) > 1, "a multi-touch model gives several rows for some events"
    assert {r["attribution_model"] for r in rows} == {"linear"}
    assert {r["attribution_window"] for r in rows} == {0}


def test_single_touch_gives_one_row_per_event_and_setups_share_a_table(fake: FakeCometly) -> None:
    run = run_tap(config_for(fake, LAST_TOUCH_30, ALL_SOURCES_LINEAR))
    rows = run.records("event_attributions")
    last_touch = [r for r in rows if r["attribution_model"] == "last_touch"]
    linear = [r for r in rows if r["attribution_model"] == "linear"]
    assert last_touch
    assert linear
    per_event: dict[int, int] = defaultdict(int)
    for row in last_touch:
        per_event[row["id"]] += 1
    assert set(per_event.values()) == {1}


def test_rows_match_the_fakes_attribution(fake: FakeCometly) -> None:
    config = config_for(fake, ALL_SOURCES_LINEAR)
    run = run_tap(config)
    from tap_cometly.settings import parse_settings  # noqa: PLC0415

    settings = parse_settings(config)
    expected = fake.attributed_rows(
        settings.start, settings.end, list(settings.attribution_setups[0].sources), "linear", 0
    )
    got = {(r["id"], r["touchpoint_id"]) for r in run.records("event_attributions")}
    assert got == {(r["id"], r["touchpoint_id"]) for r in expected}


def test_sources_are_sent_fifteen_at_a_time(fake: FakeCometly) -> None:
    run_tap(config_for(fake, ALL_SOURCES_LINEAR))
    attributed = [
        r
        for r in fake.request_log
        if r.path.endswith("/events") and any(k == "sources[]" for k, _ in r.query)
    ]
    assert attributed
    counts = {sum(1 for k, _ in r.query if k == "sources[]") for r in attributed}
    assert max(counts) == 15
    for request in attributed:
        params = dict(request.query)
        assert params["attribution_model"] == "linear"
        assert params["attribution_window"] == "0"


def test_stream_is_off_without_setups(fake: FakeCometly) -> None:
    run = run_tap(tap_config(fake, events_requests_per_minute=100_000))
    assert run.records("event_attributions") == []
    assert all(not any(k == "sources[]" for k, _ in r.query) for r in fake.request_log)
