"""The download handler: an export file fetched from its presigned URL, checked whole, read by row.

An export file lives on object storage behind a short-lived presigned URL. The handler

- fetches it with a session of its own that never carries the API key: no Authorization header,
  no .netrc credentials, none added back on a redirect. The URL's signature is the only credential
  the storage host needs, and the key must never reach a third-party host;
- copies the raw bytes (never decoded by requests or urllib3, whatever Content-Encoding says) into
  an unnamed temporary file in fixed-size chunks, so memory stays flat whatever the file's size;
- recognises gzip by its magic bytes and checks that the file is whole (the gzip end marker and
  CRC, or Content-Length for a plain file) before a single row is handed out, so a truncated file
  is fetched again instead of half a window being loaded;
- then reads the file line by line, one JSON object per line, handing the rows out a page's worth
  at a time.

A presigned URL holds a signature, so it appears in no log, error or state: downloads are named by
where the caller says they belong (stream, window, export id) and by the
URL's path at most.
"""

from __future__ import annotations

import gzip
import logging
import re
import tempfile
import time
import typing as t
import zlib
from contextlib import contextmanager, nullcontext
from urllib.parse import urlparse

import msgspec
import requests
import urllib3

from tap_cometly.errors import CometlyAPIError, Location
from tap_cometly.responses import describe_error
from tap_cometly.retry import RetryPolicy

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tap_cometly.settings import Settings

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1 << 20
# Rows handed out at a time: a list page's worth, shaped at once (RecordShaper.rows).
ROWS_PER_BATCH = 4000
# A file that arrives cut short or corrupt is fetched this many times in all before the run stops.
MAX_FETCHES = 3


class ExpiredDownloadError(CometlyAPIError):
    """The storage host refused the presigned URL (403): it has expired. Checking the export's
    status again signs a fresh one."""


class _BrokenDownload(Exception):
    """A fetch that may work when repeated: a 5xx, 408 or 429 answer or a broken connection."""


class _IncompleteFile(Exception):
    """The body arrived, as far as HTTP can tell, yet it is not a whole file."""


