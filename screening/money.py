"""What an order or shipment is worth in US dollars, when that can be said without an
exchange rate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from schemas import Line, ShipmentEvent

USD = "USD"


@dataclass(frozen=True)
class Value:
    """The USD total, or None with the other currencies that stood in the way."""

    usd: Decimal | None
    other_currencies: tuple[str, ...] = ()


def lines_value(lines: Sequence[Line]) -> Value:
    """Sum of quantity x unit value; None when a line is priced in another currency
    (no exchange rate is assumed)."""
    total = Decimal(0)
    for line in lines:  # one pass: every order is valued, by two rules and the stream facts
        if line.currency != USD:
            return Value(None, tuple(sorted({line.currency for line in lines if line.currency != USD})))
        total += line.unit_value * line.quantity
    return Value(total)


def shipment_value(shipment: ShipmentEvent) -> Value:
    """The lines' value, else the declared value when it is declared in USD."""
    if shipment.lines:
        return lines_value(shipment.lines)
    if shipment.declared_value is None:
        return Value(None)
    if shipment.currency != USD:
        return Value(None, (shipment.currency or "no currency",))
    return Value(shipment.declared_value)


def usd(amount: Decimal) -> str:
    """12,345.5 -> "12,345.50 USD"."""
    return f"{amount:,.2f} USD"
