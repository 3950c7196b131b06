"""Scorer behaviour: order, missing/extra tokens, initials, typos, kind, corroboration."""

from __future__ import annotations

import pytest

from schemas.lists import EntryKind
from screening.matching.normalize import NameTokens, TokenRole, normalize_name
from screening.matching.scorer import CONFLICT_PENALTY, NameScore, WeightedName, align, corroborate
from screening.matching.tokens import Resemblance, token_similarity

ROLE_WEIGHT = {TokenRole.identity: 1.0}


def weighted(name: NameTokens) -> WeightedName:
    weights = tuple(ROLE_WEIGHT.get(r, 0.3) for r in name.roles)
    return WeightedName.of(name.tokens, weights, tuple(r is TokenRole.identity for r in name.roles))


def score(query: str, listed: str, kind: EntryKind = EntryKind.person, floor: float = 0.0) -> NameScore:
    q = weighted(normalize_name(query, kind))
    c = weighted(normalize_name(listed, kind))
    similar = []
    for token in q.tokens:
        sims: dict[str, Resemblance] = {}
        for other in c.tokens:
            sim, why = token_similarity(token, other)
            if why is not None:
                sims[other] = Resemblance(sim, why)
        similar.append(sims)
    return align(q, c, similar, floor)


@pytest.mark.parametrize(
    ("query", "listed", "low", "high"),
    [
        ("BELTRAN LEYVA, Alfredo", "Alfredo BELTRAN LEYVA", 1.0, 1.0),  # order does not matter
        ("Leyva Beltran Alfredo", "BELTRAN LEYVA, Alfredo", 1.0, 1.0),
        ("Taksahi IKEDA", "IKEDA, Takashi", 0.9, 0.99),  # typo
        ("MOHAMMED EHSAN", "EHSAN, Muhammad", 0.9, 0.99),  # transliteration
        ("Sergei G. PODOPRIGOROV", "PODOPRIGOROV, Sergei Gennadievich", 0.8, 0.95),  # initial
        ("Irina NIKITINA", "NIKITINA, Irina Petrovna", 0.6, 0.85),  # listed name adds a token
        ("Irina Petrovna Olga NIKITINA", "NIKITINA, Irina Petrovna", 0.75, 0.95),  # query adds one
        ("Muhammad ALSHAYKH", "AL-SHAYKH, Muhammad", 0.6, 0.95),  # joined words meet
        ("Mark OLSON", "IKEDA, Takashi", 0.0, 0.0),
    ],
)
def test_name_scores(query: str, listed: str, low: float, high: float) -> None:
    assert low <= score(query, listed).score <= high


def test_a_replaced_word_costs_more_than_a_missing_word() -> None:
    missing = score(
        "HOLY SHRINES ORGANIZATION", "RECONSTRUCTION HOLY SHRINES ORGANIZATION", EntryKind.organization
    )
    replaced = score(
        "GREEN HOLY SHRINES ORGANIZATION", "RECONSTRUCTION HOLY SHRINES ORGANIZATION", EntryKind.organization
    )
    assert replaced.score < missing.score
    assert replaced.extra == ("green",)
    assert replaced.missing == ("reconstruction",)
    assert missing.score - replaced.score >= CONFLICT_PENALTY


def test_legal_form_differences_cost_little() -> None:
    org = EntryKind.organization
    assert score("KORYO COMMERCIAL BANK LTD", "KORYO COMMERCIAL BANK JSC", org).score > 0.85
    assert score("KORYO COMMERCIAL BANK LTD", "KORYO TRADING BANK LTD", org).score < 0.8


def _corroborate(names: NameScore, **overrides: object) -> NameScore:
    args: dict[str, object] = {
        "query_kind": EntryKind.organization,
        "entry_kind": EntryKind.organization,
        "query_country": None,
        "entry_countries": frozenset(),
        "query_ids": None,
        "entry_ids": {},
    }
    args.update(overrides)
    return corroborate(names, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "direction", "note"),
    [
        ({"query_country": "IR", "entry_countries": frozenset({"IR"})}, 1, "agrees"),
        ({"query_country": "DE", "entry_countries": frozenset({"IR"})}, -1, "differs"),
        ({"query_ids": {"imo": "9187629"}, "entry_ids": {"imo": ("IMO 9187629",)}}, 1, "agrees"),
        ({"query_ids": {"imo": "1111111"}, "entry_ids": {"imo": ("IMO 9187629",)}}, -1, "differs"),
    ],
)
def test_country_and_identifiers_move_the_score(
    overrides: dict[str, object], direction: int, note: str
) -> None:
    names = score("SHAZAND PETROCHEMICAL", "SHAZAND PETROCHEMICAL CO", EntryKind.organization)
    adjusted = _corroborate(names, **overrides)
    assert (adjusted.score - names.score) * direction > 0
    assert note in (adjusted.country, adjusted.identifier)


def test_kind_mismatch_lowers_and_marks() -> None:
    names = score("VIANA", "VIANA", EntryKind.organization)
    adjusted = _corroborate(names, query_kind=EntryKind.person, entry_kind=EntryKind.vessel)
    assert adjusted.score < names.score
    assert not adjusted.kind_compatible


def test_below_the_floor_only_the_score_is_spelled_out() -> None:
    full = score("Irina NIKITINA", "NIKITINA, Irina Petrovna")
    assert full.pairs and full.missing == ("petrovna",)
    dropped = score("Irina NIKITINA", "NIKITINA, Irina Petrovna", floor=full.score + 0.01)
    assert dropped.score == full.score and not dropped.pairs and not dropped.missing
    kept = score("Irina NIKITINA", "NIKITINA, Irina Petrovna", floor=full.score)
    assert kept == full
