"""422 answers follow the reference's rules, with Laravel's wording and error keys."""

from __future__ import annotations

from typing import Any

import pytest

from fake_cometly.vocabulary import SOURCES
from tests.fake.conftest import Client

DAY = [("start_date", "2024-03-09 00:00:00"), ("end_date", "2024-03-09 23:59:59")]
ATTRIBUTION = [
    ("sources[]", "facebook_ads"),
    ("attribution_model", "last_touch"),
    ("attribution_window", "30"),
]
NAMES_11 = sorted(
    {"purchase", "sign_up", "lead_generated", "contact", "schedule", "subscribe", "start_trial"}
    | {"add_to_cart", "view_content", "initiate_checkout", "add_payment_info"}
)


def fields(*names: str) -> list[tuple[str, str]]:
    return [("fields[]", name) for name in names]


LIST_CASES: list[tuple[str, list[tuple[str, Any]], dict[str, str]]] = [
    (
        "nothing",
        [],
        {
            "start_date": "The start date field is required.",
            "end_date": "The end date field is required.",
        },
    ),
    (
        "date only",
        [("start_date", "2024-03-09"), DAY[1]],
        {"start_date": "The start date field must match the format Y-m-d H:i:s."},
    ),
    (
        "no such day",
        [("start_date", "2024-02-30 00:00:00"), DAY[1]],
        {"start_date": "must match the format"},
    ),
    (
        "iso T",
        [("start_date", "2024-03-09T00:00:00"), DAY[1]],
        {"start_date": "must match the format"},
    ),
    (
        "end before start",
        [("start_date", DAY[1][1]), ("end_date", "2024-03-09 00:00:00")],
        {"end_date": "The end date field must be a date after start date."},
    ),
    (
        "end equals start",
        [DAY[0], ("end_date", DAY[0][1])],
        {"end_date": "must be a date after start date"},
    ),
    (
        "empty start",
        [("start_date", ""), DAY[1]],
        {"start_date": "The start date field is required."},
    ),
    (
        "query mode",
        [*DAY, ("query_mode", "team")],
        {"query_mode": "The selected query mode is invalid."},
    ),
    (
        "unknown name",
        [*DAY, ("event_names[]", "buy_now")],
        {"event_names.0": "The selected event_names.0 is invalid."},
    ),
    ("custom 51", [*DAY, ("event_names[]", "custom_event_51")], {"event_names.0": "is invalid"}),
    (
        "duplicate names",
        [*DAY, ("event_names[]", "purchase"), ("event_names[]", "purchase")],
        {
            "event_names.0": "The event_names.0 field has a duplicate value.",
            "event_names.1": "The event_names.1 field has a duplicate value.",
        },
    ),
    (
        "11 names",
        [*DAY, *[("event_names[]", n) for n in NAMES_11]],
        {"event_names": "The event names field must not have more than 10 items."},
    ),
    (
        "names not an array",
        [*DAY, ("event_names", "purchase")],
        {"event_names": "The event names field must be an array."},
    ),
    (
        "16 sources",
        [*DAY, *[("sources[]", s) for s in SOURCES[:16]], *ATTRIBUTION[1:]],
        {"sources": "must not have more than 15 items"},
    ),
    (
        "unknown source",
        [*DAY, ("sources[]", "myspace_ads"), *ATTRIBUTION[1:]],
        {"sources.0": "The selected sources.0 is invalid."},
    ),
    (
        "sources alone",
        [*DAY, ATTRIBUTION[0]],
        {
            # The reference's own example message, word for word.
            "attribution_model": (
                "The attribution model field is required when sources is present."
            ),
            "attribution_window": (
                "The attribution window field is required when sources is present."
            ),
        },
    ),
    (
        "bad model",
        [*DAY, ATTRIBUTION[0], ("attribution_model", "time_decay"), ATTRIBUTION[2]],
        {"attribution_model": "The selected attribution model is invalid."},
    ),
    (
        "window 3",
        [*DAY, *ATTRIBUTION[:2], ("attribution_window", "3")],
        {"attribution_window": "The selected attribution window is invalid."},
    ),
    (
        "window text",
        [*DAY, *ATTRIBUTION[:2], ("attribution_window", "week")],
        {"attribution_window": "The attribution window field must be an integer."},
    ),
    (
        "ad_id without sources",
        [*DAY, *fields("ad_id")],
        {"fields": "The ad_id field requires sources to be provided."},
    ),
    (
        "export-only field",
        [*DAY, *ATTRIBUTION, *fields("ad_name")],
        {"fields.0": "The selected fields.0 is invalid."},
    ),
    ("event_url on the list", [*DAY, *fields("amount", "event_url")], {"fields.1": "is invalid"}),
    ("touchpoint_id", [*DAY, *fields("touchpoint_id")], {"fields.0": "is invalid"}),
    (
        "duplicate field",
        [*DAY, *fields("amount", "amount")],
        {"fields.0": "duplicate", "fields.1": "duplicate"},
    ),
    (
        "per_page 0",
        [*DAY, ("per_page", "0")],
        {"per_page": "The per page field must be at least 1."},
    ),
    (
        "per_page 4001",
        [*DAY, ("per_page", "4001")],
        {"per_page": "The per page field must not be greater than 4000."},
    ),
    (
        "per_page text",
        [*DAY, ("per_page", "all")],
        {"per_page": "The per page field must be an integer."},
    ),
]


