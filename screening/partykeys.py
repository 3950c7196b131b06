"""How one party is recognised across events and lists: comparable keys for its name,
street address, phone, email and identifiers. The same functions build the keys of list
entries, of remembered parties and of the party being screened, so equal keys mean the
same detail written two ways."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry
from anyascii import anyascii

from schemas import Address, Party
from screening.matching import normalize_name
from screening.matching.normalize import TokenRole

_ALNUM_RUNS_LOWER = re.compile(r"[a-z0-9]+")
_NOT_ALNUM_UPPER = re.compile(r"[^A-Z0-9]")
_NOT_DIGIT = re.compile(r"\D")
_TRAILING_NOTES = re.compile(r"(\s*\([^()]*\))+\s*$")

# -- names ---------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The words that identify a name, legal form left out: "Nordlicht Automation GmbH"
    and "NORDLICHT AUTOMATION" give the same key, "Nordlicht Robotics GmbH" another."""
    # Called as the name search calls it: lru_cache keys `(name,)` and `(name, None)`
    # apart, and a miss normalises the name a second time.
    tokens = normalize_name(name, None)
    words = [t for t, role in zip(tokens.tokens, tokens.roles, strict=True) if role is not TokenRole.legal]
    return " ".join(words or tokens.tokens)


def party_country(party: Party) -> str | None:
    return party.address.country if party.address else None


def party_key(name: str, country: str | None) -> str:
    """One party of the stream: "<country>|<name key>" ("-" when the country is unknown)."""
    return f"{country or '-'}|{name_key(name)}"


# -- street addresses ----------------------------------------------------------------------

# Street words written in full or abbreviated; one canonical form each.
_STREET_WORDS = {
    "street": "st", "str": "st", "road": "rd", "avenue": "ave", "av": "ave", "boulevard": "blvd",
    "building": "bldg", "bldg": "bldg", "bld": "bldg", "floor": "f", "flr": "f", "fl": "f",
    "room": "rm", "flat": "rm", "unit": "rm", "suite": "rm", "ste": "rm", "tower": "twr",
    "centre": "ctr", "center": "ctr", "plaza": "plz", "industrial": "ind", "commercial": "comm",
    "block": "blk", "drive": "dr", "lane": "ln", "square": "sq", "number": "no", "nr": "no",
    "district": "dist", "east": "e", "west": "w", "north": "n", "south": "s",
}
# Names a country goes by in addresses beyond ISO's own ("PRC", "UAE", "Hong Kong SAR").
_EXTRA_COUNTRY_NAMES = {
    "CN": ("china", "prc", "p r china", "p r c", "peoples republic of china", "mainland china"),
    "HK": ("hong kong", "hong kong sar", "hksar", "hong kong s a r", "hong kong china"),
    "MO": ("macau", "macao", "macau sar"),
    "AE": ("uae", "u a e", "united arab emirates"),
    "RU": ("russia", "russian federation"),
    "IR": ("iran",),
    "KP": ("north korea", "dprk"),
    "KR": ("south korea", "korea"),
    "TW": ("taiwan",),
    "SG": ("singapore",),
    "US": ("usa", "u s a", "united states"),
    "GB": ("uk", "u k", "united kingdom", "great britain"),
}


def _fold(text: str) -> str:
    words = _ALNUM_RUNS_LOWER.findall(anyascii(text).lower())
    return " ".join([_STREET_WORDS.get(w, w) for w in words])


def _first_folded_word(text: str) -> str:
    """`_fold(text).partition(" ")[0]` without folding the rest: FRONT_COMPANY asks it of
    every party, and folding whole lines cost 3 us more per order (docs/benchmarks.md)."""
    first = _ALNUM_RUNS_LOWER.search(anyascii(text).lower())
    return _STREET_WORDS.get(first.group(), first.group()) if first else ""


@lru_cache(maxsize=512)
def country_names(country: str) -> frozenset[str]:
    """Folded names of one country as addresses write it, the code itself included."""
    names = {country.lower(), *_EXTRA_COUNTRY_NAMES.get(country, ())}
    record = pycountry.countries.get(alpha_2=country)
    if record is not None:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(record, attr, None)
            if value:
                names.add(value)
    return frozenset(_fold(n) for n in names)


