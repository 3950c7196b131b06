"""Vocabulary: the similarity graph of listed words stays equal to a fresh computation
through additions and removals."""

from __future__ import annotations

import random

from screening.matching.tokens import Resemblance, TokenAgreement, token_similarity
from screening.matching.vocabulary import Vocabulary

WORDS = [
    # Vowel-less (Arabic script transliterated) words meet voweled ones by skeleton.
    "mhmd",
    "hsyn",
    "hsn",
    "llc",
    "mohammed",
    "muhammad",
    "mohamed",
    "mohammad",
    "muhamad",
    "ali",
    "aly",
    "alee",
    "hossein",
    "hussein",
    "husain",
    "omar",
    "umar",
    "sergei",
    "sergey",
    "takashi",
    "taksahi",
    "ikeda",
    "nikitina",
    "nikitena",
    "salazar",
    "saazar",
    "trading",
    "tradin",
    "bank",
    "banc",
]


def _fresh(words: set[str], token: str) -> dict[str, Resemblance]:
    """What `similar` must answer: every listed word token_similarity accepts."""
    found: dict[str, Resemblance] = {}
    for word in words:
        similarity, why = token_similarity(token, word)
        if why is not None:
            found[word] = Resemblance(similarity, why)
    return found


def test_graph_follows_additions_and_removals() -> None:
    rng = random.Random(7)
    vocabulary = Vocabulary()
    listed: set[str] = set()
    for step in range(300):
        word = rng.choice(WORDS)
        if word in listed and step % 3 == 0:
            vocabulary.remove(word)
            listed.discard(word)
        else:
            vocabulary.add(word)
            listed.add(word)
        probe = rng.choice([*WORDS, "muhammed", "hosein", "xyz", "mhmmd", "hassan", "lucia"])
        assert dict(vocabulary.similar(probe)) == _fresh(listed, probe)
    for word in WORDS:
        assert dict(vocabulary.similar(word)) == _fresh(listed, word)


def test_a_listed_word_meets_itself_exactly_and_others_by_typo_or_sound() -> None:
    vocabulary = Vocabulary()
    for word in ("mohammed", "muhammad", "ikeda"):
        vocabulary.add(word)
    similar = vocabulary.similar("mohammed")
    assert similar["mohammed"] == Resemblance(1.0, TokenAgreement.exact)
    assert similar["muhammad"].agreement is TokenAgreement.sound
    assert "ikeda" not in similar
    assert "ikeda" in vocabulary.similar("ikeda") and "ikeba" not in vocabulary
    assert vocabulary.similar("ikeba")["ikeda"].agreement is TokenAgreement.typo
