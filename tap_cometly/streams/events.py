"""`events`: read in Space-local windows, bookmarked per window, through GET /events pages or
day exports (the extraction_method setting; extraction.py says which window goes which way).

GET /events is cursor-paginated, 4000 events a page. A day export (POST /events/exports) sends
the same filters and selected fields; several days are in flight at once and their files come
out oldest first (exported.py), so days are emitted and bookmarked in order. Export rows (ISO
times with "Z") and list rows ("YYYY-MM-DD HH:MM:SS") come out identical from the RecordShaper.

Each day's export is saved in the state as soon as it is created, by day (the state's layout:
see exported.py).

GET /events itself (its parameters, pages and rows, and the windows it is read in) is
EventPagesStream, which event_attributions shares.
"""

from __future__ import annotations

import typing as t
from datetime import timedelta

from singer_sdk import typing as th

from tap_cometly import normalize
from tap_cometly.errors import Location
from tap_cometly.extraction import (
    ExportDay,
    end_of_day,
    pages_that_pay_for_an_export,
    plan_windows,
)
from tap_cometly.normalize import Field
from tap_cometly.pacing import RateLimitFamily
from tap_cometly.pagination import CursorPaginator, page_rows
from tap_cometly.responses import describe_request
from tap_cometly.streams.exported import ExportedWindowsStream
from tap_cometly.streams.windowed import WindowedStream
from tap_cometly.windows import Window, api_bounds, local_date, utc_now

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

# The ad hierarchy, from the credited touchpoint's ad (None for organic and direct touchpoints):
# only with sources. GET /events knows ad_id alone; exports add `source` whenever one is asked.
AD_HIERARCHY_FIELDS = (
    "ad_id",
    "ad_name",
    "adset_id",
    "adset_name",
    "campaign_id",
    "campaign_name",
    "account_id",
    "account_name",
)
# `fields` values POST /events/exports accepts.
EXPORT_FIELDS = LIST_FIELDS | frozenset(AD_HIERARCHY_FIELDS) | {"event_url"}
# Columns only exports deliver (GET /events answers a 422 when asked for them, and adds `source`
# to its rows undocumented at best): a selected one sends every day that has ended to exports.
EXPORT_ONLY_FIELDS = (EXPORT_FIELDS - LIST_FIELDS) | {"source"}

# The fields events and event_attributions share.
ID = Field("id", th.IntegerType, normalize.integer, "Event ID.", required=True)
EVENT_TIME = Field(
    "event_time_utc",
    th.DateTimeType,
    normalize.utc_timestamp,
    "When it happened (UTC).",
    required=True,
)
PROFILE_ID = Field("profile_id", th.IntegerType, normalize.integer, "Contact profile ID.")
COMPANY_ID = Field("company_id", th.IntegerType, normalize.integer, "Company ID.")
EVENT_NAME = Field("event_name", th.StringType, normalize.text, "Standard name or custom_event_N.")
CONFIGURED_NAME = Field(
    "configured_name",
    th.StringType,
    normalize.text,
    "The label given to a custom event; the event name for standard events.",
)
AMOUNT = Field("amount", th.NumberType, normalize.number, "Transaction amount.")
ORDER_ID = Field("order_id", th.StringType, normalize.text, "Order ID.")

EVENT_FIELDS = (
    ID,
    EVENT_TIME,
    PROFILE_ID,
    COMPANY_ID,
    Field("space_id", th.IntegerType, normalize.integer, "Cometly Space ID."),
    EVENT_NAME,
    CONFIGURED_NAME,
    AMOUNT,
    Field("is_upsell", th.BooleanType, normalize.boolean, "Whether the purchase is an upsell."),
    ORDER_ID,
    Field("order_name", th.StringType, normalize.text, "Order name."),
    Field(
        "event_url",
        th.StringType,
        normalize.text,
        "Full URL where the event happened (exports only: see README's streams section).",
    ),
)


class EventPagesStream(WindowedStream):
    """A stream read from GET /events in Space-local windows, cursor-paginated: the request's
    parameters, its rows as records and the windows' length and lookback."""

    path = "/events"
    primary_keys: tuple[str, ...] = ("id",)
    replication_key = "event_time_utc"
    record_noun = "event"

    def get_new_paginator(self) -> CursorPaginator:
        return CursorPaginator()

    def selected_among(self, names: t.Container[str]) -> list[str]:
        """The schema's fields among `names` that the catalog selects, in schema order."""
        return [
            name
            for name in self.schema["properties"]
            if name in names and self.mask.get(("properties", name), True)
        ]

    @property
    def requested_fields(self) -> list[str]:
        """GET /events' fields[]: the requestable fields the catalog selects."""
        return self.selected_among(LIST_FIELDS)

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
        return self.event_records(page_rows(response), describe_request(response))

    def event_records(self, rows: list[t.Any], source: str) -> list[dict[str, t.Any]]:
        """A page's or an export file's rows as records; `source` names the request or file."""
        records = self.shape.rows(rows, source)
        for record in records:
            if record.get("event_time_utc") is None:
                msg = f"{source} sent it without an event_time_utc, which Cometly always sends."
                raise normalize.BadValueError(msg, Location(record=self.shape.name_of(record)))
        return records

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


