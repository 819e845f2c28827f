"""singer-sdk's standard tap tests, run against a fake Cometly started for this module."""

from __future__ import annotations

import atexit

from singer_sdk.testing import get_tap_test_class

from fake_cometly import FakeCometly
from tap_cometly.tap import TapCometly
from tests.helpers import fake_config, tap_config

# The SDK builds its test class at import time from a fixed config, so this module's fake must
# exist before collection; it is stopped when the test session ends.
_FAKE = FakeCometly(fake_config(days=2, events_per_day=60, contacts=80, rate_limits_enabled=False))
_FAKE.start()
atexit.register(_FAKE.stop)

SAMPLE_CONFIG = tap_config(
    _FAKE,
    attribution_setups=[
        {"sources": "all", "attribution_model": "u_shaped", "attribution_window": 30}
    ],
    events_requests_per_minute=100_000,
    export_creates_per_minute=100_000,
    export_status_requests_per_minute=100_000,
)

TestTapCometly = get_tap_test_class(tap_class=TapCometly, config=SAMPLE_CONFIG)
