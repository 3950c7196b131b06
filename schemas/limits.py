"""Bounds on what one input message may hold, checked on the raw bytes and the decoded
JSON before any model validation or screening, so no producer can make a worker spend
unbounded memory or time on one message.

Checks run in a fixed order — message bytes, JSON depth, string lengths, then parties,
lines, legs, aliases and words per name — and the first bound a message breaks names
the dead letter's `error_kind` (`limit.<bound>`)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson


class MessageError(ValueError):
    """A message could not be accepted. `kind` is a short class for metrics."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

# Control characters no name, address or id has a use for; bidirectional overrides and
# isolates make a string display differently from what it holds (a name that reads as a
# clean one on screen), and lone surrogates cannot be encoded back to UTF-8.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                        "\ud800-\udfff]")
_WORD = re.compile(r"\w+")
# Fast pre-checks on the JSON text, so that ordinary messages skip the walk over every
# string: a forbidden character raw or as a \u escape (one preceded by an even number of
# backslashes), and any run of text long enough to hold an over-long string. A hit only
# means "walk and look closely". Numbers are bounded as they are parsed.
_SUSPECT_ESCAPE = re.compile(r"(?:^|[^\\])(?:\\\\)*\\(?:[bf]|u(?:00[01][0-8bcefBCEF]|001[0-9a-fA-F]|007[fF]|"
                             r"00[89][0-9a-fA-F]|061[cC]|200[eEfF]|202[a-eA-E]|206[6-9]|[dD][89a-fA-F]))")

# Beyond any amount, quantity or percentage a trade document carries.
MAX_NUMBER = 1e15


@dataclass(frozen=True)
class InputLimits:
    message_bytes: int = 1 << 20
    json_depth: int = 32
    # Any one string (remarks, descriptions); names have their own, tighter bound.
    string_chars: int = 4096
    name_chars: int = 512
    name_words: int = 24
    parties: int = 64
    lines: int = 1000
    legs: int = 32
    # List entries: real lists hold names of up to 56 words and 383 characters (the
    # Entity List's "Ministry of Defence of the Russian Federation, including ..."), and
    # up to 143 aliases (UK 12771), so listed names get wider bounds than query names.
    entry_name_chars: int = 1024
    entry_name_words: int = 64
    aliases: int = 256
    addresses: int = 128


@dataclass(frozen=True)
class MessageShape:
    """Where a topic's messages keep their bounded lists and their names."""

    # Top-level list field -> the InputLimits attribute bounding its length.
    lists: tuple[tuple[str, str], ...] = ()
    # Paths to names: "parties[].name", "payment.payer.name", "aliases[]".
    names: tuple[str, ...] = ()
    listed_names: bool = False  # list entries: the entry_name_* bounds apply


ORDER = MessageShape(lists=(("parties", "parties"), ("lines", "lines"), ("licenses", "lines")),
                     names=("parties[].name", "payment.payer.name"))
SHIPMENT = MessageShape(lists=(("parties", "parties"), ("lines", "lines"), ("legs", "legs")),
                        names=("parties[].name",))
LIST_ENTRY = MessageShape(lists=(("aliases", "aliases"), ("weak_aliases", "aliases"), ("addresses", "addresses"),
                                 ("programs", "aliases")),
                          names=("name", "aliases[]", "weak_aliases[]"), listed_names=True)
OWNERSHIP_LINK = MessageShape(names=("owner.name", "owned.name"))
FLAT = MessageShape()
# By model name (schemas/errors.py picks one per model it decodes).
SHAPES: dict[str, MessageShape] = {"OrderEvent": ORDER, "ShipmentEvent": SHIPMENT, "ListEntry": LIST_ENTRY,
                                   "OwnershipLink": OWNERSHIP_LINK}


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise MessageError("duplicate_key", f"key {dup!r} appears twice in one object")
    return obj


def _reject_constant(name: str) -> Any:
    raise MessageError("invalid_number", f"{name} is not a number JSON allows")


