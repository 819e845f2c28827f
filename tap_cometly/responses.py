"""Reading and describing API answers: the JSON body, and one-line descriptions for messages.

Descriptions name a request by its method and path only: query strings may be long, and a
presigned URL's query string is a credential.
"""

from __future__ import annotations

import typing as t
from urllib.parse import urlparse
from weakref import WeakKeyDictionary

import msgspec
import requests

from tap_cometly.errors import CometlyAPIError

_BODY_EXCERPT_CHARS = 300


def describe_request(response: requests.Response) -> str:
    """'GET /public-api/v1/events': method and path only (query strings may be long or private)."""
    method = response.request.method if response.request is not None else "?"
    return f"{method} {urlparse(response.url).path}"


def describe_error(error: BaseException | None) -> str:
    """A one-line description of a failed request, without query strings."""
    if error is None:
        return "unknown error"
    if isinstance(error, requests.exceptions.RequestException) and error.request is not None:
        request = error.request
        path = urlparse(request.url or "").path
        return f"{request.method} {path}: {type(error).__name__}"
    return str(error) or type(error).__name__


def _body_excerpt(response: requests.Response) -> str:
    text = " ".join(response.text.split())
    return text[:_BODY_EXCERPT_CHARS] + ("..." if len(text) > _BODY_EXCERPT_CHARS else "")


def api_error_detail(response: requests.Response) -> str:
    """The API's own explanation: `message` plus any per-parameter `errors`."""
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.reason}, body: {_body_excerpt(response)!r}"
    if not isinstance(body, dict):
        return f"{response.status_code} {response.reason}"
    detail = str(body.get("message") or response.reason)
    errors = body.get("errors")
    if isinstance(errors, dict) and errors:
        detail += (
            " ("
            + "; ".join(
                f"{key}: {' '.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}"
                for key, msgs in errors.items()
            )
            + ")"
        )
    return f"{response.status_code} {detail}"


_decoded_bodies: WeakKeyDictionary[requests.Response, t.Any] = WeakKeyDictionary()


def read_json(response: requests.Response) -> t.Any:
    """The decoded JSON body (decoded once per response), or a clear error if it is not JSON."""
    if response in _decoded_bodies:
        return _decoded_bodies[response]
    try:
        # msgspec decodes a 4000-row page several times faster than requests' json().
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        msg = (
            f"{describe_request(response)} answered {response.status_code} with a body that is "
            f"not JSON: {_body_excerpt(response)!r}. Check api_url points at Cometly's public API."
        )
        raise CometlyAPIError(msg) from None
    _decoded_bodies[response] = body
    return body
