"""The shape of every rule-data file, validated at load: each item is dated (`from`/`to`,
inclusive, null = open) and cites its source. The same models are the items the rules
read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from schemas.common import CountryCode

# The Commerce Country Chart's columns (15 CFR 738 Supp. 1).
Column = Literal["CB1", "CB2", "CB3", "NP1", "NP2", "NS1", "NS2", "MT1", "RS1", "RS2", "FC1",
                 "CC1", "CC2", "CC3", "AT1", "AT2"]
COLUMNS: tuple[str, ...] = Column.__args__  # type: ignore[attr-defined]
# Reasons for control (15 CFR 738.2(d)(2)), for controls stated by country group.
ControlReason = Literal["CB", "NP", "NS", "MT", "RS", "FC", "CC", "AT", "EI", "SL", "UN"]
GroupCode = Annotated[str, StringConstraints(pattern=r"^[A-E](:[1-9])?$")]
EccnCode = Annotated[str, StringConstraints(pattern=r"^(EAR99|[0-9][A-E][0-9]{3})$")]
Citation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class FileModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Dated(FileModel):
    """An item in force from `from` to `to` (inclusive; null = open), with its source."""

    from_: date | None = Field(alias="from")
    to: date | None
    source: Citation

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.from_ is not None and self.to is not None and self.to < self.from_:
            raise ValueError(f"'to' ({self.to}) is before 'from' ({self.from_})")
        return self

    def covers(self, on: date) -> bool:
        return (self.from_ is None or on >= self.from_) and (self.to is None or on <= self.to)

    @property
    def period(self) -> str:
        """"from 2017-10-12" / "2014-12-19 to 2017-10-11": how a detail names the dates."""
        if self.from_ and self.to:
            return f"{self.from_} to {self.to}"
        if self.from_:
            return f"from {self.from_}"
        if self.to:
            return f"until {self.to}"
        return "without end date"


class RuleSetHeader(FileModel):
    version: NonEmptyText
    title: str = ""


class CountryGroupEntry(Dated):
    group: GroupCode
    name: NonEmptyText
    countries: list[CountryCode] = Field(min_length=1)


class CountryGroupsFile(FileModel):
    groups: list[CountryGroupEntry] = Field(min_length=1)


class EmbargoProgramme(Dated):
    id: NonEmptyText
    name: NonEmptyText
    country: CountryCode
    # A programme for a region of `country`: recognised from an address whose country is
    # one of these (or missing), by region or city.
    address_countries: list[CountryCode] = Field(default_factory=list)
    regions: list[NonEmptyText] = Field(default_factory=list)
    cities: list[NonEmptyText] = Field(default_factory=list)

    @property
    def is_regional(self) -> bool:
        return bool(self.regions or self.cities)


class EmbargoesFile(FileModel):
    programmes: list[EmbargoProgramme] = Field(min_length=1)


class ChartRow(Dated):
    countries: list[CountryCode] = Field(min_length=1)
    controls: list[Column]
    # A licence for every item on the Commerce Control List, whatever its reasons for
    # control (Russia and Belarus since 2022, the embargoed destinations).
    all_listed_items: bool = False


class CountryChartFile(FileModel):
    columns: list[Column]
    rows: list[ChartRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _all_columns(self) -> Self:
        if tuple(self.columns) != COLUMNS:
            raise ValueError(f"columns must be exactly {', '.join(COLUMNS)}")
        return self


class EccnControl(FileModel):
    """One reason for control of an ECCN: a Country Chart column, or a reason that applies
    to listed countries or country groups."""

    column: Column | None = None
    reason: ControlReason | None = None
    countries: list[CountryCode] = Field(default_factory=list)
    country_groups: list[GroupCode] = Field(default_factory=list)
    except_groups: list[GroupCode] = Field(default_factory=list)
    # Paragraphs the control is limited to (None: the entire entry).
    paragraphs: list[NonEmptyText] | None = None
    applies_to: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        by_place = bool(self.countries or self.country_groups)
        if (self.column is None) == (self.reason is None):
            raise ValueError("a control names either a Country Chart 'column' or a 'reason' with countries or groups")
        if self.reason is not None and not by_place:
            raise ValueError("a control by 'reason' needs 'countries' or 'country_groups'")
        if self.column is not None and (by_place or self.except_groups):
            raise ValueError("a control by Country Chart 'column' takes no countries or groups")
        return self

    @property
    def label(self) -> str:
        """"NS2", or "RS" for a control by country group."""
        return self.column or str(self.reason)

    def covers_paragraph(self, paragraph: str | None) -> bool:
        """Whether the control applies to a line classified as `paragraph` (the full ECCN
        the line gives); a line without a paragraph could be in any, so it applies."""
        if self.paragraphs is None or paragraph is None:
            return True
        p = paragraph.upper()
        return any(p == q.upper() or p.startswith(q.upper() + ".") for q in self.paragraphs)


class EccnEntry(Dated):
    eccn: EccnCode
    title: NonEmptyText
    controls: list[EccnControl]


class EccnsFile(FileModel):
    eccns: list[EccnEntry] = Field(min_length=1)


class DeMinimisRule(Dated):
    id: NonEmptyText
    max_us_content_pct: Decimal = Field(ge=0, le=100)
    # Destinations in any of these groups; empty: every other destination.
    country_groups: list[GroupCode]


class DeMinimisFile(FileModel):
    thresholds: list[DeMinimisRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_default(self) -> Self:
        if not any(not t.country_groups for t in self.thresholds):
            raise ValueError("one threshold must have no country_groups (the general threshold)")
        return self


class HubSet(Dated):
    countries: list[CountryCode] = Field(min_length=1)


class SensitiveDestinations(Dated):
    country_groups: list[GroupCode] = Field(default_factory=list)
    countries: list[CountryCode] = Field(default_factory=list)


class TransshipmentFile(FileModel):
    hubs: list[HubSet] = Field(min_length=1)
    sensitive_destinations: list[SensitiveDestinations] = Field(min_length=1)


class HighPriorityItem(Dated):
    hs: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
    tier: int = Field(ge=1, le=5)
    description: NonEmptyText


class HighPriorityFile(FileModel):
    source: Citation
    items: list[HighPriorityItem] = Field(min_length=1)


class Threshold(FileModel):
    value: Decimal | int | float
    source: Citation


class RedFlagsFile(Dated):
    source: Citation = "see each threshold"
    thresholds: dict[str, Threshold]


class OwnershipRule(Dated):
    list_code: NonEmptyText = Field(alias="list")


class OwnershipFile(FileModel):
    rules: list[OwnershipRule] = Field(min_length=1)


class Licence(FileModel):
    """A licence the exporter holds: it authorises the ECCNs listed to the countries
    listed, from `valid_from` to `valid_to` inclusive."""

    number: NonEmptyText
    eccns: list[EccnCode] = Field(min_length=1)
    countries: list[CountryCode] = Field(min_length=1)
    valid_from: date
    valid_to: date
    holder: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.valid_to < self.valid_from:
            raise ValueError(f"'valid_to' ({self.valid_to}) is before 'valid_from' ({self.valid_from})")
        return self

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_to


class LicenceRegisterFile(FileModel):
    licences: list[Licence] = Field(default_factory=list)