# An index of details keys each by (what it is, its comparable form), see `lookup_keys`.
IndexKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class StreetAddress:
    """A street address as compared: street line folded, country, city folded (or None),
    and the shorter forms of the street that still name one place (see `street_address`)."""

    street: str
    country: str
    city: str | None
    prefixes: tuple[str, ...] = ()

    def same_place(self, other: StreetAddress) -> bool:
        """Same street (or one side's street is the other's with trailing parts left off)
        and country; the city only where both give one that is not just the country's name
        (lists often leave the city out, or write "Hong Kong, HK")."""
        if self.country != other.country:
            return False
        if not (self.street == other.street or self.street in other.prefixes or other.street in self.prefixes):
            return False
        return self.city is None or other.city is None or self.city == other.city

    def index_keys(self) -> tuple[IndexKey, ...]:
        return _address_index_keys(self.country, self.street, self.prefixes)

    def describe(self) -> str:
        return ", ".join(p for p in (self.street, self.city, self.country) if p)


def _address_index_keys(country: str, street: str, prefixes: tuple[str, ...]) -> tuple[IndexKey, ...]:
    """What an index of details holds a street address under: ("address",
    "<country>|<street>") for the street and each of its prefixes."""
    keys = (("address", f"{country}|{street}"),)
    return keys + tuple([("address", f"{country}|{p}") for p in prefixes]) if prefixes else keys


def _names_a_place(street: str) -> bool:
    """Specific enough to share: three words or more, a number, and a word of three
    letters or more ("rm 1905 19 f nam wo hong bldg", "148 wing lok st"; not "level 19")."""
    words = street.split()
    return (len(words) >= 3 and any(ch.isdigit() for ch in street)
            and any(len(w) >= 3 and w.isalpha() for w in words))


def street_address(address: Address | None) -> StreetAddress | None:
    """line1 folded, its trailing locality parts (city, region, postal code, country name)
    dropped so that "148 Wing Lok Street, Sheung Wan, Hong Kong" with city Sheung Wan and
    "148 Wing Lok St." with city Hong Kong meet. Lists also keep district names in the
    street line ("17 Ko Fai Road, Yau Tong"): every shorter form made of whole
    comma-separated parts that still names a place is kept as a prefix, so a party that
    leaves the district off still meets the listed address. None without a street line
    specific enough to share (a house number, or at least three words)."""
    if address is None or not address.line1 or not address.country:
        return None
    return _street_address(address.line1, address.city, address.region, address.postal_code, address.country)


def _street_address(line1: str, city_text: str | None, region: str | None, postal_code: str | None,
                    country: str) -> StreetAddress | None:
    parts = _street_parts(line1, city_text, region, postal_code, country)
    return StreetAddress(parts[0], country, parts[1], parts[2]) if parts is not None else None


# Not cached: what is built from it is (`party_contact_keys`, `party_index_keys`), and a
# new party's street line is new, while its locality is one of few.
def _street_parts(line1: str, city_text: str | None, region: str | None, postal_code: str | None,
                  country: str) -> tuple[str, str | None, tuple[str, ...]] | None:
    """(street, city, prefixes) of a `StreetAddress`, or None."""
    city, locality = _locality(country, city_text, region, postal_code)
    segments = [s for s in map(_fold, line1.split(",")) if s]
    while segments and (segments[-1] in locality or segments[-1].isdigit()):
        segments.pop()
    street = " ".join(segments)
    # Fewer than three words (folded words are one space apart) and no number: no place.
    if not street or (street.count(" ") < 2 and not any(ch.isdigit() for ch in street)):
        return None
    prefixes = tuple(p for p in (" ".join(segments[:i]) for i in range(1, len(segments))) if _names_a_place(p)) \
        if len(segments) > 1 else ()
    return street, city, prefixes


@lru_cache(maxsize=4096)
def _locality(country: str, city_text: str | None, region: str | None,
              postal_code: str | None) -> tuple[str | None, frozenset[str]]:
    """(the city as compared, or None where it only names the country; the folded
    locality parts a street line may end with: country names, city, region, postal code)."""
    places = country_names(country)
    city = _fold(city_text) if city_text else None
    parts = (city, _fold(region) if region else None, _fold(postal_code) if postal_code else None)
    return (None if city is None or city in places else city), places.union(p for p in parts if p)


# -- phones, emails, identifiers -----------------------------------------------------------

_PHONE_DIGITS_KEPT = 8
_PHONE_MIN_DIGITS = 7


def phone_key(phone: str | None) -> str | None:
    """The last eight digits: "+852 2345 6789", "00852-23456789" and "2345 6789" meet
    whether or not the country code is written."""
    if not phone:
        return None
    digits = _NOT_DIGIT.sub("", phone)
    if len(digits) < _PHONE_MIN_DIGITS:
        return None
    return digits[-_PHONE_DIGITS_KEPT:]


