"""`make demo`: the fake Cometly Space, the tap run against it twice, and what came out.

1. Start the fake API with a seeded Space (America/New_York, spring DST change inside the range).
2. Run `tap-cometly` over the whole range and check the events against the fake's ground truth.
3. Track a few new (and one late) events, run again from the first run's state, and show that only
   the new events plus the lookback tail come back.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fake_cometly import FakeCometly, FakeConfig

FIRST_DAY = date(2024, 2, 15)
DAYS = 30
SPACE_TZ = "America/New_York"
TIME_SCALE = 60.0  # a rate-limit minute lasts one second; the tap is told the same below


def run_tap(
    config_path: Path, state: dict[str, Any] | None, workdir: Path, label: str
) -> list[dict]:
    """Run the tap as a user would and return its Singer messages."""
    command = [sys.executable, "-m", "tap_cometly.tap", "--config", str(config_path)]
    if state is not None:
        state_path = workdir / f"state-{label}.json"
        state_path.write_text(json.dumps(state))
        command += ["--state", str(state_path)]
    log_path = workdir / f"tap-{label}.log"
    with log_path.open("w") as log:
        finished = subprocess.run(command, stdout=subprocess.PIPE, stderr=log, check=False)
    if finished.returncode != 0:
        sys.stderr.write(log_path.read_text()[-4000:])
        raise SystemExit(f"tap-cometly failed ({label} run), exit code {finished.returncode}")
    return [json.loads(line) for line in finished.stdout.splitlines() if line.strip()]


def summarize(label: str, messages: list[dict]) -> dict[str, Any]:
    records = [m for m in messages if m["type"] == "RECORD"]
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    per_stream = Counter(m["stream"] for m in records)
    print(f"\n== {label}: {len(records)} records, {len(states)} STATE messages")
    for stream, count in sorted(per_stream.items()):
        print(f"   {stream:<20} {count:>8} records")
    return states[-1] if states else {}


def revenue_report(messages: list[dict]) -> None:
    events = [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == "events"]
    revenue: Counter[str] = Counter()
    for event in events:
        revenue[event.get("event_name") or "?"] += float(event.get("amount") or 0)
    print("\n   revenue by event name (top 5):")
    for name, amount in revenue.most_common(5):
        print(f"     {name:<24} {amount:>14,.2f}")
    attributed: Counter[str] = Counter()
    for message in messages:
        if message["type"] == "RECORD" and message["stream"] == "event_attributions":
            row = message["record"]
            attributed[row.get("source") or "(source not returned)"] += float(
                row.get("amount") or 0
            )
    if attributed:
        print("   attributed revenue (linear, 30 days) by source (top 5):")
        for source, amount in attributed.most_common(5):
            print(f"     {source:<24} {amount:>14,.2f}")


def main() -> None:
    fake_config = FakeConfig(
        seed=1,
        first_day=FIRST_DAY,
        days=DAYS,
        events_per_day=2000,
        contacts=5000,
        timezone=SPACE_TZ,
        time_scale=TIME_SCALE,
        api_key="demo-key",
    )
    end = datetime.combine(FIRST_DAY + timedelta(days=DAYS), datetime.min.time())
    with FakeCometly(fake_config) as fake, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config = {
            "api_key": "demo-key",
            "api_url": fake.base_url,
            "start_date": FIRST_DAY.isoformat(),
            "end_date": end.isoformat(),
            "timezone": SPACE_TZ,
            "rate_limit_window_seconds": 60 / TIME_SCALE,
            "export_poll_seconds": 0.05,
            "attribution_setups": [
                {"sources": "all", "attribution_model": "linear", "attribution_window": 30}
            ],
        }
        config_path = workdir / "config.json"
        config_path.write_text(json.dumps(config))
        print(f"Fake Cometly Space at {fake.base_url}: {DAYS} days from {FIRST_DAY}, {SPACE_TZ}")

        first = run_tap(config_path, None, workdir, "full")
        state = summarize("First run (full backfill)", first)
        revenue_report(first)
        expected = {row["id"] for row in fake.all_events()}
        got = {
            m["record"]["id"] for m in first if m["type"] == "RECORD" and m["stream"] == "events"
        }
        if got != expected:
            raise SystemExit(
                f"events differ from the fake's ground truth: {len(expected - got)} missing, "
                f"{len(got - expected)} unexpected"
            )
        print(f"   events equal the fake's ground truth: {len(got)} ids, none missing or extra")
        print(f"   bookmark: {json.dumps(state.get('bookmarks', {}).get('events', {}))}")

        range_end = datetime.fromisoformat(
            state["bookmarks"]["events"]["replication_key_value"].replace("Z", "+00:00")
        )
        late = fake.add_event(
            event_name="purchase", amount=250.0, event_time_utc=range_end - timedelta(hours=1)
        )
        print(
            f"\nA purchase tracked late (event {late['id']}, timed one hour before the bookmark) "
            "arrives after the first run."
        )
        second = run_tap(config_path, state, workdir, "incremental")
        summarize("Second run (from the first run's state)", second)
        new_ids = {
            m["record"]["id"] for m in second if m["type"] == "RECORD" and m["stream"] == "events"
        }
        print(
            f"   the late event came back: {late['id'] in new_ids}; "
            f"{len(new_ids)} events read again in the 3 h lookback tail"
        )


if __name__ == "__main__":
    main()
