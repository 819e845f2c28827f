"""POST /events/track: §4 validation, and tracked events land in the store the reads use."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from fake_cometly import FakeCometly
from tests.fake.conftest import Client, download, export

UTC = timezone.utc
BASE = {"event_name": "purchase", "email": "user@example.com"}


def read_back(client: Client, start: str, end: str) -> list[dict[str, Any]]:
    params = [("start_date", start), ("end_date", end), ("per_page", 4000)]
    params += [
        ("fields[]", f) for f in ("event_name", "amount", "order_id", "profile_id", "is_upsell")
    ]
    return client.rows("/events", params)


def test_a_tracked_event_is_readable_like_any_other(fake: FakeCometly, client: Client) -> None:
    body = {
        **BASE,
        "amount": 99.99,
        "order_id": "ORD-12345",
        "url": "https://example.com/checkout/success",
        "event_time": "2024-03-09T15:30:00Z",  # 10:30 in New York
    }
    response = client.post("/events/track", body)
    assert response.status_code == 202
    assert response.json() == {"status": 202, "message": "Event queued for processing."}
    rows = read_back(client, "2024-03-09 10:30:00", "2024-03-09 10:30:01")
    tracked = [r for r in rows if r["order_id"] == "ORD-12345"]
    assert len(tracked) == 1
    assert tracked[0]["event_time_utc"] == "2024-03-09 15:30:00"
    assert tracked[0]["amount"] == 99.99
    stored = next(e for e in fake.all_events() if e["id"] == tracked[0]["id"])
    assert stored["event_url"] == "https://example.com/checkout/success"
    single = client.get(f"/events/{tracked[0]['id']}").json()["data"]
    assert single["order_id"] == "ORD-12345"


@pytest.mark.parametrize(
    ("event_time", "expected"),
    [
        ("2024-03-09T15:30:00Z", "2024-03-09 15:30:00"),
        ("2024-03-09T10:30:00-05:00", "2024-03-09 15:30:00"),
        ("2024-03-09T15:30:00.250Z", "2024-03-09 15:30:00"),
        ("1710005400", "2024-03-09 17:30:00"),
        (1710005400, "2024-03-09 17:30:00"),
    ],
)
def test_event_time_is_iso_8601_or_unix_seconds(
    fake: FakeCometly, client: Client, event_time: Any, expected: str
) -> None:
    assert client.post("/events/track", {**BASE, "event_time": event_time}).status_code == 202
    added = max(fake.all_events(), key=lambda e: e["id"])
    assert added["event_time_utc"] == expected


def test_without_event_time_the_event_is_stamped_on_receipt(
    fake: FakeCometly, client: Client
) -> None:
    before = datetime.now(UTC)
    assert (
        client.post(
            "/events/track", {**BASE, "fingerprint": "fp-1", "ip": "203.0.113.9"}
        ).status_code
        == 202
    )
    added = max(fake.all_events(), key=lambda e: e["id"])
    stamped = datetime.fromisoformat(added["event_time_utc"]).replace(tzinfo=UTC)
    assert stamped >= before.replace(microsecond=0)  # API time: at or after the real "now"


TRACK_ERRORS: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("no name", {"email": "a@example.com"}, {"event_name": "The event name field is required."}),
    (
        "upsell is read-side only",
        {**BASE, "event_name": "upsell_purchase"},
        {"event_name": "The selected event name is invalid."},
    ),
    ("unknown name", {**BASE, "event_name": "page_view"}, {"event_name": "invalid"}),
    (
        "nobody",
        {"event_name": "purchase"},
        {"email": "required when none of comet token / fingerprint / ip are present"},
    ),
    (
        "ip alone",
        {"event_name": "purchase", "ip": "203.0.113.9"},
        {
            "email": "required when none of",
            "fingerprint": "The fingerprint field is required when ip is present.",
        },
    ),
    (
        "fingerprint alone",
        {"event_name": "purchase", "fingerprint": "fp"},
        {"ip": "The ip field is required when fingerprint is present."},
    ),
    (
        "ip without fingerprint, email given",
        {**BASE, "ip": "203.0.113.9"},
        {"fingerprint": "required when ip is present"},
    ),
    (
        "bad time",
        {**BASE, "event_time": "yesterday"},
        {"event_time": "The event time field must be a valid ISO 8601 date or Unix timestamp."},
    ),
    ("amount text", {**BASE, "amount": "a lot"}, {"amount": "The amount field must be a number."}),
    ("amount bool", {**BASE, "amount": True}, {"amount": "must be a number"}),
    (
        "upsell flag",
        {**BASE, "is_upsell": "yes"},
        {"is_upsell": "The is upsell field must be true or false."},
    ),
    (
        "email number",
        {"event_name": "purchase", "email": 5},
        {"email": "The email field must be a string."},
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"), [case[1:] for case in TRACK_ERRORS], ids=[c[0] for c in TRACK_ERRORS]
)
def test_track_validation(
    fake: FakeCometly, client: Client, body: dict[str, Any], expected: dict[str, str]
) -> None:
    events_before = len(fake.all_events())
    response = client.post("/events/track", body)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert set(errors) == set(expected)
    for key, message in expected.items():
        assert any(message in found for found in errors[key]), errors[key]
    assert len(fake.all_events()) == events_before


@pytest.mark.parametrize(
    "identity",
    [
        {"email": "a@example.com"},
        {"comet_token": "tok"},
        {"fingerprint": "fp", "ip": "198.51.100.4"},
    ],
)
def test_each_identification_method_is_enough(client: Client, identity: dict[str, str]) -> None:
    assert (
        client.post("/events/track", {"event_name": "custom_event_12", **identity}).status_code
        == 202
    )


def test_an_idempotency_key_is_processed_once(fake: FakeCometly, client: Client) -> None:
    before = len(fake.all_events())
    body = {**BASE, "idempotency_key": "order-77", "amount": 5}
    assert [client.post("/events/track", body).status_code for _ in range(3)] == [202] * 3
    assert len(fake.all_events()) == before + 1


def test_tracking_id_ties_events_to_one_contact(fake: FakeCometly, client: Client) -> None:
    for email in ("one@example.com", "two@example.com"):
        client.post("/events/track", {**BASE, "email": email, "tracking_id": "visitor-9"})
    newest = sorted(fake.all_events(), key=lambda e: e["id"])[-2:]
    assert newest[0]["profile_id"] == newest[1]["profile_id"]


def test_tracked_events_reach_exports(client: Client) -> None:
    client.post(
        "/events/track",
        {**BASE, "amount": 12, "order_id": "LATE-1", "event_time": "2024-03-11T16:00:00Z"},
    )
    rows = download(
        export(client, "events", {"date": "2024-03-11", "fields": ["order_id"]})["download_url"]
    )
    assert any(row["order_id"] == "LATE-1" for row in rows)


def test_add_event_helper_writes_the_same_store(fake: FakeCometly, client: Client) -> None:
    row = fake.add_event(
        event_name="custom_event_1",
        event_time_utc=datetime(2024, 3, 12, 14, tzinfo=UTC),
        profile_id=7,
        amount="15.50",
    )
    assert row["configured_name"] == "Demo Booked"
    assert row["amount"] == 15.5
    assert row["event_time_utc"] == "2024-03-12 14:00:00"
    read = read_back(client, "2024-03-12 10:00:00", "2024-03-12 10:00:01")
    assert [r["id"] for r in read if r["id"] == row["id"]] == [row["id"]]
    with pytest.raises(TypeError):
        fake.add_event(colour="blue")
