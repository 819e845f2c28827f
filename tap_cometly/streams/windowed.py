"""Streams read in Space-local windows and bookmarked at the end of each finished window.

The API's rows inside a window come in no guaranteed order, so no record moves the bookmark: a
window's end becomes the bookmark once all of the window is out, and STATE follows at once. A
crash therefore costs at most one window, and the next run starts from the last window's end
(less the stream's lookback).
"""

from __future__ import annotations

import typing as t
from datetime import timedelta

from tap_cometly.batch_files import batcher_for
from tap_cometly.client import CometlyStream
from tap_cometly.errors import CometlyAPIError
from tap_cometly.progress import Progress
from tap_cometly.windows import Window, day_windows, format_utc, parse_api_utc, utc_now

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from datetime import datetime

    from singer_sdk.helpers._batch import BaseBatchFileEncoding, BatchConfig
    from singer_sdk.helpers.types import Context


class WindowedStream(CometlyStream):
    """A stream whose get_records reads one window after another (see the module docstring)."""

    # Rows inside a window are unordered: progress is only ever saved per window.
    is_sorted = False
    records_move_bookmark = False
    # With batch_config: finished windows whose rows are not yet in an announced batch file.
    _windows_awaiting_batch: list[Window] | None = None

    @property
    def window_days(self) -> int:
        """Length of a window in Space-local days."""
        raise NotImplementedError

    @property
    def lookback(self) -> timedelta:
        """How far before the bookmark an incremental run starts reading again."""
        return timedelta(0)

    def records_in_window(self, window: Window) -> Iterable[dict[str, t.Any]]:
        """Every record of one window; called once per window, in time order."""
        raise NotImplementedError

    def records_by_window(
        self, windows: Sequence[Window]
    ) -> Iterator[tuple[Window, Iterable[dict[str, t.Any]]]]:
        """Each window with its records, in time order; a window's records are read before the
        next window is asked for. A stream that prepares later windows while earlier ones are
        read (events' exports) sees them all here."""
        for window in windows:
            yield window, self.records_in_window(window)

    def compare_start_date(self, value: str, start_date_value: str) -> str:
        """The later of the bookmark and start_date (the setting may be in Space-local time)."""
        del start_date_value  # already parsed, with its timezone, into settings.start
        return format_utc(max(self._parse_bookmark(value), self.settings.start))

    def _parse_bookmark(self, value: t.Any) -> datetime:
        if isinstance(value, str):
            try:
                return parse_api_utc(value)
            except ValueError:
                pass
        msg = (
            f"The state's bookmark for stream '{self.name}' is {value!r}, which is not a UTC "
            "date-time. Fix it (e.g. 2024-01-31T00:00:00Z) or remove the stream's entry from "
            "the state to start again from start_date."
        )
        raise CometlyAPIError(msg)

    def check_bookmark(self) -> None:
        """Fail now, naming the stream, if the state given to the tap holds an unreadable
        bookmark (before any stream runs, rather than after some of them did)."""
        # Read without creating the stream's entry (stream_state would add an empty one).
        entry = self.tap_state.get("bookmarks", {}).get(self.name, {})
        value = entry.get("replication_key_value")
        if value is not None:
            self._parse_bookmark(value)

    def sync_range(self, context: Context | None) -> tuple[datetime, datetime]:
        """[start, end) of this run: bookmark minus lookback (not before start_date) to end_date,
        or to now when end_date is later: a window's end becomes the bookmark, and one ending
        in the future would skip what happens between now and then.

        Under FULL_TABLE replication the SDK hands out no bookmark: the run starts at start_date.
        """
        now = utc_now()
        end = min(self.settings.end, now) if self.settings.end else now
        bookmark = self.get_starting_replication_key_value(context)
        if bookmark is None:
            return self.settings.start, end
        return max(self._parse_bookmark(bookmark) - self.lookback, self.settings.start), end

    def windows(self, context: Context | None) -> Iterator[Window]:
        start, end = self.sync_range(context)
        return day_windows(start, end, self.settings.timezone, self.window_days)

    def _save_window_bookmark(self, context: Context | None, window: Window) -> None:
        state = self.get_context_state(context)
        previous = state.get("replication_key_value")
        if previous is None or self._parse_bookmark(previous) < window.end:
            state["replication_key"] = self.replication_key
            state["replication_key_value"] = window.end_text
        self.write_state_now()

    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        windows = list(self.windows(context))
        progress = Progress(
            self.name,
            len(windows),
            self.logger,
            waited_seconds=self.connection.pacers.waited_seconds,
        )
        for window, window_records in self.records_by_window(windows):
            records = 0
            try:
                for record in window_records:
                    records += 1
                    yield record
            except CometlyAPIError as error:
                error.locate(stream=self.name, window=window)
                raise
            if self._windows_awaiting_batch is None:
                self._save_window_bookmark(context, window)
            else:
                self._windows_awaiting_batch.append(window)
            progress.window_done(window, records)

    def get_batches(
        self, batch_config: BatchConfig, context: Context | None = None
    ) -> Iterator[tuple[BaseBatchFileEncoding, list[str]]]:
        """With batch_config: batch files (batch_files.py), closed at each window's end. The SDK
        writes a BATCH message only once its file is closed, so a window's bookmark waits until
        the files of the window's rows are announced, and its STATE follows them."""
        self._windows_awaiting_batch = []
        records = self.records_for_batches(context)
        read_ahead: list[dict[str, t.Any]] = []
        while True:
            batcher = batcher_for(self.tap_name, self.name, batch_config)
            for manifest in batcher.get_batches(self._rest_of_window(records, read_ahead)):
                # The SDK writes this batch's BATCH message before asking for the next.
                yield batch_config.encoding, manifest
            for window in self._windows_awaiting_batch:
                self._save_window_bookmark(context, window)
            self._windows_awaiting_batch.clear()
            if not read_ahead:
                return

    def _rest_of_window(
        self, records: Iterator[dict[str, t.Any]], read_ahead: list[dict[str, t.Any]]
    ) -> Iterator[dict[str, t.Any]]:
        """The records of the window in progress. Its end shows only when the next window's
        first record is read: that record is left in `read_ahead` for the next batch."""
        if read_ahead:
            yield read_ahead.pop()
        for record in records:
            if self._windows_awaiting_batch:
                read_ahead.append(record)
                return
            yield record
