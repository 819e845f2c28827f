"""kill -9 at seeded points, resume from the last STATE each time: nothing is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

from fake_cometly import FakeCometly
from tests.helpers import tap_config

KILLS = 3


def run_until(
    config_path: Path, state: dict | None, tmp_path: Path, stop_after: int | None
) -> tuple[list[dict], bool]:
    """Run the tap; kill -9 it once `stop_after` messages came out. Returns the messages a
    target would have received and whether the run finished on its own."""
    command = [sys.executable, "-m", "tap_cometly.tap", "--config", str(config_path)]
    if state is not None:
        state_path = tmp_path / "state.json"
        state_path.write_text(json.dumps(state))
        command += ["--state", str(state_path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    messages: list[dict] = []
    for line in process.stdout:
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut by the kill: a target rejects it, and so do we
        if stop_after is not None and len(messages) >= stop_after:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.stdout.close()
    finished = process.wait(timeout=120) == 0 and stop_after is None
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
