"""TapCometly: settings, streams and the connection they share."""

from __future__ import annotations

import typing as t
from functools import cached_property

from singer_sdk import Tap
from singer_sdk.configuration._dict_config import parse_environment_config
from singer_sdk.helpers._classproperty import classproperty

from tap_cometly.client import ApiConnection
from tap_cometly.errors import ConfigError
from tap_cometly.settings import SETTINGS_SCHEMA, Settings, coerce_config, parse_settings
from tap_cometly.streams import EventsStream

if t.TYPE_CHECKING:
    from singer_sdk.streams import Stream


class TapCometly(Tap):
    """Singer tap for Cometly."""

    name = "tap-cometly"
    config_jsonschema = SETTINGS_SCHEMA

    @classproperty
    def _env_var_config(cls) -> dict[str, t.Any]:
        # Read every setting as raw text and let coerce_config convert it, so that a bad number
        # or boolean in an environment variable gets the same one-line error as in a config file.
        as_text = {
            "properties": {
                name: {"type": ["string"]} for name in cls.config_jsonschema["properties"]
            }
        }
        return parse_environment_config(as_text, cls._env_var_prefix)

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Convert and check every setting before any request, one message per bad value."""
        self._config, errors = coerce_config(self._config, self.config_jsonschema)
        if not errors:
            try:
                self.__dict__["settings"] = parse_settings(self._config)
            except ConfigError as error:
                errors = error.errors
        if errors:
            if raise_errors:
                raise ConfigError(errors)
            for message in errors:
                self.logger.warning(message)
            return errors
        return super()._validate_config(raise_errors=raise_errors)

    @cached_property
    def settings(self) -> Settings:
        return parse_settings(self._config)

    @cached_property
    def connection(self) -> ApiConnection:
        return ApiConnection(self.settings, self.logger)

    def discover_streams(self) -> list[Stream]:
        return [EventsStream(self)]


if __name__ == "__main__":
    TapCometly.cli()