@pytest.mark.parametrize(
    ("params", "expected"), [case[1:] for case in LIST_CASES], ids=[c[0] for c in LIST_CASES]
)
def test_list_events_rejects(
    client: Client, params: list[tuple[str, Any]], expected: dict[str, str]
) -> None:
    response = client.get("/events", params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body["errors"]) == set(expected)
    for key, message in expected.items():
        assert any(message in found for found in body["errors"][key]), body["errors"][key]
    first = next(iter(body["errors"].values()))[0]
    assert body["message"].startswith(first)


def test_the_summary_counts_the_other_errors(client: Client) -> None:
    body = client.get("/events", [("per_page", "0")]).json()
    assert body["message"] == "The start date field is required. (and 2 more errors)"
    body = client.get("/events", [DAY[0]]).json()
    assert body == {
        "message": "The end date field is required.",
        "errors": {"end_date": ["The end date field is required."]},
    }


@pytest.mark.parametrize(
    "params",
    [
        DAY,
        [*DAY, ("per_page", "4000"), ("per_page", "1")],
        [*DAY, *fields("id", "event_time_utc", "amount")],
        [*DAY, *ATTRIBUTION, *fields("ad_id", "configured_name", "is_upsell", "order_id")],
        [*DAY, ("attribution_model", "linear")],  # undocumented without sources: ignored
        [*DAY, ("event_names[0]", "purchase"), ("event_names[1]", "custom_event_3")],
        [
            *DAY,
            ("query_mode", "company"),
            *[("sources[]", s) for s in SOURCES[:15]],
            *ATTRIBUTION[1:],
        ],
    ],
)
def test_list_events_accepts(client: Client, params: list[tuple[str, Any]]) -> None:
    response = client.get("/events", params)
    assert response.status_code == 200, response.text


EXPORT_CASES: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("nothing", {}, {"date": "The date field is required."}),
    (
        "date-time",
        {"date": "2024-03-09 00:00:00"},
        {"date": "The date field must match the format Y-m-d."},
    ),
    (
        "ad field without sources",
        {"date": "2024-03-09", "fields": ["campaign_name"]},
        {"fields": "The campaign_name field requires sources to be provided."},
    ),
    (
        "sources alone",
        {"date": "2024-03-09", "sources": ["google_ads"]},
        {
            "attribution_model": "required when sources is present",
            "attribution_window": "required when sources is present",
        },
    ),
    (
        "window as text",
        {
            "date": "2024-03-09",
            "sources": ["google_ads"],
            "attribution_model": "linear",
            "attribution_window": "thirty",
        },
        {"attribution_window": "must be an integer"},
    ),
    (
        "empty names",
        {"date": "2024-03-09", "event_names": []},
        {"event_names": "The event names field must have at least 1 items."},
    ),
    (
        "fields not a list",
        {"date": "2024-03-09", "fields": "amount"},
        {"fields": "must be an array"},
    ),
    (
        "touchpoint_id",
        {"date": "2024-03-09", "fields": ["touchpoint_id"]},
        {"fields.0": "is invalid"},
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"), [case[1:] for case in EXPORT_CASES], ids=[c[0] for c in EXPORT_CASES]
)
def test_event_export_rejects(
    client: Client, body: dict[str, Any], expected: dict[str, str]
) -> None:
    response = client.post("/events/exports", body)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert set(errors) == set(expected)
    for key, message in expected.items():
        assert any(message in found for found in errors[key]), errors[key]


