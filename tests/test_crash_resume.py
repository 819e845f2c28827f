"""kill -9 at seeded points, resume from the last STATE each time: nothing is lost."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import typing as t
from pathlib import Path
from urllib.parse import urlparse

import pytest

from fake_cometly import FakeCometly
from tests.helpers import tap_config

KILLS = 3


def run_until(
    config_path: Path,
    state: dict | None,
    tmp_path: Path,
    stop_after: int | None,
    *,
    kill_after_batches: int | None = None,
) -> tuple[list[dict], bool]:
    """Run the tap; kill -9 it once `stop_after` messages (or `kill_after_batches` BATCH
    messages) came out. Returns the messages a target would have received and whether the run
    finished on its own."""
    command = [sys.executable, "-m", "tap_cometly.tap", "--config", str(config_path)]
    if state is not None:
        state_path = tmp_path / "state.json"
        state_path.write_text(json.dumps(state))
        command += ["--state", str(state_path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    messages: list[dict] = []
    batches = 0
    for line in process.stdout:
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut by the kill: a target rejects it, and so do we
        batches += messages[-1]["type"] == "BATCH"
        if (stop_after is not None and len(messages) >= stop_after) or (
            kill_after_batches is not None and batches >= kill_after_batches
        ):
            os.kill(process.pid, signal.SIGKILL)
            break
    process.stdout.close()
    stopped = stop_after is not None or kill_after_batches is not None
    finished = process.wait(timeout=120) == 0 and not stopped
    return messages, finished


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_and_resume_loses_nothing(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path, seed: int
) -> None:
    fake = start_fake(days=6, events_per_day=400, contacts=3000, companies=50)
    config = tap_config(fake, events_window_days=1, contacts_window_days=1, per_page=250)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))

    full, finished = run_until(config_path, None, tmp_path, None)
    assert finished
    total = len(full)
    chooser = random.Random(seed)
    kill_points = sorted(chooser.randint(5, total - 5) for _ in range(KILLS))

    delivered: dict[str, set[int]] = {}
    state: dict | None = None
    for kill_after in [*[b - a for a, b in zip([0, *kill_points], kill_points)], None]:
        messages, finished = run_until(
            config_path, state, tmp_path, kill_after if kill_after else None
        )
        for message in messages:
            if message["type"] == "RECORD":
                delivered.setdefault(message["stream"], set()).add(message["record"]["id"])
            elif message["type"] == "STATE":
                state = message["value"]
    assert finished

    expected_events = {row["id"] for row in fake.all_events()}
    expected_contacts = {row["id"] for row in fake.contacts()}
    assert delivered["events"] == expected_events
    assert delivered["contacts"] == expected_contacts
    assert delivered["companies"] == {row["id"] for row in fake.companies()}


def announced_ids(messages: list[dict], stream: str) -> set[int]:
    """The ids in the batch files the messages announced: what a target loads."""
    ids: set[int] = set()
    for message in messages:
        if message["type"] == "BATCH" and message["stream"] == stream:
            for url in message["manifest"]:
                with gzip.open(urlparse(url).path, "rt") as batch_file:
                    ids |= {json.loads(line)["id"] for line in batch_file}
    return ids


@pytest.mark.parametrize("extraction_method", ["list", "export"])
def test_a_batch_run_killed_between_a_file_and_its_message_resumes_losing_nothing(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path, extraction_method: str
) -> None:
    fake = start_fake(days=5, events_per_day=300, contacts=500, companies=20)
    batch_config = {
        "encoding": {"format": "jsonl", "compression": "gzip"},
        "storage": {"root": (tmp_path / "batches").as_uri(), "prefix": "batch-"},
        "batch_size": 120,  # several files a window: a kill often falls while one is written
    }
    (tmp_path / "batches").mkdir()
    config = tap_config(
        fake,
        events_window_days=1,
        contacts_window_days=1,
        extraction_method=extraction_method,
        batch_config=batch_config,
    )
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))

    delivered: dict[str, set[int]] = {"events": set(), "contacts": set()}
    state: dict | None = None
    # Killed right after its 2nd, then 4th... BATCH message: the next file is being written.
    for kills in range(1, 4):
        messages, _ = run_until(config_path, state, tmp_path, None, kill_after_batches=2 * kills)
        for stream in delivered:
            delivered[stream] |= announced_ids(messages, stream)
        states = [message["value"] for message in messages if message["type"] == "STATE"]
        state = states[-1] if states else state
    messages, finished = run_until(config_path, state, tmp_path, None)
    assert finished
    for stream in delivered:
        delivered[stream] |= announced_ids(messages, stream)

    assert delivered["events"] == {row["id"] for row in fake.all_events()}
    assert delivered["contacts"] == {row["id"] for row in fake.contacts()}
