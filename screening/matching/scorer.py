"""Scorer: compare one query name with one listed name.

Both names arrive as weighted tokens (rare tokens weigh more; legal forms, particles and
titles weigh little). Tokens are aligned greedily, best pair first, so word order does
not matter (OFAC's LAST, First against a natural-order query), typos and transliteration
variants count partly, initials count against a full given name, and two adjacent tokens
may meet one joined token (AL RASHID / ALRASHID). The score is a weighted Dice
coefficient: what both names share, over everything either name says, so missing and
extra tokens both cost. Each pair counts with the smaller of its two weights, which
keeps the score <= 2M / (Wq + M) for M the weight of the matched query tokens; the index
relies on that bound to skip candidates.

Person names (a listed name with a given name and a surname) have two more rules, both
about what the listed side counts in the denominator, and neither applies unless the
query meets the surname (not by an initial):

- Partial name: a query whose every word meets a listed word, and which meets the
  listed given name and surname (the surname not by an initial only), is that person
  written without middle names or patronymic ("Vladimir RUSAKEVICH" for RUSAKEVICH,
  Vladimir Vasilyevich): each listed word it leaves out counts MIDDLE_NAME_SHARE of its
  weight, and the score says which (`omitted`). A query without the surname gets no
  such discount.
- Initials: an initial meets a listed person's given or middle name at
  PERSON_INITIAL_SIMILARITY, either side (a query initial, or a listed one), and a
  listed word met by an initial counts the pair's weight (what an initial can say),
  never below MIDDLE_NAME_SHARE of its own. The pair weighs the smaller of the two
  words' weights, as any pair: pairing a listed initial with the query word's full
  weight made retrieval walk whole initial lists at 10x names (docs/benchmarks.md).

`least_weight` is the lowest a listed name can count under these rules (its surname in
full, other words at MIDDLE_NAME_SHARE): the index's weight bounds use it, and skip a
person's name heavier than the full-weight bound when the query cannot reach its
surname. tests/screening/matching/test_bound.py holds these bounds against
`score_names` on generated names.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from schemas.lists import EntryKind
from screening.matching.tokens import Resemblance, TokenAgreement

INITIAL_SIMILARITY = 0.7
# An initial against a listed person's given or middle name: written initials of given
# names are an ordinary way to write a person, not a loose resemblance.
PERSON_INITIAL_SIMILARITY = 0.85
# The most an initial pair can count (retrieval bounds with it).
INITIAL_BOUND = max(INITIAL_SIMILARITY, PERSON_INITIAL_SIMILARITY)
# What a listed given or middle name counts in the denominator when the query leaves it
# out of a partial name, or meets it by an initial: a little, so a fuller query of the
# same person still scores higher, and "which words were not matched" still costs.
MIDDLE_NAME_SHARE = 0.15
# A query initial weighs at most this share of the index's largest word weight: an
# unlisted letter would otherwise weigh as much as the rarest surname.
QUERY_INITIAL_SHARE = 0.5
# Both names keep a word of their own where the other has a different one (GREEN vs
# RECONSTRUCTION ORGANIZATION OF HOLY SHRINES): a replaced word says "another party"
# more than a word left out does.
CONFLICT_PENALTY = 0.05
# A name of the wrong kind (a person query against a listed company) can still be the
# same party misfiled, so it is held, but it never reaches a block on its own.
KIND_MISMATCH_FACTOR = 0.9
COUNTRY_AGREES_BONUS = 0.02
COUNTRY_DIFFERS_PENALTY = 0.04
ID_AGREES_BONUS = 0.1
ID_DIFFERS_PENALTY = 0.15

# For query token i, the candidate tokens it resembles: token -> (similarity, why).
SimilarTokens = Mapping[str, Resemblance]


# Records made several times per search: plain classes, which mypyc compiles to native
# ones (a NamedTuple's or dataclass's generated methods would run interpreted). Read-only.
class WeightedName:
    """A name's tokens with their weights, and which tokens identify (not legal forms,
    particles, titles, initials: only those make a conflict). A listed person's name also
    says which token is the given name and which the surname (-1: not a person name, or
    one word only); see `person_parts`."""

    def __init__(
        self,
        tokens: tuple[str, ...],
        weights: tuple[float, ...],
        identity: tuple[bool, ...],
        total: float,
        given: int = -1,
        surname: int = -1,
    ) -> None:
        self.tokens = tokens
        self.weights = weights
        self.identity = identity
        self.total = total
        self.given = given
        self.surname = surname

    @staticmethod
    def of(
        tokens: tuple[str, ...],
        weights: tuple[float, ...],
        identity: tuple[bool, ...],
        given: int = -1,
        surname: int = -1,
    ) -> WeightedName:
        return WeightedName(tokens, weights, identity, sum(weights), given, surname)


def person_parts(identity: tuple[bool, ...]) -> tuple[int, int]:
    """(given name, surname) positions of a person's name in reading order (given names
    first, as the normaliser leaves them): the first and the last identifying word;
    (-1, -1) with fewer than two."""
    first = last = -1
    for k, identifies in enumerate(identity):
        if identifies:
            if first < 0:
                first = k
            last = k
    return (first, last) if first != last else (-1, -1)


def least_factors(factors: tuple[float, ...], surname: int) -> tuple[float, ...]:
    """Per word of a listed name, the least share of its weight the scorer can count it
    with (`least_weight` is the sum of these times the weights)."""
    if surname < 0:
        return factors
    return tuple([f if k == surname else f * MIDDLE_NAME_SHARE for k, f in enumerate(factors)])


def least_weight(listed: WeightedName) -> float:
    """The lowest total `score_names` can count `listed` with (see the module docstring)."""
    if listed.surname < 0:
        return listed.total
    return sum(w if k == listed.surname else w * MIDDLE_NAME_SHARE for k, w in enumerate(listed.weights))


class TokenPair:
    """Two aligned words (or a word and two joined neighbours, spelled with a space), how
    alike they are and why, and the weight the pair counts with."""

    def __init__(self, query: str, candidate: str, similarity: float, agreement: TokenAgreement, weight: float) -> None:
        self.query = query
        self.candidate = candidate
        self.similarity = similarity
        self.agreement = agreement
        self.weight = weight

    def _values(self) -> tuple[object, ...]:
        return (self.query, self.candidate, self.similarity, self.agreement, self.weight)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenPair) and self._values() == other._values()

    def __repr__(self) -> str:
        return f"TokenPair({self.query!r}, {self.candidate!r}, {self.similarity:.3f}, {self.agreement.value})"


class NameScore:
    """The score of one listed name for a query, and what it is made of."""

    def __init__(
        self,
        score: float,  # 0..1 after kind/country/identifier adjustments
        name_score: float,  # the names alone
        pairs: tuple[TokenPair, ...],
        extra: tuple[str, ...],  # query tokens the listed name lacks
        missing: tuple[str, ...],  # listed tokens the query lacks
        kind_compatible: bool,
        country: str | None = None,  # "agrees" / "differs" / None (nothing to compare)
        identifier: str | None = None,  # "agrees" / "differs" / None
        omitted: tuple[str, ...] = (),  # listed middle names a partial query left out
    ) -> None:
        self.score = score
        self.name_score = name_score
        self.pairs = pairs
        self.extra = extra
        self.missing = missing
        self.kind_compatible = kind_compatible
        self.country = country
        self.identifier = identifier
        self.omitted = omitted

    def with_score(self, score: float) -> NameScore:
        return NameScore(
            score,
            self.name_score,
            self.pairs,
            self.extra,
            self.missing,
            self.kind_compatible,
            self.country,
            self.identifier,
            self.omitted,
        )

    def _values(self) -> tuple[object, ...]:
        return (
            self.score,
            self.name_score,
            self.pairs,
            self.extra,
            self.missing,
            self.kind_compatible,
            self.country,
            self.identifier,
            self.omitted,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NameScore) and self._values() == other._values()

    def __repr__(self) -> str:
        return f"NameScore({self.score:.4f}, pairs={self.pairs!r}, extra={self.extra!r}, missing={self.missing!r})"


def max_bonus(country: str | None, ids: Mapping[str, str] | None) -> float:
    """The most corroboration can add to a name score (the index lowers its bound by it)."""
    return (COUNTRY_AGREES_BONUS if country else 0.0) + (ID_AGREES_BONUS if ids else 0.0)


def kinds_compatible(query_kind: EntryKind | None, entry_kind: EntryKind) -> bool:
    return query_kind is None or query_kind is entry_kind


def align(
    query: WeightedName, candidate: WeightedName, similar: Sequence[SimilarTokens], floor: float = 0.0
) -> NameScore:
    """Greedy best-first token alignment and the weighted Dice score of the names.

    `similar[i]` holds the candidate-side tokens query token i resembles. A name scoring
    below `floor` comes back with its score only (no pairs, extra or missing words): a
    caller that will drop it need not pay for spelling them out."""
    q, c = query.tokens, candidate.tokens
    wq, wc = query.weights, candidate.weights
    # (similarity, weight, query indexes, candidate indexes, why)
    options: list[tuple[float, float, tuple[int, ...], tuple[int, ...], TokenAgreement]] = []
    add = options.append
    listed_words = set(c)
    repeated = len(listed_words) < len(c)
    person = candidate.surname >= 0
    # Per listed word: the word, its weight, its index tuple (built once, not per pair);
    # for the slow paths only.
    listed: list[tuple[str, float, tuple[int, ...]]] = []
    for i, qt in enumerate(q):
        sims = similar[i]
        weight = wq[i]
        at = (i,)
        # `w if w < weight else weight` is min(weight, w) without the call.
        if len(qt) > 1 and not repeated:
            # The usual case, in C: the listed words this query word resembles, each
            # listed once; then a listed initial of its first letter.
            for ct in sims.keys() & listed_words:
                j = c.index(ct)
                w = wc[j]
                alike = sims[ct]
                add((alike.similarity, w if w < weight else weight, at, (j,), alike.agreement))
            letter = qt[0]
            if letter in listed_words and letter not in sims:
                j = c.index(letter)
                w = wc[j]
                sim = PERSON_INITIAL_SIMILARITY if person and j != candidate.surname else INITIAL_SIMILARITY
                add((sim, w if w < weight else weight, at, (j,), TokenAgreement.initial))
            continue
        if not listed:
            listed = [(ct, wc[j], (j,)) for j, ct in enumerate(c)]
        if len(qt) == 1:  # a query initial pairs with any listed word of its letter
            for ct, w, cj in listed:
                hit = sims.get(ct)
                if hit is not None:
                    add((hit.similarity, w if w < weight else weight, at, cj, hit.agreement))
                elif len(ct) > 1 and ct[0] == qt:
                    sim = PERSON_INITIAL_SIMILARITY if person and cj[0] != candidate.surname else INITIAL_SIMILARITY
                    add((sim, w if w < weight else weight, at, cj, TokenAgreement.initial))
            continue
        letter = qt[0]
        for ct, w, cj in listed:
            hit = sims.get(ct)
            if hit is not None:
                add((hit.similarity, w if w < weight else weight, at, cj, hit.agreement))
            elif ct == letter:  # a listed initial
                sim = PERSON_INITIAL_SIMILARITY if person and cj[0] != candidate.surname else INITIAL_SIMILARITY
                add((sim, w if w < weight else weight, at, cj, TokenAgreement.initial))
    if len(c) > 1:
        for j in range(len(c) - 1):
            joined = c[j] + c[j + 1]
            if joined in q:
                i = q.index(joined)
                add((1.0, min(wq[i], wc[j] + wc[j + 1]), (i,), (j, j + 1), TokenAgreement.joined))
    if len(q) > 1:
        for i in range(len(q) - 1):
            joined = q[i] + q[i + 1]
            if joined in c:
                j = c.index(joined)
                add((1.0, min(wq[i] + wq[i + 1], wc[j]), (i, i + 1), (j,), TokenAgreement.joined))
    options.sort(key=_option_rank, reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    chosen: list[tuple[float, float, tuple[int, ...], tuple[int, ...], TokenAgreement]] = []
    shared = 0.0
    for option in options:
        qi, cj = option[2], option[3]
        if not used_q.isdisjoint(qi) or not used_c.isdisjoint(cj):
            continue
        used_q.update(qi)
        used_c.update(cj)
        shared += option[0] * option[1]
        chosen.append(option)
    listed_total = candidate.total
    omitted: tuple[str, ...] = ()
    if person:
        listed_total, omitted = _person_weight(query, candidate, chosen, used_q, used_c)
    total = query.total + listed_total
    name_score = 2.0 * shared / total if total > 0 else 0.0
    conflict = (
        len(used_q) < len(q)
        and len(used_c) < len(c)
        and any(query.identity[i] for i in range(len(q)) if i not in used_q)
        and any(candidate.identity[j] for j in range(len(c)) if j not in used_c)
    )
    if conflict:
        name_score = max(0.0, name_score - CONFLICT_PENALTY)
    if name_score < floor:
        return NameScore(name_score, name_score, (), (), (), kind_compatible=True)
    # Almost every pair is one word to one word: index instead of joining.
    pairs = [
        TokenPair(
            q[qi[0]] if len(qi) == 1 else " ".join(q[i] for i in qi),
            c[cj[0]] if len(cj) == 1 else " ".join(c[j] for j in cj),
            sim,
            why,
            weight,
        )
        for sim, weight, qi, cj, why in chosen
    ]
    return NameScore(
        score=name_score,
        name_score=name_score,
        pairs=tuple(pairs),
        extra=tuple(t for i, t in enumerate(q) if i not in used_q) if len(used_q) < len(q) else (),
        missing=tuple(t for j, t in enumerate(c) if j not in used_c) if len(used_c) < len(c) else (),
        kind_compatible=True,
        omitted=omitted,
    )


_Option = tuple[float, float, tuple[int, ...], tuple[int, ...], TokenAgreement]


def _option_rank(option: _Option) -> tuple[float, float, int, tuple[int, ...]]:
    """Best pair first: most alike, then heaviest; of equal pairs the earlier listed word
    (an initial meets the given name before a middle name)."""
    return (option[0], option[1], -option[3][0], option[2])


def _person_weight(
    query: WeightedName,
    candidate: WeightedName,
    chosen: list[_Option],
    used_q: set[int],
    used_c: set[int],
) -> tuple[float, tuple[str, ...]]:
    """What a listed person's name counts in the denominator under the partial-name and
    initial rules (module docstring), and the middle names a partial query left out.
    Neither rule applies unless the query meets the surname other than by an initial:
    without the surname it is not that person written shorter."""
    wc = candidate.weights
    surname = candidate.surname
    total = candidate.total
    surname_met = False
    for _, _weight, _qi, cj, why in chosen:
        if surname in cj:
            surname_met = why is not TokenAgreement.initial
    if not surname_met:
        return total, ()
    for _, weight, _qi, cj, why in chosen:
        if why is TokenAgreement.initial and len(cj) == 1:
            # A listed word met by an initial (either side) counts the pair's weight,
            # never less than MIDDLE_NAME_SHARE of its own.
            j = cj[0]
            floor = wc[j] * MIDDLE_NAME_SHARE
            total += (weight if weight > floor else floor) - wc[j]
    if (
        (len(used_q) == len(query.tokens) or all(i in used_q for i, yes in enumerate(query.identity) if yes))
        and candidate.given in used_c
        and len(used_c) < len(candidate.tokens)
    ):
        left_out = [j for j in range(len(candidate.tokens)) if j not in used_c]
        for j in left_out:
            total -= wc[j] * (1.0 - MIDDLE_NAME_SHARE)
        return total, tuple([candidate.tokens[j] for j in left_out])
    return total, ()


def score_names(
    query: WeightedName,
    listed: WeightedName,
    similar: Sequence[SimilarTokens],
    *,
    query_kind: EntryKind | None = None,
    entry_kind: EntryKind = EntryKind.person,
    query_country: str | None = None,
    entry_countries: Collection[str] = (),
    query_ids: Mapping[str, str] | None = None,
    entry_ids: Mapping[str, Collection[str]] | None = None,
    floor: float = 0.0,
) -> NameScore:
    """The one scorer: one query name against one listed name, and why (the pairs, the
    words either side has alone, the middle names a partial query omits, what kind,
    country and identifiers said; explain.py writes it as a sentence). Pure: weights and
    resemblances come in, nothing is read from an index. Every rule is in this module
    (the word resemblances it is handed come from tokens.py); the index calls this and
    bounds its retrieval by `least_weight` and the 2M / (Wq + M) bound."""
    return corroborate(
        align(query, listed, similar, floor),
        query_kind=query_kind,
        entry_kind=entry_kind,
        query_country=query_country,
        entry_countries=entry_countries,
        query_ids=query_ids,
        entry_ids=entry_ids or {},
    )


def _normalise_id(value: object) -> str:
    return "".join(ch for ch in str(value).upper() if ch.isalnum())


def _same_id(a: str, b: str) -> bool:
    """Equal, or equal but for a type prefix one side writes ("IMO 9187629" / "9187629")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 6 and long.endswith(short) and long[: len(long) - len(short)].isalpha()


