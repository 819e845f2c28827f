"""Every reach into singer-sdk's internals, in one place, each hook named with the reason for it.

singer-sdk has no public extension point for a few things this tap needs, so each is done by
overriding or calling a private member here, and nowhere else. tests/test_sdk_hooks.py checks
that every member relied on still exists with the signature used, so an SDK upgrade that changes
one fails there, by name; pyproject.toml holds singer-sdk to 0.54.x for the same reason.

Tap hooks (TapHooks):
- `metrics_logger`: the SDK sets the level of its `singer_sdk.metrics` logger from LOGLEVEL in
  PluginBase.__init__, so at the default INFO every request and record count logs a METRIC
  line; the tap sets it again after init, to WARNING unless TAP_COMETLY_METRICS_LOG_LEVEL asks
  for them (metrics_log_level).
- `_env_var_config`: settings from environment variables are read as raw text, so the tap's own
  conversion gives a bad number in a variable the same one-line error as in a config file.
- `_validate_config` and `_config`: the tap converts and checks every setting (prepare_config)
  before the SDK's JSON-schema validation, and keeps the converted values as the config. It
  refuses a batch_config the batch files cannot follow (batch_config_problems).
- `append_builtin_config` and `merge_missing_config_jsonschema`: the SDK reports the
  activate-version capability and sends ACTIVATE_VERSION when `emit_activate_version_messages` is
  on, yet never declares that setting; the tap declares it, so Meltano and `--about` list it.
- `cb_test`: the SDK builds the tap for `--test` without telling it the run is a connection test;
  the tap must know before it reads its settings, to test through the cheap list endpoints only
  (connection_test).
- `_handle_termination` and `_state_writer`: on SIGINT or SIGTERM the SDK writes the state
  and exits 0; the tap first sends its batched records, then the state, and exits non-zero
  (on_termination).

Stream hooks (StreamHooks):
- `_tap`: the tap running the stream, for what every stream of a run shares (its connection).
- `_request`: export creations and status checks are single calls outside the paginated record
  flow, yet must be authenticated, paced, retried and validated exactly like pages.
- `_write_state_message` and `state_manager.is_flushed`: a windowed stream emits STATE as soon
  as a window is done or an export is created, not only at the SDK's own moments.
- `_increment_stream_state`: a window's rows come unordered, so a stream that bookmarks per
  window keeps records from moving the bookmark (records_move_bookmark = False).
- `_sync_records`: the SDK's record loop, however it ends (finished, stopped at `--test`'s
  record limit, failed); the tap's batched writer sends the stream's last records there
  (on_records_end). Batch files are written from the same loop, without RECORD messages
  (records_for_batches); the SDK prunes deselected fields only in RECORD messages, so the
  loop prunes the records batch files get (prune_deselected), or a deselected column (an
  email, a phone) would reach the files.
- `_write_record_message`: per record, the SDK prunes deselected fields by walking the selection
  mask, runs the record through its stream maps and builds a RecordMessage, about a third of the
  tap's time on a large sync. Where all but the pruning is provably a no-op (plain_records:
  one stream map that passes records through unchanged, no flattening, no type conformance,
  nothing deselected but top-level fields), the record loses those fields and goes straight to
  the batched writer as the same line; anything else (maps, flattening, a deselected nested
  field, another writer) takes the SDK's own path. tests/test_fast_path.py compares the two.
- `_process_record`: per record, the SDK adds the partition's keys, then for each child context
  runs the first stream map's filter and syncs the child streams. With plain records, no
  partition context and no child streams, none of it does anything, and it is skipped.
"""

from __future__ import annotations

import os
import typing as t
from datetime import datetime, timezone
from functools import cached_property

from singer_sdk import Tap
from singer_sdk.configuration._dict_config import (
    merge_missing_config_jsonschema,
    parse_environment_config,
)
from singer_sdk.helpers._catalog import pop_deselected_record_properties
from singer_sdk.helpers._classproperty import classproperty
from singer_sdk.helpers.capabilities import EMIT_ACTIVATE_VERSION_CONFIG, TapCapabilities
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.streams import RESTStream
from singer_sdk.tap_base import CliTestOptionValue

from tap_cometly.batch_files import batch_config_problems
from tap_cometly.errors import ConfigError
from tap_cometly.writer import BatchedMsgSpecWriter

if t.TYPE_CHECKING:
    from collections.abc import Generator, Iterator
    from types import FrameType

    import click
    import requests
    from singer_sdk.helpers.types import Context


METRICS_LOG_LEVEL_VARIABLE = "TAP_COMETLY_METRICS_LOG_LEVEL"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def metrics_log_level() -> str:
    """The level of the SDK's METRIC lines: WARNING (none are logged) unless the user asks."""
    level = os.environ.get(METRICS_LOG_LEVEL_VARIABLE, "WARNING").strip().upper()
    if level not in _LOG_LEVELS:
        msg = (
            f"Invalid environment variable {METRICS_LOG_LEVEL_VARIABLE}="
            f"{os.environ[METRICS_LOG_LEVEL_VARIABLE]!r}: expected one of {', '.join(_LOG_LEVELS)} "
            "(INFO logs the SDK's METRIC lines)."
        )
        raise ConfigError([msg])
    return level


