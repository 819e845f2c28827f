"""plugin/tap-cometly.yml, the definition other Meltano projects add the tap from, follows what
`tap-cometly --about` declares."""

from __future__ import annotations

import yaml

from scripts import meltano_settings, plugin_definition


def test_the_committed_plugin_definition_is_current() -> None:
    committed = plugin_definition.DEFINITION.read_text()
    assert committed == plugin_definition.render(), "run: python -m scripts.plugin_definition"


def test_every_setting_has_the_kind_meltano_handles() -> None:
    definition = yaml.safe_load(plugin_definition.DEFINITION.read_text())
    kinds = {setting["name"]: setting["kind"] for setting in definition["settings"]}
    assert kinds["api_key"] == "password"
    assert kinds["start_date"] == kinds["end_date"] == "date_iso8601"
    assert kinds["extraction_method"] == kinds["batch_config.encoding.format"] == "options"
    # Whole numbers, numbers and booleans as text, which the tap converts: Meltano 4.4.1's
    # integer, decimal and boolean kinds fail or guess on environment variables
    # (tests/test_meltano_project.py shows each).
    assert kinds["per_page"] == kinds["flattening_max_depth"] == "string"
    assert kinds["lookback_hours"] == kinds["rate_limit_window_seconds"] == "string"
    assert kinds["include_all_emails"] == kinds["flattening_enabled"] == "string"
    assert kinds["event_names"] == kinds["attribution_setups"] == "array"
    assert kinds["stream_maps"] == kinds["stream_map_config"] == "object"
    assert definition["settings_group_validation"] == [["api_key", "start_date"]]


def test_meltano_yml_and_the_plugin_definition_declare_the_capabilities_of_about() -> None:
    declared = list(plugin_definition.CAPABILITIES)
    assert set(declared) == set(plugin_definition.about()["capabilities"])
    definition = yaml.safe_load(plugin_definition.DEFINITION.read_text())
    assert definition["capabilities"] == declared
    meltano_yml = yaml.safe_load(meltano_settings.MELTANO_YML.read_text())
    assert meltano_yml["plugins"]["extractors"][0]["capabilities"] == declared
    assert {"batch", "activate-version", "structured-logging"} <= set(declared)