def email_key(email: str | None) -> str | None:
    if not email:
        return None
    value = email.strip().lower().removeprefix("mailto:")
    return value if "@" in value and "." in value.split("@", 1)[1] else None


def identifier_key(value: Any) -> str | None:
    """Upper-case letters and digits of the number itself: without a trailing "(country)"
    note, a leading "<issue date>, " (CSL registration numbers) or an "IMO" prefix, so
    "1027700256297 (RU)" and "IMO 9187629" become "1027700256297" and "9187629". Short or
    digit-free values (names, flags) and phrases (regulation citations) identify nothing."""
    text = _TRAILING_NOTES.sub("", str(value)).rsplit(",", 1)[-1].strip()
    if len(text.split()) > 3:
        return None
    text = _NOT_ALNUM_UPPER.sub("", text.upper()).removeprefix("IMO")
    if len(text) < 5 or not any(ch.isdigit() for ch in text):
        return None
    return text


# List `ids` keys that hold a phone number or an email address.
PHONE_ID_KEYS = frozenset({"phone_number", "telephone", "fax", "phone"})
EMAIL_ID_KEYS = frozenset({"email_address", "email"})
# List `ids` keys that describe rather than identify (dates, places, flags, citations).
_DESCRIPTIVE_ID_KEYS = frozenset({
    "dob", "pob", "nationality", "citizenship", "gender", "title", "website", "federal_register_notice",
    "standard_order", "vessel_type", "gross_tonnage", "gross_registered_tonnage", "vessel_flag", "vessel_owner",
    "other_vessel_flag", "former_vessel_flag", "vessel_year_of_build", "aircraft_model", "aircraft_operator",
    "aircraft_manufacture_date", "organization_established_date", "organization_type", "target_type",
    "linked_to", "issuer_name", "listing_date_cmic", "effective_date_cmic",
    "purchase_sales_for_divestment_date_cmic", "equity_ticker", "additional_sanctions_information",
    "secondary_sanctions_risk", "nationality_of_registration",
})
# Prefixes of list `ids` keys that cite sanctions measures or dates, not the party.
_DESCRIPTIVE_ID_PREFIXES = ("executive_order_", "listing_date_", "effective_date_", "transactions_prohibited_")


def _values(value: Any) -> Iterator[Any]:
    if isinstance(value, list | tuple | set):
        yield from value
    elif value is not None:
        yield value


