"""`make demo`: the real pipeline, `meltano run tap-cometly target-duckdb`, on a fake Cometly Space.

1. Start the fake Cometly API with a realistic Space: 90 days in America/New_York (the spring DST
   change included), conversions with multi-touch attribution, contacts and companies.
2. `meltano run` the tap into a local DuckDB file, then check every table against the fake's
   ground truth: a target that silently loads nothing must fail the demo, not pass it.
3. Track a late purchase, let a day pass, and run again: Meltano hands the tap the bookmark it
   stored, and only the new day plus the lookback tail is read.
4. Print a short report read back from DuckDB. The fake is stopped at the end, also on failure.

Runs with the demo tools' interpreter (demo/tools: Meltano and duckdb, pinned by uv.lock).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from fake_cometly import FakeCometly, FakeConfig
from fake_cometly.vocabulary import SOURCES

# The attribution setups of the demo environment in meltano.yml.
ATTRIBUTION_MODELS = ("linear", "last_touch")

ROOT = Path(__file__).resolve().parent.parent
MELTANO = ROOT / "demo" / "tools" / ".venv" / "bin" / "meltano"
DATABASE = ROOT / "output" / "warehouse.duckdb"
SPACE_TZ = ZoneInfo("America/New_York")
FIRST_DAY = date(2024, 1, 15)
DAYS = 90
TIME_SCALE = 120.0  # a rate-limit minute lasts half a second; the tap is told the same below
API_KEY = "demo-key"


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SPACE_TZ).astimezone(timezone.utc)


def meltano(*args: str, env: dict[str, str]) -> None:
    command = [str(MELTANO), "--environment", "demo", *args]
    print(f"\n$ meltano {' '.join(args)}", flush=True)
    started = time.monotonic()
    finished = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    # The whole log of each step, as a person running it would read it.
    log = DATABASE.parent / f"meltano-{'-'.join(args[:1] + args[-2:-1])}.log"
    log.write_text(finished.stderr)
    if finished.returncode != 0:
        sys.stderr.write(finished.stdout[-3000:] + finished.stderr[-6000:])
        raise SystemExit(f"meltano {args[0]} failed with exit code {finished.returncode}")
    progress = [line for line in finished.stderr.splitlines() if "Progress of" in line]
    for line in progress[-4:]:
        # The tap's whole message, without the fields Meltano appends to each line.
        print("  " + line[line.index("Progress of") :].split(" cmd_type=", 1)[0].rstrip())
    print(f"  done in {time.monotonic() - started:.0f} s (log: {log.relative_to(ROOT)})")


def check_against_ground_truth(fake: FakeCometly, end: datetime) -> dict[str, int]:
    """Rows per table, each compared with what the fake holds; any difference fails the demo."""
    start = local_midnight(FIRST_DAY)
    expected = {
        "events": {row["id"] for row in fake.events(start, end)},
        "contacts": {row["id"] for row in fake.contacts(start, end)},
        "companies": {row["id"] for row in fake.companies()},
    }
    with duckdb.connect(str(DATABASE), read_only=True) as db:
        counts = {}
        for table, ids in expected.items():
            # Table names come from the dict above, never from input.
            loaded = {row[0] for row in db.execute(f"select id from cometly.{table}").fetchall()}  # noqa: S608
            total = db.execute(f"select count(*) from cometly.{table}").fetchone()  # noqa: S608
            if loaded != ids:
                raise SystemExit(
                    f"{table}: DuckDB holds {len(loaded)} ids, the fake {len(ids)} "
                    f"({len(ids - loaded)} missing, {len(loaded - ids)} unexpected)"
                )
            if total is None or total[0] != len(ids):
                raise SystemExit(
                    f"{table}: {total} rows for {len(ids)} ids: duplicates were loaded"
                )
            counts[table] = len(ids)
        loaded_keys = set(
            db.execute(
                "select id, touchpoint_id, attribution_model from cometly.event_attributions"
            ).fetchall()
        )
    expected_keys = {
        (row["id"], row["touchpoint_id"], model)
        for model in ATTRIBUTION_MODELS
        for row in fake.attributed_rows(start, end, SOURCES, model, 30)
    }
    if loaded_keys != expected_keys:
        raise SystemExit(
            f"event_attributions: DuckDB holds {len(loaded_keys)} rows, the fake "
            f"{len(expected_keys)} ({len(expected_keys - loaded_keys)} missing)"
        )
    counts["event_attributions"] = len(loaded_keys)
    return counts


def report() -> None:
    with duckdb.connect(str(DATABASE), read_only=True) as db:
        print("\nRevenue by day and event name (last 5 days, Space time):")
        rows = db.execute(
            """
            select cast(timezone('America/New_York', cast(event_time_utc as timestamptz)) as date)
                     as day, event_name, count(*) as events, round(sum(amount), 2) as revenue
            from cometly.events where amount > 0
            group by all order by day desc, revenue desc limit 10
            """
        ).fetchall()
        for day, name, events, revenue in rows:
            print(f"  {day}  {name:<18} {events:>5} events  {revenue:>12,.2f}")
        print("\nAttributed revenue by source and model (top 8; sum shares within one model only):")
        rows = db.execute(
            """
            select attribution_model, coalesce(source, '(unknown)'),
                   round(sum(amount), 2) as revenue
            from cometly.event_attributions
            group by all order by revenue desc limit 8
            """
        ).fetchall()
        for model, source, revenue in rows:
            print(f"  {model:<11} {source:<18} {revenue:>12,.2f}")
        print("\nAttributed revenue by campaign and model (top 8; paid touchpoints only):")
        rows = db.execute(
            """
            select attribution_model, campaign_name, round(sum(amount), 2) as revenue
            from cometly.event_attributions where campaign_name is not null
            group by all order by revenue desc limit 8
            """
        ).fetchall()
        if not rows:
            raise SystemExit("event_attributions holds no campaign names: the ad hierarchy is lost")
        for model, campaign, revenue in rows:
            print(f"  {model:<11} {campaign:<34} {revenue:>12,.2f}")


def main() -> None:
    DATABASE.parent.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    config = FakeConfig(
        seed=1, first_day=FIRST_DAY, days=DAYS, events_per_day=2000, contacts=20_000,
        companies=500, timezone=str(SPACE_TZ), time_scale=TIME_SCALE, api_key=API_KEY,
    )  # fmt: skip
    first_end = local_midnight(FIRST_DAY + timedelta(days=DAYS - 1))
    second_end = local_midnight(FIRST_DAY + timedelta(days=DAYS))
    with FakeCometly(config) as fake:
        print(f"Fake Cometly Space at {fake.base_url}: {DAYS} days from {FIRST_DAY}, {SPACE_TZ}")
        env = {
            **os.environ,
            "TAP_COMETLY_API_URL": fake.base_url,
            "TAP_COMETLY_API_KEY": API_KEY,
            "TAP_COMETLY_START_DATE": FIRST_DAY.isoformat(),
            "TAP_COMETLY_END_DATE": first_end.isoformat(),
            "TAP_COMETLY_RATE_LIMIT_WINDOW_SECONDS": str(60 / TIME_SCALE),
            "TAP_COMETLY_EXPORT_POLL_SECONDS": "0.05",
        }
        meltano("install", env=env)
        meltano("run", "--full-refresh", "tap-cometly", "target-duckdb", env=env)
        counts = check_against_ground_truth(fake, first_end)
        print(f"  DuckDB equals the fake's ground truth: {counts}")

        late = fake.add_event(
            event_name="purchase", amount=250.0, event_time_utc=first_end - timedelta(hours=1)
        )
        print(
            f"\nA late purchase (event {late['id']}, one hour before the bookmark) arrives, and a "
            "day passes."
        )
        env["TAP_COMETLY_END_DATE"] = second_end.isoformat()
        meltano("run", "tap-cometly", "target-duckdb", env=env)
        again = check_against_ground_truth(fake, second_end)
        print(f"  DuckDB equals the fake's ground truth: {again}")
        print(f"  the incremental run added {again['events'] - counts['events']} events "
              "(the new day and the late one), with no duplicates")  # fmt: skip
        report()


if __name__ == "__main__":
    main()
