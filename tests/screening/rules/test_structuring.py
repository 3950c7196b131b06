"""STRUCTURING: small or hand-carried loads to one consignee inside the window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from schemas import Outcome, ReasonCode
from screening.ruledata import RedFlagThresholds, RuleData
from screening.rules import structuring
from tests.screening.rules.builders import DAY, NOW, Stream, line, of_code, order, party, run, shipment

BUYER = party("buyer", "Nordlicht Automation GmbH", "DE")
KANGYUAN = party("consignee", "Kangyuan Trading Ltd", "HK")


def small_order(i: int, when: datetime, consignee: dict[str, Any] = KANGYUAN, value: str = "1800",
                currency: str = "USD") -> Any:
    return order(BUYER, consignee, event_id=f"o-{i}", order_id=f"SO-{i}", when=when, ship_to="HK",
                 lines=[line(value, 1, currency)])


def carried(i: int, when: datetime, mode: str = "hand_carry", consignee: dict[str, Any] = KANGYUAN) -> Any:
    return shipment(consignee, event_id=f"s-{i}", shipment_id=f"SH-{i}", order_id=None, when=when, mode=mode,
                    declared_value="800", currency="USD", legs=[("US", "HK")])


def structuring_of(decision: Any) -> list[Any]:
    return of_code(decision.reasons, ReasonCode.STRUCTURING)


def test_the_fifth_small_order_in_the_window_fires_and_each_one_after_it() -> None:
    stream = Stream()
    for i in range(4):
        assert stream.screen(small_order(i, NOW + i * DAY)).outcome is Outcome.CLEAR
    [reason] = structuring_of(stream.screen(small_order(4, NOW + 4 * DAY)))
    assert "'Kangyuan Trading Ltd' (HK) has 5 orders or shipments each under 2,500.00 USD" in reason.detail
    assert "order SO-0 (2018-05-01, 1,800.00 USD)" in reason.detail and "order SO-4 (2018-05-05" in reason.detail
    assert len(structuring_of(stream.screen(small_order(5, NOW + 5 * DAY)))) == 1
    # A large order does not cross a small-load threshold...
    assert stream.screen(small_order(6, NOW + 6 * DAY, value="3000")).outcome is Outcome.CLEAR
    # ... and once the first ones leave the 30-day window, a small one no longer fires.
    assert structuring_of(stream.screen(small_order(7, NOW + 33 * DAY))) == []


def test_a_replayed_or_later_event_of_a_counted_subject_does_not_count_again() -> None:
    stream = Stream()
    for i in range(4):
        stream.screen(small_order(i, NOW + i * DAY))
    # The fourth order amended twice and re-delivered: still four orders.
    for n in range(2):
        amended = order(BUYER, KANGYUAN, event_id=f"o-3-amend-{n}", order_id="SO-3", type="order.amended",
                        when=NOW + (4 + n) * DAY, ship_to="HK", lines=[line(1900)])
        assert structuring_of(stream.screen(amended)) == []
    fifth = small_order(4, NOW + 6 * DAY)
    assert len(structuring_of(stream.screen(fifth))) == 1
    # Screening the fifth again once its own fact is remembered (a re-screen) still counts five.
    [again] = run(structuring.check, fifth, stream.facts)
    assert "has 5 orders" in again.detail


@pytest.mark.parametrize(("consignees", "fires"), [
    ([KANGYUAN] * 5, True),
    # Same consignee written another way.
    ([KANGYUAN] * 3 + [party("consignee", "KANGYUAN TRADING LIMITED", "HK")] * 2, True),
    # Five consignees, one order each.
    ([party("consignee", f"Trader {n} Ltd", "HK") for n in "ABCDE"], False),
    # Same name, another country: another consignee.
    ([KANGYUAN] * 4 + [party("consignee", "Kangyuan Trading Ltd", "SG")], False),
])
def test_counted_per_consignee_name_and_country(consignees: list[dict[str, Any]], fires: bool) -> None:
    stream = Stream()
    decisions = [stream.screen(small_order(i, NOW + i * DAY, c)) for i, c in enumerate(consignees)]
    assert bool(structuring_of(decisions[-1])) is fires
    assert all(not structuring_of(d) for d in decisions[:-1])


def test_an_order_and_its_shipments_are_one_transaction() -> None:
    stream = Stream()
    decisions = []
    for i in range(3):
        decisions.append(stream.screen(small_order(i, NOW + i * DAY)))
        decisions.append(stream.screen(shipment(KANGYUAN, event_id=f"s-{i}", shipment_id=f"SH-{i}",
                                                order_id=f"SO-{i}", when=NOW + i * DAY, declared_value="1800",
                                                currency="USD", legs=[("US", "HK")])))
    assert all(d.outcome is Outcome.CLEAR for d in decisions), [d.reasons for d in decisions]


def test_a_value_in_another_currency_is_not_known_to_be_small() -> None:
    stream = Stream()
    decisions = [stream.screen(small_order(i, NOW + i * DAY, currency="EUR")) for i in range(6)]
    assert all(not structuring_of(d) for d in decisions)


def test_zte_story_hand_carried_small_loads() -> None:
    """Components carried by hand to a Hong Kong trader, a few at a time."""
    stream = Stream()
    assert stream.screen(carried(1, NOW)).outcome is Outcome.CLEAR
    assert stream.screen(carried(2, NOW + 4 * DAY, mode="courier")).outcome is Outcome.CLEAR
    decision = stream.screen(carried(3, NOW + 9 * DAY))
    assert decision.outcome is Outcome.HOLD
    [reason] = structuring_of(decision)
    assert "3 hand-carried or courier shipments" in reason.detail
    assert "shipment SH-1 (2018-05-01, 800.00 USD, hand_carry)" in reason.detail
    assert "shipment SH-2 (2018-05-05, 800.00 USD, courier)" in reason.detail
    # A sea shipment afterwards is not hand-carried: it does not fire.
    assert stream.screen(carried(4, NOW + 10 * DAY, mode="sea")).outcome is Outcome.CLEAR
    # A later event of a counted shipment (arrival) is that shipment again: it still fires.
    arrived = shipment(KANGYUAN, event_id="s-3-arr", shipment_id="SH-3", order_id=None, type="shipment.arrived",
                       when=NOW + 10 * DAY, mode="hand_carry", declared_value="800", currency="USD")
    assert "3 hand-carried" in structuring_of(stream.screen(arrived))[0].detail


def test_clean_counterpart_hand_carried_loads_spread_out_or_to_different_consignees() -> None:
    stream = Stream()
    spread = [stream.screen(carried(i, NOW + i * 20 * DAY)) for i in range(4)]
    assert all(d.outcome is Outcome.CLEAR for d in spread)
    stream = Stream()
    others = [stream.screen(carried(i, NOW + i * DAY, consignee=party("consignee", f"Shop {i}", "HK")))
              for i in range(4)]
    assert all(d.outcome is Outcome.CLEAR for d in others)


def test_thresholds_come_from_the_rule_data() -> None:
    data = RuleData(red_flags=RedFlagThresholds(structuring_min_hand_carried=2, structuring_window_days=5))
    stream = Stream(data=data)
    stream.screen(carried(1, NOW))
    assert structuring_of(stream.screen(carried(2, NOW + 4 * DAY)))
    assert not structuring_of(stream.screen(carried(3, NOW + 11 * DAY)))


def test_a_cancellation_is_no_new_load() -> None:
    stream = Stream()
    for i in range(5):
        stream.screen(small_order(i, NOW + i * DAY))
    cancel = order(BUYER, KANGYUAN, event_id="o-4-cancel", order_id="SO-4", type="order.cancelled",
                   when=NOW + 5 * DAY, ship_to="HK", lines=[line("1800")])
    assert stream.screen(cancel).outcome is Outcome.CLEAR


def test_a_busy_consignee_names_its_latest_loads_and_counts_the_rest() -> None:
    """Thousands of small orders in a window: the count is whole, the evidence bounded."""
    stream = Stream()
    start = NOW - 29 * DAY
    for i in range(400):
        stream.screen(small_order(i, start + i * (DAY / 20)))
    [reason] = structuring_of(stream.screen(small_order(400, start + 400 * (DAY / 20))))
    assert "has 401 orders or shipments each under 2,500.00 USD" in reason.detail
    assert reason.detail.count("order SO-") == structuring.EVIDENCE_SHOWN
    assert "order SO-400 (" in reason.detail and "order SO-390 " not in reason.detail
    assert "; and 391 earlier." in reason.detail
