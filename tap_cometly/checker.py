"""Reads settings one at a time against their declarations, collecting one message per bad value."""

from __future__ import annotations

import math
import typing as t
from decimal import Decimal

if t.TYPE_CHECKING:
    from tap_cometly.setting_declaration import Setting


class Checker:
    """Reads declared settings from a type-coerced config; a bad value yields its default."""

    def __init__(self, config: t.Mapping[str, t.Any]) -> None:
        self.config = config
        self.errors: list[str] = []

    def fail(self, name: str, message: str) -> None:
        self.errors.append(f"Invalid setting '{name}': {message}.")

    def value(self, setting: Setting) -> t.Any:
        return self.config.get(setting.name, setting.default)

    def text(self, setting: Setting) -> str | None:
        value = self.value(setting)
        if value is None:
            if setting.required:
                self.fail(setting.name, "it is required and missing")
            return None
        if not isinstance(value, str):
            self.fail(setting.name, f"expected text, got {type(value).__name__}")
            return None
        if setting.required and not value.strip():
            self.fail(setting.name, "it is required and empty")
            return None
        return value

    def whole_number(self, setting: Setting) -> int:
        return int(self._number(setting, integer=True))

    def number(self, setting: Setting) -> float:
        return self._number(setting, integer=False)

    def _number(self, setting: Setting, *, integer: bool) -> float:
        value = self.value(setting)
        # JSON config files reach the tap with decimals parsed as Decimal.
        valid_type = (
            isinstance(value, int)
            if integer
            else isinstance(value, (int, float, Decimal)) and math.isfinite(value)
        )
        if isinstance(value, bool) or not valid_type:
            self.fail(setting.name, f"expected {setting.noun}, got {value!r}")
            return float(setting.default)
        minimum = -math.inf if setting.minimum is None else setting.minimum
        maximum = math.inf if setting.maximum is None else setting.maximum
        # As a float: Decimal("0.001") is less than the float 0.001, the declared minimum.
        if not minimum <= float(value) <= maximum:
            self.fail(setting.name, f"expected {setting.accepts}, got {value!r}")
            return float(setting.default)
        return float(value)

    def flag(self, setting: Setting) -> bool:
        value = self.value(setting)
        if not isinstance(value, bool):
            self.fail(setting.name, f"expected true or false, got {value!r}")
            return bool(setting.default)
        return value

    def choice(self, setting: Setting) -> str:
        value = self.value(setting)
        if value not in setting.allowed:
            self.fail(setting.name, f"expected one of {', '.join(setting.allowed)}, got {value!r}")
            return t.cast("str", setting.default)
        return t.cast("str", value)

    def unique_list(self, setting: Setting, *, what: str) -> tuple[str, ...]:
        name, value = setting.name, self.value(setting)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(name, f"expected a list of {what}, got {value!r}")
            return ()
        fewest = setting.minimum or 0
        most = math.inf if setting.maximum is None else setting.maximum
        unknown = [item for item in value if item not in setting.allowed]
        duplicates = sorted({item for item in value if value.count(item) > 1})
        if not fewest <= len(value) <= most:
            self.fail(name, f"expected {fewest:g} to {most:g} {what}, got {len(value)}")
        elif unknown:
            self.fail(name, f"unknown {what}: {', '.join(map(repr, unknown))}")
        elif duplicates:
            self.fail(
                name, f"each of the {what} may appear once; repeated: {', '.join(duplicates)}"
            )
        return tuple(value)
