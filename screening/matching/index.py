"""NameIndex: every listed name and alias, searchable without scanning them all.

Each name is normalised once and its tokens go into inverted lists. A query token finds
the listed tokens it resembles through three dictionaries (exact, one-deletion
neighbourhood for typos, phonetic key for transliterations), and adjacent tokens are also
indexed joined (AL RASHID / ALRASHID). Only the query's rarest tokens open their
inverted lists: the scorer's bound says how much of the query must be matched to reach
the threshold, so a candidate that matches none of that prefix cannot reach it.

Token weights are inverse document frequencies over the whole index, so a search
restricted with `only_keys` scores those entries exactly as an unrestricted one does.
Upsert and remove touch only the entry's own names.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import pairwise

from schemas.lists import EntryKind, ListEntry
from screening.matching.config import MatchConfig, NameMatch
from screening.matching.explain import explain
from screening.matching.normalize import NameTokens, TokenRole, normalize_name, token_role
from screening.matching.scorer import (
    NameScore,
    SimilarTokens,
    WeightedName,
    align,
    corroborate,
    max_bonus,
)
from screening.matching.tokens import TokenAgreement, sound_key, token_similarity, typo_neighbours

# Legal forms, particles and titles say little about who a party is.
ROLE_FACTOR: dict[TokenRole, float] = {
    TokenRole.identity: 1.0,
    TokenRole.particle: 0.3,
    TokenRole.legal: 0.25,
    TokenRole.title: 0.3,
    TokenRole.initial: 0.3,
}
# OFAC calls weak a.k.a.s "relatively broad or generic": a hit on one needs more.
WEAK_ALIAS_PENALTY = 0.08

# Query identifier types (contract PartyIds) -> identifier keys the list parsers emit.
ID_KEYS: dict[str, tuple[str, ...]] = {
    "imo": ("imo", "vessel_registration_identification"),
    "lei": ("lei", "legal_entity_number"),
    "vat": ("vat", "vat_number", "tax_id_no"),
    "duns": ("duns", "d_u_n_s_number"),
}


@dataclass(frozen=True, slots=True)
class _ListedName:
    key: str
    text: str  # as listed
    tokens: NameTokens
    weak: bool


@dataclass(frozen=True, slots=True)
class _Entry:
    list_code: str
    source_id: str
    kind: EntryKind
    countries: frozenset[str]
    ids: Mapping[str, tuple[str, ...]]
    name_ids: tuple[int, ...]


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
        self._names: dict[int, _ListedName] = {}
        self._next_id = 0
        self._postings: dict[str, set[int]] = defaultdict(set)  # token -> name ids
        self._joined: dict[str, set[int]] = defaultdict(set)  # two adjacent tokens joined -> name ids
        self._splits: dict[str, tuple[str, str]] = {}  # joined pair -> the two tokens
        self._deletions: dict[str, set[str]] = defaultdict(set)  # token minus one char -> tokens
        self._sounds: dict[str, set[str]] = defaultdict(set)  # phonetic key -> tokens
        self._similar_cache: dict[str, dict[str, tuple[float, TokenAgreement]]] = {}
        self._idf_cache: dict[str, float] = {}
        self._weighed: dict[int, WeightedName] = {}  # name id -> weighted tokens (cache)

    # ------------------------------------------------------------------ updates
    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    @property
    def name_count(self) -> int:
        return len(self._names)

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
            name_id = self._next_id
            self._next_id += 1
            self._names[name_id] = _ListedName(key, text, tokens, weak)
            self._add_tokens(name_id, tokens.tokens)
            name_ids.append(name_id)
        countries = frozenset(a.country for a in entry.addresses if a.country)
        self._entries[key] = _Entry(
            entry.list_code, entry.source_id, entry.kind, countries, _entry_ids(entry), tuple(name_ids)
        )
        self._changed()

    def remove(self, key: str) -> None:
        """Forget the entry; unknown keys are ignored."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for name_id in entry.name_ids:
            listed = self._names.pop(name_id)
            self._remove_tokens(name_id, listed.tokens.tokens)
        self._changed()

    def _changed(self) -> None:
        self._similar_cache.clear()
        self._idf_cache.clear()
        self._weighed.clear()

    def _listed_weights(self, name_id: int) -> WeightedName:
        weighed = self._weighed.get(name_id)
        if weighed is None:
            weighed = self._weighed[name_id] = self._weigh(self._names[name_id].tokens)
        return weighed

    def _add_tokens(self, name_id: int, tokens: tuple[str, ...]) -> None:
        for token in set(tokens):
            posting = self._postings[token]
            if not posting:
                for deleted in typo_neighbours(token):
                    self._deletions[deleted].add(token)
                sound = sound_key(token)
                if sound:
                    self._sounds[sound].add(token)
            posting.add(name_id)
        for left, right in pairwise(tokens):
            self._joined[left + right].add(name_id)
            self._splits.setdefault(left + right, (left, right))

    def _remove_tokens(self, name_id: int, tokens: tuple[str, ...]) -> None:
        for token in set(tokens):
            posting = self._postings[token]
            posting.discard(name_id)
            if posting:
                continue
            del self._postings[token]
            for deleted in typo_neighbours(token):
                _discard(self._deletions, deleted, token)
            sound = sound_key(token)
            if sound:
                _discard(self._sounds, sound, token)
        for left, right in pairwise(tokens):
            _discard(self._joined, left + right, name_id)
            if left + right not in self._joined:
                self._splits.pop(left + right, None)

    # ------------------------------------------------------------------ weights
    def _idf(self, token: str) -> float:
        cached = self._idf_cache.get(token)
        if cached is None:
            posting = self._postings.get(token)
            df = len(posting) if posting else 0
            cached = math.log((len(self._names) + 1) / (df + 1)) + 1.0
            self._idf_cache[token] = cached
        return cached

    def _weigh(self, tokens: NameTokens) -> WeightedName:
        return WeightedName.of(
            tokens.tokens,
            tuple(self._idf(t) * ROLE_FACTOR[r] for t, r in zip(tokens.tokens, tokens.roles, strict=True)),
            tuple(r is TokenRole.identity for r in tokens.roles),
        )

    def _weigh_query(self, tokens: NameTokens, similar: list[SimilarTokens]) -> WeightedName:
        """Like `_weigh`, but a word the index does not know (a misspelling) weighs what
        the listed word it resembles most weighs, not what a never-seen word would."""
        weights: list[float] = []
        for token, role, sims in zip(tokens.tokens, tokens.roles, similar, strict=True):
            source = token
            if token not in self._postings and sims:
                source = max(sims.items(), key=lambda item: (item[1][0], item[0]))[0]
            weights.append(self._idf(source) * ROLE_FACTOR[role])
        identity = tuple(r is TokenRole.identity for r in tokens.roles)
        return WeightedName.of(tokens.tokens, tuple(weights), identity)

    # ------------------------------------------------------------------ search
    def _similar(self, token: str) -> dict[str, tuple[float, TokenAgreement]]:
        """Listed tokens resembling `token` (see tokens.token_similarity)."""
        cached = self._similar_cache.get(token)
        if cached is not None:
            return cached
        found: dict[str, tuple[float, TokenAgreement]] = {}
        if token in self._postings:
            found[token] = (1.0, TokenAgreement.exact)
        candidates: set[str] = set(self._deletions.get(token, ()))
        for deleted in typo_neighbours(token):
            if deleted in self._postings:
                candidates.add(deleted)
            candidates.update(self._deletions.get(deleted, ()))
        sound = sound_key(token)
        if sound:
            candidates.update(self._sounds.get(sound, ()))
        candidates.discard(token)
        for other in candidates:
            sim, why = token_similarity(token, other)
            if why is not None:
                found[other] = (sim, why)
        self._similar_cache[token] = found
        return found

    def _split_joined(self, name: NameTokens, kind: EntryKind | None) -> NameTokens:
        """A query word unknown to the index that is two listed words run together
        (ALSHAYKH for AL-SHAYKH, EPMNU for EP-MNU) is read as those two words."""
        if all(t in self._postings for t in name.tokens):
            return name
        tokens: list[str] = []
        roles: list[TokenRole] = []
        for token, role in zip(name.tokens, name.roles, strict=True):
            split = None if token in self._postings else self._splits.get(token)
            if split is None:
                tokens.append(token)
                roles.append(role)
            else:
                tokens.extend(split)
                roles.extend(token_role(t, kind) for t in split)
        return NameTokens(tuple(tokens), tuple(roles))

    def _candidates(self, query: WeightedName, similar: list[SimilarTokens], bound: float) -> set[int]:
        """Names matching at least one token of the query's rare prefix."""
        # A candidate scores at most 2M/(Wq+M) with M the matched query weight, so it must
        # match M >= t*Wq/(2-t); whatever the candidate matches, it includes a token outside
        # the lightest tokens whose weights sum below that.
        total = query.total
        needed = bound * total / (2.0 - bound) if bound < 2.0 else total
        order = sorted(range(len(query.tokens)), key=lambda i: query.weights[i])
        suffix = 0.0
        prefix: set[int] = set(order)
        for i in order:
            if suffix + query.weights[i] >= needed:
                break
            suffix += query.weights[i]
            prefix.discard(i)
        found: set[int] = set()
        tokens = query.tokens
        for i in prefix:
            for other in similar[i]:
                found.update(self._postings.get(other, ()))
            found.update(self._joined.get(tokens[i], ()))
            if i + 1 < len(tokens):
                found.update(self._postings.get(tokens[i] + tokens[i + 1], ()))
            if i > 0:
                found.update(self._postings.get(tokens[i - 1] + tokens[i], ()))
        return found

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
        entry = self._entries[listed.key]
        names = align(query, self._listed_weights(name_id), similar)
        return corroborate(
            names,
            query_kind=kind,
            entry_kind=entry.kind,
            query_country=country,
            entry_countries=entry.countries,
            query_ids=_query_ids(ids),
            entry_ids=entry.ids,
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
        similar: list[SimilarTokens] = [self._similar(t) for t in tokens.tokens]
        query = self._weigh_query(tokens, similar)
        potential = self.config.potential_threshold
        if only_keys is not None:
            name_ids: Iterable[int] = [
                n for key in only_keys if (e := self._entries.get(key)) is not None for n in e.name_ids
            ]
        else:
            name_ids = self._candidates(query, similar, potential - max_bonus(country, ids))
        best: dict[str, tuple[NameScore, _ListedName]] = {}
        # Cheap bound first: a listed name much heavier than the query cannot reach the
        # threshold however well the query matches (score <= 2*Wq / (Wq + Wc)).
        bound = potential - max_bonus(country, ids)
        heaviest = query.total * (2.0 - bound) / bound if bound > 0 else float("inf")
        reachable = _reachable_tokens(query.tokens, similar)
        initials = {t for t in query.tokens if len(t) == 1}  # a query initial pairs with any word
        floor = bound * 0.5
        for name_id in name_ids:
            listed_weights = self._listed_weights(name_id)
            if listed_weights.total > heaviest:
                continue
            # Second bound: only listed tokens some query token could pair with count.
            matchable = sum(
                w
                for t, w in zip(listed_weights.tokens, listed_weights.weights, strict=True)
                if t in reachable or t[0] in initials
            )
            if matchable < floor * (query.total + listed_weights.total):
                continue
            scored = self.score_name(query, similar, name_id, kind=kind, country=country, ids=ids)
            if scored.score < potential:
                continue
            listed = self._names[name_id]
            if listed.weak:
                scored = replace(scored, score=scored.score - WEAK_ALIAS_PENALTY)
                if scored.score < potential:
                    continue
            held = best.get(listed.key)
            if held is None or _better(scored, listed, held):
                best[listed.key] = (scored, listed)
        ranked = sorted(best.values(), key=lambda h: (-h[0].score, h[1].key))[:limit]
        return [self._match(scored, listed) for scored, listed in ranked]

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


def _reachable_tokens(tokens: tuple[str, ...], similar: list[SimilarTokens]) -> set[str]:
    """Every listed token that could pair with some query token: similar tokens, and any
    prefix or suffix of a query token (halves of a joined word, initials)."""
    reachable: set[str] = set()
    for token, sims in zip(tokens, similar, strict=True):
        reachable.update(sims)
        reachable.add(token)
        for cut in range(1, len(token)):
            reachable.add(token[:cut])
            reachable.add(token[cut:])
    for left, right in pairwise(tokens):
        reachable.add(left + right)
    return reachable


def _better(scored: NameScore, listed: _ListedName, held: tuple[NameScore, _ListedName]) -> bool:
    """Higher score wins; on a tie a regular name beats a weak alias."""
    if scored.score != held[0].score:
        return scored.score > held[0].score
    return held[1].weak and not listed.weak


def _query_ids(ids: Mapping[str, str] | None) -> dict[str, str] | None:
    if not ids:
        return None
    expanded: dict[str, str] = {}
    for id_type, value in ids.items():
        for key in ID_KEYS.get(id_type.lower(), (id_type.lower(),)):
            expanded[key] = value
    return expanded


def _discard(mapping: dict[str, set[str]] | dict[str, set[int]], key: str, value: object) -> None:
    bucket = mapping.get(key)
    if bucket is None:
        return
    bucket.discard(value)
    if not bucket:
        del mapping[key]
