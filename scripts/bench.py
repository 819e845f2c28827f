"""`make bench`: the tap's speed and memory against the fake Cometly, side by side in one run.

1. Record path: tap-cometly against a minimal raw client on the same events (rate limits off).
4. Growth: time and peak memory at 1x, 4x and 16x the data.
(Parts 2 and 3 -- backfills under the real limits, and export memory -- follow in later sections.)
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, timedelta

from scripts.benchlib import API_KEY, fake_process, run_tap, table, tap_config

FIRST_DAY = date(2024, 1, 1)
UNLIMITED = {
    "events_requests_per_minute": 1_000_000,
    "rate_limit_window_seconds": 0.001,
}


def raw_client(base_url: str, days: int) -> tuple[float, int]:
    end = FIRST_DAY + timedelta(days=days)
    started = time.perf_counter()
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.raw_client",
            base_url,
            API_KEY,
            f"{FIRST_DAY} 00:00:00",
            f"{end} 00:00:00",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, int(finished.stdout)


def record_path(days: int, per_day: int) -> None:
    args = [
        "--no-rate-limits",
        "--days",
        str(days),
        "--events-per-day",
        str(per_day),
        "--first-day",
        FIRST_DAY.isoformat(),
        "--contacts",
        "10",
        "--timezone",
        "UTC",
    ]
    with fake_process(*args) as fake:
        raw_client(fake.base_url, days)  # warm the fake's day cache for both contenders
        config = tap_config(
            fake,
            start_date=FIRST_DAY.isoformat(),
            end_date=(FIRST_DAY + timedelta(days=days)).isoformat(),
            timezone="UTC",
            **UNLIMITED,
        )
        raw_seconds, raw_rows = raw_client(fake.base_url, days)
        tap = run_tap(config, select=["events"])
    raw_rate = raw_rows / raw_seconds
    tap_rate = tap.records / tap.seconds
    table(
        f"1. Record path: {tap.records:,} events, rate limits off (wall time incl. start-up)",
        ["client", "records", "seconds", "records/s", "peak RSS MB"],
        [
            ["raw requests+json", f"{raw_rows:,}", f"{raw_seconds:.1f}", f"{raw_rate:,.0f}", "-"],
            [
                "tap-cometly",
                f"{tap.records:,}",
                f"{tap.seconds:.1f}",
                f"{tap_rate:,.0f}",
                f"{tap.peak_rss_mb:.0f}",
            ],
        ],
    )
    print(f"  ratio tap/raw: {tap_rate / raw_rate:.2f} (goal >= 0.60)")
    if tap.records != raw_rows:
        raise SystemExit(f"record counts differ: tap {tap.records} vs raw {raw_rows}")


def growth(days: int, per_day: int) -> None:
    rows = []
    for factor in (1, 4, 16):
        args = [
            "--no-rate-limits",
            "--days",
            str(days * factor),
            "--events-per-day",
            str(per_day),
            "--first-day",
            FIRST_DAY.isoformat(),
            "--contacts",
            "10",
            "--timezone",
            "UTC",
        ]
        with fake_process(*args) as fake:
            config = tap_config(
                fake,
                start_date=FIRST_DAY.isoformat(),
                end_date=(FIRST_DAY + timedelta(days=days * factor)).isoformat(),
                timezone="UTC",
                **UNLIMITED,
            )
            result = run_tap(config, select=["events"])
        rows.append(
            [
                f"{factor}x",
                f"{result.records:,}",
                f"{result.seconds:.1f}",
                f"{result.seconds / result.records * 1e6:.1f}",
                f"{result.peak_rss_mb:.0f}",
            ]
        )
    table(
        "4. Growth: events at 1x, 4x, 16x (time per record should stay flat, memory too)",
        ["data", "records", "seconds", "us/record", "peak RSS MB"],
        rows,
    )


def main() -> None:
    quick = "--quick" in sys.argv
    record_path(days=4 if quick else 20, per_day=10_000 if quick else 50_000)
    growth(days=1, per_day=5_000 if quick else 20_000)


if __name__ == "__main__":
    main()
