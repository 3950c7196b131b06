"""Hypothesis strategies for hostile input on every input topic (issue 13, point 2).

Each draw is one message as a producer would send it: raw value bytes (or a tombstone), a
key (or none), and whether the wire contract (`../shared/design/contract.md`) makes it a
valid event or a bad one. Bad messages start from a valid contract event and break it in
exactly one way, so the dead letter's error can be checked to name what was broken.

Classification is by construction, never by the project's own parser (a test classified
by the code under test could not fail): a mutation is "bad" only where the contract, or a
bound that issue 13 states, certainly rules it out. Mutations whose effect is debatable
(a numeric string for a quantity, an integer for a timestamp, a lowercase list code) are
not generated at all.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pycountry
from hypothesis import strategies as st

from schemas.common import PartyRole
from schemas.inputs import DispositionAction, OrderEventType, PaymentMethod, ShipmentEventType, TransportMode
from schemas.limits import InputLimits
from schemas.lists import EntryKind
from streams import topics

Path = tuple[str | int, ...]
NewId = Callable[[], str]

# The bounds issue 13 states (and the worker's defaults); a message past one is bad.
LIMITS = InputLimits()
# List entries of this test list code only, so the hostile run never touches real lists.
TEST_LIST = "HOSTILETEST"
# Stands for a raw JSON fragment (NaN, a 5,000-digit number, a 20,000-level nesting, an
# object with a repeated key) that json.dumps cannot or will not write.
_RAW = "@@RAW@@"
_RAW_JSON = json.dumps(_RAW).encode()

# Codes that ISO 3166-1 has not assigned (user-assigned, reserved, or just wrong).
NOT_COUNTRIES = tuple(c for c in ("ZZ", "QQ", "AA", "XX", "UK", "EU", "ZR", "12", "C", "CHN", "", "??")
                      if pycountry.countries.get(alpha_2=c) is None)
# Controls, bidirectional overrides/isolates/marks and a lone surrogate: none has a place
# in a name, an id or an address, and the bidi ones make text display as something else.
FORBIDDEN_CHARS = ("\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f",
                   "\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                   "\u2066", "\u2067", "\u2068", "\u2069", "\ud800", "\udfff")
# Byte sequences that are not UTF-8: stray continuation/lead bytes, an overlong encoding,
# a truncated sequence, an encoded surrogate, a 5-byte form.
INVALID_UTF8 = (b"\xff", b"\xfe", b"\x80", b"\xc0\xaf", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80",
                b"\xf8\x88\x80\x80\x80", b"\xf4\x90\x80\x80")

_SAFE_TEXT = st.characters(categories=("Lu", "Ll", "Lo", "Nd"))
# Names of no one on any list: valid events must be decided, not matched, and the list
# entries and ownership links the run adds must not touch other tests' parties.
_SYLLABLES = ("qa", "zu", "vex", "lor", "mip", "tuk", "yro", "kez", "ubi", "wox", "fen", "dra")


@dataclass(frozen=True)
class Payload:
    topic: str
    key: bytes | None
    value: bytes | None
    kind: str  # "valid", "tombstone" (a valid one), or the mutation of a bad one
    bad: bool
    # A bad payload's dead letter must name one of these (case-insensitive): the field
    # or the rule broken.
    hints: tuple[str, ...] = ()
    # Valid orders and shipments: the decision to wait for.
    event_id: str | None = None
    # Valid list entries and ownership links: the key a clean-up tombstone removes.
    cleanup_key: bytes | None = None


@dataclass(frozen=True)
class TopicShape:
    """Where one topic's valid event keeps what the mutations break."""

    topic: str
    build: Callable[[st.DrawFn, str], dict[str, Any]]
    key_of: Callable[[dict[str, Any]], str]
    key_checked: bool  # the key must be an id inside the value (not: a free link id)
    tombstone_valid: bool  # compacted topics: a null value deletes the key
    required: tuple[Path, ...]
    strings: tuple[Path, ...]
    # (path, characters, words) of names, bounded tighter than other strings
    names: tuple[tuple[Path, int, int], ...]
    enums: tuple[tuple[Path, frozenset[str]], ...]
    countries: tuple[Path, ...]
    # (path, lowest, highest) the contract allows; None: unbounded that side
    numbers: tuple[tuple[Path, float | None, float | None], ...]
    lists: tuple[tuple[Path, int], ...]  # (path, most items allowed)
    objects: tuple[Path, ...]  # objects a duplicate key or a wrong type can go into
    timestamps: tuple[Path, ...] = ()
    extra_mutations: tuple[str, ...] = ()


