"""`make bench`: the tap's speed and memory against the fake Cometly, side by side in one run.

1. Record path (scripts/record_path.py): for GET /events, a day export and event_attributions,
   the server's ceiling, a minimal raw client and tap-cometly side by side, all served from
   memory by scripts/replay_server.py; the tap with batch_config too.
2. Backfills under Cometly's real per-minute limits, time-scaled: events through GET /events,
   the same events through day exports, and contacts through exports, each against the least
   time those limits allow, with the 429s the fake answered (there must be none).
3. Memory and the export speed-up: peak RSS of a one-million-contact export and of a long events
   run through exports (both must stay flat, under 150 MB), and export against list for 90 days
   of 50,000 events (measured on fewer days, then extrapolated to 90 at real time).
   `python -m scripts.bench --speed-up-90` measures the 90 days themselves (about 30 minutes).
4. Growth: time per record and peak memory at 1x, 4x and 16x the data, on every path
   (scripts/growth.py).
5. event_attributions backfills, list against export against auto (scripts/attribution_backfill.py).

`python -m scripts.bench --quick` runs every part on a fraction of the data: a smoke test.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from datetime import date

from fake_cometly import FakeCometly, FakeConfig
from scripts.benchlib import API_KEY, Fake, TapResult, run_tap, table, tap_config
from scripts.growth import growth
from scripts.record_path import EXPORT_EVENTS, EXPORT_EVENTS_PER_DAY, LIFTED, record_path

FIRST_DAY = date(2024, 1, 1)


# Parts 2 and 3: Cometly's budgets per minute and what a run may cost.
LIST_CALLS, CREATES = 7, 5
WINDOW = 60.0  # API seconds
# API seconds Cometly takes to process an export whatever the client does ("seconds to a few
# minutes"): the fake keeps each export processing this long.
EXPORT_PROCESSING = 30.0
EFFICIENCY_GOAL = 1.2
PEAK_RSS_LIMIT_MB = 150
# API time runs this much faster in parts 2 and 3b: slow enough that the fake's and the tap's CPU
# per call (a 4000-event page, a day's export file) stays well inside the budgets' spacing.
SCALED = 10.0
# Contacts come 100,000 in a few files: reading them is CPU time that the budgets' spacing does
# not hide, so their run goes at a gentler pace to keep it from weighing tenfold.
CONTACTS_SCALED = 3.0
# The same for 3b's exports of 50,000-event days: the tap reads a day in about 3 s of CPU, which
# must fit in the 12 API s between two creations.
EXPORT_SCALED = 2.0
NEW_YORK = "America/New_York"


def list_minimum(calls: int) -> float:
    """API seconds the list budget needs for `calls` calls: 7 at once, 7 more each window."""
    return (math.ceil(calls / LIST_CALLS) - 1) * WINDOW


def export_minimum(creates: int) -> float:
    """API seconds exports need: the creations at 5 a window, then the last one's processing.
    (The status checks, 30 a window, never bind: one per export is enough.)"""
    return (math.ceil(creates / CREATES) - 1) * WINDOW + EXPORT_PROCESSING


def least_possible(list_calls: int, creates: int) -> float:
    """The busier budget's least time for a run's calls (auto's probe adds a list call to an
    export run)."""
    return max(
        list_minimum(list_calls) if list_calls else 0.0,
        export_minimum(creates) if creates else 0.0,
    )


def scaled_fake(
    days: int, per_day: int, contacts: int = 100, time_scale: float = SCALED
) -> FakeConfig:
    return FakeConfig(
        first_day=FIRST_DAY,
        days=days,
        events_per_day=per_day,
        contacts=contacts,
        timezone=NEW_YORK,
        time_scale=time_scale,
        api_key=API_KEY,
        export_polls_queued=0,
        export_polls_processing=0,
        export_processing_seconds=EXPORT_PROCESSING,
    )


@dataclass
class Backfill:
    """One run of one stream under the real limits, timed in API seconds."""

    what: str
    records: int
    seconds: float
    list_calls: int
    creates: int
    checks: int
    rejected: int  # 429 answers
    cpu_seconds: float  # the tap's

    @property
    def minimum(self) -> float:
        return least_possible(self.list_calls, self.creates)

    @property
    def ratio(self) -> float:
        return self.seconds / self.minimum if self.minimum > 0 else math.inf

    def row(self) -> list[str]:
        budgets = []
        if self.list_calls:
            budgets.append(f"{self.list_calls} list")
        if self.creates:
            budgets.append(f"{self.creates} create, {self.checks} status")
        calls = ", ".join(budgets)
        return [
            self.what,
            calls,
            f"{self.records:,}",
            f"{self.seconds / 60:.1f}",
            f"{self.minimum / 60:.1f}",
            f"{self.ratio:.2f}",
            str(self.rejected),
        ]


def backfill(fake: FakeCometly, what: str, stream: str, **settings: object) -> Backfill:
    """Run the tap on one stream over the fake's whole range, from a clean slate."""
    cfg = fake.config
    scale = cfg.time_scale
    config = tap_config(
        Fake.of(fake),
        cfg.first_day,
        cfg.days,
        timezone=cfg.timezone,
        export_poll_seconds=5 / scale,  # the default 5 s of API time
        **settings,
    )
    fake.clear_log()
    fake.reset_rate_limits()
    result = run_tap(config, select=[stream])
    return Backfill(
        what,
        result.records,
        result.sync_seconds(fake) * scale,
        fake.count(family="events_list"),
        fake.count(family="export_create"),
        fake.count(family="export_status"),
        fake.count(status=429),
        result.cpu_seconds,
    )


