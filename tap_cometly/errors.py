"""Errors a user can act on.

Each is one line: where it happened (stream, window, export, record), then what happened and what
to do. The code that finds a problem rarely knows all of where it is: a file's reader knows the
line, not the stream; so each layer an error passes through adds what it knows (`locate`), and
the message is formatted in one place, here. Anything else that escapes the tap is a bug and
keeps its traceback.
"""

from __future__ import annotations

from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError


class ConfigError(ConfigValidationError):
    """One or more settings are invalid; raised before any request is sent."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors), errors=errors)


class CometlyAPIError(FatalAPIError):
    """The API answered in a way that retrying cannot fix (401, 403, 404, 422, a bad body...)."""

    def __init__(
        self,
        problem: str,
        *,
        stream: str | None = None,
        window: str | None = None,
        export_id: int | None = None,
        record: str | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.stream = stream
        self.window = window
        self.export_id = export_id
        #: The record involved, as "event 123" or "contact 9".
        self.record = record

    def locate(
        self,
        *,
        stream: str | None = None,
        window: object | None = None,
        export_id: int | None = None,
        record: str | None = None,
    ) -> CometlyAPIError:
        """Add where the error happened, as far as it is not known yet; returns the error."""
        self.stream = self.stream or stream
        if self.window is None and window is not None:
            self.window = str(window)
        if self.export_id is None:
            self.export_id = export_id
        self.record = self.record or record
        self.args = (str(self),)
        return self

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.stream and f"stream '{self.stream}'",
                self.window and f"window {self.window}",
                self.export_id is not None and f"export {self.export_id}",
                self.record,
            )
            if part
        )
        message = f"{where}: {self.problem}" if where else self.problem
        return message[:1].upper() + message[1:]


class TransientAPIError(RetriableAPIError):
    """A 5xx answer: retried with exponential backoff until the retry budget runs out."""


class RateLimitedError(RetriableAPIError):
    """A 429 answer: the pacer waits for Retry-After before the same request is sent again."""
