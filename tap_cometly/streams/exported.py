"""Streams whose windows are read from exports, several in flight at once.

The export tracker keeps up to MAX_IN_FLIGHT windows' exports in flight within the creation and
status budgets and hands their files out in the windows' order, so windows are emitted and
bookmarked oldest first, as the list path does.

Creations are scarce (5 a minute) and an export takes seconds to minutes, so each export is saved
in the stream's state as soon as it is created, and a run that starts again after a crash takes
it over instead of creating another. An export leaves the map in the same STATE that moves the
bookmark past its window. A stream's state, for events (exports by Space-local day) and for
contacts (exports by window, "start/end" in UTC):

    "events": {
      "replication_key": "event_time_utc",
      "replication_key_value": "2024-03-09T05:00:00Z",      # every window before it is done
      "exports_in_flight": {                                # gone once no export is in flight
        "filters": {"query_mode": "profile", "fields": ["event_name", "amount"]},
        "days": {"2024-03-09": 1003, "2024-03-10": 1004}
      }
    },
    "contacts": {
      "replication_key": "created_at",
      "replication_key_value": "2024-03-16T04:00:00Z",
      "exports_in_flight": {
        "filters": {"timezone": "America/New_York", "include_comet_tokens": 0,
                    "include_all_emails": 1},
        "windows": {"2024-03-16T04:00:00Z/2024-04-15T04:00:00Z": 1002,
                    "2024-04-15T04:00:00Z/2024-05-15T04:00:00Z": 1003}
      }
    }

event_attributions exports each day once per attribution setup and group of at most 15
sources (its window's export parts), keyed "day/setup index/source group":

    "event_attributions": {
      "replication_key": "event_time_utc",
      "replication_key_value": "2024-03-09T05:00:00Z",
      "exports_in_flight": {
        "filters": {"query_mode": "profile", "fields": ["amount", "ad_id", "campaign_name"],
                    "setups": [{"sources": ["facebook_ads"], "model": "linear", "window": 0}]},
        "exports": {"2024-03-09/0/0": 1005, "2024-03-10/0/0": 1006}
      }
    }

`filters` is what every export body of the run holds besides its window and part
(export_filters), and the entries map (in_flight_entries: "days", "windows" or "exports") holds
each export's id by part key (ExportPart.key; export_key for a window read from one export).

Exports made with other filters, or of windows this run does not read, are forgotten. Only an
export of a period that was over when it was created is saved: an export of a day still running
lacks what came after its creation, so a later run must not take it over. An export taken over
from the state that is still unfinished at this run's timeout is forgotten as well, so a stuck
export costs two runs at most, never every run after.
"""

from __future__ import annotations

import typing as t
from contextlib import closing
from dataclasses import dataclass, field
from functools import cached_property, partial

from tap_cometly.errors import CometlyAPIError, Location
from tap_cometly.exports.download import DownloadHandler
from tap_cometly.exports.job import ExportJob, JobLimits
from tap_cometly.exports.repository import ApiExportRepository, raise_for_unknown_export
from tap_cometly.exports.tracker import ExportTracker
from tap_cometly.streams.windowed import WindowedStream
from tap_cometly.windows import utc_now

if t.TYPE_CHECKING:
    from collections.abc import Generator, Iterable, Iterator, Sequence
    from datetime import datetime

    import requests
    from singer_sdk.helpers.types import Context

    from tap_cometly.exports.download import ExportFile
    from tap_cometly.windows import Window

IN_FLIGHT = "exports_in_flight"


@dataclass(frozen=True)
class ExportPart:
    """One export of a window: its key in the saved exports, the body that creates it, the
    request context (short values: the SDK copies it into metric tags), the columns its rows
    get from the request rather than from the file, and, when a window has several, which part
    it is in words (errors and logs name it)."""

    key: str
    parameters: dict[str, t.Any]
    context: dict[str, t.Any]
    fills: dict[str, t.Any] = field(default_factory=dict)
    label: str | None = None


