"""Building blocks shared by every message of the wire contract."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import pycountry
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

# ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which sanctions lists and carriers use
# although ISO has only reserved it.
ISO_COUNTRIES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in ISO_COUNTRIES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


CountryCode = Annotated[str, AfterValidator(_country)]
Timestamp = AwareDatetime


class WireModel(BaseModel):
    """Base for contract messages: unknown fields are kept (producers may add optional
    fields before we know them), and models are immutable once parsed."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True, exclude_none=True).encode()


class Address(WireModel):
    line1: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: CountryCode | None = None


class PartyRole(StrEnum):
    seller = "seller"
    buyer = "buyer"
    shipper = "shipper"
    consignee = "consignee"
    end_user = "end_user"
    intermediate_consignee = "intermediate_consignee"
    forwarder = "forwarder"
    carrier = "carrier"
    notify = "notify"
    payer = "payer"


class PartyIds(WireModel):
    lei: str | None = None
    vat: str | None = None
    duns: str | None = None
    imo: str | None = None


class PartyKind(StrEnum):
    person = "person"
    organization = "organization"


class Party(WireModel):
    role: PartyRole
    name: str = Field(min_length=1)
    # Optional (not in the contract's first version): when known, the matcher holds a
    # person-to-company match below the strong threshold instead of blocking on it.
    kind: PartyKind | None = None
    address: Address | None = None
    phone: str | None = None
    email: str | None = None
    ids: PartyIds | None = None


class SubjectKind(StrEnum):
    order = "order"
    shipment = "shipment"


class Subject(WireModel):
    kind: SubjectKind
    id: str = Field(min_length=1)


def utc_now() -> datetime:
    """Only edges (agents, CLI) call this; domain code takes time as a parameter."""
    return datetime.now(UTC)