def backfill_efficiency(days: int, per_day: int, contacts: int) -> Backfill:
    """Part 2; returns the export run, whose efficiency part 3b extrapolates with."""
    windows = 8
    with FakeCometly(scaled_fake(days, per_day)) as fake:
        runs = [
            backfill(fake, f"events, {days} days, list", "events", extraction_method="list"),
            backfill(fake, f"events, {days} days, export", "events", extraction_method="export"),
        ]
    with FakeCometly(scaled_fake(days, 0, contacts, CONTACTS_SCALED)) as fake:
        runs.append(
            backfill(
                fake,
                f"contacts, {windows} windows",
                "contacts",
                contacts_window_days=math.ceil(days / windows),
            )
        )
    table(
        f"2. Backfills under the real limits (minutes of API time, time scale {SCALED:g}, "
        f"{CONTACTS_SCALED:g} for contacts; {per_day:,} events a day, {contacts:,} contacts)",
        ["run", "calls", "records", "minutes", "least possible", "ratio", "429s"],
        [run.row() for run in runs],
    )
    print(
        "  least possible: list calls at 7 a minute, (ceil(N/7)-1) minutes; exports at 5\n"
        "  creations a minute, (ceil(N/5)-1) minutes, plus the last export's processing, which\n"
        f"  the fake makes {EXPORT_PROCESSING:g} s (Cometly: seconds to a few minutes).\n"
        f"  Goal: ratio <= {EFFICIENCY_GOAL} and no 429."
    )
    rejected = sum(run.rejected for run in runs)
    if rejected:
        raise SystemExit(f"the fake answered {rejected} requests with 429")
    return runs[1]


def contacts_memory(contacts: int) -> list[str]:
    """One export of every contact, with the widest rows (comet tokens and all emails)."""
    first_day, days = date(2024, 2, 15), 90
    config = FakeConfig(
        first_day=first_day,
        days=days,
        events_per_day=1,
        contacts=contacts,
        companies=10,
        time_scale=60,
        api_key=API_KEY,
    )
    with FakeCometly(config) as fake:
        tap = tap_config(
            Fake.of(fake),
            first_day,
            days,
            contacts_window_days=days + 1,  # the whole range in one export
            include_comet_tokens=True,
            include_all_emails=True,
            export_poll_seconds=0.2,
        )
        result = run_tap(tap, select=["contacts"])
    if result.records != contacts:
        raise SystemExit(f"the tap emitted {result.records:,} of {contacts:,} contacts")
    return memory_row("contacts, 1 export", result)


def events_memory(days: int, per_day: int) -> list[str]:
    """A long events run through day exports, with the budgets out of the way."""
    config = FakeConfig(
        first_day=FIRST_DAY,
        days=days,
        events_per_day=per_day,
        contacts=100,
        time_scale=60,
        api_key=API_KEY,
        rate_limits_enabled=False,
    )
    with FakeCometly(config) as fake:
        tap = tap_config(
            Fake.of(fake),
            FIRST_DAY,
            days,
            extraction_method="export",
            export_poll_seconds=0.05,
            rate_limit_window_seconds=LIFTED["rate_limit_window_seconds"],
        )
        result = run_tap(tap, select=["events"])
    return memory_row(f"events, {days} days, export", result)


