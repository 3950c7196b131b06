"""Messages that order pipelines and reviewers produce into tradescreen."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from schemas.common import Address, CountryCode, Party, Timestamp, WireModel

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Line(WireModel):
    sku: str
    description: str
    quantity: int = Field(ge=0)
    unit_value: Decimal = Field(ge=0)
    currency: CurrencyCode
    eccn: str | None = None
    hs_code: str | None = None
    origin_country: CountryCode | None = None
    us_content_pct: float | None = Field(default=None, ge=0, le=100)


class OrderEventType(StrEnum):
    created = "order.created"
    amended = "order.amended"
    cancelled = "order.cancelled"


class PaymentMethod(StrEnum):
    wire = "wire"
    letter_of_credit = "letter_of_credit"
    card = "card"
    cash = "cash"
    crypto = "crypto"


class Payment(WireModel):
    method: PaymentMethod
    payer: Party | None = None


class OrderEvent(WireModel):
    event_id: str = Field(min_length=1)
    type: OrderEventType
    order_id: str = Field(min_length=1)
    occurred_at: Timestamp
    parties: list[Party] = Field(min_length=1)
    ship_to: Address
    lines: list[Line]
    payment: Payment | None = None
    # Contract v1.1: licence numbers the exporter holds for this order.
    licenses: list[str] | None = None


class ShipmentEventType(StrEnum):
    booked = "shipment.booked"
    departed = "shipment.departed"
    arrived = "shipment.arrived"
    delivered = "shipment.delivered"


class TransportMode(StrEnum):
    air = "air"
    sea = "sea"
    road = "road"
    rail = "rail"
    courier = "courier"
    hand_carry = "hand_carry"


class Leg(WireModel):
    from_: CountryCode = Field(alias="from")
    to: CountryCode


class ShipmentEvent(WireModel):
    event_id: str = Field(min_length=1)
    type: ShipmentEventType
    shipment_id: str = Field(min_length=1)
    order_id: str | None = None
    occurred_at: Timestamp
    mode: TransportMode
    parties: list[Party] = Field(min_length=1)
    legs: list[Leg] = Field(default_factory=list)
    lines: list[Line] | None = None
    declared_value: Decimal | None = None
    currency: CurrencyCode | None = None


class DispositionAction(StrEnum):
    release = "release"
    confirm = "confirm"
    escalate = "escalate"


class Disposition(WireModel):
    hold_id: str = Field(min_length=1)
    action: DispositionAction
    reviewer: str = Field(min_length=1)
    reason: str
    at: Timestamp
