"""ListState: incremental versions, time-awareness inputs, and fail-closed conditions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import EntryKind, ListEntry, ListManifest
from screening.liststate import ChangeKind, ListState, ListVersions

NOW = datetime(2024, 2, 23, 12, 0, tzinfo=UTC)


def entry(source_id: str, name: str, list_code: str = "SDN", **extra: object) -> ListEntry:
    return ListEntry(list_code=list_code, source_id=source_id, kind=EntryKind.organization, name=name,
                     source_version="test", **extra)


def test_changes_are_classified_and_versions_follow_content() -> None:
    state = ListState()
    assert state.version() == "none"
    assert state.apply("SDN:1", entry("1", "Alpha Trading"), NOW).kind is ChangeKind.added
    v1 = state.version()
    again = entry("1", "Alpha Trading").model_copy(update={"source_version": "newer file"})
    assert state.apply("SDN:1", again, NOW).kind is ChangeKind.unchanged
    assert state.version() == v1, "source_version alone must not change the version"
    assert state.apply("SDN:1", entry("1", "Alpha Trading FZE"), NOW).kind is ChangeKind.modified
    assert state.version() != v1
    assert state.apply("SDN:1", None, NOW).kind is ChangeKind.removed
    assert state.apply("SDN:1", None, NOW).kind is ChangeKind.unchanged
    assert state.version() == "none" and len(state) == 0


def test_version_is_independent_of_arrival_order() -> None:
    entries = [entry(str(i), f"Company {i}") for i in range(20)] + [entry("9", "Widget", "EL")]
    a, b = ListState(), ListState()
    for e in entries:
        a.apply(e.key, e, NOW)
    for e in reversed(entries):
        b.apply(e.key, e, NOW)
    assert a.version() == b.version()
    assert a.version().startswith("EL:") and " SDN:" in a.version()
    assert a.counts() == {"EL": 1, "SDN": 20}


def test_versions_add_and_discard_are_inverse() -> None:
    versions = ListVersions()
    versions.add("SDN:1", "SDN", "ab" * 32)
    before = versions.of("SDN")
    versions.add("SDN:2", "SDN", "cd" * 32)
    versions.discard("SDN:2", "SDN")
    assert versions.of("SDN") == before


def test_no_state_or_stale_state_fails_closed() -> None:
    state = ListState()
    max_age = timedelta(hours=36)
    assert state.availability_problem(NOW, max_age) == "no list state is loaded"
    state.apply("SDN:1", entry("1", "Alpha"), NOW - timedelta(hours=40))
    problem = state.availability_problem(NOW, max_age)
    assert problem is not None and "40.0 h old" in problem
    assert state.availability_problem(NOW - timedelta(hours=5), max_age) is None


def test_manifest_time_and_incomplete_loads() -> None:
    state = ListState()
    state.apply("SDN:1", entry("1", "Alpha"), NOW - timedelta(days=3))
    manifest = ListManifest(list_code="SDN", version=state.list_version("SDN"), entries=1, loaded_at=NOW,
                            source="test")
    state.apply_manifest(manifest, "SDN")
    assert state.loaded_at() == NOW
    assert state.availability_problem(NOW, timedelta(hours=36)) is None
    modified_elsewhere = manifest.model_copy(update={"version": "000000000000"})
    state.apply_manifest(modified_elsewhere, "SDN")
    assert state.incomplete_lists() == ["SDN"]
    assert state.availability_problem(NOW, timedelta(hours=36)) is None, "same count: reported, not held"
    arriving = manifest.model_copy(update={"version": "000000000000", "entries": 3})
    state.apply_manifest(arriving, "SDN")
    assert state.short_lists() == {"SDN": (1, 3)}
    problem = state.availability_problem(NOW, timedelta(hours=36)) or ""
    assert "SDN has 1 of 3 entries" in problem
    state.apply("SDN:2", entry("2", "Beta"), NOW)
    state.apply("SDN:3", entry("3", "Gamma"), NOW)
    assert state.availability_problem(NOW, timedelta(hours=36)) is None
