"""Screener without Kafka: de-duplication, replays, outputs, re-screening, dead letters."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from schemas import MessageError, OrderEvent
from screening.demo_list import demo_entries
from screening.liststate import ListState
from screening.outputs import dead_letter
from screening.policy import ScreeningPolicy
from screening.screener import Screener

NOW = datetime(2018, 5, 1, 9, 0, tzinfo=UTC)


def screener() -> Screener:
    state = ListState()
    for e in demo_entries():
        state.apply(e.key, e, NOW)
    return Screener(state, ScreeningPolicy())


def order(event_id: str, ship_to: str = "DE", type_: str = "order.created") -> OrderEvent:
    return OrderEvent.model_validate({
        "event_id": event_id, "type": type_, "order_id": "SO-9", "occurred_at": NOW.isoformat(),
        "parties": [{"role": "buyer", "name": "Nordlicht Automation GmbH"}], "ship_to": {"country": ship_to},
        "lines": [],
    })


def test_clear_decision_sends_only_the_decision() -> None:
    screened = screener().on_event(order("e1"), None, NOW)
    assert screened is not None
    # The order fact carries its consignee activity: one facts message per order.
    assert [type(m).__name__ for m in screened.outputs] == ["Decision", "OrderFact"]
    assert screened.decision.outcome.value == "CLEAR"
    assert screened.record.seen == {"e1": screened.decision.decision_id}


def test_block_sends_decision_hold_and_alert_with_ids_derived_from_the_event() -> None:
    s = screener()
    first = s.on_event(order("e2", ship_to="IR"), None, NOW)
    second = s.on_event(order("e2", ship_to="IR"), None, NOW)  # the record was lost: ids still agree
    assert first is not None and second is not None
    assert [type(m).__name__ for m in first.outputs][:3] == ["Decision", "HoldEvent", "Alert"]
    assert first.outputs[:3] == second.outputs[:3]
    assert first.record.open_hold_id == first.outputs[1].hold_id  # type: ignore[union-attr]


def test_a_seen_event_is_not_decided_again() -> None:
    s = screener()
    first = s.on_event(order("e3", ship_to="CU"), None, NOW)
    assert first is not None
    assert s.on_event(order("e3", ship_to="CU"), first.record, NOW) is None
    later = s.on_event(order("e4", type_="order.cancelled"), first.record, NOW)
    assert later is not None and later.record.open is False
    assert set(later.record.seen) == {"e3", "e4"}


def test_dead_letter_keeps_the_original_bytes_and_a_readable_error() -> None:
    out = dead_letter("orders", 2, 17, b"SO-1", b"\xff{", MessageError("invalid_json", "orders: bad"), NOW)
    letter = json.loads(out.to_json_bytes())
    assert out.key == "SO-1"
    assert base64.b64decode(letter["value_b64"]) == b"\xff{"
    assert letter["error"] == "orders: bad" and letter["error_kind"] == "invalid_json"
    assert (letter["partition"], letter["offset"]) == (2, 17)


def test_rescreen_emits_only_when_the_outcome_changes_and_delisting_only_alerts() -> None:
    from datetime import timedelta

    from schemas import EntryKind, ListEntry

    s = screener()
    event = order("e5").model_copy(update={"parties": [order("x").parties[0].model_copy(
        update={"name": "Orion Star Trading FZE"})]})
    first = s.on_event(event, None, NOW, partition=3)
    assert first is not None and first.decision.outcome.value == "CLEAR"
    record = first.record
    assert record.partition == 3 and s.is_open(record, NOW, timedelta(days=90))
    assert s.rescreen(record, NOW) is None, "nothing changed, nothing emitted"

    listed = ListEntry(list_code="SDN", source_id="777", kind=EntryKind.organization,
                       name="ORION STAR TRADING FZE", source_version="t")
    s.state.apply(listed.key, listed, NOW)
    assert s.touched_by(record, {listed.key}, NOW)
    assert not s.touched_by(record, {"EL:demo-zte-parsian"}, NOW)
    update = s.rescreen(record, NOW)
    assert update is not None
    assert update.decision.trigger.value == "list_update" and update.decision.outcome.value == "BLOCK"
    assert update.decision.event_id == "e5"
    assert update.record.reason_keys == ["SDN:777"] and update.record.open_hold_id

    s.state.apply(listed.key, None, NOW)
    [alert] = s.delisting_alerts(update.record, {listed.key}, NOW)
    body = json.loads(alert.to_json_bytes())
    assert body["severity"] == "info" and body["code"] == "DELISTED"
    assert update.record.open_hold_id in body["summary"]
    assert s.delisting_alerts(update.record, {"SDN:1"}, NOW) == []
    assert not s.is_open(record, NOW + timedelta(days=91), timedelta(days=90))


def test_a_replayed_message_gets_its_first_decision_back_whatever_the_state() -> None:
    s = screener()
    first = s.on_event(order("e6", ship_to="IR"), None, NOW, partition=1, offset=40)
    assert first is not None
    # After a crash the consumer replays offset 40 while lists are not loaded yet: the
    # stored decision comes back, not a new LISTS_UNAVAILABLE one.
    empty = Screener(ListState(), ScreeningPolicy())
    again = empty.on_event(order("e6", ship_to="IR"), first.record, NOW, partition=1, offset=40, hold=first.hold)
    assert again is not None and again.decision == first.decision
    assert again.outputs == first.outputs[:3]  # the facts were published and applied the first time
    # The same event produced a second time (a new offset) is a duplicate: nothing comes out.
    assert empty.on_event(order("e6", ship_to="IR"), first.record, NOW, partition=1, offset=41) is None


def shipment(event_id: str, order_id: str) -> Any:
    from schemas import ShipmentEvent

    return ShipmentEvent.model_validate({
        "event_id": event_id, "type": "shipment.booked", "shipment_id": "SH-9", "order_id": order_id,
        "occurred_at": NOW.isoformat(), "mode": "sea",
        "parties": [{"role": "consignee", "name": "Nordlicht Automation GmbH", "address": {"country": "DE"}}],
        "legs": [{"from": "US", "to": "DE"}],
    })


def test_a_shipment_before_its_order_waits_and_is_decided_when_the_order_is_seen() -> None:
    from datetime import timedelta

    s = screener()
    pending = s.on_event(shipment("s1", "SO-9"), None, NOW, partition=2, offset=5)
    assert pending is not None and pending.decision is None and pending.outputs == []
    assert pending.record.pending_since == NOW
    wait = timedelta(minutes=10)
    assert s.decide_pending(pending.record, NOW + timedelta(minutes=1), wait).decision is None
    s.on_event(order("o1"), None, NOW)  # the order arrives (its facts are applied at once)
    decided = s.decide_pending(pending.record, NOW + timedelta(minutes=1), wait)
    assert decided.decision is not None and decided.decision.event_id == "s1"
    assert decided.decision.outcome.value == "CLEAR" and decided.record.pending_since is None


def test_a_shipment_whose_order_never_comes_is_held_after_the_wait() -> None:
    from datetime import timedelta

    s = screener()
    pending = s.on_event(shipment("s2", "SO-NEVER"), None, NOW)
    assert pending is not None
    decided = s.decide_pending(pending.record, NOW + timedelta(minutes=11), timedelta(minutes=10))
    assert decided.decision is not None and decided.decision.outcome.value == "HOLD"
    assert [r.code.value for r in decided.decision.reasons] == ["DIVERSION"]
    assert "SO-NEVER" in decided.decision.reasons[0].detail


def test_index_answers_are_remembered_until_the_list_state_changes() -> None:
    from schemas import EntryKind, ListEntry

    s = screener()
    first = s.on_event(order("m1"), None, NOW)
    assert first is not None and first.decision.outcome.value == "CLEAR"
    remembered = s.matches.for_version(s.state.version())
    assert [key[0] for key in remembered] == ["Nordlicht Automation GmbH"]
    assert s.matches.for_version(s.state.version()) is remembered, "the same list state: the same answers"
    listed = ListEntry(list_code="SDN", source_id="778", kind=EntryKind.organization,
                       name="NORDLICHT AUTOMATION GMBH", source_version="t")
    s.state.apply(listed.key, listed, NOW)
    again = s.on_event(order("m2"), None, NOW)
    assert again is not None and again.decision.outcome.value == "BLOCK", "a list change is seen at once"
    assert [r.source_id for r in again.decision.reasons] == ["778"]


def test_the_record_keeps_the_message_it_was_validated_from_and_reads_it_back_the_same() -> None:
    from schemas import decode_message

    raw = {"event_id": "r1", "type": "order.created", "order_id": "SO-9", "occurred_at": NOW.isoformat(),
           "parties": [{"role": "buyer", "name": "Nordlicht Automation GmbH", "address": {"country": "de"},
                        "phone": None}],
           "ship_to": {"country": "de"}, "lines": [{"sku": "X", "description": "pump", "quantity": 2,
                                                    "unit_value": 14.5, "currency": "USD"}], "po_ref": "extra"}
    event, data = decode_message(OrderEvent, json.dumps(raw).encode(), "orders")
    screened = screener().on_event(event, None, NOW, event_data=data)
    assert screened is not None and screened.record.event == raw
    assert screened.record.parsed_event() == event
    stored = type(screened.record).model_validate_json(screened.record.model_dump_json())
    assert stored.parsed_event() == event
