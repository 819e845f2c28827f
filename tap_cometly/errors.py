"""Errors a user can act on, and the one way the tap says where something happened.

Each error is one line: where it happened (stream, window, export, record), then what happened
and what to do. The code that finds a problem rarely knows all of where it is (a file's reader
knows the line, not the stream), so each layer an error passes through adds what it knows
(`locate`), and the line is formatted once, here; log lines name places the same way
(`Location`). Anything else that escapes the tap is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError


@dataclass(frozen=True)
class Location:
    """Where something happened, as far as it is known."""

    stream: str | None = None
    window: str | None = None
    export_id: int | None = None
    #: The record involved, as "event 123" or "contact 9".
    record: str | None = None
    #: Which of a window's several exports, as "attribution setup 2 (linear, lifetime),
    #: sources 16-30": the window and an unknown export id alone do not say.
    part: str | None = None

    def filled_from(self, other: Location) -> Location:
        """This location, with what it does not know taken from `other`."""
        return Location(
            self.stream or other.stream,
            self.window or other.window,
            self.export_id if self.export_id is not None else other.export_id,
            self.record or other.record,
            self.part or other.part,
        )

    def with_export(self, export_id: int) -> Location:
        return replace(self, export_id=export_id)

    def __str__(self) -> str:
        return ", ".join(
            part
            for part in (
                self.stream and f"stream '{self.stream}'",
                self.window and f"window {self.window}",
                self.part,
                self.export_id is not None and f"export {self.export_id}",
                self.record,
            )
            if part
        )


class ConfigError(ConfigValidationError):
    """One or more settings are invalid; raised before any request is sent."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors), errors=errors)


class CometlyAPIError(FatalAPIError):
    """The API answered in a way that retrying cannot fix (401, 403, 404, 422, a bad body...)."""

    def __init__(self, problem: str, where: Location | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.where = where or Location()
        self.args = (str(self),)

    def locate(
        self,
        *,
        stream: str | None = None,
        window: object | None = None,
        export_id: int | None = None,
        record: str | None = None,
    ) -> CometlyAPIError:
        """Add where the error happened, as far as it is not known yet; returns the error."""
        known = Location(stream, None if window is None else str(window), export_id, record)
        return self.relocate(known)

    def relocate(self, where: Location) -> CometlyAPIError:
        """Add `where`, as far as it is not known yet; returns the error."""
        self.where = self.where.filled_from(where)
        self.args = (str(self),)
        return self

    def __str__(self) -> str:
        where = str(self.where)
        message = f"{where}: {self.problem}" if where else self.problem
        return message[:1].upper() + message[1:]


class TransientAPIError(RetriableAPIError):
    """A 5xx answer: retried with exponential backoff until the retry budget runs out."""


class RateLimitedError(RetriableAPIError):
    """A 429 answer: the pacer waits for Retry-After before the same request is sent again."""
