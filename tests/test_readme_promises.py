"""README sentences that no other test checked: each test names the promise it keeps."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import threading
import typing as t
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from fake_cometly import Fault
from tap_cometly.errors import CometlyAPIError
from tap_cometly.exports.tracker import ExportTracker
from tap_cometly.normalize import BadValueError
from tap_cometly.tap import TapCometly
from tests.export_fakes import (
    FakeClock,
    FakeDownloader,
    FakeRepository,
    FakeSpace,
    Plan,
    file_rows,
    make_job,
)
from tests.helpers import catalog_for, run_tap, tap_config

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from fake_cometly import FakeCometly

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def parse_utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def test_end_date_is_exclusive(fake: FakeCometly) -> None:
    """README: "`end_date` is exclusive (`2024-04-01` includes all of March)"."""
    assert "`end_date` is exclusive" in README
    end = datetime(2024, 3, 10, 5, tzinfo=timezone.utc)  # 2024-03-10 00:00 in New York
    last_second = datetime(2024, 3, 10, 4, 59, 59, tzinfo=timezone.utc)
    last_moment = fake.add_event(event_time_utc=last_second)
    at_the_end = fake.add_event(event_time_utc=end)
    config = tap_config(fake, end_date="2024-03-10", events_requests_per_minute=100_000)
    run = run_tap(config, catalog=catalog_for(config, {"events": None}))
    ids = {row["id"] for row in run.records("events")}
    assert last_moment["id"] in ids, "the last second before end_date is read"
    assert at_the_end["id"] not in ids, "an event at end_date itself is not"
    expected = {row["id"] for row in fake.all_events() if parse_utc(row["event_time_utc"]) < end}
    assert ids == expected


def test_a_wrong_api_url_is_cometly_found_nothing_at(fake: FakeCometly) -> None:
    """README, Errors you may see: "`Cometly found nothing at ...` (404): `api_url` points at the
    wrong place". Also: 404s aren't retried."""
    config = tap_config(fake, api_url=f"{fake.base_url}/not-here", end_date="2024-03-09")
    with pytest.raises(CometlyAPIError, match=r"(^|\): )Cometly found nothing at .*api_url"):
        run_tap(config, catalog=catalog_for(config, {"events": None}))
    assert len([r for r in fake.request_log if r.listener == "api"]) == 1, "not retried"


class _Redirector(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.target + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: t.Any) -> None:
        del format, args  # quiet: the test reads only the tap's error


@pytest.fixture
def redirector(fake: FakeCometly) -> Iterator[str]:
    """A loopback server answering every GET with a redirect to the fake; its base URL."""
    handler = type("Redirector", (_Redirector,), {"target": fake.base_url.split("/public-api")[0]})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/public-api/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_is_not_followed_and_says_so(fake: FakeCometly, redirector: str) -> None:
    """README, Errors you may see: "`Cometly answered ... with a redirect`: the tap does not
    follow redirects so the key never leaves that host"."""
    config = tap_config(fake, api_url=redirector, end_date="2024-03-09")
    with pytest.raises(CometlyAPIError, match=r"(^|\): )Cometly answered .* with a redirect"):
        run_tap(config, catalog=catalog_for(config, {"events": None}))
    assert [r for r in fake.request_log if r.listener == "api"] == [], "the redirect was followed"


def test_exports_are_kept_in_flight_up_to_ten_at_once() -> None:
    """README: "the tap creates the windows' exports (up to 10 in flight ...)" and "Exports ...
    are kept in flight up to 10 at once"; rows still come oldest first."""
    clock = FakeClock()
    # Creations far quicker than processing: only the cap keeps the 11th export from being made
    # before the first file is out.
    space = FakeSpace(clock, create_interval=1.0, check_interval=0.5)
    repositories = [FakeRepository(space, Plan(100.0)) for _ in range(15)]
    downloader = FakeDownloader()
    jobs = [make_job(repository, downloader, clock)[0] for repository in repositories]
    tracker = ExportTracker(
        jobs, creates=space.creates, checks=space.checks, sleep=clock.sleep, clock=clock
    )
    created_at_first_file = None
    order = []
    for export_file in tracker.files():
        if created_at_first_file is None:
            created_at_first_file = sum(1 for r in repositories if r.created)
        order += [row["export_id"] for row in file_rows(export_file)]
    assert created_at_first_file == 10
    assert order == [repository.created[0] for repository in repositories]


