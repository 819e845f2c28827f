"""Every fault kind does what it says to exactly the next `count` matching requests."""

from __future__ import annotations

import gzip
import json
import time
import zlib
from collections.abc import Callable

import pytest
import requests

from fake_cometly import FakeCometly, Fault
from tests.fake.conftest import Client, export, poll

DAY = [("start_date", "2024-03-09 00:00:00"), ("end_date", "2024-03-09 23:59:59")]


def completed_url(client: Client) -> str:
    status = export(client, "events", {"date": "2024-03-09", "fields": ["event_name"]})
    assert status["status"] == "completed"
    return str(status["download_url"])


def test_status_faults_answer_instead_then_stop(make_fake: Callable[..., FakeCometly]) -> None:
    fake = make_fake(rate_limits_enabled=True, time_scale=1.0)
    client = Client(fake)
    fake.inject(Fault("status", family="events_list", count=2, status=503))
    first, second, third = (client.get("/events", DAY) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.headers["Content-Type"] == "text/html"
    assert "503 Service Unavailable" in first.text
    # An injected failure never reached the app, so it spent no budget.
    assert third.headers["X-RateLimit-Remaining"] == "6"
    fake.inject(Fault("status", status=500))
    failed = client.get("/events", DAY)
    assert failed.status_code == 500
    assert failed.json() == {"message": "Server Error"}


def test_an_injected_429_carries_retry_after(fake: FakeCometly, client: Client) -> None:
    fake.inject(Fault("status", family="contacts_list", status=429, retry_after=3))
    assert client.get("/events", DAY).status_code == 200, "another family is untouched"
    limited = client.get("/contacts", DAY)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.json() == {"message": "Too Many Attempts."}
    assert client.get("/contacts", DAY).status_code == 200


def test_path_prefix_and_clear_faults(fake: FakeCometly, client: Client) -> None:
    fake.inject(Fault("status", path_prefix="/public-api/v1/companies", count=5, status=502))
    assert client.get("/events", DAY).status_code == 200
    assert client.get("/companies").status_code == 502
    assert client.get("/companies/3").status_code == 502
    fake.clear_faults()
    assert client.get("/companies").status_code == 200


def test_reset_breaks_the_connection_mid_body_after_the_work_is_done(
    fake: FakeCometly, client: Client
) -> None:
    fake.inject(Fault("reset", family="events_list"))
    with pytest.raises(requests.exceptions.RequestException):
        client.get("/events", [*DAY, ("per_page", 100)]).json()
    assert client.get("/events", DAY).status_code == 200
    fake.inject(Fault("reset", family="export_create"))
    with pytest.raises(requests.exceptions.RequestException):
        client.post("/events/exports", {"date": "2024-03-09"})
    # The job exists although its 202 was lost: a blind retry would make a second one.
    assert client.get("/events/exports/1001").status_code == 200
    assert fake.requests(family="export_create")[-1].status == 202


def test_reset_on_a_download(fake: FakeCometly, client: Client) -> None:
    url = completed_url(client)
    fake.inject(Fault("reset", family="download"))
    with pytest.raises(requests.exceptions.RequestException):
        _ = requests.get(url, timeout=10).content
    assert requests.get(url, timeout=10).status_code == 200


def test_slow_answers_late(fake: FakeCometly, client: Client) -> None:
    fake.inject(Fault("slow", family="events_list", delay=0.3))
    started = time.monotonic()
    assert client.get("/events", DAY).status_code == 200
    assert time.monotonic() - started >= 0.3
    fake.inject(Fault("slow", family="events_list", delay=0.5))
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.session.get(client.fake.base_url + "/events", params=DAY, timeout=0.1)


def test_truncated_gzip(fake: FakeCometly, client: Client) -> None:
    url = completed_url(client)
    fake.inject(Fault("truncate_gzip"))
    cut = requests.get(url, timeout=10)
    assert cut.status_code == 200
    assert cut.content[:2] == b"\x1f\x8b"
    with pytest.raises((EOFError, zlib.error)):
        gzip.decompress(cut.content)
    whole = requests.get(url, timeout=10).content
    assert len(cut.content) < len(whole)
    assert gzip.decompress(whole)


def test_content_encoding_gzip_and_plain(fake: FakeCometly, client: Client) -> None:
    url = completed_url(client)
    fake.inject(Fault("content_encoding", mode="gzip"))
    with requests.get(url, stream=True, timeout=10) as declared:
        assert declared.headers["Content-Encoding"] == "gzip"
        raw = declared.raw.read(decode_content=False)
    assert raw[:2] == b"\x1f\x8b"
    fake.inject(Fault("content_encoding", mode="plain"))
    plain = requests.get(url, timeout=10)
    assert plain.content[:1] == b"{"
    assert plain.content == gzip.decompress(requests.get(url, timeout=10).content)


def test_export_fail_and_stuck(fake: FakeCometly, client: Client) -> None:
    fake.inject(Fault("export_fail"))
    failed = export(client, "events", {"date": "2024-03-09"})
    assert failed["status"] == "failed"
    assert failed["message"]
    assert "download_url" not in failed
    assert export(client, "events", {"date": "2024-03-09"})["status"] == "completed"
    fake.inject(Fault("export_stuck", path_prefix="/public-api/v1/contacts"))
    body = {"start_date": "2024-03-09 00:00:00", "end_date": "2024-03-09 23:59:59"}
    assert export(client, "events", {"date": "2024-03-09"})["status"] == "completed"
    stuck = client.post("/contacts/exports", body).json()["export_id"]
    statuses = {client.get(f"/contacts/exports/{stuck}").json()["status"] for _ in range(20)}
    assert statuses == {"queued"}
    with pytest.raises(AssertionError):
        poll(client, "contacts", stuck, limit=5)


def test_expire_url(fake: FakeCometly, client: Client) -> None:
    url = completed_url(client)
    fake.inject(Fault("expire_url"))
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403
    assert "Request has expired" in expired.text
    assert requests.get(url, timeout=10).status_code == 200


def test_bad_bodies(fake: FakeCometly, client: Client) -> None:
    fake.inject(Fault("bad_body", family="events_list", mode="html"))
    html = client.get("/events", DAY)
    assert html.status_code == 200
    assert html.headers["Content-Type"].startswith("text/html")
    with pytest.raises(requests.exceptions.JSONDecodeError):
        html.json()
    fake.inject(Fault("bad_body", family="events_list", mode="no_data"))
    empty = client.get("/events", DAY)
    assert empty.status_code == 200
    assert "data" not in empty.json()
    assert "data" in client.get("/events", DAY).json()


def test_bad_ndjson_puts_one_broken_line_in_the_next_file(
    fake: FakeCometly, client: Client
) -> None:
    fake.inject(Fault("bad_ndjson"))
    url = completed_url(client)
    lines = gzip.decompress(requests.get(url, timeout=10).content).decode().splitlines()
    broken = []
    for number, line in enumerate(lines, 1):
        try:
            json.loads(line)
        except ValueError:
            broken.append(number)
    assert broken == [2]
    clean = gzip.decompress(requests.get(completed_url(client), timeout=10).content)
    assert all(json.loads(line) for line in clean.decode().splitlines())


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        ("status:events_list:3:503", Fault("status", family="events_list", count=3, status=503)),
        ("status::2:429", Fault("status", count=2, status=429)),
        ("slow:*:1:2.5", Fault("slow", delay=2.5)),
        ("reset:download", Fault("reset", family="download")),
        (
            "content_encoding:download:1:plain",
            Fault("content_encoding", family="download", mode="plain"),
        ),
        (
            "bad_body:companies_list:4:no_data",
            Fault("bad_body", family="companies_list", count=4, mode="no_data"),
        ),
        ("export_fail", Fault("export_fail")),
    ],
)
def test_cli_fault_syntax(spec: str, fault: Fault) -> None:
    assert Fault.parse(spec) == fault


@pytest.mark.parametrize(
    "spec",
    [
        "explode",
        "status:events_list:many",
        "status:x:1:teapot",
        "reset:x:1:2",
        "bad_body",
        "a:b:c:d:e",
        "status::0",
    ],
)
def test_bad_fault_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="fault"):
        Fault.parse(spec)
