"""Cursor pagination: every row exactly once, in key order, both directions, Laravel's body."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from fake_cometly import FakeCometly
from tests.fake.conftest import Client

UTC = timezone.utc


def window(start: str, end: str, *extra: tuple[str, object]) -> list[tuple[str, object]]:
    return [("start_date", start), ("end_date", end), *extra]


@pytest.mark.parametrize(
    ("per_page", "start", "end"),
    [
        (1, "2024-03-09 10:00:00", "2024-03-09 11:59:59"),
        (7, "2024-03-09 00:00:00", "2024-03-09 23:59:59"),
        (200, "2024-03-08 00:00:00", "2024-03-12 23:59:59"),
        (4000, "2024-03-08 00:00:00", "2024-03-12 23:59:59"),
    ],
)
def test_pages_cover_the_range_exactly_once_in_key_order(
    make_fake: Callable[..., FakeCometly], per_page: int, start: str, end: str
) -> None:
    fake = make_fake(events_per_day=1500)  # five days: more rows than the largest page
    client = Client(fake)
    pages = client.pages("/events", window(start, end, ("per_page", per_page)))
    rows = [row for page in pages for row in page["data"]]
    lo = datetime.fromisoformat(start).replace(tzinfo=fake.config.zone)
    hi = datetime.fromisoformat(end).replace(tzinfo=fake.config.zone)
    expected = fake.events(lo, int(hi.timestamp()) + 1)  # end_date is inclusive
    assert [(r["id"], r["event_time_utc"]) for r in rows] == [
        (e["id"], e["event_time_utc"]) for e in expected
    ]
    assert len(pages) == max(1, -(-len(expected) // per_page))
    assert all(len(page["data"]) == per_page for page in pages[:-1])
    assert len(pages) > 1


def test_attributed_pages_cover_every_credited_touchpoint_once(
    fake: FakeCometly, client: Client
) -> None:
    sources = ["facebook_ads", "google_ads", "direct", "email", "google_organic"]
    params = window("2024-03-09 00:00:00", "2024-03-10 23:59:59", ("per_page", 50))
    params += [("sources[]", s) for s in sources]
    params += [("attribution_model", "u_shaped"), ("attribution_window", 90)]
    rows = client.rows("/events", params)
    keys = [(r["event_time_utc"], r["id"], r["touchpoint_id"]) for r in rows]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    expected = fake.attributed_rows(
        datetime(2024, 3, 9, 5, tzinfo=UTC),
        datetime(2024, 3, 11, 4, tzinfo=UTC),
        sources,
        "u_shaped",
        90,
    )
    assert keys == [(r["event_time_utc"], r["id"], r["touchpoint_id"]) for r in expected]
    assert set(rows[0]) == {"id", "event_time_utc", "touchpoint_id"}


def test_the_body_is_laravels_cursor_paginator(client: Client) -> None:
    first = client.get("/events", window("2024-03-08 00:00:00", "2024-03-10 23:59:59")).json()
    assert list(first) == [
        "data",
        "path",
        "per_page",
        "next_cursor",
        "next_page_url",
        "prev_cursor",
        "prev_page_url",
    ]
    assert first["per_page"] == 200
    assert len(first["data"]) == 200
    assert first["path"] == client.fake.base_url + "/events"
    assert first["next_page_url"] == f"{first['path']}?cursor={first['next_cursor']}"
    assert first["prev_cursor"] is None
    assert first["prev_page_url"] is None
    decoded = json.loads(base64.urlsafe_b64decode(first["next_cursor"] + "=="))
    assert decoded == {
        "event_time_utc": first["data"][-1]["event_time_utc"],
        "id": first["data"][-1]["id"],
        "_pointsToNextItems": True,
    }


def test_prev_cursors_walk_back_through_the_same_pages(client: Client) -> None:
    params = window("2024-03-09 00:00:00", "2024-03-09 23:59:59", ("per_page", 30))
    forward = client.pages("/events", params)
    assert len(forward) >= 4
    assert forward[1]["prev_cursor"] is not None
    back = client.get("/events", [*params, ("cursor", forward[3]["prev_cursor"])]).json()
    assert back["data"] == forward[2]["data"]
    back = client.get("/events", [*params, ("cursor", back["prev_cursor"])]).json()
    assert back["data"] == forward[1]["data"]
    back = client.get("/events", [*params, ("cursor", back["prev_cursor"])]).json()
    assert back["data"] == forward[0]["data"]
    assert back["prev_cursor"] is None, "page one has no previous page"
    assert back["next_cursor"] is not None


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'{"id": 5, "_pointsToNextItems": true}').decode(),
        base64.urlsafe_b64encode(
            b'{"event_time_utc": "2024-03-09", "id": 5, "_pointsToNextItems": true}'
        ).decode(),
        base64.urlsafe_b64encode(
            b'{"event_time_utc": "2024-03-09 10:00:00", "id": "5", "_pointsToNextItems": true}'
        ).decode(),
    ],
)
def test_a_malformed_cursor_is_a_422(client: Client, cursor: str) -> None:
    params = window("2024-03-09 00:00:00", "2024-03-09 23:59:59", ("cursor", cursor))
    response = client.get("/events", params)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["cursor"]


def test_a_cursor_from_another_query_shape_is_refused(client: Client) -> None:
    plain = window("2024-03-09 00:00:00", "2024-03-09 23:59:59", ("per_page", 5))
    cursor = client.get("/events", plain).json()["next_cursor"]
    attributed = [*plain, ("sources[]", "direct"), ("attribution_model", "linear")]
    attributed += [("attribution_window", 0), ("cursor", cursor)]
    assert client.get("/events", attributed).status_code == 422


def test_shuffled_pages_keep_their_rows_and_the_page_order(
    make_fake: Callable[..., FakeCometly],
) -> None:
    shuffled = Client(make_fake(shuffle_pages=True))
    ordered = Client(make_fake())
    params = window("2024-03-09 00:00:00", "2024-03-10 23:59:59", ("per_page", 40))
    shuffled_pages = shuffled.pages("/events", params)
    ordered_pages = ordered.pages("/events", params)
    assert len(shuffled_pages) == len(ordered_pages)
    differs = 0
    for mixed, plain in zip(shuffled_pages, ordered_pages, strict=True):
        assert sorted(r["id"] for r in mixed["data"]) == [r["id"] for r in plain["data"]]
        assert mixed["next_cursor"] == plain["next_cursor"]
        differs += mixed["data"] != plain["data"]
    assert differs >= len(ordered_pages) - 1


def test_contacts_page_newest_first_over_their_creation_range(
    fake: FakeCometly, client: Client
) -> None:
    params = window("2024-03-09 00:00:00", "2024-03-10 23:59:59", ("per_page", 17))
    rows = client.rows("/contacts", params)
    expected = fake.contacts(
        datetime(2024, 3, 9, 5, tzinfo=UTC), datetime(2024, 3, 11, 4, tzinfo=UTC)
    )
    assert [r["id"] for r in rows] == [c["id"] for c in reversed(expected)]
    assert set(rows[0]) == {"id", "email", "name", "phone", "location", "created_at"}
    with_extras = client.get(
        "/contacts", [*params, ("include_comet_tokens", 1), ("include_all_emails", "1")]
    ).json()["data"][0]
    newest = expected[-1]
    assert with_extras["comet_tokens"] == newest["comet_tokens"]
    assert with_extras["emails"] == newest["emails"]


def test_companies_page_newest_first(fake: FakeCometly, client: Client) -> None:
    rows = client.rows("/companies", [("per_page", 7)])
    assert [r["id"] for r in rows] == [c["id"] for c in reversed(fake.companies())]
    assert set(rows[0]) == {"id", "domain"}
    ranged = client.rows(
        "/companies", window("2024-03-09 00:00:00", "2024-03-10 23:59:59", ("per_page", 7))
    )
    assert 0 < len(ranged) < len(rows)
