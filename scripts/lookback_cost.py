"""`python -m scripts.lookback_cost`: what a longer lookback costs an incremental events run.

One daily run from a bookmark at a Space-local midnight to the next, with lookback_hours 3 and
72, through GET /events (7 calls a minute, 4000 events each) and through day exports (5
creations a minute, one per day whatever its size), for a small and a large Space, measured on
the time-scaled fake under Cometly's limits (exports take the benchmarks' 30 API seconds to
process). Minutes are API minutes from the run's first request to its exit. The numbers behind
the default in README.md's "State and resuming".
"""

from __future__ import annotations

from datetime import date

from fake_cometly import FakeCometly
from scripts.bench import EXPORT_SCALED, NEW_YORK, SCALED, scaled_fake
from scripts.benchlib import Fake, run_tap, table, tap_config

DAYS = 8
FIRST_DAY = date(2024, 1, 1)
# The previous run ended at this Space-local midnight; this one reads the next day.
BOOKMARK = "2024-01-08T05:00:00Z"  # 2024-01-08 00:00 in New York
SPACES = {"small": 2_000, "large": 50_000}
LOOKBACKS = (3, 72)


def incremental_run(fake: FakeCometly, method: str, lookback_hours: int) -> list[str]:
    scale = fake.config.time_scale
    config = tap_config(
        Fake.of(fake),
        FIRST_DAY,
        DAYS,
        timezone=NEW_YORK,
        extraction_method=method,
        lookback_hours=lookback_hours,
        export_poll_seconds=5 / scale,
    )
    state = {"bookmarks": {"events": {"replication_key": "event_time_utc",
                                      "replication_key_value": BOOKMARK}}}  # fmt: skip
    fake.clear_log()
    fake.reset_rate_limits()
    result = run_tap(config, select=["events"], state=state)
    list_calls = fake.count(family="events_list")
    creates = fake.count(family="export_create")
    return [
        f"{lookback_hours} h",
        method,
        f"{result.records:,}",
        str(list_calls),
        str(creates),
        f"{result.sync_seconds(fake) * scale / 60:.1f}",
        str(fake.count(status=429)),
    ]


def main() -> None:
    rows = []
    for space, per_day in SPACES.items():
        for method, scale in (("list", SCALED), ("export", EXPORT_SCALED)):
            with FakeCometly(scaled_fake(DAYS, per_day, time_scale=scale)) as fake:
                for lookback in LOOKBACKS:
                    rows.append(
                        [f"{space} ({per_day:,}/day)", *incremental_run(fake, method, lookback)]
                    )
    table(
        "Incremental run of one day from a midnight bookmark (API minutes, real limits)",
        ["space", "lookback", "path", "records", "list calls", "creations", "minutes", "429s"],
        rows,
    )


if __name__ == "__main__":
    main()
