"""What the Cometly public API accepts: event names, sources, attribution models and windows,
query modes, and its per-request limits. The tap's settings are checked against these."""

from __future__ import annotations

import typing as t

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
# How the accepted names are described in messages.
EVENT_NAMES_TEXT = f"standard names or {CUSTOM_EVENT_NAMES[0]}..{CUSTOM_EVENT_NAMES[-1]}"
EVENT_NAMES_IN_MESSAGES = f"event names ({EVENT_NAMES_TEXT})"
MAX_EVENT_NAMES = 10
MAX_EVENTS_PER_PAGE = 4000

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
MAX_SOURCES_PER_REQUEST = 15

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
# Days of lookback; 0 is the lifetime window.
ATTRIBUTION_WINDOWS = (0, 1, 7, 14, 30, 60, 90)

QueryMode = t.Literal["profile", "company"]
QUERY_MODES: tuple[QueryMode, ...] = t.get_args(QueryMode)
