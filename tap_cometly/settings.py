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
from decimal import Decimal
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
SOURCES = (
    # Paid ads
    "facebook_ads", "google_ads", "linkedin_ads", "tiktok_ads", "youtube_ads", "instagram_ads",
    "bing_ads", "yahoo_ads", "pinterest_ads", "reddit_ads", "snapchat_ads", "telegram_ads",
    "twitch_ads", "x_ads", "quora_ads", "duckduckgo_ads",
    # Organic
    "facebook_organic", "google_organic", "linkedin_organic", "tiktok_organic",
    "youtube_organic", "instagram_organic", "bing_organic", "yahoo_organic", "pinterest_organic",
    "reddit_organic", "snapchat_organic", "telegram_organic", "twitch_organic", "x_organic",
    "quora_organic", "duckduckgo_organic", "messenger_organic", "brave_organic",
    "threads_organic",
    # AI platforms
    "ai_chat_gpt", "ai_perplexity", "ai_copilot", "ai_claude", "ai_grok", "ai_gemini",
    "ai_deepseek",
    # Other
    "email", "sms", "referral", "direct", "shop_app", "substack", "capterra", "trustpilot", "g2",
    "yelp",
)  # fmt: skip
ATTRIBUTION_MODELS = (
    "first_touch",
    "last_touch",
    "linear",
    "first_platform_touch",
    "last_platform_touch",
    "linear_paid",
    "u_shaped",
    "last_non_direct_touch",
)
ATTRIBUTION_WINDOWS = (0, 1, 7, 14, 30, 60, 90)
MAX_ATTRIBUTION_SETUPS = 10
QUERY_MODES = ("profile", "company")
MAX_EVENT_NAMES = 10
MAX_EVENTS_PER_PAGE = 4000
EXTRACTION_METHODS = ("auto", "list", "export")
# extraction_method auto: whole Space-local days that ended at least this long before the run
# went through exports, when a run has at least AUTO_MIN_EXPORT_DAYS of them (see the setting's
# description and `make bench` for the reasons).
AUTO_EXPORT_AFTER_HOURS = 24
AUTO_MIN_EXPORT_DAYS = 3

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
        "extraction_method",
        th.StringType,
        default="auto",
        allowed_values=list(EXTRACTION_METHODS),
        description=(
            "How the events stream reads its range. list: GET /events pages (7 calls a minute, "
            "4000 events each). export: one POST /events/exports file per Space-local day (5 "
            "days a minute whatever their size, several in flight at once; each takes seconds "
            "to minutes to process). auto: exports for the whole days that ended at least "
            f"{AUTO_EXPORT_AFTER_HOURS} hours before the run, when there are at least "
            f"{AUTO_MIN_EXPORT_DAYS} of them (a backfill), and GET /events for the rest: the "
            "recent, still-changing days, partial days and short incremental ranges, where an "
            "export's processing time costs about what it saves (measured on the fake at "
            "Cometly's limits: 90 days of 50,000 events take 18 minutes through exports, 172 "
            "through the list). "
            "Export days are always one day long, whatever events_window_days says."
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
        "attribution_setups",
        th.ArrayType(
            th.ObjectType(
                th.Property("sources", th.CustomType({"type": ["array", "string"]})),
                th.Property("attribution_model", th.StringType),
                th.Property("attribution_window", th.IntegerType),
            )
        ),
        description=(
            "Attribution views to sync into event_attributions, e.g. "
            '[{"sources": "all", "attribution_model": "linear", "attribution_window": 30}]. '
            'sources: a list of Cometly sources or "all" (read 15 per request); '
            "attribution_model: first_touch, last_touch, linear, first_platform_touch, "
            "last_platform_touch, linear_paid, u_shaped or last_non_direct_touch; "
            "attribution_window: 0 (lifetime), 1, 7, 14, 30, 60 or 90 days. "
            "Without any, the event_attributions stream is off."
        ),
    ),
    th.Property(
        "contacts_window_days",
        th.IntegerType,
        default=30,
        description=(
            "Length in days of the contact-creation windows exported one at a time (cut at "
            "midnight in the Space's timezone). A bookmark is saved after each window."
        ),
    ),
    th.Property(
        "include_comet_tokens",
        th.BooleanType,
        default=False,
        description="Add comet_tokens (the contact's last 5 tracking tokens, newest first).",
    ),
    th.Property(
        "include_all_emails",
        th.BooleanType,
        default=False,
        description="Add emails: every address on the contact, including merged profiles'.",
    ),
    th.Property(
        "export_poll_seconds",
        th.NumberType,
        default=5,
        description=(
            "First wait between export status checks; it grows by half after each check that "
            "finds the export unfinished, up to 6 times this (2 times for the export the run is "
            "waiting for), inside the 30-a-minute status budget."
        ),
    ),
    th.Property(
        "export_timeout_minutes",
        th.NumberType,
        default=60,
        description=(
            "How long one export job may take before the run stops with an error naming the "
            "export, its last status and its window."
        ),
    ),
    th.Property(
        "export_max_attempts",
        th.IntegerType,
        default=3,
        description="How many times a window's export is created when Cometly reports it failed.",
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
class AttributionSetup:
    """One attribution view: which sources, which model, which lookback window."""

    sources: tuple[str, ...]
    model: str
    window: int


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
    extraction_method: str
    lookback_hours: float
    event_names: tuple[str, ...]
    query_mode: str
    attribution_setups: tuple[AttributionSetup, ...]
    contacts_window_days: int
    include_comet_tokens: bool
    include_all_emails: bool
    export_poll_seconds: float
    export_timeout_seconds: float
    export_max_attempts: int


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
        # JSON config files reach the tap with decimals parsed as Decimal.
        valid_type = (
            isinstance(value, int)
            if integer
            else isinstance(value, (int, float, Decimal)) and math.isfinite(value)
        )
        if isinstance(value, bool) or not valid_type:
            self.fail(name, f"expected {kind}, got {value!r}")
            return default
        value = value if integer else float(value)
        if not minimum <= value <= maximum:
            allowed = (
                f"from {minimum:g} to {maximum:g}"
                if maximum < math.inf
                else f"of at least {minimum:g}"
            )
            self.fail(name, f"expected {kind} {allowed}, got {value!r}")
            return default
        return float(value)

    def flag(self, name: str) -> bool:
        value = self.config.get(name, False)
        if not isinstance(value, bool):
            self.fail(name, f"expected true or false, got {value!r}")
            return False
        return value

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


def _check_attribution_setups(check: _Checker) -> tuple[AttributionSetup, ...]:
    name = "attribution_setups"
    value = check.config.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_ATTRIBUTION_SETUPS:
        check.fail(
            name, f"expected a list of at most {MAX_ATTRIBUTION_SETUPS} setups, got {value!r}"
        )
        return ()
    setups: list[AttributionSetup] = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            check.fail(
                where,
                f"expected an object with sources, attribution_model and "
                f"attribution_window, got {item!r}",
            )
            continue
        unknown_keys = sorted(set(item) - {"sources", "attribution_model", "attribution_window"})
        sources = item.get("sources")
        model = item.get("attribution_model")
        window = item.get("attribution_window")
        if isinstance(window, str) and window.strip().isdigit():
            window = int(window)
        if unknown_keys:
            check.fail(
                where,
                f"unknown keys {', '.join(unknown_keys)}; expected sources, "
                "attribution_model and attribution_window",
            )
        elif sources is None or model is None or window is None:
            check.fail(
                where,
                "sources require both attribution_model and attribution_window "
                "(as in the Cometly API)",
            )
        elif model not in ATTRIBUTION_MODELS:
            check.fail(
                where,
                f"attribution_model must be one of {', '.join(ATTRIBUTION_MODELS)}, got {model!r}",
            )
        elif isinstance(window, bool) or window not in ATTRIBUTION_WINDOWS:
            check.fail(
                where,
                "attribution_window must be one of "
                f"{', '.join(map(str, ATTRIBUTION_WINDOWS))} (0 = lifetime), got {window!r}",
            )
        else:
            chosen = _check_sources(check, where, sources)
            if chosen:
                setups.append(AttributionSetup(chosen, model, window))
    seen = [(setup.model, setup.window) for setup in setups]
    repeated = sorted({pair for pair in seen if seen.count(pair) > 1})
    if repeated:
        check.fail(
            name,
            "each attribution_model and attribution_window pair may appear once "
            f"(they key the rows); repeated: {repeated}",
        )
    return tuple(setups)


def _check_sources(check: _Checker, where: str, sources: t.Any) -> tuple[str, ...]:
    if sources == "all":
        return SOURCES
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        check.fail(where, f'sources must be "all" or a non-empty list of sources, got {sources!r}')
        return ()
    unknown = [source for source in sources if source not in SOURCES]
    duplicates = sorted({source for source in sources if sources.count(source) > 1})
    if unknown:
        check.fail(
            where,
            f"unknown sources {', '.join(map(repr, unknown))}; see the Cometly "
            "source list (e.g. facebook_ads, google_organic, email, direct)",
        )
    elif duplicates:
        check.fail(where, f"each source may appear once; repeated: {', '.join(duplicates)}")
    else:
        return tuple(sources)
    return ()


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
    extraction_method = check.choice("extraction_method", "auto", EXTRACTION_METHODS)
    lookback_hours = check.number("lookback_hours", 3, minimum=0)
    event_names = check.unique_list(
        "event_names",
        set(STANDARD_EVENT_NAMES + CUSTOM_EVENT_NAMES),
        most=MAX_EVENT_NAMES,
        what="event names (standard names or custom_event_1..custom_event_50)",
    )
    query_mode = check.choice("query_mode", "profile", QUERY_MODES)
    attribution_setups = _check_attribution_setups(check)
    contacts_window_days = check.number(
        "contacts_window_days", 30, minimum=1, maximum=3660, integer=True
    )
    include_comet_tokens = check.flag("include_comet_tokens")
    include_all_emails = check.flag("include_all_emails")
    export_poll_seconds = check.number("export_poll_seconds", 5, minimum=0.01, maximum=600)
    export_timeout_minutes = check.number("export_timeout_minutes", 60, minimum=0.01)
    export_max_attempts = check.number(
        "export_max_attempts", 3, minimum=1, maximum=20, integer=True
    )
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
        extraction_method=extraction_method,
        lookback_hours=lookback_hours,
        event_names=event_names,
        query_mode=query_mode,
        attribution_setups=attribution_setups,
        contacts_window_days=int(contacts_window_days),
        include_comet_tokens=include_comet_tokens,
        include_all_emails=include_all_emails,
        export_poll_seconds=export_poll_seconds,
        export_timeout_seconds=export_timeout_minutes * 60,
        export_max_attempts=int(export_max_attempts),
    )
