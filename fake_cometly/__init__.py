"""A faithful fake of Cometly's public REST API for tests, benchmarks and demos.

from fake_cometly import FakeCometly, FakeConfig, Fault

with FakeCometly(FakeConfig(seed=1, time_scale=60)) as fake:
    fake.base_url  # http://127.0.0.1:PORT/public-api/v1
"""

from fake_cometly.config import FakeConfig
from fake_cometly.fake import FakeCometly
from fake_cometly.faults import Fault
from fake_cometly.requestlog import LoggedRequest

__all__ = ["FakeCometly", "FakeConfig", "Fault", "LoggedRequest"]
