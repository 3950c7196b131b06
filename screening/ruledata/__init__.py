"""Rule data: country groups, embargo programmes, Country Chart rows, ECCN reasons for
control, de minimis thresholds, transshipment hubs, high-priority HS codes, red-flag
thresholds and ownership rules, each item dated and cited.

The packaged YAML files beside this module are the default (`RuleData.packaged()`);
`loader.load_rule_data` reads them, or a folder compliance staff maintain, and validates
every file. A `RuleData()` built by hand holds only the red-flag and ownership defaults,
for tests of those rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, TypeVar

from anyascii import anyascii

from schemas import Address
from screening.ruledata.model import (
    ChartRow,
    CountryGroupEntry,
    DeMinimisRule,
    EccnEntry,
    EmbargoProgramme,
    HighPriorityItem,
    HubSet,
    Licence,
    SensitiveDestinations,
)

T = TypeVar("T")
MEMO_SIZE = 50_000
_MISSING = object()


@dataclass(frozen=True)
class RedFlagThresholds:
    # STRUCTURING: per consignee (normalised name + country) inside a sliding window.
    structuring_window_days: int = 30
    structuring_min_small_events: int = 5
    structuring_small_value_usd: Decimal = Decimal(2500)
    structuring_min_hand_carried: int = 3
    # Third-party payment: cash or crypto above this is a DIVERSION reason.
    cash_payment_max_usd: Decimal = Decimal(10000)
    # OWNERSHIP: aggregate share at or above which an owned party is treated as listed.
    ownership_threshold_pct: float = 50.0
    ownership_max_depth: int = 4
    # FRONT_COMPANY: how many held or blocked parties the stream remembers.
    flagged_parties_kept: int = 100_000


@dataclass(frozen=True)
class DatedPeriod:
    start: date | None
    end: date | None
    source: str

    def covers(self, on: date) -> bool:
        return (self.start is None or on >= self.start) and (self.end is None or on <= self.end)


def _ownership_defaults() -> dict[str, tuple[DatedPeriod, ...]]:
    return {
        # OFAC's 50 Percent Rule (revised guidance of 2014-08-13) for SDN-blocked owners.
        "SDN": (DatedPeriod(None, None, "OFAC, Revised Guidance on Entities Owned by Persons Whose Property "
                                        "and Interests in Property Are Blocked, 2014-08-13"),),
        # BIS Affiliates Rule (90 FR 47201, in force 2025-09-29), suspended 2025-11-10 to 2026-11-09.
        "EL": (DatedPeriod(date(2025, 9, 29), date(2025, 11, 9), "BIS Affiliates Rule, 90 FR 47201"),
               DatedPeriod(date(2026, 11, 10), None, "BIS Affiliates Rule, 90 FR 47201; suspension ended 2026-11-09")),
    }


@lru_cache(maxsize=65536)
def place_words(text: str) -> tuple[str, ...]:
    """A region or city name as comparable words: transliterated (Cyrillic spellings meet
    their Latin ones), case and punctuation dropped."""
    return tuple(re.sub(r"[^a-z0-9]+", " ", anyascii(text).lower().replace("'", "")).split())


def _contains(words: tuple[str, ...], name: tuple[str, ...]) -> bool:
    n = len(name)
    return any(words[i:i + n] == name for i in range(len(words) - n + 1))


@dataclass(frozen=True)
class RegionMatch:
    programme: EmbargoProgramme
    field: str  # "region" or "city"
    value: str  # as the address gives it


@dataclass(frozen=True)
class RuleData:
    version: str = "builtin"
    red_flags: RedFlagThresholds = field(default_factory=RedFlagThresholds)
    # List code -> periods in which an owner on that list makes its majority-owned parties
    # count as listed.
    ownership_rules: dict[str, tuple[DatedPeriod, ...]] = field(default_factory=_ownership_defaults)
    country_groups: tuple[CountryGroupEntry, ...] = ()
    embargoes: tuple[EmbargoProgramme, ...] = ()
    country_chart: tuple[ChartRow, ...] = ()
    eccns: tuple[EccnEntry, ...] = ()
    de_minimis: tuple[DeMinimisRule, ...] = ()
    hubs: tuple[HubSet, ...] = ()
    sensitive_destinations: tuple[SensitiveDestinations, ...] = ()
    high_priority_items: tuple[HighPriorityItem, ...] = ()
    licences: tuple[Licence, ...] = ()
    # Lookup tables, built once from the items above: rules ask per line and per party.
    _groups_by_country: dict[str, list[CountryGroupEntry]] = field(init=False, repr=False, compare=False)
    _chart: dict[str, list[ChartRow]] = field(init=False, repr=False, compare=False)
    _eccns: dict[str, list[EccnEntry]] = field(init=False, repr=False, compare=False)
    _licences: dict[str, list[Licence]] = field(init=False, repr=False, compare=False)
    _regional: list[tuple[EmbargoProgramme, tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]] = field(
        init=False, repr=False, compare=False)
    _hs: dict[str, HighPriorityItem] = field(init=False, repr=False, compare=False)
    # Results of pure look-ups over this data, by key (see `remembered`).
    _memo: dict[Hashable, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_country: dict[str, list[CountryGroupEntry]] = {}
        for g in self.country_groups:
            for c in g.countries:
                by_country.setdefault(c, []).append(g)
        chart: dict[str, list[ChartRow]] = {}
        for row in self.country_chart:
            for c in row.countries:
                chart.setdefault(c, []).append(row)
        eccns: dict[str, list[EccnEntry]] = {}
        for e in self.eccns:
            eccns.setdefault(e.eccn, []).append(e)
        licences: dict[str, list[Licence]] = {}
        for lic in self.licences:
            licences.setdefault(lic.number.strip().upper(), []).append(lic)
        regional = [(p, tuple(place_words(r) for r in p.regions), tuple(place_words(c) for c in p.cities))
                    for p in self.embargoes if p.is_regional]
        object.__setattr__(self, "_groups_by_country", by_country)
        object.__setattr__(self, "_chart", chart)
        object.__setattr__(self, "_eccns", eccns)
        object.__setattr__(self, "_licences", licences)
        object.__setattr__(self, "_regional", regional)
        object.__setattr__(self, "_hs", {i.hs: i for i in self.high_priority_items})
        object.__setattr__(self, "_memo", {})

    @classmethod
    def packaged(cls) -> RuleData:
        """The rule data shipped in this package (validated once, then shared)."""
        return _packaged()

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, kept under `key` for the next caller: the rules' answers depend only
        on this (immutable) data and the key, and the same items, places and dates recur
        on every other event of a stream. Bounded: emptied when full."""
        memo = self._memo
        value = memo.get(key, _MISSING)
        if value is _MISSING:
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            value = memo[key] = compute()
        return value

    def ownership_rule(self, list_code: str, on: date) -> DatedPeriod | None:
        """The ownership rule in force for owners on `list_code` on `on`, if any."""
        return next((p for p in self.ownership_rules.get(list_code, ()) if p.covers(on)), None)

    # -- country groups ---------------------------------------------------------------------

    def groups_of(self, country: str, on: date) -> frozenset[str]:
        """The country groups ("D:1", "E:2", ...) `country` belonged to on `on`."""
        entries = self._groups_by_country.get(country, [])
        return frozenset(g.group for g in entries if g.covers(on))

    def in_groups(self, country: str, groups: Iterable[str], on: date) -> list[str]:
        """Which of `groups` the country was in on `on`, in the order asked."""
        member = self.groups_of(country, on)
        return [g for g in groups if g in member]

    # -- embargoes --------------------------------------------------------------------------

    def embargo_on_country(self, country: str | None, on: date) -> EmbargoProgramme | None:
        """The whole-country programme in force for `country` on `on`."""
        if country is None:
            return None
        return next((p for p in self.embargoes if p.country == country and not p.is_regional and p.covers(on)),
                    None)

    def embargo_on_address(self, address: Address | None, on: date) -> list[RegionMatch]:
        """Regional programmes in force on `on` whose region or city the address names."""
        if address is None or not self._regional or (address.region is None and address.city is None):
            return []
        key = ("embargo_on_address", address.country, address.region, address.city, on)
        return self.remembered(key, lambda: self._regional_matches(address, on))

    def _regional_matches(self, address: Address, on: date) -> list[RegionMatch]:
        found = []
        for programme, regions, cities in self._regional:
            if not programme.covers(on):
                continue
            if address.country is not None and address.country not in programme.address_countries:
                continue
            for label, value, names in (("region", address.region, regions), ("city", address.city, cities)):
                if value and any(_contains(place_words(value), n) for n in names if n):
                    found.append(RegionMatch(programme, label, value))
                    break
        return found

    # -- licensing --------------------------------------------------------------------------

    def chart_row(self, country: str, on: date) -> ChartRow | None:
        rows = self._chart.get(country, [])
        return next((r for r in rows if r.covers(on)), None)

    def eccn(self, eccn: str, on: date) -> EccnEntry | None:
        """The ECCN's entry in force on `on` (`eccn` without its paragraph: "3A001")."""
        entries = self._eccns.get(eccn, [])
        return next((e for e in entries if e.covers(on)), None)

    def eccn_known(self, eccn: str) -> bool:
        return eccn in self._eccns

    def licences_numbered(self, number: str) -> list[Licence]:
        return list(self._licences.get(number.strip().upper(), []))

    def de_minimis_rule(self, country: str, on: date) -> DeMinimisRule | None:
        """The threshold for a destination: the one of its country groups, if any (the
        lowest if several), else the general one."""
        rules = [r for r in self.de_minimis if r.covers(on)]
        member = self.groups_of(country, on)
        specific = [r for r in rules if member.intersection(r.country_groups)]
        if specific:
            return min(specific, key=lambda r: r.max_us_content_pct)
        return next((r for r in rules if not r.country_groups), None)

    # -- transshipment ----------------------------------------------------------------------

    def is_hub(self, country: str, on: date) -> HubSet | None:
        return next((h for h in self.hubs if h.covers(on) and country in h.countries), None)

    def sensitivity(self, country: str, on: date) -> str | None:
        """Why a destination is of concern for transshipment ("CN is in Country Group
        D:1, D:3"), or None."""
        member = self.groups_of(country, on)
        for s in self.sensitive_destinations:
            if not s.covers(on):
                continue
            groups = [g for g in s.country_groups if g in member]
            if groups:
                return f"{country} is in Country Group {', '.join(groups)}"
            if country in s.countries:
                return f"{country} is named a destination of concern ({s.source})"
        return None

    def high_priority(self, hs_code: str | None, on: date) -> HighPriorityItem | None:
        if not hs_code:
            return None
        digits = re.sub(r"[^0-9]", "", hs_code)[:6]
        item = self._hs.get(digits)
        return item if item is not None and item.covers(on) else None


@cache
def _packaged() -> RuleData:
    from screening.ruledata.loader import load_rule_data

    return load_rule_data()


__all__ = ["DatedPeriod", "RedFlagThresholds", "RegionMatch", "RuleData", "place_words"]
