"""Non-browser clients that are people's software, not crawlers: apps, media players, feed
readers, mail and office programs. They get a `client.type` and are not bots.

Matomo's device-detector fixtures label ~2,000 such user agents (podcast apps, VLC, Sonos,
Liferea, Outlook, Steam...); our generic bot signatures (a contact URL, no browser named)
used to catch many of them. Cloud fetchers that crawl on people's behalf (Feedly's, a
podcast directory's) stay bots: they are named in bots.py and checked first.
"""

from __future__ import annotations

from enrichment.fastmatch import Matcher

MEDIA_PLAYER = "media player"
FEED_READER = "feed reader"
APP = "app"

_CLIENTS: tuple[tuple[str, str], ...] = (
    (r"podcast|podcatcher|\bpod[a-z]*[ /_-]?(player|app|cast)?\b.*\d|\bcast(box|ro)\b|overcast|"
     r"pocket ?casts|gpodder|kasts/|fountain/|podbean|podverse|podfriend|podhero|podyssey|"
     r"turtlecast|breaker/|cpod/|anytime/|xiaoyuzhou|stitcher|spreaker|audible", MEDIA_PLAYER),
    (r"\bvlc\b|libvlc|_vlc/|gstreamer|exoplayer|stagefright|applecoremedia|\bkodi\b|\bxbmc\b|"
     r"\bsonos/|musicbee|winamp|itunes/|audacious|rhythmbox|clementine|music player daemon|"
     r"\bmpv\b|\blavf/|foobar2000|spotify|deezer|amazonmusic|ya(ndex)?\.music|saavn|gaana|"
     r"soundon/|treble/|victorreader|\bbose/|garmin .*/\d|airsonic|servestream|ubook player|"
     r"radio(line|public|\.com|\.[a-z]{2}\b)|mytuner|\bamazon;echo|media ?player|"
     r"\bplayer/\d|windows-media-player|nsplayer|quicktime|realplayer|jriver", MEDIA_PLAYER),
    (r"\brss ?(reader|bandit|owl|junkie|demon)|feed ?(demon|station|reader)|newsreader|"
     r"netnewswire|liferea|akregator|newsblur (ipad|iphone|android|app)|newsblur/.*cfnetwork|"
     r"\bomea reader|evergreen \(|reeder|newsly|awasu|syndication|apple-pubsub|quiterss|"
     r"newsboat|newsbeuter|thunderbird|\bfeedreader", FEED_READER),
    (r"microsoft office|ms-office|msoffice|omdroid|outlook-(ios|android|express)|"
     r"microsoft outlook|delivery-optimization|edge update|\bsteam\b|epicgameslauncher|"
     r"\bgit/\d|whatsapp/[\d.]+ (android|ios)|ccleaner|handbrake|aida64|cpuid|\bfdm\b|"
     r"free download manager|btwebclient|utorrent|bittorrent|magician|citrixreceiver|"
     r"filedownloader|prdownloader|\bdown/\d", APP),
)  # fmt: skip

_MATCHER = Matcher([pattern for pattern, _ in _CLIENTS])
# What a server fetching for many people says: "(123 subscribers; feed-id=...)", "Feed
# Parser", "Episode Duration Lookup". Such a UA is a crawler even if it names an app.
_CRAWLING = Matcher(
    [r"subscriber|feed-id|parser|lookup|\bsync\b|fetch|bot\b|crawl|spider|compatible;"]
)


def client_type(ua: str) -> str | None:
    """The kind of non-browser client `ua` is, or None when it names none or crawls."""
    index = _MATCHER.first(ua)
    if index is None or _CRAWLING.search(ua):
        return None
    return _CLIENTS[index][1]
