"""Inverted lists of listed names, and candidate retrieval that stays short for common words.

Every word has a posting set (the ids of the names that contain it), and every two
adjacent words are also filed joined (AL RASHID under ALRASHID). A word whose posting
outgrows PAIRED_MIN_DF becomes "paired": from then on each name holding two paired words
is also filed under that pair, so a query made only of common words (a frequent given
name and a frequent surname) opens one short pair list instead of two long word lists.

Retrieval is exact with respect to the scorer's bound (a name reaches the threshold only
if the query weight it matches is at least `needed`); see `TokenPostings.candidates`.
Adding or removing a name touches only its own words, except once per word that becomes
paired: that word's names are then filed under their pairs (at most PAIRED_MIN_DF + 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations, pairwise

from screening.matching.scorer import INITIAL_SIMILARITY, SimilarTokens
from screening.matching.vocabulary import CACHED_QUERY_WORDS

# Above this many names a word is retrieved through pairs. Lower means more pairs filed
# (memory) and shorter walks; 24 keeps the longest walked list well under a millisecond.
PAIRED_MIN_DF = 24

Pair = tuple[str, str]


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


class TokenPostings:
    """Posting sets per word, per joined neighbour pair, and per pair of paired words."""

    def __init__(self) -> None:
        self.postings: dict[str, set[int]] = {}
        self.log_df: dict[str, float] = {}  # word -> log(document frequency + 1)
        # Two neighbouring words run together -> the names holding them: most such keys
        # come from one name, held as its id rather than a set (`joined_names`).
        self.joined: dict[str, int | set[int]] = {}
        self._paired: set[str] = set()
        self._pairs: dict[Pair, set[int]] = {}
        self._tokens: dict[int, tuple[str, ...]] = {}
        # Per query word, until the next change: see _Sources._word.
        self._sources: dict[str, _WordSources] = {}
        # Per word whose count changed since `take_risen` last took it: its lowest log_df
        # since then; `drift` is the most any word rose above that (NameIndex keeps
        # per-name sums of log_df and bounds how stale they are with it).
        self._low_log_df: dict[str, float] = {}
        self.drift = 0.0

    def __contains__(self, word: object) -> bool:
        return word in self.postings

    # ------------------------------------------------------------------ updates
    def add(self, name_id: int, tokens: tuple[str, ...]) -> list[str]:
        """File a name; returns the words new to the index."""
        self._sources.clear()
        self._tokens[name_id] = tokens
        new: list[str] = []
        low_log_df = self._low_log_df
        for token in set(tokens):
            posting = self.postings.get(token)
            if posting is None:
                posting = self.postings[token] = set()
                new.append(token)
            posting.add(name_id)
            low = low_log_df.get(token)
            if low is None:
                low = low_log_df[token] = self.log_df.get(token, 0.0)
            log_df = self.log_df[token] = math.log(len(posting) + 1)
            if log_df - low > self.drift:
                self.drift = log_df - low
            if len(posting) > PAIRED_MIN_DF and token not in self._paired:
                self._pair_up(token)
        for key in self._name_pairs(tokens):
            self._pairs.setdefault(key, set()).add(name_id)
        joined = self.joined
        for left, right in pairwise(tokens):
            held = joined.get(left + right)
            if held is None:
                joined[left + right] = name_id
            elif isinstance(held, int):
                if held != name_id:
                    joined[left + right] = {held, name_id}
            else:
                held.add(name_id)
        return new

    def remove(self, name_id: int) -> list[str]:
        """Forget a name; returns the words no name holds any more."""
        self._sources.clear()
        tokens = self._tokens.pop(name_id)
        for key in self._name_pairs(tokens):
            bucket = self._pairs[key]
            bucket.discard(name_id)
            if not bucket:
                del self._pairs[key]
        gone: list[str] = []
        for token in set(tokens):
            posting = self.postings[token]
            posting.discard(name_id)
            # A count only falls here: a new lowest log_df for the word.
            if posting:
                log_df = self.log_df[token] = math.log(len(posting) + 1)
                if log_df < self._low_log_df.get(token, log_df + 1.0):
                    self._low_log_df[token] = log_df
                continue
            self._low_log_df[token] = 0.0
            del self.postings[token]
            del self.log_df[token]
            self._paired.discard(token)  # its pairs emptied with its last name
            gone.append(token)
        joined = self.joined
        for left, right in pairwise(tokens):
            held = joined.get(left + right)
            if isinstance(held, int):
                if held == name_id:
                    del joined[left + right]
            elif held is not None:
                held.discard(name_id)
                if len(held) == 1:
                    joined[left + right] = next(iter(held))
        return gone

    def split(self, joined: str) -> tuple[str, str] | None:
        """The two neighbouring words of a listed name that `joined` runs together (the
        earliest filed name holding such neighbours decides), or None."""
        held = self.joined.get(joined)
        if held is None:
            return None
        for left, right in pairwise(self._tokens[held if isinstance(held, int) else min(held)]):
            if left + right == joined:
                return left, right
        return None

    def joined_names(self, joined: str) -> set[int] | None:
        """The names holding two neighbouring words that `joined` runs together."""
        held = self.joined.get(joined)
        if isinstance(held, int):
            return {held}
        return held

    def take_risen(self, limit: float) -> list[str]:
        """The listed words whose log_df rose more than `limit` since it was last taken:
        the caller re-reads them for every name holding them. From here on `drift` is
        the most any other word has risen."""
        log_df = self.log_df
        risen: list[str] = []
        kept: dict[str, float] = {}
        drift = 0.0
        for word, low in self._low_log_df.items():
            now = log_df.get(word)
            if now is None:  # no name holds it any more
                continue
            if now - low > limit:
                risen.append(word)
            else:
                kept[word] = low
                if now - low > drift:
                    drift = now - low
        self._low_log_df = kept  # a new dict: a dict keeps its size after deletions
        self.drift = drift
        return risen

    def _name_pairs(self, tokens: tuple[str, ...]) -> set[Pair]:
        paired = [t for t in tokens if t in self._paired]
        return {_pair(a, b) for a, b in combinations(paired, 2)}

    def _pair_up(self, token: str) -> None:
        """`token` became common: file its names under their pairs with it."""
        self._paired.add(token)
        for name_id in self.postings[token]:
            tokens = self._tokens[name_id]
            seen_self = False
            for other in tokens:
                if other == token and not seen_self:
                    seen_self = True
                    continue
                if other in self._paired:
                    self._pairs.setdefault(_pair(token, other), set()).add(name_id)

    # ------------------------------------------------------------------ retrieval
    def candidates(
        self,
        tokens: Sequence[str],
        weights: Sequence[float],
        similar: Sequence[SimilarTokens],
        needed: float,
        log_scale: float,
    ) -> set[int]:
        """Every name that could share query weight >= `needed` (the scorer's "shared":
        an aligned pair counts its similarity times the smaller of its two weights, and
        a listed word weighs at most its IDF, log_scale - log(df + 1)).

        A query word is met through its sources: the listed words it resembles
        (`similar`), a listed initial of its letter, or a joined neighbour pair on either
        side; each source bounds what a name found through it can share. A query initial
        meets any listed word of its letter, which no list enumerates, so what it can add
        counts as free. A name that meets one query word only is wanted only if that one
        source (with the free weight) is enough: such sources' lists are walked whole.
        Any other wanted name meets two words i, j, the heaviest two of what it meets,
        and all it meets weighs at most w_i + w_j + every word lighter than j: only pairs
        where that reaches `needed` are opened, each as the intersection of the two
        words' lists (set operations in C, or one short pair list when both
        sides are common words).
        """
        free = INITIAL_SIMILARITY * sum(w for t, w in zip(tokens, weights, strict=True) if len(t) == 1)
        alone = needed - free  # what one source must bring to make a name wanted on its own
        sources = _Sources(self, tokens, similar, log_scale)
        found: set[int] = set()
        walked_whole: set[int] = set()
        for i, weight in enumerate(weights):
            if weight < alone:
                continue  # no source of this word is enough on its own (each bound <= weight)
            if sources.collect(i, weight, alone, found):
                walked_whole.add(i)
        order = sorted(range(len(tokens)), key=lambda i: -weights[i])
        tail = [0.0] * (len(order) + 1)
        for rank in range(len(order) - 1, -1, -1):
            tail[rank] = tail[rank + 1] + weights[order[rank]]
        for rank, i in enumerate(order):
            if i in walked_whole:
                continue
            for later in range(rank + 1, len(order)):
                j = order[later]
                if weights[i] + weights[j] + tail[later + 1] + free < needed:
                    break
                if j not in walked_whole:
                    found.update(sources.shared(i, j))
        return found


class _WordSources:
    """Where one query word can be met, apart from its neighbours: the unpaired lists and
    the paired words."""

    def __init__(self, lists: list[set[int]], common: list[str]) -> None:
        self.lists = lists
        self.common = common


class _Sources:
    """One query's word sources."""

    def __init__(
        self, index: TokenPostings, tokens: Sequence[str], similar: Sequence[SimilarTokens], log_scale: float
    ) -> None:
        self._index = index
        self._tokens = tokens
        self._similar = similar
        self._log_scale = log_scale
        self._words: dict[int, _WordSources] = {}
        self._neighbour_lists: dict[int, list[tuple[set[int], float]]] = {}
        self._all: dict[int, list[set[int]]] = {}
        self._common: dict[int, bool] = {}
        self._shorts: dict[int, set[int]] = {}

    def _listed(self, i: int) -> list[str]:
        """The listed words query word i meets: those it resembles, a listed initial."""
        token = self._tokens[i]
        words = list(self._similar[i])
        if len(token) > 1 and token[0] in self._index.postings:
            words.append(token[0])
        return words

    def _word(self, i: int) -> _WordSources:
        """The sources of query word i that do not depend on its neighbours, cached per
        word until the index changes (frequent words recur across queries)."""
        held = self._words.get(i)
        if held is not None:
            return held
        index, token = self._index, self._tokens[i]
        cached = index._sources.get(token)
        if cached is None:
            postings, paired = index.postings, index._paired
            words = self._listed(i)
            lists = [postings[word] for word in words if word not in paired]
            joined = index.joined_names(token)
            if joined:
                lists.append(joined)
            if len(index._sources) >= CACHED_QUERY_WORDS:  # bounded between list changes
                index._sources.clear()
            cached = index._sources[token] = _WordSources(lists, [word for word in words if word in paired])
        self._words[i] = cached
        return cached

    def _neighbours(self, i: int) -> list[tuple[set[int], float]]:
        """Listed words that are query word i joined with a neighbour, and their weight."""
        held = self._neighbour_lists.get(i)
        if held is not None:
            return held
        tokens, postings, log_df = self._tokens, self._index.postings, self._index.log_df
        found: list[tuple[set[int], float]] = []
        after = tokens[i] + tokens[i + 1] if i + 1 < len(tokens) else ""
        before = tokens[i - 1] + tokens[i] if i > 0 else ""
        for word in (after, before):
            if word in postings:
                found.append((postings[word], self._log_scale - log_df[word]))
        self._neighbour_lists[i] = found
        return found

    def collect(self, i: int, weight: float, alone: float, found: set[int]) -> bool:
        """Add to `found` the names of query word i's source lists where a name can share
        `alone` through that source; True if every list was taken whole. A source bounds
        what a name found there shares through it: the similarity times the smaller of
        the two words' weights (two query words meeting one joined listed word share
        it; each is credited with at most the listed word's weight, which bounds the
        pair's share)."""
        index, similar, log_scale = self._index, self._similar[i], self._log_scale
        postings, log_df = index.postings, index.log_df
        whole = True
        for word, hit in similar.items():
            cap = log_scale - log_df[word]
            if hit.similarity * (weight if weight < cap else cap) >= alone:
                found.update(postings[word])
            else:
                whole = False
        token = self._tokens[i]
        if len(token) > 1 and (initial := postings.get(token[0])) is not None:
            cap = log_scale - log_df[token[0]]
            if INITIAL_SIMILARITY * (weight if weight < cap else cap) >= alone:
                found.update(initial)
            else:
                whole = False
        joined = index.joined_names(token)
        if joined:
            if weight >= alone:
                found.update(joined)
            else:
                whole = False
        for posting, cap in self._neighbours(i):
            if (weight if weight < cap else cap) >= alone:
                found.update(posting)
            else:
                whole = False
        return whole

    def _has_common(self, i: int) -> bool:
        """Whether query word i meets a paired word (the test runs in C)."""
        held = self._common.get(i)
        if held is None:
            paired, token = self._index._paired, self._tokens[i]
            held = self._common[i] = not paired.isdisjoint(self._similar[i]) or (
                len(token) > 1 and token[0] in paired
            )
        return held

    def _all_lists(self, i: int) -> list[set[int]]:
        """Every list of query word i's sources (built without the per-word cache: one
        C pass over the words it resembles)."""
        held = self._all.get(i)
        if held is None:
            index, token = self._index, self._tokens[i]
            postings = index.postings
            held = list(map(postings.__getitem__, self._similar[i]))
            if len(token) > 1 and (initial := postings.get(token[0])) is not None:
                held.append(initial)
            joined = index.joined_names(token)
            if joined:
                held.append(joined)
            held += [p for p, _ in self._neighbours(i)]
            self._all[i] = held
        return held

    def _short(self, i: int) -> set[int]:
        """Query word i's unpaired lists and neighbour lists merged (read only). Kept for
        this query only: large merged sets kept across queries would make the garbage
        collector's young generation slow to walk."""
        held = self._shorts.get(i)
        if held is None:
            lists = self._word(i).lists + [p for p, _ in self._neighbours(i)]
            held = self._shorts[i] = lists[0] if len(lists) == 1 else set().union(*lists)
        return held

    def shared(self, i: int, j: int) -> set[int]:
        """Names meeting both query words i and j."""
        if not (self._has_common(i) and self._has_common(j)):
            # At most one side holds common words: merge the smaller side and intersect
            # it with each list of the other (each intersection walks the smaller set).
            lists_i, lists_j = self._all_lists(i), self._all_lists(j)
            if len(lists_i) == 1 and len(lists_j) == 1:
                return lists_i[0] & lists_j[0]
            if sum(map(len, lists_i)) > sum(map(len, lists_j)):
                lists_i, lists_j = lists_j, lists_i
            small = lists_i[0] if len(lists_i) == 1 else set().union(*lists_i)
            return set().union(*map(small.intersection, lists_j))
        common_i, common_j = self._word(i).common, self._word(j).common
        short_i, short_j = self._short(i), self._short(j)
        postings, pairs = self._index.postings, self._index._pairs
        found = short_i & short_j
        found.update(*map(short_i.intersection, map(postings.__getitem__, common_j)))
        found.update(*map(short_j.intersection, map(postings.__getitem__, common_i)))
        for word in common_i:
            for other in common_j:
                found.update(pairs.get(_pair(word, other), ()))
        return found
