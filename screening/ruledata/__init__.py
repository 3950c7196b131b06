"""Rule data: country groups, embargo programmes, Country Chart rows, ECCN reasons for
control, de minimis thresholds, transshipment hubs, high-priority HS codes and red-flag
thresholds, each item dated and cited.

Stub: the defaults below stand in until the YAML files and their validating loader land;
field names are the interface the rules code against."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


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


@dataclass(frozen=True)
class RuleData:
    version: str = "builtin"
    red_flags: RedFlagThresholds = field(default_factory=RedFlagThresholds)
    # List code -> periods in which an owner on that list makes its majority-owned parties
    # count as listed.
    ownership_rules: dict[str, tuple[DatedPeriod, ...]] = field(default_factory=_ownership_defaults)

    def ownership_rule(self, list_code: str, on: date) -> DatedPeriod | None:
        """The ownership rule in force for owners on `list_code` on `on`, if any."""
        return next((p for p in self.ownership_rules.get(list_code, ()) if p.covers(on)), None)
