"""An export job: created (or taken over from an earlier run), polled until its file is ready,
re-created when Cometly reports it failed, and downloaded with a fresh URL when the last expired.

Budgets shape the rules: Cometly allows 5 export creations and 30 status checks a minute per Space
(the client's pacer enforces both), so a job waits export_poll_seconds before its first status
check and half as long again after each check that finds it unfinished (at most 6 first waits,
2 for the export the caller waits for), and a failed or vanished job is the only reason to create
another.

The export tracker (tracker.py) drives the jobs, several in flight at once.
"""

from __future__ import annotations

import logging
import math
import time
import typing as t
from contextlib import ExitStack
from dataclasses import dataclass, field
from urllib.parse import urlparse

from tap_cometly import normalize
from tap_cometly.errors import CometlyAPIError
from tap_cometly.exports.download import DownloadHandler, ExpiredDownloadError, ExportFile
from tap_cometly.exports.status import ExportStatus
from tap_cometly.pacing import endpoint_family
from tap_cometly.responses import describe_request, read_json

if t.TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import requests
    from singer_sdk.helpers.types import Context

    from tap_cometly.settings import Settings

POLL_BACKOFF = 1.5
# Longest wait between two checks of an export, in first waits (30 s at the default 5 s): about
# 5 checks for a minute-long export, so 5 new exports a minute (the creation budget) stay within
# the 30 status checks a minute.
MAX_POLL_WAITS = 6
# The same for the export the caller is waiting for (10 s at the default): once it finishes, it
# waits at most this long to be noticed. The others need not be noticed before their turn.
HEAD_MAX_POLL_WAITS = 2
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
    """One export (of one stream's window, say): create, check, re-create, download.

    `path` is the create endpoint ("/contacts/exports"); statuses are read from path/{id}.
    `where` names the job in logs and errors ("stream 'contacts', window [...)").
    `saved_export_id` is an export an earlier run created with the same parameters: it is checked
    first and reused unless Cometly no longer knows it or reports it failed. `on_created` is
    called with each new export's id right after its creation, so the caller can save it in the
    state before waiting for it; `on_abandoned` when a saved export taken over is still
    unfinished at this run's timeout too, so the caller can drop it from the state: the next run
    then creates a new export rather than wait on that one again.

    The job is a small state machine whose steps (start, create, check, fetch) each make at most
    one API call and never wait, so that the export tracker can drive several jobs at once.
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
        on_abandoned: Callable[[], None] | None = None,
        context: Context | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._path = path
        self._parameters = dict(parameters)
        self._where = where
        self._downloader = downloader
        self._saved_export_id = saved_export_id
        self._on_created = on_created
        self._on_abandoned = on_abandoned
        self._context = context
        self._clock = clock
        self._created = 0
        self._started = False
        # The export in hand; None while one has to be created (at first, or after a failure).
        self._state: ExportState | None = None
        self._taken_over = False  # whether the export in hand is the saved one
        self._wait = 0.0
        self._checked_at = math.inf  # when the export in hand was last checked or taken in hand
        self._deadline = math.inf
        self._given_up: CometlyAPIError | None = None

    @property
    def _settings(self) -> Settings:
        return self._api.settings

    @property
    def _logger(self) -> logging.Logger:
        return self._api.logger

    # What the job needs next

    @property
    def started(self) -> bool:
        return self._started

    @property
    def needs_export(self) -> bool:
        """Whether an export has to be created before anything else can happen."""
        return self._started and self._state is None and self._given_up is None

    @property
    def is_completed(self) -> bool:
        return self._state is not None and self._state.status is ExportStatus.COMPLETED

    @property
    def deadline(self) -> float:
        """When the export in hand is given up on if it has not finished (clock time)."""
        return self._deadline

    def check_due_at(self, *, waited_for: bool = False) -> float | None:
        """When the export in hand is next to be checked, sooner when the caller is waiting for
        it; None when no check is needed (it completed, there is none, or the job is stuck)."""
        state = self._state
        if state is None or state.status.is_finished or self.is_stuck():
            return None
        wait = self._wait
        if waited_for:
            wait = min(wait, HEAD_MAX_POLL_WAITS * self._settings.export_poll_seconds)
        return self._checked_at + wait

    def is_stuck(self) -> bool:
        """Whether the job cannot finish in this run: its export failed export_max_attempts
        times, or is still unfinished at its deadline. raise_if_stuck says which."""
        if self._given_up is not None:
            return True
        unfinished = self._state is not None and not self._state.status.is_finished
        return unfinished and self._clock() >= self._deadline

    def raise_if_stuck(self) -> None:
        if self._given_up is not None:
            raise self._given_up
        if self.is_stuck():
            assert self._state is not None
            if self._taken_over:
                if self._on_abandoned is not None:
                    self._on_abandoned()
                next_run = (
                    "It was taken over from an earlier run, which saw it unfinished too, so it "
                    "is dropped from the state: the next run creates a new export."
                )
            else:
                next_run = "The next run checks this export again instead of creating another."
            timeout = self._settings.export_timeout_seconds
            raise CometlyAPIError(
                f"{self._where}: export {self._state.export_id} is still "
                f"{self._state.status.value} after {timeout:.0f} s (Cometly says: "
                f"{self._state.message or 'nothing'}). Run again later. {next_run} Raise "
                "export_timeout_minutes to wait longer in one run."
            )

    def give_up(self, error: CometlyAPIError) -> None:
        """Make the job stuck with `error`, from one of its steps taken while an earlier job was
        awaited: raise_if_stuck raises it once the earlier jobs' rows are out."""
        if self._where not in str(error):
            error.args = (f"{self._where}: {error}",)
        self._given_up = error

    # Steps: each makes at most one API call and never sleeps

    def start(self) -> None:
        """Take over the saved export, if Cometly still has it (one status check); otherwise
        the job now needs an export created."""
        self._started = True
        state = self._saved_export()
        if state is not None:
            self._taken_over = True
            self._follow(state)

    def create(self) -> None:
        """Create the export (costs one of the scarce creations)."""
        self._taken_over = False
        self._follow(self._create())

    def check(self) -> None:
        """Check the export in hand once. A failed export is dropped, to be created again, or,
        after export_max_attempts creations, makes the job stuck."""
        assert self._state is not None, "check() needs an export in hand"
        state = self._check(self._state.export_id)
        self._wait = min(
            self._wait * POLL_BACKOFF, MAX_POLL_WAITS * self._settings.export_poll_seconds
        )
        self._checked_at = self._clock()
        self._take(state)

    def fetch(self, downloads: ExitStack) -> ExportFile | None:
        """Download the completed export's file, verified whole, into `downloads` (which deletes
        it when closed). An expired URL is replaced by checking the export again; None when
        that check finds the export no longer completed (the job then waits or re-creates)."""
        refreshes = 0
        while True:
            state = self._state
            assert state is not None, "fetch() needs a completed export"
            assert state.download_url is not None, "_read_state checks completed answers"
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
                self._take(self._check(state.export_id))
                if not self.is_completed:
                    self._checked_at = self._clock()
                    return None

    # Inside the steps

    def _follow(self, state: ExportState) -> None:
        """Take `state` as the export in hand: its first check after export_poll_seconds, and
        export_timeout_minutes from now for it to finish."""
        now = self._clock()
        self._wait = self._settings.export_poll_seconds
        self._checked_at = now
        self._deadline = now + self._settings.export_timeout_seconds
        self._take(state)

    def _take(self, state: ExportState) -> None:
        if state.status is not ExportStatus.FAILED:
            self._state = state
            return
        self._state = None
        attempts = self._settings.export_max_attempts
        if self._created >= attempts:
            times = "once" if self._created == 1 else f"{self._created} times"
            self._given_up = CometlyAPIError(
                f"{self._where}: Cometly reported the export failed {times} (last: export "
                f"{state.export_id}: {state.message or 'no reason given'}). Run again later, "
                "or raise export_max_attempts to try more often."
            )
            return
        self._logger.warning(
            "%s: export %d failed (%s); creating it again (attempt %d of %d).",
            self._where,
            state.export_id,
            state.message or "no reason given",
            self._created + 1,
            attempts,
        )

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

    def _describe(self, state: ExportState) -> str:
        return f"export {state.export_id} ({self._where})"
