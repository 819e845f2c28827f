"""The event query shared by GET /events, event exports and the ground-truth helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from fake_cometly.attribution import AttributionSpec, credited
from fake_cometly.data import Event, SpaceData, Touchpoint
from fake_cometly.store import EventStore

Key = tuple[int, ...]


@dataclass(frozen=True)
class EventFilter:
    lo: int  # UTC epoch seconds, inclusive
    hi: int  # exclusive
    event_names: frozenset[str] | None = None
    # query_mode=company: company-level events, i.e. only events of contacts with a company
    # (the reference leaves the difference undocumented; this is the fake's reading).
    company_only: bool = False
    attribution: AttributionSpec | None = None


class Hit(NamedTuple):
    """One output row: an event, or one credited touchpoint of it with its share."""

    event: Event
    touchpoint: Touchpoint | None
    cents: int


def hit_key(hit: Hit) -> Key:
    """Rows are ordered by (event_time_utc, id, touchpoint_id), the cursor's columns."""
    if hit.touchpoint is None:
        return hit.event.time, hit.event.id
    return hit.event.time, hit.event.id, hit.touchpoint.id


def hits(
    store: EventStore,
    data: SpaceData,
    flt: EventFilter,
    after: Key | None = None,
    descending: bool = False,
) -> Iterator[Hit]:
    """Matching rows in key order, strictly after `after` (strictly before it if descending)."""
    start = (after[0], after[1]) if after is not None else None
    for event in store.scan(flt.lo, flt.hi, start, descending):
        if flt.event_names is not None and event.event_name not in flt.event_names:
            continue
        if flt.company_only and event.company_id is None:
            continue
        for hit in _rows(data, event, flt.attribution, descending):
            if after is not None and (
                hit_key(hit) >= after if descending else hit_key(hit) <= after
            ):
                continue
            yield hit


def _rows(
    data: SpaceData, event: Event, spec: AttributionSpec | None, descending: bool
) -> list[Hit]:
    if spec is None:
        return [Hit(event, None, event.amount_cents)]
    credits = credited(
        data.touchpoints(event), event.time, event.amount_cents, spec.model, spec.window
    )
    rows = [Hit(event, tp, cents) for tp, cents in credits if tp.source in spec.sources]
    return rows[::-1] if descending else rows