class _NoAuthorization(requests.auth.AuthBase):
    """Removes any Authorization header; as the session's auth it also keeps .netrc unread."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.pop("Authorization", None)
        return request


class _StorageSession(requests.Session):
    """A plain session for presigned URLs: never authenticated, never transparently decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.auth = _NoAuthorization()
        # Ask for the stored bytes as they are; gzip is recognised by its magic bytes anyway.
        self.headers["Accept-Encoding"] = "identity"

    def rebuild_auth(
        self, prepared_request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        # requests would look up .netrc credentials for a redirect's new host.
        del response  # dictated by requests.Session.rebuild_auth
        prepared_request.headers.pop("Authorization", None)


_URL_QUERY = re.compile(r"\?[^\s'\"]*")


class _HideQueryStrings(logging.Filter):
    """urllib3 logs each request line at DEBUG, query string (a URL's signature) included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = _URL_QUERY.sub("?<hidden>", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _URL_QUERY.sub("?<hidden>", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def _hide_query_strings_in_urllib3_logs() -> None:
    hide = _HideQueryStrings()
    for name in ("urllib3.connectionpool", "urllib3.util.retry"):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, _HideQueryStrings) for existing in logger.filters):
            logger.addFilter(hide)


_hide_query_strings_in_urllib3_logs()


class _RetryBudget:
    """The retry policy's waits between fetches that broke, until its time since the first
    failure is spent."""

    def __init__(self, policy: RetryPolicy, clock: Callable[[], float]) -> None:
        self._waits = policy.waits()
        self._limit = policy.max_elapsed_seconds
        self._clock = clock
        self._first_failure: float | None = None

    @property
    def elapsed(self) -> float:
        return 0.0 if self._first_failure is None else self._clock() - self._first_failure

    def next_wait(self) -> float | None:
        """Seconds to wait before the next fetch, or None once the budget is spent."""
        now = self._clock()
        if self._first_failure is None:
            self._first_failure = now
        wait = next(self._waits)
        if now + wait - self._first_failure > self._limit:
            return None
        return wait


class ExportFile:
    """A downloaded export file, verified whole, in a temporary file the handler owns."""

    def __init__(self, spool: t.IO[bytes], *, gzipped: bool, where: Location) -> None:
        self._spool = spool
        self.gzipped = gzipped
        self.where = where

    def batches(self) -> Iterator[list[dict[str, t.Any]]]:
        """The file's rows in order, as a page's: up to ROWS_PER_BATCH at a time. Blank lines
        are skipped, a missing final newline is fine, and a line that is not a JSON object stops
        the run naming its number."""
        self._spool.seek(0)
        source: t.ContextManager[t.Iterable[bytes]] = (
            gzip.GzipFile(fileobj=self._spool, mode="rb")
            if self.gzipped
            else nullcontext(self._spool)
        )
        batch: list[dict[str, t.Any]] = []
        with source as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    # msgspec, as for list pages: a third of the stdlib's time per row.
                    row = msgspec.json.decode(line)
                except ValueError as error:
                    raise CometlyAPIError(
                        f"line {number} is not valid JSON ({_json_problem(error)}). "
                        "The file arrived whole, so Cometly wrote it that way: report it to "
                        "Cometly support with the export id.",
                        self.where,
                    ) from None
                if not isinstance(row, dict):
                    raise CometlyAPIError(
                        f"line {number} holds a JSON {type(row).__name__}, not "
                        "an object. Report it to Cometly support with the export id.",
                        self.where,
                    )
                batch.append(row)
                if len(batch) == ROWS_PER_BATCH:
                    yield batch
                    batch = []
        if batch:
            yield batch


def _json_problem(error: ValueError) -> str:
    # Row content stays out of the message: export rows hold personal data. msgspec's own
    # messages name only the problem and its byte offset.
    if isinstance(error, msgspec.DecodeError):
        return str(error)
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 at byte {error.start}"
    return type(error).__name__


class Downloader(t.Protocol):
    """What fetches a completed export's file: the DownloadHandler, or a fake in tests."""

    def download(self, url: str, *, where: Location) -> t.ContextManager[ExportFile]: ...


class DownloadHandler:
    """Downloads export files from presigned URLs (see the module docstring for the rules)."""

    def __init__(
        self,
        settings: Settings,
        logger: logging.Logger,
        *,
        temp_dir: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._logger = logger
        self._temp_dir = temp_dir
        self._sleep = sleep
        self._clock = clock
        self._session = _StorageSession()

    @contextmanager
    def download(self, url: str, *, where: Location) -> Iterator[ExportFile]:
        """Fetch the file at `url` and yield it once it is verified whole.

        `where` names the download in logs and errors (stream, window, export id).
        The temporary file has no name on disk (it cannot be left behind) and is closed when the
        block ends, however it ends.

        Raises:
            ExpiredDownloadError: the storage host refused the URL (403).
            CometlyAPIError: the file kept arriving incomplete, the storage host kept failing
                for max_retry_seconds, or it answered with another error.
        """
        with tempfile.TemporaryFile(prefix="tap-cometly-export-", dir=self._temp_dir) as spool:
            yield self._fetch_whole_file(url, spool, where)

    def _fetch_whole_file(self, url: str, spool: t.IO[bytes], where: Location) -> ExportFile:
        broken = _RetryBudget(RetryPolicy.from_settings(self._settings), self._clock)
        incomplete = 0
        while True:
            spool.seek(0)
            spool.truncate()
            try:
                size = self._fetch(url, spool, where)
                gzipped = _check_whole(spool)
            except _BrokenDownload as error:
                wait = broken.next_wait()
                if wait is None:
                    raise CometlyAPIError(
                        f"the storage host kept failing for {broken.elapsed:.0f} s; "
                        f"last error: {error}. The run stops here and the next run resumes from "
                        "the last bookmark; raise max_retry_minutes to keep retrying longer.",
                        where,
                    ) from None
                self._logger.info(
                    "%s: retrying the download in %.1f s after: %s", where, wait, error
                )
                self._sleep(wait)
                continue
            except _IncompleteFile as error:
                incomplete += 1
                if incomplete >= MAX_FETCHES:
                    raise CometlyAPIError(
                        f"the file arrived incomplete {incomplete} times in a row "
                        f"(last time: {error}). The run stops here without loading any of it; "
                        "run again later.",
                        where,
                    ) from None
                self._logger.warning(
                    "%s: the file arrived incomplete (%s); fetching it again (fetch %d of %d).",
                    where,
                    error,
                    incomplete + 1,
                    MAX_FETCHES,
                )
                continue
            self._logger.debug(
                "%s: downloaded %d bytes, %s.", where, size, "gzip" if gzipped else "plain NDJSON"
            )
            return ExportFile(spool, gzipped=gzipped, where=where)

    def _fetch(self, url: str, spool: t.IO[bytes], where: Location) -> int:
        """Copy the body's raw bytes into `spool`; returns how many arrived."""
        try:
            response = self._session.get(
                url, stream=True, timeout=self._settings.request_timeout_seconds
            )
        except requests.RequestException as error:
            raise _BrokenDownload(describe_error(error)) from None
        with response:
            _check_status(response, where)
            expected = _content_length(response)
            received = _copy_raw_body(response, spool)
        if expected is not None and received != expected:
            raise _IncompleteFile(f"{received} of the {expected} bytes Content-Length announced")
        return received


def _check_status(response: requests.Response, where: Location) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    # Storage error bodies are left unread: S3's can echo the signed request.
    answer = f"GET {urlparse(response.url).path} answered {status} {response.reason}"
    if status == 403:
        raise ExpiredDownloadError(f"{answer}; the download URL has expired.", where)
    if status in (408, 429) or status >= 500:
        raise _BrokenDownload(answer)
    raise CometlyAPIError(
        f"the storage host refused the download ({answer}). Run again later; if it "
        "persists, report it to Cometly support with the export id.",
        where,
    )


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


def _copy_raw_body(response: requests.Response, spool: t.IO[bytes]) -> int:
    received = 0
    while True:
        try:
            chunk = response.raw.read(CHUNK_BYTES, decode_content=False)
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as error:
            # The type alone: urllib3's messages can hold the URL.
            problem = f"the connection broke after {received} bytes ({type(error).__name__})"
            raise _BrokenDownload(problem) from None
        if not chunk:
            return received
        spool.write(chunk)
        received += len(chunk)


def _check_whole(spool: t.IO[bytes]) -> bool:
    """Whether the file is gzip; raises _IncompleteFile when a gzip stream is cut or corrupt."""
    spool.flush()
    spool.seek(0)
    gzipped = spool.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    if gzipped:
        spool.seek(0)
        try:
            # Reading to the end checks each member's end marker, CRC and length.
            with gzip.GzipFile(fileobj=spool, mode="rb") as stream:
                while stream.read(CHUNK_BYTES):
                    pass
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise _IncompleteFile(f"the gzip stream is cut short or corrupt: {error}") from None
    return gzipped
