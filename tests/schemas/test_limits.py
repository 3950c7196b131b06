"""Input bounds: each hostile shape is refused with the bound it breaks, before any
model validation; real list entries and ordinary orders pass."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from schemas import InputLimits, ListEntry, MessageError, OrderEvent, ShipmentEvent, check_key, parse_message

LIMITS = InputLimits()


def order(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": "e1", "type": "order.created", "order_id": "SO-1", "occurred_at": "2018-05-01T09:00:00+00:00",
        "parties": [{"role": "buyer", "name": "Shenzhen Kanghong Telecom Co., Ltd.",
                     "address": {"line1": "9 Gaoxin South Rd", "city": "Shenzhen", "country": "CN"}}],
        "ship_to": {"country": "HK"},
        "lines": [{"sku": "BB-7", "description": "baseband chipset", "quantity": 5000, "unit_value": 14.5,
                   "currency": "USD", "eccn": "5A991", "origin_country": "US"}],
    }
    base.update(changes)
    return base


def kind_of(raw: bytes, model: type = OrderEvent, limits: InputLimits = LIMITS) -> str:
    with pytest.raises(MessageError) as err:
        parse_message(model, raw, "orders", limits)
    return err.value.kind


def nested(depth: int) -> bytes:
    return json.dumps(order(extra="[" * 0)).replace('"extra": ""', '"extra": ' + "[" * depth + "]" * depth).encode()


PARTY = order()["parties"][0]
LINE = order()["lines"][0]


@pytest.mark.parametrize(("raw", "kind"), [
    (b"x" * (LIMITS.message_bytes + 1), "limit.message_bytes"),
    (nested(40), "limit.json_depth"),
    (b"[" * 100_000 + b"]" * 100_000, "limit.json_depth"),
    (json.dumps(order(parties=[dict(PARTY, name="A" * 600)])).encode(), "limit.name_chars"),
    (json.dumps(order(parties=[dict(PARTY, name="word " * 30)])).encode(), "limit.name_words"),
    (json.dumps(order(parties=[PARTY] * 65)).encode(), "limit.parties"),
    (json.dumps(order(lines=[LINE] * 1001)).encode(), "limit.lines"),
    (json.dumps(order(note="n" * 5000)).encode(), "limit.string_chars"),
    (b'{"event_id": "a", "event_id": "b"}', "duplicate_key"),
    (json.dumps(order()).replace('"quantity": 5000', '"quantity": NaN').encode(), "invalid_number"),
    (json.dumps(order()).replace('"quantity": 5000', '"quantity": 1e400').encode(), "limit.number"),
    (json.dumps(order()).replace('"quantity": 5000', '"quantity": ' + "9" * 5000).encode(), "limit.number"),
    (b"\xff\xfe{}", "invalid_json"),
    (json.dumps(order(), ensure_ascii=False).replace("Shenzhen", "Shen\u202ezhen").encode(), "forbidden_character"),
    (json.dumps(order()).replace("Shenzhen", "Shen\\u0000zhen").encode(), "forbidden_character"),
    (json.dumps(order()).replace("Shenzhen", "Shen\\ud800zhen").encode(), "forbidden_character"),
    (json.dumps(order(type="order.exploded")).encode(), "schema"),
    (b"[1, 2]", "schema"),
])
def test_each_bound_is_named_in_the_error(raw: bytes, kind: str) -> None:
    assert kind_of(raw) == kind


def test_bounds_are_checked_in_order_and_are_configurable() -> None:
    # Too many parties AND an over-long name: string lengths come first.
    raw = json.dumps(order(parties=[dict(PARTY, name="A" * 600)] * 100)).encode()
    assert kind_of(raw) == "limit.name_chars"
    assert kind_of(json.dumps(order(parties=[PARTY] * 3)).encode(), limits=InputLimits(parties=2)) == "limit.parties"
    legs = {"event_id": "s", "type": "shipment.booked", "shipment_id": "SH", "occurred_at": "2018-05-01T09:00:00Z",
            "mode": "sea", "parties": [PARTY], "legs": [{"from": "US", "to": "HK"}] * 33}
    assert kind_of(json.dumps(legs).encode(), ShipmentEvent) == "limit.legs"


def test_escaped_text_that_only_looks_suspect_passes() -> None:
    # An escaped backslash before "u0000" is the text \u0000, not a NUL character.
    raw = json.dumps(order(note="C:\\u0000\\tmp")).encode()
    assert parse_message(OrderEvent, raw, "orders").model_extra == {"note": "C:\\u0000\\tmp"}


def test_an_ordinary_order_passes_and_the_check_is_cheap() -> None:
    raw = json.dumps(order(parties=[PARTY] * 4, lines=[LINE] * 3)).encode()
    assert parse_message(OrderEvent, raw, "orders").order_id == "SO-1"
    hostile = json.dumps(order(lines=[LINE] * 20_000)).encode()[: LIMITS.message_bytes]
    started = time.perf_counter()
    with pytest.raises(MessageError):
        parse_message(OrderEvent, hostile, "orders")
    assert time.perf_counter() - started < 1.0


def test_list_entries_have_wider_name_bounds_that_fit_real_lists() -> None:
    long_name = ("Ministry of Defence of the Russian Federation, including the Armed Forces of Russia and all "
                 "operating units wherever located. This includes the national armed services (army, navy, marine, "
                 "air force, or coast guard), as well as the national guard and national police")
    entry = {"list": "EL", "source_id": "1", "kind": "organization", "name": long_name, "source_version": "t",
             "aliases": [f"alias {i}" for i in range(143)]}
    assert parse_message(ListEntry, json.dumps(entry).encode(), "lists.entries").name == long_name
    entry["aliases"] = ["x"] * 300
    assert kind_of(json.dumps(entry).encode(), ListEntry) == "limit.aliases"


def test_keys_must_be_the_contract_id() -> None:
    check_key(b"SO-1", "SO-1", "order_id", "orders")
    with pytest.raises(MessageError, match="no key") as missing:
        check_key(None, "SO-1", "order_id", "orders")
    assert missing.value.kind == "key_missing"
    with pytest.raises(MessageError, match="is not the message's order_id") as other:
        check_key(b"SO-2", "SO-1", "order_id", "orders")
    assert other.value.kind == "key_mismatch"


# -- the fast decode takes only what the strict one would give --------------------------

def _typed(value: Any) -> Any:
    """A value with its JSON types spelled out (1, 1.0 and True compare equal in Python)."""
    if isinstance(value, dict):
        return ("object", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("array", [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


def _strict(text: str) -> Any:
    from schemas.limits import _bounded_float, _bounded_int, _reject_constant, _reject_duplicates
    return json.loads(text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant,
                      parse_int=_bounded_int, parse_float=_bounded_float)


def _json_texts() -> Any:
    from hypothesis import strategies as st
    scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**20), max_value=10**20)
               | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
    values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4)
                          | st.dictionaries(st.text(max_size=5), kids, max_size=4), max_leaves=25)

    def written(value: Any, separators: tuple[str, str], duplicate: bool) -> str:
        text = json.dumps(value, separators=separators, ensure_ascii=False)
        if duplicate and text.startswith("{") and len(text) > 2:
            # The first member written twice: a duplicate key the strict parse refuses.
            first = json.dumps(next(iter(value.items())), separators=separators, ensure_ascii=False)
            key, val = json.loads(first)
            member = f"{json.dumps(key)}{separators[1]}{json.dumps(val)}"
            text = "{" + member + separators[0] + text[1:]
        return text

    separators = st.sampled_from([(",", ":"), (", ", ": "), (",", " : "), (",\n", ":\t"), (" ,", ":")])
    return st.builds(written, values, separators, st.booleans())


def test_the_fast_decode_gives_what_the_strict_one_gives_or_defers() -> None:
    from hypothesis import given, settings

    from schemas.limits import _decoded_plainly

    @settings(max_examples=1500, deadline=None, derandomize=True)
    @given(_json_texts())
    def check(text: str) -> None:
        fast = _decoded_plainly(text, LIMITS.json_depth)
        try:
            strict = _strict(text)
        except (MessageError, ValueError, RecursionError):
            assert fast is None, f"the fast decode took what the strict one refuses: {text!r}"
            return
        if fast is not None:
            assert _typed(fast) == _typed(strict)

    check()


@pytest.mark.parametrize("text", [
    '{"a":1,"a" :2}', '{"a" :1,"a":2}', '{"a":{"b":1,"b":2}}', '[{"k":"v"},{"k":"v","k":"w"}]',
    '{"a":12345678901234567890}', '{"a":1e16}', '{"a":"x\\":"}',
])
def test_the_fast_decode_defers_on_what_it_cannot_vouch_for(text: str) -> None:
    from schemas.limits import _decoded_plainly
    assert _decoded_plainly(text, LIMITS.json_depth) is None


def test_the_fast_decode_takes_an_ordinary_order() -> None:
    from schemas.limits import _decoded_plainly
    raw = json.dumps(order(parties=[PARTY] * 4, lines=[LINE] * 3))
    assert _decoded_plainly(raw, LIMITS.json_depth) == json.loads(raw)
