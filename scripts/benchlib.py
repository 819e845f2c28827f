"""Pieces the benchmarks share: a fake Cometly in its own process (or in this one, when its
request log is needed), timed tap runs with their peak RSS and CPU time, and the table printer."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fake_cometly import FakeCometly

API_KEY = "bench-key"


@dataclass
class Fake:
    base_url: str
    time_scale: float

    @classmethod
    def of(cls, fake: FakeCometly) -> Fake:
        """A fake started in this process: the tap still runs in its own, so the two do not
        share a CPU core or the GIL, and the fake's request log can be read afterwards."""
        return cls(fake.base_url, fake.config.time_scale)


@contextmanager
def fake_process(*args: str, time_scale: float = 60.0) -> Iterator[Fake]:
    """A fake Cometly in a separate process (so it does not share a CPU core or the GIL)."""
    command = [
        sys.executable,
        "-m",
        "fake_cometly",
        "--port",
        "0",
        "--api-key",
        API_KEY,
        "--time-scale",
        str(time_scale),
        *args,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("FAKE_COMETLY_URL="):
            raise RuntimeError(f"the fake did not start: {line!r}")
        yield Fake(line.split("=", 1)[1], time_scale)
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class TapResult:
    seconds: float
    records: int
    peak_rss_mb: float
    states: int
    cpu_seconds: float  # user + system time of the tap process
    finished: float  # time.monotonic() when the tap exited
    log: str = ""  # the tap's stderr

    def rate_limit_waits(self) -> list[str]:
        """What the tap's Progress lines say it waited on rate limits, and any wait it logged:
        ["0 s", ...] for a run that never waited."""
        waited = re.findall(r", ([^,]+) waited on rate limits", self.log)
        return waited[-1:] + re.findall(r"Rate limit: waiting [^ ]+ s", self.log)

    def sync_seconds(self, fake: FakeCometly) -> float:
        """From the tap's first API request to its exit: the sync without start-up and
        discovery, which a time-scaled run would otherwise count many times over."""
        api = fake.requests(listener="api")
        return self.finished - api[0].time if api else self.seconds


class PeakMemory:
    """A process's own peak RSS, read from /proc/PID/status (VmHWM) while it runs.

    Not ru_maxrss: a child keeps the largest RSS it had before exec, and until exec it shares
    the parent's memory, so ru_maxrss would report this process's size (the in-process fakes
    of parts 2 and 3 make that hundreds of MB) instead of the tap's.
    """

    def __init__(self, pid: int) -> None:
        self._status = Path(f"/proc/{pid}/status")
        self._peak_kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while True:
            self.sample()
            if self._done.wait(0.05):
                return

    def sample(self) -> None:
        try:
            for line in self._status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self._peak_kib = max(self._peak_kib, int(line.split()[1]))
        except (OSError, ValueError):
            pass  # not started yet, or gone

    def stop(self) -> float:
        """The peak in MB; call it before the process is reaped."""
        self._done.set()
        self._thread.join()
        self.sample()
        return self._peak_kib / 1024


def run_tap(
    config: dict[str, Any],
    *,
    select: Sequence[str] | None = None,
    state: dict[str, Any] | None = None,
) -> TapResult:
    """Run tap-cometly as a user would; count its RECORD lines and measure its peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.json"
        config_path.write_text(json.dumps(config))
        command = [sys.executable, "-m", "tap_cometly.tap", "--config", str(config_path)]
        if state is not None:
            state_path = Path(tmp) / "state.json"
            state_path.write_text(json.dumps(state))
            command += ["--state", str(state_path)]
        if select is not None:
            catalog = json.loads(
                subprocess.run(
                    [*command, "--discover"], capture_output=True, text=True, check=True
                ).stdout
            )
            for entry in catalog["streams"]:
                for meta in entry["metadata"]:
                    if not meta["breadcrumb"]:
                        meta["metadata"]["selected"] = entry["tap_stream_id"] in select
            catalog_path = Path(tmp) / "catalog.json"
            catalog_path.write_text(json.dumps(catalog))
            command += ["--catalog", str(catalog_path)]
        log_path = Path(tmp) / "tap.log"
        started = time.perf_counter()
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
            memory = PeakMemory(process.pid)
            records = states = 0
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith(b'{"type":"RECORD"'):
                    records += 1
                elif line.startswith(b'{"type":"STATE"'):
                    states += 1
            # The tap has closed its output: its memory is as large as it gets.
            peak_rss_mb = memory.stop()
            _, status, usage = os.wait4(process.pid, 0)
        finished = time.monotonic()
        seconds = time.perf_counter() - started
        if status != 0:
            sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
            raise RuntimeError(f"tap-cometly failed with status {status}")
        return TapResult(
            seconds,
            records,
            peak_rss_mb,
            states,
            usage.ru_utime + usage.ru_stime,
            finished,
            log_path.read_text(errors="replace"),
        )


def run_tap_batched(config: dict[str, Any], stream: str) -> TapResult:
    """The tap with batch_config (gzipped JSONL files); its records counted in the files."""
    with tempfile.TemporaryDirectory() as root:
        batch = {
            "encoding": {"format": "jsonl", "compression": "gzip"},
            "storage": {"root": f"file://{root}", "prefix": "batch-"},
        }
        result = run_tap({**config, "batch_config": batch}, select=[stream])
        records = 0
        for name in Path(root).iterdir():
            with gzip.open(name, "rb") as lines:
                records += sum(1 for _ in lines)
    if result.records:
        raise RuntimeError(f"with batch_config the tap sent {result.records:,} RECORD messages")
    result.records = records
    return result


def tap_config(fake: Fake, first_day: date, days: int, **overrides: Any) -> dict[str, Any]:
    """The tap's settings for reading `days` days from `first_day` off the fake."""
    config: dict[str, Any] = {
        "api_key": API_KEY,
        "api_url": fake.base_url,
        "start_date": first_day.isoformat(),
        "end_date": (first_day + timedelta(days=days)).isoformat(),
        "timezone": "America/New_York",
        "rate_limit_window_seconds": 60 / fake.time_scale,
    }
    config.update(overrides)
    return config


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    for line in (header, ["-" * w for w in widths], *rows):
        print(
            "  "
            + "  ".join(str(cell).rjust(width) for cell, width in zip(line, widths, strict=True))
        )
