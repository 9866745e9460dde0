"""Device class from the UA string, closing ua-parser's gaps (it has no device type).

The rules are checked in order: the first match wins. TVs, consoles, cars and wearables
come before tablets and phones because their UAs often also say "Android" or "Mobile".
"""

from __future__ import annotations

from enrichment.device_models import model_class
from enrichment.fastmatch import Matcher

DESKTOP = "desktop"
MOBILE = "mobile"
TABLET = "tablet"
TV = "tv"
CONSOLE = "console"
WEARABLE = "wearable"
CAR = "car"
EREADER = "ereader"
BOT = "bot"
UNKNOWN = "unknown"


def _rx(pattern: str) -> Matcher:
    return Matcher([pattern])


_TV = _rx(
    r"Smart[ -_]?TV|SmartTV|\bTizen\b[^)]*\bTV\b|Web0S|webOS[^)]*TV|NetCast|BRAVIA|"
    r"AppleTV|Apple ?TV|\btvOS\b|\bRoku|\bAFT[A-Z]|\bCrKey|\bHbbTV|Android ?TV|GoogleTV|"
    r"\bTV Safari|\bSTB\b|\bDTV\b|Opera TV|Viera|PhilipsTV|\bBox\b.*\bTV\b|\bTV ?Box|"
    r"\bFire ?TV|Chromecast|\bVIDAA|\bTitanOS|\bSHIELD Android TV|\bMiTV|\bMIBOX|"
    r"\bSmart[- ]?Box|\bInettv|\bHisense.*TV|\bTV; rv:|\(TV;|\bLG Browser|\bNetTV|VIZIO|"
    r"ViziOS|Hybridcast|DLNADOC|AQUOS|Humax|YouView|BrightSign|\bGFHD|Sagemcom|Freebox|"
    r"\bMAG[0-9]{3}\b|\bKSTB|\bSTB[0-9]|\bSmart ?Cast"
)
# Android TV boxes and TV sets that do not say "TV" the standard way.
_TV_ANDROID = _rx(
    r"\bAndr0id|\bOMI/|SonyCEBrowser|\bAndroid [0-9.]+;[^)]*\b(TV|Box|Stick|Shell|STB|DVB|4K)\b|"
    r"box\b|\bMBOX|\bX96|\bH96|\bT95|\bMXQ|\bADT-[0-9]|SmarterTV|BeyondTV"
)
# TV sets name their panel: size in inches then series ("43LU6000T", "40FLES901T2SM",
# "LE32CT5515AK", "ELED-50SMART_UHD"); boxes their chipset ("on rtd289x", "A95X", "T96").
# Phones also call themselves "Smart 4G", so this is only believed without "Mobile".
_TV_PANEL = _rx(
    r"Android [0-9.]+; (?:[A-Z]+[_-])?(?:[A-Z]{1,3})?[1-9][0-9][A-Z]{2,}[0-9][0-9A-Z_-]*[;) ]|"
    r"Android [0-9.]+;[^;)]*[ _-](?:UHD|[48]K|SMART|LED|QLED|OLED)(?:[ _-][^;)]*)?[;)]|"
    r"\bon rtd[0-9]|\bA95X|[; ]T9[56]|\bTX[369]\b|\bHK1\b"
)
_CONSOLE = _rx(
    r"PlayStation|\bPS[345]\b|\bPSP\b|\bXbox|\bNintendo|\bWii\b|\bOUYA\b|SteamDeck|"
    r"Steam GameOverlay|Retroid|\bRG[0-9]{3}|GAMEPAD|Android [0-9.]+; Switch\b"
)
_CAR = _rx(r"QtCarBrowser|\bTesla/[0-9]|Android Automotive|\bCarPlay\b|\bAAOS\b")
_WEARABLE = _rx(
    r"OculusBrowser|\bVR Safari|\bQuest [0-9]|\bPico [A-Z0-9]|Standalone HMD|ZenWatch|Moto 360|"
    r"Gear Live|^Watch[0-9],|\bWatch OS|\bwatchOS|\bWear ?OS|\bSmartWatch|\bSM-R[0-9]{3}|"
    r"Apple Watch|"
    r"\bGlass\b.*Android|\bWatch[0-9]?\b.*Android|Android.*\bWatch\b"
)
_EREADER = _rx(r"\bKindle/\d|\bKobo|\bPocketBook|\bTolino|\beReader|\bNook\b")
_TABLET = _rx(
    # "Tablet" but not "Tablet PC" (Windows laptops), without a look-ahead for Rust's regex.
    r"\biPad|\bTablet(?: ?[^ P]| P[^C]|$)|\bTab\b|\bTB-|\bTB[0-9]|\bKF[A-Z]{2,4}\b|"
    r"Kindle Fire|\bSilk/|"
    r"\bSM-[TPX][0-9]|\bGT-P[0-9]|\bGT-N[58]|\bSCH-I[89]|\bXoom|\bPlayBook|"
    r"\bNexus (7|9|10)\b|MediaPad|MatePad|Pixel (Tablet|C)\b|Lenovo ?(Tab|YT|TB)|"
    r"Yoga ?Tab|Galaxy Tab|\bMiPad|\bXiaomi Pad|Redmi Pad|\bOPD[0-9]{4}|\bRMP[0-9]{4}|"
    r"\bTouchPad|\bhp-tablet|\bNook|\bBNTV|\bA[0-9]{3}\b.*Iconia|\bIconia|\bTransformer|"
    r"\bSGP[0-9]|\bWindows NT.*\bTouch;.*ARM|\bHUAWEI ?(BAH|AGS|SCM|KOB|DBY)"
)
_CHROMEBOOK = _rx(r"Chromebook|\bCrOS\b")
_ANDROID_VERSION = _rx(r"\bAndroid [0-9]")
_ANDROID = _rx(r"\bAndroid\b")
_ANDROID_MOBILE = _rx(r"\bMobile\b|Mobile Safari|\bMobi\b|\bPhone\b|Opera Mini|\bUCBrowser")
_MOBILE = _rx(
    r"\biPhone|\biPod|\bMobile\b|\bMobi\b|Windows Phone|\bBlackBerry|\bBB10\b|"
    r"\bSymbian|\bSeries ?[46]0|\bJ2ME|\bMIDP|\bKaiOS|Opera Mini|\bFxiOS|\bCriOS|"
    r"\bPalm|\bwebOS\b|\bhpwOS|\bNokia|\bSamsung-|\bFirefox OS|\bSailfish|\bUbuntu Touch|"
    r"\bUCWEB|\bMAUI|\bBada|\bobigo|\bNetFront|\bTizen\b|\bPhone\b"
)
_DESKTOP = _rx(
    r"\bWindows NT|\bWindows [0-9]|\bWin(32|64|98|95)|\bWOW64|\bMacintosh|\bMac OS X|"
    r"\bX11\b|\bLinux (x86_64|i[3-6]86)|\bCrOS\b|\bFreeBSD|\bOpenBSD|\bNetBSD|\bSunOS|"
    r"\bUbuntu\b|\bFedora\b|\bDebian\b|\bMac_PowerPC|\bmacOS\b|Electron/|MacBook|iMac|"
    r"Darwin/.*x86_64|\bMac ?OS\b|\bDesktop\b|\bLinux[);]|Kubuntu|Red Hat|CYGWIN|AmigaOS|"
    r"\bBeOS|\bHaiku|\bOS/2|\bWin9x|\bWindows/|\bIRIX|OpenVMS|\bMac 10|Chromebook"
)


