"""`event_attributions`: one row per event, credited touchpoint and configured attribution setup.

Each setup (sources, model, window) is read through GET /events with the attribution filters,
15 sources per request (the API's limit). The model and window become columns and part of the
key, so several setups share one table.

Always through GET /events pages (EventPagesStream, as events' list path): exports would take one
file per day, setup and 15 sources, and the rows of a day's several requests are merged by key.
"""

from __future__ import annotations

import math
import typing as t
from dataclasses import replace

from singer_sdk import typing as th

from tap_cometly import normalize
from tap_cometly.errors import CometlyAPIError, Location
from tap_cometly.normalize import Field
from tap_cometly.streams.events import (
    AMOUNT,
    COMPANY_ID,
    CONFIGURED_NAME,
    EVENT_NAME,
    EVENT_TIME,
    ID,
    ORDER_ID,
    PROFILE_ID,
    EventPagesStream,
)
from tap_cometly.vocabulary import MAX_SOURCES_PER_REQUEST

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    import requests
    from singer_sdk.helpers.types import Context

    from tap_cometly.setting_checks import AttributionSetup
    from tap_cometly.windows import Window


class EventAttributionsStream(EventPagesStream):
    """Attributed revenue: the touchpoint's share of each event under each configured setup."""

    name = "event_attributions"
    primary_keys = ("id", "touchpoint_id", "attribution_model", "attribution_window")
    fields = (
        ID,
        Field("touchpoint_id", th.IntegerType, normalize.integer, "Touchpoint ID.", required=True),
        # The setup's model and window: filled in from the request, not read from the rows.
        Field("attribution_model", th.StringType, None, "Model of the setup.", required=True),
        Field(
            "attribution_window",
            th.IntegerType,
            None,
            "Lookback days of the setup (0 = lifetime).",
            required=True,
        ),
        EVENT_TIME,
        EVENT_NAME,
        CONFIGURED_NAME,
        replace(AMOUNT, description="This touchpoint's share of the event amount."),
        Field("source", th.StringType, normalize.text, "Traffic source of the touchpoint."),
        Field("ad_id", th.StringType, normalize.text, "Ad platform's ID of the credited ad."),
        PROFILE_ID,
        COMPANY_ID,
        ORDER_ID,
    )
    schema = normalize.schema_of(fields)

    @property
    def setups(self) -> tuple[AttributionSetup, ...]:
        return self.settings.attribution_setups

    def get_url_params(
        self, context: Context | None, next_page_token: str | None
    ) -> dict[str, t.Any]:
        assert context is not None, "attribution requests are always made for a setup"
        setup = self.setups[context["setup"]]
        first = context["source_group"] * MAX_SOURCES_PER_REQUEST
        return {
            **super().get_url_params(context, next_page_token),
            "sources[]": list(setup.sources[first : first + MAX_SOURCES_PER_REQUEST]),
            "attribution_model": setup.model,
            "attribution_window": setup.window,
        }

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, t.Any]]:
        for record in super().parse_response(response):
            if record.get("touchpoint_id") is None:
                msg = (
                    "an attributed row has no touchpoint_id, which the API documents as always "
                    "present with sources."
                )
                raise CometlyAPIError(msg, Location(record=self.shape.name_of(record)))
            yield record

    def records_in_window(self, window: Window) -> Iterable[dict[str, t.Any]]:
        # Requests for different source groups may return the same touchpoint (the API does not
        # say whether multi-touch rows are limited to the requested sources): keep the first.
        seen: set[tuple[t.Any, ...]] = set()
        for setup_index, setup in enumerate(self.setups):
            for source_group in range(math.ceil(len(setup.sources) / MAX_SOURCES_PER_REQUEST)):
                # Short values only: the SDK copies a request's context into its metric tags.
                # The index names the setup: two setups may share a model and window.
                request = {
                    "window": window,
                    "setup": setup_index,
                    "attribution_model": setup.model,
                    "attribution_window": setup.window,
                    "source_group": source_group,
                }
                for row in self.rows_in_window(request):
                    key = (row["id"], row["touchpoint_id"], setup.model, setup.window)
                    if key in seen:
                        continue
                    seen.add(key)
                    row["attribution_model"] = setup.model
                    row["attribution_window"] = setup.window
                    yield row
