"""A replay server for the record-path benchmark: the yardstick must not be the fake's rendering.

`python -m scripts.replay_server UPSTREAM` listens on 127.0.0.1 (any free port) and prints
REPLAY_URL=<base url>. It is a caching proxy in front of the fake: the first time it sees a
GET /events query (parameters in any order), an export creation (same JSON body) or an export
file, it asks the fake and keeps
the answer's bytes; every later identical request is answered from memory, so a warm-up run of a
client renders each page once and the measured runs pay only for sending bytes. Export status
checks always go to the fake (they are cheap, and each signs its download URL afresh); their
download_url is rewritten to come back here. X-RateLimit headers are dropped.

GET /_replay/stats answers {"hits": N, "misses": M, "bytes": B, "missed": [...], "first_at": T}
since the last POST /_replay/reset: a measured run must have no misses; T is the
time.monotonic() of the first request (a client's start-up ends there).
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

DOWNLOAD_PREFIX = "/_download"
DROPPED = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}
Answer = tuple[int, list[tuple[str, str]], bytes]


class Replay:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.storage: str | None = None  # the fake's download host, learnt from status answers
        self.origin = ""
        self._cache: dict[tuple[str, str, bytes], Answer] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self.hits = self.misses = self.bytes = 0
        self.missed: list[str] = []  # the first few misses' keys, for stats
        self.first_at: float | None = None  # time.monotonic() of the first request

    def _forward(self, base: str, method: str, path: str, body: bytes, headers: Any) -> Answer:
        parts = urlsplit(base)
        connections = self._local.__dict__.setdefault("connections", {})
        connection = connections.get(parts.netloc)
        if connection is None:
            connection = http.client.HTTPConnection(parts.netloc, timeout=600)
            connections[parts.netloc] = connection
        sent = {k: v for k, v in headers.items() if k.lower() not in {"host", "connection"}}
        connection.request(method, parts.path + path, body=body or None, headers=sent)
        response = connection.getresponse()
        data = response.read()
        kept = [
            (k, v)
            for k, v in response.getheaders()
            if k.lower() not in DROPPED and not k.lower().startswith("x-ratelimit")
        ]
        return response.status, kept, data

    def answer(self, method: str, path: str, body: bytes, headers: Any) -> Answer:
        with self._lock:
            if self.first_at is None:
                self.first_at = time.monotonic()
        is_status = method == "GET" and "/exports/" in path and not path.startswith(DOWNLOAD_PREFIX)
        if is_status:
            status, kept, data = self._forward(self.upstream, method, path, body, headers)
            return status, kept, self._rewrite(data) if status == 200 else data
        download = path.startswith(DOWNLOAD_PREFIX)
        key = (method, *_canonical(path, body, download=download))
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            with self._lock:
                self.hits += 1
                self.bytes += len(cached[2])
            return cached
        if download:
            assert self.storage is not None, "a download before any status check"
            target = path[len(DOWNLOAD_PREFIX) :]
            fresh = self._forward(self.storage, method, target, body, headers)
        else:
            fresh = self._forward(self.upstream, method, path, body, headers)
        with self._lock:
            self.misses += 1
            if len(self.missed) < 5:
                self.missed.append(f"{key[0]} {key[1][:2000]} {key[2][:2000]!r}")
            if fresh[0] < 300:
                self._cache[key] = fresh
        return fresh

    def _rewrite(self, data: bytes) -> bytes:
        body = json.loads(data)
        url = body.get("download_url")
        if url:
            parts = urlsplit(url)
            self.storage = f"{parts.scheme}://{parts.netloc}"
            body["download_url"] = f"{self.origin}{DOWNLOAD_PREFIX}{parts.path}?{parts.query}"
        return json.dumps(body).encode()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "hits": self.hits,
                "misses": self.misses,
                "bytes": self.bytes,
                "missed": self.missed,
                "first_at": self.first_at,
            }

    def reset(self) -> None:
        with self._lock:
            self.hits = self.misses = self.bytes = 0
            self.missed = []
            self.first_at = None


def _canonical(path: str, body: bytes, *, download: bool) -> tuple[str, bytes]:
    """A request as the cache knows it: query parameters in order, JSON bodies with sorted keys,
    so two clients asking the same thing share one answer; downloads by file name alone (the
    signature in their query changes at every status check)."""
    target, _, query = path.partition("?")
    if download:
        return target, b""
    if query:
        target += "?" + urlencode(sorted(parse_qsl(query, keep_blank_values=True)))
    if body:
        body = json.dumps(json.loads(body), sort_keys=True).encode()
    return target, body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    replay: Replay

    def do_GET(self) -> None:
        if self.path == "/_replay/stats":
            self._send(200, [("Content-Type", "application/json")], json.dumps(self.replay.stats()))
            return
        self._proxy("GET")

    def do_POST(self) -> None:
        if self.path == "/_replay/reset":
            self.replay.reset()
            self._send(200, [("Content-Type", "application/json")], "{}")
            return
        self._proxy("POST")

    def _proxy(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, data = self.replay.answer(method, self.path, body, self.headers)
        self._send(status, headers, data)

    def _send(self, status: int, headers: list[tuple[str, str]], data: bytes | str) -> None:
        payload = data.encode() if isinstance(data, str) else data
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(upstream: str) -> None:
    replay = Replay(upstream)
    handler = type("ReplayHandler", (Handler,), {"replay": replay})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    replay.origin = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"REPLAY_URL={replay.origin}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
