"""The object store behind download_url: presigned S3-style URLs on a listener of its own."""

from __future__ import annotations

import calendar
import gzip
import hashlib
import hmac
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from fake_cometly.exports import ExportManager
from fake_cometly.faults import FaultBox
from fake_cometly.server import Request, Response
from fake_cometly.vocabulary import DOWNLOAD

URL_LIFETIME = 900  # API seconds: download URLs live 15 minutes
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_OBJECT = re.compile(r"/exports/[0-9a-f-]{36}\.ndjson\.gz")
_SIGNATURE = "X-Amz-Signature"


class UrlSigner:
    """Signs object paths with a per-instance secret; a URL is valid for 15 API minutes."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._secret = secrets.token_bytes(32)
        self.origin = ""  # set once the storage listener has a port

    def sign(self, file_name: str) -> tuple[str, int]:
        """A fresh URL for the object and the API time it stops working."""
        signed_at = int(self._now())
        path = f"/exports/{file_name}"
        query = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Date", time.strftime(_AMZ_DATE, time.gmtime(signed_at))),
            ("X-Amz-Expires", str(URL_LIFETIME)),
            ("X-Amz-SignedHeaders", "host"),
        ]
        query.append((_SIGNATURE, self._signature(path, query)))
        return f"{self.origin}{path}?{urlencode(query)}", signed_at + URL_LIFETIME

    def problem(self, path: str, query: Sequence[tuple[str, str]]) -> str | None:
        """Why this URL must be refused, or None when it is valid now."""
        signed = [(name, value) for name, value in query if name != _SIGNATURE]
        given = dict(query).get(_SIGNATURE, "")
        if not hmac.compare_digest(given, self._signature(path, signed)):
            return "The request signature we calculated does not match the signature you provided."
        params = dict(signed)
        signed_at = calendar.timegm(time.strptime(params["X-Amz-Date"], _AMZ_DATE))
        if self._now() > signed_at + int(params["X-Amz-Expires"]):
            return "Request has expired"
        return None

    def _signature(self, path: str, query: Sequence[tuple[str, str]]) -> str:
        canonical = path + "\n" + "&".join(f"{k}={v}" for k, v in sorted(query))
        return hmac.new(self._secret, canonical.encode(), hashlib.sha256).hexdigest()


def s3_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    )
    return Response(status, body.encode(), {"Content-Type": "application/xml"})


class StorageApp:
    def __init__(self, signer: UrlSigner, exports: ExportManager, faults: FaultBox) -> None:
        self._signer = signer
        self._exports = exports
        self._faults = faults

    def family(self, request: Request) -> str | None:
        del request  # dictated by the App protocol: every request here is a download
        return DOWNLOAD

    def answer(self, request: Request, family: str | None) -> Response:
        refusal = self._refusal(request, family)
        if refusal is not None:
            return refusal
        path = self._exports.path(request.path.rsplit("/", 1)[1])
        if path is None:
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        response = Response(200, file=path, headers={"Content-Type": "application/octet-stream"})
        take = self._faults.take
        encoding = take(("content_encoding",), family, request.path)
        if encoding is not None and encoding.mode == "gzip":
            response.headers["Content-Encoding"] = "gzip"
        elif encoding is not None:
            response.file = _plain_copy(path)
            response.headers["Content-Type"] = "application/x-ndjson"
        if take(("truncate_gzip",), family, request.path) is not None:
            # Short of the 8-byte gzip trailer at least, so the stream never ends cleanly.
            size = response.length()
            response.file_length = max(10, min(size - 9, size * 2 // 3))
        return response

    def _refusal(self, request: Request, family: str | None) -> Response | None:
        """The error S3 answers before looking the object up, or None to serve it."""
        failure = self._faults.take(("status",), family, request.path)
        if failure is not None:
            return s3_error(failure.status, "InternalError", "We encountered an internal error.")
        if request.method != "GET":
            return s3_error(405, "MethodNotAllowed", "The specified method is not allowed.")
        if not _OBJECT.fullmatch(request.path):
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if request.header("Authorization") is not None:
            # A presigned URL carries its own authentication; a second mechanism is refused.
            return s3_error(403, "AccessDenied", "Only one auth mechanism allowed.")
        problem = self._signature_problem(request, family)
        if problem is not None:
            return s3_error(403, "AccessDenied", problem)
        return None

    def _signature_problem(self, request: Request, family: str | None) -> str | None:
        """Why the presigned URL is refused (the expire_url fault included), or None."""
        try:
            problem = self._signer.problem(request.path, request.query)
        except (KeyError, ValueError):
            problem = "Query-string authentication requires X-Amz-Date and X-Amz-Expires."
        take = self._faults.take
        if problem is None and take(("expire_url",), family, request.path) is not None:
            problem = "Request has expired"
        return problem


def _plain_copy(path: Path) -> Path:
    """The object decompressed, made once; written aside and renamed so a concurrent
    download never serves half a file."""
    plain = path.with_suffix(".plain")
    if not plain.exists():
        partial = path.with_suffix(f".{threading.get_ident()}.part")
        with gzip.open(path, "rb") as source, partial.open("wb") as target:
            shutil.copyfileobj(source, target)
        partial.replace(plain)
    return plain
