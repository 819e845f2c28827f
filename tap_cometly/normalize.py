"""Turn API values into the types the schemas declare, or fail naming the record and field.

Cometly's documentation leaves value types loose (amounts may arrive as strings, flags as 0/1,
IDs as numeric strings, times with or without a "Z"); list rows and export files must come out
identical, so both paths go through these functions.
"""

from __future__ import annotations

import typing as t
from decimal import Decimal, InvalidOperation

from tap_cometly.errors import CometlyAPIError
from tap_cometly.windows import format_utc, parse_api_utc

Record = dict[str, t.Any]


class BadValueError(CometlyAPIError):
    """A value the API sent cannot be read as the type the schema promises."""


def _fail(where: str, field: str, value: t.Any, expected: str) -> t.NoReturn:
    msg = f"{where}: field '{field}' is {value!r}, expected {expected}."
    raise BadValueError(msg)


def utc_timestamp(value: t.Any, *, where: str, field: str) -> str | None:
    """ISO 8601 UTC with a 'Z' from "YYYY-MM-DD HH:MM:SS" (UTC) or ISO 8601 input."""
    if value is None:
        return None
    if isinstance(value, str):
        # Fast path for the two documented forms; anything else gets the full parser.
        if len(value) == 19 and value[10] in " T" and value[4] == "-" and value[13] == ":":
            return f"{value[:10]}T{value[11:]}Z"
        if len(value) == 20 and value[10] == "T" and value[19] == "Z":
            return value
        try:
            return format_utc(parse_api_utc(value))
        except ValueError:
            pass
    _fail(where, field, value, "a UTC date-time such as 2024-01-15T10:23:45Z")


def integer(value: t.Any, *, where: str, field: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    _fail(where, field, value, "an integer")


def number(value: t.Any, *, where: str, field: str) -> int | float | Decimal | None:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            if parsed.is_finite():
                return parsed
    _fail(where, field, value, "a number")


def boolean(value: t.Any, *, where: str, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return bool(int(value))
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    _fail(where, field, value, "true/false or 1/0")


def text(value: t.Any, *, where: str, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Order and ad IDs are text; an API that sends them as numbers must not lose digits.
        return str(value)
    _fail(where, field, value, "text")


Converter = t.Callable[..., t.Any]


def conform(row: Record, converters: t.Mapping[str, Converter], *, where: str) -> Record:
    """Apply each field's converter in place; fields without one pass through unchanged."""
    for field, convert in converters.items():
        if field in row:
            row[field] = convert(row[field], where=where, field=field)
    return row
