"""With batch_config, a STATE comes after the BATCH messages of the files holding its rows."""

from __future__ import annotations

import gzip
import json
import typing as t
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

import pytest

from fake_cometly import FakeCometly
from tap_cometly.errors import ConfigError
from tap_cometly.exports.download import GZIP_MAGIC
from tests.helpers import TapRun, catalog_for, run_tap, tap_config


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def ids_in(manifest: list[str]) -> set[int]:
    ids: set[int] = set()
    for url in manifest:
        with gzip.open(urlparse(url).path, "rt") as batch_file:
            ids |= {json.loads(line)["id"] for line in batch_file}
    return ids


def rows_with_times(fake: FakeCometly, stream: str) -> list[tuple[int, datetime]]:
    if stream == "contacts":
        return [(row["id"], parse_utc(row["created_at"])) for row in fake.contacts()]
    return [(row["id"], parse_utc(row["event_time_utc"])) for row in fake.all_events()]


@pytest.mark.parametrize(
    ("stream", "extraction_method"),
    [("events", "list"), ("events", "export"), ("contacts", "export")],
)
def test_each_window_state_follows_the_batch_files_of_its_rows(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path, stream: str, extraction_method: str
) -> None:
    fake = start_fake(days=4, events_per_day=100, contacts=200)
    rows = rows_with_times(fake, stream)
    batch_config = {
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": tmp_path.as_uri(), "prefix": "batch-"},
        "batch_size": 250,  # more than a day's events: only a window's end closes a file
    }
    config = tap_config(
        fake,
        events_window_days=1,
        contacts_window_days=1,
        extraction_method=extraction_method,
        batch_config=batch_config,
    )
    run = run_tap(config, catalog=catalog_for(config, {stream: None}))

    announced: set[int] = set()
    bookmarks = []
    for message in run.messages:
        if message["type"] == "BATCH":
            announced |= ids_in(message["manifest"])
        elif message["type"] == "STATE":
            bookmark = message["value"]["bookmarks"][stream].get("replication_key_value")
            if bookmark is None:
                continue
            bookmarks.append(bookmark)
            covered = {row_id for row_id, time in rows if time < parse_utc(bookmark)}
            assert covered <= announced, f"STATE {bookmark} came before some of its rows"
    assert len(set(bookmarks)) == 4, "one bookmark per day"
    assert announced == {row_id for row_id, _ in rows}


def batch_config_in(root: Path, compression: str | None = "gzip") -> dict[str, t.Any]:
    encoding = {"format": "jsonl"}
    if compression is not None:
        encoding["compression"] = compression
    return {
        "encoding": encoding,
        "storage": {"root": root.as_uri(), "prefix": "batch-"},
        "batch_size": BATCH_SIZE,
    }


BATCH_SIZE = 100
# The gzip header's XFL byte for the fastest compression (RFC 1952).
GZIP_FASTEST = 4


def batch_rows(run: TapRun, *, gzipped: bool = True) -> dict[str, list[dict[str, t.Any]]]:
    """Each stream's rows, from the files of its BATCH messages in order."""
    rows: dict[str, list[dict[str, t.Any]]] = {}
    sizes: list[int] = []
    for message in run.messages:
        if message["type"] == "BATCH":
            for url in message["manifest"]:
                path = Path(urlparse(url).path)
                head = path.read_bytes()[:10]
                assert head.startswith(GZIP_MAGIC) is gzipped, path.name
                if gzipped:
                    assert head[8] == GZIP_FASTEST, "gzip's header: compressed at level 1"
                assert path.name.endswith(".json.gz" if gzipped else ".json"), path.name
                with gzip.open(path, "rt") if gzipped else path.open() as batch_file:
                    in_file = [json.loads(line) for line in batch_file]
                assert 0 < len(in_file) <= BATCH_SIZE, path.name
                sizes.append(len(in_file))
                rows.setdefault(message["stream"], []).extend(in_file)
    assert BATCH_SIZE in sizes, "files fill up to batch_size"
    return rows


@pytest.mark.parametrize("compression", ["gzip", "none", None])
def test_batch_files_hold_the_records_the_record_messages_carry(
    fake: FakeCometly, tmp_path: Path, compression: str | None
) -> None:
    config = tap_config(fake)
    catalog = catalog_for(config, {"events": None, "contacts": None, "companies": None})
    records = run_tap(config, catalog=catalog)
    batched = run_tap(
        {**config, "batch_config": batch_config_in(tmp_path, compression)}, catalog=catalog
    )
    assert "RECORD" not in {message["type"] for message in batched.messages}
    rows = batch_rows(batched, gzipped=compression == "gzip")
    for stream in ("events", "contacts", "companies"):
        assert rows[stream] == records.records(stream), stream
    assert batched.last_state["bookmarks"] == records.last_state["bookmarks"]


def test_a_batch_compression_the_files_cannot_have_is_refused(
    fake: FakeCometly, tmp_path: Path
) -> None:
    config = tap_config(fake, batch_config=batch_config_in(tmp_path, "zstd"))
    with pytest.raises(ConfigError, match=r"encoding.compression is 'zstd'.*gzip or none"):
        run_tap(config)


def test_batch_files_hold_only_the_selected_fields(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path
) -> None:
    fake = start_fake(days=2, events_per_day=150, contacts=80)
    config = tap_config(fake, batch_config=batch_config_in(tmp_path))
    selected: dict[str, list[str] | None] = {
        "events": ["id", "event_time_utc", "amount"],
        "contacts": ["id", "email", "created_at"],  # phone, name and location stay out
        "companies": ["id"],
    }
    rows = batch_rows(run_tap(config, catalog=catalog_for(config, selected)))
    assert len(rows["contacts"]) == len(fake.contacts())
    assert len(rows["events"]) == len(fake.all_events())
    for stream, fields in selected.items():
        assert rows[stream], stream
        assert all(set(row) == set(fields or ()) for row in rows[stream]), stream


@pytest.mark.parametrize(
    "setting",
    [
        {"stream_maps": {"contacts": {"phone": "__NULL__"}}},
        {"flattening_enabled": True, "flattening_max_depth": 1},
    ],
)
def test_batch_config_with_stream_maps_or_flattening_is_refused(
    fake: FakeCometly, tmp_path: Path, setting: dict[str, t.Any]
) -> None:
    config = tap_config(fake, batch_config=batch_config_in(tmp_path), **setting)
    with pytest.raises(ConfigError, match=r"batch_config.*(stream_maps|flattening_enabled)"):
        run_tap(config)
