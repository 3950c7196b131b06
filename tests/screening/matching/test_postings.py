"""Retrieval and the candidate bounds are exact: with or without pair lists, a search
finds what scoring every entry finds, through additions and removals."""

from __future__ import annotations

import random

import pytest

from schemas.lists import ListEntry
from screening.matching import NameIndex
from screening.matching import postings as postings_module
from screening.matching.index import DRIFT_LIMIT, WEAK_ALIAS_PENALTY
from screening.matching.normalize import normalize_name
from screening.matching.scorer import least_weight

GIVEN = ["mohammed", "ali", "hassan", "ahmad", "omar", "ibrahim", "yusuf"]
FAMILY = ["khan", "rahman", "hussein", "abbas", "saleh", "haddad", "nasser", "karimi"]
COMPANY = ["trading", "shipping", "general", "petro", "global", "star", "bank"]
LEGAL = ["llc", "co ltd", "jsc", "sa"]


def _entries(rng: random.Random) -> list[ListEntry]:
    entries = []
    for n in range(160):
        if n % 2:
            kind, name = "person", f"{rng.choice(FAMILY).upper()}, {rng.choice(GIVEN)} {rng.choice(GIVEN)}"
        else:
            words = rng.sample(COMPANY, 2)
            kind, name = "organization", f"{' '.join(words)} {rng.choice(FAMILY)} {rng.choice(LEGAL)}"
        entries.append(
            ListEntry.model_validate(
                {"list": "SDN", "source_id": str(n), "kind": kind, "name": name, "source_version": "t"}
            )
        )
    return entries


def _queries(entries: list[ListEntry], rng: random.Random) -> list[str]:
    """Listed names as they are, with a letter swapped, a word dropped, in natural
    order, two words joined, a word cut short, plus free combinations of the common
    words."""
    found = ["Mohammed Ali KHAN", "Muhammad Ali", "Ali Hasan", "M Ali Khan", "Global Trading LLC", "Abbas"]
    found += ["Mohammedali Khan", "Globaltrading LLC", "Ali Has", "K M Ali"]
    for entry in rng.sample(entries, 12):
        words = entry.name.replace(",", "").split()
        found.append(entry.name)
        longest = max(words, key=len)
        found.append(entry.name.replace(longest, longest[0] + longest[2] + longest[1] + longest[3:]))
        found.append(" ".join(words[1:]))
        found.append(" ".join(reversed(words)))
        # Two words run together, and a word cut short: met through joined neighbours
        # and word halves, which retrieval and the bounds must not lose.
        found.append(" ".join([words[0] + words[1], *words[2:]]))
        found.append(" ".join([*words[:-1], longest[:-2]]))
    return found


@pytest.mark.parametrize("paired_min_df", [2, 1000])
def test_search_finds_what_scoring_everything_finds(monkeypatch: pytest.MonkeyPatch, paired_min_df: int) -> None:
    monkeypatch.setattr(postings_module, "PAIRED_MIN_DF", paired_min_df)
    rng = random.Random(11)
    entries = _entries(rng)
    index = NameIndex()
    for entry in entries:
        index.upsert(entry)
    for entry in rng.sample(entries, 40):  # removals and re-additions keep the pair lists right
        index.remove(entry.key)
    for entry in entries[:20]:
        index.upsert(entry)
    keys = [e.key for e in entries if e.key in index]
    hits = 0
    for query in _queries(entries, rng):
        for kind in (None, entries[0].kind, entries[1].kind):
            fast = [(m.key, m.score) for m in index.search(query, kind=kind, limit=200)]
            full = [(m.key, m.score) for m in index.search(query, kind=kind, only_keys=keys, limit=200)]
            assert fast == full, query
            hits += bool(fast)
    assert hits > 20


