"""Field declarations: one list gives a stream both its schema and its shaper's converters."""

from __future__ import annotations

import logging

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
