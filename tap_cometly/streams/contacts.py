"""`contacts`: one export per creation-time window (POST /contacts/exports), bookmarked per window.

Cometly selects the contacts of an export by creation time only. An incremental run therefore
reads the contacts created since the bookmark, and a contact that is changed or merged after its
window was exported is not read again; run the stream with FULL_TABLE replication (it re-exports
everything from start_date) when such changes must reach the warehouse.

An export takes minutes and creations are scarce (5 a minute), so the export of the window in
hand is saved in the stream's state as soon as it is created, and a run that starts again after a
crash takes it over instead of creating another:

    "contacts": {
      "replication_key": "created_at",
      "replication_key_value": "2024-03-16T04:00:00Z",      # every window before it is done
      "export_in_flight": {                                 # gone once its rows are out
        "export_id": 1002,
        "window_start": "2024-03-16T04:00:00Z",
        "window_end": "2024-04-15T04:00:00Z",
        "parameters": {"start_date": "2024-03-16 00:00:00", "end_date": "2024-04-15 00:00:00",
                       "include_comet_tokens": 0, "include_all_emails": 1}
      }
    }
"""

from __future__ import annotations

import typing as t
from functools import cached_property
from typing import NamedTuple

from singer_sdk import typing as th

from tap_cometly import normalize
from tap_cometly.exports.download import DownloadHandler
from tap_cometly.exports.job import ExportJob, raise_for_unknown_export
from tap_cometly.streams.windowed import WindowedStream
from tap_cometly.windows import Window, api_bounds, day_windows, parse_api_utc

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    import requests
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

IN_FLIGHT = "export_in_flight"


class SavedExport(NamedTuple):
    """The export an earlier run created and left in the state (see the module docstring)."""

    export_id: int
    window: Window
    parameters: dict[str, t.Any]


CONTACT_CONVERTERS: dict[str, normalize.Converter] = {
    "id": normalize.integer,
    "email": normalize.text,
    "name": normalize.text,
    "phone": normalize.text,
    "location": normalize.text,
    "created_at": normalize.utc_timestamp,
    "comet_tokens": normalize.text_list,
    "emails": normalize.text_list,
}


def contact_schema(*, comet_tokens: bool, all_emails: bool) -> dict[str, t.Any]:
    """The contact columns; the two arrays only when their export flag is on."""
    properties = [
        th.Property("id", th.IntegerType, required=True, description="Contact ID."),
        th.Property("email", th.StringType, description="Primary email address."),
        th.Property("name", th.StringType, description="Full name."),
        th.Property("phone", th.StringType, description="Phone number."),
        th.Property("location", th.StringType, description="Location (e.g. a country code)."),
        th.Property(
            "created_at",
            th.DateTimeType,
            description="When the contact was created (UTC); it decides the contact's window.",
        ),
    ]
    if comet_tokens:
        properties.append(
            th.Property(
                "comet_tokens",
                th.ArrayType(th.StringType),
                description="The contact's last 5 comet tokens, newest first.",
            )
        )
    if all_emails:
        properties.append(
            th.Property(
                "emails",
                th.ArrayType(th.StringType),
                description="Every email address of the contact, merged profiles' included.",
            )
        )
    return th.PropertiesList(*properties).to_dict()


class ContactsStream(WindowedStream):
    """Contacts by creation time, read through exports (see the module docstring)."""

    name = "contacts"
    path = "/contacts/exports"
    primary_keys: tuple[str, ...] = ("id",)
    replication_key = "created_at"
    record_noun = "contact"
    converters = CONTACT_CONVERTERS

    def __init__(self, tap: Tap) -> None:
        # The tap's config is already type-converted here, even during discovery.
        config = tap.config
        schema = contact_schema(
            comet_tokens=bool(config.get("include_comet_tokens")),
            all_emails=bool(config.get("include_all_emails")),
        )
        super().__init__(tap, schema=schema)

    @property
    def window_days(self) -> int:
        return self.settings.contacts_window_days

    @cached_property
    def downloader(self) -> DownloadHandler:
        return DownloadHandler(self.settings, self.logger)

    def validate_response(self, response: requests.Response) -> None:
        raise_for_unknown_export(response)
        super().validate_response(response)

    def export_parameters(self, window: Window) -> dict[str, t.Any]:
        """The POST /contacts/exports body for a window: local bounds, flags as 1/0."""
        start, end = api_bounds(window, self.settings.timezone)
        return {
            "start_date": start,
            "end_date": end,
            "include_comet_tokens": int(self.settings.include_comet_tokens),
            "include_all_emails": int(self.settings.include_all_emails),
        }

    # The export in flight

    def _saved_export(self) -> SavedExport | None:
        saved: t.Any = self.stream_state.get(IN_FLIGHT)
        try:
            return SavedExport(
                int(saved["export_id"]),
                Window(parse_api_utc(saved["window_start"]), parse_api_utc(saved["window_end"])),
                dict(saved["parameters"]),
            )
        except (TypeError, KeyError, ValueError):
            if saved is not None:
                self.logger.warning(
                    "Stream '%s': ignoring an unreadable %s in the state: %r",
                    self.name,
                    IN_FLIGHT,
                    saved,
                )
            return None

    def _save_export_in_flight(self, window: Window, export_id: int) -> None:
        self.stream_state[IN_FLIGHT] = {
            "export_id": export_id,
            "window_start": window.start_text,
            "window_end": window.end_text,
            "parameters": self.export_parameters(window),
        }
        self.state_manager.is_flushed = False
        self._write_state_message()

    def windows(self, context: Context | None) -> Iterator[Window]:
        """The run's windows; a saved export's window comes first when the run starts where it
        does (its end may be an earlier run's "now"), so that export can be taken over."""
        start, end = self.sync_range(context)
        saved = self._saved_export()
        if (
            saved is not None
            and saved.window.start == start
            and start < saved.window.end <= end
            and saved.parameters == self.export_parameters(saved.window)
        ):
            yield saved.window
            start = saved.window.end
        yield from day_windows(start, end, self.settings.timezone, self.window_days)

    def _save_window_bookmark(self, context: Context | None, window: Window) -> None:
        # The window's rows are out: its export is done with, in the same STATE as the bookmark.
        self.get_context_state(context).pop(IN_FLIGHT, None)
        super()._save_window_bookmark(context, window)

    # Records

    def records_in_window(self, window: Window) -> Iterable[dict[str, t.Any]]:
        parameters = self.export_parameters(window)
        saved = self._saved_export()
        where = f"stream '{self.name}', window {window}"
        job = ExportJob(
            self,
            path=self.path,
            parameters=parameters,
            where=where,
            downloader=self.downloader,
            saved_export_id=(
                saved.export_id if saved is not None and saved.parameters == parameters else None
            ),
            on_created=lambda export_id: self._save_export_in_flight(window, export_id),
            context={"window": window},
        )
        with job.completed_file() as export_file:
            for row in export_file.rows():
                record = self.shape(row, export_file.what)
                # The export's bounds cover the window whatever the API's reading of them; a
                # contact created outside belongs to (and is read with) the neighbouring window.
                created_at = record.get("created_at")
                if created_at is None or window.contains(created_at):
                    yield record
