"""Single-record endpoints, list filters and field selection, value encodings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from fake_cometly import FakeCometly
from tests.fake.conftest import Client

UTC = timezone.utc
DAYS = [("start_date", "2024-03-08 00:00:00"), ("end_date", "2024-03-12 23:59:59")]
ALL_DAYS = (datetime(2024, 3, 8, 5, tzinfo=UTC), datetime(2024, 3, 13, 4, tzinfo=UTC))


def test_get_one_event_contact_and_company(fake: FakeCometly, client: Client) -> None:
    event = fake.all_events()[123]
    assert client.get(f"/events/{event['id']}").json() == {"data": event}
    contact = fake.contacts()[41]
    assert client.get(f"/contacts/{contact['id']}").json() == {"data": contact}
    company = fake.companies()[7]
    assert client.get(f"/companies/{company['id']}").json() == {"data": company}
    assert fake.requests(family="single_record", status=200)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/events/999", "Event not found."),
        ("/events/2999999", "Event not found."),
        ("/contacts/0", "Contact not found."),
        ("/contacts/401", "Contact not found."),
        ("/companies/31", "Company not found."),
        ("/companies/acme", "Company not found."),
    ],
)
def test_unknown_records_are_404(client: Client, path: str, message: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": message}


def test_only_requested_fields_come_back(fake: FakeCometly, client: Client) -> None:
    rows = client.rows(
        "/events",
        [*DAYS, ("fields[]", "configured_name"), ("fields[]", "order_id"), ("per_page", 4000)],
    )
    assert {tuple(row) for row in rows} == {("id", "event_time_utc", "configured_name", "order_id")}
    truth = {e["id"]: e for e in fake.events(*ALL_DAYS)}
    for row in rows:
        assert row["configured_name"] == truth[row["id"]]["configured_name"]
    labels = {row["configured_name"] for row in rows}
    assert "Demo Booked" in labels
    assert "purchase" in labels


def test_event_names_and_query_mode_filter(fake: FakeCometly, client: Client) -> None:
    truth = fake.events(*ALL_DAYS)
    names = [("event_names[]", "purchase"), ("event_names[]", "custom_event_1")]
    rows = client.rows("/events", [*DAYS, *names, ("fields[]", "event_name"), ("per_page", 4000)])
    expected = [e["id"] for e in truth if e["event_name"] in ("purchase", "custom_event_1")]
    assert [r["id"] for r in rows] == expected
    company = client.rows("/events", [*DAYS, ("query_mode", "company"), ("per_page", 4000)])
    assert [r["id"] for r in company] == [e["id"] for e in truth if e["company_id"] is not None]
    assert 0 < len(company) < len(truth)


def test_string_amounts_appear_on_some_rows_only(make_fake: Callable[..., FakeCometly]) -> None:
    fake = make_fake(string_amounts=True)
    client = Client(fake)
    rows = client.rows("/events", [*DAYS, ("fields[]", "amount"), ("per_page", 4000)])
    truth = {e["id"]: e["amount"] for e in fake.events(*ALL_DAYS)}
    strings = [row for row in rows if isinstance(row["amount"], str)]
    assert 0 < len(strings) < len(rows)
    for row in rows:
        assert float(row["amount"]) == truth[row["id"]]
    assert any(row["amount"] == "0.00" for row in strings)
    assert all(isinstance(amount, (int, float)) for amount in truth.values())


def test_numbers_look_like_the_examples(fake: FakeCometly) -> None:
    amounts = [e["amount"] for e in fake.all_events()]
    assert 0 in amounts
    assert all(isinstance(a, int) for a in amounts if a == int(a))
    assert any(isinstance(a, float) and round(a, 2) == a for a in amounts)
