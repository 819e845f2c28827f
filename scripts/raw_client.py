"""The yardstick for the record path: the least a Python client can do to page GET /events and
write each row as a JSON line (here to /dev/null). Usage: raw_client.py BASE_URL KEY START END."""

from __future__ import annotations

import json
import sys

import requests

FIELDS = [
    "profile_id",
    "company_id",
    "space_id",
    "event_name",
    "configured_name",
    "amount",
    "is_upsell",
    "order_id",
    "order_name",
]


def main(base_url: str, key: str, start: str, end: str) -> None:
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {key}", "Accept": "application/json"})
    params: dict[str, object] = {
        "start_date": start,
        "end_date": end,
        "per_page": 4000,
        "fields[]": FIELDS,
    }
    rows = 0
    with open("/dev/null", "w") as out:
        while True:
            page = session.get(f"{base_url}/events", params=params, timeout=120)
            page.raise_for_status()
            body = page.json()
            for row in body["data"]:
                out.write(json.dumps({"type": "RECORD", "stream": "events", "record": row}) + "\n")
            rows += len(body["data"])
            if not body["next_cursor"]:
                break
            params["cursor"] = body["next_cursor"]
    print(rows)


if __name__ == "__main__":
    main(*sys.argv[1:5])
