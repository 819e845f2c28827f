"""Part 4 of `make bench`: time per record and peak memory at 1x, 4x and 16x the data, on every
path: events listed, exported and written as batch files, event_attributions listed, contacts
exported. Both must stay flat as the data grows, and memory under 150 MB; the tap's pacing is
lifted, so the figures are the tap's own. `python -m scripts.growth [--quick]` runs it alone.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from scripts.benchlib import TapResult, fake_process, run_tap, run_tap_batched, table, tap_config
from scripts.record_path import ATTRIBUTION_SETUP, FIRST_DAY, LIFTED, fake_args

FACTORS = (1, 4, 16)
PEAK_RSS_LIMIT_MB = 150
# Peak RSS at 16x may exceed 1x's by this share and still count as flat (allocator noise).
FLAT_RSS = 1.25


@dataclass(frozen=True)
class Path:
    name: str
    stream: str
    settings: dict[str, Any] = field(default_factory=dict)
    batched: bool = False
    grows_contacts: bool = False  # grows by contacts rather than days of events


PATHS = (
    Path("events, list", "events", {"extraction_method": "list"}),
    Path("events, export", "events", {"extraction_method": "export"}),
    Path("events, batch_config", "events", {"extraction_method": "list"}, batched=True),
    Path(
        "event_attributions, list",
        "event_attributions",
        {"extraction_method": "list", "attribution_setups": [ATTRIBUTION_SETUP]},
    ),
    Path("contacts, export", "contacts", grows_contacts=True),
)


def run(path: Path, factor: int, days: int, per_day: int, contacts: int) -> TapResult:
    days = days if path.grows_contacts else days * factor
    contacts = contacts * factor if path.grows_contacts else 10
    with fake_process(*fake_args(days, 0 if path.grows_contacts else per_day, contacts)) as fake:
        config = tap_config(fake, FIRST_DAY, days, timezone="UTC", **LIFTED, **path.settings)
        if path.batched:
            return run_tap_batched(config, path.stream)
        return run_tap(config, select=[path.stream])


def growth(days: int, per_day: int, contacts: int) -> None:
    rows = []
    for path in PATHS:
        results = [run(path, factor, days, per_day, contacts) for factor in FACTORS]
        for factor, result in zip(FACTORS, results, strict=True):
            if result.peak_rss_mb >= PEAK_RSS_LIMIT_MB:
                raise SystemExit(f"{path.name}, {factor}x: peak RSS {result.peak_rss_mb:.0f} MB")
        rss_growth = results[-1].peak_rss_mb / results[0].peak_rss_mb
        if rss_growth > FLAT_RSS:
            raise SystemExit(f"{path.name}: peak RSS grew {rss_growth:.2f}x from 1x to 16x")
        for index, (factor, result) in enumerate(zip(FACTORS, results, strict=True)):
            added = ""
            if index:
                previous = results[index - 1]
                seconds = result.seconds - previous.seconds
                added = f"{seconds / (result.records - previous.records) * 1e6:.1f}"
            rows.append(
                [
                    path.name,
                    f"{factor}x",
                    f"{result.records:,}",
                    f"{result.seconds:.1f}",
                    f"{result.seconds / result.records * 1e6:.1f}",
                    added,
                    f"{result.peak_rss_mb:.0f}",
                    f"{rss_growth:.2f}" if factor == FACTORS[-1] else "",
                ]
            )
    table(
        "4. Growth: every path at 1x, 4x, 16x the data (time per record and memory must stay "
        f"flat; peak RSS under {PEAK_RSS_LIMIT_MB} MB)",
        [
            "path",
            "data",
            "records",
            "seconds",
            "us/record",
            "us/record added",
            "peak RSS MB",
            "RSS 16x/1x",
        ],
        rows,
    )
    print(
        "  Seconds include the tap's start-up, which weighs most at 1x, and the fake's rendering "
        "of every page\n  and file. us/record added: the time the records added since the "
        "smaller run took, each (flat\n  when the cost of a record does not grow with the data)."
    )


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    growth(days=1, per_day=5_000 if quick else 20_000, contacts=5_000 if quick else 20_000)