@dataclass(frozen=True, slots=True)
class ContactKeys:
    """Everything by which a party or list entry can be recognised besides its name."""

    addresses: tuple[StreetAddress, ...] = ()
    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()
    # Every index key of these details (see `lookup_keys`), worked out with them rather
    # than on first use: a new party is looked up at once, and an index holding none of
    # them shares nothing, which is the common case and a cheap test.
    lookups: tuple[IndexKey, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookups = [key for address in self.addresses for key in address.index_keys()]
        if self.phones or self.emails or self.identifiers:
            lookups += [key for key, _, _ in self.detail_lookups]
        object.__setattr__(self, "lookups", tuple(lookups))  # frozen: set once, as __init__ sets the rest

    def __bool__(self) -> bool:
        return bool(self.lookups)  # every detail has an index key

    # Worked out when an index holds one of `lookups` (rare): which detail it is.
    @property
    def address_lookups(self) -> tuple[tuple[StreetAddress, tuple[IndexKey, ...]], ...]:
        """Each street address with the index keys it is looked up by."""
        return tuple((a, a.index_keys()) for a in self.addresses)

    @property
    def detail_lookups(self) -> tuple[tuple[IndexKey, str, str], ...]:
        """(index key, what it is, value) of each phone, email and identifier."""
        return (*((("phone", p), "phone", p) for p in sorted(self.phones)),
                *((("email", e), "email", e) for e in sorted(self.emails)),
                *((("id", i), "identifier", i) for i in sorted(self.identifiers)))


def keys_from_ids(ids: dict[str, Any] | None) -> tuple[set[str], set[str], set[str]]:
    """(phones, emails, identifiers) from a list entry's or a party's `ids`."""
    phones: set[str] = set()
    emails: set[str] = set()
    identifiers: set[str] = set()
    for label, raw in (ids or {}).items():
        for value in _values(raw):
            if label in PHONE_ID_KEYS:
                key = phone_key(str(value))
                target = phones
            elif label in EMAIL_ID_KEYS:
                key = email_key(str(value))
                target = emails
            elif label in _DESCRIPTIVE_ID_KEYS or label.startswith(_DESCRIPTIVE_ID_PREFIXES):
                continue
            else:
                key = identifier_key(value)
                target = identifiers
            if key:
                target.add(key)
    return phones, emails, identifiers


def contact_keys(addresses: Iterable[Address | None], phones: Iterable[str | None] = (),
                 emails: Iterable[str | None] = (), ids: dict[str, Any] | None = None) -> ContactKeys:
    return _contact_keys(map(street_address, addresses), phones, emails, ids)


def _contact_keys(streets: Iterable[StreetAddress | None], phones: Iterable[str | None],
                  emails: Iterable[str | None], ids: dict[str, Any] | None) -> ContactKeys:
    id_phones, id_emails, identifiers = keys_from_ids(ids)
    return ContactKeys(
        addresses=tuple(dict.fromkeys(a for a in streets if a is not None)),
        phones=frozenset(id_phones | {k for k in map(phone_key, phones) if k}),
        emails=frozenset(id_emails | {k for k in map(email_key, emails) if k}),
        identifiers=frozenset(identifiers),
    )


def lookup_keys(keys: ContactKeys) -> tuple[tuple[str, str], ...]:
    """The index keys of one party's or entry's details: ("address", "<country>|<street>"),
    ("phone", ...), ("email", ...), ("id", ...). A street address found by its key still has
    its city compared (`StreetAddress.same_place`)."""
    return keys.lookups


def describe_address(address: Address) -> str:
    """An address as written, for a reviewer: "148 Wing Lok Street, Hong Kong, HK"."""
    parts = [address.line1, address.city, address.region, address.postal_code, address.country]
    return ", ".join(p for p in parts if p) or "(empty)"


_NO_KEYS = ContactKeys()


def party_contact_keys(party: Party) -> ContactKeys:
    """A party's keys, the same as `contact_keys` of its details gives; parties recur
    from event to event (a regular consignee), so they are worked out once per set of
    details."""
    address = party.address
    if (address is None or not address.line1) and not (party.phone or party.email or party.ids):
        return _NO_KEYS  # most parties give no more than a country
    line = (address.line1, address.city, address.region, address.postal_code, address.country) if address \
        else (None, None, None, None, None)
    ids = tuple(sorted((k, str(v)) for k, v in party.ids.model_dump(exclude_none=True).items())) if party.ids \
        else ()
    return _party_keys(line, party.phone, party.email, ids)


def party_identifiers(party: Party) -> frozenset[str]:
    """`party_contact_keys(party).identifiers`: they come from its `ids` alone, so a party
    without any has none and its keys need not be built."""
    return party_contact_keys(party).identifiers if party.ids else frozenset()


def party_index_keys(party: Party) -> tuple[IndexKey, ...]:
    """`party_contact_keys(party).lookups`, without building the keys themselves for a
    party that gives no more than a street address (most parties that give any detail):
    an index that holds none of these shares nothing with the party, which is the common
    case, and the keys are then never needed."""
    address = party.address
    if party.phone or party.email or party.ids:
        return party_contact_keys(party).lookups
    if address is None or not address.line1 or not address.country:
        return ()
    return _street_index_keys(address.line1, address.city, address.region, address.postal_code, address.country)


def street_head(party: Party) -> str | None:
    """For a party that gives a street address and no phone, email or identifier (most
    parties that give any detail): the head every index key of its address starts with,
    "<country>|<first word of the street>". None for any other party: its keys are looked
    up whole (`party_index_keys`, which has none for a party without a street). The
    street's first word is the first word of its folded line (folding maps word by word,
    and the locality parts a line may end with are dropped from its end only)."""
    address = party.address
    if party.phone or party.email or party.ids or address is None or not address.line1 or not address.country:
        return None
    first = _first_folded_word(address.line1)
    return f"{address.country}|{first}" if first else None


def address_key_head(detail: IndexKey) -> str | None:
    """The head (`street_head`) of an address index key, None for another detail."""
    kind, value = detail
    return value.split(" ", 1)[0] if kind == "address" else None


@lru_cache(maxsize=65536)
def _street_index_keys(line1: str, city: str | None, region: str | None, postal_code: str | None,
                       country: str) -> tuple[IndexKey, ...]:
    parts = _street_parts(line1, city, region, postal_code, country)
    return _address_index_keys(country, parts[0], parts[2]) if parts is not None else ()


@lru_cache(maxsize=65536)
def _party_keys(line: tuple[str | None, str | None, str | None, str | None, str | None], phone: str | None,
                email: str | None, ids: tuple[tuple[str, str], ...]) -> ContactKeys:
    line1, city, region, postal_code, country = line
    street = _street_address(line1, city, region, postal_code, country) if line1 and country else None
    return _contact_keys([street], [phone], [email], dict(ids) or None)
