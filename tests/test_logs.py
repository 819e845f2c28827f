"""What a person watching a sync reads at INFO: no METRIC lines unless asked for, short ones
when asked for."""

from __future__ import annotations

import json
import logging
import typing as t

import pytest
from singer_sdk import metrics

from fake_cometly import FakeCometly
from tap_cometly.vocabulary import SOURCES
from tests.helpers import run_tap, tap_config


@pytest.fixture(autouse=True)
def _restore_metrics_level(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each tap run sets the SDK's process-wide metrics logger; put its level back after."""
    sdk_metrics = metrics.get_metrics_logger()
    monkeypatch.setattr(sdk_metrics, "level", sdk_metrics.level)


def metric_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("METRIC:")]


def test_a_sync_logs_no_metric_lines_at_info(
    fake: FakeCometly, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAP_COMETLY_METRICS_LOG_LEVEL", raising=False)
    with caplog.at_level(logging.INFO):
        run_tap(tap_config(fake))
    assert not metric_lines(caplog)
    assert any(r.getMessage().startswith("Progress of 'events'") for r in caplog.records)


def test_metric_lines_come_back_with_their_variable(
    fake: FakeCometly, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAP_COMETLY_METRICS_LOG_LEVEL", "INFO")
    with caplog.at_level(logging.INFO):
        run_tap(tap_config(fake))
    assert metric_lines(caplog)


def test_metric_tags_name_an_attribution_request_briefly(
    start_fake: t.Callable[..., FakeCometly],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = start_fake(days=1, events_per_day=20, rate_limits_enabled=False)
    # All 52 sources, four requests a window (15 sources each), as in the run the issue names.
    setup = {"sources": "all", "attribution_model": "linear", "attribution_window": 30}
    config = tap_config(fake, attribution_setups=[setup], events_requests_per_minute=100_000)
    monkeypatch.setenv("TAP_COMETLY_METRICS_LOG_LEVEL", "INFO")
    with caplog.at_level(logging.INFO):
        run_tap(config)
    contexts = [
        json.loads(line.removeprefix("METRIC: "))["tags"]["context"]
        for line in metric_lines(caplog)
        if '"stream":"event_attributions"' in line and '"context"' in line
    ]
    assert contexts
    for context in contexts:
        text = json.dumps(context)
        assert len(text) < 200, text
        assert not any(f'"{source}"' in text for source in SOURCES), text


def test_exports_are_not_logged_one_by_one_at_info(
    fake: FakeCometly, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAP_COMETLY_METRICS_LOG_LEVEL", raising=False)
    with caplog.at_level(logging.INFO):
        run_tap(tap_config(fake, extraction_method="export"))
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any(line.startswith("Progress of 'events'") for line in info)
    per_export = [line for line in info if "created export" in line or "downloaded" in line]
    assert per_export == [], "one progress line per stream, not one line per export"
