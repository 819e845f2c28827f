"""Turn API values into the types the schemas declare, or fail naming the record and field.

Cometly's documentation leaves value types loose (amounts may arrive as strings, flags as 0/1,
IDs as numeric strings, times with or without a "Z"); list rows and export files must come out
identical, so every path goes through a RecordShaper. Because the shaper types every field and
leaves out the ones the schema does not know, the SDK's own per-record conformance is switched
off (it cost a third of the record path).

Each stream declares its fields once, as Fields: the stream's JSON schema and its shaper's
converters both come from that one list, so a field cannot be in one and missing from the other.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import msgspec
from singer_sdk import typing as th

from tap_cometly.errors import CometlyAPIError, Location
from tap_cometly.windows import format_utc, parse_api_utc

Record = dict[str, t.Any]
Converter = t.Callable[[t.Any], t.Any]


class BadValueError(CometlyAPIError):
    """A value the API sent cannot be read as the type the schema promises."""


class _Mismatch(ValueError):
    """Raised by a converter with what it expected; the shaper adds where it happened."""


def utc_timestamp(value: t.Any) -> str | None:
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
    raise _Mismatch("a UTC date-time such as 2024-01-15T10:23:45Z")


def integer(value: t.Any) -> int | None:
    if value is None or type(value) is int:
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise _Mismatch("an integer")


def number(value: t.Any) -> int | float | Decimal | None:
    if value is None or type(value) in (int, float):
        return t.cast("int | float | None", value)
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            if parsed.is_finite():
                return parsed
    raise _Mismatch("a number")


def boolean(value: t.Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return bool(int(value))
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise _Mismatch("true/false or 1/0")


def text(value: t.Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Order and ad IDs are text; an API that sends them as numbers must not lose digits.
        return str(value)
    raise _Mismatch("text")


def text_list(value: t.Any) -> list[str | None] | None:
    """A list of text values (comet tokens, email addresses), each read like a text field."""
    if value is None:
        return None
    if isinstance(value, list):
        return [text(item) for item in value]
    raise _Mismatch("a list of text")


# The types of the values each converter returns as they are (None too): the shaper keeps those
# without a call, a quarter of its time on a page whose values are already typed.
_KEPT_AS_THEY_ARE: dict[Converter, tuple[type, ...]] = {
    integer: (int,),
    number: (int, float),
    boolean: (bool,),
    text: (str,),
}


# The type msgspec checks for each converter's values: those it keeps as they are, and text for
# utc_timestamp (reformatted afterwards). A page whose values all have their type is typed in
# one msgspec call (RecordShaper.rows), about 1.4 times as fast as value by value.
_CHECKED_TYPES: dict[Converter, t.Any] = {
    **{
        convert_value: t.Union[types] | None  # noqa: UP007 - a tuple of types
        for convert_value, types in _KEPT_AS_THEY_ARE.items()
    },
    text_list: list[str | None] | None,
    utc_timestamp: str | None,
}
_ID = frozenset({"id"})


def _page_type(stream: str, converters: t.Mapping[str, Converter]) -> t.Any:
    """A page's rows as msgspec checks them, an id never null (RecordShaper.rows checks that
    each row has one); None where a converter has no type to check."""
    if converters.get("id") is not integer or not all(
        convert_value in _CHECKED_TYPES for convert_value in converters.values()
    ):
        return None
    fields = {name: _CHECKED_TYPES[convert_value] for name, convert_value in converters.items()}
    fields["id"] = int
    row = t.TypedDict(f"{stream}_row", fields, total=False)  # type: ignore[misc]
    return list[row]


@dataclass(frozen=True)
class Field:
    """One column of a stream: its name, JSON type and description, and how an API value is
    read (None for a column the stream fills in itself, which the API's rows do not carry)."""

    name: str
    type: th.JSONTypeHelper[t.Any] | type[th.JSONTypeHelper[t.Any]]
    read: Converter | None
    description: str
    required: bool = False

    def schema_property(self) -> th.Property[t.Any]:
        return th.Property(
            self.name, self.type, required=self.required, description=self.description
        )


def schema_of(fields: t.Iterable[Field]) -> dict[str, t.Any]:
    """The JSON schema of a record made of these fields, in their order."""
    return th.PropertiesList(*(field.schema_property() for field in fields)).to_dict()


def converters_of(fields: t.Iterable[Field], known: t.Container[str]) -> dict[str, Converter]:
    """The converter of each field read from the API whose name is among `known`."""
    return {
        field.name: field.read for field in fields if field.read is not None and field.name in known
    }


def convert(convert_value: Converter, value: t.Any, *, source: str, field: str) -> t.Any:
    """Convert one value outside a record (an export id, say); `source` names the answer."""
    try:
        return convert_value(value)
    except _Mismatch as expected:
        msg = f"{source} answered field '{field}' as {value!r:.100}, expected {expected}."
        raise BadValueError(msg) from None


class RecordShaper:
    """Types the known fields of a stream's rows and leaves out those the schema does not know
    (reported once each) and the deselected ones (silently)."""

    def __init__(
        self,
        stream: str,
        noun: str,
        converters: t.Mapping[str, Converter],
        logger: logging.Logger,
        *,
        deselected: frozenset[str] = frozenset(),
    ) -> None:
        self._stream = stream
        self._noun = noun
        self._converters = dict(converters)
        self._kept_types = {
            field: frozenset({type(None), *_KEPT_AS_THEY_ARE.get(convert_value, ())})
            for field, convert_value in converters.items()
        }
        self._logger = logger
        self._unknown_reported: set[str] = set()
        self._deselected = deselected
        self._known = frozenset(self._converters) | deselected
        self._page_type = _page_type(stream, self._converters)
        self._reformatted = tuple(
            field for field, convert_value in converters.items() if convert_value is utc_timestamp
        )

    def rows(self, rows: list[t.Any], source: str) -> list[Record]:
        """Every row of a page shaped as __call__ shapes one: at once where msgspec finds every
        value of its type (the same records, faster), row by row where not."""
        if self._page_type is not None:
            try:
                shaped: list[Record] = msgspec.convert(rows, self._page_type)
                # msgspec leaves out the fields it is not given silently: the deselected ones,
                # and unknown ones, whose rows go row by row, to be reported.
                if all(map(self._known.issuperset, rows)) and all(map(_ID.issubset, rows)):
                    for record in shaped:
                        for field in self._reformatted:
                            if record.get(field) is not None:
                                record[field] = utc_timestamp(record[field])
                    return shaped
            except (msgspec.ValidationError, _Mismatch):
                pass  # a value to convert or a bad one: row by row says which
        return [self(row, source) for row in rows]

    def __call__(self, row: t.Any, source: str) -> Record:
        """The row with every known field converted. `source` names the request or file."""
        if not isinstance(row, dict) or row.get("id") is None:
            # Field names only: row values can be personal data (emails, names).
            what = f"fields: {', '.join(sorted(row))}" if isinstance(row, dict) else "not an object"
            msg = f"{source} holds a row without an id, which every {self._noun} has ({what})."
            raise BadValueError(msg)
        shaped: Record = {}
        kept_types = self._kept_types
        for field, value in row.items():
            kept = kept_types.get(field)
            if kept is None:
                if field not in self._deselected:
                    self._report_unknown(field)
                continue
            if type(value) in kept:
                shaped[field] = value
                continue
            try:
                shaped[field] = self._converters[field](value)
            except _Mismatch as expected:
                msg = f"field '{field}' is {value!r:.100}, expected {expected}."
                raise BadValueError(msg, Location(record=self.name_of(row))) from None
        return shaped

    def name_of(self, row: Record) -> str:
        """How a row is named in messages: "event 123"."""
        return f"{self._noun} {row['id']!r}"

    def _report_unknown(self, field: str) -> None:
        if field not in self._unknown_reported:
            self._unknown_reported.add(field)
            self._logger.warning(
                "Stream '%s': Cometly sent a field this tap's schema does not know, %r; it is "
                "left out of the records.",
                self._stream,
                field,
            )
