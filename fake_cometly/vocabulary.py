"""The API's closed value sets, exactly as the reference lists them (§3.1, §3.2, §3.3, §4.2)."""

from __future__ import annotations

STANDARD_EVENT_NAMES: tuple[str, ...] = (
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
CUSTOM_EVENT_NAMES: tuple[str, ...] = tuple(f"custom_event_{n}" for n in range(1, 51))
EVENT_NAMES: frozenset[str] = frozenset(STANDARD_EVENT_NAMES + CUSTOM_EVENT_NAMES)
# POST /events/track documents 14 standard names: upsell_purchase is a read-side value only.
TRACK_EVENT_NAMES: frozenset[str] = EVENT_NAMES - {"upsell_purchase"}

PAID_SOURCES: tuple[str, ...] = (
    "facebook_ads",
    "google_ads",
    "linkedin_ads",
    "tiktok_ads",
    "youtube_ads",
    "instagram_ads",
    "bing_ads",
    "yahoo_ads",
    "pinterest_ads",
    "reddit_ads",
    "snapchat_ads",
    "telegram_ads",
    "twitch_ads",
    "x_ads",
    "quora_ads",
    "duckduckgo_ads",
)
ORGANIC_SOURCES: tuple[str, ...] = (
    "facebook_organic",
    "google_organic",
    "linkedin_organic",
    "tiktok_organic",
    "youtube_organic",
    "instagram_organic",
    "bing_organic",
    "yahoo_organic",
    "pinterest_organic",
    "reddit_organic",
    "snapchat_organic",
    "telegram_organic",
    "twitch_organic",
    "x_organic",
    "quora_organic",
    "duckduckgo_organic",
    "messenger_organic",
    "brave_organic",
    "threads_organic",
)
AI_SOURCES: tuple[str, ...] = (
    "ai_chat_gpt",
    "ai_perplexity",
    "ai_copilot",
    "ai_claude",
    "ai_grok",
    "ai_gemini",
    "ai_deepseek",
)
OTHER_SOURCES: tuple[str, ...] = (
    "email",
    "sms",
    "referral",
    "direct",
    "shop_app",
    "substack",
    "capterra",
    "trustpilot",
    "g2",
    "yelp",
)
SOURCES: tuple[str, ...] = PAID_SOURCES + ORGANIC_SOURCES + AI_SOURCES + OTHER_SOURCES
PAID: frozenset[str] = frozenset(PAID_SOURCES)

ATTRIBUTION_MODELS: tuple[str, ...] = (
    "first_touch",
    "last_touch",
    "linear",
    "first_platform_touch",
    "last_platform_touch",
    "linear_paid",
    "u_shaped",
    "last_non_direct_touch",
)
ATTRIBUTION_WINDOWS: tuple[int, ...] = (0, 1, 7, 14, 30, 60, 90)
QUERY_MODES: tuple[str, ...] = ("profile", "company")

AD_FIELDS: tuple[str, ...] = (
    "ad_id",
    "ad_name",
    "adset_id",
    "adset_name",
    "campaign_id",
    "campaign_name",
    "account_id",
    "account_name",
)
# The reference calls id and event_time_utc "not user-requestable" yet its examples send them;
# accepting them (they are returned anyway) is the reading that breaks no documented example.
ALWAYS_RETURNED: tuple[str, ...] = ("id", "event_time_utc")
LIST_FIELDS: frozenset[str] = frozenset(
    (
        "profile_id",
        "company_id",
        "space_id",
        "event_name",
        "configured_name",
        "amount",
        "is_upsell",
        "ad_id",
        "order_id",
        "order_name",
        *ALWAYS_RETURNED,
    )
)
EXPORT_FIELDS: frozenset[str] = LIST_FIELDS | frozenset(AD_FIELDS) | {"event_url"}

# Endpoint families: each has its own per-minute budget (the two export families span both
# event and contact endpoints, as the reference advises assuming).
EVENTS_LIST = "events_list"
EXPORT_CREATE = "export_create"
EXPORT_STATUS = "export_status"
CONTACTS_LIST = "contacts_list"
COMPANIES_LIST = "companies_list"
SINGLE_RECORD = "single_record"
TRACK = "track"
DOWNLOAD = "download"  # the storage listener: logged and faultable, never rate limited
