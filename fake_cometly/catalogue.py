"""The fake Space's business: an outdoor shop's events, products, channels, ads and people.

Content only; data.py draws from these tables. Weights are relative, counts are repeated
entries so one uniform draw picks with the intended odds.
"""

from __future__ import annotations

from fake_cometly.vocabulary import AI_SOURCES, ORGANIC_SOURCES, OTHER_SOURCES, PAID_SOURCES

EVENT_WEIGHTS: dict[str, float] = {
    "view_content": 30, "lead_generated": 10, "add_to_cart": 9, "initiate_checkout": 6,
    "add_payment_info": 3, "purchase": 8, "upsell_purchase": 1.5, "sign_up": 6,
    "complete_registration": 3, "start_trial": 2, "subscribe": 2, "schedule": 2, "contact": 3,
    "submit_application": 1.5, "webinar_registration": 2, "custom_event_1": 2,
    "custom_event_2": 1.5, "custom_event_3": 1, "custom_event_4": 0.5, "custom_event_7": 1,
}  # fmt: skip
# The labels the Space gave its custom events (configured_name).
CUSTOM_LABELS: dict[str, str] = {
    "custom_event_1": "Demo Booked",
    "custom_event_2": "Call Completed",
    "custom_event_3": "Proposal Sent",
    "custom_event_4": "Closed Won",
    "custom_event_7": "Quiz Completed",
}

SITE = "https://www.example-outfitters.com"
# Where each event happens; None: server-side events that carry no URL.
EVENT_PATHS: dict[str, tuple[str | None, ...]] = {
    "view_content": (
        "/products/trail-runner-2", "/products/alpine-shell-jacket",
        "/products/summit-pack-35l", "/collections/new",
    ),
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
}  # fmt: skip
CUSTOM_PATHS: tuple[str | None, ...] = ("/app/dashboard", None)

# (order name, price in cents): purchases span 19.00 to 499.99.
PRODUCTS: tuple[tuple[str, int], ...] = (
    ("Merino Base Layer", 1900), ("Trail Socks 3-Pack", 2499), ("Insulated Bottle", 3450),
    ("Summit Pack 35L", 12999), ("Trail Runner 2", 14950), ("Alpine Shell Jacket", 27900),
    ("Expedition Tent 2P", 49999),
)  # fmt: skip
UPSELLS: tuple[tuple[str, int], ...] = (
    ("Priority Shipping", 900), ("Care Kit", 1999), ("Extended Warranty", 2900),
    ("Premium Membership (1 yr)", 19999),
)  # fmt: skip

SOURCE_WEIGHTS: dict[str, float] = {
    **dict.fromkeys(PAID_SOURCES, 0.6),
    **dict.fromkeys(ORGANIC_SOURCES, 0.4),
    **dict.fromkeys(AI_SOURCES + OTHER_SOURCES, 0.3),
    # The channels that bring most of the traffic (later keys win).
    "facebook_ads": 14, "google_ads": 14, "instagram_ads": 5, "tiktok_ads": 4, "youtube_ads": 3,
    "linkedin_ads": 3, "bing_ads": 2, "google_organic": 8, "facebook_organic": 2,
    "instagram_organic": 1.5, "youtube_organic": 1, "ai_chat_gpt": 1.5, "direct": 10,
    "email": 5, "referral": 3, "sms": 1,
}  # fmt: skip
TOUCH_COUNTS = (1,) * 30 + (2,) * 25 + (3,) * 18 + (4,) * 12 + (5,) * 8 + (6,) * 7

# Ad-platform id (prefix, length): Meta and TikTok ids exceed 2**53, so they only survive as
# strings; platforms not listed use 15 digits.
AD_ID_FORMATS: dict[str, tuple[str, int]] = {
    "facebook_ads": ("1202", 18), "instagram_ads": ("1202", 18), "tiktok_ads": ("17", 19),
    "google_ads": ("6", 12), "youtube_ads": ("6", 12), "linkedin_ads": ("3", 9),
    "bing_ads": ("5", 11),
}  # fmt: skip
CAMPAIGNS = ("Winter Sale", "Brand", "Retargeting - 30d", "Prospecting - Broad", "Spring Launch")
ADSETS = ("US - 25-44", "Broad - All", "Interest - Hiking", "Site Visitors 30d", "Lookalike 1%")
ADS = ("Video - Testimonial A", "Carousel - Bestsellers", "Static - 20% Off", "UGC - Unboxing")
ACCOUNT_REGIONS = ("US", "EU")

FIRST_NAMES = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mason", "Amelia", "Ethan", "Harper", "Logan", "Evelyn", "Aiden", "Abigail",
    "Jackson", "Emily", "Sebastian", "Ella", "Mateo", "Chloe", "Jack", "Grace", "Owen", "Nora",
    "Leo", "Zoe", "Wyatt", "Lily", "Henry", "Hannah", "Daniel", "Aria", "Samuel", "Layla",
    "Julian", "Maya", "David", "Priya", "Kenji", "Fatima",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Nguyen", "Patel", "Kim", "Chen",
)  # fmt: skip
FREE_MAIL = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com")
EMAIL_SEPARATORS = (".", "_", "")
LOCATION_WEIGHTS: dict[str, float] = {
    "US": 50, "CA": 8, "GB": 10, "DE": 6, "AU": 5, "FR": 4, "NL": 3, "BR": 4, "IN": 5, "MX": 2,
}  # fmt: skip
DIAL_CODES: dict[str, str] = {
    "US": "1", "CA": "1", "GB": "44", "DE": "49", "AU": "61", "FR": "33", "NL": "31",
    "BR": "55", "IN": "91", "MX": "52",
}  # fmt: skip
MERGED_EMAIL_COUNTS = (0,) * 6 + (1,) * 3 + (2,)
TOKEN_COUNTS = (0,) * 15 + (1,) * 35 + (2,) * 22 + (3,) * 13 + (4,) * 8 + (5,) * 7

DOMAIN_WORDS = (
    "acme", "blue", "north", "bright", "summit", "river", "cedar", "granite", "swift", "lumen",
    "atlas", "pioneer", "harbor", "vertex", "copper", "maple", "quantum", "crescent", "silver",
    "evergreen",
)  # fmt: skip
DOMAIN_NOUNS = (
    "labs", "works", "systems", "digital", "goods", "health", "logistics", "studio", "cloud",
    "partners",
)  # fmt: skip
TLDS = ("com", "io", "co", "net")
