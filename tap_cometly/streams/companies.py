"""`companies`: GET /companies, cursor-paginated, the whole table every run.

Company-level events (query_mode company) carry company_id; this table lets the warehouse join
them to a domain. Cometly lists companies newest first and filters only by creation time, so a
full read is the only way to see every company; the table is small (75,000 rows a minute).
"""

from __future__ import annotations

import typing as t

from singer_sdk import typing as th

from tap_cometly import normalize
from tap_cometly.client import CometlyStream
from tap_cometly.normalize import Field
from tap_cometly.pagination import CursorPaginator, page_rows
from tap_cometly.responses import describe_request

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    import requests
    from singer_sdk.helpers.types import Context

MAX_COMPANIES_PER_PAGE = 5000

COMPANY_FIELDS = (
    Field("id", th.IntegerType, normalize.integer, "Company ID.", required=True),
    Field("domain", th.StringType, normalize.text, "Company web domain."),
    Field("created_at", th.DateTimeType, normalize.utc_timestamp, "When Cometly created it (UTC)."),
)


class CompaniesStream(CometlyStream):
    """Every company of the Space: id, domain and (when the API sends it) created_at."""

    name = "companies"
    path = "/companies"
    primary_keys = ("id",)
    replication_key = None
    record_noun = "company"
    fields = COMPANY_FIELDS
    schema = normalize.schema_of(COMPANY_FIELDS)

    def get_new_paginator(self) -> CursorPaginator:
        return CursorPaginator()

    def get_url_params(
        self, context: Context | None, next_page_token: str | None
    ) -> dict[str, t.Any]:
        del context  # the whole table is one request sequence
        return {"per_page": MAX_COMPANIES_PER_PAGE, "cursor": next_page_token}

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, t.Any]]:
        return self.shape.rows(page_rows(response), describe_request(response))
