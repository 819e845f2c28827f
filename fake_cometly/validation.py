"""Request validation with Laravel's rules and wording; each endpoint's input becomes a typed
request or a 422 body {"message": ..., "errors": {param: [messages]}}."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from fake_cometly.attribution import AttributionSpec
from fake_cometly.query import EventFilter
from fake_cometly.times import SQL_FORMAT, day_bounds, parse_local, to_epoch
from fake_cometly.vocabulary import (
    AD_FIELDS,
    ATTRIBUTION_MODELS,
    ATTRIBUTION_WINDOWS,
    EVENT_NAMES,
    EXPORT_FIELDS,
    LIST_FIELDS,
    QUERY_MODES,
    SOURCES,
    TRACK_EVENT_NAMES,
)

EVENTS_PER_PAGE_MAX = 4000
RECORDS_PER_PAGE_MAX = 5000
DEFAULT_PER_PAGE = 200
_SQL_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d+")
_BRACKETED = re.compile(r"([^\[\]]+)\[([^\[\]]*)\]")
# Laravel's `boolean` accepts these, and the integers 1 and 0.
_TRUE_FALSE: dict[bool | str, bool] = {True: True, False: False, "1": True, "0": False}
# POST /events/track's string fields (§4.2).
_TRACK_STRINGS = (
    "email", "comet_token", "fingerprint", "ip", "tracking_id", "full_name", "first_name",
    "last_name", "phone", "user_agent", "url", "order_id", "order_name", "checkout_token",
    "upsell_common_id", "comet_source", "comet_network", "comet_campaign", "comet_ad_group",
    "comet_ad_id", "comet_keyword", "comet_type", "idempotency_key",
)  # fmt: skip


class ValidationFailed(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """Laravel's summary: the first message, plus how many more there are."""
        messages = [message for found in self.errors.values() for message in found]
        more = len(messages) - 1
        summary = messages[0]
        if more:
            summary += f" (and {more} more error{'s' if more > 1 else ''})"
        return {"message": summary, "errors": self.errors}


