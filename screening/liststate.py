"""ListState: the list entries a worker screens against, their content versions, and how
fresh they are. Fed one change at a time (from `lists.entries`), never rebuilt whole."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from schemas import ListEntry, ListManifest
from screening.lists.delta import entry_fingerprint
from screening.matching import MatchConfig, NameIndex
from screening.shared_identifiers import SharedIdentifiers

_MOD = 2**256


class ChangeKind(StrEnum):
    added = "added"
    modified = "modified"
    removed = "removed"
    unchanged = "unchanged"


@dataclass(frozen=True)
class EntryChange:
    key: str
    kind: ChangeKind
    old: ListEntry | None
    new: ListEntry | None


class ListVersions:
    """Per-list content versions: the sum of the entries' fingerprints mod 2**256, so one
    upsert or delete updates a version in O(1) and two holders of the same entries agree
    on it, whatever order the entries arrived in."""

    def __init__(self) -> None:
        self._fingerprints: dict[str, str] = {}
        self._sums: dict[str, int] = defaultdict(int)
        self._counts: dict[str, int] = defaultdict(int)
        # describe() is asked for on every screening, and changes only with the entries.
        self._described: str | None = None

    def fingerprint(self, key: str) -> str | None:
        return self._fingerprints.get(key)

    def add(self, key: str, list_code: str, fingerprint: str) -> None:
        self._fingerprints[key] = fingerprint
        self._described = None
        self._sums[list_code] = (self._sums[list_code] + int(fingerprint, 16)) % _MOD
        self._counts[list_code] += 1

    def discard(self, key: str, list_code: str) -> None:
        fingerprint = self._fingerprints.pop(key, None)
        if fingerprint is None:
            return
        self._described = None
        self._sums[list_code] = (self._sums[list_code] - int(fingerprint, 16)) % _MOD
        self._counts[list_code] -= 1
        if self._counts[list_code] == 0:
            del self._counts[list_code]
            del self._sums[list_code]

    def of(self, list_code: str) -> str:
        return format(self._sums.get(list_code, 0), "064x")[:12]

    def counts(self) -> dict[str, int]:
        return dict(sorted(self._counts.items()))

    def describe(self) -> str:
        """All lists' versions, e.g. "EL:3c9e1f0a2b4d SDN:a41b07c3d2e1"; "none" if empty."""
        if self._described is None:
            self._described = " ".join(f"{code}:{self.of(code)}" for code in sorted(self._counts)) or "none"
        return self._described


class ListState:
    """Entries by key, their per-list versions, and the NameIndex and SharedIdentifiers
    over them."""

    def __init__(self, match_config: MatchConfig | None = None) -> None:
        self.entries: dict[str, ListEntry] = {}
        self.index = NameIndex(match_config)
        self.shared = SharedIdentifiers()
        self.manifests: dict[str, ListManifest] = {}
        self.versions = ListVersions()
        # When this worker last applied an entry; freshness falls back to it for lists
        # that were produced without a manifest.
        self.last_change_at: datetime | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[ListEntry]:
        return iter(self.entries.values())

    def apply(self, key: str, entry: ListEntry | None, at: datetime) -> EntryChange:
        """Upsert (`entry`) or delist (`None`) one key."""
        old = self.entries.get(key)
        if entry is None:
            if old is None:
                return EntryChange(key, ChangeKind.unchanged, None, None)
            del self.entries[key]
            self.versions.discard(key, old.list_code)
            self.index.remove(key)
            self.shared.remove(key)
            self.last_change_at = at
            return EntryChange(key, ChangeKind.removed, old, None)
        fingerprint = entry_fingerprint(entry)
        if old is not None and self.versions.fingerprint(key) == fingerprint:
            self.entries[key] = entry  # same content, maybe a newer source_version
            return EntryChange(key, ChangeKind.unchanged, old, entry)
        if old is not None:
            self.versions.discard(key, old.list_code)
        self.entries[key] = entry
        self.versions.add(key, entry.list_code, fingerprint)
        self.index.upsert(entry)
        self.shared.upsert(entry)
        self.last_change_at = at
        return EntryChange(key, ChangeKind.modified if old else ChangeKind.added, old, entry)

    def apply_manifest(self, manifest: ListManifest | None, list_code: str) -> None:
        if manifest is None:
            self.manifests.pop(list_code, None)
        else:
            self.manifests[list_code] = manifest

    # -- versions ------------------------------------------------------------------------

    def list_version(self, list_code: str) -> str:
        return self.versions.of(list_code)

    def version(self) -> str:
        return self.versions.describe()

    def counts(self) -> dict[str, int]:
        return self.versions.counts()

    # -- freshness -----------------------------------------------------------------------

    def loaded_at(self) -> datetime | None:
        """When the newest successful load completed (manifest time, else last change)."""
        times = [m.loaded_at for m in self.manifests.values()]
        if self.last_change_at is not None and not times:
            times.append(self.last_change_at)
        return max(times) if times else None

    def age(self, now: datetime) -> timedelta | None:
        loaded = self.loaded_at()
        return None if loaded is None else max(now - loaded, timedelta(0))

    def is_demo(self) -> bool:
        return any(m.demo for m in self.manifests.values())

    def incomplete_lists(self) -> list[str]:
        """Lists whose manifest names a version this worker has not (yet) reached: a load
        still arriving, or lost records."""
        return sorted(code for code, m in self.manifests.items()
                      if m.entries > 0 and m.version != self.list_version(code))

    def availability_problem(self, now: datetime, max_age: timedelta) -> str | None:
        """Why screening against this state must fail closed, or None if it may be used."""
        if not self.entries:
            return "no list state is loaded"
        age = self.age(now)
        if age is not None and age > max_age:
            hours = age.total_seconds() / 3600
            return f"list state is {hours:.1f} h old, older than the {max_age.total_seconds() / 3600:.0f} h maximum"
        # Fewer entries than the last load published: the load (or this worker's reading of
        # it after a restart) is still arriving, and a name missing from a partial list must
        # not clear. A version that differs at full count is only reported (health).
        short = self.short_lists()
        if short:
            detail = ", ".join(f"{code} has {have} of {want} entries" for code, (have, want) in short.items())
            return f"list state is incomplete ({detail}): a load is still arriving"
        return None

    def short_lists(self) -> dict[str, tuple[int, int]]:
        """Lists holding fewer entries than their manifest says: {list: (have, published)}."""
        counts = self.counts()
        return {code: (counts.get(code, 0), m.entries) for code, m in sorted(self.manifests.items())
                if counts.get(code, 0) < m.entries}
