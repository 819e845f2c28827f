"""Shared fixtures: fake Cometly servers on free loopback ports, stopped after each test."""

from __future__ import annotations

import typing as t
from collections.abc import Iterator

import pytest

from fake_cometly import FakeCometly
from tests.helpers import fake_config


@pytest.fixture
def start_fake() -> Iterator[t.Callable[..., FakeCometly]]:
    """Start fakes on demand; every one started is stopped at the end of the test."""
    started: list[FakeCometly] = []

    def start(**overrides: t.Any) -> FakeCometly:
        fake = FakeCometly(fake_config(**overrides))
        fake.start()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture
def fake(start_fake: t.Callable[..., FakeCometly]) -> FakeCometly:
    return start_fake()