def _nonsense_name(draw: st.DrawFn, uid: str) -> str:
    words = draw(st.lists(st.sampled_from(_SYLLABLES), min_size=2, max_size=4))
    return " ".join(w.capitalize() for w in words) + f" {uid.replace('-', '')[-6:]}"


def _name(draw: st.DrawFn, uid: str) -> str:
    """A clean name: made-up syllables, or letters and digits of any script."""
    if draw(st.booleans()):
        return _nonsense_name(draw, uid)
    words = draw(st.lists(st.text(_SAFE_TEXT, min_size=1, max_size=10), min_size=1, max_size=4))
    return " ".join(words)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _country(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(("DE", "FR", "NL", "JP", "CA", "BR", "IN", "AU", "MX", "SE")))


def _party(draw: st.DrawFn, uid: str, role: str) -> dict[str, Any]:
    city = draw(st.sampled_from(("Lyon", "Osaka", "Porto Alegre", "Malmö")))
    return {"role": role, "name": _name(draw, uid), "address": {"country": _country(draw), "city": city}}


def _line(draw: st.DrawFn) -> dict[str, Any]:
    return {"sku": f"SKU-{draw(st.integers(1, 9999))}", "description": draw(st.sampled_from(
        ("industrial pump", "valve set", "office chairs", "cotton shirts"))),
            "quantity": draw(st.integers(0, 500)), "unit_value": draw(st.integers(0, 10_000)),
            "currency": "EUR", "eccn": "EAR99", "origin_country": _country(draw)}


def _extra_field(draw: st.DrawFn, event: dict[str, Any]) -> dict[str, Any]:
    # Producers may add optional fields the contract does not know yet: still valid.
    if draw(st.integers(0, 3)) == 0:
        event["x_producer_note"] = draw(st.one_of(st.text(_SAFE_TEXT, max_size=20), st.integers(0, 1000)))
    return event


def _order(draw: st.DrawFn, uid: str) -> dict[str, Any]:
    buyer = _party(draw, uid, "buyer")
    event = {"event_id": f"ev-{uid}", "type": draw(st.sampled_from([t.value for t in OrderEventType][:2])),
             "order_id": f"HO-{uid}", "occurred_at": _now(), "parties": [buyer],
             "ship_to": {"country": buyer["address"]["country"], "city": "Lyon"},
             "lines": [_line(draw) for _ in range(draw(st.integers(1, 3)))],
             "payment": {"method": draw(st.sampled_from(("wire", "letter_of_credit", "card")))}}
    return _extra_field(draw, event)


def _shipment(draw: st.DrawFn, uid: str) -> dict[str, Any]:
    # No order_id: a shipment naming an order the worker has not seen waits for it
    # (streams/handlers.py), and a valid event here must be decided at once.
    origin, via = _country(draw), _country(draw)
    event = {"event_id": f"ev-{uid}", "type": draw(st.sampled_from([t.value for t in ShipmentEventType])),
             "shipment_id": f"HS-{uid}", "occurred_at": _now(),
             "mode": draw(st.sampled_from([m.value for m in TransportMode])),
             "parties": [_party(draw, uid, "shipper"), _party(draw, uid, "consignee")],
             "legs": [{"from": origin, "to": via}, {"from": via, "to": _country(draw)}],
             "declared_value": draw(st.integers(0, 100_000)), "currency": "EUR"}
    return _extra_field(draw, event)


def _list_entry(draw: st.DrawFn, uid: str) -> dict[str, Any]:
    entry = {"list": TEST_LIST, "source_id": f"HE-{uid}",
             "kind": draw(st.sampled_from([k.value for k in EntryKind])),
             "name": _nonsense_name(draw, uid), "aliases": [_nonsense_name(draw, uid)],
             "addresses": [{"country": _country(draw)}], "programs": ["TEST"], "source_version": "hostile-run",
             "remarks": "written by the hostile-input test"}
    return _extra_field(draw, entry)


def _ownership_link(draw: st.DrawFn, uid: str) -> dict[str, Any]:
    link = {"owner": {"name": _nonsense_name(draw, uid), "country": _country(draw)},
            "owned": {"name": _nonsense_name(draw, uid + "x"), "country": _country(draw)},
            "percent": draw(st.floats(0, 100, allow_nan=False)), "source": "registry extract (hostile run)",
            "as_of": "2026-11-01", "link_id": f"HL-{uid}"}
    return _extra_field(draw, link)


