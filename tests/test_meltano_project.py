"""The plugin definition drops into a new Meltano project: `meltano add --from-ref`, settings of
every kind through `meltano config set` and environment variables, `meltano run` into
target-jsonl against the fake Cometly, an incremental second run, and the bookmark in
`meltano state get`. The README's "Add to your Meltano project" section runs these commands.

Nothing is installed from the network here: Meltano is the one pinned in demo/tools, the tap is
this checkout's .venv/bin/tap-cometly and target-jsonl is demo/target-jsonl's, both given to
Meltano as absolute executables without a pip_url, which Meltano runs without installing.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import typing as t
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from fake_cometly import FakeCometly
from tests.helpers import API_KEY
from tests.test_events import iso

ROOT = Path(__file__).resolve().parent.parent
MELTANO = ROOT / "demo" / "tools" / ".venv" / "bin" / "meltano"
TAP = ROOT / ".venv" / "bin" / "tap-cometly"
TARGET_JSONL = ROOT / "demo" / "target-jsonl" / ".venv" / "bin" / "target-jsonl"
DEFINITION = ROOT / "plugin" / "tap-cometly.yml"
# `meltano run` in the project's default environment names its state after the pipeline.
STATE_ID = "dev:tap-cometly-to-target-jsonl"
LOOKBACK_HOURS = 3
FIRST_END = datetime(2024, 3, 11, 4, tzinfo=timezone.utc)  # 2024-03-11 00:00 in New York
SECOND_END = datetime(2024, 3, 12, 4, tzinfo=timezone.utc)

pytestmark = pytest.mark.timeout(240)


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Project:
    """A Meltano project in a directory of its own, its commands run with a clean environment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Settings given by the caller's shell must not leak in; usage stats would go online.
        self.env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("MELTANO_", "TAP_COMETLY_", "TARGET_JSONL_"))
        }
        self.env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"

    def meltano(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = self.run(*args, env=env)
        assert done.returncode == 0, f"meltano {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """`meltano <args>`, however it ends."""
        started = time.monotonic()
        done = subprocess.run(
            [str(MELTANO), *args], cwd=self.root, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        print(f"{time.monotonic() - started:5.1f} s  meltano {' '.join(args)[:60]}")
        return done

    def records(self, directory: Path, stream: str) -> list[dict[str, t.Any]]:
        path = directory / f"{stream}.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()]


def new_project(directory: Path, tap_definition: Path) -> Project:
    """A project as small as `meltano init` leaves one, without its folders, with the tap added."""
    (directory / "project").mkdir()
    (directory / "project" / "meltano.yml").write_text(
        "version: 1\ndefault_environment: dev\nenvironments:\n- name: dev\n"
    )
    project = Project(directory / "project")
    # `meltano add extractor tap-cometly --from-ref ...` would also add a utility named
    # tap-cometly in Meltano 4.4.1 ("extractor" is taken for a plugin name): --plugin-type does not.
    project.meltano(
        "add", "--plugin-type", "extractor", "tap-cometly", "--from-ref", str(tap_definition)
    )
    return project


def local_definitions(directory: Path) -> tuple[Path, Path]:
    """The committed definition with the executable of this checkout, and target-jsonl's."""
    tap = yaml.safe_load(DEFINITION.read_text())
    del tap["pip_url"]
    tap["executable"] = str(TAP)
    target = {
        "name": "target-jsonl",
        "namespace": "target_jsonl",
        "executable": str(TARGET_JSONL),
        "settings": [
            {"name": "destination_path", "kind": "string"},
            {"name": "do_timestamp_file", "kind": "boolean"},
        ],
    }
    tap_path, target_path = directory / "tap-cometly.yml", directory / "target-jsonl.yml"
    tap_path.write_text(yaml.safe_dump(tap, sort_keys=False))
    target_path.write_text(yaml.safe_dump(target, sort_keys=False))
    return tap_path, target_path


def test_a_new_meltano_project_runs_the_tap_incrementally_into_target_jsonl(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path
) -> None:
    missing = [str(path) for path in (MELTANO, TAP, TARGET_JSONL) if not path.exists()]
    assert not missing, f"not installed: {missing}; `make unit` installs them"
    fake = start_fake()
    tap_definition, target_definition = local_definitions(tmp_path)
    first_output, second_output = tmp_path / "first", tmp_path / "second"

    project = new_project(tmp_path, tap_definition)
    project.meltano(
        "add", "--plugin-type", "loader", "target-jsonl", "--from-ref", str(target_definition)
    )
    # One setting of each kind through `meltano config set`, the rest below from the environment.
    extractor_settings = {
        "api_url": fake.base_url,  # string
        "start_date": "2024-03-08",  # date_iso8601
        "extraction_method": "list",  # options
        "rate_limit_window_seconds": str(60 / fake.config.time_scale),  # a number, as text
        "per_page": "1000",  # integer
        "include_all_emails": "true",  # boolean
        "stream_maps": json.dumps({"contacts": {"phone": "__NULL__"}}),  # object
    }
    for name, value in extractor_settings.items():
        project.meltano("config", "set", "tap-cometly", name, value)
    stored = yaml.safe_load((project.root / "meltano.yml").read_text())
    config = stored["plugins"]["extractors"][0]["config"]
    assert config["stream_maps"] == {"contacts": {"phone": "__NULL__"}}
    # Whole numbers and booleans are kept as text too: the tap converts them (see below).
    assert config["per_page"] == "1000"
    assert config["include_all_emails"] == "true"
    assert config["rate_limit_window_seconds"] == "1.0"

    # The secret, and settings of a deployment or of the fake's speed, from the environment.
    project.env |= {
        "TAP_COMETLY_API_KEY": API_KEY,
        "TAP_COMETLY_TIMEZONE": fake.config.timezone,
        "TAP_COMETLY_END_DATE": "2024-03-11",
        "TAP_COMETLY_RETRY_INITIAL_WAIT_SECONDS": "0.02",
        "TAP_COMETLY_MAX_RETRY_MINUTES": "0.25",
        "TAP_COMETLY_REQUEST_TIMEOUT_SECONDS": "5",
        # Shorter than the 72-hour default, so the second run's re-read tail is a part of the
        # first run's range, not all of it.
        "TAP_COMETLY_LOOKBACK_HOURS": str(LOOKBACK_HOURS),
        "TAP_COMETLY_EXPORT_POLL_SECONDS": "0.02",
        "TARGET_JSONL_DESTINATION_PATH": str(first_output),
        "TARGET_JSONL_DO_TIMESTAMP_FILE": "false",
    }
    project.meltano("run", "tap-cometly", "target-jsonl")

    first_events = project.records(first_output, "events")
    start = datetime(2024, 3, 8, 5, tzinfo=timezone.utc)  # 2024-03-08 00:00 in New York
    truth = {row["id"]: row for row in fake.events(utc(start), utc(FIRST_END))}
    assert truth, "the range must hold events"
    assert sorted(record["id"] for record in first_events) == sorted(truth)
    for record in first_events:
        assert record["event_time_utc"] == iso(truth[record["id"]]["event_time_utc"])
        assert record["event_name"] == truth[record["id"]]["event_name"]
    contacts = project.records(first_output, "contacts")
    expected_contacts = {row["id"] for row in fake.contacts(utc(start), utc(FIRST_END))}
    assert sorted(contact["id"] for contact in contacts) == sorted(expected_contacts)
    assert all("phone" not in contact and "emails" in contact for contact in contacts)
    companies = project.records(first_output, "companies")
    assert sorted(row["id"] for row in companies) == sorted(row["id"] for row in fake.companies())
    assert events_bookmark(project) == utc(FIRST_END)

    # An event that arrived late, inside the lookback each incremental run reads again.
    late = fake.add_event(
        event_name="purchase", amount=42.5, event_time_utc=FIRST_END - timedelta(hours=1)
    )
    project.env |= {
        "TAP_COMETLY_END_DATE": "2024-03-12",  # an environment variable over meltano.yml's
        "TARGET_JSONL_DESTINATION_PATH": str(second_output),
    }
    project.meltano("run", "tap-cometly", "target-jsonl")

    second_events = project.records(second_output, "events")
    lookback_start = FIRST_END - timedelta(hours=LOOKBACK_HOURS)
    expected = {row["id"] for row in fake.events(utc(lookback_start), utc(SECOND_END))}
    assert sorted(record["id"] for record in second_events) == sorted(expected)
    assert late["id"] in expected
    assert len(second_events) < len(first_events)
    assert {record["id"] for record in second_events} & set(truth) == {
        row_id for row_id, row in truth.items() if iso(row["event_time_utc"]) >= utc(lookback_start)
    }, "only the lookback tail of the first run is read again"
    assert events_bookmark(project) == utc(SECOND_END)

    # structured-logging: the tap's error is an error in `meltano run`'s log, not [info].
    failed = project.run("run", "tap-cometly", "target-jsonl", env={"TAP_COMETLY_API_KEY": "wrong"})
    assert failed.returncode != 0
    assert_logged_at_error(failed.stdout + failed.stderr, "Cometly rejected the API key")
    assert_decimal_kind_still_fails_on_environment_variables(project)


# One setting of each JSON type that Meltano could convert: a whole number, a number, a boolean.
BAD_TEXT = {
    "TAP_COMETLY_PER_PAGE": "abc",
    "TAP_COMETLY_RATE_LIMIT_WINDOW_SECONDS": "fast",
    "TAP_COMETLY_INCLUDE_ALL_EMAILS": "maybe",
}
GOOD_TEXT = {
    "TAP_COMETLY_PER_PAGE": "1000",
    "TAP_COMETLY_RATE_LIMIT_WINDOW_SECONDS": "0.5",
    "TAP_COMETLY_INCLUDE_ALL_EMAILS": "true",
}


@pytest.mark.timeout(480)  # eight Meltano commands, each 10 to 40 s on a busy machine
def test_bad_text_in_an_environment_variable_ends_with_the_tap_s_own_message(
    start_fake: t.Callable[..., FakeCometly], tmp_path: Path
) -> None:
    fake = start_fake()
    tap_definition, _ = local_definitions(tmp_path)
    project = new_project(tmp_path, tap_definition)
    project.env |= {
        "TAP_COMETLY_API_URL": fake.base_url,
        "TAP_COMETLY_API_KEY": API_KEY,
        "TAP_COMETLY_START_DATE": "2024-03-10",
        "TAP_COMETLY_END_DATE": "2024-03-11",
        "TAP_COMETLY_TIMEZONE": fake.config.timezone,
    }

    done = project.run("invoke", "tap-cometly", env=BAD_TEXT)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Invalid setting 'per_page': expected a whole number, got 'abc'." in output
    assert "Invalid setting 'rate_limit_window_seconds': expected a number, got 'fast'." in output
    assert "Invalid setting 'include_all_emails': expected true or false, got 'maybe'." in output
    assert "Traceback" not in output, output
    assert fake.request_log == [], "a bad setting stops the tap before any request"
    # structured-logging: Meltano reads the tap's JSON log lines, levels included.
    assert_logged_at_error(output, "Invalid setting 'per_page'")

    # Good text reaches the tap as text, which converts it.
    dumped = json.loads(project.meltano("invoke", "--dump=config", "tap-cometly", env=GOOD_TEXT))
    assert (dumped["per_page"], dumped["rate_limit_window_seconds"]) == ("1000", "0.5")
    assert dumped["include_all_emails"] == "true"
    # The connection test through Meltano: list endpoints only, per_page as given.
    tested = project.meltano("invoke", "tap-cometly", "--test", env=GOOD_TEXT)
    assert {json.loads(line)["stream"] for line in tested.splitlines() if '"RECORD"' in line} == {
        "events",
        "companies",
    }
    assert fake.count(method="POST") == 0, "no export created"
    pages = [entry for entry in fake.request_log if entry.path.endswith("/events")]
    assert pages, "the events stream ran"
    assert all(("per_page", "1000") in page.query for page in pages)

    assert_meltano_kinds_still_fail_on_bad_text(project)


def assert_logged_at_error(output: str, message: str) -> None:
    """The tap's message is at [error] (discovery before the run, which does not validate the
    config, warns of the same value: that line is a [warning]), and never at [info]."""
    lines = [line for line in output.splitlines() if message in line]
    assert any("[error" in line for line in lines), lines or output
    assert not any("[info" in line for line in lines), lines


def assert_meltano_kinds_still_fail_on_bad_text(project: Project) -> None:
    """Why whole numbers and booleans are `kind: string`: when these stop failing, a newer
    Meltano handles its `integer` and `boolean` kinds well enough for the definition to use them."""
    meltano_yml = project.root / "meltano.yml"
    stored = yaml.safe_load(meltano_yml.read_text())
    stored["plugins"]["extractors"].append({
        "name": "tap-cometly-typed",
        "inherit_from": "tap-cometly",
        "settings": [
            {"name": "per_page", "kind": "integer"},
            {"name": "include_all_emails", "kind": "boolean"},
        ],
    })  # fmt: skip
    meltano_yml.write_text(yaml.safe_dump(stored, sort_keys=False))
    crashed = project.run(
        "config", "print", "tap-cometly-typed", env={"TAP_COMETLY_TYPED_PER_PAGE": "abc"}
    )
    assert "invalid literal for int() with base 10: 'abc'" in crashed.stdout + crashed.stderr
    assert "Invalid setting" not in crashed.stdout + crashed.stderr, "the tap never ran"
    guessed = project.meltano(
        "config",
        "print",
        "tap-cometly-typed",
        env={"TAP_COMETLY_TYPED_INCLUDE_ALL_EMAILS": "maybe"},
    )
    assert json.loads(guessed)["include_all_emails"] is False, "'maybe' silently became false"


def assert_decimal_kind_still_fails_on_environment_variables(project: Project) -> None:
    """Why JSON numbers are `kind: string` in the definition: when this stops failing, a newer
    Meltano handles `kind: decimal` and the definition can use it."""
    meltano_yml = project.root / "meltano.yml"
    stored = yaml.safe_load(meltano_yml.read_text())
    stored["plugins"]["extractors"].append({
        "name": "tap-cometly-decimal",
        "inherit_from": "tap-cometly",
        "settings": [{"name": "lookback_hours", "kind": "decimal"}],
    })  # fmt: skip
    meltano_yml.write_text(yaml.safe_dump(stored, sort_keys=False))
    done = subprocess.run(
        [str(MELTANO), "config", "print", "tap-cometly-decimal"], cwd=project.root,
        env={**project.env, "TAP_COMETLY_DECIMAL_LOOKBACK_HOURS": "0.5"},
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "Object of type Decimal is not JSON serializable" in done.stdout + done.stderr


def events_bookmark(project: Project) -> str:
    state = json.loads(project.meltano("state", "get", STATE_ID))
    return str(state["singer_state"]["bookmarks"]["events"]["replication_key_value"])
