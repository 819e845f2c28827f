"""Starting and stopping: free ports, clean shutdown, keep-alive connections closed."""

from __future__ import annotations

import socket

import pytest
import requests

from fake_cometly import FakeCometly
from tests.fake.conftest import KEY, small_config

DAY = {"start_date": "2024-03-09 00:00:00", "end_date": "2024-03-09 23:59:59"}


def test_a_context_manager_serves_then_lets_go() -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {KEY}"
    with FakeCometly(small_config()) as fake:
        url = fake.base_url
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/public-api/v1")
        assert fake.storage_base.startswith("http://127.0.0.1:")
        assert fake.storage_base != url.removesuffix("/public-api/v1")
        assert session.get(url + "/events", params=DAY, timeout=5).status_code == 200
    # The session's kept-alive connection was closed too, not left being served.
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(url + "/events", params=DAY, timeout=5)


def test_ports_can_be_chosen() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeCometly(small_config(), port=port)
    fake.start()
    try:
        assert fake.base_url == f"http://127.0.0.1:{port}/public-api/v1"
    finally:
        fake.stop()


def test_a_busy_port_fails_fast_and_releases_the_other_listener() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        fake = FakeCometly(small_config(), port=taken.getsockname()[1])
        with pytest.raises(OSError, match="in use"):
            fake.start()
    fake.stop()  # harmless, and must not hang


def test_misuse_is_reported() -> None:
    fake = FakeCometly(small_config())
    with pytest.raises(RuntimeError, match="not started"):
        _ = fake.base_url
    with fake, pytest.raises(RuntimeError, match="starts once"):
        fake.start()
    with pytest.raises(ValueError, match="timezone"):
        small_config(timezone="Mars/Olympus_Mons")
