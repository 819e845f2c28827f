"""The contacts stream against the fake: exports per window equal the ground truth, failures are
recovered (or reported naming the export), a restarted run takes over its export, and neither
the API key nor a presigned URL goes where it must not."""

from __future__ import annotations

import itertools
import json
import logging
import typing as t

import pytest

from fake_cometly import FakeCometly, Fault
from tests.helpers import (
    API_KEY,
    FailedRun,
    TapRun,
    catalog_for,
    run_tap,
    run_until_error,
    tap_config,
)

ARRAYS = ("comet_tokens", "emails")
EXPORTS_PATH = "/public-api/v1/contacts/exports"
IN_FLIGHT = "exports_in_flight"
NO_ARRAYS = {"timezone": "America/New_York", "include_comet_tokens": 0, "include_all_emails": 0}
WHOLE_RANGE = "2024-03-08T05:00:00Z/2024-03-13T04:00:00Z"


def contacts_config(fake: FakeCometly, **overrides: t.Any) -> dict[str, t.Any]:
    return tap_config(fake, **{"contacts_window_days": 1, **overrides})


def contacts_only(config: dict[str, t.Any]) -> dict[str, t.Any]:
    return catalog_for(config, {"contacts": None})


def run_contacts(config: dict[str, t.Any], state: dict | None = None) -> TapRun:
    return run_tap(config, state=state, catalog=contacts_only(config))


def run_contacts_until_error(config: dict[str, t.Any], state: dict | None = None) -> FailedRun:
    return run_until_error(config, state, contacts_only(config))


def truth(fake: FakeCometly, *, arrays: tuple[str, ...] = ()) -> dict[int, dict[str, t.Any]]:
    """The fake's contacts with only the requested arrays, by id."""
    rows = {}
    for row in fake.contacts():
        for name in ARRAYS:
            if name not in arrays:
                row.pop(name, None)
        rows[row["id"]] = row
    return rows


def assert_equals_truth(run: TapRun, expected: dict[int, dict[str, t.Any]]) -> None:
    records = run.records("contacts")
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids)), "a contact came twice in one run"
    assert {record["id"]: record for record in records} == expected


def creates(fake: FakeCometly) -> list[t.Any]:
    return fake.requests(method="POST", path_prefix=EXPORTS_PATH)


def bookmarks(run: TapRun) -> list[str]:
    """Each distinct bookmark in the order the run moved it."""
    values = [
        state["bookmarks"]["contacts"]["replication_key_value"]
        for state in run.states
        if state.get("bookmarks", {}).get("contacts", {}).get("replication_key_value")
    ]
    return list(dict.fromkeys(values))


# Ground truth


def test_several_windows_equal_the_ground_truth(fake: FakeCometly) -> None:
    run = run_contacts(contacts_config(fake))
    expected = truth(fake)
    assert len(expected) == fake.config.contacts
    assert_equals_truth(run, expected)
    # 2024-03-08 .. 2024-03-13 in New York: five one-day windows, 2024-03-10 lasting 23 hours.
    assert bookmarks(run) == [
        "2024-03-09T05:00:00Z",
        "2024-03-10T05:00:00Z",
        "2024-03-11T04:00:00Z",
        "2024-03-12T04:00:00Z",
        "2024-03-13T04:00:00Z",
    ]
    assert len(creates(fake)) == 5
    assert IN_FLIGHT not in run.last_state["bookmarks"]["contacts"]
    assert "progress_markers" not in str(run.last_state)


def test_the_two_options_add_their_arrays(fake: FakeCometly) -> None:
    config = contacts_config(fake, include_comet_tokens=True, include_all_emails=True)
    run = run_contacts(config)
    assert_equals_truth(run, truth(fake, arrays=ARRAYS))
    schema = next(m for m in run.messages if m["type"] == "SCHEMA")["schema"]
    for name in ARRAYS:
        assert schema["properties"][name]["items"]["type"] == ["string"]
    for create in creates(fake):
        assert create.json_body["include_comet_tokens"] == 1
        assert create.json_body["include_all_emails"] == 1


def test_without_the_options_the_flags_are_sent_as_0_and_no_arrays_come(
    fake: FakeCometly,
) -> None:
    run = run_contacts(contacts_config(fake, contacts_window_days=30))
    schema = next(m for m in run.messages if m["type"] == "SCHEMA")["schema"]
    assert not set(ARRAYS) & set(schema["properties"])
    (create,) = creates(fake)
    assert create.json_body == {
        "start_date": "2024-03-08 00:00:00",
        "end_date": "2024-03-13 00:00:00",
        "include_comet_tokens": 0,
        "include_all_emails": 0,
    }


