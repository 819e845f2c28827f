"""HTTP plumbing shared by the API and storage listeners: parsing, logging, writing, and the
faults that live in the transport (slow answers, connections reset mid-body)."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from fake_cometly.faults import FaultBox
from fake_cometly.requestlog import LoggedRequest, RequestLog

HOST = "127.0.0.1"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    json_body: Any

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    file: Path | None = None  # streamed instead of `body`
    file_length: int | None = None  # send only this much of `file` (a truncated object)
    cut_after: int | None = None  # reset the connection after this many body bytes

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return cls(status, body, {"Content-Type": "application/json", **(headers or {})})

    def length(self) -> int:
        if self.file is None:
            return len(self.body)
        size = self.file.stat().st_size
        return size if self.file_length is None else min(size, self.file_length)


class App(Protocol):
    def family(self, request: Request) -> str | None:
        """The endpoint family the request belongs to, for faults, limits and the log."""

    def answer(self, request: Request, family: str | None) -> Response: ...


@dataclass(frozen=True)
class _Context:
    app: App
    listener: str
    log: RequestLog
    faults: FaultBox
    stopping: threading.Event


class _Server(ThreadingHTTPServer):
    """Remembers its connections and their threads so stop() can close and join them: a
    client's idle keep-alive connection would otherwise keep being served after stop."""

    def __init__(self, port: int, context: _Context) -> None:
        super().__init__((HOST, port), _Handler)
        self.context = context
        self.connections: dict[socket.socket, threading.Thread] = {}
        self.connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection, args=(request, client_address), daemon=True
        )
        with self.connections_lock:
            self.connections[request] = thread
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that exits with idle keep-alive connections resets them: that is no error
        # of the fake's, and its traceback would drown a benchmark's table.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self.connections_lock:
                self.connections.pop(request, None)

    def close_connections(self, timeout: float) -> None:
        with self.connections_lock:
            open_now = dict(self.connections)
        for connection in open_now:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread in open_now.values():
            thread.join(max(0.0, deadline - time.monotonic()))


class Listener:
    """One loopback HTTP server in daemon threads."""

    def __init__(
        self,
        name: str,
        app: App,
        *,
        log: RequestLog,
        faults: FaultBox,
        stopping: threading.Event,
        port: int = 0,
    ) -> None:
        self._server = _Server(port, _Context(app, name, log, faults, stopping))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # how long stop() waits for the loop
            name=f"fake-cometly-{name}",
            daemon=True,
        )

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        # shutdown() waits for serve_forever() to finish: it would wait forever if it never ran.
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout)
        self._server.server_close()
        self._server.close_connections(timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients with sessions expect
    # Headers and body go out in separate writes; with Nagle on, each answer waits ~40 ms
    # for the client's delayed ACK.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "fake-cometly"

    @property
    def context(self) -> _Context:
        assert isinstance(self.server, _Server)
        return self.server.context

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record."""

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            self.command,
            url.path,
            parse_qsl(url.query, keep_blank_values=True),
            dict(self.headers.items()),
            body,
            _parse_json(body),
        )
        context = self.context
        family = context.app.family(request)
        slow = context.faults.take(("slow",), family, request.path)
        if slow is not None:
            context.stopping.wait(slow.delay)
        response = context.app.answer(request, family)
        if context.faults.take(("reset",), family, request.path) is not None:
            response.cut_after = response.length() // 2
        # Logged before the first byte goes out, so a client that has its answer always finds
        # the request in the log.
        context.log.append(
            LoggedRequest(
                time.monotonic(),
                context.listener,
                request.method,
                request.path,
                request.query,
                request.headers,
                request.json_body,
                response.status,
                family,
            )
        )
        self._write(response)

    def _write(self, response: Response) -> None:
        length = response.length()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        limit = length if response.cut_after is None else response.cut_after
        try:
            if response.file is None:
                self.wfile.write(response.body[:limit])
            else:
                with response.file.open("rb") as source:
                    _copy(source, self.wfile, limit)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        if response.cut_after is not None:
            self._reset_connection()

    def _reset_connection(self) -> None:
        """Abort with a TCP RST (linger 0), as a crashed proxy would, not a clean FIN."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


def _copy(source: Any, target: Any, limit: int) -> None:
    left = limit
    while left > 0:
        chunk = source.read(min(_CHUNK, left))
        if not chunk:
            break
        target.write(chunk)
        left -= len(chunk)


def _parse_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
