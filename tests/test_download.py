"""The download handler against a tiny local storage server: no key sent, gzip sniffed, files
checked whole before any row, re-fetched when cut, temporary files always closed, URLs kept out
of logs and errors."""

from __future__ import annotations

import gzip
import json
import logging
import tempfile
import threading
import typing as t
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tap_cometly.errors import CometlyAPIError, Location
from tap_cometly.exports import download as download_module
from tap_cometly.exports.download import DownloadHandler, ExpiredDownloadError
from tap_cometly.settings import parse_settings
from tests.export_fakes import file_rows

SIGNATURE = "X-Amz-Signature=5ec7e75161a7u7e"
ROWS = [{"id": n, "email": f"user{n}@example.com", "name": None} for n in range(1, 2001)]
NDJSON = b"".join(json.dumps(row).encode() + b"\n" for row in ROWS)
GZIPPED = gzip.compress(NDJSON)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Close the connection after this many body bytes while Content-Length announces them all.
    cut_after: int | None = None
    chunked: bool = False


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class Storage:
    """A loopback object store: each path answers its replies in turn, the last one repeatedly."""

    def __init__(self) -> None:
        self.replies: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        storage = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                storage.seen.append(Seen(path, dict(self.headers.items())))
                queue = storage.replies.get(path) or [Reply(404)]
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if reply.chunked:
                    for start in range(0, len(reply.body), 1000):
                        piece = reply.body[start : start + 1000]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
                elif reply.cut_after is None:
                    self.wfile.write(reply.body)
                else:
                    self.wfile.write(reply.body[: reply.cut_after])
                    self.wfile.flush()
                    self.close_connection = True

            def log_message(self, format: str, *args: t.Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{path}?X-Amz-Expires=900&{SIGNATURE}"

    def serve(self, path: str, *replies: Reply) -> str:
        self.replies[path] = list(replies)
        return self.url(path)


@pytest.fixture
def storage() -> Iterator[Storage]:
    server = Storage()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def handler() -> DownloadHandler:
    settings = parse_settings(
        {
            "api_key": "test-key",
            "start_date": "2024-01-01",
            "retry_initial_wait_seconds": 0.01,
            "max_retry_minutes": 0.01,
            "request_timeout_seconds": 5,
        }
    )
    return DownloadHandler(settings, logging.getLogger("test-download"))


def read_all(handler: DownloadHandler, url: str) -> list[dict[str, t.Any]]:
    with handler.download(url, where=Location(export_id=7)) as export_file:
        return file_rows(export_file)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (GZIPPED, {"Content-Type": "application/gzip"}),
        (GZIPPED, {"Content-Type": "application/octet-stream"}),
        (GZIPPED, {"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"}),
        (GZIPPED, {"Content-Type": "text/plain", "Content-Encoding": "identity"}),
        (NDJSON, {"Content-Type": "application/x-ndjson"}),
        (NDJSON, {"Content-Type": "application/gzip"}),
    ],
)
def test_gzip_is_recognised_by_its_bytes_whatever_the_headers_say(
    storage: Storage, handler: DownloadHandler, body: bytes, headers: dict[str, str]
) -> None:
    url = storage.serve("/exports/a.ndjson.gz", Reply(body=body, headers=headers))
    assert read_all(handler, url) == ROWS


@pytest.mark.parametrize("body", [GZIPPED, NDJSON])
def test_a_chunked_body_without_content_length(
    storage: Storage, handler: DownloadHandler, body: bytes
) -> None:
    url = storage.serve("/chunked", Reply(body=body, chunked=True))
    assert read_all(handler, url) == ROWS


def test_blank_lines_are_skipped_and_a_missing_final_newline_is_fine(
    storage: Storage, handler: DownloadHandler
) -> None:
    body = b'\n{"id": 1}\r\n\n   \n{"id": 2}'
    url = storage.serve("/plain", Reply(body=body))
    assert read_all(handler, url) == [{"id": 1}, {"id": 2}]


@pytest.mark.parametrize("body", [b"", gzip.compress(b"")])
def test_an_empty_file_has_no_rows(storage: Storage, handler: DownloadHandler, body: bytes) -> None:
    url = storage.serve("/empty", Reply(body=body))
    assert read_all(handler, url) == []


