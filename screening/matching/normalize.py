"""Normaliser shared by list entries and queries: one name in, a list of comparable tokens out.

Steps: NFKC, transliteration to ASCII (anyascii also strips diacritics), case folding,
punctuation handling, legal forms canonicalised (rigour's org-type database plus a few
generic words it leaves alone) and tagged LOW weight, OFAC's "LAST, First" order turned
around for persons.
"""

from __future__ import annotations

import re
import unicodedata
from enum import IntEnum
from functools import lru_cache

from anyascii import anyascii
from rigour.names import replace_org_types_compare

from schemas.lists import EntryKind
from screening.matching.tokens import skeleton_key, sound_key, typo_neighbours, typo_similarity


class TokenRole(IntEnum):
    """How much a token says about identity; the scorer weights roles differently."""

    identity = 0  # a word of the name proper
    particle = 1  # al, bin, de, of, the ...: glue, not identity
    legal = 2  # canonical legal form: llc, jsc, co, corp ...
    title = 3  # mr, dr, haji, general ...
    initial = 4  # one or two letters in a non-person name (K. P. TO JEANS WEAR S. EN C.)


class NameTokens:
    """A normalised name: tokens in reading order (given names first for persons). Read-only."""

    def __init__(self, tokens: tuple[str, ...], roles: tuple[TokenRole, ...]) -> None:
        self.tokens = tokens
        self.roles = roles

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def __repr__(self) -> str:
        return f"NameTokens({self.tokens!r}, {tuple(r.name for r in self.roles)!r})"


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
    "corporacion": "corp",
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
# Long words of legal forms, matched with one typo before canonicalisation so that
# "CMPANY" or "AKTSINOERNOE OBSCHESTVO" still reads as a legal form (and weighs little)
# instead of an unmatched word of the name.
_LEGAL_WORDS = (
    "company companies corporation corporacion limited incorporated enterprise federal unitary "
    "public private sociedad anonima limitada responsabilidad compania compagnie gesellschaft "
    "beschrankter haftung aktiengesellschaft obshchestvo obschestvo ogranichennoi "
    "ogranichennoy otvetstvennostyu aktsionernoe zakrytoe otkrytoe publichnoe tovarystvo "
    "sirketi anonim societe anonyme charitable organization organisation governmental cooperative "
    "partnership liability proprietorship responsabilite"
)
LEGAL_WORDS: frozenset[str] = frozenset(_LEGAL_WORDS.split())
_LEGAL_DELETIONS: dict[str, str] = {variant: word for word in sorted(LEGAL_WORDS) for variant in typo_neighbours(word)}

# Canonical tokens that mark a legal form (whatever produced them).
LEGAL_TOKENS: frozenset[str] = frozenset(_EXTRA_LEGAL.values()) | {"soe", "ngo", "coop", "sp", "gp"}

_JOINERS = re.compile(r"['`´’‘ʼʻ.]")  # apostrophes and dots
# Han characters are one syllable each: spaced before transliteration, so 赵伟 reads
# ZHAO WEI (anyascii would run them together as ZhaoWei) and a listed JINPING meets JIN
# PING as two joined words.
_HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
# The Arabic article written onto its word (التكريتي, AL-TIKRITI) is split off as AL.
_ARABIC_ARTICLE = re.compile(r"(?<![\u0600-\u06ff])\u0627\u0644(?=[\u0600-\u06ff]{2})")
# ... but the names romanised as one word keep it: X الله is one name (SAIFULLAH,
# NAJIBULLAH, ABDULLAH), and عبد ال X is romanised ABDUL X far more often than ABD AL X
# (UN and UK lists: about 200 to 100), so the article goes with عبد.
_ALLAH = re.compile(r"(?<=[\u0600-\u06ff]) (?=\u0627\u0644\u0644\u0647(?![\u0600-\u06ff]))")
_ABD_AL = re.compile(
    r"(?<![\u0600-\u06ff])\u0639\u0628\u062f ?\u0627\u0644(?=[\u0600-\u06ff]{2})(?!\u0644\u0647(?![\u0600-\u06ff]))"
)
_ABD_AL_READ = "\u0639\u0628\u062f\u0627\u0644 "
# Han legal forms read syllable by syllable, joined back into the words _EXTRA_LEGAL knows.
_HAN_COMPOUNDS: dict[tuple[str, str], str] = {
    ("you", "xian"): "youxian",
    ("gong", "si"): "gongsi",
    ("gu", "fen"): "gufen",
    ("ji", "tuan"): "jituan",
    ("ze", "ren"): "zeren",
}
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
# Russian е after a soft or hard sign and ё are read YE and YO, as the lists romanise
# them (Юрьевич YURYEVICH, Фёдор FYODOR, ВОРОБЬЁВ VOROBYOV); anyascii reads both E.
# After ж ч ш щ, ё is O (ГОРБАЧЁВ GORBACHOV).
_CYRILLIC_YE = re.compile(r"[ьъ]?ё|[ьъ]е|([жчшщ])ё", re.IGNORECASE)