def test_a_field_the_catalog_does_not_know_does_not_break_the_run(fake: FakeCometly) -> None:
    # As if Cometly added `location` after the catalog was made.
    config = contacts_config(fake, contacts_window_days=30)
    catalog = catalog_for(config, {"contacts": None})
    (entry,) = [e for e in catalog["streams"] if e["tap_stream_id"] == "contacts"]
    del entry["schema"]["properties"]["location"]
    entry["metadata"] = [m for m in entry["metadata"] if m["breadcrumb"][-1:] != ["location"]]
    run = run_tap(config, catalog=catalog)
    assert len(run.records("contacts")) == fake.config.contacts
    assert all("location" not in record for record in run.records("contacts"))


# Incremental, full table and resuming


def test_an_incremental_run_exports_only_the_windows_after_the_bookmark(
    fake: FakeCometly,
) -> None:
    first = run_contacts(contacts_config(fake, end_date="2024-03-11"))
    assert bookmarks(first)[-1] == "2024-03-11T04:00:00Z"
    fake.clear_log()
    second = run_contacts(contacts_config(fake), state=first.last_state)
    expected = fake.contacts("2024-03-11T04:00:00Z", "2024-03-13T04:00:00Z")
    assert {r["id"] for r in second.records("contacts")} == {row["id"] for row in expected}
    assert [c.json_body["start_date"] for c in creates(fake)] == [
        "2024-03-11 00:00:00",
        "2024-03-12 00:00:00",
    ]
    all_ids = {r["id"] for r in first.records("contacts") + second.records("contacts")}
    assert all_ids == set(truth(fake))


def test_full_table_re_exports_everything_from_start_date(fake: FakeCometly) -> None:
    config = contacts_config(fake, contacts_window_days=30)
    first = run_contacts(config)
    catalog = contacts_only(config)
    for entry in catalog["streams"]:
        entry["replication_method"] = "FULL_TABLE"
    again = run_tap(config, state=first.last_state, catalog=catalog)
    assert_equals_truth(again, truth(fake))
    assert len(creates(fake)) == 2


def saved_exports(run: TapRun) -> dict[str, int]:
    entry = run.last_state["bookmarks"]["contacts"][IN_FLIGHT]
    assert entry["filters"] == NO_ARRAYS
    return dict(entry["windows"])


def test_a_restarted_run_takes_over_the_export_in_flight(fake: FakeCometly) -> None:
    # The first run dies after its export completed: the download keeps failing.
    fake.inject(Fault("status", family="download", count=1000, status=503))
    config = contacts_config(fake, contacts_window_days=30)
    crashed = run_contacts_until_error({**config, "max_retry_minutes": 0.005})
    assert saved_exports(crashed.run) == {WHOLE_RANGE: 1001}
    assert len(creates(fake)) == 1

    fake.clear_faults()
    fake.clear_log()
    resumed = run_contacts(config, state=crashed.run.last_state)
    assert_equals_truth(resumed, truth(fake))
    assert creates(fake) == [], "the resumed run created an export instead of taking one over"
    assert fake.count(path_prefix=f"{EXPORTS_PATH}/1001") == 1
    assert IN_FLIGHT not in resumed.last_state["bookmarks"]["contacts"]


def test_several_windows_are_exported_at_once_and_emitted_in_order(fake: FakeCometly) -> None:
    # Every export is created before the first one is downloaded; rows still come window by
    # window, each bookmarked once it is out.
    fake.inject(Fault("status", family="download", count=1000, status=503))
    crashed = run_contacts_until_error({**contacts_config(fake), "max_retry_minutes": 0.005})
    assert len(saved_exports(crashed.run)) == 5
    fake.clear_faults()
    fake.clear_log()
    run = run_contacts(contacts_config(fake), state=crashed.run.last_state)
    assert creates(fake) == []
    assert_equals_truth(run, truth(fake))
    created_at = [record["created_at"] for record in run.records("contacts")]
    windows = [bookmarks(run).index(next(b for b in bookmarks(run) if c < b)) for c in created_at]
    assert windows == sorted(windows), "a window's rows came after a later window's"
    saved = [
        len(state["bookmarks"]["contacts"].get(IN_FLIGHT, {}).get("windows", {}))
        for state in run.states
        if "contacts" in state.get("bookmarks", {})
    ]
    assert saved[-1] == 0
    assert [n for n in saved if n] == sorted((n for n in saved if n), reverse=True)


