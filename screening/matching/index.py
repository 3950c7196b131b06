"""NameIndex: every listed name and alias, searchable without scanning them all.

Each name is normalised once and its words go into inverted lists (postings.py). A query
word finds the listed words it resembles through the vocabulary (exact, one-deletion
neighbourhood for typos, phonetic key for transliterations; vocabulary.py). The scorer's
bound says how much of the query's weight a name must match to reach the threshold, and
retrieval opens only the lists that can hold such a name; two arithmetic bounds then drop
most candidates before the full alignment.

Token weights are inverse document frequencies over the whole index, computed at query
time from per-word counts, so a search restricted with `only_keys` scores those entries
exactly as an unrestricted one does, and no update leaves other names' weights stale.
Upsert and remove touch only the entry's own names.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Collection, Iterable, Mapping

from schemas.lists import EntryKind, ListEntry
from screening.matching.config import MatchConfig, NameMatch
from screening.matching.explain import explain
from screening.matching.normalize import NameTokens, TokenRole, normalize_name, token_role
from screening.matching.postings import ListedWord, TokenPostings
from screening.matching.scorer import (
    QUERY_INITIAL_SHARE,
    NameScore,
    SimilarTokens,
    WeightedName,
    least_factors,
    max_bonus,
    person_parts,
    score_names,
)
from screening.matching.vocabulary import Vocabulary

# Legal forms, particles and titles say little about who a party is.
ROLE_FACTOR: dict[TokenRole, float] = {
    TokenRole.identity: 1.0,
    TokenRole.particle: 0.3,
    TokenRole.legal: 0.25,
    TokenRole.title: 0.3,
    TokenRole.initial: 0.3,
}
# How far the per-name sums of log_df may trail the counts before a search re-reads the
# names holding the words that moved (a name's weight floor is then loose by at most its
# factor sum times this).
DRIFT_LIMIT = 0.05
# OFAC calls weak a.k.a.s "relatively broad or generic": a hit on one needs more.
WEAK_ALIAS_PENALTY = 0.08

# Query identifier types (contract PartyIds) -> identifier keys the list parsers emit.
ID_KEYS: dict[str, tuple[str, ...]] = {
    "imo": ("imo", "vessel_registration_identification"),
    "lei": ("lei", "legal_entity_number"),
    "vat": ("vat", "vat_number", "tax_id_no"),
    "duns": ("duns", "d_u_n_s_number"),
}


class _ListedName:
    """One listed name or alias, normalised once."""

    def __init__(
        self,
        key: str,
        text: str,
        words: tuple[ListedWord, ...],
        roles: tuple[TokenRole, ...],
        weak: bool,
        person: bool,
    ) -> None:
        self.key = key
        self.text = text  # as listed
        # The index's records of its words, in order (shared with the postings): a search
        # reads a word's count from its record, not through a dictionary lookup.
        self.words = words
        self.weak = weak
        self.factors, self.identity, self.given, self.surname, self.least = _role_weights(roles, person)
        # The least the scorer can count the name with (scorer.least_weight) is
        # least_sum * log_scale - (sum of least factor * log_df over its words); that sum
        # as last read is df_sum. With S_now <= df_sum + least_sum * drift,
        # least_sum * (log_scale - drift) - df_sum is a floor on it.
        self.least_sum = sum(self.least)
        self.df_sum = 0.0
        # The same with the full role factors (its weight itself): for a person's name,
        # above the cut only the partial-name and initial rules can bring it in.
        self.factor_sum = sum(self.factors)
        self.full_df_sum = 0.0

    def tokens(self) -> tuple[str, ...]:
        return tuple([word.text for word in self.words])

    def read_counts(self) -> None:
        total = 0.0
        for factor, word in zip(self.least, self.words, strict=True):
            total += factor * word.log_df
        self.df_sum = total
        if self.surname >= 0:
            total = 0.0
            for factor, word in zip(self.factors, self.words, strict=True):
                total += factor * word.log_df
        self.full_df_sum = total


_RoleWeights = tuple[tuple[float, ...], tuple[bool, ...], int, int, tuple[float, ...]]
# Per pattern of roles (and whether it is a person's): the role factors, identity flags,
# given name and surname positions and least factors of its words. Few patterns occur,
# so names share these instead of holding their own.
_ROLE_WEIGHTS: dict[tuple[tuple[TokenRole, ...], bool], _RoleWeights] = {}


def _role_weights(roles: tuple[TokenRole, ...], person: bool) -> _RoleWeights:
    found = _ROLE_WEIGHTS.get((roles, person))
    if found is None:
        factors = tuple([ROLE_FACTOR[r] for r in roles])
        identity = tuple([r is TokenRole.identity for r in roles])
        given, surname = person_parts(identity) if person else (-1, -1)
        found = _ROLE_WEIGHTS[(roles, person)] = (
            factors,
            identity,
            given,
            surname,
            least_factors(factors, surname),
        )
    return found


class _Entry:
    def __init__(
        self,
        list_code: str,
        source_id: str,
        kind: EntryKind,
        countries: frozenset[str],
        ids: Mapping[str, tuple[str, ...]],
        name_ids: tuple[int, ...],
    ) -> None:
        self.list_code = list_code
        self.source_id = source_id
        self.kind = kind
        self.countries = countries
        self.ids = ids
        self.name_ids = name_ids


def _entry_ids(entry: ListEntry) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for key, value in (entry.ids or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        found[key.lower()] = tuple(str(v).split("(")[0] for v in values)
    return found


def _names_of(entry: ListEntry) -> Iterable[tuple[str, bool]]:
    yield entry.name, False
    for alias in entry.aliases:
        yield alias, False
    strong = {entry.name, *entry.aliases}
    for alias in entry.weak_aliases:
        if alias not in strong:
            yield alias, True


class NameIndex:
    """In-memory index of list entries' names; see the module docstring."""

    def __init__(self, config: MatchConfig | None = None) -> None:
        self.config = config or MatchConfig()
        self._entries: dict[str, _Entry] = {}
        # By name id; a removed name's slot is None until a new name reuses its id.
        self._names: list[_ListedName | None] = []
        self._free_ids: list[int] = []
        self._postings = TokenPostings()
        self._vocabulary = Vocabulary()

    # ------------------------------------------------------------------ updates
    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    @property
    def name_count(self) -> int:
        return len(self._names) - len(self._free_ids)

    def _listed(self) -> Iterable[tuple[int, _ListedName]]:
        """Every listed name with its id."""
        return ((name_id, listed) for name_id, listed in enumerate(self._names) if listed is not None)

    def upsert(self, entry: ListEntry) -> None:
        """Add the entry, or replace the one with the same key."""
        key = entry.key
        self.remove(key)
        name_ids: list[int] = []
        seen: set[tuple[str, ...]] = set()
        for text, weak in _names_of(entry):
            tokens = normalize_name(text, entry.kind)
            if not tokens.tokens or tokens.tokens in seen:
                continue
            seen.add(tokens.tokens)
            if self._free_ids:
                name_id = self._free_ids.pop()
            else:
                name_id = len(self._names)
                self._names.append(None)
            # Interned: the index's dictionaries (100,000s of words) then find a listed
            # word by identity, not by comparing its characters.
            words, new = self._postings.add(name_id, tuple([sys.intern(t) for t in tokens.tokens]))
            for word in new:
                self._vocabulary.add(word)
                self._postings.link(word, self._vocabulary.similar(word))
            listed = self._names[name_id] = _ListedName(
                key, text, words, tokens.roles, weak, entry.kind is EntryKind.person
            )
            listed.read_counts()
            name_ids.append(name_id)
        countries = frozenset(a.country for a in entry.addresses if a.country)
        self._entries[key] = _Entry(
            entry.list_code, entry.source_id, entry.kind, countries, _entry_ids(entry), tuple(name_ids)
        )

    def remove(self, key: str) -> None:
        """Forget the entry; unknown keys are ignored."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for name_id in entry.name_ids:
            self._names[name_id] = None
            self._free_ids.append(name_id)
            for word in self._postings.remove(name_id):
                self._vocabulary.remove(word)

    def clear_query_caches(self) -> None:
        """Forget what searches cached about query words (kept until the next list change
        otherwise; benchmarks measure cold searches with it)."""
        self._vocabulary.clear_query_cache()
        self._postings.clear_query_cache()

    def settle(self) -> None:
        """Re-read the word counts of the names whose words' counts moved by more than
        DRIFT_LIMIT. Searches do this themselves when needed; a bulk load calls it so
        that the first search does not pay for it."""
        risen = self._postings.take_risen(DRIFT_LIMIT)
        if not risen:
            return
        words = self._postings.words
        stale: set[int] = set()
        for word in risen:
            stale |= words[word].names
        names = self._names
        for name_id in stale:
            listed = names[name_id]
            assert listed is not None  # the postings hold only listed names
            listed.read_counts()

    # ------------------------------------------------------------------ weights
    # A word weighs its role factor times its inverse document frequency over all names,
    # log((N + 1) / (df + 1)) + 1, computed as log_scale - log(df + 1) with log_scale =
    # log(N + 1) + 1 so that a name's weight needs no per-name state that other names'
    # updates would make stale.
    def _log_scale(self) -> float:
        return math.log(self.name_count + 1) + 1.0

    def _listed_weights(self, listed: _ListedName, log_scale: float) -> WeightedName:
        weights = tuple([f * (log_scale - w.log_df) for w, f in zip(listed.words, listed.factors, strict=True)])
        return WeightedName(listed.tokens(), weights, listed.identity, sum(weights), listed.given, listed.surname)

    def _weigh_query(self, tokens: NameTokens, similar: list[SimilarTokens], log_scale: float) -> WeightedName:
        """Query words weigh like listed words; a word the index does not know (a
        misspelling) weighs what the listed word it resembles most weighs, not what a
        never-seen word would."""
        weights: list[float] = []
        words = self._postings.words
        for token, role, sims in zip(tokens.tokens, tokens.roles, similar, strict=True):
            listed = words.get(token)
            if listed is None:
                source = token
                # The most similar; of equally similar ones the most common (a typo of
                # MUHAMMAD weighs as MUHAMMAD, not as the rare MUHMMAD one edit away
                # too), then the greatest word.
                # Read through the word's sources (records, no lookup per neighbour),
                # which retrieval reads next anyway.
                best = 0.0
                common = -1.0
                sources = self._postings.word_sources(token, sims)
                for record, similarity in zip(sources.resembled, sources.similarities, strict=True):
                    log_df = record.log_df
                    if (
                        similarity > best
                        or (similarity == best and log_df > common)
                        or (similarity == best and log_df == common and record.text > source)
                    ):
                        best, common, source = similarity, log_df, record.text
                listed = words.get(source)
            weight = ROLE_FACTOR[role] * (log_scale - (listed.log_df if listed is not None else 0.0))
            if len(token) == 1 and weight > QUERY_INITIAL_SHARE * log_scale:
                weight = QUERY_INITIAL_SHARE * log_scale
            weights.append(weight)
        proper = TokenRole.identity  # read once: an enum member is a class attribute lookup
        identity = tuple([r is proper for r in tokens.roles])
        return WeightedName.of(tokens.tokens, tuple(weights), identity)

    # ------------------------------------------------------------------ search
    def _split_joined(self, name: NameTokens, kind: EntryKind | None) -> NameTokens:
        """A query word unknown to the index that is two listed words run together
        (ALSHAYKH for AL-SHAYKH, EPMNU for EP-MNU) is read as those two words."""
        postings = self._postings
        listed = postings.words
        for token in name.tokens:
            if token not in listed:
                break
        else:
            return name
        splits = [None if token in listed else postings.split(token) for token in name.tokens]
        if not any(splits):  # unknown words, but none two listed words run together
            return name
        tokens: list[str] = []
        roles: list[TokenRole] = []
        for token, role, split in zip(name.tokens, name.roles, splits, strict=True):
            if split is None:
                tokens.append(token)
                roles.append(role)
            else:
                tokens.extend(split)
                roles.extend(token_role(t, kind) for t in split)
        return NameTokens(tuple(tokens), tuple(roles))

    def _parts(self, tokens: tuple[str, ...]) -> set[str]:
        """Listed words the scorer can pair with part of a query word: its initial, and
        for a word some listed name holds as two neighbours (ALSHAYKH, listed AL SHAYKH)
        its proper prefixes and suffixes."""
        joined = self._postings.joined
        parts = {t[0] for t in tokens if len(t) > 1}
        for token in tokens:
            if token in joined:
                parts.update(cut for i in range(1, len(token)) for cut in (token[:i], token[i:]))
        return parts

    def score_name(
        self,
        query: WeightedName,
        similar: list[SimilarTokens],
        name_id: int,
        *,
        kind: EntryKind | None,
        country: str | None,
        ids: Mapping[str, str] | None,
    ) -> NameScore:
        listed = self._names[name_id]
        assert listed is not None, name_id
        weighted = self._listed_weights(listed, self._log_scale())
        return self._score(query, similar, listed, weighted, kind, country, _query_ids(ids))

    def _score(
        self,
        query: WeightedName,
        similar: list[SimilarTokens],
        listed: _ListedName,
        weighted: WeightedName,
        kind: EntryKind | None,
        country: str | None,
        query_ids: Mapping[str, str] | None,
        floor: float = 0.0,
    ) -> NameScore:
        entry = self._entries[listed.key]
        return score_names(
            query,
            weighted,
            similar,
            query_kind=kind,
            entry_kind=entry.kind,
            query_country=country,
            entry_countries=entry.countries,
            query_ids=query_ids,
            entry_ids=entry.ids,
            floor=floor,
        )

    def search(
        self,
        name: str,
        *,
        kind: EntryKind | None = None,
        country: str | None = None,
        ids: Mapping[str, str] | None = None,
        only_keys: Collection[str] | None = None,
        limit: int = 10,
    ) -> list[NameMatch]:
        """Entries whose name or alias scores >= the potential threshold, best first."""
        tokens = self._split_joined(normalize_name(name, kind), kind)
        if not tokens.tokens:
            return []
        if self._postings.drift > DRIFT_LIMIT:
            self.settle()
        similar: list[SimilarTokens] = [self._vocabulary.similar(t) for t in tokens.tokens]
        log_scale = self._log_scale()
        query = self._weigh_query(tokens, similar, log_scale)
        potential = self.config.potential_threshold
        # A candidate scores at most 2M/(Wq+M) with M the query weight it matches, and at
        # most 2Wq/(Wq+Wc) with Wc its own weight; corroboration adds at most max_bonus.
        bound = potential - max_bonus(country, ids)
        if only_keys is not None:
            name_ids: Collection[int] = [
                n for key in only_keys if (e := self._entries.get(key)) is not None for n in e.name_ids
            ]
        else:
            needed = bound * query.total / (2.0 - bound) if bound < 2.0 else query.total
            name_ids = self._postings.candidates(query.tokens, query.weights, similar, needed, log_scale)
        if not name_ids:  # most names screened: nothing to score
            return []
        best: dict[str, tuple[NameScore, _ListedName, int]] = {}
        heaviest = query.total * (2.0 - bound) / bound if bound > 0 else float("inf")
        reachable: set[ListedWord] | None = None
        initials = {t for t in query.tokens if len(t) == 1}  # a query initial pairs with any word
        parts: set[str] | None = None
        floor = bound * 0.5
        query_ids = _query_ids(ids)
        names = self._names
        # The margin covers the rounding of the other ways the bounds sum the weights.
        heaviest_margin = heaviest + 1e-9
        query_total = query.total
        lowest_scale = log_scale - self._postings.drift
        for name_id in name_ids:
            listed = names[name_id]
            assert listed is not None, name_id  # the postings hold only listed names
            # Cheap bounds first: a listed name much heavier than the query cannot reach
            # the threshold however well the query matches. Its weight floor costs no
            # read of the word counts; its weight, a read per word.
            if listed.least_sum * lowest_scale - listed.df_sum > heaviest_margin:
                continue
            if reachable is None:
                # Every listed word some query word could pair with whole. Parts of
                # query words (`_parts`) and words a query initial begins are added
                # below, only for names that fall short without them.
                reachable = self._postings.reachable(query.tokens, similar)
            if listed.surname >= 0 and listed.factor_sum * lowest_scale - listed.full_df_sum > heaviest_margin:
                # Too heavy but for the person rules (scorer), which discount nothing
                # unless the query meets the surname, whole or as part of a joined word.
                surname = listed.words[listed.surname]
                if surname not in reachable:
                    if parts is None:
                        parts = self._parts(query.tokens)
                    if surname.text not in parts:
                        continue
            # Second bound: only listed words some query word could pair with count.
            words, factors, least = listed.words, listed.factors, listed.least
            weights: list[float] = []
            total = least_total = matchable = 0.0
            for k, word in enumerate(words):
                idf = log_scale - word.log_df
                weight = factors[k] * idf
                weights.append(weight)
                total += weight
                least_total += least[k] * idf
                if word in reachable:
                    matchable += weight
            if least_total > heaviest_margin:
                continue
            enough = floor * (query_total + least_total)
            if matchable < enough:
                if parts is None:
                    parts = self._parts(query.tokens)
                for k, word in enumerate(words):
                    if word not in reachable and (word.text in parts or word.text[0] in initials):
                        matchable += weights[k]
                if matchable < enough:
                    continue
            weighted = WeightedName(
                listed.tokens(), tuple(weights), listed.identity, total, listed.given, listed.surname
            )
            # Below `bound` no corroboration lifts a name to the threshold.
            scored = self._score(query, similar, listed, weighted, kind, country, query_ids, bound)
            if scored.score < potential:
                continue
            if listed.weak:
                scored = scored.with_score(scored.score - WEAK_ALIAS_PENALTY)
                if scored.score < potential:
                    continue
            held = best.get(listed.key)
            if held is None or self._better((scored, listed, name_id), held):
                best[listed.key] = (scored, listed, name_id)
        ranked = sorted(best.values(), key=lambda h: (-h[0].score, h[1].key))[:limit]
        return [self._match(scored, listed) for scored, listed, _ in ranked]

    def _better(self, found: tuple[NameScore, _ListedName, int], held: tuple[NameScore, _ListedName, int]) -> bool:
        """Of two names of one entry, the higher score wins; on a tie a regular name beats
        a weak alias, then the name the entry lists first (its primary name)."""
        if found[0].score != held[0].score:
            return found[0].score > held[0].score
        if found[1].weak != held[1].weak:
            return held[1].weak
        order = self._entries[found[1].key].name_ids
        return order.index(found[2]) < order.index(held[2])

    def _match(self, scored: NameScore, listed: _ListedName) -> NameMatch:
        entry = self._entries[listed.key]
        strong = scored.score >= self.config.strong_threshold and scored.kind_compatible and not listed.weak
        return NameMatch(
            key=listed.key,
            list_code=entry.list_code,
            source_id=entry.source_id,
            matched_name=listed.text,
            score=round(scored.score, 4),
            strong=strong,
            weak_alias=listed.weak,
            explanation=explain(scored, matched_name=listed.text, weak_alias=listed.weak),
        )


def _query_ids(ids: Mapping[str, str] | None) -> dict[str, str] | None:
    if not ids:
        return None
    expanded: dict[str, str] = {}
    for id_type, value in ids.items():
        for key in ID_KEYS.get(id_type.lower(), (id_type.lower(),)):
            expanded[key] = value
    return expanded