class TapHooks(Tap):
    """The tap's hooks into singer-sdk (see the module docstring)."""

    #: True in a `--test` run (the SDK's connection test, one record per stream).
    connection_test = False

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        metrics_level = metrics_log_level()  # a bad value fails before any other work
        super().__init__(*args, **kwargs)
        self.metrics_logger.setLevel(metrics_level)

    def prepare_config(self, config: dict[str, t.Any]) -> tuple[dict[str, t.Any], list[str]]:
        """The config with its values converted, and one message per bad value."""
        raise NotImplementedError

    def on_termination(self, signum: int) -> None:
        """SIGINT or SIGTERM arrived during the run."""
        raise NotImplementedError

    def write_tap_state(self) -> None:
        """Send the state of every stream now."""
        self._state_writer.write_state(self.state)

    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        del frame  # dictated by signal.signal
        self.on_termination(signum)

    @classmethod
    def append_builtin_config(cls, config_jsonschema: dict) -> None:
        super().append_builtin_config(config_jsonschema)
        if TapCapabilities.ACTIVATE_VERSION in cls.capabilities:
            merge_missing_config_jsonschema(EMIT_ACTIVATE_VERSION_CONFIG, config_jsonschema)

    @classmethod
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        # `--test=schema` only prints schemas: it reads nothing, so nothing changes for it.
        cls.connection_test = value == CliTestOptionValue.All.value
        super().cb_test(ctx, param, value)

    @classproperty
    def _env_var_config(cls) -> dict[str, t.Any]:
        as_text = {
            "properties": {
                name: {"type": ["string"]} for name in cls.config_jsonschema["properties"]
            }
        }
        return parse_environment_config(as_text, cls._env_var_prefix)

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        self._config, errors = self.prepare_config(self._config)
        errors += batch_config_problems(self._config)
        if errors:
            if raise_errors:
                raise ConfigError(errors)
            for message in errors:
                self.logger.warning(message)
            return errors
        return super()._validate_config(raise_errors=raise_errors)


class StreamHooks(RESTStream[t.Any]):
    """The streams' hooks into singer-sdk (see the module docstring)."""

    #: False where a stream moves its bookmark itself (per window), never per record.
    records_move_bookmark = True

    @property
    def tap(self) -> Tap:
        """The tap that runs this stream."""
        return self._tap

    def send_request(
        self, prepared: requests.PreparedRequest, context: Context | None
    ) -> requests.Response:
        """Send one request as the SDK sends a page: authenticated, retried, validated."""
        send = self.request_decorator(self._request)
        return send(prepared, context)

    def write_state_now(self) -> None:
        """Send the stream's state at once (a bookmark, or an export to take over after a crash)."""
        self.state_manager.is_flushed = False
        self._write_state_message()

    def _increment_stream_state(
        self, latest_record: dict[str, t.Any], *, context: Context | None = None
    ) -> None:
        if self.records_move_bookmark:
            super()._increment_stream_state(latest_record, context=context)

    def on_records_end(self) -> None:
        """Called once the stream's record loop has ended, however it ended."""

    def _sync_records(
        self, context: Context | None = None, *, write_messages: bool = True
    ) -> Generator[dict, t.Any, t.Any]:
        try:
            records = super()._sync_records(context, write_messages=write_messages)
            if write_messages:
                yield from records
                return
            for record in records:
                self.prune_deselected(record)
                yield record
        finally:
            self.on_records_end()

    def records_for_batches(self, context: Context | None) -> Iterator[dict[str, t.Any]]:
        """The stream's records as the SDK's get_batches reads them: no RECORD messages."""
        return iter(self._sync_records(context, write_messages=False))

    @cached_property
    def deselected_fields(self) -> frozenset[str] | None:
        """The top-level fields the catalog deselects; None when a nested one is deselected."""
        deselected = [breadcrumb for breadcrumb, selected in self.mask.items() if not selected]
        # Only ("properties", name): the SDK's pruning then pops those names and nothing else
        # (a nested breadcrumb it does not find defaults to its selected parent).
        if any(len(breadcrumb) != 2 for breadcrumb in deselected):
            return None
        return frozenset(breadcrumb[1] for breadcrumb in deselected)

    def prune_deselected(self, record: dict[str, t.Any]) -> None:
        """Remove what the catalog deselects from the record, in place, as the SDK does."""
        deselected = self.deselected_fields
        if deselected is None:
            pop_deselected_record_properties(record, self.schema, self.mask)
            return
        if not deselected.isdisjoint(record):  # most records carry none
            for name in deselected.intersection(record):
                del record[name]

    @cached_property
    def plain_records(self) -> bool:
        """Whether pruning is all the SDK's RECORD path would do to a record (see the module
        docstring); if not, the SDK's own path runs."""
        (first_map, *other_maps) = self.stream_maps
        return not (
            other_maps
            or type(first_map) is not SameRecordTransform
            or first_map.stream_alias != self.name
            or first_map.flattening_enabled
            or self.TYPE_CONFORMANCE_LEVEL != TypeConformanceLevel.NONE
            or not isinstance(self._tap.message_writer, BatchedMsgSpecWriter)
            or self.deselected_fields is None
        )

    def _process_record(
        self,
        record: dict[str, t.Any],
        child_context: Context | None = None,
        partition_context: Context | None = None,
    ) -> None:
        if self.child_streams or partition_context or not self.plain_records:
            super()._process_record(record, child_context, partition_context)

    def _write_record_message(self, record: dict[str, t.Any]) -> None:
        if not self.plain_records:
            super()._write_record_message(record)
            return
        self.prune_deselected(record)  # in place, as the SDK's: the record is used on
        writer = t.cast("BatchedMsgSpecWriter", self._tap.message_writer)
        writer.write_record(self.name, record, self._stream_version, datetime.now(timezone.utc))
        self.state_manager.is_flushed = False
