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

from fake_cometly.config import ID_STRIDE, FakeConfig
from fake_cometly.times import day_bounds, day_start
from fake_cometly.vocabulary import AI_SOURCES, ORGANIC_SOURCES, OTHER_SOURCES, PAID_SOURCES

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


EVENT_WEIGHTS: dict[str, float] = {
    "view_content": 30,
    "lead_generated": 10,
    "add_to_cart": 9,
    "initiate_checkout": 6,
    "add_payment_info": 3,
    "purchase": 8,
    "upsell_purchase": 1.5,
    "sign_up": 6,
    "complete_registration": 3,
    "start_trial": 2,
    "subscribe": 2,
    "schedule": 2,
    "contact": 3,
    "submit_application": 1.5,
    "webinar_registration": 2,
    "custom_event_1": 2,
    "custom_event_2": 1.5,
    "custom_event_3": 1,
    "custom_event_4": 0.5,
    "custom_event_7": 1,
}
CUSTOM_LABELS: dict[str, str] = {
    "custom_event_1": "Demo Booked",
    "custom_event_2": "Call Completed",
    "custom_event_3": "Proposal Sent",
    "custom_event_4": "Closed Won",
    "custom_event_7": "Quiz Completed",
}


def configured_name(event_name: str) -> str:
    if event_name.startswith("custom_event_"):
        return CUSTOM_LABELS.get(event_name, "Custom Event " + event_name.rsplit("_", 1)[1])
    return event_name


SITE = "https://www.example-outfitters.com"
_PRODUCT_SLUGS = ("trail-runner-2", "alpine-shell-jacket", "summit-pack-35l", "merino-base-layer")
_EVENT_PATHS: dict[str, tuple[str | None, ...]] = {
    "view_content": (*(f"/products/{slug}" for slug in _PRODUCT_SLUGS), "/collections/new"),
    "add_to_cart": ("/cart",),
    "initiate_checkout": ("/checkout",),
    "add_payment_info": ("/checkout/payment",),
    "purchase": ("/checkout/thank-you", None),
    "upsell_purchase": ("/checkout/upsell", None),
    "lead_generated": ("/lp/spring-guide", "/lp/size-quiz", "/lp/free-shipping"),
    "sign_up": ("/account/register",),
    "complete_registration": ("/account/welcome",),
    "start_trial": ("/membership/trial",),
    "subscribe": ("/membership/join", None),
    "schedule": ("/book-a-fitting",),
    "contact": ("/contact",),
    "submit_application": ("/pro-program/apply",),
    "webinar_registration": ("/events/layering-101", "/events/trail-prep"),
}
_DEFAULT_PATHS: tuple[str | None, ...] = ("/app/dashboard", None)

PRODUCTS: tuple[tuple[str, int], ...] = (
    ("Merino Base Layer", 1900),
    ("Trail Socks 3-Pack", 2499),
    ("Insulated Bottle", 3450),
    ("Summit Pack 35L", 12999),
    ("Trail Runner 2", 14950),
    ("Alpine Shell Jacket", 27900),
    ("Expedition Tent 2P", 49999),
)
UPSELLS: tuple[tuple[str, int], ...] = (
    ("Priority Shipping", 900),
    ("Care Kit", 1999),
    ("Extended Warranty", 2900),
    ("Premium Membership (1 yr)", 19999),
)

SOURCE_WEIGHTS: dict[str, float] = {
    **dict.fromkeys(PAID_SOURCES, 0.6),
    **dict.fromkeys(ORGANIC_SOURCES, 0.4),
    **dict.fromkeys(AI_SOURCES + OTHER_SOURCES, 0.3),
    # The channels that bring most of the traffic (later keys win).
    "facebook_ads": 14,
    "google_ads": 14,
    "instagram_ads": 5,
    "tiktok_ads": 4,
    "youtube_ads": 3,
    "linkedin_ads": 3,
    "bing_ads": 2,
    "google_organic": 8,
    "facebook_organic": 2,
    "instagram_organic": 1.5,
    "youtube_organic": 1,
    "ai_chat_gpt": 1.5,
    "direct": 10,
    "email": 5,
    "referral": 3,
    "sms": 1,
}
TOUCH_COUNTS = (1,) * 30 + (2,) * 25 + (3,) * 18 + (4,) * 12 + (5,) * 8 + (6,) * 7

# Ad-platform id lengths: Meta and TikTok ids exceed 2**53, so they only survive as strings.
_AD_ID_DIGITS: dict[str, tuple[str, int]] = {
    "facebook_ads": ("1202", 18),
    "instagram_ads": ("1202", 18),
    "tiktok_ads": ("17", 19),
    "google_ads": ("6", 12),
    "youtube_ads": ("6", 12),
    "linkedin_ads": ("3", 9),
    "bing_ads": ("5", 11),
}
_CAMPAIGNS = ("Winter Sale", "Brand", "Retargeting - 30d", "Prospecting - Broad", "Spring Launch")
_ADSETS = ("US - 25-44", "Broad - All", "Interest - Hiking", "Site Visitors 30d", "Lookalike 1%")
_ADS = ("Video - Testimonial A", "Carousel - Bestsellers", "Static - 20% Off", "UGC - Unboxing")