def php_params(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Query or form pairs as PHP reads them: `name[]` and `name[i]` build arrays, a repeated
    plain name keeps its last value."""
    params: dict[str, Any] = {}
    for name, value in pairs:
        bracketed = _BRACKETED.fullmatch(name)
        if bracketed is None:
            params[name] = value
            continue
        existing = params.get(bracketed.group(1))
        if not isinstance(existing, list):
            existing = params[bracketed.group(1)] = []
        existing.append(value)
    return params


def _label(name: str) -> str:
    return name if "." in name else name.replace("_", " ")


class Checker:
    """Collects every failed rule of one input, in rule order, like a Laravel validator."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self._params = params
        self.errors: dict[str, list[str]] = {}

    def fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    def value(self, name: str) -> Any:
        # Laravel's ConvertEmptyStringsToNull: an empty parameter counts as absent.
        value = self._params.get(name)
        return None if value == "" else value

    def present(self, name: str) -> bool:
        return self.value(name) is not None

    def required(self, name: str, when: str | None = None) -> bool:
        if self.present(name):
            return True
        if when is None:
            self.fail(name, f"The {_label(name)} field is required.")
        else:
            self.fail(name, f"The {_label(name)} field is required when {_label(when)} is present.")
        return False

    def text(self, name: str, required: bool = False) -> str | None:
        if not self.present(name):
            if required:
                self.required(name)
            return None
        value = self.value(name)
        if not isinstance(value, str):
            self.fail(name, f"The {_label(name)} field must be a string.")
            return None
        return value

    def formatted(self, name: str, pattern: re.Pattern[str], php: str, python: str) -> str | None:
        """A string in one strict format (Laravel's date_format), also a valid calendar value."""
        value = self.text(name, required=True)
        if value is None:
            return None
        try:
            if pattern.fullmatch(value):
                datetime.strptime(value, python)
                return value
        except ValueError:
            pass
        self.fail(name, f"The {_label(name)} field must match the format {php}.")
        return None

    def date_time(self, name: str, required: bool = True) -> str | None:
        if not required and not self.present(name):
            return None
        return self.formatted(name, _SQL_DATETIME, "Y-m-d H:i:s", SQL_FORMAT)

    def after(self, name: str, value: str | None, other: str, other_value: str | None) -> None:
        # Both are "YYYY-MM-DD HH:MM:SS", so text order is time order.
        if value is not None and other_value is not None and value <= other_value:
            self.fail(name, f"The {_label(name)} field must be a date after {_label(other)}.")

    def choice(self, name: str, allowed: Collection[str]) -> str | None:
        value = self.value(name)
        if value is None:
            return None
        if not isinstance(value, str) or value not in allowed:
            self.fail(name, f"The selected {_label(name)} is invalid.")
            return None
        return value

    def integer(self, name: str, minimum: int, maximum: int) -> int | None:
        number = self._integer(name)
        if number is None:
            return None
        if number < minimum:
            self.fail(name, f"The {_label(name)} field must be at least {minimum}.")
        elif number > maximum:
            self.fail(name, f"The {_label(name)} field must not be greater than {maximum}.")
        else:
            return number
        return None

    def one_of_integers(self, name: str, allowed: Collection[int]) -> int | None:
        number = self._integer(name)
        if number is not None and number not in allowed:
            self.fail(name, f"The selected {_label(name)} is invalid.")
            return None
        return number

    def _integer(self, name: str) -> int | None:
        """Laravel's `integer`: a JSON integer or a string of digits."""
        value = self.value(name)
        if value is None:
            return None
        if isinstance(value, str) and _INTEGER.fullmatch(value):
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.fail(name, f"The {_label(name)} field must be an integer.")
        return None

    def array(self, name: str, allowed: Collection[str], max_items: int) -> list[str] | None:
        """`array|min:1|max:N`, each item `distinct` and `in:allowed`."""
        value = self.value(name)
        if value is None:
            return None
        if not isinstance(value, list):
            self.fail(name, f"The {_label(name)} field must be an array.")
            return None
        if not value:
            self.fail(name, f"The {_label(name)} field must have at least 1 items.")
        elif len(value) > max_items:
            self.fail(name, f"The {_label(name)} field must not have more than {max_items} items.")
        valid = True
        for index, item in enumerate(value):
            key = f"{name}.{index}"
            if isinstance(item, str) and value.count(item) > 1:
                self.fail(key, f"The {key} field has a duplicate value.")
                valid = False
            if not isinstance(item, str) or item not in allowed:
                self.fail(key, f"The selected {key} is invalid.")
                valid = False
        return value if valid and 1 <= len(value) <= max_items else None

    def flag(self, name: str) -> bool:
        value = self.value(name)
        if value is None:
            return False
        if isinstance(value, (bool, str)) and value in _TRUE_FALSE:
            return _TRUE_FALSE[value]
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self.fail(name, f"The {_label(name)} field must be true or false.")
        return False


# GET /events and POST /events/exports ---------------------------------------------------------


@dataclass(frozen=True)
class EventsListRequest:
    filter: EventFilter
    fields: tuple[str, ...]
    per_page: int
    cursor: str | None


@dataclass(frozen=True)
class EventExportRequest:
    filter: EventFilter
    fields: tuple[str, ...]


@dataclass(frozen=True)
class _Selection:
    event_names: frozenset[str] | None
    company_only: bool
    attribution: AttributionSpec | None
    fields: tuple[str, ...]

    def within(self, lo: int, hi: int) -> EventFilter:
        return EventFilter(lo, hi, self.event_names, self.company_only, self.attribution)


def _selection(
    check: Checker, allowed_fields: Collection[str], needs_sources: Collection[str]
) -> _Selection:
    """The filters both event endpoints share, with their cross-parameter rules."""
    query_mode = check.choice("query_mode", QUERY_MODES)
    names = check.array("event_names", EVENT_NAMES, 10)
    sources = check.array("sources", SOURCES, 15)
    with_sources = check.present("sources")
    model = window = None
    if not with_sources or check.required("attribution_model", when="sources"):
        model = check.choice("attribution_model", ATTRIBUTION_MODELS)
    if not with_sources or check.required("attribution_window", when="sources"):
        window = check.one_of_integers("attribution_window", ATTRIBUTION_WINDOWS)
    fields = check.array("fields", allowed_fields, 20) or []
    for name in fields:
        if name in needs_sources and not with_sources:
            check.fail("fields", f"The {name} field requires sources to be provided.")
    attribution = None
    # Without sources the attribution parameters are validated and then ignored (undocumented).
    if sources is not None and model is not None and window is not None:
        attribution = AttributionSpec(frozenset(sources), model, window)
    return _Selection(
        frozenset(names) if names is not None else None,
        query_mode == "company",
        attribution,
        tuple(fields),
    )


def events_list(params: Mapping[str, Any], zone: ZoneInfo) -> EventsListRequest:
    check = Checker(params)
    start = check.date_time("start_date")
    end = check.date_time("end_date")
    check.after("end_date", end, "start_date", start)
    selection = _selection(check, LIST_FIELDS, {"ad_id"})
    per_page = check.integer("per_page", 1, EVENTS_PER_PAGE_MAX)
    cursor = check.text("cursor")
    check.done()
    assert start is not None
    assert end is not None
    # Both ends are inclusive, as the documented examples (…23:59:59) imply: [start, end + 1 s).
    lo, hi = parse_local(start, zone), parse_local(end, zone) + 1
    return EventsListRequest(
        selection.within(lo, hi), selection.fields, per_page or DEFAULT_PER_PAGE, cursor
    )


def event_export(body: Mapping[str, Any], zone: ZoneInfo) -> EventExportRequest:
    check = Checker(body)
    day = check.formatted("date", _DATE, "Y-m-d", "%Y-%m-%d")
    selection = _selection(check, EXPORT_FIELDS, AD_FIELDS)
    check.done()
    assert day is not None
    lo, hi = day_bounds(date.fromisoformat(day), zone)
    return EventExportRequest(selection.within(lo, hi), selection.fields)


# Contacts and companies -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordsRequest:
    lo: int | None  # created_at, UTC epoch, inclusive
    hi: int | None  # exclusive
    per_page: int = DEFAULT_PER_PAGE
    cursor: str | None = None
    comet_tokens: bool = False
    all_emails: bool = False


def _created_range(check: Checker, zone: ZoneInfo, required: bool) -> tuple[int | None, int | None]:
    start = check.date_time("start_date", required)
    end = check.date_time("end_date", required)
    check.after("end_date", end, "start_date", start)
    return (
        parse_local(start, zone) if start else None,
        parse_local(end, zone) + 1 if end else None,  # "on or before": inclusive
    )


def contacts_export(body: Mapping[str, Any], zone: ZoneInfo) -> RecordsRequest:
    check = Checker(body)
    lo, hi = _created_range(check, zone, required=True)
    tokens, emails = check.flag("include_comet_tokens"), check.flag("include_all_emails")
    check.done()
    return RecordsRequest(lo, hi, comet_tokens=tokens, all_emails=emails)


def contacts_list(params: Mapping[str, Any], zone: ZoneInfo) -> RecordsRequest:
    check = Checker(params)
    lo, hi = _created_range(check, zone, required=True)
    per_page = check.integer("per_page", 1, RECORDS_PER_PAGE_MAX)
    cursor = check.text("cursor")
    tokens, emails = check.flag("include_comet_tokens"), check.flag("include_all_emails")
    check.done()
    return RecordsRequest(lo, hi, per_page or DEFAULT_PER_PAGE, cursor, tokens, emails)


def companies_list(params: Mapping[str, Any], zone: ZoneInfo) -> RecordsRequest:
    check = Checker(params)
    lo, hi = _created_range(check, zone, required=False)
    per_page = check.integer("per_page", 1, RECORDS_PER_PAGE_MAX)
    cursor = check.text("cursor")
    check.done()
    return RecordsRequest(lo, hi, per_page or DEFAULT_PER_PAGE, cursor)


# POST /events/track -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackRequest:
    fields: dict[str, Any]  # for EventStore.add, event_time_utc left out when not sent
    identity: str  # whoever the event is about: decides its profile
    idempotency_key: str | None


def track(body: Mapping[str, Any]) -> TrackRequest:
    check = Checker(body)
    name = _track_event_name(check)
    strings = {key: check.text(key) for key in _TRACK_STRINGS}
    _require_identification(check)
    moment = _track_event_time(check)
    amount = _track_amount(check)
    is_upsell = check.flag("is_upsell")
    check.flag("do_not_capi")
    check.done()
    fields: dict[str, Any] = {"event_name": name, "is_upsell": is_upsell}
    if moment is not None:
        fields["event_time_utc"] = moment
    if amount is not None:
        fields["amount"] = amount
    for source, target in (
        ("order_id", "order_id"),
        ("order_name", "order_name"),
        ("url", "event_url"),
    ):
        if strings[source] is not None:
            fields[target] = strings[source]
    return TrackRequest(fields, _track_identity(strings), strings["idempotency_key"])


def _track_event_name(check: Checker) -> str | None:
    name = check.text("event_name", required=True)
    if name is not None and name not in TRACK_EVENT_NAMES:
        check.fail("event_name", "The selected event name is invalid.")
    return name


def _require_identification(check: Checker) -> None:
    """An email, comet token or fingerprint; a fingerprint and an ip only together."""
    if not (check.present("email") or check.present("comet_token") or check.present("fingerprint")):
        check.fail(
            "email",
            "The email field is required when none of comet token / fingerprint / ip are present.",
        )
    for one, other in (("fingerprint", "ip"), ("ip", "fingerprint")):
        if check.present(other) and not check.present(one):
            check.required(one, when=other)


def _track_event_time(check: Checker) -> int | None:
    moment = _event_time(check.value("event_time"))
    if check.present("event_time") and moment is None:
        check.fail(
            "event_time", "The event time field must be a valid ISO 8601 date or Unix timestamp."
        )
    return moment


def _track_amount(check: Checker) -> Decimal | None:
    amount = _number(check.value("amount"))
    if check.present("amount") and amount is None:
        check.fail("amount", "The amount field must be a number.")
    return amount


def _track_identity(strings: Mapping[str, str | None]) -> str:
    # tracking_id ties events to one contact, so it outranks the identification methods.
    return next(
        value
        for key in ("tracking_id", "email", "comet_token", "fingerprint")
        if (value := strings[key]) is not None
    )


def _event_time(value: Any) -> int | None:
    """ISO 8601 (a time without an offset read as UTC) or Unix seconds, string or number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if not isinstance(value, str):
        return None
    if value.isdigit():
        return int(value)
    try:
        return to_epoch(value)
    except ValueError:
        return None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, str)):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None
