"""Faults against a full sync of every stream: survived ones leave the exact ground truth,
ones beyond the retry budget stop the run with a clear error and a STATE that resumes exactly,
a healthy run is paced below every limit, and bad answers are clear errors that skip nothing."""

from __future__ import annotations

import io
import re
import time
import typing as t
from collections import Counter
from contextlib import redirect_stdout
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fake_cometly import FakeCometly, Fault
from fake_cometly.faults import FaultKind
from tap_cometly.settings import parse_settings
from tap_cometly.tap import TapCometly
from tests.helpers import (
    TapRun,
    catalog_for,
    events_exported_catalog,
    iso,
    messages_of,
    run_cli,
    run_tap,
    run_until_error,
    tap_config,
)

SETUP_SOURCES = ["facebook_ads", "google_ads", "email", "direct", "referral"]
SETUP: dict[str, t.Any] = {
    "sources": SETUP_SOURCES,
    "attribution_model": "linear",
    "attribution_window": 30,
}
STREAMS = ("companies", "contacts", "event_attributions", "events")  # the order they sync in
WINDOWED = ("contacts", "event_attributions", "events")
DAYS = 2  # one-day windows per windowed stream
FIRST_DAY = datetime(2024, 3, 8, tzinfo=ZoneInfo("America/New_York"))  # tests.helpers' Space
END = (FIRST_DAY + timedelta(days=DAYS)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
CONTACTS_EXPORTS = "/public-api/v1/contacts/exports"
EVENTS_EXPORTS = "/public-api/v1/events/exports"
WINDOW = re.compile(r"window \[([^,\s]+), ([^)\s]+)\)")


def start_small(start_fake: t.Callable[..., FakeCometly], **overrides: t.Any) -> FakeCometly:
    return start_fake(
        **{"days": DAYS, "events_per_day": 200, "contacts": 300, "companies": 40, **overrides}
    )


def sync_config(fake: FakeCometly, **overrides: t.Any) -> tuple[dict[str, t.Any], dict[str, t.Any]]:
    """Every stream, one-day windows, one page per list request, short time-outs; and a
    catalog. `extraction_method` says how events are read (export unless told), while
    event_attributions always reads GET /events pages (events_exported_catalog)."""
    events_method = overrides.pop("extraction_method", "export")
    config = tap_config(
        fake,
        **{
            "attribution_setups": [SETUP],
            "contacts_window_days": 1,
            "extraction_method": "list",
            "request_timeout_seconds": 1.5,
            **overrides,
        },
    )
    if events_method == "export":
        return config, events_exported_catalog(config)
    return config, catalog_for(config, dict.fromkeys(STREAMS))


# Ground truth


def key_of(stream: str, record: dict[str, t.Any]) -> t.Any:
    if stream == "event_attributions":
        return (record["id"], record["touchpoint_id"])
    return record["id"]


CONTACT_FIELDS = ("id", "email", "name", "phone", "location", "created_at")


def comparable(stream: str, row: dict[str, t.Any]) -> dict[str, t.Any]:
    """The fields compared with the ground truth, in the tap's formats."""
    if stream == "companies":
        return {"id": row["id"], "domain": row["domain"]}
    if stream == "contacts":
        return {name: row.get(name) for name in CONTACT_FIELDS}
    fields: tuple[str, ...] = ("id", "profile_id", "event_name", "order_id")
    if stream == "event_attributions":
        # Not `source`: export-only, and this catalog leaves it out (attributions are listed).
        fields = (*fields, "touchpoint_id")
    picked = {name: row.get(name) for name in fields}
    picked["event_time_utc"] = iso(row["event_time_utc"])
    picked["amount"] = None if row.get("amount") is None else round(float(row["amount"]), 2)
    return picked


def ground_truth(fake: FakeCometly, config: dict[str, t.Any]) -> dict[str, dict[t.Any, dict]]:
    settings = parse_settings(config)
    attributed = fake.attributed_rows(settings.start, settings.end, SETUP_SOURCES, "linear", 30)
    rows = {
        "events": fake.all_events(),
        "event_attributions": attributed,
        "contacts": fake.contacts(),
        "companies": fake.companies(),
    }
    truth = {
        stream: {key_of(stream, row): comparable(stream, row) for row in stream_rows}
        for stream, stream_rows in rows.items()
    }
    assert all(truth.values()), "every stream has rows to lose"
    return truth


def assert_exact(
    fake: FakeCometly, config: dict[str, t.Any], records: dict[str, list[dict[str, t.Any]]]
) -> None:
    """Every stream's records equal the ground truth: same keys, same values, no duplicates."""
    truth = ground_truth(fake, config)
    for stream in STREAMS:
        got = records[stream]
        keys = Counter(key_of(stream, record) for record in got)
        doubled = [key for key, seen in keys.items() if seen > 1]
        assert not doubled, f"{stream}: duplicates in a fresh full sync: {doubled[:5]}"
        assert set(keys) == set(truth[stream]), (
            f"{stream}: {len(set(truth[stream]) - set(keys))} rows lost, "
            f"{len(set(keys) - set(truth[stream]))} rows invented"
        )
        for record in got:
            assert comparable(stream, record) == truth[stream][key_of(stream, record)]


def by_stream(run: TapRun) -> dict[str, list[dict[str, t.Any]]]:
    return {stream: run.records(stream) for stream in STREAMS}


# 1. Faults survived


def everywhere(kind: FaultKind, count: int = 1, **options: t.Any) -> list[Fault]:
    """The fault on each kind of request a full sync makes: attributions' and companies' list
    pages, both export streams' creations and status checks, and both streams' downloads."""
    faults = [
        Fault(kind, family="events_list", count=count, **options),
        Fault(kind, family="companies_list", count=count, **options),
    ]
    for path in (CONTACTS_EXPORTS, EVENTS_EXPORTS):
        faults += [
            Fault(kind, family="export_create", path_prefix=path, count=count, **options),
            Fault(kind, family="export_status", path_prefix=path, count=count, **options),
        ]
    return faults + downloads_of_both(kind, count, **options)


def downloads_of_both(kind: FaultKind, count: int = 1, **options: t.Any) -> list[Fault]:
    """A fault for the contacts' downloads (they come first) and one for the events': it lets
    the contacts' DAYS good downloads pass (the first fault's own retries never reach it)."""
    return [
        Fault(kind, family="download", count=count, **options),
        Fault(kind, family="download", count=count, skip=DAYS, **options),
    ]


# (id, faults, fake overrides, tap setting overrides)
SURVIVED: list[tuple[str, list[Fault], dict[str, t.Any], dict[str, t.Any]]] = [
    (
        "429 bursts with Retry-After",
        [
            Fault("status", family="events_list", count=2, status=429, retry_after=1),
            Fault("status", family="export_status", path_prefix=EVENTS_EXPORTS, status=429),
        ],
        {},
        {},
    ),
    ("500", everywhere("status", count=2, status=500), {}, {}),
    ("502", everywhere("status", count=2, status=502), {}, {}),
    ("503", everywhere("status", count=2, status=503), {}, {}),
    ("connection reset mid-body", everywhere("reset"), {}, {}),
    ("read timeouts", everywhere("slow", delay=0.6), {}, {"request_timeout_seconds": 0.3}),
    ("slow answers within the timeout", everywhere("slow", delay=0.2), {}, {}),
    # At most two in a row per file: the third fetch or URL is the last one allowed.
    ("truncated gzip", downloads_of_both("truncate_gzip", count=2), {}, {}),
    ("expired download URLs", downloads_of_both("expire_url", count=2), {}, {}),
    (
        "failed exports",
        [
            Fault("export_fail", path_prefix=CONTACTS_EXPORTS, count=2),
            Fault("export_fail", path_prefix=EVENTS_EXPORTS, count=2),
        ],
        {},
        {},
    ),
    ("exports queued for a while", [], {"export_polls_queued": 5}, {}),
    (
        "Content-Encoding gzip",
        [Fault("content_encoding", family="download", count=2 * DAYS, mode="gzip")],
        {},
        {},
    ),
    (
        "plain NDJSON instead of gzip",
        [Fault("content_encoding", family="download", count=2 * DAYS, mode="plain")],
        {},
        {},
    ),
]

MIXED = [
    Fault("status", family="events_list", status=429, retry_after=1),
    Fault("slow", family="events_list", count=2, delay=0.3),
    Fault("reset", family="events_list"),
    Fault("status", family="events_list", status=502),
    Fault("status", family="export_create", path_prefix=CONTACTS_EXPORTS, status=500),
    Fault("slow", family="export_status", path_prefix=CONTACTS_EXPORTS, delay=1.2),
    Fault("status", family="export_status", path_prefix=CONTACTS_EXPORTS, status=503),
    Fault("export_fail", path_prefix=CONTACTS_EXPORTS),
    # The contacts' downloads, one fault each (skip counts the downloads each kind's check
    # sees): 503, reset mid-body, URL expired, gzip truncated, then two plain NDJSON files.
    Fault("status", family="download", status=503),
    Fault("reset", family="download", skip=1),
    Fault("expire_url", family="download", skip=1),
    Fault("truncate_gzip", family="download", skip=1),
    Fault("content_encoding", family="download", count=2, mode="plain", skip=2),
    Fault("reset", family="companies_list"),
    Fault("status", family="companies_list", status=500),
]
MIXED_BY_METHOD = {
    # The events' own list pages come after the event_attributions' DAYS.
    "list": [Fault("status", family="events_list", status=503, skip=DAYS)],
    "export": [
        Fault("export_fail", path_prefix=EVENTS_EXPORTS),
        Fault("status", family="export_status", path_prefix=EVENTS_EXPORTS, status=503),
        Fault("slow", family="export_create", path_prefix=EVENTS_EXPORTS, delay=1.2),
        Fault("reset", family="export_status", path_prefix=EVENTS_EXPORTS),
    ],
}


def assert_every_fault_fired(fake: FakeCometly) -> None:
    assert fake.faults_left() == [], "a fault never met its request: the test proved nothing"


@pytest.mark.parametrize(
    ("faults", "fake_overrides", "overrides"),
    [pytest.param(f, fo, o, id=name) for name, f, fo, o in SURVIVED],
)
def test_a_full_sync_survives_each_fault(
    start_fake: t.Callable[..., FakeCometly],
    faults: list[Fault],
    fake_overrides: dict[str, t.Any],
    overrides: dict[str, t.Any],
) -> None:
    fake = start_small(start_fake, **fake_overrides)
    for fault in faults:
        fake.inject(fault)
    config, catalog = sync_config(fake, **overrides)
    run = run_tap(config, catalog=catalog)
    assert_every_fault_fired(fake)
    assert_exact(fake, config, by_stream(run))
    for stream in WINDOWED:
        assert run.bookmark(stream) == END
    if fake_overrides.get("export_polls_queued"):
        queued_checks = fake.config.export_polls_queued * 2 * DAYS  # contacts' and events'
        assert fake.count(family="export_status") >= queued_checks


@pytest.mark.parametrize("method", ["list", "export"])
def test_a_full_sync_survives_a_mix_of_faults(
    start_fake: t.Callable[..., FakeCometly], method: str
) -> None:
    fake = start_small(start_fake, export_polls_queued=4)
    for fault in MIXED + MIXED_BY_METHOD[method]:
        fake.inject(fault)
    config, catalog = sync_config(fake, request_timeout_seconds=0.6, extraction_method=method)
    run = run_tap(config, catalog=catalog)
    assert_every_fault_fired(fake)
    assert_exact(fake, config, by_stream(run))
    downloads = [entry.status for entry in fake.requests(listener="storage")]
    contacts = [503, 200, 403, 200] + [200] * DAYS
    events = [200] * DAYS if method == "export" else []
    assert downloads == contacts + events


# 2. Faults beyond the retry budget: a clear error, exit 1, and a STATE that resumes exactly


def local_text(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def parse_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


# (id, faults, tap setting overrides, stream named, cause named)
BEYOND: list[tuple[str, list[Fault], dict[str, t.Any], str, str]] = [
    (
        "503 on attribution pages",
        [Fault("status", family="events_list", status=503, count=100_000, skip=1)],
        {},
        "event_attributions",
        r"the API kept failing for \d+ s \(\d+ tries\); last error: "
        r"GET /public-api/v1/events: 503 ",
    ),
    (
        "503 on event pages",
        # The event_attributions' DAYS pages and the first events window pass.
        [Fault("status", family="events_list", status=503, count=100_000, skip=DAYS + 1)],
        {"extraction_method": "list"},
        "events",
        r"the API kept failing .* last error: GET /public-api/v1/events: 503 ",
    ),
    (
        "event export failing",
        [Fault("export_fail", path_prefix=EVENTS_EXPORTS, skip=1)],
        {"export_max_attempts": 1},
        "events",
        r"Cometly reported the export failed once .*export_max_attempts",
    ),
    (
        "export creation timing out",
        [Fault("slow", family="export_create", delay=1.0, count=100_000, skip=1)],
        {"request_timeout_seconds": 0.3},
        "contacts",
        r"the API kept failing .* last error: POST /public-api/v1/contacts/exports: ReadTimeout",
    ),
    (
        "downloads reset every time",
        [Fault("reset", family="download", count=100_000, skip=1)],
        {},
        "contacts",
        r"the storage host kept failing for \d+ s; last error: the connection broke after",
    ),
    (
        "export failing every attempt",
        [Fault("export_fail", path_prefix=CONTACTS_EXPORTS, count=3, skip=1)],
        {},
        "contacts",
        r"Cometly reported the export failed 3 times .*export_max_attempts",
    ),
    (
        "every download URL expired",
        [Fault("expire_url", family="download", count=4, skip=1)],
        {},
        "contacts",
        r"refused 4 fresh download URLs in a row as expired",
    ),
]


def first_request_start(
    fake: FakeCometly, stream: str, state: dict[str, t.Any], zone: str
) -> str | None:
    """The local start of the first window the resumed run asked the API about, when the
    stream reads it from GET /events pages or contact exports (None for day exports)."""
    if stream == "contacts":
        first = fake.requests(path_prefix=CONTACTS_EXPORTS)[0]
        if first.method == "POST":
            return str(first.json_body["start_date"])
        # A status check first: an export the failed run saved is taken over (or replaced).
        saved = state["bookmarks"]["contacts"]["exports_in_flight"]["windows"]
        window_start = {
            f"{CONTACTS_EXPORTS}/{export_id}": key.split("/")[0] for key, export_id in saved.items()
        }[first.path]
        return local_text(parse_utc(window_start), zone)
    attributed = stream == "event_attributions"
    pages = [
        entry
        for entry in fake.requests(family="events_list")
        if any(name == "sources[]" for name, _ in entry.query) == attributed
    ]
    return dict(pages[0].query)["start_date"] if pages else None


def time_of(stream: str, record: dict[str, t.Any]) -> datetime:
    return parse_utc(record["created_at" if stream == "contacts" else "event_time_utc"])


@pytest.mark.parametrize(
    ("faults", "overrides", "stream", "cause"),
    [pytest.param(f, o, s, c, id=name) for name, f, o, s, c in BEYOND],
)
def test_a_fault_beyond_the_budget_stops_the_run_and_its_state_resumes_exactly(
    start_fake: t.Callable[..., FakeCometly],
    tmp_path: Path,
    faults: list[Fault],
    overrides: dict[str, t.Any],
    stream: str,
    cause: str,
) -> None:
    fake = start_small(start_fake)
    for fault in faults:
        fake.inject(fault)
    config, catalog = sync_config(fake, **{"max_retry_minutes": 0.01, **overrides})
    finished = run_cli(config, tmp_path, catalog=catalog)
    stderr = finished.stderr

    assert finished.returncode == 1
    assert "Traceback" not in stderr, "a clear message, not a stack trace"
    error = stderr.splitlines()[-1]
    assert "| ERROR " in error, stderr[-2000:]
    assert f"tream '{stream}'" in error
    assert re.search(cause, error), error
    window = WINDOW.search(error)
    assert window is not None, f"the error names no window: {error}"
    first = TapRun(messages_of(finished))
    state = first.last_state
    bookmark = first.bookmark(stream)
    # The failed window is the one after the last bookmark: nothing of it was claimed.
    assert bookmark == window.group(1) != "2024-03-08T05:00:00Z"
    assert parse_utc(window.group(2)) > parse_utc(bookmark)
    assert all(time_of(stream, r) < parse_utc(bookmark) for r in first.records(stream))

    fake.clear_faults()
    fake.clear_log()
    resumed_config = {**config, "max_retry_minutes": 0.25, "request_timeout_seconds": 1.5}
    second = run_tap(resumed_config, state=state, catalog=catalog)

    settings = parse_settings(config)
    zone = settings.timezone.key
    truth = ground_truth(fake, config)
    for name in STREAMS:
        both = first.records(name) + second.records(name)
        assert {key_of(name, r) for r in both} == set(truth[name]), f"{name}: rows lost"
        for record in both:
            assert comparable(name, record) == truth[name][key_of(name, record)]
        for run in (first, second):
            keys = [key_of(name, r) for r in run.records(name)]
            assert len(keys) == len(set(keys)), f"{name}: a row twice in one run"
        if name == "companies":
            continue  # a full table: every run reads it whole
        left_at = first.bookmark(name)
        if left_at is None:
            continue  # the first run never reached this stream
        # The second run starts at the bookmark, less the lookback: nothing before is re-read.
        read_again_from = parse_utc(left_at) - lookback_of(name, config)
        assert all(time_of(name, r) >= read_again_from for r in second.records(name))
    assert second.records(stream), "the resumed run read the failed window"
    started = first_request_start(fake, stream, state, zone)
    # Less the lookback, but never before start_date (72 hours reach back past it here).
    resumed_from = max(parse_utc(bookmark) - lookback_of(stream, config), settings.start)
    assert started in (None, local_text(resumed_from, zone))
    creates = fake.requests(method="POST", path_prefix=CONTACTS_EXPORTS)
    assert local_text(settings.start, zone) not in [c.json_body["start_date"] for c in creates]


def lookback_of(stream: str, config: dict[str, t.Any]) -> timedelta:
    if stream == "contacts":
        return timedelta(0)
    return timedelta(hours=parse_settings(config).lookback_hours)


# 3. Pacing


def test_a_healthy_sync_of_every_stream_meets_no_429(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    fake = start_fake(days=4, events_per_day=100, contacts=300, companies=40)
    all_sources = {**SETUP, "sources": "all"}  # four requests per window
    config = tap_config(
        fake,
        attribution_setups=[all_sources],
        contacts_window_days=1,
        extraction_method="export",  # both the list and the export budgets in use
    )
    # The documented per-minute limits, time-scaled: no *_requests_per_minute override.
    assert not [name for name in config if name.endswith("_per_minute")]
    started = time.monotonic()
    run = run_tap(config)
    elapsed = time.monotonic() - started
    assert len(run.records("events")) == len(fake.all_events())
    assert len(run.records("contacts")) == fake.config.contacts
    log = fake.request_log
    assert [entry for entry in log if entry.status == 429] == []
    calls = Counter(entry.family for entry in log)
    # The budgets were really used up (more calls than a minute allows), so pacing waited:
    # 4 days of events, attributions (4 exports a day: 15 sources each) and contacts.
    assert calls["export_create"] == 4 * (1 + 4 + 1)
    assert elapsed >= 2 * 60 / fake.config.time_scale


def test_a_restart_within_the_minute_waits_only_the_429s_retry_after(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    # A slower API clock than the other tests': a Retry-After is whole real seconds, and here it
    # must be shorter than a window (6 s) to tell "Retry-After" from "Retry-After plus a window".
    fake = start_fake(days=7, events_per_day=50, time_scale=10.0)
    config = tap_config(fake, events_window_days=1)
    catalog = catalog_for(config, {"events": None})
    run_tap(config, catalog=catalog)  # seven one-page days: the minute's GET /events budget
    first_call = min(entry.time for entry in fake.request_log if entry.family == "events_list")
    # Restart 36 API seconds after the budget's first call: the API asks for 24 s more (3 real).
    time.sleep(max(0.0, first_call + 3.6 - time.monotonic()))

    tap = TapCometly(config=config, catalog=catalog)
    with redirect_stdout(io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)):
        tap.sync_all()
    refusals = [entry for entry in fake.request_log if entry.status == 429]
    assert refusals, "the restart was expected to meet the spent budget"
    window = config["rate_limit_window_seconds"]
    assert 2.5 < tap.connection.pacers.waited_seconds() < 0.8 * window


# 4. Bad answers: a clear error naming where, nothing skipped


# Status checks of one healthy export: queued, processing, completed (the fake's defaults).
CHECKS_PER_EXPORT = 3
SECOND_DAY_START = "2024-03-09T05:00:00Z"
SECOND_DAY = f"window [{SECOND_DAY_START}, 2024-03-10T05:00:00Z)"
LIST = {"extraction_method": "list"}
# (id, fault, stream, what the message says besides stream and window, tap setting overrides)
BAD_ANSWERS: list[tuple[str, Fault, str, str, dict[str, t.Any]]] = [
    (
        "events page of HTML",
        Fault("bad_body", family="events_list", mode="html", skip=DAYS + 1),
        "events",
        r"GET /public-api/v1/events answered 200 with a body that is not JSON",
        LIST,
    ),
    (
        "events page without data",
        Fault("bad_body", family="events_list", mode="no_data", skip=DAYS + 1),
        "events",
        r"GET /public-api/v1/events answered without a 'data' list \(got: message\)",
        LIST,
    ),
    (
        "events row without id",
        Fault("no_id", family="events_list", skip=DAYS + 1),
        "events",
        r"GET /public-api/v1/events holds a row without an id, which every event has "
        r"\(fields: amount, ",
        LIST,
    ),
    (
        "attributed page of HTML",
        Fault("bad_body", family="events_list", mode="html", skip=1),
        "event_attributions",
        r"GET /public-api/v1/events answered 200 with a body that is not JSON",
        {},
    ),
    (
        "attributed row without id",
        Fault("no_id", family="events_list", skip=1),
        "event_attributions",
        r"GET /public-api/v1/events holds a row without an id, which every event has "
        r"\(fields: ",
        {},
    ),
    (
        "export creation answered with HTML",
        Fault(
            "bad_body", family="export_create", path_prefix=CONTACTS_EXPORTS, mode="html", skip=1
        ),
        "contacts",
        r"POST /public-api/v1/contacts/exports answered 200 with a body that is not JSON",
        {},
    ),
    (
        "export creation without export_id",
        Fault(
            "bad_body", family="export_create", path_prefix=CONTACTS_EXPORTS, mode="no_data", skip=1
        ),
        "contacts",
        r"POST /public-api/v1/contacts/exports answered 200 without an export_id",
        {},
    ),
    (
        "export status answered with HTML",
        Fault(
            "bad_body",
            family="export_status",
            path_prefix=CONTACTS_EXPORTS,
            mode="html",
            skip=CHECKS_PER_EXPORT,
        ),
        "contacts",
        r"GET /public-api/v1/contacts/exports/\d+ answered 200 with a body that is not JSON",
        {},
    ),
    (
        "export status without status",
        Fault(
            "bad_body",
            family="export_status",
            path_prefix=CONTACTS_EXPORTS,
            mode="no_data",
            skip=CHECKS_PER_EXPORT,
        ),
        "contacts",
        r"export \d+: GET \S+/exports/\d+ reports status None; the tap knows queued, processing, "
        r"completed, failed",
        {},
    ),
    (
        "unknown export status",
        Fault("unknown_status", path_prefix=CONTACTS_EXPORTS, skip=CHECKS_PER_EXPORT),
        "contacts",
        r"export \d+: GET \S+/exports/\d+ reports status 'cancelled'",
        {},
    ),
    (
        "malformed NDJSON line",
        Fault("bad_ndjson", path_prefix=CONTACTS_EXPORTS, skip=1),
        "contacts",
        r"export \d+: line 2 is not valid JSON",
        {},
    ),
    (
        "exported contact without id",
        Fault("no_id", family="export_create", path_prefix=CONTACTS_EXPORTS, skip=1),
        "contacts",
        r"export \d+: the export file holds a row without an id, which every contact has "
        r"\(fields: created_at, email, location, name, phone\)",
        {},
    ),
    (
        "malformed NDJSON line in a day export",
        Fault("bad_ndjson", path_prefix=EVENTS_EXPORTS, skip=1),
        "events",
        r"Stream 'events', window \[2024-03-09T05:00:00Z, 2024-03-10T05:00:00Z\) "
        r"\(day 2024-03-09\), export \d+: line 2 is not valid JSON",
        {},
    ),
    (
        "exported event without id",
        Fault("no_id", family="export_create", path_prefix=EVENTS_EXPORTS, skip=1),
        "events",
        r"Stream 'events', window \[2024-03-09T05:00:00Z, 2024-03-10T05:00:00Z\) "
        r"\(day 2024-03-09\), export \d+: the export file holds a row without an id, "
        r"which every event has "
        r"\(fields: ",
        {},
    ),
]


@pytest.mark.parametrize(
    ("fault", "stream", "says", "overrides"),
    [pytest.param(f, s, w, o, id=name) for name, f, s, w, o in BAD_ANSWERS],
)
def test_a_bad_answer_is_a_clear_error_and_skips_nothing(
    start_fake: t.Callable[..., FakeCometly],
    fault: Fault,
    stream: str,
    says: str,
    overrides: dict[str, t.Any],
) -> None:
    fake = start_small(start_fake)
    fake.inject(fault)
    config, catalog = sync_config(fake, **overrides)
    failed = run_until_error(config, catalog=catalog)
    run, error = failed.run, failed.error
    message = str(error)
    assert re.search(says, message), message
    assert f"tream '{stream}'" in message
    assert SECOND_DAY in message, message
    assert "@" not in message, "row values (personal data) stay out of errors"
    assert_every_fault_fired(fake)
    # The first window is out and bookmarked; the bad one is not claimed by any STATE.
    bookmarks = [
        state["bookmarks"][stream].get("replication_key_value")
        for state in run.states
        if stream in state.get("bookmarks", {})
    ]
    assert {value for value in bookmarks if value} == {SECOND_DAY_START}
    late = [r for r in run.records(stream) if time_of(stream, r) >= parse_utc(SECOND_DAY_START)]
    # Rows come a page at a time (an export file's a few thousand lines at a time), each page
    # checked whole before any of its rows is sent: none of the bad page's.
    assert not late, "rows of the bad page were emitted"
    assert run.records(stream), "the first window's rows were emitted"


def test_a_company_page_without_ids_is_a_clear_error(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    fake = start_small(start_fake)
    fake.inject(Fault("no_id", family="companies_list"))
    config, catalog = sync_config(fake)
    failed = run_until_error(config, catalog=catalog)
    run, error = failed.run, failed.error
    assert re.search(
        r"GET /public-api/v1/companies holds a row without an id, which every company has "
        r"\(fields: domain\)",
        str(error),
    )
    assert run.records("companies") == []
    assert_every_fault_fired(fake)