class DayExportedStream(ExportedWindowsStream, EventPagesStream):
    """A GET /events stream whose windows extraction_method (and the catalog) may send to day
    exports, one or more exports per Space-local day (see extraction.py)."""

    exports_path = "/events/exports"

    @property
    def metadata(self) -> t.Any:
        """The catalog's metadata; discovered, it leaves export-only fields unselected: each
        one selected sends every day that has ended to exports."""
        generated = self._tap_input_catalog is None or (
            self._tap_input_catalog.get_stream(self.tap_stream_id) is None
        )
        metadata = super().metadata
        if generated:
            for name in EXPORT_ONLY_FIELDS & set(self.schema["properties"]):
                metadata[("properties", name)].selected_by_default = False
        return metadata

    @property
    def needs_exports(self) -> bool:
        """Whether the catalog selects a field only exports deliver."""
        return bool(self.selected_among(EXPORT_ONLY_FIELDS))

    @property
    def requested_export_fields(self) -> list[str]:
        """An export's `fields`: the catalog's selection among what exports deliver."""
        fields = self.selected_among(EXPORT_FIELDS)
        if self.selected_among({"source"}) and not any(
            name in AD_HIERARCHY_FIELDS for name in fields
        ):
            # Exports add `source` only when an ad hierarchy field is asked for; ad_id is the
            # cheapest (higher levels process more slowly). The SDK drops it from the records.
            fields.append("ad_id")
        return fields

    def windows(self, context: Context | None) -> Iterator[Window]:
        start, end = self.sync_range(context)
        return iter(
            plan_windows(
                start,
                end,
                self.settings.timezone,
                method=self.settings.extraction_method,
                window_days=self.window_days,
                now=utc_now(),
                exports_pay_off=self.exports_pay_off,
                ended_days_by_export=self.needs_exports,
            )
        )

    def first_list_request(self, window: Window) -> Context:
        """The context of the window's first GET /events request."""
        raise NotImplementedError

    def exports_pay_off(self, day: Window) -> bool:
        """Whether the day's first list request (for event_attributions: its first setup and
        source group) takes enough pages to cost more than an export: read page by page until
        that is known, so at most one page less than the threshold (one, at Cometly's limits)."""
        pacers = self.connection.pacers
        pages = pages_that_pay_for_an_export(
            pacers[RateLimitFamily.EVENTS_LIST].limit, pacers[RateLimitFamily.EXPORT_CREATE].limit
        )
        pays = self._takes_pages(self.first_list_request(day), pages)
        verdict = (
            "%d or more GET /events pages, which cost more than its export: the whole days up "
            "to it are exported, the rest listed."
            if pays
            else "fewer than %d GET /events pages, which cost less than its export: the range "
            "is listed."
        )
        self.logger.info(
            "extraction_method auto: day %s takes " + verdict,
            local_date(day.start, self.settings.timezone),
            pages,
        )
        return pays

    def _takes_pages(self, request: Context, pages: int) -> bool:
        """Whether the request's answer runs to `pages` pages, reading all but the last."""
        paginator = CursorPaginator()
        for _ in range(pages - 1):
            response = self.call_api(
                "GET",
                self.path,
                params=self.get_url_params(request, paginator.current_value),
                context=request,
            )
            paginator.advance(response)
            if paginator.finished:
                return False
        return True

    # Day exports: see ExportedWindowsStream

    def is_exported(self, window: Window) -> bool:
        return isinstance(window, ExportDay)

    def export_key(self, window: Window) -> str:
        assert isinstance(window, ExportDay)
        return window.day.isoformat()

    def export_covers_until(self, window: Window) -> datetime:
        assert isinstance(window, ExportDay)
        return end_of_day(window.day, self.settings.timezone)

    def export_records(self, rows: list[t.Any], source: str) -> list[dict[str, t.Any]]:
        return self.event_records(rows, source)

    @property
    def export_filters(self) -> dict[str, t.Any]:
        """A day export's body less its date (and attribution): the list path's filters and
        the selected fields."""
        filters: dict[str, t.Any] = {"query_mode": self.settings.query_mode}
        if self.settings.event_names:
            filters["event_names"] = list(self.settings.event_names)
        fields = self.requested_export_fields
        if fields:
            filters["fields"] = fields
        return filters


class EventsStream(DayExportedStream):
    """One row per conversion event, as Cometly has it (no attribution filter)."""

    name = "events"
    in_flight_entries = "days"
    fields = EVENT_FIELDS
    schema = normalize.schema_of(EVENT_FIELDS)

    def first_list_request(self, window: Window) -> Context:
        return {"window": window}

    def records_in_window(self, window: Window) -> Iterable[dict[str, t.Any]]:
        return self.rows_in_window(self.first_list_request(window))

    def export_parameters(self, window: Window) -> dict[str, t.Any]:
        """The POST /events/exports body of the Space-local day the window lies in."""
        return {"date": self.export_key(window), **self.export_filters}