def _is_android_tablet(ua: str) -> bool:
    # Android browsers (WebKit/Blink based) write "Mobile" only on phones, per Google's own
    # guidance; without it the device is a tablet. App HTTP clients (Dalvik, okhttp) carry
    # no "Safari/" token and are too loose to tell, so they are left to the phone default.
    return bool(_ANDROID.search(ua) and "Safari/" in ua and not _ANDROID_MOBILE.search(ua))


def device_class(ua: str, device_family: str | None = None, brand: str | None = None) -> str:
    """desktop, mobile, tablet, tv, console, wearable, car, ereader or unknown."""
    family = device_family or ""
    if _CONSOLE.search(ua):  # before TV: the PS5 says "SmartTV"
        return CONSOLE
    if _TV.search(ua):
        return TV
    for pattern, name in ((_CAR, CAR), (_WEARABLE, WEARABLE)):
        if pattern.search(ua):
            return name
    if _EREADER.search(ua) and not ("Silk/" in ua or "KF" in ua or _ANDROID_VERSION.search(ua)):
        return EREADER
    # Android's class depends on the model: a tablet may say "Mobile", a TV box nothing.
    known = model_class(ua) if "Android" in ua else None
    if known is not None:
        return known
    if ("Andr" in ua or "OMI/" in ua) and _TV_ANDROID.search(ua):
        return TV
    if "Android" in ua and "Mobile" not in ua and _TV_PANEL.search(ua):
        return TV
    if brand == "Generic_Android_Tablet" or family == "iPad":
        return TABLET
    if _CHROMEBOOK.search(ua):
        return DESKTOP
    if _TABLET.search(ua) or _is_android_tablet(ua):
        return TABLET
    if _MOBILE.search(ua) or _ANDROID.search(ua):
        return MOBILE
    if _DESKTOP.search(ua):
        return DESKTOP
    return MOBILE if family not in ("", "Other", "Spider", "Generic Feature Phone") else UNKNOWN