class ExportedWindowsStream(WindowedStream):
    """A windowed stream that reads some or all of its windows from exports (see the module
    docstring); a subclass says which windows, and how a window becomes an export's body."""

    # POST here creates an export; GET here/{id} checks it.
    exports_path: str
    # The map of exports_in_flight that holds the exports by window key.
    in_flight_entries = "windows"

    # What a subclass provides

    @property
    def export_filters(self) -> dict[str, t.Any]:
        """What every export body of this run holds besides its window: a saved export made
        with other filters is not taken over."""
        raise NotImplementedError

    def export_parameters(self, window: Window) -> dict[str, t.Any]:
        """The body that creates the window's export (when export_parts is not overridden)."""
        raise NotImplementedError

    def export_parts(self, window: Window) -> list[ExportPart]:
        """The exports whose files, in this order, make up the window's records: by default
        one, of export_parameters under export_key."""
        return [
            ExportPart(self.export_key(window), self.export_parameters(window), {"window": window})
        ]

    def export_key(self, window: Window) -> str:
        """The window's key in the saved exports."""
        return f"{window.start_text}/{window.end_text}"

    def is_exported(self, window: Window) -> bool:
        """Whether the window is read from an export (else through records_in_window)."""
        del window  # by default every window is
        return True

    def export_covers_until(self, window: Window) -> datetime:
        """The end of the period the window's export covers."""
        return window.end

    def export_records(self, rows: list[t.Any], source: str) -> list[dict[str, t.Any]]:
        """Rows of an export file as records; `source` names the file."""
        return self.shape.rows(rows, source)

    # Reading

    @cached_property
    def downloader(self) -> DownloadHandler:
        return DownloadHandler(self.settings, self.logger)

    def validate_response(self, response: requests.Response) -> None:
        raise_for_unknown_export(response)
        super().validate_response(response)

    def records_by_window(
        self, windows: Sequence[Window]
    ) -> Iterator[tuple[Window, Iterable[dict[str, t.Any]]]]:
        exported = [window for window in windows if self.is_exported(window)]
        saved = self._start_exports_in_flight(exported)
        if not exported:
            yield from super().records_by_window(windows)
            return
        with closing(self._export_files(exported, saved)) as files:
            for window in windows:
                if self.is_exported(window):
                    yield window, self._records_in_export(window, files)
                else:
                    yield window, self.records_in_window(window)

    def _records_in_export(
        self, window: Window, files: Iterator[ExportFile]
    ) -> Iterator[dict[str, t.Any]]:
        key = self.replication_key
        assert key is not None, "windows are bookmarked by their replication key"
        for part in self.export_parts(window):
            export_file = next(files)  # the tracker hands the files out in the parts' order
            fills = part.fills
            try:
                for rows in export_file.batches():
                    for record in self.export_records(rows, "the export file"):
                        # An export covers at least its window (a whole day, or bounds widened
                        # for either reading of them); a row outside belongs to, and is read
                        # with, its own window.
                        value = record.get(key)
                        if value is None or window.contains(value):
                            if fills:
                                record.update(fills)
                            yield record
            except CometlyAPIError as error:
                error.relocate(export_file.where)
                raise

    def _export_files(
        self, windows: Sequence[Window], saved: dict[str, int]
    ) -> Generator[ExportFile, None, None]:
        """The windows' files, in order; `saved` holds the exports to take over, by key."""
        settings = self.settings
        limits = JobLimits(
            poll_seconds=settings.export_poll_seconds,
            timeout_seconds=settings.export_timeout_seconds,
            max_attempts=settings.export_max_attempts,
        )
        jobs = [
            self._export_job(window, part, limits, saved)
            for window in windows
            for part in self.export_parts(window)
        ]
        pacers = self.connection.pacers
        tracker = ExportTracker(
            jobs, creates=pacers["export_create"], checks=pacers["export_status"]
        )
        return tracker.files()

    def _export_job(
        self, window: Window, part: ExportPart, limits: JobLimits, saved: dict[str, int]
    ) -> ExportJob:
        where = Location(stream=self.name, window=str(window), part=part.label)
        repository = ApiExportRepository(
            self, path=self.exports_path, where=where, context=part.context
        )
        return ExportJob(
            repository,
            self.downloader,
            parameters=part.parameters,
            limits=limits,
            where=where,
            logger=self.logger,
            saved_export_id=saved.get(part.key),
            on_created=partial(self._save_export_in_flight, window, part.key),
            on_abandoned=partial(self._abandon_export, part.key),
        )

    # Exports in flight, saved in the state (see the module docstring)

    def saved_exports(self, *, warn: bool = True) -> dict[str, int]:
        """Window key -> export id of the exports an earlier run saved with this run's filters."""
        saved: t.Any = self.stream_state.get(IN_FLIGHT)
        if saved is None:
            return {}
        try:
            if saved["filters"] != self.export_filters:
                return {}
            return {
                str(key): int(export_id) for key, export_id in saved[self.in_flight_entries].items()
            }
        except (TypeError, KeyError, ValueError, AttributeError):
            if warn:
                self.logger.warning(
                    "Stream '%s': ignoring an unreadable %s in the state: %r",
                    self.name,
                    IN_FLIGHT,
                    saved,
                )
            return {}

    def _start_exports_in_flight(self, windows: Sequence[Window]) -> dict[str, int]:
        """The saved exports this run can take over, by key. They stay in the state until their
        window is done (this run may crash too); the others are forgotten."""
        saved = self.saved_exports()
        self.stream_state.pop(IN_FLIGHT, None)
        wanted = {part.key for window in windows for part in self.export_parts(window)}
        reusable = {key: export_id for key, export_id in saved.items() if key in wanted}
        if reusable:
            self.stream_state[IN_FLIGHT] = {
                "filters": self.export_filters,
                self.in_flight_entries: reusable,
            }
        return dict(reusable)

    def _save_export_in_flight(self, window: Window, key: str, export_id: int) -> None:
        if self.export_covers_until(window) > utc_now():
            return  # its period is not over: a later run must not take this export over
        entry = self.stream_state.setdefault(IN_FLIGHT, {"filters": self.export_filters})
        entry.setdefault(self.in_flight_entries, {})[key] = export_id
        self.write_state_now()

    def _forget_exports(self, keys: Iterable[str]) -> None:
        entry = self.stream_state.get(IN_FLIGHT)
        if entry is None:
            return
        for key in keys:
            entry[self.in_flight_entries].pop(key, None)
        if not entry[self.in_flight_entries]:
            del self.stream_state[IN_FLIGHT]

    def _abandon_export(self, key: str) -> None:
        self._forget_exports([key])
        self.write_state_now()

    def _save_window_bookmark(self, context: Context | None, window: Window) -> None:
        # The window's rows are out: its exports are done with, in the same STATE as the
        # bookmark.
        if self.is_exported(window):
            self._forget_exports(part.key for part in self.export_parts(window))
        super()._save_window_bookmark(context, window)
