"""Late events: an event tracked now with an event_time days before the bookmark (an offline
conversion) is read by the next incremental run with the default lookback_hours."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import requests

from fake_cometly import FakeCometly
from tap_cometly.settings import LOOKBACK_HOURS
from tests.helpers import API_KEY, run_tap, tap_config


def track(fake: FakeCometly, event_time: datetime, order_id: str) -> None:
    """POST /events/track as a server-side integration would, with a back-dated event_time."""
    response = requests.post(
        f"{fake.base_url}/events/track",
        json={
            "event_name": "purchase",
            "email": "late@example.com",
            "amount": 12.5,
            "order_id": order_id,
            "event_time": event_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text


def test_an_event_tracked_two_days_late_is_read_by_the_next_run(fake: FakeCometly) -> None:
    first = run_tap(tap_config(fake, end_date="2024-03-12"))
    bookmark = datetime(2024, 3, 12, 4, tzinfo=timezone.utc)  # 2024-03-12 00:00 in New York
    assert first.bookmark("events") == "2024-03-12T04:00:00Z"
    track(fake, bookmark - timedelta(days=2), "ORD-TWO-DAYS-LATE")
    track(fake, bookmark - timedelta(hours=LOOKBACK_HOURS.default + 1), "ORD-BEYOND-LOOKBACK")

    second = run_tap(tap_config(fake, end_date="2024-03-13"), state=first.last_state)

    orders = {record["order_id"] for record in second.records("events")}
    assert "ORD-TWO-DAYS-LATE" in orders
    # The guarantee's limit, as README.md states it: older than the lookback is not read again.
    assert "ORD-BEYOND-LOOKBACK" not in orders
