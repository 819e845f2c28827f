"""`events`: read in Space-local windows, bookmarked per window, through GET /events pages or
day exports (the extraction_method setting; extraction.py says which window goes which way).

GET /events is cursor-paginated, 4000 events a page. A day export (POST /events/exports) sends
the same filters and selected fields; several days are in flight at once and their files come
out oldest first (exported.py), so days are emitted and bookmarked in order. Export rows (ISO
times with "Z") and list rows ("YYYY-MM-DD HH:MM:SS") come out identical from the RecordShaper.

Each day's export is saved in the state as soon as it is created (see exported.py), by day:

    "events": {
      "replication_key": "event_time_utc",
      "replication_key_value": "2024-03-09T05:00:00Z",      # every day before it is done
      "exports_in_flight": {                                # gone once no export is in flight
        "filters": {"query_mode": "profile", "fields": ["event_name", "amount"]},
        "days": {"2024-03-09": 1003, "2024-03-10": 1004}
      }
    }

`filters` is each export's body less its date. Only exports of days that were over when they
were created are saved: an export of today covers today only up to its creation.
"""

from __future__ import annotations

import typing as t
from datetime import timedelta

from singer_sdk import typing as th

from tap_cometly import normalize
from tap_cometly.extraction import ExportDay, end_of_day, plan_windows
from tap_cometly.pagination import CursorPaginator, page_rows
from tap_cometly.responses import describe_request
from tap_cometly.streams.exported import ExportedWindowsStream
from tap_cometly.windows import Window, api_bounds, utc_now

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


class EventsStream(ExportedWindowsStream):
    """One row per conversion event, as Cometly has it (no attribution filter)."""

    name = "events"
    path = "/events"
    exports_path = "/events/exports"
    in_flight_entries = "days"
    primary_keys: tuple[str, ...] = ("id",)
    replication_key = "event_time_utc"
    record_noun = "event"
    converters = EVENT_CONVERTERS

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
        where = describe_request(response)
        for row in page_rows(response):
            yield self.event_record(row, where)

    def event_record(self, row: t.Any, where: str) -> dict[str, t.Any]:
        """A page's or an export file's row as a record; `where` names the request or file."""
        record = self.shape(row, where)
        if record.get("event_time_utc") is None:
            msg = f"{where}, event {record['id']}: no event_time_utc, which Cometly always sends."
            raise normalize.BadValueError(msg)
        return record

    # Windows: see WindowedStream

    @property
    def window_days(self) -> int:
        return self.settings.events_window_days

    @property
    def lookback(self) -> timedelta:
        return timedelta(hours=self.settings.lookback_hours)

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

    # Extraction method: which windows are read from day exports (see extraction.py)

    @property
    def extraction_method(self) -> str:
        return self.settings.extraction_method

    def windows(self, context: Context | None) -> Iterator[Window]:
        start, end = self.sync_range(context)
        return iter(
            plan_windows(
                start,
                end,
                self.settings.timezone,
                method=self.extraction_method,
                window_days=self.window_days,
                now=utc_now(),
            )
        )

    # Day exports: see ExportedWindowsStream

    def is_exported(self, window: Window) -> bool:
        return isinstance(window, ExportDay)

    def export_key(self, window: Window) -> str:
        assert isinstance(window, ExportDay)
        return window.day.isoformat()

    def export_covers_until(self, window: Window) -> datetime:
        assert isinstance(window, ExportDay)
        return end_of_day(window.day, self.settings.timezone)

    def export_record(self, row: t.Any, where: str) -> dict[str, t.Any]:
        return self.event_record(row, where)

    @property
    def export_filters(self) -> dict[str, t.Any]:
        """A day export's body less its date: the list path's filters and selected fields."""
        filters: dict[str, t.Any] = {"query_mode": self.settings.query_mode}
        if self.settings.event_names:
            filters["event_names"] = list(self.settings.event_names)
        if self.requested_fields:
            filters["fields"] = self.requested_fields
        return filters

    def export_parameters(self, window: Window) -> dict[str, t.Any]:
        """The POST /events/exports body of the Space-local day the window lies in."""
        return {"date": self.export_key(window), **self.export_filters}
