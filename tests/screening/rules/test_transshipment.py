"""Transshipment: routes through hubs toward destinations of concern, and high-priority
items to or through hubs, hold for review; ordinary routes do not."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from schemas import Severity
from screening.rules import transshipment
from tests.screening.rules.events import WHEN, at, codes, context, line, order, shipment


@pytest.mark.parametrize(("stops", "when", "flagged"), [
    (["US", "AE", "IR"], WHEN, True),            # E:1 via Dubai
    (["US", "HK", "AE", "IR"], WHEN, True),
    (["US", "HK", "CN"], WHEN, True),            # D:1
    (["DE", "TR", "RU"], at("2023-03-01"), True),
    (["DE", "KZ", "BY"], at("2023-03-01"), True),
    (["US", "AE", "DE"], WHEN, False),           # hub toward an ally
    (["US", "AE"], WHEN, False),                 # to a hub, not through one
    (["US", "DE", "CN"], WHEN, False),           # not through a hub
    (["US", "SG", "VN"], WHEN, True),            # D:1
    (["US", "GE", "AM"], WHEN, True),            # AM is itself D:1 and a hub; GE is the transit hub
])
def test_routes_through_hubs(stops: list[str], when: datetime, flagged: bool) -> None:
    legs = list(itertools.pairwise(stops))
    reasons = transshipment.check(shipment(legs, when=when), context(), when)
    assert codes(reasons) == (["TRANSSHIPMENT_RISK"] if flagged else [])
    if flagged:
        assert reasons[0].severity is Severity.hold and stops[-1] in reasons[0].detail


@pytest.mark.parametrize(("hs", "stops", "flagged"), [
    ("8542.31.0000", ["US", "HK", "DE"], True),   # Tier 1 chips through Hong Kong, even toward an ally
    ("854239", ["US", "MY"], True),               # to a hub
    ("8517.62", ["US", "AE", "GB"], True),        # Tier 2
    ("8542.31", ["US", "DE"], False),             # no hub
    ("8471.30", ["US", "HK", "DE"], False),       # laptops: not on the list
])
def test_high_priority_items_to_or_through_hubs(hs: str, stops: list[str], flagged: bool) -> None:
    legs = list(itertools.pairwise(stops))
    reasons = transshipment.check(shipment(legs, lines=[line("IC-1", hs=hs)]), context(), WHEN)
    assert codes(reasons) == (["TRANSSHIPMENT_RISK"] if flagged else [])
    if flagged:
        assert "'IC-1'" in reasons[0].detail and "Common High Priority List" in reasons[0].detail


@pytest.mark.parametrize(("ship_to", "hs", "flagged"), [
    ("AE", "854231", True), ("HK", "854232", True), ("DE", "854231", False), ("AE", "847130", False),
])
def test_orders_of_high_priority_items_shipped_to_a_hub(ship_to: str, hs: str, flagged: bool) -> None:
    reasons = transshipment.check(order(ship_to, [line("IC-1", hs=hs)]), context(), WHEN)
    assert codes(reasons) == (["TRANSSHIPMENT_RISK"] if flagged else [])