def test_a_saved_export_whose_window_ended_at_an_earlier_now_is_taken_over(
    fake: FakeCometly,
) -> None:
    # The first run dies after its export completed: the download keeps failing. Its window
    # ends at that run's "now", in the middle of a day.
    fake.inject(Fault("status", family="download", count=1000, status=503))
    config = contacts_config(fake, contacts_window_days=30)
    crashed = run_contacts_until_error(
        {**config, "end_date": "2024-03-09T12:00:00", "max_retry_minutes": 0.005}
    )
    assert "storage host kept failing" in str(crashed.error)
    assert saved_exports(crashed.run) == {"2024-03-08T05:00:00Z/2024-03-09T17:00:00Z": 1001}
    assert not crashed.run.records("contacts")

    fake.clear_faults()
    fake.clear_log()
    resumed = run_contacts(config, state=crashed.run.last_state)
    assert_equals_truth(resumed, truth(fake))
    posted = [create.json_body["start_date"] for create in creates(fake)]
    assert posted == ["2024-03-09 12:00:00"], "the saved window was exported again"
    status_checks = fake.requests(method="GET", path_prefix=EXPORTS_PATH)
    assert status_checks[0].path == f"{EXPORTS_PATH}/1001"
    assert bookmarks(resumed)[0] == "2024-03-09T17:00:00Z"


def saved_state(export_id: int, filters: dict[str, t.Any] = NO_ARRAYS) -> dict[str, t.Any]:
    entry = {"filters": filters, "windows": {WHOLE_RANGE: export_id}}
    return {"bookmarks": {"contacts": {IN_FLIGHT: entry}}}


def test_a_saved_export_cometly_does_not_know_is_replaced(fake: FakeCometly) -> None:
    run = run_contacts(contacts_config(fake, contacts_window_days=30), state=saved_state(424242))
    assert_equals_truth(run, truth(fake))
    assert fake.count(path_prefix=f"{EXPORTS_PATH}/424242", status=404) == 1
    assert len(creates(fake)) == 1


def test_a_saved_export_made_in_another_timezone_is_not_taken_over(fake: FakeCometly) -> None:
    other = {**NO_ARRAYS, "timezone": "UTC"}
    run = run_contacts(
        contacts_config(fake, contacts_window_days=30), state=saved_state(777, other)
    )
    assert_equals_truth(run, truth(fake))
    assert fake.count(path_prefix=f"{EXPORTS_PATH}/777") == 0
    assert len(creates(fake)) == 1


def test_a_saved_export_that_failed_is_replaced(fake: FakeCometly) -> None:
    fake.inject(Fault("export_fail"))
    config = contacts_config(fake, contacts_window_days=30)
    failed = run_contacts_until_error({**config, "export_max_attempts": 1})
    assert "failed once" in str(failed.error)
    (saved,) = saved_exports(failed.run).values()
    fake.clear_log()
    run = run_contacts(config, state=failed.run.last_state)
    assert_equals_truth(run, truth(fake))
    assert fake.count(path_prefix=f"{EXPORTS_PATH}/{saved}") == 1
    assert len(creates(fake)) == 1


# Export failures


def test_a_failed_export_is_created_again(fake: FakeCometly) -> None:
    fake.inject(Fault("export_fail"))
    run = run_contacts(contacts_config(fake, contacts_window_days=30))
    assert_equals_truth(run, truth(fake))
    first, second = creates(fake)
    assert first.json_body == second.json_body


def test_an_export_failing_every_attempt_is_a_clear_error(fake: FakeCometly) -> None:
    fake.inject(Fault("export_fail", count=3))
    failed = run_contacts_until_error(contacts_config(fake, contacts_window_days=30))
    message = str(failed.error)
    assert message.startswith(
        "Stream 'contacts', window [2024-03-08T05:00:00Z, 2024-03-13T04:00:00Z), export 1003: "
    )
    assert "failed 3 times" in message
    assert "export_max_attempts" in message
    assert not failed.run.records("contacts")
    assert len(creates(fake)) == 3


def test_a_stuck_export_times_out_naming_the_export_its_status_and_window(
    fake: FakeCometly,
) -> None:
    fake.inject(Fault("export_stuck"))
    config = contacts_config(fake, contacts_window_days=30, export_timeout_minutes=0.01)
    failed = run_contacts_until_error(config)
    message = str(failed.error)
    assert "window [2024-03-08T05:00:00Z, 2024-03-13T04:00:00Z), export 1001: " in message
    assert "the export is still queued after 1 s" in message
    assert message.count("tream 'contacts'") == 1
    # The export was saved before the wait, so the next run checks it instead of creating one.
    assert "The next run checks this export again" in message
    assert saved_exports(failed.run) == {WHOLE_RANGE: 1001}

    # Still stuck in that next run: it is dropped, and the run after creates a new export.
    fake.clear_log()
    again = run_contacts_until_error(config, failed.run.last_state)
    assert creates(fake) == []
    assert "export 1001: the export is still queued" in str(again.error)
    assert "dropped from the state: the next run creates a new export" in str(again.error)
    assert IN_FLIGHT not in again.run.last_state["bookmarks"]["contacts"]
    fake.clear_faults()
    recovered = run_contacts(config, state=again.run.last_state)
    assert_equals_truth(recovered, truth(fake))
    assert len(creates(fake)) == 1


