"""What each list means for a decision: which reason code a hit carries and whether a
strong hit blocks. Facts from the lists' own legal effect (cited per list)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from schemas import ReasonCode

# Lists that carry a licence requirement rather than a prohibition: a hit means HOLD for a
# licence determination. Entity List (EAR Supp. 4 to Part 744), Military End User List
# (Supp. 7 to Part 744), Unverified List (Supp. 6 to Part 744).
LICENCE_LISTS = frozenset({"EL", "MEU", "UVL"})

# Lists whose parties no US person may deal with (blocking / denial): a strong match blocks.
# SDN (31 CFR 501), Denied Persons (EAR 764.3), UN Security Council and UK OFSI asset
# freezes, and a company's own internal block list.
BLOCKING_LISTS = frozenset({"SDN", "DPL", "UN", "UK", "INTERNAL"})



LIST_NAMES = {
    "SDN": "OFAC SDN List",
    "NONSDN": "OFAC non-SDN list",
    "EL": "Entity List",
    "DPL": "Denied Persons List",
    "UVL": "Unverified List",
    "MEU": "Military End User List",
    "ISN": "Nonproliferation Sanctions list",
    "DTC": "ITAR Debarred list",
    "SSI": "Sectoral Sanctions Identifications list",
    "CMIC": "Chinese Military-Industrial Complex list",
    "PLC": "Palestinian Legislative Council list",
    "CAP": "Correspondent Account or Payable-Through Account Sanctions list",
    "NS-MBS": "Non-SDN Menu-Based Sanctions list",
    "FSE": "Foreign Sanctions Evaders list",
    "UN": "UN Security Council Consolidated List",
    "UK": "UK Sanctions List",
    "INTERNAL": "internal block list",
}


@dataclass(frozen=True)
class ScreeningPolicy:
    # Countries an operator treats as embargoed on top of the dated, cited programmes of
    # the rule data (screening/ruledata/embargoes.yaml), which are what normally decides:
    # undated, so they block on every event date.
    embargoed_countries: frozenset[str] = frozenset()
    max_list_age: timedelta = timedelta(hours=36)
    licence_lists: frozenset[str] = LICENCE_LISTS
    blocking_lists: frozenset[str] = BLOCKING_LISTS
    list_names: dict[str, str] = field(default_factory=lambda: dict(LIST_NAMES))

    def reason_code_for(self, list_code: str) -> ReasonCode:
        return ReasonCode.ENTITY_LIST if list_code in self.licence_lists else ReasonCode.RESTRICTED_PARTY

    def list_name(self, list_code: str) -> str:
        return self.list_names.get(list_code, list_code)
