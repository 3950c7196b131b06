"""Write one JSON Schema file per contract message."""

from __future__ import annotations

import json
from pathlib import Path

from schemas import MESSAGES


def render_schemas() -> dict[str, str]:
    """File name -> JSON text, deterministic so committed copies can be compared."""
    out: dict[str, str] = {}
    for name, model in MESSAGES.items():
        schema = model.model_json_schema(by_alias=True, mode="validation")
        schema["$id"] = f"https://tradescreen.invalid/schemas/{name}.json"
        out[f"{name}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def export_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in render_schemas().items():
        path = directory / filename
        path.write_text(text)
        written.append(path)
    return written
