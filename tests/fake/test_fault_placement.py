"""Faults that place a bad answer precisely: `skip`, a row without `id`, an unknown status."""

from __future__ import annotations

import pytest

from fake_cometly import FakeCometly, Fault
from tests.fake.conftest import Client, download, export

DAY = [("start_date", "2024-03-09 00:00:00"), ("end_date", "2024-03-09 23:59:59")]
CONTACTS_DAY = {"start_date": "2024-03-09 00:00:00", "end_date": "2024-03-09 23:59:59"}


def test_skip_lets_the_first_matching_requests_through(fake: FakeCometly, client: Client) -> None:
    fake.inject(Fault("status", family="events_list", count=2, status=503, skip=2))
    statuses = [client.get("/events", DAY).status_code for _ in range(5)]
    assert statuses == [200, 200, 503, 503, 200]
    # Requests of other families neither spend the skips nor meet the fault.
    fake.inject(Fault("status", family="events_list", status=500, skip=1))
    assert client.get("/companies").status_code == 200
    assert [client.get("/events", DAY).status_code for _ in range(3)] == [200, 500, 200]


def test_a_skipping_fault_leaves_the_request_to_the_next_fault(
    fake: FakeCometly, client: Client
) -> None:
    fake.inject(Fault("status", family="events_list", status=500, skip=1))
    fake.inject(Fault("status", family="events_list", status=502))
    assert [client.get("/events", DAY).status_code for _ in range(3)] == [502, 500, 200]


def test_a_negative_skip_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Fault("status", skip=-1)


@pytest.mark.parametrize(
    ("path", "params"),
    [("/events", DAY), ("/contacts", DAY), ("/companies", None)],
)
def test_no_id_on_a_list_page(
    fake: FakeCometly, client: Client, path: str, params: list | None
) -> None:
    fake.inject(Fault("no_id", path_prefix=f"/public-api/v1{path}"))
    broken = client.get(path, params).json()["data"]
    assert "id" not in broken[0]
    assert all("id" in row for row in broken[1:])
    assert broken[0], "the row keeps its other fields"
    assert all("id" in row for row in client.get(path, params).json()["data"])


def test_no_id_in_the_next_export_file(fake: FakeCometly, client: Client) -> None:
    fake.inject(Fault("no_id", family="export_create"))
    status = export(client, "contacts", CONTACTS_DAY)
    rows = download(str(status["download_url"]))
    assert "id" not in rows[0]
    assert rows[0]["email"]
    assert all("id" in row for row in rows[1:])
    again = download(str(export(client, "contacts", CONTACTS_DAY)["download_url"]))
    assert all("id" in row for row in again)


def test_unknown_status_answers_one_status_check(fake: FakeCometly, client: Client) -> None:
    export_id = client.post("/contacts/exports", CONTACTS_DAY).json()["export_id"]
    fake.inject(Fault("unknown_status"))
    odd = client.get(f"/contacts/exports/{export_id}").json()
    assert odd["status"] == "cancelled"
    assert odd["export_id"] == export_id
    assert "download_url" not in odd
    assert client.get(f"/contacts/exports/{export_id}").json()["status"] in (
        "queued",
        "processing",
        "completed",
    )


def test_the_new_kinds_parse_from_the_command_line() -> None:
    assert Fault.parse("no_id:companies_list") == Fault("no_id", family="companies_list")
    assert Fault.parse("unknown_status::2") == Fault("unknown_status", count=2)


def test_faults_left_lists_what_has_not_fired(fake: FakeCometly, client: Client) -> None:
    waiting = Fault("status", family="companies_list", status=500)
    fake.inject(Fault("status", family="events_list", count=2, status=503))
    fake.inject(waiting)
    client.get("/events", DAY)
    assert len(fake.faults_left()) == 2
    client.get("/events", DAY)
    assert fake.faults_left() == [waiting]
    client.get("/companies")
    assert fake.faults_left() == []