def _cyrillic_ye(match: re.Match[str]) -> str:
    hushing = match.group(1)
    if hushing:
        return hushing + "o"
    return "yo" if match.group(0)[-1] in "ёЁ" else "ye"


_WORD = re.compile(r"[a-z0-9]+")


def fold_words(text: str) -> list[str]:
    """NFKC, transliterate to ASCII, case-fold; the words are the runs of letters and digits.

    Apostrophes and dots join (AL-NU'AYMI -> al nuaymi, S.A. -> sa); hyphens, commas,
    brackets and the rest separate, so AL-RASHID and AL RASHID give the same tokens
    (ALRASHID is met by the scorer's adjacent-token joining).
    """
    han = False
    if not text.isascii():  # NFKC and transliteration leave ASCII as it is
        text = unicodedata.normalize("NFKC", text)
        spaced = _HAN.sub(r" \1 ", _CYRILLIC_YE.sub(_cyrillic_ye, text))
        han = spaced != text
        if _ARABIC_LETTER.search(spaced):
            spaced = _ARABIC_ARTICLE.sub("al ", _ABD_AL.sub(_ABD_AL_READ, _ALLAH.sub("", spaced)))
        text = anyascii(spaced)
    text = text.casefold()
    if text.isascii():  # as nearly always by now: of the joiners only these three, no regex
        for joiner in "'`.":
            if joiner in text:
                text = text.replace(joiner, "")
    else:
        text = _JOINERS.sub("", text)
    text = text.replace("&", " and ")
    # The usual name is ASCII letters, digits and spaces by now: its words are then what
    # split() gives, without the regex.
    words: list[str] = text.split() if text.isascii() and text.replace(" ", "").isalnum() else _WORD.findall(text)
    if han:
        words = _join_han_compounds(words)
    return words


