"""Shared fixtures: fake Cometly servers on free loopback ports, stopped after each test."""

from __future__ import annotations

import typing as t
from collections.abc import Iterator

import pytest

from fake_cometly import FakeCometly
from tests.fake_starter import fakes_started_with
from tests.helpers import fake_config


@pytest.fixture
def start_fake() -> Iterator[t.Callable[..., FakeCometly]]:
    """Start fakes on demand; every one started is stopped at the end of the test."""
    with fakes_started_with(fake_config) as start:
        yield start


@pytest.fixture
def fake(start_fake: t.Callable[..., FakeCometly]) -> FakeCometly:
    return start_fake()
