"""Deterministic Space data derived from (seed, key), so no record needs to stay in memory.

A day's events come from (seed, local day); an event's touchpoints from (seed, event id); a
contact from (seed, its block of ids); a company and every created_at from (seed, id) alone.
"""

from __future__ import annotations

import hashlib
import math
import random
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from fake_cometly.catalogue import (
    ACCOUNT_REGIONS,
    AD_ID_FORMATS,
    ADS,
    ADSETS,
    CAMPAIGNS,
    CUSTOM_LABELS,
    CUSTOM_PATHS,
    DIAL_CODES,
    DOMAIN_NOUNS,
    DOMAIN_WORDS,
    EMAIL_SEPARATORS,
    EVENT_PATHS,
    EVENT_WEIGHTS,
    FIRST_NAMES,
    FREE_MAIL,
    LAST_NAMES,
    LOCATION_WEIGHTS,
    MERGED_EMAIL_COUNTS,
    PRODUCTS,
    SITE,
    SOURCE_WEIGHTS,
    TLDS,
    TOKEN_COUNTS,
    TOUCH_COUNTS,
    UPSELLS,
)
from fake_cometly.config import ID_STRIDE, FakeConfig
from fake_cometly.times import day_bounds, day_start
from fake_cometly.vocabulary import PAID_SOURCES

SPACE_ID = 48213
BLOCK = 1024
_MASK64 = (1 << 64) - 1


class Event(NamedTuple):
    time: int  # UTC epoch seconds
    id: int
    profile_id: int
    company_id: int | None
    event_name: str
    amount_cents: int
    is_upsell: bool
    order_id: str | None
    order_name: str | None
    event_url: str | None


class Ad(NamedTuple):
    ad_id: str
    ad_name: str
    adset_id: str
    adset_name: str
    campaign_id: str
    campaign_name: str
    account_id: str
    account_name: str


class Touchpoint(NamedTuple):
    id: int
    time: int
    source: str
    ad: Ad | None


class Contact(NamedTuple):
    id: int
    created_at: int
    email: str | None
    name: str | None
    phone: str | None
    location: str | None
    comet_tokens: tuple[str, ...]  # newest first, at most 5
    emails: tuple[str, ...]  # primary first, then merged profiles' addresses


class Company(NamedTuple):
    id: int
    created_at: int
    domain: str


def mix(*parts: int | str) -> int:
    """A 64-bit seed for one key; stable across runs and Python versions (unlike hash())."""
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big")


def scramble(value: int) -> int:
    """SplitMix64's finaliser: a cheap, well-spread 64-bit hash of an integer."""
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def weighted_table(weights: dict[str, float], size: int = 2000) -> tuple[str, ...]:
    """Items repeated in proportion to their weight: a draw is one index, no bisect."""
    total = sum(weights.values())
    return tuple(
        item
        for item, weight in weights.items()
        for _ in range(max(1, round(weight / total * size)))
    )


_LOCATIONS = weighted_table(LOCATION_WEIGHTS, size=200)


def configured_name(event_name: str) -> str:
    if event_name.startswith("custom_event_"):
        return CUSTOM_LABELS.get(event_name, "Custom Event " + event_name.rsplit("_", 1)[1])
    return event_name


def block_ids(block: int, count: int) -> range:
    """Ids 1..count in blocks of BLOCK: block 0 is ids 1..1024."""
    return range(block * BLOCK + 1, min(count, (block + 1) * BLOCK) + 1)


def spread(index: int, count: int, lo: int, hi: int, salt: int) -> int:
    """The index-th of `count` instants spread over [lo, hi), non-decreasing in index.

    Computable from the index alone, so a date range maps to an id range by bisection.
    """
    span = hi - lo
    step = span // count
    jitter = scramble(index ^ salt) % step if step > 1 else 0
    return lo + (index - 1) * span // count + jitter