FIRST_NAMES = [
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mason",
    "Amelia",
    "Ethan",
    "Harper",
    "Logan",
    "Evelyn",
    "Aiden",
    "Abigail",
    "Jackson",
    "Emily",
    "Sebastian",
    "Ella",
    "Mateo",
    "Chloe",
    "Jack",
    "Grace",
    "Owen",
    "Nora",
    "Leo",
    "Zoe",
    "Wyatt",
    "Lily",
    "Henry",
    "Hannah",
    "Daniel",
    "Aria",
    "Samuel",
    "Layla",
    "Julian",
    "Maya",
    "David",
    "Priya",
    "Kenji",
    "Fatima",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Patel",
    "Kim",
    "Chen",
]
FREE_MAIL = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com")
LOCATIONS = weighted_table(
    {"US": 50, "CA": 8, "GB": 10, "DE": 6, "AU": 5, "FR": 4, "NL": 3, "BR": 4, "IN": 5, "MX": 2},
    size=200,
)
_DIAL_CODES = {"US": "1", "CA": "1", "GB": "44", "DE": "49", "AU": "61", "FR": "33", "NL": "31"}
_DIAL_CODES.update({"BR": "55", "IN": "91", "MX": "52"})
_DOMAIN_WORDS = [
    "acme",
    "blue",
    "north",
    "bright",
    "summit",
    "river",
    "cedar",
    "granite",
    "swift",
    "lumen",
    "atlas",
    "pioneer",
    "harbor",
    "vertex",
    "copper",
    "maple",
    "quantum",
    "crescent",
    "silver",
    "evergreen",
]
_DOMAIN_NOUNS = [
    "labs",
    "works",
    "systems",
    "digital",
    "goods",
    "health",
    "logistics",
    "studio",
    "cloud",
    "partners",
]
_TLDS = ("com", "io", "co", "net")
_SEPARATORS = (".", "_", "")
_MERGED_COUNTS = (0,) * 6 + (1,) * 3 + (2,)
_TOKEN_COUNTS = (0,) * 15 + (1,) * 35 + (2,) * 22 + (3,) * 13 + (4,) * 8 + (5,) * 7


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
        paths = _EVENT_PATHS.get(name, _DEFAULT_PATHS)
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
            prefix, digits = _AD_ID_DIGITS.get(source, ("2", 15))
            return prefix + "".join(rng.choice("0123456789") for _ in range(digits - len(prefix)))

        catalogue = {}
        for source in PAID_SOURCES:
            platform = source.removesuffix("_ads").replace("_", " ").title()
            ads = []
            for region in ("US", "EU"):
                account = (platform_id(source), f"Example Outfitters {region} - {platform}")
                for campaign_name in rng.sample(_CAMPAIGNS, 3):
                    campaign = (platform_id(source), f"{campaign_name} ({region})")
                    for adset_name in rng.sample(_ADSETS, 2):
                        adset = (platform_id(source), adset_name)
                        for ad_name in rng.sample(_ADS, 3):
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
        location = LOCATIONS[int(r() * len(LOCATIONS))]
        company_id = self.company_of(contact_id)
        if company_id is not None:
            primary = f"{first}.{last}@{company_domain(company_id)}".lower()
        else:
            separator = _SEPARATORS[int(r() * len(_SEPARATORS))]
            mailbox = FREE_MAIL[int(r() * len(FREE_MAIL))]
            primary = f"{first}{separator}{last}{contact_id % 997}@{mailbox}".lower()
        email = primary if r() >= 0.06 else None
        merged = tuple(
            f"{first[0]}{last}{10 + int(r() * 90)}@{FREE_MAIL[int(r() * len(FREE_MAIL))]}".lower()
            for _ in range(_MERGED_COUNTS[int(r() * len(_MERGED_COUNTS))])
        )
        tokens = tuple(
            f"{rng.getrandbits(96):024x}"
            for _ in range(_TOKEN_COUNTS[int(r() * len(_TOKEN_COUNTS))])
        )
        return Contact(
            id=contact_id,
            created_at=self.contact_created_at(contact_id),
            email=email,
            name=f"{first} {last}" if r() >= 0.08 else None,
            phone=_phone(location, r) if r() >= 0.35 else None,
            location=location if r() >= 0.12 else None,
            comet_tokens=tokens,
            emails=((email,) if email else ()) + merged,
        )


def company_domain(company_id: int) -> str:
    """Unique per id by construction (mixed radix over the word lists, then a number)."""
    index = company_id - 1
    word = _DOMAIN_WORDS[index % len(_DOMAIN_WORDS)]
    index //= len(_DOMAIN_WORDS)
    noun = _DOMAIN_NOUNS[index % len(_DOMAIN_NOUNS)]
    index //= len(_DOMAIN_NOUNS)
    tld = _TLDS[index % len(_TLDS)]
    index //= len(_TLDS)
    return f"{word}{noun}{index or ''}.{tld}"


def _phone(location: str, r: Callable[[], float]) -> str:
    """E.164: a leading digit 2-9, then 9 (NANP) or 8 more digits."""
    code = _DIAL_CODES.get(location, "1")
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
