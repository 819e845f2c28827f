"""FakeCometly: the two listeners, their shared state, and ground truth for tests."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from fake_cometly.api import BASE_PATH, Api
from fake_cometly.attribution import AttributionSpec
from fake_cometly.clock import ScaledClock
from fake_cometly.config import FakeConfig
from fake_cometly.exports import ExportManager
from fake_cometly.faults import Fault, FaultBox
from fake_cometly.query import EventFilter, Hit, hits
from fake_cometly.ratelimit import RateLimiter
from fake_cometly.requestlog import LoggedRequest, RequestLog
from fake_cometly.rows import company_row, contact_row, truth_row
from fake_cometly.server import App, Listener
from fake_cometly.storage import StorageApp, UrlSigner
from fake_cometly.store import Space
from fake_cometly.times import day_bounds, to_epoch
from fake_cometly.vocabulary import ATTRIBUTION_MODELS, ATTRIBUTION_WINDOWS, SOURCES

Instant = datetime | str | int


class FakeCometly:
    """A Cometly Space behind the public REST API, on free loopback ports.

    Usable as a context manager or with start()/stop(). The API and the object storage that
    serves export downloads listen on separate ports, as separate hosts would.
    """

    def __init__(
        self, config: FakeConfig | None = None, port: int = 0, storage_port: int = 0
    ) -> None:
        self.config = config or FakeConfig()
        self._ports = port, storage_port
        self._clock = ScaledClock(self.config.time_scale)
        self._space = Space(self.config)
        self._faults = FaultBox()
        self._log = RequestLog()
        self._limiter = RateLimiter(self._clock.elapsed, self.config.rate_limits_enabled)
        self._stopping = threading.Event()
        self._listeners: list[Listener] = []
        self._exports: ExportManager | None = None
        self._directory: Path | None = None
        self._urls: tuple[str, str] | None = None

    # Lifecycle ----------------------------------------------------------------------------------

    def start(self) -> FakeCometly:
        if self._directory is not None:
            raise RuntimeError("a FakeCometly starts once")
        self._directory = Path(tempfile.mkdtemp(prefix="fake-cometly-"))
        cfg = self.config
        self._exports = ExportManager(
            self._directory,
            self._clock.now,
            cfg.export_polls_queued,
            cfg.export_polls_processing,
            cfg.export_processing_seconds,
        )
        signer = UrlSigner(self._clock.now)
        api = Api(
            self._space,
            clock=self._clock,
            limiter=self._limiter,
            faults=self._faults,
            exports=self._exports,
            signer=signer,
        )
        try:
            storage_app = StorageApp(signer, self._exports, self._faults)
            storage = self._listener("storage", storage_app, self._ports[1])
            api_listener = self._listener("api", api, self._ports[0])
        except BaseException:
            self.stop()  # a port in use: release whatever was already bound
            raise
        signer.origin = storage.origin
        api.base_url = api_listener.origin + BASE_PATH
        self._urls = api.base_url, storage.origin
        for listener in self._listeners:
            listener.start()
        return self

    def _listener(self, name: str, app: App, port: int) -> Listener:
        listener = Listener(
            name, app, log=self._log, faults=self._faults, stopping=self._stopping, port=port
        )
        self._listeners.append(listener)
        return listener

    def stop(self) -> None:
        """Stop both listeners, close their connections, and delete the export files."""
        self._stopping.set()
        for listener in self._listeners:
            listener.stop()
        self._listeners = []
        if self._exports is not None:
            self._exports.close()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)

    def __enter__(self) -> FakeCometly:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The API's base URL, http://127.0.0.1:PORT/public-api/v1."""
        return self._started()[0]

    @property
    def storage_base(self) -> str:
        """The origin of the presigned download URLs: a listener of its own."""
        return self._started()[1]

    def _started(self) -> tuple[str, str]:
        if self._urls is None:
            raise RuntimeError("FakeCometly is not started")
        return self._urls

    # Ground truth -------------------------------------------------------------------------------

    def events(self, start_utc: Instant, end_utc: Instant) -> list[dict[str, Any]]:
        """Every event in [start, end), one row each with every field, oldest first."""
        flt = EventFilter(to_epoch(start_utc), to_epoch(end_utc))
        return [truth_row(hit) for hit in hits(self._space.events, self._space.data, flt)]

    def all_events(self) -> list[dict[str, Any]]:
        """The whole store: every generated day plus tracked and added events."""
        store = self._space.events
        return [
            truth_row(Hit(event, None, event.amount_cents))
            for day in store.days()
            for event in store.day(day)
        ]

    def attributed_rows(
        self,
        start_utc: Instant,
        end_utc: Instant | None,
        sources: Sequence[str],
        model: str,
        window: int,
    ) -> list[dict[str, Any]]:
        """What GET /events returns with these sources, model and window over [start, end)
        (end None: to the last event), every field, in (time, id, touchpoint_id) order."""
        unknown = set(sources) - set(SOURCES)
        if unknown or model not in ATTRIBUTION_MODELS or window not in ATTRIBUTION_WINDOWS:
            raise ValueError(f"bad attribution: sources {sorted(unknown)}, {model!r}, {window!r}")
        hi = to_epoch(end_utc) if end_utc is not None else self._end_of_data()
        spec = AttributionSpec(frozenset(sources), model, window)
        flt = EventFilter(to_epoch(start_utc), hi, attribution=spec)
        return [truth_row(hit) for hit in hits(self._space.events, self._space.data, flt)]

    def _end_of_data(self) -> int:
        days = self._space.events.days()
        return day_bounds(days[-1], self.config.zone)[1] if days else 0

    def contacts(
        self, created_from_utc: Instant | None = None, created_to_utc: Instant | None = None
    ) -> list[dict[str, Any]]:
        """Contacts created in [from, to), by id, with every field incl. tokens and emails."""
        records = self._space.contacts
        ids = records.created_between(
            None if created_from_utc is None else to_epoch(created_from_utc),
            None if created_to_utc is None else to_epoch(created_to_utc),
        )
        return [contact_row(contact) for contact in records.each(ids)]

    def companies(self) -> list[dict[str, Any]]:
        records = self._space.companies
        return [company_row(company) for company in records.each(range(1, records.count + 1))]

    def add_event(self, **fields: Any) -> dict[str, Any]:
        """Write an event as if it arrived late (back-dated event_time_utc welcome); fields
        left out are generated. Returns the stored row."""
        event = self._space.events.add(fields, now=int(self._clock.now()))
        return truth_row(Hit(event, None, event.amount_cents))

    # Observation and control --------------------------------------------------------------------

    @property
    def request_log(self) -> list[LoggedRequest]:
        return self._log.snapshot()

    def requests(
        self,
        *,
        status: int | None = None,
        family: str | None = None,
        listener: str | None = None,
        method: str | None = None,
        path_prefix: str | None = None,
    ) -> list[LoggedRequest]:
        """Logged requests matching every filter given."""
        return [
            entry
            for entry in self._log.snapshot()
            if (status is None or entry.status == status)
            and (family is None or entry.family == family)
            and (listener is None or entry.listener == listener)
            and (method is None or entry.method == method)
            and (path_prefix is None or entry.path.startswith(path_prefix))
        ]

    def count(self, **filters: Any) -> int:
        """How many logged requests match; the filters of requests()."""
        return len(self.requests(**filters))

    def clear_log(self) -> None:
        self._log.clear()

    def inject(self, fault: Fault) -> None:
        self._faults.inject(fault)

    def clear_faults(self) -> None:
        self._faults.clear()

    def faults_left(self) -> list[Fault]:
        """Injected faults not yet used up (a test can check that each one fired)."""
        return self._faults.pending()

    def wait_for_export_files(self) -> None:
        """Until the files of the exports created so far are written: a job whose file is still
        being written stays processing, however many polls it has had."""
        if self._exports is not None:
            self._exports.wait_written()

    def reset_rate_limits(self) -> None:
        self._limiter.reset()
