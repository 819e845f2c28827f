"""Settings given as text (environment variables, hand-written files) converted to the types the
settings schema declares, before they are checked."""

from __future__ import annotations

import json
import math
import typing as t

_TRUE_WORDS = frozenset({"true", "1", "yes", "on", "y", "t"})
_FALSE_WORDS = frozenset({"false", "0", "no", "off", "n", "f", ""})


def coerce_config(
    config: t.Mapping[str, t.Any], schema: dict
) -> tuple[dict[str, t.Any], list[str]]:
    """Give text values (environment variables, hand-written files) the types the schema declares.

    Returns the converted config, without the values that cannot be converted, and one message
    for each of those.
    """
    converted = dict(config)
    errors: list[str] = []
    for name, value in config.items():
        declared = schema.get("properties", {}).get(name)
        if declared is None or not isinstance(value, str):
            continue
        kinds = declared.get("type", [])
        kinds = [kinds] if isinstance(kinds, str) else kinds
        try:
            converted[name] = _convert(value, kinds)
        except ValueError as exc:
            del converted[name]
            errors.append(f"Invalid setting '{name}': {exc}.")
    return converted, errors


def _convert(value: str, kinds: list[str]) -> t.Any:
    """The value as the first of its declared kinds that text is converted to."""
    convert = next((_CONVERTERS[kind] for kind in _CONVERTERS if kind in kinds), None)
    return value if convert is None else convert(value)


def _integer(value: str) -> int:
    text = value.strip()
    if not text.lstrip("+-").isdigit():
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(text)


def _number(value: str) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE_WORDS:
        return True
    if lowered in _FALSE_WORDS:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _array(value: str) -> list[t.Any]:
    text = value.strip()
    if not text.startswith("["):
        return [item.strip() for item in text.split(",") if item.strip()]
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(f"expected a JSON array or comma-separated list, got {value!r}") from None
    return t.cast("list[t.Any]", items)


# In order of precedence: a setting declared as integer or null is read as an integer.
_CONVERTERS: dict[str, t.Callable[[str], t.Any]] = {
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "array": _array,
}
