"""An export job: created (or taken over from an earlier run), polled until its file is ready,
re-created when Cometly reports it failed, and downloaded with a fresh URL when the last expired.

Budgets shape the rules: Cometly allows 5 export creations and 30 status checks a minute per Space
(the client's pacer enforces both), so a job waits export_poll_seconds before its first status
check and half as long again after each check that finds it unfinished (at most 30 s), and a
failed or vanished job is the only reason to create another.
"""

from __future__ import annotations

import logging
import time
import typing as t
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse

from tap_cometly import normalize
from tap_cometly.client import describe_request, read_json
from tap_cometly.errors import CometlyAPIError
from tap_cometly.exports.download import DownloadHandler, ExpiredDownloadError, ExportFile
from tap_cometly.exports.status import ExportStatus
from tap_cometly.pacing import endpoint_family

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    import requests
    from singer_sdk.helpers.types import Context

    from tap_cometly.settings import Settings

POLL_BACKOFF = 1.5
MAX_POLL_WAIT_SECONDS = 30.0
# Fresh download URLs asked for in a row when each one is refused as expired.
MAX_URL_REFRESHES = 3


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


class ExportApi(t.Protocol):
    """What a job needs from its stream: settings, a logger and paced, retried API calls."""

    @property
    def settings(self) -> Settings: ...

    @property
    def logger(self) -> logging.Logger: ...

    def call_api(
        self,
        method: str,
        path: str,
        *,
        json_body: dict[str, t.Any] | None = None,
        context: Context | None = None,
    ) -> requests.Response: ...


@dataclass(frozen=True)
class ExportState:
    """One status answer: the job's status and, once completed, its presigned download URL."""

    export_id: int
    status: ExportStatus
    message: str | None = None
    download_url: str | None = field(default=None, repr=False)  # a credential: never shown


