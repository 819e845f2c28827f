"""TapCometly: settings, streams and the connection they share."""

from __future__ import annotations

import copy
import json
import signal
import sys
import typing as t
from datetime import datetime, timedelta, timezone
from functools import cached_property

from tap_cometly.client import ApiConnection
from tap_cometly.config_text import coerce_config
from tap_cometly.errors import CometlyAPIError, ConfigError
from tap_cometly.sdk_hooks import TapHooks
from tap_cometly.settings import SETTINGS_SCHEMA, Settings, parse_settings
from tap_cometly.streams import (
    CompaniesStream,
    ContactsStream,
    EventAttributionsStream,
    EventsStream,
)
from tap_cometly.streams.windowed import WindowedStream
from tap_cometly.writer import STOP_SIGNALS, BatchedMsgSpecWriter

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream


# A connection test reads the last day of the sync range: one or two list calls per stream,
# however far back start_date is, instead of walking empty windows from it.
CONNECTION_TEST_DAYS = 1


def connection_test_config(config: dict[str, t.Any], settings: Settings) -> dict[str, t.Any]:
    """The config of a `--test` run: list endpoints only (an export costs one of the 5 creations
    a minute and minutes of waiting), over the last day of the sync range."""
    end = settings.end or datetime.now(timezone.utc)
    start = max(settings.start, end - timedelta(days=CONNECTION_TEST_DAYS))
    return {**config, "extraction_method": "list", "start_date": start.isoformat()}


class TapCometly(TapHooks):
    """Singer tap for Cometly."""

    name = "tap-cometly"
    # A copy: the SDK adds its built-in settings (stream_maps, ...) to this dict in place.
    config_jsonschema = copy.deepcopy(SETTINGS_SCHEMA)
    message_writer_class = BatchedMsgSpecWriter

    def prepare_config(self, config: dict[str, t.Any]) -> tuple[dict[str, t.Any], list[str]]:
        """Convert and check every setting before any request, one message per bad value."""
        converted, errors = coerce_config(config, self.config_jsonschema)
        try:
            settings = parse_settings(converted)
            if self.connection_test:
                converted = connection_test_config(converted, settings)
                settings = parse_settings(converted)
            self.__dict__["settings"] = settings
        except ConfigError as error:
            errors += error.errors
        return converted, errors

    @classmethod
    def invoke(cls, **kwargs: t.Any) -> None:
        try:
            super().invoke(**kwargs)
        except CometlyAPIError as error:
            # The message says what happened and what to do; a traceback would only bury it.
            cls.logger.error("%s", error)
            sys.exit(1)

    def on_termination(self, signum: int) -> None:
        """SIGINT or SIGTERM: send the batch, then the state (every bookmark in it covers only
        records already written), and exit 128 + the signal's number, as a shell reports a run
        stopped by it, so that an orchestrator does not take the stopped run for a success."""
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # a second signal adds nothing
        self.flush_output()
        self.write_tap_state()
        self.logger.warning(
            "Stopped by %s before the sync ended; the next run resumes from the last STATE: %s.",
            signal.Signals(signum).name,
            self._bookmarks_summary(),
        )
        sys.exit(128 + signum)

    def _bookmarks_summary(self) -> str:
        bookmarks = self.state.get("bookmarks", {})
        return ", ".join(
            f"{name} from {bookmarks.get(name, {}).get('replication_key_value') or 'its start'}"
            for name, stream in self.streams.items()
            if stream.selected
        )

    @cached_property
    def settings(self) -> Settings:
        return parse_settings(self._config)

    @cached_property
    def connection(self) -> ApiConnection:
        return ApiConnection(self.settings, self.logger)

    def flush_output(self) -> None:
        """Write out records still waiting in the writer's batch."""
        t.cast("BatchedMsgSpecWriter", self.message_writer).flush()

    def load_state(self, state: dict[str, t.Any]) -> None:
        """Use a state as it is or refuse it with a clear message, never silently start over."""
        bookmarks = state.get("bookmarks", {})
        if not isinstance(bookmarks, dict) or not all(
            isinstance(entry, dict) for entry in bookmarks.values()
        ):
            msg = (
                "The state's 'bookmarks' must map each stream name to an object, as the tap "
                f"writes it; got {json.dumps(bookmarks)[:200]}. Fix the state or remove it to "
                "start again from start_date."
            )
            raise CometlyAPIError(msg)
        super().load_state(state)
        for stream in self.streams.values():
            if isinstance(stream, WindowedStream):
                stream.check_bookmark()

    def discover_streams(self) -> list[Stream]:
        streams: list[Stream] = [EventsStream(self), CompaniesStream(self)]
        if self.connection_test:
            self.logger.info(
                "Connection test: stream 'contacts' is skipped: Cometly hands out contacts "
                "only through exports (POST /contacts/exports, 5 a minute, minutes to finish), "
                "too slow and costly for a connection test; `meltano run` reads them."
            )
        else:
            streams.insert(1, ContactsStream(self))
        # Read raw: discovery runs without full config validation.
        if self.config.get("attribution_setups"):
            streams.append(EventAttributionsStream(self))
        return streams


if __name__ == "__main__":
    TapCometly.cli()
