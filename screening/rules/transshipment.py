"""Transshipment red flags (15 CFR 732 Supp. 3): a route through a known diversion hub
toward a destination of concern (Country Groups D:1-D:5 and E, Russia, Belarus), and
items of the Common High Priority List going to or through a hub. Both hold for review."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from schemas import Reason, ReasonCode, Severity, ShipmentEvent
from screening.ruledata import RuleData
from screening.rules.base import Subject
from screening.rules.context import RuleContext
from screening.rules.exports import destination_of, lines_of


def _reason(detail: str) -> Reason:
    return Reason(code=ReasonCode.TRANSSHIPMENT_RISK, severity=Severity.hold, party_role="route", detail=detail)


def route_reasons(stops: list[str], data: RuleData, on: date) -> list[Reason]:
    """A route given as its stops (origin, transit stops..., final destination)."""
    if len(stops) < 3:
        return []
    final = stops[-1]
    concern = data.sensitivity(final, on)
    hubs = [s for s in dict.fromkeys(stops[1:-1]) if s != final and data.is_hub(s, on) is not None]
    if concern is None or not hubs:
        return []
    hub_source = data.is_hub(hubs[0], on)
    assert hub_source is not None
    return [_reason(f"Route {'→'.join(stops)} passes through transshipment {_hubs(hubs)} toward {final}, and "
                    f"{concern} (hubs: {hub_source.source}).")]


def _hubs(hubs: list[str]) -> str:
    return f"hub {hubs[0]}" if len(hubs) == 1 else f"hubs {', '.join(hubs[:-1])} and {hubs[-1]}"


def _hub_countries(subject: Subject, data: RuleData, on: date) -> list[str]:
    if isinstance(subject, ShipmentEvent) and subject.legs:
        stops = [subject.legs[0].from_, *(leg.to for leg in subject.legs)]
    else:
        destination = destination_of(subject)
        stops = [destination.country] if destination is not None and destination.country else []
    return [s for s in dict.fromkeys(stops) if data.is_hub(s, on) is not None]


def high_priority_reasons(subject: Subject, data: RuleData, on: date) -> list[Reason]:
    lines = [(line, item) for line in lines_of(subject) if (item := data.high_priority(line.hs_code, on))]
    if not lines:
        return []
    hubs = _hub_countries(subject, data, on)
    if not hubs:
        return []
    how = "goes through" if isinstance(subject, ShipmentEvent) and subject.legs else "ships to"
    return [_reason(f"Line '{line.sku}' (HS {line.hs_code}: {item.description}, Common High Priority List "
                    f"Tier {item.tier}) {how} transshipment {_hubs(hubs)} ({item.source}).")
            for line, item in lines]


def _reasons(subject: Subject, data: RuleData, on: date) -> list[Reason]:
    reasons: list[Reason] = []
    if isinstance(subject, ShipmentEvent) and subject.legs:
        stops = [subject.legs[0].from_, *(leg.to for leg in subject.legs)]
        reasons += route_reasons(stops, data, on)
    return reasons + high_priority_reasons(subject, data, on)


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    view = ctx.view(subject)
    destination = view.destination
    route = tuple((leg.from_, leg.to) for leg in subject.legs) if isinstance(subject, ShipmentEvent) else ()
    key = ("transshipment", type(subject).__name__, route, destination.country if destination else None,
           view.goods, view.on)
    return ctx.data.remembered(key, partial(_reasons, subject, ctx.data, view.on))
