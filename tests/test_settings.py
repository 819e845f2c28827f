"""Settings: converted from text, validated before any request, one clear message per bad value."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import typing as t
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from tap_cometly import settings as settings_module
from tap_cometly.config_text import coerce_config
from tap_cometly.errors import ConfigError
from tap_cometly.pacing import RateLimitFamily
from tap_cometly.settings import DECLARED, RATE_LIMITS, parse_settings
from tap_cometly.tap import TapCometly

GOOD: dict[str, t.Any] = {"api_key": "k-123", "start_date": "2024-01-01"}


def settings_for(**overrides: t.Any) -> t.Any:
    config = {**GOOD, **overrides}
    config = {key: value for key, value in config.items() if value is not None}
    converted, errors = coerce_config(config, TapCometly.config_jsonschema)
    if errors:
        raise ConfigError(errors)
    return parse_settings(converted)


BAD_CONFIGS = [
    ("missing key", {"api_key": None}, "api_key", "required"),
    ("empty key", {"api_key": "  "}, "api_key", "empty"),
    ("key with spaces", {"api_key": " k-123\n"}, "api_key", "white space"),
    ("missing start", {"start_date": None}, "start_date", "required"),
    ("malformed start", {"start_date": "01/02/2024"}, "start_date", "2024-01-31"),
    ("malformed end", {"end_date": "yesterday"}, "end_date", "2024-01-31"),
    (
        "start after end",
        {"start_date": "2024-03-01", "end_date": "2024-02-01"},
        "end_date",
        "after",
    ),
    (
        "start equals end",
        {"start_date": "2024-03-01", "end_date": "2024-03-01"},
        "end_date",
        "after",
    ),
    ("future start", {"start_date": "2999-01-01"}, "start_date", "future"),
    ("unknown timezone", {"timezone": "Mars/Olympus_Mons"}, "timezone", "IANA"),
    (
        "http to remote host",
        {"api_url": "http://app.cometly.com/public-api/v1"},
        "api_url",
        "https",
    ),
    ("not a URL", {"api_url": "app.cometly.com"}, "api_url", "https://"),
    ("url with query", {"api_url": "https://x.test/v1?a=1"}, "api_url", "query"),
    ("per_page too big", {"per_page": 5000}, "per_page", "1 to 4000"),
    ("per_page zero", {"per_page": 0}, "per_page", "1 to 4000"),
    ("per_page text", {"per_page": "many"}, "per_page", "whole number"),
    ("per_page float", {"per_page": 10.5}, "per_page", "whole number"),
    ("boolean-like number", {"per_page": True}, "per_page", "whole number"),
    (
        "rate limit zero",
        {"events_requests_per_minute": 0},
        "events_requests_per_minute",
        "at least 1",
    ),
    ("negative lookback", {"lookback_hours": -1}, "lookback_hours", "at least 0"),
    ("lookback text", {"lookback_hours": "three"}, "lookback_hours", "number"),
    ("window zero", {"events_window_days": 0}, "events_window_days", "1 to 366"),
    ("unknown event name", {"event_names": ["purchase", "buy"]}, "event_names", "'buy'"),
    (
        "custom event out of range",
        {"event_names": ["custom_event_51"]},
        "event_names",
        "custom_event_51",
    ),
    ("duplicate event names", {"event_names": ["purchase", "purchase"]}, "event_names", "once"),
    (
        "too many event names",
        {"event_names": [f"custom_event_{n}" for n in range(1, 12)]},
        "event_names",
        "1 to 10",
    ),
    ("empty event names", {"event_names": []}, "event_names", "1 to 10"),
    ("event names not a list", {"event_names": {"a": 1}}, "event_names", "list"),
    ("bad query mode", {"query_mode": "account"}, "query_mode", "profile, company"),
    ("timeout zero", {"request_timeout_seconds": 0}, "request_timeout_seconds", "at least"),
]


@pytest.mark.parametrize(
    ("case", "overrides", "setting", "hint"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS]
)
def test_bad_config_names_the_setting(case: str, overrides: dict, setting: str, hint: str) -> None:
    del case  # names the test only
    with pytest.raises(ConfigError) as raised:
        settings_for(**overrides)
    messages = raised.value.errors
    assert len(messages) == 1, messages
    assert f"'{setting}'" in messages[0]
    assert hint in messages[0]
    assert "\n" not in messages[0]


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_for(timezone="Nowhere/City", per_page=0, api_key="")
    named = " ".join(raised.value.errors)
    assert "'timezone'" in named
    assert "'per_page'" in named
    assert "'api_key'" in named


def test_text_values_from_the_environment_are_converted() -> None:
    settings = settings_for(
        per_page="250",
        lookback_hours="1.5",
        events_requests_per_minute="3",
        event_names="purchase, sign_up",
    )
    assert settings.per_page == 250
    assert settings.lookback_hours == 1.5
    assert settings.rate_limits["events_list"] == 3
    assert settings.event_names == ("purchase", "sign_up")
    assert settings_for(event_names='["purchase","lead_generated"]').event_names == (
        "purchase",
        "lead_generated",
    )


def test_dates_without_offset_are_space_local() -> None:
    settings = settings_for(
        timezone="America/New_York", start_date="2024-07-01", end_date="2024-07-02T06:30:00"
    )
    assert settings.start == datetime(2024, 7, 1, 4, tzinfo=timezone.utc)
    assert settings.end == datetime(2024, 7, 2, 10, 30, tzinfo=timezone.utc)
    pinned = settings_for(timezone="America/New_York", start_date="2024-07-01T00:00:00Z")
    assert pinned.start == datetime(2024, 7, 1, tzinfo=timezone.utc)


def test_loopback_http_is_allowed_for_test_servers() -> None:
    assert (
        settings_for(api_url="http://127.0.0.1:8765/public-api/v1/").api_url
        == "http://127.0.0.1:8765/public-api/v1"
    )
    assert settings_for(api_url="http://localhost:1/v1").api_url == "http://localhost:1/v1"


def test_defaults() -> None:
    settings = settings_for()
    assert settings.api_url == "https://app.cometly.com/public-api/v1"
    assert settings.rate_limits == {
        "events_list": 7,
        "export_create": 5,
        "export_status": 30,
        "contacts_list": 15,
        "companies_list": 15,
        "single_record": 60,
    }
    assert settings.per_page == 4000
    assert settings.max_retry_seconds == 600


def test_tap_refuses_bad_config_before_anything_else() -> None:
    with pytest.raises(ConfigError, match="'timezone'"):
        TapCometly(config={**GOOD, "timezone": "Atlantis/Capital"})


@pytest.fixture(scope="module")
def about_settings() -> dict[str, t.Any]:
    output = subprocess.run(
        [sys.executable, "-m", "tap_cometly.tap", "--about", "--format=json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(output)["settings"]["properties"]


@pytest.mark.parametrize(
    ("name", "minimum", "maximum"),
    [
        ("per_page", 1, 4000),
        ("events_window_days", 1, 366),
        ("contacts_window_days", 1, 3660),
        ("export_max_attempts", 1, 20),
        ("export_poll_seconds", 0.01, 600),
        ("events_requests_per_minute", 1, None),
        ("lookback_hours", 0, None),
        ("request_timeout_seconds", 0.1, None),
    ],
)
def test_about_shows_the_range_of_each_number(
    about_settings: dict, name: str, minimum: float, maximum: float | None
) -> None:
    declared = about_settings[name]
    assert declared["minimum"] == minimum
    assert declared.get("maximum") == maximum
    accepted = f"from {minimum:g} to {maximum:g}" if maximum else f"of at least {minimum:g}"
    assert declared["description"].endswith(f"{accepted}.")


def test_about_shows_the_allowed_words_and_list_limits(about_settings: dict) -> None:
    assert about_settings["extraction_method"]["enum"] == ["auto", "list", "export"]
    assert about_settings["query_mode"]["enum"] == ["profile", "company"]
    event_names = about_settings["event_names"]
    assert (event_names["minItems"], event_names["maxItems"]) == (1, 10)
    assert {"purchase", "custom_event_50"} <= set(event_names["items"]["enum"])
    assert about_settings["attribution_setups"]["maxItems"] == 10
    setup = about_settings["attribution_setups"]["items"]["properties"]
    assert "u_shaped" in setup["attribution_model"]["enum"]
    assert setup["attribution_window"]["enum"] == [0, 1, 7, 14, 30, 60, 90]


def test_the_range_in_an_error_is_the_declared_one(about_settings: dict) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_for(export_max_attempts=21)
    declared = about_settings["export_max_attempts"]
    assert f"from {declared['minimum']} to {declared['maximum']}, got 21" in raised.value.errors[0]


def test_a_minimal_config_parses_to_the_declared_defaults() -> None:
    settings = settings_for()
    fields = {field.name for field in dataclasses.fields(settings)}
    compared = [s for s in DECLARED if s.name in fields - {"timezone"} and not s.required]
    assert len(compared) >= 14
    for setting in compared:
        parsed = getattr(settings, setting.name)
        assert parsed == (setting.default if setting.kind != "list" else ()), setting.name
    assert settings.rate_limits == {
        family.value: limit.default for family, limit in RATE_LIMITS.items()
    }
    assert set(RATE_LIMITS) == set(RateLimitFamily)
    assert settings.max_retry_seconds == settings_module.MAX_RETRY_MINUTES.default * 60
    assert str(settings.timezone) == settings_module.TIMEZONE.default


def test_parsing_takes_defaults_and_limits_from_the_declaration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    per_page = dataclasses.replace(settings_module.PER_PAGE, default=250, maximum=500)
    monkeypatch.setattr(settings_module, "PER_PAGE", per_page)
    assert settings_for().per_page == 250
    with pytest.raises(ConfigError, match="expected a whole number from 1 to 500, got 501"):
        settings_for(per_page=501)


def test_a_decimal_from_a_json_file_at_a_declared_minimum_is_accepted() -> None:
    # singer-sdk reads JSON config files with decimals as Decimal; Decimal("0.001") is less
    # than the float 0.001 the minimum is declared as.
    settings = settings_for(
        rate_limit_window_seconds=Decimal("0.001"), export_poll_seconds=Decimal("0.01")
    )
    assert settings.rate_limit_window_seconds == 0.001
    assert settings.export_poll_seconds == 0.01
