"""trade.gov Consolidated Screening List CSV (plain or gzip).

One row per listed party of one source list; `alt_names`, `addresses`, `ids` and the
personal-data columns are `;`-separated. Column names per the CSL API documentation.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

from schemas.lists import ListEntry
from screening.lists.countries import country_code
from screening.lists.identifiers import parse_csl_ids
from screening.lists.parsed import (
    KIND_WORDS,
    ListLoad,
    ParseIssue,
    append_unique,
    build_entry,
    clean,
    csv_records,
    decode_text,
    source_version,
    split_list,
    unique,
)

FORMAT = "csl-csv"

# The abbreviation in the `source` column's parentheses → our list code.
_SOURCE_CODES = {
    "SDN": "SDN",
    "EL": "EL",
    "DPL": "DPL",
    "UVL": "UVL",
    "MEU": "MEU",
    "ISN": "ISN",
    "DTC": "DTC",
    "SSI": "SSI",
    "CMIC": "CMIC",
    "PLC": "PLC",
    "CAP": "CAP",
    "NS-MBS List": "NS-MBS",
    "NS-MBS": "NS-MBS",
    "FSE": "FSE",
}
_SOURCE_ABBREVIATION = re.compile(r"\(([^()]+)\)")
# Columns kept in `ids` as they are (identifying or legally relevant details).
_ID_COLUMNS = (
    "title",
    "federal_register_notice",
    "standard_order",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
)
_PERSON_COLUMNS = {
    "dates_of_birth": "dob",
    "places_of_birth": "pob",
    "nationalities": "nationality",
    "citizenships": "citizenship",
}
REQUIRED_COLUMNS = frozenset({"source", "name", "addresses", "alt_names"})


def list_code_for_source(source: str) -> str | None:
    match = _SOURCE_ABBREVIATION.search(source)
    return _SOURCE_CODES.get(match.group(1).strip()) if match else None


def read_csl_text(path: Path) -> tuple[bytes, str]:
    raw = path.read_bytes()
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    return raw, decode_text(data)


def parse_csl(path: Path) -> ListLoad:
    load = ListLoad(files={str(path): FORMAT})
    file = str(path)
    try:
        raw, text = read_csl_text(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        load.issues.append(ParseIssue(file, None, f"cannot read file: {exc}"))
        return load
    version = source_version(FORMAT, path, raw)
    records = csv_records(text)
    header_record = next(records, None)
    if header_record is None:
        load.issues.append(ParseIssue(file, None, "empty file"))
        return load
    header = [column.strip() for column in header_record[1]]
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        load.issues.append(ParseIssue(file, 1, f"not a CSL header: missing {', '.join(sorted(missing))}"))
        return load
    seen: set[str] = set()
    for line, row in records:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            load.issues.append(ParseIssue(file, line, f"expected {len(header)} columns, found {len(row)}"))
            continue
        entry = _entry(dict(zip(header, row, strict=True)), version, file, line, load.issues)
        if entry is not None:
            append_unique(load, seen, entry, file, line)
    return load


def _derived_id(record: dict[str, str]) -> str:
    """Stable id for files without `_id` (2019 samples): same party, same id, every load."""
    basis = "\x1f".join(record.get(column, "").strip() for column in ("source", "name", "addresses"))
    return hashlib.sha1(basis.encode()).hexdigest()


def _date(record: dict[str, str], column: str, file: str, line: int, issues: list[ParseIssue]) -> date | None:
    value = record.get(column, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        issues.append(ParseIssue(file, line, f"{column} {value!r} is not a YYYY-MM-DD date; left empty"))
        return None


def parse_csl_address(text: str) -> dict[str, str | None]:
    """ "19 Luysi Chalovskoy St., Borisov, 222512, BY": country last, postal code and city
    before it when they look like that; the rest is the street line."""
    parts = [part.strip() for part in _without_joiner(text).split(",") if part.strip()]
    country = country_code(parts[-1]) if parts else None
    if country is not None:
        parts = parts[:-1]
    postal = parts.pop() if len(parts) >= 3 and any(ch.isdigit() for ch in parts[-1]) else None
    city = parts.pop() if len(parts) >= 2 else None
    line1 = ", ".join(parts) or None
    if line1 is not None and city is None and postal is None and country is None:
        return {"line1": line1}
    return {"line1": line1, "city": city, "postal_code": postal, "country": country}


def _without_joiner(text: str) -> str:
    # Entity List strings read "X; and Y" and "-X"; the joining words are not data.
    text = text.strip()
    if text.lower().startswith("and "):
        text = text[4:]
    return text.lstrip("-– ").strip()


def _entry(
    record: dict[str, str], version: str, file: str, line: int, issues: list[ParseIssue]
) -> ListEntry | None:
    source = record.get("source", "").strip()
    code = list_code_for_source(source)
    if code is None:
        issues.append(ParseIssue(file, line, f"unknown source list {source!r}"))
        return None
    entity_number = record.get("entity_number", "").strip()
    source_id = entity_number or record.get("_id", "").strip() or _derived_id(record)
    kind_text = record.get("type", "").strip().lower()
    kind = KIND_WORDS.get(kind_text)
    if kind is None:
        issues.append(ParseIssue(file, line, f"unknown type {kind_text!r}; treated as organization"))
        kind = "organization"
    ids: dict[str, Any] = dict(parse_csl_ids(record.get("ids")))
    for column, key in _PERSON_COLUMNS.items():
        values = split_list(record.get(column))
        if values:
            ids[key] = values
    for column in _ID_COLUMNS:
        value = clean(record.get(column))
        if value:
            ids[column] = value
    fields: dict[str, Any] = {
        "list": code,
        "source_id": source_id,
        "kind": kind,
        "name": record.get("name", "").strip(),
        "aliases": unique(
            [a for a in (_without_joiner(x) for x in split_list(record.get("alt_names"))) if a]
        ),
        "addresses": [parse_csl_address(a) for a in split_list(record.get("addresses"))],
        "programs": unique(split_list(record.get("programs"))),
        "ids": ids or None,
        "effective_from": _date(record, "start_date", file, line, issues),
        "effective_to": _date(record, "end_date", file, line, issues),
        "license_requirement": clean(record.get("license_requirement")),
        "license_policy": clean(record.get("license_policy")),
        "remarks": clean(record.get("remarks")),
        "source_version": version,
    }
    return build_entry(fields, file, line, issues)
