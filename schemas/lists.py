"""ListEntry: one listed party as published on `lists.entries` (key `<list>:<source_id>`)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from schemas.common import Address, WireModel


class EntryKind(StrEnum):
    person = "person"
    organization = "organization"
    vessel = "vessel"
    aircraft = "aircraft"


class ListEntry(WireModel):
    list_code: str = Field(alias="list", min_length=1, pattern=r"^[A-Z0-9][A-Z0-9_-]*$")
    source_id: str = Field(min_length=1)
    kind: EntryKind
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    # Aliases the publisher marks as low quality (OFAC "weak aka"): matched, but they
    # never block on their own.
    weak_aliases: list[str] = Field(default_factory=list)
    addresses: list[Address] = Field(default_factory=list)
    programs: list[str] = Field(default_factory=list)
    ids: dict[str, Any] | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    remarks: str | None = None
    source_version: str

    @property
    def key(self) -> str:
        return entry_key(self.list_code, self.source_id)

    def in_force(self, on: date) -> bool:
        if self.effective_from is not None and on < self.effective_from:
            return False
        return not (self.effective_to is not None and on > self.effective_to)


def entry_key(list_code: str, source_id: str) -> str:
    return f"{list_code}:{source_id}"


class ListManifest(WireModel):
    """What one load published for one list (topic `lists.manifest`, key = list code).
    Not part of the contract's fixed set: workers use it to know how fresh and how
    complete their list state is."""

    list_code: str = Field(alias="list", min_length=1)
    version: str
    entries: int = Field(ge=0)
    loaded_at: datetime
    source: str
    source_version: str | None = None
    # True for the built-in demo list, which is not fit for compliance use.
    demo: bool = False
