from __future__ import annotations

from pathlib import Path

import pytest

from schemas.lists import ListEntry
from screening.lists import parse_file
from screening.lists.delta import (
    compute_delta,
    entry_fingerprint,
    list_version,
    update_version_sum,
    version_from_sum,
    version_sum,
)


def _entry(
    list_code: str, source_id: str, name: str = "ACME", version: str = "v1", **extra: object
) -> ListEntry:
    return ListEntry.model_validate(
        {
            "list": list_code,
            "source_id": source_id,
            "kind": "organization",
            "name": name,
            "source_version": version,
            **extra,
        }
    )


def _state(entries: list[ListEntry]) -> dict[str, ListEntry]:
    return {e.key: e for e in entries}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("sdn_2024-02-20.csv", "sdn_2024-02-23.csv", {"added": 553, "modified": 8, "removed": 0}),
        ("sdn_2024-05-02.csv", "sdn_2024-05-03.csv", {"added": 0, "modified": 0, "removed": 8}),
    ],
)
def test_real_daily_sdn_changes(lists_dir: Path, old: str, new: str, expected: dict[str, int]) -> None:
    daily = lists_dir / "ofac/sdn-daily"
    before = parse_file(daily / old)
    after = parse_file(daily / new)
    delta = compute_delta(_state(before.entries), after.entries)
    assert delta.summary() == {"SDN": expected}
    assert len(after.entries) == len(before.entries) + expected["added"] - expected["removed"]


def test_fingerprint_ignores_source_version_only() -> None:
    a = _entry("EL", "1", version="csl:2022-05")
    assert entry_fingerprint(a) == entry_fingerprint(_entry("EL", "1", version="csl:2022-06"))
    assert entry_fingerprint(a) != entry_fingerprint(_entry("EL", "1", name="ACME LTD"))
    assert entry_fingerprint(a) != entry_fingerprint(_entry("EL", "1", aliases=["A"]))


@pytest.mark.parametrize("name", ["formats/sdn.xml", "formats/consolidated.xml", "bis/dpl-2023-11.txt"])
def test_fingerprint_survives_the_wire(lists_dir: Path, name: str) -> None:
    # Workers fingerprint what they read from `lists.entries`; it must equal the loader's.
    for entry in parse_file(lists_dir / name).entries:
        echoed = ListEntry.model_validate_json(entry.to_json_bytes())
        assert entry_fingerprint(echoed) == entry_fingerprint(entry)


def test_delta_kinds_and_summary() -> None:
    old = _state([_entry("EL", "1"), _entry("EL", "2"), _entry("SDN", "3")])
    new = [
        _entry("EL", "1", version="v2"),
        _entry("EL", "2", name="CHANGED"),
        _entry("EL", "4"),
        _entry("SDN", "5"),
    ]
    delta = compute_delta(old, new)
    assert [e.key for e in delta.added] == ["EL:4", "SDN:5"]
    assert [e.key for e in delta.modified] == ["EL:2"]
    assert delta.removed == ["SDN:3"]
    assert delta.summary() == {
        "EL": {"added": 1, "modified": 1, "removed": 0},
        "SDN": {"added": 1, "modified": 0, "removed": 1},
    }


def test_loading_one_list_never_delists_another() -> None:
    old = _state([_entry("EL", "1"), _entry("SDN", "3")])
    assert compute_delta(old, [_entry("SDN", "3")]).removed == []
    assert compute_delta(old, [_entry("SDN", "3")], lists=["SDN", "EL"]).removed == ["EL:1"]
    assert not compute_delta(old, [_entry("SDN", "3")])


def test_list_version_is_order_independent_and_incremental() -> None:
    fps = [entry_fingerprint(_entry("EL", str(i))) for i in range(5)]
    assert list_version(fps) == list_version(reversed(fps))
    assert len(list_version(fps)) == 12
    assert list_version(fps) != list_version(fps[:4])
    running = update_version_sum(version_sum(fps[:4]), added=[fps[4]])
    assert version_from_sum(running) == list_version(fps)
    changed = entry_fingerprint(_entry("EL", "0", name="NEW NAME"))
    running = update_version_sum(running, added=[changed], removed=[fps[0]])
    assert version_from_sum(running) == list_version([changed, *fps[1:]])