def _disposition(draw: st.DrawFn, uid: str) -> dict[str, Any]:
    # Shaped as the worker's hold ids (`h<partition>-<24 hex>`), for holds that do not
    # exist: a valid one is routed, judged and refused (unknown hold, or no reason).
    return {"hold_id": f"h0-{hashlib.sha256(uid.encode()).hexdigest()[:24]}",
            "action": draw(st.sampled_from([a.value for a in DispositionAction])),
            "reviewer": "reviewer@example.com", "reason": draw(st.text(_SAFE_TEXT, max_size=40)), "at": _now()}


def _values(enum: Any) -> frozenset[str]:
    return frozenset(m.value for m in enum)


ORDERS = TopicShape(
    topic=topics.ORDERS, build=_order, key_of=lambda e: e["order_id"], key_checked=True, tombstone_valid=False,
    required=(("event_id",), ("type",), ("order_id",), ("occurred_at",), ("parties",), ("ship_to",), ("lines",),
              ("parties", 0, "role"), ("parties", 0, "name"), ("lines", 0, "sku"), ("lines", 0, "description"),
              ("lines", 0, "quantity"), ("lines", 0, "unit_value"), ("lines", 0, "currency"), ("payment", "method")),
    strings=(("event_id",), ("order_id",), ("parties", 0, "name"), ("lines", 0, "sku"), ("lines", 0, "description"),
             ("ship_to", "city")),
    names=((("parties", 0, "name"), LIMITS.name_chars, LIMITS.name_words),),
    enums=((("type",), _values(OrderEventType)), (("parties", 0, "role"), _values(PartyRole)),
           (("payment", "method"), _values(PaymentMethod))),
    countries=(("ship_to", "country"), ("parties", 0, "address", "country"), ("lines", 0, "origin_country")),
    numbers=((("lines", 0, "quantity"), 0, None), (("lines", 0, "unit_value"), 0, None)),
    lists=((("parties",), LIMITS.parties), (("lines",), LIMITS.lines)),
    objects=((), ("parties", 0), ("ship_to",), ("lines", 0)),
    timestamps=(("occurred_at",),),
)
SHIPMENTS = TopicShape(
    topic=topics.SHIPMENTS, build=_shipment, key_of=lambda e: e["shipment_id"], key_checked=True,
    tombstone_valid=False,
    required=(("event_id",), ("type",), ("shipment_id",), ("occurred_at",), ("mode",), ("parties",),
              ("parties", 0, "role"), ("parties", 0, "name"), ("legs", 0, "from"), ("legs", 0, "to")),
    strings=(("event_id",), ("shipment_id",), ("parties", 0, "name"), ("parties", 1, "name"),
             ("parties", 0, "address", "city")),
    names=((("parties", 0, "name"), LIMITS.name_chars, LIMITS.name_words),
           (("parties", 1, "name"), LIMITS.name_chars, LIMITS.name_words)),
    enums=((("type",), _values(ShipmentEventType)), (("mode",), _values(TransportMode)),
           (("parties", 1, "role"), _values(PartyRole))),
    countries=(("legs", 0, "from"), ("legs", 1, "to"), ("parties", 1, "address", "country")),
    numbers=((("declared_value",), None, None),),
    lists=((("parties",), LIMITS.parties), (("legs",), LIMITS.legs)),
    objects=((), ("parties", 1), ("legs", 0)),
    timestamps=(("occurred_at",),),
)
LIST_ENTRIES = TopicShape(
    topic=topics.LIST_ENTRIES, build=_list_entry, key_of=lambda e: f"{e['list']}:{e['source_id']}",
    key_checked=True, tombstone_valid=True,
    required=(("list",), ("source_id",), ("kind",), ("name",), ("source_version",)),
    strings=(("source_id",), ("name",), ("source_version",), ("aliases", 0), ("remarks",), ("programs", 0)),
    names=((("name",), LIMITS.entry_name_chars, LIMITS.entry_name_words),
           (("aliases", 0), LIMITS.entry_name_chars, LIMITS.entry_name_words)),
    enums=((("kind",), _values(EntryKind)),),
    countries=(("addresses", 0, "country"),),
    numbers=(),
    # Only the bound issue 13 names for entries (aliases); addresses and programs have
    # bounds of the project's choosing.
    lists=((("aliases",), LIMITS.aliases),),
    objects=((), ("addresses", 0)),
)
OWNERSHIP = TopicShape(
    topic=topics.OWNERSHIP, build=_ownership_link, key_of=lambda e: e["link_id"], key_checked=False,
    tombstone_valid=True,
    required=(("owner",), ("owned",), ("percent",), ("source",), ("owner", "name"), ("owned", "name")),
    strings=(("owner", "name"), ("owned", "name"), ("source",)),
    names=((("owner", "name"), LIMITS.name_chars, LIMITS.name_words),
           (("owned", "name"), LIMITS.name_chars, LIMITS.name_words)),
    enums=(),
    countries=(("owner", "country"), ("owned", "country")),
    numbers=((("percent",), 0, 100),),
    lists=(),
    objects=((), ("owner",), ("owned",)),
    extra_mutations=("bad_list_key", "bad_date"),
)
DISPOSITIONS = TopicShape(
    topic=topics.DISPOSITIONS, build=_disposition, key_of=lambda e: e["hold_id"], key_checked=True,
    tombstone_valid=False,
    required=(("hold_id",), ("action",), ("reviewer",), ("reason",), ("at",)),
    strings=(("hold_id",), ("reviewer",), ("reason",)),
    names=(),
    enums=((("action",), _values(DispositionAction)),),
    countries=(),
    numbers=(),
    lists=(),
    objects=((),),
    timestamps=(("at",),),
)
SHAPES = {s.topic: s for s in (ORDERS, SHIPMENTS, LIST_ENTRIES, OWNERSHIP, DISPOSITIONS)}