def test_the_fakes_help_lists_its_data_rate_limit_and_fault_options() -> None:
    """README, Development: "`--help` lists its data, rate-limit and fault options"."""
    done = subprocess.run(
        [sys.executable, "-m", "fake_cometly", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    for option in ("--days", "--events-per-day", "--contacts", "--no-rate-limits", "--fault"):
        assert option in done.stdout


def test_the_pii_safe_extractor_in_meltano_yml_is_the_one_in_the_readme(
    fake: FakeCometly,
) -> None:
    """README: "the `tap-cometly-pii-safe` extractor in `meltano.yml` hashes contact emails and
    drops phone numbers before anything leaves the tap", with the YAML shown there."""
    extractors = yaml.safe_load((ROOT / "meltano.yml").read_text())["plugins"]["extractors"]
    pii_safe = next(e for e in extractors if e["name"] == "tap-cometly-pii-safe")
    maps = pii_safe["config"]["stream_maps"]
    shown = re.search(r"```yaml\n(stream_maps:\n.*?)```", README, re.DOTALL)
    assert shown is not None
    assert yaml.safe_load(shown.group(1))["stream_maps"] == maps
    config = tap_config(fake, stream_maps=maps)
    run = run_tap(config, catalog=catalog_for(config, {"contacts": None}))
    truth = {row["id"]: row for row in fake.contacts()}
    records = run.records("contacts")
    assert any(record["email"] for record in records)
    for record in records:
        assert "phone" not in record
        original = truth[record["id"]]["email"]
        assert record["email"] == (hashlib.md5(original.encode()).hexdigest() if original else None)


def test_a_429_does_not_count_as_a_failure(fake: FakeCometly) -> None:
    """README, Reliability: "429 Too Many Requests: waits for `Retry-After`, then sends the same
    request again. A 429 doesn't count as a failure": 429s that outlast max_retry_minutes don't
    stop the run (5xx answers for as long do: tests/test_client.py)."""
    fake.inject(Fault("status", family="events_list", count=3, status=429, retry_after=1))
    config = tap_config(fake, end_date="2024-03-09", max_retry_minutes=0.01)  # 0.6 s
    run = run_tap(config, catalog=catalog_for(config, {"events": None}))
    sent = [r for r in fake.request_log if r.family == "events_list"]
    assert [r.status for r in sent[:4]] == [429, 429, 429, 200]
    assert sent[3].time - sent[0].time >= 2.5, "each Retry-After was waited for"
    assert {row["id"] for row in run.records("events")} == {
        row["id"]
        for row in fake.all_events()
        if parse_utc(row["event_time_utc"]) < datetime(2024, 3, 9, 5, tzinfo=timezone.utc)
    }


def test_a_value_the_schema_cannot_hold_names_the_event_and_the_field(fake: FakeCometly) -> None:
    """README, Errors you may see: "`..., event 123: field 'amount' is ..., expected a number`:
    Cometly sent a value the schema cannot hold. Nothing is skipped"."""
    events = TapCometly(config=tap_config(fake, end_date="2024-03-09")).streams["events"]
    shape = t.cast("t.Any", events).shape
    assert shape({"id": 123, "amount": "12.50"}, "GET /events")["amount"] == 12.5
    with pytest.raises(
        BadValueError,
        match=r"^Event 123: field 'amount' is 'twelve', expected a number\.$",
    ):
        shape({"id": 123, "amount": "twelve"}, "GET /events")
