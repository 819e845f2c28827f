"""Write plugin/tap-cometly.yml, the tap's plugin definition in MeltanoHub's format, from what
`tap-cometly --about --format=json` declares, so any Meltano project can add the tap with
`meltano add extractor tap-cometly --from-ref <url or path of the file>`.

`python -m scripts.plugin_definition` rewrites the file; tests/test_plugin_definition.py fails
when the committed file no longer matches the tap.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFINITION = ROOT / "plugin" / "tap-cometly.yml"
# Where the repository is published; the owner is a placeholder until it has a public home.
REPO = "https://github.com/tap-cometly/tap-cometly"

# Every capability `--about` reports, each shown to work: the plugin definition and meltano.yml
# (scripts/meltano_settings.py) both take them from here, and tests/test_plugin_definition.py
# checks that they match `--about`.
# - batch: BATCH messages, each followed by the STATE it covers (tests/test_batches.py).
# - activate-version: with emit_activate_version_messages, the full-table stream (companies)
#   sends ACTIVATE_VERSION and versioned records (tests/test_sdk_hooks.py).
# - structured-logging: Meltano then hands the tap a JSON log format, so the tap's errors show at
#   [error] in Meltano's log, not [info] (tests/test_meltano_project.py).
CAPABILITIES = ("state", "catalog", "discover", "about", "stream-maps", "schema-flattening",
                "batch", "activate-version", "structured-logging")  # fmt: skip

# JSON types to Meltano kinds: numbers, whole numbers and booleans are declared as text, which
# Meltano passes to the tap untouched; the tap converts them and names a bad value in one line
# ("Invalid setting 'per_page': expected a whole number, got 'abc'"). Meltano 4.4.1 has no kind
# that converts without failing: `integer` stops `meltano run` with a traceback on
# TAP_COMETLY_PER_PAGE=abc, `decimal` fails on any environment variable ("Object of type Decimal
# is not JSON serializable"), and `boolean` turns any word it does not know ("maybe") into false;
# tests/test_meltano_project.py checks each of these, and the tap's own message.
KINDS = {"string": "string", "integer": "string", "number": "string", "boolean": "string",
         "array": "array", "object": "object"}  # fmt: skip
# The SDK's settings whose properties are set one by one (batch_config.encoding.format ...), as
# MeltanoHub lists them; stream_maps and stream_map_config stay whole objects.
NESTED = ("batch_config", "faker_config")
ACRONYMS = {"api": "API", "url": "URL", "utc": "UTC"}


def about() -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "tap_cometly.tap", "--about", "--format=json"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    return json.loads(output)


def _types(schema: dict[str, Any]) -> list[str]:
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    else:  # faker_config's seed and locale: oneOf/anyOf alternatives
        alternatives = schema.get("oneOf", schema.get("anyOf", []))
        types = [kind for option in alternatives for kind in _types(option)]
    return [kind for kind in types if kind != "null"]


def _kind(name: str, schema: dict[str, Any]) -> str:
    types = _types(schema)
    if schema.get("secret"):
        return "password"
    if "enum" in schema:
        return "options"
    if types == ["string"] and (schema.get("format") == "date-time" or name.endswith("_date")):
        return "date_iso8601"
    if "array" in types:  # faker_config.locale: one locale or a list; a list holds both
        return "array"
    if len(set(types)) > 1:  # faker_config.seed: number, string or boolean, given as text
        return "string"
    return KINDS[types[0]]


def _label(name: str, schema: dict[str, Any]) -> str:
    if "title" in schema:
        return str(schema["title"])
    words = name.rsplit(".", maxsplit=1)[-1].split("_")
    label = " ".join(ACRONYMS.get(word, word) for word in words)
    return label[0].upper() + label[1:]


def _setting(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    setting: dict[str, Any] = {"name": name, "label": _label(name, schema)}
    kind = _kind(name, schema)
    setting["kind"] = kind
    if "description" in schema:
        setting["description"] = schema["description"]
    if "default" in schema:
        setting["value"] = schema["default"]
    if kind == "options":
        options = [value for value in schema["enum"] if value is not None]
        setting["options"] = [{"label": value, "value": value} for value in options]
    if schema.get("secret"):
        setting["sensitive"] = True
    return setting


def _settings(properties: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    settings = []
    for name, schema in properties.items():
        full_name = f"{prefix}{name}"
        if name in NESTED or (prefix and schema.get("properties")):
            settings += _settings(schema["properties"], f"{full_name}.")
        else:
            settings.append(_setting(full_name, schema))
    return settings


def definition(about: dict[str, Any]) -> dict[str, Any]:
    assert set(CAPABILITIES) == set(about["capabilities"]), "--about reports other capabilities"
    return {
        "name": about["name"],
        "namespace": "tap_cometly",
        "variant": "tap-cometly",
        "label": "Cometly",
        "description": "Marketing attribution: events, attributions, contacts and companies",
        "keywords": ["meltano_sdk", "attribution", "marketing"],
        "repo": REPO,
        "domain_url": "https://www.cometly.com",
        "pip_url": f"git+{REPO}.git",
        "executable": "tap-cometly",
        "maintenance_status": "active",
        "capabilities": list(CAPABILITIES),
        "settings_group_validation": [sorted(about["settings"].get("required", []))],
        "settings": _settings(about["settings"]["properties"]),
    }


HEADER = "# Generated by `python -m scripts.plugin_definition` from `tap-cometly --about`.\n"


def render() -> str:
    body = yaml.safe_dump(definition(about()), sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body


if __name__ == "__main__":
    DEFINITION.parent.mkdir(exist_ok=True)
    DEFINITION.write_text(render())
