"""utm_source names and click ids mapped to a source; referer hosts are in referers.py.

Categories: search, social, email, ai, video, shopping, ads.
"""

from __future__ import annotations

from enrichment.referer_build import ADS, AI, EMAIL, SEARCH, SHOPPING, SOCIAL, VIDEO
from enrichment.referers import RefererTable, default_table

__all__ = ["ADS", "AI", "CLICK_ID_SOURCES", "EMAIL", "SEARCH", "SHOPPING", "SOCIAL", "VIDEO"]

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


def source_names(table: RefererTable) -> dict[str, tuple[str, str]]:
    """utm_source spellings → (source, category): the table's names plus aliases."""
    names = {m.source: (m.source, m.category) for m in table.matches()}
    return {**names, **_ALIASES}


SOURCE_NAMES = source_names(default_table())

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