def _number_out_of_range(text: str) -> MessageError:
    shown = text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
    return MessageError("limit.number", f"number {shown} is beyond ±{MAX_NUMBER:.0e}")


def _bounded_int(text: str) -> int:
    # Checked on the text first: Python refuses to parse ints of over 4,300 digits anyway.
    if len(text) > 16 or abs(value := int(text)) > MAX_NUMBER:
        raise _number_out_of_range(text)
    return value


def _bounded_float(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and abs(value) <= MAX_NUMBER):
        raise _number_out_of_range(text)
    return value


def bounded_json(raw: bytes | str, shape: MessageShape, limits: InputLimits, topic: str) -> Any:
    """Bytes -> JSON value within every bound (raises MessageError naming the first bound
    broken)."""
    data, text = decode_json(raw, limits, topic)
    check_bounds(data, shape, limits, topic, text=text)
    return data


def decode_json(raw: bytes | str, limits: InputLimits, topic: str) -> tuple[Any, str]:
    """Bytes -> (JSON value, its text), within `message_bytes` and `json_depth`; strict
    UTF-8, no duplicate keys, no NaN or Infinity."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > limits.message_bytes:
        raise MessageError("limit.message_bytes",
                           f"{topic}: message is {size:,} bytes, over the {limits.message_bytes:,}-byte limit")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise MessageError("invalid_json", f"{topic}: value is not valid UTF-8 JSON ({exc})") from exc
    fast = _decoded_plainly(text, limits.json_depth)
    if fast is not None:
        return fast, text
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant,
                          parse_int=_bounded_int, parse_float=_bounded_float)
    except MessageError as exc:
        raise MessageError(exc.kind, f"{topic}: {exc}") from exc
    except RecursionError as exc:
        raise MessageError("limit.json_depth",
                           f"{topic}: JSON nests deeper than the {limits.json_depth}-level limit") from exc
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, and ints past Python's digit limit
        raise MessageError("invalid_json", f"{topic}: value is not valid UTF-8 JSON ({exc})") from exc
    depth = _depth(data, 1, limits.json_depth) if isinstance(data, dict | list) else 0
    if depth > limits.json_depth:
        raise MessageError("limit.json_depth", f"{topic}: JSON nests deeper than the {limits.json_depth}-level limit")
    return data, text


# A quote followed by JSON whitespace: where a key's closing quote may stand apart from
# its colon.
_QUOTE_SPACE = ('" ', '"\t', '"\n', '"\r')
_KEY_END = re.compile(r'"[ \t\n\r]*:')


def _decoded_plainly(text: str, depth_limit: int) -> Any | None:
    """The common case, fast: orjson parses `text`, and the value is taken only where the
    strict parse below would give the same one. orjson refuses what that parse refuses
    (invalid UTF-8 and JSON, NaN, lone surrogates, raw control characters) but keeps the
    last of duplicate keys and turns integers past 64 bits into floats, so: every key the
    text holds must be in the value (each key ends in a quote, JSON whitespace and a
    colon; the same inside a string only counts more, which falls back), every number
    must be within MAX_NUMBER, and the nesting within the limit. None: decide strictly."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict and type(data) is not list:
        return None
    walked = _keys_within_bounds(data, depth_limit)
    if walked is None:
        return None
    written = len(_KEY_END.findall(text)) if any(q in text for q in _QUOTE_SPACE) else text.count('":')
    return data if written == walked else None


def _keys_within_bounds(root: dict[str, Any] | list[Any], depth_limit: int) -> int | None:
    """How many keys the objects in `root` hold, or None if a number is beyond
    MAX_NUMBER or the nesting deeper than `depth_limit`."""
    keys = 0
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        node, level = stack.pop()
        if type(node) is dict:
            keys += len(node)
            children = node.values()
        else:
            children = node
        for child in children:
            kind = type(child)
            if kind is dict or kind is list:
                if level >= depth_limit:
                    return None
                stack.append((child, level + 1))
            elif (kind is int or kind is float) and not -MAX_NUMBER <= child <= MAX_NUMBER:
                return None
    return keys