def corroborate(
    names: NameScore,
    *,
    query_kind: EntryKind | None,
    entry_kind: EntryKind,
    query_country: str | None,
    entry_countries: Collection[str],
    query_ids: Mapping[str, str] | None,
    entry_ids: Mapping[str, Collection[str]],
) -> NameScore:
    """Adjust a name score with what else is known: kind, country, identifiers.

    A shared identifier (IMO, LEI ...) lifts a name match; a different value of the same
    identifier type weakens it strongly. Bonuses only lift names that already resemble
    (the index retrieves by name), so an identifier alone never makes a hit. A country on
    both sides nudges a little either way: a listed party may trade from anywhere, so the
    name dominates.
    """
    compatible = kinds_compatible(query_kind, entry_kind)
    if compatible and not query_country and not query_ids and names.score == names.name_score:
        return names  # nothing to adjust (the name score is already within 0..1)
    score = names.name_score
    if not compatible:
        score *= KIND_MISMATCH_FACTOR
    country: str | None = None
    if query_country and entry_countries:
        if query_country.upper() in entry_countries:
            country = "agrees"
            score += COUNTRY_AGREES_BONUS
        else:
            country = "differs"
            score -= COUNTRY_DIFFERS_PENALTY
    identifier: str | None = None
    if query_ids and entry_ids:
        for id_type, value in query_ids.items():
            listed = entry_ids.get(id_type.lower())
            if not listed:
                continue
            if any(_same_id(_normalise_id(value), _normalise_id(v)) for v in listed):
                identifier = "agrees"
                break
            identifier = "differs"
        if identifier == "agrees":
            score += ID_AGREES_BONUS
        elif identifier == "differs":
            score -= ID_DIFFERS_PENALTY
    score = min(1.0, max(0.0, score))
    return NameScore(
        score=score,
        name_score=names.name_score,
        pairs=names.pairs,
        extra=names.extra,
        missing=names.missing,
        kind_compatible=compatible,
        country=country,
        identifier=identifier,
        omitted=names.omitted,
    )
