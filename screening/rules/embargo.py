"""Comprehensive embargoes: where the goods go, where the parties are, and every stop
on the route."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from schemas import Address, OrderEvent, Party, Reason, ReasonCode, Severity, ShipmentEvent
from screening.policy import ScreeningPolicy
from screening.rules.base import Subject, all_parties, role_label
from screening.rules.context import RuleContext


def destination_reasons(ship_to: Address | None, parties: Iterable[Party],
                        policy: ScreeningPolicy) -> list[Reason]:
    """Ship-to and every party's country against the comprehensive embargoes."""
    reasons = []
    if ship_to is not None and ship_to.country in policy.embargoed_countries:
        reasons.append(Reason(
            code=ReasonCode.EMBARGOED_DESTINATION, severity=Severity.block, party_role="ship_to",
            detail=f"Ship-to country {ship_to.country} is under a comprehensive embargo.",
        ))
    for party in parties:
        country = party.address.country if party.address else None
        if country in policy.embargoed_countries:
            reasons.append(Reason(
                code=ReasonCode.EMBARGOED_DESTINATION, severity=Severity.block,
                party_role=party.role.value, party_name=party.name,
                detail=f"{role_label(party).capitalize()} '{party.name}' is located in embargoed country {country}.",
            ))
    return reasons


def transit_reasons(legs: Iterable[tuple[str, str]], policy: ScreeningPolicy) -> list[Reason]:
    """Every route leg: an embargoed final destination blocks as a destination, an embargoed
    origin or intermediate stop as transit."""
    legs = list(legs)
    reasons = []
    for i, (origin, dest) in enumerate(legs, start=1):
        final = i == len(legs)
        if dest in policy.embargoed_countries:
            code = ReasonCode.EMBARGOED_DESTINATION if final else ReasonCode.EMBARGOED_TRANSIT
            what = "final destination" if final else "transit stop"
            reasons.append(Reason(code=code, severity=Severity.block, party_role="route",
                                  detail=f"Route leg {i} ({origin}→{dest}) has embargoed {what} {dest}."))
        # A later leg's origin is the previous leg's destination, already reported.
        if i == 1 and origin in policy.embargoed_countries:
            reasons.append(Reason(code=ReasonCode.EMBARGOED_TRANSIT, severity=Severity.block, party_role="route",
                                  detail=f"Route leg {i} ({origin}→{dest}) departs from embargoed country {origin}."))
    return reasons


def destinations(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    ship_to = subject.ship_to if isinstance(subject, OrderEvent) else None
    return destination_reasons(ship_to, all_parties(subject), ctx.policy)


def transit(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    if not isinstance(subject, ShipmentEvent):
        return []
    return transit_reasons(((leg.from_, leg.to) for leg in subject.legs), ctx.policy)