def test_a_truncated_gzip_is_fetched_again_before_any_row_is_read(
    storage: Storage, handler: DownloadHandler
) -> None:
    cut = GZIPPED[: len(GZIPPED) // 2]  # a whole HTTP body holding half a gzip stream
    url = storage.serve("/cut.gz", Reply(body=cut), Reply(body=GZIPPED))
    assert read_all(handler, url) == ROWS
    assert len(storage.seen) == 2


def test_a_corrupt_gzip_is_fetched_again(storage: Storage, handler: DownloadHandler) -> None:
    corrupt = bytearray(GZIPPED)
    corrupt[-8] ^= 0xFF  # the CRC no longer matches the content
    url = storage.serve("/crc.gz", Reply(body=bytes(corrupt)), Reply(body=GZIPPED))
    assert read_all(handler, url) == ROWS
    assert len(storage.seen) == 2


def test_a_file_that_keeps_arriving_cut_is_a_clear_error_without_rows(
    storage: Storage, handler: DownloadHandler
) -> None:
    url = storage.serve("/always-cut.gz", Reply(body=GZIPPED[:-20]))
    with pytest.raises(CometlyAPIError, match=r"Export 7: the file arrived incomplete 3 times"):
        read_all(handler, url)
    assert len(storage.seen) == download_module.MAX_FETCHES


def test_a_connection_broken_mid_body_is_retried(
    storage: Storage, handler: DownloadHandler
) -> None:
    url = storage.serve("/reset", Reply(body=NDJSON, cut_after=1000), Reply(body=NDJSON))
    assert read_all(handler, url) == ROWS
    assert len(storage.seen) == 2


def test_server_errors_are_retried_with_backoff(storage: Storage, handler: DownloadHandler) -> None:
    url = storage.serve("/flaky", Reply(503), Reply(500), Reply(body=GZIPPED))
    assert read_all(handler, url) == ROWS
    assert len(storage.seen) == 3


def test_server_errors_beyond_max_retry_seconds_are_a_clear_error(
    storage: Storage, handler: DownloadHandler
) -> None:
    url = storage.serve("/down", Reply(503))
    with pytest.raises(CometlyAPIError, match=r"Export 7: the storage host kept failing") as error:
        read_all(handler, url)
    assert "503" in str(error.value)
    assert SIGNATURE not in str(error.value)


def test_a_403_means_the_url_expired(storage: Storage, handler: DownloadHandler) -> None:
    url = storage.serve("/expired", Reply(403, body=b"<Error>Request has expired</Error>"))
    with pytest.raises(ExpiredDownloadError, match="Export 7") as error:
        read_all(handler, url)
    assert SIGNATURE not in str(error.value)
    assert len(storage.seen) == 1


def test_a_malformed_line_is_an_error_naming_the_export_and_line(
    storage: Storage, handler: DownloadHandler
) -> None:
    body = gzip.compress(b'{"id": 1}\n\n{"id": 2, "email": "secret@example.com"\n{"id": 3}\n')
    url = storage.serve("/bad.gz", Reply(body=body))
    with pytest.raises(CometlyAPIError, match=r"Export 7: line 3 is not valid JSON") as error:
        read_all(handler, url)
    assert "secret@example.com" not in str(error.value)  # row content is personal data


def test_a_line_that_is_not_an_object_is_an_error(
    storage: Storage, handler: DownloadHandler
) -> None:
    url = storage.serve("/list", Reply(body=b'{"id": 1}\n[1, 2]\n'))
    with pytest.raises(CometlyAPIError, match=r"line 2 holds a JSON list"):
        read_all(handler, url)


def test_no_authorization_reaches_storage_even_with_netrc_and_redirects(
    storage: Storage,
    handler: DownloadHandler,
    tmp_path: t.Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    storage.serve("/moved.gz", Reply(body=GZIPPED))
    url = storage.serve("/old.gz", Reply(307, headers={"Location": storage.url("/moved.gz")}))
    assert read_all(handler, url) == ROWS
    assert [seen.path for seen in storage.seen] == ["/old.gz", "/moved.gz"]
    for seen in storage.seen:
        assert "authorization" not in {name.lower() for name in seen.headers}


def test_the_signature_stays_out_of_every_log_line(
    storage: Storage, handler: DownloadHandler, caplog: pytest.LogCaptureFixture
) -> None:
    url = storage.serve("/logged.gz", Reply(503), Reply(body=GZIPPED[:-20]), Reply(body=GZIPPED))
    with caplog.at_level(logging.DEBUG):
        assert read_all(handler, url) == ROWS
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/logged.gz" in logged  # urllib3's request lines were captured...
    assert SIGNATURE not in logged  # ...without their query strings
    assert "X-Amz" not in logged


class SpyTemporaryFile:
    """Records the temporary files the handler opens, to check each one gets closed."""

    def __init__(self) -> None:
        self.opened: list[t.IO[bytes]] = []
        self._real = tempfile.TemporaryFile

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.IO[bytes]:
        spool = self._real(*args, **kwargs)
        self.opened.append(spool)
        return spool


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> SpyTemporaryFile:
    spy = SpyTemporaryFile()
    monkeypatch.setattr(download_module.tempfile, "TemporaryFile", spy)
    return spy


def test_the_temporary_file_is_closed_after_success_error_and_early_exit(
    storage: Storage, handler: DownloadHandler, spy: SpyTemporaryFile
) -> None:
    good = storage.serve("/good.gz", Reply(body=GZIPPED))
    bad_line = storage.serve("/bad-line", Reply(body=b'{"id": 1}\nnot json\n'))
    expired = storage.serve("/gone", Reply(403))

    assert read_all(handler, good) == ROWS
    with pytest.raises(CometlyAPIError):
        read_all(handler, bad_line)
    with pytest.raises(ExpiredDownloadError):
        read_all(handler, expired)
    with handler.download(good, where=Location(export_id=7)) as export_file:
        next(iter(export_file.batches()))  # the consumer stops after one batch

    assert len(spy.opened) == 4
    assert all(spool.closed for spool in spy.opened)


def test_the_temporary_file_has_no_name_to_leave_behind(
    storage: Storage, handler: DownloadHandler, tmp_path: t.Any
) -> None:
    handler._temp_dir = str(tmp_path)
    url = storage.serve("/nameless.gz", Reply(body=GZIPPED))
    with handler.download(url, where=Location(export_id=7)) as export_file:
        assert export_file.gzipped
        assert list(tmp_path.iterdir()) == []


def test_rows_come_a_page_at_a_time_in_file_order(
    storage: Storage, handler: DownloadHandler
) -> None:
    rows = [{"id": n} for n in range(download_module.ROWS_PER_BATCH * 2 + 5)]
    body = gzip.compress(b"".join(json.dumps(row).encode() + b"\n\n" for row in rows))
    url = storage.serve("/many.ndjson.gz", Reply(body=body))
    with handler.download(url, where=Location(export_id=7)) as export_file:
        batches = list(export_file.batches())
    size = download_module.ROWS_PER_BATCH
    assert [len(batch) for batch in batches] == [size, size, 5], "blank lines are not rows"
    assert [row for batch in batches for row in batch] == rows
