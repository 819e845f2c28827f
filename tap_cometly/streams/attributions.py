"""`event_attributions`: one row per event, credited touchpoint and configured attribution setup.

Each setup (sources, model, window) is read with the attribution filters, 15 sources per request
(the API's limit), through GET /events pages or day exports: the same extraction_method as
events (extraction.py), and exports whatever it says for the days that have ended when the
catalog selects a field only exports deliver (the ad hierarchy beyond ad_id, `source`). A day
export is one file per setup and source group (its export parts), each saved in the state as
soon as it is created, by day, setup index and source group (the state's layout: see
exported.py). The model and window become columns and part of the key, so several setups share
one table; the rows of a window's several requests or files are merged by that key.
"""

from __future__ import annotations

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
    DayExportedStream,
)
from tap_cometly.streams.exported import ExportPart
from tap_cometly.vocabulary import MAX_SOURCES_PER_REQUEST

if t.TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from singer_sdk.helpers.types import Context

    from tap_cometly.setting_checks import AttributionSetup
    from tap_cometly.windows import Window


def source_groups(setup: AttributionSetup) -> list[tuple[str, ...]]:
    """The setup's sources in requests of at most MAX_SOURCES_PER_REQUEST, in order."""
    sources = setup.sources
    return [
        sources[first : first + MAX_SOURCES_PER_REQUEST]
        for first in range(0, len(sources), MAX_SOURCES_PER_REQUEST)
    ]


def _ad_field(name: str, description: str) -> Field:
    return Field(name, th.StringType, normalize.text, description)


class EventAttributionsStream(DayExportedStream):
    """Attributed revenue: the touchpoint's share of each event under each configured setup."""

    name = "event_attributions"
    primary_keys = ("id", "touchpoint_id", "attribution_model", "attribution_window")
    in_flight_entries = "exports"
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
        _ad_field("ad_id", "Ad platform's ID of the credited ad."),
        # The rest of the ad hierarchy: exports only (see README's streams section); None for
        # organic and direct touchpoints.
        _ad_field("ad_name", "Name of the credited ad on its platform."),
        _ad_field("adset_id", "Ad platform's ID of the credited ad's ad set."),
        _ad_field("adset_name", "Name of the credited ad's ad set."),
        _ad_field("campaign_id", "Ad platform's ID of the credited ad's campaign."),
        _ad_field("campaign_name", "Name of the credited ad's campaign."),
        _ad_field("account_id", "Ad platform's ID of the credited ad's ad account."),
        _ad_field("account_name", "Name of the credited ad's ad account."),
        PROFILE_ID,
        COMPANY_ID,
        ORDER_ID,
    )
    schema = normalize.schema_of(fields)

    @property
    def setups(self) -> tuple[AttributionSetup, ...]:
        return self.settings.attribution_setups

    def requests_of(self, window: Window) -> Iterator[tuple[str, dict[str, t.Any]]]:
        """Each (setup index/source group, request context) of the window, in reading order.
        Short values only in the context: the SDK copies it into its metric tags; the index
        names the setup, as two setups may share a model and window."""
        for setup_index, setup in enumerate(self.setups):
            for source_group in range(len(source_groups(setup))):
                context = {
                    "window": window,
                    "setup": setup_index,
                    "attribution_model": setup.model,
                    "attribution_window": setup.window,
                    "source_group": source_group,
                }
                yield f"{setup_index}/{source_group}", context

    def first_list_request(self, window: Window) -> Context:
        return next(context for _, context in self.requests_of(window))

    def attribution_of(self, context: Context) -> dict[str, t.Any]:
        """The attribution filters of a request context (the list's and the export's)."""
        setup = self.setups[context["setup"]]
        return {
            "sources": list(source_groups(setup)[context["source_group"]]),
            "attribution_model": setup.model,
            "attribution_window": setup.window,
        }

    @staticmethod
    def setup_columns(context: Context) -> dict[str, t.Any]:
        """The columns a request's rows get from its setup."""
        return {
            "attribution_model": context["attribution_model"],
            "attribution_window": context["attribution_window"],
        }

    # GET /events pages

    def get_url_params(
        self, context: Context | None, next_page_token: str | None
    ) -> dict[str, t.Any]:
        assert context is not None, "attribution requests are always made for a setup"
        attribution = self.attribution_of(context)
        attribution["sources[]"] = attribution.pop("sources")
        return {**super().get_url_params(context, next_page_token), **attribution}

    def event_records(self, rows: list[t.Any], source: str) -> list[dict[str, t.Any]]:
        """A page's or an export file's rows, each with the touchpoint it credits."""
        records = super().event_records(rows, source)
        for record in records:
            self._require_touchpoint(record)
        return records

    def records_in_window(self, window: Window) -> Iterable[dict[str, t.Any]]:
        for _, request in self.requests_of(window):
            columns = self.setup_columns(request)
            for row in self.rows_in_window(request):
                row.update(columns)
                yield row

    # Day exports: see DayExportedStream

    @property
    def export_filters(self) -> dict[str, t.Any]:
        """Besides the events' filters, the setups: a part's key names its setup by index."""
        setups = [
            {"sources": list(setup.sources), "model": setup.model, "window": setup.window}
            for setup in self.setups
        ]
        return {**super().export_filters, "setups": setups}

    def export_parts(self, window: Window) -> list[ExportPart]:
        """One export per setup and source group of the window's day."""
        day = self.export_key(window)
        base = {"date": day, **super().export_filters}
        return [
            ExportPart(
                key=f"{day}/{part}",
                parameters={**base, **self.attribution_of(context)},
                context=context,
                fills=self.setup_columns(context),
                label=self.describe_part(context),
            )
            for part, context in self.requests_of(window)
        ]

    def describe_part(self, context: Context) -> str:
        """A request's setup and sources in words, as "attribution setup 2 (linear, lifetime),
        sources 16-30": the user's count from 1, as the setups and sources are listed."""
        setup = self.setups[context["setup"]]
        first = context["source_group"] * MAX_SOURCES_PER_REQUEST
        last = first + len(source_groups(setup)[context["source_group"]])
        lookback = f"{setup.window} days" if setup.window else "lifetime"
        return (
            f"attribution setup {context['setup'] + 1} ({setup.model}, {lookback}), "
            f"sources {first + 1}-{last}"
        )

    # Both paths

    def records_by_window(
        self, windows: Sequence[Window]
    ) -> Iterator[tuple[Window, Iterable[dict[str, t.Any]]]]:
        for window, records in super().records_by_window(windows):
            yield window, self._merged_by_key(records)

    @staticmethod
    def _merged_by_key(records: Iterable[dict[str, t.Any]]) -> Iterator[dict[str, t.Any]]:
        """A window's records, each key once. Requests for different source groups may return
        the same touchpoint (the API does not say whether multi-touch rows are limited to the
        requested sources): the first is kept."""
        seen: set[tuple[t.Any, ...]] = set()
        for record in records:
            key = (
                record["id"],
                record["touchpoint_id"],
                record["attribution_model"],
                record["attribution_window"],
            )
            if key not in seen:
                seen.add(key)
                yield record

    def _require_touchpoint(self, record: dict[str, t.Any]) -> None:
        if record.get("touchpoint_id") is None:
            msg = (
                "an attributed row has no touchpoint_id, which the API documents as always "
                "present with sources."
            )
            raise CometlyAPIError(msg, Location(record=self.shape.name_of(record)))
