"""What the export-control rules share: where a subject's goods go, how a line's ECCN
reads, and whether a line is subject to the EAR at all (US origin, or foreign-made with US
content above de minimis, 15 CFR 734.3 and 734.4)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from schemas import Address, Line, OrderEvent, PartyRole
from screening.ruledata import RuleData
from screening.ruledata.model import DeMinimisRule
from screening.rules.base import Subject

_ECCN = re.compile(r"^(EAR99|[0-9][A-E][0-9]{3})((?:\.[A-Z0-9]+)*)$")


def event_date(subject: Subject) -> date:
    return subject.occurred_at.date()


def lines_of(subject: Subject) -> list[Line]:
    return list(subject.lines or [])


def destination_of(subject: Subject) -> Address | None:
    """Where the goods end up: an order's ship-to; a shipment's last route leg, or else its
    end user's or consignee's address."""
    if isinstance(subject, OrderEvent):
        return subject.ship_to
    if subject.legs:
        return Address(country=subject.legs[-1].to)
    for role in (PartyRole.end_user, PartyRole.consignee):
        for party in subject.parties:
            if party.role is role and party.address is not None and party.address.country:
                return party.address
    return None


class Destination(NamedTuple):  # built for every subject: a tuple is the cheapest record
    address: Address
    # How a detail names it: "CN", or "CN (end user 'Arya Tech')".
    label: str

    @property
    def country(self) -> str | None:
        return self.address.country


def destinations_of(subject: Subject) -> list[Destination]:
    """Every country of ultimate destination: where the goods are sent (`destination_of`)
    and, when elsewhere, each end user's country, since a licence need follows the end
    user (an order shipped to a Dubai forwarder for an end user in Iran goes to Iran)."""
    primary = destination_of(subject)
    found = [Destination(primary, primary.country or "an unknown country")] if primary is not None else []
    seen: set[str | None] = {None, primary.country} if primary is not None else {None}
    for party in subject.parties:
        if party.role is _END_USER and (address := party.address) is not None and address.country not in seen:
            seen.add(address.country)
            found.append(Destination(address, f"{address.country} (end user '{party.name}')"))
    return found


_END_USER = PartyRole.end_user  # a module constant: an enum member looked up per party costs more


@dataclass(frozen=True)
class Eccn:
    code: str        # the entry: "3A001", or "EAR99"
    given: str       # as the line gives it, normalised: "3A001.A.1.A"

    @property
    def paragraph(self) -> str | None:
        """The full classification when the line names a paragraph, else None."""
        return self.given if self.given != self.code else None


def parse_eccn(text: str) -> Eccn | None:
    """"3a001.a.1" -> Eccn("3A001", "3A001.A.1"); None if it is no ECCN at all."""
    given = re.sub(r"\s+", "", text).upper()
    m = _ECCN.match(given)
    return Eccn(m.group(1), given) if m else None


@dataclass(frozen=True)
class EarScope:
    """Whether one line is subject to the EAR for its destination, and why."""

    subject: bool
    # How a detail names the line's origin and US content, "" for a US-origin item.
    why: str = ""
    # Set when a foreign-made line's US content is above de minimis.
    exceeded: DeMinimisRule | None = None
    us_content_pct: Decimal | None = None


def _threshold(destination: str | None, data: RuleData, on: date) -> DeMinimisRule | None:
    if destination is not None:
        return data.de_minimis_rule(destination, on)
    # Destination unknown: the strictest threshold in force (fail closed).
    rules = [r for r in data.de_minimis if r.covers(on)]
    return min(rules, key=lambda r: r.max_us_content_pct, default=None)


def ear_scope(line: Line, destination: str | None, data: RuleData, on: date) -> EarScope:
    origin = line.origin_country
    if origin is None or origin == "US":
        return EarScope(True)
    if line.us_content_pct is None:
        return EarScope(True, f"made in {origin} with no US content share given, so treated as subject to the EAR")
    pct = Decimal(str(line.us_content_pct)).normalize()
    rule = _threshold(destination, data, on)
    if rule is None:
        return EarScope(True, f"made in {origin}; no de minimis threshold in the rule data, so treated as subject "
                              "to the EAR", us_content_pct=pct)
    if pct > rule.max_us_content_pct:
        return EarScope(True, f"made in {origin} with {pct:f}% US controlled content, above the "
                              f"{rule.max_us_content_pct:f}% de minimis level", rule, pct)
    return EarScope(False, f"made in {origin} with {pct:f}% US controlled content, at or under the "
                           f"{rule.max_us_content_pct:f}% de minimis level", us_content_pct=pct)
