"""The tap's settings: each declared once, with its type, default, limits and description.

The declarations give the schema the tap announces (and from it meltano.yml, the README and the
plugin definition) and drive `parse_settings`, which checks every value up front (one message
per bad value, naming the setting) and returns the typed `Settings` every later module reads.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from tap_cometly import extraction, setting_checks
from tap_cometly import vocabulary as cometly
from tap_cometly.checker import Checker
from tap_cometly.errors import ConfigError
from tap_cometly.pacing import RateLimitFamily
from tap_cometly.setting_checks import ATTRIBUTION_SETUP_ITEM, AttributionSetup
from tap_cometly.setting_declaration import Setting, settings_schema

if t.TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

API_KEY = Setting(
    "api_key", "text", required=True, secret=True,
    description="Cometly API key (Settings > API in Cometly). Sent only to api_url's host.",
)  # fmt: skip
API_URL = Setting(
    "api_url", "text", default=cometly.DEFAULT_API_URL,
    description="Base URL of the Cometly public API; https unless the host is loopback.",
)  # fmt: skip
START_DATE = Setting(
    "start_date", "text", required=True,
    description=(
        "First moment to sync, as a date (2024-01-31) or date-time (2024-01-31T08:00:00). "
        "Without an offset it is read in the Space's timezone; 'Z' or '+hh:mm' pins the instant."
    ),
)  # fmt: skip
END_DATE = Setting(
    "end_date", "text",
    description=(
        "Exclusive end of the sync, same formats as start_date (2024-04-01 includes all of "
        "March). Default: now."
    ),
)  # fmt: skip
TIMEZONE = Setting(
    "timezone", "text", default="UTC",
    description=(
        "IANA name of the Space's timezone (e.g. America/New_York), as set in Cometly. "
        "Cometly reads every date parameter in it; a wrong zone shifts every window."
    ),
)  # fmt: skip
USER_AGENT = Setting(
    "user_agent", "text",
    description="User-Agent header sent to Cometly. Default: tap-cometly/<version>.",
)  # fmt: skip


def _rate_limit(name: str, default: int, documented: str) -> Setting:
    return Setting(
        name, "integer", default=default, minimum=1,
        description=(
            f"Most calls per rate-limit window for {documented} per Space. Lower it to leave "
            "budget to other clients of the Space; the tap also follows the API's X-RateLimit "
            "headers."
        ),
    )  # fmt: skip


# Per-Space, per-minute budget of each endpoint family, with what Cometly says of it.
RATE_LIMITS = {
    family: _rate_limit(name, default, documented)
    for family, name, default, documented in (
        (RateLimitFamily.EVENTS_LIST, "events_requests_per_minute", 7, "GET /events: 7 a minute"),
        (RateLimitFamily.EXPORT_CREATE, "export_creates_per_minute", 5,
         "POST /events/exports and /contacts/exports: 5 a minute, assumed shared"),
        (RateLimitFamily.EXPORT_STATUS, "export_status_requests_per_minute", 30,
         "export status checks: 30 a minute, assumed shared"),
        (RateLimitFamily.CONTACTS_LIST, "contacts_requests_per_minute", 15,
         "GET /contacts: 15 a minute"),
        (RateLimitFamily.COMPANIES_LIST, "companies_requests_per_minute", 15,
         "GET /companies: 15 a minute"),
        (RateLimitFamily.SINGLE_RECORD, "single_record_requests_per_minute", 60,
         "GET /events/{id} and the like: not documented, 60 a minute assumed"),
    )
}  # fmt: skip
PER_PAGE = Setting(
    "per_page", "integer", default=cometly.MAX_EVENTS_PER_PAGE,
    minimum=1, maximum=cometly.MAX_EVENTS_PER_PAGE,
    description=(
        f"Events per GET /events page. Keep {cometly.MAX_EVENTS_PER_PAGE}: the endpoint allows "
        "7 calls a minute, so rows per call set the speed of a backfill."
    ),
)  # fmt: skip
EVENTS_WINDOW_DAYS = Setting(
    "events_window_days", "integer", default=1, minimum=1, maximum=366,
    description=(
        "Length in days of the windows the events range is read in (cut at midnight in the "
        "Space's timezone). A bookmark is saved after each window, so a crash costs at most "
        "one window."
    ),
)  # fmt: skip
EXTRACTION_METHOD = Setting(
    "extraction_method", "choice", default="auto", allowed=extraction.EXTRACTION_METHODS,
    description=(
        "How the events and event_attributions streams read their range. list: GET /events "
        f"pages (7 calls a minute, {cometly.MAX_EVENTS_PER_PAGE} events each). export: one POST "
        "/events/exports file per Space-local day (5 days a minute whatever their size, several "
        "in flight at once; each takes seconds to minutes to process). auto: exports for the "
        f"whole days that ended at least {extraction.AUTO_EXPORT_AFTER_HOURS} hours before the "
        f"run, when there are at least {extraction.AUTO_MIN_EXPORT_DAYS} of them and the last "
        "of them takes 2 or more GET /events pages (one probe call finds out: then its export "
        "costs less of the limits), and GET /events for the rest and for Spaces whose days "
        "fit in a page (measured at Cometly's limits: 90 days of 50,000 events take 18 minutes "
        "through exports, 172 through the list). Export days are always one day long, whatever "
        "events_window_days says; event_attributions takes one export per day, setup and 15 "
        "sources. A selected field only exports deliver (event_url, the ad hierarchy beyond "
        "ad_id) sends every day that has ended to exports whatever this says (README: Streams)."
    ),
)  # fmt: skip
LOOKBACK_HOURS = Setting(
    "lookback_hours", "number", default=72, minimum=0,
    description=(
        "Hours before the bookmark that each incremental run reads again, to catch events "
        "that arrive late (Cometly accepts tracked events with any past event_time): an event "
        "is caught if it shows up in the API at most this long after its event_time. Re-read "
        "rows have the same primary key, so targets upsert them."
    ),
)  # fmt: skip
EVENT_NAMES = Setting(
    "event_names", "list", minimum=1, maximum=cometly.MAX_EVENT_NAMES,
    allowed=cometly.STANDARD_EVENT_NAMES + cometly.CUSTOM_EVENT_NAMES,
    description=(
        f"Only sync these event names (1-{cometly.MAX_EVENT_NAMES}, no duplicates): the "
        f"{len(cometly.STANDARD_EVENT_NAMES)} {cometly.EVENT_NAMES_TEXT}. Default: every event."
    ),
)  # fmt: skip
QUERY_MODE = Setting(
    "query_mode", "choice", default="profile", allowed=cometly.QUERY_MODES,
    description="profile (contact-level events, the API default) or company (company-level).",
)  # fmt: skip
ATTRIBUTION_SETUPS = Setting(
    "attribution_setups", "list", maximum=10,
    items=ATTRIBUTION_SETUP_ITEM,
    description=(
        "Attribution views to sync into event_attributions, e.g. "
        '[{"sources": "all", "attribution_model": "linear", "attribution_window": 30}]. '
        'sources: a list of Cometly sources or "all" (read '
        f"{cometly.MAX_SOURCES_PER_REQUEST} per request); attribution_model: "
        f"{', '.join(cometly.ATTRIBUTION_MODELS[:-1])} or {cometly.ATTRIBUTION_MODELS[-1]}; "
        "attribution_window: 0 (lifetime), "
        f"{', '.join(map(str, cometly.ATTRIBUTION_WINDOWS[1:-1]))} or "
        f"{cometly.ATTRIBUTION_WINDOWS[-1]} days. Without any, the event_attributions stream is "
        "off."
    ),
)  # fmt: skip
CONTACTS_WINDOW_DAYS = Setting(
    "contacts_window_days", "integer", default=30, minimum=1, maximum=3660,
    description=(
        "Length in days of the contact-creation windows exported one at a time (cut at "
        "midnight in the Space's timezone). A bookmark is saved after each window."
    ),
)  # fmt: skip
INCLUDE_COMET_TOKENS = Setting(
    "include_comet_tokens", "flag", default=False,
    description="Add comet_tokens (the contact's last 5 tracking tokens, newest first).",
)  # fmt: skip
INCLUDE_ALL_EMAILS = Setting(
    "include_all_emails", "flag", default=False,
    description="Add emails: every address on the contact, including merged profiles'.",
)  # fmt: skip
EXPORT_POLL_SECONDS = Setting(
    "export_poll_seconds", "number", default=5, minimum=0.01, maximum=600,
    description=(
        "First wait between export status checks; it grows by half after each check that "
        "finds the export unfinished, up to 6 times this (2 times for the export the run is "
        "waiting for), inside the 30-a-minute status budget."
    ),
)  # fmt: skip
EXPORT_TIMEOUT_MINUTES = Setting(
    "export_timeout_minutes", "number", default=60, minimum=0.01,
    description=(
        "How long one export job may take before the run stops with an error naming the "
        "export, its last status and its window."
    ),
)  # fmt: skip
EXPORT_MAX_ATTEMPTS = Setting(
    "export_max_attempts", "integer", default=3, minimum=1, maximum=20,
    description="How many times a window's export is created when Cometly reports it failed.",
)  # fmt: skip
RATE_LIMIT_WINDOW_SECONDS = Setting(
    "rate_limit_window_seconds", "number", default=60, minimum=0.001,
    description=(
        "Length of the API's rate-limit window in seconds. Cometly counts per minute: keep 60 "
        "unless you point the tap at a test server with a shorter window."
    ),
)  # fmt: skip
MAX_RETRY_MINUTES = Setting(
    "max_retry_minutes", "number", default=10, minimum=0,
    description=(
        "How long one request may keep being retried after 5xx answers, timeouts and "
        "connection errors before the run stops with an error."
    ),
)  # fmt: skip
RETRY_INITIAL_WAIT_SECONDS = Setting(
    "retry_initial_wait_seconds", "number", default=2, minimum=0,
    description="First wait before retrying a failed request; it doubles each time (max 60 s).",
)  # fmt: skip
REQUEST_TIMEOUT_SECONDS = Setting(
    "request_timeout_seconds", "number", default=120, minimum=0.1,
    description="Seconds to wait for the API to answer one request before retrying it.",
)  # fmt: skip

DECLARED = (
    API_KEY, API_URL, START_DATE, END_DATE, TIMEZONE, USER_AGENT, *RATE_LIMITS.values(),
    PER_PAGE, EVENTS_WINDOW_DAYS, EXTRACTION_METHOD, LOOKBACK_HOURS, EVENT_NAMES, QUERY_MODE,
    ATTRIBUTION_SETUPS, CONTACTS_WINDOW_DAYS, INCLUDE_COMET_TOKENS, INCLUDE_ALL_EMAILS,
    EXPORT_POLL_SECONDS, EXPORT_TIMEOUT_MINUTES, EXPORT_MAX_ATTEMPTS, RATE_LIMIT_WINDOW_SECONDS,
    MAX_RETRY_MINUTES, RETRY_INITIAL_WAIT_SECONDS, REQUEST_TIMEOUT_SECONDS,
)  # fmt: skip
SETTINGS_SCHEMA = settings_schema(DECLARED)


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
    extraction_method: extraction.ExtractionMethod
    lookback_hours: float
    event_names: tuple[str, ...]
    query_mode: cometly.QueryMode
    attribution_setups: tuple[AttributionSetup, ...]
    contacts_window_days: int
    include_comet_tokens: bool
    include_all_emails: bool
    export_poll_seconds: float
    export_timeout_seconds: float
    export_max_attempts: int


def parse_settings(config: t.Mapping[str, t.Any]) -> Settings:
    """Validate an already type-coerced config and return typed settings.

    Raises:
        ConfigError: with one message per bad value.
    """
    check = Checker(config)
    api_key = setting_checks.check_api_key(check, API_KEY)
    api_url = setting_checks.check_api_url(check, API_URL)
    space_tz = setting_checks.check_timezone(check, TIMEZONE)
    start = setting_checks.check_instant(check, START_DATE, space_tz)
    end = setting_checks.check_instant(check, END_DATE, space_tz)
    setting_checks.check_sync_range(check, start, end, START_DATE, END_DATE)
    rate_limits = {family.value: check.whole_number(limit) for family, limit in RATE_LIMITS.items()}
    settings = Settings(
        api_key=api_key,
        api_url=api_url,
        timezone=space_tz,
        start=t.cast("datetime", start),  # None only after an error, raised below
        end=end,
        rate_limits=rate_limits,
        rate_limit_window_seconds=check.number(RATE_LIMIT_WINDOW_SECONDS),
        max_retry_seconds=check.number(MAX_RETRY_MINUTES) * 60,
        retry_initial_wait_seconds=check.number(RETRY_INITIAL_WAIT_SECONDS),
        request_timeout_seconds=check.number(REQUEST_TIMEOUT_SECONDS),
        user_agent=check.text(USER_AGENT),
        per_page=check.whole_number(PER_PAGE),
        events_window_days=check.whole_number(EVENTS_WINDOW_DAYS),
        extraction_method=t.cast("extraction.ExtractionMethod", check.choice(EXTRACTION_METHOD)),
        lookback_hours=check.number(LOOKBACK_HOURS),
        event_names=check.unique_list(
            EVENT_NAMES, what=f"event names ({cometly.EVENT_NAMES_TEXT})"
        ),
        query_mode=t.cast("cometly.QueryMode", check.choice(QUERY_MODE)),
        attribution_setups=setting_checks.check_attribution_setups(check, ATTRIBUTION_SETUPS),
        contacts_window_days=check.whole_number(CONTACTS_WINDOW_DAYS),
        include_comet_tokens=check.flag(INCLUDE_COMET_TOKENS),
        include_all_emails=check.flag(INCLUDE_ALL_EMAILS),
        export_poll_seconds=check.number(EXPORT_POLL_SECONDS),
        export_timeout_seconds=check.number(EXPORT_TIMEOUT_MINUTES) * 60,
        export_max_attempts=check.whole_number(EXPORT_MAX_ATTEMPTS),
    )
    if check.errors:
        raise ConfigError(check.errors)
    return settings
