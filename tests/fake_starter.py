"""Fakes started on demand for one test and stopped after it: the fixtures of the tap's tests and
of the fake's own tests, each with its own Space (this module imports nothing of the tap's)."""

from __future__ import annotations

import typing as t
from contextlib import contextmanager

from fake_cometly import FakeCometly, FakeConfig

if t.TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@contextmanager
def fakes_started_with(
    config: Callable[..., FakeConfig],
) -> Iterator[Callable[..., FakeCometly]]:
    """A starter of fakes of `config(**overrides)` on free loopback ports; every fake it started
    is stopped when the block ends."""
    started: list[FakeCometly] = []

    def start(**overrides: t.Any) -> FakeCometly:
        fake = FakeCometly(config(**overrides)).start()
        started.append(fake)
        return fake

    try:
        yield start
    finally:
        for fake in started:
            fake.stop()
