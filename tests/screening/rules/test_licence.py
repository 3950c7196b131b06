"""Licence determination: ECCN reasons for control against the destination's Country Chart
row, licences from the register, embargoed destinations blocked, unknown ECCNs held."""

from __future__ import annotations

from datetime import datetime

import pytest

from schemas import Outcome, ReasonCode, Severity
from screening.ruledata import RuleData
from screening.ruledata.loader import packaged_texts, rule_data_from_texts
from screening.rules import evaluate, licence, outcome_of
from tests.screening.rules.events import WHEN, at, context, line, order, shipment

REGISTER = """
licences:
  - {number: D1234567, eccns: [3A001, 5A002], countries: [CN], valid_from: 2018-01-01, valid_to: 2018-12-31}
  - {number: D7654321, eccns: [3A001], countries: [VN], valid_from: 2016-01-01, valid_to: 2017-12-31}
"""
WITH_REGISTER = rule_data_from_texts(packaged_texts(), "screening/ruledata", REGISTER, "licences.yaml")


@pytest.mark.parametrize(("eccn", "ship_to", "when", "outcome", "in_detail"), [
    ("3A001", "CN", WHEN, Outcome.HOLD, ["NS2", "'SKU-1'", "3A001", "CN", "no licence is named"]),
    ("3A001.b.2", "CN", WHEN, Outcome.HOLD, ["NS2"]),
    ("3A001", "DE", WHEN, Outcome.HOLD, ["MT1 (Country Chart column marked for DE; applies if"]),  # MT1 may apply
    ("3A001.b.2", "DE", WHEN, Outcome.CLEAR, []),                      # NS2 not marked for DE
    ("5A002", "DE", WHEN, Outcome.HOLD, ["NS1", "DE"]),
    ("5A992", "DE", WHEN, Outcome.CLEAR, []),
    ("EAR99", "DE", WHEN, Outcome.CLEAR, []),
    ("5A992", "CN", WHEN, Outcome.CLEAR, []),                          # AT1 only: not marked for CN
    ("5A992", "RU", at("2023-03-01"), Outcome.HOLD, ["every item on the Commerce Control List does", "746.8(a)(1)"]),
    ("5A992", "RU", at("2021-03-01"), Outcome.CLEAR, []),              # before 15 CFR 746.8 (2022)
    ("EAR99", "RU", at("2023-03-01"), Outcome.CLEAR, []),
    ("4A994", "HK", at("2021-06-01"), Outcome.CLEAR, []),
    ("4A003", "HK", at("2019-06-01"), Outcome.HOLD, ["applies if the item is 4A003.b or 4A003.c)"]),
    ("4A003.a", "HK", at("2019-06-01"), Outcome.CLEAR, []),            # NS2 not marked for HK before 2020-12-23
    ("4A003.a", "HK", at("2021-06-01"), Outcome.HOLD, ["NS2"]),        # HK treated as China since
    ("3A090", "CN", at("2024-03-01"), Outcome.HOLD, ["RS (CN in Country Group D:1"]),
    ("3A090", "AE", at("2024-03-01"), Outcome.HOLD, ["RS (AE in Country Group D:4)"]),
    ("3A090", "DE", at("2024-03-01"), Outcome.CLEAR, []),
    ("3A090", "CN", at("2021-03-01"), Outcome.HOLD, ["not in force on 2021-03-01"]),
    ("9A012", "JP", WHEN, Outcome.HOLD, ["NS1", "MT1"]),
    ("5E002", "IN", WHEN, Outcome.HOLD, ["NS1"]),
    ("3A991", "VN", WHEN, Outcome.CLEAR, []),
    ("9Z999", "DE", WHEN, Outcome.HOLD, ["gives no valid ECCN"]),
    ("1C351", "DE", WHEN, Outcome.HOLD, ["not known to the rule data"]),
    ("5A002", "ZW", WHEN, Outcome.HOLD, ["no Commerce Country Chart row for ZW"]),
    ("3A001", "US", WHEN, Outcome.CLEAR, []),                          # not an export
])
def test_licence_need_by_eccn_and_destination(eccn: str, ship_to: str, when: datetime, outcome: Outcome,
                                              in_detail: list[str]) -> None:
    reasons = licence.check(order(ship_to, [line(eccn=eccn)], when=when), context(), when)
    assert outcome_of(reasons) is outcome, reasons
    assert all(r.code is ReasonCode.LICENSE_REQUIRED for r in reasons)
    for text in in_detail:
        assert text in reasons[0].detail, reasons[0].detail


@pytest.mark.parametrize(("eccn", "ship_to"), [("EAR99", "IR"), ("5A992", "CU"), ("3A001", "KP"), ("4A994", "SY")])
def test_every_item_to_an_embargoed_destination_is_blocked(eccn: str, ship_to: str) -> None:
    [reason] = licence.check(order(ship_to, [line(eccn=eccn)]), context(), WHEN)
    assert reason.severity is Severity.block and "15 CFR Part 746" in reason.detail and eccn in reason.detail


def test_a_covered_region_blocks_every_item() -> None:
    [reason] = licence.check(order("UA", [line(eccn="EAR99")], city="Sevastopol"), context(), WHEN)
    assert reason.severity is Severity.block and "Crimea" in reason.detail


def test_sudan_items_are_judged_by_the_chart_once_the_embargo_ended() -> None:
    assert outcome_of(licence.check(order("SD", [line(eccn="EAR99")], when=at("2016-05-01")), context(),
                                    WHEN)) is Outcome.BLOCK
    assert licence.check(order("SD", [line(eccn="EAR99")], when=at("2018-05-01")), context(), WHEN) == []
    [reason] = licence.check(order("SD", [line(eccn="5A992")], when=at("2018-05-01")), context(), WHEN)
    assert "AT1" in reason.detail  # still a state sponsor of terrorism in 2018


