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
from collections.abc import Collection, Sequence
from itertools import combinations, pairwise

from screening.matching.scorer import INITIAL_BOUND, SimilarTokens
from screening.matching.vocabulary import CACHED_QUERY_WORDS

# Above this many names a word is retrieved through pairs. Lower means more pairs filed
# (memory) and shorter walks; 24 keeps the longest walked list well under a millisecond.
PAIRED_MIN_DF = 24
# The largest answer for two query words kept across queries (TokenPostings._shared).
KEPT_SHARED_MAX = 64

Pair = tuple[str, str]


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


class ListedWord:
    """What the index files under one listed word: the names holding it, log(their count
    + 1) (the word's weight is log_scale minus this), and whether it is common enough to
    be retrieved through pairs. One record, so a query reads one entry per word."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names: set[int] = set()
        # The id of its one name, or -1: most listed words belong to one name, and
        # retrieval takes that id from here without reading the set.
        self.only = -1
        self.log_df = 0.0
        self.paired = False
        # The listed words it resembles, itself first, in the order of its neighbours in
        # the vocabulary (`TokenPostings.link`): a query for it reads their records
        # without a lookup each.
        self.resembled: list[ListedWord] = [self]


def _name_pairs(records: tuple[ListedWord, ...]) -> set[Pair]:
    """The pairs of a name's paired words it is filed under."""
    paired = [r.text for r in records if r.paired]
    return {_pair(a, b) for a, b in combinations(paired, 2)}


