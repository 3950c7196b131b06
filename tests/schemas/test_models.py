"""The wire models accept the contract's examples and reject bad messages readably."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas import (
    MESSAGES,
    DeadLetter,
    Decision,
    ListEntry,
    MessageError,
    OrderEvent,
    ShipmentEvent,
    parse_message,
)
from schemas.export import render_schemas
from tests.conftest import REPO, SHARED

EXAMPLES = SHARED / "design" / "examples"


@pytest.mark.parametrize(("filename", "model"), [
    ("order-created.json", OrderEvent), ("shipment-booked.json", ShipmentEvent), ("decision.json", Decision),
    ("list-entry.json", ListEntry), ("deadletter.json", DeadLetter),
])
def test_contract_examples_parse_and_round_trip(filename: str, model: type, ) -> None:
    path = EXAMPLES / filename
    if not path.exists():
        pytest.skip(f"{path} missing")
    raw = json.loads(path.read_text())
    parsed = model.model_validate(raw)
    again = model.model_validate_json(parsed.to_json_bytes())
    assert again == parsed
    assert set(raw) <= set(json.loads(parsed.to_json_bytes())) | {k for k, v in raw.items() if v is None}


def _order(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "event_id": "e1", "type": "order.created", "order_id": "SO-1", "occurred_at": "2018-05-01T09:00:00+00:00",
        "parties": [{"role": "buyer", "name": "Acme"}], "ship_to": {"country": "DE"}, "lines": [],
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(("changes", "expected"), [
    ({"event_id": 12}, "field 'event_id' must be a string (got int 12)"),
    ({"order_id": None}, "field 'order_id'"),
    ({"type": "order.shipped"}, "field 'type' has unknown value 'order.shipped'"),
    ({"ship_to": {"country": "XX"}}, "'XX' is not an ISO 3166-1 alpha-2 country code"),
    ({"ship_to": {"country": "Iran"}}, "'Iran' is not an ISO 3166-1 alpha-2 country code"),
    ({"occurred_at": "2018-05-01T09:00:00"}, "field 'occurred_at' is invalid"),
    ({"parties": []}, "field 'parties' is invalid"),
    ({"parties": [{"role": "boss", "name": "x"}]}, "field 'parties[0].role' has unknown value 'boss'"),
    ({"lines": [{"sku": "a", "description": "b", "quantity": "many", "unit_value": 1, "currency": "USD"}]},
     "field 'lines[0].quantity' is invalid"),
])
def test_bad_orders_are_rejected_with_a_readable_error(changes: dict[str, object], expected: str) -> None:
    with pytest.raises(MessageError) as err:
        parse_message(OrderEvent, json.dumps(_order(**changes)).encode(), "orders")
    assert expected in str(err.value)
    assert str(err.value).startswith("orders: ")
    assert err.value.kind == "schema"


def test_missing_field_is_named() -> None:
    data = _order()
    del data["ship_to"]
    with pytest.raises(MessageError, match="field 'ship_to' is required"):
        parse_message(OrderEvent, json.dumps(data).encode(), "orders")


@pytest.mark.parametrize(("raw", "kind"), [(b"\xff\xfe", "invalid_json"), (b"{not json", "invalid_json"),
                                           (b"[1, 2]", "schema"), (None, "empty")])
def test_undecodable_values(raw: bytes | None, kind: str) -> None:
    with pytest.raises(MessageError) as err:
        parse_message(OrderEvent, raw, "orders")
    assert err.value.kind == kind


def test_country_codes_are_normalised_to_upper_case() -> None:
    order = OrderEvent.model_validate(_order(ship_to={"country": "hk"}))
    assert order.ship_to.country == "HK"


def test_shipment_legs_use_from_on_the_wire() -> None:
    shipment = ShipmentEvent.model_validate({
        "event_id": "e", "type": "shipment.booked", "shipment_id": "S", "occurred_at": "2018-05-09T02:15:00Z",
        "mode": "sea", "parties": [{"role": "consignee", "name": "x"}], "legs": [{"from": "HK", "to": "AE"}]})
    assert shipment.legs[0].from_ == "HK"
    assert json.loads(shipment.to_json_bytes())["legs"] == [{"from": "HK", "to": "AE"}]


def test_committed_json_schemas_are_current() -> None:
    committed = REPO / "schemas" / "json"
    rendered = render_schemas()
    assert sorted(p.name for p in committed.glob("*.json")) == sorted(rendered), \
        "run `make schemas` and commit schemas/json"
    for name, text in rendered.items():
        assert (committed / name).read_text() == text, f"{name} is stale: run `make schemas`"
    assert set(MESSAGES) == {Path(n).stem for n in rendered}
