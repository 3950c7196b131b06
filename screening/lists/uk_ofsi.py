"""UK HM Treasury (OFSI) consolidated list, xlsx in the 2022 column layout.

One row per name variation; rows sharing a Group ID are one designated party. Column
names per OFSI's "Consolidated list of targets" guide: Name 6 is the family or entity
name, Name 1-5 the other names; "Low quality" aliases are kept as weak.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from schemas.lists import ListEntry
from screening.lists.countries import country_code
from screening.lists.parsed import (
    ListLoad,
    ParseIssue,
    build_entry,
    clean,
    parse_date,
    source_version,
    unique,
)

FORMAT = "uk-ofsi-xlsx"
_KINDS = {"individual": "person", "entity": "organization", "ship": "vessel"}
_REQUIRED = ("Name 6", "Group ID", "Group Type", "Alias Type")
_ADDRESS_LINES = tuple(f"Address {i}" for i in range(1, 7))


def _cell(row: dict[str, Any], column: str) -> str | None:
    value = row.get(column)
    return clean(str(value)) if value is not None else None


def _row_name(row: dict[str, Any]) -> str | None:
    family = _cell(row, "Name 6")
    given = " ".join(p for p in (_cell(row, f"Name {i}") for i in range(1, 6)) if p)
    if family and given:
        return f"{family}, {given}"  # "LAST, First" like OFAC
    return family or given or None


def parse_uk_ofsi(path: Path) -> ListLoad:
    file = str(path)
    load = ListLoad(files={file: FORMAT})
    try:
        raw = path.read_bytes()
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, BadZipFile, InvalidFileException, KeyError) as exc:
        load.issues.append(ParseIssue(file, None, f"cannot read workbook: {exc}"))
        return load
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        last_updated: str | None = None
        groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else str(v).strip() for v in values]
            if header is None:
                if cells and cells[0] == "Last Updated" and len(cells) > 1:
                    last_updated = cells[1]
                elif all(column in cells for column in _REQUIRED):
                    header = cells
                continue
            if not any(cells):
                continue
            row = dict(zip(header, values, strict=False))
            group_id = _cell(row, "Group ID")
            if not group_id or not _row_name(row):
                load.issues.append(ParseIssue(file, line, "row without a Group ID or a name"))
                continue
            groups.setdefault(group_id, []).append((line, row))
    finally:
        workbook.close()
    if header is None:
        load.issues.append(ParseIssue(file, None, f"no header row with {', '.join(_REQUIRED)}"))
        return load
    version = source_version(FORMAT, path, raw)
    if "-" not in version.split(":", 1)[1] and last_updated:
        try:
            published = parse_date(last_updated, day_first=True)
            version = f"{FORMAT}:{published.isoformat()}" if published else version
        except ValueError:
            pass  # keep the content hash
    for group_id, rows in groups.items():
        entry = _entry(group_id, rows, version, file, load.issues)
        if entry is not None:
            load.entries.append(entry)
    return load


def _entry(
    group_id: str, rows: list[tuple[int, dict[str, Any]]], version: str, file: str, issues: list[ParseIssue]
) -> ListEntry | None:
    primary_line, primary = next(
        ((line, row) for line, row in rows if (_cell(row, "Alias Type") or "").lower() == "primary name"),
        rows[0],
    )
    name = _row_name(primary) or ""
    aliases: list[str] = []
    weak: list[str] = []
    addresses: list[dict[str, str | None]] = []
    programs: list[str] = []
    ids: dict[str, list[str]] = {}
    for _line, row in rows:
        row_name = _row_name(row)
        if row_name and row_name != name:
            low = (_cell(row, "Alias Quality") or "").lower().startswith("low")
            (weak if low else aliases).append(row_name)
        for script_name in (_cell(row, "Name Non-Latin Script"),):
            if script_name:
                aliases.append(script_name)
        address = _address(row)
        if address and address not in addresses:
            addresses.append(address)
        regime = _cell(row, "Regime")
        if regime:
            programs.append(regime)
        _collect_ids(row, ids)
    kind_text = (_cell(primary, "Group Type") or "").lower()
    kind = _KINDS.get(kind_text)
    if kind is None:
        issues.append(
            ParseIssue(file, primary_line, f"unknown Group Type {kind_text!r}; treated as organization")
        )
        kind = "organization"
    try:
        listed_on: date | None = parse_date(_cell(primary, "Listed On"), day_first=True)
    except ValueError:
        issues.append(
            ParseIssue(file, primary_line, f"Listed On {_cell(primary, 'Listed On')!r} is not a date")
        )
        listed_on = None
    fields: dict[str, Any] = {
        "list": "UK",
        "source_id": group_id,
        "kind": kind,
        "name": name,
        "aliases": [a for a in unique(aliases) if a != name],
        "weak_aliases": [a for a in unique(weak) if a != name and a not in aliases],
        "addresses": addresses,
        "programs": unique(programs),
        "ids": ids or None,
        "effective_from": listed_on,
        "remarks": _cell(primary, "Other Information"),
        "source_version": version,
    }
    return build_entry(fields, file, primary_line, issues)


def _address(row: dict[str, Any]) -> dict[str, str | None] | None:
    line1 = ", ".join(p for p in (_cell(row, column) for column in _ADDRESS_LINES) if p) or None
    country_name = _cell(row, "Country")
    address = {
        "line1": line1,
        "postal_code": _cell(row, "Post/Zip Code"),
        "country": country_code(country_name),
    }
    return address if any(address.values()) else None


_ID_COLUMNS = {
    "DOB": "dob",
    "Nationality": "nationality",
    "Passport Number": "passport",
    "National Identification Number": "national_id_no",
    "Position": "title",
}


def _collect_ids(row: dict[str, Any], ids: dict[str, list[str]]) -> None:
    def add(key: str, value: str | None) -> None:
        if value and value not in ids.setdefault(key, []):
            ids[key].append(value)

    for column, key in _ID_COLUMNS.items():
        add(key, _cell(row, column))
    birthplace = ", ".join(p for p in (_cell(row, "Town of Birth"), _cell(row, "Country of Birth")) if p)
    add("pob", birthplace or None)
    for key in [k for k, v in ids.items() if not v]:
        del ids[key]
