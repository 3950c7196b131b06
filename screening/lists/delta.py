"""List versions and deltas: what changed between two loads of the same lists.

A delta is what the loader publishes to `lists.entries`: added and modified entries as
values, removed keys as tombstones.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from schemas.lists import ListEntry

_VERSION_MODULUS = 2**256


def entry_fingerprint(entry: ListEntry) -> str:
    """sha256 of the entry's canonical JSON, without `source_version`: the same record
    republished in a newer file keeps its fingerprint."""
    content = entry.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"source_version"})
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _list_of(key: str) -> str:
    return key.split(":", 1)[0]


@dataclass(frozen=True)
class ListDelta:
    added: list[ListEntry] = field(default_factory=list)
    modified: list[ListEntry] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # keys "<list>:<source_id>"

    def summary(self) -> dict[str, dict[str, int]]:
        """{list code: {"added": n, "modified": n, "removed": n}} for lists that changed."""
        counts: dict[str, Counter[str]] = {}
        for kind, codes in (
            ("added", (e.list_code for e in self.added)),
            ("modified", (e.list_code for e in self.modified)),
            ("removed", (_list_of(k) for k in self.removed)),
        ):
            for code in codes:
                counts.setdefault(code, Counter())[kind] += 1
        return {
            code: {kind: c[kind] for kind in ("added", "modified", "removed")}
            for code, c in sorted(counts.items())
        }

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.removed)


def compute_delta(
    old: Mapping[str, ListEntry],
    new: Iterable[ListEntry],
    lists: Collection[str] | None = None,
) -> ListDelta:
    """Compare the held state `old` (key → entry) with a fresh load `new`.

    Removals are only considered within `lists` (default: the list codes present in
    `new`), so loading the SDN file alone never delists the Entity List.
    """
    new_by_key = {entry.key: entry for entry in new}
    scope = set(lists) if lists is not None else {entry.list_code for entry in new_by_key.values()}
    added: list[ListEntry] = []
    modified: list[ListEntry] = []
    for key, entry in new_by_key.items():
        previous = old.get(key)
        if previous is None:
            added.append(entry)
        elif entry_fingerprint(previous) != entry_fingerprint(entry):
            modified.append(entry)
    removed = sorted(key for key in old if key not in new_by_key and _list_of(key) in scope)
    return ListDelta(added=added, modified=modified, removed=removed)


def list_version(fingerprints: Iterable[str]) -> str:
    """Order-independent content hash of a set of entries: the sum of their fingerprints
    mod 2**256, first 12 hex digits.

    Incremental update without rehashing every entry: keep the full sum
    (`version_sum`), add `int(fp, 16)` for an added entry, subtract the old fingerprint
    and add the new one for a modified entry, subtract for a removed one (all mod
    2**256), then `version_from_sum(total)`.
    """
    return version_from_sum(version_sum(fingerprints))


def version_sum(fingerprints: Iterable[str]) -> int:
    return sum(int(fp, 16) for fp in fingerprints) % _VERSION_MODULUS


def update_version_sum(total: int, added: Iterable[str] = (), removed: Iterable[str] = ()) -> int:
    """Apply fingerprint changes to a running sum (a modification = remove old + add new)."""
    total += sum(int(fp, 16) for fp in added)
    total -= sum(int(fp, 16) for fp in removed)
    return total % _VERSION_MODULUS


def version_from_sum(total: int) -> str:
    return f"{total % _VERSION_MODULUS:064x}"[:12]
