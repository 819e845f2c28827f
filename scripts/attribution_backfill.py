"""Part 5 of `make bench`: event_attributions backfills, list against export against auto.

Two setups with every source (four source groups each, so 8 requests or exports per day) over a
small Space (2,000 events a day) and a large one (50,000), under Cometly's limits on the
time-scaled fake, in API minutes against the least those limits allow. Each path is measured
over a few days (a large Space's list run costs about 15 API minutes a day) and extrapolated to
30 and 90 days with its measured ratio to the least possible, as part 3b does.
`python -m scripts.attribution_backfill [--quick]` runs this part alone.
"""

from __future__ import annotations

import math
import sys

from fake_cometly import FakeCometly
from scripts.bench import Backfill, backfill, least_possible, scaled_fake
from scripts.benchlib import table

STREAM = "event_attributions"
SETUPS = [
    {"sources": "all", "attribution_model": "linear", "attribution_window": 30},
    {"sources": "all", "attribution_model": "last_touch", "attribution_window": 7},
]
METHODS = ("list", "export", "auto")
# API time runs this much faster: a small Space's calls are light; a large one's list pages
# (4000 events) and day files (50,000 events a setup) are CPU that must fit between calls.
SMALL_SCALE = 20.0
LARGE_LIST_SCALE, LARGE_EXPORT_SCALE = 10.0, 2.0
EXTRAPOLATED_DAYS = (30, 90)
HEADER = ("Space", "days", "path: calls", "records", "minutes", "least", "ratio", "429s", "how")


def measure(per_day: int, days: int, list_scale: float, export_scale: float) -> dict[str, Backfill]:
    """Each method over the same `days` days; auto runs at the export runs' scale."""
    runs = {}
    for method, scale in (("list", list_scale), ("export", export_scale), ("auto", export_scale)):
        with FakeCometly(scaled_fake(days, per_day, time_scale=scale)) as fake:
            runs[method] = backfill(
                fake, method, STREAM, extraction_method=method, attribution_setups=SETUPS
            )
    counts = {method: run.records for method, run in runs.items()}
    if len(set(counts.values())) != 1:
        raise SystemExit(f"the paths disagree on the rows of {days} days: {counts}")
    return runs


def extrapolated_minutes(run: Backfill, days: int, measured_days: int) -> float:
    """API minutes of `days` days at the run's measured ratio to the least possible."""
    creates = math.ceil(run.creates / measured_days * days)
    # An export run's list calls are auto's one probe, whatever the days.
    calls = math.ceil(run.list_calls / measured_days * days) if not run.creates else run.list_calls
    return least_possible(calls, creates) * run.ratio / 60


def rows_of(space: str, per_day: int, days: int, runs: dict[str, Backfill]) -> list[list[str]]:
    rows = []
    for run in runs.values():
        what, calls, *figures = run.row()
        rows.append([space, f"{days}", f"{what}: {calls}", *figures, "measured"])
    for target in EXTRAPOLATED_DAYS:
        if target == days:
            continue
        minutes = {m: extrapolated_minutes(run, target, days) for m, run in runs.items()}
        best = min(minutes["list"], minutes["export"])
        rows.append(
            [
                space,
                f"{target}",
                "list / export / auto",
                f"~{per_day * target:,} events",
                " / ".join(f"{minutes[m]:.0f}" for m in METHODS),
                f"{best:.0f} (best path)",
                f"{minutes['auto'] / best:.2f}",
                "-",
                "extrapolated",
            ]
        )
    return rows


def attribution_backfill(quick: bool) -> None:
    small_days, large_days, large_per_day = (3, 3, 10_000) if quick else (30, 3, 50_000)
    small = measure(2_000, small_days, SMALL_SCALE, SMALL_SCALE)
    large = measure(large_per_day, large_days, LARGE_LIST_SCALE, LARGE_EXPORT_SCALE)
    table(
        "5. event_attributions backfills, 2 setups x all sources (4 source groups each): "
        "minutes of API time",
        HEADER,
        [
            *rows_of("2,000/day", 2_000, small_days, small),
            *rows_of(f"{large_per_day:,}/day", large_per_day, large_days, large),
        ],
    )
    print(
        "  least possible: the busier budget (list calls at 7 a minute, creations at 5, plus\n"
        "  the last export's processing); extrapolated rows: each path's least possible for\n"
        "  those days times its measured ratio; their ratio column is auto against the best\n"
        "  path. auto: exports when the last settled day takes 2 or more list pages (one probe\n"
        "  call), else the list."
    )
    rejected = sum(run.rejected for runs in (small, large) for run in runs.values())
    if rejected:
        raise SystemExit(f"the fake answered {rejected} requests with 429")


if __name__ == "__main__":
    attribution_backfill(quick="--quick" in sys.argv)
