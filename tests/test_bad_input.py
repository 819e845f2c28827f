"""Bad input through the real command line: one line naming the setting, exit 1, no request."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from fake_cometly import FakeCometly
from tests.helpers import run_cli, run_tap, tap_config

# (case, settings in a config file, settings as environment variables, setting named)
BAD_INPUTS: list[tuple[str, dict[str, t.Any], dict[str, str], str]] = [
    ("missing key", {"api_key": None}, {}, "api_key"),
    ("empty key", {"api_key": ""}, {}, "api_key"),
    ("unknown timezone", {"timezone": "Europe/Atlantis"}, {}, "timezone"),
    ("start after end", {"start_date": "2024-03-12", "end_date": "2024-03-10"}, {}, "end_date"),
    ("malformed start", {"start_date": "March 8th"}, {}, "start_date"),
    ("malformed end", {"end_date": "2024-13-45"}, {}, "end_date"),
    ("bad event name", {"event_names": ["purchase", "refund"]}, {}, "event_names"),
    ("duplicate event names", {"event_names": ["sign_up", "sign_up"]}, {}, "event_names"),
    (
        "too many event names",
        {"event_names": [f"custom_event_{n}" for n in range(1, 12)]},
        {},
        "event_names",
    ),
    (
        "sources without a model",
        {"attribution_setups": [{"sources": "all", "attribution_window": 7}]},
        {},
        "attribution_setups[0]",
    ),
    (
        "bad attribution window",
        {
            "attribution_setups": [
                {"sources": "all", "attribution_model": "linear", "attribution_window": 45}
            ]
        },
        {},
        "attribution_setups[0]",
    ),
    ("per_page out of range", {"per_page": 0}, {}, "per_page"),
    (
        "plain http to a remote host",
        {"api_url": "http://cometly.example.com/public-api/v1"},
        {},
        "api_url",
    ),
    ("number from env that is not one", {}, {"TAP_COMETLY_PER_PAGE": "4k"}, "per_page"),
    (
        "boolean from env that is not one",
        {},
        {"TAP_COMETLY_INCLUDE_COMET_TOKENS": "maybe"},
        "include_comet_tokens",
    ),
    (
        "decimal from env that is not one",
        {},
        {"TAP_COMETLY_LOOKBACK_HOURS": "three"},
        "lookback_hours",
    ),
    ("boolean given as a number", {"include_all_emails": 2}, {}, "include_all_emails"),
]


@pytest.mark.parametrize(
    ("case", "settings", "env", "setting"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_config_stops_before_any_request(
    fake: FakeCometly, tmp_path: Path, case: str, settings: dict, env: dict, setting: str
) -> None:
    del case  # names the test only
    finished = run_cli({**tap_config(fake), **settings}, tmp_path, env, settings_from_env=bool(env))
    assert finished.returncode != 0
    assert finished.stdout == "", "nothing may reach the target"
    named = [
        line for line in finished.stderr.splitlines() if f"Invalid setting '{setting}'" in line
    ]
    assert len(named) == 1, finished.stderr[-2000:]
    assert fake.request_log == [], "no request may be sent with a bad config"


def test_good_values_from_env_are_used(fake: FakeCometly, tmp_path: Path) -> None:
    settings = tap_config(fake, end_date="2024-03-09")
    finished = run_cli(
        settings,
        tmp_path,
        {"TAP_COMETLY_PER_PAGE": "100", "TAP_COMETLY_EVENT_NAMES": '["purchase"]'},
        settings_from_env=True,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    sent = [r for r in fake.request_log if r.path.endswith("/events")]
    assert sent
    assert all(
        ("per_page", "100") in r.query and ("event_names[]", "purchase") in r.query for r in sent
    )


@pytest.mark.parametrize(
    "broken",
    [
        {
            "bookmarks": {
                "events": {
                    "replication_key": "event_time_utc",
                    "replication_key_value": "last tuesday",
                }
            }
        },
        {
            "bookmarks": {
                "events": {"replication_key": "event_time_utc", "replication_key_value": 1710000000}
            }
        },
    ],
)
def test_a_damaged_state_is_rejected_clearly(fake: FakeCometly, broken: dict) -> None:
    from tap_cometly.errors import CometlyAPIError  # noqa: PLC0415

    with pytest.raises(CometlyAPIError, match="state's bookmark for stream 'events'"):
        run_tap(tap_config(fake), state=broken)
    assert fake.request_log == []


def test_an_old_state_without_bookmarks_is_used_as_empty(fake: FakeCometly) -> None:
    run = run_tap(tap_config(fake, end_date="2024-03-09"), state={"bookmarks": {"events": {}}})
    assert run.records("events")
    assert run.bookmark("events") == "2024-03-09T05:00:00Z"


def test_a_state_from_a_later_run_is_kept(fake: FakeCometly) -> None:
    later = {
        "bookmarks": {
            "events": {
                "replication_key": "event_time_utc",
                "replication_key_value": "2024-03-10T05:00:00Z",
            }
        }
    }
    run = run_tap(tap_config(fake, end_date="2024-03-11", lookback_hours=0), state=later)
    times = [r["event_time_utc"] for r in run.records("events")]
    assert times
    assert min(times) >= "2024-03-10T05:00:00Z"
