"""Events, list state and a remembering screener for the red-flag rule tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas import Decision, EntryKind, ListEntry, OrderEvent, Reason, ReasonCode, ShipmentEvent
from screening.demo_list import demo_entries
from screening.facts import StreamFacts
from screening.liststate import ListState
from screening.policy import ScreeningPolicy
from screening.ruledata import RuleData
from screening.rules import RULES, Rule, RuleContext
from screening.screener import Screener

NOW = datetime(2018, 5, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# Lists count as loaded after every event of these tests (an age below zero counts as
# fresh), so that list freshness never decides a red-flag case: events span months.
LOADED_AT = datetime(2030, 1, 1, tzinfo=UTC)


def party(role: str, name: str, country: str | None = None, **extra: Any) -> dict[str, Any]:
    address = dict(extra.pop("address", {}))
    if country:
        address["country"] = country
    return {"role": role, "name": name, **({"address": address} if address else {}), **extra}


def line(value: float | str, quantity: int = 1, currency: str = "USD", **extra: Any) -> dict[str, Any]:
    return {"sku": "SKU-1", "description": "handset", "quantity": quantity, "unit_value": str(value),
            "currency": currency, **extra}


def order(*parties: dict[str, Any], event_id: str = "o-1", order_id: str = "SO-1", type: str = "order.created",
          when: datetime = NOW, ship_to: dict[str, Any] | str = "DE", lines: Iterable[dict[str, Any]] = (),
          payment: dict[str, Any] | None = None) -> OrderEvent:
    return OrderEvent.model_validate({
        "event_id": event_id, "type": type, "order_id": order_id, "occurred_at": when.isoformat(),
        "parties": list(parties), "ship_to": {"country": ship_to} if isinstance(ship_to, str) else ship_to,
        "lines": list(lines), **({"payment": payment} if payment else {}),
    })


def shipment(*parties: dict[str, Any], event_id: str = "s-1", shipment_id: str = "SH-1",
             order_id: str | None = "SO-1", type: str = "shipment.booked", when: datetime = NOW,
             mode: str = "sea", legs: Iterable[tuple[str, str]] = (), lines: Iterable[dict[str, Any]] | None = None,
             declared_value: str | None = None, currency: str | None = None) -> ShipmentEvent:
    body: dict[str, Any] = {
        "event_id": event_id, "type": type, "shipment_id": shipment_id, "occurred_at": when.isoformat(),
        "mode": mode, "parties": list(parties), "legs": [{"from": a, "to": b} for a, b in legs],
    }
    if order_id is not None:
        body["order_id"] = order_id
    if lines is not None:
        body["lines"] = list(lines)
    if declared_value is not None:
        body["declared_value"] = declared_value
    if currency is not None:
        body["currency"] = currency
    return ShipmentEvent.model_validate(body)


def entry(list_code: str, source_id: str, name: str, kind: EntryKind = EntryKind.organization,
          **extra: Any) -> ListEntry:
    return ListEntry(list_code=list_code, source_id=source_id, kind=kind, name=name, source_version="t", **extra)


def list_state(*entries: ListEntry, at: datetime = LOADED_AT) -> ListState:
    state = ListState()
    for e in [*demo_entries(), *entries]:
        state.apply(e.key, e, at)
    return state


DEMO_LISTS = list_state()


def context(facts: StreamFacts | None = None, lists: ListState | None = None,
            data: RuleData | None = None, now: datetime = NOW) -> RuleContext:
    return RuleContext.at(lists or DEMO_LISTS, ScreeningPolicy(), data or RuleData(), facts or StreamFacts(), now)


def run(rule: Rule, event: OrderEvent | ShipmentEvent, facts: StreamFacts | None = None,
        lists: ListState | None = None, data: RuleData | None = None) -> list[Reason]:
    return rule(event, context(facts, lists, data, event.occurred_at), event.occurred_at)


def codes(reasons: Iterable[Reason]) -> list[str]:
    return sorted(r.code.value for r in reasons)


def of_code(reasons: Iterable[Reason], code: ReasonCode) -> list[Reason]:
    return [r for r in reasons if r.code is code]


@dataclass
class Stream:
    """A screener that remembers what it decided, as the worker does: every decision's
    facts are applied before the next event."""

    lists: ListState = field(default_factory=lambda: DEMO_LISTS)
    data: RuleData = field(default_factory=RuleData)
    rules: tuple[Rule, ...] = RULES
    facts: StreamFacts = field(init=False)
    published: list[tuple[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.facts = StreamFacts(self.data.red_flags)

    def screen(self, event: OrderEvent | ShipmentEvent) -> Decision:
        screener = Screener(self.lists, ScreeningPolicy(), self.data, self.facts, self.rules)
        screened = screener.on_event(event, None, event.occurred_at)
        assert screened is not None
        for fact in self.facts.facts_from(event, screened.decision, event.occurred_at):
            self.published.append((fact.key, fact))
            self.facts.apply(fact.key, fact)
        return screened.decision