# -- building blocks ---------------------------------------------------------------------

def _get(doc: Any, path: Path) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _set(doc: dict[str, Any], path: Path, value: Any) -> None:
    _get(doc, path[:-1])[path[-1]] = value


def _label(path: Path) -> str:
    """The field name a readable error names: the last named part of the path."""
    return next((str(p) for p in reversed(path) if isinstance(p, str)), "message")


def _encode(doc: Any, raw: bytes | None = None, ascii_only: bool = True) -> bytes:
    text = json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    return text.replace(_RAW_JSON, raw, 1) if raw is not None else text


def _nested(draw: st.DrawFn) -> bytes:
    depth = draw(st.one_of(st.integers(LIMITS.json_depth + 1, 200), st.integers(200, 50_000)))
    if draw(st.booleans()):
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def _filler(draw: st.DrawFn, length: int) -> str:
    chunk = draw(st.text(st.sampled_from("abcxyz XYZ019éß北"), min_size=1, max_size=8))
    return (chunk * (length // len(chunk) + 1))[:length]


def _over(draw: st.DrawFn, bound: int) -> int:
    """A size past a bound: just past it, or far past it (up to 1.5 MiB)."""
    return draw(st.one_of(st.integers(bound + 1, bound * 4), st.integers(bound * 4, 3 << 19)))


# -- mutations: each returns (value, hints) and breaks exactly one thing --------------------

Mutation = Callable[[st.DrawFn, TopicShape, dict[str, Any]], tuple[bytes, tuple[str, ...]]]


def invalid_utf8(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    text = _encode(doc)
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(INVALID_UTF8)) + text[at:], ("utf-8",)


def truncated_json(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    text = _encode(doc)
    return text[:draw(st.integers(0, len(text) - 1))], ("json",)


def not_an_object(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    value = draw(st.sampled_from((b"[]", b"null", b"true", b"42", b'"an order"', b"[{}]", _encode([doc]))))
    return value, ("object",)


def wrong_type(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    # Only replacements no reading of the contract accepts (no "12" for a number: money may
    # be a decimal string; no integer for a time: pydantic reads it as a Unix time).
    choices: list[tuple[Path, Any]] = []
    for path in shape.strings:
        choices += [(path, v) for v in (7, 2.5, True, ["text"], {"text": 1})]
    for path, _ in shape.enums:
        choices += [(path, v) for v in (7, ["buyer"], {"v": 1})]
    for path, _, _ in shape.numbers:
        choices += [(path, v) for v in ("many", [1], {"n": 1})]
    for path in shape.countries:
        choices += [(path, v) for v in (49, ["DE"], {"c": "DE"})]
    for path, _ in shape.lists:
        choices += [(path, v) for v in ("text", 7, {"0": 1})]
    for path in shape.objects:
        if path:
            choices += [(path, v) for v in ("text", 7, [1, 2])]
    for path in shape.timestamps:
        choices += [(path, v) for v in ("yesterday", [2026, 11, 30], {"day": 1})]
    path, value = draw(st.sampled_from(choices))
    _set(doc, path, value)
    return _encode(doc), (_label(path),)


def missing_field(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path = draw(st.sampled_from(shape.required))
    del _get(doc, path[:-1])[path[-1]]
    return _encode(doc), (_label(path),)


def null_required(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path = draw(st.sampled_from(shape.required))
    _set(doc, path, None)
    return _encode(doc), (_label(path),)


def unknown_enum(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path, allowed = draw(st.sampled_from(shape.enums))
    value = draw(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz._-ABC0"), min_size=0, max_size=30)
                 .filter(lambda v: v not in allowed))
    _set(doc, path, value)
    return _encode(doc), (_label(path),)


def unknown_country(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path = draw(st.sampled_from(shape.countries))
    _set(doc, path, draw(st.sampled_from(NOT_COUNTRIES)))
    return _encode(doc), (_label(path), "country")


def huge_string(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    bounds = {path: chars for path, chars, _ in shape.names}
    path = draw(st.sampled_from(shape.strings))
    _set(doc, path, _filler(draw, _over(draw, bounds.get(path, LIMITS.string_chars))))
    return _encode(doc, ascii_only=draw(st.booleans())), (_label(path), "characters", "bytes")


def too_many_words(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path, chars, words = draw(st.sampled_from(shape.names))
    count = draw(st.integers(words + 1, min(words * 6, chars // 3)))
    _set(doc, path, " ".join(draw(st.sampled_from(_SYLLABLES)) for _ in range(count))[:chars])
    return _encode(doc), ("words", "characters")


def too_many_items(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path, bound = draw(st.sampled_from(shape.lists))
    items = _get(doc, path)
    count = draw(st.integers(bound + 1, bound * 3))
    _set(doc, path, (items * (count // len(items) + 1))[:count])
    return _encode(doc), (_label(path), "items", "bytes")


def deep_nesting(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    paths = [*shape.strings, *(p for p, _, _ in shape.numbers), ("x_nested",)]
    path = draw(st.sampled_from(paths))
    _set(doc, path, _RAW)
    return _encode(doc, raw=_nested(draw)), ("nest", "depth")


def forbidden_character(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path = draw(st.sampled_from(shape.strings))
    text = str(_get(doc, path))
    at = draw(st.integers(0, len(text)))
    _set(doc, path, text[:at] + draw(st.sampled_from(FORBIDDEN_CHARS)) + text[at:])
    # Written raw or as a \u escape; a raw lone surrogate is not UTF-8 at all.
    return _encode(doc, ascii_only=draw(st.booleans())), ("character", "utf-8")


def nan_number(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path, _, _ = draw(st.sampled_from(shape.numbers))
    _set(doc, path, _RAW)
    return _encode(doc, raw=draw(st.sampled_from((b"NaN", b"Infinity", b"-Infinity")))), ("number",)


def huge_number(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path, _, _ = draw(st.sampled_from(shape.numbers))
    digits = draw(st.integers(20, 6000))
    token = draw(st.sampled_from((b"1" + b"0" * digits, b"-9" + b"9" * digits, b"1e%d" % digits,
                                  b"-2.5e%d" % min(digits, 400), b"1" + b"0" * digits + b".5")))
    _set(doc, path, _RAW)
    return _encode(doc, raw=token), ("number", _label(path))


def out_of_range(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path, low, high = draw(st.sampled_from([n for n in shape.numbers if n[1] is not None or n[2] is not None]))
    options = []
    if low is not None:
        options.append(st.integers(-10**6, int(low) - 1))
    if high is not None:
        options.append(st.integers(int(high) + 1, 10**6))
    _set(doc, path, draw(st.one_of(options)))
    return _encode(doc), (_label(path),)


def duplicate_key(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    path = draw(st.sampled_from(shape.objects))
    obj = _get(doc, path)
    name = draw(st.sampled_from(sorted(obj)))
    again = json.dumps(draw(st.sampled_from((obj[name], "other", 0, None))))
    text = "{" + f"{json.dumps(name)}: {again}, " + json.dumps(obj)[1:]
    if not path:
        return text.encode(), ("twice", "duplicate")
    _set(doc, path, _RAW)
    return _encode(doc, raw=text.encode()), ("twice", "duplicate")


def bad_list_key(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    # The contract's owner list_key is "<list>:<source_id>": one without the colon is not.
    doc["owner"]["list_key"] = draw(st.sampled_from(("SDN", "no colon here", "", "SDN-12345")))
    return _encode(doc), ("list_key",)


def bad_date(draw: st.DrawFn, shape: TopicShape, doc: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    doc["as_of"] = draw(st.sampled_from(("yesterday", "2026-13-01", "2026-02-30", "01/11/2026")))
    return _encode(doc), ("as_of",)


def _mutations(shape: TopicShape) -> dict[str, Mutation]:
    found: dict[str, Mutation] = {
        "invalid_utf8": invalid_utf8, "truncated_json": truncated_json, "not_an_object": not_an_object,
        "wrong_type": wrong_type, "missing_field": missing_field, "null_required": null_required,
        "huge_string": huge_string, "deep_nesting": deep_nesting, "forbidden_character": forbidden_character,
        "duplicate_key": duplicate_key,
    }
    if shape.enums:
        found["unknown_enum"] = unknown_enum
    if shape.countries:
        found["unknown_country"] = unknown_country
    if shape.names:
        found["too_many_words"] = too_many_words
    if shape.lists:
        found["too_many_items"] = too_many_items
    if shape.numbers:
        found.update(nan_number=nan_number, huge_number=huge_number)
    if any(low is not None or high is not None for _, low, high in shape.numbers):
        found["out_of_range"] = out_of_range
    extra: dict[str, Mutation] = {"bad_list_key": bad_list_key, "bad_date": bad_date}
    found.update({name: extra[name] for name in shape.extra_mutations})
    return found


def kinds_of(shape: TopicShape) -> tuple[str, ...]:
    """Every bad kind a topic gets."""
    kinds = [*_mutations(shape), "null_key", "empty_value"]
    if shape.key_checked:
        kinds.append("key_mismatch")
    if shape.tombstone_valid:
        kinds.append("null_key_tombstone")  # deletes nothing the contract can name
    else:
        kinds.append("unexpected_tombstone")
    return tuple(kinds)


def schedule(shapes: tuple[TopicShape, ...], count: int, seed: int, valid_share: float = 0.3
             ) -> list[tuple[TopicShape, str]]:
    """Which topic and kind each of `count` payloads gets: a uniform mix from a seeded
    random (hypothesis favours "simple" choices, which would skew the shares). About
    `valid_share` are valid; on compacted topics a fifth of those are tombstones."""
    mix = random.Random(seed)
    plan: list[tuple[TopicShape, str]] = []
    for _ in range(count):
        shape = mix.choice(shapes)
        if mix.random() < valid_share:
            kind = "tombstone" if shape.tombstone_valid and mix.random() < 0.2 else "valid"
        else:
            kind = mix.choice(kinds_of(shape))
        plan.append((shape, kind))
    return plan


@st.composite
def payloads(draw: st.DrawFn, shape: TopicShape, kind: str, new_id: NewId) -> Payload:
    """One message of `kind` for `shape`'s topic: a valid event, on compacted topics a
    tombstone, or a valid event broken in the one way `kind` names. `new_id` gives every
    draw ids of its own (hypothesis may draw equal values twice)."""
    uid = new_id()
    doc = shape.build(draw, uid)
    key = shape.key_of(doc).encode()
    if kind == "tombstone":
        # Deleting a key that was never written: applied (a no-op), never dead-lettered.
        return Payload(shape.topic, key, None, "tombstone", bad=False)
    if kind == "valid":
        event_id = doc.get("event_id") if shape.topic in (topics.ORDERS, topics.SHIPMENTS) else None
        cleanup = key if shape.tombstone_valid else None
        return Payload(shape.topic, key, _encode(doc, ascii_only=draw(st.booleans())), "valid", bad=False,
                       event_id=event_id, cleanup_key=cleanup)
    if kind == "null_key":
        return Payload(shape.topic, None, _encode(doc), kind, bad=True, hints=("key",))
    if kind == "key_mismatch":
        other = draw(st.one_of(st.just(key + b"-other"), st.binary(min_size=1, max_size=40)).filter(
            lambda k: k != key))
        return Payload(shape.topic, other, _encode(doc), kind, bad=True, hints=("key",))
    if kind == "null_key_tombstone":
        return Payload(shape.topic, None, None, kind, bad=True, hints=("key",))
    if kind == "unexpected_tombstone":
        return Payload(shape.topic, key, None, kind, bad=True, hints=("value",))
    if kind == "empty_value":
        return Payload(shape.topic, key, b"", kind, bad=True, hints=("json", "value"))
    value, hints = _mutations(shape)[kind](draw, shape, copy.deepcopy(doc))
    return Payload(shape.topic, key, value, kind, bad=True, hints=hints)
