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
from tests.helpers import catalog_for, run_tap, tap_config


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