class SpaceData:
    """Everything derived from the config; holds only the small ad catalogue."""

    def __init__(self, config: FakeConfig) -> None:
        self.config = config
        self.zone = config.zone
        self.range_start = day_start(config.first_day, self.zone)
        last = config.first_day + timedelta(days=max(config.days, 1))
        self.range_end = day_start(last, self.zone)
        self._event_table = weighted_table(EVENT_WEIGHTS)
        self._source_table = weighted_table(SOURCE_WEIGHTS)
        self._touch_salt = mix(config.seed, "touchpoints")
        self._company_salt = mix(config.seed, "company-of")
        self._contact_salt = mix(config.seed, "contact-created")
        self._companies_salt = mix(config.seed, "company-created")
        self.ads = self._ad_catalogue(random.Random(mix(config.seed, "ads")))

    # Events ---------------------------------------------------------------------------------

    def day_events(self, day: date) -> list[Event]:
        """The generated events of one Space-local day, sorted by (time, id)."""
        cfg = self.config
        index = (day - cfg.first_day).days
        if not 0 <= index < cfg.days:
            return []
        rng = random.Random(mix(cfg.seed, "day", day.toordinal()))
        r = rng.random
        lo, hi = day_bounds(day, self.zone)
        span = hi - lo  # 23 h or 25 h on DST days: events fill the real length of the day
        weekday_factor = 0.8 if day.weekday() >= 5 else 1.08
        count = int(cfg.events_per_day * weekday_factor * (0.85 + 0.3 * r()) + r())
        times = sorted(lo + int(_day_fraction(r) * span) for _ in range(count))
        base_id = (index + 1) * ID_STRIDE
        names = self._event_table
        events = []
        for position, moment in enumerate(times):
            event_id = base_id + position
            name = names[int(r() * len(names))]
            profile_id = 1 + int(r() * cfg.contacts)
            events.append(self._event(event_id, moment, name, profile_id, r))
        return events

    def _event(
        self, event_id: int, moment: int, name: str, profile_id: int, r: Callable[[], float]
    ) -> Event:
        cents, order_id, order_name = 0, None, None
        if name in ("purchase", "upsell_purchase"):
            catalogue = PRODUCTS if name == "purchase" else UPSELLS
            order_name, cents = catalogue[int(r() * len(catalogue))]
            if r() < 0.3:  # a discount code: amounts are not all catalogue prices
                cents = int(cents * (0.8 + 0.2 * r()))
            order_id = f"ORD-{event_id}"
        paths = EVENT_PATHS.get(name, CUSTOM_PATHS)
        path = paths[int(r() * len(paths))]
        return Event(
            time=moment,
            id=event_id,
            profile_id=profile_id,
            company_id=self.company_of(profile_id),
            event_name=name,
            amount_cents=cents,
            is_upsell=name == "upsell_purchase",
            order_id=order_id,
            order_name=order_name,
            event_url=None if path is None else SITE + path,
        )

    def tracked_event(
        self, event_id: int, moment: int, name: str, profile_id: int | None = None
    ) -> Event:
        """An event written after the fact; what the writer left out is derived from its id."""
        r = random.Random(mix(self.config.seed, "tracked", event_id)).random
        if profile_id is None:
            profile_id = 1 + int(r() * self.config.contacts)
        return self._event(event_id, moment, name, profile_id, r)

    def profile_for(self, identity: str) -> int:
        """The contact a tracked identity (email, token, fingerprint) belongs to."""
        return 1 + zlib.crc32(identity.encode()) % self.config.contacts

    def company_of(self, profile_id: int) -> int | None:
        """A contact's company, fixed per contact; a bit under half of contacts have one."""
        if not self.config.companies:
            return None
        spread_value = scramble(profile_id ^ self._company_salt)
        if spread_value % 100 >= 45:
            return None
        return 1 + (spread_value >> 8) % self.config.companies

    def touchpoints(self, event: Event) -> tuple[Touchpoint, ...]:
        """1-6 touchpoints before the event, oldest first; some older than 30 and 90 days."""
        r = random.Random(self._touch_salt ^ event.id).random
        count = TOUCH_COUNTS[int(r() * len(TOUCH_COUNTS))]
        ages = sorted([_touch_age(r) for _ in range(count)], reverse=True)
        sources, catalogue = self._source_table, self.ads
        result = []
        for position, age in enumerate(ages):
            source = sources[int(r() * len(sources))]
            ads = catalogue.get(source)
            ad = ads[int(r() * len(ads))] if ads else None
            result.append(Touchpoint(event.id * 10 + position, event.time - age, source, ad))
        return tuple(result)

    def _ad_catalogue(self, rng: random.Random) -> dict[str, tuple[Ad, ...]]:
        def platform_id(source: str) -> str:
            prefix, digits = AD_ID_FORMATS.get(source, ("2", 15))
            return prefix + "".join(rng.choice("0123456789") for _ in range(digits - len(prefix)))

        catalogue = {}
        for source in PAID_SOURCES:
            platform = source.removesuffix("_ads").replace("_", " ").title()
            ads = []
            for region in ACCOUNT_REGIONS:
                account = (platform_id(source), f"Example Outfitters {region} - {platform}")
                for campaign_name in rng.sample(CAMPAIGNS, 3):
                    campaign = (platform_id(source), f"{campaign_name} ({region})")
                    for adset_name in rng.sample(ADSETS, 2):
                        adset = (platform_id(source), adset_name)
                        for ad_name in rng.sample(ADS, 3):
                            ads.append(
                                Ad(platform_id(source), ad_name, *adset, *campaign, *account)
                            )
            catalogue[source] = tuple(ads)
        return catalogue

    # Contacts and companies -------------------------------------------------------------------

    def contact_created_at(self, contact_id: int) -> int:
        return spread(
            contact_id, self.config.contacts, self.range_start, self.range_end, self._contact_salt
        )

    def company_created_at(self, company_id: int) -> int:
        return spread(
            company_id,
            max(self.config.companies, 1),
            self.range_start,
            self.range_end,
            self._companies_salt,
        )

    def company(self, company_id: int) -> Company:
        return Company(company_id, self.company_created_at(company_id), company_domain(company_id))

    def contact_block(self, block: int) -> list[Contact]:
        """Contacts block*1024+1 .. (block+1)*1024, generated together from one seed."""
        rng = random.Random(mix(self.config.seed, "contacts", block))
        return [
            self._contact(contact_id, rng) for contact_id in block_ids(block, self.config.contacts)
        ]

    def _contact(self, contact_id: int, rng: random.Random) -> Contact:
        r = rng.random
        first = FIRST_NAMES[int(r() * len(FIRST_NAMES))]
        last = LAST_NAMES[int(r() * len(LAST_NAMES))]
        location = _LOCATIONS[int(r() * len(_LOCATIONS))]
        company_id = self.company_of(contact_id)
        if company_id is not None:
            primary = f"{first}.{last}@{company_domain(company_id)}".lower()
        else:
            separator = EMAIL_SEPARATORS[int(r() * len(EMAIL_SEPARATORS))]
            mailbox = FREE_MAIL[int(r() * len(FREE_MAIL))]
            primary = f"{first}{separator}{last}{contact_id % 997}@{mailbox}".lower()
        email = primary if r() >= 0.06 else None
        merged = tuple(
            f"{first[0]}{last}{10 + int(r() * 90)}@{FREE_MAIL[int(r() * len(FREE_MAIL))]}".lower()
            for _ in range(MERGED_EMAIL_COUNTS[int(r() * len(MERGED_EMAIL_COUNTS))])
        )
        token_count = TOKEN_COUNTS[int(r() * len(TOKEN_COUNTS))]
        # One draw for all tokens: a million contacts make this loop worth shaving.
        hex_digits = (
            f"{rng.getrandbits(96 * token_count):0{24 * token_count}x}" if token_count else ""
        )
        tokens = tuple(hex_digits[n : n + 24] for n in range(0, len(hex_digits), 24))
        # Positional: keyword construction of a NamedTuple costs a microsecond more.
        return Contact(
            contact_id,
            self.contact_created_at(contact_id),
            email,
            f"{first} {last}" if r() >= 0.08 else None,
            _phone(location, r) if r() >= 0.35 else None,
            location if r() >= 0.12 else None,
            tokens,
            ((email,) if email else ()) + merged,
        )