def memory_row(what: str, result: TapResult) -> list[str]:
    if result.peak_rss_mb >= PEAK_RSS_LIMIT_MB:
        raise SystemExit(f"{what}: peak RSS {result.peak_rss_mb:.0f} MB")
    return [
        what,
        f"{result.records:,}",
        f"{result.seconds:.1f}",
        f"{result.records / result.seconds:,.0f}",
        f"{result.peak_rss_mb:.0f}",
    ]


def export_speed_up(days: int, per_day: int, part2_export: Backfill | None) -> None:
    """Export against list on `days` days of `per_day` events, each at a pace where the limits,
    not this machine's CPU, set the time; extrapolated to 90 days with part 2's export ratio
    when `days` is fewer."""
    with FakeCometly(scaled_fake(days, per_day)) as fake:
        listed = backfill(fake, "list", "events", extraction_method="list")
    with FakeCometly(scaled_fake(days, per_day, time_scale=EXPORT_SCALED)) as fake:
        exported = backfill(fake, "export", "events", extraction_method="export")
    if listed.records != exported.records:
        raise SystemExit(f"list gave {listed.records:,} events, export {exported.records:,}")
    rows = [
        [
            str(days),
            f"{listed.seconds / 60:.1f} ({listed.ratio:.2f})",
            f"{exported.seconds / 60:.1f} ({exported.ratio:.2f})",
            f"{listed.seconds / exported.seconds:.1f}x",
            f"measured, time scale {SCALED:g} and {EXPORT_SCALED:g}",
        ]
    ]
    if days < 90 and part2_export is not None:
        # 90 days at real time: each path's budget need times the efficiency measured where
        # the budgets set the pace: the list run here, the export run of part 2.
        calls_per_day = listed.list_calls / days
        list_90 = list_minimum(math.ceil(calls_per_day * 90)) * listed.ratio
        export_90 = export_minimum(90) * part2_export.ratio
        rows.append(
            [
                "90",
                f"{list_90 / 60:.0f}",
                f"{export_90 / 60:.0f}",
                f"{list_90 / export_90:.1f}x",
                "extrapolated (python -m scripts.bench --speed-up-90 measures it)",
            ]
        )
    table(
        f"3b. Export against list, {per_day:,} events a day (minutes of API time, and their "
        "ratio to the least possible)",
        ["days", "list", "export", "speed-up", "how"],
        rows,
    )
    print(
        f"  The export run goes at time scale {EXPORT_SCALED:g}: the tap spends "
        f"{exported.cpu_seconds / days:.1f} s of CPU per exported day, inside the\n"
        f"  {WINDOW / CREATES / EXPORT_SCALED:g} s between two creations there (12 s at real "
        f"time); {exported.records:,} records in {exported.cpu_seconds:.0f} s of tap CPU."
    )


def main() -> None:
    # Part 5 builds on this module's backfills: imported here, once this module is loaded.
    from scripts.attribution_backfill import attribution_backfill  # noqa: PLC0415

    quick = "--quick" in sys.argv
    started = time.perf_counter()
    if "--speed-up-90" in sys.argv:
        export_speed_up(days=90, per_day=50_000, part2_export=None)
    else:
        record_path(
            list_days=2 if quick else 4,
            per_day=10_000 if quick else 50_000,
            export_events=50_000 if quick else EXPORT_EVENTS_PER_DAY,
            least=0 if quick else EXPORT_EVENTS,
        )
        part2_export = backfill_efficiency(
            days=8 if quick else 40, per_day=4_500, contacts=20_000 if quick else 100_000
        )
        table(
            f"3a. Peak memory (must stay under {PEAK_RSS_LIMIT_MB} MB whatever the size)",
            ["run", "records", "seconds", "records/s", "peak RSS MB"],
            [
                contacts_memory(100_000 if quick else 1_000_000),
                events_memory(days=3 if quick else 20, per_day=50_000),
            ],
        )
        export_speed_up(days=2 if quick else 6, per_day=50_000, part2_export=part2_export)
        growth(days=1, per_day=5_000 if quick else 20_000, contacts=5_000 if quick else 20_000)
        attribution_backfill(quick)
    print(f"\nmake bench took {(time.perf_counter() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
