"""A company's own block list: parties it refuses by policy, kept by compliance staff in
CSV or YAML.

Fields: name (required), aliases (list, or `;`-separated in CSV), country, list
(default INTERNAL), kind (default organization), id (default: derived from the name),
effective_from / effective_to (YYYY-MM-DD), reason.

    - name: Example Trading FZE
      aliases: [Example Trading, EXT FZE]
      country: AE
      effective_from: 2024-01-15
      reason: Diversion to a sanctioned end user found in audit 2023-17
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from schemas.lists import ListEntry
from screening.lists.countries import country_code
from screening.lists.parsed import (
    ListLoad,
    ParseIssue,
    append_unique,
    build_entry,
    csv_records,
    decode_text,
    derived_id,
    read_source,
    source_version,
    split_list,
    unique,
)

FORMAT = "internal-list"
DEFAULT_LIST = "INTERNAL"
CSV_HEADER_MARKERS = frozenset({"name", "reason"})
_LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    """Safe YAML that remembers the line each mapping starts on, for issues."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(key): value for key, value in loader.construct_mapping(node, deep=True).items()}
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def parse_internal_list(path: Path) -> ListLoad:
    file = str(path)
    load = ListLoad(files={file: FORMAT})
    raw = read_source(path, load)
    if raw is None:
        return load
    text = decode_text(raw)
    records = (
        _yaml_records(text, file, load) if path.suffix.lower() in (".yaml", ".yml") else _csv_records(text)
    )
    version = source_version(FORMAT, path, raw)
    seen: set[str] = set()
    for line, record in records:
        entry = _entry(record, version, file, line, load.issues)
        if entry is not None:
            append_unique(load, seen, entry, file, line)
    return load


def _yaml_records(text: str, file: str, load: ListLoad) -> list[tuple[int | None, dict[str, Any]]]:
    try:
        document = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        load.issues.append(ParseIssue(file, mark.line + 1 if mark else None, f"invalid YAML: {exc}"))
        return []
    if isinstance(document, dict) and "entries" in document:
        document = document["entries"]
    if document is None:
        return []
    if not isinstance(document, list):
        load.issues.append(ParseIssue(file, 1, "expected a list of entries (or a mapping with `entries:`)"))
        return []
    records: list[tuple[int | None, dict[str, Any]]] = []
    for item in document:
        if isinstance(item, dict):
            records.append((item.pop(_LINE, None), item))
        else:
            load.issues.append(ParseIssue(file, None, f"entry {item!r} is not a mapping"))
    return records


def _csv_records(text: str) -> list[tuple[int | None, dict[str, Any]]]:
    rows = csv_records(text)
    header_record = next(rows, None)
    if header_record is None:
        return []
    header = [column.strip().lower() for column in header_record[1]]
    return [(line, dict(zip(header, row, strict=False))) for line, row in rows if any(c.strip() for c in row)]


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _entry(
    record: dict[str, Any], version: str, file: str, line: int | None, issues: list[ParseIssue]
) -> ListEntry | None:
    name = str(record.get("name") or "").strip()
    if not name:
        issues.append(ParseIssue(file, line, "entry without a name"))
        return None
    raw_aliases = record.get("aliases") or []
    aliases = (
        split_list(raw_aliases) if isinstance(raw_aliases, str) else [str(a).strip() for a in raw_aliases]
    )
    try:
        effective_from = _as_date(record.get("effective_from"))
        effective_to = _as_date(record.get("effective_to"))
    except ValueError as exc:
        issues.append(ParseIssue(file, line, f"bad date (use YYYY-MM-DD): {exc}"))
        return None
    country_text = str(record.get("country") or "").strip()
    country = country_code(country_text)
    if country_text and country is None:
        issues.append(ParseIssue(file, line, f"unknown country {country_text!r}; left empty"))
    list_code = str(record.get("list") or DEFAULT_LIST).strip().upper()
    fields: dict[str, Any] = {
        "list": list_code,
        "source_id": str(record.get("id") or "").strip() or derived_id(list_code, name),
        "kind": str(record.get("kind") or "organization").strip().lower(),
        "name": name,
        "aliases": [a for a in unique(aliases) if a and a != name],
        "addresses": [{"country": country}] if country else [],
        "effective_from": effective_from,
        "effective_to": effective_to,
        "remarks": str(record.get("reason") or "").strip() or None,
        "source_version": version,
    }
    return build_entry(fields, file, line, issues)