def company_domain(company_id: int) -> str:
    """Unique per id by construction (mixed radix over the word lists, then a number)."""
    index = company_id - 1
    word = DOMAIN_WORDS[index % len(DOMAIN_WORDS)]
    index //= len(DOMAIN_WORDS)
    noun = DOMAIN_NOUNS[index % len(DOMAIN_NOUNS)]
    index //= len(DOMAIN_NOUNS)
    tld = TLDS[index % len(TLDS)]
    index //= len(TLDS)
    return f"{word}{noun}{index or ''}.{tld}"


def _phone(location: str, r: Callable[[], float]) -> str:
    """E.164: a leading digit 2-9, then 9 (NANP) or 8 more digits."""
    code = DIAL_CODES.get(location, "1")
    rest = 9 if code == "1" else 8
    return f"+{code}{2 + int(r() * 8)}{int(r() * 10**rest):0{rest}d}"


def _day_fraction(r: Callable[[], float]) -> float:
    """Where in the local day an event falls: a daytime hump over a flat background."""
    if r() < 0.3:
        return r()
    return 0.3 + 0.65 * (r() + r()) / 2


def _touch_age(r: Callable[[], float]) -> int:
    """Seconds from a touchpoint to its event: mostly days, some beyond 30 and 90 days."""
    if r() < 0.12:
        return int((30 + 150 * r()) * 86400)
    return 30 + int(-math.log(1.0 - r()) * 4 * 86400)
