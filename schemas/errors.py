"""Turn pydantic validation errors into one sentence a producer can act on."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class MessageError(ValueError):
    """A message could not be accepted. `kind` is a short class for metrics."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


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


def parse_message(model: type[M], raw: bytes | str | None, topic: str) -> M:
    """Decode one message, raising MessageError with a readable sentence on failure."""
    if raw is None:
        raise MessageError("empty", f"{topic}: message has no value")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MessageError("invalid_json", f"{topic}: value is not valid UTF-8 JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise MessageError("schema", f"{topic}: value must be a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise MessageError("schema", f"{topic}: {describe_validation_error(exc)}") from exc
