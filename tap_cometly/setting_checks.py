"""Checks of the settings whose value is more than one number, word or list: URLs, time zones,
dates and attribution setups. Each takes its defaults and limits from the setting's declaration."""

from __future__ import annotations

import ipaddress
import typing as t
from dataclasses import dataclass
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from singer_sdk import typing as th

from tap_cometly.vocabulary import ATTRIBUTION_MODELS, ATTRIBUTION_WINDOWS, SOURCES
from tap_cometly.windows import format_utc, parse_instant, utc_now

if t.TYPE_CHECKING:
    from datetime import datetime

    from tap_cometly.checker import Checker
    from tap_cometly.setting_declaration import Setting

ATTRIBUTION_SETUP_ITEM = th.ObjectType(
    th.Property("sources", th.CustomType({"type": ["array", "string"]})),
    th.Property("attribution_model", th.StringType, allowed_values=list(ATTRIBUTION_MODELS)),
    th.Property("attribution_window", th.IntegerType, allowed_values=list(ATTRIBUTION_WINDOWS)),
)
_SETUP_KEYS = frozenset(ATTRIBUTION_SETUP_ITEM.type_dict["properties"])


@dataclass(frozen=True)
class AttributionSetup:
    """One attribution view: which sources, which model, which lookback window."""

    sources: tuple[str, ...]
    model: str
    window: int


def check_api_key(check: Checker, setting: Setting) -> str:
    api_key = check.text(setting) or ""
    if api_key and api_key != api_key.strip():
        check.fail(setting.name, "it has leading or trailing white space; paste the key alone")
    return api_key


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(check: Checker, setting: Setting) -> str:
    url = check.text(setting) or setting.default
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        check.fail(setting.name, f"expected an https:// URL such as {setting.default}, got {url!r}")
    elif parsed.scheme == "http" and not _is_loopback(parsed.hostname):
        check.fail(
            setting.name,
            "plain http would send the API key unencrypted; use https "
            "(http is allowed only for a loopback test server such as 127.0.0.1)",
        )
    elif parsed.query or parsed.fragment:
        check.fail(setting.name, "expected a base URL without '?query' or '#fragment'")
    return t.cast("str", url).rstrip("/")


def check_timezone(check: Checker, setting: Setting) -> ZoneInfo:
    name = check.text(setting) or setting.default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        check.fail(
            setting.name,
            f"{name!r} is not an IANA time zone name; use the Space's zone as Cometly shows it, "
            "e.g. 'America/New_York' or 'UTC'",
        )
        return ZoneInfo(setting.default)


def check_instant(check: Checker, setting: Setting, space_tz: ZoneInfo) -> datetime | None:
    value = check.text(setting)
    if value is None:
        return None
    try:
        return parse_instant(value, space_tz)
    except ValueError:
        check.fail(
            setting.name,
            "expected a date like 2024-01-31 or a date-time like 2024-01-31T08:00:00, "
            f"got {value!r}",
        )
        return None


def check_sync_range(
    check: Checker,
    start: datetime | None,
    end: datetime | None,
    start_setting: Setting,
    end_setting: Setting,
) -> None:
    start_name, end_name = start_setting.name, end_setting.name
    if start is not None and start > utc_now():
        check.fail(start_name, f"{format_utc(start)} is in the future; nothing could be synced")
    if start is not None and end is not None and end <= start:
        check.fail(
            end_name,
            f"it must be after {start_name} ({format_utc(end)} is not after {format_utc(start)})",
        )


def check_attribution_setups(check: Checker, setting: Setting) -> tuple[AttributionSetup, ...]:
    name = setting.name
    value = check.value(setting)
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > t.cast("float", setting.maximum):
        check.fail(name, f"expected a list of at most {setting.maximum:g} setups, got {value!r}")
        return ()
    setups = [
        setup
        for index, item in enumerate(value)
        if (setup := _check_attribution_setup(check, f"{name}[{index}]", item))
    ]
    seen = [(setup.model, setup.window) for setup in setups]
    repeated = sorted({pair for pair in seen if seen.count(pair) > 1})
    if repeated:
        check.fail(
            name,
            "each attribution_model and attribution_window pair may appear once "
            f"(they key the rows); repeated: {repeated}",
        )
    return tuple(setups)


def _check_attribution_setup(check: Checker, where: str, item: t.Any) -> AttributionSetup | None:
    if not isinstance(item, dict):
        check.fail(
            where,
            f"expected an object with sources, attribution_model and "
            f"attribution_window, got {item!r}",
        )
        return None
    unknown_keys = sorted(set(item) - _SETUP_KEYS)
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
            "sources require both attribution_model and attribution_window (as in the Cometly API)",
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
            return AttributionSetup(chosen, model, window)
    return None


def _check_sources(check: Checker, where: str, sources: t.Any) -> tuple[str, ...]:
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
