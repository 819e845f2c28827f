"""Field declarations: one list gives a stream both its schema and its shaper's converters."""

from __future__ import annotations

import logging
import typing as t

import pytest
from singer_sdk import typing as th

from tap_cometly import normalize
from tap_cometly.client import CometlyStream
from tap_cometly.normalize import Field, RecordShaper, converters_of, schema_of
from tap_cometly.streams import (
    CompaniesStream,
    ContactsStream,
    EventAttributionsStream,
    EventsStream,
)
from tap_cometly.streams.contacts import ALL_EMAILS, COMET_TOKENS, contact_schema

FIELDS = (
    Field("id", th.IntegerType, normalize.integer, "Row ID.", required=True),
    Field("amount", th.NumberType, normalize.number, "Amount."),
    Field("model", th.StringType, None, "Filled in by the stream."),
)


def test_the_schema_lists_the_fields_in_order_with_types_and_descriptions() -> None:
    schema = schema_of(FIELDS)
    assert list(schema["properties"]) == ["id", "amount", "model"]
    assert schema["required"] == ["id"]
    assert schema["properties"]["amount"]["description"] == "Amount."
    assert "number" in schema["properties"]["amount"]["type"]


def test_converters_cover_the_known_fields_read_from_the_api() -> None:
    assert converters_of(FIELDS, {"id", "amount", "model"}) == {
        "id": normalize.integer,
        "amount": normalize.number,
    }
    assert converters_of(FIELDS, {"id"}) == {"id": normalize.integer}


@pytest.mark.parametrize(
    "stream", [EventsStream, EventAttributionsStream, CompaniesStream], ids=lambda s: s.name
)
def test_a_streams_schema_is_its_fields(stream: type[CometlyStream]) -> None:
    assert stream.schema == schema_of(stream.fields)


def test_contacts_arrays_are_known_but_in_the_schema_only_with_their_flag() -> None:
    assert {COMET_TOKENS, ALL_EMAILS} <= set(ContactsStream.fields)
    plain = contact_schema(comet_tokens=False, all_emails=False)["properties"]
    both = contact_schema(comet_tokens=True, all_emails=True)["properties"]
    assert "comet_tokens" not in plain
    assert "emails" not in plain
    assert list(both) == [*plain, "comet_tokens", "emails"]


def test_a_field_left_out_of_the_schema_in_force_is_left_out_of_the_records(
    caplog: pytest.LogCaptureFixture,
) -> None:
    converters = converters_of(FIELDS, schema_of(FIELDS[:1])["properties"])
    shape = RecordShaper("rows", "row", converters, logging.getLogger("test"))
    with caplog.at_level(logging.WARNING):
        assert shape({"id": "7", "amount": "1.5"}, "GET /rows") == {"id": 7}
    assert "'amount'" in caplog.text


def test_a_bad_value_names_its_record_and_the_stream_adds_where_it_was() -> None:
    converters = converters_of(FIELDS, {"id", "amount"})
    shape = RecordShaper("events", "event", converters, logging.getLogger("test"))
    with pytest.raises(normalize.BadValueError) as raised:
        shape({"id": 55, "amount": "lots"}, "GET /public-api/v1/events")
    error = raised.value.locate(stream="events", window="[a, b)")
    assert str(error) == (
        "Stream 'events', window [a, b), event 55: field 'amount' is 'lots', expected a number."
    )