@pytest.mark.parametrize(("numbers", "ship_to", "when", "outcome", "said"), [
    (["D1234567"], "CN", WHEN, Outcome.CLEAR, "licence D1234567 (valid 2018-01-01 to 2018-12-31) covers it"),
    (["d1234567"], "CN", WHEN, Outcome.CLEAR, "covers it"),
    (["D1234567"], "CN", at("2019-02-01"), Outcome.HOLD, "licence D1234567 expired on 2018-12-31"),
    (["D1234567"], "CN", at("2017-02-01"), Outcome.HOLD, "licence D1234567 not valid before 2018-01-01"),
    (["D1234567"], "VN", WHEN, Outcome.HOLD, "licence D1234567 is for CN, not VN"),
    (["D0000000"], "CN", WHEN, Outcome.HOLD, "licence D0000000 is not in the licence register"),
    (["D0000000", "D1234567"], "CN", WHEN, Outcome.CLEAR, "covers it"),
    (["D7654321"], "VN", WHEN, Outcome.HOLD, "licence D7654321 expired on 2017-12-31"),
])
def test_licences_from_the_register(numbers: list[str], ship_to: str, when: datetime, outcome: Outcome,
                                    said: str) -> None:
    event = order(ship_to, [line(eccn="3A001.b.2")], when=when, licenses=numbers)
    [reason] = licence.check(event, context(WITH_REGISTER), when)
    assert outcome_of([reason]) is outcome and said in reason.detail, reason.detail


def test_a_licence_for_another_eccn_does_not_cover_the_line() -> None:
    event = order("CN", [line(eccn="4A003.a")], licenses=["D1234567"])
    [reason] = licence.check(event, context(WITH_REGISTER), WHEN)
    assert reason.severity is Severity.hold and "covers ECCN 3A001, 5A002, not 4A003" in reason.detail


def test_each_line_is_judged_and_named() -> None:
    event = order("CN", [line("CHIP-9", eccn="3A001"), line("PHONE-2", eccn="5A992"), line("BOLT-1")])
    reasons = licence.check(event, context(), WHEN)
    assert [r.detail.split("'")[1] for r in reasons] == ["CHIP-9"]


def test_shipment_lines_go_to_the_last_leg() -> None:
    event = shipment([("US", "HK"), ("HK", "CN")], lines=[line(eccn="3A001.b.2")])
    [reason] = licence.check(event, context(), WHEN)
    assert "to CN" in reason.detail and "NS2" in reason.detail


def test_the_screening_of_an_order_holds_for_a_licence() -> None:
    result = evaluate(order("CN", [line(eccn="3A001")]), context(RuleData.packaged()), WHEN)
    assert result.outcome is Outcome.HOLD and result.rules_version == RuleData.packaged().version
    assert ReasonCode.LICENSE_REQUIRED in {r.code for r in result.reasons}


def test_the_end_user_country_is_a_destination_too() -> None:
    end_user = {"role": "end_user", "name": "Arya Tech", "address": {"country": "CN"}}
    event = order("DE", [line(eccn="3A001.b.2")])
    event = event.model_copy(update={"parties": [*event.parties, order(buyer=end_user).parties[0]]})
    [reason] = licence.check(event, context(), WHEN)
    assert "to CN (end user 'Arya Tech')" in reason.detail and "NS2" in reason.detail


def test_an_end_user_in_an_embargoed_country_blocks_the_line() -> None:
    end_user = {"role": "end_user", "name": "Pars Trading", "address": {"country": "IR"}}
    event = order("AE", [line(eccn="EAR99")])
    event = event.model_copy(update={"parties": [*event.parties, order(buyer=end_user).parties[0]]})
    [reason] = licence.check(event, context(), WHEN)
    assert reason.severity is Severity.block and "IR (end user 'Pars Trading')" in reason.detail


def test_orders_of_the_same_goods_to_one_place_each_name_their_own_end_user() -> None:
    # The verdict for the goods and the place is remembered once; the detail still names
    # each order's end user, and a ship-to's reasons name the country alone.
    details = []
    for name in ("Arya Tech", "Pars Trading", "Arya Tech"):
        end_user = {"role": "end_user", "name": name, "address": {"country": "CN"}}
        event = order("DE", [line(eccn="3A001.b.2")])
        event = event.model_copy(update={"parties": [*event.parties, order(buyer=end_user).parties[0]]})
        [reason] = licence.check(event, context(), WHEN)
        details.append(reason.detail)
    assert "to CN (end user 'Arya Tech') needs a licence" in details[0]
    assert "to CN (end user 'Pars Trading') needs a licence" in details[1]
    assert details[2] == details[0]
    [ship_to] = licence.check(order("CN", [line(eccn="3A001.b.2")]), context(), WHEN)
    assert "to CN needs a licence" in ship_to.detail and "end user" not in ship_to.detail


def test_a_licence_named_on_one_order_does_not_carry_over_to_another() -> None:
    named = order("CN", [line(eccn="3A001")], licenses=["D1234567"])
    [met] = licence.check(named, context(WITH_REGISTER), WHEN)
    [unmet] = licence.check(order("CN", [line(eccn="3A001")]), context(WITH_REGISTER), WHEN)
    assert met.severity is Severity.info and unmet.severity is Severity.hold
    assert "no licence is named" in unmet.detail