class TokenPostings:
    """Posting sets per word, per joined neighbour pair, and per pair of paired words."""

    def __init__(self) -> None:
        self.words: dict[str, ListedWord] = {}
        # Two neighbouring words run together -> the names holding them: most such keys
        # come from one name, held as its id rather than a set.
        self.joined: dict[str, int | set[int]] = {}
        self._pairs: dict[Pair, set[int]] = {}
        self._name_words: dict[int, tuple[ListedWord, ...]] = {}  # per name, its words in order
        # Per query word, until the next change: see `word_sources`.
        self._sources: dict[str, _WordSources] = {}
        # Per two query words with no joined neighbour: the names meeting both
        # (`_Sources.shared`), until the next change. The words of real names recur in
        # pairs (NORDIC SUPPLY, TRADING CO) far more often than whole names do, and most
        # such pairs meet no name: the empty tuple, shared. Tuples, as they are kept across
        # queries (the collector stops walking a tuple of ints); larger answers are not
        # kept (memory), each costs more to score than to find.
        self._shared: dict[Pair, tuple[int, ...]] = {}
        # Per word whose count changed since `take_risen` last took it: its lowest log_df
        # since then; `drift` is the most any word rose above that (NameIndex keeps
        # per-name sums of log_df and bounds how stale they are with it).
        self._low_log_df: dict[str, float] = {}
        self.drift = 0.0

    def __contains__(self, word: object) -> bool:
        return word in self.words

    # ------------------------------------------------------------------ updates
    def add(self, name_id: int, tokens: tuple[str, ...]) -> tuple[tuple[ListedWord, ...], list[str]]:
        """File a name; returns its words' records (in its order) and the words new to
        the index."""
        self._sources.clear()
        self._shared.clear()
        words, low_log_df = self.words, self._low_log_df
        new: list[str] = []
        found: list[ListedWord] = []
        for token in tokens:
            word = words.get(token)
            if word is None:
                word = words[token] = ListedWord(token)
                new.append(token)
            found.append(word)
        records = self._name_words[name_id] = tuple(found)
        for word in set(records):
            word.names.add(name_id)
            word.only = name_id if len(word.names) == 1 else -1
            token = word.text
            low = low_log_df.get(token)
            if low is None:
                low = low_log_df[token] = word.log_df
            log_df = word.log_df = math.log(len(word.names) + 1)
            if log_df - low > self.drift:
                self.drift = log_df - low
            if len(word.names) > PAIRED_MIN_DF and not word.paired:
                self._pair_up(word)
        for key in _name_pairs(records):
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
        return records, new

    def remove(self, name_id: int) -> list[str]:
        """Forget a name; returns the words no name holds any more."""
        self._sources.clear()
        self._shared.clear()
        records = self._name_words.pop(name_id)
        for key in _name_pairs(records):
            bucket = self._pairs[key]
            bucket.discard(name_id)
            if not bucket:
                del self._pairs[key]
        gone: list[str] = []
        for word in set(records):
            word.names.discard(name_id)
            word.only = next(iter(word.names)) if len(word.names) == 1 else -1
            token = word.text
            # A count only falls here: a new lowest log_df for the word.
            if word.names:
                log_df = word.log_df = math.log(len(word.names) + 1)
                if log_df < self._low_log_df.get(token, log_df + 1.0):
                    self._low_log_df[token] = log_df
                continue
            self._low_log_df[token] = 0.0
            del self.words[token]  # its pairs emptied with its last name
            for other in word.resembled:  # as the vocabulary drops it from their neighbours
                if other is not word:
                    other.resembled.remove(word)
            word.resembled = []
            gone.append(token)
        joined = self.joined
        for left, right in pairwise(records):
            run_together = left.text + right.text
            held = joined.get(run_together)
            if isinstance(held, int):
                if held == name_id:
                    del joined[run_together]
            elif held is not None:
                held.discard(name_id)
                if len(held) == 1:
                    joined[run_together] = next(iter(held))
        return gone

    def link(self, token: str, similar: SimilarTokens) -> None:
        """Listed word `token`, new to the vocabulary, resembles `similar` (its neighbours
        there, itself first); each of them now resembles it too, last, as the vocabulary
        enters it after their other neighbours."""
        words = self.words
        word = words[token]
        word.resembled = [words[text] for text in similar]
        for other in word.resembled:
            if other is not word:
                other.resembled.append(word)

    def clear_query_cache(self) -> None:
        self._sources.clear()
        self._shared.clear()

    def split(self, joined: str) -> tuple[str, str] | None:
        """The two neighbouring words of a listed name that `joined` runs together (of
        several names holding such neighbours, the one with the lowest id), or None."""
        held = self.joined.get(joined)
        if held is None:
            return None
        for left, right in pairwise(self._name_words[held if isinstance(held, int) else min(held)]):
            if left.text + right.text == joined:
                return left.text, right.text
        return None

    def take_risen(self, limit: float) -> list[str]:
        """The listed words whose log_df rose more than `limit` since it was last taken:
        the caller re-reads them for every name holding them. From here on `drift` is
        the most any other word has risen."""
        words = self.words
        risen: list[str] = []
        kept: dict[str, float] = {}
        drift = 0.0
        for token, low in self._low_log_df.items():
            word = words.get(token)
            if word is None:  # no name holds it any more
                continue
            if word.log_df - low > limit:
                risen.append(token)
            else:
                kept[token] = low
                if word.log_df - low > drift:
                    drift = word.log_df - low
        self._low_log_df = kept  # a new dict: a dict keeps its size after deletions
        self.drift = drift
        return risen

    def _pair_up(self, word: ListedWord) -> None:
        """`word` became common: file its names under their pairs with it."""
        word.paired = True
        token = word.text
        for name_id in word.names:
            seen_self = False
            for other in self._name_words[name_id]:
                if other is word and not seen_self:
                    seen_self = True
                    continue
                if other.paired:
                    self._pairs.setdefault(_pair(token, other.text), set()).add(name_id)

    # ------------------------------------------------------------------ retrieval
    def word_sources(self, token: str, similar: SimilarTokens) -> _WordSources:
        """The sources of a query word that do not depend on its neighbours, cached per
        word until the index changes (frequent words recur across queries): the listed
        words it resembles and a listed initial of its letter, split by commonness."""
        cached = self._sources.get(token)
        if cached is not None:
            return cached
        words = self.words
        similarities = [hit.similarity for hit in similar.values()]
        listed = words.get(token)
        # A listed word's `similar` is its vocabulary neighbours, whose records it keeps.
        resembled = listed.resembled if listed is not None else [words[text] for text in similar]
        lists: list[set[int]] = []
        singles: list[int] = []
        common: list[ListedWord] = []
        met = resembled
        if len(token) > 1 and (initial := words.get(token[0])) is not None:
            met = [*resembled, initial]
        for word in met:
            if word.paired:
                common.append(word)
            elif word.only >= 0:
                singles.append(word.only)
            else:
                lists.append(word.names)
        joined = self.joined.get(token)
        if isinstance(joined, int):
            singles.append(joined)
        elif joined is not None:
            lists.append(joined)
        if len(self._sources) >= CACHED_QUERY_WORDS:  # bounded between list changes
            self._sources.clear()
        cached = self._sources[token] = _WordSources(resembled, similarities, lists, singles, common)
        return cached

    def reachable(self, tokens: Sequence[str], similar: Sequence[SimilarTokens]) -> set[ListedWord]:
        """Every listed word some query word could pair with whole: the words they
        resemble (themselves included when listed) and two neighbours joined."""
        found: set[ListedWord] = set()
        for token, sims in zip(tokens, similar, strict=True):
            found.update(self.word_sources(token, sims).resembled)
        words = self.words
        for left, right in pairwise(tokens):
            joined = words.get(left + right)
            if joined is not None:
                found.add(joined)
        return found

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
        free = INITIAL_BOUND * sum(w for t, w in zip(tokens, weights, strict=True) if len(t) == 1)
        alone = needed - free  # what one source must bring to make a name wanted on its own
        sources = _Sources(self, tokens, similar, log_scale)
        found: set[int] = set()
        walked_whole: set[int] = set()
        for i, weight in enumerate(weights):
            if weight < alone:
                continue  # no source of this word is enough on its own (each bound <= weight)
            if sources.collect(i, weight, alone, found):
                walked_whole.add(i)
        # Heaviest first; a stable sort keeps equal weights in query order either way.
        order = sorted(range(len(tokens)), key=weights.__getitem__, reverse=True)
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
                    found.update(sources.shared_kept(i, j))
        return found


