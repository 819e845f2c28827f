"""Authentication, routing, and the per-family sliding one-minute budgets with their headers."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from fake_cometly import FakeCometly
from tests.fake.conftest import Client

DAY = [("start_date", "2024-03-09 00:00:00"), ("end_date", "2024-03-09 23:59:59")]
CONTACT_DAY = {"start_date": "2024-03-09 00:00:00", "end_date": "2024-03-09 23:59:59"}


@pytest.mark.parametrize(
    ("key", "status", "message"),
    [
        (None, 401, "Unauthenticated."),
        ("wrong-key", 401, "Unauthenticated."),
        (
            "no-permission-key",
            403,
            "This API key does not have permission to access this resource.",
        ),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/events"),
        ("POST", "/events/exports"),
        ("GET", "/events/exports/1001"),
        ("POST", "/contacts/exports"),
        ("GET", "/contacts"),
        ("GET", "/companies/1"),
        ("POST", "/events/track"),
    ],
)
def test_keys_are_checked_before_anything_else(
    fake: FakeCometly, key: str | None, status: int, message: str, method: str, path: str
) -> None:
    client = Client(fake, key=key)
    response = client.get(path, DAY) if method == "GET" else client.post(path, {})
    assert response.status_code == status
    assert response.json() == {"message": message}


def test_other_schemes_are_unauthenticated(fake: FakeCometly) -> None:
    client = Client(fake, key=None)
    for header in ("Basic test-key", "test-key", "Bearer", "bearer test-key "):
        response = client.session.get(
            fake.base_url + "/events", params=DAY, headers={"Authorization": header}, timeout=5
        )
        expected = 200 if header.lower().startswith("bearer test-key") else 401
        assert response.status_code == expected, header


def test_unknown_routes_and_methods(client: Client) -> None:
    assert client.get("/nothing-here").status_code == 404
    assert client.get("/events/exports/12abc").status_code == 404
    assert client.post("/events", {}).status_code == 405
    assert client.get("/events/track").status_code == 404  # read as an event id


LIMITS = [
    ("GET", "/events", DAY, "events_list", 7),
    ("POST", "/events/exports", {"date": "2024-03-09"}, "export_create", 5),
    ("GET", "/events/exports/999", None, "export_status", 30),
    ("GET", "/contacts", DAY, "contacts_list", 15),
    ("GET", "/companies", None, "companies_list", 15),
    ("GET", "/events/2000001", None, "single_record", 60),
    ("POST", "/events/track", {"event_name": "sign_up", "email": "a@example.com"}, "track", 1000),
]


@pytest.mark.parametrize(("method", "path", "payload", "family", "limit"), LIMITS)
def test_each_family_has_its_documented_limit(
    make_fake: Callable[..., FakeCometly],
    method: str,
    path: str,
    payload: object,
    family: str,
    limit: int,
) -> None:
    fake = make_fake(rate_limits_enabled=True, time_scale=1.0)
    client = Client(fake)
    response = client.get(path, payload) if method == "GET" else client.post(path, payload)
    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == str(limit - 1)
    assert fake.request_log[-1].family == family


def test_remaining_counts_down_then_429_with_retry_after_then_the_window_frees(
    make_fake: Callable[..., FakeCometly],
) -> None:
    fake = make_fake(rate_limits_enabled=True)  # time scale 60: a minute lasts a second
    client = Client(fake)
    remaining = [client.get("/events", DAY).headers["X-RateLimit-Remaining"] for _ in range(7)]
    spent = time.monotonic()  # every slot is taken by now, and frees within a second of it
    assert remaining == ["6", "5", "4", "3", "2", "1", "0"]
    refused = client.get("/events", DAY)
    assert refused.status_code == 429
    assert refused.json() == {"message": "Too Many Attempts."}
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    time.sleep(max(0.0, spent + 0.5 - time.monotonic()))
    for _ in range(3):  # refused half a window later: if they spent budget it would show
        assert client.get("/events", DAY).status_code == 429
    time.sleep(max(0.0, spent + 1.05 - time.monotonic()))
    freed = [client.get("/events", DAY) for _ in range(7)]
    assert [r.status_code for r in freed] == [200] * 7
    assert client.get("/events", DAY).status_code == 429
    assert fake.count(status=429) == 5


def test_retry_after_is_the_scaled_wait_in_whole_seconds(
    make_fake: Callable[..., FakeCometly],
) -> None:
    fake = make_fake(rate_limits_enabled=True, time_scale=10.0)  # a minute lasts 6 s
    client = Client(fake)
    for _ in range(7):
        client.get("/events", DAY)
    assert client.get("/events", DAY).headers["Retry-After"] in ("5", "6")


def test_validation_failures_spend_budget_but_auth_failures_do_not(
    make_fake: Callable[..., FakeCometly],
) -> None:
    fake = make_fake(rate_limits_enabled=True, time_scale=1.0)
    anonymous = Client(fake, key=None)
    for _ in range(10):
        assert anonymous.get("/events", DAY).status_code == 401
    client = Client(fake)
    assert client.get("/events", []).status_code == 422
    assert client.get("/events", DAY).headers["X-RateLimit-Remaining"] == "5"


def test_families_are_separate_and_export_families_span_both_kinds(
    make_fake: Callable[..., FakeCometly],
) -> None:
    fake = make_fake(rate_limits_enabled=True, time_scale=1.0)
    client = Client(fake)
    for _ in range(7):
        client.get("/events", DAY)
    assert client.get("/events", DAY).status_code == 429
    assert client.get("/contacts", DAY).status_code == 200
    created = [client.post("/events/exports", {"date": "2024-03-09"}) for _ in range(3)]
    created += [client.post("/contacts/exports", CONTACT_DAY) for _ in range(2)]
    assert [r.status_code for r in created] == [202] * 5
    assert client.post("/contacts/exports", CONTACT_DAY).status_code == 429
    assert client.get("/contacts/exports/1004").headers["X-RateLimit-Remaining"] == "29"
    assert client.get("/events/exports/1001").headers["X-RateLimit-Remaining"] == "28"
    fake.reset_rate_limits()
    assert client.get("/events", DAY).status_code == 200


def test_without_rate_limits_nothing_is_refused_but_headers_stay(
    make_fake: Callable[..., FakeCometly],
) -> None:
    client = Client(make_fake(rate_limits_enabled=False, time_scale=1.0))
    answers = [client.get("/events", DAY) for _ in range(12)]
    assert {r.status_code for r in answers} == {200}
    assert answers[0].headers["X-RateLimit-Remaining"] == "6"
    assert answers[-1].headers["X-RateLimit-Remaining"] == "0"
    assert answers[-1].headers["X-RateLimit-Limit"] == "7"