def _depth(value: Any, level: int, limit: int) -> int:
    """Nesting depth of containers below `value` (at `level`), stopping once past `limit`
    (so the recursion itself stays shallow)."""
    children = value.values() if type(value) is dict else value
    deepest = level
    for child in children:
        kind = type(child)
        if kind is dict or kind is list:
            if level >= limit:
                return level + 1
            d = _depth(child, level + 1, limit)
            if d > deepest:
                deepest = d
                if deepest > limit:
                    return deepest
    return deepest


def _scalars(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, scalar) of every string (keys too) and other scalar in a decoded message."""
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            yield here, k
            yield from _scalars(v, here)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _scalars(v, f"{path}[{i}]")
    else:
        yield path, value


def _at(data: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Values at a path like "parties[].name" (missing parts yield nothing)."""
    items: list[tuple[str, Any]] = [("", data)]
    for part in path.split("."):
        many = part.endswith("[]")
        name = part.removesuffix("[]")
        nxt: list[tuple[str, Any]] = []
        for where, item in items:
            if not isinstance(item, dict) or name not in item:
                continue
            child, here = item[name], f"{where}.{name}" if where else name
            if many:
                if isinstance(child, list):
                    nxt.extend((f"{here}[{i}]", c) for i, c in enumerate(child))
            else:
                nxt.append((here, child))
        items = nxt
    return iter(items)


def _suspect(text: str, limits: InputLimits) -> bool:
    if _FORBIDDEN.search(text):
        return True
    if "\\" in text and _SUSPECT_ESCAPE.search(text):
        return True
    return len(text) > limits.string_chars and max(map(len, text.split('"'))) > limits.string_chars


def check_bounds(data: Any, shape: MessageShape, limits: InputLimits, topic: str, text: str | None = None) -> None:
    """String lengths and characters, list lengths, then words per name. With the
    message's JSON `text`, strings are only walked one by one when the text looks
    suspect."""
    if text is None or _suspect(text, limits):
        _check_scalars(data, limits, topic)
    _check_names_and_lists(data, shape, limits, topic)


def _check_scalars(data: Any, limits: InputLimits, topic: str) -> None:
    for path, value in _scalars(data):
        if isinstance(value, str):
            if len(value) > limits.string_chars:
                raise MessageError("limit.string_chars", f"{topic}: field '{path}' is {len(value):,} characters, "
                                                         f"over the {limits.string_chars:,}-character limit")
            bad = _FORBIDDEN.search(value)
            if bad is not None:
                raise MessageError("forbidden_character", f"{topic}: field '{path}' holds control or bidirectional "
                                                          f"character U+{ord(bad.group()):04X}")


def _check_names_and_lists(data: Any, shape: MessageShape, limits: InputLimits, topic: str) -> None:
    max_chars = limits.entry_name_chars if shape.listed_names else limits.name_chars
    max_words = limits.entry_name_words if shape.listed_names else limits.name_words
    names = [(where, name) for path in shape.names for where, name in _at(data, path) if isinstance(name, str)]
    for where, name in names:
        if len(name) > max_chars:
            raise MessageError("limit.name_chars", f"{topic}: name '{where}' is {len(name):,} characters, "
                                                   f"over the {max_chars}-character limit")
    if isinstance(data, dict):
        for field, bound in shape.lists:
            value, limit = data.get(field), getattr(limits, bound)
            if isinstance(value, list) and len(value) > limit:
                raise MessageError(f"limit.{bound}", f"{topic}: field '{field}' holds {len(value):,} items, "
                                                     f"over the {limit:,}-item limit")
    for where, name in names:
        # A name of n characters holds at most (n + 1) // 2 words: short ones need no count.
        if (len(name) + 1) // 2 > max_words and (words := len(_WORD.findall(name))) > max_words:
            raise MessageError("limit.name_words", f"{topic}: name '{where}' has {words} words, "
                                                   f"over the {max_words}-word limit")
