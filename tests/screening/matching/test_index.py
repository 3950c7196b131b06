"""NameIndex: retrieval, thresholds, weak aliases, incremental updates, only_keys."""

from __future__ import annotations

import pytest

from schemas.lists import EntryKind, ListEntry
from screening.matching import MatchConfig, NameIndex


def entry(source_id: str, name: str, kind: str = "organization", **extra: object) -> ListEntry:
    return ListEntry.model_validate(
        {"list": "SDN", "source_id": source_id, "kind": kind, "name": name, "source_version": "t", **extra}
    )


FILLER = [
    entry("900", "GLOBAL TRADING COMPANY LIMITED"),
    entry("901", "NATIONAL BANK OF CUBA"),
    entry("902", "KORYO COMMERCIAL BANK"),
    entry("903", "AL-RASHID TRUST"),
    entry("904", "HASSAN, Mohammed Ali", "person"),
    entry("905", "EP-MNU", "aircraft"),
]


@pytest.fixture
def index() -> NameIndex:
    idx = NameIndex()
    for e in FILLER:
        idx.upsert(e)
    idx.upsert(
        entry(
            "1", "SHAZAND PETROCHEMICAL COMPANY", aliases=["ARAK PETROCHEMICAL COMPANY"], weak_aliases=["SPC"]
        )
    )
    idx.upsert(entry("2", "IKEDA, Takashi", "person", addresses=[{"country": "JP"}]))
    return idx


@pytest.mark.parametrize(
    ("query", "kind", "key"),
    [
        ("Shazand Petrochemical Co.", None, "SDN:1"),
        ("ARAK PETROCHEMICAL CORPORATION", EntryKind.organization, "SDN:1"),
        ("Takashi IKEDA", EntryKind.person, "SDN:2"),
        ("Taksahi IKEDA", EntryKind.person, "SDN:2"),
        ("ALRASHID TRUST", None, "SDN:903"),
        ("EPMNU", EntryKind.aircraft, "SDN:905"),
        ("Muhammad Ali HUSSAN", EntryKind.person, "SDN:904"),
    ],
)
def test_finds_variants(index: NameIndex, query: str, kind: EntryKind | None, key: str) -> None:
    hits = index.search(query, kind=kind)
    assert hits and hits[0].key == key
    assert hits[0].score >= index.config.potential_threshold
    assert hits[0].source_id == key.split(":")[1] and hits[0].list_code == "SDN"


def test_match_names_the_alias_and_explains(index: NameIndex) -> None:
    hit = index.search("ARAK PETROCHEMICAL COMPANY")[0]
    assert hit.matched_name == "ARAK PETROCHEMICAL COMPANY"
    assert hit.strong and not hit.weak_alias
    assert "petrochemical" in hit.explanation


def test_weak_alias_holds_but_never_blocks(index: NameIndex) -> None:
    hits = index.search("SPC")
    assert [h.key for h in hits] == ["SDN:1"]
    assert hits[0].weak_alias and not hits[0].strong


def test_kind_mismatch_is_never_strong(index: NameIndex) -> None:
    hits = index.search("IKEDA, Takashi", kind=EntryKind.vessel)
    assert hits and not hits[0].strong


def test_unrelated_names_do_not_match(index: NameIndex) -> None:
    assert index.search("MARK OLSON", kind=EntryKind.person) == []
    assert index.search("SHAZAND RESTAURANT GROUP") == []


def test_country_corroborates(index: NameIndex) -> None:
    plain = index.search("Takashi IKEDA", kind=EntryKind.person)[0].score
    assert index.search("Takashi IKEDA", kind=EntryKind.person, country="JP")[0].score > plain or plain == 1.0
    assert index.search("Takashi IKEDA", kind=EntryKind.person, country="BR")[0].score < plain


def test_upsert_replaces_and_remove_forgets(index: NameIndex) -> None:
    assert "SDN:2" in index and len(index) == len(FILLER) + 2
    index.upsert(entry("2", "ZHELEZNYAK, Sergei", "person"))
    assert len(index) == len(FILLER) + 2
    assert index.search("Takashi IKEDA") == []
    assert index.search("Sergey ZHELEZNYAK")[0].key == "SDN:2"
    index.remove("SDN:2")
    index.remove("SDN:unknown")
    assert "SDN:2" not in index and index.search("Sergey ZHELEZNYAK") == []


def test_equal_names_of_an_entry_show_the_primary_name(index: NameIndex) -> None:
    """Two names of one entry scoring alike: the match names the one the list puts first,
    whatever ids the index gave them (a re-upsert reuses freed ids in another order)."""
    listed = entry("26398", "NANGAA, Corneille Yobeluo", "person", aliases=["YOBELUO, Corneille Nangaa"])
    for _ in range(3):
        index.upsert(listed)
        index.remove("SDN:903")
        hit = index.search("Corneille Yobeluo NANGAA", kind=EntryKind.person)[0]
        assert (hit.key, hit.score, hit.matched_name) == ("SDN:26398", 1.0, "NANGAA, Corneille Yobeluo")
        index.upsert(FILLER[3])


def test_only_keys_restricts_without_changing_scores(index: NameIndex) -> None:
    full = {h.key: h.score for h in index.search("GLOBAL PETROCHEMICAL TRADING COMPANY", limit=50)}
    some = index.search("GLOBAL PETROCHEMICAL TRADING COMPANY", only_keys={"SDN:900", "SDN:2"})
    assert {h.key for h in some} <= {"SDN:900", "SDN:2"}
    for hit in some:
        assert hit.score == full[hit.key]
    for key in ["SDN:1", "SDN:900"]:
        restricted = index.search("SHAZAND PETROCHEMICAL CO", only_keys={key})
        unrestricted = [h for h in index.search("SHAZAND PETROCHEMICAL CO") if h.key == key]
        assert [h.score for h in restricted] == [h.score for h in unrestricted]


def test_thresholds_are_configurable() -> None:
    strict = NameIndex(MatchConfig(potential_threshold=0.99, strong_threshold=1.0))
    strict.upsert(entry("2", "IKEDA, Takashi", "person"))
    assert strict.search("Taksahi IKEDA") == []
    with pytest.raises(ValueError, match="potential_threshold"):
        MatchConfig(potential_threshold=0.95, strong_threshold=0.9)


def test_kept_answers_for_two_query_words_follow_list_changes() -> None:
    """Retrieval keeps, across queries, which names hold two query words
    (postings.TokenPostings._shared); a list change must not leave a stale answer."""
    idx = NameIndex()
    for e in [*FILLER, entry("10", "NORDIC HARBOR SYSTEMS"), entry("11", "CEDAR SUPPLY NETWORKS")]:
        idx.upsert(e)
    assert idx.search("NORDIC SUPPLY") == []
    assert idx._postings._shared, "the two words' (empty) answer is kept"
    idx.upsert(entry("12", "NORDIC SUPPLY"))
    assert [m.key for m in idx.search("NORDIC SUPPLY")] == ["SDN:12"]
    assert [m.key for m in idx.search("NORDIC SUPPLY")] == ["SDN:12"]  # from the kept answer
    idx.remove("SDN:12")
    assert idx.search("NORDIC SUPPLY") == []
