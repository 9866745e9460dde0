"""GA4's default channel grouping, in GA4's rule order, plus an AI-assistant channel.

Rules (https://support.google.com/analytics/answer/9756891): the first rule that matches
wins. Channel names are GA4's in snake_case. `ai_assistant` is checked right after the
paid rules so that chatgpt.com & co. are not lumped into "referral" (GA4 itself has no such
channel yet; Matomo, Plausible and others now report one).
"""

from __future__ import annotations

import re

from enrichment.sources import AI, EMAIL, SEARCH, SHOPPING, SOCIAL, VIDEO

_PAID_MEDIUM = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")
_SHOP_CAMPAIGN = re.compile(r"^(.*(([^a-df-z]|^)shop|shopping).*)$")
_DISPLAY = frozenset({"display", "banner", "expandable", "interstitial", "cpm"})
_SOCIAL = frozenset(
    {"social", "social-network", "social-media", "sm", "social network", "social media"}
)
_EMAIL = frozenset({"email", "e-mail", "e_mail", "e mail"})
_REFERRAL = frozenset({"referral", "app", "link"})
_NO_MEDIUM = frozenset({"", "(none)", "(not set)"})

# GA4's display names, and ours for the AI-assistant channel.
CHANNEL_LABELS = {
    "direct": "Direct",
    "cross_network": "Cross-network",
    "paid_shopping": "Paid Shopping",
    "paid_search": "Paid Search",
    "paid_social": "Paid Social",
    "paid_video": "Paid Video",
    "display": "Display",
    "paid_other": "Paid Other",
    "ai_assistant": "AI Assistants",
    "organic_shopping": "Organic Shopping",
    "organic_social": "Organic Social",
    "organic_video": "Organic Video",
    "organic_search": "Organic Search",
    "referral": "Referral",
    "email": "Email",
    "affiliates": "Affiliates",
    "audio": "Audio",
    "sms": "SMS",
    "mobile_push_notifications": "Mobile Push Notifications",
    "unassigned": "Unassigned",
}


def channel_label(channel: str) -> str:
    """GA4's name of a channel ("organic_search" → "Organic Search"); others as stored."""
    return CHANNEL_LABELS.get(channel, channel or "(none)")


def _paid_channel(category: str | None, shopping: bool) -> str:
    if shopping:
        return "paid_shopping"
    by_category = {SEARCH: "paid_search", SOCIAL: "paid_social", VIDEO: "paid_video"}
    return by_category.get(category or "", "paid_other")


def _organic_channel(source: str, medium: str, category: str | None, shopping: bool) -> str:
    if category == AI:
        return "ai_assistant"
    if shopping:
        return "organic_shopping"
    if category == SOCIAL or medium in _SOCIAL:
        return "organic_social"
    if category == VIDEO or "video" in medium:
        return "organic_video"
    if category == SEARCH or medium == "organic":
        return "organic_search"
    if medium in _REFERRAL:
        return "referral"
    return _other_channel(source, medium, category)


def _other_channel(source: str, medium: str, category: str | None) -> str:
    if source in _EMAIL or medium in _EMAIL or category == EMAIL:
        return "email"
    if medium == "affiliate":
        return "affiliates"
    if medium == "audio":
        return "audio"
    if "sms" in (source, medium):
        return "sms"
    if medium.endswith("push") or "mobile" in medium or "notification" in medium:
        return "mobile_push_notifications"
    if source == "firebase":
        return "mobile_push_notifications"
    return "unassigned"


def default_channel(
    *, source: str, medium: str | None, campaign: str | None, category: str | None
) -> str:
    """The channel of a (source, medium, campaign) triple; `category` is the source's."""
    medium = medium or ""
    campaign = campaign or ""
    if source == "direct" and medium in _NO_MEDIUM:
        return "direct"
    if "cross-network" in campaign:
        return "cross_network"
    shopping = category == SHOPPING or bool(_SHOP_CAMPAIGN.match(campaign))
    paid = bool(_PAID_MEDIUM.match(medium))
    if paid and (shopping or category in (SEARCH, SOCIAL, VIDEO)):
        return _paid_channel(category, shopping)
    if medium in _DISPLAY:
        return "display"
    if paid:
        return "paid_other"
    return _organic_channel(source, medium, category, shopping)
