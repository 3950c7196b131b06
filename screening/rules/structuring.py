"""STRUCTURING: many small orders or shipments, or several hand-carried ones, to one
consignee inside a window: loads kept small to stay under scrutiny (BIS "Know Your
Customer" red flags, 15 CFR 732 Supp. 3; the ZTE case's hand-carried components).

Per consignee (normalised name + country): the order's consignee, else its buyer; a
shipment's consignee. The event being screened counts itself (its facts are remembered
only after its decision); an order and its shipments are one transaction, and a subject's
later events (an amendment, a departure) are the same activity, not another one."""

from __future__ import annotations

from datetime import datetime, timedelta

from schemas import OrderEvent, OrderEventType, Party, Reason, ReasonCode, Severity, SubjectKind
from screening.facts import HAND_CARRIED, ActivityFact, StreamFacts, activity_of, activity_party
from screening.money import usd
from screening.partykeys import party_country
from screening.ruledata import RedFlagThresholds
from screening.rules.base import Subject, role_label
from screening.rules.context import RuleContext


def _transactions(activity: list[ActivityFact]) -> list[ActivityFact]:
    """One per order: a shipment of an order already counted is the same transaction."""
    orders = {a.order_id for a in activity if a.subject.kind is SubjectKind.order}
    return [a for a in activity if a.subject.kind is SubjectKind.order or a.order_id not in orders]


def window_activity(current: ActivityFact, facts: StreamFacts, window: timedelta) -> list[ActivityFact]:
    """The consignee's activity in the window ending at the current event, the current
    one included once."""
    seen = facts.activity(current.consignee, current.at - window, until=current.at, excluding=current.key)
    return [*seen, current]  # the window ends at the current event


# A busy consignee crosses a threshold with thousands of events in its window: the detail
# names the latest ones and counts the rest.
EVIDENCE_SHOWN = 10


def _evidence(items: list[ActivityFact]) -> str:
    shown = items[-EVIDENCE_SHOWN:]
    listed = "; ".join(a.describe() for a in shown)
    earlier = len(items) - len(shown)
    return f"{listed}; and {earlier} earlier" if earlier else listed


def structuring_reasons(event: Subject, facts: StreamFacts, limits: RedFlagThresholds) -> list[Reason]:
    if isinstance(event, OrderEvent) and event.type is OrderEventType.cancelled:
        return []  # a cancellation is no new load
    party = activity_party(event)
    if party is None:
        return []
    value, mode = facts.measure(event)
    is_small = value is not None and value < limits.structuring_small_value_usd
    if not (is_small or mode in HAND_CARRIED):
        return []  # only an event that counts toward a threshold can cross it
    current = activity_of(event, (value, mode))
    assert current is not None  # it has a party
    window = timedelta(days=limits.structuring_window_days)
    activity = window_activity(current, facts, window)
    who = (f"{role_label(party).capitalize()} '{current.consignee_name}' "
           f"({party_country(party) or 'country unknown'})")
    since = (current.at - window).date().isoformat()
    reasons = []
    if is_small:
        small = [a for a in _transactions(activity) if a.small(limits.structuring_small_value_usd)]
        if len(small) >= limits.structuring_min_small_events:
            reasons.append(_reason(party, (
                f"{who} has {len(small)} orders or shipments each under "
                f"{usd(limits.structuring_small_value_usd)} between {since} and "
                f"{current.at.date().isoformat()} (threshold {limits.structuring_min_small_events} in "
                f"{limits.structuring_window_days} days): {_evidence(small)}.")))
    if current.hand_carried:
        carried = [a for a in activity if a.hand_carried]
        if len(carried) >= limits.structuring_min_hand_carried:
            reasons.append(_reason(party, (
                f"{who} has {len(carried)} hand-carried or courier shipments between {since} and "
                f"{current.at.date().isoformat()} (threshold {limits.structuring_min_hand_carried} in "
                f"{limits.structuring_window_days} days): {_evidence(carried)}.")))
    return reasons


def check(subject: Subject, ctx: RuleContext, now: datetime) -> list[Reason]:
    return structuring_reasons(subject, ctx.facts, ctx.data.red_flags)


def _reason(party: Party, detail: str) -> Reason:
    return Reason(code=ReasonCode.STRUCTURING, severity=Severity.hold, party_role=party.role.value,
                  party_name=party.name, detail=detail)
