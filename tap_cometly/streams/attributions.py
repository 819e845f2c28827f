"""`event_attributions`: one row per event, credited touchpoint and configured attribution setup.

Each setup (sources, model, window) is read through GET /events with the attribution filters,
15 sources per request (the API's limit). The model and window become columns and part of the
key, so several setups share one table.
"""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th

from tap_cometly import normalize
from tap_cometly.errors import CometlyAPIError
from tap_cometly.streams.events import EVENT_CONVERTERS, EventsStream
from tap_cometly.vocabulary import MAX_SOURCES_PER_REQUEST

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    import requests
    from singer_sdk.helpers.types import Context

    from tap_cometly.setting_checks import AttributionSetup
    from tap_cometly.windows import Window


class EventAttributionsStream(EventsStream):
    """Attributed revenue: the touchpoint's share of each event under each configured setup."""

    name = "event_attributions"
    primary_keys = ("id", "touchpoint_id", "attribution_model", "attribution_window")
    converters: t.ClassVar[dict[str, normalize.Converter]] = {
        **EVENT_CONVERTERS,
        "touchpoint_id": normalize.integer,
        "source": normalize.text,
        "ad_id": normalize.text,
    }

    schema = th.PropertiesList(
        th.Property("id", th.IntegerType, required=True, description="Event ID."),
        th.Property("touchpoint_id", th.IntegerType, required=True, description="Touchpoint ID."),
        th.Property(
            "attribution_model", th.StringType, required=True, description="Model of the setup."
        ),
        th.Property(
            "attribution_window",
            th.IntegerType,
            required=True,
            description="Lookback days of the setup (0 = lifetime).",
        ),
        th.Property("event_time_utc", th.DateTimeType, required=True, description="Event time."),
        th.Property("event_name", th.StringType, description="Standard name or custom_event_N."),
        th.Property("configured_name", th.StringType, description="Label of a custom event."),
        th.Property(
            "amount", th.NumberType, description="This touchpoint's share of the event amount."
        ),
        th.Property("source", th.StringType, description="Traffic source of the touchpoint."),
        th.Property("ad_id", th.StringType, description="Ad platform's ID of the credited ad."),
        th.Property("profile_id", th.IntegerType, description="Contact profile ID."),
        th.Property("company_id", th.IntegerType, description="Company ID."),
        th.Property("order_id", th.StringType, description="Order ID."),
    ).to_dict()

    @property
    def setups(self) -> tuple[AttributionSetup, ...]:
        return self.settings.attribution_setups

    @property
    def extraction_method(self) -> str:
        # Always GET /events: exports would take one file per day, setup and 15 sources, and
        # the rows of a day's several requests are merged by key, which the list path does.
        return "list"

    def get_url_params(
        self, context: Context | None, next_page_token: str | None
    ) -> dict[str, t.Any]:
        assert context is not None, "attribution requests are always made for a setup"
        setup: AttributionSetup = context["setup"]
        return {
            **super().get_url_params(context, next_page_token),
            "sources[]": list(context["sources"]),
            "attribution_model": setup.model,
            "attribution_window": setup.window,
        }

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, t.Any]]:
        for record in super().parse_response(response):
            if record.get("touchpoint_id") is None:
                msg = (
                    f"Stream '{self.name}': an attributed row of event {record['id']} has no "
                    "touchpoint_id, which the API documents as always present with sources."
                )
                raise CometlyAPIError(msg)
            yield record

    def records_in_window(self, window: Window) -> Iterable[dict[str, t.Any]]:
        # Requests for different source groups may return the same touchpoint (the API does not
        # say whether multi-touch rows are limited to the requested sources): keep the first.
        seen: set[tuple[t.Any, ...]] = set()
        for setup in self.setups:
            for first in range(0, len(setup.sources), MAX_SOURCES_PER_REQUEST):
                sources = setup.sources[first : first + MAX_SOURCES_PER_REQUEST]
                request = {"window": window, "setup": setup, "sources": sources}
                for row in self.rows_in_window(request):
                    key = (row["id"], row["touchpoint_id"], setup.model, setup.window)
                    if key in seen:
                        continue
                    seen.add(key)
                    row["attribution_model"] = setup.model
                    row["attribution_window"] = setup.window
                    yield row
