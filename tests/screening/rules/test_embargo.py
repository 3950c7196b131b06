"""Dated embargoes: the programmes in force on the event's date decide, covered regions
are recognised from address region or city, route legs from their country codes."""

from __future__ import annotations

from datetime import datetime

import pytest

from schemas import ReasonCode, Severity
from screening.rules import embargo
from tests.screening.rules.events import at, codes, context, order, shipment


@pytest.mark.parametrize(("ship_to", "when", "expected"), [
    ("SD", at("2016-05-01"), ["EMBARGOED_DESTINATION"]),   # Sudan programme in force
    ("SD", at("2017-10-11"), ["EMBARGOED_DESTINATION"]),   # its last day
    ("SD", at("2017-10-12"), []),                          # revoked from 2017-10-12
    ("SD", at("2018-05-01"), []),
    ("IR", at("2018-05-01"), ["EMBARGOED_DESTINATION"]),
    ("CU", at("2018-05-01"), ["EMBARGOED_DESTINATION"]),
    ("KP", at("2018-05-01"), ["EMBARGOED_DESTINATION"]),
    ("SY", at("2018-05-01"), ["EMBARGOED_DESTINATION"]),
    ("RU", at("2018-05-01"), []),
    ("DE", at("2018-05-01"), []),
])
def test_country_programmes_are_judged_at_the_event_date(ship_to: str, when: datetime, expected: list[str]) -> None:
    assert codes(embargo.destinations(order(ship_to, when=when), context(), when)) == expected


@pytest.mark.parametrize(("country", "city", "region", "when", "programme"), [
    ("UA", "Sevastopol", None, at("2018-05-01"), "Crimea"),
    ("RU", "Simferopol", None, at("2018-05-01"), "Crimea"),        # given under the annexing country
    (None, "Симферополь", None, at("2018-05-01"), "Crimea"),
    ("RU", None, "Республика Крым", at("2018-05-01"), "Crimea"),
    ("UA", None, "Autonomous Republic of Crimea", at("2018-05-01"), "Crimea"),
    ("UA", "Yalta", "Crimea", at("2018-05-01"), "Crimea"),
    ("UA", "Donetsk", None, at("2023-03-01"), "DNR"),
    ("RU", "Донецк", None, at("2023-03-01"), "DNR"),
    ("UA", "Луганськ", None, at("2023-03-01"), "LNR"),
    ("UA", None, "Luhansk Oblast", at("2023-03-01"), "LNR"),
])
def test_covered_regions_are_found_from_region_or_city(country: str | None, city: str | None, region: str | None,
                                                        when: datetime, programme: str) -> None:
    event = order("UA" if country is None else country, city=city, region=region, when=when)
    if country is None:
        event = event.model_copy(update={"ship_to": event.ship_to.model_copy(update={"country": None})})
    [reason] = embargo.destinations(event, context(), when)
    assert reason.code is ReasonCode.EMBARGOED_DESTINATION and reason.severity is Severity.block
    assert programme in reason.detail and reason.party_role == "ship_to"
    assert (region or city or "") in reason.detail  # the region, when given, is named


@pytest.mark.parametrize(("country", "city", "region", "when"), [
    ("UA", "Kyiv", "Kyiv Oblast", at("2023-03-01")),
    ("UA", "Lviv", None, at("2023-03-01")),
    ("UA", "Donetsk", None, at("2021-06-01")),     # before EO 14065 (2022-02-21)
    ("UA", "Sevastopol", None, at("2014-06-01")),  # before EO 13685 (2014-12-19)
    ("US", "Yalta", None, at("2018-05-01")),       # a Yalta elsewhere is not Crimea
    ("RU", "Moscow", None, at("2023-03-01")),
])
def test_addresses_outside_covered_regions_pass(country: str, city: str | None, region: str | None,
                                               when: datetime) -> None:
    assert embargo.destinations(order(country, city=city, region=region, when=when), context(), when) == []


def test_a_party_address_in_crimea_is_an_embargoed_destination() -> None:
    buyer = {"role": "buyer", "name": "Krym Trade LLC", "address": {"city": "Kerch", "country": "RU"}}
    [reason] = embargo.destinations(order("DE", buyer=buyer), context(), at("2019-01-01"))
    assert reason.party_role == "buyer" and reason.party_name == "Krym Trade LLC"
    assert "Kerch" in reason.detail and "Crimea" in reason.detail


@pytest.mark.parametrize(("legs", "when", "expected"), [
    ([("US", "HK"), ("HK", "AE")], at("2018-05-01"), []),
    ([("CN", "KP"), ("KP", "RU")], at("2018-05-01"), ["EMBARGOED_TRANSIT"]),
    ([("US", "AE"), ("AE", "IR")], at("2018-05-01"), ["EMBARGOED_DESTINATION"]),
    ([("US", "SD"), ("SD", "EG")], at("2016-05-01"), ["EMBARGOED_TRANSIT"]),
    ([("US", "SD"), ("SD", "EG")], at("2018-05-01"), []),
    ([("SY", "TR")], at("2018-05-01"), ["EMBARGOED_TRANSIT"]),
])
def test_route_legs_are_judged_at_the_event_date(legs: list[tuple[str, str]], when: datetime,
                                                 expected: list[str]) -> None:
    assert codes(embargo.transit(shipment(legs, when=when), context(), when)) == expected