def test_bounds_drop_no_name_that_full_scoring_keeps() -> None:
    """The candidate bounds (heaviest name, matchable words incl. halves of joined words)
    only skip names that could not reach the threshold: scoring every listed name in
    full, without any bound, finds the same entries with the same scores."""
    rng = random.Random(5)
    entries = _entries(rng)
    index = NameIndex()
    for entry in entries:
        index.upsert(entry)
    potential = index.config.potential_threshold
    hits = 0
    for query in _queries(entries, rng):
        for kind in (None, entries[0].kind, entries[1].kind):
            tokens = index._split_joined(normalize_name(query, kind), kind)
            similar = [index._vocabulary.similar(t) for t in tokens.tokens]
            weighted = index._weigh_query(tokens, similar, index._log_scale())
            best: dict[str, float] = {}
            for name_id, listed in index._listed():
                score = index.score_name(weighted, similar, name_id, kind=kind, country=None, ids=None).score
                score -= WEAK_ALIAS_PENALTY if listed.weak else 0.0
                if score >= potential and score > best.get(listed.key, -1.0):
                    best[listed.key] = score
            expected = sorted((key, round(score, 4)) for key, score in best.items())
            found = sorted((m.key, m.score) for m in index.search(query, kind=kind, limit=200))
            assert found == expected, query
            hits += bool(found)
    assert hits > 20


def _floors_hold(index: NameIndex, *, within: float | None = None) -> None:
    log_scale, drift = index._log_scale(), index._postings.drift
    for _, listed in index._listed():
        weight = least_weight(index._listed_weights(listed, log_scale))
        floor = listed.least_sum * (log_scale - drift) - listed.df_sum
        assert floor <= weight + 1e-9, listed.text
        if within is not None:
            assert floor >= weight - listed.least_sum * within - 1e-9, listed.text


def test_weight_floors_stay_under_weights_through_updates() -> None:
    """A name's weight floor (its sums of log_df as last read, loosened by the drift of
    the counts since) never exceeds its weight, however the counts moved; settling
    re-reads the names whose words' counts rose far, so after additions the floors are
    within the drift limit of the weights again."""
    rng = random.Random(3)
    entries = _entries(rng)
    index = NameIndex()
    for entry in entries[:80]:
        index.upsert(entry)
    _floors_hold(index)
    assert index._postings.drift > DRIFT_LIMIT
    index.settle()
    assert index._postings.drift <= DRIFT_LIMIT
    _floors_hold(index, within=2 * DRIFT_LIMIT)
    drifted = 0
    for step in range(300):
        entry = rng.choice(entries)
        if entry.key in index and rng.random() < 0.5:
            index.remove(entry.key)
        else:
            index.upsert(entry)
        drifted += index._postings.drift > 0
        _floors_hold(index)
        if step % 40 == 0:
            index.settle()
            assert index._postings.drift <= DRIFT_LIMIT
            _floors_hold(index)
    assert drifted > 100


def test_listed_words_keep_their_vocabulary_neighbours_through_updates() -> None:
    """Each listed word's record lists the records of the words the vocabulary says it
    resembles, in the vocabulary's order (retrieval pairs the two up), and the id of its
    name when it has one only, however words arrive and disappear (spellings of a few
    names, so that words come and go often)."""
    spellings = ["hussein", "husein", "hussain", "hosein", "hossein", "mohammed", "muhammad", "mohamad"]
    spellings += ["yevgeny", "evgeny", "sergei", "sergey", "serge", "karimi", "karimy", "kareem"]
    rng = random.Random(8)
    entries = [
        ListEntry.model_validate(
            {
                "list": "SDN",
                "source_id": str(n),
                "kind": "person",
                "name": " ".join(rng.sample(spellings, 2)),
                "source_version": "t",
            }
        )
        for n in range(12)
    ]
    index = NameIndex()
    vanished = 0
    for _ in range(300):
        entry = rng.choice(entries)
        before = len(index._postings.words)
        if entry.key in index and rng.random() < 0.6:
            index.remove(entry.key)
            vanished += len(index._postings.words) < before
        else:
            index.upsert(entry)
        words = index._postings.words
        for text, word in words.items():
            assert [w.text for w in word.resembled] == list(index._vocabulary.similar(text)), text
            assert all(words[w.text] is w for w in word.resembled), text
            assert word.only == (min(word.names) if len(word.names) == 1 else -1), text
    assert vanished > 20
