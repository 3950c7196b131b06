"""Country names as list publishers spell them → ISO 3166-1 alpha-2 (unknown → None)."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from schemas.common import ISO_COUNTRIES

# Spellings pycountry does not resolve, as seen in OFAC add.csv, the UN and OFSI lists.
# Disputed areas without an ISO code of their own (Kafia Kingi) stay unknown.
_PUBLISHER_SPELLINGS: dict[str, str | None] = {
    "russia": "RU",
    "korea, north": "KP",
    "north korea": "KP",
    "democratic people's republic of korea": "KP",
    "korea, south": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "turkey": "TR",
    "bahamas, the": "BS",
    "the gambia": "GM",
    "gambia, the": "GM",
    "west bank": "PS",
    "palestinian": "PS",
    "gaza": "PS",
    "occupied palestinian territories": "PS",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "republic of the congo": "CG",
    "man, isle of": "IM",
    "kosovo": "XK",
    "burma": "MM",
    "cote d ivoire": "CI",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "brunei": "BN",
    "macau": "MO",
    "macao": "MO",
    "northern mali": "ML",
    "crimea": "UA",
    "iran (islamic republic of)": "IR",
    "syrian arab republic": "SY",
    "united kingdom": "GB",
    "uk": "GB",
    "usa": "US",
    "united states of america": "US",
    "laos": "LA",
    "vietnam": "VN",
    "viet nam": "VN",
    "czech republic": "CZ",
    "swaziland": "SZ",
    "cape verde": "CV",
    "netherlands antilles": None,
    "kafia kingi": None,
    "undetermined": None,
    "unknown": None,
}


@lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """ISO alpha-2 for a country name or code, or None when it cannot be resolved."""
    if not name:
        return None
    text = name.strip().rstrip(".")
    if text.lower().startswith("region:"):
        text = text.split(":", 1)[1].strip()
    if not text or text == "-0-":
        return None
    if len(text) == 2 and text.upper() in ISO_COUNTRIES:
        return text.upper()
    key = text.lower()
    if key in _PUBLISHER_SPELLINGS:
        return _PUBLISHER_SPELLINGS[key]
    try:
        code: str = pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None
    return code if code in ISO_COUNTRIES else None


def is_placeholder(name: str) -> bool:
    """Publisher words for "no country known", which are not places."""
    return name.strip().lower() in ("undetermined", "unknown", "-0-", "")
