"""Which touchpoints get credit for an event, and how much, under each model (§3.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


def _weights(touchpoints: list[Touchpoint], model: str) -> tuple[list[Touchpoint], list[int]]:
    """The credited touchpoints and their relative weights."""
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
    elif model == "linear":
        chosen = touchpoints
    elif model == "linear_paid":
        chosen = paid
    elif model == "u_shaped":
        return touchpoints, u_shape(len(touchpoints))
    else:
        raise ValueError(f"unknown attribution model {model!r}")
    return chosen, [1] * len(chosen)


def u_shape(count: int) -> list[int]:
    """40% first, 40% last, 20% shared by the middle (2(n-2) : 1 each : 2(n-2) out of
    5(n-2)); one or two touches share equally."""
    if count <= 2:
        return [1] * count
    return [2 * (count - 2)] + [1] * (count - 2) + [2 * (count - 2)]


def split(amount_cents: int, weights: Sequence[int]) -> list[int]:
    """Whole cents in proportion to the weights, summing exactly to the amount.

    Rounding the running total (not each share) keeps every share within a cent of its exact
    value and never negative; whatever rounding leaves over lands on the last touchpoint.
    Integer arithmetic throughout: Fractions made attributed exports several times slower.
    """
    total = sum(weights)
    shares, running, allotted = [], 0, 0
    for weight in weights:
        running += weight * amount_cents
        upto = (2 * running + total) // (2 * total)  # round half up
        shares.append(upto - allotted)
        allotted = upto
    return shares
