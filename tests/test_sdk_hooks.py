"""One test per hook into singer-sdk's internals (tap_cometly/sdk_hooks.py): an SDK upgrade that
renames or reshapes a member the tap relies on fails here, by name."""

from __future__ import annotations

import inspect
import io
import json
import logging
import typing as t
from contextlib import redirect_stdout

import pytest
from singer_sdk import Tap, metrics
from singer_sdk.configuration import _dict_config
from singer_sdk.helpers import _catalog, capabilities
from singer_sdk.mapper import SameRecordTransform, StreamMap
from singer_sdk.plugin_base import PluginBase
from singer_sdk.singerlib.catalog import SelectionMask
from singer_sdk.streams import RESTStream, Stream
from singer_sdk.streams._state import StreamStateManager
from singer_sdk.tap_base import CliTestOptionValue

from fake_cometly import FakeCometly
from tap_cometly.client import CometlyStream
from tap_cometly.errors import ConfigError
from tap_cometly.tap import TapCometly
from tap_cometly.writer import BatchedMsgSpecWriter
from tests.helpers import API_KEY, catalog_for, run_tap, tap_config

CONFIG = {"api_key": API_KEY, "start_date": "2024-03-08", "api_url": "http://127.0.0.1:9"}


def config(**overrides: object) -> dict[str, object]:
    """A fresh copy each time: the SDK adds environment settings to the dict it is given."""
    return {**CONFIG, **overrides}


def parameters(member: object) -> list[str]:
    return list(inspect.signature(member).parameters)  # type: ignore[arg-type]


def test_env_var_config_reads_every_setting_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "_env_var_config" in vars(PluginBase)
    assert parameters(_dict_config.parse_environment_config)[:2] == [
        "config_schema",
        "prefix",
    ]
    monkeypatch.setenv("TAP_COMETLY_PER_PAGE", "abc")
    with pytest.raises(ConfigError, match="Invalid setting 'per_page': expected a whole number"):
        TapCometly(config=config(), parse_env_config=True)


def test_validate_config_keeps_the_converted_values() -> None:
    assert parameters(PluginBase._validate_config) == ["self", "raise_errors"]
    tap = TapCometly(config=config(per_page="100", include_all_emails="yes"))
    assert tap.config["per_page"] == 100
    assert tap.config["include_all_emails"] is True
    assert tap.settings.per_page == 100


def test_streams_reach_their_tap() -> None:
    assert "self._tap = tap" in inspect.getsource(Stream.__init__)
    tap = TapCometly(config=config())
    assert all(t.cast("CometlyStream", stream).tap is tap for stream in tap.streams.values())


def test_request_is_the_sdks_single_request_method() -> None:
    assert parameters(RESTStream._request) == ["self", "prepared_request", "context"]
    assert parameters(RESTStream.request_decorator) == ["self", "func"]


def test_write_state_now_emits_state_even_when_the_sdk_thinks_it_flushed() -> None:
    assert parameters(Stream._write_state_message) == ["self"]
    assert "is_flushed" in inspect.getsource(StreamStateManager.__init__)
    tap = TapCometly(config=config())
    stream = t.cast("CometlyStream", tap.streams["events"])
    stream.state_manager.is_flushed = True
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", write_through=True)
    with redirect_stdout(out):
        stream.write_state_now()
        tap.flush_output()
    assert [json.loads(line)["type"] for line in raw.getvalue().splitlines()] == ["STATE"]


def test_records_do_not_move_a_windowed_streams_bookmark() -> None:
    assert parameters(Stream._increment_stream_state) == ["self", "latest_record", "context"]
    tap = TapCometly(config=config())
    events = tap.streams["events"]
    events._increment_stream_state({"id": 1, "event_time_utc": "2024-03-09T00:00:00Z"})
    assert "replication_key_value" not in events.stream_state
    assert "progress_markers" not in events.stream_state


def test_the_record_loop_flushes_the_writer_however_it_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert parameters(Stream._sync_records) == ["self", "context", "write_messages"]
    tap = TapCometly(config=config())
    flushed: list[bool] = []
    monkeypatch.setattr(tap, "flush_output", lambda: flushed.append(True))
    stream = t.cast("CometlyStream", tap.streams["companies"])

    def failing_records(context: object) -> t.Iterator[dict[str, object]]:
        del context  # the signature of get_records
        yield {"id": 1}
        raise RuntimeError("the API broke")

    monkeypatch.setattr(stream, "get_records", failing_records)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    with redirect_stdout(out), pytest.raises(RuntimeError):
        list(stream.records_for_batches(None))
    assert flushed == [True]


