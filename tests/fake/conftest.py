"""Fixtures for the fake's own tests: fakes on free loopback ports, always stopped."""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from fake_cometly import FakeCometly, FakeConfig
from tests.fake_starter import fakes_started_with

KEY = "test-key"


def small_config(**overrides: Any) -> FakeConfig:
    """A small Space across the spring DST change (2024-03-10 in New York)."""
    defaults: dict[str, Any] = {
        "seed": 3,
        "first_day": date(2024, 3, 8),
        "days": 5,
        "events_per_day": 200,
        "contacts": 400,
        "companies": 30,
        "timezone": "America/New_York",
        "time_scale": 60.0,
        "api_key": KEY,
        "rate_limits_enabled": False,
    }
    return FakeConfig(**{**defaults, **overrides})


@dataclass
class Client:
    """A session against one fake: authenticated, JSON, loopback only."""

    fake: FakeCometly
    key: str | None = KEY
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.session.headers["Accept"] = "application/json"
        if self.key is not None:
            self.session.headers["Authorization"] = f"Bearer {self.key}"

    def get(self, path: str, params: Any = None) -> requests.Response:
        return self.session.get(self.fake.base_url + path, params=params, timeout=10)

    def post(self, path: str, body: Any = None) -> requests.Response:
        return self.session.post(self.fake.base_url + path, json=body, timeout=10)

    def pages(self, path: str, params: list[tuple[str, Any]]) -> list[dict[str, Any]]:
        """Every page's body, resending the filters with each next_cursor."""
        bodies: list[dict[str, Any]] = []
        seen: set[str] = set()
        cursor = None
        while True:
            response = self.get(path, params + ([("cursor", cursor)] if cursor else []))
            assert response.status_code == 200, response.text
            bodies.append(response.json())
            cursor = bodies[-1]["next_cursor"]
            if cursor is None:
                return bodies
            assert cursor not in seen, f"cursor repeated after {len(bodies)} pages: no progress"
            seen.add(cursor)

    def rows(self, path: str, params: list[tuple[str, Any]]) -> list[dict[str, Any]]:
        return [row for body in self.pages(path, params) for row in body["data"]]


def poll(client: Client, kind: str, export_id: int, limit: int = 50) -> dict[str, Any]:
    """Poll until the job leaves queued/processing; returns the last status body."""
    for _ in range(limit):
        body = client.get(f"/{kind}/exports/{export_id}").json()
        if body["status"] not in ("queued", "processing"):
            return body
        time.sleep(0.01)
    raise AssertionError(f"export {export_id} still {body['status']} after {limit} polls")


def export(client: Client, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    created = client.post(f"/{kind}/exports", body)
    assert created.status_code == 202, created.text
    return poll(client, kind, created.json()["export_id"])


def download(url: str) -> list[dict[str, Any]]:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    assert response.content[:2] == b"\x1f\x8b"
    text = gzip.decompress(response.content).decode()
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def make_fake() -> Iterator[Callable[..., FakeCometly]]:
    with fakes_started_with(small_config) as start:
        yield start


@pytest.fixture
def fake(make_fake: Callable[..., FakeCometly]) -> FakeCometly:
    return make_fake()


@pytest.fixture
def client(fake: FakeCometly) -> Client:
    return Client(fake)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: minutes-long checks; run with FAKE_COMETLY_SLOW=1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("FAKE_COMETLY_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow; set FAKE_COMETLY_SLOW=1 to run")
    here = Path(__file__).parent
    for item in items:
        if "slow" in item.keywords and here in item.path.parents:
            item.add_marker(skip)