# Every converter the shaper can meet, each with values it keeps and values it converts.
PAGE_FIELDS = (
    Field("id", th.IntegerType, normalize.integer, "ID.", required=True),
    Field("at", th.DateTimeType, normalize.utc_timestamp, "Time."),
    Field("amount", th.NumberType, normalize.number, "Amount."),
    Field("flag", th.BooleanType, normalize.boolean, "Flag."),
    Field("name", th.StringType, normalize.text, "Name."),
    Field("tags", th.ArrayType(th.StringType), normalize.text_list, "Tags."),
)
TYPED_ROW: dict[str, t.Any] = {
    "id": 7,
    "at": "2024-03-09 10:00:00",
    "amount": 12.5,
    "flag": True,
    "name": "x",
    "tags": ["a", None],
}
PAGES: dict[str, list[dict[str, t.Any]]] = {
    "every value of its type": [TYPED_ROW, {**TYPED_ROW, "id": 8, "amount": 3}, {"id": 9}],
    "nulls": [{**TYPED_ROW, "at": None, "amount": None, "flag": None, "name": None, "tags": None}],
    "an ISO time": [{**TYPED_ROW, "at": "2024-03-09T10:00:00Z"}],
    "an amount as text": [TYPED_ROW, {**TYPED_ROW, "amount": "12.50"}],
    "a flag as 0/1": [{**TYPED_ROW, "flag": 1}, {**TYPED_ROW, "flag": "0"}],
    "an id as text": [{**TYPED_ROW, "id": "10"}],
    "a name as a number": [{**TYPED_ROW, "name": 12345}],
    "an int tag": [{**TYPED_ROW, "tags": [1]}],
    "a field the schema does not know": [TYPED_ROW, {**TYPED_ROW, "extra": 1}],
    "fields in another order": [{"name": "y", "id": 11, "amount": 1.0}],
}
BAD_PAGES: dict[str, list[t.Any]] = {
    "no id": [TYPED_ROW, {"amount": 1}],
    "a null id": [{**TYPED_ROW, "id": None}],
    "a bad time": [{**TYPED_ROW, "at": "yesterday"}],
    "a bad amount": [{**TYPED_ROW, "amount": "lots"}],
    "a bool id": [{**TYPED_ROW, "id": True}],
    "not an object": [TYPED_ROW, ["a list"]],
}


def page_shaper() -> RecordShaper:
    fields = [field.name for field in PAGE_FIELDS]
    return RecordShaper("rows", "row", converters_of(PAGE_FIELDS, fields), logging.getLogger())


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_shaped_at_once_is_the_page_shaped_row_by_row(page: str) -> None:
    at_once = page_shaper().rows([dict(row) for row in PAGES[page]], "GET /rows")
    row_by_row = [page_shaper()(dict(row), "GET /rows") for row in PAGES[page]]
    assert at_once == row_by_row
    for record, expected in zip(at_once, row_by_row, strict=True):
        assert list(record) == list(expected), "the same field order"
        assert [type(v) for v in record.values()] == [type(v) for v in expected.values()]


@pytest.mark.parametrize("page", list(BAD_PAGES))
def test_a_bad_value_fails_a_page_as_it_fails_its_row(page: str) -> None:
    shaper = page_shaper()
    with pytest.raises(normalize.BadValueError) as at_once:
        page_shaper().rows(list(BAD_PAGES[page]), "GET /rows")
    with pytest.raises(normalize.BadValueError) as row_by_row:
        [shaper(row, "GET /rows") for row in BAD_PAGES[page]]
    assert str(at_once.value) == str(row_by_row.value)


def test_a_typed_page_is_shaped_without_the_row_by_row_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def row_by_row(*_: object) -> None:
        raise AssertionError("the page went row by row")

    monkeypatch.setattr(RecordShaper, "__call__", row_by_row)
    records = page_shaper().rows(
        [dict(row) for row in PAGES["every value of its type"]], "GET /rows"
    )
    assert records[0]["at"] == "2024-03-09T10:00:00Z"


def test_an_unknown_field_on_a_page_is_reported_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        page_shaper().rows([{**TYPED_ROW, "extra": 1}, {**TYPED_ROW, "extra": 2}], "GET /rows")
    assert [r.getMessage().count("'extra'") for r in caplog.records] == [1]


def test_deselected_fields_are_left_out_silently_on_both_paths(
    caplog: pytest.LogCaptureFixture,
) -> None:
    kept = [field.name for field in PAGE_FIELDS if field.name not in {"name", "tags"}]
    shaper = RecordShaper(
        "rows",
        "row",
        converters_of(PAGE_FIELDS, kept),
        logging.getLogger(),
        deselected=frozenset({"name", "tags"}),
    )
    with caplog.at_level(logging.WARNING):
        at_once = shaper.rows([dict(TYPED_ROW)], "GET /rows")
        row_by_row = shaper({**TYPED_ROW, "amount": "1.5"}, "GET /rows")
    assert list(at_once[0]) == ["id", "at", "amount", "flag"]
    assert list(row_by_row) == ["id", "at", "amount", "flag"]
    assert not caplog.records
