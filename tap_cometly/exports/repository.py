"""The HTTP side of export jobs: create an export, read its status (and with it a fresh download
URL), each through the stream's paced, retried API calls.

The job (job.py) sends its requests through an ExportRepository only, so that tests can drive it
with a fake one.
"""

from __future__ import annotations

import typing as t
from urllib.parse import urlparse

from tap_cometly import normalize
from tap_cometly.errors import CometlyAPIError, Location
from tap_cometly.exports.status import ExportState, ExportStatus
from tap_cometly.pacing import endpoint_family
from tap_cometly.responses import describe_request, read_json

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    import requests
    from singer_sdk.helpers.types import Context


class ExportNotFoundError(CometlyAPIError):
    """The status endpoint does not know the export (404): it expired on Cometly's side or comes
    from another Space's state. A new export is created instead."""


def raise_for_unknown_export(response: requests.Response) -> None:
    """Raise ExportNotFoundError when a status check answers 404, for a stream to call first in
    its validate_response: an unknown export is replaced, not a reason to stop the run."""
    method = response.request.method if response.request is not None else None
    if (
        response.status_code == 404
        and method is not None
        and endpoint_family(method, urlparse(response.url).path) == "export_status"
    ):
        msg = f"{describe_request(response)} answered 404: Cometly does not know this export."
        raise ExportNotFoundError(msg)


class ExportRepository(t.Protocol):
    """Where a job's exports live: each call is one API request (paced and retried)."""

    def create(self, parameters: Mapping[str, t.Any]) -> ExportState:
        """Create an export of `parameters`; it starts queued."""
        ...

    def status(self, export_id: int) -> ExportState:
        """The export's current state, with a freshly signed download URL once completed.

        Raises:
            ExportNotFoundError: Cometly does not know the export.
        """
        ...


class ApiCaller(t.Protocol):
    """What the repository needs from its stream: paced, retried API calls."""

    def call_api(
        self,
        method: str,
        path: str,
        *,
        json_body: dict[str, t.Any] | None = None,
        context: Context | None = None,
    ) -> requests.Response: ...


class ApiExportRepository:
    """The exports at `path` ("/contacts/exports"; statuses at path/{id}) of Cometly's API.

    `where` says in errors whose exports they are (stream and window); `context` goes with each
    call, into the SDK's request metrics. The stream's validate_response
    must call raise_for_unknown_export for status() to raise ExportNotFoundError.
    """

    def __init__(
        self, api: ApiCaller, *, path: str, where: Location, context: Context | None = None
    ) -> None:
        self._api = api
        self._path = path
        self._where = where
        self._context = context

    def create(self, parameters: Mapping[str, t.Any]) -> ExportState:
        response = self._api.call_api(
            "POST", self._path, json_body=dict(parameters), context=self._context
        )
        body = read_json(response)
        raw_id = body.get("export_id") if isinstance(body, dict) else None
        request = describe_request(response)
        if raw_id is None:
            msg = f"{request} answered {response.status_code} without an export_id."
            raise CometlyAPIError(msg, self._where)
        try:
            export_id = normalize.convert(
                normalize.integer, raw_id, source=request, field="export_id"
            )
        except CometlyAPIError as error:
            raise error.relocate(self._where) from None
        assert export_id is not None
        # The create answer says "queued"; the first status check comes after the first wait.
        return ExportState(export_id, ExportStatus.QUEUED)

    def status(self, export_id: int) -> ExportState:
        response = self._api.call_api("GET", f"{self._path}/{export_id}", context=self._context)
        return self._read_state(export_id, response)

    def _read_state(self, export_id: int, response: requests.Response) -> ExportState:
        body = read_json(response)
        request = describe_request(response)
        where = self._where.with_export(export_id)
        if not isinstance(body, dict):
            raise CometlyAPIError(f"{request} answered with a JSON {type(body).__name__}.", where)
        raw_status = body.get("status")
        try:
            status = ExportStatus(raw_status)
        except ValueError:
            raise CometlyAPIError(
                f"{request} reports status {raw_status!r}; the tap knows "
                f"{', '.join(s.value for s in ExportStatus)}. Please report this as a tap bug.",
                where,
            ) from None
        message = body.get("message")
        url = body.get("download_url")
        if status is ExportStatus.COMPLETED and not (isinstance(url, str) and url):
            msg = f"{request} reports the export completed without a download_url."
            raise CometlyAPIError(msg, where)
        return ExportState(
            export_id,
            status,
            message=str(message) if message is not None else None,
            download_url=url if status is ExportStatus.COMPLETED else None,
        )
