"""The shared client against the fake: headers, pacing, Retry-After, retries, clear failures."""

from __future__ import annotations

import logging
import typing as t

import pytest

from fake_cometly import FakeCometly, Fault
from tap_cometly.client import package_version
from tap_cometly.errors import CometlyAPIError
from tap_cometly.streams import EventsStream
from tap_cometly.tap import TapCometly
from tests.helpers import API_KEY, run_tap, tap_config

ONE_DAY = {"end_date": "2024-03-09"}


def api_requests(fake: FakeCometly) -> list:
    return [r for r in fake.request_log if r.listener == "api"]


def test_every_request_carries_auth_accept_and_user_agent(fake: FakeCometly) -> None:
    run_tap(tap_config(fake, **ONE_DAY))
    sent = api_requests(fake)
    assert sent
    for request in sent:
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert headers["authorization"] == f"Bearer {API_KEY}"
        assert headers["accept"] == "application/json"
        assert headers["user-agent"] == f"tap-cometly/{package_version()}"


def test_custom_user_agent(fake: FakeCometly) -> None:
    run_tap(tap_config(fake, user_agent="acme-elt/2.0", **ONE_DAY))
    assert {r.headers.get("User-Agent") for r in api_requests(fake)} == {"acme-elt/2.0"}


def test_paced_run_never_meets_a_429(start_fake: t.Callable[..., FakeCometly]) -> None:
    # 20 one-day windows at 7 calls per (time-scaled) minute: the budget runs out twice.
    fake = start_fake(days=20, events_per_day=50)
    run_tap(tap_config(fake, per_page=4000))
    statuses = [r.status for r in api_requests(fake)]
    assert len(statuses) >= 20
    assert 429 not in statuses


def test_retry_after_is_honoured(fake: FakeCometly, caplog: pytest.LogCaptureFixture) -> None:
    fake.inject(Fault("status", family="events_list", count=2, status=429, retry_after=1))
    with caplog.at_level(logging.INFO):
        run = run_tap(tap_config(fake, **ONE_DAY))
    assert run.records("events")
    sent = [r for r in api_requests(fake) if r.family == "events_list"]
    assert [r.status for r in sent[:3]] == [429, 429, 200]
    assert sent[1].time - sent[0].time >= 0.95
    assert sent[2].time - sent[1].time >= 0.95
    assert any("429" in m and "Retry-After" in m for m in caplog.messages)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(
    fake: FakeCometly, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    fake.inject(Fault("status", family="events_list", count=3, status=status))
    with caplog.at_level(logging.INFO):
        run = run_tap(tap_config(fake, **ONE_DAY))
    expected = {row["id"] for row in fake.events(*_day_bounds(fake))}
    assert {r["id"] for r in run.records("events")} == expected
    retries = [r for r in caplog.records if r.getMessage().startswith("Retrying in")]
    assert len(retries) == 3
    assert all(r.levelno == logging.INFO for r in retries)


def test_connection_reset_mid_body_and_timeouts_are_retried(fake: FakeCometly) -> None:
    fake.inject(Fault("reset", family="events_list", count=1))
    fake.inject(Fault("slow", family="events_list", count=1, delay=1.5))
    run = run_tap(tap_config(fake, request_timeout_seconds=0.5, **ONE_DAY))
    expected = {row["id"] for row in fake.events(*_day_bounds(fake))}
    assert {r["id"] for r in run.records("events")} == expected


def test_retry_budget_runs_out_with_a_clear_error(fake: FakeCometly) -> None:
    fake.inject(Fault("status", family="events_list", count=1000, status=503))
    with pytest.raises(
        CometlyAPIError,
        match=(
            r"Stream 'events', window \[2024-03-08T05:00:00Z, 2024-03-09T05:00:00Z\): "
            r"the API kept failing .* max_retry_minutes"
        ),
    ):
        run_tap(tap_config(fake, max_retry_minutes=0.02, **ONE_DAY))


def test_wrong_key_fails_at_once_and_says_what_to_do(fake: FakeCometly) -> None:
    with pytest.raises(CometlyAPIError, match=r"rejected the API key.*api_key") as raised:
        run_tap(tap_config(fake, api_key="not-the-key", **ONE_DAY))
    assert len(api_requests(fake)) == 1, "a 401 is not retried"
    assert "not-the-key" not in str(raised.value)


def test_forbidden_key_fails_at_once(fake: FakeCometly) -> None:
    with pytest.raises(CometlyAPIError, match=r"refused access.*permission"):
        run_tap(tap_config(fake, api_key="no-permission-key", **ONE_DAY))
    assert len(api_requests(fake)) == 1


def test_validation_error_shows_the_apis_message(fake: FakeCometly) -> None:
    tap = TapCometly(config=tap_config(fake, **ONE_DAY))
    stream = EventsStream(tap)
    with pytest.raises(CometlyAPIError, match=r"rejected the request parameters .*422.*start"):
        stream.call_api("GET", "/events")


@pytest.mark.parametrize(
    ("mode", "says"), [("html", "not JSON"), ("no_data", "without a 'data' list")]
)
def test_bad_bodies_are_clear_errors(fake: FakeCometly, mode: str, says: str) -> None:
    fake.inject(Fault("bad_body", family="events_list", count=1, mode=mode))
    with pytest.raises(CometlyAPIError, match=f"GET /public-api/v1/events answered .*{says}"):
        run_tap(tap_config(fake, **ONE_DAY))


def test_api_key_never_logged(
    fake: FakeCometly, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.inject(Fault("status", family="events_list", count=2, status=503))
    fake.inject(Fault("status", family="events_list", count=1, status=429, retry_after=1))
    with caplog.at_level(logging.DEBUG):
        run_tap(tap_config(fake, **ONE_DAY))
    captured = capsys.readouterr()
    everything = caplog.text + captured.out + captured.err
    assert "Retrying" in everything
    assert API_KEY not in everything


def _day_bounds(fake: FakeCometly) -> tuple:
    from tap_cometly.settings import parse_settings  # noqa: PLC0415

    settings = parse_settings(tap_config(fake, **ONE_DAY))
    return settings.start, settings.end
