"""Retrieval is exact: with or without pair lists, a search finds what scoring every
entry finds, through additions and removals."""

from __future__ import annotations

import random

import pytest

from schemas.lists import ListEntry
from screening.matching import NameIndex
from screening.matching import postings as postings_module

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
