"""Export jobs: lifecycle over polls, presigned download URLs, and file contents."""

from __future__ import annotations

import gzip
import json
import resource
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from fake_cometly import FakeCometly
from tests.fake.conftest import Client, download, export

UTC = timezone.utc
CONTACT_RANGE = {"start_date": "2024-03-09 00:00:00", "end_date": "2024-03-10 23:59:59"}


def iso(value: str) -> str:
    return value.replace(" ", "T") + "Z"


def test_a_job_goes_queued_processing_completed(make_fake: Callable[..., FakeCometly]) -> None:
    fake = make_fake(export_polls_queued=2, export_polls_processing=3)
    client = Client(fake)
    created = client.post("/events/exports", {"date": "2024-03-09"})
    assert created.status_code == 202
    job = created.json()
    assert job["status"] == "queued"
    assert isinstance(job["export_id"], int)
    assert job["message"]
    fake.wait_for_export_files()  # on a busy machine the polls could outrun the file's writing
    bodies = [client.get(f"/events/exports/{job['export_id']}").json() for _ in range(7)]
    assert [b["status"] for b in bodies] == ["queued"] * 2 + ["processing"] * 3 + ["completed"] * 2
    queued, completed = bodies[0], bodies[-2]
    assert set(queued) == {"export_id", "status", "created_at", "message"}
    assert set(completed) == {
        "export_id",
        "status",
        "created_at",
        "completed_at",
        "download_url",
        "expires_at",
    }
    assert completed["created_at"] == queued["created_at"]
    assert completed["completed_at"] == bodies[-1]["completed_at"]
    signed_at = parse_qs(urlsplit(completed["download_url"]).query)["X-Amz-Date"][0]
    expires = datetime.strptime(completed["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert expires - datetime.strptime(signed_at, "%Y%m%dT%H%M%SZ") == timedelta(minutes=15)


def test_a_job_is_processing_until_its_processing_time_has_passed(
    make_fake: Callable[..., FakeCometly],
) -> None:
    # 30 API seconds at time scale 60: half a real second, however often it is checked.
    fake = make_fake(
        export_polls_queued=0,
        export_polls_processing=0,
        export_processing_seconds=30,
        time_scale=60,
    )
    client = Client(fake)
    export_id = client.post("/events/exports", {"date": "2024-03-09"}).json()["export_id"]
    created = time.monotonic()
    statuses = []
    while time.monotonic() - created < 0.35:
        statuses.append(client.get(f"/events/exports/{export_id}").json()["status"])
    assert len(statuses) >= 3
    assert set(statuses) == {"processing"}
    time.sleep(max(0.0, created + 0.6 - time.monotonic()))
    assert client.get(f"/events/exports/{export_id}").json()["status"] == "completed"


def test_the_file_holds_the_local_day_in_iso_time(make_fake: Callable[..., FakeCometly]) -> None:
    fake = make_fake(events_per_day=600)
    client = Client(fake)
    status = export(
        client, "events", {"date": "2024-03-10", "fields": ["event_name", "amount", "event_url"]}
    )
    assert status["status"] == "completed"
    url = status["download_url"]
    assert url.startswith(fake.storage_base + "/exports/")
    assert urlsplit(url).port != urlsplit(fake.base_url).port
    rows = download(url)
    truth = fake.events(datetime(2024, 3, 10, 5, tzinfo=UTC), datetime(2024, 3, 11, 4, tzinfo=UTC))
    assert rows == [
        {
            "id": e["id"],
            "event_time_utc": iso(e["event_time_utc"]),
            "event_name": e["event_name"],
            "amount": e["amount"],
            "event_url": e["event_url"],
        }
        for e in truth
    ]


def test_attributed_exports_add_touchpoint_and_source_columns(
    fake: FakeCometly, client: Client
) -> None:
    sources = ["facebook_ads", "google_ads", "direct"]
    body = {
        "date": "2024-03-09",
        "sources": sources,
        "attribution_model": "last_touch",
        "attribution_window": 30,
        "fields": ["amount", "campaign_name", "account_id"],
    }
    rows = download(export(client, "events", body)["download_url"])
    truth = fake.attributed_rows(
        datetime(2024, 3, 9, 5, tzinfo=UTC),
        datetime(2024, 3, 10, 5, tzinfo=UTC),
        sources,
        "last_touch",
        30,
    )
    assert rows
    assert [list(r) for r in rows[:1]] == [
        ["id", "event_time_utc", "touchpoint_id", "source", "amount", "campaign_name", "account_id"]
    ]
    assert [(r["id"], r["touchpoint_id"], r["source"], r["campaign_name"]) for r in rows] == [
        (t["id"], t["touchpoint_id"], t["source"], t["campaign_name"]) for t in truth
    ]
    assert {r["campaign_name"] is None for r in rows if r["source"] == "direct"} == {True}
    plain = download(export(client, "events", {**body, "fields": ["amount"]})["download_url"])
    assert set(plain[0]) == {"id", "event_time_utc", "touchpoint_id", "amount"}


def test_an_empty_day_is_an_empty_gzip_file(client: Client) -> None:
    assert download(export(client, "events", {"date": "2023-01-01"})["download_url"]) == []


def test_contact_exports_follow_their_flags(fake: FakeCometly, client: Client) -> None:
    truth = fake.contacts(datetime(2024, 3, 9, 5, tzinfo=UTC), datetime(2024, 3, 11, 4, tzinfo=UTC))
    plain = download(export(client, "contacts", CONTACT_RANGE)["download_url"])
    assert plain == [
        {k: v for k, v in c.items() if k not in ("comet_tokens", "emails")} for c in truth
    ]
    full = download(
        export(
            client,
            "contacts",
            {**CONTACT_RANGE, "include_comet_tokens": 1, "include_all_emails": 1},
        )["download_url"]
    )
    assert full == truth
    assert all(len(row["comet_tokens"]) <= 5 for row in full)


def test_unknown_exports_are_404(client: Client) -> None:
    missing = client.get("/events/exports/424242")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Export not found."}
    contact_job = client.post("/contacts/exports", CONTACT_RANGE).json()["export_id"]
    assert client.get(f"/events/exports/{contact_job}").status_code == 404
    assert client.get(f"/contacts/exports/{contact_job}").status_code == 200


def test_download_urls_refuse_auth_headers_and_tampering(fake: FakeCometly, client: Client) -> None:
    url = export(client, "events", {"date": "2024-03-09"})["download_url"]
    with_auth = requests.get(url, headers={"Authorization": "Bearer test-key"}, timeout=10)
    assert with_auth.status_code == 403
    assert with_auth.headers["Content-Type"] == "application/xml"
    assert "<Code>AccessDenied</Code>" in with_auth.text
    tampered = url.replace("X-Amz-Expires=900", "X-Amz-Expires=9000")
    assert requests.get(tampered, timeout=10).status_code == 403
    unsigned = url.split("&X-Amz-Signature=")[0]
    assert requests.get(unsigned, timeout=10).status_code == 403
    assert requests.get(url, timeout=10).status_code == 200
    served = requests.get(url, timeout=10)
    assert served.headers["Content-Type"] == "application/octet-stream"
    assert "Content-Encoding" not in served.headers
    downloads = fake.requests(listener="storage")
    assert [d.status for d in downloads] == [403, 403, 403, 200, 200]
    assert {d.family for d in downloads} == {"download"}


def test_urls_expire_after_15_scaled_minutes_and_each_poll_signs_a_fresh_one(
    make_fake: Callable[..., FakeCometly],
) -> None:
    fake = make_fake(time_scale=900.0)  # 15 API minutes last one real second
    client = Client(fake)
    first = export(client, "events", {"date": "2024-03-09"})
    time.sleep(0.01)
    second = client.get(f"/events/exports/{first['export_id']}").json()
    assert second["download_url"] != first["download_url"]
    assert second["expires_at"] > first["expires_at"]
    assert requests.get(first["download_url"], timeout=10).status_code == 200
    time.sleep(1.1)
    expired = requests.get(first["download_url"], timeout=10)
    assert expired.status_code == 403
    assert "Request has expired" in expired.text
    fresh = client.get(f"/events/exports/{first['export_id']}").json()["download_url"]
    assert requests.get(fresh, timeout=10).status_code == 200


def test_a_200k_contact_export_streams_to_disk(make_fake: Callable[..., FakeCometly]) -> None:
    check_big_contact_export(make_fake, 200_000, seconds=30)


@pytest.mark.slow
def test_a_million_contact_export(make_fake: Callable[..., FakeCometly]) -> None:
    check_big_contact_export(make_fake, 1_000_000, seconds=120)


def check_big_contact_export(
    make_fake: Callable[..., FakeCometly], contacts: int, seconds: float
) -> None:
    fake = make_fake(contacts=contacts, export_polls_queued=0, export_polls_processing=0)
    client = Client(fake)
    started = time.monotonic()
    created = client.post(
        "/contacts/exports",
        {
            "start_date": "2024-01-01 00:00:00",
            "end_date": "2024-12-31 23:59:59",
            "include_comet_tokens": 1,
        },
    ).json()
    while (status := client.get(f"/contacts/exports/{created['export_id']}").json())[
        "status"
    ] != "completed":
        assert time.monotonic() - started < seconds, status
        time.sleep(0.2)
    count, last_id = 0, 0
    with requests.get(status["download_url"], stream=True, timeout=60) as response:
        response.raw.decode_content = False
        with gzip.open(response.raw, "rt") as lines:
            for line in lines:
                row = json.loads(line)
                assert row["id"] == last_id + 1
                last_id = row["id"]
                count += 1
    assert count == contacts
    # Generated block by block and streamed: the whole export never sits in memory.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 1024, f"peak RSS {peak_mb:.0f} MB"
