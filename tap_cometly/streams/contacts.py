"""`contacts`: one export per creation-time window (POST /contacts/exports), bookmarked per window.

Cometly selects the contacts of an export by creation time only. An incremental run therefore
reads the contacts created since the bookmark, and a contact that is changed or merged after its
window was exported is not read again; run the stream with FULL_TABLE replication (it re-exports
everything from start_date) when such changes must reach the warehouse.

Several windows' exports are in flight at once and each is saved in the state as soon as it is
created, keyed by its window in UTC (the state's layout: see exported.py). The timezone is among
the export filters because it turns a window into the export's local bounds.
"""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th

from tap_cometly import normalize
from tap_cometly.normalize import Field
from tap_cometly.streams.exported import ExportedWindowsStream
from tap_cometly.windows import Window, api_bounds, day_windows, parse_api_utc

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

CONTACT_FIELDS = (
    Field("id", th.IntegerType, normalize.integer, "Contact ID.", required=True),
    Field("email", th.StringType, normalize.text, "Primary email address."),
    Field("name", th.StringType, normalize.text, "Full name."),
    Field("phone", th.StringType, normalize.text, "Phone number."),
    Field("location", th.StringType, normalize.text, "Location (e.g. a country code)."),
    Field(
        "created_at",
        th.DateTimeType,
        normalize.utc_timestamp,
        "When the contact was created (UTC); it decides the contact's window.",
    ),
)
# Sent only when their export flag is on, so only then in the schema.
COMET_TOKENS = Field(
    "comet_tokens",
    th.ArrayType(th.StringType),
    normalize.text_list,
    "The contact's last 5 comet tokens, newest first.",
)
ALL_EMAILS = Field(
    "emails",
    th.ArrayType(th.StringType),
    normalize.text_list,
    "Every email address of the contact, merged profiles' included.",
)


def contact_schema(*, comet_tokens: bool, all_emails: bool) -> dict[str, t.Any]:
    """The contact columns; the two arrays only when their export flag is on."""
    fields = [
        *CONTACT_FIELDS,
        *([COMET_TOKENS] if comet_tokens else []),
        *([ALL_EMAILS] if all_emails else []),
    ]
    return normalize.schema_of(fields)


class ContactsStream(ExportedWindowsStream):
    """Contacts by creation time, read through exports (see the module docstring)."""

    name = "contacts"
    path = exports_path = "/contacts/exports"
    primary_keys: tuple[str, ...] = ("id",)
    replication_key = "created_at"
    record_noun = "contact"
    # Every field the stream can send: the shaper keeps only those of the schema in force.
    fields = (*CONTACT_FIELDS, COMET_TOKENS, ALL_EMAILS)

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

    @property
    def export_flags(self) -> dict[str, int]:
        return {
            "include_comet_tokens": int(self.settings.include_comet_tokens),
            "include_all_emails": int(self.settings.include_all_emails),
        }

    @property
    def export_filters(self) -> dict[str, t.Any]:
        return {"timezone": self.settings.timezone.key, **self.export_flags}

    def export_parameters(self, window: Window) -> dict[str, t.Any]:
        """The POST /contacts/exports body for a window: local bounds, flags as 1/0."""
        start, end = api_bounds(window, self.settings.timezone)
        return {"start_date": start, "end_date": end, **self.export_flags}

    def windows(self, context: Context | None) -> Iterator[Window]:
        """The run's windows, taking in the windows of saved exports where they fit: an earlier
        run's last window ends at that run's "now", and its export is still worth taking over."""
        saved = {
            window.start: window
            for window in map(_window_of_key, self.saved_exports(warn=False))
            if window is not None
        }
        cursor, end = self.sync_range(context)
        while cursor < end:
            window = saved.get(cursor)
            if window is None or window.end > end:
                window = next(day_windows(cursor, end, self.settings.timezone, self.window_days))
            yield window
            cursor = window.end


def _window_of_key(key: str) -> Window | None:
    """The window of a saved export's key ("start/end" in UTC), None when it is not one."""
    start, _, end = key.partition("/")
    try:
        window = Window(parse_api_utc(start), parse_api_utc(end))
    except ValueError:
        return None
    return window if window.start < window.end else None
