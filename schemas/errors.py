"""Turn pydantic validation errors into one sentence a producer can act on."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from schemas.limits import FLAT, SHAPES, InputLimits, MessageError, bounded_json

M = TypeVar("M", bound=BaseModel)
DEFAULT_LIMITS = InputLimits()


def check_key(key: bytes | None, expected: str, field: str, topic: str) -> None:
    """A message's key must be the id the contract keys it by: partitioning, compaction
    and de-duplication all rest on it."""
    if key is None:
        raise MessageError("key_missing", f"{topic}: message has no key (expected its {field} {expected!r})")
    if key != expected.encode():
        shown = key[:80].decode("utf-8", "replace")
        raise MessageError("key_mismatch", f"{topic}: key {shown!r} is not the message's {field} {expected!r}")


def _where(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "message"


def _describe(err: Any) -> str:
    field = _where(tuple(err["loc"]))
    etype = err["type"]
    got = err.get("input")
    if etype == "missing":
        return f"field '{field}' is required"
    if etype == "string_type":
        return f"field '{field}' must be a string (got {type(got).__name__} {got!r})"
    if etype == "enum":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"field '{field}' has unknown value {got!r} (expected {allowed})"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    return f"field '{field}' is invalid: {msg} (got {shown})"


def describe_validation_error(error: ValidationError, limit: int = 5) -> str:
    errs = error.errors()
    text = "; ".join(_describe(e) for e in errs[:limit])
    if len(errs) > limit:
        text += f"; and {len(errs) - limit} more"
    return text


def parse_message(model: type[M], raw: bytes | str | None, topic: str, limits: InputLimits | None = None) -> M:
    """Decode one message within the input bounds (`schemas/limits.py`), raising
    MessageError with a readable sentence on failure."""
    return decode_message(model, raw, topic, limits)[0]


def decode_message(model: type[M], raw: bytes | str | None, topic: str, limits: InputLimits | None = None
                   ) -> tuple[M, dict[str, Any]]:
    """`parse_message`, plus the JSON object the model was validated from (what the model
    validates to again: a caller that keeps the message need not dump the model)."""
    if raw is None:
        raise MessageError("empty", f"{topic}: message has no value")
    data = bounded_json(raw, SHAPES.get(model.__name__, FLAT), limits or DEFAULT_LIMITS, topic)
    if not isinstance(data, dict):
        raise MessageError("schema", f"{topic}: value must be a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data), data
    except ValidationError as exc:
        raise MessageError("schema", f"{topic}: {describe_validation_error(exc)}") from exc
