"""Part 1 of `make bench`: the record path, measured against a yardstick that is not the server.

The fake renders every page per request, so a raw client reading it mostly waits for it. Here
every contender reads from scripts/replay_server.py, which keeps each answer's bytes after the
first time it is asked (a warm-up run per contender renders them): the measured runs are served
from memory. For each path (GET /events, a day export's gzipped NDJSON of a million events,
event_attributions) one run prints three figures side by side: the server's ceiling (the raw
client's requests replayed, bytes read, nothing parsed), the minimal raw client
(scripts/raw_client.py) with the share of its time spent waiting on the server, and tap-cometly
(process start included), its pacing lifted and checked to have waited 0 s on rate limits. The
list and export paths also run the tap with batch_config (gzipped JSONL files, BATCH messages)
against the same raw client, which writes RECORD lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import requests

from scripts.benchlib import (
    API_KEY,
    Fake,
    TapResult,
    fake_process,
    run_tap,
    run_tap_batched,
    table,
    tap_config,
)
from scripts.raw_client import ATTRIBUTION

FIRST_DAY = date(2024, 1, 1)
# The raw client may spend at most this share of its time waiting on the server, or the ratio
# measures the server rather than the tap.
MAX_WAIT_SHARE = 1 / 3
# The export path reads one day export of a million events: the fake's FIRST_DAY with this
# setting holds 1,000,047 as generated (a day varies around events_per_day).
EXPORT_EVENTS_PER_DAY = 863_000
EXPORT_EVENTS = 1_000_000
# The raw client's attribution filters as the tap's attribution setup.
ATTRIBUTION_SETUP = {
    "sources": ATTRIBUTION["sources[]"],
    "attribution_model": ATTRIBUTION["attribution_model"],
    "attribution_window": ATTRIBUTION["attribution_window"],
}
LIFTED = {
    "events_requests_per_minute": 1_000_000,
    "export_creates_per_minute": 1_000_000,
    "export_status_requests_per_minute": 1_000_000,
    "rate_limit_window_seconds": 0.01,
    "export_poll_seconds": 0.05,
}


@contextmanager
def replay_process(upstream: str) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.replay_server", upstream], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("REPLAY_URL="):
            raise RuntimeError(f"the replay server did not start: {line!r}")
        yield line.split("=", 1)[1]
    finally:
        process.terminate()
        process.wait(timeout=30)


def replay_stats(base_url: str, *, reset: bool = False) -> dict[str, Any]:
    if reset:
        requests.post(f"{base_url}/_replay/reset", timeout=30).raise_for_status()
    answer = requests.get(f"{base_url}/_replay/stats", timeout=30)
    answer.raise_for_status()
    return answer.json()


@dataclass
class Raw:
    records: int
    seconds: float  # wall time of the process, start-up included
    wait_seconds: float
    requests: list[Any]

    @property
    def wait_share(self) -> float:
        return self.wait_seconds / self.seconds


def raw_client(mode: str, base_url: str, *args: str) -> Raw:
    finished = subprocess.run(
        [sys.executable, "-m", "scripts.raw_client", mode, base_url, API_KEY, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode:
        sys.stderr.write(finished.stderr[-4000:])
        raise SystemExit(f"raw client {mode} failed")
    out = json.loads(finished.stdout)
    return Raw(out["records"], out["seconds"], out["wait_seconds"], out["requests"])


def ceiling(base_url: str, raw: Raw) -> float:
    """Seconds the replay server takes to hand over the raw client's bytes."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as made:
        json.dump(raw.requests, made)
        made.flush()
        return raw_client("ceiling", base_url, made.name).seconds


@dataclass
class PathResult:
    path: str
    ceiling_rate: float
    raw: Raw
    tap: TapResult
    tap_start_up: float  # seconds from the tap's process start to its first request

    def row(self) -> list[str]:
        tap_rate = self.tap.records / self.tap.seconds
        waits = self.tap.rate_limit_waits()
        waited = "0 s" if all(w == "0 s" for w in waits[:1]) and len(waits) <= 1 else "WAITED"
        raw_rate = self.raw.records / self.raw.seconds
        meaningful = self.raw.wait_share <= MAX_WAIT_SHARE
        return [
            self.path,
            f"{self.ceiling_rate:,.0f}",
            f"{raw_rate:,.0f} ({self.raw.wait_share:.0%})",
            f"{tap_rate:,.0f}",
            f"{tap_rate / raw_rate:.2f}",
            f"{self.tap_start_up:.2f}",
            "yes" if meaningful else "NO: raw client waits on the server",
            f"{self.tap.peak_rss_mb:.0f}",
            waited,
        ]


def measured(
    replay: str,
    path: str,
    *,
    mode: str,
    raw_args: Sequence[str],
    config: dict[str, Any],
    stream: str,
) -> PathResult:
    """Warm the replay server with the raw client (it asks what the tap asks), then measure
    each contender with nothing rendered."""
    raw_client(mode, replay, *raw_args)
    replay_stats(replay, reset=True)
    raw = raw_client(mode, replay, *raw_args)
    ceiling_seconds = ceiling(replay, raw)
    served_from_memory(replay, path, reset=True)
    tap = run_tap(config, select=[stream])
    start_up = start_up_of(replay, path, tap)
    if tap.records != raw.records:
        raise SystemExit(f"{path}: the tap emitted {tap.records:,} records, raw {raw.records:,}")
    return PathResult(path, raw.records / ceiling_seconds, raw, tap, start_up)


