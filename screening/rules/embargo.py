"""Comprehensive embargoes, dated: where the goods go, where the parties are, and every
stop on the route, judged by the programmes in force on the event's `occurred_at` date
(rule data, embargoes.yaml). Covered regions (Crimea, the so-called DNR and LNR) are
recognised from an address's region or city; route legs carry only country codes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import partial

from schemas import Address, OrderEvent, Party, Reason, ReasonCode, Severity, ShipmentEvent
from screening.policy import ScreeningPolicy
from screening.ruledata import RuleData
from screening.rules.base import Subject, all_parties, role_label
from screening.rules.context import RuleContext


def country_embargo(country: str | None, data: RuleData, policy: ScreeningPolicy, on: date) -> str | None:
    """How a detail names the embargo on a whole country in force on `on`, or None."""
    if country is None:
        return None
    programme = data.embargo_on_country(country, on)
    if programme is not None:
        return f"the {programme.name} embargo in force on {on} ({programme.source})"
    if country in policy.embargoed_countries:
        return "an embargo this service is configured with (TRADESCREEN_EMBARGOED_COUNTRIES)"
    return None


def embargoed_destination(address: Address | None, data: RuleData, policy: ScreeningPolicy, on: date) -> bool:
    """Whether an address lies in an embargoed country or covered region on `on` (the
    licence rules block every item to such a destination)."""
    if address is None:
        return False
    return (country_embargo(address.country, data, policy, on) is not None
            or bool(data.embargo_on_address(address, on)))


def _address_reasons(address: Address | None, who: str, role: str, party_name: str | None,
                     data: RuleData, policy: ScreeningPolicy, on: date) -> list[Reason]:
    if address is None:
        return []
    reasons = []
    embargo = country_embargo(address.country, data, policy, on)
    if embargo is not None:
        reasons.append(Reason(
            code=ReasonCode.EMBARGOED_DESTINATION, severity=Severity.block, party_role=role, party_name=party_name,
            detail=f"{who} is in {address.country}, under {embargo}.",
        ))
    for match in data.embargo_on_address(address, on):
        p = match.programme
        reasons.append(Reason(
            code=ReasonCode.EMBARGOED_DESTINATION, severity=Severity.block, party_role=role, party_name=party_name,
            detail=(f"{who} gives {match.field} '{match.value}', in the {p.name}, under a comprehensive embargo "
                    f"in force on {on} ({p.source})."),
        ))
    return reasons


def destination_reasons(ship_to: Address | None, parties: Iterable[Party], data: RuleData,
                        policy: ScreeningPolicy, on: date) -> list[Reason]:
    """Ship-to and every party's address against the programmes in force on `on`."""
    reasons = []
    key: tuple[object, ...]
    if ship_to is not None:
        key = ("embargo", ship_to.country, ship_to.region, ship_to.city, None, None, on, policy.embargoed_countries)
        reasons += data.remembered(key, partial(_address_reasons, ship_to, "The ship-to address", "ship_to", None,
                                                data, policy, on))
    for party in parties:
        a = party.address
        if a is None:
            continue
        # Remembered by place: a stream names new parties all the time, in few places. The
        # reasons, which name the party, are worked out only for a place under embargo.
        place = ("embargoed place", a.country, a.region, a.city, on, policy.embargoed_countries)
        if data.remembered(place, partial(embargoed_destination, a, data, policy, on)):
            reasons += _party_reasons(party, a, data, policy, on)
    return reasons


def _party_reasons(party: Party, address: Address, data: RuleData, policy: ScreeningPolicy,
                   on: date) -> list[Reason]:
    who = f"{role_label(party).capitalize()} '{party.name}'"
    return _address_reasons(address, who, party.role.value, party.name, data, policy, on)


def transit_reasons(legs: Iterable[tuple[str, str]], data: RuleData, policy: ScreeningPolicy,
                    on: date) -> list[Reason]:
    """Every route leg: an embargoed final destination blocks as a destination, an embargoed
    origin or intermediate stop as transit."""
    legs = list(legs)
    reasons = []
    for i, (origin, dest) in enumerate(legs, start=1):
        final = i == len(legs)
        embargo = country_embargo(dest, data, policy, on)
        if embargo is not None:
            code = ReasonCode.EMBARGOED_DESTINATION if final else ReasonCode.EMBARGOED_TRANSIT
            what = "final destination" if final else "transit stop"
            reasons.append(Reason(code=code, severity=Severity.block, party_role="route",
                                  detail=f"Route leg {i} ({origin}→{dest}) has {what} {dest}, under {embargo}."))
        # A later leg's origin is the previous leg's destination, already reported.
        embargo = country_embargo(origin, data, policy, on) if i == 1 else None
        if embargo is not None:
            reasons.append(Reason(code=ReasonCode.EMBARGOED_TRANSIT, severity=Severity.block, party_role="route",
                                  detail=f"Route leg {i} ({origin}→{dest}) departs from {origin}, under {embargo}."))
    return reasons


def destinations(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    ship_to = subject.ship_to if isinstance(subject, OrderEvent) else None
    return destination_reasons(ship_to, all_parties(subject), ctx.data, ctx.policy, subject.occurred_at.date())


def transit(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    if not isinstance(subject, ShipmentEvent):
        return []
    return transit_reasons(((leg.from_, leg.to) for leg in subject.legs), ctx.data, ctx.policy,
                           subject.occurred_at.date())
