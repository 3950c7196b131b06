"""Token-level similarity: when two normalised tokens count as the same word.

Four ways: equal; one typo apart (insert, delete, substitute or swap two neighbours,
for tokens long enough that one typo does not turn one real word into another; a swap
costs less than the other edits, SWAP_EDIT_SHARE); the
same sound (metaphone from rigour with the leading vowel/Y folded, which lets
Mohammed/Muhammad, Hossein/Hussein, Yevgeny/Evgeny and Ali/Aly meet); or the same
consonant skeleton, when one of the two has no vowels: Arabic script writes short
vowels not at all, so محمد transliterates to MHMD, which meets MOHAMMED and MUHAMMAD
(`skeleton_key`).

`typo_neighbours` is the deletion neighbourhood (SymSpell's idea) the index uses to find
typo candidates without comparing against every token; every pair with
`token_similarity > 0` by typo shares one of these keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein
from rigour.text import metaphone

# A typo in a 4-letter word is allowed (BUSH/BUSHA are not listed names, SAAD/SAED are
# spellings); below that a change makes a different word.
MIN_TYPO_LENGTH = 4
MIN_SOUND_LENGTH = 3
# Same sound counts 0.5 + half the spelling similarity, at most this much: Mohammed /
# Muhammad (two letters apart) 0.88, Ali / Aly 0.83. Metaphone keys keep only consonant
# skeletons, so sound alone (Cohen / Kahane) is not enough: spelling must be half alike.
MAX_SOUND_SIMILARITY = 0.92
MIN_SOUND_SPELLING = 0.5


# Two neighbouring letters swapped (HNENA for HENNA) count this share of one edit: the
# commonest typing slip keeps every letter of the word and its length, and a swap in a
# five-letter name (similarity 0.8 as a full edit) would otherwise never reach the
# potential threshold alone. 1 - 0.75/length: 0.85 at five letters, 0.81 at four.
SWAP_EDIT_SHARE = 0.75


# Arabic-script words transliterate to consonants (and the long vowels alif, waw, ya as
# A, W, Y): a vowel-less word meets a voweled one with the same skeleton at this much,
# as a transliteration. Skeletons of one letter say too little.
SKELETON_SIMILARITY = 0.92
MIN_SKELETON_LENGTH = 2
_VOWELS = frozenset("aeiou")
# A word's last letter as the long vowel Arabic writes with a letter (ya, waw).
_LONG_VOWELS = {"i": "y", "y": "y", "u": "w", "w": "w"}
# Latin abbreviations the normaliser leaves vowel-less in many names (canonical legal
# forms, titles): not abjad words, and each would meet hundreds of listed words (LLC ~
# LUCA) in every company query.
_NOT_ABJAD_WORDS = "llc jsc pvt cv lp mr mrs dr jr sr st nv bv gmbh plc ltd"
NOT_ABJAD: frozenset[str] = frozenset(_NOT_ABJAD_WORDS.split())


class TokenAgreement(StrEnum):
    exact = "exact"
    typo = "typo"
    sound = "transliteration"
    initial = "initial"
    joined = "joined"


@lru_cache(maxsize=200_000)
def sound_key(token: str) -> str:
    """Phonetic key: metaphone with any leading vowel or Y folded to 'A' (Omar/Umar,
    Ehsan/Ihsan, Yevgeny/Evgeny). Empty for tokens too short or without letters."""
    if len(token) < MIN_SOUND_LENGTH or not token.isalpha():
        return ""
    key = metaphone(token)
    if len(key) < 2:
        return ""
    if key[0] in "AEIOUY":
        key = "A" + key[1:]
    return key


def unvoweled(token: str) -> bool:
    """A word of two letters or more with none of A E I O U: how Arabic script (and
    other abjads) come out of transliteration; rare in Latin-script names."""
    return (
        len(token) >= MIN_SKELETON_LENGTH
        and token.isalpha()
        and _VOWELS.isdisjoint(token)
        and token not in NOT_ABJAD
    )


@lru_cache(maxsize=200_000)
def skeleton_key(token: str) -> str:
    """The consonant skeleton: vowels dropped, and W and Y unless first (Arabic writes
    long vowels with waw and ya), Q as K, DH as Z (ذ and ظ, romanised Z in Persian,
    Urdu and often in Arabic names: NAZIR, ZAWAHIRI), a final H dropped (ta marbuta: HAMZA /
    HMZH), letters doubled written once unless a long vowel may stand between them (I, U,
    W, Y: عزيز ZYZ and AZIZ are ZZ; ABBAS and عباس BS). A skeleton of one consonant keeps the long
    vowel the word ends in (علي -> LY: ALI, ALY; of three letters or vowel-less), else
    says too little. Empty when under MIN_SKELETON_LENGTH letters."""
    if not token.isalpha():
        return ""
    kept: list[str] = []
    spelled = token.replace("q", "k").replace("dh", "z")
    long_vowel_between = False
    for k, ch in enumerate(spelled):
        if ch in _VOWELS or (k > 0 and ch in "wy"):
            long_vowel_between = long_vowel_between or ch in _LONG_VOWELS
            continue
        if not kept or kept[-1] != ch or long_vowel_between:
            kept.append(ch)
        long_vowel_between = False
    if len(kept) > MIN_SKELETON_LENGTH and kept[-1] == "h":
        kept.pop()
    if len(kept) == 1 and (len(token) >= 3 or _VOWELS.isdisjoint(token)) and spelled[-1] in _LONG_VOWELS:
        kept.append(_LONG_VOWELS[spelled[-1]])
    return "".join(kept) if len(kept) >= MIN_SKELETON_LENGTH else ""


def same_skeleton(a: str, b: str) -> bool:
    """One of the two is vowel-less and both have the same skeleton."""
    return (unvoweled(a) or unvoweled(b)) and bool(skeleton := skeleton_key(a)) and skeleton == skeleton_key(b)


def typo_neighbours(token: str) -> list[str]:
    """The token with each single character deleted (empty for short tokens)."""
    if len(token) < MIN_TYPO_LENGTH:
        return []
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


def swapped(a: str, b: str) -> bool:
    """`b` is `a` with two neighbouring letters swapped (and nothing else changed)."""
    if len(a) != len(b) or a == b:
        return False
    k = 0
    while a[k] == b[k]:
        k += 1
    return k + 1 < len(a) and a[k] == b[k + 1] and a[k + 1] == b[k] and a[k + 2 :] == b[k + 2 :]


def edit_similarity(a: str, b: str) -> float:
    """The similarity of two words one edit (OSA) apart: 1 - 1/length of the longer, a
    swap of neighbours counting SWAP_EDIT_SHARE of an edit."""
    longer = len(a) if len(a) > len(b) else len(b)
    return 1.0 - (SWAP_EDIT_SHARE if swapped(a, b) else 1.0) / longer


def typo_similarity(a: str, b: str) -> float:
    """`edit_similarity` for one edit (OSA: adjacent swaps count once); 0 otherwise."""
    if min(len(a), len(b)) < MIN_TYPO_LENGTH or abs(len(a) - len(b)) > 1:
        return 0.0
    return combined_similarity(a, b, one_edit=OSA.distance(a, b, score_cutoff=1) <= 1, spelling=None)[0]


class Resemblance:
    """How alike two words are, 0..1, and why. Read-only; `resemblance` hands out one
    shared instance per value."""

    def __init__(self, similarity: float, agreement: TokenAgreement) -> None:
        self.similarity = similarity
        self.agreement = agreement

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Resemblance)
            and self.similarity == other.similarity
            and self.agreement is other.agreement
        )

    def __hash__(self) -> int:
        return hash((self.similarity, self.agreement))

    def __repr__(self) -> str:
        return f"Resemblance({self.similarity!r}, {self.agreement.value})"


# Similarities take few distinct values (they follow from word lengths and edit counts),
# and the vocabulary holds millions of word pairs at scale: one shared instance per value
# saves that many objects (memory, and objects for the garbage collector to walk).
_SHARED: dict[tuple[float, TokenAgreement], Resemblance] = {}


def resemblance(similarity: float, agreement: TokenAgreement) -> Resemblance:
    key = (similarity, agreement)
    found = _SHARED.get(key)
    if found is None:
        found = _SHARED[key] = Resemblance(similarity, agreement)
    return found


def similarities(
    token: str, one_edit: Iterable[str], spelling: Mapping[str, float], skeleton: Iterable[str] = ()
) -> dict[str, Resemblance]:
    """The similarity of `token` to other tokens from what is known about them: which are
    one edit (OSA) apart, the spelling similarity (normalised Levenshtein) of those
    that sound the same, and which share its consonant skeleton (`same_skeleton`).
    Tokens alike no way are left out. Lets a caller that screened many words at once
    in C reuse those figures."""
    found: dict[str, Resemblance] = {}
    for other in skeleton:
        found[other] = resemblance(SKELETON_SIMILARITY, TokenAgreement.sound)
    length = len(token)
    if length >= MIN_TYPO_LENGTH:
        for other in one_edit:
            other_length = len(other)
            if other_length >= MIN_TYPO_LENGTH and -1 <= length - other_length <= 1:
                similarity = edit_similarity(token, other)
                held = found.get(other)
                if held is None or similarity > held.similarity:
                    found[other] = resemblance(similarity, TokenAgreement.typo)
    for other, spelled in spelling.items():
        if spelled >= MIN_SOUND_SPELLING:
            similarity = 0.5 + spelled / 2
            if similarity > MAX_SOUND_SIMILARITY:
                similarity = MAX_SOUND_SIMILARITY
            held = found.get(other)
            if held is None or similarity > held.similarity:
                found[other] = resemblance(similarity, TokenAgreement.sound)
    return found


def combined_similarity(
    a: str, b: str, *, one_edit: bool, spelling: float | None
) -> tuple[float, TokenAgreement | None]:
    """`similarities` for one pair; (0.0, None) if they are not alike."""
    alike = similarities(
        a, (b,) if one_edit else (), {} if spelling is None else {b: spelling}, (b,) if same_skeleton(a, b) else ()
    ).get(b)
    return (0.0, None) if alike is None else (alike.similarity, alike.agreement)


def token_similarity(a: str, b: str) -> tuple[float, TokenAgreement | None]:
    """How alike two whole tokens are, 0..1, and why."""
    if a == b:
        return 1.0, TokenAgreement.exact
    one_edit = abs(len(a) - len(b)) <= 1 and OSA.distance(a, b, score_cutoff=1) <= 1
    sound = sound_key(a)
    spelling = Levenshtein.normalized_similarity(a, b) if sound and sound == sound_key(b) else None
    return combined_similarity(a, b, one_edit=one_edit, spelling=spelling)
