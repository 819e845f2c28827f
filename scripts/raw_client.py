"""The yardstick for the record path: the least a Python client can do to read Cometly's events and
write each row as a JSON line (here to /dev/null), timing its own waits on the server.

    python -m scripts.raw_client list|attributions BASE_URL KEY FIRST_DAY DAYS
    python -m scripts.raw_client export BASE_URL KEY DAY
    python -m scripts.raw_client ceiling BASE_URL KEY REQUESTS.json

list pages GET /events; attributions does the same with sources (rows carry a touchpoint_id);
export creates a day export, polls it and streams its gzipped NDJSON through json.loads and
json.dumps line by line. Each prints one JSON object: records, seconds, wait_seconds (from
sending a request to having its body's bytes: the server's share) and the requests it made.
ceiling replays such requests and only reads the bytes: the server's own ceiling.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
import zlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

import requests

from fake_cometly.vocabulary import PAID_SOURCES

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
# event_attributions' fields; one request per page: the API takes at most 15 sources at once.
ATTRIBUTION_FIELDS = [
    "event_name",
    "configured_name",
    "amount",
    "ad_id",
    "profile_id",
    "company_id",
    "order_id",
]
ATTRIBUTION = {
    "fields[]": ATTRIBUTION_FIELDS,
    "sources[]": list(PAID_SOURCES[:15]),
    "attribution_model": "linear",
    "attribution_window": 30,
}
CHUNK = 1 << 16


def path_of(url: SplitResult) -> str:
    return f"{url.path}?{url.query}" if url.query else url.path


class Client:
    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {key}", "Accept": "application/json"}
        )
        self.wait = 0.0
        self.requests: list[tuple[str, str, str]] = []  # method, path and query, JSON body

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        response = self.session.request(method, f"{self.base_url}{path}", timeout=600, **kwargs)
        response.raise_for_status()
        _ = response.content  # the body's bytes are the server's share too
        self.wait += time.perf_counter() - started
        target = urlsplit(response.request.url or "")
        body = kwargs.get("json")
        self.requests.append((method, path_of(target), json.dumps(body) if body else ""))
        return response


def pages(client: Client, first_day: str, days: int, extra: dict[str, Any]) -> int:
    """Day by day (UTC), as the tap asks: the same queries, so one warm-up serves both."""
    rows = 0
    with open("/dev/null", "w") as out:
        for offset in range(days):
            day = date.fromisoformat(first_day) + timedelta(days=offset)
            params: dict[str, Any] = {
                "start_date": f"{day} 00:00:00",
                "end_date": f"{day + timedelta(days=1)} 00:00:00",
                "query_mode": "profile",
                "per_page": 4000,
                "fields[]": FIELDS,
                **extra,
            }
            while True:
                body = client.call("GET", "/events", params=params).json()
                for row in body["data"]:
                    record = {"type": "RECORD", "stream": "events", "record": row}
                    out.write(json.dumps(record) + "\n")
                rows += len(body["data"])
                if not body["next_cursor"]:
                    break
                params["cursor"] = body["next_cursor"]
    return rows


def export(client: Client, day: str) -> int:
    created = client.call(
        "POST", "/events/exports", json={"date": day, "query_mode": "profile", "fields": FIELDS}
    ).json()
    while True:
        status = client.call("GET", f"/events/exports/{created['export_id']}").json()
        if status["status"] == "completed":
            break
        time.sleep(0.05)
    rows = 0
    started = time.perf_counter()
    # A presigned URL: no Authorization header (the storage host refuses one).
    download = requests.get(status["download_url"], stream=True, timeout=600)
    download.raise_for_status()
    client.wait += time.perf_counter() - started
    gunzip = zlib.decompressobj(zlib.MAX_WBITS | 16)
    rest = b""
    with open("/dev/null", "w") as out:
        while True:
            started = time.perf_counter()
            chunk = download.raw.read(CHUNK)
            client.wait += time.perf_counter() - started
            if not chunk:
                break
            lines = (rest + gunzip.decompress(chunk)).split(b"\n")
            rest = lines.pop()
            for line in lines:
                record = json.loads(line)
                out.write(json.dumps({"type": "RECORD", "stream": "events", "record": record}))
                out.write("\n")
            rows += len(lines)
    if rest.strip():
        raise SystemExit("the export ended in a partial line")
    client.requests.append(("GET", path_of(urlsplit(status["download_url"])), ""))
    return rows


def ceiling(client: Client, requests_file: str) -> int:
    """Replay the requests over one kept-alive connection; read the bytes, parse nothing."""
    made = json.loads(Path(requests_file).read_text())
    connection = http.client.HTTPConnection(urlsplit(client.base_url).netloc, timeout=600)
    headers = dict(client.session.headers)
    received = 0
    for method, target, body in made:
        started = time.perf_counter()
        sent = {**headers, "Content-Type": "application/json"} if body else headers
        connection.request(method, target, body=body or None, headers=sent)
        response = connection.getresponse()
        while chunk := response.read(CHUNK):
            received += len(chunk)
        client.wait += time.perf_counter() - started
    return received


def main(mode: str, base_url: str, key: str, *args: str) -> None:
    started = time.perf_counter()
    client = Client(base_url, key)
    if mode == "list":
        count = pages(client, args[0], int(args[1]), {})
    elif mode == "attributions":
        count = pages(client, args[0], int(args[1]), ATTRIBUTION)
    elif mode == "export":
        count = export(client, args[0])
    elif mode == "ceiling":
        count = ceiling(client, args[0])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    seconds = time.perf_counter() - started
    result = {
        "records": count,  # bytes for ceiling
        "seconds": seconds,
        "wait_seconds": client.wait,
        "requests": client.requests,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
