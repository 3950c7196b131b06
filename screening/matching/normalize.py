"""Normaliser shared by list entries and queries: one name in, a list of comparable tokens out.

Steps: NFKC, transliteration to ASCII (anyascii also strips diacritics), case folding,
punctuation handling, legal forms canonicalised (rigour's org-type database plus a few
generic words it leaves alone) and tagged LOW weight, OFAC's "LAST, First" order turned
around for persons.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from anyascii import anyascii
from rigour.names import replace_org_types_compare

from schemas.lists import EntryKind


class TokenRole(IntEnum):
    """How much a token says about identity; the scorer weights roles differently."""

    identity = 0  # a word of the name proper
    particle = 1  # al, bin, de, of, the ...: glue, not identity
    legal = 2  # canonical legal form: llc, jsc, co, corp ...
    title = 3  # mr, dr, haji, general ...


@dataclass(frozen=True, slots=True)
class NameTokens:
    """A normalised name: tokens in reading order (given names first for persons)."""

    tokens: tuple[str, ...]
    roles: tuple[TokenRole, ...]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


# Glue words of the languages most frequent on sanctions lists (Arabic, Spanish,
# Portuguese, French, Dutch/German, English). They stay in the name at low weight.
_PARTICLE_WORDS = (
    "al el ul bin ibn bint ben binti ould wuld de del della di da do dos das du des la le les "
    "los las lo y e i et und van von der den ter of the and for"
)
PARTICLES: frozenset[str] = frozenset(_PARTICLE_WORDS.split())

# Honorifics and professional suffixes in front of/behind person names.
_TITLE_WORDS = (
    "mr mrs ms miss dr prof sir mister madam haji hajji hadji sheikh shaykh sheik mullah mulla "
    "maulana maulvi mawlawi sayyid syed qari general gen colonel col major maj captain capt "
    "lieutenant lt admiral brigadier jr sr ii iii phd md dvm mba esq"
)
TITLES: frozenset[str] = frozenset(_TITLE_WORDS.split())

# Words that mean "a company" in many languages but that rigour's generic table leaves
# unmapped; mapped to one canonical token so "CO." meets "COMPANY". Pinyin forms:
# 有限公司 transliterates to "youxian gongsi" (limited company), 股份 "gufen" (shares).
_EXTRA_LEGAL: dict[str, str] = {
    "company": "co",
    "companies": "co",
    "compania": "co",
    "compagnie": "co",
    "cie": "co",
    "co": "co",
    "corporation": "corp",
    "corp": "corp",
    "incorporated": "llc",
    "inc": "llc",
    "limited": "llc",
    "ltd": "llc",
    "ltda": "llc",
    "pvt": "pvt",
    "private": "pvt",
    "pte": "pvt",
    "pty": "pvt",
    "pjsc": "jsc",
    "pjs": "jsc",
    "pao": "jsc",
    "oao": "jsc",
    "zao": "jsc",
    "ojsc": "jsc",
    "cjsc": "jsc",
    "sa": "jsc",
    "sas": "llc",
    "sarl": "llc",
    "srl": "llc",
    "spa": "jsc",
    "ag": "jsc",
    "gmbh": "llc",
    "bv": "llc",
    "nv": "jsc",
    "plc": "jsc",
    "cv": "cv",
    "eood": "llc",
    "ood": "llc",
    "ooo": "llc",
    "tov": "llc",
    "fze": "llc",
    "fzco": "llc",
    "fzc": "llc",
    "llc": "llc",
    "jsc": "jsc",
    "lp": "lp",
    "llp": "lp",
    "gongsi": "co",
    "youxian": "llc",
    "zeren": "llc",
    "gufen": "jsc",
    "jituan": "group",
}
# Canonical tokens that mark a legal form (whatever produced them).
LEGAL_TOKENS: frozenset[str] = frozenset(_EXTRA_LEGAL.values()) | {"soe", "ngo", "coop", "sp", "gp"}

_APOSTROPHES = re.compile(r"['`´’‘ʼʻ]")
_DOTS = re.compile(r"\.")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_BRACKETS = re.compile(r"[()\[\]{}]")


def fold(text: str) -> str:
    """NFKC, transliterate to ASCII, case-fold; punctuation becomes spaces.

    Apostrophes and dots join (AL-NU'AYMI -> al nuaymi, S.A. -> sa); hyphens, commas and
    the rest separate, so AL-RASHID and AL RASHID give the same tokens (ALRASHID is met
    by the scorer's adjacent-token joining).
    """
    text = unicodedata.normalize("NFKC", text)
    text = anyascii(text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _DOTS.sub("", text)
    text = text.replace("&", " and ")
    return _NON_ALNUM.sub(" ", text).strip()


def _reorder_person(text: str) -> str:
    """'LAST, First' (OFAC's order for individuals) -> 'First LAST'; other text unchanged."""
    head, sep, tail = text.partition(",")
    if not sep or "," in tail or not head.strip() or not tail.strip():
        return text
    return f"{tail} {head}"


def _merge_initial_runs(tokens: list[str]) -> list[str]:
    """'m d s import' -> 'mds import': spelled-out abbreviations of organisations."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if token:
            out.append(token)
    return out


def _canonical_legal(tokens: list[str]) -> list[str]:
    """Rewrite legal forms to canonical tokens. rigour's database covers the long forms in
    many languages (obshchestvo s ogranichennoi otvetstvennostyu -> ooo -> llc); the small
    table above catches generic words and abbreviations it keeps verbatim."""
    replaced = replace_org_types_compare(" ".join(tokens), generic=True).split()
    return [_EXTRA_LEGAL.get(t, t) for t in replaced]


def _role(token: str, kind: EntryKind | None) -> TokenRole:
    if token in LEGAL_TOKENS and kind is not EntryKind.person:
        return TokenRole.legal
    if token in PARTICLES:
        return TokenRole.particle
    if token in TITLES and kind is not EntryKind.organization:
        return TokenRole.title
    return TokenRole.identity


@lru_cache(maxsize=65536)
def normalize_name(name: str, kind: EntryKind | None = None) -> NameTokens:
    """The one normaliser for list names and query names."""
    text = name
    if kind is EntryKind.person:
        text = _reorder_person(text)
    text = _BRACKETS.sub(" ", text)
    tokens = fold(text).split()
    if kind is not EntryKind.person:
        tokens = _merge_initial_runs(tokens)
        if tokens:
            tokens = _canonical_legal(tokens)
    if not tokens:
        return NameTokens((), ())
    return NameTokens(tuple(tokens), tuple(_role(t, kind) for t in tokens))
