"""API time: wall-clock time that runs `time_scale` times faster from the moment the fake starts."""

from __future__ import annotations

import math
import time


class ScaledClock:
    def __init__(self, time_scale: float) -> None:
        self.time_scale = time_scale
        self._wall0 = time.time()
        self._mono0 = time.monotonic()

    def now(self) -> float:
        """API epoch seconds (job timestamps, URL signing and expiry)."""
        return self._wall0 + (time.monotonic() - self._mono0) * self.time_scale

    def elapsed(self) -> float:
        """API seconds since start, monotonic (rate-limit windows)."""
        return (time.monotonic() - self._mono0) * self.time_scale

    def real_seconds(self, api_seconds: float) -> int:
        """Whole real seconds a client must wait for `api_seconds` to pass (Retry-After)."""
        return max(1, math.ceil(api_seconds / self.time_scale))