def test_status_checks_back_off_up_to_twice_the_first_wait_for_the_awaited_export(
    start_fake: t.Callable[..., FakeCometly],
) -> None:
    fake = start_fake(export_polls_queued=4)
    run_contacts(contacts_config(fake, contacts_window_days=30, export_poll_seconds=0.2))
    (create,) = creates(fake)
    checks = [create.time] + [r.time for r in fake.requests(family="export_status")]
    gaps = [later - earlier for earlier, later in itertools.pairwise(checks)]
    assert len(gaps) >= 5
    # 0.2, 0.3, then 0.4: the run waits on this export, so a finished one is noticed soon.
    for number, gap in enumerate(gaps[:5]):
        assert gap == pytest.approx(min(0.2 * 1.5**number, 0.4), rel=0.2)


def test_a_malformed_line_is_an_error_naming_the_export_and_line(fake: FakeCometly) -> None:
    fake.inject(Fault("bad_ndjson"))
    failed = run_contacts_until_error(contacts_config(fake, contacts_window_days=30))
    assert "export 1001" in str(failed.error)
    assert "line 2 is not valid JSON" in str(failed.error)
    assert not bookmarks(failed.run), "a window with a bad line must not be bookmarked"


# Downloads


def test_an_expired_url_is_replaced_by_a_fresh_status_check(fake: FakeCometly) -> None:
    fake.inject(Fault("expire_url", family="download"))
    run = run_contacts(contacts_config(fake, contacts_window_days=30))
    assert_equals_truth(run, truth(fake))
    downloads = fake.requests(listener="storage")
    assert [d.status for d in downloads] == [403, 200]
    refreshed = [
        check
        for check in fake.requests(family="export_status")
        if downloads[0].time < check.time < downloads[1].time
    ]
    assert len(refreshed) == 1, "the second download must follow a fresh status check"
    assert len(creates(fake)) == 1


def test_a_truncated_gzip_is_downloaded_again(fake: FakeCometly) -> None:
    fake.inject(Fault("truncate_gzip", family="download"))
    run = run_contacts(contacts_config(fake, contacts_window_days=30))
    assert_equals_truth(run, truth(fake))
    assert len(fake.requests(listener="storage")) == 2


def test_a_download_reset_mid_body_is_retried(fake: FakeCometly) -> None:
    fake.inject(Fault("reset", family="download"))
    run = run_contacts(contacts_config(fake, contacts_window_days=30))
    assert_equals_truth(run, truth(fake))
    assert len(fake.requests(listener="storage")) == 2


@pytest.mark.parametrize("mode", ["gzip", "plain"])
def test_content_encoding_variants(fake: FakeCometly, mode: str) -> None:
    fake.inject(Fault("content_encoding", family="download", mode=mode, count=10))
    run = run_contacts(contacts_config(fake, include_all_emails=True))
    assert_equals_truth(run, truth(fake, arrays=("emails",)))


def test_the_api_key_never_reaches_the_storage_host(fake: FakeCometly) -> None:
    fake.inject(Fault("expire_url", family="download"))
    run_contacts(contacts_config(fake))
    downloads = fake.requests(listener="storage")
    assert len(downloads) == 6
    for download in downloads:
        assert download.header("Authorization") is None
        assert API_KEY not in json.dumps(download.headers)
    api_calls = fake.requests(listener="api")
    assert all(call.header("Authorization") == f"Bearer {API_KEY}" for call in api_calls)


def test_presigned_signatures_never_reach_logs_state_or_stdout(
    fake: FakeCometly,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake.inject(Fault("expire_url", family="download"))
    fake.inject(Fault("truncate_gzip", family="download"))
    fake.inject(Fault("status", family="download", status=500))
    with caplog.at_level(logging.DEBUG):
        run = run_contacts(contacts_config(fake, contacts_window_days=2))
    assert run.records("contacts")
    signatures = {dict(d.query)["X-Amz-Signature"] for d in fake.requests(listener="storage")}
    assert len(signatures) >= 3
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/exports/" in logged, "the download lines were logged (path only)"
    printed = capsys.readouterr()
    stdout = json.dumps(run.messages)
    for signature in signatures:
        for text in (logged, printed.out, printed.err, stdout):
            assert signature not in text
    assert "X-Amz" not in logged + stdout
