"""Publishers that write one row per name × address × alias (BIS, State, OFSI): rows are
collected as drafts and merged into one entry per party."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from schemas.lists import ListEntry
from screening.lists.parsed import ParseIssue, build_entry, derived_id, unique


@dataclass
class EntryDraft:
    list_code: str
    name: str
    line: int
    kind: str = "organization"
    aliases: list[str] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)
    addresses: list[dict[str, str | None]] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    ids: dict[str, list[str]] = field(default_factory=dict)
    effective_from: date | None = None
    effective_to: date | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    remarks: list[str] = field(default_factory=list)
    source_id: str | None = None  # publisher id when there is one, else derived from the group key
    group: tuple[str, ...] = ()  # what besides list and name separates two parties

    def add_id(self, key: str, value: str | None) -> None:
        if value and value.strip():
            values = self.ids.setdefault(key, [])
            if value.strip() not in values:
                values.append(value.strip())

    def absorb(self, other: EntryDraft) -> None:
        if other.name != self.name and other.name not in self.aliases:
            self.aliases.append(other.name)
        self.aliases.extend(other.aliases)
        self.weak_aliases.extend(other.weak_aliases)
        self.addresses.extend(a for a in other.addresses if a not in self.addresses)
        self.programs.extend(other.programs)
        for key, values in other.ids.items():
            for value in values:
                self.add_id(key, value)
        self.remarks.extend(other.remarks)
        self.effective_from = self.effective_from or other.effective_from
        self.effective_to = self.effective_to or other.effective_to
        self.license_requirement = self.license_requirement or other.license_requirement
        self.license_policy = self.license_policy or other.license_policy
        if self.kind == "organization":
            self.kind = other.kind

    def group_key(self) -> tuple[str, ...]:
        if self.source_id is not None:
            return (self.list_code, self.source_id)
        return (self.list_code, self.name.casefold(), *self.group)


def merge_drafts(
    drafts: list[EntryDraft], version: str, file: str, issues: list[ParseIssue]
) -> list[ListEntry]:
    """One entry per group key, in first-seen order; aliases and addresses unioned."""
    groups: dict[tuple[str, ...], EntryDraft] = {}
    for draft in drafts:
        key = draft.group_key()
        if key in groups:
            groups[key].absorb(draft)
        else:
            groups[key] = draft
    entries: list[ListEntry] = []
    for key, draft in groups.items():
        aliases = [a for a in unique(draft.aliases) if a != draft.name]
        fields: dict[str, Any] = {
            "list": draft.list_code,
            "source_id": draft.source_id or derived_id(*key[1:]),
            "kind": draft.kind,
            "name": draft.name,
            "aliases": aliases,
            "weak_aliases": [a for a in unique(draft.weak_aliases) if a != draft.name and a not in aliases],
            "addresses": draft.addresses,
            "programs": unique(draft.programs),
            "ids": draft.ids or None,
            "effective_from": draft.effective_from,
            "effective_to": draft.effective_to,
            "license_requirement": draft.license_requirement,
            "license_policy": draft.license_policy,
            "remarks": "; ".join(unique(draft.remarks)) or None,
            "source_version": version,
        }
        entry = build_entry(fields, file, draft.line, issues)
        if entry is not None:
            entries.append(entry)
    return entries


_PAREN_AKA = re.compile(r"\s*\((?:a\.k\.a\.|aka|f\.k\.a\.)\s*([^)]*)\)", re.IGNORECASE)
_COMMA_AKA = re.compile(r",?\s+(?:a\.k\.a\.|f\.k\.a\.)\s+", re.IGNORECASE)


def split_inline_aliases(text: str) -> tuple[str, list[str]]:
    """ "Hukic, Bajro (a.k.a. Bob Hukic; Bab Hucici)" → ("Hukic, Bajro", [...]);
    "Training 2 Business Academy, a.k.a. T2BA, a.k.a. X" → ("Training 2 ...", ["T2BA", "X"])."""
    aliases: list[str] = []
    for match in _PAREN_AKA.finditer(text):
        aliases.extend(part.strip() for part in match.group(1).split(";") if part.strip())
    name = _PAREN_AKA.sub("", text).strip()
    parts = _COMMA_AKA.split(name)
    name = parts[0].strip()
    aliases.extend(part.strip(" ,") for part in parts[1:] if part.strip(" ,"))
    return name, aliases