def _join_han_compounds(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        joined = _HAN_COMPOUNDS.get((out[-1], word)) if out else None
        if joined is None:
            out.append(word)
        else:
            out[-1] = joined
    return out


def fold(text: str) -> str:
    """`fold_words`, spaced."""
    return " ".join(fold_words(text))


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


def _initials_and_surname(tokens: list[str], kind: EntryKind | None) -> bool:
    """A query of unknown kind shaped like a person's initials and surname (V V
    RUSAKEVICH): its initials stay given names, not one abbreviation (VV)."""
    return (
        kind is None
        and 2 <= len(tokens) <= 4
        and len(tokens[-1]) > 2
        and tokens[-1] not in LEGAL_TOKENS
        and all(len(t) == 1 for t in tokens[:-1])
    )


# `_legal_spelling` of the words of names normalised, read without a call (bounded: it
# starts over when full).
CACHED_SPELLINGS = 65536
_SPELLED: dict[str, str] = {}


@lru_cache(maxsize=65536)
def _legal_spelling(token: str) -> str:
    """The legal-form word `token` misspells (one typo), else `token` itself."""
    if len(token) < 6 or token in LEGAL_WORDS:
        return token
    guesses = [_LEGAL_DELETIONS.get(token)]
    for variant in typo_neighbours(token):
        guesses.append(variant if variant in LEGAL_WORDS else None)
        guesses.append(_LEGAL_DELETIONS.get(variant))
    for guess in guesses:
        if guess is not None and typo_similarity(token, guess) > 0:
            return guess
    # A misspelt plural (ENTERUPRISES): the word its singular misspells, as a plural
    # written right is read (ENTERPRISES is one letter from ENTERPRISE).
    if token.endswith("s") and (singular := _legal_spelling(token[:-1])) != token[:-1]:
        return singular
    return token


def _canonical_legal(tokens: list[str]) -> list[str]:
    """Rewrite legal forms to canonical tokens. rigour's database covers the long forms in
    many languages (obshchestvo s ogranichennoi otvetstvennostyu -> ooo -> llc); the small
    table above catches generic words and abbreviations it keeps verbatim. A name made of
    legal words only (a company called "SA") keeps its words."""
    spelled: list[str] = []
    for token in tokens:
        if len(token) < 6:  # too short to misspell a legal form with one typo
            spelled.append(token)
            continue
        found = _SPELLED.get(token)
        if found is None:
            if len(_SPELLED) >= CACHED_SPELLINGS:
                _SPELLED.clear()
            found = _SPELLED[token] = _legal_spelling(token)
        spelled.append(found)
    replaced: list[str] = replace_org_types_compare(" ".join(spelled), generic=True).split()
    canonical = [_EXTRA_LEGAL.get(t, t) for t in replaced]
    # "Company Limited" and "Co., Ltd." are one legal form: drop the "co" of "co llc".
    if "co" in canonical:
        canonical = [
            t for i, t in enumerate(canonical) if not (t == "co" and canonical[i + 1 : i + 2] in (["llc"], ["jsc"]))
        ]
    if LEGAL_TOKENS.issuperset(canonical):
        return tokens
    return canonical


# Words _role can give a role other than identity (with those of one or two letters).
_SPECIAL: frozenset[str] = LEGAL_TOKENS | PARTICLES | TITLES


def _role(token: str, kind: EntryKind | None, all_legal: bool) -> TokenRole:
    if token in LEGAL_TOKENS and kind is not EntryKind.person and not all_legal:
        return TokenRole.legal
    if token in PARTICLES:
        return TokenRole.particle
    if len(token) <= 2 and kind is not EntryKind.person:
        return TokenRole.initial
    if token in TITLES and kind is not EntryKind.organization:
        return TokenRole.title
    return TokenRole.identity


def token_role(token: str, kind: EntryKind | None) -> TokenRole:
    """Role of a single word of a name of this kind."""
    return _role(token, kind, token in LEGAL_TOKENS)


def clear_name_caches() -> None:
    """Empty the normaliser's caches (whole names, legal-form spellings, sound keys);
    benchmarks start their cold passes with it."""
    normalize_name.cache_clear()
    _legal_spelling.cache_clear()
    _SPELLED.clear()
    sound_key.cache_clear()
    skeleton_key.cache_clear()


@lru_cache(maxsize=65536)
def normalize_name(name: str, kind: EntryKind | None = None) -> NameTokens:
    """The one normaliser for list names and query names."""
    text = name
    if kind is EntryKind.person:
        text = _reorder_person(text)
    tokens = fold_words(text)
    if (
        kind is not EntryKind.person
        and tokens
        and min(map(len, tokens)) == 1
        and not _initials_and_surname(tokens, kind)
    ):
        tokens = _merge_initial_runs(tokens)
    if tokens and kind in (None, EntryKind.organization):
        tokens = _canonical_legal(tokens)
    if not tokens:
        return NameTokens((), ())
    all_legal = LEGAL_TOKENS.issuperset(tokens)
    # Most words are none of the special ones: no call for them.
    proper = TokenRole.identity  # read once: an enum member is a class attribute lookup
    roles = [proper if t not in _SPECIAL and len(t) > 2 else _role(t, kind, all_legal) for t in tokens]
    return NameTokens(tuple(tokens), tuple(roles))