def test_event_export_accepts_all_18_fields_with_sources(client: Client) -> None:
    every = [
        "profile_id",
        "company_id",
        "space_id",
        "event_name",
        "configured_name",
        "amount",
        "is_upsell",
        "ad_id",
        "ad_name",
        "adset_id",
        "adset_name",
        "campaign_id",
        "campaign_name",
        "account_id",
        "account_name",
        "order_id",
        "order_name",
        "event_url",
    ]
    body = {
        "date": "2024-03-09",
        "sources": ["google_ads"],
        "attribution_model": "linear",
        "attribution_window": 30,
    }
    assert client.post("/events/exports", {**body, "fields": every}).status_code == 202
    assert (
        client.post(
            "/events/exports", {**body, "fields": [*every, "id", "event_time_utc"]}
        ).status_code
        == 202
    )
    too_many = client.post(
        "/events/exports", {**body, "fields": [*every, "id", "event_time_utc", "x"]}
    )
    assert "must not have more than 20 items" in too_many.json()["errors"]["fields"][0]


CONTACT_EXPORT_CASES: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("nothing", {}, {"start_date": "is required", "end_date": "is required"}),
    (
        "end before start",
        {"start_date": "2024-03-09 10:00:00", "end_date": "2024-03-09 09:00:00"},
        {"end_date": "must be a date after start date"},
    ),
    (
        "flag 2",
        {
            "start_date": "2024-03-09 00:00:00",
            "end_date": "2024-03-09 23:59:59",
            "include_comet_tokens": 2,
        },
        {"include_comet_tokens": "The include comet tokens field must be true or false."},
    ),
    (
        "flag yes",
        {
            "start_date": "2024-03-09 00:00:00",
            "end_date": "2024-03-09 23:59:59",
            "include_all_emails": "yes",
        },
        {"include_all_emails": "must be true or false"},
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"),
    [case[1:] for case in CONTACT_EXPORT_CASES],
    ids=[c[0] for c in CONTACT_EXPORT_CASES],
)
def test_contact_export_rejects(
    client: Client, body: dict[str, Any], expected: dict[str, str]
) -> None:
    response = client.post("/contacts/exports", body)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert set(errors) == set(expected)
    for key, message in expected.items():
        assert any(message in found for found in errors[key]), errors[key]


@pytest.mark.parametrize("flag", [1, 0, "1", "0", True, False])
def test_contact_export_flags_take_1_or_0(client: Client, flag: Any) -> None:
    body = {"start_date": "2024-03-09 00:00:00", "end_date": "2024-03-09 23:59:59"}
    response = client.post("/contacts/exports", {**body, "include_comet_tokens": flag})
    assert response.status_code == 202, response.text


@pytest.mark.parametrize(
    ("path", "params", "status", "error"),
    [
        ("/contacts", [], 422, "start_date"),
        ("/contacts", [*DAY, ("per_page", "5001")], 422, "per_page"),
        ("/contacts", [*DAY, ("per_page", "5000")], 200, None),
        ("/contacts", [*DAY, ("include_comet_tokens", "maybe")], 422, "include_comet_tokens"),
        ("/companies", [], 200, None),
        ("/companies", [("per_page", "0")], 422, "per_page"),
        ("/companies", [DAY[1]], 200, None),
        ("/companies", [DAY[1], ("start_date", "2024-03-10 00:00:00")], 422, "end_date"),
    ],
)
def test_record_lists(
    client: Client, path: str, params: list[tuple[str, Any]], status: int, error: str | None
) -> None:
    response = client.get(path, params)
    assert response.status_code == status, response.text
    if error is not None:
        assert error in response.json()["errors"]


def test_a_form_encoded_post_is_read_like_laravel_does(client: Client) -> None:
    url = client.fake.base_url + "/events/exports"
    response = client.session.post(
        url, data={"date": "2024-03-09", "fields[]": ["amount"]}, timeout=10
    )
    assert response.status_code == 202, response.text
    response = client.session.post(
        url, data=b"{not json", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert response.json()["errors"] == {"date": ["The date field is required."]}