class _WordSources:
    """Where one query word can be met, apart from its neighbours: the listed words it
    resembles (`resembled`, with their similarities), and their lists split by
    commonness: the lists of the uncommon words it meets (and of names holding it as two
    neighbours), the one name of those held by one name only (`singles`), and the common
    (paired) words it meets."""

    def __init__(
        self,
        resembled: list[ListedWord],
        similarities: list[float],
        lists: list[set[int]],
        singles: list[int],
        common: list[ListedWord],
    ) -> None:
        self.resembled = resembled
        self.similarities = similarities
        self.lists = lists
        self.singles = singles
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
        self._neighbour_lists: list[list[tuple[set[int], float]]] | None = None
        self._shorts: dict[int, set[int]] = {}

    def _word(self, i: int) -> _WordSources:
        held = self._words.get(i)
        if held is None:
            held = self._words[i] = self._index.word_sources(self._tokens[i], self._similar[i])
        return held

    def _neighbours(self, i: int) -> list[tuple[set[int], float]]:
        """Listed words that are query word i joined with a neighbour, and their weight
        (read only)."""
        held = self._neighbour_lists
        if held is None:
            held = self._neighbour_lists = self._all_neighbours()
        return held[i]

    def _all_neighbours(self) -> list[list[tuple[set[int], float]]]:
        """`_neighbours` of every query word, each two neighbours run together looked up
        once (most such runs are no listed word: then every word's list is empty)."""
        tokens, words, log_scale = self._tokens, self._index.words, self._log_scale
        count = len(tokens)
        joined = [words.get(tokens[k] + tokens[k + 1]) for k in range(count - 1)]
        if all(word is None for word in joined):
            return [_NO_NEIGHBOURS] * count
        found: list[list[tuple[set[int], float]]] = []
        for i in range(count):
            mine: list[tuple[set[int], float]] = []
            for word in (joined[i] if i + 1 < count else None, joined[i - 1] if i > 0 else None):
                if word is not None:
                    mine.append((word.names, log_scale - word.log_df))
            found.append(mine)
        return found

    def collect(self, i: int, weight: float, alone: float, found: set[int]) -> bool:
        """Add to `found` the names of query word i's source lists where a name can share
        `alone` through that source; True if every list was taken whole. A source bounds
        what a name found there shares through it: the similarity times the smaller of
        the two words' weights (two query words meeting one joined listed word share
        it; each is credited with at most the listed word's weight, which bounds the
        pair's share)."""
        index, log_scale = self._index, self._log_scale
        words = index.words
        whole = True
        sources = self._word(i)
        for word, similarity in zip(sources.resembled, sources.similarities, strict=True):
            cap = log_scale - word.log_df
            if similarity * (weight if weight < cap else cap) >= alone:
                if word.only >= 0:
                    found.add(word.only)
                else:
                    found.update(word.names)
            else:
                whole = False
        token = self._tokens[i]
        if len(token) > 1 and (initial := words.get(token[0])) is not None:
            cap = log_scale - initial.log_df
            if INITIAL_BOUND * (weight if weight < cap else cap) >= alone:
                found.update(initial.names)
            else:
                whole = False
        joined = index.joined.get(token)
        if joined is not None:
            if weight < alone:
                whole = False
            elif isinstance(joined, int):
                found.add(joined)
            else:
                found.update(joined)
        for names, cap in self._neighbours(i):
            if (weight if weight < cap else cap) >= alone:
                found.update(names)
            else:
                whole = False
        return whole

    def _short(self, i: int) -> set[int]:
        """Query word i's uncommon lists and neighbour lists merged (read only). Kept for
        this query only: large merged sets kept across queries would make the garbage
        collector's young generation slow to walk."""
        held = self._shorts.get(i)
        if held is None:
            sources = self._word(i)
            lists = sources.lists + [names for names, _ in self._neighbours(i)]
            held = self._shorts[i] = _merged(lists, sources.singles)
        return held

    def shared_kept(self, i: int, j: int) -> Collection[int]:
        """`shared`, kept across queries (TokenPostings._shared) when neither word has a
        joined neighbour: what it depends on then is the two words and the index alone."""
        if self._neighbours(i) or self._neighbours(j):
            return self.shared(i, j)
        key = (self._tokens[i], self._tokens[j])
        kept = self._index._shared
        held = kept.get(key)
        if held is None:
            found = self.shared(i, j)
            if len(found) > KEPT_SHARED_MAX:
                return found
            held = tuple(found) if found else ()
            if len(kept) >= CACHED_QUERY_WORDS:  # bounded between list changes
                kept.clear()
            kept[key] = held
        return held

    def shared(self, i: int, j: int) -> set[int]:
        """Names meeting both query words i and j."""
        word_i, word_j = self._word(i), self._word(j)
        if not (word_i.common and word_j.common):
            # At most one side meets common words: merge the smaller side and intersect
            # it with each list of the other (each intersection walks the smaller set).
            lists_i, singles_i = self._all_lists(i, word_i), word_i.singles
            lists_j, singles_j = self._all_lists(j, word_j), word_j.singles
            if len(lists_i) == 1 and len(lists_j) == 1 and not singles_i and not singles_j:
                return lists_i[0] & lists_j[0]
            size_i = sum([len(names) for names in lists_i]) + len(singles_i)
            if size_i > sum([len(names) for names in lists_j]) + len(singles_j):
                lists_i, lists_j, singles_i, singles_j = lists_j, lists_i, singles_j, singles_i
            small = _merged(lists_i, singles_i)
            found: set[int] = set()
            for names in lists_j:
                found.update(small.intersection(names))
            for name_id in singles_j:
                if name_id in small:
                    found.add(name_id)
            return found
        short_i, short_j = self._short(i), self._short(j)
        found = short_i & short_j
        for word in word_j.common:
            found.update(short_i.intersection(word.names))
        for word in word_i.common:
            found.update(short_j.intersection(word.names))
        pairs = self._index._pairs
        for word in word_i.common:
            for other in word_j.common:
                found.update(pairs.get(_pair(word.text, other.text), ()))
        return found

    def _all_lists(self, i: int, word: _WordSources) -> list[set[int]]:
        """Every list of query word i's sources (its singles apart)."""
        return word.lists + [w.names for w in word.common] + [names for names, _ in self._neighbours(i)]


# The neighbours of a query word when none of its runs with a neighbour is a listed word;
# shared, never written to.
_NO_NEIGHBOURS: list[tuple[set[int], float]] = []


def _merged(lists: list[set[int]], singles: list[int]) -> set[int]:
    """The names of `lists` and `singles` in one set (one of `lists` itself, read only,
    when that is all)."""
    if not singles and len(lists) == 1:
        return lists[0]
    merged = set(singles)
    merged.update(*lists)
    return merged
