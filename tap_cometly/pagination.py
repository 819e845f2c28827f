"""Laravel cursor pagination: the same filters are re-sent with `cursor=<next_cursor>`.

`next_page_url` is never followed: Cometly documents that it may drop the filters.
"""

from __future__ import annotations

import typing as t

from singer_sdk.pagination import BaseAPIPaginator

from tap_cometly.errors import CometlyAPIError
from tap_cometly.responses import describe_request, read_json

if t.TYPE_CHECKING:
    import requests


class CursorPaginator(BaseAPIPaginator[str | None]):
    """Follows `next_cursor` until the API answers null (or leaves it out)."""

    def __init__(self) -> None:
        super().__init__(None)

    def get_next(self, response: requests.Response) -> str | None:
        body = read_json(response)
        cursor = body.get("next_cursor") if isinstance(body, dict) else None
        if cursor is not None and not isinstance(cursor, str):
            msg = (
                f"{describe_request(response)} answered a next_cursor that is not text "
                f"({type(cursor).__name__}); cannot page on safely."
            )
            raise CometlyAPIError(msg)
        return cursor or None


def page_rows(response: requests.Response) -> list[dict[str, t.Any]]:
    """The `data` rows of a cursor-paginated answer, or a clear error when it has none."""
    body = read_json(response)
    rows = body.get("data") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        keys = ", ".join(sorted(body)) if isinstance(body, dict) else type(body).__name__
        msg = f"{describe_request(response)} answered without a 'data' list (got: {keys})."
        raise CometlyAPIError(msg)
    return rows
