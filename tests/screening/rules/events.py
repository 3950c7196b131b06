"""Small builders for the events the rule tests judge, and the context they run in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from schemas import OrderEvent, Reason, ShipmentEvent
from screening.facts import StreamFacts
from screening.liststate import ListState
from screening.policy import ScreeningPolicy
from screening.ruledata import RuleData
from screening.rules.context import RuleContext

DATA = RuleData.packaged()
WHEN = datetime(2018, 5, 1, 9, 0, tzinfo=UTC)


def at(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)


def context(data: RuleData = DATA, policy: ScreeningPolicy | None = None) -> RuleContext:
    return RuleContext(ListState(), policy or ScreeningPolicy(), data, StreamFacts())


def line(sku: str = "SKU-1", eccn: str | None = None, hs: str | None = None, origin: str | None = None,
         us_pct: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": sku, "description": f"item {sku}", "quantity": 10, "unit_value": "100.00",
                           "currency": "USD"}
    for key, value in (("eccn", eccn), ("hs_code", hs), ("origin_country", origin), ("us_content_pct", us_pct)):
        if value is not None:
            out[key] = value
    return out


def order(ship_to: str = "DE", lines: list[dict[str, Any]] | None = None, when: datetime = WHEN,
          city: str | None = None, region: str | None = None, licenses: list[str] | None = None,
          buyer: dict[str, Any] | None = None) -> OrderEvent:
    ship: dict[str, Any] = {"country": ship_to}
    if city:
        ship["city"] = city
    if region:
        ship["region"] = region
    event: dict[str, Any] = {
        "event_id": "e-1", "type": "order.created", "order_id": "SO-1", "occurred_at": when.isoformat(),
        "parties": [buyer or {"role": "buyer", "name": "Nordlicht Automation GmbH", "address": {"country": "DE"}}],
        "ship_to": ship, "lines": lines or [],
    }
    if licenses is not None:
        event["licenses"] = licenses
    return OrderEvent.model_validate(event)


def shipment(legs: list[tuple[str, str]], lines: list[dict[str, Any]] | None = None, when: datetime = WHEN,
             consignee: dict[str, Any] | None = None) -> ShipmentEvent:
    event: dict[str, Any] = {
        "event_id": "e-2", "type": "shipment.booked", "shipment_id": "SH-1", "occurred_at": when.isoformat(),
        "mode": "air",
        "parties": [consignee or {"role": "consignee", "name": "Harbour Supply", "address": {"country": "DE"}}],
        "legs": [{"from": a, "to": b} for a, b in legs],
    }
    if lines is not None:
        event["lines"] = lines
    return ShipmentEvent.model_validate(event)


def codes(reasons: list[Reason]) -> list[str]:
    return sorted(r.code.value for r in reasons)