def served_from_memory(replay: str, path: str, *, reset: bool = False) -> dict[str, Any]:
    """The replay server's stats, checked to show no request reached the fake since the last
    reset (which follows if asked)."""
    stats = replay_stats(replay)
    if stats["misses"]:
        raise SystemExit(
            f"{path}: {stats['misses']} requests reached the fake in measured runs: "
            f"{stats['missed']}"
        )
    if reset:
        replay_stats(replay, reset=True)
    return stats


def start_up_of(replay: str, path: str, tap: TapResult) -> float:
    """Seconds from the tap's process start to its first request, the replay server's stats
    checked and reset."""
    first_request = served_from_memory(replay, path, reset=True)["first_at"]
    return float(first_request) - (tap.finished - tap.seconds)


def batched(replay: str, config: dict[str, Any], beside: PathResult) -> PathResult:
    """The tap with batch_config (records in gzipped JSONL files, counted afterwards), beside
    the ceiling and the raw client of the same path (which writes RECORD lines)."""
    path = f"{beside.path}, batch_config"
    tap = run_tap_batched(config, "events")
    start_up = start_up_of(replay, path, tap)
    if tap.records != beside.raw.records:
        raise SystemExit(f"{path}: {tap.records:,} records, raw {beside.raw.records:,}")
    return PathResult(path, beside.ceiling_rate, beside.raw, tap, start_up)


def fake_args(days: int, per_day: int, contacts: int = 10) -> list[str]:
    return [
        "--no-rate-limits",
        "--days",
        str(days),
        "--events-per-day",
        str(per_day),
        "--first-day",
        FIRST_DAY.isoformat(),
        "--contacts",
        str(contacts),
        "--timezone",
        "UTC",
        "--export-polls-queued",
        "0",
        "--export-polls-processing",
        "0",
        "--export-processing-seconds",
        "0",
    ]


def list_paths(days: int, per_day: int) -> list[PathResult]:
    span = (FIRST_DAY.isoformat(), str(days))
    with fake_process(*fake_args(days, per_day)) as fake, replay_process(fake.base_url) as replay:
        config = tap_config(
            Fake(replay, fake.time_scale),
            FIRST_DAY,
            days,
            timezone="UTC",
            extraction_method="list",
            **LIFTED,
        )
        results = [
            measured(
                replay,
                "events, list",
                mode="list",
                raw_args=span,
                config=config,
                stream="events",
            )
        ]
        results.append(batched(replay, config, results[0]))
        attributed = {**config, "attribution_setups": [ATTRIBUTION_SETUP]}
        results.append(
            measured(
                replay,
                "event_attributions",
                mode="attributions",
                raw_args=span,
                config=attributed,
                stream="event_attributions",
            )
        )
    return results


def export_paths(per_day: int, *, least: int) -> list[PathResult]:
    """One day export, through the raw client and the tap, and the tap with batch_config."""
    with fake_process(*fake_args(1, per_day)) as fake, replay_process(fake.base_url) as replay:
        config = tap_config(
            Fake(replay, fake.time_scale),
            FIRST_DAY,
            1,
            timezone="UTC",
            extraction_method="export",
            **LIFTED,
        )
        exported = measured(
            replay,
            "events, export",
            mode="export",
            raw_args=[FIRST_DAY.isoformat()],
            config=config,
            stream="events",
        )
        if exported.tap.records < least:
            raise SystemExit(f"the day export holds {exported.tap.records:,} events, not {least:,}")
        return [exported, batched(replay, config, exported)]


def compile_bytecode() -> None:
    """Write the .pyc files a user's install has: with PYTHONDONTWRITEBYTECODE set (as on this
    machine) every tap start would compile some 350 modules again, about 3 s of start-up that
    the raw client, importing far less, barely pays. Quick once done."""
    packages = [sysconfig.get_paths()["purelib"], "tap_cometly", "fake_cometly", "scripts"]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j0", *packages],
        stdout=subprocess.DEVNULL,
        check=True,
    )


def record_path(list_days: int, per_day: int, export_events: int, least: int = 0) -> None:
    compile_bytecode()
    results = [*list_paths(list_days, per_day), *export_paths(export_events, least=least)]
    table(
        f"1. Record path, served from memory by a replay server ({results[0].tap.records:,} "
        f"events listed, {results[-1].tap.records:,} in one day export; records/s, wall time "
        "with start-up; the raw client's share of time waiting on the server in brackets)",
        [
            "path",
            "server ceiling",
            "raw client (wait)",
            "tap",
            "tap/raw",
            "tap start-up s",
            "meaningful?",
            "tap RSS MB",
            "tap rate-limit wait",
        ],
        [result.row() for result in results],
    )
    print(
        "  server ceiling: the raw client's requests replayed, bytes read, nothing parsed.\n"
        "  tap start-up: from its process start to its first request (imports, settings, "
        "catalog), counted in its rate.\n"
        f"  meaningful: the raw client waits at most {MAX_WAIT_SHARE:.0%} of its time on the "
        "server. Goal: tap/raw >= 0.60."
    )
    if any(w != "0 s" for result in results for w in result.tap.rate_limit_waits()):
        raise SystemExit("the tap waited on rate limits in the record path")


if __name__ == "__main__":
    if "--quick" in sys.argv:
        record_path(list_days=2, per_day=10_000, export_events=50_000)
    else:
        record_path(
            list_days=4,
            per_day=50_000,
            export_events=EXPORT_EVENTS_PER_DAY,
            least=EXPORT_EVENTS,
        )
