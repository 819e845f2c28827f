"""The base stream every Cometly endpoint uses: auth, headers, pacing, error mapping, retries."""

from __future__ import annotations

import logging
import typing as t
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version

import backoff
import requests
from singer_sdk.authenticators import BearerTokenAuthenticator
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_cometly.batch_files import batcher_for
from tap_cometly.errors import CometlyAPIError, Location, RateLimitedError, TransientAPIError
from tap_cometly.normalize import Field, RecordShaper, converters_of
from tap_cometly.pacing import PacedSession, Pacers
from tap_cometly.responses import api_error_detail, describe_error, describe_request
from tap_cometly.retry import RetryPolicy
from tap_cometly.sdk_hooks import StreamHooks

if t.TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator

    from backoff.types import Details
    from singer_sdk.helpers._batch import BaseBatchFileEncoding, BatchConfig
    from singer_sdk.helpers.types import Context

    from tap_cometly.settings import Settings

_RETRIABLE_EXCEPTIONS = (
    ConnectionResetError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    TransientAPIError,
)


def package_version() -> str:
    try:
        return version("tap-cometly")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


class ApiConnection:
    """What every stream of one run shares: the settings, the pacers and the paced session."""

    def __init__(self, settings: Settings, logger: logging.Logger) -> None:
        self.settings = settings
        self.pacers = Pacers(settings.rate_limits, settings.rate_limit_window_seconds, logger)
        self.session = PacedSession(self.pacers)


class RunResources(t.Protocol):
    """What a stream uses of its tap: what every stream of the run shares."""

    @property
    def connection(self) -> ApiConnection: ...

    def flush_output(self) -> None: ...


