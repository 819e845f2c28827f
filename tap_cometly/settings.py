"""The tap's settings: declared once, converted from environment strings, validated up front.

Every later module reads the typed `Settings`, never the raw config. Validation collects one
message per bad value, each naming the setting and what it accepts, and runs before any request.
"""

from __future__ import annotations

import ipaddress
import json
import math
import typing as t
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk import typing as th

from tap_cometly.errors import ConfigError
from tap_cometly.windows import format_utc, parse_instant, utc_now

DEFAULT_API_URL = "https://app.cometly.com/public-api/v1"

STANDARD_EVENT_NAMES = (
    "add_payment_info",
    "add_to_cart",
    "complete_registration",
    "contact",
    "initiate_checkout",
    "lead_generated",
    "purchase",
    "schedule",
    "sign_up",
    "start_trial",
    "submit_application",
    "subscribe",
    "upsell_purchase",
    "view_content",
    "webinar_registration",
)
CUSTOM_EVENT_NAMES = tuple(f"custom_event_{n}" for n in range(1, 51))
QUERY_MODES = ("profile", "company")
MAX_EVENT_NAMES = 10
MAX_EVENTS_PER_PAGE = 4000

# Per-Space, per-minute budget of each endpoint family: (setting, default, what Cometly says).
RATE_LIMIT_SETTINGS: dict[str, tuple[str, int, str]] = {
    "events_list": ("events_requests_per_minute", 7, "GET /events: 7 a minute"),
    "export_create": (
        "export_creates_per_minute",
        5,
        "POST /events/exports and /contacts/exports: 5 a minute, assumed shared",
    ),
    "export_status": (
        "export_status_requests_per_minute",
        30,
        "export status checks: 30 a minute, assumed shared",
    ),
    "contacts_list": ("contacts_requests_per_minute", 15, "GET /contacts: 15 a minute"),
    "companies_list": ("companies_requests_per_minute", 15, "GET /companies: 15 a minute"),
    "single_record": (
        "single_record_requests_per_minute",
        60,
        "GET /events/{id} and the like: not documented, 60 a minute assumed",
    ),
}

SETTINGS_SCHEMA = th.PropertiesList(
    th.Property(
        "api_key",
        th.StringType,
        required=True,
        secret=True,
        description="Cometly API key (Settings > API in Cometly). Sent only to api_url's host.",
    ),
    th.Property(
        "api_url",
        th.StringType,
        default=DEFAULT_API_URL,
        description="Base URL of the Cometly public API; https unless the host is loopback.",
    ),
    th.Property(
        "start_date",
        th.StringType,
        required=True,
        description=(
            "First moment to sync, as a date (2024-01-31) or date-time (2024-01-31T08:00:00). "
            "Without an offset it is read in the Space's timezone; 'Z' or '+hh:mm' pins the "
            "instant."
        ),
    ),
    th.Property(
        "end_date",
        th.StringType,
        description=(
            "Exclusive end of the sync, same formats as start_date (2024-04-01 includes all of "
            "March). Default: now."
        ),
    ),
    th.Property(
        "timezone",
        th.StringType,
        default="UTC",
        description=(
            "IANA name of the Space's timezone (e.g. America/New_York), as set in Cometly. "
            "Cometly reads every date parameter in it; a wrong zone shifts every window."
        ),
    ),
    th.Property(
        "user_agent",
        th.StringType,
        description="User-Agent header sent to Cometly. Default: tap-cometly/<version>.",
    ),
    *(
        th.Property(
            setting,
            th.IntegerType,
            default=default,
            description=(
                f"Most calls per rate-limit window for {documented} per Space. Lower it to "
                "leave budget to other clients of the Space; the tap also follows the API's "
                "X-RateLimit headers."
            ),
        )
        for setting, default, documented in RATE_LIMIT_SETTINGS.values()
    ),
    th.Property(
        "per_page",
        th.IntegerType,
        default=MAX_EVENTS_PER_PAGE,
        description=(
            "Events per GET /events page (1-4000). Keep 4000: the endpoint allows 7 calls a "
            "minute, so rows per call set the speed of a backfill."
        ),
    ),
    th.Property(
        "events_window_days",
        th.IntegerType,
        default=1,
        description=(
            "Length in days of the windows the events range is read in (cut at midnight in the "
            "Space's timezone). A bookmark is saved after each window, so a crash costs at most "
            "one window."
        ),
    ),
    th.Property(
        "lookback_hours",
        th.NumberType,
        default=3,
        description=(
            "Hours before the bookmark that each incremental run reads again, to catch events "
            "that arrive late; re-read rows have the same primary key, so targets upsert them."
        ),
    ),
    th.Property(
        "event_names",
        th.ArrayType(th.StringType),
        description=(
            "Only sync these event names (1-10, no duplicates): the 15 standard names or "
            "custom_event_1..custom_event_50. Default: every event."
        ),
    ),
    th.Property(
        "query_mode",
        th.StringType,
        default="profile",
        allowed_values=list(QUERY_MODES),
        description="profile (contact-level events, the API default) or company (company-level).",
    ),
    th.Property(
        "rate_limit_window_seconds",
        th.NumberType,
        default=60,
        description=(
            "Length of the API's rate-limit window in seconds. Cometly counts per minute: keep 60 "
            "unless you point the tap at a test server with a shorter window."
        ),
    ),
    th.Property(
        "max_retry_minutes",
        th.NumberType,
        default=10,
        description=(
            "How long one request may keep being retried after 5xx answers, timeouts and "
            "connection errors before the run stops with an error."
        ),
    ),
    th.Property(
        "retry_initial_wait_seconds",
        th.NumberType,
        default=2,
        description="First wait before retrying a failed request; it doubles each time (max 60 s).",
    ),
    th.Property(
        "request_timeout_seconds",
        th.NumberType,
        default=120,
        description="Seconds to wait for the API to answer one request before retrying it.",
    ),
).to_dict()

