"""DIVERSION: the goods go somewhere, or to someone, other than what the order said; an
order re-pointed after its decision; money from a third party or in cash.

BIS "Know Your Customer" red flags (15 CFR 732 Supp. 3): a consignee or destination
changed after the order, a customer paying cash for expensive items; the 2023 Tri-Seal
note on third-party intermediaries: payment from a party not on the transaction, in
another country."""

from __future__ import annotations

from datetime import datetime

from schemas import OrderEvent, OrderEventType, Party, PartyRole, Reason, ReasonCode, Severity, ShipmentEvent
from schemas.inputs import PaymentMethod
from screening.facts import OrderFact, order_changes
from screening.money import lines_value, usd
from screening.partykeys import name_key, party_country
from screening.ruledata import RedFlagThresholds
from screening.rules.base import Subject, role_label
from screening.rules.context import RuleContext

CASH_LIKE = frozenset({PaymentMethod.cash, PaymentMethod.crypto})


def _first(parties: list[Party], role: PartyRole) -> Party | None:
    return next((p for p in parties if p.role is role), None)


def _diverted(role: PartyRole, party: Party, order: OrderFact, shipment: ShipmentEvent) -> Reason:
    ordered = order.party(role)
    theirs = f"{role_label(party).capitalize()} '{party.name}' ({party_country(party) or 'country unknown'})"
    if ordered is not None:
        said = f"differs from the {role_label(party)} of order {order.order_id}, {ordered.describe()}"
    else:
        named = ", ".join(f"{p.role.value.replace('_', ' ')} {p.describe()}" for p in order.parties)
        said = f"is not a party named on order {order.order_id} ({named})"
    return Reason(code=ReasonCode.DIVERSION, severity=Severity.hold, party_role=role.value, party_name=party.name,
                  detail=f"Shipment {shipment.shipment_id}: {theirs} {said}.")


def _party_differs(role: PartyRole, party: Party, order: OrderFact) -> bool:
    ordered = order.party(role)
    key = name_key(party.name)
    if ordered is not None:
        return key != ordered.name_key
    # The order named no one in this role: the shipment's party must be one it named.
    return all(key != p.name_key for p in order.parties)


def shipment_reasons(shipment: ShipmentEvent, order: OrderFact) -> list[Reason]:
    """Consignee, end user and final destination of a shipment against its order's."""
    reasons = []
    for role in (PartyRole.consignee, PartyRole.end_user):
        party = _first(shipment.parties, role)
        if party is not None and _party_differs(role, party, order):
            reasons.append(_diverted(role, party, order, shipment))
    consignee = _first(shipment.parties, PartyRole.consignee)
    final: str | None
    if shipment.legs:
        final, where = shipment.legs[-1].to, f"the last route leg ends in {shipment.legs[-1].to}"
    else:
        final = party_country(consignee) if consignee else None
        where = f"the consignee is in {final}"
    ordered = order.destination
    if final and ordered and final != ordered:
        reasons.append(Reason(
            code=ReasonCode.DIVERSION, severity=Severity.hold, party_role="route",
            detail=(f"Shipment {shipment.shipment_id} goes to {final} ({where}), but order {order.order_id} "
                    f"ships to {ordered}."),
        ))
    return reasons


def amendment_reasons(event: OrderEvent, order: OrderFact | None) -> list[Reason]:
    """An amendment that re-points a decided order (ship-to or consignee), old -> new."""
    if event.type is not OrderEventType.amended or order is None:
        return []
    recorded = order.amendment(event.event_id)
    if recorded is not None:  # a re-screen: the order fact already holds this amendment
        changes, decision_id, outcome = recorded.changes, recorded.after_decision_id, recorded.after_outcome
    elif order.event_id != event.event_id:
        changes, decision_id, outcome = order_changes(order, event), order.decision_id, order.outcome
    else:
        return []
    if not changes:
        return []
    after = f" ({outcome}, decision {decision_id})" if outcome else ""
    return [Reason(
        code=ReasonCode.DIVERSION, severity=Severity.hold, party_role="ship_to",
        detail=f"Order {event.order_id} was amended after its decision{after}: {'; '.join(changes)}.",
    )]


def payment_reasons(event: OrderEvent, limits: RedFlagThresholds) -> list[Reason]:
    """Third-party payment and cash or crypto above the limit."""
    payment = event.payment
    if payment is None or event.type is OrderEventType.cancelled:
        return []  # a cancellation moves no money
    reasons = []
    payer = payment.payer
    if payer is not None:
        named = {name_key(p.name) for p in event.parties if p.role is not PartyRole.payer}
        buyer = _first(event.parties, PartyRole.buyer)
        buyer_country = party_country(buyer) if buyer else None
        payer_country = party_country(payer)
        home = {c for c in (buyer_country, event.ship_to.country) if c}
        if name_key(payer.name) not in named and payer_country and payer_country not in home:
            reasons.append(Reason(
                code=ReasonCode.DIVERSION, severity=Severity.hold, party_role="payer", party_name=payer.name,
                detail=(f"Third-party payment: payer '{payer.name}' ({payer_country}) is not a party to order "
                        f"{event.order_id} and is located outside the buyer's country "
                        f"({buyer_country or 'unknown'}) and the ship-to country "
                        f"({event.ship_to.country or 'unknown'})."),
            ))
    if payment.method in CASH_LIKE:
        value = lines_value(event.lines)
        limit = usd(limits.cash_payment_max_usd)
        if value.usd is None:
            reasons.append(Reason(
                code=ReasonCode.DIVERSION, severity=Severity.hold, party_role="payer",
                detail=(f"Payment by {payment.method.value} for order {event.order_id}, priced in "
                        f"{', '.join(value.other_currencies)}: its USD value cannot be checked against the {limit} "
                        "limit for cash or crypto payment without an exchange rate."),
            ))
        elif value.usd > limits.cash_payment_max_usd:
            reasons.append(Reason(
                code=ReasonCode.DIVERSION, severity=Severity.hold, party_role="payer",
                detail=(f"Payment by {payment.method.value} of {usd(value.usd)} for order {event.order_id}, above "
                        f"the {limit} limit for cash or crypto payment."),
            ))
    return reasons


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    if isinstance(subject, ShipmentEvent):
        # A shipment whose order is unknown is held pending by the worker before it is
        # screened; after the timeout it is not this rule's to judge.
        order = ctx.facts.order(subject.order_id) if subject.order_id else None
        return shipment_reasons(subject, order) if order is not None else []
    return (amendment_reasons(subject, ctx.facts.order(subject.order_id))
            + payment_reasons(subject, ctx.data.red_flags))

