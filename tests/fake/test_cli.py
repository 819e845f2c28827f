"""python -m fake_cometly: one URL line when ready, serves, stops cleanly on a signal."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

ARGS = [
    "--port", "0", "--storage-port", "0", "--seed", "2", "--days", "3",
    "--first-day", "2024-03-09", "--events-per-day", "40", "--contacts", "300",
    "--timezone", "America/Chicago", "--time-scale", "60", "--api-key", "demo-key",
]  # fmt: skip


@pytest.fixture
def serve() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def launch(started: list[subprocess.Popen[str]], *extra: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "fake_cometly", *ARGS, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started.append(process)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    name, _, url = line.partition("=")
    assert name == "FAKE_COMETLY_URL", line
    return process, url


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_a_signal(serve: list[subprocess.Popen[str]], stop: signal.Signals) -> None:
    process, url = launch(serve, "--no-rate-limits", "--fault", "status:events_list:1:503")
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/public-api/v1")
    headers = {"Authorization": "Bearer demo-key"}
    params = {"start_date": "2024-03-10 00:00:00", "end_date": "2024-03-10 23:59:59"}
    assert (
        requests.get(url + "/events", params=params, headers=headers, timeout=10).status_code == 503
    )
    page = requests.get(url + "/events", params=params, headers=headers, timeout=10)
    assert page.status_code == 200
    assert page.json()["data"]
    process.send_signal(stop)
    assert process.wait(10) == 0
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/events", params=params, headers=headers, timeout=2)


def test_a_bad_fault_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fake_cometly", *ARGS, "--fault", "status:events_list:lots"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "status:events_list:lots" in result.stderr
    assert result.stdout == ""