_TRUE_WORDS = frozenset({"true", "1", "yes", "on", "y", "t"})
_FALSE_WORDS = frozenset({"false", "0", "no", "off", "n", "f", ""})


@dataclass(frozen=True)
class Settings:
    """Validated settings with their final types."""

    api_key: str
    api_url: str
    start: datetime  # aware, UTC
    end: datetime | None  # aware, UTC; exclusive
    timezone: ZoneInfo
    user_agent: str | None
    rate_limits: dict[str, int]
    rate_limit_window_seconds: float
    max_retry_seconds: float
    retry_initial_wait_seconds: float
    request_timeout_seconds: float
    per_page: int
    events_window_days: int
    lookback_hours: float
    event_names: tuple[str, ...]
    query_mode: str


def coerce_config(
    config: t.Mapping[str, t.Any], schema: dict
) -> tuple[dict[str, t.Any], list[str]]:
    """Give text values (environment variables, hand-written files) the types the schema declares.

    Returns the converted config and one message per value that cannot be converted.
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
            errors.append(f"Invalid setting '{name}': {exc}.")
    return converted, errors


def _convert(value: str, kinds: list[str]) -> t.Any:
    text = value.strip()
    if "integer" in kinds:
        if not text.lstrip("+-").isdigit():
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(text)
    if "number" in kinds:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number, got {value!r}")
        return number
    if "boolean" in kinds:
        lowered = text.lower()
        if lowered in _TRUE_WORDS:
            return True
        if lowered in _FALSE_WORDS:
            return False
        raise ValueError(f"expected true or false, got {value!r}")
    if "array" in kinds:
        if text.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError:
                raise ValueError(
                    f"expected a JSON array or comma-separated list, got {value!r}"
                ) from None
            return items
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Checker:
    """Reads settings one at a time, collecting one message per bad value."""

    def __init__(self, config: t.Mapping[str, t.Any]) -> None:
        self.config = config
        self.errors: list[str] = []

    def fail(self, name: str, message: str) -> None:
        self.errors.append(f"Invalid setting '{name}': {message}.")

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.config.get(name, default)
        if value is None:
            if required:
                self.fail(name, "it is required and missing")
            return None
        if not isinstance(value, str):
            self.fail(name, f"expected text, got {type(value).__name__}")
            return None
        if required and not value.strip():
            self.fail(name, "it is required and empty")
            return None
        return value

    def number(
        self,
        name: str,
        default: float,
        *,
        minimum: float,
        maximum: float = math.inf,
        integer: bool = False,
    ) -> float:
        value = self.config.get(name, default)
        kind = "a whole number" if integer else "a number"
        valid_type = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not valid_type:
            self.fail(name, f"expected {kind}, got {value!r}")
            return default
        if not minimum <= value <= maximum:
            allowed = (
                f"from {minimum:g} to {maximum:g}"
                if maximum < math.inf
                else f"of at least {minimum:g}"
            )
            self.fail(name, f"expected {kind} {allowed}, got {value!r}")
            return default
        return float(value)

    def choice(self, name: str, default: str, allowed: t.Sequence[str]) -> str:
        value = self.config.get(name, default)
        if value not in allowed:
            self.fail(name, f"expected one of {', '.join(allowed)}, got {value!r}")
            return default
        return t.cast("str", value)

    def unique_list(
        self, name: str, allowed: t.Collection[str], *, most: int, what: str
    ) -> tuple[str, ...]:
        value = self.config.get(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(name, f"expected a list of {what}, got {value!r}")
            return ()
        unknown = [item for item in value if item not in allowed]
        duplicates = sorted({item for item in value if value.count(item) > 1})
        if not value or len(value) > most:
            self.fail(name, f"expected 1 to {most} {what}, got {len(value)}")
        elif unknown:
            self.fail(name, f"unknown {what}: {', '.join(map(repr, unknown))}")
        elif duplicates:
            self.fail(
                name, f"each of the {what} may appear once; repeated: {', '.join(duplicates)}"
            )
        return tuple(value)


def _check_api_url(check: _Checker) -> str:
    url = check.text("api_url", DEFAULT_API_URL) or DEFAULT_API_URL
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        check.fail("api_url", f"expected an https:// URL such as {DEFAULT_API_URL}, got {url!r}")
    elif parsed.scheme == "http" and not _is_loopback(parsed.hostname):
        check.fail(
            "api_url",
            "plain http would send the API key unencrypted; use https "
            "(http is allowed only for a loopback test server such as 127.0.0.1)",
        )
    elif parsed.query or parsed.fragment:
        check.fail("api_url", "expected a base URL without '?query' or '#fragment'")
    return url.rstrip("/")


def _check_timezone(check: _Checker) -> ZoneInfo:
    name = check.text("timezone", "UTC") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        check.fail(
            "timezone",
            f"{name!r} is not an IANA time zone name; use the Space's zone as Cometly shows it, "
            "e.g. 'America/New_York' or 'UTC'",
        )
        return ZoneInfo("UTC")


def _check_instant(
    check: _Checker, name: str, space_tz: ZoneInfo, *, required: bool
) -> datetime | None:
    value = check.text(name, required=required)
    if value is None:
        return None
    try:
        return parse_instant(value, space_tz)
    except ValueError:
        check.fail(
            name,
            "expected a date like 2024-01-31 or a date-time like 2024-01-31T08:00:00, "
            f"got {value!r}",
        )
        return None


def parse_settings(config: t.Mapping[str, t.Any]) -> Settings:
    """Validate an already type-coerced config and return typed settings.

    Raises:
        ConfigError: with one message per bad value.
    """
    check = _Checker(config)
    api_key = check.text("api_key", required=True) or ""
    if api_key and api_key != api_key.strip():
        check.fail("api_key", "it has leading or trailing white space; paste the key alone")
    api_url = _check_api_url(check)
    space_tz = _check_timezone(check)
    start = _check_instant(check, "start_date", space_tz, required=True)
    end = _check_instant(check, "end_date", space_tz, required=False)
    now = utc_now()
    if start is not None and start > now:
        check.fail("start_date", f"{format_utc(start)} is in the future; nothing could be synced")
    if start is not None and end is not None and end <= start:
        check.fail(
            "end_date",
            f"it must be after start_date ({format_utc(end)} is not after {format_utc(start)})",
        )
    rate_limits = {
        family: int(check.number(setting, default, minimum=1, integer=True))
        for family, (setting, default, _) in RATE_LIMIT_SETTINGS.items()
    }
    window = check.number("rate_limit_window_seconds", 60, minimum=0.001)
    max_retry_minutes = check.number("max_retry_minutes", 10, minimum=0)
    initial_wait = check.number("retry_initial_wait_seconds", 2, minimum=0)
    timeout = check.number("request_timeout_seconds", 120, minimum=0.1)
    user_agent = check.text("user_agent")
    per_page = check.number(
        "per_page", MAX_EVENTS_PER_PAGE, minimum=1, maximum=MAX_EVENTS_PER_PAGE, integer=True
    )
    window_days = check.number("events_window_days", 1, minimum=1, maximum=366, integer=True)
    lookback_hours = check.number("lookback_hours", 3, minimum=0)
    event_names = check.unique_list(
        "event_names",
        set(STANDARD_EVENT_NAMES + CUSTOM_EVENT_NAMES),
        most=MAX_EVENT_NAMES,
        what="event names (standard names or custom_event_1..custom_event_50)",
    )
    query_mode = check.choice("query_mode", "profile", QUERY_MODES)
    if check.errors or start is None:
        raise ConfigError(check.errors)
    return Settings(
        api_key=api_key,
        api_url=api_url,
        start=start,
        end=end,
        timezone=space_tz,
        user_agent=user_agent,
        rate_limits=rate_limits,
        rate_limit_window_seconds=window,
        max_retry_seconds=max_retry_minutes * 60,
        retry_initial_wait_seconds=initial_wait,
        request_timeout_seconds=timeout,
        per_page=int(per_page),
        events_window_days=int(window_days),
        lookback_hours=lookback_hours,
        event_names=event_names,
        query_mode=query_mode,
    )
