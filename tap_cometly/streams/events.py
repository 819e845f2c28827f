"""`events`: GET /events, read in Space-local windows, cursor-paginated, bookmarked per window."""

from __future__ import annotations

import typing as t
from datetime import timedelta

from singer_sdk import typing as th

from tap_cometly import normalize
from tap_cometly.client import CometlyStream, describe_request, read_json
from tap_cometly.errors import CometlyAPIError
from tap_cometly.pagination import CursorPaginator
from tap_cometly.windows import (
    Window,
    api_bounds,
    day_windows,
    format_utc,
    parse_api_utc,
    utc_now,
)

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

    import requests
    from singer_sdk.helpers.types import Context

# fields[] values GET /events accepts; id and event_time_utc always come without asking.
LIST_FIELDS = frozenset(
    {
        "profile_id",
        "company_id",
        "space_id",
        "event_name",
        "configured_name",
        "amount",
        "is_upsell",
        "ad_id",
        "order_id",
        "order_name",
    }
)

EVENT_CONVERTERS: dict[str, normalize.Converter] = {
    "id": normalize.integer,
    "event_time_utc": normalize.utc_timestamp,
    "profile_id": normalize.integer,
    "company_id": normalize.integer,
    "space_id": normalize.integer,
    "event_name": normalize.text,
    "configured_name": normalize.text,
    "amount": normalize.number,
    "is_upsell": normalize.boolean,
    "order_id": normalize.text,
    "order_name": normalize.text,
}


def page_rows(response: requests.Response) -> list[dict[str, t.Any]]:
    """The `data` rows of a cursor-paginated answer, or a clear error when it has none."""
    body = read_json(response)
    rows = body.get("data") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        keys = ", ".join(sorted(body)) if isinstance(body, dict) else type(body).__name__
        msg = f"{describe_request(response)} answered without a 'data' list (got: {keys})."
        raise CometlyAPIError(msg)
    return rows


class EventsStream(CometlyStream):
    """One row per conversion event, as Cometly has it (no attribution filter)."""

    name = "events"
    path = "/events"
    primary_keys: tuple[str, ...] = ("id",)
    replication_key = "event_time_utc"
    # Rows inside a window come in no guaranteed order: the bookmark moves only when a whole
    # window has been read (see _save_window_bookmark), never per record.
    is_sorted = False

    schema = th.PropertiesList(
        th.Property("id", th.IntegerType, required=True, description="Event ID."),
        th.Property(
            "event_time_utc", th.DateTimeType, required=True, description="When it happened (UTC)."
        ),
        th.Property("profile_id", th.IntegerType, description="Contact profile ID."),
        th.Property("company_id", th.IntegerType, description="Company ID."),
        th.Property("space_id", th.IntegerType, description="Cometly Space ID."),
        th.Property("event_name", th.StringType, description="Standard name or custom_event_N."),
        th.Property(
            "configured_name",
            th.StringType,
            description="The label given to a custom event; the event name for standard events.",
        ),
        th.Property("amount", th.NumberType, description="Transaction amount."),
        th.Property("is_upsell", th.BooleanType, description="Whether the purchase is an upsell."),
        th.Property("order_id", th.StringType, description="Order ID."),
        th.Property("order_name", th.StringType, description="Order name."),
    ).to_dict()

    def get_new_paginator(self) -> CursorPaginator:
        return CursorPaginator()

    @property
    def requested_fields(self) -> list[str]:
        """Requestable fields the catalog selects, in schema order."""
        return [
            name
            for name in self.schema["properties"]
            if name in LIST_FIELDS and self.mask.get(("properties", name), True)
        ]

    def get_url_params(
        self, context: Context | None, next_page_token: str | None
    ) -> dict[str, t.Any]:
        """The window's bounds and the filters, repeated on every page (lists become name[]=...)."""
        assert context is not None, "events requests are always made for a window"
        start, end = api_bounds(context["window"], self.settings.timezone)
        return {
            "start_date": start,
            "end_date": end,
            "query_mode": self.settings.query_mode,
            "event_names[]": list(self.settings.event_names),
            "fields[]": self.requested_fields,
            "per_page": self.settings.per_page,
            "cursor": next_page_token,
        }

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, t.Any]]:
        where = f"{describe_request(response)}"
        for row in page_rows(response):
            if not isinstance(row, dict) or row.get("id") is None or not row.get("event_time_utc"):
                msg = f"{where} returned a row without id or event_time_utc: {row!r:.200}"
                raise CometlyAPIError(msg)
            yield normalize.conform(row, EVENT_CONVERTERS, where=f"{where}, event {row['id']}")

    # Windows and bookmarks

    def compare_start_date(self, value: str, start_date_value: str) -> str:
        """The later of the bookmark and start_date (the setting may be in Space-local time)."""
        del start_date_value  # already parsed, with its timezone, into settings.start
        return format_utc(max(self._parse_bookmark(value), self.settings.start))

    def _parse_bookmark(self, value: t.Any) -> datetime:
        try:
            return parse_api_utc(value)
        except (TypeError, ValueError):
            msg = (
                f"The state's bookmark for stream '{self.name}' is {value!r}, which is not a UTC "
                "date-time. Fix it (e.g. 2024-01-31T00:00:00Z) or remove the stream's entry from "
                "the state to start again from start_date."
            )
            raise CometlyAPIError(msg) from None

    def sync_range(self, context: Context | None) -> tuple[datetime, datetime]:
        """[start, end) of this run: bookmark minus lookback (not before start_date) to end_date."""
        end = self.settings.end or utc_now()
        bookmark = self.get_starting_replication_key_value(context)
        if bookmark is None:
            return self.settings.start, end
        lookback = timedelta(hours=self.settings.lookback_hours)
        return max(self._parse_bookmark(bookmark) - lookback, self.settings.start), end

    def windows(self, context: Context | None) -> Iterator[Window]:
        start, end = self.sync_range(context)
        return day_windows(start, end, self.settings.timezone, self.settings.events_window_days)

    def _save_window_bookmark(self, context: Context | None, window: Window) -> None:
        state = self.get_context_state(context)
        previous = state.get("replication_key_value")
        if previous is None or self._parse_bookmark(previous) < window.end:
            state["replication_key"] = self.replication_key
            state["replication_key_value"] = window.end_text
        self.state_manager.is_flushed = False
        self._write_state_message()

    def _increment_stream_state(
        self, latest_record: dict[str, t.Any], *, context: Context | None = None
    ) -> None:
        """Records never move the bookmark: a window's rows are unordered (see is_sorted)."""

    def rows_in_window(self, request: Context) -> Iterator[dict[str, t.Any]]:
        """Every row of one paginated request that falls inside the request's window."""
        window: Window = request["window"]
        for record in self.request_records(request):
            # Both API bounds are widened to cover the window whatever the server's reading
            # of them; a row outside belongs to (and is read by) the neighbouring window.
            if window.contains(record["event_time_utc"]):
                yield record

    def records_in_window(self, window: Window) -> Iterable[dict[str, t.Any]]:
        return self.rows_in_window({"window": window})

    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        for window in self.windows(context):
            yield from self.records_in_window(window)
            self._save_window_bookmark(context, window)