class ExportJob:
    """One export (of one stream's window, say): create, poll, re-create, download.

    `path` is the create endpoint ("/contacts/exports"); statuses are read from path/{id}.
    `where` names the job in logs and errors ("stream 'contacts', window [...)").
    `saved_export_id` is an export an earlier run created with the same parameters: it is checked
    first and reused unless Cometly no longer knows it or reports it failed. `on_created` is
    called with each new export's id right after its creation, so the caller can save it in the
    state before waiting for it.
    """

    def __init__(
        self,
        api: ExportApi,
        *,
        path: str,
        parameters: Mapping[str, t.Any],
        where: str,
        downloader: DownloadHandler,
        saved_export_id: int | None = None,
        on_created: Callable[[int], None] | None = None,
        context: Context | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._path = path
        self._parameters = dict(parameters)
        self._where = where
        self._downloader = downloader
        self._saved_export_id = saved_export_id
        self._on_created = on_created
        self._context = context
        self._sleep = sleep
        self._clock = clock
        self._created = 0

    @property
    def _settings(self) -> Settings:
        return self._api.settings

    @property
    def _logger(self) -> logging.Logger:
        return self._api.logger

    @contextmanager
    def completed_file(self) -> Iterator[ExportFile]:
        """The job's file, downloaded and verified whole; it is deleted when the block ends."""
        with ExitStack() as downloads:
            yield self._download_completed(downloads)

    def _download_completed(self, downloads: ExitStack) -> ExportFile:
        state = self._saved_export()
        refreshes = 0
        while True:
            if state is None:
                state = self._create()
            state = self._wait_until_finished(state)
            if state.status is ExportStatus.FAILED:
                self._give_up_if_out_of_attempts(state)
                self._logger.warning(
                    "%s: export %d failed (%s); creating it again (attempt %d of %d).",
                    self._where,
                    state.export_id,
                    state.message or "no reason given",
                    self._created + 1,
                    self._settings.export_max_attempts,
                )
                state = None
                continue
            assert state.download_url is not None  # _read_state checks completed answers
            try:
                return downloads.enter_context(
                    self._downloader.download(state.download_url, what=self._describe(state))
                )
            except ExpiredDownloadError:
                refreshes += 1
                if refreshes > MAX_URL_REFRESHES:
                    raise CometlyAPIError(
                        f"{self._describe(state)}: the storage host refused {refreshes} fresh "
                        "download URLs in a row as expired. Check that this machine's clock is "
                        "right, then run again: the next run downloads the same export."
                    ) from None
                self._logger.info(
                    "%s: the download URL expired; checking the export again for a fresh one.",
                    self._describe(state),
                )
                state = self._check(state.export_id)

    def _saved_export(self) -> ExportState | None:
        """The saved export's current state, or None when a new export is needed."""
        if self._saved_export_id is None:
            return None
        try:
            state = self._check(self._saved_export_id)
        except ExportNotFoundError:
            self._logger.info(
                "%s: Cometly no longer knows export %d from the state; creating a new one.",
                self._where,
                self._saved_export_id,
            )
            return None
        if state.status is ExportStatus.FAILED:
            self._logger.info(
                "%s: export %d from the state failed (%s); creating a new one.",
                self._where,
                state.export_id,
                state.message or "no reason given",
            )
            return None
        self._logger.info(
            "%s: taking over export %d (%s) from the state instead of creating a new one.",
            self._where,
            state.export_id,
            state.status.value,
        )
        return state

    def _create(self) -> ExportState:
        response = self._api.call_api(
            "POST", self._path, json_body=self._parameters, context=self._context
        )
        self._created += 1
        body = read_json(response)
        raw_id = body.get("export_id") if isinstance(body, dict) else None
        where = f"{self._where}: {describe_request(response)}"
        if raw_id is None:
            raise CometlyAPIError(f"{where} answered {response.status_code} without an export_id.")
        export_id = normalize.convert(normalize.integer, raw_id, where=where, field="export_id")
        assert export_id is not None
        self._logger.info("%s: created export %d.", self._where, export_id)
        if self._on_created is not None:
            self._on_created(export_id)
        # The create answer says "queued"; the first status check comes after the first wait.
        return ExportState(export_id, ExportStatus.QUEUED)

    def _wait_until_finished(self, state: ExportState) -> ExportState:
        """Poll until the job completes or fails, pacing the checks, within the timeout."""
        timeout = self._settings.export_timeout_seconds
        deadline = self._clock() + timeout
        wait = self._settings.export_poll_seconds
        longest_wait = max(MAX_POLL_WAIT_SECONDS, wait)
        while not state.status.is_finished:
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise CometlyAPIError(
                    f"{self._where}: export {state.export_id} is still {state.status.value} "
                    f"after {timeout:.0f} s (Cometly says: {state.message or 'nothing'}). Run "
                    "again later: the next run checks this export again instead of creating "
                    "another. Raise export_timeout_minutes to wait longer in one run."
                )
            self._sleep(min(wait, remaining))
            state = self._check(state.export_id)
            wait = min(wait * POLL_BACKOFF, longest_wait)
        return state

    def _check(self, export_id: int) -> ExportState:
        response = self._api.call_api("GET", f"{self._path}/{export_id}", context=self._context)
        return self._read_state(export_id, response)

    def _read_state(self, export_id: int, response: requests.Response) -> ExportState:
        body = read_json(response)
        where = f"{self._where}: {describe_request(response)}"
        if not isinstance(body, dict):
            raise CometlyAPIError(f"{where} answered with a JSON {type(body).__name__}.")
        raw_status = body.get("status")
        try:
            status = ExportStatus(raw_status)
        except ValueError:
            raise CometlyAPIError(
                f"{where}: export {export_id} reports status {raw_status!r}; the tap knows "
                f"{', '.join(s.value for s in ExportStatus)}. Please report this as a tap bug."
            ) from None
        message = body.get("message")
        url = body.get("download_url")
        if status is ExportStatus.COMPLETED and not (isinstance(url, str) and url):
            msg = f"{where}: export {export_id} is completed without a download_url."
            raise CometlyAPIError(msg)
        return ExportState(
            export_id,
            status,
            message=str(message) if message is not None else None,
            download_url=url if status is ExportStatus.COMPLETED else None,
        )

    def _give_up_if_out_of_attempts(self, failed: ExportState) -> None:
        attempts = self._settings.export_max_attempts
        if self._created < attempts:
            return
        times = "once" if self._created == 1 else f"{self._created} times"
        raise CometlyAPIError(
            f"{self._where}: Cometly reported the export failed {times} (last: export "
            f"{failed.export_id}: {failed.message or 'no reason given'}). Run again later, or "
            "raise export_max_attempts to try more often."
        )

    def _describe(self, state: ExportState) -> str:
        return f"export {state.export_id} ({self._where})"
