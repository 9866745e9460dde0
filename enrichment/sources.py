"""Lookup tables: referer hosts, utm_source names and click ids mapped to a source.

Host keys are either exact hosts matched with their subdomains ("t.co" also matches
"www.t.co") or "label.*", which matches the label under any public suffix
("google.*" matches google.com, www.google.co.uk and google.com.br).
Categories: search, social, email, ai, video, shopping.
"""

from __future__ import annotations

SEARCH = "search"
SOCIAL = "social"
EMAIL = "email"
AI = "ai"
VIDEO = "video"
SHOPPING = "shopping"


def _entries(category: str, table: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {host: (source, category) for host, source in table.items()}


_SEARCH = {
    "google.*": "google",
    "bing.*": "bing",
    "search.yahoo.*": "yahoo",
    "yahoo.*": "yahoo",
    "yandex.*": "yandex",
    "ya.ru": "yandex",
    "baidu.*": "baidu",
    "duckduckgo.*": "duckduckgo",
    "ecosia.*": "ecosia",
    "naver.*": "naver",
    "seznam.*": "seznam",
    "qwant.*": "qwant",
    "startpage.*": "startpage",
    "search.brave.com": "brave",
    "sogou.*": "sogou",
    "so.com": "360",
    "ask.com": "ask",
    "search.aol.*": "aol",
    "daum.net": "daum",
    "kagi.com": "kagi",
    "mojeek.*": "mojeek",
    "petalsearch.*": "petal",
    "coccoc.*": "coccoc",
    "search.lycos.*": "lycos",
    "dogpile.*": "dogpile",
    "yep.com": "yep",
    "presearch.*": "presearch",
}

_SOCIAL = {
    "facebook.*": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "fb.watch": "facebook",
    "messenger.com": "facebook",
    "instagram.*": "instagram",
    "threads.net": "threads",
    "threads.com": "threads",
    "t.co": "twitter",
    "twitter.*": "twitter",
    "x.com": "twitter",
    "linkedin.*": "linkedin",
    "lnkd.in": "linkedin",
    "reddit.*": "reddit",
    "redd.it": "reddit",
    "pinterest.*": "pinterest",
    "pin.it": "pinterest",
    "tiktok.*": "tiktok",
    "snapchat.*": "snapchat",
    "bsky.app": "bluesky",
    "mastodon.social": "mastodon",
    "quora.*": "quora",
    "tumblr.*": "tumblr",
    "vk.com": "vk",
    "vk.ru": "vk",
    "ok.ru": "odnoklassniki",
    "weibo.*": "weibo",
    "t.me": "telegram",
    "telegram.*": "telegram",
    "web.whatsapp.com": "whatsapp",
    "wa.me": "whatsapp",
    "whatsapp.*": "whatsapp",
    "discord.*": "discord",
    "news.ycombinator.com": "hacker news",
    "producthunt.com": "product hunt",
    "medium.com": "medium",
    "line.me": "line",
    "xing.*": "xing",
    "slack.com": "slack",
    "teams.microsoft.com": "microsoft teams",
}

_EMAIL = {
    "mail.google.*": "gmail",
    "inbox.google.*": "gmail",
    "outlook.live.com": "outlook",
    "outlook.office.com": "outlook",
    "outlook.office365.com": "outlook",
    "mail.yahoo.*": "yahoo mail",
    "mail.aol.*": "aol mail",
    "mail.proton.me": "proton mail",
    "mail.protonmail.com": "proton mail",
    "mail.yandex.*": "yandex mail",
    "e.mail.ru": "mail.ru",
    "mail.zoho.*": "zoho mail",
    "fastmail.*": "fastmail",
    "icloud.com": "icloud mail",
    "mail.gmx.*": "gmx",
    "navigator.gmx.*": "gmx",
    "web.de": "web.de",
    "app.hey.com": "hey",
    "app.tuta.com": "tuta",
}

_AI = {
    "chatgpt.com": "chatgpt",
    "chat.openai.com": "chatgpt",
    "perplexity.ai": "perplexity",
    "gemini.google.*": "gemini",
    "bard.google.*": "gemini",
    "copilot.microsoft.com": "copilot",
    "copilot.cloud.microsoft": "copilot",
    "claude.ai": "claude",
    "you.com": "you.com",
    "poe.com": "poe",
    "chat.deepseek.com": "deepseek",
    "chat.mistral.ai": "mistral",
    "meta.ai": "meta ai",
    "grok.com": "grok",
    "phind.com": "phind",
    "character.ai": "character.ai",
    "chat.qwen.ai": "qwen",
    "kimi.com": "kimi",
}

_VIDEO = {
    "youtube.*": "youtube",
    "youtu.be": "youtube",
    "vimeo.*": "vimeo",
    "twitch.tv": "twitch",
    "dailymotion.*": "dailymotion",
    "netflix.*": "netflix",
    "wistia.*": "wistia",
    "rumble.com": "rumble",
    "bilibili.*": "bilibili",
}

_SHOPPING = {
    "shopping.google.*": "google shopping",
    "amazon.*": "amazon",
    "ebay.*": "ebay",
    "etsy.*": "etsy",
    "walmart.*": "walmart",
    "aliexpress.*": "aliexpress",
    "alibaba.*": "alibaba",
    "target.com": "target",
    "mercadolivre.*": "mercadolivre",
    "mercadolibre.*": "mercadolibre",
    "shopify.*": "shopify",
    "shop.app": "shop",
    "rakuten.*": "rakuten",
    "temu.*": "temu",
    "zalando.*": "zalando",
    "bol.com": "bol.com",
    "allegro.*": "allegro",
}

HOSTS: dict[str, tuple[str, str]] = {
    **_entries(SEARCH, _SEARCH),
    **_entries(SOCIAL, _SOCIAL),
    **_entries(EMAIL, _EMAIL),
    **_entries(AI, _AI),
    **_entries(VIDEO, _VIDEO),
    **_entries(SHOPPING, _SHOPPING),
}

# Android apps that send "android-app://<package>/" as referer.
ANDROID_APPS: dict[str, tuple[str, str]] = {
    "com.google.android.gm": ("gmail", EMAIL),
    "com.google.android.googlequicksearchbox": ("google", SEARCH),
    "com.google.android.apps.searchlite": ("google", SEARCH),
    "com.google.android.youtube": ("youtube", VIDEO),
    "com.google.android.apps.bard": ("gemini", AI),
    "com.facebook.katana": ("facebook", SOCIAL),
    "com.facebook.lite": ("facebook", SOCIAL),
    "com.facebook.orca": ("facebook", SOCIAL),
    "com.instagram.android": ("instagram", SOCIAL),
    "com.twitter.android": ("twitter", SOCIAL),
    "com.linkedin.android": ("linkedin", SOCIAL),
    "com.reddit.frontpage": ("reddit", SOCIAL),
    "com.pinterest": ("pinterest", SOCIAL),
    "com.zhiliaoapp.musically": ("tiktok", SOCIAL),
    "com.ss.android.ugc.trill": ("tiktok", SOCIAL),
    "com.snapchat.android": ("snapchat", SOCIAL),
    "org.telegram.messenger": ("telegram", SOCIAL),
    "com.whatsapp": ("whatsapp", SOCIAL),
    "com.discord": ("discord", SOCIAL),
    "com.slack": ("slack", SOCIAL),
    "com.microsoft.office.outlook": ("outlook", EMAIL),
    "com.yahoo.mobile.client.android.mail": ("yahoo mail", EMAIL),
    "ch.protonmail.android": ("proton mail", EMAIL),
    "com.openai.chatgpt": ("chatgpt", AI),
    "ai.perplexity.app.android": ("perplexity", AI),
    "com.anthropic.claude": ("claude", AI),
    "com.microsoft.copilot": ("copilot", AI),
    "com.amazon.mShop.android.shopping": ("amazon", SHOPPING),
}

# utm_source spellings that are not host names ("fb", "ig") or that name a product.
_ALIASES: dict[str, tuple[str, str]] = {
    "fb": ("facebook", SOCIAL),
    "ig": ("instagram", SOCIAL),
    "x": ("twitter", SOCIAL),
    "yt": ("youtube", VIDEO),
    "openai": ("chatgpt", AI),
    "mailchimp": ("mailchimp", EMAIL),
    "klaviyo": ("klaviyo", EMAIL),
    "brevo": ("brevo", EMAIL),
    "sendinblue": ("brevo", EMAIL),
    "mailerlite": ("mailerlite", EMAIL),
    "convertkit": ("convertkit", EMAIL),
    "hubspot_email": ("hubspot", EMAIL),
}

SOURCE_NAMES: dict[str, tuple[str, str]] = {
    **{name: (name, category) for name, category in HOSTS.values()},
    **{name: (name, category) for name, category in ANDROID_APPS.values()},
    **_ALIASES,
}

# Click id → (source, medium implied when utm_medium is absent), in priority order.
# fbclid and igshid are added by Meta to every outbound link, organic posts included, so
# they imply no paid medium; the others are only added to ad clicks.
CLICK_ID_SOURCES: dict[str, tuple[str, str | None]] = {
    "gclid": ("google", "cpc"),
    "gbraid": ("google", "cpc"),
    "wbraid": ("google", "cpc"),
    "gclsrc": ("google", "cpc"),
    "gad_source": ("google", "cpc"),
    "gad_campaignid": ("google", "cpc"),
    "dclid": ("google", "display"),
    "msclkid": ("bing", "cpc"),
    "yclid": ("yandex", "cpc"),
    "ttclid": ("tiktok", "paid"),
    "twclid": ("twitter", "paid"),
    "li_fat_id": ("linkedin", "paid"),
    "rdt_cid": ("reddit", "paid"),
    "epik": ("pinterest", "paid"),
    "sccid": ("snapchat", "paid"),
    "qclid": ("quora", "paid"),
    "obclid": ("outbrain", "paid"),
    "ob_click_id": ("outbrain", "paid"),
    "tblci": ("taboola", "paid"),
    "irclid": ("impact", "affiliate"),
    "mc_cid": ("mailchimp", "email"),
    "mc_eid": ("mailchimp", "email"),
    "_kx": ("klaviyo", "email"),
    "fbclid": ("facebook", None),
    "igshid": ("instagram", None),
    "ysclid": ("yandex", None),
}
