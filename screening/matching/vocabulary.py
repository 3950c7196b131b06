"""Vocabulary: the listed words, and which of them a query word resembles.

Typo candidates come from the one-deletion neighbourhood (tokens.typo_neighbours), sound
candidates from the phonetic key, transliterations from an abjad (a vowel-less word on
either side) from the consonant skeleton (tokens.skeleton_key). Both sets grow with the vocabulary (a phonetic bucket
of a frequent key holds hundreds of words at scale), so rapidfuzz screens them in C, for
one edit and for the spelling floor of a sound match, before the exact per-pair
comparison (tokens.token_similarity) runs in Python on the few that pass.

Listed words keep their neighbours in a similarity graph, built as words arrive: a new
word's neighbours are found as for a query word, and the relation being symmetric, the
new word is also entered under each of them (removal undoes both). A query word that is
a listed word (most words of real names are) then costs one lookup. Other query words
are computed and cached; that cache depends only on which words are listed, so it is
dropped when a word appears or disappears, not on every list update.
"""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from screening.matching.scorer import SimilarTokens
from screening.matching.tokens import (
    MIN_SOUND_SPELLING,
    Resemblance,
    TokenAgreement,
    resemblance,
    similarities,
    skeleton_key,
    sound_key,
    typo_neighbours,
    unvoweled,
)

# Unlisted query words whose neighbours are kept (until the listed words change); the
# cache starts over when full, so a worker's memory stays bounded however many distinct
# names it screens.
CACHED_QUERY_WORDS = 50_000

_ITSELF = resemblance(1.0, TokenAgreement.exact)


class Vocabulary:
    """Listed words with their typo and sound neighbourhoods."""

    def __init__(self) -> None:
        # A listed word minus one letter (and the word itself) -> the listed words it comes
        # from. Millions of keys at scale, nearly all from one word: that word is the value
        # itself, a tuple only for the few keys shared.
        self._deletions: dict[str, str | tuple[str, ...]] = {}
        self._sounds: dict[str, dict[str, str]] = defaultdict(dict)  # phonetic key -> words (word -> word)
        # Consonant skeleton -> the listed words with it (the word itself when one, as
        # for deletions): read only for a vowel-less word, or to find the vowel-less
        # words a new word meets.
        self._skeletons: dict[str, str | tuple[str, ...]] = {}
        # The same for vowel-less listed words only (few): what a voweled word can meet.
        self._abjad: dict[str, set[str]] = defaultdict(set)
        self._graph: dict[str, dict[str, Resemblance]] = {}  # listed word -> neighbours
        self._cache: dict[str, dict[str, Resemblance]] = {}  # other query words

    def __contains__(self, word: object) -> bool:
        return word in self._graph

    def add(self, word: str) -> None:
        if word in self._graph:
            return
        deletions = self._deletions
        for deleted in {word, *typo_neighbours(word)}:
            held = deletions.get(deleted)
            if held is None:
                deletions[deleted] = word
            elif isinstance(held, str):
                deletions[deleted] = (held, word)
            else:
                deletions[deleted] = (*held, word)
        sound = sound_key(word)
        if sound:
            self._sounds[sound][word] = word
        skeleton = skeleton_key(word)
        if skeleton:
            held = self._skeletons.get(skeleton)
            if held is None:
                self._skeletons[skeleton] = word
            elif isinstance(held, str):
                self._skeletons[skeleton] = (held, word)
            else:
                self._skeletons[skeleton] = (*held, word)
            if unvoweled(word):
                self._abjad[skeleton].add(word)
        neighbours = self._resembling(word)
        for other, hit in neighbours.items():
            self._graph[other][word] = hit
        self._graph[word] = {word: _ITSELF, **neighbours}
        self._cache.clear()

    def remove(self, word: str) -> None:
        if word not in self._graph:
            return
        deletions = self._deletions
        for deleted in {word, *typo_neighbours(word)}:
            held = deletions.get(deleted)
            if isinstance(held, str):
                del deletions[deleted]
            elif held is not None:
                rest = tuple([w for w in held if w != word])
                deletions[deleted] = rest[0] if len(rest) == 1 else rest
        sound = sound_key(word)
        words = self._sounds.get(sound) if sound else None
        if words is not None:
            words.pop(word, None)
            if not words:
                del self._sounds[sound]
        skeleton = skeleton_key(word)
        held = self._skeletons.get(skeleton) if skeleton else None
        if isinstance(held, str):
            del self._skeletons[skeleton]
        elif held is not None:
            rest = tuple([w for w in held if w != word])
            self._skeletons[skeleton] = rest[0] if len(rest) == 1 else rest
        abjad = self._abjad.get(skeleton) if skeleton else None
        if abjad is not None:
            abjad.discard(word)
            if not abjad:
                del self._abjad[skeleton]
        for other in self._graph.pop(word):
            if other != word:
                del self._graph[other][word]
        self._cache.clear()

    def clear_query_cache(self) -> None:
        self._cache.clear()

    def similar(self, token: str) -> SimilarTokens:
        """Listed words resembling `token` (see tokens.token_similarity), itself included."""
        found = self._graph.get(token)
        if found is not None:
            return found
        found = self._cache.get(token)
        if found is None:
            if len(self._cache) >= CACHED_QUERY_WORDS:  # bounded between list changes
                self._cache.clear()
            found = self._cache[token] = self._resembling(token)
        return found

    def _resembling(self, token: str) -> dict[str, Resemblance]:
        """Listed words other than `token` that resemble it."""
        # A word is filed under its own text too, so one lookup per key finds the
        # words it is a deletion of and the word itself.
        keys = typo_neighbours(token)
        keys.append(token)
        near: set[str] = set()
        for key in keys:
            held = self._deletions.get(key)
            if isinstance(held, str):
                near.add(held)
            elif held is not None:
                near.update(held)
        near.discard(token)
        # Words sharing a deletion are up to two edits apart; a typo is one (OSA). A
        # few words are compared one by one, more in one call into C.
        if len(near) < 8:
            one_edit = [word for word in near if OSA.distance(token, word, score_cutoff=1) <= 1]
        else:
            one_edit = [hit[0] for hit in process.extract(token, near, scorer=OSA.distance, score_cutoff=1, limit=None)]
        sound = sound_key(token)
        same_sound = self._sounds.get(sound) if sound else None
        spelling: dict[str, float] = {}
        if same_sound:
            # Only a word spelled at least half alike can meet by sound.
            spelling = {
                hit[0]: hit[1]
                for hit in process.extract(
                    token,
                    same_sound,
                    scorer=Levenshtein.normalized_similarity,
                    score_cutoff=MIN_SOUND_SPELLING,
                    limit=None,
                )
                if hit[0] != token
            }
        return similarities(token, one_edit, spelling, self._same_skeleton(token))

    def _same_skeleton(self, token: str) -> list[str]:
        """Listed words other than `token` that share its consonant skeleton, one of the
        two vowel-less (tokens.same_skeleton)."""
        skeleton = skeleton_key(token)
        if not skeleton:
            return []
        if not unvoweled(token):  # the usual case: a few vowel-less words at most
            abjad = self._abjad.get(skeleton)
            return [w for w in abjad if w != token] if abjad else []
        held = self._skeletons.get(skeleton)
        if held is None:
            return []
        words = (held,) if isinstance(held, str) else held
        return [w for w in words if w != token]
