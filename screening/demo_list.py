"""A tiny list written from public facts of the ZTE case, loaded when no lists are
configured so a newcomer sees screening work. It is NOT fit for compliance use: the
service says so at start and on /health.

Facts: BIS added ZTE Corporation, ZTE Kangxun Telecom, Beijing 8-Star International and
ZTE Parsian to the Entity List on 2016-03-08 (81 FR 12004) for re-exporting US items to
Iran through front companies; ZTE Corporation and ZTE Kangxun were removed on 2017-03-29
after the settlement. BIS then issued a Denial Order against both on 2018-04-15 and
terminated it on 2018-07-13.
"""

from __future__ import annotations

from datetime import date

from schemas import Address, EntryKind, ListEntry

DEMO_SOURCE_VERSION = "tradescreen-demo-1"
DEMO_LISTS = ("EL", "DPL")

_EL_REQUIREMENT = "For all items subject to the EAR. (See §744.11 of the EAR)"


def _entry(list_code: str, source_id: str, name: str, country: str, city: str, *,
           aliases: tuple[str, ...] = (), start: date, end: date | None = None,
           programs: tuple[str, ...] = (), licence: str | None = None, remarks: str | None = None) -> ListEntry:
    return ListEntry(
        list_code=list_code, source_id=source_id, kind=EntryKind.organization, name=name,
        aliases=list(aliases), addresses=[Address(city=city, country=country)], programs=list(programs),
        effective_from=start, effective_to=end, license_requirement=licence, remarks=remarks,
        source_version=DEMO_SOURCE_VERSION,
    )


def demo_entries() -> list[ListEntry]:
    el_2016 = date(2016, 3, 8)
    return [
        _entry("EL", "demo-beijing-8-star", "Beijing 8-Star International Co.", "CN", "Beijing",
               start=el_2016, programs=("81 FR 12004",), licence=_EL_REQUIREMENT,
               remarks="Demo entry. Presumption of denial."),
        _entry("EL", "demo-zte-parsian", "ZTE Parsian", "IR", "Tehran",
               aliases=("ZTE Parsian Co.",), start=el_2016, programs=("81 FR 12004",),
               licence=_EL_REQUIREMENT, remarks="Demo entry. Presumption of denial."),
        _entry("EL", "demo-zte-corporation", "ZTE Corporation", "CN", "Shenzhen",
               aliases=("Zhongxing Telecommunication Equipment Corporation",), start=el_2016,
               end=date(2017, 3, 29), programs=("81 FR 12004",), licence=_EL_REQUIREMENT,
               remarks="Demo entry. Removed after the 2017 settlement."),
        _entry("EL", "demo-zte-kangxun", "ZTE Kangxun Telecom Co. Ltd.", "CN", "Shenzhen",
               start=el_2016, end=date(2017, 3, 29), programs=("81 FR 12004",), licence=_EL_REQUIREMENT,
               remarks="Demo entry. Removed after the 2017 settlement."),
        _entry("DPL", "demo-zte-denial-2018", "ZTE Corporation", "CN", "Shenzhen",
               aliases=("Zhongxing Telecommunication Equipment Corporation",),
               start=date(2018, 4, 15), end=date(2018, 7, 13),
               remarks="Demo entry. Denial Order of 2018-04-15, terminated 2018-07-13."),
        _entry("DPL", "demo-zte-kangxun-denial-2018", "ZTE Kangxun Telecom Co. Ltd.", "CN", "Shenzhen",
               start=date(2018, 4, 15), end=date(2018, 7, 13),
               remarks="Demo entry. Denial Order of 2018-04-15, terminated 2018-07-13."),
    ]