class CometlyStream(StreamHooks):
    """Base stream: one place for everything HTTP, so every endpoint behaves the same way."""

    allow_redirects = False  # a redirect could carry the Authorization header to another host
    # Every record is typed by the stream's RecordShaper (see normalize.py).
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    #: How one record is called in messages ("event", "contact", ...).
    record_noun = "record"
    #: Every field the stream knows: its schema and its shaper's converters come from these.
    fields: t.ClassVar[tuple[Field, ...]] = ()

    @cached_property
    def shape(self) -> RecordShaper:
        # Only the fields of the schema in force: a catalog may describe fewer than we know.
        # Those it deselects are left out as they come (the SDK would prune them).
        properties = self.effective_schema["properties"]
        selected = [name for name in properties if self.mask["properties", name]]
        return RecordShaper(
            self.name,
            self.record_noun,
            converters_of(self.fields, selected),
            self.logger,
            deselected=frozenset(properties) - set(selected),
        )

    @property
    def connection(self) -> ApiConnection:
        return t.cast("RunResources", self.tap).connection

    @property
    def settings(self) -> Settings:
        return self.connection.settings

    @cached_property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy.from_settings(self.settings)

    @property
    def url_base(self) -> str:
        return self.settings.api_url

    @cached_property
    def authenticator(self) -> BearerTokenAuthenticator:
        return BearerTokenAuthenticator(token=self.settings.api_key)

    @property
    def http_headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "User-Agent": self.user_agent}

    @cached_property
    def user_agent(self) -> str:
        return self.settings.user_agent or f"tap-cometly/{package_version()}"

    @property
    def requests_session(self) -> requests.Session:
        return self.connection.session

    @property
    def timeout(self) -> int:
        # The SDK annotates int; requests accepts a float and short test timeouts need one.
        return t.cast("int", self.settings.request_timeout_seconds)

    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        what = describe_request(response)
        detail = api_error_detail(response)
        if status == 429:
            raise RateLimitedError(f"{what}: {detail}", response)
        if status >= 500 or status == 408:
            raise TransientAPIError(f"{what}: {detail}", response)
        raise CometlyAPIError(self._fatal_message(status, what, detail))

    def _fatal_message(self, status: int, what: str, detail: str) -> str:
        if status == 401:
            return (
                f"Cometly rejected the API key ({what}: {detail}). Check the api_key setting: "
                "it must be an active API key of this Space, pasted without extra characters."
            )
        if status == 403:
            return (
                f"Cometly refused access ({what}: {detail}). The API key lacks permission for "
                "this endpoint or the Space's subscription is inactive: use a key with read "
                "access, or renew the subscription."
            )
        if status == 404:
            return f"Cometly found nothing at {what} ({detail}). Check the api_url setting."
        if status == 422:
            return (
                f"Cometly rejected the request parameters ({what}: {detail}). Check the settings "
                "named above; if they look right, this is a tap bug: please report it."
            )
        if 300 <= status < 400:
            return (
                f"Cometly answered {what} with a redirect ({detail}); the tap does not follow "
                "redirects so the API key never leaves api_url's host. Check the api_url setting."
            )
        return f"Cometly answered {what} with an unexpected error ({detail})."

    def on_records_end(self) -> None:
        # A stream may end without a new STATE (full table, `--test`'s record limit, an error),
        # which would otherwise leave its last records in the writer's batch.
        t.cast("RunResources", self.tap).flush_output()

    def call_api(
        self,
        method: str,
        path: str,
        *,
        json_body: dict[str, t.Any] | None = None,
        params: dict[str, t.Any] | None = None,
        context: Context | None = None,
    ) -> requests.Response:
        """One paced, authenticated, retried API call outside the paginated record flow
        (export creation and status checks, auto's probe): the same rules as every page."""
        prepared = self.build_prepared_request(
            method=method,
            url=f"{self.url_base}{path}",
            headers=self.http_headers,
            json=json_body,
            params=params,
        )
        return self.send_request(prepared, context)

    # Retries: 5xx, timeouts and broken connections back off exponentially with jitter for at
    # most max_retry_minutes; a 429 is retried at once because the pacer already sleeps for its
    # Retry-After before the next call of that family. A 429 is no failure: it is retried outside
    # the max_retry_minutes budget, however long the Retry-After waits add up to.

    def request_decorator(self, func: Callable) -> Callable:
        through_failures = backoff.on_exception(
            self.backoff_wait_generator,
            _RETRIABLE_EXCEPTIONS,
            max_tries=None,
            max_time=self.retry_policy.max_elapsed_seconds,
            jitter=None,
            on_backoff=self.backoff_handler,
            on_giveup=self._give_up,
            logger=None,
        )(func)
        return backoff.on_exception(
            backoff.constant,
            RateLimitedError,
            interval=0,
            max_tries=None,
            jitter=None,
            on_backoff=self.backoff_handler,
            logger=None,
        )(through_failures)

    def backoff_wait_generator(self) -> Generator[float, t.Any, None]:
        waits = self.retry_policy.waits()
        yield 0.0  # backoff primes the generator: this value is not a wait
        while True:
            yield next(waits)

    def backoff_handler(self, details: Details) -> None:
        error = details.get("exception")
        if isinstance(error, RateLimitedError):
            self.logger.info("Rate limit: %s; retrying once the pacer allows.", error)
            return
        self.logger.info(
            "Retrying in %.1f s (try %d, %.0f s so far) after a transient error: %s",
            details.get("wait", 0.0),
            details["tries"],
            details["elapsed"],
            describe_error(error),
        )

    def _give_up(self, details: Details) -> None:
        error = details.get("exception")
        msg = (
            f"the API kept failing for {details['elapsed']:.0f} s ({details['tries']} tries); "
            f"last error: {describe_error(error)}. The run stops here and the next run resumes "
            "from the last bookmark; raise max_retry_minutes to keep retrying longer."
        )
        raise CometlyAPIError(msg, Location(stream=self.name)) from error

    def get_batches(
        self, batch_config: BatchConfig, context: Context | None = None
    ) -> Iterator[tuple[BaseBatchFileEncoding, list[str]]]:
        """With batch_config: the stream's records in batch files (batch_files.py)."""
        batcher = batcher_for(self.tap_name, self.name, batch_config)
        for manifest in batcher.get_batches(self.records_for_batches(context)):
            yield batch_config.encoding, manifest

    def get_records(self, context: Context | None) -> Iterable[dict[str, t.Any]]:
        try:
            yield from super().get_records(context)
        except CometlyAPIError as error:
            error.locate(stream=self.name)
            raise
