"""OwnershipLink: one documented share of an owner in an owned party (topic `ownership`,
contract v1.1, key = a link id the producer chooses)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from schemas.common import CountryCode, WireModel


class LinkOwner(WireModel):
    name: str = Field(min_length=1)
    country: CountryCode | None = None
    # "<list>:<source_id>": the owner is that list entry.
    list_key: str | None = Field(default=None, pattern=r"^[A-Z0-9][A-Z0-9_-]*:.+$")


class LinkOwned(WireModel):
    name: str = Field(min_length=1)
    country: CountryCode | None = None
    ids: dict[str, Any] | None = None


class OwnershipLink(WireModel):
    owner: LinkOwner
    owned: LinkOwned
    # Direct share of the owner in the owned party, 0-100.
    percent: float = Field(ge=0, le=100)
    # Where the link is documented (registry extract, list remark, ...).
    source: str = Field(min_length=1)
    as_of: date | None = None
