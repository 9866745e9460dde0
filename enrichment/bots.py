"""Bot detection beyond ua-parser: named crawlers, generic signatures, HTTP libraries.

ua-parser only flags the crawlers its regex list knows (about half of real crawler traffic
in the crawler-user-agents corpus, see docs/enrichment.md); these rules close the gap.
Order matters: named bots first (precise name and category), then generic signatures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from enrichment.fastmatch import Matcher

SEARCH = "search_engine"
AI_CRAWLER = "ai_crawler"
AI_AGENT = "ai_assistant"
SEO = "seo"
PREVIEW = "social_preview"
MONITORING = "monitoring"
LIBRARY = "http_library"
AUTOMATION = "automation"
FEED = "feed_reader"
SCANNER = "security_scanner"
ARCHIVER = "archiver"
CRAWLER = "crawler"


@dataclass(frozen=True)
class Bot:
    """A detected bot: a display name and a category."""

    name: str
    category: str


# (pattern, name, category). A pattern is matched case-insensitively against the UA;
# more specific names come before the ones they contain (AdsBot-Google before Googlebot).
NAMED_BOTS: tuple[tuple[str, str, str], ...] = (
    (r"AdsBot-Google", "AdsBot-Google", SEARCH),
    (r"Mediapartners-Google", "Google AdSense", SEARCH),
    (r"Google-InspectionTool", "Google-InspectionTool", SEARCH),
    (r"Storebot-Google", "Storebot-Google", SEARCH),
    (r"GoogleOther", "GoogleOther", CRAWLER),
    (r"Google-Extended", "Google-Extended", AI_CRAWLER),
    (r"Feedfetcher-Google", "Feedfetcher-Google", FEED),
    (r"Google-Read-Aloud", "Google-Read-Aloud", PREVIEW),
    (r"Googlebot", "Googlebot", SEARCH),
    (r"APIs-Google", "APIs-Google", CRAWLER),
    (r"GoogleAgent-Mariner", "Project Mariner", AI_AGENT),
    (r"Google-[A-Z][\w-]+|\w+-Google\b", "Google service", CRAWLER),
    (r"GoogleProducer|GoogleImageProxy", "Google service", CRAWLER),
    (r"HTTrack|WebCopier|SiteSucker|WebCapture|Offline Explorer", "Site downloader", ARCHIVER),
    (r"Google-Site-Verification", "Google-Site-Verification", CRAWLER),
    (r"Chrome-Lighthouse|Lighthouse", "Lighthouse", AUTOMATION),
    (r"bingbot|BingPreview|msnbot|adidxbot", "Bingbot", SEARCH),
    (
        r"Yandex\w*Bot|Yandex(Images|Metrika|Webmaster|Favicons|Direct|Media|Video|Market|"
        r"News|Turbo|Verticals|Screenshot|Sitelinks|Pagechecker|AdNet|RCA|Userproxy|"
        r"ImageResizer|Antivirus|Calendar|Tracker|ForDomain|OntoDB|Blogs|Catalog|Zakupki)/",
        "YandexBot",
        SEARCH,
    ),
    (r"Baiduspider", "Baiduspider", SEARCH),
    (r"DuckDuckBot|DuckDuckGo-Favicons-Bot|DuckAssistBot", "DuckDuckBot", SEARCH),
    (r"Applebot-Extended", "Applebot-Extended", AI_CRAWLER),
    (r"Applebot", "Applebot", SEARCH),
    (r"Yahoo! Slurp|Slurp", "Yahoo! Slurp", SEARCH),
    (r"Sogou (web|inst|Pic|Orion|News|Video|blog|head)|Sogou\w*spider", "Sogou Spider", SEARCH),
    (r"360Spider|HaosouSpider", "360Spider", SEARCH),
    (r"SeznamBot", "SeznamBot", SEARCH),
    (r"Yeti/|NaverBot", "Naver Yeti", SEARCH),
    (r"PetalBot|AspiegelBot", "PetalBot", SEARCH),
    (r"Qwantify|Qwantbot", "Qwantbot", SEARCH),
    (r"coccocbot", "coccocbot", SEARCH),
    (r"MojeekBot", "MojeekBot", SEARCH),
    (r"Exabot", "Exabot", SEARCH),
    (r"GPTBot", "GPTBot", AI_CRAWLER),
    (r"OAI-SearchBot", "OAI-SearchBot", AI_CRAWLER),
    (r"ChatGPT-User", "ChatGPT-User", AI_AGENT),
    (r"ClaudeBot|Claude-SearchBot|anthropic-ai|Claude-Web", "ClaudeBot", AI_CRAWLER),
    (r"Claude-User", "Claude-User", AI_AGENT),
    (r"PerplexityBot", "PerplexityBot", AI_CRAWLER),
    (r"Perplexity-User", "Perplexity-User", AI_AGENT),
    (r"MistralAI-User", "MistralAI-User", AI_AGENT),
    (r"Manus-User|Amzn-User|Devin/|GoogleAgent|[\w]+-User/\d", "AI agent", AI_AGENT),
    (r"CCBot", "CCBot", AI_CRAWLER),
    (r"Bytespider", "Bytespider", AI_CRAWLER),
    (r"Amazonbot", "Amazonbot", AI_CRAWLER),
    (r"meta-externalagent|meta-externalfetcher|FacebookBot", "Meta AI crawler", AI_CRAWLER),
    (r"cohere-ai|cohere-training", "cohere-ai", AI_CRAWLER),
    (r"Diffbot", "Diffbot", AI_CRAWLER),
    (r"YouBot", "YouBot", AI_CRAWLER),
    (r"Timpibot|ImagesiftBot|omgili|img2dataset|AI2Bot", "AI crawler", AI_CRAWLER),
    (r"facebookexternalhit|facebookcatalog", "facebookexternalhit", PREVIEW),
    (r"Slackbot|Slack-ImgProxy", "Slackbot", PREVIEW),
    (r"TelegramBot", "TelegramBot", PREVIEW),  # before Twitterbot: "like TwitterBot"
    (r"Twitterbot", "Twitterbot", PREVIEW),
    (r"LinkedInBot", "LinkedInBot", PREVIEW),
    # The link-preview fetcher ("WhatsApp/2.19.92 i"), not the app ("... Android/5.1 Device/").
    (r"WhatsApp/[0-9.]+(?:[ /][AiNW]\b|$)|^WhatsApp$", "WhatsApp", PREVIEW),
    (r"Discordbot", "Discordbot", PREVIEW),
    (r"Pinterestbot|Pinterest/0\.", "Pinterestbot", PREVIEW),
    (r"redditbot", "redditbot", PREVIEW),
    (r"SkypeUriPreview", "Skype preview", PREVIEW),
    (r"Embedly|Iframely|vkShare|snap url preview|Mastodon/|Bluesky", "Link preview", PREVIEW),
    (r"AhrefsBot|AhrefsSiteAudit", "AhrefsBot", SEO),
    (r"SemrushBot|SiteAuditBot|SplitSignalBot", "SemrushBot", SEO),
    (r"MJ12bot", "MJ12bot", SEO),
    (r"DotBot", "DotBot", SEO),
    (r"rogerbot", "rogerbot", SEO),
    (r"Screaming Frog", "Screaming Frog SEO Spider", SEO),
    (r"BLEXBot|serpstatbot|DataForSeoBot|SEOkicks", "SEO crawler", SEO),
    (r"Barkrowler|MegaIndex|linkdexbot", "SEO crawler", SEO),
    (r"UptimeRobot", "UptimeRobot", MONITORING),
    (r"Pingdom", "Pingdom", MONITORING),
    (r"StatusCake", "StatusCake", MONITORING),
    (r"Site24x7", "Site24x7", MONITORING),
    (r"NewRelicPinger|Datadog|Checkly|Better ?Uptime", "Uptime monitor", MONITORING),
    (r"Uptime-Kuma|HetrixTools|Freshping", "Uptime monitor", MONITORING),
    (r"ELB-HealthChecker|kube-probe|GoogleHC|Consul Health", "Health check", MONITORING),
    (r"check_http|Zabbix|Nagios|Prometheus|blackbox", "Health check", MONITORING),
    (r"archive\.org_bot|ia_archiver|Wayback", "Internet Archive", ARCHIVER),
    (r"Feedly|Feedbin|NewsBlur|Inoreader|FreshRSS|Tiny Tiny RSS|Feedspot", "Feed reader", FEED),
    (r"zgrab|masscan|Nmap|nuclei|sqlmap|Nikto|CensysInspect", "Scanner", SCANNER),
    (r"Expanse,|InternetMeasurement|Palo Alto Networks", "Scanner", SCANNER),
    (r"HeadlessChrome", "HeadlessChrome", AUTOMATION),
    (r"PhantomJS", "PhantomJS", AUTOMATION),
    (r"Selenium|webdriver", "Selenium", AUTOMATION),
    (r"Puppeteer", "Puppeteer", AUTOMATION),
    (r"Playwright", "Playwright", AUTOMATION),
    (r"Cypress", "Cypress", AUTOMATION),
    (r"PTST/|GTmetrix", "Performance test", AUTOMATION),
)  # fmt: skip

# HTTP client libraries, matched at the start of the UA or as a product token.
HTTP_LIBRARIES: tuple[tuple[str, str], ...] = (
    (r"python-requests", "python-requests"),
    (r"python-urllib|Python-urllib", "python-urllib"),
    (r"aiohttp", "aiohttp"),
    (r"python-httpx|httpx", "httpx"),
    (r"urllib3", "urllib3"),
    (r"httplib2", "httplib2"),
    (r"Scrapy", "Scrapy"),
    (r"libcurl|curl/|^curl\b", "curl"),
    (r"^AHC/", "async-http-client"),
    (r"Wget", "Wget"),
    (r"Go-http-client|Go http package", "Go-http-client"),
    (r"okhttp", "okhttp"),
    (r"Apache-HttpClient|Jakarta Commons-HttpClient", "Apache-HttpClient"),
    (r"^Java/|Java-http-client|\(Java\)", "Java"),
    (r"libwww-perl|LWP::Simple|WWW-Mechanize", "libwww-perl"),
    (r"node-fetch", "node-fetch"),
    (r"axios", "axios"),
    (r"undici", "undici"),
    (r"^got ", "got"),
    (r"GuzzleHttp", "Guzzle"),
    (r"HTTPie", "HTTPie"),
    (r"PostmanRuntime", "Postman"),
    (r"insomnia", "Insomnia"),
    (r"reqwest", "reqwest"),
    (r"Faraday", "Faraday"),
    (r"^Ruby|rest-client", "Ruby"),
    (r"RestSharp", "RestSharp"),
    (r"^Dart/", "Dart"),
    (r"^PHP/|WordPress/", "PHP"),
    (r"^Deno/", "Deno"),
    (r"^Bun/", "Bun"),
    (r"WinHttp|WinHTTP", "WinHTTP"),
    (r"^Mechanize", "Mechanize"),
    (r"^Typhoeus", "Typhoeus"),
    (r"Http_Client|HttpClient", "HttpClient"),
)

# Generic signatures: words crawlers, scripts and services put in their UA.
_GENERIC_WORDS = (
    r"bot|crawl|spider|slurp|scrap|fetch|scan|check|monitor|archiv|indexer|validator|preview|"
    r"probe|survey|metadata|webhook|daemon|uptime|harvest|extractor|analyzer|headless|"
    r"http[ _-]?(client|get)|urlconnection|\bapi\b|\blibrary\b|\brss\b|rss-|cloudfront|"
    r"cloudflare|agent\b|inspector|auditor|synthetic|proxy\b|research|transcoder|lookup|"
    r"optimizer|sitemap|page ?speed|hotjar|[a-z0-9-]\.(com|net|org|io|ai|co|me|fr|de|ru|info|dev)\b"
)
# The precise form: "bot" but not in phone names (CUBOT, mBot, "BOT TAB"), "API" but not
# "API 27" (an Android API level), a domain name but not inside a path or version.
_GENERIC = re.compile(
    r"(?:(?<!cu)(?<!power )(?<!m[ _])bot(?![ _]?tab|[a-rt-z])|crawl|spider|slurp|scrap|"
    r"fetch|scan|check|monitor|archiv|indexer|validator|preview|probe|survey|metadata|"
    r"webhook|daemon|uptime|harvest|extractor|analyzer|headless|http[ _-]?(client|get)|"
    r"urlconnection|\bapi\b(?![ /]?\d)|\blibrary\b|\brss\b|rss-|cloudfront|cloudflare|agent\b|"
    r"inspector|auditor|synthetic|proxy\b|research|transcoder|lookup|optimizer|sitemap|"
    r"page ?speed|hotjar|"
    r"(?<![\w./])[a-z0-9-]+\.(?:com|net|org|io|ai|co|me|fr|de|ru|info|dev)(?![\w.]))",
    re.IGNORECASE,
)
# "(compatible; Name/1.0; +https://...)": a contact URL in the UA is what crawlers add.
_CONTACT = Matcher([r"\+?https?://|\bmailto:|compatible;\s*[^;)]*?(?:/|;)\s*\+"])
# "(compatible; Name/1.0)" is a crawler unless Name is one of the old browsers that used it,
# or the comment names the desktop system the browser runs on, as crawlers' do not.
_COMPATIBLE = re.compile(
    r"\(compatible(?:\)|;(?!\s*(?:MSIE|Konqueror|IEMobile|Opera|Windows|BlackBerry|Trident|"
    r"GoogleToolbar|MSN|Lynx|Links|Dillo|iCab|NetFront|Avant|Maxthon|OmniWeb|Nintendo|Linux|"
    r"Mozilla/))(?![^()]*\b(?:Windows NT \d|Mac OS X|AmigaOS|BeOS|RISC OS|Syllable|MorphOS)))",
    re.I,
)
# A product that calls itself a browser ("Avant Browser/1.2", "QtWeb Internet Browser/3.8")
# may name its home page, as crawlers do.
_BROWSER_PRODUCT = re.compile(r"\bBrowser/\d")
_ANDROID_COMMENT = re.compile(r"^[^(]*\([^)]*Android[^)]*\)")
_PRODUCT = re.compile(r"(?:compatible;\s*)?([A-Za-z][\w.\-!]{1,60})/\d")

_NAMED_MATCHER = Matcher([pattern for pattern, _, _ in NAMED_BOTS])
_LIBRARY_MATCHER = Matcher([pattern for pattern, _ in HTTP_LIBRARIES])
_GENERIC_GATE = Matcher([_GENERIC_WORDS])


def _named(ua: str) -> Bot | None:
    index = _NAMED_MATCHER.first(ua)
    return None if index is None else Bot(NAMED_BOTS[index][1], NAMED_BOTS[index][2])


def _library(ua: str) -> Bot | None:
    index = _LIBRARY_MATCHER.first(ua)
    return None if index is None else Bot(HTTP_LIBRARIES[index][1], LIBRARY)


def _product_name(ua: str) -> str:
    for match in _PRODUCT.finditer(ua):
        if match.group(1).lower() not in ("mozilla", "applewebkit", "gecko", "version"):
            return match.group(1)
    return "unknown bot"


def _token_at(text: str, start: int, end: int) -> str:
    """The whole product token around a match ("bot" in "FooBot/1.0" → "FooBot")."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._-!"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] in "._-!"):
        end += 1
    return text[start:end]


def _generic(ua: str) -> Bot | None:
    # Android UAs name the device model in their first comment, and models such as
    # "VR BOT 552" or "Spider 8" are phones: generic words are not looked for there.
    text = _ANDROID_COMMENT.sub("", ua, count=1) if "Android" in ua else ua
    # The Rust gate rules most UAs out in a microsecond; `re` then finds the exact match.
    match = _GENERIC.search(text) if _GENERIC_GATE.search(text) else None
    if match:
        name = _token_at(text, match.start(), match.end()).strip(".-!")
        return Bot(name or "unknown bot", CRAWLER)
    if (_CONTACT.search(ua) and not _BROWSER_PRODUCT.search(ua)) or _COMPATIBLE.search(ua):
        return Bot(_product_name(ua), CRAWLER)
    return None


def named_bot(ua: str) -> Bot | None:
    """A crawler or service known by name (checked before anything else)."""
    return _named(ua)


def unnamed_bot(ua: str) -> Bot | None:
    """HTTP libraries and generic crawler signatures (after `named_bot` found nothing)."""
    if not ua.strip():
        return Bot("empty user agent", "unknown")
    return _library(ua) or _generic(ua)
