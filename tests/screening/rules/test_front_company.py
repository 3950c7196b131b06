"""FRONT_COMPANY: unlisted parties sharing an address, phone, email or identifier with a
listed entry or with a party this stream held for a list match."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from schemas import Address, ListEntry, Outcome, ReasonCode, Severity
from screening.lists.csl import parse_csl
from screening.rules import front_company
from tests.conftest import LISTS
from tests.screening.rules.builders import (
    LOADED_AT,
    NOW,
    Stream,
    entry,
    list_state,
    of_code,
    order,
    party,
    run,
)

CSL_SAMPLE = LISTS / "csl" / "csl-2019-12-sample.csv"
BUYER = party("buyer", "Nordlicht Automation GmbH", "DE")


def csl_sample() -> list[ListEntry]:
    if not Path(CSL_SAMPLE).is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared list data missing: {CSL_SAMPLE}")
        pytest.skip(f"shared list data not found at {CSL_SAMPLE}")
    return parse_csl(CSL_SAMPLE).entries


def consignee(name: str, country: str = "HK", **extra: Any) -> dict[str, Any]:
    return party("consignee", name, country, **extra)


def hk_address(line1: str, city: str | None = None) -> dict[str, Any]:
    return {"line1": line1, **({"city": city} if city else {})}


# An SDN-like entry as OFAC publishes one: contact details in the remarks, parsed to ids.
TEHRAN_TRADER = entry(
    "SDN", "99001", "PARS ELECTRONIC SUPPLY COMPANY", programs=["IRAN"],
    addresses=[Address(line1="No. 12, Vozara Avenue, Unit 4", city="Tehran", country="IR")],
    ids={"phone_number": ["+98 21 8877 6655"], "email_address": ["sales@parselec.example"],
         "registration_id": ["10103456789 (IR)"], "website": ["www.parselec.example"]},
)
LISTS_WITH_SDN = list_state(TEHRAN_TRADER)


@pytest.mark.parametrize(("extra", "shared"), [
    ({"phone": "0098 21 88776655"}, "phone '88776655'"),
    ({"email": " Sales@ParsElec.example "}, "email 'sales@parselec.example'"),
    ({"ids": {"vat": "10103456789"}}, "identifier '10103456789'"),
    ({"address": {"line1": "No 12 Vozara Ave., Unit 4", "city": "Tehran"}},
     "street address 'No. 12, Vozara Avenue, Unit 4, Tehran, IR'"),
])
def test_sharing_a_detail_with_a_listed_entry(extra: dict[str, Any], shared: str) -> None:
    event = order(BUYER, consignee("Kish Components Trading", "IR", **extra), ship_to="AE")
    [reason] = run(front_company.check, event, lists=LISTS_WITH_SDN)
    assert reason.code is ReasonCode.FRONT_COMPANY and reason.severity is Severity.hold
    assert (reason.list_code, reason.source_id, reason.matched_name) == ("SDN", "99001", TEHRAN_TRADER.name)
    assert shared in reason.detail and "is not listed" in reason.detail


@pytest.mark.parametrize("extra", [
    {"phone": "+98 21 8877 6600"},
    {"email": "sales@other.example"},
    {"ids": {"vat": "10103456780"}},
    {"address": {"line1": "No. 14, Vozara Avenue, Unit 4", "city": "Tehran"}},
    # Same street line in another country is another place.
    {"address": {"line1": "No. 12, Vozara Avenue, Unit 4", "country": "AE"}},
    # A website domain alone, or a bare street name, is no identifier.
    {"ids": {"duns": "parselec"}},
    {"address": {"line1": "Vozara Avenue", "city": "Tehran"}},
])
def test_clean_counterparts_share_nothing(extra: dict[str, Any]) -> None:
    extra = dict(extra)
    country = extra.get("address", {}).pop("country", "IR") if "address" in extra else "IR"
    event = order(BUYER, consignee("Kish Components Trading", country, **extra), ship_to="AE")
    assert run(front_company.check, event, lists=LISTS_WITH_SDN) == []


def test_the_listed_party_itself_is_not_its_own_front() -> None:
    event = order(BUYER, consignee("Pars Electronic Supply Co.", "IR", phone="+98 21 8877 6655"), ship_to="AE")
    assert run(front_company.check, event, lists=LISTS_WITH_SDN) == []


def test_zte_story_hong_kong_front_company_at_a_listed_address() -> None:
    """32 Group China Ltd. (Entity List since 2015-11-12, 80 FR 69852), as the trade.gov
    Consolidated Screening List publishes it; a newly named Hong Kong trader gives the
    same office."""
    entries = csl_sample()
    [listed] = [e for e in entries if e.name == "32 Group China Ltd."]
    stream = Stream(lists=list_state(*entries))
    front = consignee("Sky Wing Trading Limited",
                      address=hk_address("Room 1905, 19/F, Nam Wo Hong Building, 148 Wing Lok St.", "Hong Kong"))
    decision = stream.screen(order(party("buyer", "Sky Wing Trading Limited", "HK"), front, ship_to="HK"))
    assert decision.outcome is Outcome.HOLD
    [reason] = of_code(decision.reasons, ReasonCode.FRONT_COMPANY)
    assert (reason.list_code, reason.source_id, reason.matched_name) == ("EL", listed.source_id, listed.name)
    assert "Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street" in reason.detail
    assert "Entity List entry '32 Group China Ltd.'" in reason.detail

    def screened(line1: str, city: str | None = None, country: str = "HK", when: datetime = NOW) -> list[Any]:
        event = order(BUYER, consignee("Sky Wing Trading Limited", country, address=hk_address(line1, city)),
                      ship_to="HK", event_id=f"o-{line1}-{city}-{country}-{when}", when=when)
        return of_code(stream.screen(event).reasons, ReasonCode.FRONT_COMPANY)

    # The list keeps the district in the street line; a party leaving it off still meets it.
    assert screened("Room 1119, 11/F, Block B, Yau Tong Industrial City, 17 Ko Fai Road", "Kowloon")
    # Clean counterparts: another room, another country, a city that differs, before the listing.
    assert screened("Room 1906, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street") == []
    assert screened("Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street", country="SG") == []
    assert screened("Room 1119, 11/F, Block B, Yau Tong Industrial City, 17 Ko Fai Road", "Tsuen Wan") == []
    assert screened("Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street",
                    when=datetime(2015, 6, 1, tzinfo=UTC)) == []


def test_sharing_a_phone_with_a_party_held_earlier() -> None:
    """Beijing 8-Star International is held for its Entity List match; a new name with its
    phone number and office comes next."""
    stream = Stream()
    held = party("end_user", "Beijing 8-Star International Co., Ltd.", "CN", phone="+86 10 6212 3456",
                 address={"line1": "Room 803, Tower B, 18 Zhongguancun Street", "city": "Beijing"})
    first = stream.screen(order(BUYER, held, ship_to="CN", when=datetime(2016, 6, 1, tzinfo=UTC)))
    assert first.outcome is Outcome.HOLD and of_code(first.reasons, ReasonCode.ENTITY_LIST)
    assert first.reasons[0].list_code == "EL"

    def front(**extra: Any) -> list[Any]:
        event = order(BUYER, party("end_user", "Star Bright Electronics Ltd", "CN", **extra), ship_to="CN",
                      event_id=f"o-{sorted(extra.items())}", when=datetime(2016, 7, 1, tzinfo=UTC))
        return of_code(stream.screen(event).reasons, ReasonCode.FRONT_COMPANY)

    [reason] = front(phone="010-62123456")
    assert "phone '62123456'" in reason.detail and "'Beijing 8-Star International Co., Ltd.'" in reason.detail
    assert "decided HOLD for EL:demo-beijing-8-star" in reason.detail and first.decision_id in reason.detail
    [reason] = front(address={"line1": "Room 803, Tower B, 18 Zhongguancun St."})
    assert "street address 'Room 803, Tower B, 18 Zhongguancun Street, Beijing, CN'" in reason.detail
    # Clean counterparts.
    assert front(phone="+86 10 6212 9999") == []
    assert front(address={"line1": "Room 804, Tower B, 18 Zhongguancun Street", "city": "Beijing"}) == []


def test_the_index_follows_list_updates() -> None:
    state = list_state(TEHRAN_TRADER)
    event = order(BUYER, consignee("Kish Components Trading", "IR", phone="+98 21 8877 6655"), ship_to="AE")
    assert run(front_company.check, event, lists=state)
    moved = TEHRAN_TRADER.model_copy(update={"ids": {"phone_number": ["+98 21 1111 2222"]}})
    state.apply(moved.key, moved, LOADED_AT)
    assert run(front_company.check, event, lists=state) == []
    state.apply(TEHRAN_TRADER.key, TEHRAN_TRADER, LOADED_AT)
    assert run(front_company.check, event, lists=state)
    state.apply(TEHRAN_TRADER.key, None, LOADED_AT)
    assert run(front_company.check, event, lists=state) == []
    assert len(state.shared) == 0


def test_a_delisted_entry_no_longer_counts() -> None:
    ended = TEHRAN_TRADER.model_copy(update={"effective_to": date(2017, 1, 1)})
    event = order(BUYER, consignee("Kish Components Trading", "IR", phone="+98 21 8877 6655"), ship_to="AE")
    assert run(front_company.check, event, lists=list_state(ended)) == []
