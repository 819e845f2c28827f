"""companies: every company, full table, cursor-paginated newest first."""

from __future__ import annotations

import typing as t

from fake_cometly import FakeCometly
from tests.helpers import catalog_for, run_tap, tap_config


def test_companies_equal_ground_truth(start_fake: t.Callable[..., FakeCometly]) -> None:
    fake = start_fake(companies=12_000)
    config = tap_config(fake)
    run = run_tap(config, catalog=catalog_for(config, {"companies": None}))
    rows = run.records("companies")
    assert len(rows) == len({row["id"] for row in rows}), "duplicate ids"
    expected = {row["id"]: row["domain"] for row in fake.companies()}
    assert {row["id"]: row["domain"] for row in rows} == expected
    pages = [r for r in fake.request_log if r.path.endswith("/companies")]
    assert len(pages) == 3, "5000 per page: 12,000 companies take three pages"
    assert all(("per_page", "5000") in page.query for page in pages)
    assert run.records("events") == []


def test_companies_run_as_full_table(fake: FakeCometly) -> None:
    config = tap_config(fake)
    first = run_tap(config, catalog=catalog_for(config, {"companies": None}))
    again = run_tap(
        config, state=first.last_state, catalog=catalog_for(config, {"companies": None})
    )
    assert (
        len(again.records("companies")) == len(first.records("companies")) == len(fake.companies())
    )
