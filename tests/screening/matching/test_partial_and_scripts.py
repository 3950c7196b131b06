"""Issue 12's name shapes through the index: partial names, initials both ways, aliases,
and queries in one script against listings in another."""

from __future__ import annotations

import pytest

from schemas.lists import EntryKind, ListEntry
from screening.matching import NameIndex


def person(source_id: str, name: str, aliases: tuple[str, ...] = ()) -> ListEntry:
    return ListEntry.model_validate(
        {
            "list": "SDN",
            "source_id": source_id,
            "kind": "person",
            "name": name,
            "aliases": list(aliases),
            "source_version": "t",
        }
    )


LISTED = [
    person("1", "RUSAKEVICH, Vladimir Vasilyevich"),
    person("2", "MILLER, Alexey Borisovich"),
    person("3", "PUTIN, Vladimir Vladimirovich", aliases=("Владимир Владимирович Путин",)),
    person("4", "SOKOLOV, Ivan", aliases=("PETROV, Ivan Sergeevich",)),
    person("5", "محمد حسين"),
    person("6", "ZHAO, Wei", aliases=("赵伟",)),
    person("7", "KOVALENKO, V. V."),
    # Others sharing given names and surnames, so that weights are not all alike.
    person("8", "IVANOV, Vladimir Petrovich"),
    person("9", "MILLER, John"),
    person("10", "HASSAN, Mohammed Ali"),
    person("11", "KUZNETSOV, Alexey Ivanovich"),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    idx = NameIndex()
    for entry in LISTED:
        idx.upsert(entry)
    return idx


def keys(index: NameIndex, name: str, kind: EntryKind | None = EntryKind.person) -> list[str]:
    return [m.key for m in index.search(name, kind=kind)]


@pytest.mark.parametrize("kind", [EntryKind.person, None])
def test_a_name_without_its_middle_names_matches_and_says_which_were_left_out(
    index: NameIndex, kind: EntryKind | None
) -> None:
    hits = index.search("Vladimir RUSAKEVICH", kind=kind)
    assert hits and hits[0].key == "SDN:1"
    assert "query omits middle name vasilyevich" in hits[0].explanation
    assert keys(index, "Alexey MILLER", kind)[:1] == ["SDN:2"]


def test_a_name_without_its_surname_does_not_match(index: NameIndex) -> None:
    assert "SDN:1" not in keys(index, "Vladimir Vasilyevich")
    assert "SDN:2" not in keys(index, "Alexey Borisovich")


def test_a_different_surname_does_not_match(index: NameIndex) -> None:
    assert keys(index, "Vladimir SMIRNOV") == []


@pytest.mark.parametrize("query", ["V. V. RUSAKEVICH", "V. RUSAKEVICH", "V V RUSAKEVICH"])
@pytest.mark.parametrize("kind", [EntryKind.person, None])
def test_initials_meet_the_given_names(index: NameIndex, query: str, kind: EntryKind | None) -> None:
    hits = index.search(query, kind=kind)
    assert hits and hits[0].key == "SDN:1", hits
    assert "v~vladimir (initial)" in hits[0].explanation


def test_listed_initials_meet_a_full_given_name(index: NameIndex) -> None:
    assert "SDN:7" in keys(index, "Viktor KOVALENKO")


def test_partial_names_hold_for_aliases(index: NameIndex) -> None:
    hits = index.search("Ivan PETROV", kind=EntryKind.person)
    assert hits and hits[0].key == "SDN:4" and hits[0].matched_name == "PETROV, Ivan Sergeevich"
    assert "SDN:4" in keys(index, "I. PETROV")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Владимир Путин", "SDN:3"),  # Cyrillic query, Latin name listed (and Cyrillic alias)
        ("Vladimir PUTIN", "SDN:3"),
        ("Mohammed HUSSEIN", "SDN:5"),  # Latin query, listed in Arabic script only
        ("Muhammad Husayn", "SDN:5"),
        ("محمد حسين", "SDN:5"),
        ("赵伟", "SDN:6"),  # Han query
        ("Zhao Wei", "SDN:6"),
    ],
)
def test_queries_meet_listings_in_another_script(index: NameIndex, query: str, expected: str) -> None:
    assert expected in keys(index, query), index.search(query, kind=EntryKind.person)


def test_an_arabic_script_query_meets_a_latin_listing() -> None:
    idx = NameIndex()
    for entry in [person("1", "HUSSEIN, Mohammed"), person("2", "HASSAN, Ali"), person("3", "MILLER, John")]:
        idx.upsert(entry)
    assert keys(idx, "محمد حسين") == ["SDN:1"]


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("علي حسن", "HASAN, Ali"),  # one consonant and its long vowel: ly ~ ALI
        ("سيف الله محمد", "MOHAMMAD, Saifullah"),  # X الله written as one name
        ("عبد الرحمن محمد", "MOHAMMAD, Abdul Rahman"),  # the article goes with عبد
        ("عبد العزيز محمد", "MOHAMMAD, Abdul Aziz"),  # ZYZ ~ AZIZ: a long vowel between
        ("عبد الله حسين", "HUSSEIN, Abdullah"),
        ("نذير احمد", "AHMAD, Nazir"),  # ذ romanised Z
    ],
)
def test_arabic_script_names_as_the_lists_romanise_them(query: str, listed: str) -> None:
    idx = NameIndex()
    for entry in [person("1", listed), person("2", "MILLER, John"), person("3", "HASSAN, Mohammed Ali")]:
        idx.upsert(entry)
    assert "SDN:1" in keys(idx, query), idx.search(query, kind=EntryKind.person)
