"""The fake Space's settings: data volume, timezone, credentials and behaviour switches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

# Event ids encode their day ((day_index + 1) * ID_STRIDE + position), so a day holds fewer
# than ID_STRIDE events (a day has up to 1.25 times events_per_day) and the generated days stay
# below the ids of tracked events (TRACKED_ID_BASE). A day can hold a million events and more,
# the record-path benchmark's one-day export.
ID_STRIDE = 2_000_000
MAX_DAYS = 499
MAX_EVENTS_PER_DAY = 1_500_000


@dataclass(frozen=True)
class FakeConfig:
    seed: int = 1
    first_day: date = date(2024, 2, 15)
    days: int = 90
    events_per_day: int = 2000
    contacts: int = 5000
    companies: int = 300
    timezone: str = "America/New_York"
    # API time runs this many times faster than real time: 60 makes a rate-limit minute last
    # one real second and a 15-minute download URL last 15 real seconds.
    time_scale: float = 1.0
    api_key: str = "test-key"
    forbidden_keys: tuple[str, ...] = ("no-permission-key",)
    rate_limits_enabled: bool = True
    export_polls_queued: int = 1
    export_polls_processing: int = 1
    # API seconds an export takes at least from its creation to completion, whatever the polls:
    # Cometly's own processing ("seconds to a few minutes"), which no client can shorten.
    export_processing_seconds: float = 0.0
    shuffle_pages: bool = False
    string_amounts: bool = False

    def __post_init__(self) -> None:
        problems = [message for broken, message in self._broken_rules() if broken]
        zone_problem = _timezone_problem(self.timezone)
        if zone_problem is not None:
            problems.append(zone_problem)
        if problems:
            raise ValueError("invalid FakeConfig: " + "; ".join(problems))

    def _broken_rules(self) -> tuple[tuple[bool, str], ...]:
        """(whether the rule is broken, what it requires), in the order problems are told."""
        return (
            (not 0 <= self.days <= MAX_DAYS, f"days must be 0..{MAX_DAYS}"),
            (
                not 0 <= self.events_per_day <= MAX_EVENTS_PER_DAY,
                f"events_per_day must be 0..{MAX_EVENTS_PER_DAY}",
            ),
            (self.contacts < 1, "contacts must be at least 1 (events need a profile)"),
            (self.companies < 0, "companies must not be negative"),
            (self.time_scale <= 0, "time_scale must be positive"),
            (
                self.export_polls_queued < 0 or self.export_polls_processing < 0,
                "export poll counts must not be negative",
            ),
            (
                self.export_processing_seconds < 0,
                "export_processing_seconds must not be negative",
            ),
            (
                not self.api_key or self.api_key in self.forbidden_keys,
                "api_key must be non-empty and not forbidden",
            ),
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _timezone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError) as exc:
        return f"unknown timezone {name!r} ({exc})"
    return None
