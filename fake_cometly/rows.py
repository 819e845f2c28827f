"""Records as the API writes them: field selection, time formats and amount encodings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fake_cometly.data import SPACE_ID, Company, Contact, configured_name
from fake_cometly.query import Hit
from fake_cometly.times import format_iso, format_sql
from fake_cometly.vocabulary import AD_FIELDS, ALWAYS_RETURNED

TimeFormat = Callable[[int], str]


def amount_value(cents: int) -> int | float:
    """A JSON number as the examples show it: 0 and 25 stay integers, 99.99 is a float."""
    return cents // 100 if cents % 100 == 0 else cents / 100


def amount_text(cents: int) -> str:
    """How a decimal column serialises when the driver returns it as a string: "99.99"."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _ad_value(name: str) -> Callable[[Hit], Any]:
    def value(hit: Hit) -> Any:
        ad = hit.touchpoint.ad if hit.touchpoint is not None else None
        return None if ad is None else getattr(ad, name)

    return value


_EVENT_FIELDS: dict[str, Callable[[Hit], Any]] = {
    "profile_id": lambda hit: hit.event.profile_id,
    "company_id": lambda hit: hit.event.company_id,
    "space_id": lambda _hit: SPACE_ID,  # one Space: the same for every row
    "event_name": lambda hit: hit.event.event_name,
    "configured_name": lambda hit: configured_name(hit.event.event_name),
    "amount": lambda hit: amount_value(hit.cents),
    "is_upsell": lambda hit: hit.event.is_upsell,
    "order_id": lambda hit: hit.event.order_id,
    "order_name": lambda hit: hit.event.order_name,
    "event_url": lambda hit: hit.event.event_url,
    **{name: _ad_value(name) for name in AD_FIELDS},
}
ALL_EVENT_FIELDS: tuple[str, ...] = tuple(_EVENT_FIELDS)
BASE_FIELDS = tuple(name for name in ALL_EVENT_FIELDS if name not in AD_FIELDS)


def event_row(
    hit: Hit, fields: Sequence[str], time_format: TimeFormat, string_amounts: bool = False
) -> dict[str, Any]:
    """id and event_time_utc always; touchpoint_id with attribution; `source` whenever an ad
    hierarchy field is asked for; then the requested fields in the order requested."""
    event = hit.event
    row: dict[str, Any] = {"id": event.id, "event_time_utc": time_format(event.time)}
    if hit.touchpoint is not None:
        row["touchpoint_id"] = hit.touchpoint.id
        if any(name in AD_FIELDS for name in fields):
            row["source"] = hit.touchpoint.source
    for name in fields:
        if name not in ALWAYS_RETURNED:
            row[name] = _EVENT_FIELDS[name](hit)
    # Some rows carry amount as a string, as decimal columns often serialise; which rows is
    # fixed per event so a re-read gives the same bytes.
    if string_amounts and "amount" in row and event.id % 3 == 0:
        row["amount"] = amount_text(hit.cents)
    return row


def list_row(hit: Hit, fields: Sequence[str], string_amounts: bool) -> dict[str, Any]:
    return event_row(hit, fields, format_sql, string_amounts)


def export_row(hit: Hit, fields: Sequence[str], string_amounts: bool) -> dict[str, Any]:
    return event_row(hit, fields, format_iso, string_amounts)


def truth_row(hit: Hit) -> dict[str, Any]:
    """Every field (ad fields only for attributed rows), list-style time, numeric amount."""
    fields = ALL_EVENT_FIELDS if hit.touchpoint is not None else BASE_FIELDS
    return event_row(hit, fields, format_sql)


def contact_row(
    contact: Contact, comet_tokens: bool = True, all_emails: bool = True
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": contact.id,
        "email": contact.email,
        "name": contact.name,
        "phone": contact.phone,
        "location": contact.location,
        "created_at": format_iso(contact.created_at),
    }
    if comet_tokens:
        row["comet_tokens"] = list(contact.comet_tokens)
    if all_emails:
        row["emails"] = list(contact.emails)
    return row


def company_row(company: Company, with_created_at: bool = True) -> dict[str, Any]:
    row: dict[str, Any] = {"id": company.id, "domain": company.domain}
    if with_created_at:
        row["created_at"] = format_iso(company.created_at)
    return row
