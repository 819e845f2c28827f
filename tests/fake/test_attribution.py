"""Attribution: who gets credit under each model and window, and shares that add up."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timezone
from fractions import Fraction

import pytest

from fake_cometly import FakeCometly
from fake_cometly.attribution import credited, split, u_shape
from fake_cometly.data import Ad, Touchpoint
from fake_cometly.vocabulary import ATTRIBUTION_MODELS, SOURCES
from tests.fake.conftest import Client

DAY = 86400
EVENT_TIME = 100 * DAY
AD = Ad(*(["x"] * 8))


def journey(*steps: tuple[str, int]) -> list[Touchpoint]:
    """Touchpoints (source, days before the event), oldest first."""
    return [
        Touchpoint(10 + n, EVENT_TIME - days * DAY, source, AD if source.endswith("_ads") else None)
        for n, (source, days) in enumerate(steps)
    ]


JOURNEY = journey(
    ("google_organic", 120), ("facebook_ads", 40), ("direct", 20), ("google_ads", 5), ("direct", 1)
)


def credit_map(model: str, window: int, amount: int = 10000) -> dict[str, int]:
    return {
        c.touchpoint.source + f"@{c.touchpoint.id}": c.cents
        for c in credited(JOURNEY, EVENT_TIME, amount, model, window)
    }


@pytest.mark.parametrize(
    ("model", "window", "expected"),
    [
        ("first_touch", 0, {"google_organic@10": 10000}),
        ("first_touch", 90, {"facebook_ads@11": 10000}),
        ("first_touch", 30, {"direct@12": 10000}),
        ("last_touch", 0, {"direct@14": 10000}),
        ("first_platform_touch", 0, {"facebook_ads@11": 10000}),
        ("first_platform_touch", 7, {"google_ads@13": 10000}),
        ("last_platform_touch", 0, {"google_ads@13": 10000}),
        ("last_non_direct_touch", 0, {"google_ads@13": 10000}),
        (
            "linear",
            0,
            {
                "google_organic@10": 2000,
                "facebook_ads@11": 2000,
                "direct@12": 2000,
                "google_ads@13": 2000,
                "direct@14": 2000,
            },
        ),
        ("linear", 7, {"google_ads@13": 5000, "direct@14": 5000}),
        ("linear_paid", 0, {"facebook_ads@11": 5000, "google_ads@13": 5000}),
        (
            "u_shaped",
            0,
            {
                "google_organic@10": 4000,
                "facebook_ads@11": 667,
                "direct@12": 666,
                "google_ads@13": 667,
                "direct@14": 4000,
            },
        ),
        ("u_shaped", 30, {"direct@12": 4000, "google_ads@13": 2000, "direct@14": 4000}),
        ("u_shaped", 7, {"google_ads@13": 5000, "direct@14": 5000}),
        ("last_touch", 1, {"direct@14": 10000}),
    ],
)
def test_models_and_windows_credit_the_documented_touchpoints(
    model: str, window: int, expected: dict[str, int]
) -> None:
    assert credit_map(model, window) == expected


def test_nothing_eligible_means_no_credit() -> None:
    organic_only = journey(("google_organic", 3), ("direct", 1))
    assert credited(organic_only, EVENT_TIME, 5000, "linear_paid", 0) == []
    assert credited(organic_only, EVENT_TIME, 5000, "first_platform_touch", 0) == []
    old = journey(("facebook_ads", 45))
    assert credited(old, EVENT_TIME, 5000, "last_touch", 30) == []
    direct_only = journey(("direct", 2), ("direct", 1))
    assert [
        c.touchpoint.id for c in credited(direct_only, EVENT_TIME, 1, "last_non_direct_touch", 0)
    ] == [11]


def test_u_shape_weights() -> None:
    assert u_shape(1) == [1]
    assert u_shape(2) == [1, 1]
    assert u_shape(3) == [2, 1, 2]  # 40 %, 20 %, 40 %
    six = [Fraction(w, sum(u_shape(6))) for w in u_shape(6)]
    assert six == [Fraction(2, 5)] + [Fraction(1, 20)] * 4 + [Fraction(2, 5)]


def test_split_is_exact_and_never_negative() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        count = rng.randint(1, 6)
        weights = u_shape(count) if rng.random() < 0.5 else [1] * count
        amount = rng.choice([0, 1, 3, 9, 99, 1999, rng.randint(0, 100_000)])
        shares = split(amount, weights)
        assert sum(shares) == amount
        assert all(share >= 0 for share in shares)
        exact = [Fraction(w * amount, sum(weights)) for w in weights]
        assert all(abs(share - value) < 1 for share, value in zip(shares, exact, strict=True))
    assert split(900, [1] * 4) == [225] * 4
    assert split(9, [1] * 6) == [2, 1, 2, 1, 2, 1]


@pytest.mark.parametrize("model", ATTRIBUTION_MODELS)
def test_shares_over_all_sources_add_up_to_the_amount(
    fake: FakeCometly, client: Client, model: str
) -> None:
    start, end = "2024-03-09 00:00:00", "2024-03-09 23:59:59"
    totals: dict[int, float] = defaultdict(float)
    rows_per_event: dict[int, int] = defaultdict(int)
    for group in range(0, len(SOURCES), 15):
        params = [("start_date", start), ("end_date", end), ("per_page", 4000)]
        params += [("sources[]", s) for s in SOURCES[group : group + 15]]
        params += [("attribution_model", model), ("attribution_window", 0), ("fields[]", "amount")]
        for row in client.rows("/events", params):
            totals[row["id"]] += row["amount"]
            rows_per_event[row["id"]] += 1
    amounts = {
        e["id"]: e["amount"]
        for e in fake.events(
            datetime(2024, 3, 9, 5, tzinfo=timezone.utc),
            datetime(2024, 3, 10, 5, tzinfo=timezone.utc),
        )
    }
    assert totals
    for event_id, total in totals.items():
        assert round(total, 2) == amounts[event_id]
    single = model not in ("linear", "linear_paid", "u_shaped")
    assert (max(rows_per_event.values()) == 1) == single
    if model in ("first_touch", "last_touch", "linear", "u_shaped", "last_non_direct_touch"):
        assert set(totals) == set(amounts), "with no window every event credits some touchpoint"


def test_only_the_requested_sources_appear(fake: FakeCometly, client: Client) -> None:
    params = [
        ("start_date", "2024-03-09 00:00:00"),
        ("end_date", "2024-03-10 23:59:59"),
        ("sources[]", "facebook_ads"),
        ("sources[]", "email"),
        ("attribution_model", "linear"),
        ("attribution_window", 30),
        ("fields[]", "ad_id"),
        ("fields[]", "amount"),
        ("per_page", 4000),
    ]
    rows = client.rows("/events", params)
    assert {row["source"] for row in rows} == {"facebook_ads", "email"}
    assert all((row["ad_id"] is None) == (row["source"] == "email") for row in rows)
    assert all(isinstance(row["ad_id"], str) for row in rows if row["source"] == "facebook_ads")
    expected = fake.attributed_rows(
        datetime(2024, 3, 9, 5, tzinfo=timezone.utc),
        datetime(2024, 3, 11, 4, tzinfo=timezone.utc),
        ["facebook_ads", "email"],
        "linear",
        30,
    )
    assert [(r["id"], r["touchpoint_id"], r["amount"]) for r in rows] == [
        (r["id"], r["touchpoint_id"], r["amount"]) for r in expected
    ]
