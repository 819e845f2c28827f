"""Which touchpoints get credit for an event, and how much, under each model (§3.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import NamedTuple

from fake_cometly.data import Touchpoint
from fake_cometly.vocabulary import PAID

DAY = 86400


@dataclass(frozen=True)
class AttributionSpec:
    sources: frozenset[str]
    model: str
    window: int  # days; 0 is LTV, no lookback limit


class Credit(NamedTuple):
    touchpoint: Touchpoint
    cents: int


def eligible(touchpoints: Sequence[Touchpoint], event_time: int, window: int) -> list[Touchpoint]:
    if window == 0:
        return list(touchpoints)
    return [tp for tp in touchpoints if event_time - tp.time <= window * DAY]


def credited(
    touchpoints: Sequence[Touchpoint], event_time: int, amount_cents: int, model: str, window: int
) -> list[Credit]:
    """Credit over ALL sources, oldest touchpoint first; the shares add up to the amount.

    Filtering by the requested sources happens afterwards, so a source's share never depends
    on which other sources a request names.
    """
    chosen, weights = _weights(eligible(touchpoints, event_time, window), model)
    return [
        Credit(tp, cents) for tp, cents in zip(chosen, split(amount_cents, weights), strict=True)
    ]


def _weights(touchpoints: list[Touchpoint], model: str) -> tuple[list[Touchpoint], list[Fraction]]:
    paid = [tp for tp in touchpoints if tp.source in PAID]
    if model == "first_touch":
        chosen = touchpoints[:1]
    elif model == "last_touch":
        chosen = touchpoints[-1:]
    elif model == "first_platform_touch":
        chosen = paid[:1]
    elif model == "last_platform_touch":
        chosen = paid[-1:]
    elif model == "last_non_direct_touch":
        # With nothing but direct visits, direct keeps the credit (the usual convention).
        chosen = [tp for tp in touchpoints if tp.source != "direct"][-1:] or touchpoints[-1:]
    elif model == "u_shaped":
        return touchpoints, u_shape(len(touchpoints))
    elif model in ("linear", "linear_paid"):
        chosen = touchpoints if model == "linear" else paid
        return chosen, [Fraction(1, len(chosen))] * len(chosen) if chosen else []
    else:
        raise ValueError(f"unknown attribution model {model!r}")
    return chosen, [Fraction(1)] * len(chosen)


def u_shape(count: int) -> list[Fraction]:
    """40% first, 40% last, 20% shared by the middle; 1 or 2 touches share equally."""
    if count == 0:
        return []
    if count <= 2:
        return [Fraction(1, count)] * count
    middle = Fraction(1, 5) / (count - 2)
    return [Fraction(2, 5)] + [middle] * (count - 2) + [Fraction(2, 5)]


def split(amount_cents: int, weights: Sequence[Fraction]) -> list[int]:
    """Whole cents per weight, summing exactly to the amount.

    Rounding the running total (not each share) keeps every share within a cent of its exact
    value and never negative; whatever rounding leaves over lands on the last touchpoint.
    """
    shares, running, allotted = [], Fraction(0), 0
    for position, weight in enumerate(weights):
        running += weight * amount_cents
        upto = amount_cents if position == len(weights) - 1 else floor(running + Fraction(1, 2))
        shares.append(upto - allotted)
        allotted = upto
    return shares
