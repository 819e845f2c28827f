"""Fitting the ecosystem: meltano.yml, the README and the lock files agree with the tap; stream
maps keep PII out of the warehouse."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from fake_cometly import FakeCometly
from scripts import meltano_settings, readme_settings
from tests.helpers import catalog_for, run_tap, tap_config

ROOT = Path(__file__).resolve().parent.parent


def about() -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "tap_cometly.tap", "--about", "--format=json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(output)


def test_meltano_yml_declares_every_setting_of_the_tap() -> None:
    declared = about()["settings"]["properties"]
    builtins = {"stream_maps", "stream_map_config", "faker_config", "flattening_enabled",
                "flattening_max_depth", "flattening_max_key_length", "flattening_separator",
                "batch_config", "emit_activate_version_messages"}  # fmt: skip
    extractor = yaml.safe_load((ROOT / "meltano.yml").read_text())["plugins"]["extractors"][0]
    settings = {setting["name"]: setting for setting in extractor["settings"]}
    assert set(settings) == set(declared) - builtins
    for name, setting in settings.items():
        assert setting.get("description") == declared[name].get("description"), name
        assert setting.get("sensitive", False) == bool(declared[name].get("secret")), name
        if "default" in declared[name]:
            assert setting["value"] == declared[name]["default"], name
    assert settings["api_key"]["sensitive"] is True
    assert not meltano_settings.BLOCK.stale(), "run: python -m scripts.meltano_settings"
    assert not meltano_settings.CAPABILITIES_BLOCK.stale(), (
        "run: python -m scripts.meltano_settings"
    )


def test_readme_settings_table_is_current() -> None:
    assert not readme_settings.BLOCK.stale(), "run: python -m scripts.readme_settings"


def test_demo_constraints_follow_uv_lock() -> None:
    uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    exported = subprocess.run(
        [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--quiet",
         "-o", "/dev/stdout"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip

    def pins(text: str) -> list[str]:
        return sorted(
            line for line in text.splitlines() if line and not line.startswith(("#", " "))
        )

    assert pins(exported) == pins((ROOT / "demo" / "constraints.txt").read_text()), (
        "run: uv export --frozen --no-dev --no-hashes --no-emit-project -o demo/constraints.txt"
    )


def test_stream_maps_hash_emails_and_drop_phones(fake: FakeCometly) -> None:
    maps = {"contacts": {"email": "md5(email) if email else None", "phone": "__NULL__"}}
    config = tap_config(fake, stream_maps=maps)
    run = run_tap(config, catalog=catalog_for(config, {"contacts": None}))
    truth = {row["id"]: row for row in fake.contacts()}
    records = run.records("contacts")
    assert records
    assert any(record["email"] for record in records)
    for record in records:
        assert "phone" not in record
        original = truth[record["id"]]["email"]
        expected = hashlib.md5(original.encode()).hexdigest() if original else None
        assert record["email"] == expected
    schema = next(m for m in run.messages if m["type"] == "SCHEMA" and m["stream"] == "contacts")
    assert "phone" not in schema["schema"]["properties"]
