"""The plain-record fast path (StreamHooks.plain_records) against the SDK's own RECORD
path, on the same data: the same lines, with field selection, stream maps and flattening, and
the fast path taken only where it cannot change a line."""

from __future__ import annotations

import re
import typing as t
from datetime import datetime, timezone

import pytest

from fake_cometly import FakeCometly
from tap_cometly.sdk_hooks import StreamHooks
from tap_cometly.tap import TapCometly
from tap_cometly.writer import BatchedMsgSpecWriter
from tests.helpers import TapRun, catalog_for, run_tap, tap_config

TIME_EXTRACTED = re.compile(r'"time_extracted":"([^"]+)"')
SETUP = {"sources": "all", "attribution_model": "linear", "attribution_window": 30}


@pytest.fixture
def fake(start_fake: t.Callable[..., FakeCometly]) -> FakeCometly:
    return start_fake(days=2, events_per_day=150, contacts=120, rate_limits_enabled=False)


def config_of(fake: FakeCometly, **overrides: t.Any) -> dict[str, t.Any]:
    return tap_config(
        fake, attribution_setups=[SETUP], events_requests_per_minute=100_000, **overrides
    )


def comparable(run: TapRun) -> list[str]:
    """Each RECORD line as written, its time_extracted (the moment it was written) checked and
    blanked; of any other message, its type and stream (a STATE can hold export ids, which
    differ from one run to the next)."""
    lines = []
    for line, message in zip(run.lines, run.messages, strict=True):
        if message["type"] == "RECORD":
            written = TIME_EXTRACTED.search(line)
            assert written, line
            instant = datetime.fromisoformat(written.group(1))
            assert instant.utcoffset() == timezone.utc.utcoffset(None)
            lines.append(TIME_EXTRACTED.sub('"time_extracted":"-"', line))
        else:
            lines.append(f"{message['type']} {message.get('stream', '')}")
    return lines


def record_lines(run: TapRun) -> list[str]:
    return [line for line in comparable(run) if line.startswith('{"type":"RECORD"')]