def test_the_record_work_plain_records_skip_is_the_sdks_as_read() -> None:
    # What plain_records proves a no-op (tests/test_fast_path.py compares the lines).
    assert parameters(Stream._write_record_message) == ["self", "record"]
    assert parameters(Stream._process_record) == [
        "self",
        "record",
        "child_context",
        "partition_context",
    ]
    assert parameters(_catalog.pop_deselected_record_properties)[:3] == ["record", "schema", "mask"]
    generate = inspect.getsource(Stream._generate_record_messages)
    for step in (
        "pop_deselected_record_properties(record, self.schema, self.mask)",
        "conform_record_data_types(",
        "for stream_map in self.stream_maps:",
        "version=self._stream_version",
        "time_extracted=utc_now()",
    ):
        assert step in generate, step
    assert "self.state_manager.is_flushed = False" in inspect.getsource(
        Stream._write_record_message
    )
    assert "return self.flatten_record(record)" in inspect.getsource(StreamMap.transform)
    assert "return super().transform(record)" in inspect.getsource(SameRecordTransform.transform)
    nested = SelectionMask({(): True, ("properties", "a"): True})
    assert nested["properties", "a", "properties", "b"] is True, "defaults to the parent"
    tap = TapCometly(config=config())
    events = t.cast("CometlyStream", tap.streams["events"])
    assert events.plain_records
    assert isinstance(tap.message_writer, BatchedMsgSpecWriter)


def test_termination_goes_to_the_taps_own_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parameters(Tap._handle_termination) == ["self", "signum", "frame"]
    assert "_state_writer" in inspect.getsource(Tap)
    tap = TapCometly(config=config())
    received: list[int] = []
    monkeypatch.setattr(tap, "on_termination", received.append)
    tap._handle_termination(15, None)
    assert received == [15]


def test_metric_lines_stay_off_unless_their_variable_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "self.metrics_logger.setLevel(" in inspect.getsource(PluginBase.__init__)
    sdk_metrics = metrics.get_metrics_logger()
    monkeypatch.setattr(sdk_metrics, "level", sdk_metrics.level)  # restored after the test
    monkeypatch.setenv("LOGLEVEL", "INFO")
    monkeypatch.delenv("TAP_COMETLY_METRICS_LOG_LEVEL", raising=False)
    tap = TapCometly(config=config())
    assert tap.metrics_logger is sdk_metrics
    assert sdk_metrics.getEffectiveLevel() == logging.WARNING
    monkeypatch.setenv("TAP_COMETLY_METRICS_LOG_LEVEL", "info")
    TapCometly(config=config())
    assert sdk_metrics.getEffectiveLevel() == logging.INFO
    monkeypatch.setenv("TAP_COMETLY_METRICS_LOG_LEVEL", "loud")
    with pytest.raises(ConfigError, match="TAP_COMETLY_METRICS_LOG_LEVEL='loud'"):
        TapCometly(config=config())


def test_the_hooks_are_on_the_sdks_classes() -> None:
    assert issubclass(TapCometly, Tap)
    for name in ("_env_var_config", "_env_var_prefix", "_validate_config"):
        assert name in vars(PluginBase), name


def test_activate_version_is_a_declared_setting_that_the_full_table_stream_follows(
    fake: FakeCometly,
) -> None:
    assert parameters(PluginBase.append_builtin_config) == ["config_jsonschema"]
    assert (
        "emit_activate_version_messages" in capabilities.EMIT_ACTIVATE_VERSION_CONFIG["properties"]
    )
    merge = _dict_config.merge_missing_config_jsonschema
    assert parameters(merge) == ["source_jsonschema", "target_jsonschema"]
    declared = TapCometly._get_about_info().settings["properties"]
    assert declared["emit_activate_version_messages"]["default"] is False

    config = tap_config(fake, emit_activate_version_messages=True)
    run = run_tap(config, catalog=catalog_for(config, {"companies": None}))
    kinds = [message["type"] for message in run.messages]
    first_record = kinds.index("RECORD")
    assert kinds[:first_record].count("ACTIVATE_VERSION") == 1, "sent before the records"
    version = next(m["version"] for m in run.messages if m["type"] == "ACTIVATE_VERSION")
    records = [m for m in run.messages if m["type"] == "RECORD"]
    assert len(records) == len(fake.companies())
    assert all(record["version"] == version for record in records)

    off = run_tap(tap_config(fake), catalog=catalog_for(config, {"companies": None}))
    assert "ACTIVATE_VERSION" not in {message["type"] for message in off.messages}


def test_the_tap_knows_a_connection_test_before_it_reads_its_settings() -> None:
    assert parameters(Tap.cb_test.__func__) == ["cls", "ctx", "param", "value"]  # type: ignore[attr-defined]
    assert CliTestOptionValue.All.value == "all"
    assert "run_connection_test()" in inspect.getsource(Tap.cb_test)
    assert TapCometly.connection_test is False
