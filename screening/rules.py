"""Screening rules: pure functions from an event, list state, policy and time to reasons
and an outcome. No Kafka, no clock: `now` is a parameter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from schemas import (
    Address,
    EntryKind,
    OrderEvent,
    Outcome,
    Party,
    Reason,
    ReasonCode,
    Severity,
    ShipmentEvent,
)
from screening.liststate import ListState
from screening.matching import NameMatch
from screening.policy import ScreeningPolicy

_RANK = {Severity.info: 0, Severity.hold: 1, Severity.block: 2}
_OUTCOME = {0: Outcome.CLEAR, 1: Outcome.HOLD, 2: Outcome.BLOCK}


@dataclass(frozen=True)
class Screening:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    lists_version: str


def outcome_of(reasons: Iterable[Reason]) -> Outcome:
    return _OUTCOME[max((_RANK[r.severity] for r in reasons), default=0)]


def _role(party: Party) -> str:
    return party.role.value.replace("_", " ")


# -- embargo ----------------------------------------------------------------------------


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
                detail=f"{_role(party).capitalize()} '{party.name}' is located in embargoed country {country}.",
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


# -- restricted parties -----------------------------------------------------------------


def _party_ids(party: Party) -> dict[str, str]:
    if party.ids is None:
        return {}
    return {k: str(v) for k, v in party.ids.model_dump(exclude_none=True).items()}


def party_matches(party: Party, state: ListState, on: date) -> list[NameMatch]:
    """Matches of one party against the list entries in force on `on`."""
    country = party.address.country if party.address else None
    kind = EntryKind(party.kind.value) if party.kind else None
    hits = state.index.search(party.name, kind=kind, country=country, ids=_party_ids(party) or None)
    return [m for m in hits if (e := state.entries.get(m.key)) is not None and e.in_force(on)]


def match_reason(party: Party, match: NameMatch, state: ListState, policy: ScreeningPolicy) -> Reason:
    entry = state.entries[match.key]
    code = policy.reason_code_for(match.list_code)
    blocks = match.strong and match.list_code in policy.blocking_lists and code is ReasonCode.RESTRICTED_PARTY
    strength = "strongly matches" if match.strong else "possibly matches"
    detail = (f"{_role(party).capitalize()} '{party.name}' {strength} {policy.list_name(match.list_code)} "
              f"entry '{match.matched_name}' ({match.key}, score {match.score:.2f}): {match.explanation}")
    if code is ReasonCode.ENTITY_LIST and entry.license_requirement:
        detail += f" Licence requirement: {entry.license_requirement.strip()}"
    return Reason(
        code=code, severity=Severity.block if blocks else Severity.hold,
        party_role=party.role.value, party_name=party.name, list_code=match.list_code,
        source_id=match.source_id, matched_name=match.matched_name, score=round(match.score, 4),
        detail=detail,
    )


def party_reasons(parties: Iterable[Party], state: ListState, policy: ScreeningPolicy, on: date) -> list[Reason]:
    return [match_reason(party, match, state, policy) for party in parties for match in party_matches(party, state, on)]


def all_parties(event: OrderEvent | ShipmentEvent) -> list[Party]:
    parties = list(event.parties)
    if isinstance(event, OrderEvent) and event.payment and event.payment.payer:
        parties.append(event.payment.payer)
    return parties


def lists_unavailable(problem: str) -> Reason:
    return Reason(code=ReasonCode.LISTS_UNAVAILABLE, severity=Severity.hold,
                  detail=f"Held without screening against restricted-party lists: {problem}.")


# -- whole subjects ---------------------------------------------------------------------


def screen_order(order: OrderEvent, state: ListState, policy: ScreeningPolicy, now: datetime) -> Screening:
    parties = all_parties(order)
    reasons = destination_reasons(order.ship_to, parties, policy)
    reasons += _list_reasons(parties, state, policy, now, order.occurred_at.date())
    return Screening(outcome_of(reasons), tuple(reasons), state.version())


def screen_shipment(shipment: ShipmentEvent, state: ListState, policy: ScreeningPolicy,
                    now: datetime) -> Screening:
    parties = all_parties(shipment)
    reasons = destination_reasons(None, parties, policy)
    reasons += transit_reasons(((leg.from_, leg.to) for leg in shipment.legs), policy)
    reasons += _list_reasons(parties, state, policy, now, shipment.occurred_at.date())
    return Screening(outcome_of(reasons), tuple(reasons), state.version())


def _list_reasons(parties: list[Party], state: ListState, policy: ScreeningPolicy,
                  now: datetime, on: date) -> list[Reason]:
    problem = state.availability_problem(now, policy.max_list_age)
    if problem is not None:
        return [lists_unavailable(problem)]
    return party_reasons(parties, state, policy, on)