def fast_and_ordinary(
    config: dict[str, t.Any], catalog: dict[str, t.Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[TapRun, TapRun, int]:
    """The same sync as the tap runs it and with the fast path off; and how many records took
    the fast path."""
    fast_records: list[str] = []
    write_record = BatchedMsgSpecWriter.write_record

    def counted(writer: BatchedMsgSpecWriter, stream: str, *args: t.Any) -> None:
        fast_records.append(stream)
        write_record(writer, stream, *args)

    with monkeypatch.context() as patch:
        patch.setattr(BatchedMsgSpecWriter, "write_record", counted)
        fast = run_tap(config, catalog=catalog)
    with monkeypatch.context() as patch:
        patch.setattr(StreamHooks, "plain_records", property(lambda _: False))
        ordinary = run_tap(config, catalog=catalog)
    return fast, ordinary, len(fast_records)


SELECTIONS: dict[str, dict[str, list[str] | None]] = {
    "every stream, every field": {
        "events": None,
        "event_attributions": None,
        "contacts": None,
        "companies": None,
    },
    # Contacts' exports and companies' pages carry every field: the deselected ones are pruned.
    "some fields": {
        "events": ["id", "event_time_utc", "amount", "event_name"],
        "event_attributions": ["id", "event_time_utc", "touchpoint_id", "ad_id", "amount"],
        "contacts": ["id", "email", "first_seen_utc"],
        "companies": ["id"],
    },
}


@pytest.mark.parametrize("selection", list(SELECTIONS))
def test_plain_records_are_the_sdks_lines(
    fake: FakeCometly, monkeypatch: pytest.MonkeyPatch, selection: str
) -> None:
    config = config_of(fake)
    catalog = catalog_for(config, SELECTIONS[selection])
    fast, ordinary, fast_records = fast_and_ordinary(config, catalog, monkeypatch)
    assert comparable(fast) == comparable(ordinary)
    records = [m for m in fast.messages if m["type"] == "RECORD"]
    assert {m["stream"] for m in records} == set(SELECTIONS[selection])
    assert fast_records == len(records), "every record took the fast path"
    for entry in catalog["streams"]:
        fields = SELECTIONS[selection].get(entry["tap_stream_id"])
        if fields is not None:
            automatic = {
                meta["breadcrumb"][-1]
                for meta in entry["metadata"]
                if meta["breadcrumb"] and meta["metadata"].get("inclusion") == "automatic"
            }
            kept = set(fields) | automatic
            assert len(kept) < len(entry["schema"]["properties"])
            stream = [m["record"] for m in records if m["stream"] == entry["tap_stream_id"]]
            assert all(set(record) <= kept for record in stream)


def test_a_deselected_field_the_export_adds_is_pruned(
    fake: FakeCometly, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `source` without the ad hierarchy: the export is asked for ad_id too (Cometly sends
    # `source` only with an ad field), which is deselected and must go.
    config = config_of(fake, extraction_method="export")
    selected = ["id", "event_time_utc", "touchpoint_id", "source"]
    catalog = catalog_for(config, {"event_attributions": selected})
    fast, ordinary, fast_records = fast_and_ordinary(config, catalog, monkeypatch)
    # When an export's STATE comes between records depends on when it completes.
    assert record_lines(fast) == record_lines(ordinary)
    assert fast.last_state["bookmarks"] == ordinary.last_state["bookmarks"]
    records = fast.records("event_attributions")
    assert records
    assert fast_records == len(records)
    assert any(record.get("source") for record in records)
    assert all("ad_id" not in record for record in records)


MAPS: dict[str, dict[str, t.Any]] = {
    "a computed and a dropped field": {
        "stream_maps": {"events": {"double": "amount * 2 if amount else None", "order_id": None}}
    },
    "a filter": {"stream_maps": {"events": {"__filter__": "event_name == 'purchase'"}}},
    "an alias": {"stream_maps": {"events": {"__alias__": "conversions"}}},
    "a copy under another name": {
        "stream_maps": {"events": None, "events_copy": {"__source__": "events"}}
    },
    "flattening": {"flattening_enabled": True, "flattening_max_depth": 1},
}


@pytest.mark.parametrize("maps", list(MAPS))
def test_maps_and_flattening_take_the_sdks_path(
    fake: FakeCometly, monkeypatch: pytest.MonkeyPatch, maps: str
) -> None:
    config = config_of(fake, **MAPS[maps])
    catalog = catalog_for(config, {"events": None})
    fast, ordinary, fast_records = fast_and_ordinary(config, catalog, monkeypatch)
    assert fast_records == 0
    assert comparable(fast) == comparable(ordinary)
    assert [m for m in fast.messages if m["type"] == "RECORD"]


def test_the_maps_are_applied(fake: FakeCometly) -> None:
    config = config_of(fake, **MAPS["a computed and a dropped field"])
    records = run_tap(config, catalog=catalog_for(config, {"events": None})).records("events")
    assert records
    assert all("order_id" not in record for record in records)
    assert all(
        record["double"] == (record["amount"] * 2 if record["amount"] else None)
        for record in records
    )


def test_a_deselected_nested_field_takes_the_sdks_path(fake: FakeCometly) -> None:
    config = config_of(fake)
    catalog = catalog_for(config, {"contacts": None})
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == "contacts")
    entry["metadata"].append(
        {"breadcrumb": ["properties", "emails", "properties", "x"], "metadata": {"selected": False}}
    )
    nested = t.cast("StreamHooks", TapCometly(config=config, catalog=catalog).streams["contacts"])
    assert nested.deselected_fields is None
    assert not nested.plain_records
    record = {"id": 1, "emails": {"x": 1, "y": 2}}
    nested.prune_deselected(record)
    assert record == {"id": 1, "emails": {"y": 2}}, "the SDK's own pruning"
    plain_tap = TapCometly(config=config, catalog=catalog_for(config, {"contacts": ["id"]}))
    plain = t.cast("StreamHooks", plain_tap.streams["contacts"])
    assert plain.plain_records
    assert plain.deselected_fields is not None
    assert "email" in plain.deselected_fields
    assert "id" not in plain.deselected_fields
