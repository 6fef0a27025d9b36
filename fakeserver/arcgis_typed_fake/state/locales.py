"""The languages and regions a portal offers (portals/languages, portals/regions), as the ArcGIS REST
documentation lists them; a member's `culture` and `region` must be one of them."""

from __future__ import annotations

from ..errors import bad_request

# (English name, culture code, localized name)
LANGUAGES: tuple[tuple[str, str, str], ...] = (
    ("Arabic", "ar", "عربي"), ("Bosnian", "bs", "Bosanski"), ("Bulgarian", "bg", "Български"),
    ("Catalan", "ca", "Català"), ("Simplified Chinese", "zh-CN", "简体中文"), ("Croatian", "hr", "Hrvatski"),
    ("Czech", "cs", "čeština"), ("Danish", "da", "Dansk"), ("Dutch", "nl", "Nederlands"),
    ("English", "en", "English"), ("Estonian", "et", "Eesti"), ("Finnish", "fi", "Suomi"),
    ("French", "fr", "Français"), ("German", "de", "Deutsch"), ("Greek", "el", "Ελληνικά"),
    ("Hebrew", "he", "עברית"), ("Hungarian", "hu", "Magyar"), ("Indonesian", "id", "Bahasa Indonesia"),
    ("Italian", "it", "Italiano"), ("Japanese", "ja", "日本語"), ("Korean", "ko", "한국어"),
    ("Latvian", "lv", "Latviešu"), ("Lithuanian", "lt", "Lietuvių"), ("Norwegian", "nb", "Norsk"),
    ("Polish", "pl", "Polski"), ("Portuguese (Brazil)", "pt-BR", "Português (Brasil)"),
    ("Portuguese (Portugal)", "pt-PT", "Português (Portugal)"), ("Romanian", "ro", "Română"),
    ("Russian", "ru", "Русский"), ("Serbian", "sr", "Srpski"), ("Slovak", "sk", "Slovenčina"),
    ("Slovenian", "sl", "Slovenščina"), ("Spanish", "es", "Español"), ("Swedish", "sv", "Svenska"),
    ("Thai", "th", "ไทย"), ("Traditional Chinese (Hong Kong)", "zh-HK", "繁體中文 (香港)"),
    ("Traditional Chinese (Taiwan)", "zh-TW", "繁體中文 (台灣)"), ("Turkish", "tr", "Türkçe"),
    ("Ukrainian", "uk", "Українська"), ("Vietnamese", "vi", "Tiếng Việt"),
)
# (code, name): the world and the countries the portal's region list starts with most often
REGIONS: tuple[tuple[str, str], ...] = (
    ("WO", "World"), ("AR", "Argentina"), ("AU", "Australia"), ("AT", "Austria"), ("BE", "Belgium"),
    ("BR", "Brazil"), ("CA", "Canada"), ("CL", "Chile"), ("CN", "China"), ("CO", "Colombia"), ("CZ", "Czechia"),
    ("DK", "Denmark"), ("EG", "Egypt"), ("FI", "Finland"), ("FR", "France"), ("DE", "Germany"), ("GR", "Greece"),
    ("HK", "Hong Kong"), ("HU", "Hungary"), ("IN", "India"), ("ID", "Indonesia"), ("IE", "Ireland"),
    ("IL", "Israel"), ("IT", "Italy"), ("JP", "Japan"), ("KE", "Kenya"), ("KR", "South Korea"), ("MX", "Mexico"),
    ("NL", "Netherlands"), ("NZ", "New Zealand"), ("NG", "Nigeria"), ("NO", "Norway"), ("PL", "Poland"),
    ("PT", "Portugal"), ("RO", "Romania"), ("SA", "Saudi Arabia"), ("SG", "Singapore"), ("ZA", "South Africa"),
    ("ES", "Spain"), ("SE", "Sweden"), ("CH", "Switzerland"), ("TW", "Taiwan"), ("TH", "Thailand"),
    ("TR", "Türkiye"), ("AE", "United Arab Emirates"), ("GB", "United Kingdom"), ("US", "United States"),
    ("VN", "Vietnam"),
)
_CULTURES = {code.lower(): code for _, code, _ in LANGUAGES}
_REGIONS = {code.lower(): code for code, _ in REGIONS}


def check_culture(culture: str) -> str:
    """The culture code as the portal spells it; 400 naming `culture` when the portal has no such language."""
    found = _CULTURES.get(culture.lower())
    if found is None:
        raise bad_request(f"Invalid parameter 'culture': '{culture}' is not a language of this portal.")
    return found


def check_region(region: str) -> str:
    found = _REGIONS.get(region.lower())
    if found is None:
        raise bad_request(f"Invalid parameter 'region': '{region}' is not a region of this portal.")
    return found
