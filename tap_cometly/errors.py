"""Errors a user can act on.

Each carries a message that names the setting, stream, window or export involved and says what to
do. Anything else that escapes the tap is a bug and keeps its traceback.
"""

from __future__ import annotations

from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError


class ConfigError(ConfigValidationError):
    """One or more settings are invalid; raised before any request is sent."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors), errors=errors)


class CometlyAPIError(FatalAPIError):
    """The API answered in a way that retrying cannot fix (401, 403, 404, 422, a bad body...)."""


class TransientAPIError(RetriableAPIError):
    """A 5xx answer: retried with exponential backoff until the retry budget runs out."""


class RateLimitedError(RetriableAPIError):
    """A 429 answer: the pacer waits for Retry-After before the same request is sent again."""
